//! The thin query layer the repositories talk to: portable SQL with `$n`
//! parameters, an owned typed parameter list, and typed rows. Only this
//! module (and `db`) names the driver, so a repository function is written
//! once whichever backend runs it.
//!
//! Reads go to the readers (`Store::fetch_*`); a one-statement write is
//! `Store::execute`; a write of several statements runs the `query::*`
//! functions on the `Conn` its `Store::write` closure is handed.
//!
//! Two backends: SQLite statements run on `rusqlite` on the thread holding
//! the connection (`crate::sqlite`); PostgreSQL statements on sqlx's native
//! PostgreSQL driver (`PgPool`, prepared statements cached per connection),
//! not its `Any` layer. Rows decode from sqlx's `AnyRow` on both, so a row
//! type is written once: each backend builds `AnyRow`s from its own rows.

use std::sync::Arc;

use sqlx::any::AnyRow;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Any, Arguments, Decode, FromRow, Postgres, Type};

use crate::{sqlite, Page, Store, StoreError};

/// sqlx's PostgreSQL statement, with this layer's parameters bound.
type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// The connection a write closure is handed: the batch's transaction on the
/// SQLite writer thread, or the write's own transaction on PostgreSQL.
pub struct Conn(Backend);

enum Backend {
    Postgres(sqlx::Transaction<'static, Postgres>),
    Sqlite(rusqlite::Connection),
}

impl Conn {
    pub(crate) fn postgres(tx: sqlx::Transaction<'static, Postgres>) -> Conn {
        Conn(Backend::Postgres(tx))
    }

    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Conn {
        Conn(Backend::Sqlite(conn))
    }

    /// Commits a PostgreSQL write (SQLite batches commit on the writer).
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self.0 {
            Backend::Postgres(tx) => Ok(tx.commit().await?),
            Backend::Sqlite(_) => Ok(()),
        }
    }

    /// Parameterless statements run as one script (the SQLite writer's
    /// transaction bookkeeping).
    pub(crate) fn script(&mut self, sql: &str) -> Result<(), StoreError> {
        match &mut self.0 {
            Backend::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Backend::Postgres(_) => Err(StoreError::Config(
                "scripts run only on the SQLite writer".into(),
            )),
        }
    }
}

/// One bound value. The schema has two column types (TEXT and BIGINT), so a
/// parameter is one of them; a NULL keeps its type, because PostgreSQL infers
/// each parameter's type from what is bound (`COALESCE($2, col)` needs a
/// typed NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(Option<String>),
    Int(Option<i64>),
}

/// An owned parameter list: a write closure may run more than once (a batch
/// is replayed when one of its writes fails), so what it binds must outlive
/// any one run.
pub type Params = Vec<Param>;

/// `params![a, b, c]`: a `Params` of anything with `Into<Param>`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => {
        {
            let params: $crate::query::Params = ::std::vec![$($crate::query::Param::from($v)),*];
            params
        }
    };
}

macro_rules! text_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Param {
            fn from(v: $t) -> Param {
                Param::Text(Some(v.to_string()))
            }
        }
        impl From<Option<$t>> for Param {
            fn from(v: Option<$t>) -> Param {
                Param::Text(v.map(|s| s.to_string()))
            }
        }
    )*};
}
text_from!(String, &str, &String);

impl From<&Option<String>> for Param {
    fn from(v: &Option<String>) -> Param {
        Param::Text(v.clone())
    }
}

macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Param {
            fn from(v: $t) -> Param {
                Param::Int(Some(i64::from(v)))
            }
        }
        impl From<Option<$t>> for Param {
            fn from(v: Option<$t>) -> Param {
                Param::Int(v.map(i64::from))
            }
        }
    )*};
}
// Booleans are stored as 0/1 BIGINTs on both engines.
int_from!(i64, i32, bool);

impl From<&i64> for Param {
    fn from(v: &i64) -> Param {
        Param::Int(Some(*v))
    }
}

impl From<&Option<i64>> for Param {
    fn from(v: &Option<i64>) -> Param {
        Param::Int(*v)
    }
}

/// Refuses a text parameter holding a NUL character, on both engines alike
/// (PostgreSQL's TEXT cannot hold one; SQLite's could, and would then hold
/// what the other engine refuses).
pub(crate) fn refuse_nul(params: &[Param]) -> Result<(), StoreError> {
    let nul = |p: &Param| matches!(p, Param::Text(Some(s)) if s.contains('\0'));
    if params.iter().any(nul) {
        return Err(StoreError::NulInText);
    }
    Ok(())
}

/// The PostgreSQL driver's argument list (TEXT and INT8 parameters, a NULL
/// typed as its column).
fn arguments(params: &[Param]) -> Result<PgArguments, StoreError> {
    refuse_nul(params)?;
    let mut args = PgArguments::default();
    for p in params {
        match p {
            Param::Text(v) => args.add(v.as_deref()),
            Param::Int(v) => args.add(*v),
        }
        .map_err(|e| StoreError::Db(sqlx::Error::Encode(e)))?;
    }
    Ok(args)
}

