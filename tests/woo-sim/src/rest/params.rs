//! Request parameters as `WP_REST_Request` merges them (JSON body, then form body, then query)
//! and validated against the endpoint's schema the way WordPress does, with its messages
//! ("per_page must be between 1 (inclusive) and 100 (inclusive)", "x is not of type integer.").

use serde_json::{Map, Value};

use super::error::RestError;

/// The merged parameters of one request.
pub struct Params {
    pub merged: Map<String, Value>,
    problems: Vec<(String, String)>,
}

/// `wp_sprintf_l('%l', ...)`: "a", "a and b", "a, b, and c".
pub fn list_words(items: &[&str]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].to_string(),
        2 => format!("{} and {}", items[0], items[1]),
        n => format!("{}, and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// `rest_is_integer`: JSON integers, integral floats and numeric strings with an integral value.
pub fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)),
        Value::String(s) => {
            let t = s.trim();
            t.parse::<i64>().ok().or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
        }
        _ => None,
    }
}

/// `rest_is_boolean`.
pub fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `wp_parse_list`: an array, or a comma/space separated string.
pub fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Object(map) => map.values().cloned().collect(),
        Value::String(s) => s.split([',', ' ']).filter(|p| !p.is_empty()).map(|p| Value::String(p.to_string())).collect(),
        other => vec![other.clone()],
    }
}

impl Params {
    pub fn new(merged: Map<String, Value>) -> Self {
        Self { merged, problems: Vec::new() }
    }

    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.merged.get(name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.merged.contains_key(name)
    }

    pub fn problem(&mut self, name: &str, message: String) {
        self.problems.push((name.to_string(), message));
    }

    /// Integer in `min..=max`, or the default when absent.
    pub fn int(&mut self, name: &str, default: Option<i64>, min: Option<i64>, max: Option<i64>) -> Option<i64> {
        let Some(value) = self.merged.get(name).cloned() else { return default };
        let Some(n) = as_integer(&value) else {
            self.problem(name, format!("{name} is not of type integer."));
            return default;
        };
        match (min, max) {
            (Some(lo), Some(hi)) if n < lo || n > hi => {
                self.problem(name, format!("{name} must be between {lo} (inclusive) and {hi} (inclusive)"));
                default
            }
            (Some(lo), None) if n < lo => {
                self.problem(name, format!("{name} must be greater than or equal to {lo}"));
                default
            }
            _ => Some(n),
        }
    }

    pub fn boolean(&mut self, name: &str, default: bool) -> bool {
        let Some(value) = self.merged.get(name).cloned() else { return default };
        match as_bool(&value) {
            Some(b) => b,
            None => {
                self.problem(name, format!("{name} is not of type boolean."));
                default
            }
        }
    }

    pub fn string(&mut self, name: &str) -> Option<String> {
        match self.merged.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(if *b { "1".into() } else { String::new() }),
            Value::Null => None,
            _ => {
                self.problem(name, format!("{name} is not of type string."));
                None
            }
        }
    }

    pub fn one_of(&mut self, name: &str, allowed: &[&str], default: &str) -> String {
        match self.string(name) {
            Some(value) if allowed.contains(&value.as_str()) => value,
            Some(_) => {
                self.problem(name, format!("{name} is not one of {}.", list_words(allowed)));
                default.to_string()
            }
            None => default.to_string(),
        }
    }

    /// A list of enum values (`status=processing,on-hold` or `status[]=...`).
    pub fn list_of(&mut self, name: &str, allowed: &[&str]) -> Vec<String> {
        let Some(value) = self.merged.get(name).cloned() else { return Vec::new() };
        let mut out = Vec::new();
        for (i, item) in as_list(&value).iter().enumerate() {
            match item.as_str() {
                Some(s) if allowed.contains(&s) => out.push(s.to_string()),
                _ => self.problem(name, format!("{name}[{i}] is not one of {}.", list_words(allowed))),
            }
        }
        out
    }

    pub fn int_list(&mut self, name: &str) -> Vec<i64> {
        let Some(value) = self.merged.get(name).cloned() else { return Vec::new() };
        let mut out = Vec::new();
        for (i, item) in as_list(&value).iter().enumerate() {
            match as_integer(item) {
                Some(n) => out.push(n),
                None => self.problem(name, format!("{name}[{i}] is not of type integer.")),
            }
        }
        out
    }

    pub fn string_list(&mut self, name: &str) -> Vec<String> {
        match self.merged.get(name) {
            Some(value) => as_list(value).iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            None => Vec::new(),
        }
    }

    /// An RFC 3339 date parameter, as a site wall-clock value (see `clock::parse_query_date`).
    pub fn date(&mut self, name: &str, site_offset: i64) -> Option<i64> {
        let text = self.string(name)?;
        match crate::clock::parse_query_date(&text, site_offset) {
            Some(value) => Some(value),
            None => {
                self.problem(name, "Invalid date.".to_string());
                None
            }
        }
    }

    /// Fails with one `rest_invalid_param` naming every bad parameter.
    pub fn check(&mut self) -> Result<(), RestError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(RestError::invalid_params(&std::mem::take(&mut self.problems)))
        }
    }
}
