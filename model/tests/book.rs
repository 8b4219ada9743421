//! The book's merge rules, field-level saves, actor ids and damaged chunks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use rukun_model::{Book, Device, GroupInit, Household, Person, RecordKind, storage::KdfParams};

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

fn household(kk: &str, alamat: &str) -> Household {
    let mut h = Household {
        no_kk: rukun_model::rules::NoKk::from_stored(kk),
        alamat: alamat.into(),
        rt: 27,
        rw: 8,
        kepala_keluarga: "Bambang".into(),
        lantai: "Keramik".into(),
        ..Default::default()
    };
    h.anggota.insert(
        "p1".into(),
        Person {
            nik: rukun_model::rules::Nik::from_stored("3471131206619606"),
            nama: "Bambang".into(),
            ..Default::default()
        },
    );
    h
}

/// Three devices holding the same book, as after a sync.
fn three_devices() -> (Book, Book, Book, String) {
    let mut a = Book::new_in_memory(Device::from_seed(1), &init()).unwrap();
    let id = a
        .add_household(household("3471131804080001", "Gg. Mawar No. 101.E"))
        .unwrap();
    a.commit("survey").unwrap();
    let b = a.replica_for(Device::from_seed(2));
    let c = a.replica_for(Device::from_seed(3));
    (a, b, c, id)
}

fn values(book: &Book, id: &str, field: &str) -> BTreeSet<String> {
    book.field_values(RecordKind::Household, id, field)
        .unwrap()
        .into_iter()
        .map(|v| v.value.as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn concurrent_edits_of_sibling_fields_both_survive() {
    let (mut a, mut b, _, id) = three_devices();
    a.edit_household(&id, |h| h.rt = 28).unwrap();
    a.commit("rt").unwrap();
    b.edit_household(&id, |h| h.alamat = "Jl. Sidokabul 12".into())
        .unwrap();
    b.commit("alamat").unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    for book in [&a, &b] {
        let h = book.household(&id).unwrap().unwrap();
        assert_eq!(h.rt, 28);
        assert_eq!(h.alamat, "Jl. Sidokabul 12");
        assert_eq!(h.anggota.len(), 1, "people untouched");
    }
}

#[test]
fn saving_another_field_keeps_an_open_conflict_open() {
    let (mut a, mut b, mut c, id) = three_devices();
    a.edit_household(&id, |h| h.lantai = "Tanah".into())
        .unwrap();
    a.commit("lantai A").unwrap();
    c.edit_household(&id, |h| h.lantai = "Ubin/tegel/teraso".into())
        .unwrap();
    c.commit("lantai C").unwrap();
    b.edit_household(&id, |h| h.alamat = "Jl. Sidokabul No. 12".into())
        .unwrap();
    b.commit("alamat B").unwrap();
    a.merge(&mut b).unwrap();
    a.merge(&mut c).unwrap();
    b.merge(&mut a).unwrap();
    c.merge(&mut a).unwrap();
    let both: BTreeSet<String> = ["Tanah".to_string(), "Ubin/tegel/teraso".to_string()].into();
    assert_eq!(values(&a, &id, "lantai"), both);
    // A save of alamat on any device leaves the lantai conflict open with both values.
    for book in [&mut a, &mut b, &mut c] {
        let n = book
            .edit_household(&id, |h| h.alamat = format!("{} (dicek)", h.alamat))
            .unwrap();
        assert!(n >= 1);
        book.commit("alamat again").unwrap();
        assert_eq!(values(book, &id, "lantai"), both, "conflict must stay open");
        let authors: BTreeSet<_> = book
            .field_values(RecordKind::Household, &id, "lantai")
            .unwrap()
            .into_iter()
            .map(|v| v.author)
            .collect();
        assert_eq!(
            authors,
            [Some(a_id()), Some(c_id())].into_iter().collect(),
            "each value names its author"
        );
    }
}

fn a_id() -> rukun_model::MemberId {
    Device::from_seed(1).member_id().clone()
}
fn c_id() -> rukun_model::MemberId {
    Device::from_seed(3).member_id().clone()
}

#[test]
fn names_are_plain_strings_so_two_spellings_stay_a_conflict() {
    let (mut a, mut b, _, id) = three_devices();
    a.edit_household(&id, |h| h.kepala_keluarga = "Soedjono".into())
        .unwrap();
    a.commit("a").unwrap();
    b.edit_household(&id, |h| h.kepala_keluarga = "Sujono".into())
        .unwrap();
    b.commit("b").unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(
        values(&a, &id, "kepala_keluarga"),
        ["Soedjono".to_string(), "Sujono".to_string()].into()
    );
}

#[test]
fn every_open_gets_a_fresh_actor_recorded_for_this_member() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book");
    let book = Book::create(&path, "rahasia-uji", KdfParams::insecure_fast(), &init()).unwrap();
    let me = book.member_id().clone();
    drop(book);
    let mut actors = BTreeSet::new();
    for i in 0..3 {
        let mut book = Book::open(&path, "rahasia-uji").unwrap();
        book.add_household(household(&format!("347113180408000{}", i + 2), "Jl. A"))
            .unwrap();
        book.commit("save").unwrap();
        actors.extend(book.actors());
    }
    let book = Book::open(&path, "rahasia-uji").unwrap();
    let recorded = book.actors();
    assert!(
        recorded.len() >= 4,
        "founding + three sessions: {recorded:?}"
    );
    for (actor, member) in &recorded {
        assert_eq!(member, &me, "actor {actor} belongs to this device's member");
    }
    let distinct: BTreeSet<_> = recorded.iter().map(|(a, _)| a.clone()).collect();
    assert_eq!(distinct.len(), recorded.len());
}

#[test]
fn a_damaged_last_chunk_is_skipped_and_everything_before_opens() {
    for damage in ["truncate", "garble"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book");
        let mut book =
            Book::create(&path, "rahasia-uji", KdfParams::insecure_fast(), &init()).unwrap();
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(
                book.add_household(household(&format!("347113180408001{i}"), "Jl. B"))
                    .unwrap(),
            );
            book.commit("save").unwrap();
        }
        drop(book);
        let mut chunks: Vec<_> = std::fs::read_dir(path.join("doc"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("chunk-")
            })
            .collect();
        chunks.sort();
        let last = chunks.last().unwrap();
        let mut bytes = std::fs::read(last).unwrap();
        if damage == "truncate" {
            bytes.truncate(bytes.len() / 2);
        } else {
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x40;
        }
        std::fs::write(last, bytes).unwrap();
        let book = Book::open(&path, "rahasia-uji").unwrap();
        assert!(!book.warnings().is_empty(), "{damage}: the user is told");
        for id in &ids[..4] {
            assert!(book.household(id).unwrap().is_some(), "{damage}: {id} kept");
        }
        assert!(
            book.household(&ids[4]).unwrap().is_none(),
            "{damage}: last save lost"
        );
    }
}

