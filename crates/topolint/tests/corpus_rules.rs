//! Every topology rule on the real-world corpus (corpus/README.md): the clean stacks produce
//! no error or warning, the broken cases produce theirs, at the lines the upstream oracles
//! give. Each case is linted on its own, as its repository would be (the corpus is a
//! collection of unrelated projects). Input-level findings are checked in corpus.rs.

mod common;

use std::path::{Path, PathBuf};

use common::{corpus, repo, run};

/// Rules checked elsewhere (corpus.rs): the loader's own findings.
const INPUT_RULES: &[&str] = &[
    "parse-error",
    "include-not-found",
    "include-cycle",
    "duplicate-key",
    "file-skipped",
    "helm-template-skipped",
    "unknown-directive",
    "invalid-directive-arguments",
];

/// (rule, line) of the errors and warnings of the topology rules for one case.
fn findings(target: &Path) -> Vec<(String, u64)> {
    let out = run(
        &["check", "--format", "json", target.to_str().unwrap()],
        &repo(),
    );
    assert!(out.code <= 1, "{}", out.stderr);
    let mut v: Vec<(String, u64)> = out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !INPUT_RULES.contains(&f["rule"].as_str().unwrap()) && f["severity"] != "info")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn dirs(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn files(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// The expected findings per case (path relative to the corpus); every other case is silent.
fn expected(case: &str) -> Vec<(&'static str, u64)> {
    let sel = "service-selector-matches-no-pods";
    let ing = "ingress-backend-missing";
    let unres = "unresolved-reference";
    match case {
        // kube-score service_test.go: Critical (selectors do not cross namespaces).
        "kube-score/score/testdata/service-not-target-deployment.yaml" => vec![(sel, 21)],
        "kube-score/score/testdata/service-not-target-pod.yaml" => vec![(sel, 18)],
        "kube-score/score/testdata/service-not-target-pod-multi-label.yaml" => vec![(sel, 19)],
        "kube-score/score/testdata/service-target-deployment-different-namespace.yaml" => vec![(sel, 23)],
        "kube-score/score/testdata/service-target-pod-different-namespace.yaml" => vec![(sel, 20)],
        // kube-score's probe fixtures build a Service that deliberately selects nothing
        // (graded for probes only in corpus/README.md): the Service truly has no endpoints.
        "kube-score/score/testdata/pod-probes-not-targeted-by-service.yaml" => vec![(sel, 22)],
        "kube-score/score/testdata/pod-probes-not-targeted-by-service-multi-labels.yaml" => vec![(sel, 23)],
        "kube-score/score/testdata/pod-probes-targeted-by-service-different-namespace.yaml" => vec![(sel, 24)],
        // kube-score ingress_test.go: Critical.
        "kube-score/score/testdata/ingress-networkingv1-targets-service-no-match.yaml" => vec![(ing, 20)],
        "kube-score/score/testdata/ingress-networkingv1beta1-targets-service-no-match.yaml" => vec![(ing, 17)],
        "kube-score/score/testdata/ingress-targets-service-no-match.yaml" => vec![(ing, 17)],
        "kube-score/score/testdata/ingress-v1-invalid-backend.yaml" => vec![(ing, 12)],
        // istio analyzers_test.go: IST0101 on `httpbin-bogus` (missing gateway). The
        // conflicting-ports Service of bookinfo2 selects pods of another namespace.
        "istio/pkg/config/analysis/analyzers/testdata/virtualservice_gateways.yaml" => vec![(unres, 38)],
        "istio/pkg/config/analysis/analyzers/testdata/deployment-multi-service-different-ns.yaml" => vec![(sel, 77)],
        // kiali no_gateway_checker_test.go: KIA1102 for the gateway in the match (line 25).
        // `valid-gateway` exists in kiali's test setup, not in the file: from the file alone
        // it is missing too (lines 10, 14, 24).
        "kiali/tests/data/validations/virtualservices/non-existent-gateway-in-match.yaml" => {
            vec![(unres, 10), (unres, 14), (unres, 24), (unres, 25)]
        }
        "kiali/tests/data/validations/virtualservices/non-existent-ns-gateway-in-match.yaml" => {
            vec![(unres, 10), (unres, 14), (unres, 24), (unres, 25)]
        }
        // The egress Gateway `my-egress-gw` these fixtures bind to is not in the file.
        "kiali/tests/data/validations/virtualservices/subset-presence-service-entry.yaml"
        | "kiali/tests/data/validations/virtualservices/subset-presence-service-entry-invalid.yaml" => {
            vec![(unres, 57), (unres, 71)]
        }
        _ => Vec::new(),
    }
}

#[test]
fn corpus_matches_the_expected_findings() {
    let Some(c) = corpus() else { return };
    let mut cases = dirs(&c.join("awesome-compose"));
    cases.push(c.join("kubernetes-examples/web/guestbook"));
    cases.extend(dirs(&c.join("kubernetes-examples/databases")));
    cases.extend(dirs(&c.join("kubernetes-examples/AI")));
    cases.extend(dirs(&c.join("kubernetes-examples/_archived")));
    cases.extend(dirs(&c.join("istio/samples")));
    cases.extend(dirs(&c.join("docker-compose/pkg/e2e/fixtures")));
    cases.extend(files(
        &c.join("istio/pkg/config/analysis/analyzers/testdata"),
    ));
    cases.extend(files(&c.join("kube-score/score/testdata")));
    cases.extend(files(
        &c.join("kiali/tests/data/validations/destinationrules"),
    ));
    cases.extend(files(
        &c.join("kiali/tests/data/validations/virtualservices"),
    ));
    cases.extend(files(&c.join("compose-go/loader/testdata")));
    cases.extend(files(&c.join("compose-go/loader/testdata/extends")));
    assert!(cases.len() >= 100, "{}", cases.len());
    let mut wrong = Vec::new();
    let mut broken_seen = 0;
    for case in &cases {
        let rel = case
            .strip_prefix(&c)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let want: Vec<(String, u64)> = expected(&rel)
            .into_iter()
            .map(|(r, l)| (r.to_string(), l))
            .collect();
        if !want.is_empty() {
            broken_seen += 1;
        }
        let got = findings(case);
        if got != want {
            wrong.push(format!(
                "{rel}:\n    expected {want:?}\n    got      {got:?}"
            ));
        }
    }
    assert_eq!(broken_seen, 18, "every broken case of the table was linted");
    assert!(
        wrong.is_empty(),
        "corpus findings differ from corpus/README.md:\n{}",
        wrong.join("\n")
    );
}
