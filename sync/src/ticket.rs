//! Text tickets: how to reach a device (`rukunpeer…`) and how to join a group (`rukuninvite…`).
//!
//! Both are a prefix followed by lowercase unpadded base32 of a small binary record, so they fit
//! a QR code and survive copy and paste. Binary layout (all integers big-endian):
//!
//! - endpoint part: version `1`, 32-byte endpoint id, `u8` count of IP addresses, each
//!   `4 | ipv4(4) | port(2)` or `6 | ipv6(16) | port(2)`, `u8` count of relay URLs, each
//!   `u16` length + UTF-8 URL;
//! - invite: endpoint part, `u8` length + group id (UTF-8), 16-byte secret, `u8` length + role
//!   (UTF-8), `u64` expiry in Unix seconds.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use iroh::{EndpointAddr, EndpointId, RelayUrl, TransportAddr};

use crate::replica::PeerId;

const PEER_PREFIX: &str = "rukunpeer";
const INVITE_PREFIX: &str = "rukuninvite";
const VERSION: u8 = 1;
/// Most addresses (IP plus relay) a ticket may carry.
const MAX_ADDRS: usize = 32;

/// Length of an invite's one-time secret, in bytes.
pub const INVITE_SECRET_LEN: usize = 16;

/// A ticket could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// The text does not start with the expected prefix.
    #[error("not a {expected} ticket (it should start with `{expected}`)")]
    WrongPrefix {
        /// The expected prefix.
        expected: &'static str,
    },
    /// The text after the prefix is not base32.
    #[error("ticket is not valid base32: {0}")]
    Base32(String),
    /// The decoded bytes are not a valid ticket.
    #[error("ticket is damaged: {0}")]
    Malformed(&'static str),
    /// The ticket was made by a newer app.
    #[error("ticket version {0} is not supported: update the app")]
    Version(u8),
}

/// How to reach a device: its endpoint id and direct addresses (and relay URLs if a group runs
/// its own relay). Text form `rukunpeer<base32>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointTicket {
    addr: EndpointAddr,
}

impl EndpointTicket {
    /// A ticket for `addr` (IP and relay addresses are kept, other kinds dropped).
    pub fn new(addr: EndpointAddr) -> Self {
        let addrs = addr
            .addrs
            .into_iter()
            .filter(|a| matches!(a, TransportAddr::Ip(_) | TransportAddr::Relay(_)))
            .take(MAX_ADDRS);
        Self {
            addr: EndpointAddr::from_parts(addr.id, addrs),
        }
    }

    /// A ticket for a bound endpoint: its id and its current addresses. When the endpoint
    /// reports no IP address yet, its bound sockets are used unless they are unspecified
    /// (`0.0.0.0` / `::`).
    pub fn from_endpoint(endpoint: &iroh::Endpoint) -> Self {
        let mut addr = endpoint.addr();
        if addr.ip_addrs().next().is_none() {
            for s in endpoint.bound_sockets() {
                if !s.ip().is_unspecified() {
                    addr.addrs.insert(TransportAddr::Ip(s));
                }
            }
        }
        Self::new(addr)
    }

    /// A ticket carrying only an endpoint id (32 bytes), no address: dialling it needs local
    /// discovery (mDNS) to find the device's addresses.
    ///
    /// # Errors
    /// [`TicketError::Malformed`] when the bytes are not a valid ed25519 public key.
    pub fn for_id(id: &PeerId) -> Result<Self, TicketError> {
        let id = EndpointId::from_bytes(id)
            .map_err(|_| TicketError::Malformed("endpoint id is not a valid key"))?;
        Ok(Self {
            addr: EndpointAddr::new(id),
        })
    }

    /// The address to dial.
    pub fn addr(&self) -> &EndpointAddr {
        &self.addr
    }

    /// The device's endpoint id (its member id).
    pub fn id(&self) -> EndpointId {
        self.addr.id
    }

