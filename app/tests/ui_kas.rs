//! The whole year on the screens (issue 12), by label and role only (egui_kittest): record a
//! Dinas Sosial grant; pay a school's SPP; hold a meeting approving three santunan and pay
//! them in one tap; lend Rp1.000.000 and record two installments; close a month and see a
//! back-dated entry refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rukun_model::{Book, Device, GroupInit, Household, Person};
use rukun_ui::{AppOptions, RukunApp};

/// Three people of the reference data (valid NIKs), in one household.
const PEOPLE: [(&str, &str); 3] = [
    ("3471131206619606", "Bambang"),
    ("3471132610664382", "Sutrisno Santoso"),
    ("3471135410712284", "Sumiyati Haryanto"),
];

fn book() -> Book {
    let init = GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28],
        member_name: "Bu Sri".into(),
    };
    let mut book = Book::new_in_memory(Device::from_seed(1), &init).unwrap();
    let mut h = Household {
        no_kk: "3471131804080001".parse().ok(),
        alamat: "Gg. Mawar No. 101.E".into(),
        rt: 27,
        rw: 8,
        kepala_keluarga: "Bambang".into(),
        ..Default::default()
    };
    for (i, (nik, nama)) in PEOPLE.iter().enumerate() {
        h.anggota.insert(
            format!("p{i}"),
            Person {
                nik: nik.parse().ok(),
                nama: (*nama).into(),
                ..Default::default()
            },
        );
    }
    book.add_household(h).unwrap();
    book.commit("survey").unwrap();
    book
}

fn harness(size: [f32; 2]) -> Harness<'static, RukunApp> {
    let app = RukunApp::with_book(
        book(),
        "rahasia-uji",
        AppOptions {
            background: false,
            idle_lock: false,
            listen: false,
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            known_peers: Vec::new(),
            ..Default::default()
        },
    );
    let mut h = Harness::builder()
        .with_size(size)
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut RukunApp| app.show(ui), app);
    h.run_ok();
    h
}

fn fill(h: &mut Harness<'_, RukunApp>, label: &str, nth: usize, text: &str) {
    let node = h
        .get_all_by_label(label)
        .nth(nth)
        .unwrap_or_else(|| panic!("no input labelled {label:?} #{nth}"));
    node.scroll_to_me();
    h.run_ok();
    h.get_all_by_label(label).nth(nth).unwrap().focus();
    h.run_ok();
    h.get_all_by_label(label).nth(nth).unwrap().type_text(text);
    h.run_ok();
}

fn click(h: &mut Harness<'_, RukunApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).scroll_to_me();
    h.run_ok();
    h.get_by_role_and_label(Role::Button, label).click();
    h.run_ok();
}

/// Opens the tab `tab` of Kas.
fn kas(h: &mut Harness<'_, RukunApp>, tab: &str) {
    click(h, "Kas");
    h.get_by_label(tab).click();
    h.run_ok();
}

fn pick(h: &mut Harness<'_, RukunApp>, label: &str, option: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_ok();
    h.get_by_label(label).click();
    h.run_ok();
    h.get_by_role_and_label(Role::Button, option).click();
    h.run_ok();
}

#[test]
fn record_a_dinas_sosial_grant() {
    let mut h = harness([1280.0, 800.0]);
    kas(&mut h, "Pemasukan");
    click(&mut h, "Catat pemasukan");
    pick(&mut h, "Jenis sumber", "Hibah");
    fill(&mut h, "Nama sumber", 0, "Dinas Sosial Kota Yogyakarta");
    fill(&mut h, "Jumlah (Rp)", 0, "1.000.000");
    click(&mut h, "Simpan & terbitkan kuitansi");
    h.get_by_label_contains("Kuitansi 0-");
    h.get_by_label_contains("Dinas Sosial Kota Yogyakarta · Rp1.000.000");
    // Beranda's balance counts it.
    click(&mut h, "Beranda");
    assert!(h.get_all_by_label_contains("Rp1.000.000").next().is_some());
}

