//! Authentication against BC: OAuth 2.0 client credentials with Microsoft Entra ID (through the
//! `oauth2` crate), the token cached and renewed before it expires (there is no refresh token in
//! this flow), or Basic with a web service access key (on-premises only).

use std::time::Duration;

use base64::Engine;
use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse, TokenUrl};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::adapter::{AdapterError, System};
use crate::config::Secret;

pub const BC_SCOPE: &str = "https://api.businesscentral.dynamics.com/.default";

pub enum Credentials {
    OAuth(TokenSource),
    Basic { header: Secret },
}

impl Credentials {
    pub fn basic(user: &str, key: &Secret) -> Credentials {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", key.expose()));
        Credentials::Basic { header: Secret::new(format!("Basic {encoded}")) }
    }

    /// The `Authorization` header value for the next request.
    pub async fn authorization(&self) -> Result<Secret, AdapterError> {
        match self {
            Credentials::Basic { header } => Ok(header.clone()),
            Credentials::OAuth(source) => source.bearer().await,
        }
    }

    /// After a 401: forget the cached token so the next request gets a new one.
    pub async fn invalidate(&self) {
        if let Credentials::OAuth(source) = self {
            *source.cached.lock().await = None;
        }
    }

    /// Seconds until the cached token expires (metrics, status).
    pub async fn token_expires_in(&self) -> Option<Duration> {
        match self {
            Credentials::OAuth(source) => source.cached.lock().await.as_ref().map(|t| t.expires_at.saturating_duration_since(Instant::now())),
            Credentials::Basic { .. } => None,
        }
    }
}

struct CachedToken {
    header: Secret,
    expires_at: Instant,
    renew_at: Instant,
}

pub struct TokenSource {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    http: reqwest::Client,
    cached: Mutex<Option<CachedToken>>,
}

impl TokenSource {
    pub fn new(login_url: &str, tenant: &str, client_id: &str, client_secret: Secret, http: reqwest::Client) -> Self {
        TokenSource {
            token_url: format!("{login_url}/{tenant}/oauth2/v2.0/token"),
            client_id: client_id.to_string(),
            client_secret,
            http,
            cached: Mutex::new(None),
        }
    }

    async fn bearer(&self) -> Result<Secret, AdapterError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref() {
            if Instant::now() < token.renew_at {
                return Ok(token.header.clone());
            }
        }
        let token = self.request().await?;
        let header = token.header.clone();
        *cached = Some(token);
        Ok(header)
    }

    async fn request(&self) -> Result<CachedToken, AdapterError> {
        let auth_error = |detail: String| AdapterError::Auth { system: System::Nav, detail };
        let token_url = TokenUrl::new(self.token_url.clone()).map_err(|e| auth_error(format!("token URL {}: {e}", self.token_url)))?;
        let client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(self.client_secret.expose().to_string()))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(token_url);
        let response = client
            .exchange_client_credentials()
            .add_scope(Scope::new(BC_SCOPE.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(response) => {
                    let description = response.error_description().cloned().unwrap_or_default();
                    // The first line of an AADSTS description is the message; the rest are ids.
                    let first = description.lines().next().unwrap_or("").to_string();
                    auth_error(explain_aadsts(&first, response.error().as_ref()))
                }
                RequestTokenError::Request(e) => AdapterError::Unreachable {
                    system: System::Nav,
                    detail: format!("the token endpoint {} could not be reached: {e}", self.token_url),
                    maybe_applied: false,
                },
                RequestTokenError::Parse(e, _) => AdapterError::BadResponse { system: System::Nav, detail: format!("token response: {e}") },
                RequestTokenError::Other(e) => auth_error(e),
            })?;
        let lifetime = response.expires_in().unwrap_or(Duration::from_secs(3599));
        // Renew five minutes early, or at 80% of a short lifetime.
        let margin = Duration::from_secs(300).min(lifetime / 5);
        let now = Instant::now();
        Ok(CachedToken {
            header: Secret::new(format!("Bearer {}", response.access_token().secret())),
            expires_at: now + lifetime,
            renew_at: now + lifetime - margin,
        })
    }
}

/// Plain words for the Entra errors an operator meets.
pub fn explain_aadsts(description: &str, error: &str) -> String {
    let hint = if description.contains("AADSTS7000215") {
        "the client secret is wrong or expired: create a new secret for the app registration and save it in the settings"
    } else if description.contains("AADSTS700016") {
        "the client id is not known in this tenant: check the application (client) id and that the app is registered in this tenant"
    } else if description.contains("AADSTS90002") {
        "the tenant was not found: check the tenant id or domain"
    } else if description.contains("AADSTS70011") {
        "the scope is not valid for Business Central"
    } else {
        "Microsoft Entra ID refused the client credentials"
    };
    if description.is_empty() {
        format!("{hint} ({error})")
    } else {
        format!("{hint} ({description})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_common_entra_errors() {
        assert!(explain_aadsts("AADSTS7000215: Invalid client secret provided.", "invalid_client").contains("client secret is wrong"));
        assert!(explain_aadsts("AADSTS700016: Application not found", "unauthorized_client").contains("client id is not known"));
        assert!(explain_aadsts("", "invalid_request").contains("(invalid_request)"));
    }

    #[tokio::test]
    async fn basic_credentials_never_show_in_debug() {
        let creds = Credentials::basic("WEBSHOP", &Secret::new("k3y".into()));
        let header = creds.authorization().await.unwrap();
        assert!(header.expose().starts_with("Basic "));
        assert_eq!(format!("{header:?}"), "Secret(…)");
    }
}
