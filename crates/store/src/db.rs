use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Executor};
use tokio::sync::{mpsc, oneshot};

use crate::query::Conn;
use crate::sqlite::{self, Readers};
use crate::{Abort, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Microseconds since the Unix epoch, UTC: the one timestamp format stored.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a DATABASE_URL names by its scheme.
    fn of_url(url: &str) -> Result<Engine, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(StoreError::Config(
                "DATABASE_URL must start with sqlite: or postgres://".into(),
            ))
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub url: String,
    /// Reader connections (SQLite) or the whole pool (PostgreSQL).
    pub pool_size: u32,
    /// Most writes one SQLite commit may carry.
    pub max_batch: usize,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            pool_size: 8,
            max_batch: 128,
        }
    }
}

/// The database. Reads go through the query layer (`Store::fetch_*`);
/// every write goes through `write()`, which on SQLite is a single writer
/// thread that commits queued writes in batches (group commit: one fsync for
/// many acknowledged writes) and on PostgreSQL is one transaction per write
/// on the shared pool.
#[derive(Clone)]
pub struct Store {
    engine: Engine,
    /// sqlx's `Any` pool for `reader()`'s callers only (checks and tools
    /// outside the query layer); opened lazily, two connections at most.
    reader: AnyPool,
    /// SQLite: the reader connections the query layer reads on.
    pub(crate) readers: Option<Arc<Readers>>,
    writer: Writer,
}

#[derive(Clone)]
enum Writer {
    /// PostgreSQL: the native pool every query-layer read and write uses.
    Pool(PgPool),
    Queue(mpsc::Sender<Box<dyn Job>>),
}

/// A DATABASE_URL its driver cannot read.
fn invalid_url(e: sqlx::Error) -> StoreError {
    StoreError::Config(format!("invalid DATABASE_URL: {e}"))
}

