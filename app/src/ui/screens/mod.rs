//! One module per screen; each has a `*_ui` function that reads state and pushes commands.

pub(crate) mod beranda;
pub(crate) mod donors;
pub(crate) mod household_form;
pub(crate) mod households;
pub(crate) mod kas;
pub(crate) mod laporan;
pub(crate) mod musyawarah;
pub(crate) mod pinjaman;
pub(crate) mod pmks;
pub(crate) mod santunan;
pub(crate) mod sinkron;
pub(crate) mod start;
pub(crate) mod tinjau;
