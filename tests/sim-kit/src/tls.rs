//! A self-signed certificate made at start-up, for the HTTPS side of a simulator. The PEM is
//! returned so that tests and curl can trust it (`--cacert`) instead of turning verification off.

use std::sync::Arc;

use anyhow::Context;

pub struct SelfSigned {
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// PEM of the certificate (also its own CA), for clients to trust.
    pub cert_pem: String,
}

/// Makes a certificate valid for `localhost`, `127.0.0.1` and `::1`.
pub fn self_signed() -> anyhow::Result<SelfSigned> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    let certified = rcgen::generate_simple_self_signed(names).context("making a self-signed certificate")?;
    let cert_pem = certified.cert.pem();
    let cert_der = certified.cert.der().clone();
    let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key_der)
        .context("TLS server certificate")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(SelfSigned { acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)), cert_pem })
}
