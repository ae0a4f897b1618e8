//! The claims that tell a provider's access tokens from its other tokens,
//! read from the payload in one pass.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::jwt::{JwtError, JwtErrorKind, Skip, Str};
use crate::registered::AudienceSeed;

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
        payload: &[u8],
        app_clients: &[Box<str>],
        refused: &[Box<str>],
    ) -> Result<Self, JwtError> {
        let mut deserializer = serde_json::Deserializer::from_slice(payload);
        MarkersSeed {
            app_clients,
            refused,
        }
        .deserialize(&mut deserializer)
        .map_err(|_| JwtError::new(JwtErrorKind::Malformed))
    }
}

struct MarkersSeed<'r> {
    app_clients: &'r [Box<str>],
    refused: &'r [Box<str>],
}

impl<'de> DeserializeSeed<'de> for MarkersSeed<'_> {
    type Value = Markers;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Markers, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MarkersSeed<'_> {
    type Value = Markers;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims set")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Markers, A::Error> {
        let is_app_client = |name: &str| self.app_clients.iter().any(|app| **app == *name);
        let mut markers = Markers::default();
        while let Some(name) = map.next_key::<Str<'de>>()? {
            match &*name {
                "typ" => markers.typ = Some((*map.next_value::<Str<'de>>()?).into()),
                "token_use" => markers.token_use = Some((*map.next_value::<Str<'de>>()?).into()),
                "client_id" => {
                    let client = map.next_value::<Str<'de>>()?;
                    markers.client_accepted = Some(is_app_client(&client));
                }
                "aud" => {
                    markers.aud_names_refused = map.next_value_seed(AudienceSeed(self.refused))?;
                }
                "azp" | "appid" => {
                    markers.names_client = true;
                    map.next_value::<Skip>()?;
                }
                "scp" | "roles" => {
                    markers.scp_or_roles = true;
                    map.next_value::<Skip>()?;
                }
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(markers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_of_access_and_id_tokens() {
        let clients: &[Box<str>] = &["web".into()];
        let read =
            |payload: &str| Markers::read(payload.as_bytes(), clients, clients).expect("markers");
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
                Markers::read(malformed.as_bytes(), clients, clients).is_err(),
                "{malformed}"
            );
        }
    }
}
