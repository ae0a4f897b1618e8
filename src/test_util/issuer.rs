//! [`TestIssuer`]: a throwaway identity provider on 127.0.0.1, with the
//! key its tokens are signed with.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::runtime::Handle;
use tokio::task::JoinSet;
use zeroize::Zeroizing;

use super::server::{DISCOVERY_PATH, Documents, JWKS_PATH, serve};
use super::token::TokenBuilder;
use crate::jwks::Jwks;
use crate::jwt::{AccessClaims, JwtVerifier, JwtVerifierBuilder, install_crypto_provider};

/// The DER of an Ed25519 private key in PKCS#8 v1 (RFC 8410 §7) is these 16
/// bytes, then the 32-byte seed: `PrivateKeyInfo { version 0, algorithm
/// id-Ed25519, privateKey OCTET STRING { OCTET STRING seed } }`. Both
/// backends of jsonwebtoken read it.
const ED25519_PKCS8_V1: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// An identity provider for your application's tests: a key made at
/// start, OpenID Connect discovery and the JWK Set served on 127.0.0.1,
/// and tokens signed with the claims a test chooses.
///
/// - **The key** is an Ed25519 key (`alg` EdDSA), made from the operating
///   system's randomness at [`start`](Self::start), different every time,
///   never written anywhere and never shown by `Debug`. Its `kid` is its
///   RFC 7638 thumbprint.
/// - **The server** listens on `127.0.0.1` on a port the operating system
///   picks, and answers `GET` on two paths: the discovery document
///   (`/.well-known/openid-configuration`: `issuer`, `jwks_uri`) and the
///   JWK Set (`/.well-known/jwks.json`: the public key with `kid`, `alg`
///   and `use: sig`). It serves one request per connection, at most 32
///   connections at once, each for at most 10 seconds. Dropping the
///   `TestIssuer` stops it.
/// - **The issuer** is `http://127.0.0.1:PORT` ([`issuer`](Self::issuer)):
///   [`Jwks`] fetches plain `http` from a loopback IP literal.
/// - **The verifier**: [`verifier`](Self::verifier) is a JWT verifier's
///   builder with the issuer's keys found by discovery, fetched over HTTP by
///   this crate's own client, as from your identity provider.
/// - **Tokens**: [`token`](Self::token) starts a [`TokenBuilder`], valid by
///   default, with presets for what a test refuses.
///
/// It needs a tokio runtime with IO and time (`#[tokio::test]` and
/// `#[tokio::main]` have both) and lives in the runtime that started it.
///
/// ```
/// use tower_bearer_auth::{ErrorKind, VerifyToken};
/// use tower_bearer_auth::test_util::TestIssuer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let issuer = TestIssuer::start().await?;
/// let verifier = issuer.verifier().with_audience("https://api.example.com").build()?;
/// let head = http::Request::new(()).into_parts().0;
///
/// let token = issuer.token().subject("alice").audience("https://api.example.com").sign();
/// let claims = verifier.verify(token.parse()?, &head).await?;
/// assert_eq!(claims.sub(), Some("alice"));
/// assert_eq!(claims.iss(), Some(issuer.issuer()));
///
/// let late = issuer.token().audience("https://api.example.com").expired().sign();
/// let refused = verifier.verify(late.parse()?, &head).await.unwrap_err();
/// assert_eq!(refused.kind(), ErrorKind::Expired);
/// # Ok(()) }
/// ```
#[cfg_attr(docsrs, doc(cfg(all(feature = "test-util", feature = "jwks"))))]
pub struct TestIssuer {
    signer: Arc<Signer>,
    addr: SocketAddr,
    jwks: Jwks,
    /// The server's accept loop, which owns the connections' tasks:
    /// dropping the set aborts it, and with it them.
    _server: JoinSet<()>,
}

/// What tokens are signed with; shared by the issuer and its builders.
pub(super) struct Signer {
    pub(super) issuer: Box<str>,
    pub(super) kid: Box<str>,
    /// The key the JWK Set publishes.
    key: EncodingKey,
    /// Another key, for [`TokenBuilder::signed_by_another_key`].
    other_key: EncodingKey,
    /// How many tokens were signed: makes each `jti` new.
    signed: AtomicU64,
}

