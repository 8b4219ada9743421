//! `rukun generate`: a deterministic kelurahan-size book, shaped like `data/rw08`,
//! written one form save at a time by several simulated members and merged — the data set
//! every benchmark and scale test uses.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::book::{Book, BookError, Device, MemberId, Role, table};
use crate::receipts::{receipt_number, short_id};
use crate::records::{
    Consent, Disbursement, Donor, Household, Meeting, Member, Person, Pmks, Receipt,
};
use crate::rules::{Nik, NoKk, PmksCode, PmksStatus, Rupiah, terbilang, wib};

/// Size of a generated book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateSpec {
    /// Households (about 4 people each).
    pub households: usize,
    /// Seed: the same seed and size give the same records.
    pub seed: u64,
}

impl GenerateSpec {
    /// PMKS identifications: 2,000 for 5,000 households (two in five).
    pub fn pmks(&self) -> usize {
        self.households * 2 / 5
    }
    /// Receipts: 50,000 for 5,000 households (ten per household, over five years).
    pub fn receipts(&self) -> usize {
        self.households * 10
    }
}

/// What `generate` wrote.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct GenerateReport {
    /// Households written.
    pub households: usize,
    /// People written.
    pub persons: usize,
    /// PMKS identifications written.
    pub pmks: usize,
    /// Donors written.
    pub donors: usize,
    /// Receipts written.
    pub receipts: usize,
    /// Disbursements written.
    pub disbursements: usize,
    /// Commits (form saves) made by the simulated members.
    pub commits: usize,
}

const SIMULATED_MEMBERS: usize = 4;
const FIRST_NAMES_M: &[&str] = &[
    "Bambang", "Sutrisno", "Agus", "Budi", "Joko", "Slamet", "Hartono", "Dwi", "Eko", "Bayu",
    "Muhammad", "Ahmad", "Rudi", "Wahyu", "Teguh", "Suharto", "Soedjono", "Heru", "Yanto",
    "Suparman",
];
const FIRST_NAMES_F: &[&str] = &[
    "Sumiyati", "Sri", "Siti", "Dewi", "Wulan", "Rina", "Endang", "Tri", "Yuni", "Ani", "Kartini",
    "Suminah", "Lestari", "Ratna", "Wahyuni", "Nur", "Puji", "Sulastri",
];
const LAST_NAMES: &[&str] = &[
    "Santoso",
    "Haryanto",
    "Prasetyo",
    "Hidayat",
    "Lestari",
    "Wibowo",
    "Susanto",
    "Nugroho",
    "Saputra",
    "Kurniawan",
    "Setiawan",
    "Purnomo",
    "Rahayu",
    "Utomo",
    "",
];
const STREETS: &[&str] = &[
    "Jl. Tegalturi",
    "Gg. Mawar",
    "Jl. Sorogenen",
    "Jl. Sidokabul",
    "Gg. Melati",
    "Jl. Nitikan",
    "Gg. Kenanga",
    "Jl. Ponggalan",
    "Jl. Glagahsari",
    "Gg. Anggrek",
];
const LANTAI: &[&str] = &[
    "Keramik",
    "Ubin/tegel/teraso",
    "Semen/bata merah",
    "Tanah",
    "Kayu/papan",
];
const DINDING: &[&str] = &[
    "Tembok",
    "Plesteran anyaman bambu/kawat",
    "Kayu/papan/gypsum/GRC",
    "Anyaman bambu",
];
const ATAP: &[&str] = &["Genteng", "Asbes", "Seng", "Beton"];
const AIR: &[&str] = &[
    "Sumur terlindung",
    "Sumur bor/pompa",
    "Isi ulang",
    "Leding",
    "PDAM",
];
const TERANG: &[&str] = &["PLN dengan meteran", "PLN tanpa meteran", "Non-PLN"];
const BAB: &[&str] = &[
    "Sendiri",
    "Bersama rumah tangga tertentu",
    "MCK umum",
    "Tidak ada",
];
const PENDIDIKAN: &[&str] = &["Tamat SD", "SLTP", "SLTA", "D-IV/S1", "Belum Tamat SD"];
const PEKERJAAN: &[&str] = &[
    "Wiraswasta",
    "Buruh Harian Lepas",
    "Karyawan Swasta",
    "Pedagang",
    "Belum/Tidak Bekerja",
];
const PMKS_CODES: &[u8] = &[24, 24, 24, 8, 8, 2, 2, 9, 9, 23, 17, 19, 25];
const STATUSES: &[PmksStatus] = &[
    PmksStatus::Teridentifikasi,
    PmksStatus::Terverifikasi,
    PmksStatus::Prioritas,
    PmksStatus::Dilayani,
    PmksStatus::Selesai,
];

