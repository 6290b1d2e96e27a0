//! The optional built-in TLS listener's certificate (rustls, ring provider):
//! a PEM certificate chain and private key read from two files at start and
//! again on [`TlsCertificate::reload`] (SIGHUP), without closing the
//! listener. A reload that fails keeps the certificate in use.
//! Protocols: TLS 1.2 and 1.3 with rustls' default cipher suites; ALPN
//! offers `h2` and `http/1.1`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The certificate and key files and what was last loaded from them.
pub struct TlsCertificate {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

impl std::fmt::Debug for TlsCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsCertificate")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

/// Hands the current certificate to every new handshake.
#[derive(Debug)]
struct Resolver(Arc<TlsCertificate>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.current.read().ok().map(|c| c.clone())
    }
}

impl TlsCertificate {
    /// Reads both files; an error names the file and the problem, never key
    /// material.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<Arc<TlsCertificate>, String> {
        // ring keeps the build free of a C toolchain dependency; rustls
        // 0.23.48 deprecates it only because it lacks post-quantum key
        // exchange (docs/security.md, "Connections and TLS").
        #[allow(deprecated)]
        let provider = Arc::new(ring::default_provider());
        let key = read(cert_path, key_path, &provider)?;
        Ok(Arc::new(TlsCertificate {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            provider,
            current: RwLock::new(Arc::new(key)),
        }))
    }

    /// Reads the files again. On success new handshakes use the new
    /// certificate (open connections keep theirs); on failure nothing changes.
    pub fn reload(&self) -> Result<(), String> {
        let key = read(&self.cert_path, &self.key_path, &self.provider)?;
        let mut current = self
            .current
            .write()
            .map_err(|_| "certificate lock poisoned".to_string())?;
        *current = Arc::new(key);
        Ok(())
    }

    /// The acceptor for the listener: this certificate (as it is at each
    /// handshake), ALPN h2 then http/1.1, no client certificates.
    pub fn acceptor(self: &Arc<Self>) -> Result<TlsAcceptor, String> {
        let mut config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration: {e}"))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(self.clone())));
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

fn read(
    cert_path: &Path,
    key_path: &Path,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, String> {
    let cert_pem =
        std::fs::read(cert_path).map_err(|e| format!("reading {}: {e}", cert_path.display()))?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: not a PEM certificate chain ({e})", cert_path.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "{}: no certificate in the file",
            cert_path.display()
        ));
    }
    let key_pem =
        std::fs::read(key_path).map_err(|e| format!("reading {}: {e}", key_path.display()))?;
    // The key's parse error is not shown: it could quote the file.
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
        format!(
            "{}: no PEM private key (PKCS#8, PKCS#1 or SEC1) in the file",
            key_path.display()
        )
    })?;
    CertifiedKey::from_der(chain, key, provider).map_err(|e| {
        format!(
            "{} and {}: the key does not fit the certificate or is not supported ({e})",
            cert_path.display(),
            key_path.display()
        )
    })
}
