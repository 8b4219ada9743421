//! A volunteer's day in the app, driven by label and role only (egui_kittest): create a
//! group, survey a household with three members, identify one as Lanjut Usia Terlantar,
//! issue a Rp10.000 receipt, see Beranda's balance change, switch to English and back, lock
//! and unlock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rukun_ui::{AppOptions, RukunApp};

const PASS: &str = "rahasia-uji";

fn harness(app: RukunApp, size: [f32; 2]) -> Harness<'static, RukunApp> {
    Harness::builder()
        .with_size(size)
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut RukunApp| app.show(ui), app)
}

/// The app on a book folder `book` under `dir`, in the foreground, not listening.
fn options(dir: &std::path::Path, settings: std::path::PathBuf) -> AppOptions {
    AppOptions {
        book_dir: Some(dir.join("book")),
        settings_path: Some(settings),
        fast_kdf: true,
        background: false,
        idle_lock: false,
        listen: false,
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        known_peers: Vec::new(),
    }
}

/// Types `text` into the input labelled `label` (the `nth` one with that label).
fn fill(h: &mut Harness<'_, RukunApp>, label: &str, nth: usize, text: &str) {
    h.get_all_by_label(label)
        .nth(nth)
        .unwrap_or_else(|| panic!("no input labelled {label:?} #{nth}"))
        .focus();
    h.run_ok();
    h.get_all_by_label(label).nth(nth).unwrap().type_text(text);
    h.run_ok();
}

/// Scrolls the button labelled `label` into view and clicks it.
fn click(h: &mut Harness<'_, RukunApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).scroll_to_me();
    h.run_ok();
    h.get_by_role_and_label(Role::Button, label).click();
    h.run_ok();
}

/// Clicks the button whose label contains `part`.
fn click_contains(h: &mut Harness<'_, RukunApp>, part: &str) {
    h.get_by_label_contains(part).scroll_to_me();
    h.run_ok();
    h.get_by_label_contains(part).click();
    h.run_ok();
}

/// Opens a combo box by its label and picks the option shown as `option`.
fn pick(h: &mut Harness<'_, RukunApp>, label: &str, option: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_ok();
    h.get_by_label(label).click();
    h.run_ok();
    h.get_by_role_and_label(Role::Button, option).click();
    h.run_ok();
}

