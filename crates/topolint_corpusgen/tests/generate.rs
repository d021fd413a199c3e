//! The generator is deterministic by seed, and topolint finds every planted defect (and
//! nothing else on the clean stacks) in a small corpus.

use std::collections::BTreeSet;
use std::path::PathBuf;

use topolint_corpusgen::{generate, Defect, Spec};
use topolint_workspace::{load, Input, LoadOptions, MemoryFs};

fn spec(stacks: usize, seed: u64, defect_per_mille: u64) -> Spec {
    Spec {
        stacks,
        seed,
        defect_per_mille,
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generate(&spec(10, 42, 200));
    let b = generate(&spec(10, 42, 200));
    assert_eq!(a.files, b.files);
    assert_eq!(a.manifest(), b.manifest());
    let c = generate(&spec(10, 43, 200));
    assert_ne!(a.files, c.files);
    // Written to disk, twice, byte for byte.
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    a.write_to(d1.path()).unwrap();
    b.write_to(d2.path()).unwrap();
    for (rel, _) in &a.files {
        assert_eq!(
            std::fs::read(d1.path().join(rel)).unwrap(),
            std::fs::read(d2.path().join(rel)).unwrap()
        );
    }
    // 10 files per stack; a small corpus is 10 stacks.
    assert_eq!(a.files.len(), 100);
}

fn findings(corpus: &topolint_corpusgen::Corpus) -> BTreeSet<(String, String)> {
    let mut fs = MemoryFs::new();
    for (rel, text) in &corpus.files {
        fs.insert(PathBuf::from("/c").join(rel), text.as_bytes().to_vec());
    }
    let options = LoadOptions {
        base_dir: Some(PathBuf::from("/c")),
        ..LoadOptions::default()
    };
    let ws = load(&[Input::Path(PathBuf::from("/c"))], &options, &fs).unwrap();
    let out = topolint_linter::lint(&ws, &Default::default());
    out.iter()
        .map(|d| {
            let file = ws
                .sources
                .get(d.primary.file)
                .expect("finding in a known file");
            let path = file.path.to_string_lossy().into_owned();
            (
                d.rule.to_string(),
                path.trim_start_matches("/c/").to_string(),
            )
        })
        .collect()
}

#[test]
fn topolint_finds_every_planted_defect_and_nothing_on_clean_stacks() {
    // Every defect kind planted at least once: 40 stacks, all defective.
    let corpus = generate(&spec(40, 7, 1000));
    let kinds: BTreeSet<Defect> = corpus.planted.iter().map(|p| p.defect).collect();
    assert_eq!(
        kinds.len(),
        Defect::ALL.len(),
        "seed 7 no longer plants every kind"
    );
    let got = findings(&corpus);
    for p in &corpus.planted {
        assert!(
            got.contains(&(p.defect.rule().to_string(), p.path())),
            "planted {:?} in {} not reported; got {got:#?}",
            p.defect,
            p.path()
        );
    }

    // The small corpus: findings only in the stacks that carry a defect.
    let small = generate(&spec(10, 1, 200));
    let defective: BTreeSet<&str> = small.planted.iter().map(|p| p.stack.as_str()).collect();
    for (rule, path) in findings(&small) {
        let stack = path.split('/').next().unwrap();
        assert!(
            defective.contains(stack),
            "{rule} in clean stack file {path}"
        );
    }
}
