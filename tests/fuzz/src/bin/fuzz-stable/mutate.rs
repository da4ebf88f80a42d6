//! The mutations of the stable driver: byte-level changes (libFuzzer's basic set), dictionary
//! tokens, numbers that break parsers, splicing with another input, and repeating a slice (deep
//! nesting, long runs). Every choice comes from one seeded generator, so a run is reproducible.

/// SplitMix64: small, fast, and the same sequence on every platform for a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Bytes that end or open structure in the formats we fuzz (JSON, TOML, OData, query strings).
const STRUCTURAL: &[u8] = b"\"\\\n\r\t {}[](),:;=&%+-.#'$/0123456789eE\x00\x7f\x80\xff";

/// Texts that break number handling: limits of the integer types, float edge cases, signs.
const NUMBERS: &[&str] = &[
    "0", "-0", "1", "-1", "2147483647", "-2147483648", "4294967296", "9223372036854775807", "-9223372036854775808",
    "9223372036854775808", "18446744073709551616", "1e308", "1e309", "-1e309", "1e-400", "0.1", "0.0000001",
    "99999999999999999999.99999", "NaN", "inf", "1.", ".5", "00", "0x10", "1_000", "2147483648",
];

pub struct Mutator<'a> {
    pub rng: Rng,
    pub dictionary: &'a [Vec<u8>],
    pub max_len: usize,
}

impl Mutator<'_> {
    /// One to eight stacked mutations of `input`; `other` is a second input to splice from.
    pub fn mutate(&mut self, input: &mut Vec<u8>, other: &[u8]) {
        let rounds = 1 + self.rng.below(8);
        for _ in 0..rounds {
            self.once(input, other);
        }
        input.truncate(self.max_len);
    }

    fn once(&mut self, input: &mut Vec<u8>, other: &[u8]) {
        let len = input.len();
        match self.rng.below(14) {
            0 if len > 0 => {
                let at = self.rng.below(len);
                input[at] ^= 1 << self.rng.below(8);
            }
            1 if len > 0 => {
                let at = self.rng.below(len);
                input[at] = self.rng.byte();
            }
            2 if len > 0 => {
                let at = self.rng.below(len);
                input[at] = STRUCTURAL[self.rng.below(STRUCTURAL.len())];
            }
            3 => {
                let at = self.rng.below(len + 1);
                let count = 1 + self.rng.below(4);
                let bytes: Vec<u8> = (0..count).map(|_| if self.rng.below(2) == 0 { self.rng.byte() } else { STRUCTURAL[self.rng.below(STRUCTURAL.len())] }).collect();
                input.splice(at..at, bytes);
            }
            4 if len > 0 => {
                let at = self.rng.below(len);
                let count = 1 + self.rng.below((len - at).min(16));
                input.drain(at..at + count);
            }
            5 if len > 0 => {
                let (from, count) = self.range(len);
                let slice = input[from..from + count].to_vec();
                let at = self.rng.below(len + 1);
                input.splice(at..at, slice);
            }
            6 | 7 if !self.dictionary.is_empty() => {
                let token = self.dictionary[self.rng.below(self.dictionary.len())].clone();
                self.put(input, &token);
            }
            8 if !other.is_empty() => {
                let keep = self.rng.below(len + 1);
                let from = self.rng.below(other.len());
                input.truncate(keep);
                input.extend_from_slice(&other[from..]);
            }
            9 => {
                let number = NUMBERS[self.rng.below(NUMBERS.len())].as_bytes().to_vec();
                self.put(input, &number);
            }
            10 => self.change_number(input),
            11 if len > 1 => input.truncate(self.rng.below(len)),
            12 if len > 1 => {
                let (a, b) = (self.rng.below(len), self.rng.below(len));
                input.swap(a, b);
            }
            13 if len > 0 => {
                // Repeating a slice reaches nesting limits (`[[[[`, `((((`) and long fields.
                let (from, count) = self.range(len);
                let most = if self.rng.below(8) == 0 { 512 } else { 16 };
                let times = 1 + self.rng.below(most);
                let slice = input[from..from + count].repeat(times);
                let room = self.max_len.saturating_sub(len);
                input.splice(from..from, slice.into_iter().take(room));
            }
            _ => {
                let at = self.rng.below(len + 1);
                input.insert(at, self.rng.byte());
            }
        }
    }

    /// A slice of up to 32 bytes within `len`.
    fn range(&mut self, len: usize) -> (usize, usize) {
        let from = self.rng.below(len);
        (from, 1 + self.rng.below((len - from).min(32)))
    }

    /// Inserts `token` or overwrites with it, at a random place.
    fn put(&mut self, input: &mut Vec<u8>, token: &[u8]) {
        let at = self.rng.below(input.len() + 1);
        if self.rng.below(2) == 0 {
            input.splice(at..at, token.iter().copied());
        } else {
            let end = (at + token.len()).min(input.len());
            input.splice(at..end, token.iter().copied());
        }
    }

    /// Replaces a run of ASCII digits by a neighbour or an edge value.
    fn change_number(&mut self, input: &mut Vec<u8>) {
        let starts: Vec<usize> = (0..input.len()).filter(|&i| input[i].is_ascii_digit() && (i == 0 || !input[i - 1].is_ascii_digit())).collect();
        if starts.is_empty() {
            return;
        }
        let start = starts[self.rng.below(starts.len())];
        let end = (start..input.len()).find(|&i| !input[i].is_ascii_digit()).unwrap_or(input.len());
        let value: u128 = std::str::from_utf8(&input[start..end]).ok().and_then(|t| t.parse().ok()).unwrap_or(0);
        let replacement = match self.rng.below(4) {
            0 => value.wrapping_add(1).to_string(),
            1 => value.saturating_sub(1).to_string(),
            2 => value.wrapping_mul(10).wrapping_add(self.rng.below(10) as u128).to_string(),
            _ => NUMBERS[self.rng.below(NUMBERS.len())].to_string(),
        };
        input.splice(start..end, replacement.into_bytes());
    }
}

