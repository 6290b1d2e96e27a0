//! How well the engine finds the income sources of synthetic histories.
//!
//! For each history from `synth::generate(seed + k)`, a true employer is
//! *recovered* when a reported stream carries its name (the counterparty key
//! of the true name), and its *cadence is correct* when the largest such
//! stream (most pay events) has the true cadence. Streams whose name is no
//! true employer's are false positives (P2P payers, own transfers, ...).

use crate::{analyze, counterparty_key, synth, Cadence};
use std::fmt;

/// Counts for one true cadence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CadenceRecovery {
    pub cadence: Cadence,
    pub employers: u32,
    pub recovered: u32,
    pub cadence_correct: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryStats {
    pub histories: usize,
    pub transactions: usize,
    /// One row per true cadence that occurred.
    pub by_cadence: Vec<CadenceRecovery>,
    pub employers: u32,
    pub recovered: u32,
    pub cadence_correct: u32,
    /// Reported streams that match no true employer.
    pub false_positives: u32,
    pub streams_reported: u32,
    /// Seeds of histories with a miss (employer not found or wrong cadence).
    pub missed_seeds: Vec<u64>,
}

fn pct(n: u32, d: u32) -> f64 {
    if d == 0 {
        100.0
    } else {
        f64::from(n) * 100.0 / f64::from(d)
    }
}

impl RecoveryStats {
    /// Recovered employers, percent.
    pub fn recovered_pct(&self) -> f64 {
        pct(self.recovered, self.employers)
    }

    /// Employers recovered with the right cadence, percent.
    pub fn cadence_pct(&self) -> f64 {
        pct(self.cadence_correct, self.employers)
    }
}

impl fmt::Display for RecoveryStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} histories, {} transactions",
            self.histories, self.transactions
        )?;
        writeln!(
            f,
            "{:<13} {:>9} {:>9} {:>8} {:>9} {:>8}",
            "cadence", "employers", "recovered", "%", "cadence ok", "%"
        )?;
        for r in &self.by_cadence {
            writeln!(
                f,
                "{:<13} {:>9} {:>9} {:>7.1}% {:>9} {:>7.1}%",
                r.cadence.as_str(),
                r.employers,
                r.recovered,
                pct(r.recovered, r.employers),
                r.cadence_correct,
                pct(r.cadence_correct, r.employers)
            )?;
        }
        writeln!(
            f,
            "{:<13} {:>9} {:>9} {:>7.1}% {:>9} {:>7.1}%",
            "overall",
            self.employers,
            self.recovered,
            self.recovered_pct(),
            self.cadence_correct,
            self.cadence_pct()
        )?;
        write!(
            f,
            "false positives: {} of {} streams reported",
            self.false_positives, self.streams_reported
        )
    }
}

/// Runs `histories` synthetic histories (seeds `seed`, `seed + 1`, ...)
/// through the engine and counts what it recovered.
pub fn recovery(histories: usize, seed: u64) -> RecoveryStats {
    let mut stats = RecoveryStats {
        histories,
        transactions: 0,
        by_cadence: Vec::new(),
        employers: 0,
        recovered: 0,
        cadence_correct: 0,
        false_positives: 0,
        streams_reported: 0,
        missed_seeds: Vec::new(),
    };
    for k in 0..histories {
        let s = seed.wrapping_add(k as u64);
        let (input, truth) = synth::generate(s);
        stats.transactions += input.transactions.len();
        let report = analyze(&input);
        let names: Vec<String> = truth
            .employers
            .iter()
            .map(|e| counterparty_key(&e.name, None))
            .collect();
        let mut missed = false;
        for (e, name) in truth.employers.iter().zip(&names) {
            let best = report
                .likely_employers
                .iter()
                .filter(|s| &s.employer_name == name)
                .max_by_key(|s| s.occurrence_count);
            let row = match stats
                .by_cadence
                .iter_mut()
                .position(|r| r.cadence == e.cadence)
            {
                Some(p) => &mut stats.by_cadence[p],
                None => {
                    stats.by_cadence.push(CadenceRecovery {
                        cadence: e.cadence,
                        employers: 0,
                        recovered: 0,
                        cadence_correct: 0,
                    });
                    let last = stats.by_cadence.len() - 1;
                    &mut stats.by_cadence[last]
                }
            };
            row.employers += 1;
            stats.employers += 1;
            match best {
                Some(b) => {
                    row.recovered += 1;
                    stats.recovered += 1;
                    if b.frequency == e.cadence {
                        row.cadence_correct += 1;
                        stats.cadence_correct += 1;
                    } else {
                        missed = true;
                    }
                }
                None => missed = true,
            }
        }
        stats.streams_reported += report.likely_employers.len() as u32;
        stats.false_positives += report
            .likely_employers
            .iter()
            .filter(|s| !names.contains(&s.employer_name))
            .count() as u32;
        if missed {
            stats.missed_seeds.push(s);
        }
    }
    stats.by_cadence.sort_by_key(|r| r.cadence);
    stats
}
