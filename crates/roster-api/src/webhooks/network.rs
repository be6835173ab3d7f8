//! Where an endpoint may point: never into the server's own networks
//! (loopback, private, link-local, cloud metadata, ...) unless
//! `webhooks.allow_networks` says so. Checked on the address the name
//! resolves to, by the HTTP client's resolver, so a name that resolves
//! elsewhere at delivery time than at registration is still caught.

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;

/// Networks an endpoint may reach although they are internal.
#[derive(Debug, Clone, Default)]
pub struct AllowedNetworks(Vec<IpNet>);

/// An endpoint's address is in a network it may not reach.
#[derive(Debug, Clone, thiserror::Error)]
#[error("address not allowed: {0} is an internal address (see webhooks.allow_networks)")]
pub struct AddressRefused(pub String);

/// Internal networks besides what `std` recognises: shared address space
/// (carrier-grade NAT, Alibaba's metadata at 100.100.100.200), the
/// "this network" block, IETF protocol assignments, benchmarking.
const INTERNAL_V4: [(Ipv4Addr, u8); 4] = [
    (Ipv4Addr::new(100, 64, 0, 0), 10),
    (Ipv4Addr::new(0, 0, 0, 0), 8),
    (Ipv4Addr::new(192, 0, 0, 0), 24),
    (Ipv4Addr::new(198, 18, 0, 0), 15),
];

fn internal_v4(ip: Ipv4Addr) -> bool {
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254.0.0/16, with 169.254.169.254 (AWS, GCP, Azure metadata)
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || INTERNAL_V4.iter().any(|(net, len)| {
            let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(*net) & mask
        })
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return internal_v4(v4);
    }
    let seg = ip.segments();
    // IPv4-compatible (`::a.b.c.d`, deprecated) and 6to4 (`2002:AABB:CCDD::`)
    // addresses carry an IPv4 address that some stacks reach.
    if seg[..6].iter().all(|s| *s == 0) && !ip.is_loopback() && !ip.is_unspecified() {
        return internal_v4(Ipv4Addr::from((u32::from(seg[6]) << 16) | u32::from(seg[7])));
    }
    if seg[0] == 0x2002 {
        return internal_v4(Ipv4Addr::from((u32::from(seg[1]) << 16) | u32::from(seg[2])));
    }
    let first = seg[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local, with fd00:ec2::254 (AWS metadata)
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed internally)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b // NAT64: could reach internal IPv4
}

/// Whether `ip` belongs to the server's own networks (or the cloud's metadata service).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

impl AllowedNetworks {
    /// Parses `webhooks.allow_networks` (a bare address is a one-address network).
    pub fn parse(items: &[String]) -> Result<Self, AddressRefused> {
        items
            .iter()
            .map(|text| {
                let text = text.trim();
                text.parse::<IpNet>().or_else(|_| text.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                    AddressRefused(format!("webhooks.allow_networks: `{text}` is not an address or a CIDR range"))
                })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Whether an endpoint may connect to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        !is_internal(ip) || self.0.iter().any(|net| net.contains(&ip))
    }

    /// Refuses a URL whose host is an address literal this server may not
    /// reach (names are checked when they are resolved).
    pub fn check_url(&self, url: &str) -> Result<(), AddressRefused> {
        let Ok(parsed) = reqwest::Url::parse(url) else { return Ok(()) };
        // The URL parser has normalised odd spellings (`http://2130706433/`) to dotted form.
        let host = parsed.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
        let Ok(ip) = host.parse::<IpAddr>() else { return Ok(()) };
        if self.permits(ip) { Ok(()) } else { Err(AddressRefused(ip.to_string())) }
    }
}

/// The HTTP client's resolver: the system's, keeping only permitted
/// addresses (none left: the connection fails with [`AddressRefused`]).
#[derive(Debug, Clone)]
pub struct GuardedResolver(pub Arc<AllowedNetworks>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let lookup = host.clone();
            let found: Vec<SocketAddr> =
                tokio::task::spawn_blocking(move || (lookup.as_str(), 0).to_socket_addrs().map(Iterator::collect))
                    .await
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??;
            let permitted: Vec<SocketAddr> = found.iter().copied().filter(|a| allowed.permits(a.ip())).collect();
            if permitted.is_empty() {
                let shown = match found.first() {
                    Some(a) => format!("{host} ({})", a.ip()),
                    None => host,
                };
                return Err(Box::new(AddressRefused(shown)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused_by_default() {
        let none = AllowedNetworks::default();
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "::169.254.169.254",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(!none.permits(ip(refused)), "{refused}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8", "::8.8.8.8", "2002:808:808::"]
        {
            assert!(none.permits(ip(public)), "{public}");
        }
    }

    #[test]
    fn allowed_networks_open_internal_ranges() {
        let loopback = AllowedNetworks::parse(&["127.0.0.0/8".into()]).unwrap();
        assert!(loopback.permits(ip("127.0.0.1")));
        assert!(!loopback.permits(ip("10.0.0.1")));
        assert!(AllowedNetworks::parse(&["nope".into()]).is_err());
    }

    #[test]
    fn address_literals_are_checked_in_urls() {
        let none = AllowedNetworks::default();
        assert!(none.check_url("http://169.254.169.254/latest/meta-data").is_err());
        assert!(none.check_url("http://[::1]:8080/").is_err());
        assert!(none.check_url("https://[::127.0.0.1]/").is_err());
        assert!(none.check_url("http://2130706433/").is_err());
        assert!(none.check_url("https://hooks.example.com/").is_ok());
    }
}