/// Tokens of a libFuzzer dictionary file: `name="value"` or `"value"` per line, with `\\`, `\"`
/// and `\xNN` escapes; `#` starts a comment.
pub fn parse_dictionary(text: &str) -> Vec<Vec<u8>> {
    let mut tokens = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(open) = line.find('"') else { continue };
        let Some(quoted) = line[open + 1..].strip_suffix('"') else { continue };
        let mut token = Vec::new();
        let mut bytes = quoted.bytes();
        while let Some(byte) = bytes.next() {
            if byte != b'\\' {
                token.push(byte);
                continue;
            }
            match bytes.next() {
                Some(b'x') => {
                    let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                    if let Some(value) = std::str::from_utf8(&hex).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        token.push(value);
                    }
                }
                Some(other) => token.push(other),
                None => {}
            }
        }
        if !token.is_empty() {
            tokens.push(token);
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_dictionaries() {
        let tokens = parse_dictionary("# comment\nkw1=\"eq\"\n\"\\x00\\\"a\\\\\"\n\nbad line\n");
        assert_eq!(tokens, vec![b"eq".to_vec(), b"\x00\"a\\".to_vec()]);
    }

    #[test]
    fn same_seed_same_mutations() {
        let mutate = |seed| {
            let mut mutator = Mutator { rng: Rng::new(seed), dictionary: &[], max_len: 4096 };
            let mut input = b"{\"id\": 12, \"status\": \"processing\"}".to_vec();
            for _ in 0..100 {
                mutator.mutate(&mut input, b"other");
            }
            input
        };
        assert_eq!(mutate(7), mutate(7));
        assert_ne!(mutate(7), mutate(8));
    }

    #[test]
    fn never_grows_past_the_limit() {
        let mut mutator = Mutator { rng: Rng::new(1), dictionary: &[b"((((((((".to_vec()], max_len: 64 };
        let mut input = b"a".to_vec();
        for _ in 0..10_000 {
            mutator.mutate(&mut input, b"0123456789");
            assert!(input.len() <= 64);
        }
    }
}
