//! The integration tests, one binary so the suite links once. Each module
//! was its own test file; `common` holds the shared helpers.

mod common;
/// The fuzz targets' checks, shared with fuzz/ (see fuzz_corpus).
#[path = "../../../../fuzz/src/lib.rs"]
mod fuzz_targets;

mod analysis_auth;
mod analysis_corpus;
mod analysis_customers;
mod analysis_links;
mod analysis_mail;
mod analysis_reports;
mod analysis_users;
mod browser;
mod checks;
mod connect_client;
mod connect_sdk;
mod connect_tokens;
mod connections;
mod console;
mod console_browser;
mod console_building;
mod console_events;
mod console_forms;
mod console_proxy;
mod console_report_pdf;
mod console_transactions;
mod console_users;
mod fuzz_corpus;
mod gateway_page;
mod gateway_process;
mod gateway_sessions;
mod gateway_settings;
mod gateway_verify;
mod keys;
mod limits;
mod log_checks;
mod login_flood;
mod nodes;
mod nul_text;
mod ops;
mod partners_auth;
mod partners_cards;
mod partners_customers;
mod partners_more;
mod process;
mod tenant_ops;
mod uploads;
