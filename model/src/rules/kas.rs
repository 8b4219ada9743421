//! The closed lists of the group's cash book and governance (docs/domain.md#the-whole-year and
//! docs/domain.md#where-the-money-comes-from): where cash comes from, what it is spent on, the
//! kinds of meeting and the board positions. Stored by their code.

/// A value outside one of these lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {field} \"{input}\" (expected one of: {expected})")]
pub struct KasCodeError {
    /// Which list, e.g. `"jenis sumber"`.
    pub field: &'static str,
    /// The text as given.
    pub input: String,
    /// The codes, comma-separated.
    pub expected: String,
}

code_enum! {
    /// Where a cash receipt comes from (jenis sumber dana). Every kind gets a kuitansi from
    /// the same numbering; only `iuran` belongs to an RT.
    SumberDana, field = "jenis sumber", error = KasCodeError {
        /// Iuran sukarela: a donor's monthly donation, collected in an RT.
        Iuran => "iuran", "Iuran donatur", ["iuran sukarela", "donatur"],
        /// Iuran wajib: a member's compulsory monthly due.
        IuranWajib => "iuran_wajib", "Iuran wajib anggota", ["iuran wajib", "wajib"],
        /// Usaha: a local business (shop, workshop).
        Usaha => "usaha", "Usaha / toko", ["toko", "perusahaan"],
        /// Hibah: a grant (Dinas Sosial, kelurahan, CSR).
        Hibah => "hibah", "Hibah", ["bantuan pemerintah", "dinas sosial"],
        /// KPS: a neighbourhood group passing on a collection (pengajian, arisan).
        Kps => "kps", "Kelompok (KPS)", ["kelompok"],
        /// Pengurus: a voluntary gift of a board member.
        Pengurus => "pengurus", "Pengurus", [],
        /// Spontan: a one-off gift (kotak amal, hamba Allah).
        Spontan => "spontan", "Sumbangan spontan", ["insidental", "hamba allah"],
        /// Angsuran: a loan repayment.
        Angsuran => "angsuran", "Angsuran pinjaman", ["cicilan"],
    }
}

impl Default for SumberDana {
    /// A donor's iuran: what every receipt written before sources were recorded is.
    fn default() -> Self {
        SumberDana::Iuran
    }
}

code_enum! {
    /// What cash is paid out for, other than a per-person santunan (kategori pengeluaran).
    KategoriPengeluaran, field = "kategori", error = KasCodeError {
        /// Sumbangan kematian: a death donation to the family.
        SumbanganKematian => "sumbangan_kematian", "Sumbangan kematian", ["kematian", "duka"],
        /// Bantuan musibah: help after a fire, flood or accident.
        BantuanMusibah => "bantuan_musibah", "Bantuan musibah", ["musibah", "bencana"],
        /// Administrasi: printing, stamps, stationery.
        Administrasi => "administrasi", "Administrasi", ["atk", "cetak"],
        /// Konsumsi rapat: snacks and water at meetings.
        KonsumsiRapat => "konsumsi_rapat", "Konsumsi rapat", ["konsumsi"],
        /// Pembelian sembako: staple food bought in bulk at a shop.
        PembelianSembako => "pembelian_sembako", "Pembelian sembako", ["sembako"],
        /// SPP: school fees paid to a school.
        Spp => "spp", "SPP sekolah", ["biaya sekolah"],
        /// Lainnya: anything else.
        Lainnya => "lainnya", "Lainnya", ["lain-lain", "lain"],
    }
}

code_enum! {
    /// The kind of a musyawarah: the monthly meeting, or the quarterly one that also decides
    /// the quarter's santunan and hears the quarter's report.
    JenisRapat, field = "jenis musyawarah", error = KasCodeError {
        /// Bulanan: monthly.
        Bulanan => "bulanan", "Bulanan", ["rutin"],
        /// Triwulan: quarterly.
        Triwulan => "triwulan", "Triwulan", ["tiga bulanan"],
    }
}

impl Default for JenisRapat {
    /// Monthly.
    fn default() -> Self {
        JenisRapat::Bulanan
    }
}

code_enum! {
    /// A position in the group's register of members (jabatan), in the order of the board.
    /// A position grants no rights on a device: those are the device roles.
    Jabatan, field = "jabatan", error = KasCodeError {
        /// Ketua (chair).
        Ketua => "Ketua", "Ketua", [],
        /// Wakil Ketua (vice chair).
        WakilKetua => "Wakil Ketua", "Wakil Ketua", ["Wakil"],
        /// Sekretaris I.
        Sekretaris1 => "Sekretaris I", "Sekretaris I", ["Sekretaris 1", "Sekretaris"],
        /// Sekretaris II.
        Sekretaris2 => "Sekretaris II", "Sekretaris II", ["Sekretaris 2"],
        /// Bendahara I (treasurer).
        Bendahara1 => "Bendahara I", "Bendahara I", ["Bendahara 1", "Bendahara"],
        /// Bendahara II.
        Bendahara2 => "Bendahara II", "Bendahara II", ["Bendahara 2"],
        /// Penasihat (adviser; the RT heads).
        Penasihat => "Penasihat", "Penasihat", ["Pelindung"],
        /// Anggota (member).
        Anggota => "Anggota", "Anggota", [],
    }
}

impl Default for Jabatan {
    /// A member with no position.
    fn default() -> Self {
        Jabatan::Anggota
    }
}
