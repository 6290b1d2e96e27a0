//! `fundline`: the platform's one binary.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use fundline::{admin, analysis_bench, bench, check_bench, crash, serve, settings, statement};

/// mimalloc instead of glibc's malloc: under load the server allocates and
/// frees many small buffers per request on two threads, where glibc's
/// allocator took ~13 % of the server's CPU (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "fundline",
    version,
    about = "Fundline: money movement and underwriting platform"
)]
struct Cli {
    #[command(flatten)]
    settings: settings::Flags,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (creates and prints a sandbox tenant on an empty store).
    Serve,
    /// Apply the embedded migrations and exit.
    Migrate,
    /// Operator commands; output on stdout, logs on stderr.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Load-test a server over loopback and print throughput and latency.
    Bench(bench::BenchArgs),
    /// Kill the server with SIGKILL at random moments under sustained writes,
    /// restart it, and check every acknowledged write survived exactly once.
    Crash(crash::CrashArgs),
    /// Check deposits.
    Checks {
        #[command(subcommand)]
        command: ChecksCommand,
    },
    /// Bank statement files.
    Statement {
        #[command(subcommand)]
        command: statement::StatementCommand,
    },
    /// Bank analysis engine: employer and cadence recovery on generated histories.
    Analysis {
        #[command(subcommand)]
        command: AnalysisCommand,
    },
}

#[derive(Subcommand)]
enum ChecksCommand {
    /// Check deposits per second, submission to funding, on a fresh server.
    Bench(check_bench::CheckBenchArgs),
}

#[derive(Subcommand)]
enum AnalysisCommand {
    /// Generate histories with known employers and report how many the
    /// engine recovers, with the right cadence.
    Recovery {
        #[arg(long, default_value_t = 500)]
        histories: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Time the report engine at 10k, 100k and 1M transactions, and
    /// statement parsing in MB/s.
    Bench {
        /// Comma-separated history sizes.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
        sizes: Vec<usize>,
    },
}

fn main() -> ExitCode {
    fundline::memory::fix_large_allocations();
    let cli = Cli::parse();
    fundline::logging::init();
    // Offline tools: no settings, store or runtime needed.
    let command = match cli.command {
        Command::Statement { command } => {
            return match statement::run(command) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::from(1),
                Err(e) => {
                    eprintln!("fundline: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Analysis {
            command: AnalysisCommand::Recovery { histories, seed },
        } => {
            println!("{}", fundline_analysis::recovery(histories, seed));
            return ExitCode::SUCCESS;
        }
        Command::Analysis {
            command: AnalysisCommand::Bench { sizes },
        } => {
            analysis_bench::run(&sizes);
            return ExitCode::SUCCESS;
        }
        other => other,
    };
    let settings = match settings::Settings::load(&cli.settings) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fundline: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fundline: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async move {
        match command {
            Command::Serve => serve::run(settings).await,
            Command::Migrate => serve::migrate(settings).await,
            Command::Admin { command } => admin::run(settings, command).await,
            Command::Bench(args) => bench::run(args).await,
            Command::Checks {
                command: ChecksCommand::Bench(args),
            } => check_bench::run(args).await,
            Command::Crash(args) => crash::run(args).await,
            Command::Statement { .. } | Command::Analysis { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "fundline stopped");
            eprintln!("fundline: {e:#}");
            ExitCode::FAILURE
        }
    }
}
