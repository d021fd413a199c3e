//! Shared by the fuzz targets: turning one fuzz input into a multi-file project, and the span
//! invariants every finding must keep.

use std::path::PathBuf;

use topolint_diagnostics::{Diagnostic, Label, SourceMap};
use topolint_workspace::{load, Input, LoadOptions, MemoryFs};

/// Where the pieces of a multi-file input go: an nginx tree, a compose project, manifests.
pub const NAMES: &[&str] = &[
    "nginx/nginx.conf",
    "nginx/conf.d/default.conf",
    "compose.yaml",
    "k8s/app.yaml",
    "istio/mesh.yaml",
    "nginx/conf.d/extra.conf",
    "compose.override.yaml",
    "k8s/edge.yaml",
];

/// Splits `data` at every `\n%%\n` into files named from [`NAMES`] (cyclically, in
/// subdirectories `0/`, `1/`, ... after the first round) and loads them from memory.
pub fn memory_project(data: &[u8]) -> (MemoryFs, PathBuf) {
    let mut fs = MemoryFs::new();
    let root = PathBuf::from("/p");
    let mut rest = data;
    let mut i = 0usize;
    loop {
        let (piece, next) = match find(rest, b"\n%%\n") {
            Some(at) => (&rest[..at], Some(&rest[at + 4..])),
            None => (rest, None),
        };
        let name = NAMES[i % NAMES.len()];
        let path = if i < NAMES.len() {
            root.join(name)
        } else {
            root.join((i / NAMES.len()).to_string()).join(name)
        };
        fs.insert(path, piece.to_vec());
        i += 1;
        match next {
            Some(n) if i < 64 => rest = n,
            _ => break,
        }
    }
    (fs, root)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Loads and lints the in-memory project; checks every finding's spans.
pub fn check_project(data: &[u8]) {
    let (fs, root) = memory_project(data);
    let ws = load(&[Input::Path(root.clone())], &LoadOptions::default(), &fs).expect("root exists");
    let out = topolint_linter::run(&ws, &Default::default());
    assert_spans(&ws.sources, &out.findings);
    // The one-shot run, which drops each parse tree once the linker has read it, finds
    // exactly the same.
    let mut released =
        load(&[Input::Path(root.clone())], &LoadOptions::default(), &fs).expect("root exists");
    let again = topolint_linter::run_releasing(&mut released, &Default::default());
    assert_eq!(
        again.findings, out.findings,
        "run_releasing differs from run"
    );
    // As `topolint check` runs: the Kubernetes files lowered while loading.
    let (mut lowered_ws, lowered) = topolint_workspace::load_with(
        &[Input::Path(root)],
        &LoadOptions::default(),
        &fs,
        &topolint_model::LowerKubernetes,
    )
    .expect("root exists");
    let lowered = topolint_linter::run_lowered(&mut lowered_ws, &Default::default(), lowered);
    assert_eq!(
        lowered.findings, out.findings,
        "run_lowered differs from run"
    );
}

/// Every label of every finding lies inside its file and on char boundaries.
pub fn assert_spans(sources: &SourceMap, findings: &[Diagnostic]) {
    for d in findings {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            assert_label(sources, d, label);
        }
    }
}

fn assert_label(sources: &SourceMap, d: &Diagnostic, label: &Label) {
    let file = sources
        .get(label.file)
        .unwrap_or_else(|| panic!("{}: label in unknown file {:?}", d.rule, label.file));
    let (s, e) = (label.range.start as usize, label.range.end as usize);
    let text = &file.text;
    assert!(
        s <= e && e <= text.len(),
        "{}: range {s}..{e} outside {} ({} bytes)",
        d.rule,
        file.display,
        text.len()
    );
    assert!(
        text.is_char_boundary(s) && text.is_char_boundary(e),
        "{}: range {s}..{e} not on char boundaries in {}",
        d.rule,
        file.display
    );
}
