//! One write path: each write a person makes on a screen and the matching `rukun` command
//! make the same change to the book. Two copies of one book folder (the same device, so
//! the same member id, receipt sequence and donor codes) are changed, one through the app
//! driven by label and role, the other through the CLI; afterwards every record of both
//! books is compared field by field (author included). Only what must differ is masked:
//! the clock (`*_at`, `diterima_pada`, a tombstone's heads) and the ids of records created
//! in the step (each copy draws its own UUIDs).
//!
//! Pairs: survey a new household (`household add`), edit it (`household edit`), add a
//! donor (`donor add`), issue a receipt (`receipt issue`), void it (`receipt void`), record
//! a santunan (`santunan add`), revoke a member (`revoke`), settle a conflict (`resolve`),
//! merge two records of one family (`merge-households`); and the whole year's: income from a
//! grant (`income`), an expense and its void (`expense add|void`), a meeting approving two
//! santunan paid in one tap (`meeting add|approve|pay`), a loan and two installments (`loan
//! add|repay`), a member of the register (`anggota add`), closing the month (`close-month`).
//! PMKS identification has no CLI command of its own (it comes in through `import`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{PASS, ok};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rukun_model::storage::KdfParams;
use rukun_model::{Book, Device, GroupInit, Household, Person};
use rukun_ui::{AppOptions, RukunApp};
use serde_json::Value;

fn harness(app: RukunApp) -> Harness<'static, RukunApp> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut RukunApp| app.show(ui), app)
}

fn options(book: &Path, settings: &Path) -> AppOptions {
    AppOptions {
        book_dir: Some(book.to_path_buf()),
        settings_path: Some(settings.to_path_buf()),
        fast_kdf: true,
        background: false,
        idle_lock: false,
        listen: false,
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        known_peers: Vec::new(),
    }
}

/// Types `text` into the `nth` input labelled `label`, replacing what it held.
fn fill(h: &mut Harness<'_, RukunApp>, label: &str, nth: usize, text: &str) {
    let role = if label.contains("sandi") {
        Role::PasswordInput
    } else {
        Role::TextInput
    };
    let input = |h: &Harness<'_, RukunApp>| {
        h.get_all_by_role_and_label(role, label)
            .nth(nth)
            .unwrap_or_else(|| panic!("no input labelled {label:?} #{nth}"))
            .value()
            .unwrap_or_default()
    };
    if !input(h).is_empty() {
        h.get_all_by_role_and_label(role, label)
            .nth(nth)
            .unwrap()
            .set_text_value_accesskit(text);
        h.run_ok();
    } else {
        h.get_all_by_role_and_label(role, label)
            .nth(nth)
            .unwrap()
            .focus();
        h.run_ok();
        h.get_all_by_role_and_label(role, label)
            .nth(nth)
            .unwrap()
            .type_text(text);
        h.run_ok();
    }
    if role == Role::TextInput {
        assert_eq!(input(h), text, "input {label:?} #{nth}");
    }
}

fn click(h: &mut Harness<'_, RukunApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).scroll_to_me();
    h.run_ok();
    h.get_by_role_and_label(Role::Button, label).click();
    h.run_ok();
}

fn click_contains(h: &mut Harness<'_, RukunApp>, part: &str) {
    h.get_by_label_contains(part).scroll_to_me();
    h.run_ok();
    h.get_by_label_contains(part).click();
    h.run_ok();
}

fn household(kk: &str, kepala: &str, alamat: &str) -> Household {
    Household {
        no_kk: rukun_model::rules::NoKk::from_stored(kk),
        kepala_keluarga: kepala.into(),
        alamat: alamat.into(),
        rt: 27,
        rw: 8,
        ..Default::default()
    }
}

/// The book both copies start from: a family with a person (for the santunan), a member
/// to revoke, a field edited on two devices (a conflict) and one family surveyed twice.
struct Base {
    karto: String,
    sastro: String,
    lost: rukun_model::MemberId,
}

