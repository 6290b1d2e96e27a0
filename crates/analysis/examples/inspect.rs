//! Shows truth vs detected streams for synthetic seeds (debugging aid).
//!
//! `cargo run --release -p fundline-analysis --example inspect -- SEED...`
fn main() {
    for seed in std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<u64>().ok())
    {
        let (input, truth) = fundline_analysis::synth::generate(seed);
        let r = fundline_analysis::analyze(&input);
        println!(
            "seed {seed}: {} txns, as_of {}",
            input.transactions.len(),
            input.as_of
        );
        for e in &truth.employers {
            println!(
                "  truth  {:<28} {:<12} {} active={}",
                e.name, e.cadence, e.amount, e.active
            );
        }
        for s in &r.likely_employers {
            println!(
                "  found  {:<28} {:<12} n={} monthly={} p={} active={} {}",
                s.employer_name,
                s.frequency,
                s.occurrence_count,
                s.monthly_income,
                s.probability,
                s.active,
                s.income_category
            );
            if std::env::var("DATES").is_ok() {
                let v: Vec<String> = s
                    .transactions
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} {} {}",
                            input.transactions[i].date,
                            input.transactions[i].amount,
                            input.transactions[i].memo
                        )
                    })
                    .collect();
                println!("      {}", v.join("\n      "));
            }
        }
    }
}