fn pick<T: Copy>(rng: &mut fastrand::Rng, list: &[T]) -> T {
    list[rng.usize(..list.len())]
}

fn det_id(rng: &mut fastrand::Rng) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

fn nik_for(rng: &mut fastrand::Rng, female: bool, born: NaiveDate, serial: u32) -> String {
    use chrono::Datelike;
    let day = born.day() + if female { 40 } else { 0 };
    let _ = rng;
    format!(
        "347113{:02}{:02}{:02}{:04}",
        day,
        born.month(),
        born.year() % 100,
        serial % 9999 + 1
    )
}

fn stamp_at(day: NaiveDate, minute: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap_or_default())
        + Duration::minutes(i64::from(minute))
}

/// Fills `book` with a deterministic data set: several simulated members (added to the
/// book) each write their share one form save at a time on their own replica; the replicas
/// are then merged into `book`, which is compacted into one snapshot if it is on disk.
pub fn generate(book: &mut Book, spec: GenerateSpec) -> Result<GenerateReport, BookError> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let rng = &mut rng;
    let start = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or_default();
    // Members, recorded on the main book first so every replica knows them.
    let devices: Vec<Device> = (0..SIMULATED_MEMBERS)
        .map(|i| Device::from_seed(spec.seed.wrapping_mul(1_000_003).wrapping_add(i as u64)))
        .collect();
    let ids: Vec<MemberId> = devices.iter().map(|d| d.member_id().clone()).collect();
    for (i, id) in ids.iter().enumerate() {
        let role = if i == 0 {
            Role::Bendahara
        } else if i == 1 {
            Role::KetuaRt
        } else {
            Role::Relawan
        };
        book.put_member(
            id,
            &Member {
                name: format!("Relawan {}", i + 1),
                role,
                rt: None,
                added_by: book.member_id().to_string(),
                added_at: stamp_at(start, 0),
                revoked: None,
            },
        )?;
    }
    book.commit("add simulated members")?;
    let mut all_members = ids.clone();
    all_members.extend(book.members().into_iter().map(|(id, _)| id));
    // Each simulated member writes with its own actor id (registered to it), one commit
    // per form save; the book's own store is set aside so the saves are not each fsynced,
    // and the result is written as one snapshot at the end.
    let writers: Vec<automerge::ActorId> = (0..devices.len())
        .map(|i| {
            let mut b = [0u8; 16];
            rng.fill(&mut b);
            b[0] = i as u8;
            automerge::ActorId::from(b.to_vec())
        })
        .collect();
    for (actor, id) in writers.iter().zip(&ids) {
        book.register_actor(actor, id)?;
    }
    book.commit("register simulated members' actors")?;
    let store = book.take_store();
    let result = write_all(book, spec, rng, start, &ids, &all_members, &writers);
    book.use_actor(None);
    book.restore_store(store);
    let report = result?;
    book.compact()?;
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn write_all(
    book: &mut Book,
    spec: GenerateSpec,
    rng: &mut fastrand::Rng,
    start: NaiveDate,
    ids: &[MemberId],
    all_members: &[MemberId],
    writers: &[automerge::ActorId],
) -> Result<GenerateReport, BookError> {
    let replicas = WriterSet { writers };
    let mut report = GenerateReport::default();
    let n_rw = spec.households.div_ceil(400).max(1) as u16;

    // Households with their people: one form save each, spread over the volunteers.
    let mut people: Vec<(String, String, NaiveDate, u16)> = Vec::new(); // (hh, person, born, rt)
    let mut households: Vec<(String, u16, String, String)> = Vec::new(); // (id, rt, kk, head)
    let mut serial = 0u32;
    for i in 0..spec.households {
        let w = i % replicas.len();
        let rw = (i as u16 % n_rw) + 1;
        let rt = (i as u16 / n_rw % 10) + 1;
        let day = start + Duration::days((i % 365) as i64);
        let reg = start - Duration::days(rng.i64(0..4000));
        let no_kk = format!("347113{}{:04}", reg.format("%d%m%y"), (i % 9999) + 1);
        let id = det_id(rng);
        let by = ids[w].to_string();
        let at = stamp_at(day, i as u32 % 600);
        let n_people = 1 + rng.usize(0..6).min(5);
        let head_female = rng.u8(0..10) < 2;
        let last = pick(rng, LAST_NAMES);
        let mut anggota = std::collections::BTreeMap::new();
        let mut head_name = String::new();
        for k in 0..n_people {
            let female = if k == 0 {
                head_female
            } else if k == 1 {
                !head_female
            } else {
                rng.bool()
            };
            let born = if k < 2 {
                NaiveDate::from_ymd_opt(1940 + rng.i32(0..45), rng.u32(1..=12), rng.u32(1..=28))
            } else {
                NaiveDate::from_ymd_opt(1990 + rng.i32(0..30), rng.u32(1..=12), rng.u32(1..=28))
            }
            .unwrap_or_default();
            let first = if female {
                pick(rng, FIRST_NAMES_F)
            } else {
                pick(rng, FIRST_NAMES_M)
            };
            let nama = if last.is_empty() {
                first.to_string()
            } else {
                format!("{first} {last}")
            };
            if k == 0 {
                head_name.clone_from(&nama);
            }
            serial += 1;
            let pid = det_id(rng);
            people.push((id.clone(), pid.clone(), born, rt));
            anggota.insert(
                pid,
                Person {
                    nik: Nik::from_stored(&nik_for(rng, female, born, serial)),
                    nama,
                    jenis_kelamin: if female { "P" } else { "L" }.into(),
                    tempat_lahir: "Yogyakarta".into(),
                    tanggal_lahir: born.format("%Y-%m-%d").to_string(),
                    hubungan_keluarga: match k {
                        0 => "Kepala Keluarga",
                        1 => {
                            if head_female {
                                "Suami"
                            } else {
                                "Istri"
                            }
                        }
                        _ => "Anak",
                    }
                    .into(),
                    status_perkawinan: if k < 2 { "Kawin" } else { "Belum Kawin" }.into(),
                    pendidikan: pick(rng, PENDIDIKAN).into(),
                    pekerjaan: pick(rng, PEKERJAAN).into(),
                    agama: "Islam".into(),
                    kewarganegaraan: "WNI".into(),
                    created_by: by.clone(),
                    created_at: at,
                    updated_by: by.clone(),
                    updated_at: at,
                    ..Default::default()
                },
            );
        }
        report.persons += n_people;
        let alamat = format!("{} No. {}", pick(rng, STREETS), 1 + rng.u32(0..200));
        let h = Household {
            no_kk: NoKk::from_stored(&no_kk),
            alamat,
            rt,
            rw,
            kepala_keluarga: head_name.clone(),
            luas_lantai_m2: Some(20 + rng.u32(0..150)),
            lantai: pick(rng, LANTAI).into(),
            dinding: pick(rng, DINDING).into(),
            atap: pick(rng, ATAP).into(),
            air_minum: pick(rng, AIR).into(),
            penerangan: pick(rng, TERANG).into(),
            fasilitas_bab: pick(rng, BAB).into(),
            penghasilan_bulanan: Rupiah::from_whole(i64::from(5 + rng.u32(0..80)) * 100_000).ok(),
            anggota,
            persetujuan: Some(Consent {
                tanggal: day.format("%Y-%m-%d").to_string(),
                dijelaskan_oleh: by.clone(),
                tujuan: "pendataan kesejahteraan sosial".into(),
                masa_simpan: "5 tahun".into(),
                penanda_tangan: head_name.clone(),
            }),
            surveyed_by: by.clone(),
            surveyed_on: day.format("%Y-%m-%d").to_string(),
            created_by: by.clone(),
            created_at: at,
            updated_by: by,
            updated_at: at,
            ..Default::default()
        };
        book.use_actor(Some(&replicas.writers[w]));
        book.insert(table::HOUSEHOLDS, &id, &h)?;
        book.commit("survei rumah tangga")?;
        report.commits += 1;
        households.push((id, rt, no_kk, head_name));
    }
    report.households = spec.households;

    rss("households");
    // PMKS identifications.
    let mut pmks_of_person: Vec<(usize, String, u8)> = Vec::new();
    for i in 0..spec.pmks().min(people.len()) {
        let w = i % replicas.len();
        let pi = (i * 7919) % people.len();
        let (hid, pid, _, _) = &people[pi];
        let kode = PMKS_CODES[rng.usize(..PMKS_CODES.len())];
        let id = det_id(rng);
        let day = start + Duration::days(30 + (i % 1500) as i64);
        let at = stamp_at(day, i as u32 % 600);
        let p = Pmks {
            household_id: hid.clone(),
            person_id: Some(pid.clone()),
            kode: PmksCode::new(kode).map_err(|e| {
                BookError::from(crate::FieldRefusal::Value {
                    field: "kode".into(),
                    reason: e.to_string(),
                })
            })?,
            status: pick(rng, STATUSES),
            tag: if kode == 2 {
                "rawan putus sekolah".into()
            } else {
                String::new()
            },
            bukti: "kunjungan rumah".into(),
            tanggal_identifikasi: day.format("%Y-%m-%d").to_string(),
            created_by: ids[w].to_string(),
            created_at: at,
            updated_by: ids[w].to_string(),
            updated_at: at,
            deleted: None,
        };
        book.use_actor(Some(&replicas.writers[w]));
        book.insert(table::PMKS, &id, &p)?;
        book.commit("identifikasi PMKS")?;
        report.commits += 1;
        report.pmks += 1;
        pmks_of_person.push((pi, id, kode));
    }

    rss("pmks");
    // Donors: one in six households gives every month; written by the treasurer.
    let per_donor = 60usize;
    let n_donors = spec
        .receipts()
        .div_ceil(per_donor)
        .min(households.len())
        .max(1);
    let mut donors: Vec<(String, Donor)> = Vec::new();
    for (i, (hid, rt, kk, head)) in households.iter().take(n_donors).enumerate() {
        let id = det_id(rng);
        let at = stamp_at(start, i as u32 % 600);
        let d = Donor {
            kode: format!("D{:04}", i + 1),
            nama: head.clone(),
            rt: *rt,
            no_kk: NoKk::from_stored(kk),
            household_id: Some(hid.clone()),
            jenis: "tetap".into(),
            iuran_bulanan: Rupiah::from_whole(5_000 * (1 + rng.i64(0..3))).ok(),
            created_by: ids[0].to_string(),
            created_at: at,
            updated_by: ids[0].to_string(),
            updated_at: at,
            deleted: None,
        };
        book.use_actor(Some(&replicas.writers[0]));
        book.insert(table::DONORS, &id, &d)?;
        book.commit("donatur baru")?;
        report.commits += 1;
        donors.push((id, d));
    }
    report.donors = donors.len();

    // Receipts: every donor, every month, issued by the ketua RT devices (members 1..).
    let issuers: Vec<usize> = (1..replicas.len()).collect();
    let mut seqs = vec![1u64; replicas.len()];
    let shorts: Vec<String> = ids.iter().map(|id| short_id(id, all_members)).collect();
    let mut count = 0usize;
    'months: for month in 0..per_donor {
        for (di, (donor_id, d)) in donors.iter().enumerate() {
            if count >= spec.receipts() {
                break 'months;
            }
            let w = issuers[di % issuers.len()];
            let day = start + Duration::days((month as i64) * 365 / 12 + (di % 25) as i64);
            let t = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
                + Duration::minutes(rng.i64(0..(14 * 60)));
            let jumlah = d.iuran_bulanan.unwrap_or_else(Rupiah::zero);
            let wib_t = t.with_timezone(&wib());
            let r = Receipt {
                nomor: receipt_number(d.rt, &shorts[w], seqs[w]),
                donor_id: donor_id.clone(),
                kode_donatur: d.kode.clone(),
                dari: d.nama.clone(),
                rt: d.rt,
                jumlah,
                terbilang: terbilang(&jumlah),
                untuk: format!("Iuran {}", wib_t.format("%m/%Y")),
                diterima_pada: t,
                penerima: format!("Ketua RT {}", d.rt),
                salinan_buku: false,
                created_by: ids[w].to_string(),
                created_at: t,
                ..Default::default()
            };
            seqs[w] += 1;
            let id = det_id(rng);
            book.use_actor(Some(&replicas.writers[w]));
            book.insert(table::RECEIPTS, &id, &r)?;
            book.commit("kuitansi")?;
            report.commits += 1;
            count += 1;
        }
    }
    report.receipts = count;

    rss("receipts");
    // Quarterly santunan for the served elderly (8) and children (2), by meeting decision.
    let quarters = 20usize;
    let served: Vec<&(usize, String, u8)> = pmks_of_person
        .iter()
        .filter(|(_, _, k)| *k == 8 || *k == 2)
        .take(50)
        .collect();
    for q in 0..quarters {
        let day = start + Duration::days((q as i64 + 1) * 91 - 3);
        let mid = det_id(rng);
        let title = format!("Musyawarah Q{}/{}", q % 4 + 1, 2021 + q / 4);
        book.use_actor(Some(&replicas.writers[0]));
        book.insert(
            table::MEETINGS,
            &mid,
            &Meeting {
                judul: title.clone(),
                tanggal: day.format("%Y-%m-%d").to_string(),
                keputusan: title,
                jenis: crate::rules::JenisRapat::Triwulan,
                created_by: ids[0].to_string(),
                created_at: stamp_at(day, 0),
                ..Default::default()
            },
        )?;
        for (pi, pmks_id, kode) in &served {
            let (hid, pid, _, _) = &people[*pi];
            let kinds: &[(&str, i64)] = if *kode == 8 {
                &[("sembako", 40_000), ("tunai", 35_000)]
            } else {
                &[("spp", 25_000)]
            };
            for (jenis, amount) in kinds {
                let d = Disbursement {
                    household_id: hid.clone(),
                    person_id: Some(pid.clone()),
                    nik_penerima: None,
                    pmks_id: Some(pmks_id.clone()),
                    jenis: (*jenis).into(),
                    jumlah: Rupiah::from_whole(*amount).unwrap_or_else(|_| Rupiah::zero()),
                    tanggal: day.format("%Y-%m-%d").to_string(),
                    meeting_id: Some(mid.clone()),
                    dibayar_oleh: "Bendahara".into(),
                    created_by: ids[0].to_string(),
                    created_at: stamp_at(day, 1),
                    updated_by: ids[0].to_string(),
                    updated_at: stamp_at(day, 1),
                    deleted: None,
                };
                let id = det_id(rng);
                book.insert(table::DISBURSEMENTS, &id, &d)?;
                report.disbursements += 1;
            }
        }
        book.commit("santunan triwulan")?;
        report.commits += 1;
    }

    rss("santunan");
    Ok(report)
}

/// The simulated members' actor ids.
struct WriterSet<'a> {
    writers: &'a [automerge::ActorId],
}

impl WriterSet<'_> {
    fn len(&self) -> usize {
        self.writers.len()
    }
}

fn rss(phase: &str) {
    let kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .map(|l| l.to_string())
        })
        .unwrap_or_default();
    tracing::debug!("generate: {phase} done, {kb}");
}
