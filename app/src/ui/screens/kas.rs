//! Kas: the group's money beyond donors' iuran and santunan, in five tabs — Pemasukan
//! (income from any source, with a kuitansi), Pengeluaran (expenses to any payee),
//! Musyawarah (meetings and the payouts they approve), Pinjaman (loans and installments),
//! Anggota (the register of members). Forms keep text; the model parses and holds the rules.

use egui::RichText;
use rukun_model::rules::{self, KategoriPengeluaran, Rupiah, SumberDana};
use rukun_model::{IncomeDraft, Pengeluaran};

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::index::Index;
use crate::state::Session;
use crate::widgets;

/// The tab shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum KasTab {
    #[default]
    Pemasukan,
    Pengeluaran,
    Musyawarah,
    Pinjaman,
    Anggota,
}

impl KasTab {
    const ALL: [KasTab; 5] = [
        KasTab::Pemasukan,
        KasTab::Pengeluaran,
        KasTab::Musyawarah,
        KasTab::Pinjaman,
        KasTab::Anggota,
    ];

    fn title(self, lang: Lang) -> String {
        match self {
            KasTab::Pemasukan => tr!(lang, "kas.pemasukan"),
            KasTab::Pengeluaran => tr!(lang, "kas.pengeluaran"),
            KasTab::Musyawarah => tr!(lang, "kas.musyawarah"),
            KasTab::Pinjaman => tr!(lang, "kas.pinjaman"),
            KasTab::Anggota => tr!(lang, "kas.anggota"),
        }
        .into_owned()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct IncomeForm {
    sumber: SumberDana,
    dari: String,
    jumlah: String,
    untuk: String,
    penerima: String,
}

impl Default for IncomeForm {
    fn default() -> Self {
        IncomeForm {
            sumber: SumberDana::Hibah,
            dari: String::new(),
            jumlah: String::new(),
            untuk: String::new(),
            penerima: String::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ExpenseForm {
    kategori: KategoriPengeluaran,
    dibayar_kepada: String,
    nik_terkait: String,
    jumlah: String,
    tanggal: String,
    no_nota: String,
    keputusan: String,
    keterangan: String,
}

impl Default for ExpenseForm {
    fn default() -> Self {
        ExpenseForm {
            kategori: KategoriPengeluaran::SumbanganKematian,
            dibayar_kepada: String::new(),
            nik_terkait: String::new(),
            jumlah: String::new(),
            tanggal: rules::format_date_short(rules::today_wib()),
            no_nota: String::new(),
            keputusan: String::new(),
            keterangan: String::new(),
        }
    }
}

/// A payment being voided: its id and the reason typed so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct VoidForm {
    pub(crate) id: String,
    pub(crate) alasan: String,
}

#[derive(Debug, Default)]
pub(crate) struct KasUi {
    pub(crate) tab: KasTab,
    pub(crate) income: Option<IncomeForm>,
    pub(crate) expense: Option<ExpenseForm>,
    pub(crate) void: Option<VoidForm>,
    pub(crate) musyawarah: super::musyawarah::MusyawarahUi,
    pub(crate) pinjaman: super::pinjaman::PinjamanUi,
    pub(crate) anggota: super::pinjaman::AnggotaUi,
}

impl KasUi {
    /// A write of this screen was saved: its form closes.
    pub(crate) fn saved(&mut self) {
        self.income = None;
        self.expense = None;
        self.void = None;
        self.musyawarah.form = None;
        self.pinjaman.form = None;
        self.pinjaman.installment = None;
        self.anggota.form = None;
    }
}

/// A form that opens from a button: closed, the button labelled `open` (which makes the
/// form with `new`); open, a card with `body` and a "Batal" button that closes it.
pub(crate) fn form_card<F>(
    ui: &mut egui::Ui,
    form: &mut Option<F>,
    open: impl Into<String>,
    new: impl FnOnce() -> F,
    lang: Lang,
    narrow: bool,
    body: impl FnOnce(&mut egui::Ui, &mut F),
) {
    match form {
        None => {
            if widgets::primary_button(ui, open, narrow).clicked() {
                *form = Some(new());
            }
        }
        Some(f) => {
            let mut cancel = false;
            widgets::card(ui, |ui| {
                body(ui, f);
                cancel = ui
                    .add(widgets::big_button(tr!(lang, "app.batal"), narrow))
                    .clicked();
            });
            if cancel {
                *form = None;
            }
        }
    }
}

/// The meetings' titles for a "decided at" combo, with "—" for none.
pub(crate) fn meeting_titles(idx: &Index) -> Vec<(String, String)> {
    let mut titles: Vec<(String, String)> = vec![(String::new(), "—".to_string())];
    titles.extend(
        idx.meetings
            .iter()
            .map(|(_, m)| (m.judul.clone(), m.judul.clone())),
    );
    titles
}

/// An amount typed as people write it (`1.000.000`, `Rp 50.000`), or the error to show.
pub(crate) fn amount_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    tried: bool,
    lang: Lang,
) -> Option<Rupiah> {
    widgets::text_field(ui, label, value, Some("50.000"));
    match Rupiah::parse(value) {
        Ok(r) if !r.is_zero() => Some(r),
        Ok(_) => None,
        Err(e) => {
            if tried || !value.trim().is_empty() {
                widgets::field_error(ui, &tr!(lang, "form.rupiah", e = e));
            }
            None
        }
    }
}

pub(crate) fn kas_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        for t in KasTab::ALL {
            if ui
                .selectable_label(s.kas.tab == t, RichText::new(t.title(lang)).strong())
                .clicked()
            {
                s.kas.tab = t;
            }
        }
    });
    ui.separator();
    let idx = &s.idx;
    let st = &mut s.kas;
    egui::ScrollArea::vertical().id_salt("kas").show(ui, |ui| {
        ui.set_max_width(ui.available_width().min(720.0));
        match st.tab {
            KasTab::Pemasukan => income_ui(ui, st, idx, lang, narrow, cmds),
            KasTab::Pengeluaran => expense_ui(ui, st, idx, lang, narrow, cmds),
            KasTab::Musyawarah => super::musyawarah::musyawarah_ui(ui, st, idx, lang, narrow, cmds),
            KasTab::Pinjaman => super::pinjaman::pinjaman_ui(ui, st, idx, lang, narrow, cmds),
            KasTab::Anggota => super::pinjaman::anggota_ui(ui, st, idx, lang, narrow, cmds),
        }
    });
}

