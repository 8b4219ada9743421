//! UU 27/2022: nothing readable at rest, damaged chunks detected, consent before specific
//! personal data, and a person's data with its processing history on request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use rukun_model::{
    Book, BookError, Consent, Device, GroupInit, Household, ImportKind, Person, Pmks, import_csv,
    storage::KdfParams,
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

/// A file of the reference data folder `data/rw08` of the repository.
fn data(file: &str) -> Vec<u8> {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/rw08")).join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn all_bytes_under(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_bytes_under(&p, out);
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
}

#[test]
fn no_nik_or_name_is_readable_anywhere_under_the_book_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book");
    let mut book = Book::create(&path, "kata sandi", KdfParams::insecure_fast(), &init()).unwrap();
    import_csv(
        &mut book,
        ImportKind::Penduduk,
        &data("rw08-penduduk.csv"),
        &mut |_| {},
    )
    .unwrap();
    book.commit("x").unwrap();
    // Some saves stay as chunks, some in the snapshot.
    book.compact().unwrap();
    let id = book
        .add_household(Household {
            no_kk: rukun_model::rules::NoKk::from_stored("3471131208250001"),
            kepala_keluarga: "Soedjono Rahasia".into(),
            ..Default::default()
        })
        .unwrap();
    book.commit("one more").unwrap();
    assert!(book.household(&id).unwrap().is_some());
    let people: Vec<(String, String)> = book
        .households()
        .into_iter()
        .flat_map(|(_, h)| {
            h.anggota
                .into_values()
                .map(|p| (rukun_model::rules::or_blank(&p.nik).to_string(), p.nama))
        })
        .collect();
    assert_eq!(people.len(), 858);
    drop(book);
    let mut files = Vec::new();
    all_bytes_under(&path, &mut files);
    assert!(files.len() >= 4);
    let mut needles: Vec<Vec<u8>> = people
        .iter()
        .take(200)
        .flat_map(|(nik, nama)| [nik.as_bytes().to_vec(), nama.as_bytes().to_vec()])
        .filter(|n| n.len() >= 8)
        .collect();
    needles.push(b"Soedjono Rahasia".to_vec());
    needles.push(b"kata sandi".to_vec());
    for (name, bytes) in &files {
        for n in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_slice()),
                "{} found in {name}",
                String::from_utf8_lossy(n)
            );
        }
    }
    // With the right passphrase it opens; with a wrong one it refuses clearly.
    assert_eq!(
        Book::open(&path, "kata sandi").unwrap().stats().persons,
        858
    );
    let err = Book::open(&path, "kata salah").unwrap_err();
    assert!(err.to_string().contains("passphrase"), "{err}");
}

#[test]
fn a_flipped_byte_in_a_chunk_is_detected_and_independent_changes_still_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book");
    let mut book = Book::create(&path, "kata sandi", KdfParams::insecure_fast(), &init()).unwrap();
    // Another device's change that depends only on the founding state.
    let mut other = book.replica_for(Device::from_seed(5));
    let theirs = other
        .add_household(Household {
            no_kk: rukun_model::rules::NoKk::from_stored("3471132306100002"),
            ..Default::default()
        })
        .unwrap();
    other.commit("theirs").unwrap();
    let h1 = book
        .add_household(Household {
            no_kk: rukun_model::rules::NoKk::from_stored("3471131804080001"),
            ..Default::default()
        })
        .unwrap();
    book.commit("first").unwrap(); // chunk 1
    let h2 = book
        .add_household(Household {
            no_kk: rukun_model::rules::NoKk::from_stored("3471131804080002"),
            ..Default::default()
        })
        .unwrap();
    book.commit("second").unwrap(); // chunk 2 (to damage)
    let h3 = book
        .add_household(Household {
            no_kk: rukun_model::rules::NoKk::from_stored("3471131804080003"),
            ..Default::default()
        })
        .unwrap();
    book.commit("third").unwrap(); // chunk 3, depends on chunk 2
    book.merge(&mut other).unwrap();
    book.persist_merged().unwrap(); // chunk 4: independent of chunk 2
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
    assert_eq!(chunks.len(), 4, "{chunks:?}");
    let victim = &chunks[1];
    let mut bytes = std::fs::read(victim).unwrap();
    let at = bytes.len() - 5;
    bytes[at] ^= 1;
    std::fs::write(victim, bytes).unwrap();
    let book = Book::open(&path, "kata sandi").unwrap();
    assert!(
        book.warnings()
            .iter()
            .any(|w| w.contains(&victim.file_name().unwrap().to_string_lossy().to_string())),
        "the user is told which file: {:?}",
        book.warnings()
    );
    assert!(book.household(&h1).unwrap().is_some());
    assert!(
        book.household(&theirs).unwrap().is_some(),
        "independent change opens"
    );
    assert!(book.household(&h2).unwrap().is_none());
    assert!(
        book.household(&h3).unwrap().is_none(),
        "depends on the damaged chunk"
    );
}