fn base_book(dir: &Path) -> Base {
    let init = GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28],
        member_name: "Bu Sri".into(),
    };
    let mut a = Book::create(dir, PASS, KdfParams::insecure_fast(), &init).unwrap();
    let mut karto = household("3471131804080001", "Karto Wiyono", "Gg. Mawar No. 12");
    karto.anggota.insert(
        "p1".into(),
        Person {
            nik: rukun_model::rules::Nik::from_stored("3471131206500001"),
            nama: "Karto Wiyono".into(),
            jenis_kelamin: "L".into(),
            tanggal_lahir: "1950-06-12".into(),
            ..Default::default()
        },
    );
    let karto = a.add_household(karto).unwrap();
    let sastro = a
        .add_household(household("3471131804080002", "Sastro", "Gg. Melati No. 3"))
        .unwrap();
    a.commit("survey").unwrap();
    let lost = Device::from_seed(77).member_id().clone();
    a.add_member(&lost, "HP lama", rukun_model::Role::Relawan, None)
        .unwrap();
    let mut b = a.replica_for(Device::from_seed(2));
    a.edit_household(&sastro, |h| h.lantai = "Keramik".into())
        .unwrap();
    a.commit("a").unwrap();
    b.edit_household(&sastro, |h| h.lantai = "Tanah".into())
        .unwrap();
    b.commit("b").unwrap();
    a.add_household(household("3471131804080003", "Parjo", "Gg. Kenanga No. 5"))
        .unwrap();
    a.commit("Parjo").unwrap();
    b.add_household(household("3471131804080003", "Parjo S.", "Gg. Kenanga 5"))
        .unwrap();
    b.commit("Parjo again").unwrap();
    a.merge(&mut b).unwrap();
    a.compact().unwrap();
    Base {
        karto,
        sastro,
        lost,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Every record of the book, by table and id, as JSON.
fn records(dir: &Path) -> BTreeMap<&'static str, BTreeMap<String, Value>> {
    let book = open(dir);
    fn to_json<T: serde::Serialize>(v: Vec<(String, T)>) -> BTreeMap<String, Value> {
        v.into_iter()
            .map(|(id, r)| (id, serde_json::to_value(r).unwrap()))
            .collect()
    }
    let mut out = BTreeMap::new();
    out.insert("households", to_json(book.households()));
    out.insert("donors", to_json(book.donors()));
    out.insert("receipts", to_json(book.receipts()));
    out.insert("voids", to_json(book.voids()));
    out.insert("disbursements", to_json(book.disbursements()));
    out.insert("meetings", to_json(book.meetings()));
    out.insert("pmks", to_json(book.pmks()));
    out.insert("expenses", to_json(book.expenses()));
    out.insert("approvals", to_json(book.approvals()));
    out.insert("loans", to_json(book.loans()));
    out.insert("register", to_json(book.register()));
    out.insert("natura", to_json(book.natura()));
    out.insert("closings", to_json(book.closings()));
    out.insert(
        "members",
        book.members()
            .into_iter()
            .map(|(id, m)| (id.to_string(), serde_json::to_value(m).unwrap()))
            .collect(),
    );
    out
}

/// Opens a book folder, waiting a moment if the app still holds it.
fn open(dir: &Path) -> Book {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match Book::open(dir, PASS) {
            Ok(b) => return b,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => panic!("open {}: {e}", dir.display()),
        }
    }
}

/// Masks the clock and the ids of records new in this book (`fresh`).
fn canon(v: &Value, fresh: &BTreeSet<String>) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    // A payment's bukti number (`PGL-…`, `SNT-…`) is made from its new id.
                    let from_id = k == "nomor"
                        && v.as_str()
                            .is_some_and(|n| n.starts_with("PGL-") || n.starts_with("SNT-"));
                    let masked = from_id
                        || matches!(
                            k.as_str(),
                            "created_at"
                                | "updated_at"
                                | "added_at"
                                | "at"
                                | "diterima_pada"
                                | "heads"
                        );
                    let v = if masked {
                        Value::String("<clock>".into())
                    } else {
                        canon(v, fresh)
                    };
                    let k = if fresh.contains(k) {
                        "<new id>".into()
                    } else {
                        k.clone()
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| canon(v, fresh)).collect()),
        Value::String(s) if fresh.contains(s) => Value::String("<new id>".into()),
        other => other.clone(),
    }
}

