//! Target `webhook_signature`: the `X-WC-Webhook-Signature` of a WooCommerce webhook delivery,
//! signed as WooCommerce does (woo-sim's `webhooks::delivery::signature`) and verified by the
//! agent's webhook listener (`ingest::webhooks::signature_matches`); the body of a delivery then
//! goes where the listener sends it (`ingest::webhooks::event_of`). The input is two
//! newline-separated fields: the secret and the body (the rest).
//!
//! Properties: the signer gives a base64 SHA-256 MAC; the agent accepts what the signer produced
//! (for secrets without `&`, which WordPress stores entity-encoded and decodes before signing —
//! the agent makes alphanumeric secrets); any single-byte change of the body, of the signature or
//! of the secret is refused; an event made from a body is valid and survives the spool's encoding.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ml_connector_agent::ingest::webhooks::{event_of, signature_matches};
use ml_connector_formats::event::MAX_EVENT_BYTES;
use ml_connector_formats::Event;
use woo_sim::webhooks::delivery::signature;

use crate::input::{combine, fields, hash, outcome, Outcome};

/// The agent's check of a delivery.
fn receiver_accepts(body: &[u8], secret: &str, sent_signature: &str) -> bool {
    signature_matches(secret.as_bytes(), body, sent_signature)
}

/// Topics the listener subscribes to, and one it does not.
const TOPICS: [&str; 4] = ["order.created", "order.updated", "customer.updated", "product.updated"];

pub fn run(data: &[u8]) -> Outcome {
    let [secret, body] = fields::<2>(data);
    let sent = signature(&body, &secret);
    assert!(BASE64.decode(&sent).is_ok_and(|mac| mac.len() == 32), "signature {sent:?} is not a base64 SHA-256 MAC");
    assert_eq!(signature(&body, &secret), sent, "signing is not deterministic");
    // WordPress entity-decodes the stored secret before signing; with `&` in the secret the
    // receiver must use the secret as WordPress shows it (decoded), which the target cannot know.
    let plain_secret = !secret.contains('&');
    if plain_secret {
        assert!(receiver_accepts(body.as_bytes(), &secret, &sent), "a delivery signed with {secret:?} is refused");
    }
    let choices: Vec<u8> = data.iter().rev().take(12).copied().collect();
    for pair in choices.chunks(2) {
        let with = pair.get(1).copied().unwrap_or(b'A');
        if !body.is_empty() {
            let mut changed = body.clone().into_bytes();
            let at = usize::from(pair[0]) * changed.len() / 256;
            if changed[at] != with {
                changed[at] = with;
                assert!(!receiver_accepts(&changed, &secret, &sent), "body byte {at} changed to {with:#04x}: still accepted");
            }
        }
        let mut forged = sent.clone().into_bytes();
        let at = usize::from(pair[0]) * forged.len() / 256;
        if forged[at] != with {
            forged[at] = with;
            let forged = String::from_utf8_lossy(&forged);
            assert!(!receiver_accepts(body.as_bytes(), &secret, &forged), "signature byte {at} changed to {with:#04x}: still accepted");
        }
        if plain_secret && !secret.is_empty() {
            let mut other = secret.clone().into_bytes();
            let at = usize::from(pair[0]) * other.len() / 256;
            let with = with & 0x7f;
            if other[at] != with && with != b'&' {
                other[at] = with;
                if let Ok(other) = String::from_utf8(other) {
                    assert!(!receiver_accepts(body.as_bytes(), &other, &sent), "secret byte {at} changed to {with:#04x}: still accepted");
                }
            }
        }
    }
    let topic = TOPICS[usize::from(data.first().copied().unwrap_or(0) % 4)];
    let event = match event_of(topic, body.as_bytes()) {
        Ok(event) => {
            assert!(event.validate().is_ok(), "{topic}: the listener made an invalid event");
            let json = event.to_json();
            if json.len() <= MAX_EVENT_BYTES {
                let again = Event::from_json(&json).unwrap_or_else(|e| panic!("{topic}: the event does not decode again ({e}): {json}"));
                assert_eq!((again.kind, again.object_id, &again.modified_gmt), (event.kind, event.object_id, &event.modified_gmt), "{json}");
            }
            hash(event.kind.as_str())
        }
        Err(reason) => outcome(&reason),
    };
    combine(&[hash(&plain_secret), event])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_order_delivery_is_accepted_and_a_changed_one_refused() {
        let body = br#"{"id":1234,"status":"processing"}"#;
        let sent = signature(std::str::from_utf8(body).unwrap(), "wh-secret");
        assert!(receiver_accepts(body, "wh-secret", &sent));
        assert!(!receiver_accepts(br#"{"id":1235,"status":"processing"}"#, "wh-secret", &sent));
    }
}
