//! Issuer templates: one accepted issuer for every tenant of a multi-tenant
//! identity provider.
//!
//! Microsoft Entra ID's multi-tenant discovery document names its issuer
//! `https://login.microsoftonline.com/{tenantid}/v2.0`: each tenant's tokens
//! carry their own tenant id in that place. An accepted issuer holding
//! [`TENANT`] matches an `iss` with a tenant id there, and the token's `tid`
//! claim must then be that same tenant (as Microsoft's own validators
//! check), so a tenant cannot vouch for another one's tokens.

/// The placeholder of the tenant id in an issuer template.
pub(crate) const TENANT: &str = "{tenantid}";

/// The longest tenant id matched: a GUID is 36 bytes.
const MAX_TENANT_LEN: usize = 64;

/// How a token's `iss` matches an accepted issuer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum IssuerMatch<'a> {
    /// Byte for byte.
    Exact,
    /// The template, with this tenant id in its place.
    Tenant(&'a str),
}

/// Whether `iss` is `accepted`, or fits the template `accepted` with a
/// tenant id (ASCII letters, digits and `-`, at most 64 bytes) in the
/// place of [`TENANT`]. A template never matches itself.
pub(crate) fn match_issuer<'a>(accepted: &str, iss: &'a str) -> Option<IssuerMatch<'a>> {
    let Some((prefix, suffix)) = accepted.split_once(TENANT) else {
        return (accepted == iss).then_some(IssuerMatch::Exact);
    };
    let tenant = iss.strip_prefix(prefix)?.strip_suffix(suffix)?;
    is_tenant_id(tenant).then_some(IssuerMatch::Tenant(tenant))
}

/// Whether `tenant` can be a tenant id: 1 to 64 ASCII letters, digits and
/// `-` (Entra ID's are GUIDs).
pub(crate) fn is_tenant_id(tenant: &str) -> bool {
    (1..=MAX_TENANT_LEN).contains(&tenant.len())
        && tenant
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
}

/// Whether the template `issuer` is one a tenant id can fill safely: one
/// placeholder, a whole path segment after `scheme://host/`, so no tenant
/// can choose the host.
pub(crate) fn is_valid_template(issuer: &str) -> bool {
    let Some((prefix, suffix)) = issuer.split_once(TENANT) else {
        return false;
    };
    let after_scheme = prefix.split_once("://").map(|(_, rest)| rest);
    let host_then_path = after_scheme.is_some_and(|rest| {
        rest.find('/')
            .is_some_and(|slash| slash > 0 && rest.ends_with('/'))
    });
    host_then_path && (suffix.is_empty() || suffix.starts_with('/')) && !suffix.contains(TENANT)
}

/// Which of the `accepted` issuers `iss` is, by index, and how it
/// matched. Only when `any_template` (some accepted issuer is one) is
/// anything but byte-for-byte equality tried: the usual configuration pays
/// for no template search.
pub(crate) fn find_issuer<'a>(
    accepted: &[Box<str>],
    any_template: bool,
    iss: &'a str,
) -> Option<(usize, IssuerMatch<'a>)> {
    if !any_template {
        let at = accepted.iter().position(|accepted| **accepted == *iss)?;
        return Some((at, IssuerMatch::Exact));
    }
    accepted
        .iter()
        .enumerate()
        .find_map(|(at, accepted)| match_issuer(accepted, iss).map(|matched| (at, matched)))
}

/// Whether `issuer` is a template.
pub(crate) fn is_template(issuer: &str) -> bool {
    issuer.contains(TENANT)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
    const TENANT_A: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";

    #[test]
    fn a_template_matches_one_tenant_id_in_its_place() {
        let iss = format!("https://login.microsoftonline.com/{TENANT_A}/v2.0");
        assert_eq!(
            match_issuer(TEMPLATE, &iss),
            Some(IssuerMatch::Tenant(TENANT_A))
        );
        assert_eq!(match_issuer(TEMPLATE, TEMPLATE), None);
        assert_eq!(
            match_issuer("https://a.example", "https://a.example"),
            Some(IssuerMatch::Exact)
        );
        for other in [
            "https://login.microsoftonline.com//v2.0",
            "https://login.microsoftonline.com/a/b/v2.0",
            "https://login.microsoftonline.com/a.b/v2.0",
            "https://login.microsoftonline.com/a%2Fb/v2.0",
            "https://login.microsoftonline.com/a/v2.0/",
            "https://login.microsoftonline.com/a/v2",
            "https://evil.example/a/v2.0",
            "https://login.microsoftonline.com.evil.example/a/v2.0",
        ] {
            assert_eq!(match_issuer(TEMPLATE, other), None, "{other}");
        }
        let long = format!("https://login.microsoftonline.com/{}/v2.0", "a".repeat(65));
        assert_eq!(match_issuer(TEMPLATE, &long), None);
        assert_eq!(match_issuer("https://a.example", "https://b.example"), None);
        assert!(is_template(TEMPLATE));
        assert!(is_valid_template(TEMPLATE));
        assert!(is_valid_template("https://sts.windows.net/{tenantid}/"));
        assert!(is_valid_template("https://a.example/{tenantid}"));
        for bad in [
            "{tenantid}",
            "https://{tenantid}/v2.0",
            "https://{tenantid}.example/v2.0",
            "https://a.example/x{tenantid}/v2.0",
            "https://a.example/{tenantid}x/v2.0",
            "https://a.example/{tenantid}/{tenantid}",
            "a.example/{tenantid}",
            "https:///{tenantid}",
        ] {
            assert!(!is_valid_template(bad), "{bad}");
        }
        assert!(is_tenant_id(TENANT_A));
        assert!(!is_tenant_id("contoso.onmicrosoft.com"));
        assert!(!is_tenant_id(""));
        let accepted: [Box<str>; 2] = ["https://a.example".into(), TEMPLATE.into()];
        assert_eq!(
            find_issuer(&accepted, true, &iss),
            Some((1, IssuerMatch::Tenant(TENANT_A)))
        );
        assert_eq!(
            find_issuer(&accepted, true, "https://a.example"),
            Some((0, IssuerMatch::Exact))
        );
        assert_eq!(
            find_issuer(&accepted[..1], false, "https://a.example"),
            Some((0, IssuerMatch::Exact))
        );
        assert_eq!(
            find_issuer(&accepted[..1], false, "https://b.example"),
            None
        );
        assert!(!is_template("https://a.example"));
    }
}
