//! The `$filter` lexer: literals as OData writes them (quoted strings with `''`, numbers, dates,
//! date-times with offset, bare GUIDs, `Microsoft.NAV.<enum>'<member>'`), identifiers and
//! punctuation, each with its position for ODL-style error messages.

use chrono::{DateTime, FixedOffset, NaiveDate};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Str(String),
    /// Number as written (parsed against the property's type when bound).
    Num(String),
    Guid(Uuid),
    Date(NaiveDate),
    DateTime(DateTime<FixedOffset>),
    /// `Microsoft.NAV.salesOrderEntityBufferStatus'Open'`
    Enum(String, String),
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Lit(Lit),
    Open,
    Close,
    Comma,
    Slash,
    Colon,
}

pub(super) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn tokens(text: &'a str) -> ApiResult<Vec<(usize, Tok)>> {
        let mut lexer = Lexer { text, pos: 0 };
        let mut out = Vec::new();
        while let Some(token) = lexer.next_token()? {
            out.push(token);
        }
        Ok(out)
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn next_token(&mut self) -> ApiResult<Option<(usize, Tok)>> {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
        let start = self.pos;
        let Some(first) = trimmed.chars().next() else { return Ok(None) };
        let single = match first {
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            ',' => Some(Tok::Comma),
            '/' => Some(Tok::Slash),
            ':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(token) = single {
            self.pos += 1;
            return Ok(Some((start, token)));
        }
        if first == '\'' {
            let text = self.string_literal()?;
            return Ok(Some((start, Tok::Lit(Lit::Str(text)))));
        }
        if let Some((len, guid)) = guid_at(trimmed) {
            self.pos += len;
            return Ok(Some((start, Tok::Lit(Lit::Guid(guid)))));
        }
        if first.is_ascii_digit() || (first == '-' && trimmed[1..].starts_with(|c: char| c.is_ascii_digit())) {
            let (len, lit) = number_or_date_at(trimmed);
            self.pos += len;
            return Ok(Some((start, Tok::Lit(lit))));
        }
        if first.is_ascii_alphabetic() || first == '_' || first == '$' {
            let len = trimmed
                .char_indices()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '.' || *c == '$'))
                .map(|(i, _)| i)
                .unwrap_or(trimmed.len());
            let ident = trimmed[..len].to_string();
            self.pos += len;
            if self.rest().starts_with('\'') {
                let member = self.string_literal()?;
                return Ok(Some((start, Tok::Lit(typed_literal(&ident, member, start, self.text)?))));
            }
            let token = match ident.as_str() {
                "null" => Tok::Lit(Lit::Null),
                "true" => Tok::Lit(Lit::Bool(true)),
                "false" => Tok::Lit(Lit::Bool(false)),
                _ => Tok::Ident(ident),
            };
            return Ok(Some((start, token)));
        }
        Err(ApiError::syntax(format!(
            "Syntax error: character '{first}' is not valid at position {start} in '{}'.",
            self.text
        )))
    }

    /// A quoted string at the current position; `''` is an escaped quote.
    fn string_literal(&mut self) -> ApiResult<String> {
        let start = self.pos;
        let mut out = String::new();
        let mut chars = self.rest().char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if let Some((_, '\'')) = chars.peek() {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                self.pos += i + 1;
                return Ok(out);
            }
            out.push(c);
        }
        Err(ApiError::syntax(format!(
            "There is an unterminated string literal at position {start} in '{}'.",
            self.text
        )))
    }
}

/// `Microsoft.NAV.<enum>'<member>'`; other typed literals (`guid'…'`, `datetime'…'`) are OData v3.
fn typed_literal(prefix: &str, member: String, position: usize, text: &str) -> ApiResult<Lit> {
    if prefix.contains('.') {
        return Ok(Lit::Enum(prefix.to_string(), member));
    }
    Err(ApiError::syntax(format!("Syntax error at position {position} in '{text}'.")))
}

fn guid_at(text: &str) -> Option<(usize, Uuid)> {
    let candidate = text.get(..36)?;
    let shape_ok = candidate.char_indices().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => c == '-',
        _ => c.is_ascii_hexdigit(),
    });
    let ends = text[36..].chars().next().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
    if !shape_ok || !ends {
        return None;
    }
    Uuid::parse_str(candidate).ok().map(|g| (36, g))
}

/// A number, a date (`2024-01-31`) or a date-time with offset (`2024-01-31T10:00:00Z`).
fn number_or_date_at(text: &str) -> (usize, Lit) {
    let len = text
        .char_indices()
        .skip(1)
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | ':' | '.')))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let word = &text[..len];
    if let Ok(time) = DateTime::parse_from_rfc3339(word) {
        return (len, Lit::DateTime(time));
    }
    if let Ok(date) = NaiveDate::parse_from_str(word, "%Y-%m-%d") {
        if word.len() == 10 {
            return (len, Lit::Date(date));
        }
    }
    let number_len = number_prefix(text);
    (number_len, Lit::Num(text[..number_len].to_string()))
}

/// Length of `-?digits(.digits)?([eE][+-]?digits)?` at the start of `text`.
fn number_prefix(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    if bytes.first() == Some(&b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    digits(&mut i);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits(&mut i);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j) {
            i = j;
        }
    }
    i
}
