//! Target `envelope`: the AES-256-GCM envelope decoder and the key file parser of
//! `ml-connector-formats`, which read what the web server wrote (settings, the audit vault, the key
//! file an operator edited). The input is three newline-separated fields: a purpose, a plaintext,
//! and a text that is decrypted as an envelope and parsed as a key file.
//!
//! Properties: no input panics; whatever is encrypted decrypts to the same bytes for its purpose
//! only; any single-byte change of an envelope that changes what it says (every byte but the case
//! of the key id's hex letters) is refused; a key file that parses gives a keyring that works.

use ml_connector_formats::envelope::is_envelope;
use ml_connector_formats::{EnvelopeError, Keyring};

use crate::config_site::keyring;
use crate::input::{combine, fields, hash, outcome, Outcome};

pub fn run(data: &[u8]) -> Outcome {
    let [purpose, plaintext, text] = fields::<3>(data);
    let ring = keyring();
    let decrypted = match ring.decrypt(&purpose, &text) {
        Ok(bytes) => {
            // Only a real envelope of our key decrypts; the fuzzer cannot forge a GCM tag, so
            // this only happens for seeds that carry one (the committed test vector).
            assert!(is_envelope(text.trim()), "{text:?} decrypted without looking like an envelope");
            hash(&bytes.len())
        }
        // By kind: the messages quote key ids and line numbers from the input.
        Err(error) => hash(&std::mem::discriminant(&error)),
    };
    let key_file = match Keyring::parse(&text, "fuzz") {
        Ok(parsed) => {
            // A key file that parses must give a keyring that encrypts and decrypts.
            let sealed = parsed.encrypt("fuzz", b"probe");
            assert_eq!(parsed.decrypt("fuzz", &sealed).ok().as_deref(), Some(&b"probe"[..]), "key file {text:?} gives a broken keyring");
            assert!(sealed.contains(parsed.active_key_id()));
            hash(&parsed.key_ids().len())
        }
        Err(error) => match error {
            EnvelopeError::KeyFileFormat { reason, .. } => outcome(&reason),
            other => hash(&std::mem::discriminant(&other)),
        },
    };
    round_trip(ring, &purpose, plaintext.as_bytes(), data);
    combine(&[decrypted, key_file])
}

/// Encrypts, decrypts, and tries single-byte changes at positions (and with bytes) the input
/// chooses, so every part of the envelope gets changed over a run.
fn round_trip(ring: &Keyring, purpose: &str, plaintext: &[u8], data: &[u8]) {
    let envelope = ring.encrypt(purpose, plaintext);
    assert_eq!(ring.decrypt(purpose, &envelope).ok().as_deref(), Some(plaintext), "{envelope} does not decrypt");
    let other_purpose = format!("{purpose}x");
    assert!(
        matches!(ring.decrypt(&other_purpose, &envelope), Err(EnvelopeError::Undecryptable)),
        "an envelope for {purpose:?} decrypts for {other_purpose:?}"
    );
    let id_start = envelope.find(':').map_or(0, |first| first + 1);
    let key_id = id_start..id_start + ring.active_key_id().len();
    let choices = data.iter().rev().take(16).copied().collect::<Vec<u8>>();
    for pair in choices.chunks(2) {
        let at = usize::from(pair[0]) * envelope.len() / 256;
        let with = pair.get(1).copied().unwrap_or(b'A') & 0x7f;
        let mut changed = envelope.clone().into_bytes();
        if changed[at] == with {
            continue;
        }
        changed[at] = with;
        let Ok(changed) = String::from_utf8(changed) else { continue };
        // The key id is looked up case-insensitively: `0A1B…` names the same key (the `mlc1`
        // prefix is not: `MLC1:` is no envelope).
        let same_key_id = key_id.contains(&at) && changed.eq_ignore_ascii_case(&envelope);
        // Whitespace around the envelope is trimmed (it arrives from forms and files): a space
        // in place of the last `=` leaves an unpadded text, which standard base64 refuses.
        match ring.decrypt(purpose, &changed) {
            Ok(bytes) => assert!(same_key_id && bytes == plaintext, "changed byte {at} of {envelope} to {with:#04x}: still decrypts"),
            Err(_) => assert!(!same_key_id, "changing the case of the key id in {envelope} breaks it"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed vector of `agent/formats/testdata/envelope-vectors.json` decrypts here, so the
    /// corpus seed that carries it reaches the success path.
    #[test]
    fn committed_vector_decrypts() {
        let envelope = include_str!("../corpus/envelope/vector").splitn(3, '\n').nth(2).unwrap_or_default();
        assert_eq!(keyring().decrypt("nav_client_secret", envelope).unwrap(), b"s3cr3t");
    }

    #[test]
    fn a_key_file_line_runs_the_keyring_checks() {
        run(b"p\nplain\nmlc-key 01234567 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    }
}