/// Asserts both copies hold the same records: records both have are compared field by
/// field; records only one has (created in this run) are compared as sorted sets.
fn assert_same(
    ui: &BTreeMap<&'static str, BTreeMap<String, Value>>,
    cli: &BTreeMap<&'static str, BTreeMap<String, Value>>,
) {
    let ids = |m: &BTreeMap<&'static str, BTreeMap<String, Value>>| -> BTreeSet<String> {
        m.values().flat_map(|t| t.keys().cloned()).collect()
    };
    let (ui_ids, cli_ids) = (ids(ui), ids(cli));
    let fresh: BTreeSet<String> = ui_ids.symmetric_difference(&cli_ids).cloned().collect();
    for (table, ui_t) in ui {
        let cli_t = &cli[table];
        for (id, u) in ui_t {
            if let Some(c) = cli_t.get(id) {
                assert_eq!(
                    canon(u, &fresh),
                    canon(c, &fresh),
                    "{table} {id}: the app and the CLI wrote different things"
                );
            }
        }
        let only = |t: &BTreeMap<String, Value>, other: &BTreeMap<String, Value>| {
            let mut v: Vec<String> = t
                .iter()
                .filter(|(id, _)| !other.contains_key(*id))
                .map(|(_, r)| canon(r, &fresh).to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            only(ui_t, cli_t),
            only(cli_t, ui_t),
            "{table}: the records the app created differ from the CLI's"
        );
    }
}