    /// The device's endpoint id as 32 bytes.
    pub fn peer_id(&self) -> PeerId {
        *self.addr.id.as_bytes()
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(VERSION);
        out.extend_from_slice(self.addr.id.as_bytes());
        let ips: Vec<SocketAddr> = self.addr.ip_addrs().copied().take(MAX_ADDRS).collect();
        out.push(ips.len() as u8);
        for sa in ips {
            match sa.ip() {
                IpAddr::V4(ip) => {
                    out.push(4);
                    out.extend_from_slice(&ip.octets());
                }
                IpAddr::V6(ip) => {
                    out.push(6);
                    out.extend_from_slice(&ip.octets());
                }
            }
            out.extend_from_slice(&sa.port().to_be_bytes());
        }
        let relays: Vec<String> = self
            .addr
            .relay_urls()
            .map(|u| u.to_string())
            .filter(|u| u.len() <= usize::from(u16::MAX))
            .take(MAX_ADDRS)
            .collect();
        out.push(relays.len() as u8);
        for u in relays {
            out.extend_from_slice(&(u.len() as u16).to_be_bytes());
            out.extend_from_slice(u.as_bytes());
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, TicketError> {
        let version = r.u8()?;
        if version != VERSION {
            return Err(TicketError::Version(version));
        }
        let id_bytes: [u8; 32] = r.array()?;
        let id = EndpointId::from_bytes(&id_bytes)
            .map_err(|_| TicketError::Malformed("endpoint id is not a valid key"))?;
        let mut addr = EndpointAddr::new(id);
        let n = usize::from(r.u8()?);
        if n > MAX_ADDRS {
            return Err(TicketError::Malformed("too many addresses"));
        }
        for _ in 0..n {
            let ip = match r.u8()? {
                4 => IpAddr::V4(Ipv4Addr::from(r.array::<4>()?)),
                6 => IpAddr::V6(Ipv6Addr::from(r.array::<16>()?)),
                _ => return Err(TicketError::Malformed("unknown address kind")),
            };
            let port = u16::from_be_bytes(r.array()?);
            addr = addr.with_ip_addr(SocketAddr::new(ip, port));
        }
        let n = usize::from(r.u8()?);
        if n > MAX_ADDRS {
            return Err(TicketError::Malformed("too many relay addresses"));
        }
        for _ in 0..n {
            let len = usize::from(u16::from_be_bytes(r.array()?));
            let text = r.str(len)?;
            let url =
                RelayUrl::from_str(text).map_err(|_| TicketError::Malformed("bad relay URL"))?;
            addr = addr.with_relay_url(url);
        }
        Ok(Self { addr })
    }
}

impl From<EndpointAddr> for EndpointTicket {
    fn from(addr: EndpointAddr) -> Self {
        Self::new(addr)
    }
}

impl fmt::Display for EndpointTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = Vec::new();
        self.write(&mut bytes);
        write!(f, "{PEER_PREFIX}{}", encode_base32(&bytes))
    }
}

impl FromStr for EndpointTicket {
    type Err = TicketError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = decode_prefixed(s, PEER_PREFIX)?;
        let mut r = Reader(&bytes);
        let t = Self::read(&mut r)?;
        r.end()?;
        Ok(t)
    }
}

/// A one-time invite into a group: the admin device's address, the group id, the secret, the
/// role given and the expiry. Text form `rukuninvite<base32>`.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteTicket {
    /// The admin device to join through.
    pub inviter: EndpointTicket,
    /// Group id of the book (UUID text, at most 255 bytes).
    pub group_id: String,
    /// One-time secret (random).
    pub secret: [u8; INVITE_SECRET_LEN],
    /// Role the new member gets (at most 255 bytes).
    pub role: String,
    /// Expiry in seconds since the Unix epoch (UTC).
    pub expires_at: u64,
}

impl fmt::Debug for InviteTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InviteTicket")
            .field("inviter", &self.inviter)
            .field("group_id", &self.group_id)
            .field("secret", &"<hidden>")
            .field("role", &self.role)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl InviteTicket {
    /// A fresh random secret for a new invite (from the operating system's random source).
    pub fn random_secret() -> [u8; INVITE_SECRET_LEN] {
        let key = iroh::SecretKey::generate().to_bytes();
        let mut secret = [0u8; INVITE_SECRET_LEN];
        secret.copy_from_slice(&key[..INVITE_SECRET_LEN]);
        secret
    }

    /// Whether the invite has expired at `now_unix` (seconds since the Unix epoch).
    pub fn is_expired(&self, now_unix: u64) -> bool {
        now_unix >= self.expires_at
    }
}

