//! The HTTP server loop: axum's router on hyper (HTTP/1.1 and HTTP/2, in
//! the clear or over TLS), with the protections a public listener needs:
//!
//! - a cap on open connections: at the cap, further clients wait in the
//!   kernel's accept queue;
//! - a cap per client address (IPv4 address, IPv6 /64): a connection over it
//!   is closed at once, so one address cannot take every slot;
//! - a deadline from accept to the first complete request head, whatever
//!   the client speaks: a socket that sends nothing, part of an HTTP/2
//!   preface, a preface without a request, or a TLS handshake that never
//!   ends is closed when it passes (hyper's own header timeout only starts
//!   once HTTP/1 has been recognised);
//! - an idle limit: a connection with no request in flight for
//!   `idle_timeout` is closed (HTTP/2 with GOAWAY); pings and other frames
//!   do not count as activity;
//! - a bound on a request in flight: one whose response has not been sent
//!   within `request_timeout + idle_timeout` (a client that stops reading,
//!   or withholds HTTP/2 flow-control credit) closes its connection;
//! - HTTP/2 keep-alive pings, so a peer that vanished is noticed;
//! - a graceful drain on shutdown.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::Instant;
use tower::{Service, ServiceExt};

/// The TLS acceptor [`serve`] takes, for callers that build one.
pub use tokio_rustls::TlsAcceptor;

