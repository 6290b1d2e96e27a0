//! The shared conformance corpus (real public statement files; see its
//! README.md), which lives in the shared folder beside the repository: the
//! corpus tests skip, saying so, when it is absent.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The formats the corpus tests hold `parse` to.
pub const FORMATS: &[&str] = &["ofx", "mt940", "camt", "csv"];

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/statements")
}

/// One manifest row whose format is in [`FORMATS`].
pub struct Row {
    pub row: serde_json::Value,
    /// Its path inside the corpus.
    pub file: String,
    pub format: String,
}

impl Row {
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(corpus_dir().join(&self.file)).expect("corpus file readable")
    }

    /// The file's own name, as an upload would carry it.
    pub fn name(&self) -> Option<&str> {
        self.file.rsplit('/').next()
    }
}

/// The manifest's rows in [`FORMATS`], or `None` (with a message) when the
/// corpus is absent.
pub fn manifest_rows() -> Option<Vec<Row>> {
    let dir = corpus_dir();
    let Ok(manifest) = std::fs::read_to_string(dir.join("manifest.jsonl")) else {
        eprintln!(
            "SKIPPED: statement corpus not found at {} (it lives in the shared folder beside the repository)",
            dir.display()
        );
        return None;
    };
    let rows = manifest
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).expect("manifest line is JSON");
            Row {
                file: row["file"].as_str().expect("file").to_string(),
                format: row["format"].as_str().unwrap_or_default().to_string(),
                row,
            }
        })
        .filter(|r| FORMATS.contains(&r.format.as_str()))
        .collect();
    Some(rows)
}
