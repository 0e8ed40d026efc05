//! `infrabrief new brief "Title"`: writes `content/briefs/<slug>.md` with valid front matter and
//! today's date, marked as a draft; never overwrites a file.

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{SUCCESS, USAGE_OR_IO, exit};
use crate::cli::{NewArgs, NewCommand};
use crate::model::{Date, slugify};

pub fn run(args: &NewArgs) -> ExitCode {
    let NewCommand::Brief { title, root } = &args.what;
    let title = title.trim();
    let slug = slugify(title);
    if slug.is_empty() {
        eprintln!("error: the title has no letters or digits to make a file name from");
        return exit(USAGE_OR_IO);
    }
    if !root.join("content").is_dir() {
        eprintln!("error: {} has no content/ folder: is this a site folder? (pass it with --root DIR)", root.display());
        return exit(USAGE_OR_IO);
    }
    let folder = root.join("content/briefs");
    if let Err(error) = std::fs::create_dir_all(&folder) {
        eprintln!("error: cannot create {}: {error}", folder.display());
        return exit(USAGE_OR_IO);
    }
    let relative = format!("content/briefs/{slug}.md");
    let path = root.join(&relative);
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!("error: {relative} already exists; nothing was written (choose another title or edit that file)");
            return exit(USAGE_OR_IO);
        }
        Err(error) => {
            eprintln!("error: cannot create {}: {error}", path.display());
            return exit(USAGE_OR_IO);
        }
    };
    if let Err(error) = file.write_all(brief_template(title, today()).as_bytes()) {
        eprintln!("error: cannot write {}: {error}", path.display());
        return exit(USAGE_OR_IO);
    }
    println!("{relative}");
    exit(SUCCESS)
}

/// Today in UTC, from the system clock: the only place the clock is read.
fn today() -> Date {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Date::from_days_since_epoch((seconds / 86_400) as i64)
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn brief_template(title: &str, date: Date) -> String {
    format!(
        "+++\ntitle = {}\ndate = {}\nsummary = \"One or two sentences on what this brief explains, shown in lists, feeds and search.\"\ntags = []\ncompanies = []\ndeals = []\ndraft = true\n+++\n\nStart writing here. Take figures from the registry rather than typing them: see README, \"Shortcodes\".\n\nRemove `draft = true` when the brief is ready to publish.\n",
        toml_string(title),
        date.iso()
    )
}