#[test]
fn every_screen_write_matches_its_cli_command() {
    let tmp = tempfile::tempdir().unwrap();
    let base_dir = tmp.path().join("base");
    let base = base_book(&base_dir);
    let (ui_dir, cli_dir) = (tmp.path().join("app"), tmp.path().join("cli"));
    copy_dir(&base_dir, &ui_dir);
    copy_dir(&base_dir, &cli_dir);
    let before = records(&base_dir);

    // ---- The app, by label and role, on one copy.
    let settings = tmp.path().join("settings.json");
    let mut h = harness(RukunApp::new(options(&ui_dir, &settings)));
    h.run_ok();
    fill(&mut h, "Kata sandi / PIN", 0, PASS);
    click(&mut h, "Buka");
    assert!(h.state().is_open());

    // A new household.
    click(&mut h, "Rumah Tangga");
    click(&mut h, "+ Survei baru");
    fill(&mut h, "Nomor KK", 0, "3471131804080009");
    fill(&mut h, "Nama kepala keluarga", 0, "Wagiman");
    fill(&mut h, "Alamat", 0, "Gg. Anggrek No. 1");
    click(&mut h, "Simpan rumah tangga");
    h.get_by_label("Tersimpan.");
    // The same family again is refused by the model, with the field named.
    click(&mut h, "+ Survei baru");
    fill(&mut h, "Nomor KK", 0, "3471131804080009");
    fill(&mut h, "Nama kepala keluarga", 0, "Wagiman lagi");
    fill(&mut h, "Alamat", 0, "Gg. Anggrek 1");
    click(&mut h, "Simpan rumah tangga");
    h.get_by_label_contains("Nomor KK 3471131804080009 sudah ada di buku (Wagiman)");
    // An edit of an existing household.
    click_contains(&mut h, "Karto Wiyono\n");
    fill(&mut h, "Alamat", 0, "Gg. Mawar No. 14");
    click(&mut h, "Simpan rumah tangga");
    h.get_by_label("Tersimpan.");

    // A donor, a receipt, and its void.
    click(&mut h, "Donatur & Kuitansi");
    click(&mut h, "+ Tambah donatur");
    fill(&mut h, "Nama", 0, "Hartono Hidayat");
    fill(&mut h, "Iuran bulanan (Rp)", 0, "5.000");
    click(&mut h, "Simpan donatur");
    click(&mut h, "Ganti");
    click_contains(&mut h, "Hartono Hidayat\n");
    click(&mut h, "Rp10.000");
    click(&mut h, "3. Terbitkan kuitansi Rp10.000");
    let nomor = h
        .get_by_label_contains("No. 27-")
        .value()
        .unwrap_or_default()
        .trim_start_matches("No. ")
        .to_string();
    click(&mut h, "Kuitansi berikutnya");
    click(&mut h, &format!("Batalkan {nomor}"));
    fill(&mut h, "Alasan pembatalan", 0, "salah tulis");
    click(&mut h, "Ya, batalkan");

    // A santunan to Karto.
    click(&mut h, "Santunan");
    click(&mut h, "+ Catat santunan");
    fill(&mut h, "Cari penerima (nama atau NIK)", 0, "Karto");
    click_contains(&mut h, "Karto Wiyono · RT 027");
    fill(&mut h, "Jumlah (Rp)", 0, "40.000");
    fill(&mut h, "Tanggal", 0, "02/01/2026");
    click(&mut h, "Simpan santunan");
    h.get_by_label("Tersimpan.");

    // Revoke the lost phone.
    click(&mut h, "Sinkron");
    click(&mut h, "Cabut HP lama");
    click(&mut h, "Ya, cabut HP lama");

    // Tinjau: settle the conflict, merge the family surveyed twice.
    click(&mut h, "Tinjau");
    click_contains(&mut h, "Pakai: Keramik");
    h.get_by_label("Perubahan bersamaan (0)");
    click_contains(&mut h, "Gabungkan, simpan");
    h.get_by_label_contains("Digabungkan.");
    click(&mut h, "Kunci");
    drop(h);
    let ui = records(&ui_dir);

    // ---- The same through `rukun`, on the other copy.
    let b = cli_dir.as_path();
    let new_hh = ok(
        b,
        &[
            "household",
            "add",
            "--kk",
            "3471131804080009",
            "--rt",
            "27",
            "--alamat",
            "Gg. Anggrek No. 1",
            "--kepala",
            "Wagiman",
        ],
    );
    assert!(!new_hh.trim().is_empty());
    let dup = common::run(
        b,
        &[
            "household",
            "add",
            "--kk",
            "3471131804080009",
            "--rt",
            "27",
            "--alamat",
            "",
            "--kepala",
            "Wagiman lagi",
        ],
    );
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("no_kk"));
    ok(
        b,
        &[
            "household",
            "edit",
            &base.karto,
            "--set",
            "alamat=Gg. Mawar No. 14",
        ],
    );
    let kode = ok(
        b,
        &[
            "donor",
            "add",
            "--name",
            "Hartono Hidayat",
            "--rt",
            "27",
            "--pledge",
            "5.000",
        ],
    );
    let today = rukun_model::rules::today_wib();
    let untuk = format!(
        "Iuran {} {}",
        rukun_model::rules::month_name(chrono::Datelike::month(&today)),
        chrono::Datelike::year(&today)
    );
    let issued = ok(
        b,
        &[
            "receipt",
            "issue",
            "--donor",
            kode.trim(),
            "--amount",
            "10000",
            "--for",
            &untuk,
        ],
    );
    assert!(
        issued.contains(&nomor),
        "same number on both: {nomor}\n{issued}"
    );
    ok(b, &["receipt", "void", &nomor, "--reason", "salah tulis"]);
    ok(
        b,
        &[
            "santunan",
            "add",
            "--nik",
            "3471131206500001",
            "--jenis",
            "sembako",
            "--amount",
            "40000",
            "--date",
            "02/01/2026",
        ],
    );
    ok(
        b,
        &[
            "revoke",
            base.lost.as_str(),
            "--reason",
            "dicabut dari aplikasi (perangkat hilang)",
        ],
    );
    ok(
        b,
        &["resolve", &base.sastro, "lantai", "--value", "Keramik"],
    );
    // The app kept one of the two records of the family; the CLI keeps the same one.
    let parjo: Vec<(&String, bool)> = ui["households"]
        .iter()
        .filter(|(_, h)| h["no_kk"] == "3471131804080003")
        .map(|(id, h)| (id, h["deleted"].is_null()))
        .collect();
    assert_eq!(parjo.len(), 2, "{parjo:?}");
    let keep = parjo.iter().find(|(_, live)| *live).unwrap().0;
    let other = parjo.iter().find(|(_, live)| !*live).unwrap().0;
    ok(b, &["merge-households", keep, other]);
    let cli = records(&cli_dir);

    // ---- Both changed the book, and in the same way.
    for table in [
        "households",
        "donors",
        "receipts",
        "voids",
        "disbursements",
        "members",
    ] {
        assert_ne!(before[table], ui[table], "the app changed no {table}");
    }
    assert_same(&ui, &cli);
    let me = open(&ui_dir).member_id().to_string();
    let donor = ui["donors"]
        .values()
        .find(|d| d["nama"] == "Hartono Hidayat")
        .unwrap();
    assert_eq!(donor["created_by"], me.as_str(), "stamped with this device");
    assert_eq!(
        donor["kode"],
        kode.trim(),
        "the same code from the device's sequence"
    );
}