impl Store {
    pub async fn connect(opts: &StoreOptions) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of_url(&opts.url)?;
        let connect_opts: AnyConnectOptions = opts
            .url
            .parse::<AnyConnectOptions>()
            .map_err(invalid_url)?
            .disable_statement_logging();
        match engine {
            Engine::Sqlite => Store::connect_sqlite(opts, connect_opts).await,
            Engine::Postgres => Store::connect_postgres(opts, connect_opts).await,
        }
    }

    /// A native pool for the query layer, migrated; a lazy `Any` pool for
    /// tools.
    async fn connect_postgres(
        opts: &StoreOptions,
        connect_opts: AnyConnectOptions,
    ) -> Result<Store, StoreError> {
        let pg_opts = opts
            .url
            .parse::<PgConnectOptions>()
            .map_err(invalid_url)?
            .disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(opts.pool_size.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(pg_opts)
            .await?;
        MIGRATOR.run(&pool).await?;
        let reader = AnyPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(connect_opts);
        Ok(Store {
            engine: Engine::Postgres,
            reader,
            readers: None,
            writer: Writer::Pool(pool),
        })
    }

    /// The file migrated in WAL mode, reader connections on their threads,
    /// and the one writer thread.
    async fn connect_sqlite(
        opts: &StoreOptions,
        connect_opts: AnyConnectOptions,
    ) -> Result<Store, StoreError> {
        // Schema changes go through sqlx's migrator on a connection of its
        // own, closed before the store's connections open.
        let migrate_pool = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn, false).await }))
            .connect_with(connect_opts.clone())
            .await?;
        // WAL is a property of the file; set it once, before readers open it.
        migrate_pool.execute("PRAGMA journal_mode=WAL").await?;
        MIGRATOR.run(&migrate_pool).await?;
        migrate_pool.close().await;
        let path = SqliteConnectOptions::from_str(&opts.url)
            .map_err(invalid_url)?
            .get_filename()
            .to_path_buf();
        let reader = AnyPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn, true).await }))
            .connect_lazy_with(connect_opts);
        let readers = Readers::new(path.clone(), opts.pool_size as usize);
        let write_conn = sqlite::open(&path, false)?;
        let (tx, rx) = mpsc::channel(4096);
        let runtime = tokio::runtime::Handle::current();
        let max_batch = opts.max_batch.max(1);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || sqlite_writer_thread(write_conn, rx, max_batch, runtime))
            .map_err(|e| StoreError::Config(format!("cannot start the writer: {e}")))?;
        Ok(Store {
            engine: Engine::Sqlite,
            reader,
            readers: Some(Arc::new(readers)),
            writer: Writer::Queue(tx),
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// sqlx's pool, for reads outside the query layer (checks, tools). A
    /// read sees every write whose `write()` returned.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// The native PostgreSQL pool (the query layer's, on PostgreSQL only).
    pub(crate) fn pg(&self) -> Result<&PgPool, StoreError> {
        self.postgres_pool()
            .ok_or_else(|| StoreError::Config("no PostgreSQL pool on SQLite".into()))
    }

    /// The same, `None` on SQLite (no error built where none is needed).
    pub(crate) fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.writer {
            Writer::Pool(pool) => Some(pool),
            Writer::Queue(_) => None,
        }
    }

    /// Runs `f` in a transaction and returns once it is durably committed.
    /// An `Err` from `f` rolls back only this write. `f` may run more than
    /// once (a batch that met a failure is replayed); only its last run
    /// commits, so it must build everything it writes from what it captured.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> Fn(&'c mut Conn) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        self.write_as(f).await
    }

    /// Like `write`, for a write a business outcome can refuse half-way:
    /// `Err(Abort::Refused(r))` from `f` rolls the write back like a failure
    /// but reaches the caller as the value `Ok(Err(r))`, so refusals are
    /// outcomes the caller matches, not errors.
    pub async fn write_or_refuse<T, R, F>(&self, f: F) -> Result<Result<T, R>, StoreError>
    where
        T: Send + 'static,
        R: Send + 'static,
        F: for<'c> Fn(&'c mut Conn) -> BoxFuture<'c, Result<T, Abort<R>>> + Send + 'static,
    {
        match self.write_as(f).await {
            Ok(v) => Ok(Ok(v)),
            Err(Abort::Refused(r)) => Ok(Err(r)),
            Err(Abort::Failed(e)) => Err(e),
        }
    }

    /// Like `write`, for a repository whose writes end in its own error type
    /// `E` (one that can hold a `StoreError`): any `Err` rolls the write back.
    pub async fn write_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> Fn(&'c mut Conn) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        match &self.writer {
            Writer::Pool(pool) => {
                let mut conn = Conn::postgres(pool.begin().await.map_err(StoreError::from)?);
                let out = f(&mut conn).await?;
                conn.commit().await?;
                Ok(out)
            }
            Writer::Queue(queue) => {
                let (done, rx) = oneshot::channel();
                let job = TypedJob {
                    f,
                    out: None,
                    done: Some(done),
                };
                queue
                    .send(Box::new(job))
                    .await
                    .map_err(|_| StoreError::WriterGone)?;
                rx.await.map_err(|_| StoreError::WriterGone)?
            }
        }
    }

    /// Whether the database answers (for /readyz).
    pub async fn ping(&self) -> bool {
        self.fetch_scalar::<i64>("SELECT 1", Vec::new())
            .await
            .is_ok()
    }

    pub async fn close(&self) {
        self.reader.close().await;
        if let Writer::Pool(p) = &self.writer {
            p.close().await;
        }
    }
}

async fn sqlite_pragmas(conn: &mut AnyConnection, read_only: bool) -> Result<(), sqlx::Error> {
    // synchronous=FULL: an acknowledged commit is on disk even on power loss.
    conn.execute("PRAGMA synchronous=FULL").await?;
    conn.execute("PRAGMA foreign_keys=ON").await?;
    conn.execute("PRAGMA busy_timeout=10000").await?;
    if read_only {
        conn.execute("PRAGMA query_only=ON").await?;
    }
    Ok(())
}

/// One queued write. `run` executes it inside the open batch transaction;
/// `finish` reports the outcome once the batch's commit is known.
trait Job: Send {
    fn run<'c>(&'c mut self, conn: &'c mut Conn) -> BoxFuture<'c, bool>;
    fn finish(self: Box<Self>, commit: Result<(), Arc<StoreError>>);
}