/// A row type: a `#[derive(FromRow)]` struct or a tuple of column values.
pub trait Record: for<'r> FromRow<'r, AnyRow> + Send + Unpin {}
impl<T: for<'r> FromRow<'r, AnyRow> + Send + Unpin> Record for T {}

/// One column's value: `i64`, `String`, or an `Option` of either.
pub trait Value: for<'r> Decode<'r, Any> + Type<Any> + Send + Unpin {}
impl<T: for<'r> Decode<'r, Any> + Type<Any> + Send + Unpin> Value for T {}

/// A row of TEXT columns chosen at run time (NULL as `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow(pub Vec<Option<String>>);

impl<'r> FromRow<'r, AnyRow> for TextRow {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        (0..row.len())
            .map(|i| row.try_get::<Option<String>, _>(i))
            .collect::<Result<_, _>>()
            .map(TextRow)
    }
}

impl TextRow {
    /// Column `i`, which the query guarantees is not NULL.
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        self.0.get(i).cloned().flatten().ok_or_else(|| {
            StoreError::Db(sqlx::Error::ColumnDecode {
                index: i.to_string(),
                source: "unexpected NULL".into(),
            })
        })
    }
}

/// The statement with its parameters bound, for sqlx to run on any
/// PostgreSQL executor (the pool or a write transaction).
fn statement<'q>(sql: &'q str, params: &[Param]) -> Result<Query<'q>, StoreError> {
    Ok(sqlx::query_with(sql, arguments(params)?))
}

/// A PostgreSQL row as `T`, through the `AnyRow` every row type reads.
fn decode<T: Record>(row: &PgRow) -> Result<T, StoreError> {
    Ok(T::from_row(&AnyRow::try_from(row)?)?)
}

fn decode_all<T: Record>(rows: &[PgRow]) -> Result<Vec<T>, StoreError> {
    rows.iter().map(decode).collect()
}

/// `T`'s single column, as a one-column row.
fn first<T>(row: (T,)) -> T {
    row.0
}

fn exactly_one<T>(row: Option<T>) -> Result<T, StoreError> {
    row.ok_or(StoreError::Db(sqlx::Error::RowNotFound))
}

impl Store {
    /// Deletes, in one write, the rows of each `(table, column)` whose time
    /// `column` is before `before`: housekeeping's sweeps. The rows deleted.
    pub async fn delete_before(
        &self,
        tables: &'static [(&'static str, &'static str)],
        before: i64,
    ) -> Result<u64, StoreError> {
        self.write(move |c| {
            Box::pin(async move {
                let mut n = 0;
                for (table, column) in tables {
                    let sql = format!("DELETE FROM {table} WHERE {column} < $1");
                    n += execute(c, &sql, crate::params![before]).await?;
                }
                Ok(n)
            })
        })
        .await
    }

    /// One statement as one write; the rows it affected. Goes through
    /// `Store::write`, so on SQLite it is group-committed (and replayed with
    /// the same parameters if its batch is).
    pub async fn execute(&self, sql: &str, params: Params) -> Result<u64, StoreError> {
        if let Some(pool) = self.postgres_pool() {
            // One statement is atomic on its own: no BEGIN and COMMIT round
            // trips around it.
            return Ok(statement(sql, &params)?
                .execute(pool)
                .await?
                .rows_affected());
        }
        let statement: Arc<(String, Params)> = Arc::new((sql.to_string(), params));
        self.write(move |c| {
            let statement = statement.clone();
            Box::pin(async move { execute(c, &statement.0, statement.1.clone()).await })
        })
        .await
    }

    pub async fn fetch_optional<T: Record>(
        &self,
        sql: &str,
        params: Params,
    ) -> Result<Option<T>, StoreError> {
        match &self.readers {
            Some(r) => r.with(|c| Ok(sqlite::fetch(c, sql, &params, 1)?.pop())),
            None => statement(sql, &params)?
                .fetch_optional(self.pg()?)
                .await?
                .as_ref()
                .map(decode)
                .transpose(),
        }
    }

    /// The one row the query must return (`RowNotFound` otherwise).
    pub async fn fetch_one<T: Record>(&self, sql: &str, params: Params) -> Result<T, StoreError> {
        exactly_one(self.fetch_optional(sql, params).await?)
    }

    pub async fn fetch_all<T: Record>(
        &self,
        sql: &str,
        params: Params,
    ) -> Result<Vec<T>, StoreError> {
        match &self.readers {
            Some(r) => r.with(|c| sqlite::fetch(c, sql, &params, usize::MAX)),
            None => decode_all(&statement(sql, &params)?.fetch_all(self.pg()?).await?),
        }
    }

    /// The first column of the one row (e.g. a `COUNT(*)`).
    pub async fn fetch_scalar<T: Value>(&self, sql: &str, params: Params) -> Result<T, StoreError> {
        Ok(first(self.fetch_one(sql, params).await?))
    }