impl Signer {
    /// A `jti` no other token of this issuer has (the `kid` makes it
    /// differ from other issuers').
    pub(super) fn next_jti(&self) -> String {
        let serial = self.signed.fetch_add(1, Ordering::Relaxed);
        format!("{}-{serial}", &self.kid[..16])
    }

    /// `claims` signed with EdDSA under the issuer's `kid`, by its key or,
    /// with `other_key`, by another.
    pub(super) fn sign(
        &self,
        typ: Option<&str>,
        claims: &Map<String, Value>,
        other_key: bool,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let header = Header {
            typ: typ.map(str::to_owned),
            kid: Some(self.kid.to_string()),
            ..Header::new(Algorithm::EdDSA)
        };
        let key = if other_key {
            &self.other_key
        } else {
            &self.key
        };
        jsonwebtoken::encode(&header, claims, key)
    }
}

impl TestIssuer {
    /// Makes the key, starts the server, and fetches the keys once through
    /// [`Jwks`], so that an issuer that started works end to end.
    ///
    /// Fails when there is no tokio runtime, no randomness, or no port on
    /// 127.0.0.1, or when the keys cannot be fetched back.
    pub async fn start() -> io::Result<Self> {
        let runtime = Handle::try_current().map_err(io::Error::other)?;
        install_crypto_provider();
        let (key, public) = ed25519_key()?;
        let (other_key, _) = ed25519_key()?;

        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let issuer = format!("http://{addr}");
        let x = URL_SAFE_NO_PAD.encode(public);
        let kid = thumbprint(&x);
        let documents = documents(&issuer, &kid, &x)?;
        let mut server = JoinSet::new();
        server.spawn_on(serve(listener, documents), &runtime);

        let signer = Arc::new(Signer {
            issuer: issuer.as_str().into(),
            kid: kid.into(),
            key,
            other_key,
            signed: AtomicU64::new(0),
        });
        // Both keys sign with this process's backend, so `sign` cannot fail.
        for other in [false, true] {
            signer
                .sign(Some("at+jwt"), &Map::new(), other)
                .map_err(io::Error::other)?;
        }
        let jwks = Jwks::discover(issuer).build().map_err(io::Error::other)?;
        jwks.ready().await.map_err(io::Error::other)?;
        Ok(Self {
            signer,
            addr,
            jwks,
            _server: server,
        })
    }

    /// The issuer: `http://127.0.0.1:PORT`, the `iss` of its tokens and of
    /// its discovery document.
    pub fn issuer(&self) -> &str {
        &self.signer.issuer
    }

    /// The address it listens on: `127.0.0.1` and the port picked.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `kid` of its key, in the JWK Set and in every token's header.
    pub fn kid(&self) -> &str {
        &self.signer.kid
    }

    /// The URL of its discovery document.
    pub fn discovery_url(&self) -> String {
        format!("http://{}{DISCOVERY_PATH}", self.addr)
    }

    /// The URL of its JWK Set, the discovery document's `jwks_uri`.
    pub fn jwks_url(&self) -> String {
        format!("http://{}{JWKS_PATH}", self.addr)
    }

    /// A token of this issuer, valid until a preset or a claim says
    /// otherwise; see [`TokenBuilder`].
    pub fn token(&self) -> TokenBuilder {
        TokenBuilder::new(Arc::clone(&self.signer))
    }

    /// Its keys, found by discovery at [`issuer`](Self::issuer) (what
    /// `Jwks::discover(issuer).build()` makes), fetched once at start and
    /// shared by every clone. For a verifier of your own claims type:
    /// `JwtVerifierBuilder::<MyClaims>::new().with_jwks(issuer.jwks())`.
    pub fn jwks(&self) -> Jwks {
        self.jwks.clone()
    }

    /// A JWT verifier's builder that accepts this issuer, with its keys
    /// ([`jwks`](Self::jwks)). Name the audience and anything else your
    /// application configures, then build it:
    /// `issuer.verifier().with_audience("https://api.example.com").build()?`.
    pub fn verifier(&self) -> JwtVerifierBuilder<AccessClaims> {
        JwtVerifier::builder().with_jwks(self.jwks())
    }
}

impl fmt::Debug for TestIssuer {
    /// The issuer, the `kid` and the algorithm, never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestIssuer")
            .field("issuer", &self.signer.issuer)
            .field("kid", &self.signer.kid)
            .field("alg", &Algorithm::EdDSA)
            .finish_non_exhaustive()
    }
}

