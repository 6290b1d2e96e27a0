//! Every fuzz target's seed corpus (fuzz/corpus/<target>/) through the
//! target's own checks (fuzz/src/lib.rs), on the stable toolchain: a seed
//! that panics, or breaks a target's property, fails the ordinary suite
//! without libFuzzer or nightly.

use std::path::{Path, PathBuf};

use crate::fuzz_targets::TARGETS;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

#[test]
fn every_corpus_file_of_every_target_runs_without_a_panic() {
    let mut replayed = 0;
    for (target, run) in TARGETS {
        let dir = corpus().join(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("corpus entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no seeds for {target}");
        for file in files {
            let data = std::fs::read(&file).expect("corpus file");
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{target} panicked on {}", file.display());
            replayed += 1;
        }
    }
    // Every directory of the corpus is a target this test knows.
    for entry in std::fs::read_dir(corpus()).expect("fuzz/corpus") {
        let path = entry.expect("corpus entry").path();
        if path.is_dir() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "fuzz/corpus/{name} has no target in fuzz/src/lib.rs"
            );
        }
    }
    assert!(replayed >= TARGETS.len());
}
