//! Times `analyze` on synthetic histories of 10k, 100k and 1M transactions.
//!
//! `cargo run --release -p fundline-analysis --example perf [-- SIZES...]`
//! Targets on a 2-core machine: 10k ≤ 20 ms, 100k ≤ 150 ms, 1M ≤ 1.5 s.
use std::time::Instant;

fn main() {
    let sizes: Vec<usize> = {
        let v: Vec<usize> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        if v.is_empty() {
            vec![10_000, 100_000, 1_000_000]
        } else {
            v
        }
    };
    for n in sizes {
        let input = fundline_analysis::synth::sized(42, n);
        let runs = if n <= 100_000 { 5 } else { 3 };
        let mut best = f64::MAX;
        let mut report = None;
        for _ in 0..runs {
            let t = Instant::now();
            let r = fundline_analysis::analyze(&input);
            best = best.min(t.elapsed().as_secs_f64());
            report = Some(r);
        }
        let r = report.expect("at least one run");
        println!(
            "{:>9} transactions: best of {runs} {:>9.2} ms  (score {}, {} streams, {} loans)",
            input.transactions.len(),
            best * 1000.0,
            r.score,
            r.likely_employers.len(),
            r.potential_loans.len()
        );
    }
}