#[test]
fn pay_a_schools_spp() {
    let mut h = harness([1280.0, 800.0]);
    kas(&mut h, "Pengeluaran");
    click(&mut h, "Catat pengeluaran");
    pick(&mut h, "Kategori", "SPP sekolah");
    fill(&mut h, "Dibayar kepada", 0, "SD Negeri Sorosutan 1");
    fill(&mut h, "Jumlah (Rp)", 0, "150.000");
    click(&mut h, "Simpan pengeluaran");
    h.get_by_label_contains("SPP sekolah · SD Negeri Sorosutan 1 · Rp150.000");
}

#[test]
fn a_meeting_approves_three_santunan_paid_in_one_tap() {
    let mut h = harness([1280.0, 800.0]);
    kas(&mut h, "Musyawarah");
    click(&mut h, "Musyawarah baru");
    for _ in 0..3 {
        click(&mut h, "Tambah penerima");
    }
    for (i, (nik, _)) in PEOPLE.iter().enumerate() {
        fill(&mut h, "NIK penerima", i, nik);
        fill(&mut h, "Jumlah (Rp)", i, "50.000");
    }
    click(&mut h, "Simpan musyawarah");
    h.get_by_label_contains("3 santunan disetujui, 3 belum dibayar");
    click(&mut h, "Bayar sesuai keputusan (3)");
    h.get_by_label_contains("3 santunan dibayar sesuai keputusan");
    h.get_by_label_contains("3 santunan disetujui, 0 belum dibayar");
    // Santunan lists the three payments and nothing approved is left unpaid.
    click(&mut h, "Santunan");
    assert!(
        h.query_by_label_contains("belum dibayar (").is_none(),
        "no approved aid left unpaid"
    );
    for (_, nama) in PEOPLE {
        h.get_by_label_contains(nama);
    }
}

#[test]
fn lend_a_million_and_record_two_installments() {
    let mut h = harness([1280.0, 800.0]);
    kas(&mut h, "Pinjaman");
    click(&mut h, "Pinjaman baru");
    fill(&mut h, "NIK peminjam", 0, PEOPLE[1].0);
    fill(&mut h, "Nama peminjam", 0, PEOPLE[1].1);
    fill(&mut h, "Usaha", 0, "warung kelontong");
    fill(&mut h, "Jumlah (Rp)", 0, "1.000.000");
    click(&mut h, "Simpan pinjaman");
    h.get_by_label_contains("sisa Rp1.000.000");
    for left in ["Rp900.000", "Rp800.000"] {
        click(&mut h, "Catat angsuran");
        click(&mut h, "Simpan angsuran & terbitkan kuitansi");
        h.get_by_label_contains(&format!("sisa {left}"));
    }
}

#[test]
fn a_closed_month_refuses_a_back_dated_entry() {
    let mut h = harness([1280.0, 800.0]);
    // Some money this month, so Laporan opens on it.
    kas(&mut h, "Pemasukan");
    click(&mut h, "Catat pemasukan");
    fill(&mut h, "Nama sumber", 0, "Toko Sumber Rejeki");
    fill(&mut h, "Jumlah (Rp)", 0, "250.000");
    click(&mut h, "Simpan & terbitkan kuitansi");
    click(&mut h, "Laporan");
    let month = rukun_model::rules::YearMonth::of_date(rukun_model::rules::today_wib());
    click(&mut h, &format!("Tutup buku {}", month.label()));
    h.get_by_label("Bulan ini sudah ditutup.");
    // An expense dated in the closed month is refused, and nothing is recorded.
    kas(&mut h, "Pengeluaran");
    click(&mut h, "Catat pengeluaran");
    fill(&mut h, "Dibayar kepada", 0, "Keluarga Alm. Bapak Harjo");
    fill(&mut h, "Jumlah (Rp)", 0, "150.000");
    click(&mut h, "Simpan pengeluaran");
    h.get_by_label_contains("sudah ditutup. Catat di bulan yang masih terbuka.");
    assert!(
        h.query_by_label_contains("Keluarga Alm. Bapak Harjo · Rp150.000")
            .is_none()
    );
}
