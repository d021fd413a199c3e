//! Conformance on the real-world corpus in ../shared/corpus (corpus/README.md): every file
//! that nginx, compose or Kubernetes accepts loads with no finding; the broken ones yield a
//! located error at the line corpus/README.md gives.

mod common;

use common::{corpus, findings, repo, run};

/// Findings the corpus must produce: (rule, path suffix, line).
const EXPECTED: &[(&str, &str, u64)] = &[
    // corpus/README.md: strict mode, `unknown directive "proxy_passs"` at line 7.
    (
        "unknown-directive",
        "crossplane/tests/configs/spelling-mistake/nginx.conf",
        7,
    ),
    // corpus/README.md: nginx flags "invalid number of arguments in user" (`user;`).
    (
        "invalid-directive-arguments",
        "crossplane/tests/configs/bad-args/nginx.conf",
        1,
    ),
    // crossplane's lexer accepts `"left"-quote` and `""left-empty`, nginx does not:
    // ngx_conf_read_token wants whitespace, `;` or `{` after a closing quote and stops with
    // `unexpected "-"`. topolint follows nginx (and keeps crossplane's tokens for the rest).
    (
        "parse-error",
        "crossplane/tests/configs/quote-behavior/nginx.conf",
        1,
    ),
    (
        "parse-error",
        "crossplane/tests/configs/quote-behavior/nginx.conf",
        2,
    ),
];

#[test]
fn corpus_loads_cleanly_except_the_known_broken_files() {
    let Some(corpus) = corpus() else { return };
    let out = run(
        &["check", "--format", "json", corpus.to_str().unwrap()],
        &repo(),
    );
    assert!(out.code <= 1, "{}", out.stderr);
    let doc = out.json();
    let input_rules = [
        "parse-error",
        "include-not-found",
        "include-cycle",
        "file-skipped",
        "duplicate-key",
        "unknown-directive",
        "invalid-directive-arguments",
        "helm-template-skipped",
    ];
    let got: Vec<(String, String, u64)> = findings(&doc)
        .into_iter()
        .filter(|(rule, _, _)| input_rules.contains(&rule.as_str()))
        .collect();
    for (rule, suffix, line) in EXPECTED {
        assert!(
            got.iter()
                .any(|(r, p, l)| r == rule && p.ends_with(suffix) && l == line),
            "expected {rule} at {suffix}:{line}; got {got:#?}"
        );
    }
    let unexpected: Vec<_> = got
        .iter()
        .filter(|(r, p, l)| {
            !EXPECTED
                .iter()
                .any(|(er, es, el)| r == er && p.ends_with(es) && l == el)
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected findings on the clean corpus: {unexpected:#?}"
    );

    // Every YAML and nginx file of the corpus was loaded (nothing silently dropped).
    let files = doc["files"].as_array().unwrap();
    let count = |kind: &str| files.iter().filter(|x| x["kind"] == kind).count();
    let yaml_on_disk = walk(&corpus, &|name| {
        name.ends_with(".yaml") || name.ends_with(".yml")
    });
    assert_eq!(
        count("kubernetes") + count("compose"),
        yaml_on_disk,
        "every corpus YAML file is Kubernetes or compose"
    );
    let nginx_on_disk = walk(&corpus, &|name| {
        name.ends_with(".conf") || name == "mime.types"
    });
    assert_eq!(
        count("nginx"),
        nginx_on_disk,
        "every corpus nginx file is loaded"
    );
}

fn walk(dir: &std::path::Path, keep: &dyn Fn(&str) -> bool) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            n += walk(&p, keep);
        } else if p.file_name().and_then(|x| x.to_str()).is_some_and(keep) {
            n += 1;
        }
    }
    n
}