#[test]
fn specific_personal_data_needs_recorded_consent() {
    let mut book = Book::new_in_memory(Device::from_seed(1), &init()).unwrap();
    let mut h = Household {
        no_kk: rukun_model::rules::NoKk::from_stored("3471131804080001"),
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
    let id = book.add_household(h).unwrap();
    book.commit("survey").unwrap();
    // A disability answer without consent is refused, naming the missing consent.
    let err = book
        .edit_household(&id, |h| {
            h.anggota.get_mut("p1").unwrap().disabilitas = "Kesulitan berjalan (3)".into()
        })
        .unwrap_err();
    assert!(
        matches!(&err, BookError::ConsentMissing { field } if field == "anggota.p1.disabilitas"),
        "{err}"
    );
    assert!(err.to_string().contains("persetujuan") && err.to_string().contains("consent"));
    assert_eq!(
        book.household(&id).unwrap().unwrap().anggota["p1"].disabilitas,
        "",
        "nothing stored"
    );
    let err = book
        .edit_household(&id, |h| {
            h.penghasilan_bulanan = Some(rukun_model::rules::Rupiah::from_whole(900_000).unwrap())
        })
        .unwrap_err();
    assert!(matches!(err, BookError::ConsentMissing { .. }));
    // PMKS 16 and 17 are health data too.
    let err = book
        .add_pmks(Pmks {
            ..Pmks::new(
                id.clone(),
                Some("p1".into()),
                rukun_model::rules::PmksCode::new(17).unwrap(),
            )
        })
        .unwrap_err();
    assert!(matches!(err, BookError::ConsentMissing { .. }));
    // With consent it saves.
    book.edit_household(&id, |h| {
        h.persetujuan = Some(Consent {
            tanggal: "2025-08-17".into(),
            dijelaskan_oleh: "Bu Sri".into(),
            tujuan: "pendataan dan santunan".into(),
            masa_simpan: "5 tahun".into(),
            penanda_tangan: "Bambang".into(),
        });
        h.anggota.get_mut("p1").unwrap().disabilitas = "Kesulitan berjalan (3)".into();
    })
    .unwrap();
    book.commit("with consent").unwrap();
    assert_eq!(
        book.household(&id).unwrap().unwrap().anggota["p1"].disabilitas,
        "Kesulitan berjalan (3)"
    );
    book.add_pmks(Pmks {
        ..Pmks::new(
            id,
            Some("p1".into()),
            rukun_model::rules::PmksCode::new(17).unwrap(),
        )
    })
    .unwrap();
}

#[test]
fn a_person_export_lists_every_edit_with_author_and_time() {
    let mut admin = Book::new_in_memory(Device::from_seed(1), &init()).unwrap();
    let relawan = Device::from_seed(2);
    admin
        .add_member(
            relawan.member_id(),
            "Relawan Dewi",
            rukun_model::Role::Relawan,
            None,
        )
        .unwrap();
    let mut h = Household {
        no_kk: rukun_model::rules::NoKk::from_stored("3471131804080001"),
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
    h.anggota.insert(
        "p2".into(),
        Person {
            nik: rukun_model::rules::Nik::from_stored("3471135410712284"),
            nama: "Sumiyati".into(),
            ..Default::default()
        },
    );
    let id = admin.add_household(h).unwrap();
    admin.commit("survei rumah tangga").unwrap();
    let mut dewi = admin.replica_for(relawan);
    dewi.edit_household(&id, |h| {
        h.anggota.get_mut("p1").unwrap().pekerjaan = "Pedagang".into()
    })
    .unwrap();
    dewi.commit("ubah pekerjaan").unwrap();
    // An edit of someone else is not in Bambang's history.
    dewi.edit_household(&id, |h| {
        h.anggota.get_mut("p2").unwrap().pekerjaan = "Guru".into()
    })
    .unwrap();
    dewi.commit("ubah pekerjaan istri").unwrap();
    admin.merge(&mut dewi).unwrap();
    let e = admin.person_export("3471131206619606").unwrap();
    assert_eq!(e.person.nama, "Bambang");
    assert_eq!(e.person.pekerjaan, "Pedagang");
    assert!(!e.notice.is_empty());
    let authors: Vec<_> = e
        .history
        .iter()
        .map(|h| h.member_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        authors,
        vec!["Bu Sri".to_string(), "Relawan Dewi".to_string()],
        "{:#?}",
        e.history
    );
    assert!(
        e.history.iter().all(|h| h.at.starts_with("20")),
        "each entry has a time"
    );
    assert_eq!(
        e.history[1].fields.get("pekerjaan").map(String::as_str),
        Some("\"Pedagang\"")
    );
    assert!(
        e.history
            .iter()
            .all(|h| !h.fields.values().any(|v| v.contains("Guru")))
    );
    let html = rukun_model::person_export_html(&e);
    assert!(html.contains("Relawan Dewi") && html.contains("Riwayat pemrosesan"));
    assert!(matches!(
        admin.person_export("3471130000000000"),
        Err(BookError::NotFound { .. })
    ));
}
