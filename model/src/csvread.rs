//! Reading CSV as people actually save it: the plain files of `data/rw08` and the same
//! data saved by Excel with Indonesian regional settings (`;` separator, UTF-8 with or
//! without BOM, CRLF, headers in any case with spaces, formatted empty rows `;;;;`).

use std::collections::HashMap;

/// One data row: its 1-based line number in the file and its cells by normalised header.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) line: u64,
    cells: HashMap<String, String>,
}

impl Row {
    /// The trimmed cell of a column (empty when the column is absent).
    pub(crate) fn get(&self, col: &str) -> &str {
        self.cells.get(col).map(|s| s.trim()).unwrap_or("")
    }
}

/// Errors that make a whole file unreadable.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The bytes are not UTF-8 text.
    #[error("the file is not UTF-8 text (save it as \"CSV UTF-8\")")]
    NotUtf8,
    /// The file has no header line.
    #[error("the file is empty: no header line")]
    Empty,
    /// A required column is missing from the header.
    #[error("missing column {column:?} in the header (found: {found})")]
    MissingColumn {
        /// The column the importer needs.
        column: String,
        /// The columns the header has.
        found: String,
    },
    /// The CSV structure is broken (e.g. an unclosed quote).
    #[error("line {line}: {message}")]
    Syntax {
        /// 1-based line number.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
}

/// Normalises a header cell: lower case, spaces, dashes and dots to `_`, trimmed.
pub(crate) fn normalize_header(h: &str) -> String {
    let mut out = String::new();
    for c in h.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Parses CSV bytes into rows, requiring the given columns. Rows whose cells are all
/// empty are skipped.
pub(crate) fn read_rows(bytes: &[u8], required: &[&str]) -> Result<Vec<Row>, CsvError> {
    let text = std::str::from_utf8(bytes).map_err(|_| CsvError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(CsvError::Empty)?;
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CsvError::Syntax {
            line: 1,
            message: e.to_string(),
        })?
        .iter()
        .map(normalize_header)
        .collect();
    for col in required {
        if !headers.iter().any(|h| h == col) {
            return Err(CsvError::MissingColumn {
                column: (*col).to_string(),
                found: headers.join(", "),
            });
        }
    }
    // The CSV reader does not count blank lines, so line numbers come from byte offsets.
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    // A record's position may point at the line break before it (and before blank lines).
    let bytes = text.as_bytes();
    let line_of = |byte: u64| {
        let mut at = byte as usize;
        while at < bytes.len() && (bytes[at] == b'\r' || bytes[at] == b'\n') {
            at += 1;
        }
        newlines.partition_point(|&i| i < at) as u64 + 1
    };
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| CsvError::Syntax {
            line: e.position().map(|p| line_of(p.byte())).unwrap_or(0),
            message: e.to_string(),
        })?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = rec.position().map(|p| line_of(p.byte())).unwrap_or(0);
        let cells = headers
            .iter()
            .zip(rec.iter())
            .map(|(h, c)| (h.clone(), c.to_string()))
            .collect();
        rows.push(Row { line, cells });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_normalise() {
        assert_eq!(normalize_header(" No KK "), "no_kk");
        assert_eq!(
            normalize_header("\u{feff}Diterima Pada (WIB)"),
            "diterima_pada_wib"
        );
        assert_eq!(normalize_header("KODE_DONATUR"), "kode_donatur");
    }

    #[test]
    fn excel_semicolons_bom_crlf_and_empty_rows() {
        let text =
            "\u{feff}Kode Donatur;Nama;RT\r\nD001;Hartono;27\r\n;;\r\n\r\nD002;\"Dwi; P\";28\r\n";
        let rows = read_rows(text.as_bytes(), &["kode_donatur", "nama", "rt"]).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get("kode_donatur"), "D001");
        assert_eq!(rows[1].get("nama"), "Dwi; P");
        assert_eq!(rows[1].line, 5);
    }

    #[test]
    fn missing_column_is_named() {
        let err = read_rows(b"a,b\n1,2\n", &["kode_donatur"]).unwrap_err();
        assert!(err.to_string().contains("kode_donatur"), "{err}");
    }
}