fn income_ui(
    ui: &mut egui::Ui,
    st: &mut KasUi,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    form_card(
        ui,
        &mut st.income,
        tr!(lang, "kas.catat_pemasukan"),
        IncomeForm::default,
        lang,
        narrow,
        |ui, f| {
            ui.strong(tr!(lang, "kas.pemasukan_baru"));
            widgets::choice(
                ui,
                "kas_sumber",
                &tr!(lang, "kas.jenis_sumber"),
                &mut f.sumber,
                SumberDana::all()
                    .filter(|k| !matches!(k, SumberDana::Iuran | SumberDana::Angsuran))
                    .map(|k| (k, k.label())),
            );
            widgets::text_field(
                ui,
                &tr!(lang, "kas.nama_sumber"),
                &mut f.dari,
                Some("Dinas Sosial"),
            );
            let jumlah = amount_field(ui, &tr!(lang, "kas.jumlah"), &mut f.jumlah, false, lang);
            widgets::text_field(ui, &tr!(lang, "kas.untuk"), &mut f.untuk, None);
            widgets::text_field(
                ui,
                &tr!(lang, "kas.diterima_oleh"),
                &mut f.penerima,
                Some("Bendahara I"),
            );
            if widgets::primary_button(ui, tr!(lang, "kas.simpan_kuitansi"), narrow).clicked()
                && let Some(jumlah) = jumlah
            {
                cmds.push(Command::IssueIncome(Box::new(IncomeDraft {
                    sumber: f.sumber,
                    dari: f.dari.clone(),
                    jumlah,
                    untuk: f.untuk.clone(),
                    penerima: f.penerima.clone(),
                    ..Default::default()
                })));
            }
        },
    );
    ui.add_space(8.0);
    ui.strong(tr!(lang, "kas.pemasukan_terakhir"));
    let voided: std::collections::HashSet<&str> =
        idx.money.voids.iter().map(|(id, _)| id.as_str()).collect();
    let mut rows: Vec<&(String, rukun_model::Receipt)> = idx
        .money
        .receipts
        .iter()
        .filter(|(_, r)| r.sumber != SumberDana::Iuran)
        .collect();
    rows.sort_by(|a, b| (b.1.diterima_pada, &b.1.nomor).cmp(&(a.1.diterima_pada, &a.1.nomor)));
    if rows.is_empty() {
        ui.label(RichText::new(tr!(lang, "kas.belum_ada")).weak());
    }
    for (id, r) in rows.into_iter().take(50) {
        let batal = if voided.contains(id.as_str()) {
            format!(" · {}", tr!(lang, "kas.dibatalkan"))
        } else {
            String::new()
        };
        widgets::text_row(
            ui,
            &format!("{} · {} · {}", r.nomor, r.dari, widgets::rp(r.jumlah)),
            &format!(
                "{} · {} · {}{batal}",
                rules::format_date_short(rules::wib_date(r.diterima_pada)),
                r.sumber.label(),
                r.untuk
            ),
        );
    }
}

