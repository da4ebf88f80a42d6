//! Query strings and form bodies parsed the way PHP fills `$_GET`/`$_POST`: `+` is a space,
//! `a[b]=1` and `a[]=1` nest, `.` and ` ` in a name become `_`, a repeated name overwrites but
//! keeps its first position. The OAuth 1.0a verifier signs exactly these values, so a client that
//! signs what it *meant* rather than what PHP *sees* fails here as it would on a real store.

use percent_encoding::percent_decode;

#[derive(Clone, Debug, PartialEq)]
pub enum PhpValue {
    Str(String),
    /// Ordered (key, value) pairs of a PHP array.
    Arr(Vec<(String, PhpValue)>),
}

impl PhpValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PhpValue::Str(s) => Some(s),
            PhpValue::Arr(_) => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            PhpValue::Str(s) => serde_json::Value::String(s.clone()),
            PhpValue::Arr(items) => {
                // A PHP list (keys 0..n) becomes a JSON array, like WP REST sees it.
                let is_list = items.iter().enumerate().all(|(i, (k, _))| k == &i.to_string());
                if is_list {
                    serde_json::Value::Array(items.iter().map(|(_, v)| v.to_json()).collect())
                } else {
                    serde_json::Value::Object(items.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
                }
            }
        }
    }
}

/// `urldecode()`: `+` → space, then percent-decoding (invalid escapes are kept as written).
pub fn urldecode(text: &str) -> String {
    let plus = text.replace('+', " ");
    percent_decode(plus.as_bytes()).decode_utf8_lossy().into_owned()
}

/// Parses `a=1&b[x]=2` into ordered top-level pairs.
pub fn parse(query: &str) -> Vec<(String, PhpValue)> {
    let mut out: Vec<(String, PhpValue)> = Vec::new();
    for pair in query.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = urldecode(raw_key);
        let value = urldecode(raw_value);
        let Some((base, path)) = split_key(&key) else { continue };
        insert(&mut out, &base, &path, value);
    }
    out
}

/// Splits `a[b][]` into `a` and `["b", ""]`, with PHP's renaming of the base name.
fn split_key(key: &str) -> Option<(String, Vec<String>)> {
    let key = key.trim_start_matches(' ');
    if key.is_empty() {
        return None;
    }
    let (base, mut rest) = match key.find('[') {
        Some(at) if key[at..].contains(']') => (&key[..at], &key[at..]),
        _ => (key, ""),
    };
    if base.is_empty() {
        return None;
    }
    // PHP turns '.', ' ' and an unmatched '[' in the base name into '_'.
    let base: String = base.chars().map(|c| if c == '.' || c == ' ' || c == '[' { '_' } else { c }).collect();
    let mut path = Vec::new();
    while let Some(stripped) = rest.strip_prefix('[') {
        let Some(end) = stripped.find(']') else { break };
        path.push(stripped[..end].to_string());
        rest = &stripped[end + 1..];
    }
    Some((base, path))
}

fn insert(target: &mut Vec<(String, PhpValue)>, key: &str, path: &[String], value: String) {
    let key = if key.is_empty() {
        // PHP drops the element ("the next element is already occupied") after the largest key.
        let Some(next) = next_index(target) else { return };
        next
    } else {
        key.to_string()
    };
    let Some((first, rest)) = path.split_first() else {
        match target.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = PhpValue::Str(value),
            None => target.push((key, PhpValue::Str(value))),
        }
        return;
    };
    let position = match target.iter().position(|(k, _)| *k == key) {
        Some(at) => at,
        None => {
            target.push((key.clone(), PhpValue::Arr(Vec::new())));
            target.len() - 1
        }
    };
    if !matches!(target[position].1, PhpValue::Arr(_)) {
        target[position].1 = PhpValue::Arr(Vec::new());
    }
    if let PhpValue::Arr(inner) = &mut target[position].1 {
        insert(inner, first, rest, value);
    }
}

/// The key `[]` appends under: one past the largest integer key; `None` after `PHP_INT_MAX` (an
/// overflow here panicked the simulator, found by fuzzing).
fn next_index(items: &[(String, PhpValue)]) -> Option<String> {
    match items.iter().filter_map(|(k, _)| k.parse::<i64>().ok()).max() {
        Some(largest) => largest.checked_add(1).map(|next| next.to_string()),
        None => Some("0".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_php() {
        let parsed = parse("a=1&b.c=x+y&list[]=1&list[]=2&m[k]=v&a=3");
        assert_eq!(parsed[0], ("a".into(), PhpValue::Str("3".into())));
        assert_eq!(parsed[1], ("b_c".into(), PhpValue::Str("x y".into())));
        assert_eq!(
            parsed[2],
            ("list".into(), PhpValue::Arr(vec![("0".into(), PhpValue::Str("1".into())), ("1".into(), PhpValue::Str("2".into()))]))
        );
        assert_eq!(parsed[3], ("m".into(), PhpValue::Arr(vec![("k".into(), PhpValue::Str("v".into()))])));
    }

    #[test]
    fn appending_after_the_largest_integer_key_drops_the_element_like_php() {
        let parsed = parse("a[9223372036854775807]=1&a[]=2&b[]=3");
        assert_eq!(parsed[0], ("a".into(), PhpValue::Arr(vec![("9223372036854775807".into(), PhpValue::Str("1".into()))])));
        assert_eq!(parsed[1], ("b".into(), PhpValue::Arr(vec![("0".into(), PhpValue::Str("3".into()))])));
    }
}
