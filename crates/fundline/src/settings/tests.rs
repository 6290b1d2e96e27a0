//! The layering, the refusals and their wording, read with a file in a
//! temporary directory and an environment of the test's own (the process
//! environment is never touched, so tests run in parallel).

use std::collections::HashMap;

use figment::error::Kind;
use fundline_api::config::SmsProvider;

use super::*;

/// Settings from `toml` as the file, `env` as the whole environment, and
/// `flags`.
fn load(toml: &str, env: &[(&str, &str)], flags: Flags) -> anyhow::Result<Settings> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fundline.toml");
    std::fs::write(&path, toml).unwrap();
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::load_with(
        &Flags {
            config: Some(path),
            ..flags
        },
        |name| env.get(name).cloned(),
    )
}

fn loaded(toml: &str, env: &[(&str, &str)]) -> Settings {
    load(toml, env, Flags::default()).unwrap()
}

/// The message `fundline` prints when the settings are refused.
fn refused(toml: &str, env: &[(&str, &str)]) -> String {
    load(toml, env, Flags::default()).unwrap_err().to_string()
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default() {
    let flag = Flags {
        listen: Some("127.0.0.1:4000".into()),
        ..Flags::default()
    };
    let file = "listen = \"127.0.0.1:2000\"\npool_size = 3\n";
    let env = [
        ("FUNDLINE_LISTEN", "127.0.0.1:3000"),
        ("FUNDLINE_POOL_SIZE", "5"),
    ];
    let s = loaded("", &[]);
    assert_eq!((s.listen.as_str(), s.pool_size), ("127.0.0.1:8080", 8));
    let s = loaded(file, &[]);
    assert_eq!((s.listen.as_str(), s.pool_size), ("127.0.0.1:2000", 3));
    let s = loaded(file, &env);
    assert_eq!((s.listen.as_str(), s.pool_size), ("127.0.0.1:3000", 5));
    let s = load(file, &env, flag).unwrap();
    assert_eq!((s.listen.as_str(), s.pool_size), ("127.0.0.1:4000", 5));
    assert_eq!(
        s.public_url, "http://127.0.0.1:4000",
        "derived from the winner"
    );
}

#[test]
fn defaults_derive_from_other_settings() {
    let s = loaded("data_dir = \"/srv/fl\"\n", &[]);
    assert_eq!(s.database_url, "sqlite:///srv/fl/fundline.db?mode=rwc");
    assert_eq!(s.public_url, "http://127.0.0.1:8080");
    assert_eq!(s.request_timeout, Duration::from_secs(30));
    assert_eq!(s.server_limits.request_timeout, Duration::from_secs(30));
    assert!(s.sandbox);
    assert!(s.tls.is_none() && s.smtp.is_none() && s.sms.is_none());
    assert_eq!(
        s.ofac_blocked_countries,
        fundline_api::ofac::OfacScreen::default_list()
    );
    assert_eq!(
        s.sandbox_network.declines,
        SandboxNetwork::default().declines
    );
    let s = loaded("public_url = \"https://pay.example/\"\n", &[]);
    assert_eq!(
        s.public_url, "https://pay.example",
        "trailing slash dropped"
    );
}

#[test]
fn a_blank_environment_variable_counts_as_unset() {
    let s = loaded(
        "pool_size = 3\n",
        &[
            ("FUNDLINE_POOL_SIZE", ""),
            ("FUNDLINE_LISTEN", "  "),
            ("FUNDLINE_MASTER_KEY", " "),
        ],
    );
    assert_eq!(s.pool_size, 3);
    assert_eq!(s.listen, "127.0.0.1:8080");
    assert!(s.master_key_env.is_none());
}

#[test]
fn an_unknown_file_key_is_refused_by_name() {
    let e = refused("listen = \"127.0.0.1:1\"\npool_sise = 3\n", &[]);
    assert!(e.contains("unknown setting `pool_sise`"), "{e}");
    assert!(e.contains("fundline.toml"), "{e}");
    // Keys only the environment may set are not taken from the file.
    let e = refused("master_key = \"c2VjcmV0\"\n", &[]);
    assert!(e.contains("`master_key`"), "{e}");
    assert!(e.contains("FUNDLINE_MASTER_KEY"), "{e}");
    assert!(!e.contains("c2VjcmV0"), "{e}");
}

#[test]
fn a_bad_value_is_refused_naming_the_setting_where_it_was_written() {
    let e = refused("", &[("FUNDLINE_MAX_BODY_BYTES", "lots")]);
    assert!(
        e.starts_with("FUNDLINE_MAX_BODY_BYTES must be a whole number"),
        "{e}"
    );
    assert!(e.contains("\"lots\""), "{e}");
    let e = refused("max_body_bytes = \"lots\"\n", &[]);
    assert!(e.starts_with("max_body_bytes in "), "{e}");
    assert!(e.contains("fundline.toml must be a whole number"), "{e}");
    let e = refused("", &[("FUNDLINE_OUTBOX_BACKOFF_SECS", "-5")]);
    assert!(e.starts_with("FUNDLINE_OUTBOX_BACKOFF_SECS must be"), "{e}");
    let e = refused("", &[("FUNDLINE_SANDBOX", "maybe")]);
    assert!(e.starts_with("FUNDLINE_SANDBOX must be on or off"), "{e}");
    let e = refused("trusted_proxies = 5\n", &[]);
    assert!(e.starts_with("trusted_proxies in "), "{e}");
    let e = refused("listen = \"a\"\nlisten = \"b\"\n", &[]);
    assert!(e.starts_with("parsing ") && e.contains("(line 2)"), "{e}");
    // Checks past the type keep their messages.
    let e = refused("", &[("FUNDLINE_REPORT_LINK_TTL_HOURS", "0")]);
    assert!(e.contains("report link lifetime"), "{e}");
    let e = refused("", &[("FUNDLINE_MASTER_KEY_SHARES", "/a")]);
    assert!(e.contains("two or more shares"), "{e}");
}

#[test]
fn environment_text_spells_numbers_switches_and_lists() {
    let s = loaded(
        "sandbox = true\nofac_blocked_countries = [\"CU\"]\n",
        &[
            ("FUNDLINE_SANDBOX", "Off"),
            ("FUNDLINE_OFAC_BLOCKED_COUNTRIES", "none"),
            ("FUNDLINE_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
            ("FUNDLINE_MASTER_KEY_SHARES", "/a,, env:B"),
            ("FUNDLINE_SANDBOX_BLOCKED_BINS", "411111,"),
            ("FUNDLINE_SANDBOX_DECLINES", "4242:EXPIRED_CARD"),
            ("FUNDLINE_IDLE_TIMEOUT_SECS", " 7 "),
        ],
    );
    assert!(!s.sandbox);
    assert!(s.ofac_blocked_countries.is_empty());
    assert_eq!(s.staff_auth.trusted_proxies.len(), 2);
    assert_eq!(s.master_key_shares, ["/a", "env:B"]);
    assert_eq!(s.sandbox_network.blocked_bin_prefixes, ["411111"]);
    assert_eq!(
        s.sandbox_network.declines,
        [(
            "4242".to_string(),
            fundline_api::cardnet::DeclineCode::Expired
        )]
    );
    assert_eq!(s.server_limits.idle_timeout, Duration::from_secs(7));
    let s = loaded("sandbox = false\ntrusted_proxies = [\"::1\"]\n", &[]);
    assert!(!s.sandbox);
    assert_eq!(s.staff_auth.trusted_proxies.len(), 1);
    let e = refused("", &[("FUNDLINE_SANDBOX_DECLINES", "4242")]);
    assert!(e.contains("expected <digits>:<decline code>"), "{e}");
}

#[test]
fn secrets_never_print() {
    let secret = "tok-5ecret-99";
    let s = loaded(
        "",
        &[
            ("FUNDLINE_MASTER_KEY", secret),
            ("FUNDLINE_NEW_MASTER_KEY", secret),
            ("FUNDLINE_SMS_PROVIDER", "twilio"),
            ("FUNDLINE_TWILIO_ACCOUNT_SID", "AC1"),
            ("FUNDLINE_TWILIO_AUTH_TOKEN", secret),
            ("FUNDLINE_TWILIO_FROM", "+15005550006"),
        ],
    );
    assert_eq!(s.master_key_env.as_ref().unwrap().expose(), secret);
    assert_eq!(s.new_master_key.as_ref().unwrap().expose(), secret);
    assert!(!format!("{s:?}").contains(secret), "{s:?}");
    // A value of the wrong kind in a secret's place is not quoted back.
    let e = refused("twilio_auth_token = 31.4159\n", &[]);
    assert!(e.starts_with("twilio_auth_token in "), "{e}");
    assert!(!e.contains("31.4"), "{e}");
    // Nor is the line of a syntax error.
    let e = refused("sms_webhook_token = \"tok-5ecret-99\n", &[]);
    assert!(e.contains("(line 1)"), "{e}");
    assert!(!e.contains(secret), "{e}");
    // An all-digit token needs no quotes.
    let s = loaded(
        "sms_provider = \"webhook\"\nsms_webhook_url = \"https://sms.example/\"\nsms_webhook_token = 123456\n",
        &[],
    );
    match s.sms.unwrap().provider {
        SmsProvider::Webhook { token, .. } => assert_eq!(token.unwrap().expose(), "123456"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tls_files_go_together() {
    let e = refused("", &[("FUNDLINE_TLS_CERT", "/c.pem")]);
    assert!(e.contains("set both or neither"), "{e}");
    let s = loaded(
        "tls_key = \"/k.pem\"\nlisten = \"0.0.0.0:443\"\n",
        &[("FUNDLINE_TLS_CERT", "/c.pem")],
    );
    assert_eq!(s.tls.unwrap().cert, PathBuf::from("/c.pem"));
    assert_eq!(s.public_url, "https://0.0.0.0:443");
}

#[test]
fn no_provider_means_sms_are_recorded_only() {
    assert!(loaded("", &[]).sms.is_none());
    assert!(loaded("sms_provider = \" \"\n", &[]).sms.is_none());
}

#[test]
fn a_webhook_provider_from_the_file_and_the_environment() {
    let f = "sms_provider = \"webhook\"\nsms_webhook_url = \"https://sms.example/send\"\n";
    let c = loaded(f, &[]).sms.unwrap();
    match c.provider {
        SmsProvider::Webhook { url, token } => {
            assert_eq!(url, "https://sms.example/send");
            assert!(token.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(c.timeout, Duration::from_secs(10));
    let env = [
        ("FUNDLINE_SMS_WEBHOOK_TOKEN", "tok-123456"),
        ("FUNDLINE_SMS_TIMEOUT_SECS", "3"),
    ];
    let c = loaded(f, &env).sms.unwrap();
    match &c.provider {
        SmsProvider::Webhook { token, .. } => {
            assert_eq!(token.as_ref().unwrap().expose(), "tok-123456")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !format!("{c:?}").contains("tok-123456"),
        "the token never prints"
    );
    assert_eq!(c.timeout, Duration::from_secs(3));
}

#[test]
fn twilio_needs_its_account_and_defaults_to_twilios_api() {
    let f = "sms_provider = \"twilio\"\ntwilio_account_sid = \"AC1\"\ntwilio_auth_token = \"secret-token\"\n";
    let e = refused(f, &[]);
    assert!(e.contains("FUNDLINE_TWILIO_FROM"), "{e}");
    assert!(!e.contains("secret-token"), "{e}");
    let f = "sms_provider = \"Twilio\"\ntwilio_account_sid = \"AC1\"\ntwilio_auth_token = \"secret-token\"\ntwilio_from = \"+15005550006\"\n";
    match loaded(f, &[]).sms.unwrap().provider {
        SmsProvider::Twilio {
            base_url,
            account_sid,
            from,
            ..
        } => {
            assert_eq!(base_url, "https://api.twilio.com");
            assert_eq!(account_sid, "AC1");
            assert_eq!(from, "+15005550006");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn provider_urls_are_https_or_local() {
    for (url, ok) in [
        ("https://sms.example/send", true),
        ("http://127.0.0.1:9000/send", true),
        ("http://localhost:9000/send", true),
        ("http://sms.example/send", false),
        ("ftp://sms.example/", false),
        ("not a url", false),
    ] {
        let f = format!("sms_provider = \"webhook\"\nsms_webhook_url = \"{url}\"\n");
        assert_eq!(load(&f, &[], Flags::default()).is_ok(), ok, "{url}");
    }
    let e = refused("sms_provider = \"carrier-pigeon\"\n", &[]);
    assert!(
        e.contains("FUNDLINE_SMS_PROVIDER must be webhook or twilio"),
        "{e}"
    );
}

/// Every field of [`Config`], as serde lists them.
fn config_fields() -> Vec<&'static str> {
    let err = Figment::from(figment::providers::Serialized::default("not a setting", 0))
        .extract::<Config>()
        .unwrap_err();
    match err.kind {
        Kind::UnknownField(_, fields) => fields.to_vec(),
        other => panic!("{other}"),
    }
}

#[test]
fn every_setting_has_one_environment_variable() {
    let mut fields = config_fields();
    let mut keys: Vec<&str> = ENV_VARS.iter().map(|(_, key)| *key).collect();
    fields.sort_unstable();
    keys.sort_unstable();
    assert_eq!(fields, keys);
    let mut vars: Vec<&str> = ENV_VARS.iter().map(|(var, _)| *var).collect();
    vars.sort_unstable();
    vars.dedup();
    assert_eq!(vars.len(), ENV_VARS.len());
}

#[test]
fn docs_configuration_lists_every_setting() {
    let doc = include_str!("../../../../docs/configuration.md");
    for (var, key) in ENV_VARS {
        // The setting's table row names both its variable and its file key.
        let row = doc
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&format!("`{var}`")))
            .unwrap_or_else(|| panic!("{var} has no row in docs/configuration.md"));
        assert!(
            row.contains(&format!("`{key}`")),
            "{var}'s row lacks `{key}`"
        );
    }
}
