//! Turning fuzzer bytes into what a target needs (text, fields), and what a run observed into an
//! [`Outcome`] number the stable driver uses to keep inputs that did something new.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

/// A small fingerprint of what one run observed (which error, which kind of success). libFuzzer
/// ignores it (it has real coverage); the stable driver keeps inputs that produce a new one.
pub type Outcome = u64;

/// The input as text. Invalid UTF-8 is replaced rather than skipped, so every input reaches the
/// parser (the callers under test all take `&str`).
pub fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Splits the input into `N` newline-separated fields; the last one takes the rest (newlines
/// included), missing ones are empty.
pub fn fields<const N: usize>(data: &[u8]) -> [String; N] {
    let text = text(data);
    let mut parts = text.splitn(N, '\n');
    std::array::from_fn(|_| parts.next().unwrap_or("").to_string())
}

/// An outcome from a message: its shape, not the input it quotes — messages name the input
/// ("unknown field `x`", "unknown SKU WEB-LAMP", "column 17", a TOML error's excerpt of the
/// line), and an outcome per input would make every input look new. So: the message up to its
/// first quote and its first line break, split into its `context: cause` parts (three at most),
/// and of each part the first four plain lower-case words.
pub fn outcome(message: &str) -> Outcome {
    let unquoted = message.split(['`', '"', '\'']).next().unwrap_or("");
    let first_line = unquoted.lines().next().unwrap_or("");
    let words: Vec<Vec<&str>> = first_line
        .split(':')
        .take(3)
        .map(|part| {
            part.split_whitespace()
                .map(|w| w.trim_matches(|c: char| c.is_ascii_punctuation()))
                .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
                .take(4)
                .collect()
        })
        .collect();
    hash(&words)
}

/// Outcomes of several steps of one run, as one.
pub fn combine(parts: &[Outcome]) -> Outcome {
    hash(&parts)
}

pub fn hash<T: Hash + ?Sized>(value: &T) -> Outcome {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_on_newlines_and_pad() {
        assert_eq!(fields::<3>(b"a\nb\nc\nd"), ["a".to_string(), "b".into(), "c\nd".into()]);
        assert_eq!(fields::<3>(b"a"), ["a".to_string(), String::new(), String::new()]);
    }

    #[test]
    fn outcomes_ignore_numbers_and_quoted_input() {
        assert_eq!(outcome("expected value at line 1 column 17"), outcome("expected value at line 1 column 18"));
        assert_eq!(outcome("unknown variant `ordr.created`, expected one of"), outcome("unknown variant `x`, expected one of"));
        assert_eq!(outcome("unknown field `m`nd`x`, expected one of"), outcome("unknown field `a`, expected one of"));
        assert_eq!(outcome("unknown SKU WEB-LAMP (line 1: Lamp): no item"), outcome("unknown SKU LAMP-2 (line 3: Mug): no item"));
        assert_eq!(
            outcome("TOML parse error at line 1, column 5\n  |\n1 | a b: c d\n  |     ^\ninvalid key\n"),
            outcome("TOML parse error at line 2, column 9\n  |\n2 | x: y z w\n  |     ^\ninvalid key\n")
        );
        assert_ne!(outcome("expected value"), outcome("trailing characters"));
    }
}
