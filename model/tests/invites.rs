//! Invites: only the device that created one redeems it, only admins create them, and three
//! wrong codes cancel (burn) a device's open invites.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use rukun_model::{
    Book, BookError, Device, GroupInit, InviteRefusal, InviteSecret, MAX_WRONG_INVITE_ATTEMPTS,
    MemberId, Role, short_secret_of,
};

fn init() -> GroupInit {
    GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28, 29, 30, 31],
        member_name: "Bu Sri".into(),
    }
}

fn newcomer(seed: u64) -> MemberId {
    Book::new_in_memory(Device::from_seed(seed), &init())
        .unwrap()
        .member_id()
        .clone()
}

const SECRET: [u8; 16] = [7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// The admin's book (device 1) with one open invite, and a second admin's device (2) that
/// holds a copy of the same book, invite record included.
fn admin_and_copy() -> (Book, Book) {
    let mut a = Book::new_in_memory(Device::from_seed(1), &init()).unwrap();
    let mut b = a.replica_for(Device::from_seed(2));
    let b_id = b.member_id().clone();
    a.add_member(&b_id, "Pak Joko", Role::Admin, None).unwrap();
    a.create_invite(&SECRET, Role::Relawan, Utc::now() + Duration::hours(2))
        .unwrap();
    b.merge(&mut a).unwrap();
    assert_eq!(b.my_role(), Some(Role::Admin));
    assert_eq!(b.invites().len(), 1, "the copy holds the invite record");
    (a, b)
}

#[test]
fn one_invite_on_two_copies_of_the_admins_book_is_redeemed_only_where_it_was_made() {
    let (mut a, mut b) = admin_and_copy();
    let fajar = newcomer(10);
    let full = InviteSecret::Full(SECRET.to_vec());
    let short = InviteSecret::Short(short_secret_of(&SECRET));

    // The copy refuses both forms, and nothing changes in its book.
    let heads = b.heads();
    assert_eq!(
        b.redeem_invite(&full, &fajar, "Fajar"),
        Err(InviteRefusal::OtherDevice)
    );
    assert_eq!(
        b.redeem_invite(&short, &fajar, "Fajar").unwrap_err(),
        InviteRefusal::Unknown,
        "the copy has no open invite to match a short code against"
    );
    assert_eq!(b.heads(), heads);
    assert!(b.member(&fajar).unwrap().is_none());

    // The creating device accepts it once.
    assert_eq!(
        a.redeem_invite(&short, &fajar, "Fajar").unwrap(),
        Role::Relawan
    );
    assert_eq!(a.member(&fajar).unwrap().unwrap().name, "Fajar");
    let other = newcomer(11);
    assert_eq!(
        a.redeem_invite(&full, &other, "Budi"),
        Err(InviteRefusal::AlreadyUsed)
    );

    // After a sync the copy knows it was used.
    b.merge(&mut a).unwrap();
    assert_eq!(
        b.redeem_invite(&full, &other, "Budi"),
        Err(InviteRefusal::AlreadyUsed)
    );
}

#[test]
fn three_wrong_codes_burn_the_open_invites() {
    let (mut a, _) = admin_and_copy();
    let right = short_secret_of(&SECRET);
    let wrong = (right + 1) % (1 << rukun_model::SHORT_SECRET_BITS);
    let guesser = newcomer(12);
    for attempt in 1..MAX_WRONG_INVITE_ATTEMPTS {
        assert_eq!(
            a.redeem_invite(&InviteSecret::Short(wrong), &guesser, "x"),
            Err(InviteRefusal::Unknown)
        );
        assert_eq!(a.open_invite_attempts()[0].1, attempt);
    }
    assert_eq!(
        a.redeem_invite(&InviteSecret::Short(wrong), &guesser, "x"),
        Err(InviteRefusal::WrongCodeBurned)
    );
    assert!(a.open_invite_attempts().is_empty());
    let invite = &a.invites()[0];
    assert!(!invite.burned_at.is_empty(), "{invite:?}");

    // Now even the right code and the whole secret are refused.
    let honest = newcomer(13);
    assert_eq!(
        a.redeem_invite(&InviteSecret::Full(SECRET.to_vec()), &honest, "Sri"),
        Err(InviteRefusal::Burned)
    );
    assert!(
        a.redeem_invite(&InviteSecret::Short(right), &honest, "Sri")
            .is_err()
    );
    assert!(a.member(&honest).unwrap().is_none());
    assert!(a.member(&guesser).unwrap().is_none());
}

#[test]
fn expired_invites_are_refused_by_the_inviters_clock() {
    let mut a = Book::new_in_memory(Device::from_seed(1), &init()).unwrap();
    a.create_invite(&SECRET, Role::Relawan, Utc::now() - Duration::minutes(1))
        .unwrap();
    assert_eq!(
        a.redeem_invite(&InviteSecret::Full(SECRET.to_vec()), &newcomer(14), "x"),
        Err(InviteRefusal::Expired)
    );
}

#[test]
fn only_an_admin_creates_invites_and_revokes() {
    let mut a = Book::new_in_memory(Device::from_seed(1), &init()).unwrap();
    let mut c = a.replica_for(Device::from_seed(3));
    let c_id = c.member_id().clone();
    a.add_member(&c_id, "Wati", Role::Relawan, None).unwrap();
    c.merge(&mut a).unwrap();
    let err = c
        .create_invite(&SECRET, Role::Admin, Utc::now() + Duration::hours(1))
        .unwrap_err();
    assert!(matches!(err, BookError::NotAllowed { .. }), "{err}");
    assert!(c.invites().is_empty());
    let a_id = a.member_id().clone();
    let err = c.revoke_member(&a_id, "coba").unwrap_err();
    assert!(matches!(err, BookError::NotAllowed { .. }), "{err}");
    assert!(c.member(&a_id).unwrap().unwrap().revoked.is_none());
}