impl fmt::Display for InviteTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = Vec::new();
        self.inviter.write(&mut bytes);
        write_short_str(&mut bytes, &self.group_id);
        bytes.extend_from_slice(&self.secret);
        write_short_str(&mut bytes, &self.role);
        bytes.extend_from_slice(&self.expires_at.to_be_bytes());
        write!(f, "{INVITE_PREFIX}{}", encode_base32(&bytes))
    }
}

impl FromStr for InviteTicket {
    type Err = TicketError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = decode_prefixed(s, INVITE_PREFIX)?;
        let mut r = Reader(&bytes);
        let inviter = EndpointTicket::read(&mut r)?;
        let len = usize::from(r.u8()?);
        let group_id = r.str(len)?.to_owned();
        let secret = r.array()?;
        let len = usize::from(r.u8()?);
        let role = r.str(len)?.to_owned();
        let expires_at = u64::from_be_bytes(r.array()?);
        r.end()?;
        Ok(Self {
            inviter,
            group_id,
            secret,
            role,
            expires_at,
        })
    }
}

/// Writes a string of at most 255 bytes (longer ones are cut at a character boundary).
fn write_short_str(out: &mut Vec<u8>, s: &str) {
    let mut end = s.len().min(255);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.push(end as u8);
    out.extend_from_slice(&s.as_bytes()[..end]);
}

fn encode_base32(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD
        .encode(bytes)
        .to_ascii_lowercase()
}

fn decode_prefixed(s: &str, prefix: &'static str) -> Result<Vec<u8>, TicketError> {
    let s = s.trim();
    let rest = s
        .get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .and_then(|_| s.get(prefix.len()..))
        .ok_or(TicketError::WrongPrefix { expected: prefix })?;
    data_encoding::BASE32_NOPAD
        .decode(rest.to_ascii_uppercase().as_bytes())
        .map_err(|e| TicketError::Base32(e.to_string()))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TicketError> {
        if self.0.len() < n {
            return Err(TicketError::Malformed("ticket is too short"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, TicketError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], TicketError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn str(&mut self, len: usize) -> Result<&'a str, TicketError> {
        std::str::from_utf8(self.take(len)?)
            .map_err(|_| TicketError::Malformed("text is not UTF-8"))
    }

    fn end(&self) -> Result<(), TicketError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(TicketError::Malformed("trailing bytes"))
        }
    }
}

/// Alphabet of short codes (Crockford's base32: no I, L, O, U, so a code read aloud or
/// typed from a phone screen has no look-alike letters).
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A code a person reads aloud and types on another phone, without a camera:
/// `RKN-XXXX` names a device (the first 20 bits of its endpoint id, to pick it out among the
/// devices found nearby by mDNS), and `RKN-XXXX-YYYY` is an invite at that device (`YYYY`: the
/// first 20 bits of the invite's secret, see [`rukun_model::SHORT_SECRET_BITS`]).
///
/// The locator is not a proof of identity: on a hostile local network a device could claim a
/// matching prefix. The invite's QR code or text ticket carries the whole endpoint id and is the
/// way to join where that matters; the short secret is guarded by the inviter, which burns its
/// open invites after three wrong codes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ShortCode {
    locator: u32,
    secret: Option<u32>,
}

impl fmt::Debug for ShortCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShortCode")
            .field("locator", &code_chars(self.locator))
            .field("secret", &self.secret.map(|_| "<hidden>"))
            .finish()
    }
}

fn first_20_bits(bytes: &[u8]) -> u32 {
    rukun_model::short_secret_of(bytes)
}

fn code_chars(v: u32) -> String {
    (0..4)
        .rev()
        .map(|i| char::from(CODE_ALPHABET[((v >> (5 * i)) & 31) as usize]))
        .collect()
}