#[test]
fn a_volunteers_day_by_label_and_role() {
    let tmp = tempfile::tempdir().unwrap();
    let settings = tmp.path().join("config").join("settings.json");
    let app = RukunApp::new(options(tmp.path(), settings.clone()));
    let mut h = harness(app, [1280.0, 800.0]);
    h.run_ok();

    // First start: create a group.
    click(&mut h, "Buat kelompok baru");
    fill(&mut h, "Nama kelompok", 0, "Warga Rukun");
    fill(&mut h, "Kelurahan / desa", 0, "Sorosutan");
    fill(&mut h, "Kode wilayah (Kemendagri)", 0, "34.71.13.1006");
    fill(&mut h, "RW", 0, "8");
    fill(
        &mut h,
        "RT yang dilayani (pisahkan dengan koma)",
        0,
        "27, 28",
    );
    fill(&mut h, "Nama Anda", 0, "Bu Sri");
    fill(&mut h, "Kata sandi / PIN", 0, PASS);
    fill(&mut h, "Ulangi kata sandi / PIN", 0, PASS);
    click(&mut h, "Buat kelompok");
    assert!(h.state().is_open(), "the group's book is open");
    assert!(tmp.path().join("book").join("header.json").exists());
    h.get_by_label("Saldo kas");
    h.get_by_label("Rp0");

    // Survey a household with three members.
    click(&mut h, "Rumah Tangga");
    click(&mut h, "+ Survei baru");
    fill(&mut h, "Nomor KK", 0, "3471131804080001");
    fill(&mut h, "Nama kepala keluarga", 0, "Karto Wiyono");
    fill(&mut h, "Alamat", 0, "Gg. Mawar No. 12");
    fill(&mut h, "Nama lengkap", 0, "Karto Wiyono");
    fill(&mut h, "NIK", 0, "3471131206500001");
    fill(&mut h, "Tanggal lahir (hh/bb/tttt)", 0, "12/06/1950");
    pick(&mut h, "Jenis kelamin", "Laki-laki");
    click(&mut h, "+ Tambah anggota");
    fill(&mut h, "Nama lengkap", 1, "Sumirah");
    // A woman's NIK carries day + 40 (52 = the 12th). A birth date that disagrees with
    // the NIK is a warning next to the field, and does not block saving.
    fill(&mut h, "NIK", 1, "3471135203550002");
    fill(&mut h, "Tanggal lahir (hh/bb/tttt)", 1, "12/03/1956");
    h.get_by_label_contains("NIK menunjukkan lahir 120355");
    click(&mut h, "+ Tambah anggota");
    fill(&mut h, "Nama lengkap", 2, "Sri Lestari");
    click(&mut h, "Simpan rumah tangga");
    h.get_by_label("Tersimpan.");
    h.get_by_label_contains("3 orang");

    // Identify the head (75 years old) as Lanjut Usia Terlantar.
    click(&mut h, "Identifikasi PMKS: Karto Wiyono");
    pick(&mut h, "Kategori PMKS", "8 Lanjut Usia Terlantar");
    assert!(
        h.query_by_label_contains("biasanya untuk kelompok umur lain")
            .is_none()
    );
    click(&mut h, "Simpan identifikasi");
    h.get_by_label_contains("8 Lanjut Usia Terlantar · Teridentifikasi");
    h.get_by_label("Karto Wiyono · RT 027");

    // A donor, then a receipt in three taps: donor, amount, confirm.
    click(&mut h, "Donatur & Kuitansi");
    click(&mut h, "+ Tambah donatur");
    fill(&mut h, "Nama", 0, "Hartono Hidayat");
    fill(&mut h, "Iuran bulanan (Rp)", 0, "5.000");
    click(&mut h, "Simpan donatur");
    click(&mut h, "Ganti");
    click_contains(&mut h, "Hartono Hidayat\n"); // tap 1: the donor
    click(&mut h, "Rp10.000"); // tap 2: the amount
    h.get_by_label("sepuluh ribu rupiah");
    click(&mut h, "3. Terbitkan kuitansi Rp10.000"); // tap 3: confirm
    let number = h
        .get_by_label_contains("No. 27-")
        .value()
        .unwrap_or_default()
        .trim_start_matches("No. ")
        .to_string();
    assert!(
        number.starts_with("27-") && number.ends_with("-0001"),
        "{number}"
    );
    h.get_by_label("sepuluh ribu rupiah");
    h.get_by_label("Hartono Hidayat");

    // Beranda's balance changed.
    click(&mut h, "Beranda");
    h.get_by_label("Rp10.000");
    assert!(h.query_by_label("Rp0").is_none());

    // English and back; the choice is remembered in the settings file.
    pick(&mut h, "Bahasa", "English");
    h.get_by_role_and_label(Role::Button, "Home");
    h.get_by_label("Fund balance");
    let saved = std::fs::read_to_string(&settings).unwrap();
    assert!(saved.contains("\"en\""), "{saved}");
    pick(&mut h, "Language", "Bahasa Indonesia");
    h.get_by_role_and_label(Role::Button, "Beranda");
    h.get_by_label("Saldo kas");
    assert!(
        std::fs::read_to_string(&settings)
            .unwrap()
            .contains("\"id\"")
    );

    // Lock, refuse a wrong passphrase, open with the right one.
    click(&mut h, "Kunci");
    assert!(!h.state().is_open());
    fill(&mut h, "Kata sandi / PIN", 0, "salah-sekali");
    click(&mut h, "Buka");
    h.get_by_label_contains("Kata sandi salah.");
    fill(&mut h, "Kata sandi / PIN", 0, PASS);
    click(&mut h, "Buka");
    assert!(h.state().is_open());
    h.get_by_label("Rp10.000");

    // Sinkron: a ticket that cannot be read is refused with a message; nothing is sent.
    click(&mut h, "Sinkron");
    fill(&mut h, "Tiket perangkat lawan", 0, "bukan-tiket");
    click(&mut h, "Sinkron sekarang");
    h.get_by_label_contains("Tiket tidak terbaca");
    assert!(h.state().is_open());
}

/// "Coba dengan data contoh" at first start: one form, and the app opens on the sample RW
/// with the cash balance the reference figures give (receipts minus santunan of 2025).
#[test]
fn the_sample_book_from_the_first_start() {
    let tmp = tempfile::tempdir().unwrap();
    let app = RukunApp::new(options(tmp.path(), tmp.path().join("settings.json")));
    let mut h = harness(app, [360.0, 740.0]);
    h.run_ok();
    click(&mut h, "Coba dengan data contoh");
    fill(&mut h, "Nama Anda", 0, "Bu Sri");
    fill(&mut h, "Kata sandi / PIN", 0, PASS);
    fill(&mut h, "Ulangi kata sandi / PIN", 0, PASS);
    click(&mut h, "Buat buku contoh");
    h.run_ok();
    assert!(h.state().is_open(), "the sample book is open");

    // The sample holds the whole year: its balance is the independent figures' closing.
    let expected: serde_json::Value =
        serde_json::from_str(include_str!("../../data/rw08/expected-2025-lengkap.json")).unwrap();
    let balance = expected["closing_balance_2025"].as_i64().unwrap();
    let digits = balance.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    h.get_by_label("Saldo kas");
    h.get_by_label(&format!("Rp{grouped}"));
}
