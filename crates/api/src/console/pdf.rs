//! GET /console/reports/{id}/report.pdf: the report page as a PDF, the file
//! a lender attaches to a loan file.
//!
//! Typeset by typst, as a library: the template `report.typ` is compiled
//! into the binary with its fonts (`typst-assets`), and reads its data from
//! a JSON file given to it in memory, never from markup built here, so no
//! customer text can act as typst code. The figures are the page's, put
//! into text by the same functions (`report::Ready::figures`); the charts
//! are the page's SVGs. Nothing is fetched: the template's world holds only
//! the template, the data and the charts.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Timelike};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::report::ReadyReport;
use crate::AppState;

const TEMPLATE: &str = include_str!("../../templates/console/report.typ");

/// The standard library and the embedded fonts, read once.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// Renders at a time: typesetting is CPU work on the blocking pool.
static RENDERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// One document's world: the template, its data and charts, today.
struct Document {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

fn file_id(path: &str) -> FileId {
    FileId::new(None, VirtualPath::new(path))
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().as_rootless_path().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// The PDF of `data` (the template's JSON) with `charts` (id, SVG).
pub(super) fn render(
    data: &serde_json::Value,
    charts: Vec<(String, String)>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, String> {
    let mut files = HashMap::new();
    files.insert(file_id("/data.json"), Bytes::new(data.to_string()));
    for (id, svg) in charts {
        files.insert(file_id(&format!("/charts/{id}.svg")), Bytes::new(svg));
    }
    let today = Datetime::from_ymd_hms(
        now.year(),
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .ok_or("the clock's date")?;
    let doc = Document {
        main: Source::new(file_id("/report.typ"), TEMPLATE.to_string()),
        files,
        today,
    };
    let compiled = typst::compile::<PagedDocument>(&doc).output;
    // The memo caches hold this document's layout: nothing to reuse.
    typst::comemo::evict(2);
    let compiled = compiled.map_err(|errors| {
        errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let options = typst_pdf::PdfOptions {
        timestamp: Some(typst_pdf::Timestamp::new_utc(today)),
        ident: Smart::Auto,
        ..Default::default()
    };
    typst_pdf::pdf(&compiled, &options).map_err(|errors| {
        errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// GET /console/reports/{id}/report.pdf: as the page, the user's tenant
/// only (another tenant's or an unknown request is the 404 page), and a
/// report not ready yet gives the page's message, not a PDF.
pub async fn download(
    State(state): State<AppState>,
    ReadyReport(s, _, ready): ReadyReport,
) -> Response {
    let charts = ready.charts("Libertinus Serif");
    let data = ready.figures(&charts);
    let charts = charts
        .into_iter()
        .map(|c| (c.id.to_string(), c.svg))
        .collect();
    let now = state.clock.now();
    let rendered = match RENDERS.acquire().await {
        Ok(_permit) => tokio::task::spawn_blocking(move || render(&data, charts, now))
            .await
            .unwrap_or_else(|_| Err("the typesetter stopped".into())),
        Err(_) => Err("no render slot".into()),
    };
    match rendered {
        Ok(pdf) => s.finish(
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"financial-report-{}.pdf\"", ready.id),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                    (header::REFERRER_POLICY, "no-referrer".to_string()),
                ],
                pdf,
            )
                .into_response(),
        ),
        Err(e) => s.finish(super::unavailable(Some(
            crate::middleware::ErrorCause::new(format!("report PDF: {e}")),
        ))),
    }
}
