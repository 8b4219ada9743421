//! Text tickets: round trips and garbage.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::net::SocketAddr;

use iroh::{EndpointAddr, RelayUrl, SecretKey};
use proptest::prelude::*;
use rukun_sync::{EndpointTicket, InviteTicket, TicketError};

fn addr() -> EndpointAddr {
    let id = SecretKey::from_bytes(&[3; 32]).public();
    EndpointAddr::new(id)
        .with_ip_addr("127.0.0.1:4242".parse::<SocketAddr>().unwrap())
        .with_ip_addr("[::1]:4243".parse::<SocketAddr>().unwrap())
        .with_relay_url("https://relay.rw08.example/".parse::<RelayUrl>().unwrap())
}

#[test]
fn endpoint_ticket_round_trip() {
    let t = EndpointTicket::new(addr());
    let text = t.to_string();
    assert!(text.starts_with("rukunpeer"));
    let back: EndpointTicket = text.parse().unwrap();
    assert_eq!(back, t);
    assert_eq!(back.addr(), &addr());
    // Case-insensitive (QR codes may be upper case), whitespace trimmed.
    let upper: EndpointTicket = format!(" {} ", text.to_uppercase()).parse().unwrap();
    assert_eq!(upper, t);
}

#[test]
fn invite_ticket_round_trip_and_errors() {
    let invite = InviteTicket {
        inviter: EndpointTicket::new(addr()),
        group_id: "0190c0de-0000-7000-8000-000000000001".into(),
        secret: InviteTicket::random_secret(),
        role: "relawan".into(),
        expires_at: 1_900_000_000,
    };
    let text = invite.to_string();
    let back: InviteTicket = text.parse().unwrap();
    assert_eq!(back, invite);
    assert!(!format!("{invite:?}").contains(&format!("{:?}", invite.secret)));
    assert!(matches!(
        text.replace("rukuninvite", "rukunpeer")
            .parse::<EndpointTicket>(),
        Err(TicketError::Malformed(_))
    ));
    assert!(matches!(
        text.parse::<EndpointTicket>(),
        Err(TicketError::WrongPrefix { .. })
    ));
    assert!(matches!(
        "rukunpeer!!!".parse::<EndpointTicket>(),
        Err(TicketError::Base32(_))
    ));
    assert_ne!(InviteTicket::random_secret(), InviteTicket::random_secret());
}

proptest! {
    #[test]
    fn garbage_tickets_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let body = data_encoding::BASE32_NOPAD.encode(&bytes).to_lowercase();
        let _ = format!("rukunpeer{body}").parse::<EndpointTicket>();
        let _ = format!("rukuninvite{body}").parse::<InviteTicket>();
    }

    #[test]
    fn truncated_invites_are_errors(cut in 0usize..200) {
        let invite = InviteTicket {
            inviter: EndpointTicket::new(addr()),
            group_id: "g".into(),
            secret: [1; 16],
            role: "admin".into(),
            expires_at: 5,
        };
        let text = invite.to_string();
        let cut = "rukuninvite".len() + cut % (text.len() - "rukuninvite".len());
        prop_assert!(text[..cut].parse::<InviteTicket>().is_err());
    }
}
