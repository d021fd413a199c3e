//! nginx parser throughput on generated, realistic site configurations (upstreams, timeouts,
//! locations): `cargo bench -p topolint_nginx`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn nginx_text(stacks: usize) -> String {
    let corpus = topolint_corpusgen::generate(&topolint_corpusgen::Spec {
        stacks,
        seed: 1,
        defect_per_mille: 0,
    });
    corpus
        .files
        .iter()
        .filter(|(p, _)| p.ends_with("conf.d/default.conf"))
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("nginx");
    for stacks in [1, 100] {
        let text = nginx_text(stacks);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("parse/{stacks}-sites"), |b| {
            b.iter(|| topolint_nginx::parse(black_box(&text)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
