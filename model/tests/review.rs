//! The meeting's review: conflicts listed with authors and settled by a person, deletions
//! that raced an edit, duplicate households merged (and unmerged) without losing anything.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rukun_model::{
    Book, Device, Donor, GroupInit, Household, Person, Pmks, RecordKind, Resolution,
};

fn init() -> GroupInit {
    GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28, 29, 30, 31],
        member_name: "Admin".into(),
    }
}

fn person(nik: &str, nama: &str) -> Person {
    Person {
        nik: rukun_model::rules::Nik::from_stored(nik),
        nama: nama.into(),
        ..Default::default()
    }
}

/// Admin's book plus volunteers A and B as members, all synced.
fn meeting() -> (Book, Book, Book) {
    let mut admin = Book::new_in_memory(Device::from_seed(10), &init()).unwrap();
    for (seed, name) in [(11, "Relawan A"), (12, "Relawan B")] {
        let d = Device::from_seed(seed);
        admin
            .add_member(d.member_id(), name, rukun_model::Role::Relawan, None)
            .unwrap();
    }
    admin.commit("members").unwrap();
    let a = admin.replica_for(Device::from_seed(11));
    let b = admin.replica_for(Device::from_seed(12));
    (admin, a, b)
}

fn sync(x: &mut Book, y: &mut Book) {
    x.merge(y).unwrap();
    y.merge(x).unwrap();
}

#[test]
fn a_pmks_code_set_differently_offline_is_one_conflict_until_someone_resolves_it() {
    let (_, mut a, mut b) = meeting();
    let mut h = Household {
        no_kk: rukun_model::rules::NoKk::from_stored("3471131804080001"),
        rt: 27,
        ..Default::default()
    };
    h.anggota
        .insert("p1".into(), person("3471131206619606", "Mbah Karto"));
    let hid = a.add_household(h).unwrap();
    let pid = a
        .add_pmks(Pmks {
            status: rukun_model::rules::PmksStatus::parse("teridentifikasi").unwrap(),
            ..Pmks::new(
                hid,
                Some("p1".into()),
                rukun_model::rules::PmksCode::new(24).unwrap(),
            )
        })
        .unwrap();
    a.commit("survey").unwrap();
    sync(&mut a, &mut b);

    let orig = a.pmks_record(&pid).unwrap().unwrap();
    let mut e = orig.clone();
    e.kode = rukun_model::rules::PmksCode::new(9).unwrap();
    a.save_pmks(&pid, &orig, &e).unwrap();
    a.commit("A: disabilitas").unwrap();
    let orig = b.pmks_record(&pid).unwrap().unwrap();
    let mut e = orig.clone();
    e.kode = rukun_model::rules::PmksCode::new(8).unwrap();
    b.save_pmks(&pid, &orig, &e).unwrap();
    b.commit("B: lansia").unwrap();
    sync(&mut a, &mut b);

    for book in [&a, &b] {
        let c = book.conflicts();
        assert_eq!(c.len(), 1, "{c:#?}");
        assert_eq!(c[0].kind, RecordKind::Pmks);
        assert_eq!(c[0].field, "kode");
        let mut codes: Vec<u64> = c[0]
            .values
            .iter()
            .map(|v| v.value.as_u64().unwrap())
            .collect();
        codes.sort();
        assert_eq!(codes, vec![8, 9]);
        let mut authors: Vec<String> = c[0]
            .values
            .iter()
            .map(|v| v.author_name.clone().unwrap())
            .collect();
        authors.sort();
        assert_eq!(authors, vec!["Relawan A", "Relawan B"]);
        assert!(
            c[0].values.iter().all(|v| v.at.is_some()),
            "each value says when"
        );
    }
    assert_eq!(a.conflicts(), b.conflicts(), "same list on both devices");

    // B picks "Lanjut Usia Terlantar" (8).
    let pick = b.conflicts()[0]
        .values
        .iter()
        .position(|v| v.value == 8)
        .unwrap();
    b.resolve_conflict(RecordKind::Pmks, &pid, "kode", Resolution::Pick(pick))
        .unwrap();
    b.commit("musyawarah: kode 8").unwrap();
    sync(&mut a, &mut b);
    for book in [&a, &b] {
        assert!(book.conflicts().is_empty());
        assert_eq!(book.pmks_record(&pid).unwrap().unwrap().kode.code(), 8);
    }
}