#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// Connections one client address (IPv6: one /64) may hold; more are
    /// closed at once. 0 = no cap (e.g. behind a proxy that is the only peer).
    pub max_connections_per_address: usize,
    /// From accept, the TLS handshake (if any) and a first complete request
    /// head must have arrived within this; for HTTP/1 it also bounds each
    /// later request's headers.
    pub header_read_timeout: Duration,
    /// A connection with no request in flight for this long is closed.
    pub idle_timeout: Duration,
    /// Handlers answer within this (the request timeout); a response still
    /// not sent `request_timeout + idle_timeout` after its request arrived
    /// closes the connection.
    pub request_timeout: Duration,
    /// HTTP/2: a PING after this long without frames from the peer; no
    /// answer within the same time (at most 20 s) closes the connection.
    pub http2_keep_alive_interval: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 10_000,
            max_connections_per_address: 64,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            http2_keep_alive_interval: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` (over TLS when `tls` is given) until
/// `shutdown` resolves, then lets the open requests finish (up to 30 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send,
) {
    let mut make = router.into_make_service_with_connect_info::<SocketAddr>();
    let max = limits.max_connections.clamp(1, u32::MAX as usize);
    let slots = Arc::new(tokio::sync::Semaphore::new(max));
    let per_address = Arc::new(PerAddress {
        cap: limits.max_connections_per_address,
        open: Mutex::new(HashMap::new()),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let builder = Arc::new(connection_builder(&limits));
    tokio::pin!(shutdown);
    loop {
        // Take a slot first: at the cap, clients wait in the accept queue.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let accepted = Instant::now();
        let Some(address_slot) = per_address.take(remote.ip()) else {
            tracing::debug!(client = %remote.ip(), "connection over the per-address cap closed");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok(service) = make.call(remote).await;
        let (builder, stop, tls) = (builder.clone(), stop_rx.clone(), tls.clone());
        tokio::spawn(async move {
            let _slots = (permit, address_slot);
            let conn = Connection {
                builder: &builder,
                limits,
                accepted,
                stop,
            };
            match tls {
                None => conn.drive(stream, service).await,
                Some(acceptor) => conn.drive_tls(acceptor, stream, remote, service).await,
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot until it ends: having them all back
    // means the drain is complete.
    if tokio::time::timeout(Duration::from_secs(30), slots.acquire_many(max as u32))
        .await
        .is_err()
    {
        tracing::warn!("connections still open after 30 s; closing them");
    }
}

/// HTTP/1 and HTTP/2 with the header read timeout and HTTP/2 keep-alives.
fn connection_builder(limits: &ServerLimits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.http2_keep_alive_interval))
        .keep_alive_timeout(
            limits
                .http2_keep_alive_interval
                .min(Duration::from_secs(20)),
        );
    builder
}

/// One accepted connection and what serving it needs.
struct Connection<'a> {
    builder: &'a Builder<TokioExecutor>,
    limits: ServerLimits,
    accepted: Instant,
    stop: watch::Receiver<bool>,
}

/// Open connections per client address.
struct PerAddress {
    cap: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place in [`PerAddress`], given back on drop.
struct AddressSlot {
    table: Arc<PerAddress>,
    key: IpAddr,
}

impl PerAddress {
    /// The address a cap is counted on: IPv4 (also when mapped into IPv6)
    /// as is, IPv6 by its /64, the smallest block a site is usually given.
    fn key(ip: IpAddr) -> IpAddr {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
            v4 => v4,
        }
    }

    fn take(self: &Arc<Self>, ip: IpAddr) -> Option<AddressSlot> {
        let key = Self::key(ip);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key).or_insert(0);
        if self.cap > 0 && *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            table: self.clone(),
            key,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// What the connection's watchdog needs to know.
#[derive(Debug)]
struct Activity {
    /// Requests whose head has arrived and whose response body has not yet
    /// been sent in full (or dropped), by arrival order: when each arrived.
    in_flight: BTreeMap<u64, Instant>,
    next: u64,
    /// Whether any request head has arrived.
    served: bool,
    /// When the last request in flight ended (or the connection was accepted).
    since: Instant,
}

/// Counts one request in flight; dropped with the response body.
struct InFlight {
    activity: Arc<watch::Sender<Activity>>,
    id: u64,
}

impl InFlight {
    fn start(activity: &Arc<watch::Sender<Activity>>) -> InFlight {
        let mut id = 0;
        activity.send_modify(|a| {
            id = a.next;
            a.next += 1;
            a.in_flight.insert(id, Instant::now());
            a.served = true;
        });
        InFlight {
            activity: activity.clone(),
            id,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.activity.send_modify(|a| {
            a.in_flight.remove(&self.id);
            if a.in_flight.is_empty() {
                a.since = Instant::now();
            }
        });
    }
}

/// A response body that keeps its request counted in flight until it is
/// sent or dropped.
struct Tracked {
    inner: Body,
    _in_flight: InFlight,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Connection<'_> {
    /// The TLS handshake, within the header timeout, then [`Self::drive`].
    async fn drive_tls<S>(
        self,
        acceptor: TlsAcceptor,
        stream: tokio::net::TcpStream,
        remote: SocketAddr,
        service: S,
    ) where
        S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send,
    {
        let deadline = self.accepted + self.limits.header_read_timeout;
        match tokio::time::timeout_at(deadline, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => self.drive(stream, service).await,
            Ok(Err(e)) => {
                tracing::debug!(client = %remote.ip(), error = %e, "TLS handshake failed")
            }
            Err(_) => tracing::debug!(
                client = %remote.ip(),
                "TLS handshake not finished within the header timeout; closed"
            ),
        }
    }

    /// Serves one connection under its watchdog: closed when the first
    /// request head (or, later, the next request) does not come in time.
    async fn drive<I, S>(mut self, io: I, service: S)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send,
    {
        let limits = self.limits;
        let activity = Arc::new(watch::Sender::new(Activity {
            in_flight: BTreeMap::new(),
            next: 0,
            served: false,
            since: self.accepted,
        }));
        let mut watch = activity.subscribe();
        // Each request is counted in flight until its response body is
        // sent or dropped.
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let in_flight = InFlight::start(&activity);
            let service = service.clone();
            async move {
                let resp = service.oneshot(req).await?;
                Ok::<_, Infallible>(resp.map(|inner| {
                    Body::new(Tracked {
                        inner,
                        _in_flight: in_flight,
                    })
                }))
            }
        });
        let conn = self
            .builder
            .serve_connection_with_upgrades(TokioIo::new(io), service);
        tokio::pin!(conn);
        loop {
            let (wait, deadline) = watch.borrow_and_update().awaited(&limits);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = watch.changed() => continue,
                _ = self.stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.as_mut().await;
                    return;
                }
                _ = tokio::time::sleep_until(deadline) => {
                    if watch.has_changed().unwrap_or(false) {
                        continue;
                    }
                    if wait.closes_at_once() {
                        return;
                    }
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(limits.header_read_timeout, conn.as_mut()).await;
                    return;
                }
            }
        }
    }
}

impl Activity {
    /// What is awaited, and by when: a first request head, the next
    /// request, or the oldest response in flight to be sent.
    fn awaited(&self, limits: &ServerLimits) -> (Wait, Instant) {
        match self.in_flight.values().next() {
            Some(oldest) => (
                Wait::Response,
                *oldest + limits.request_timeout + limits.idle_timeout,
            ),
            None if self.served => (Wait::NextRequest, self.since + limits.idle_timeout),
            None => (Wait::FirstHead, self.since + limits.header_read_timeout),
        }
    }
}

impl Wait {
    /// Logs the missed deadline; whether the connection closes at once
    /// (nothing came) rather than after finishing what it holds.
    fn closes_at_once(self) -> bool {
        match self {
            Wait::FirstHead => {
                tracing::debug!("no complete request head within the header timeout; closed");
                return true;
            }
            Wait::NextRequest => tracing::debug!("connection idle past the idle timeout; closing"),
            Wait::Response => tracing::debug!(
                "a response not sent within the request and idle timeouts (client not reading?); closing"
            ),
        }
        false
    }
}

#[derive(Debug, Clone, Copy)]
enum Wait {
    FirstHead,
    NextRequest,
    Response,
}
