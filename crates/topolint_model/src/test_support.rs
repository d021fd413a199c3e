//! Helpers of the crate's unit tests.

use std::path::Path;

use topolint_workspace::{load, Input, LoadOptions, MemoryFs, Workspace};

/// Generated stacks (`topolint_corpusgen`) loaded from memory under `/c`.
pub(crate) fn generated_workspace(stacks: usize, seed: u64, defect_per_mille: u64) -> Workspace {
    let corpus = topolint_corpusgen::generate(&topolint_corpusgen::Spec {
        stacks,
        seed,
        defect_per_mille,
    });
    let mut fs = MemoryFs::new();
    for (rel, text) in &corpus.files {
        fs.insert(Path::new("/c").join(rel), text.as_bytes().to_vec());
    }
    load(&[Input::Path("/c".into())], &LoadOptions::default(), &fs).expect("in-memory corpus loads")
}