    /// The first column of the row, if there is one.
    pub async fn fetch_optional_scalar<T: Value>(
        &self,
        sql: &str,
        params: Params,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.fetch_optional(sql, params).await?.map(first))
    }

    /// (total, one page): `count_sql` counts the rows `rows_sql` lists;
    /// both take `params`, and `rows_sql` then the page's LIMIT and OFFSET
    /// as the next two parameters.
    pub async fn fetch_page<T: Record>(
        &self,
        count_sql: &str,
        rows_sql: &str,
        params: Params,
        page: Page,
    ) -> Result<(i64, Vec<T>), StoreError> {
        let total = self.fetch_scalar(count_sql, params.clone()).await?;
        let rows = self
            .fetch_all(
                rows_sql,
                [params, crate::params![page.size, page.offset()]].concat(),
            )
            .await?;
        Ok((total, rows))
    }

    /// Whether `SELECT COUNT(*) …` counts anything.
    pub async fn exists(&self, sql: &str, params: Params) -> Result<bool, StoreError> {
        Ok(self.fetch_scalar::<i64>(sql, params).await? > 0)
    }
}

/// A table read as rows of `T`: `SELECT {columns} FROM {name} WHERE {filter}`,
/// where a filter may end in ORDER BY and LIMIT.
pub struct Table<T> {
    pub name: &'static str,
    pub columns: &'static str,
    row: std::marker::PhantomData<fn() -> T>,
}

impl<T: Record> Table<T> {
    pub const fn new(name: &'static str, columns: &'static str) -> Self {
        Table {
            name,
            columns,
            row: std::marker::PhantomData,
        }
    }

    fn select(&self, filter: &str) -> String {
        format!("SELECT {} FROM {} WHERE {filter}", self.columns, self.name)
    }

    /// The first row matching `filter`, if any.
    pub async fn find(
        &self,
        store: &Store,
        filter: &str,
        params: Params,
    ) -> Result<Option<T>, StoreError> {
        store.fetch_optional(&self.select(filter), params).await
    }

    /// The first row, in `order`, matching `filter` whose fingerprint
    /// `column` is one of `fps` (one per live fingerprint key version, so a
    /// value written under an older key is still found); none when `fps` is
    /// empty. `fps` are bound after `params`.
    pub async fn find_by_fingerprint(
        &self,
        store: &Store,
        (filter, params): (&str, Params),
        column: &str,
        fps: &[String],
        order: &str,
    ) -> Result<Option<T>, StoreError> {
        let Some((list, params)) = crate::fingerprints::bind_in_list(params, fps) else {
            return Ok(None);
        };
        let filter = format!("{filter} AND {column} IN ({list}) ORDER BY {order}");
        self.find(store, &filter, params).await
    }

    /// Every row matching `filter`.
    pub async fn list(
        &self,
        store: &Store,
        filter: &str,
        params: Params,
    ) -> Result<Vec<T>, StoreError> {
        store.fetch_all(&self.select(filter), params).await
    }
}

/// One statement on the write connection; the rows it affected.
pub async fn execute(c: &mut Conn, sql: &str, params: Params) -> Result<u64, StoreError> {
    match &mut c.0 {
        Backend::Postgres(tx) => Ok(statement(sql, &params)?
            .execute(&mut **tx)
            .await?
            .rows_affected()),
        Backend::Sqlite(conn) => sqlite::execute(conn, sql, &params),
    }
}

pub async fn fetch_optional<T: Record>(
    c: &mut Conn,
    sql: &str,
    params: Params,
) -> Result<Option<T>, StoreError> {
    match &mut c.0 {
        Backend::Postgres(tx) => statement(sql, &params)?
            .fetch_optional(&mut **tx)
            .await?
            .as_ref()
            .map(decode)
            .transpose(),
        Backend::Sqlite(conn) => Ok(sqlite::fetch(conn, sql, &params, 1)?.pop()),
    }
}

pub async fn fetch_one<T: Record>(
    c: &mut Conn,
    sql: &str,
    params: Params,
) -> Result<T, StoreError> {
    exactly_one(fetch_optional(c, sql, params).await?)
}

pub async fn fetch_all<T: Record>(
    c: &mut Conn,
    sql: &str,
    params: Params,
) -> Result<Vec<T>, StoreError> {
    match &mut c.0 {
        Backend::Postgres(tx) => decode_all(&statement(sql, &params)?.fetch_all(&mut **tx).await?),
        Backend::Sqlite(conn) => sqlite::fetch(conn, sql, &params, usize::MAX),
    }
}

pub async fn fetch_scalar<T: Value>(
    c: &mut Conn,
    sql: &str,
    params: Params,
) -> Result<T, StoreError> {
    Ok(first(fetch_one(c, sql, params).await?))
}

pub async fn fetch_optional_scalar<T: Value>(
    c: &mut Conn,
    sql: &str,
    params: Params,
) -> Result<Option<T>, StoreError> {
    Ok(fetch_optional(c, sql, params).await?.map(first))
}