#[test]
fn a_new_value_is_validated_when_resolving() {
    let (_, mut a, mut b) = meeting();
    let pid = a
        .add_pmks(Pmks {
            status: rukun_model::rules::PmksStatus::parse("teridentifikasi").unwrap(),
            ..Pmks::new(
                "h".into(),
                None,
                rukun_model::rules::PmksCode::new(24).unwrap(),
            )
        })
        .unwrap();
    a.commit("x").unwrap();
    sync(&mut a, &mut b);
    for (book, code) in [(&mut a, 9u8), (&mut b, 8)] {
        let o = book.pmks_record(&pid).unwrap().unwrap();
        let mut e = o.clone();
        e.kode = rukun_model::rules::PmksCode::new(code).unwrap();
        book.save_pmks(&pid, &o, &e).unwrap();
        book.commit("edit").unwrap();
    }
    sync(&mut a, &mut b);
    assert!(
        a.resolve_conflict(
            RecordKind::Pmks,
            &pid,
            "kode",
            Resolution::Value("27".into())
        )
        .is_err()
    );
    assert!(
        a.resolve_conflict(
            RecordKind::Pmks,
            &pid,
            "kode",
            Resolution::Value("x".into())
        )
        .is_err()
    );
    assert!(
        a.resolve_conflict(RecordKind::Pmks, &pid, "kode", Resolution::Pick(5))
            .is_err()
    );
    a.resolve_conflict(
        RecordKind::Pmks,
        &pid,
        "kode",
        Resolution::Value("2".into()),
    )
    .unwrap();
    a.commit("resolve").unwrap();
    assert_eq!(a.pmks_record(&pid).unwrap().unwrap().kode.code(), 2);
    assert!(a.conflicts().is_empty());
}

#[test]
fn conflict_lists_are_the_same_whatever_the_sync_order() {
    let (mut admin, mut a, mut b) = meeting();
    let hid = admin
        .add_household(Household {
            no_kk: rukun_model::rules::NoKk::from_stored("3471131804080001"),
            rt: 27,
            alamat: "Jl. A".into(),
            ..Default::default()
        })
        .unwrap();
    admin.commit("h").unwrap();
    sync(&mut admin, &mut a);
    sync(&mut admin, &mut b);
    // A: two offline edits; the treasurer (admin) edits one of the same fields; B another.
    a.edit_household(&hid, |h| h.lantai = "Tanah".into())
        .unwrap();
    a.commit("a1").unwrap();
    a.edit_household(&hid, |h| h.atap = "Seng".into()).unwrap();
    a.commit("a2").unwrap();
    admin
        .edit_household(&hid, |h| h.lantai = "Keramik".into())
        .unwrap();
    admin.commit("t").unwrap();
    b.edit_household(&hid, |h| h.alamat = "Jl. B".into())
        .unwrap();
    b.commit("b").unwrap();
    let orders: [[usize; 3]; 3] = [[0, 1, 2], [2, 1, 0], [1, 2, 0]];
    let mut lists = Vec::new();
    for order in orders {
        let mut books = [
            admin.replica_for(Device::from_seed(10)),
            a.replica_for(Device::from_seed(11)),
            b.replica_for(Device::from_seed(12)),
        ];
        let [x, y, z] = &mut books;
        let all: [&mut Book; 3] = [x, y, z];
        let [p, q, r] = all;
        let seq: Vec<&mut Book> = vec![p, q, r];
        let mut seq = seq;
        // Pairwise syncs in the given order, twice round so everyone has everything.
        for _ in 0..2 {
            for w in order.windows(2) {
                let (i, j) = (w[0], w[1]);
                let (lo, hi) = if i < j { (i, j) } else { (j, i) };
                let (left, right) = seq.split_at_mut(hi);
                sync(left[lo], right[0]);
            }
        }
        for bk in seq.iter() {
            lists.push(bk.conflicts());
        }
    }
    for l in &lists[1..] {
        assert_eq!(l, &lists[0]);
    }
    assert_eq!(lists[0].len(), 1, "only lantai conflicts: {:#?}", lists[0]);
    assert_eq!(lists[0][0].field, "lantai");
}

