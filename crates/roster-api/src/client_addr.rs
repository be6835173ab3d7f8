//! The client's address behind reverse proxies. Only a request whose TCP peer
//! is in `server.trusted_proxies` has its forwarding header believed, and then
//! only as far back as the chain of trusted hops goes: the client is the
//! rightmost address that is not a trusted proxy (anything to its left was
//! written by the client and may be forged).
//!
//! The outermost middleware resolves the address once per request, keeps it
//! as a [`ClientAddr`] extension (the rate limits read it) and rewrites the
//! forwarding headers so that the request log's client address is the same
//! one: a header from an untrusted peer is dropped.

use crate::settings::{ServerSettings, SettingsError};
use actix_governor::governor::NotUntil;
use actix_governor::governor::clock::QuantaInstant;
use actix_governor::{KeyExtractor, SimpleKeyExtractionError};
use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, HttpResponseBuilder};
use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize};
use std::net::{IpAddr, Ipv6Addr};

/// The header in which trusted proxies name the client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, most load balancers).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

/// A list from settings, given as a list or as one comma-separated string
/// (environment variables are strings).
pub fn list_or_commas<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<String>),
        One(String),
    }
    Ok(match Either::deserialize(d)? {
        Either::List(list) => list,
        Either::One(text) => text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
    })
}

/// The proxies whose forwarding header is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
    header: ForwardedHeader,
}

/// The resolved client address of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The request's client address (its TCP peer when the middleware did not run).
    pub fn of(req: &HttpRequest) -> Option<IpAddr> {
        req.extensions().get::<ClientAddr>().map(|c| c.0).or_else(|| req.peer_addr().map(|a| a.ip()))
    }
}

