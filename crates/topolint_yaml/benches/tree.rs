//! YAML tree throughput (events -> arena tree with spans) on generated Kubernetes/Istio
//! manifests, against the bare event parser underneath: `cargo bench -p topolint_yaml`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn manifests(stacks: usize) -> String {
    let corpus = topolint_corpusgen::generate(&topolint_corpusgen::Spec {
        stacks,
        seed: 1,
        defect_per_mille: 0,
    });
    corpus
        .files
        .iter()
        .filter(|(p, _)| p.contains("/k8s/") || p.contains("/istio/"))
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("---\n")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("yaml");
    for stacks in [1, 50] {
        let text = manifests(stacks);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("tree/{stacks}-stacks"), |b| {
            b.iter(|| topolint_yaml::parse(black_box(&text)))
        });
        group.bench_function(format!("granit-events/{stacks}-stacks"), |b| {
            b.iter(|| {
                let mut parser = granit_parser::Parser::new_from_str(black_box(&text));
                let mut n = 0usize;
                while let Some(Ok(_)) = parser.next_event() {
                    n += 1;
                }
                n
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
