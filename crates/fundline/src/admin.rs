//! `fundline admin …`: operator commands. stdout carries only the output.

use anyhow::anyhow;
use clap::Subcommand;
use fundline_store::{keyring, tenants};
use fundline_vault::MasterKey;

use crate::serve;
use crate::settings::Settings;

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Vault keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Messages sent to bank-analysis customers.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum OutboxCommand {
    /// Every recorded message, oldest first: recipient, channel, text, link
    /// and delivery state. The links are live credentials: handle with care.
    List {
        /// Only this tenant's messages.
        #[arg(long)]
        tenant: Option<String>,
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Create a tenant and print its credentials (shown only this once).
    Create {
        #[arg(long)]
        name: String,
        /// Print exactly one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Show, or with --set replace, the hosts allowed to frame a tenant's
    /// capture sessions (scheme://host[:port]; no port = any port).
    Hosts {
        #[arg(long)]
        tenant: String,
        /// Comma-separated, in order; the first is the default host_uri.
        #[arg(long, value_delimiter = ',')]
        set: Option<Vec<String>>,
    },
    /// Show, or with --set replace, a tenant's gateway settings (a JSON
    /// document; docs/gateway.md lists its keys and defaults).
    Gateway {
        #[arg(long)]
        tenant: String,
        /// The new document (every key optional; unknown keys refused).
        #[arg(long)]
        set: Option<String>,
    },
    /// Show, or with --set replace, a tenant's check deposit settings: the
    /// fee schedule and the limits (docs/check-rules.md lists the keys).
    Checks {
        #[arg(long)]
        tenant: String,
        /// The new document, e.g. {"fees": {"minutes_other_bp": 350}, "limits": {"daily_count": 3}}.
        #[arg(long)]
        set: Option<String>,
    },
    /// Rotate or revoke one product's credential of a tenant (products:
    /// check_cashing, ingopay, connect, analysis). --rotate prints the new
    /// secret once (JSON); the previous one keeps working for the overlap
    /// window (FUNDLINE_CREDENTIAL_OVERLAP_SECS, default 24 h). --revoke
    /// stops every secret of the product at once (or with --previous-only,
    /// just the previous secret of a rotation).
    #[command(group(clap::ArgGroup::new("action").required(true).args(["rotate", "revoke"])))]
    Credentials {
        #[arg(long)]
        tenant: String,
        /// Issue a new secret for this product.
        #[arg(long, value_name = "PRODUCT")]
        rotate: Option<String>,
        /// Revoke this product's secrets at once.
        #[arg(long, value_name = "PRODUCT")]
        revoke: Option<String>,
        /// With --revoke: only the previous secret (end a rotation's overlap now).
        #[arg(long, requires = "revoke")]
        previous_only: bool,
        /// With --rotate: this overlap instead of the setting (0 = none).
        #[arg(long, requires = "rotate")]
        overlap_secs: Option<u64>,
    },
    /// Refuse every product to a tenant (401) until `enable`.
    Disable {
        #[arg(long)]
        tenant: String,
    },
    /// Let a disabled tenant in again.
    Enable {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Add a new key version for every tenant. `dek` (default): new data is
    /// sealed with it, data sealed before stays readable (add --reseal to
    /// re-encrypt it now). `fp`: new fingerprints use it, lookups compare
    /// under every live version until `refingerprint` has moved every
    /// fingerprint and retired the old one (add --refingerprint to run it
    /// now). `jwt`, `url`: new staff tokens / capture-page URLs are signed
    /// with it; the old version verifies until what it signed expires
    /// (15 min / the URL lifetime), then not.
    Rotate {
        /// Which keys: dek, fp, jwt, url (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "dek")]
        key: Vec<String>,
        /// Then re-encrypt every sealed value under the newest data key
        /// (waits for running servers to pick the new key up first).
        #[arg(long)]
        reseal: bool,
        /// Then recompute every fingerprint under the newest fingerprint key
        /// and retire the older versions (waits for running servers first).
        #[arg(long)]
        refingerprint: bool,
        #[arg(long)]
        json: bool,
    },
    /// Re-encrypt every sealed value still on an older data key. Safe beside
    /// running servers; resumable (run it again after an interruption).
    Reseal {
        #[arg(long)]
        json: bool,
    },
    /// Recompute every fingerprint (SSNs, card numbers and data, gateway
    /// accounts, Connect token numbers, check presentments) still on an older
    /// fingerprint key from its sealed value, then retire the older versions
    /// of each tenant left with none. Safe beside running servers; resumable
    /// (run it again after an interruption).
    Refingerprint {
        /// Stop after this many rows (run it again to continue); no
        /// retirement then.
        #[arg(long)]
        max_rows: Option<u64>,
        /// Keep the older versions live at the end.
        #[arg(long)]
        keep_old: bool,
        #[arg(long)]
        json: bool,
    },
    /// Re-wrap every tenant key under a new master key and replace the key
    /// check value. The current master key (the usual settings) unwraps;
    /// the new one comes from --new-key-file, --new-key-shares or
    /// FUNDLINE_NEW_MASTER_KEY. Restart every server with the new key after.
    RotateMaster {
        /// A file holding the new base64 master key (see `keys new-master`).
        #[arg(long)]
        new_key_file: Option<std::path::PathBuf>,
        /// The new key's shares: file paths or env:NAME, comma-separated.
        #[arg(long, value_delimiter = ',')]
        new_key_shares: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Generate a new master key into a file (mode 0600; never overwrites).
    NewMaster {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Split the current master key into N shares (split knowledge): each
    /// share alone is random and useless; all N together give the key
    /// (FUNDLINE_MASTER_KEY_SHARES). With --out P, share i goes to P.i
    /// (mode 0600); without, one share per line on stdout.
    Split {
        #[arg(long)]
        shares: usize,
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Split this key file instead of the current master key (e.g. a
        /// new key made by `new-master`, before `rotate-master`).
        #[arg(long)]
        from_file: Option<std::path::PathBuf>,
    },
}

/// Key commands that need no store: making a key, splitting a key file.
fn offline_keys_command(settings: &Settings, command: &KeysCommand) -> Option<anyhow::Result<()>> {
    match command {
        KeysCommand::NewMaster { out } => Some((|| {
            if out.exists() {
                return Err(anyhow!("{} exists; not overwriting a key", out.display()));
            }
            let key = MasterKey::generate();
            crate::settings::write_private(out, &key.to_base64())?;
            eprintln!(
                "wrote a new master key to {} (check value {})",
                out.display(),
                key.check_value()
            );
            Ok(())
        })()),
        KeysCommand::Split {
            shares,
            out,
            from_file: Some(path),
        } => Some((|| {
            let probe = Settings {
                master_key_env: None,
                master_key_file: Some(path.clone()),
                master_key_shares: Vec::new(),
                ..settings.clone()
            };
            let key = serve::master_key(&probe)?;
            split(&key, *shares, out.as_deref())
        })()),
        _ => None,
    }
}

fn split(key: &MasterKey, shares: usize, out: Option<&std::path::Path>) -> anyhow::Result<()> {
    if !(2..=16).contains(&shares) {
        return Err(anyhow!("--shares must be between 2 and 16"));
    }
    let parts = key.split(shares).map_err(|e| anyhow!("{e}"))?;
    match out {
        Some(prefix) => {
            for (i, share) in parts.iter().enumerate() {
                let path = std::path::PathBuf::from(format!("{}.{}", prefix.display(), i + 1));
                if path.exists() {
                    return Err(anyhow!(
                        "{} exists; not overwriting a share",
                        path.display()
                    ));
                }
                crate::settings::write_private(&path, share)?;
                eprintln!("share {} of {shares}: {}", i + 1, path.display());
            }
        }
        None => {
            for share in &parts {
                println!("{share}");
            }
        }
    }
    fundline_api::audit!("key.split", shares = shares, check_value = %key.check_value());
    Ok(())
}

async fn keys_command(
    settings: &Settings,
    store: &fundline_store::Store,
    keyring: &keyring::Keyring,
    command: KeysCommand,
) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate {
            key,
            reseal,
            refingerprint,
            json,
        } => {
            let (list, rotated_dek) = rotate_keys(store, keyring, &key).await?;
            let mut out = serde_json::json!({});
            if json {
                let items: Vec<_> = list
                    .iter()
                    .map(|(t, p, v)| {
                        let mut o = serde_json::json!({"tenant_id": t, "key": p, "version": v});
                        if *p == keyring::DEK {
                            o["data_key_version"] = serde_json::json!(v);
                        }
                        o
                    })
                    .collect();
                out["rotated"] = serde_json::json!(items);
            } else {
                for (t, p, v) in &list {
                    println!("tenant {t}: {p} key version {v}");
                }
            }
            if reseal {
                if rotated_dek {
                    wait_for_servers().await;
                }
                let report = run_reseal(store, keyring).await?;
                report_or_field(&mut out, "reseal", &report, json)?;
            }
            if refingerprint {
                let report = run_refingerprint(store, keyring, Default::default()).await?;
                report_or_field(&mut out, "refingerprint", &report, json)?;
            }
            if json {
                println!("{out}");
            }
            Ok(())
        }
        KeysCommand::Refingerprint {
            max_rows,
            keep_old,
            json,
        } => {
            let opts = fundline_api::fingerprints::PassOptions { max_rows, keep_old };
            print_report(&run_refingerprint(store, keyring, opts).await?, json)
        }
        KeysCommand::Reseal { json } => print_report(&run_reseal(store, keyring).await?, json),
        KeysCommand::RotateMaster {
            new_key_file,
            new_key_shares,
            json,
        } => {
            let new = new_master_key(settings, new_key_file.as_deref(), &new_key_shares)?;
            let moved = keyring::rotate_master(store, keyring.master(), &new)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            fundline_api::audit!(
                "key.master_rotate",
                keys = moved,
                check_value = %new.check_value()
            );
            eprintln!(
                "re-wrapped {moved} tenant keys; the store now opens only with the new master key \
                 (check value {}): restart every server with it",
                new.check_value()
            );
            if json {
                println!(
                    "{}",
                    serde_json::json!({"rewrapped": moved, "check_value": new.check_value()})
                );
            }
            Ok(())
        }
        KeysCommand::NewMaster { .. } => Err(anyhow!("new-master runs without a store")),
        KeysCommand::Split { shares, out, .. } => split(keyring.master(), shares, out.as_deref()),
    }
}

/// Rotates each named key for every tenant: (tenant, key, new version) of
/// each, and whether the data key was among them.
async fn rotate_keys(
    store: &fundline_store::Store,
    keyring: &keyring::Keyring,
    keys: &[String],
) -> anyhow::Result<(Vec<(String, &'static str, i64)>, bool)> {
    let mut list = Vec::new();
    let mut rotated_dek = false;
    for k in keys {
        let purpose = *keyring::ROTATABLE
            .iter()
            .find(|p| **p == k.trim())
            .ok_or_else(|| anyhow!("--key must be dek, fp, jwt or url, not {k}"))?;
        let rotated = keyring::rotate_keys(store, keyring.master(), purpose)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        rotated_dek |= purpose == keyring::DEK;
        for (t, v) in rotated {
            fundline_api::audit!("key.rotate", tenant_id = %t, key = purpose, version = v);
            list.push((t, purpose, v));
        }
    }
    Ok((list, rotated_dek))
}

/// A pass's report: one line of JSON, or pretty-printed for a person.
fn print_report(report: &impl serde::Serialize, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!("{}", serde_json::to_string_pretty(report)?);
    }
    Ok(())
}

/// A pass's report as a field of the JSON answer, or printed for a person.
fn report_or_field(
    out: &mut serde_json::Value,
    field: &str,
    report: &impl serde::Serialize,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        out[field] = serde_json::to_value(report)?;
        Ok(())
    } else {
        print_report(report, false)
    }
}

/// The new master key, given exactly one way: a key file, shares, or
/// FUNDLINE_NEW_MASTER_KEY.
fn new_master_key(
    settings: &Settings,
    new_key_file: Option<&std::path::Path>,
    new_key_shares: &[String],
) -> anyhow::Result<MasterKey> {
    let env_key = settings.new_master_key.clone();
    let sources = usize::from(new_key_file.is_some())
        + usize::from(!new_key_shares.is_empty())
        + usize::from(env_key.is_some());
    if sources != 1 {
        return Err(anyhow!(
            "give the new master key exactly one way: --new-key-file, --new-key-shares \
             or FUNDLINE_NEW_MASTER_KEY"
        ));
    }
    if let Some(path) = new_key_file {
        let probe = Settings {
            master_key_env: None,
            master_key_file: Some(path.to_path_buf()),
            master_key_shares: Vec::new(),
            ..settings.clone()
        };
        return serve::master_key(&probe);
    }
    if !new_key_shares.is_empty() {
        if new_key_shares.len() < 2 {
            return Err(anyhow!("--new-key-shares needs two or more shares"));
        }
        return serve::key_from_shares(new_key_shares);
    }
    let v = env_key.unwrap_or_else(|| fundline_vault::SecretString::new(""));
    MasterKey::from_base64(v.expose())
        .map_err(|_| anyhow!("FUNDLINE_NEW_MASTER_KEY must be base64 of exactly 32 bytes"))
}

/// Lets running servers' key caches expire so every node seals with the
/// newest data key before the reseal pass starts.
async fn wait_for_servers() {
    let wait = keyring::CACHE_TTL + std::time::Duration::from_secs(1);
    eprintln!(
        "waiting {} s for running servers to pick the new data key up",
        wait.as_secs()
    );
    tokio::time::sleep(wait).await;
}

async fn run_reseal(
    store: &fundline_store::Store,
    keyring: &keyring::Keyring,
) -> anyhow::Result<fundline_store::sealed::ResealReport> {
    let mut progress = |line: &str| eprintln!("{line}");
    let report = fundline_store::sealed::reseal(store, keyring, &mut progress)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    fundline_api::audit!(
        "key.reseal",
        resealed = report.resealed,
        current = report.current,
        raced = report.raced,
        unreadable = report.unreadable
    );
    let stale = fundline_store::sealed::stale_counts(store, keyring)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let left: u64 = stale.iter().map(|(_, n)| n).sum();
    eprintln!(
        "reseal done: {} re-encrypted, {} already current, {} changed concurrently, {} unreadable; {left} values not on the newest key",
        report.resealed, report.current, report.raced, report.unreadable
    );
    Ok(report)
}

async fn run_refingerprint(
    store: &fundline_store::Store,
    keyring: &keyring::Keyring,
    opts: fundline_api::fingerprints::PassOptions,
) -> anyhow::Result<fundline_api::fingerprints::RefingerprintReport> {
    let mut progress = |line: &str| eprintln!("{line}");
    let report = fundline_api::fingerprints::refingerprint(store, keyring, opts, &mut progress)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    fundline_api::audit!(
        "key.refingerprint",
        refingerprinted = report.refingerprinted,
        raced = report.raced,
        conflicts = report.conflicts,
        unreadable = report.unreadable,
        mismatched = report.mismatched,
        left = report.left,
        retired_tenants = report.retired_tenants
    );
    eprintln!(
        "refingerprint done: {} rows re-fingerprinted in {:.2} s ({:.0} rows/s), {} changed concurrently, \
         {} conflicts, {} unreadable, {} mismatched; {} fingerprints not on the newest key; \
         old versions retired for {} tenants{}",
        report.refingerprinted,
        report.seconds,
        report.rows_per_second,
        report.raced,
        report.conflicts,
        report.unreadable,
        report.mismatched,
        report.left,
        report.retired_tenants,
        if report.stopped_early {
            " (stopped at --max-rows: run it again to continue)"
        } else {
            ""
        }
    );
    Ok(report)
}

pub async fn run(settings: Settings, command: AdminCommand) -> anyhow::Result<()> {
    if let AdminCommand::Keys { command } = &command {
        if let Some(done) = offline_keys_command(&settings, command) {
            return done;
        }
    }
    let (store, keyring) = serve::open(&settings).await?;
    let result = match command {
        AdminCommand::Tenant {
            command: TenantCommand::Create { name, json },
        } => {
            let creds = tenants::create_tenant(&store, &keyring, &name, false)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            print_report(&creds, json)
        }
        AdminCommand::Tenant {
            command: TenantCommand::Hosts { tenant, set },
        } => tenant_hosts(&store, tenant, set).await,
        AdminCommand::Tenant {
            command: TenantCommand::Gateway { tenant, set },
        } => {
            use fundline_api::gateway::settings::{TenantGatewaySettings, PRODUCT};
            product_settings(&store, &tenant, PRODUCT, "gateway", set, |json| {
                TenantGatewaySettings::parse(json)
            })
            .await
        }
        AdminCommand::Tenant {
            command: TenantCommand::Checks { tenant, set },
        } => {
            use fundline_api::checks::settings::{CheckSettings, PRODUCT};
            product_settings(&store, &tenant, PRODUCT, "checks", set, |json| {
                CheckSettings::parse(json)
            })
            .await
        }
        AdminCommand::Tenant {
            command:
                TenantCommand::Credentials {
                    tenant,
                    rotate,
                    revoke,
                    previous_only,
                    overlap_secs,
                },
        } => {
            tenant_credentials(
                &settings,
                &store,
                &keyring,
                &tenant,
                rotate,
                revoke,
                previous_only,
                overlap_secs,
            )
            .await
        }
        AdminCommand::Tenant {
            command: TenantCommand::Disable { tenant },
        } => set_disabled(&store, &tenant, true).await,
        AdminCommand::Tenant {
            command: TenantCommand::Enable { tenant },
        } => set_disabled(&store, &tenant, false).await,
        AdminCommand::Keys { command } => keys_command(&settings, &store, &keyring, command).await,
        AdminCommand::Outbox {
            command: OutboxCommand::List { tenant, json },
        } => outbox_list(&store, &keyring, tenant.as_deref(), json).await,
    };
    store.close().await;
    result
}

/// `admin tenant hosts`: sets the origins allowed to frame the tenant's
/// sessions (when given), then prints them.
async fn tenant_hosts(
    store: &fundline_store::Store,
    tenant: String,
    set: Option<Vec<String>>,
) -> anyhow::Result<()> {
    if let Some(hosts) = set {
        let hosts: Vec<String> = hosts
            .into_iter()
            .map(|h| h.trim().trim_end_matches('/').to_string())
            .collect();
        if let Some(bad) = hosts
            .iter()
            .find(|h| fundline_api::gateway::sessions::origin(h).is_none())
        {
            return Err(anyhow!(
                "{bad} is not an http(s) origin (scheme://host[:port])"
            ));
        }
        fundline_store::gateway::set_allowed_hosts(store, tenant.clone(), hosts)
            .await
            .map_err(|e| anyhow!("{e}"))?;
    }
    let hosts = fundline_store::gateway::allowed_hosts(store, &tenant)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!(
        "{}",
        serde_json::json!({"tenant_id": tenant, "allowed_hosts": hosts})
    );
    Ok(())
}

/// `admin outbox list`: the customer messages, opened.
async fn outbox_list(
    store: &fundline_store::Store,
    keyring: &keyring::Keyring,
    tenant: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let messages = fundline_store::reports::outbox(store, tenant)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let mut out = Vec::with_capacity(messages.len());
    for m in &messages {
        let keys = keyring
            .tenant(store, &m.tenant_id)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        out.push(fundline_api::analysis::outbox::opened(&keys, m));
    }
    if json {
        println!("{}", serde_json::Value::Array(out));
    } else {
        for m in &out {
            println!(
                "{}  {} → {}  [{}]\n{}\n",
                m["createdAt"].as_str().unwrap_or(""),
                m["channel"].as_str().unwrap_or(""),
                m["recipient"].as_str().unwrap_or(""),
                m["state"].as_str().unwrap_or(""),
                m["text"].as_str().unwrap_or("")
            );
        }
    }
    Ok(())
}

fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

fn rfc3339(micros: Option<i64>) -> serde_json::Value {
    micros
        .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_micros)
        .map(|t| serde_json::json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
        .unwrap_or(serde_json::Value::Null)
}

/// `admin tenant credentials`: one rotation or revocation, audited.
#[allow(clippy::too_many_arguments)]
async fn tenant_credentials(
    settings: &Settings,
    store: &fundline_store::Store,
    keyring: &keyring::Keyring,
    tenant: &str,
    rotate: Option<String>,
    revoke: Option<String>,
    previous_only: bool,
    overlap_secs: Option<u64>,
) -> anyhow::Result<()> {
    let now = now_micros();
    if let Some(product) = rotate {
        let overlap = overlap_secs
            .map(std::time::Duration::from_secs)
            .unwrap_or(settings.credential_overlap);
        let rotated = tenants::rotate_credential(
            store,
            keyring,
            tenant,
            &product,
            overlap.as_micros() as i64,
            now,
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
        fundline_api::audit!(
            "credential.rotated",
            tenant_id = %tenant,
            product = %rotated.product,
            overlap_secs = rotated.previous_valid_until.map(|u| (u - now) / 1_000_000).unwrap_or(0),
            actor = "admin-cli"
        );
        let mut out = serde_json::to_value(&rotated)?;
        out["previous_valid_until"] = rfc3339(rotated.previous_valid_until);
        println!("{out}");
        return Ok(());
    }
    let product = revoke.ok_or_else(|| anyhow!("--rotate or --revoke is required"))?;
    let what = if previous_only {
        tenants::Revocation::PreviousOnly
    } else {
        tenants::Revocation::All
    };
    tenants::revoke_credential(store, tenant, &product, what, now)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let scope = if previous_only { "previous" } else { "all" };
    fundline_api::audit!(
        "credential.revoked",
        tenant_id = %tenant,
        product = %product,
        scope = scope,
        actor = "admin-cli"
    );
    println!(
        "{}",
        serde_json::json!({"tenant_id": tenant, "product": product, "revoked": scope, "at": rfc3339(Some(now))})
    );
    Ok(())
}

/// `admin tenant disable` / `enable`, audited.
async fn set_disabled(
    store: &fundline_store::Store,
    tenant: &str,
    disabled: bool,
) -> anyhow::Result<()> {
    tenants::set_tenant_disabled(store, tenant, disabled, now_micros())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    if disabled {
        fundline_api::audit!("tenant.disabled", tenant_id = %tenant, actor = "admin-cli");
    } else {
        fundline_api::audit!("tenant.enabled", tenant_id = %tenant, actor = "admin-cli");
    }
    println!(
        "{}",
        serde_json::json!({"tenant_id": tenant, "disabled": disabled})
    );
    Ok(())
}

/// `tenant gateway|checks [--set JSON]`: validates and stores a product's
/// settings document when given one, then prints the tenant's current
/// settings (the defaults when none are stored) under `key`.
async fn product_settings<T, E>(
    store: &fundline_store::Store,
    tenant: &str,
    product: &'static str,
    key: &str,
    set: Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> anyhow::Result<()>
where
    T: serde::Serialize + Default,
    E: std::fmt::Display,
{
    if let Some(json) = set {
        let parsed = parse(&json).map_err(|e| anyhow!("{e}"))?;
        tenants::set_settings(
            store,
            tenant.to_string(),
            product,
            serde_json::to_string(&parsed)?,
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
    }
    let current = match tenants::settings(store, tenant, product)
        .await
        .map_err(|e| anyhow!("{e}"))?
    {
        Some(json) => parse(&json).map_err(|e| anyhow!("{e}"))?,
        None => T::default(),
    };
    println!("{}", serde_json::json!({"tenant_id": tenant, key: current}));
    Ok(())
}
