//! The 5,000-household book (built in memory with `rukun_model::generate`): search by KK
//! number and by name, filter by RT, open a result — by label and role only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rukun_model::{Book, Device, GenerateSpec, GroupInit};
use rukun_ui::{AppOptions, RukunApp};

fn book(households: usize) -> Book {
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
            households,
            seed: 7,
        },
    )
    .unwrap();
    book
}

#[test]
fn search_the_5000_household_book_and_open_a_result() {
    let book = book(5000);
    let (kk, kepala) = book
        .households()
        .into_iter()
        .find(|(_, h)| h.is_live() && !h.kepala_keluarga.is_empty())
        .map(|(_, h)| {
            (
                rukun_model::rules::or_blank(&h.no_kk).to_string(),
                h.kepala_keluarga,
            )
        })
        .unwrap();
    let app = RukunApp::with_book(
        book,
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
    h.get_by_role_and_label(Role::Button, "Rumah Tangga")
        .click();
    h.run_ok();
    h.get_by_label_contains("dari 5000 rumah tangga");

    h.get_by_label("Cari").focus();
    h.run_ok();
    h.get_by_label("Cari").type_text(&kk);
    h.run_ok();
    h.get_by_label("1 dari 5000 rumah tangga");
    h.get_by_label_contains(&format!("{kepala}\n")).click();
    h.run_ok();
    h.get_by_label(&format!("Rumah tangga {kepala}"));
    assert_eq!(
        h.get_by_label("Nomor KK").value().as_deref(),
        Some(kk.as_str())
    );
}
