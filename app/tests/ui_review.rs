//! Tinjau by label and role: a field edited on two devices shows both values with their
//! authors and is settled with a tap; two households with one KK number are merged with a tap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rukun_model::{Book, Device, GroupInit, Household};
use rukun_ui::{AppOptions, RukunApp};

fn household(kk: &str, head: &str, alamat: &str) -> Household {
    Household {
        no_kk: rukun_model::rules::NoKk::from_stored(kk),
        kepala_keluarga: head.into(),
        alamat: alamat.into(),
        rt: 27,
        rw: 8,
        ..Default::default()
    }
}

#[test]
fn settle_a_conflict_and_merge_duplicates() {
    let init = GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27],
        member_name: "Bu Sri".into(),
    };
    let mut a = Book::new_in_memory(Device::from_seed(1), &init).unwrap();
    let id = a
        .add_household(household("3471131804080002", "Sastro", "Gg. Melati No. 3"))
        .unwrap();
    a.commit("survey").unwrap();
    let mut b = a.replica_for(Device::from_seed(2));
    a.edit_household(&id, |h| h.lantai = "Keramik".into())
        .unwrap();
    a.commit("a").unwrap();
    b.edit_household(&id, |h| h.lantai = "Tanah".into())
        .unwrap();
    b.commit("b").unwrap();
    // The same family (same KK) surveyed on both devices before they met.
    a.add_household(household("3471131804080001", "Karto", "Gg. Mawar No. 12"))
        .unwrap();
    a.commit("survey Karto").unwrap();
    b.add_household(household("3471131804080001", "Karto W.", "Gg. Mawar 12"))
        .unwrap();
    b.commit("survey Karto again").unwrap();
    a.merge(&mut b).unwrap();

    let app = RukunApp::with_book(
        a,
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
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut RukunApp| app.show(ui), app);
    h.run_ok();
    h.get_by_role_and_label(Role::Button, "Tinjau").click();
    h.run_ok();
    h.get_by_label("Perubahan bersamaan (1)");
    h.get_by_label_contains("Pakai: Keramik").click();
    h.run_ok();
    h.get_by_label("Tersimpan.");
    h.get_by_label("Perubahan bersamaan (0)");
    h.get_by_label("Rumah tangga yang mungkin ganda (1)");
    h.get_by_label_contains("Gabungkan, simpan").click();
    h.run_ok();
    h.get_by_label_contains("Digabungkan.");
    h.get_by_label("Rumah tangga yang mungkin ganda (0)");
}
