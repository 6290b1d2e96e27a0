//! `fundline statement inspect FILE`: what a statement file parses to, or
//! why it is refused — the operator's tool when a customer's upload fails.
//! Account numbers are shown as their last four.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum StatementCommand {
    /// Parse a statement file (OFX, QFX, CSV, MT940, CAMT.053) and print it.
    Inspect {
        file: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Read a CSV with this column mapping (JSON: date, amount or
        /// debit/credit, description, date_format, delimiter, negate).
        #[arg(long)]
        csv_mapping: Option<String>,
    },
}

/// Ok(true) when the file parsed.
pub fn run(command: StatementCommand) -> anyhow::Result<bool> {
    let StatementCommand::Inspect {
        file,
        json,
        csv_mapping,
    } = command;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.file_name().and_then(|n| n.to_str());
    let parsed = match csv_mapping {
        Some(m) => {
            let mapping: fundline_statements::CsvMapping =
                serde_json::from_str(&m).context("--csv-mapping must be a JSON object")?;
            fundline_statements::parse_csv_with(&bytes, &mapping)
        }
        None => fundline_statements::parse(&bytes, name),
    };
    match parsed {
        Ok(st) => {
            let mut v = serde_json::to_value(&st)?;
            if let Some(accounts) = v["accounts"].as_array_mut() {
                for a in accounts {
                    if let Some(n) = a["account_id"].as_str() {
                        a["account_id"] = json!(fundline_vault::mask_keep_last(n, 4));
                    }
                }
            }
            let out = json!({"file": file.display().to_string(), "ok": true,
                "transaction_count": st.transaction_count(), "statement": v});
            if json {
                println!("{out}");
            } else {
                println!("{}", serde_json::to_string_pretty(&out)?);
            }
            Ok(true)
        }
        Err(e) => {
            let out =
                json!({"file": file.display().to_string(), "ok": false, "error": e.to_string()});
            if json {
                println!("{out}");
            } else {
                println!("{}: {e}", file.display());
            }
            Ok(false)
        }
    }
}