fn code_value(part: &str) -> Option<u32> {
    let mut v = 0u32;
    let mut n = 0;
    for c in part.chars() {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        let d = CODE_ALPHABET.iter().position(|&a| char::from(a) == c)?;
        v = (v << 5) | d as u32;
        n += 1;
    }
    (n == 4).then_some(v)
}

impl ShortCode {
    /// The code naming the device with endpoint id `id`.
    pub fn for_device(id: &EndpointId) -> ShortCode {
        ShortCode {
            locator: first_20_bits(id.as_bytes()),
            secret: None,
        }
    }

    /// The short code of `invite`: its inviter's locator and the first bits of its secret.
    pub fn for_invite(invite: &InviteTicket) -> ShortCode {
        ShortCode {
            locator: first_20_bits(invite.inviter.id().as_bytes()),
            secret: Some(rukun_model::short_secret_of(&invite.secret)),
        }
    }

    /// Whether the device `id` has this code's locator.
    pub fn matches(&self, id: &EndpointId) -> bool {
        first_20_bits(id.as_bytes()) == self.locator
    }

    /// The invite secret the code carries (`None` for a device code).
    pub fn invite_secret(&self) -> Option<rukun_model::InviteSecret> {
        self.secret.map(rukun_model::InviteSecret::Short)
    }

    /// The device part alone (`RKN-XXXX`).
    pub fn device(&self) -> ShortCode {
        ShortCode {
            locator: self.locator,
            secret: None,
        }
    }
}

impl fmt::Display for ShortCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RKN-{}", code_chars(self.locator))?;
        if let Some(s) = self.secret {
            write!(f, "-{}", code_chars(s))?;
        }
        Ok(())
    }
}

impl FromStr for ShortCode {
    type Err = TicketError;

    /// Reads `RKN-XXXX` or `RKN-XXXX-YYYY` as people type it: any case, spaces or dashes
    /// anywhere, `O` for zero and `I`/`L` for one, the `RKN` prefix optional.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
            .collect();
        let body = match compact.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("RKN") => &compact[3..],
            _ => compact.as_str(),
        };
        let bad = TicketError::Malformed("a short code is RKN- and 4 or 8 letters and digits");
        match body.len() {
            4 => Ok(ShortCode {
                locator: code_value(body).ok_or(bad)?,
                secret: None,
            }),
            8 => {
                let (a, b) = body.split_at(4);
                Ok(ShortCode {
                    locator: code_value(a).ok_or(bad.clone())?,
                    secret: Some(code_value(b).ok_or(bad)?),
                })
            }
            _ => Err(bad),
        }
    }
}

#[cfg(test)]
mod short_code_tests {
    use super::*;

    #[test]
    fn short_code_round_trips_and_reads_sloppy_typing() {
        let key = iroh::SecretKey::from_bytes(&[7u8; 32]);
        let inviter = EndpointTicket::new(EndpointAddr::new(key.public()));
        let invite = InviteTicket {
            inviter,
            group_id: "g".into(),
            secret: [0xAB; 16],
            role: "relawan".into(),
            expires_at: 0,
        };
        let code = ShortCode::for_invite(&invite);
        let text = code.to_string();
        assert_eq!(text.len(), "RKN-XXXX-YYYY".len(), "{text}");
        assert!(text.starts_with("RKN-"));
        assert_eq!(text.parse::<ShortCode>().unwrap(), code);
        let sloppy = text
            .to_ascii_lowercase()
            .replace('-', " ")
            .replace('0', "o");
        assert_eq!(sloppy.parse::<ShortCode>().unwrap(), code);
        assert!(code.matches(&key.public()));
        let other = iroh::SecretKey::from_bytes(&[8u8; 32]).public();
        assert_eq!(
            code.matches(&other),
            ShortCode::for_device(&other) == code.device()
        );
        assert_eq!(
            code.invite_secret(),
            Some(rukun_model::InviteSecret::Short(
                rukun_model::short_secret_of(&[0xAB; 16])
            ))
        );
        assert!("RKN-12".parse::<ShortCode>().is_err());
        assert!("RKN-UUUU-0000".parse::<ShortCode>().is_err());
    }
}
