//! Calendar values of the model: dates (to the day or to the month) and series periods.
//!
//! Plain validated values, no time zone and no clock: the content says which day a deal was
//! announced, and that is all the site needs. `today` for `infrabrief new` is computed by the
//! command from the system clock, never here.

use std::fmt;

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

/// A date known to the day, or only to the month (`day == None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: Option<u8>,
}

/// `value` in decimal with zeros in front up to `width` digits, as ASCII: the digits are the
/// buffer from the index returned. Shared by whatever writes numbers for every page (dates
/// here, footnote numbers and reading times in the renderer) without going through `format!`.
pub fn decimal_digits(value: u64, width: usize) -> ([u8; 20], usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    (digits, at.min(digits.len().saturating_sub(width)))
}

/// Appends `value` in decimal, with zeros in front up to `width` digits.
pub fn push_digits(out: &mut String, value: u64, width: usize) {
    let (digits, at) = decimal_digits(value, width);
    out.extend(digits[at..].iter().map(|&digit| char::from(digit)));
}

impl Date {
    /// Parses `YYYY-MM-DD` or `YYYY-MM`; `Err` says what is wrong in words fit for a diagnostic.
    pub fn parse(text: &str) -> Result<Date, String> {
        let parts: Vec<&str> = text.split('-').collect();
        let number = |part: &str, digits: usize, what: &str| -> Result<u32, String> {
            if part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse::<u32>().map_err(|_| format!("invalid {what}"))
            } else {
                Err(format!("`{text}` is not a date: expected YYYY-MM-DD or YYYY-MM"))
            }
        };
        if parts.len() < 2 || parts.len() > 3 {
            return Err(format!("`{text}` is not a date: expected YYYY-MM-DD or YYYY-MM"));
        }
        let year = number(parts[0], 4, "year")? as i32;
        let month = number(parts[1], 2, "month")? as u8;
        if !(1900..=2200).contains(&year) {
            return Err(format!("year {year} is outside 1900–2200"));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} does not exist"));
        }
        let day = match parts.get(2) {
            Some(part) => {
                let day = number(part, 2, "day")? as u8;
                let last = days_in_month(year, month);
                if day == 0 || day > last {
                    return Err(format!("{} {year} has no day {day}", MONTHS[usize::from(month) - 1]));
                }
                Some(day)
            }
            None => None,
        };
        Ok(Date { year, month, day })
    }

    /// `2025-11-03` or `2025-11`.
    pub fn iso(&self) -> String {
        // Every page lists dates: written digit by digit rather than through `format!`.
        let Ok(year) = u32::try_from(self.year) else {
            return match self.day {
                Some(day) => format!("{:04}-{:02}-{:02}", self.year, self.month, day),
                None => format!("{:04}-{:02}", self.year, self.month),
            };
        };
        let mut out = String::with_capacity(10);
        push_digits(&mut out, year.into(), 4);
        out.push('-');
        push_digits(&mut out, self.month.into(), 2);
        if let Some(day) = self.day {
            out.push('-');
            push_digits(&mut out, day.into(), 2);
        }
        out
    }

    /// `3 November 2025` or `November 2025`.
    pub fn long(&self) -> String {
        self.spelled(MONTHS[usize::from(self.month) - 1])
    }

    /// `3 Nov 2025` or `Nov 2025`, for tables.
    pub fn short(&self) -> String {
        self.spelled(&MONTHS[usize::from(self.month) - 1][..3])
    }

    /// `3 November 2025` or `November 2025`, with the month written as `month`.
    fn spelled(&self, month: &str) -> String {
        let mut out = String::with_capacity(month.len() + 10);
        if let Some(day) = self.day {
            push_digits(&mut out, day.into(), 1);
            out.push(' ');
        }
        out.push_str(month);
        out.push(' ');
        match u32::try_from(self.year) {
            Ok(year) => push_digits(&mut out, year.into(), 1),
            Err(_) => out.push_str(&self.year.to_string()),
        }
        out
    }

    /// RFC 3339 timestamp at midnight UTC (the first of the month when the day is unknown), for feeds.
    pub fn rfc3339(&self) -> String {
        format!("{:04}-{:02}-{:02}T00:00:00Z", self.year, self.month, self.day.unwrap_or(1))
    }

    /// Days since 1970-01-01 (of the first of the month when the day is unknown).
    pub fn days_since_epoch(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day.unwrap_or(1))
    }

    /// The position of the date in years, with the day as a fraction: for time axes. A date known
    /// only to the month sits in the middle of that month.
    pub fn fractional_year(&self) -> f64 {
        let start = days_from_civil(self.year, 1, 1);
        let length = days_from_civil(self.year + 1, 1, 1) - start;
        let day_offset = match self.day {
            Some(day) => days_from_civil(self.year, self.month, day) - start,
            None => {
                days_from_civil(self.year, self.month, 1) - start + i64::from(days_in_month(self.year, self.month)) / 2
            }
        };
        f64::from(self.year) + day_offset as f64 / length as f64
    }

    /// The civil date of a count of days since 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let (year, month, day) = civil_from_days(days);
        Date { year, month, day: Some(day) }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// A period of a time series: a year, or a quarter of a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub quarter: Option<u8>,
}

