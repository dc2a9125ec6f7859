//! Custom base URLs (`--env http://…`, `Environment::Custom`): read strictly, and judged for
//! where they may send credentials.
//!
//! Basic credentials (token and secret) and OTPs travel in request headers, so a base URL decides
//! whether they cross a network in clear text. Plain `http://` is therefore accepted only for a
//! loopback host (`localhost`, 127.0.0.0/8, `::1`: the local gateway, a sidecar on the same
//! machine); anything else needs `https://` or the explicit, loudly named opt-in
//! [`crate::api::ClientConfig::allow_insecure_http`]. A malformed URL (no host, a bad port, an
//! unclosed `[`, credentials or a query in it) is bad input, never "try again later".

use crate::error::{Error, Result};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A base URL taken apart: enough to judge it, nothing more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    /// `https://` (true) or `http://` (false).
    pub https: bool,
    /// The host as written, without IPv6 brackets, lower-cased.
    pub host: String,
    pub port: Option<u16>,
}

impl BaseUrl {
    /// Reads an `http(s)://host[:port][/path]` base URL.
    pub(crate) fn parse(url: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidInput(format!("invalid base URL '{}': {why}", redacted(url)));
        let (https, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            (false, rest)
        } else {
            return Err(bad("it must start with https:// (or http:// for a loopback host)"));
        };
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains spaces or control characters"));
        }
        if rest.contains(['?', '#']) {
            return Err(bad("a base URL has no query or fragment"));
        }
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.contains('@') {
            return Err(bad("credentials do not belong in the URL"));
        }
        if authority.is_empty() {
            return Err(bad("no host"));
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (inside, after) = bracketed.split_once(']').ok_or_else(|| bad("'[' without ']'"))?;
            inside.parse::<Ipv6Addr>().map_err(|_| bad("not an IPv6 address inside [ ]"))?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(|| bad("junk after ']'"))?),
            };
            (inside.to_ascii_lowercase(), port)
        } else {
            let (host, port) = match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
            if host.is_empty() || !host.chars().all(valid) {
                return Err(bad("the host must be a name, an IPv4 address or an [IPv6] address"));
            }
            (host.to_ascii_lowercase(), port)
        };
        let port = match port {
            None => None,
            Some(text) => {
                let number = (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| text.parse::<u16>().ok())
                    .flatten()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| bad("the port must be a number from 1 to 65535"))?;
                Some(number)
            }
        };
        Ok(BaseUrl { https, host, port })
    }

    /// Whether the host is this machine: `localhost`, 127.0.0.0/8 or `::1`.
    #[cfg_attr(not(feature = "api"), allow(dead_code))] // the API client's check
    pub(crate) fn is_loopback(&self) -> bool {
        let host = self.host.trim_end_matches('.');
        host == "localhost"
            || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
            || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// Refuses plain `http://` to anything but a loopback host, unless `allow_insecure_http`.
    #[cfg_attr(not(feature = "api"), allow(dead_code))] // the API client's check
    pub(crate) fn check_transport(&self, allow_insecure_http: bool) -> Result<()> {
        if self.https || self.is_loopback() || allow_insecure_http {
            return Ok(());
        }
        Err(Error::InvalidInput(format!(
            "plain http:// to {} would send credentials and OTPs unencrypted: use https://, a loopback host \
             (localhost, 127.0.0.1, [::1]), or opt in with allow_insecure_http (CLI: --insecure-http)",
            self.host
        )))
    }
}

/// The URL fit for an error message: user information (`user:password@`) replaced.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://<redacted>@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_urls_are_read() {
        let url = BaseUrl::parse("https://gw-fatoora.zatca.gov.sa/e-invoicing/core").unwrap();
        assert_eq!((url.https, url.host.as_str(), url.port), (true, "gw-fatoora.zatca.gov.sa", None));
        let url = BaseUrl::parse("http://127.0.0.1:8443").unwrap();
        assert_eq!((url.https, url.host.as_str(), url.port), (false, "127.0.0.1", Some(8443)));
        let url = BaseUrl::parse("HTTP://[::1]:9/x").unwrap();
        assert_eq!((url.host.as_str(), url.port), ("::1", Some(9)));
    }

    #[test]
    fn malformed_urls_are_bad_input() {
        for url in [
            "http://",
            "https://",
            "http://[::1",
            "http://[::1]x",
            "http://[nonsense]:80",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "http://127.0.0.1:",
            "http://127.0.0.1:8a",
            "http://user:pw@example.com",
            "http://exa mple.com",
            "http://example.com/?q=1",
            "ftp://example.com",
            "http://:80",
        ] {
            let error = BaseUrl::parse(url).expect_err(url);
            assert_eq!(error.code(), "INVALID_INPUT", "{url}: {error}");
            assert!(!error.to_string().contains("pw@"), "{error}");
        }
    }

    #[test]
    fn plain_http_only_for_loopback_unless_opted_in() {
        for url in ["http://127.0.0.1:1", "http://127.8.9.10", "http://localhost:80", "http://[::1]:5"] {
            BaseUrl::parse(url).unwrap().check_transport(false).expect(url);
        }
        for url in ["http://10.0.0.1", "http://example.com", "http://[::2]", "http://localhost.example.com"] {
            let parsed = BaseUrl::parse(url).unwrap();
            let error = parsed.check_transport(false).expect_err(url);
            assert!(error.to_string().contains("unencrypted"), "{error}");
            parsed.check_transport(true).expect(url);
        }
        BaseUrl::parse("https://example.com").unwrap().check_transport(false).unwrap();
    }
}
