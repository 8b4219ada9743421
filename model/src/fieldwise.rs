//! Field-level writes: a save writes only the fields that differ between the version a
//! person started from and the version they saved.
//!
//! Writing a key again in Automerge drops the losing values of an open conflict, so a
//! save that rewrote untouched fields would silently settle conflicts nobody looked at,
//! and a rewrite of a whole nested map would lose a concurrent edit of a sibling field.

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, transaction::Transactable};
use autosurgeon::{ReconcileError, reconcile_prop};

/// A record that can write the difference between two of its versions into its map.
pub(crate) trait FieldWise {
    /// Writes into the existing map `obj` each field where `new` differs from `old`;
    /// returns how many fields were written.
    fn write_changes(
        doc: &mut AutoCommit,
        obj: &ObjId,
        old: &Self,
        new: &Self,
    ) -> Result<usize, ReconcileError>;
}

/// Implements [`FieldWise`] for a struct by comparing the listed fields one by one.
/// Writes one field, through its stored form when the field names one (`as InstantField`).
macro_rules! write_field {
    ($doc:expr, $obj:expr, $key:expr, $val:expr) => {
        ::autosurgeon::reconcile_prop($doc, $obj, $key, $val)
    };
    ($doc:expr, $obj:expr, $key:expr, $val:expr, $wrap:ident) => {
        ::autosurgeon::reconcile_prop($doc, $obj, $key, $crate::stored::$wrap($val))
    };
}

macro_rules! fieldwise {
    ($ty:ty { $($field:ident $(as $wrap:ident)?),* $(,)? }) => {
        impl $crate::fieldwise::FieldWise for $ty {
            fn write_changes(
                doc: &mut ::automerge::AutoCommit,
                obj: &::automerge::ObjId,
                old: &Self,
                new: &Self,
            ) -> Result<usize, ::autosurgeon::ReconcileError> {
                let mut n = 0;
                $(
                    if old.$field != new.$field {
                        write_field!(doc, obj, stringify!($field), &new.$field $(, $wrap)?)?;
                        n += 1;
                    }
                )*
                Ok(n)
            }
        }
    };
}

use crate::kas::Anggota;
use crate::records::{Disbursement, Donor, Group, Household, Meeting, Member, Person, Pmks};

fieldwise!(Meeting {
    judul,
    tanggal,
    keputusan,
    jenis,
    tempat,
    hadir as CodesField,
    agenda,
    created_by,
    created_at as InstantField,
});
fieldwise!(Anggota {
    no_anggota,
    nik as DigitsField,
    nama,
    rt,
    jabatan,
    tanggal_masuk,
    iuran_wajib_bulanan,
    perangkat,
    created_by,
    created_at as InstantField,
    updated_by,
    updated_at as InstantField,
});

fieldwise!(Person {
    nik as DigitsField,
    nama,
    jenis_kelamin,
    tempat_lahir,
    tanggal_lahir,
    hubungan_keluarga,
    status_perkawinan,
    pendidikan,
    pekerjaan,
    agama,
    kewarganegaraan,
    nama_ayah,
    nama_ibu,
    status_sekolah,
    disabilitas,
    penyakit_kronis,
    created_by,
    created_at as InstantField,
    updated_by,
    updated_at as InstantField,
    deleted,
});
fieldwise!(Pmks {
    household_id,
    person_id,
    kode,
    status,
    tag,
    bukti,
    tanggal_identifikasi,
    created_by,
    created_at as InstantField,
    updated_by,
    updated_at as InstantField,
    deleted,
});
fieldwise!(Donor {
    kode,
    nama,
    rt,
    no_kk as DigitsField,
    household_id,
    jenis,
    iuran_bulanan,
    created_by,
    created_at as InstantField,
    updated_by,
    updated_at as InstantField,
    deleted,
});
fieldwise!(Group {
    id,
    name,
    kode_wilayah,
    kelurahan,
    rw,
    rt_list as RtListField,
    created_by,
    created_at as InstantField
});
fieldwise!(Member {
    name,
    role,
    rt,
    added_by,
    added_at as InstantField,
    revoked
});

fieldwise!(Disbursement {
    household_id,
    person_id,
    nik_penerima as DigitsField,
    pmks_id,
    jenis,
    jumlah,
    tanggal,
    meeting_id,
    dibayar_oleh,
    created_by,
    created_at as InstantField,
    updated_by,
    updated_at as InstantField,
    deleted,
});

impl FieldWise for Household {
    fn write_changes(
        doc: &mut AutoCommit,
        obj: &ObjId,
        old: &Self,
        new: &Self,
    ) -> Result<usize, ReconcileError> {
        let mut n = 0;
        macro_rules! plain {
            ($($f:ident $(as $wrap:ident)?),*) => {$(
                if old.$f != new.$f {
                    write_field!(doc, obj, stringify!($f), &new.$f $(, $wrap)?)?;
                    n += 1;
                }
            )*};
        }
        plain!(
            no_kk as DigitsField,
            alamat,
            rt,
            rw,
            kepala_keluarga,
            luas_lantai_m2,
            lantai,
            dinding,
            atap,
            air_minum,
            penerangan,
            bahan_bakar,
            fasilitas_bab,
            penghasilan_bulanan,
            aset,
            bantuan,
            persetujuan,
            surveyed_by,
            surveyed_on,
            created_by,
            created_at as InstantField,
            updated_by,
            updated_at as InstantField,
            deleted,
            merged_into
        );
        if old.anggota != new.anggota {
            let people = match doc.get(obj, "anggota")? {
                Some((automerge::Value::Object(ObjType::Map), id)) => id,
                _ => doc.put_object(obj, "anggota", ObjType::Map)?,
            };
            // People are never removed from the map: a person leaving is a tombstone.
            for (pid, person) in &new.anggota {
                match (old.anggota.get(pid), doc.get(&people, pid.as_str())?) {
                    (Some(before), Some((automerge::Value::Object(ObjType::Map), pobj))) => {
                        n += Person::write_changes(doc, &pobj, before, person)?;
                    }
                    _ => {
                        reconcile_prop(doc, &people, pid.as_str(), person)?;
                        n += 1;
                    }
                }
            }
        }
        Ok(n)
    }
}