impl Period {
    /// Parses `2025` or `2025-Q3`.
    pub fn parse(text: &str) -> Result<Period, String> {
        let bad = || format!("`{text}` is not a period: expected a year (`2025`) or a quarter (`2025-Q3`)");
        let (year_text, quarter) = match text.split_once("-Q") {
            Some((year, quarter)) => {
                let quarter: u8 = match quarter {
                    "1" => 1,
                    "2" => 2,
                    "3" => 3,
                    "4" => 4,
                    _ => return Err(bad()),
                };
                (year, Some(quarter))
            }
            None => (text, None),
        };
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year_text.parse().map_err(|_| bad())?;
        if !(1900..=2200).contains(&year) {
            return Err(format!("year {year} is outside 1900–2200"));
        }
        Ok(Period { year, quarter })
    }

    /// `2025-Q3` or `2025`: the form used in files and CSV.
    pub fn key(&self) -> String {
        match self.quarter {
            Some(q) => format!("{}-Q{q}", self.year),
            None => self.year.to_string(),
        }
    }

    /// `Q3 2025` or `2025`: the form shown to readers.
    pub fn label(&self) -> String {
        match self.quarter {
            Some(q) => format!("Q{q} {}", self.year),
            None => self.year.to_string(),
        }
    }

    /// The middle of the period in fractional years, for time axes.
    pub fn midpoint(&self) -> f64 {
        match self.quarter {
            Some(q) => f64::from(self.year) + (f64::from(q) - 0.5) / 4.0,
            None => f64::from(self.year) + 0.5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_months() {
        assert_eq!(Date::parse("2025-11-03"), Ok(Date { year: 2025, month: 11, day: Some(3) }));
        assert_eq!(Date::parse("2025-05"), Ok(Date { year: 2025, month: 5, day: None }));
        assert_eq!(Date::parse("2024-02-29").map(|d| d.long()), Ok("29 February 2024".to_string()));
    }

    #[test]
    fn dates_are_written_as_format_writes_them() {
        const MONTHS_SHORT: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        for year in [-12, 0, 7, 99, 1900, 2025, 2200, 10_000, 123_456] {
            for month in 1..=12u8 {
                for day in [None, Some(1), Some(9), Some(10), Some(31)] {
                    let date = Date { year, month, day };
                    let (long, short) = (MONTHS[usize::from(month) - 1], MONTHS_SHORT[usize::from(month) - 1]);
                    let (iso, spelled_long, spelled_short) = match day {
                        Some(day) => (
                            format!("{year:04}-{month:02}-{day:02}"),
                            format!("{day} {long} {year}"),
                            format!("{day} {short} {year}"),
                        ),
                        None => (format!("{year:04}-{month:02}"), format!("{long} {year}"), format!("{short} {year}")),
                    };
                    assert_eq!(date.iso(), iso);
                    assert_eq!(date.long(), spelled_long);
                    assert_eq!(date.short(), spelled_short);
                }
            }
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(Date::parse("2025-02-29"), Err("February 2025 has no day 29".to_string()));
        assert_eq!(Date::parse("2025-13-01"), Err("month 13 does not exist".to_string()));
        assert!(Date::parse("2025-1-3").is_err());
        assert!(Date::parse("03/11/2025").is_err());
        assert!(Date::parse("").is_err());
    }

    #[test]
    fn epoch_days_round_trip() {
        for days in [-1, 0, 1, 19_000, 20_395, 60_000] {
            let date = Date::from_days_since_epoch(days);
            assert_eq!(date.days_since_epoch(), days);
        }
        assert_eq!(Date::parse("2025-11-03").map(|d| d.days_since_epoch()), Ok(20_395));
    }

    #[test]
    fn periods_parse_and_order() {
        let q3 = Period::parse("2025-Q3").expect("valid quarter");
        let q4 = Period::parse("2025-Q4").expect("valid quarter");
        assert!(q3 < q4);
        assert_eq!(q3.label(), "Q3 2025");
        assert!(Period::parse("2025-Q5").is_err());
        assert!(Period::parse("25").is_err());
    }
}
