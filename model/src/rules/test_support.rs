//! Helpers for tests: round-trip a value through an Automerge document.

use automerge::{AutoCommit, ROOT, ScalarValue, transaction::Transactable};
use autosurgeon::{Hydrate, HydrateError, Reconcile, hydrate_prop, reconcile_prop};

/// Reconciles `value` into a fresh document under key "v" and hydrates it back.
pub(crate) fn roundtrip<T: Reconcile + Hydrate>(value: &T) -> T {
    let mut doc = AutoCommit::new();
    reconcile_prop(&mut doc, ROOT, "v", value).unwrap();
    hydrate_prop(&doc, &ROOT, "v").unwrap()
}

/// The scalar that `value` reconciles to.
pub(crate) fn stored_scalar<T: Reconcile>(value: &T) -> ScalarValue {
    let mut doc = AutoCommit::new();
    reconcile_prop(&mut doc, ROOT, "v", value).unwrap();
    match automerge::ReadDoc::get(&doc, ROOT, "v").unwrap() {
        Some((automerge::Value::Scalar(s), _)) => s.into_owned(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// Hydrates a `T` from a raw scalar written directly into a document.
pub(crate) fn hydrate_from<T: Hydrate>(value: impl Into<ScalarValue>) -> Result<T, HydrateError> {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "v", value.into()).unwrap();
    hydrate_prop(&doc, &ROOT, "v")
}

/// Reads a file of the reference data folder `data/rw08` of the repository (`NAME`).
pub(crate) fn rw08_file(name: &str) -> String {
    let path =
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/rw08")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a simple CSV (no quoting) into rows of (header -> value).
pub(crate) fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    lines
        .map(|l| {
            assert!(!l.contains('"'), "quoted CSV not supported: {l}");
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(|s| s.to_string()))
                .collect()
        })
        .collect()
}