impl TrustedProxies {
    /// Parses `server.trusted_proxies` (a bare address is a one-address network).
    pub fn from_settings(server: &ServerSettings) -> Result<Self, SettingsError> {
        let nets = server
            .trusted_proxies
            .iter()
            .map(|text| {
                text.parse::<IpNet>().or_else(|_| text.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                    SettingsError(format!("server.trusted_proxies: `{text}` is not an address or a CIDR range"))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { nets, header: server.forwarded_header })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = match self.header {
            ForwardedHeader::XForwardedFor => {
                values(headers, &header::X_FORWARDED_FOR).flat_map(|v| v.split(',')).map(str::trim).collect()
            }
            ForwardedHeader::Forwarded => values(headers, &header::FORWARDED)
                .flat_map(|v| v.split(','))
                .map(|element| {
                    element
                        .split(';')
                        .find_map(|pair| pair.trim().strip_prefix("for=").or(pair.trim().strip_prefix("For=")))
                        .unwrap_or("")
                })
                .collect(),
        };
        for hop in hops.iter().rev() {
            if !self.trusts(client) {
                break;
            }
            // An entry that is not an address ("unknown", an obfuscated name)
            // ends the chain: the last trusted hop is all that is known.
            match parse_hop(hop) {
                Some(ip) => client = canonical(ip),
                None => break,
            }
        }
        client
    }

    /// Resolves the request's client, records it as a [`ClientAddr`] and
    /// leaves only a forwarding header that says the same.
    pub fn mark(&self, req: &mut ServiceRequest) {
        let Some(peer) = req.peer_addr().map(|a| a.ip()) else { return };
        let client = self.client(peer, req.headers());
        let trusted = self.trusts(peer);
        let headers = req.headers_mut();
        headers.remove(header::FORWARDED);
        headers.remove(header::X_FORWARDED_FOR);
        if trusted {
            if let Ok(value) = HeaderValue::from_str(&client.to_string()) {
                headers.insert(header::X_FORWARDED_FOR, value);
            }
        } else {
            headers.remove(HeaderName::from_static("x-forwarded-host"));
            headers.remove(HeaderName::from_static("x-forwarded-proto"));
        }
        req.extensions_mut().insert(ClientAddr(client));
    }
}

fn values<'a>(headers: &'a HeaderMap, name: &HeaderName) -> impl Iterator<Item = &'a str> {
    headers.get_all(name).filter_map(|v| v.to_str().ok())
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`,
/// `[2001:db8::1]:80`, optionally quoted (RFC 7239).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    let (host, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// IPv4-mapped IPv6 addresses as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The key a client address is limited under: IPv6 clients by their /56
/// (one subscriber's usual allocation), so rotating through one's own
/// addresses does not escape a limit.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            octets[7..].fill(0);
            IpAddr::V6(Ipv6Addr::from(octets))
        }
        v4 => v4,
    }
}

/// actix-governor keys by the resolved client address, not the TCP peer.
#[derive(Debug, Clone, Copy)]
pub struct ClientKeyExtractor;

impl KeyExtractor for ClientKeyExtractor {
    type Key = IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        let client = req.extensions().get::<ClientAddr>().map(|c| c.0).or_else(|| req.peer_addr().map(|a| a.ip()));
        client.map(limit_key).ok_or_else(|| SimpleKeyExtractionError::new("the client address is unknown"))
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        response: HttpResponseBuilder,
    ) -> HttpResponse {
        crate::conventions::rate_limited(negative, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(nets: &[&str], header: ForwardedHeader) -> TrustedProxies {
        let server = ServerSettings {
            bind: "127.0.0.1:0".parse().unwrap(),
            workers: None,
            shutdown_timeout_s: 1,
            trusted_proxies: nets.iter().map(|s| (*s).to_owned()).collect(),
            forwarded_header: header,
        };
        TrustedProxies::from_settings(&server).unwrap()
    }

    fn headers(name: HeaderName, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(name.clone(), HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let p = proxies(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        let h = headers(header::X_FORWARDED_FOR, &["1.1.1.1"]);
        assert_eq!(p.client(ip("192.0.2.7"), &h), ip("192.0.2.7"));
    }

    #[test]
    fn the_client_is_the_rightmost_address_that_is_not_a_trusted_proxy() {
        let p = proxies(&["10.0.0.0/8", "127.0.0.1"], ForwardedHeader::XForwardedFor);
        // The client forged 6.6.6.6; 203.0.113.9 reached the first proxy.
        let h = headers(header::X_FORWARDED_FOR, &["6.6.6.6, 203.0.113.9", "10.1.2.3"]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("203.0.113.9"));
        // Only proxies: the leftmost one is the best known.
        let h = headers(header::X_FORWARDED_FOR, &["10.0.0.1"]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("10.0.0.1"));
        // Garbage ends the chain at the last trusted hop.
        let h = headers(header::X_FORWARDED_FOR, &["203.0.113.9, unknown"]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn forwarded_for_with_ports_quotes_and_brackets() {
        let p = proxies(&["127.0.0.0/8"], ForwardedHeader::Forwarded);
        let h = headers(header::FORWARDED, &["for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https"]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("2001:db8:cafe::17"));
        let h = headers(header::FORWARDED, &["proto=http;for=\"198.51.100.4:8080\""]);
        assert_eq!(p.client(ip("::ffff:127.0.0.1"), &h), ip("198.51.100.4"));
        // The other header is not the configured one and is ignored.
        let h = headers(header::X_FORWARDED_FOR, &["198.51.100.4"]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn marking_leaves_only_a_header_naming_the_resolved_client_for_the_request_log() {
        use actix_web::test::TestRequest;
        let p = proxies(&["127.0.0.1"], ForwardedHeader::XForwardedFor);
        let mut req = TestRequest::default()
            .peer_addr("127.0.0.1:9000".parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.9"))
            .insert_header(("forwarded", "for=1.1.1.1"))
            .to_srv_request();
        p.mark(&mut req);
        assert_eq!(req.connection_info().realip_remote_addr(), Some("203.0.113.9"));
        assert_eq!(req.extensions().get::<ClientAddr>(), Some(&ClientAddr(ip("203.0.113.9"))));

        let mut req = TestRequest::default()
            .peer_addr("192.0.2.1:9000".parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6"))
            .insert_header(("forwarded", "for=1.1.1.1"))
            .to_srv_request();
        p.mark(&mut req);
        assert!(req.connection_info().realip_remote_addr().is_some_and(|a| a.starts_with("192.0.2.1")));
        assert_eq!(req.extensions().get::<ClientAddr>(), Some(&ClientAddr(ip("192.0.2.1"))));
    }

    #[test]
    fn settings_take_addresses_and_ranges_and_name_a_bad_entry() {
        let server = |list: &[&str]| ServerSettings {
            bind: "127.0.0.1:0".parse().unwrap(),
            workers: None,
            shutdown_timeout_s: 1,
            trusted_proxies: list.iter().map(|s| (*s).to_owned()).collect(),
            forwarded_header: ForwardedHeader::default(),
        };
        assert!(TrustedProxies::from_settings(&server(&["10.0.0.1", "fd00::/8"])).is_ok());
        let err = TrustedProxies::from_settings(&server(&["10.0.0.0/33"])).unwrap_err();
        assert!(err.0.starts_with("server.trusted_proxies: `10.0.0.0/33`"), "{}", err.0);
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_slash_56() {
        assert_eq!(limit_key(ip("2001:db8:1:2ff:1:2:3:4")), ip("2001:db8:1:200::"));
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }
}