#[test]
fn two_devices_setting_lantai_differently_list_one_conflict_with_both_values() {
    let (_, mut a, mut b) = meeting();
    let hid = a
        .add_household(Household {
            no_kk: rukun_model::rules::NoKk::from_stored("3471131804080001"),
            ..Default::default()
        })
        .unwrap();
    a.commit("h").unwrap();
    sync(&mut a, &mut b);
    a.edit_household(&hid, |h| h.lantai = "Tanah".into())
        .unwrap();
    a.commit("a").unwrap();
    b.edit_household(&hid, |h| h.lantai = "Keramik".into())
        .unwrap();
    b.commit("b").unwrap();
    sync(&mut a, &mut b);
    for book in [&a, &b] {
        let c = book.conflicts();
        assert_eq!(c.len(), 1);
        let mut v: Vec<&str> = c[0]
            .values
            .iter()
            .map(|v| v.value.as_str().unwrap())
            .collect();
        v.sort();
        assert_eq!(v, vec!["Keramik", "Tanah"]);
    }
}

#[test]
fn a_deleted_household_edited_concurrently_is_listed_with_the_edit_intact() {
    let (_, mut a, mut b) = meeting();
    let mut h = Household {
        no_kk: rukun_model::rules::NoKk::from_stored("3471131804080001"),
        rt: 28,
        ..Default::default()
    };
    h.anggota
        .insert("p1".into(), person("3471131206619606", "Bambang"));
    let hid = a.add_household(h).unwrap();
    a.commit("h").unwrap();
    sync(&mut a, &mut b);
    a.delete_household(&hid, "pindah").unwrap();
    a.commit("delete").unwrap();
    b.edit_household(&hid, |h| {
        h.anggota
            .insert("p2".into(), person("3471134404844241", "Fitri"));
    })
    .unwrap();
    b.commit("add member").unwrap();
    sync(&mut a, &mut b);
    for book in [&a, &b] {
        let listed = book.deleted_but_edited();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].record, hid);
        let h = book.household(&hid).unwrap().unwrap();
        assert!(h.anggota.contains_key("p2"), "B's member is intact");
        assert_eq!(h.anggota["p2"].nama, "Fitri");
    }
    // A deletion nobody raced is not listed.
    let h2 = a
        .add_household(Household {
            no_kk: rukun_model::rules::NoKk::from_stored("3471132306100002"),
            ..Default::default()
        })
        .unwrap();
    a.commit("h2").unwrap();
    a.delete_household(&h2, "salah input").unwrap();
    a.commit("del").unwrap();
    assert_eq!(a.deleted_but_edited().len(), 1);
    // Restoring brings it back.
    a.restore_household(&hid).unwrap();
    a.commit("restore").unwrap();
    assert!(a.deleted_but_edited().is_empty());
    assert!(a.household(&hid).unwrap().unwrap().is_live());
}

