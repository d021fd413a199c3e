//! `topolint-corpusgen gen --size small|medium|large|<stacks> [--seed N] [--defects PER_MILLE] --out DIR`
//! writes a generated corpus (see the crate docs) plus `MANIFEST.tsv`.
//!
//! `topolint-corpusgen floor DIR` is the benchmark floor: read every byte of every file under
//! DIR and run the bare granit-parser event parser over every YAML file, on all cores
//! (rayon; `RAYON_NUM_THREADS` applies). No tree, no linking: what any YAML tool must pay.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;
use topolint_corpusgen::{generate, stacks_for_size, Spec};

fn usage() -> ExitCode {
    eprintln!(
        "usage: topolint-corpusgen gen --size small|medium|large|<stacks> [--seed N] [--defects PER_MILLE] --out DIR\n       topolint-corpusgen floor DIR"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") => gen(&args[1..]),
        Some("floor") if args.len() == 2 => floor(Path::new(&args[1])),
        _ => usage(),
    }
}

fn gen(args: &[String]) -> ExitCode {
    let mut spec = Spec::default();
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let Some(value) = it.next() else {
            return usage();
        };
        match flag.as_str() {
            "--size" => match stacks_for_size(value) {
                Some(n) => spec.stacks = n,
                None => return usage(),
            },
            "--seed" => match value.parse() {
                Ok(n) => spec.seed = n,
                Err(_) => return usage(),
            },
            "--defects" => match value.parse() {
                Ok(n) if n <= 1000 => spec.defect_per_mille = n,
                _ => return usage(),
            },
            "--out" => out = Some(PathBuf::from(value)),
            _ => return usage(),
        }
    }
    let Some(out) = out else {
        return usage();
    };
    let corpus = generate(&spec);
    if let Err(e) = corpus.write_to(&out) {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::from(2);
    }
    println!(
        "{} stacks, {} files, {} bytes, {} planted defects -> {}",
        spec.stacks,
        corpus.files.len(),
        corpus.total_bytes(),
        corpus.planted.len(),
        out.display()
    );
    ExitCode::SUCCESS
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            walk(&e.path(), out);
        } else if t.is_file() {
            out.push(e.path());
        }
    }
}

fn floor(root: &Path) -> ExitCode {
    let start = std::time::Instant::now();
    let mut files = Vec::new();
    walk(root, &mut files);
    let (bytes, yaml, events) = files
        .par_iter()
        .map(|p| {
            let Ok(data) = std::fs::read(p) else {
                return (0usize, 0usize, 0usize);
            };
            let is_yaml = p.extension().is_some_and(|e| e == "yaml" || e == "yml");
            let mut events = 0;
            if is_yaml {
                let text = String::from_utf8_lossy(&data);
                let mut parser = granit_parser::Parser::new_from_str(&text);
                while let Some(Ok(_)) = parser.next_event() {
                    events += 1;
                }
            }
            (data.len(), usize::from(is_yaml), events)
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!(
        "floor: {} files ({} YAML, {} events), {} bytes in {:.3} s",
        files.len(),
        yaml,
        events,
        bytes,
        start.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
