//! The linker (`topolint_model::link`) over generated stacks already loaded in memory:
//! `cargo bench -p topolint_model`. Loading is outside the timed loop.

use std::path::PathBuf;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use topolint_workspace::{load, Input, LoadOptions, MemoryFs, Workspace};

fn workspace(stacks: usize) -> Workspace {
    let corpus = topolint_corpusgen::generate(&topolint_corpusgen::Spec {
        stacks,
        seed: 1,
        defect_per_mille: 200,
    });
    let mut fs = MemoryFs::new();
    for (rel, text) in &corpus.files {
        fs.insert(PathBuf::from("/c").join(rel), text.as_bytes().to_vec());
    }
    load(
        &[Input::Path(PathBuf::from("/c"))],
        &LoadOptions::default(),
        &fs,
    )
    .expect("in-memory corpus loads")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("link");
    group.sample_size(20);
    let options = topolint_model::LinkOptions::default();
    for stacks in [10, 100] {
        let ws = workspace(stacks);
        group.throughput(Throughput::Elements(ws.files.len() as u64));
        group.bench_with_input(BenchmarkId::new("stacks", stacks), &ws, |b, ws| {
            b.iter(|| topolint_model::link(black_box(ws), &options))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
