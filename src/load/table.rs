//! Typed reading of one parsed TOML table, with spans and without giving up at the first problem.
//!
//! `toml`'s serde path stops at the first error; our users want every problem of a file at once.
//! So the loader parses files into `toml::de::DeTable` (which keeps the span of every key and
//! value) and reads each table through a [`TableReader`]: every lookup names the key it asks
//! for, wrong types and missing required keys become diagnostics, and [`TableReader::finish`]
//! reports the keys nobody asked for as unknown, with a "did you mean" hint.
//! Only types are checked here; meaning (valid ids, dates, references) is the model's job.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Diagnostics, suggest};

/// A value with the byte span it came from, in file coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Self { value, span }
    }
}

/// A table of a TOML file (or of a front-matter block), its keys still to be read.
pub struct TableReader<'t, 'i, 'd> {
    file: &'t str,
    /// Added to every span: the position of the TOML text inside the file (front matter).
    offset: usize,
    table: &'t DeTable<'i>,
    /// Where "missing key" problems point: the `[[deal]]` header, or the table's first line.
    header: Range<usize>,
    asked: Vec<&'static str>,
    diagnostics: &'d mut Diagnostics,
}

impl<'t, 'i, 'd> TableReader<'t, 'i, 'd> {
    pub fn new(
        file: &'t str,
        offset: usize,
        table: &'t DeTable<'i>,
        header: Range<usize>,
        diagnostics: &'d mut Diagnostics,
    ) -> Self {
        let header = header.start + offset..header.end + offset;
        Self { file, offset, table, header, asked: Vec::new(), diagnostics }
    }

    /// The span problems about the whole table point at, in file coordinates.
    pub fn header(&self) -> Range<usize> {
        self.header.clone()
    }

    pub fn file(&self) -> &'t str {
        self.file
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn diagnostics(&mut self) -> &mut Diagnostics {
        self.diagnostics
    }

    /// The raw value under `key`, marking the key as known.
    pub fn value(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.asked.push(key);
        self.table.get(key)
    }

    pub fn span(&self, value: &Spanned<DeValue<'_>>) -> Range<usize> {
        value.span().start + self.offset..value.span().end + self.offset
    }

    /// `hint` shows how the value is written, as in `write it as \`search = false\``.
    fn wrong_type(&mut self, key: &str, expected: &str, hint: String, value: &Spanned<DeValue<'_>>) {
        let span = self.span(value);
        let found = value.get_ref().type_str();
        self.diagnostics.push(
            Diagnostic::error(self.file, Some(span), format!("`{key}` must be {expected}, found {}", article(found)))
                .with_help(hint),
        );
    }

    fn missing(&mut self, key: &str, example: &str) {
        self.diagnostics.push(
            Diagnostic::error(self.file, Some(self.header.clone()), format!("missing required key `{key}`"))
                .with_help(format!("add `{key} = {example}`")),
        );
    }

    pub fn string(&mut self, key: &'static str) -> Option<Sp<String>> {
        let value = self.value(key)?;
        match value.get_ref() {
            DeValue::String(text) => Some(Sp::new(text.to_string(), self.span(value))),
            _ => {
                self.wrong_type(key, "a string", format!("put the text in double quotes: `{key} = \"...\"`"), value);
                None
            }
        }
    }

    pub fn required_string(&mut self, key: &'static str) -> Option<Sp<String>> {
        if self.table.get(key).is_none() {
            self.asked.push(key);
            self.missing(key, "\"...\"");
            return None;
        }
        self.string(key)
    }