/// Picks `option` in the combo box labelled `label`.
fn pick(h: &mut Harness<'_, RukunApp>, label: &str, option: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_ok();
    h.get_by_label(label).click();
    h.run_ok();
    h.get_by_role_and_label(Role::Button, option).click();
    h.run_ok();
}

#[test]
fn every_kas_screen_write_matches_its_cli_command() {
    let tmp = tempfile::tempdir().unwrap();
    let base_dir = tmp.path().join("base");
    base_book(&base_dir);
    let (ui_dir, cli_dir) = (tmp.path().join("app"), tmp.path().join("cli"));
    copy_dir(&base_dir, &ui_dir);
    copy_dir(&base_dir, &cli_dir);
    let before = records(&base_dir);
    const NIK: &str = "3471131206500001";
    let today = rukun_model::rules::today_wib();
    let month = rukun_model::rules::YearMonth::of_date(today);
    let judul = format!("Musyawarah {month}");
    let kode = format!("PJ-{}-01", month.year());

    // ---- The app, by label and role, on one copy.
    let settings = tmp.path().join("settings.json");
    let mut h = harness(RukunApp::new(options(&ui_dir, &settings)));
    h.run_ok();
    fill(&mut h, "Kata sandi / PIN", 0, PASS);
    click(&mut h, "Buka");
    click(&mut h, "Kas");
    // A grant.
    click(&mut h, "Catat pemasukan");
    fill(&mut h, "Nama sumber", 0, "Dinas Sosial Kota Yogyakarta");
    fill(&mut h, "Jumlah (Rp)", 0, "1.000.000");
    click(&mut h, "Simpan & terbitkan kuitansi");
    // An expense, then its void.
    h.get_by_label("Pengeluaran").click();
    h.run_ok();
    click(&mut h, "Catat pengeluaran");
    pick(&mut h, "Kategori", "SPP sekolah");
    fill(&mut h, "Dibayar kepada", 0, "SD Negeri Sorosutan 1");
    fill(&mut h, "Jumlah (Rp)", 0, "150.000");
    click(&mut h, "Simpan pengeluaran");
    click(&mut h, "Batalkan");
    fill(&mut h, "Alasan pembatalan", 0, "salah catat");
    click(&mut h, "Ya, batalkan pembayaran ini");
    // A meeting approving two santunan, paid in one tap.
    h.get_by_label("Musyawarah").click();
    h.run_ok();
    click(&mut h, "Musyawarah baru");
    fill(&mut h, "Tempat", 0, "Balai RW 08");
    click(&mut h, "Tambah penerima");
    click(&mut h, "Tambah penerima");
    for (i, amount) in ["40.000", "35.000"].into_iter().enumerate() {
        fill(&mut h, "NIK penerima", i, NIK);
        fill(&mut h, "Jumlah (Rp)", i, amount);
    }
    click(&mut h, "Simpan musyawarah");
    click(&mut h, "Bayar sesuai keputusan (2)");
    // A loan and two installments.
    h.get_by_label("Pinjaman").click();
    h.run_ok();
    click(&mut h, "Pinjaman baru");
    fill(&mut h, "NIK peminjam", 0, NIK);
    fill(&mut h, "Nama peminjam", 0, "Karto Wiyono");
    fill(&mut h, "Usaha", 0, "warung");
    fill(&mut h, "Jumlah (Rp)", 0, "1.000.000");
    click(&mut h, "Simpan pinjaman");
    for _ in 0..2 {
        click(&mut h, "Catat angsuran");
        click(&mut h, "Simpan angsuran & terbitkan kuitansi");
    }
    // A member of the register.
    h.get_by_label("Anggota").click();
    h.run_ok();
    click(&mut h, "Anggota baru");
    fill(&mut h, "Nama", 0, "Karto Wiyono");
    fill(&mut h, "NIK", 0, NIK);
    fill(&mut h, "RT", 0, "27");
    pick(&mut h, "Jabatan", "Bendahara I");
    fill(&mut h, "Iuran wajib per bulan (Rp)", 0, "2.000");
    click(&mut h, "Simpan anggota");
    // The month closed.
    click(&mut h, "Laporan");
    click(&mut h, &format!("Tutup buku {}", month.label()));
    h.get_by_label("Bulan ini sudah ditutup.");
    click(&mut h, "Kunci");
    drop(h);
    let ui = records(&ui_dir);

    // ---- The same through `rukun`, on the other copy.
    let b = cli_dir.as_path();
    ok(
        b,
        &[
            "income",
            "--source",
            "hibah",
            "--from",
            "Dinas Sosial Kota Yogyakarta",
            "--amount",
            "1.000.000",
        ],
    );
    let expense = ok(
        b,
        &[
            "expense",
            "add",
            "--category",
            "spp",
            "--to",
            "SD Negeri Sorosutan 1",
            "--amount",
            "150.000",
        ],
    );
    ok(
        b,
        &["expense", "void", expense.trim(), "--reason", "salah catat"],
    );
    ok(
        b,
        &[
            "meeting",
            "add",
            "--title",
            &judul,
            "--place",
            "Balai RW 08",
        ],
    );
    for amount in ["40.000", "35.000"] {
        ok(
            b,
            &[
                "meeting",
                "approve",
                "--meeting",
                &judul,
                "--nik",
                NIK,
                "--jenis",
                "sembako",
                "--amount",
                amount,
            ],
        );
    }
    ok(b, &["meeting", "pay", &judul]);
    ok(
        b,
        &[
            "loan",
            "add",
            "--code",
            &kode,
            "--nik",
            NIK,
            "--name",
            "Karto Wiyono",
            "--business",
            "warung",
            "--amount",
            "1.000.000",
            "--months",
            "10",
        ],
    );
    for _ in 0..2 {
        ok(b, &["loan", "repay", &kode, "--amount", "100.000"]);
    }
    ok(
        b,
        &[
            "anggota",
            "add",
            "--no",
            "WR-001",
            "--name",
            "Karto Wiyono",
            "--nik",
            NIK,
            "--rt",
            "27",
            "--position",
            "Bendahara I",
            "--dues",
            "2.000",
        ],
    );
    ok(b, &["close-month", &month.to_string()]);
    let cli = records(&cli_dir);

    // Both wrote something, and the same.
    for table in [
        "receipts",
        "expenses",
        "voids",
        "approvals",
        "disbursements",
        "loans",
        "register",
        "closings",
    ] {
        assert!(
            ui[table].len() > before[table].len(),
            "{table}: the app wrote nothing"
        );
    }
    assert_eq!(ui["disbursements"].len(), before["disbursements"].len() + 2);
    assert_same(&ui, &cli);
}
