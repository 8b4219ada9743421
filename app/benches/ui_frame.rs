//! CPU time of one frame of the Rumah Tangga list with the 5,000-household book: egui
//! layout and our code (`Context::run_ui`), not tessellation or painting.
//!
//! `cargo bench -p rukun-app --bench ui_frame`
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rukun_model::{Book, Device, GenerateSpec, GroupInit};
use rukun_ui::{AppOptions, RukunApp};

/// The kelurahan book (5,000 households); 500 when `cargo test` runs the bench once as a
/// check (`--test`), so the suite does not build the big book in the dev profile.
fn households() -> usize {
    if std::env::args().any(|a| a == "--test") {
        500
    } else {
        5000
    }
}

fn book() -> Book {
    let init = GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28, 29, 30, 31],
        member_name: "Bu Sri".into(),
    };
    let Ok(mut book) = Book::new_in_memory(Device::from_seed(1), &init) else {
        panic!("in-memory book");
    };
    if let Err(e) = rukun_model::generate(
        &mut book,
        GenerateSpec {
            households: households(),
            seed: 7,
        },
    ) {
        panic!("generate: {e}");
    }
    book
}

fn input(w: f32, h: f32, t: f64) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(w, h),
        )),
        time: Some(t),
        ..Default::default()
    }
}

/// One frame: egui layout and our code, no tessellation or painting.
fn frame(ctx: &egui::Context, input: egui::RawInput, app: &mut RukunApp) -> usize {
    let mut out = ctx.run_ui(input, |ui| app.show(ui));
    out.textures_delta.clear();
    out.shapes.len()
}

fn frames(c: &mut Criterion) {
    let started = std::time::Instant::now();
    let mut app = RukunApp::with_book(
        book(),
        "bench",
        AppOptions {
            background: false,
            idle_lock: false,
            listen: false,
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            known_peers: Vec::new(),
            ..Default::default()
        },
    );
    eprintln!(
        "book generated and indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(app.navigate("Rumah Tangga"));
    for (name, w, h) in [
        ("rumah_tangga_1280x800", 1280.0, 800.0),
        ("rumah_tangga_360x740", 360.0, 740.0),
    ] {
        let ctx = egui::Context::default();
        let mut t = 0.0;
        // Warm up: fonts, the style for this width, the list's first layout.
        for _ in 0..3 {
            t += 1.0 / 60.0;
            frame(&ctx, input(w, h, t), &mut app);
        }
        c.bench_function(name, |b| {
            b.iter(|| {
                t += 1.0 / 60.0;
                black_box(frame(&ctx, input(w, h, t), &mut app));
            })
        });
    }
    // Typing one letter into the search box: the list is filtered again (5,000 rows).
    let ctx = egui::Context::default();
    c.bench_function("rumah_tangga_search_5000", |b| {
        let mut t = 0.0;
        let mut n = 0u32;
        b.iter(|| {
            n += 1;
            app.set_household_search(if n.is_multiple_of(2) { "sri" } else { "sr" });
            t += 1.0 / 60.0;
            black_box(frame(&ctx, input(1280.0, 800.0, t), &mut app));
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = frames
}
criterion_main!(benches);
