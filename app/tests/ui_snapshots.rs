//! Snapshot tests of every screen at a phone size (360×740) and a laptop size (1280×800),
//! rendered by wgpu on the software renderer (Mesa llvmpipe, installed by
//! `scripts/setup-deps`). Thresholds are tolerant: fonts anti-alias a little differently
//! between Mesa versions, and Beranda shows the current month.
//!
//! `UPDATE_SNAPSHOTS=1 cargo test -p rukun-app --test ui_snapshots` rewrites the images in
//! `app/tests/snapshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotOptions, SnapshotResults};
use rukun_model::{Book, Device, GenerateSpec, GroupInit};
use rukun_ui::{AppOptions, RukunApp};

const PHONE: [f32; 2] = [360.0, 740.0];
const LAPTOP: [f32; 2] = [1280.0, 800.0];

fn book() -> Book {
    let init = GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28, 29, 30, 31],
        member_name: "Bu Sri".into(),
    };
    let mut book = Book::new_in_memory(Device::from_seed(1), &init).unwrap();
    rukun_model::generate(
        &mut book,
        GenerateSpec {
            households: 60,
            seed: 7,
        },
    )
    .unwrap();
    book
}

fn options() -> SnapshotOptions {
    SnapshotOptions::new()
        .threshold(2.0)
        .max_failed_pixels(6000)
}

fn harness(app: RukunApp, size: [f32; 2]) -> Harness<'static, RukunApp> {
    let mut h = Harness::builder()
        .with_size(size)
        .with_max_steps(12)
        .with_render_cursor(false)
        .build_ui_state(|ui, app: &mut RukunApp| app.show(ui), app);
    h.run_ok();
    h
}

fn open_app() -> RukunApp {
    RukunApp::with_book(
        book(),
        "rahasia",
        AppOptions {
            background: false,
            idle_lock: false,
            listen: false,
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            known_peers: Vec::new(),
            ..Default::default()
        },
    )
}

fn go(h: &mut Harness<'_, RukunApp>, screen: &str, phone: bool) {
    if phone {
        h.get_by_role_and_label(Role::Button, "Menu").click();
        h.run_ok();
    }
    h.get_by_role_and_label(Role::Button, screen).click();
    h.run_ok();
}

fn every_screen(size: [f32; 2], name: &str) {
    let phone = size[0] < 600.0;
    let mut h = harness(open_app(), size);
    h.snapshot_options(format!("beranda_{name}"), &options());
    if phone {
        h.get_by_role_and_label(Role::Button, "Menu").click();
        h.run_ok();
        h.snapshot_options(format!("menu_{name}"), &options());
        h.get_by_role_and_label(Role::Button, "Menu").click();
        h.run_ok();
    }
    for (screen, slug) in [
        ("Rumah Tangga", "rumah_tangga"),
        ("PMKS", "pmks"),
        ("Donatur & Kuitansi", "donatur"),
        ("Santunan", "santunan"),
        ("Laporan", "laporan"),
        ("Sinkron", "sinkron"),
        ("Tinjau", "tinjau"),
    ] {
        go(&mut h, screen, phone);
        h.snapshot_options(format!("{slug}_{name}"), &options());
    }
    // The household form of the first household in the list.
    go(&mut h, "Rumah Tangga", phone);
    h.get_all_by_label_contains(" orang")
        .next()
        .unwrap()
        .click();
    h.run_ok();
    h.snapshot_options(format!("rumah_tangga_form_{name}"), &options());
}

#[test]
fn every_screen_on_a_phone() {
    every_screen(PHONE, "360x740");
}

#[test]
fn every_screen_on_a_laptop() {
    every_screen(LAPTOP, "1280x800");
}

#[test]
fn first_start_and_lock() {
    let mut results = SnapshotResults::new();
    for (size, name) in [(PHONE, "360x740"), (LAPTOP, "1280x800")] {
        let tmp = tempfile::tempdir().unwrap();
        let app = RukunApp::new(AppOptions {
            book_dir: Some(tmp.path().join("book")),
            background: false,
            idle_lock: false,
            listen: false,
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            known_peers: Vec::new(),
            ..Default::default()
        });
        let mut h = harness(app, size);
        h.snapshot_options(format!("mulai_{name}"), &options());
        h.get_by_role_and_label(Role::Button, "Buat kelompok baru")
            .click();
        h.run_ok();
        h.snapshot_options(format!("buat_kelompok_{name}"), &options());
        results.extend_harness(&mut h);
        let mut h = harness(open_app(), size);
        h.state_mut().lock();
        h.run_ok();
        h.snapshot_options(format!("terkunci_{name}"), &options());
        results.extend_harness(&mut h);
    }
    results.unwrap();
}

/// The sample book with the whole year (all fourteen files of data/rw08), built once.
fn year_book() -> Book {
    static DOC: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let bytes = DOC.get_or_init(|| {
        let mut book =
            Book::new_in_memory(Device::from_seed(1), &rukun_model::demo_group("Bu Sri")).unwrap();
        rukun_model::fill_demo(&mut book, &mut |_, _, _| {}).unwrap();
        book.save_document()
    });
    Book::from_document_bytes(Device::from_seed(1), bytes).unwrap()
}

/// The whole year's screens (issue 12): the five tabs of Kas and Laporan's buku kas, on the
/// sample year. Also copied to docs/screenshots.
fn kas_screens(size: [f32; 2], name: &str) {
    let phone = size[0] < 600.0;
    let app = RukunApp::with_book(
        year_book(),
        "rahasia",
        AppOptions {
            background: false,
            idle_lock: false,
            listen: false,
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            known_peers: Vec::new(),
            ..Default::default()
        },
    );
    let mut h = harness(app, size);
    go(&mut h, "Kas", phone);
    let mut results = SnapshotResults::new();
    for (tab, slug) in [
        ("Pemasukan", "kas_pemasukan"),
        ("Pengeluaran", "kas_pengeluaran"),
        ("Musyawarah", "kas_musyawarah"),
        ("Pinjaman", "kas_pinjaman"),
        ("Anggota", "kas_anggota"),
    ] {
        h.get_by_label(tab).click();
        h.run_ok();
        h.snapshot_options(format!("{slug}_{name}"), &options());
    }
    // The meeting form with one approval row, and the buku kas of December.
    h.get_by_label("Musyawarah").click();
    h.run_ok();
    h.get_by_role_and_label(Role::Button, "Musyawarah baru")
        .click();
    h.run_ok();
    h.get_by_role_and_label(Role::Button, "Tambah penerima")
        .click();
    h.run_ok();
    h.snapshot_options(format!("kas_musyawarah_baru_{name}"), &options());
    go(&mut h, "Laporan", phone);
    h.snapshot_options(format!("laporan_buku_kas_{name}"), &options());
    results.extend_harness(&mut h);
    results.unwrap();
}

#[test]
fn whole_year_screens_on_a_phone() {
    kas_screens(PHONE, "360x740");
}

#[test]
fn whole_year_screens_on_a_laptop() {
    kas_screens(LAPTOP, "1280x800");
}