struct TypedJob<T, E, F> {
    f: F,
    out: Option<Result<T, E>>,
    done: Option<oneshot::Sender<Result<T, E>>>,
}

impl<T, E, F> Job for TypedJob<T, E, F>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: for<'c> Fn(&'c mut Conn) -> BoxFuture<'c, Result<T, E>> + Send,
{
    fn run<'c>(&'c mut self, conn: &'c mut Conn) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let out = (self.f)(conn).await;
            let ok = out.is_ok();
            self.out = Some(out);
            ok
        })
    }

    fn finish(mut self: Box<Self>, commit: Result<(), Arc<StoreError>>) {
        let out = match (self.out.take(), commit) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (Some(Ok(_)) | None, Err(e)) => Err(StoreError::CommitFailed(e.to_string()).into()),
            (None, Ok(())) => Err(StoreError::WriterGone.into()),
        };
        if let Some(done) = self.done.take() {
            let _ = done.send(out);
        }
    }
}

/// The single SQLite writer: a thread of its own that owns the write
/// connection. Takes whatever writes are queued (up to `max_batch`), runs
/// them inside one transaction, commits once, then acknowledges each. Every
/// statement runs right here on the connection's thread; a write closure's
/// future is driven by `block_on` (with the runtime entered, so a closure
/// may still await runtime-driven work).
fn sqlite_writer_thread(
    conn: rusqlite::Connection,
    mut rx: mpsc::Receiver<Box<dyn Job>>,
    max_batch: usize,
    runtime: tokio::runtime::Handle,
) {
    let _runtime = runtime.enter();
    let mut conn = Conn::sqlite(conn);
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(max_batch);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let result = futures::executor::block_on(run_batch_on(&mut conn, &mut batch));
        if result.is_err() {
            // Leave the connection outside any transaction for the next batch.
            let _ = conn.script("ROLLBACK");
        }
        let shared = result.map_err(Arc::new);
        for job in batch.drain(..) {
            job.finish(shared.as_ref().map(|_| ()).map_err(Arc::clone));
        }
    }
}

/// The common case runs the batch without savepoints. If any write in it
/// fails, the whole batch is rolled back and replayed with a savepoint
/// around each write, so each write's outcome is exactly what it would have
/// been alone (a failed write can have left partial effects that later
/// writes saw).
async fn run_batch_on(conn: &mut Conn, batch: &mut [Box<dyn Job>]) -> Result<(), StoreError> {
    conn.script("BEGIN IMMEDIATE")?;
    let mut all_ok = true;
    for job in batch.iter_mut() {
        all_ok &= job.run(conn).await;
    }
    if all_ok {
        conn.script("COMMIT")?;
        return Ok(());
    }
    if batch.len() == 1 {
        conn.script("ROLLBACK")?;
        return Ok(());
    }
    conn.script("ROLLBACK; BEGIN IMMEDIATE; SAVEPOINT w")?;
    let last = batch.len() - 1;
    for (i, job) in batch.iter_mut().enumerate() {
        let ok = job.run(conn).await;
        let next = match (ok, i == last) {
            (true, false) => "RELEASE w; SAVEPOINT w",
            (false, false) => "ROLLBACK TO w; RELEASE w; SAVEPOINT w",
            (true, true) => "RELEASE w; COMMIT",
            (false, true) => "ROLLBACK TO w; RELEASE w; COMMIT",
        };
        conn.script(next)?;
    }
    Ok(())
}

pub async fn isolated_postgres_url(base_url: &str, schema: &str) -> Result<String, StoreError> {
    if !schema
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::Config("schema names are [a-z0-9_]".into()));
    }
    sqlx::any::install_default_drivers();
    let mut conn = <AnyConnection as sqlx::Connection>::connect(base_url).await?;
    conn.execute(format!("CREATE SCHEMA IF NOT EXISTS {schema}").as_str())
        .await?;
    let _ = sqlx::Connection::close(conn).await;
    let sep = if base_url.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{base_url}{sep}options=-c%20search_path%3D{schema}"
    ))
}
