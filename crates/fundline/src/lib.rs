//! The `fundline` binary's library: configuration, serving, admin commands
//! and the bench, kept here so the integration tests drive the same code.

pub mod admin;
pub mod analysis_bench;
pub mod app;
pub mod bench;
pub mod check_bench;
pub mod client;
pub mod crash;
pub mod logging;
pub mod memory;
pub mod serve;
pub mod settings;
pub mod statement;