#[test]
fn the_same_house_surveyed_twice_is_found_and_merged_without_losing_anything() {
    let (_, mut a, mut b) = meeting();
    let mut h1 = Household {
        no_kk: rukun_model::rules::NoKk::from_stored("3471131208250001"),
        rt: 28,
        rw: 8,
        alamat: "Jl. Sidokabul 12".into(),
        kepala_keluarga: "Soedjono".into(),
        lantai: "Keramik".into(),
        ..Default::default()
    };
    h1.anggota
        .insert("a1".into(), person("3471131208700001", "Soedjono"));
    h1.anggota
        .insert("a2".into(), person("3471135505750002", "Sri Wahyuni"));
    let keep = a.add_household(h1).unwrap();
    a.commit("A survey").unwrap();
    let mut h2 = Household {
        no_kk: rukun_model::rules::NoKk::from_stored("3471130101250002"),
        rt: 28,
        rw: 8,
        alamat: "Jl Sidokabul No.12".into(),
        kepala_keluarga: "Sujono".into(),
        atap: "Genteng".into(),
        ..Default::default()
    };
    h2.anggota
        .insert("b1".into(), person("3471131208700001", "Sujono"));
    h2.anggota
        .insert("b2".into(), person("3471131010100003", "Bagus"));
    let other = b.add_household(h2).unwrap();
    let pmks = b
        .add_pmks(Pmks {
            status: rukun_model::rules::PmksStatus::parse("prioritas").unwrap(),
            ..Pmks::new(
                other.clone(),
                Some("b2".into()),
                rukun_model::rules::PmksCode::new(2).unwrap(),
            )
        })
        .unwrap();
    let donor = b
        .add_new_donor(Donor {
            kode: "D071".into(),
            nama: "Sujono".into(),
            rt: 28,
            household_id: Some(other.clone()),
            ..Default::default()
        })
        .unwrap()
        .0;
    b.commit("B survey").unwrap();
    sync(&mut a, &mut b);

    let dups = a.duplicate_households();
    assert_eq!(dups.len(), 1, "{dups:#?}");
    let pair = &dups[0];
    assert!([&pair.a, &pair.b].contains(&&keep) && [&pair.a, &pair.b].contains(&&other));
    assert!(pair.score > 0.5);
    assert!(!pair.evidence.is_empty());

    let stats_before = a.stats();
    let (mid, rec) = a.merge_households(&keep, &other).unwrap();
    a.commit("merge").unwrap();
    let h = a.household(&keep).unwrap().unwrap();
    let niks: Vec<&str> = h
        .live_people()
        .map(|(_, p)| rukun_model::rules::or_blank(&p.nik))
        .collect();
    assert_eq!(niks.len(), 3, "Soedjono once, Sri, Bagus: {niks:?}");
    assert_eq!(h.atap, "Genteng", "empty field filled from the other");
    assert_eq!(h.lantai, "Keramik");
    assert!(rec.differing_fields.iter().any(|f| f.starts_with("no_kk")));
    let p = a.pmks_record(&pmks).unwrap().unwrap();
    assert_eq!(p.household_id, keep);
    assert_eq!(p.person_id.as_deref(), Some("b2"));
    assert_eq!(
        a.donor(&donor).unwrap().unwrap().household_id.as_deref(),
        Some(keep.as_str())
    );
    let o = a.household(&other).unwrap().unwrap();
    assert_eq!(o.merged_into.as_deref(), Some(keep.as_str()));
    assert!(!o.is_live());
    assert!(a.duplicate_households().is_empty());
    let after = a.stats();
    assert_eq!(after.households, stats_before.households - 1);
    assert_eq!(after.persons, stats_before.persons - 1);
    assert_eq!(after.receipts, stats_before.receipts);
    assert_eq!(after.donors, stats_before.donors);

    // Undo.
    a.unmerge(&mid).unwrap();
    a.commit("unmerge").unwrap();
    assert_eq!(a.stats(), stats_before);
    assert_eq!(a.pmks_record(&pmks).unwrap().unwrap().household_id, other);
    assert_eq!(
        a.donor(&donor).unwrap().unwrap().household_id.as_deref(),
        Some(other.as_str())
    );
    assert!(a.household(&other).unwrap().unwrap().is_live());
    assert_eq!(a.household(&keep).unwrap().unwrap().atap, "");
    sync(&mut a, &mut b);
    assert_eq!(b.stats(), stats_before);
}