#[test]
fn wrong_passphrase_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book");
    drop(Book::create(&path, "rahasia-uji", KdfParams::insecure_fast(), &init()).unwrap());
    let err = Book::open(&path, "salah").unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("passphrase"),
        "{err}"
    );
}

#[test]
fn the_household_index_follows_saves_merges_and_deletions() {
    let (mut a, mut b, _, id) = three_devices();
    assert_eq!(a.household_index().entries().len(), 1);
    let h2 = a
        .add_household(household("3471131804080009", "Jl. Nitikan 3"))
        .unwrap();
    a.commit("add").unwrap();
    b.edit_household(&id, |h| h.kepala_keluarga = "Sutrisno".into())
        .unwrap();
    b.commit("rename").unwrap();
    a.merge(&mut b).unwrap();
    let idx = a.household_index();
    assert_eq!(idx.entries().len(), 2);
    assert_eq!(
        idx.search(None, "sutrisno").len(),
        1,
        "merged edit is searchable"
    );
    assert_eq!(idx.search(None, "3471131206619606").len(), 2, "by NIK");
    assert_eq!(idx.search(Some(28), "").len(), 0);
    a.delete_household(&h2, "salah").unwrap();
    a.commit("del").unwrap();
    let ids: Vec<String> = a
        .household_index()
        .entries()
        .iter()
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(ids, vec![id.clone()]);
    // The incrementally kept index equals one built from scratch.
    let mut fresh = a.replica_for(Device::from_seed(9));
    assert_eq!(
        a.household_index().entries(),
        fresh.household_index().entries()
    );
}

/// A new passphrase has at least 8 characters (a 6-digit PIN falls to offline guessing in
/// about a core-day): a new book, a joined book's key and a passphrase change refuse a
/// shorter one, and nothing is written; a book keeps opening with its old passphrase.
#[test]
fn a_short_new_passphrase_is_refused_and_nothing_is_written() {
    use rukun_model::storage::{MIN_PASSPHRASE_CHARS, NewBookKey, StorageError};
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("book");
    let short = "123456";
    assert!(short.chars().count() < MIN_PASSPHRASE_CHARS);
    let err = Book::create(&path, short, KdfParams::insecure_fast(), &init()).unwrap_err();
    assert!(
        matches!(
            err,
            rukun_model::BookError::Storage(StorageError::PassphraseTooShort { min: 8 })
        ),
        "{err:?}"
    );
    assert!(!path.join("header.json").exists(), "no book was made");
    assert!(NewBookKey::derive(short, KdfParams::insecure_fast()).is_err());

    drop(Book::create(&path, "rahasia-uji", KdfParams::insecure_fast(), &init()).unwrap());
    let err = Book::change_passphrase(&path, "rahasia-uji", short, KdfParams::insecure_fast())
        .unwrap_err();
    assert!(matches!(
        err,
        rukun_model::BookError::Storage(StorageError::PassphraseTooShort { .. })
    ));
    Book::open(&path, "rahasia-uji").unwrap();
    assert!(Book::open(&path, short).is_err());
}
