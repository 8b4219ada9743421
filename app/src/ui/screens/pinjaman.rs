//! Pinjaman (business loans and their installments, each installment a kuitansi) and the
//! register of members (Anggota), two short lists with one form each.

use egui::RichText;
use rukun_model::rules::{self, Jabatan, Nik, Rupiah, SumberDana};
use rukun_model::{Anggota, IncomeDraft, Pinjaman};

use super::kas::{KasUi, amount_field, form_card};
use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::index::Index;
use crate::widgets;

#[derive(Debug, Clone, Default)]
pub(crate) struct LoanForm {
    kode: String,
    nik: String,
    nama: String,
    usaha: String,
    jumlah: String,
    tenor: String,
    angsuran: String,
    tanggal: String,
    keputusan: String,
    tried: bool,
}

/// An installment being recorded for a loan.
#[derive(Debug, Clone, Default)]
pub(crate) struct InstallmentForm {
    kode: String,
    nama: String,
    jumlah: String,
}

#[derive(Debug, Default)]
pub(crate) struct PinjamanUi {
    pub(crate) form: Option<LoanForm>,
    pub(crate) installment: Option<InstallmentForm>,
}

/// The next free code `PJ-<year>-NN`.
fn next_code(idx: &Index) -> String {
    let year = rules::YearMonth::of_date(rules::today_wib()).year();
    let prefix = format!("PJ-{year}-");
    let n = idx
        .money
        .loans
        .iter()
        .filter_map(|(_, l)| l.kode.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{:02}", n + 1)
}

pub(crate) fn pinjaman_ui(
    ui: &mut egui::Ui,
    st: &mut KasUi,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let p = &mut st.pinjaman;
    form_card(
        ui,
        &mut p.form,
        tr!(lang, "kas.pinjaman_baru"),
        || LoanForm {
            kode: next_code(idx),
            tenor: "10".into(),
            tanggal: rules::format_date_short(rules::today_wib()),
            ..Default::default()
        },
        lang,
        narrow,
        |ui, f| {
            ui.strong(tr!(lang, "kas.pinjaman_baru"));
            widgets::text_field(ui, &tr!(lang, "kas.kode_pinjaman"), &mut f.kode, None);
            widgets::text_field(ui, &tr!(lang, "kas.nik_peminjam"), &mut f.nik, None);
            let nik = Nik::parse(&f.nik);
            if let (Err(e), true) = (&nik, f.tried || !f.nik.trim().is_empty()) {
                widgets::field_error(ui, &crate::errors::nik_error(e, lang));
            }
            widgets::text_field(ui, &tr!(lang, "kas.nama_peminjam"), &mut f.nama, None);
            widgets::text_field(
                ui,
                &tr!(lang, "kas.usaha"),
                &mut f.usaha,
                Some("warung kelontong"),
            );
            let jumlah = amount_field(ui, &tr!(lang, "kas.jumlah"), &mut f.jumlah, f.tried, lang);
            widgets::text_field(ui, &tr!(lang, "kas.tenor"), &mut f.tenor, Some("10"));
            let tenor = f.tenor.trim().parse::<u32>().ok().filter(|t| *t > 0);
            if tenor.is_none() && f.tried {
                widgets::field_error(ui, &tr!(lang, "kas.tenor_salah"));
            }
            // The installment follows from amount and term unless typed.
            if f.angsuran.trim().is_empty()
                && let (Some(j), Some(t)) = (jumlah, tenor)
            {
                let per = j.amount() / rust_decimal::Decimal::from(t);
                if per.fract().is_zero() {
                    ui.label(
                        RichText::new(tr!(
                            lang,
                            "kas.angsuran_per_bulan_auto",
                            a = rules::format_signed(per)
                        ))
                        .weak(),
                    );
                }
            }
            let angsuran_typed = if f.angsuran.trim().is_empty() {
                None
            } else {
                Rupiah::parse(&f.angsuran).ok()
            };
            widgets::text_field(
                ui,
                &tr!(lang, "kas.angsuran_bulanan"),
                &mut f.angsuran,
                None,
            );
            widgets::text_field(
                ui,
                &tr!(lang, "kas.tanggal"),
                &mut f.tanggal,
                Some("17/08/2025"),
            );
            let titles = super::kas::meeting_titles(idx);
            widgets::combo(
                ui,
                "pinjaman_keputusan",
                &tr!(lang, "kas.keputusan"),
                &mut f.keputusan,
                &titles,
            );
            if widgets::primary_button(ui, tr!(lang, "kas.simpan_pinjaman"), narrow).clicked() {
                f.tried = true;
                if let (Ok(nik), Some(jumlah), Some(tenor)) = (nik, jumlah, tenor) {
                    let angsuran = angsuran_typed.unwrap_or_else(|| {
                        Rupiah::from_decimal(jumlah.amount() / rust_decimal::Decimal::from(tenor))
                            .unwrap_or(jumlah)
                    });
                    cmds.push(Command::AddLoan(Box::new(Pinjaman {
                        kode: f.kode.clone(),
                        tanggal: f.tanggal.clone(),
                        nik_peminjam: Some(nik),
                        nama: f.nama.trim().to_string(),
                        usaha: f.usaha.trim().to_string(),
                        jumlah,
                        tenor_bulan: tenor,
                        angsuran_bulanan: angsuran,
                        keputusan: f.keputusan.clone(),
                        ..Default::default()
                    })));
                }
            }
        },
    );
    ui.add_space(8.0);
    let status = &idx.loan_status;
    if idx.money.loans.is_empty() {
        ui.label(RichText::new(tr!(lang, "kas.belum_ada")).weak());
    }
    for (_, l) in &idx.money.loans {
        let Some(s) = status.get(&l.kode) else {
            continue;
        };
        widgets::card(ui, |ui| {
            ui.strong(format!("{} · {} · {}", l.kode, l.nama, l.usaha));
            ui.label(tr!(
                lang,
                "kas.sisa_pinjaman",
                jumlah = s.jumlah,
                sisa = s.outstanding,
                tunggakan = s.months_in_arrears
            ));
            let open = p.installment.as_ref().is_some_and(|i| i.kode == l.kode);
            if !open
                && !s.outstanding.is_zero()
                && ui
                    .add(widgets::big_button(tr!(lang, "kas.catat_angsuran"), narrow))
                    .clicked()
            {
                p.installment = Some(InstallmentForm {
                    kode: l.kode.clone(),
                    nama: l.nama.clone(),
                    jumlah: rules::format_signed(l.angsuran_bulanan.amount())
                        .trim_start_matches("Rp")
                        .to_string(),
                });
            }
            if let Some(i) = p.installment.as_mut().filter(|i| i.kode == l.kode) {
                let jumlah = amount_field(ui, &tr!(lang, "kas.jumlah"), &mut i.jumlah, false, lang);
                if widgets::primary_button(ui, tr!(lang, "kas.simpan_angsuran"), narrow).clicked()
                    && let Some(jumlah) = jumlah
                {
                    cmds.push(Command::IssueIncome(Box::new(IncomeDraft {
                        sumber: SumberDana::Angsuran,
                        dari: i.nama.clone(),
                        jumlah,
                        pinjaman: i.kode.clone(),
                        ..Default::default()
                    })));
                }
            }
        });
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct AnggotaForm {
    no_anggota: String,
    nama: String,
    nik: String,
    rt: String,
    jabatan: Jabatan,
    tanggal_masuk: String,
    iuran: String,
}

#[derive(Debug, Default)]
pub(crate) struct AnggotaUi {
    pub(crate) form: Option<AnggotaForm>,
}

pub(crate) fn anggota_ui(
    ui: &mut egui::Ui,
    st: &mut KasUi,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let a = &mut st.anggota;
    let n = idx.money.register.len() + 1;
    let new = || AnggotaForm {
        no_anggota: format!("WR-{n:03}"),
        tanggal_masuk: rules::format_date_short(rules::today_wib()),
        ..Default::default()
    };
    form_card(
        ui,
        &mut a.form,
        tr!(lang, "kas.anggota_baru"),
        new,
        lang,
        narrow,
        |ui, f| {
            ui.strong(tr!(lang, "kas.anggota_baru"));
            widgets::text_field(ui, &tr!(lang, "kas.no_anggota"), &mut f.no_anggota, None);
            widgets::text_field(ui, &tr!(lang, "kas.nama"), &mut f.nama, None);
            widgets::text_field(ui, &tr!(lang, "kas.nik"), &mut f.nik, None);
            widgets::text_field(ui, &tr!(lang, "kas.rt"), &mut f.rt, Some("27"));
            widgets::choice(
                ui,
                "anggota_jabatan",
                &tr!(lang, "kas.jabatan"),
                &mut f.jabatan,
                Jabatan::all().map(|k| (k, k.label())),
            );
            widgets::text_field(
                ui,
                &tr!(lang, "kas.tanggal_masuk"),
                &mut f.tanggal_masuk,
                None,
            );
            widgets::text_field(
                ui,
                &tr!(lang, "kas.iuran_wajib"),
                &mut f.iuran,
                Some("2.000"),
            );
            let nik = match f.nik.trim() {
                "" => Ok(None),
                t => Nik::parse(t).map(Some),
            };
            if let Err(e) = &nik {
                widgets::field_error(ui, &crate::errors::nik_error(e, lang));
            }
            if widgets::primary_button(ui, tr!(lang, "kas.simpan_anggota"), narrow).clicked()
                && let Ok(nik) = nik
            {
                cmds.push(Command::PutAnggota(Box::new(Anggota {
                    no_anggota: f.no_anggota.clone(),
                    nama: f.nama.clone(),
                    nik,
                    rt: rules::parse_rt(&f.rt).unwrap_or(0),
                    jabatan: f.jabatan,
                    tanggal_masuk: rules::parse_date(&f.tanggal_masuk)
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    iuran_wajib_bulanan: Rupiah::parse(&f.iuran).ok().filter(|r| !r.is_zero()),
                    ..Default::default()
                })));
            }
        },
    );
    ui.add_space(8.0);
    ui.label(tr!(
        lang,
        "kas.jumlah_anggota",
        n = idx.money.register.len()
    ));
    let mut rows: Vec<&(String, Anggota)> = idx.money.register.iter().collect();
    rows.sort_by_key(|(_, x)| (x.jabatan, x.no_anggota.clone()));
    for (_, x) in rows {
        widgets::text_row(
            ui,
            &format!("{} · {}", x.no_anggota, x.nama),
            &format!("{} · {}", x.jabatan.label(), rules::format_rt(x.rt)),
        );
    }
}
