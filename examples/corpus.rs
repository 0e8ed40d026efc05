//! Synthetic site folders for benchmarks:
//! `cargo run --release --example corpus -- --briefs N --deals M --out DIR [--hugo DIR] [--plain DIR] [--seed S]`.
//!
//! Writes a complete infrabrief site (site.toml, about 60 companies, M deals, three series, an
//! about page and N briefs of about 800 words) that builds without errors or warnings, and with
//! `--hugo DIR` the same briefs as a Hugo site, shortcodes replaced by the plain text they stand
//! for, so both engines render comparable pages; `--plain DIR` writes those same bodies as an
//! infrabrief site (links in `@/` form), so both engines can also render the very same Markdown.
//! Everything comes from one small PRNG (splitmix64) seeded with `--seed`, so the same arguments
//! always give the same bytes.
//! `benches/build.rs` includes this file as a module and calls [`generate`].

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// The seed used when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 0x1AB5_2025_1103;

/// A folder the generator wrote carries this file; only such folders are ever replaced.
const MARKER: &str = ".infrabrief-corpus";

// ------------------------------------------------------------------------------------ PRNG

/// splitmix64: tiny, fast, good enough for test data, and stable across platforms.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// An independent stream for one part of the corpus, so adding briefs never changes deals.
    pub fn stream(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn float(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.float() < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index in `0..n` skewed towards the start: the first items are the popular ones.
    pub fn skewed(&mut self, n: usize, power: f64) -> usize {
        ((self.float().powf(power) * n as f64) as usize).min(n - 1)
    }

    /// Picks from `(weight, item)` pairs.
    pub fn weighted<T: Copy>(&mut self, items: &[(u32, T)]) -> T {
        let total: u32 = items.iter().map(|(w, _)| w).sum();
        let mut at = self.below(total as usize) as u32;
        for (weight, item) in items {
            if at < *weight {
                return *item;
            }
            at -= weight;
        }
        items[items.len() - 1].1
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

// ------------------------------------------------------------------------------------ dates

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2025-11-03`.
pub fn iso_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn long_date(days: i64, month_only: bool) -> String {
    let (y, m, d) = civil_from_days(days);
    let month = MONTHS[m as usize - 1];
    if month_only { format!("{month} {y}") } else { format!("{d} {month} {y}") }
}

/// First and last day deals are announced on.
fn deal_window() -> (i64, i64) {
    (days_from_civil(2022, 1, 3), days_from_civil(2026, 3, 27))
}

// ------------------------------------------------------------------------------------ companies

/// `(id, name, short_name, role, parent)`; an empty string means none.
const COMPANIES: &[(&str, &str, &str, &str, &str)] = &[
    ("openai", "OpenAI", "", "lab", ""),
    ("anthropic", "Anthropic", "", "lab", ""),
    ("xai", "xAI", "", "lab", ""),
    ("google-deepmind", "Google DeepMind", "DeepMind", "lab", "alphabet"),
    ("mistral-ai", "Mistral AI", "Mistral", "lab", ""),
    ("cohere", "Cohere", "", "lab", ""),
    ("safe-superintelligence", "Safe Superintelligence", "SSI", "lab", ""),
    ("thinking-machines-lab", "Thinking Machines Lab", "Thinking Machines", "lab", ""),
    ("perplexity", "Perplexity", "", "lab", ""),
    ("reflection-ai", "Reflection AI", "Reflection", "lab", ""),
    ("ai21-labs", "AI21 Labs", "AI21", "lab", ""),
    ("microsoft", "Microsoft", "", "hyperscaler", ""),
    ("aws", "Amazon Web Services", "AWS", "hyperscaler", "amazon"),
    ("google-cloud", "Google Cloud", "", "hyperscaler", "alphabet"),
    ("oracle", "Oracle", "", "hyperscaler", ""),
    ("meta", "Meta Platforms", "Meta", "hyperscaler", ""),
    ("amazon", "Amazon", "", "hyperscaler", ""),
    ("alphabet", "Alphabet", "", "hyperscaler", ""),
    ("alibaba-cloud", "Alibaba Cloud", "", "hyperscaler", ""),
    ("ibm", "IBM", "", "hyperscaler", ""),
    ("nvidia", "Nvidia", "", "chipmaker", ""),
    ("amd", "Advanced Micro Devices", "AMD", "chipmaker", ""),
    ("broadcom", "Broadcom", "", "chipmaker", ""),
    ("tsmc", "Taiwan Semiconductor Manufacturing Company", "TSMC", "chipmaker", ""),
    ("intel", "Intel", "", "chipmaker", ""),
    ("cerebras", "Cerebras Systems", "Cerebras", "chipmaker", ""),
    ("sk-hynix", "SK hynix", "", "chipmaker", ""),
    ("samsung-electronics", "Samsung Electronics", "Samsung", "chipmaker", ""),
    ("micron", "Micron Technology", "Micron", "chipmaker", ""),
    ("groq", "Groq", "", "chipmaker", ""),
    ("arm", "Arm Holdings", "Arm", "chipmaker", ""),
    ("coreweave", "CoreWeave", "", "neocloud", ""),
    ("nebius", "Nebius Group", "Nebius", "neocloud", ""),
    ("crusoe", "Crusoe", "", "neocloud", ""),
    ("lambda", "Lambda", "", "neocloud", ""),
    ("nscale", "Nscale", "", "neocloud", ""),
    ("iren", "IREN", "", "neocloud", ""),
    ("fluidstack", "Fluidstack", "", "neocloud", ""),
    ("together-ai", "Together AI", "Together", "neocloud", ""),
    ("vultr", "Vultr", "", "neocloud", ""),
    ("softbank", "SoftBank Group", "SoftBank", "financier", ""),
    ("blackstone", "Blackstone", "", "financier", ""),
    ("mgx", "MGX", "", "financier", ""),
    ("blackrock", "BlackRock", "", "financier", ""),
    ("brookfield", "Brookfield Asset Management", "Brookfield", "financier", ""),
    ("blue-owl", "Blue Owl Capital", "Blue Owl", "financier", ""),
    ("kkr", "KKR", "", "financier", ""),
    ("apollo", "Apollo Global Management", "Apollo", "financier", ""),
    ("jpmorgan", "JPMorgan Chase", "JPMorgan", "financier", ""),
    ("aligned-data-centers", "Aligned Data Centers", "Aligned", "developer", ""),
    ("digital-realty", "Digital Realty", "", "developer", ""),
    ("equinix", "Equinix", "", "developer", ""),
    ("vantage-data-centers", "Vantage Data Centers", "Vantage", "developer", ""),
    ("qts", "QTS Data Centers", "QTS", "developer", "blackstone"),
    ("stack-infrastructure", "Stack Infrastructure", "Stack", "developer", ""),
    ("applied-digital", "Applied Digital", "", "developer", ""),
    ("core-scientific", "Core Scientific", "", "developer", ""),
    ("constellation", "Constellation Energy", "Constellation", "energy", ""),
    ("nextera", "NextEra Energy", "NextEra", "energy", ""),
    ("vistra", "Vistra", "", "energy", ""),
    ("talen", "Talen Energy", "Talen", "energy", ""),
    ("oklo", "Oklo", "", "energy", ""),
    ("kairos-power", "Kairos Power", "", "energy", ""),
    ("entergy", "Entergy", "", "energy", ""),
];

const ROLES: [&str; 7] = ["lab", "hyperscaler", "chipmaker", "neocloud", "financier", "developer", "energy"];

fn role_description(role: &str, name: &str, variant: usize) -> String {
    let options: [&str; 3] = match role {
        "lab" => [
            "{} trains large language models and sells access to them through its own apps and through the major clouds. It rents most of its computing power, and has been spreading those purchases across several suppliers so that no single one can slow it down.",
            "{} is an AI lab that builds general-purpose models for businesses and consumers. Its costs are dominated by training runs and by the inference capacity needed to serve customers, which it buys under long contracts rather than owning outright.",
            "{} develops frontier models and the products built on them. It has raised money from investors and strategic partners, much of which flows straight back out to cloud providers and chipmakers as prepaid capacity.",
        ],
        "hyperscaler" => [
            "{} runs one of the largest fleets of data centres in the world and rents computing power to others through its cloud. It designs much of its own hardware and buys accelerators from several chipmakers at once.",
            "{} is a cloud and platform company whose capital spending on buildings, power and servers has grown sharply since the arrival of large language models. It is both a supplier of capacity to AI labs and a heavy user of that capacity itself.",
            "{} operates global cloud infrastructure and signs long-term agreements with labs that want guaranteed access to accelerators. It also invests in some of those labs, so money can flow in both directions.",
        ],
        "chipmaker" => [
            "{} designs or manufactures the chips on which AI models are trained and served. Its order book is a leading indicator of how much capacity the industry expects to build in the coming years.",
            "{} supplies accelerators, memory or manufacturing capacity to the AI industry. Demand has outrun supply for much of the period covered here, so allocation rather than price has often decided who gets hardware first.",
            "{} sells silicon to clouds, labs and neoclouds, and increasingly takes part in the financing of the data centres that will use it. Some of its agreements combine chip supply with equity or prepayment.",
        ],
        "neocloud" => [
            "{} is a cloud company built specifically to rent out GPU capacity for AI. It signs multi-year contracts with labs and hyperscalers, and finances its build-out largely with debt secured against those contracts.",
            "{} began in a different business and now runs data centres full of accelerators for AI customers. Its growth depends on getting power and chips on time, and on keeping a small number of very large customers.",
            "{} offers bare-metal and managed GPU clusters to model developers. It competes with the hyperscalers on speed of delivery rather than breadth of services.",
        ],
        "financier" => [
            "{} invests in AI companies and the infrastructure they need, from equity in labs to debt for data-centre campuses. It often acts as a lender and an owner in the same project.",
            "{} is an investment firm whose funds own stakes in data centres, power assets and AI developers. Its deals usually combine long-term contracted revenue with borrowed money.",
            "{} provides capital to the AI build-out through equity rounds, private credit and joint ventures. The terms it accepts are a useful signal of how lenders see the risk in the sector.",
        ],
        "developer" => [
            "{} builds and leases data centres. It finds land and power, builds the shell and cooling, and rents the finished halls to clouds and labs under long leases.",
            "{} develops large data-centre campuses for cloud and AI tenants. Its projects are financed by a mix of equity partners and debt, and are usually signed with an anchor tenant before construction starts.",
            "{} turns sites with access to power into leased data-centre capacity. Several of its projects were converted from other uses, such as cryptocurrency mining, to serve AI customers.",
        ],
        _ => [
            "{} generates and sells electricity, and has signed long-term supply agreements with data-centre operators that want firm, low-carbon power. Its plants are increasingly valued for their grid connections as much as for their output.",
            "{} is an energy company whose customers now include some of the largest builders of AI data centres. It sells power under long contracts and in some cases hosts campuses next to its plants.",
            "{} develops power generation, including designs that are not yet in commercial service. Data-centre operators have signed agreements with it to secure supply for the next decade.",
        ],
    };
    options[variant % 3].replace("{}", name)
}

#[derive(Debug)]
pub struct Company {
    pub id: &'static str,
    pub name: &'static str,
    pub short_name: Option<&'static str>,
    pub role: &'static str,
    pub parent: Option<usize>,
    pub description: String,
    pub url: Option<String>,
}

impl Company {
    /// The name used in prose and titles.
    pub fn label(&self) -> &'static str {
        self.short_name.unwrap_or(self.name)
    }
}

// ------------------------------------------------------------------------------------ deals

const KINDS: [(u32, &str); 7] = [
    (30, "cloud"),
    (18, "chips"),
    (14, "datacenter"),
    (12, "power"),
    (10, "equity"),
    (10, "financing"),
    (6, "acquisition"),
];

/// Roles of buyers and providers for each kind, and the range of values in billions.
fn kind_shape(kind: &str) -> (&'static [&'static str], &'static [&'static str], f64, f64) {
    match kind {
        "cloud" => (&["lab", "lab", "lab", "hyperscaler"], &["hyperscaler", "neocloud"], 0.5, 300.0),
        "chips" => (&["lab", "hyperscaler", "neocloud"], &["chipmaker"], 0.3, 100.0),
        "datacenter" => (&["hyperscaler", "lab", "neocloud"], &["developer"], 0.5, 60.0),
        "power" => (&["hyperscaler", "developer", "neocloud"], &["energy"], 0.1, 25.0),
        "equity" => (&["financier", "hyperscaler", "chipmaker"], &["lab", "neocloud"], 0.1, 40.0),
        "financing" => (&["financier"], &["neocloud", "developer", "lab"], 0.3, 30.0),
        _ => (&["neocloud", "hyperscaler", "developer", "financier"], &["developer", "neocloud", "energy"], 0.2, 40.0),
    }
}

fn kind_noun(kind: &str) -> &'static str {
    match kind {
        "cloud" => "cloud contract",
        "chips" => "chip order",
        "datacenter" => "data-centre lease",
        "power" => "power agreement",
        "equity" => "equity stake",
        "financing" => "financing package",
        _ => "acquisition",
    }
}

const CHIPS: [&str; 13] = [
    "Nvidia GB200",
    "Nvidia GB300",
    "Nvidia H100",
    "Nvidia H200",
    "Nvidia Vera Rubin",
    "AMD Instinct MI355X",
    "AMD Instinct MI450",
    "Google TPU v7",
    "AWS Trainium2",
    "AWS Trainium3",
    "Cerebras WSE-3",
    "Groq LPU",
    "Broadcom custom accelerator",
];

const PUBLISHERS: [(&str, &str); 12] = [
    ("The Compute Ledger", "news.example.com"),
    ("Datacentre Dispatch", "www.example.org"),
    ("Grid and Silicon", "grid.example.net"),
    ("Cloud Markets Weekly", "weekly.example.com"),
    ("The Capacity Report", "capacity.example.org"),
    ("Wafer Street", "wafer.example.net"),
    ("Infra Finance Review", "finance.example.com"),
    ("Power Desk", "power.example.org"),
    ("The Rack", "rack.example.net"),
    ("Neocloud Notes", "notes.example.com"),
    ("Silicon Tribune", "tribune.example.org"),
    ("Capital Flows Daily", "flows.example.net"),
];

#[derive(Debug)]
pub struct Source {
    pub publisher: &'static str,
    pub title: String,
    pub url: String,
    pub date: String,
}

#[derive(Debug)]
pub struct Deal {
    pub id: String,
    pub title: String,
    pub buyer: usize,
    pub provider: usize,
    pub partners: Vec<usize>,
    pub kind: &'static str,
    /// Days since 1970-01-01.
    pub announced: i64,
    /// Only the month is known: written as `"2025-05"`.
    pub month_only: bool,
    pub agreement: &'static str,
    pub status: &'static str,
    pub superseded_by: Option<usize>,
    pub value_usd_m: Option<i64>,
    pub basis: &'static str,
    pub term_years: Option<u32>,
    pub capacity_gw: Option<f64>,
    pub chips: Vec<&'static str>,
    pub chip_count: Option<u64>,
    pub summary: String,
    pub notes: Option<String>,
    pub sources: Vec<Source>,
}

// ------------------------------------------------------------------------------------ series

#[derive(Debug)]
pub struct SeriesLine {
    pub label: &'static str,
    pub company: usize,
    pub points: Vec<(String, f64)>,
}

#[derive(Debug)]
pub struct Series {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub frequency: &'static str,
    pub summary: &'static str,
    pub notes: &'static str,
    pub lines: Vec<SeriesLine>,
    pub sources: Vec<(Source, Vec<String>)>,
}

// ------------------------------------------------------------------------------------ corpus

#[derive(Debug)]
pub struct Brief {
    pub slug: String,
    pub title: String,
    pub date: i64,
    pub updated: Option<i64>,
    pub summary: String,
    pub tags: Vec<&'static str>,
    pub companies: Vec<usize>,
    pub deals: Vec<usize>,
    /// Series used by `point` shortcodes and `series-<id>` charts.
    pub series: Vec<usize>,
    /// The body with shortcodes and `@/` links.
    pub body: String,
    /// The same body for Hugo: shortcodes as plain text, links as `../slug/`.
    pub hugo_body: String,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub briefs: usize,
    pub deals: usize,
    pub seed: u64,
}

#[derive(Debug)]
pub struct Corpus {
    pub companies: Vec<Company>,
    pub deals: Vec<Deal>,
    pub series: Vec<Series>,
    pub briefs: Vec<Brief>,
}

/// What one `write_*` call wrote.
#[derive(Clone, Copy, Debug, Default)]
pub struct Written {
    pub files: usize,
    pub bytes: u64,
    /// Bytes of `.md` files (briefs and pages).
    pub markdown_bytes: u64,
    pub deals: usize,
    pub companies: usize,
    pub briefs: usize,
}

/// Builds the whole corpus in memory.
pub fn generate(options: Options) -> Corpus {
    let companies = companies(options.seed);
    let deals = deals(options, &companies);
    let series = series(&companies);
    let briefs = briefs(options, &companies, &deals, &series);
    Corpus { companies, deals, series, briefs }
}

fn companies(seed: u64) -> Vec<Company> {
    let mut rng = Rng::stream(seed, 1);
    COMPANIES
        .iter()
        .enumerate()
        .map(|(i, &(id, name, short, role, parent))| Company {
            id,
            name,
            short_name: (!short.is_empty()).then_some(short),
            role,
            parent: COMPANIES.iter().position(|c| !parent.is_empty() && c.0 == parent),
            description: role_description(role, name, rng.below(3)),
            url: (i % 3 != 2).then(|| format!("https://www.example.com/companies/{id}")),
        })
        .collect()
}

/// Companies of a role, most prominent first.
fn by_role(companies: &[Company], role: &str) -> Vec<usize> {
    companies.iter().enumerate().filter(|(_, c)| c.role == role).map(|(i, _)| i).collect()
}

fn round_value(bn: f64) -> f64 {
    if bn < 1.0 {
        ((bn * 100.0).round() / 100.0).max(0.05)
    } else if bn < 10.0 {
        (bn * 10.0).round() / 10.0
    } else {
        bn.round()
    }
}

fn deals(options: Options, companies: &[Company]) -> Vec<Deal> {
    let mut rng = Rng::stream(options.seed, 2);
    let roles: Vec<Vec<usize>> = ROLES.iter().map(|r| by_role(companies, r)).collect();
    let of_role = |role: &str| roles[ROLES.iter().position(|r| *r == role).unwrap_or(0)].as_slice();
    let (first, last) = deal_window();
    let mut days: Vec<i64> = (0..options.deals).map(|_| rng.between(first, last)).collect();
    days.sort_unstable();

    let mut deals: Vec<Deal> = Vec::with_capacity(options.deals);
    for &announced in &days {
        let kind = rng.weighted(&KINDS);
        let (buyers, providers, low, high) = kind_shape(kind);
        let pool = of_role(rng.pick(buyers));
        let buyer = pool[rng.skewed(pool.len(), 1.8)];
        let provider = loop {
            let pool = of_role(rng.pick(providers));
            let candidate = pool[rng.skewed(pool.len(), 1.6)];
            if candidate != buyer {
                break candidate;
            }
        };
        let partners = if rng.chance(0.12) {
            let other = rng.below(companies.len());
            if other != buyer && other != provider { vec![other] } else { Vec::new() }
        } else {
            Vec::new()
        };
        // A data-centre build is sometimes only the buyer's announced plan to invest.
        let agreement = if kind == "datacenter" && rng.chance(0.25) {
            "plan"
        } else {
            rng.weighted(&[(70, "contract"), (15, "letter_of_intent"), (15, "talks")])
        };
        let status = if matches!(agreement, "talks" | "plan") {
            rng.weighted(&[(85, "announced"), (15, "cancelled")])
        } else {
            rng.weighted(&[(45, "announced"), (28, "signed"), (22, "operational"), (5, "cancelled")])
        };
        let basis =
            rng.weighted(&[(45, "reported"), (5, "more_than"), (15, "up_to"), (15, "estimate"), (20, "undisclosed")]);
        let value_usd_m = (basis != "undisclosed").then(|| {
            let bn = low * (high / low).powf(rng.float().powf(1.7));
            (round_value(bn) * 1_000.0).round() as i64
        });
        let physical = matches!(kind, "cloud" | "datacenter" | "power");
        let capacity_gw = (physical && rng.chance(0.5)).then(|| (rng.between(1, 50) as f64) / 10.0);
        let term_years =
            (matches!(kind, "cloud" | "power" | "datacenter") && rng.chance(0.6)).then(|| rng.between(2, 20) as u32);
        let chips: Vec<&str> = if matches!(kind, "cloud" | "chips") && rng.chance(0.6) {
            let a = rng.pick(&CHIPS);
            let b = rng.pick(&CHIPS);
            if a != b && rng.chance(0.4) { vec![a, b] } else { vec![a] }
        } else {
            Vec::new()
        };
        let chip_count = (!chips.is_empty() && rng.chance(0.4)).then(|| rng.between(1, 100) as u64 * 10_000);
        let month_only = rng.chance(0.1);
        deals.push(Deal {
            id: String::new(),
            title: String::new(),
            buyer,
            provider,
            partners,
            kind,
            announced,
            month_only,
            agreement,
            status,
            superseded_by: None,
            value_usd_m,
            basis,
            term_years,
            capacity_gw,
            chips,
            chip_count,
            summary: String::new(),
            notes: None,
            sources: Vec::new(),
        });
    }

    // Supersession: a deal is replaced by a later one between the same companies.
    let mut taken = vec![false; deals.len()];
    for i in 0..deals.len() {
        if !rng.chance(0.06) {
            continue;
        }
        let later = (i + 1..deals.len().min(i + 40))
            .filter(|&j| !taken[j] && deals[j].announced > deals[i].announced)
            .nth(rng.below(4));
        let Some(j) = later else {
            continue;
        };
        taken[j] = true;
        let (buyer, provider, kind) = (deals[i].buyer, deals[i].provider, deals[i].kind);
        let next = &mut deals[j];
        next.buyer = buyer;
        next.provider = provider;
        next.kind = kind;
        next.partners.retain(|&p| p != buyer && p != provider);
        if next.status == "cancelled" {
            next.status = "signed";
        }
        if !matches!(kind, "cloud" | "datacenter" | "power") {
            next.capacity_gw = None;
            next.term_years = None;
        }
        if !matches!(kind, "cloud" | "chips") {
            next.chips.clear();
            next.chip_count = None;
        }
        deals[i].status = "superseded";
        deals[i].superseded_by = Some(j);
    }

    // Ids, titles, prose and sources, now that every field is final.
    let mut used: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for deal in &mut deals {
        let (year, month, _) = civil_from_days(deal.announced);
        let base = format!("{}-{}-{}-{year}", companies[deal.buyer].id, companies[deal.provider].id, deal.kind);
        let count = used.entry(base.clone()).or_insert(0);
        *count += 1;
        let id = if *count == 1 { base } else { format!("{base}-{count}") };
        let b = companies[deal.buyer].label();
        let p = companies[deal.provider].label();
        let what = match deal.kind {
            "cloud" => format!("cloud capacity from {p}"),
            "chips" => match deal.chips.first() {
                Some(chip) => format!("{chip} systems from {p}"),
                None => format!("accelerators from {p}"),
            },
            "datacenter" => format!("a data-centre campus from {p}"),
            "power" => format!("power from {p}"),
            "equity" => format!("a stake in {p}"),
            "financing" => format!("a financing package for {p}"),
            _ => format!("the acquisition of {p}"),
        };
        let title = match deal.agreement {
            "talks" => format!("{b} in talks over {what}"),
            "letter_of_intent" => format!("{b} signs letter of intent for {what}"),
            "plan" => format!("{b} plans to invest in {what}"),
            _ => match deal.kind {
                "equity" => format!("{b} takes a stake in {p}"),
                "financing" => format!("{b} leads a financing package for {p}"),
                "acquisition" => format!("{b} agrees to acquire {p}"),
                "power" => format!("{b} secures power from {p}"),
                _ => format!("{b} commits to {what}"),
            },
        };
        let mut summary = format!(
            "{b} and {p} agreed on {} {} announced in {} {year}.",
            article(kind_noun(deal.kind)),
            kind_noun(deal.kind),
            MONTHS[month as usize - 1]
        );
        summary.push_str(match (deal.agreement, deal.basis) {
            ("talks", _) => {
                " The companies were reported to be in talks; nothing had been signed when the sources were written."
            }
            ("letter_of_intent", _) => {
                " It is a letter of intent, so the amount is a ceiling rather than a commitment."
            }
            ("plan", _) => {
                " It is an investment plan: the amount is what the buyer says it will spend, not an agreed price."
            }
            (_, "more_than") => " The sources give the amount only as a floor.",
            (_, "up_to") => " The amount is a ceiling that depends on later phases being exercised.",
            (_, "estimate") => " The amount is an outside estimate; the companies did not disclose it.",
            (_, "undisclosed") => " The companies did not disclose the value.",
            _ => " The value was reported by several outlets and confirmed by the companies.",
        });
        let notes = rng.chance(0.3).then(|| {
            rng.pick(&[
                "Outlets differ on the length of the agreement; the registry uses the term most of them give.",
                "The first reports gave a larger figure that included options; the registry records the firm part.",
                "The companies confirmed the agreement but not its schedule, which comes from later reporting.",
                "One report describes the capacity in megawatts of critical IT load and another in grid connection; they are not the same.",
            ])
            .to_string()
        });
        let mut sources = Vec::new();
        for n in 0..1 + usize::from(rng.chance(0.4)) {
            let (publisher, domain) = rng.pick(&PUBLISHERS);
            let date = deal.announced + n as i64 * rng.between(0, 20);
            let (sy, sm, _) = civil_from_days(date);
            sources.push(Source {
                publisher,
                title: if n == 0 {
                    title.clone()
                } else {
                    format!("What the {} between {b} and {p} means", kind_noun(deal.kind))
                },
                url: format!("https://{domain}/{sy}/{sm:02}/{id}{}", if n == 0 { "" } else { "-analysis" }),
                date: if deal.month_only { format!("\"{sy:04}-{sm:02}\"") } else { iso_date(date) },
            });
        }
        deal.id = id;
        deal.title = title;
        deal.summary = summary;
        deal.notes = notes;
        deal.sources = sources;
    }
    deals
}

fn series(companies: &[Company]) -> Vec<Series> {
    let at = |id: &str| companies.iter().position(|c| c.id == id).unwrap_or(0);
    let quarters: Vec<String> = (2021..=2025).flat_map(|y| (1..=4).map(move |q| format!("{y}-Q{q}"))).collect();
    let share = |start: f64, end: f64, wobble: f64| -> Vec<(String, f64)> {
        quarters
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let t = i as f64 / (quarters.len() - 1) as f64;
                let value = start + (end - start) * t + wobble * ((i * 7 % 5) as f64 - 2.0) / 2.0;
                (q.clone(), value.round())
            })
            .collect()
    };
    let yearly = |from: i64, values: &[f64]| -> Vec<(String, f64)> {
        values.iter().enumerate().map(|(i, v)| ((from + i as i64).to_string(), *v)).collect()
    };
    let source = |publisher: &'static str, domain: &str, slug: &str, title: &str, date: i64| Source {
        publisher,
        title: title.to_string(),
        url: format!("https://{domain}/data/{slug}"),
        date: iso_date(date),
    };
    vec![
        Series {
            id: "cloud-market-share",
            title: "Cloud infrastructure market share",
            unit: "percent",
            frequency: "quarter",
            summary: "Each leading provider's share of worldwide spending on cloud infrastructure services, quarter by quarter.",
            notes: "Synthetic benchmark data: the shape resembles published estimates but the points are generated.",
            lines: vec![
                SeriesLine { label: "AWS", company: at("aws"), points: share(33.0, 29.0, 1.0) },
                SeriesLine { label: "Microsoft", company: at("microsoft"), points: share(20.0, 23.0, 1.0) },
                SeriesLine { label: "Google Cloud", company: at("google-cloud"), points: share(9.0, 13.0, 0.5) },
                SeriesLine { label: "Oracle", company: at("oracle"), points: share(2.0, 4.0, 0.0) },
            ],
            sources: vec![
                (
                    source(
                        "Cloud Markets Weekly",
                        "weekly.example.com",
                        "share-2023",
                        "Cloud shares through 2023",
                        days_from_civil(2024, 2, 1),
                    ),
                    vec!["2023-Q4".to_string()],
                ),
                (
                    source(
                        "Cloud Markets Weekly",
                        "weekly.example.com",
                        "share-2025",
                        "Cloud shares through 2025",
                        days_from_civil(2026, 2, 5),
                    ),
                    vec!["2025-Q3".to_string(), "2025-Q4".to_string()],
                ),
            ],
        },
        Series {
            id: "hyperscaler-capex",
            title: "Hyperscaler capital spending",
            unit: "usd_bn",
            frequency: "year",
            summary: "What the largest cloud companies spend each year on buildings, servers and equipment.",
            notes: "Synthetic benchmark data. Fiscal years are shown as the calendar year in which they end.",
            lines: vec![
                SeriesLine {
                    label: "Amazon",
                    company: at("amazon"),
                    points: yearly(2019, &[17.0, 40.0, 61.0, 64.0, 53.0, 83.0, 125.0]),
                },
                SeriesLine {
                    label: "Microsoft",
                    company: at("microsoft"),
                    points: yearly(2019, &[14.0, 15.0, 20.0, 24.0, 28.0, 56.0, 88.0]),
                },
                SeriesLine {
                    label: "Alphabet",
                    company: at("alphabet"),
                    points: yearly(2019, &[24.0, 22.0, 25.0, 31.0, 32.0, 53.0, 91.0]),
                },
                SeriesLine {
                    label: "Meta",
                    company: at("meta"),
                    points: yearly(2019, &[16.0, 15.0, 19.0, 32.0, 28.0, 39.0, 70.0]),
                },
            ],
            sources: vec![(
                source(
                    "Infra Finance Review",
                    "finance.example.com",
                    "capex",
                    "Capital spending of the largest clouds",
                    days_from_civil(2026, 2, 12),
                ),
                vec!["2025".to_string()],
            )],
        },
        Series {
            id: "neocloud-revenue",
            title: "Neocloud revenue",
            unit: "usd_bn",
            frequency: "year",
            summary: "Yearly revenue of the largest GPU-focused cloud companies.",
            notes: "Synthetic benchmark data; calendar years.",
            lines: vec![
                SeriesLine {
                    label: "CoreWeave",
                    company: at("coreweave"),
                    points: yearly(2022, &[0.02, 0.23, 1.9, 5.1]),
                },
                SeriesLine { label: "Nebius", company: at("nebius"), points: yearly(2022, &[0.01, 0.02, 0.12, 0.55]) },
                SeriesLine { label: "Lambda", company: at("lambda"), points: yearly(2022, &[0.05, 0.1, 0.25, 0.5]) },
            ],
            sources: vec![(
                source(
                    "Neocloud Notes",
                    "notes.example.com",
                    "revenue",
                    "Neocloud revenue by year",
                    days_from_civil(2026, 3, 2),
                ),
                Vec::new(),
            )],
        },
    ]
}

// ------------------------------------------------------------------------------------ prose

const TAGS: [&str; 40] = [
    "cloud",
    "chips",
    "gpus",
    "power",
    "datacenters",
    "financing",
    "equity",
    "neoclouds",
    "hyperscalers",
    "labs",
    "stargate",
    "training",
    "inference",
    "custom-silicon",
    "tpus",
    "trainium",
    "nvidia",
    "amd",
    "openai",
    "anthropic",
    "market-share",
    "capex",
    "debt",
    "private-credit",
    "nuclear",
    "gas",
    "grid",
    "cooling",
    "europe",
    "middle-east",
    "asia",
    "supply-chain",
    "memory",
    "hbm",
    "networking",
    "sovereign-ai",
    "regulation",
    "antitrust",
    "valuations",
    "bubble",
];

const ADJECTIVES: [&str; 20] = [
    "large",
    "long-dated",
    "unusual",
    "closely watched",
    "multi-year",
    "contested",
    "expensive",
    "strategic",
    "crowded",
    "fragile",
    "ambitious",
    "lopsided",
    "modest",
    "speculative",
    "conditional",
    "open-ended",
    "heavily financed",
    "front-loaded",
    "carefully hedged",
    "pragmatic",
];

const NOUNS: [&str; 20] = [
    "capacity",
    "compute",
    "order book",
    "supply chain",
    "backlog",
    "pipeline of campuses",
    "balance sheet",
    "power budget",
    "cluster",
    "fleet of accelerators",
    "inference business",
    "training roadmap",
    "customer base",
    "grid connection",
    "debt load",
    "margin",
    "rack footprint",
    "cooling design",
    "memory supply",
    "network fabric",
];

const TIMES: [&str; 12] = [
    "by the end of next year",
    "over the next three years",
    "within eighteen months",
    "before the decade is out",
    "from the second half of the year",
    "in the first phase",
    "once the campus is energised",
    "as soon as the chips arrive",
    "over the life of the contract",
    "in stages",
    "well before the next model generation",
    "after the first buildings are handed over",
];

const WHO: [&str; 12] = [
    "analysts",
    "people close to the talks",
    "investors",
    "rival labs",
    "lenders",
    "utility planners",
    "procurement teams",
    "credit analysts",
    "chip buyers",
    "executives at competing clouds",
    "industry consultants",
    "bond investors",
];

const PLACES: [&str; 15] = [
    "Texas",
    "Ohio",
    "northern Virginia",
    "Arizona",
    "the Nordics",
    "Abu Dhabi",
    "Wisconsin",
    "Georgia",
    "Norway",
    "Pennsylvania",
    "Louisiana",
    "New Mexico",
    "Indiana",
    "the Netherlands",
    "Quebec",
];

const COMMIT: [&str; 4] = ["spend", "commit", "pay", "set aside"];
const ADDS: [&str; 4] = ["adds to", "stretches", "reshapes", "secures"];
const TIGHT: [&str; 5] = ["tight", "spoken for", "rationed", "scarce", "booked years ahead"];

/// Sentences about the focus deals; `{key}` slots are filled by [`Writer::fill`].
const SENTENCES: [&str; 32] = [
    "{c0} agreed to {commit} {v0} with {c1}, {A} {k0} that {adds} its {noun} {time}.",
    "For {n1}, the agreement is {A} vote of confidence at a moment when {who} question how quickly new {noun} can be financed.",
    "{Who} note that {ak0} is only as firm as the {noun} behind it, and that {noun2} remains the tightest constraint {time}.",
    "The terms were not spelled out in full, but {who} expect the work to be delivered {time}, with most of it sited in {place}.",
    "Read alongside the agreement between {c2} and {n3}, the deal shows how {a} the market for {noun} has become.",
    "{n0} has spent the past year spreading its purchases across suppliers, partly to avoid depending on any single {noun}.",
    "None of this guarantees delivery: power, permits and {noun} all have to line up, and each has slipped before in {place}.",
    "On the registry the deal counts as {firm0}, which is how this brief treats it too.",
    "That matters because {chip} systems are still allocated months in advance, and {who} have learned to treat delivery dates as estimates.",
    "Compared with {v1} in the agreement between {c2} and {n3}, the sum looks {a2}, but the comparison hides differences in term and scope.",
    "{Who} have also asked who carries the risk if demand cools: the lab that signed, the cloud that built, or the lenders that financed the {noun}.",
    "In {month0}, when the agreement was announced, {n0} described it as one step in a longer plan rather than a final answer.",
    "The arrangement leaves {n1} with {A} {noun2} to fill, and little room for error if its own suppliers fall behind.",
    "Several {who} have argued that the real scarce resource is not chips but grid connections, which can take years to secure in {place}.",
    "{c3} sits on the other side of a similar bargain, and its experience {time} will be an early test of how these contracts age.",
    "It is {A} structure, but not a new one: the same pattern of prepayment, long terms and shared risk runs through much of the sector.",
    "If the build-out stays on schedule, the first racks could be serving traffic {time}; if it slips, {n0} has other suppliers to lean on.",
    "What the announcement did not say is as telling as what it did: there was no word on {noun}, on pricing or on exit clauses.",
    "The two companies have worked together before, and people familiar with the relationship describe it as {a2} but occasionally tense.",
    "Seen from {place}, where much of the new capacity is planned, the question is less about the money than about transmission lines and water.",
    "For now the agreement is listed as {status0}, and this brief will be updated if that changes.",
    "Investors rewarded {n1} on the day, although {who} cautioned that revenue from such contracts arrives only as capacity is switched on.",
    "The broader lesson is that {noun} has become a strategic asset, bought years ahead by companies that once rented it by the hour.",
    "Critics say the sector is building ahead of demand; supporters reply that every previous forecast of {noun} has proved too low.",
    "{c0} and {c1} declined to comment on the details beyond their joint statement, which focused on {noun} and on the timeline.",
    "The deal also deepens ties between {n0} and {n1} at a time when both are courting the same {who}.",
    "On paper, {n1} can now plan its {noun2} with more confidence; in practice, much depends on how quickly {chip} parts ship.",
    "A shorter term would have left {n0} exposed to price swings, while a longer one would have locked it into hardware that ages quickly.",
    "The comparison with {c2} is instructive: it chose to own more of its {noun} outright rather than rent it from a provider.",
    "Put simply, {n0} is buying time, and {n1} is selling certainty in a market where both are in short supply.",
    "The value of the agreement, {v0}, is best read together with its status and with the {noun} it is supposed to pay for.",
    "Few {who} expected the {k0} to come so soon, and fewer still expected {n1} to be on the other side of it.",
];

const HEADINGS: [&str; 24] = [
    "What the deal covers",
    "Why the timing matters",
    "The supply side",
    "Who carries the risk",
    "Power before chips",
    "How the money flows",
    "What to watch",
    "The financing question",
    "Where the capacity sits",
    "Reading the fine print",
    "The competitive picture",
    "Chips, racks and cooling",
    "A crowded order book",
    "Where the sources disagree",
    "The view from the grid",
    "What changed this year",
    "The lenders' view",
    "Delivery and delays",
    "A market of ceilings",
    "Who else is buying",
    "The customer concentration problem",
    "Beyond the headline figure",
    "The long tail of contracts",
    "What it means for prices",
];

const SUBHEADINGS: [&str; 10] = [
    "Key facts",
    "The numbers in context",
    "Three things to watch",
    "How it compares",
    "Open questions",
    "What the registry records",
    "The schedule",
    "A note on sources",
    "Counting the commitments",
    "The other side of the table",
];

const WATCH: [&str; 8] = [
    "whether {n1} can bring the {noun} online {time}",
    "how {who} price the risk in {n0}'s next financing",
    "whether {chip} deliveries keep pace with the schedule",
    "what {c2} does in response",
    "whether power in {place} arrives on time",
    "how much of the {noun2} is actually used in the first year",
    "whether {c3} follows with {A} agreement of its own",
    "how the status of the deal changes as the first phase completes",
];

const FOOTNOTES: [&str; 6] = [
    "Outlets differ on the term of the agreement; the registry records the figure most of them give.",
    "The company release and later press reports describe the capacity slightly differently; the registry entry has the details.",
    "The exact start date was not disclosed; the month given is the one in the first public report.",
    "Some reports count an earlier option in the total; this brief does not.",
    "The figure excludes any equity component, which is listed separately in the registry where it is known.",
    "Where a source gives a range, the registry uses the lower end and notes the upper one.",
];

const LINK_SENTENCES: [&str; 5] = [
    "The brief [{title}]({href}) covers the background.",
    "For an earlier chapter of the story, see [{title}]({href}).",
    "We looked at a similar structure in [{title}]({href}).",
    "Readers following the supply side may want to start with [{title}]({href}).",
    "The same pattern appears in [{title}]({href}), from a different angle.",
];

const TOPICS: [&str; 12] = [
    "gigawatt campuses",
    "custom silicon",
    "GPU supply",
    "grid power",
    "private credit",
    "inference capacity",
    "liquid cooling",
    "sovereign compute",
    "memory supply",
    "long-term contracts",
    "neocloud debt",
    "next-generation models",
];

const CHARTS: [&str; 5] =
    ["commitments-by-provider", "commitments-by-buyer", "cumulative-commitments", "deal-timeline", "flows"];

/// `$38bn`, `$11.9bn`, `$350m`, `$1.4tn`: how infrabrief prints money (for the Hugo text).
fn usd(millions: i64) -> String {
    let decimal = |value: f64, places: usize| {
        let text = format!("{value:.places$}");
        if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
    };
    if millions >= 1_000_000 {
        format!("${}tn", decimal(millions as f64 / 1_000_000.0, 2))
    } else if millions >= 1_000 {
        format!("${}bn", decimal(millions as f64 / 1_000.0, if millions < 10_000 { 2 } else { 1 }))
    } else {
        format!("${millions}m")
    }
}

fn value_text(deal: &Deal) -> String {
    match (deal.value_usd_m, deal.basis) {
        (Some(m), "reported") => usd(m),
        (Some(m), "more_than") => format!("more than {}", usd(m)),
        (Some(m), "up_to") => format!("up to {}", usd(m)),
        (Some(m), "estimate") => format!("an estimated {}", usd(m)),
        _ => "an undisclosed sum".to_string(),
    }
}

/// `a` or `an` before a word.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

fn firmness(deal: &Deal) -> &'static str {
    match (deal.agreement, deal.basis) {
        ("talks", _) => "a report of talks rather than a signed deal",
        ("letter_of_intent", _) => "an intention rather than a contract",
        ("plan", _) => "an investment plan rather than a contract",
        (_, "up_to") => "a ceiling rather than a commitment",
        (_, "estimate") => "an outside estimate rather than a disclosed figure",
        (_, "undisclosed") => "a commitment of undisclosed size",
        _ => "a firm commitment",
    }
}

fn status_text(deal: &Deal) -> &'static str {
    match deal.status {
        "signed" => "signed",
        "operational" => "operational",
        "superseded" => "superseded by a later agreement",
        "cancelled" => "cancelled",
        _ => "announced",
    }
}

/// Writes the infrabrief body and the Hugo body side by side.
struct Writer<'a> {
    companies: &'a [Company],
    deals: &'a [Deal],
    series: &'a [Series],
    md: String,
    hugo: String,
    mentioned_companies: Vec<usize>,
    mentioned_deals: Vec<usize>,
    mentioned_series: Vec<usize>,
}

impl Writer<'_> {
    fn text(&mut self, text: &str) {
        self.md.push_str(text);
        self.hugo.push_str(text);
    }

    fn company(&mut self, c: usize) {
        let _ = write!(self.md, "{{{{ company(id=\"{}\") }}}}", self.companies[c].id);
        self.hugo.push_str(self.companies[c].name);
        if !self.mentioned_companies.contains(&c) {
            self.mentioned_companies.push(c);
        }
    }

    fn deal_mentioned(&mut self, d: usize) {
        if !self.mentioned_deals.contains(&d) {
            self.mentioned_deals.push(d);
        }
    }

    /// `field` is `value`, `capacity`, `term` or `announced`.
    fn value(&mut self, d: usize, field: &str) {
        let deal = &self.deals[d];
        let (md, plain) = match field {
            "capacity" => (
                format!("{{{{ value(deal=\"{}\", field=\"capacity\") }}}}", deal.id),
                format!("{} GW", deal.capacity_gw.unwrap_or_default()),
            ),
            "term" => {
                let years = deal.term_years.unwrap_or_default();
                (format!("{{{{ value(deal=\"{}\", field=\"term\") }}}}", deal.id), format!("{years} years"))
            }
            "announced" => (
                format!("{{{{ value(deal=\"{}\", field=\"announced\") }}}}", deal.id),
                long_date(deal.announced, deal.month_only),
            ),
            _ => (format!("{{{{ value(deal=\"{}\") }}}}", deal.id), value_text(deal)),
        };
        self.md.push_str(&md);
        self.hugo.push_str(&plain);
        self.deal_mentioned(d);
    }

    /// A deal card on a line of its own.
    fn deal_card(&mut self, d: usize) {
        let deal = &self.deals[d];
        let _ = write!(self.md, "{{{{ deal(id=\"{}\") }}}}\n\n", deal.id);
        let _ = write!(
            self.hugo,
            "**{}.** {} and {}, {}, announced {}: {} ({}).\n\n",
            deal.title,
            self.companies[deal.buyer].name,
            self.companies[deal.provider].name,
            kind_noun(deal.kind),
            long_date(deal.announced, deal.month_only),
            value_text(deal),
            status_text(deal)
        );
        self.deal_mentioned(d);
    }

    /// A chart on a line of its own.
    fn chart(&mut self, name: &str) {
        let _ = write!(self.md, "{{{{ chart(name=\"{name}\") }}}}\n\n");
        let _ = write!(self.hugo, "*Chart: {}.*\n\n", name.replace('-', " "));
    }

    fn point(&mut self, s: usize, line: usize, point: usize) {
        let series = &self.series[s];
        let line = &series.lines[line];
        let (period, value) = &line.points[point];
        let _ =
            write!(self.md, "{{{{ point(series=\"{}\", line=\"{}\", period=\"{period}\") }}}}", series.id, line.label);
        let plain = if series.unit == "percent" { format!("{value}%") } else { usd((value * 1_000.0).round() as i64) };
        self.hugo.push_str(&plain);
        if !self.mentioned_series.contains(&s) {
            self.mentioned_series.push(s);
        }
    }

    fn link(&mut self, template: &str, title: &str, slug: &str) {
        let md = template.replace("{title}", title).replace("{href}", &format!("@/briefs/{slug}.md"));
        let hugo = template.replace("{title}", title).replace("{href}", &format!("../{slug}/"));
        self.md.push_str(&md);
        self.hugo.push_str(&hugo);
    }

    /// Expands a template: `{c0}`..`{c3}` company shortcodes (buyer and provider of the two focus
    /// deals), `{n0}`..`{n3}` their plain names, `{v0}` `{v1}` values, and words from the lists.
    fn fill(&mut self, template: &str, focus: [usize; 2], rng: &mut Rng) {
        let people = [
            self.deals[focus[0]].buyer,
            self.deals[focus[0]].provider,
            self.deals[focus[1]].buyer,
            self.deals[focus[1]].provider,
        ];
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            self.text(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let key = &rest[open + 1..open + close];
            rest = &rest[open + close + 1..];
            let deals = self.deals;
            let d0 = &deals[focus[0]];
            match key {
                "c0" | "c1" | "c2" | "c3" => self.company(people[usize::from(key.as_bytes()[1] - b'0')]),
                "n0" | "n1" | "n2" | "n3" => {
                    let c = people[usize::from(key.as_bytes()[1] - b'0')];
                    self.text(self.companies[c].label());
                }
                "v0" => self.value(focus[0], "value"),
                "v1" => self.value(focus[1], "value"),
                "k0" => self.text(kind_noun(d0.kind)),
                "firm0" => self.text(firmness(d0)),
                "status0" => self.text(status_text(d0)),
                "month0" => {
                    let (y, m, _) = civil_from_days(d0.announced);
                    self.text(&format!("{} {y}", MONTHS[m as usize - 1]));
                }
                "chip" => {
                    let chip = d0.chips.first().copied().unwrap_or_else(|| rng.pick(&CHIPS));
                    self.text(chip);
                }
                "a" | "a2" => self.text(rng.pick(&ADJECTIVES)),
                "A" => {
                    let adjective = rng.pick(&ADJECTIVES);
                    self.text(&format!("{} {adjective}", article(adjective)));
                }
                "ak0" => self.text(&format!("{} {}", article(kind_noun(d0.kind)), kind_noun(d0.kind))),
                "noun" | "noun2" => self.text(rng.pick(&NOUNS)),
                "time" => self.text(rng.pick(&TIMES)),
                "who" => self.text(rng.pick(&WHO)),
                "Who" => {
                    let who = rng.pick(&WHO);
                    self.text(&format!("{}{}", who[..1].to_ascii_uppercase(), &who[1..]));
                }
                "place" => self.text(rng.pick(&PLACES)),
                "commit" => self.text(rng.pick(&COMMIT)),
                "adds" => self.text(rng.pick(&ADDS)),
                "tight" => self.text(rng.pick(&TIGHT)),
                other => self.text(other),
            }
        }
        self.text(rest);
    }
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// A deal chosen with popularity: a few deals are discussed in many briefs, most in few.
fn popular_deal(order: &[usize], rng: &mut Rng) -> usize {
    order[rng.skewed(order.len(), 2.2)]
}

fn briefs(options: Options, companies: &[Company], deals: &[Deal], series: &[Series]) -> Vec<Brief> {
    if deals.len() < 2 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..deals.len()).collect();
    Rng::stream(options.seed, 3).shuffle(&mut order);
    let mut by_company: Vec<Vec<usize>> = vec![Vec::new(); companies.len()];
    for (i, deal) in deals.iter().enumerate() {
        by_company[deal.buyer].push(i);
        by_company[deal.provider].push(i);
    }
    let (_, last_day) = deal_window();

    // Pass 1: focus deals, titles and slugs, so briefs can link to each other.
    struct Plan {
        deals: Vec<usize>,
        title: String,
        slug: String,
    }
    let mut plans = Vec::with_capacity(options.briefs);
    for i in 0..options.briefs {
        let mut rng = Rng::stream(options.seed, 1_000 + i as u64);
        let d0 = popular_deal(&order, &mut rng);
        let mut chosen = vec![d0];
        for company in [deals[d0].buyer, deals[d0].provider] {
            let related = &by_company[company];
            for _ in 0..2 {
                let d = related[rng.below(related.len())];
                if !chosen.contains(&d) && chosen.len() < 5 {
                    chosen.push(d);
                }
            }
        }
        while chosen.len() < deals.len().min(4) {
            let d = popular_deal(&order, &mut rng);
            if !chosen.contains(&d) {
                chosen.push(d);
            }
        }
        let deal = &deals[d0];
        let b = companies[deal.buyer].label();
        let p = companies[deal.provider].label();
        let topic = rng.pick(&TOPICS);
        let kind = kind_noun(deal.kind);
        let title = match rng.below(8) {
            0 => format!("Why {b} turned to {p}"),
            1 => format!("What the {kind} between {b} and {p} means"),
            2 => format!("{p} and the race for {topic}"),
            3 => format!("Inside {b}'s bet on {topic}"),
            4 => format!("How {p} won {b}"),
            5 => format!("The {topic} question behind {b}'s latest {kind}"),
            6 => format!("{b}, {p} and the limits of {topic}"),
            _ => format!("Reading the {kind} between {b} and {p}"),
        };
        let mut base = slugify(&title);
        if base.len() > 64 {
            let cut = base[..64].rfind('-').unwrap_or(64);
            base.truncate(cut);
        }
        let slug = format!("{base}-{}", i + 1);
        plans.push(Plan { deals: chosen, title, slug });
    }

    // Pass 2: bodies.
    let mut briefs = Vec::with_capacity(options.briefs);
    for i in 0..options.briefs {
        let mut rng = Rng::stream(options.seed, 1_000_000 + i as u64);
        let plan = &plans[i];
        let ds = &plan.deals;
        let mut w = Writer {
            companies,
            deals,
            series,
            md: String::with_capacity(6_000),
            hugo: String::with_capacity(6_000),
            mentioned_companies: Vec::new(),
            mentioned_deals: Vec::new(),
            mentioned_series: Vec::new(),
        };
        let mut sentences: Vec<usize> = (0..SENTENCES.len()).collect();
        rng.shuffle(&mut sentences);
        let mut next_sentence = 0;
        let mut paragraph = |w: &mut Writer<'_>, rng: &mut Rng, focus: [usize; 2], count: usize, extra: &str| {
            for n in 0..count {
                if n > 0 {
                    w.text(" ");
                }
                let s = sentences[next_sentence % sentences.len()];
                next_sentence += 1;
                w.fill(SENTENCES[s], focus, rng);
            }
            w.text(extra);
            w.text("\n\n");
        };
        let focus = |a: usize, b: usize| [ds[a % ds.len()], ds[b % ds.len()]];
        let mut headings: Vec<usize> = (0..HEADINGS.len()).collect();
        rng.shuffle(&mut headings);
        let mut links: Vec<usize> = Vec::new();
        let link_count = if options.briefs > 3 { 2 + rng.below(2) } else { options.briefs.saturating_sub(1).min(2) };
        while links.len() < link_count {
            let other = rng.below(options.briefs);
            if other != i && !links.contains(&other) {
                links.push(other);
            }
        }
        let link = |w: &mut Writer<'_>, rng: &mut Rng, n: usize| {
            if let Some(&other) = links.get(n) {
                w.text(" ");
                w.link(rng.pick(&LINK_SENTENCES), &plans[other].title, &plans[other].slug);
            }
        };
        let footnotes = 1 + rng.below(2);

        // Opening.
        w.fill(SENTENCES[0], focus(0, 1), &mut rng);
        w.text(" ");
        paragraph(&mut w, &mut rng, focus(0, 1), 2, "");
        if rng.chance(0.45) {
            w.deal_card(ds[0]);
        }

        w.text(&format!("## {}\n\n", HEADINGS[headings[0]]));
        paragraph(&mut w, &mut rng, focus(0, 2), 4, "");
        let d0 = &deals[ds[0]];
        if d0.capacity_gw.is_some() || d0.term_years.is_some() {
            if d0.capacity_gw.is_some() {
                w.text("At full build-out the agreement covers ");
                w.value(ds[0], "capacity");
                w.text(", a figure only a handful of sites could supply today.");
            }
            if d0.term_years.is_some() {
                w.text(if d0.capacity_gw.is_some() { " It runs for " } else { "The contract runs for " });
                w.value(ds[0], "term");
                w.text(", long enough to span at least two generations of accelerators.");
            }
            w.text(" It was first reported on ");
            w.value(ds[0], "announced");
            w.text(".[^n1]\n\n");
            paragraph(&mut w, &mut rng, focus(0, 1), 3, "");
        } else {
            paragraph(&mut w, &mut rng, focus(1, 0), 4, "[^n1]");
        }
        let mut body_links = 0;
        paragraph(&mut w, &mut rng, focus(1, 2), 2, "");
        w.md.truncate(w.md.len() - 2);
        w.hugo.truncate(w.hugo.len() - 2);
        link(&mut w, &mut rng, body_links);
        body_links += 1;
        w.text("\n\n");

        // A list.
        let watch = rng.chance(0.5);
        w.text(&format!(
            "### {}\n\n",
            if watch { "Three things to watch" } else { SUBHEADINGS[rng.below(SUBHEADINGS.len())] }
        ));
        if watch {
            let mut items: Vec<usize> = (0..WATCH.len()).collect();
            rng.shuffle(&mut items);
            for &item in items.iter().take(3) {
                w.text("- ");
                let text = WATCH[item];
                let first = text[..1].to_ascii_uppercase();
                w.text(&first);
                w.fill(&text[1..], focus(0, 1), &mut rng);
                w.text(".\n");
            }
        } else {
            let deal = ds[0];
            w.text("- **Buyer:** ");
            w.company(deals[deal].buyer);
            w.text("\n- **Provider:** ");
            w.company(deals[deal].provider);
            w.text("\n- **Value:** ");
            w.value(deal, "value");
            w.text(&format!(", counted as {}\n", firmness(&deals[deal])));
            w.text(&format!("- **Status:** {}\n", status_text(&deals[deal])));
            w.text(&format!("- **Kind:** {}\n", kind_noun(deals[deal].kind)));
        }
        w.text("\n");

        // A table and maybe a chart.
        w.text(&format!("## {}\n\n", HEADINGS[headings[1]]));
        paragraph(&mut w, &mut rng, focus(2, 3), 3, "");
        w.text("| Deal | Buyer | Provider | Value | Status |\n|---|---|---|---|---|\n");
        for &d in ds.iter().take(4) {
            w.text(&format!("| {} | ", deals[d].title));
            w.company(deals[d].buyer);
            w.text(" | ");
            w.company(deals[d].provider);
            w.text(" | ");
            w.value(d, "value");
            w.text(&format!(" | {} |\n", status_text(&deals[d])));
        }
        w.text("\n");
        let mut charts: Vec<String> = Vec::new();
        if rng.chance(0.4) {
            charts.push(CHARTS[rng.below(CHARTS.len())].to_string());
        }
        if rng.chance(0.15) {
            let s = rng.below(series.len());
            charts.push(format!("series-{}", series[s].id));
            if !w.mentioned_series.contains(&s) {
                w.mentioned_series.push(s);
            }
        }
        if let Some(chart) = charts.first() {
            w.chart(chart);
        }
        paragraph(&mut w, &mut rng, focus(3, 0), 3, if footnotes > 1 { "[^n2]" } else { "" });

        // A closing section.
        w.text(&format!("## {}\n\n", HEADINGS[headings[2]]));
        paragraph(&mut w, &mut rng, focus(0, 3), 3, "");
        if rng.chance(0.3) {
            let s = rng.below(series.len());
            let line = rng.below(series[s].lines.len());
            let point = rng.below(series[s].lines[line].points.len());
            let (period, _) = &series[s].lines[line].points[point];
            let label = series[s].lines[line].label;
            let period = period.clone();
            let title = series[s].title.to_lowercase();
            w.text(&format!("For context, {label} stood at "));
            w.point(s, line, point);
            w.text(&format!(" in {period}, according to the {title} series.\n\n"));
        }
        if let Some(chart) = charts.get(1) {
            w.chart(chart);
        }
        if rng.chance(0.5) {
            w.text(&format!("### {}\n\n", SUBHEADINGS[rng.below(SUBHEADINGS.len())]));
        }
        paragraph(&mut w, &mut rng, focus(4, 1), 2, "");
        w.md.truncate(w.md.len() - 2);
        w.hugo.truncate(w.hugo.len() - 2);
        link(&mut w, &mut rng, body_links);
        link(&mut w, &mut rng, body_links + 1);
        w.text("\n\n");

        // Footnotes.
        let mut notes: Vec<usize> = (0..FOOTNOTES.len()).collect();
        rng.shuffle(&mut notes);
        for n in 0..footnotes {
            w.text(&format!("[^n{}]: {}\n", n + 1, FOOTNOTES[notes[n]]));
        }
        // Every deal of the plan should appear: name the rest in a last line if needed.
        for &d in ds {
            w.deal_mentioned(d);
        }

        let deal = &deals[ds[0]];
        let date = (deal.announced + rng.between(1, 60)).min(last_day + 3);
        let updated = rng.chance(0.15).then(|| date + rng.between(3, 45));
        let mut tags: Vec<&str> = Vec::new();
        let kind_tag = match deal.kind {
            "cloud" => "cloud",
            "chips" => "chips",
            "datacenter" => "datacenters",
            "power" => "power",
            "equity" => "equity",
            "financing" => "financing",
            _ => "valuations",
        };
        tags.push(kind_tag);
        while tags.len() < 3 + rng.below(3) {
            let tag = TAGS[rng.skewed(TAGS.len(), 1.3)];
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let summary = format!(
            "{} and {} agreed on {} {} that says as much about {} as about either company. This brief explains what was agreed and what is still open.",
            companies[deal.buyer].label(),
            companies[deal.provider].label(),
            article(kind_noun(deal.kind)),
            kind_noun(deal.kind),
            TOPICS[rng.below(TOPICS.len())]
        );
        let Writer { md, hugo, mentioned_companies, mentioned_deals, mentioned_series, .. } = w;
        briefs.push(Brief {
            slug: plan.slug.clone(),
            title: plan.title.clone(),
            date,
            updated,
            summary,
            tags,
            companies: mentioned_companies,
            deals: mentioned_deals,
            series: mentioned_series,
            body: md,
            hugo_body: hugo,
        });
    }
    briefs
}

// ------------------------------------------------------------------------------------ output

fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(toml_string).collect();
    format!("[{}]", items.join(", "))
}

/// Replaces `dir` with an empty folder, unless it holds something the generator did not write.
fn fresh_folder(dir: &Path) -> io::Result<()> {
    if dir.exists() {
        let empty = fs::read_dir(dir)?.next().is_none();
        if !empty && !dir.join(MARKER).exists() {
            return Err(io::Error::other(format!(
                "{} is not empty and was not written by the corpus generator; refusing to replace it",
                dir.display()
            )));
        }
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir)?;
    fs::write(dir.join(MARKER), "written by examples/corpus.rs; replaced on the next run\n")
}

struct Files<'a> {
    root: &'a Path,
    written: Written,
}

impl Files<'_> {
    fn write(&mut self, path: &str, text: &str) -> io::Result<()> {
        let full = self.root.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&full, text)?;
        self.written.files += 1;
        self.written.bytes += text.len() as u64;
        if path.ends_with(".md") {
            self.written.markdown_bytes += text.len() as u64;
        }
        Ok(())
    }
}

impl Corpus {
    /// Writes the infrabrief site. With `minimal_registry`, the registry keeps only the deals,
    /// companies and series the briefs need (for the briefs-only comparison with Hugo).
    pub fn write_site(&self, dir: &Path, minimal_registry: bool) -> io::Result<Written> {
        let registry = if minimal_registry { Registry::Cited } else { Registry::All };
        self.write_site_with(dir, registry, Bodies::Shortcodes)
    }

    /// Writes the site with the bodies the Hugo twin gets (no shortcodes, no `companies` or
    /// `deals` in the front matter) and no registry: the briefs only, as the Hugo twin has, so
    /// infrabrief renders the same Markdown as Hugo and nothing else that Hugo does not.
    pub fn write_plain_site(&self, dir: &Path) -> io::Result<Written> {
        self.write_site_with(dir, Registry::Empty, Bodies::Plain)
    }

    fn write_site_with(&self, dir: &Path, registry: Registry, bodies: Bodies) -> io::Result<Written> {
        fresh_folder(dir)?;
        let mut files = Files { root: dir, written: Written::default() };
        let (keep_companies, keep_deals, keep_series) = self.kept(registry);

        files.write(
            "content/site.toml",
            "title = \"infrabrief benchmark corpus\"\n\
             description = \"A synthetic site generated by examples/corpus.rs to measure build times. Company names are real; deals, figures and prose are generated.\"\n\
             language = \"en\"\n\
             author = \"The corpus generator\"\n",
        )?;

        let mut text = String::from("# Generated by examples/corpus.rs: synthetic companies registry.\n");
        for (i, c) in self.companies.iter().enumerate().filter(|(i, _)| keep_companies[*i]) {
            let _ = write!(text, "\n[[company]]\nid = \"{}\"\nname = {}\n", c.id, toml_string(c.name));
            if let Some(short) = c.short_name {
                let _ = writeln!(text, "short_name = {}", toml_string(short));
            }
            let _ = writeln!(text, "role = \"{}\"", c.role);
            if let Some(parent) = c.parent.filter(|&p| keep_companies[p] && p != i) {
                let _ = writeln!(text, "parent = \"{}\"", self.companies[parent].id);
            }
            let _ = writeln!(text, "description = {}", toml_string(&c.description));
            if let Some(url) = &c.url {
                let _ = writeln!(text, "url = {}", toml_string(url));
            }
        }
        files.write("content/companies.toml", &text)?;
        files.written.companies = keep_companies.iter().filter(|k| **k).count();

        let mut text = String::with_capacity(self.deals.len() * 1_400);
        text.push_str("# Generated by examples/corpus.rs: synthetic deal registry.\n");
        for (i, deal) in self.deals.iter().enumerate() {
            if keep_deals[i] {
                self.write_deal(&mut text, deal);
            }
        }
        files.write("content/deals.toml", &text)?;
        files.written.deals = keep_deals.iter().filter(|k| **k).count();

        for (i, series) in self.series.iter().enumerate() {
            if keep_series[i] {
                files.write(&format!("content/series/{}.toml", series.id), &self.series_toml(series))?;
            }
        }

        let about_link = self
            .briefs
            .first()
            .map_or(String::new(), |b| format!(" A good place to start is [{}](@/briefs/{}.md).", b.title, b.slug));
        files.write(
            "content/pages/about.md",
            &format!(
                "+++\ntitle = \"About this corpus\"\nsummary = \"What this generated site is and how it was made.\"\norder = 1\n+++\n\n\
                 This site was generated by `examples/corpus.rs` to measure how fast infrabrief builds a large site. \
                 It has {} briefs, {} deals and {} companies.{about_link}\n\n\
                 ## How it was made\n\n\
                 - Companies carry real names, but every deal, figure and sentence is generated.\n\
                 - {}\n\
                 - The same seed always gives the same site, byte for byte.\n",
                self.briefs.len(),
                files.written.deals,
                files.written.companies,
                match bodies {
                    Bodies::Shortcodes => "Figures in briefs come from the registry through shortcodes, as on a real site.",
                    Bodies::Plain => "Briefs are the very Markdown the Hugo twin renders: figures are written out, not drawn from the registry.",
                }
            ),
        )?;

        for brief in &self.briefs {
            let mut text = String::with_capacity(brief.body.len() + 800);
            let _ = write!(text, "+++\ntitle = {}\ndate = {}\n", toml_string(&brief.title), iso_date(brief.date));
            if let Some(updated) = brief.updated {
                let _ = writeln!(text, "updated = {}", iso_date(updated));
            }
            let _ = writeln!(text, "summary = {}", toml_string(&brief.summary));
            let _ = writeln!(text, "tags = {}", toml_list(brief.tags.iter().copied()));
            match bodies {
                Bodies::Shortcodes => {
                    let companies = toml_list(brief.companies.iter().map(|&c| self.companies[c].id));
                    let deals = toml_list(brief.deals.iter().map(|&d| self.deals[d].id.as_str()));
                    let _ = write!(text, "companies = {companies}\ndeals = {deals}\n+++\n\n");
                    text.push_str(&brief.body);
                }
                Bodies::Plain => {
                    text.push_str("+++\n\n");
                    push_with_content_links(&mut text, &brief.hugo_body);
                }
            }
            files.write(&format!("content/briefs/{}.md", brief.slug), &text)?;
        }
        files.written.briefs = self.briefs.len();
        Ok(files.written)
    }

    fn kept(&self, registry: Registry) -> (Vec<bool>, Vec<bool>, Vec<bool>) {
        match registry {
            Registry::All => {
                return (vec![true; self.companies.len()], vec![true; self.deals.len()], vec![true; self.series.len()]);
            }
            Registry::Empty => {
                return (
                    vec![false; self.companies.len()],
                    vec![false; self.deals.len()],
                    vec![false; self.series.len()],
                );
            }
            Registry::Cited => {}
        }
        let mut companies = vec![false; self.companies.len()];
        let mut deals = vec![false; self.deals.len()];
        let mut series = vec![false; self.series.len()];
        for brief in &self.briefs {
            for &c in &brief.companies {
                companies[c] = true;
            }
            for &d in &brief.deals {
                let mut at = Some(d);
                while let Some(d) = at.filter(|&d| !deals[d]) {
                    deals[d] = true;
                    at = self.deals[d].superseded_by;
                }
            }
            for &s in &brief.series {
                series[s] = true;
            }
        }
        for deal in self.deals.iter().zip(&deals).filter(|(_, kept)| **kept).map(|(deal, _)| deal) {
            companies[deal.buyer] = true;
            companies[deal.provider] = true;
            for &p in &deal.partners {
                companies[p] = true;
            }
        }
        for one in self.series.iter().zip(&series).filter(|(_, kept)| **kept).map(|(one, _)| one) {
            for line in &one.lines {
                companies[line.company] = true;
            }
        }
        (companies, deals, series)
    }

    fn write_deal(&self, text: &mut String, deal: &Deal) {
        let _ = write!(
            text,
            "\n[[deal]]\nid = \"{}\"\ntitle = {}\nbuyer = \"{}\"\nprovider = \"{}\"\n",
            deal.id,
            toml_string(&deal.title),
            self.companies[deal.buyer].id,
            self.companies[deal.provider].id
        );
        if !deal.partners.is_empty() {
            let _ = writeln!(text, "partners = {}", toml_list(deal.partners.iter().map(|&p| self.companies[p].id)));
        }
        let _ = writeln!(text, "kind = \"{}\"", deal.kind);
        if deal.month_only {
            let (y, m, _) = civil_from_days(deal.announced);
            let _ = writeln!(text, "announced = \"{y:04}-{m:02}\"");
        } else {
            let _ = writeln!(text, "announced = {}", iso_date(deal.announced));
        }
        let _ = writeln!(text, "agreement = \"{}\"\nstatus = \"{}\"", deal.agreement, deal.status);
        if let Some(by) = deal.superseded_by {
            let _ = writeln!(text, "superseded_by = \"{}\"", self.deals[by].id);
        }
        if let Some(m) = deal.value_usd_m {
            let _ = writeln!(text, "value_usd_bn = {:?}", m as f64 / 1_000.0);
        }
        let _ = writeln!(text, "value_basis = \"{}\"", deal.basis);
        if let Some(term) = deal.term_years {
            let _ = writeln!(text, "term_years = {term}");
        }
        if let Some(gw) = deal.capacity_gw {
            let _ = writeln!(text, "capacity_gw = {gw:?}");
        }
        if !deal.chips.is_empty() {
            let _ = writeln!(text, "chips = {}", toml_list(deal.chips.iter().copied()));
        }
        if let Some(count) = deal.chip_count {
            let _ = writeln!(text, "chip_count = {count}");
        }
        let _ = writeln!(text, "summary = {}", toml_string(&deal.summary));
        if let Some(notes) = &deal.notes {
            let _ = writeln!(text, "notes = {}", toml_string(notes));
        }
        for source in &deal.sources {
            let _ = write!(
                text,
                "\n[[deal.source]]\npublisher = {}\ntitle = {}\nurl = {}\ndate = {}\n",
                toml_string(source.publisher),
                toml_string(&source.title),
                toml_string(&source.url),
                source.date
            );
        }
    }

    fn series_toml(&self, series: &Series) -> String {
        let mut text = format!(
            "title = {}\nunit = \"{}\"\nfrequency = \"{}\"\nsummary = {}\nnotes = {}\n",
            toml_string(series.title),
            series.unit,
            series.frequency,
            toml_string(series.summary),
            toml_string(series.notes)
        );
        for line in &series.lines {
            let points: Vec<String> = line.points.iter().map(|(p, v)| format!("[\"{p}\", {v}]")).collect();
            let _ = write!(
                text,
                "\n[[line]]\nlabel = {}\ncompany = \"{}\"\npoints = [{}]\n",
                toml_string(line.label),
                self.companies[line.company].id,
                points.join(", ")
            );
        }
        for (source, periods) in &series.sources {
            let _ = write!(
                text,
                "\n[[source]]\npublisher = {}\ntitle = {}\nurl = {}\ndate = {}\n",
                toml_string(source.publisher),
                toml_string(&source.title),
                toml_string(&source.url),
                source.date
            );
            if !periods.is_empty() {
                let _ = writeln!(text, "periods = {}", toml_list(periods.iter().map(String::as_str)));
            }
        }
        text
    }

    /// Writes the briefs as a Hugo site with equivalent minimal layouts.
    pub fn write_hugo(&self, dir: &Path) -> io::Result<Written> {
        fresh_folder(dir)?;
        let mut files = Files { root: dir, written: Written::default() };
        files.write(
            "hugo.toml",
            "baseURL = \"https://example.org/\"\n\
             languageCode = \"en\"\n\
             title = \"infrabrief benchmark corpus\"\n\
             disableKinds = [\"RSS\", \"sitemap\", \"robotsTXT\"]\n\n\
             [taxonomies]\n  tag = \"tags\"\n",
        )?;
        files.write("layouts/_default/baseof.html", HUGO_BASEOF)?;
        files.write("layouts/_default/single.html", HUGO_SINGLE)?;
        files.write("layouts/_default/list.html", HUGO_LIST)?;
        files.write("layouts/_default/taxonomy.html", HUGO_TAXONOMY)?;
        files.write("layouts/_default/term.html", HUGO_TERM)?;
        files.write("layouts/index.html", HUGO_INDEX)?;
        for brief in &self.briefs {
            let mut text = String::with_capacity(brief.hugo_body.len() + 400);
            let _ = write!(
                text,
                "+++\ntitle = {}\ndate = {}\nsummary = {}\ntags = {}\n+++\n\n",
                toml_string(&brief.title),
                iso_date(brief.date),
                toml_string(&brief.summary),
                toml_list(brief.tags.iter().copied())
            );
            text.push_str(&brief.hugo_body);
            files.write(&format!("content/briefs/{}.md", brief.slug), &text)?;
        }
        files.written.briefs = self.briefs.len();
        Ok(files.written)
    }
}

/// Which part of the registry an infrabrief site gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Registry {
    /// Every generated company, deal and series.
    All,
    /// Only the deals, companies and series that the briefs cite.
    Cited,
    /// None: the briefs only (the plain twin of the Hugo site).
    Empty,
}

/// Which bodies an infrabrief site gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bodies {
    /// Shortcodes for figures, deal cards and charts, as a real site has.
    Shortcodes,
    /// The Hugo twin's bodies: figures as plain text.
    Plain,
}

/// Appends a Hugo body with its links between briefs (`](../slug/)`) turned into infrabrief's
/// content links (`](@/briefs/slug.md)`).
fn push_with_content_links(out: &mut String, hugo_body: &str) {
    let mut rest = hugo_body;
    while let Some(at) = rest.find("](../") {
        let after = &rest[at + 5..];
        match after.find("/)") {
            Some(end)
                if end > 0
                    && after[..end].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                out.push_str(&rest[..at]);
                let _ = write!(out, "](@/briefs/{}.md)", &after[..end]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str(&rest[..at + 5]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

const HUGO_BASEOF: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
</head>
<body>
<header><a href="{{ "" | relURL }}">{{ site.Title }}</a> <a href="{{ "briefs/" | relURL }}">Briefs</a> <a href="{{ "tags/" | relURL }}">Topics</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"#;

const HUGO_SINGLE: &str = r#"{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read</p>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
</article>{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary }}</p></li>
{{ end }}</ul>{{ end }}
"#;

const HUGO_TAXONOMY: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>{{ end }}
"#;

const HUGO_TERM: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>{{ end }}
"#;

const HUGO_INDEX: &str = r#"{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range first 20 site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary }}</p></li>
{{ end }}</ul>{{ end }}
"#;

// ------------------------------------------------------------------------------------ CLI

const USAGE: &str = "usage: cargo run --release --example corpus -- --briefs N --deals M --out DIR [--hugo DIR] [--plain DIR] [--seed S] [--minimal-registry]

  --briefs N           briefs to write (default 1000)
  --deals M            deals in the registry (default 2000)
  --out DIR            the infrabrief site folder to write (replaced if the generator wrote it)
  --hugo DIR           also write the same briefs as a Hugo site
  --plain DIR          also write the Hugo site's Markdown as an infrabrief site (minimal registry)
  --seed S             PRNG seed (default: a fixed seed, so runs are reproducible)
  --minimal-registry   keep only the deals, companies and series the briefs use";

fn parse_number(flag: &str, value: Option<String>) -> Result<u64, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    let clean = value.replace('_', "");
    let parsed = match clean.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => clean.parse(),
    };
    parsed.map_err(|_| format!("{flag}: `{value}` is not a number"))
}

fn main() -> ExitCode {
    let mut options = Options { briefs: 1_000, deals: 2_000, seed: DEFAULT_SEED };
    let mut out = None;
    let mut hugo = None;
    let mut plain = None;
    let mut minimal = false;
    let mut args = std::env::args().skip(1);
    let parsed: Result<(), String> = (|| {
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--briefs" => options.briefs = parse_number(&arg, args.next())? as usize,
                "--deals" => options.deals = parse_number(&arg, args.next())? as usize,
                "--seed" => options.seed = parse_number(&arg, args.next())?,
                "--out" => out = Some(args.next().ok_or("--out needs a folder")?),
                "--hugo" => hugo = Some(args.next().ok_or("--hugo needs a folder")?),
                "--plain" => plain = Some(args.next().ok_or("--plain needs a folder")?),
                "--minimal-registry" => minimal = true,
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        if options.deals < 2 {
            return Err("--deals must be at least 2".to_string());
        }
        Ok(())
    })();
    match (parsed, &out) {
        (Err(problem), _) if problem.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        (Err(problem), _) => {
            eprintln!("error: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
        (Ok(()), None) => {
            eprintln!("error: --out DIR is required\n\n{USAGE}");
            return ExitCode::from(2);
        }
        (Ok(()), Some(_)) => {}
    }
    let started = Instant::now();
    let corpus = generate(options);
    let generated = started.elapsed();
    let report = |what: &str, dir: &str, result: io::Result<Written>| -> bool {
        match result {
            Ok(w) => {
                println!(
                    "wrote {what} {dir}: {} briefs, {} deals, {} companies, {} files, {:.1} MB of Markdown, {:.1} MB in all",
                    w.briefs,
                    w.deals,
                    w.companies,
                    w.files,
                    w.markdown_bytes as f64 / 1e6,
                    w.bytes as f64 / 1e6
                );
                true
            }
            Err(error) => {
                eprintln!("error: cannot write {dir}: {error}");
                false
            }
        }
    };
    let Some(out) = out else {
        return ExitCode::from(2);
    };
    if !report("infrabrief site", &out, corpus.write_site(Path::new(&out), minimal)) {
        return ExitCode::from(2);
    }
    if let Some(hugo) = hugo
        && !report("Hugo site", &hugo, corpus.write_hugo(Path::new(&hugo)))
    {
        return ExitCode::from(2);
    }
    if let Some(plain) = plain
        && !report("infrabrief site with the Hugo site's Markdown", &plain, corpus.write_plain_site(Path::new(&plain)))
    {
        return ExitCode::from(2);
    }
    println!(
        "seed {:#x}; generated in {} ms, written in {} ms",
        options.seed,
        generated.as_millis(),
        (started.elapsed() - generated).as_millis()
    );
    ExitCode::SUCCESS
}