    /// A number: TOML integers and floats both count. `nan` and `inf` are refused here.
    pub fn number(&mut self, key: &'static str) -> Option<Sp<f64>> {
        let value = self.value(key)?;
        let span = self.span(value);
        let number = match value.get_ref() {
            DeValue::Integer(int) => {
                i64::from_str_radix(&int.as_str().replace('_', ""), int.radix()).ok().map(|n| n as f64)
            }
            DeValue::Float(float) => float.as_str().replace('_', "").parse::<f64>().ok(),
            _ => {
                self.wrong_type(
                    key,
                    "a number",
                    format!("write the number without quotes or units, as in `{key} = 4.5`"),
                    value,
                );
                return None;
            }
        };
        match number {
            Some(n) if n.is_finite() => Some(Sp::new(n, span)),
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(self.file, Some(span), format!("`{key}` must be a finite number"))
                        .with_help("write an ordinary number such as `38` or `4.5`"),
                );
                None
            }
        }
    }

    pub fn integer(&mut self, key: &'static str) -> Option<Sp<i64>> {
        let value = self.value(key)?;
        let span = self.span(value);
        match value.get_ref() {
            DeValue::Integer(int) => match i64::from_str_radix(&int.as_str().replace('_', ""), int.radix()) {
                Ok(n) => Some(Sp::new(n, span)),
                Err(_) => {
                    self.diagnostics.push(
                        Diagnostic::error(self.file, Some(span), format!("`{key}` is out of range"))
                            .with_help("the number is too large to be read: check the figure and its units"),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(
                    key,
                    "a whole number",
                    format!("write a whole number without quotes, as in `{key} = 2`"),
                    value,
                );
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &'static str) -> Option<Sp<bool>> {
        let value = self.value(key)?;
        match value.get_ref() {
            DeValue::Boolean(flag) => Some(Sp::new(*flag, self.span(value))),
            _ => {
                self.wrong_type(
                    key,
                    "`true` or `false`",
                    format!("write `{key} = true` or `{key} = false`, without quotes"),
                    value,
                );
                None
            }
        }
    }

    /// A date, as text: a TOML local date becomes `YYYY-MM-DD`; a string is passed on as it is
    /// (`"2025-05"` for month precision). The model parses and checks it.
    pub fn date(&mut self, key: &'static str) -> Option<Sp<String>> {
        let value = self.value(key)?;
        let span = self.span(value);
        match value.get_ref() {
            DeValue::String(text) => Some(Sp::new(text.to_string(), span)),
            DeValue::Datetime(datetime) => match (datetime.date, datetime.time) {
                (Some(date), None) => {
                    Some(Sp::new(format!("{:04}-{:02}-{:02}", date.year, date.month, date.day), span))
                }
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(self.file, Some(span), format!("`{key}` must be a date without a time"))
                            .with_help("write `2025-11-03`, or `\"2025-11\"` when only the month is known"),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(
                    key,
                    "a date",
                    format!("write `{key} = 2025-11-03`, or `{key} = \"2025-11\"` when only the month is known"),
                    value,
                );
                None
            }
        }
    }

    pub fn required_date(&mut self, key: &'static str) -> Option<Sp<String>> {
        if self.table.get(key).is_none() {
            self.asked.push(key);
            self.missing(key, "2025-11-03");
            return None;
        }
        self.date(key)
    }

    /// A list of strings; a missing key is an empty list.
    pub fn string_list(&mut self, key: &'static str) -> Vec<Sp<String>> {
        let Some(value) = self.value(key) else {
            return Vec::new();
        };
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(key, "a list of strings", list_hint(key), value);
            return Vec::new();
        };
        let mut strings = Vec::new();
        for element in array.iter() {
            match element.get_ref() {
                DeValue::String(text) => strings.push(Sp::new(text.to_string(), self.span(element))),
                _ => self.wrong_type(key, "a list of strings", list_hint(key), element),
            }
        }
        strings
    }

    /// The tables of an array of tables (`[[deal.source]]`), each with the span of its header.
    /// `header` is how the file names them (`deal.source`), for the hint of a wrong shape.
    pub fn tables(&mut self, key: &'static str, header: &str) -> Vec<(&'t DeTable<'i>, Range<usize>)> {
        let Some(value) = self.value(key) else {
            return Vec::new();
        };
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(key, "a list of tables", tables_hint(header), value);
            return Vec::new();
        };
        let mut tables = Vec::new();
        for element in array.iter() {
            match element.get_ref() {
                DeValue::Table(table) => tables.push((table, element.span())),
                _ => self.wrong_type(key, "a list of tables", tables_hint(header), element),
            }
        }
        tables
    }

    /// Reports every key of the table that no lookup asked for.
    pub fn finish(self) {
        let mut unknown: Vec<(Range<usize>, &str)> = self
            .table
            .iter()
            .filter(|(key, _)| !self.asked.contains(&&**key.get_ref()))
            .map(|(key, _)| (key.span().start + self.offset..key.span().end + self.offset, &**key.get_ref()))
            .collect();
        unknown.sort_by_key(|(span, key)| (span.start, span.end, key.to_string()));
        for (span, key) in unknown {
            let mut diagnostic = Diagnostic::error(self.file, Some(span), format!("unknown key `{key}`"));
            diagnostic = match suggest(key, self.asked.iter().copied()) {
                Some(known) => diagnostic.with_help(format!("did you mean `{known}`?")),
                None => diagnostic.with_help(format!("known keys here: {}", known_list(&self.asked))),
            };
            self.diagnostics.push(diagnostic);
        }
    }
}

/// How a list of strings is written.
fn list_hint(key: &str) -> String {
    format!("write the strings in brackets, each in double quotes: `{key} = [\"...\", \"...\"]`")
}

/// How a list of tables is written (`[[deal]]`, `[[company]]`, a series' `[[line]]`).
fn tables_hint(header: &str) -> String {
    format!("write each entry as a `[[{header}]]` table: the header on a line of its own, its keys on the lines below")
}

fn known_list(asked: &[&str]) -> String {
    let mut keys: Vec<&str> = asked.to_vec();
    keys.sort_unstable();
    keys.dedup();
    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}
