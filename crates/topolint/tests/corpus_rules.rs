//! The first cross-file rules on the real-world corpus (corpus/README.md): the clean stacks
//! produce no finding from them, the broken cases produce theirs. Each case is linted on its
//! own, as its repository would be (the corpus is a collection of unrelated projects).

mod common;

use std::path::Path;

use common::{corpus, repo, run};

const RULES: &[&str] = &[
    "localhost-upstream-in-container",
    "upstream-host-unknown",
    "upstream-port-mismatch",
    "published-port-used-internally",
    "service-target-port-used",
    "service-selector-matches-no-pods",
];

/// (rule, severity, line) of the findings of these rules for one case.
fn findings(target: &Path) -> Vec<(String, String, u64)> {
    let out = run(&["check", "--format", "json", target.to_str().unwrap()], &repo());
    assert!(out.code <= 1, "{}", out.stderr);
    out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| RULES.contains(&f["rule"].as_str().unwrap()))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn dirs(p: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    v.sort();
    v
}

fn files(p: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    v.sort();
    v
}

#[test]
fn clean_stacks_are_silent() {
    let Some(c) = corpus() else { return };
    let mut cases = dirs(&c.join("awesome-compose"));
    cases.push(c.join("kubernetes-examples/web/guestbook"));
    cases.extend(dirs(&c.join("kubernetes-examples/databases")));
    cases.extend(dirs(&c.join("kubernetes-examples/AI")));
    cases.extend(dirs(&c.join("kubernetes-examples/_archived")));
    cases.extend(dirs(&c.join("istio/samples")));
    cases.extend(dirs(&c.join("docker-compose/pkg/e2e/fixtures")));
    cases.extend(files(&c.join("kiali/tests/data/validations/destinationrules")));
    cases.extend(files(&c.join("kiali/tests/data/validations/virtualservices")));
    cases.extend(files(&c.join("compose-go/loader/testdata")));
    cases.extend(files(&c.join("compose-go/loader/testdata/extends")));
    assert!(cases.len() >= 50, "{}", cases.len());
    let mut noisy = Vec::new();
    for case in cases {
        let f = findings(&case);
        if !f.is_empty() {
            noisy.push(format!("{}: {f:?}", case.display()));
        }
    }
    assert!(noisy.is_empty(), "findings on clean corpus stacks:\n{}", noisy.join("\n"));
}

/// kube-score fixtures: "Service targets pods" expectations (service_test.go), and no
/// error or warning from these rules on the other valid cases.
#[test]
fn kube_score_service_targets() {
    let Some(c) = corpus() else { return };
    let dir = c.join("kube-score/score/testdata");
    let broken = [
        "service-not-target-deployment.yaml",
        "service-not-target-pod.yaml",
        "service-not-target-pod-multi-label.yaml",
        "service-target-deployment-different-namespace.yaml",
        "service-target-pod-different-namespace.yaml",
    ];
    // Files whose Service deliberately selects nothing, for kube-score's probe checks: the
    // Service really has no endpoints, so the finding is true (corpus/README.md grades them
    // for probes only).
    let also_true = [
        "pod-probes-not-targeted-by-service.yaml",
        "pod-probes-not-targeted-by-service-multi-labels.yaml",
        "pod-probes-targeted-by-service-different-namespace.yaml",
    ];
    for file in files(&dir) {
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        let f: Vec<_> = findings(&file).into_iter().filter(|(_, sev, _)| sev != "info").collect();
        if broken.contains(&name.as_str()) || also_true.contains(&name.as_str()) {
            assert_eq!(f.len(), 1, "{name}: {f:?}");
            assert_eq!(f[0].0, "service-selector-matches-no-pods", "{name}");
            assert_eq!(f[0].1, "error", "{name}");
        } else {
            assert!(f.is_empty(), "{name}: {f:?}");
        }
    }
}

/// istio analyzer test data: silent except where a Service truly selects nothing in its
/// namespace (`deployment-multi-service-different-ns.yaml`: its `conflicting-ports-1`
/// Service in `bookinfo2` selects pods that live in another namespace).
#[test]
fn istio_analyzer_testdata() {
    let Some(c) = corpus() else { return };
    for file in files(&c.join("istio/pkg/config/analysis/analyzers/testdata")) {
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        let f: Vec<_> = findings(&file).into_iter().filter(|(_, sev, _)| sev != "info").collect();
        if name == "deployment-multi-service-different-ns.yaml" {
            assert_eq!(f, vec![("service-selector-matches-no-pods".to_string(), "error".to_string(), 77)], "{name}");
        } else {
            assert!(f.is_empty(), "{name}: {f:?}");
        }
    }
}
