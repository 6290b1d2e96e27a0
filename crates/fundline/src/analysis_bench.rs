//! `fundline analysis bench`: the report engine's time on synthetic
//! histories of growing size, and statement parse throughput.

use std::time::Instant;

/// Best of `runs` wall-clock seconds.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

pub fn run(sizes: &[usize]) {
    println!(
        "fundline analysis bench ({} cores; best of several runs, release build recommended)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("\n| transactions | report time ms | income streams | loans | score |");
    println!("|---:|---:|---:|---:|---:|");
    for &n in sizes {
        let input = fundline_analysis::synth::sized(42, n);
        let runs = if n <= 100_000 { 5 } else { 3 };
        let (secs, r) = best(runs, || fundline_analysis::analyze(&input));
        println!(
            "| {} | {:.2} | {} | {} | {} |",
            input.transactions.len(),
            secs * 1000.0,
            r.likely_employers.len(),
            r.potential_loans.len(),
            r.score
        );
    }
    println!("\n| statement | size MB | transactions | parse ms | MB/s |");
    println!("|---|---:|---:|---:|---:|");
    for (name, text) in [
        ("OFX 2 (XML)", fundline_statements::synth::ofx2(100_000)),
        ("OFX 1 (SGML)", fundline_statements::synth::ofx1(100_000)),
    ] {
        let bytes = text.into_bytes();
        let (secs, parsed) = best(3, || fundline_statements::parse(&bytes, None));
        let count = parsed.map(|s| s.transaction_count()).unwrap_or(0);
        let mb = bytes.len() as f64 / 1_000_000.0;
        println!(
            "| {name} | {mb:.1} | {count} | {:.1} | {:.1} |",
            secs * 1000.0,
            mb / secs
        );
    }
}
