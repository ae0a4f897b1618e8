//! The claims that tell a provider's access tokens from its other tokens,
//! read from the payload in one pass.

use crate::jwt::json_reader::JsonReader;
use crate::jwt::{JwtError, JwtErrorKind};
use crate::registered::read_audience;

/// What a provider's rules need from a payload.
#[derive(Debug, Default)]
pub(super) struct Markers {
    /// Keycloak's `typ` claim: `Bearer` (or `DPoP`) for access tokens, `ID`
    /// for ID tokens.
    pub(super) typ: Option<Box<str>>,
    /// Cognito's `token_use`: `access` or `id`.
    pub(super) token_use: Option<Box<str>>,
    /// Whether `client_id` is one of the accepted app clients, when
    /// present.
    pub(super) client_accepted: Option<bool>,
    /// Whether `aud` names one of the refused clients: the audience of
    /// their ID tokens.
    pub(super) aud_names_refused: bool,
    /// Whether there is an `azp` or `appid` claim: Entra ID's access
    /// tokens name their client in one, its ID tokens in neither.
    pub(super) names_client: bool,
    /// Whether there is a `scp` or `roles` claim: Entra ID's access tokens
    /// always have one.
    pub(super) scp_or_roles: bool,
}

impl Markers {
    /// Reads `payload` (a JSON object already read once by the verifier),
    /// comparing `client_id` with `app_clients` and `aud` with `refused`.
    pub(super) fn read(
        payload: &str,
        app_clients: &[Box<str>],
        refused: &[Box<str>],
    ) -> Result<Self, JwtError> {
        let is_app_client = |name: &str| app_clients.iter().any(|app| **app == *name);
        let mut markers = Self::default();
        JsonReader::read_object(payload, |value, name| {
            match &*name {
                "typ" => markers.typ = Some((*value.string()?).into()),
                "token_use" => markers.token_use = Some((*value.string()?).into()),
                "client_id" => markers.client_accepted = Some(is_app_client(&value.string()?)),
                "aud" => markers.aud_names_refused = read_audience(value, refused)?,
                "azp" | "appid" => {
                    markers.names_client = true;
                    value.skip()?;
                }
                "scp" | "roles" => {
                    markers.scp_or_roles = true;
                    value.skip()?;
                }
                _ => value.skip()?,
            }
            Ok(())
        })
        .map_err(|_| JwtErrorKind::Malformed)?;
        Ok(markers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_of_access_and_id_tokens() {
        let clients: &[Box<str>] = &["web".into()];
        let read = |payload: &str| Markers::read(payload, clients, clients).expect("markers");
        let keycloak = read(r#"{"typ":"ID","aud":"api","azp":"web"}"#);
        assert_eq!(keycloak.typ.as_deref(), Some("ID"));
        assert!(!keycloak.aud_names_refused);
        assert!(keycloak.names_client);
        assert!(read(r#"{"appid":"web"}"#).names_client);
        assert!(!read(r#"{"aud":"web"}"#).names_client);
        let cognito = read(r#"{"token_use":"access","client_id":"web"}"#);
        assert_eq!(cognito.token_use.as_deref(), Some("access"));
        assert_eq!(cognito.client_accepted, Some(true));
        assert_eq!(
            read(r#"{"client_id":"other"}"#).client_accepted,
            Some(false)
        );
        assert_eq!(read("{}").client_accepted, None);
        assert!(read(r#"{"aud":["api","web"]}"#).aud_names_refused);
        assert!(read(r#"{"aud":"web"}"#).aud_names_refused);
        assert!(!read(r#"{"aud":["api"]}"#).scp_or_roles);
        assert!(read(r#"{"scp":"read"}"#).scp_or_roles);
        assert!(read(r#"{"roles":[]}"#).scp_or_roles);
        for malformed in [
            r#"{"typ":1}"#,
            r#"{"token_use":null}"#,
            r#"{"aud":[1]}"#,
            "[]",
        ] {
            assert!(
                Markers::read(malformed, clients, clients).is_err(),
                "{malformed}"
            );
        }
    }
}
