//! The SQLite backend of the query layer, on `rusqlite`: every statement
//! runs on the thread that holds its connection. sqlx's SQLite driver runs
//! each connection on a worker thread of its own and sends every statement
//! and row across a channel, which under load cost ~40% of the server's CPU
//! in thread hand-off; SQLite's own work is a few microseconds a statement.
//!
//! - Reads borrow an idle reader connection for the length of one statement
//!   and run it on the calling (tokio worker) thread. A read holds no lock
//!   in WAL mode, so it never waits on the writer; at most one connection
//!   per concurrently reading thread is ever opened.
//! - Writes run on the single writer thread that owns the one write
//!   connection (see `db::sqlite_writer_thread`).
//!
//! Rows come back as sqlx `AnyRow`s, so the repositories' row types
//! (`FromRow<AnyRow>`) decode the same rows on both engines.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Statement};
use sqlx_core::any::{AnyColumn, AnyRow, AnyTypeInfo, AnyTypeInfoKind, AnyValue, AnyValueKind};
use sqlx_core::ext::ustr::UStr;

use crate::query::{Param, Record};
use crate::StoreError;

/// Statements kept prepared per connection: more than the queries the
/// repositories have on any one hot path.
const STATEMENT_CACHE: usize = 256;

/// Opens a connection with the pragmas every connection needs. WAL is set
/// once on the file before any connection opens here (`db::Store::connect`).
pub(crate) fn open(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    // synchronous=FULL: an acknowledged commit is on disk even on power loss.
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
    )?;
    if read_only {
        conn.execute_batch("PRAGMA query_only=ON")?;
    }
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// The reader connections: idle ones wait here between statements.
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    keep: usize,
}

impl Readers {
    pub(crate) fn new(path: PathBuf, keep: usize) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            keep: keep.max(1),
        }
    }

    /// Runs `f` on an idle reader connection (opening one if none is idle).
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self.lock().pop();
        let conn = match idle {
            Some(c) => c,
            None => open(&self.path, true)?,
        };
        let out = f(&conn);
        let mut idle = self.lock();
        if idle.len() < self.keep {
            idle.push(conn);
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // The list stays valid whatever a panicking holder was doing.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Binds `params` to the statement's placeholders. `$n` (and `?n`) binds
/// the n-th parameter wherever and however often it appears (SQLite itself
/// numbers named parameters by first appearance), a bare `?` the next one.
fn bind(stmt: &mut Statement<'_>, params: &[Param]) -> Result<(), StoreError> {
    crate::query::refuse_nul(params)?;
    for i in 1..=stmt.parameter_count() {
        let n = match stmt.parameter_name(i) {
            Some(name) => name
                .trim_start_matches(['$', '?'])
                .parse::<usize>()
                .map_err(|_| StoreError::Config(format!("unsupported SQL parameter {name}")))?,
            None => i,
        };
        let value = n
            .checked_sub(1)
            .and_then(|k| params.get(k))
            .ok_or_else(|| {
                StoreError::Config(format!("SQL parameter ${n} given, {} bound", params.len()))
            })?;
        match value {
            Param::Text(v) => stmt.raw_bind_parameter(i, v.as_deref())?,
            Param::Int(v) => stmt.raw_bind_parameter(i, *v)?,
        }
    }
    Ok(())
}

/// One statement; the rows it changed (0 for a query).
pub(crate) fn execute(conn: &Connection, sql: &str, params: &[Param]) -> Result<u64, StoreError> {
    let mut stmt = match conn.prepare_cached(sql) {
        Ok(s) => s,
        // A script of several statements (schema set-up, bookkeeping) takes
        // no parameters and runs as one batch.
        Err(rusqlite::Error::MultipleStatement) if params.is_empty() => {
            conn.execute_batch(sql)?;
            return Ok(conn.changes());
        }
        Err(e) => return Err(e.into()),
    };
    bind(&mut stmt, params)?;
    let read_only = stmt.readonly();
    let mut rows = stmt.raw_query();
    while rows.next()?.is_some() {}
    drop(rows);
    Ok(if read_only { 0 } else { conn.changes() })
}

/// The rows of a query, at most `limit` of them, decoded as `T`.
pub(crate) fn fetch<T: Record>(
    conn: &Connection,
    sql: &str,
    params: &[Param],
    limit: usize,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, params)?;
    let (names, columns) = columns(&stmt);
    let width = columns.len();
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while out.len() < limit {
        let Some(row) = rows.next()? else { break };
        let values = (0..width)
            .map(|i| row.get_ref(i).map(any_value))
            .collect::<Result<Vec<_>, _>>()?;
        let row = AnyRow {
            column_names: names.clone(),
            columns: columns.clone(),
            values,
        };
        out.push(T::from_row(&row)?);
    }
    Ok(out)
}

/// The statement's result columns as the `Any` driver describes them.
/// A column's type is its value's: SQLite types values, not columns.
#[allow(clippy::type_complexity)]
fn columns(stmt: &Statement<'_>) -> (Arc<sqlx_core::HashMap<UStr, usize>>, Vec<AnyColumn>) {
    let mut names = sqlx_core::HashMap::with_capacity(stmt.column_count());
    let mut columns = Vec::with_capacity(stmt.column_count());
    for (ordinal, name) in stmt.column_names().into_iter().enumerate() {
        let name = UStr::new(name);
        names.insert(name.clone(), ordinal);
        columns.push(AnyColumn {
            ordinal,
            name,
            type_info: AnyTypeInfo {
                kind: AnyTypeInfoKind::Null,
            },
        });
    }
    (Arc::new(names), columns)
}

/// A SQLite value as the `Any` driver's value (integers are BIGINT, as the
/// sqlx SQLite driver reports them).
fn any_value(v: ValueRef<'_>) -> AnyValue {
    let kind = match v {
        ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
        ValueRef::Integer(i) => AnyValueKind::BigInt(i),
        ValueRef::Real(f) => AnyValueKind::Double(f),
        ValueRef::Text(t) => {
            AnyValueKind::Text(Cow::Owned(String::from_utf8_lossy(t).into_owned()))
        }
        ValueRef::Blob(b) => AnyValueKind::Blob(Cow::Owned(b.to_vec())),
    };
    AnyValue { kind }
}
