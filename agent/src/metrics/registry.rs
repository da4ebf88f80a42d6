//! The two kinds of live series the agent counts as things happen — counters and histograms, each
//! a family keyed by its label values — and the Prometheus text format (0.0.4) they render to.
//! Hand-written rather than a client crate: a dozen families, no exemplars or OpenMetrics needed,
//! and every line of the output is visible here.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// A counter family: `name{labels} value`, created on first increment.
pub struct CounterFamily {
    name: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
    values: Mutex<BTreeMap<Vec<String>, u64>>,
}

impl CounterFamily {
    pub const fn new(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Self {
        CounterFamily { name, help, labels, values: Mutex::new(BTreeMap::new()) }
    }

    pub fn inc(&self, label_values: &[&str]) {
        let key = label_values.iter().map(|v| v.to_string()).collect();
        *self.values.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_insert(0) += 1;
    }

    #[cfg(test)]
    pub fn get(&self, label_values: &[&str]) -> u64 {
        let key: Vec<String> = label_values.iter().map(|v| v.to_string()).collect();
        self.values.lock().unwrap_or_else(|p| p.into_inner()).get(&key).copied().unwrap_or(0)
    }

    pub fn render(&self, out: &mut String) {
        header(out, self.name, self.help, "counter");
        for (values, count) in self.values.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(out, "{}{} {count}", self.name, labels(self.labels, values, None));
        }
    }
}

/// A histogram family with fixed upper bounds (seconds).
pub struct HistogramFamily {
    name: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
    bounds: &'static [f64],
    values: Mutex<BTreeMap<Vec<String>, Histogram>>,
}

#[derive(Clone, Debug, Default)]
struct Histogram {
    /// Per bucket, not cumulative; one more than `bounds` for +Inf.
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl HistogramFamily {
    pub const fn new(name: &'static str, help: &'static str, labels: &'static [&'static str], bounds: &'static [f64]) -> Self {
        HistogramFamily { name, help, labels, bounds, values: Mutex::new(BTreeMap::new()) }
    }

    pub fn observe(&self, label_values: &[&str], seconds: f64) {
        let seconds = if seconds.is_finite() { seconds.max(0.0) } else { 0.0 };
        let key = label_values.iter().map(|v| v.to_string()).collect();
        let mut values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        let histogram = values.entry(key).or_insert_with(|| Histogram { buckets: vec![0; self.bounds.len() + 1], ..Default::default() });
        let slot = self.bounds.iter().position(|bound| seconds <= *bound).unwrap_or(self.bounds.len());
        histogram.buckets[slot] += 1;
        histogram.sum += seconds;
        histogram.count += 1;
    }

    pub fn render(&self, out: &mut String) {
        header(out, self.name, self.help, "histogram");
        for (values, histogram) in self.values.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let mut cumulative = 0;
            for (index, count) in histogram.buckets.iter().enumerate() {
                cumulative += count;
                let le = self.bounds.get(index).map(|b| number(*b)).unwrap_or_else(|| "+Inf".into());
                let _ = writeln!(out, "{}_bucket{} {cumulative}", self.name, labels(self.labels, values, Some(&le)));
            }
            let plain = labels(self.labels, values, None);
            let _ = writeln!(out, "{}_sum{plain} {}", self.name, number(histogram.sum));
            let _ = writeln!(out, "{}_count{plain} {}", self.name, histogram.count);
        }
    }
}

pub fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {}", help.replace('\\', "\\\\").replace('\n', "\\n"));
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// One sample line of a gauge.
pub fn gauge_line(out: &mut String, name: &str, names: &[&str], values: &[String], value: f64) {
    let _ = writeln!(out, "{name}{} {}", labels(names, values, None), number(value));
}

/// `{a="x",b="y"}` (empty when there are no labels), with `le` last for buckets.
fn labels(names: &[&str], values: &[String], le: Option<&str>) -> String {
    let mut pairs: Vec<String> = names.iter().zip(values).map(|(n, v)| format!("{n}=\"{}\"", escape(v))).collect();
    if let Some(le) = le {
        pairs.push(format!("le=\"{le}\""));
    }
    if pairs.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", pairs.join(","))
    }
}

/// Label values escape backslash, double quote and line feed (text format 0.0.4).
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Go-style float text: integers without a fraction, `+Inf`/`-Inf`/`NaN` spelled as Prometheus does.
pub fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else if value == value.trunc() && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_end_at_inf() {
        static H: HistogramFamily = HistogramFamily::new("t_seconds", "test", &["system"], &[0.1, 1.0]);
        H.observe(&["nav"], 0.05);
        H.observe(&["nav"], 0.5);
        H.observe(&["nav"], 7.0);
        let mut out = String::new();
        H.render(&mut out);
        assert!(out.contains("t_seconds_bucket{system=\"nav\",le=\"0.1\"} 1\n"), "{out}");
        assert!(out.contains("t_seconds_bucket{system=\"nav\",le=\"1\"} 2\n"), "{out}");
        assert!(out.contains("t_seconds_bucket{system=\"nav\",le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("t_seconds_sum{system=\"nav\"} 7.55\n"), "{out}");
        assert!(out.contains("t_seconds_count{system=\"nav\"} 3\n"), "{out}");
    }

    #[test]
    fn label_values_are_escaped() {
        static C: CounterFamily = CounterFamily::new("t_total", "test", &["kind"]);
        C.inc(&["a\"b\\c\nd"]);
        let mut out = String::new();
        C.render(&mut out);
        assert!(out.contains("t_total{kind=\"a\\\"b\\\\c\\nd\"} 1\n"), "{out}");
    }
}
