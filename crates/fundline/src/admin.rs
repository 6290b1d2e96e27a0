//! `fundline admin …`: operator commands. stdout carries only the output.

use anyhow::anyhow;
use clap::Subcommand;
use fundline_store::{keyring, tenants};

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
    /// Add a new data key version for every tenant: new data is sealed with
    /// it, data sealed before stays readable.
    Rotate {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(settings: Settings, command: AdminCommand) -> anyhow::Result<()> {
    let (store, keyring) = serve::open(&settings).await?;
    let result = match command {
        AdminCommand::Tenant {
            command: TenantCommand::Create { name, json },
        } => {
            let creds = tenants::create_tenant(&store, &keyring, &name, false)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            if json {
                println!("{}", serde_json::to_string(&creds)?);
            } else {
                println!("{}", serde_json::to_string_pretty(&creds)?);
            }
            Ok(())
        }
        AdminCommand::Tenant {
            command: TenantCommand::Hosts { tenant, set },
        } => {
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
                fundline_store::gateway::set_allowed_hosts(&store, tenant.clone(), hosts)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
            }
            let hosts = fundline_store::gateway::allowed_hosts(&store, &tenant)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!(
                "{}",
                serde_json::json!({"tenant_id": tenant, "allowed_hosts": hosts})
            );
            Ok(())
        }
        AdminCommand::Tenant {
            command: TenantCommand::Gateway { tenant, set },
        } => {
            use fundline_api::gateway::settings::{TenantGatewaySettings, PRODUCT};
            if let Some(json) = set {
                let parsed = TenantGatewaySettings::parse(&json).map_err(|e| anyhow!(e))?;
                fundline_store::tenants::set_settings(
                    &store,
                    tenant.clone(),
                    PRODUCT,
                    serde_json::to_string(&parsed)?,
                )
                .await
                .map_err(|e| anyhow!("{e}"))?;
            }
            let current = match tenants::settings(&store, &tenant, PRODUCT)
                .await
                .map_err(|e| anyhow!("{e}"))?
            {
                Some(json) => TenantGatewaySettings::parse(&json).map_err(|e| anyhow!(e))?,
                None => TenantGatewaySettings::default(),
            };
            println!(
                "{}",
                serde_json::json!({"tenant_id": tenant, "gateway": current})
            );
            Ok(())
        }
        AdminCommand::Tenant {
            command: TenantCommand::Checks { tenant, set },
        } => {
            use fundline_api::checks::settings::{CheckSettings, PRODUCT};
            if let Some(json) = set {
                let parsed = CheckSettings::parse(&json).map_err(|e| anyhow!(e))?;
                tenants::set_settings(
                    &store,
                    tenant.clone(),
                    PRODUCT,
                    serde_json::to_string(&parsed)?,
                )
                .await
                .map_err(|e| anyhow!("{e}"))?;
            }
            let current = match tenants::settings(&store, &tenant, PRODUCT)
                .await
                .map_err(|e| anyhow!("{e}"))?
            {
                Some(json) => CheckSettings::parse(&json).map_err(|e| anyhow!(e))?,
                None => CheckSettings::default(),
            };
            println!(
                "{}",
                serde_json::json!({"tenant_id": tenant, "checks": current})
            );
            Ok(())
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
        AdminCommand::Keys {
            command: KeysCommand::Rotate { json },
        } => {
            let rotated = keyring::rotate_data_keys(&store, keyring.master())
                .await
                .map_err(|e| anyhow!("{e}"))?;
            if json {
                let list: Vec<_> = rotated
                    .iter()
                    .map(|(t, v)| serde_json::json!({"tenant_id": t, "data_key_version": v}))
                    .collect();
                println!("{}", serde_json::json!({"rotated": list}));
            } else {
                for (t, v) in &rotated {
                    println!("tenant {t}: data key version {v}");
                }
            }
            Ok(())
        }
        AdminCommand::Outbox {
            command: OutboxCommand::List { tenant, json },
        } => {
            let messages = fundline_store::reports::outbox(&store, tenant.as_deref())
                .await
                .map_err(|e| anyhow!("{e}"))?;
            let mut out = Vec::with_capacity(messages.len());
            for m in &messages {
                let keys = keyring
                    .tenant(&store, &m.tenant_id)
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
    };
    store.close().await;
    result
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
