//! Prints how many synthetic employers the engine recovers.
//!
//! `cargo run --release -p fundline-analysis --example recovery -- [HISTORIES] [SEED]`
fn main() {
    let mut args = std::env::args().skip(1);
    let histories = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let stats = fundline_analysis::recovery(histories, seed);
    println!("{stats}");
    if !stats.missed_seeds.is_empty() {
        let shown: Vec<String> = stats
            .missed_seeds
            .iter()
            .take(20)
            .map(u64::to_string)
            .collect();
        println!("seeds with a miss: {}", shown.join(" "));
    }
}
