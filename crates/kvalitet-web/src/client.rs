//! Where a request comes from: the client's address and whether the browser reached the
//! installation over HTTPS. Behind the municipality's reverse proxy both come from the
//! forwarding headers (`X-Forwarded-For`/`-Proto`, or `Forwarded`), but only when the
//! connection itself comes from a proxy configured as trusted; otherwise anyone could
//! claim any address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::router::AppState;

/// The installation's place on the network, from `--public-url` and `--trusted-proxy`.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// The address users reach the installation at, without a trailing slash.
    pub public_url: Option<String>,
    pub trusted_proxies: Vec<IpNet>,
}

impl Network {
    /// Checks the configuration: an `http(s)://` URL and addresses or CIDR networks.
    pub fn parse(public_url: Option<&str>, trusted_proxies: &[String]) -> Result<Network, String> {
        let public_url = match public_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => {
                let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
                match rest {
                    Some(host) if !host.is_empty() && !host.starts_with('/') && !u.contains(char::is_whitespace) => {
                        Some(u.trim_end_matches('/').to_owned())
                    }
                    _ => {
                        return Err(format!(
                            "--public-url ska vara en adress som https://kvalitet.kommun.se, inte \"{u}\""
                        ));
                    }
                }
            }
            None => None,
        };
        let mut nets = Vec::new();
        for p in trusted_proxies.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let net = p.parse::<IpNet>().or_else(|_| p.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                format!("--trusted-proxy ska vara en IP-adress eller ett nät som 10.0.0.0/8, inte \"{p}\"")
            })?;
            nets.push(net);
        }
        Ok(Network { public_url, trusted_proxies: nets })
    }

    /// Whether users reach the installation over HTTPS (then HSTS is sent).
    pub fn https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// Whether session cookies carry `Secure`: yes unless the public URL is plain HTTP.
    pub fn secure_cookies(&self) -> bool {
        !self.public_url.as_deref().is_some_and(|u| u.starts_with("http://"))
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(&ip))
    }
}

/// The client of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// The client's address, when known (tests without a connection have none).
    pub addr: Option<IpAddr>,
    /// Whether the browser's connection is HTTPS (said by a trusted proxy).
    pub https: bool,
    /// The host name the browser used.
    pub host: String,
}

impl Client {
    pub fn addr_text(&self) -> Option<String> {
        self.addr.map(|a| a.to_string())
    }

    /// Whether a browser sends a `Secure` cookie back to this request's origin: over
    /// HTTPS, and (as browsers allow) to localhost.
    pub fn keeps_secure_cookies(&self) -> bool {
        let host = self.host.rsplit_once(':').filter(|(h, p)| !h.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        let name = host.map_or(self.host.as_str(), |(h, _)| h);
        // A request without a Host header (not a browser) cannot be judged.
        self.host.is_empty()
            || self.https
            || matches!(name, "localhost" | "127.0.0.1" | "[::1]")
            || name.ends_with(".localhost")
    }

    /// The client of a request, through the trusted proxies.
    pub fn of(parts: &Parts, network: &Network) -> Client {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let header = |name: &str| {
            parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",")
        };
        let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_owned();
        let Some(peer) = peer else { return Client { addr: None, https: false, host } };
        if !network.trusted(peer) {
            return Client { addr: Some(peer), https: false, host };
        }
        // The chain of addresses the proxies saw, nearest last (RFC 7239 or the de facto
        // X-Forwarded-For), and the protocol the first proxy was reached with.
        let forwarded = header("forwarded");
        let (chain, proto): (Vec<String>, Option<String>) = if !forwarded.is_empty() {
            let mut chain = Vec::new();
            let mut proto = None;
            for element in forwarded.split(',') {
                for pair in element.split(';') {
                    if let Some((k, v)) = pair.trim().split_once('=') {
                        let v = v.trim().trim_matches('"');
                        match k.trim().to_ascii_lowercase().as_str() {
                            "for" => chain.push(v.trim_start_matches('[').split(']').next().unwrap_or(v).to_owned()),
                            "proto" if proto.is_none() => proto = Some(v.to_ascii_lowercase()),
                            _ => {}
                        }
                    }
                }
            }
            (chain, proto)
        } else {
            let chain =
                header("x-forwarded-for").split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
            let proto = header("x-forwarded-proto").split(',').next().map(|s| s.trim().to_ascii_lowercase());
            (chain, proto)
        };
        // The nearest address that is not one of ours is the client.
        let mut addr = peer;
        for hop in chain.iter().rev() {
            let ip = hop.parse::<IpAddr>().or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()));
            match ip {
                Ok(ip) => {
                    addr = ip;
                    if !network.trusted(ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        let host = header("x-forwarded-host")
            .split(',')
            .next()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map_or(host, str::to_owned);
        Client { addr: Some(addr), https: proto.as_deref() == Some("https"), host }
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Client::of(parts, &state.network))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = Request::builder().uri("/");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let (mut parts, ()) = b.body(()).unwrap().into_parts();
        parts.extensions.insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        parts
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let net =
            Network::parse(Some("https://kvalitet.kommun.se/"), &["10.0.0.0/8".into(), "192.0.2.7".into()]).unwrap();
        assert_eq!(net.public_url.as_deref(), Some("https://kvalitet.kommun.se"));
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // From a stranger, the header is a claim and is ignored.
        let c = Client::of(&parts("203.0.113.9:5000", &[("x-forwarded-for", "1.2.3.4")]), &net);
        assert_eq!(c.addr, ip("203.0.113.9"));
        // Through the proxy: the nearest address that is not a proxy.
        let c = Client::of(
            &parts(
                "10.1.1.1:5000",
                &[("x-forwarded-for", "6.6.6.6, 198.51.100.4, 192.0.2.7"), ("x-forwarded-proto", "https")],
            ),
            &net,
        );
        assert_eq!(c.addr, ip("198.51.100.4"));
        assert!(c.https);
        let c = Client::of(&parts("10.1.1.1:5000", &[("forwarded", "for=\"[2001:db8::1]:4711\";proto=https")]), &net);
        assert_eq!(c.addr, ip("2001:db8::1"));
        assert!(c.https);
        assert!(Network::parse(Some("kvalitet.kommun.se"), &[]).is_err());
        assert!(Network::parse(None, &["inte-en-adress".into()]).is_err());
    }

    #[test]
    fn secure_cookies_come_back_over_https_and_to_localhost() {
        let c = |host: &str, https| Client { addr: None, https, host: host.into() };
        assert!(c("localhost:8080", false).keeps_secure_cookies());
        assert!(c("127.0.0.1:8080", false).keeps_secure_cookies());
        assert!(c("kvalitet.kommun.se", true).keeps_secure_cookies());
        assert!(!c("kvalitet.kommun.se", false).keeps_secure_cookies());
        assert!(!c("10.0.0.5:8080", false).keeps_secure_cookies());
    }
}