/// A new Ed25519 key from the operating system's randomness: the key
/// jsonwebtoken signs with, and the public key's 32 bytes. The copies of
/// the seed made here are wiped.
fn ed25519_key() -> io::Result<(EncodingKey, [u8; 32])> {
    let mut seed = Zeroizing::new([0_u8; 32]);
    getrandom::fill(seed.as_mut_slice())?;
    let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
    let mut der = Zeroizing::new(Vec::with_capacity(ED25519_PKCS8_V1.len() + seed.len()));
    der.extend_from_slice(&ED25519_PKCS8_V1);
    der.extend_from_slice(seed.as_slice());
    Ok((EncodingKey::from_ed_der(&der), public))
}

/// The RFC 7638 thumbprint of the Ed25519 public key `x` (base64url): the
/// SHA-256 of its required members in lexicographic order, base64url.
fn thumbprint(x: &str) -> String {
    let members = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(members.as_bytes()))
}

/// The discovery document and the JWK Set of `issuer`, whose one key is
/// the Ed25519 public key `x` named `kid`.
fn documents(issuer: &str, kid: &str, x: &str) -> io::Result<Documents> {
    let discovery = json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}{JWKS_PATH}"),
        "id_token_signing_alg_values_supported": ["EdDSA"],
    });
    let key_set = json!({
        "keys": [{
            "kty": "OKP",
            "crv": "Ed25519",
            "x": x,
            "kid": kid,
            "alg": "EdDSA",
            "use": "sig",
        }],
    });
    Ok(Documents {
        discovery: serde_json::to_vec(&discovery)?.into(),
        key_set: serde_json::to_vec(&key_set)?.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thumbprint_of_rfc_8037_s_example_key() {
        // RFC 8037 §A.3: the thumbprint of the key of §A.2.
        assert_eq!(
            thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn the_key_is_rfc_8032_s_for_its_seed() {
        // RFC 8032 §7.1, test 1: the seed and its public key; the PKCS#8
        // wrapping of RFC 8410 §10.3 reads back as the same key.
        let seed: [u8; 32] = [
            0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec,
            0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03,
            0x1c, 0xae, 0x7f, 0x60,
        ];
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(public),
            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        );
        let mut der = ED25519_PKCS8_V1.to_vec();
        der.extend_from_slice(&seed);
        install_crypto_provider();
        let claims = Map::from_iter([("sub".to_owned(), Value::from("alice"))]);
        let header = Header::new(Algorithm::EdDSA);
        let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&der))
            .expect("the RFC 8410 wrapping signs");
        // The signature checks out with the public key alone.
        let jwk = format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(public)
        );
        let key = jsonwebtoken::DecodingKey::from_jwk(&serde_json::from_str(&jwk).unwrap())
            .expect("a JWK");
        let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        jsonwebtoken::decode::<Map<String, Value>>(&token, &key, &validation)
            .expect("verified with the public key");
    }

    #[tokio::test]
    async fn debug_shows_no_form_of_either_key() {
        let issuer = TestIssuer::start().await.expect("a test issuer");
        let shown = [
            format!("{issuer:?}"),
            format!("{issuer:#?}"),
            format!("{:?}", issuer.token()),
            format!("{:?}", issuer.token().signed_by_another_key()),
        ]
        .concat();
        for key in [&issuer.signer.key, &issuer.signer.other_key] {
            let der = key.as_bytes();
            let seed = &der[ED25519_PKCS8_V1.len()..];
            assert_eq!(seed.len(), 32);
            let hex: String = seed.iter().map(|byte| format!("{byte:02x}")).collect();
            let forms = [
                hex.clone(),
                hex.to_uppercase(),
                format!("{seed:?}"),
                URL_SAFE_NO_PAD.encode(seed),
                base64::engine::general_purpose::STANDARD.encode(seed),
                base64::engine::general_purpose::STANDARD.encode(der),
            ];
            for form in forms {
                assert!(!shown.contains(&form), "{form} shown");
            }
        }
    }

    #[test]
    fn two_keys_differ() {
        let (_, one) = ed25519_key().expect("randomness");
        let (_, two) = ed25519_key().expect("randomness");
        assert_ne!(one, two);
    }
}