fn expense_ui(
    ui: &mut egui::Ui,
    st: &mut KasUi,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    form_card(
        ui,
        &mut st.expense,
        tr!(lang, "kas.catat_pengeluaran"),
        ExpenseForm::default,
        lang,
        narrow,
        |ui, f| {
            ui.strong(tr!(lang, "kas.pengeluaran_baru"));
            widgets::choice(
                ui,
                "kas_kategori",
                &tr!(lang, "kas.kategori"),
                &mut f.kategori,
                KategoriPengeluaran::all().map(|k| (k, k.label())),
            );
            widgets::text_field(
                ui,
                &tr!(lang, "kas.dibayar_kepada"),
                &mut f.dibayar_kepada,
                Some("SD Negeri Sorosutan"),
            );
            widgets::text_field(ui, &tr!(lang, "kas.nik_terkait"), &mut f.nik_terkait, None);
            let jumlah = amount_field(ui, &tr!(lang, "kas.jumlah"), &mut f.jumlah, false, lang);
            widgets::text_field(
                ui,
                &tr!(lang, "kas.tanggal"),
                &mut f.tanggal,
                Some("17/08/2025"),
            );
            widgets::text_field(ui, &tr!(lang, "kas.no_nota"), &mut f.no_nota, None);
            let titles = meeting_titles(idx);
            widgets::combo(
                ui,
                "kas_keputusan",
                &tr!(lang, "kas.keputusan"),
                &mut f.keputusan,
                &titles,
            );
            widgets::text_field(ui, &tr!(lang, "kas.keterangan"), &mut f.keterangan, None);
            let nik = match f.nik_terkait.trim() {
                "" => Ok(None),
                t => rules::Nik::parse(t).map(Some),
            };
            if let Err(e) = &nik {
                widgets::field_error(ui, &crate::errors::nik_error(e, lang));
            }
            if widgets::primary_button(ui, tr!(lang, "kas.simpan_pengeluaran"), narrow).clicked()
                && let (Some(jumlah), Ok(nik)) = (jumlah, nik)
            {
                cmds.push(Command::AddExpense(Box::new(Pengeluaran {
                    kategori: f.kategori,
                    tanggal: f.tanggal.clone(),
                    dibayar_kepada: f.dibayar_kepada.clone(),
                    nik_terkait: nik,
                    jumlah,
                    no_nota: f.no_nota.trim().to_string(),
                    keputusan: f.keputusan.clone(),
                    keterangan: f.keterangan.trim().to_string(),
                    ..Default::default()
                })));
            }
        },
    );
    ui.add_space(8.0);
    ui.strong(tr!(lang, "kas.pengeluaran_terakhir"));
    if idx.money.expenses.is_empty() {
        ui.label(RichText::new(tr!(lang, "kas.belum_ada")).weak());
    }
    let voided: std::collections::HashSet<&str> =
        idx.money.voids.iter().map(|(id, _)| id.as_str()).collect();
    for (id, x) in idx.money.expenses.iter().take(50) {
        let is_void = voided.contains(id.as_str());
        ui.horizontal_wrapped(|ui| {
            let mut text = format!(
                "{} · {} · {} · {}",
                widgets::date_short(&x.tanggal),
                x.kategori.label(),
                x.dibayar_kepada,
                widgets::rp(x.jumlah)
            );
            if is_void {
                text.push_str(&format!(" · {}", tr!(lang, "kas.dibatalkan")));
            }
            ui.label(text);
            if !is_void && ui.small_button(tr!(lang, "kas.batalkan")).clicked() {
                st.void = Some(VoidForm {
                    id: id.clone(),
                    alasan: String::new(),
                });
            }
        });
        if let Some(v) = st.void.as_mut().filter(|v| v.id == *id) {
            void_form(ui, v, lang, narrow, cmds);
        }
    }
}

/// The reason for voiding a payment, and the button that voids it.
pub(crate) fn void_form(
    ui: &mut egui::Ui,
    v: &mut VoidForm,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    widgets::card(ui, |ui| {
        widgets::text_field(ui, &tr!(lang, "kas.alasan_batal"), &mut v.alasan, None);
        if widgets::primary_button(ui, tr!(lang, "kas.ya_batalkan"), narrow).clicked() {
            cmds.push(Command::VoidPayment {
                id: v.id.clone(),
                alasan: v.alasan.clone(),
            });
        }
    });
}
