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

/// Advisory findings (missing health checks and readiness probes) on the clean stacks.
/// corpus/README.md: "Missing probes are advisory only" (kubernetes-examples), missing
/// health gating is advisory (awesome-compose); the samples work, but a restart or a slow
/// start is a burst of errors. Pinned so that any change is reviewed.
const ADVISORY: &[(&str, &str, u64)] = &[
    ("awesome-compose/gitea-postgres", "missing-healthcheck", 15),
    ("awesome-compose/nginx-golang", "missing-healthcheck", 14),
    ("awesome-compose/nginx-golang-mysql", "missing-healthcheck", 2),
    ("awesome-compose/nginx-golang-postgres", "missing-healthcheck", 2),
    ("awesome-compose/react-express-mysql", "missing-healthcheck", 31),
    ("awesome-compose/react-rust-postgres", "missing-healthcheck", 34),
    ("awesome-compose/wasmedge-kafka-mysql", "missing-healthcheck", 2),
    ("awesome-compose/wasmedge-kafka-mysql", "missing-healthcheck", 33),
    ("awesome-compose/wasmedge-mysql-nginx", "missing-healthcheck", 22),
    ("awesome-compose/wordpress-mysql", "missing-healthcheck", 2),
    ("kubernetes-examples/web/guestbook", "missing-readiness-probe", 37),
    ("kubernetes-examples/web/guestbook", "missing-readiness-probe", 81),
    ("kubernetes-examples/web/guestbook", "missing-readiness-probe", 134),
    ("kubernetes-examples/databases/mysql-cinder-pd", "missing-readiness-probe", 13),
    ("kubernetes-examples/AI/model-serving-tensorflow", "missing-readiness-probe", 18),
    ("kubernetes-examples/_archived/javaee", "missing-readiness-probe", 10),
    ("istio/samples/health-check", "missing-readiness-probe", 31),
    ("istio/samples/health-check", "missing-readiness-probe", 46),
    ("istio/samples/helloworld", "missing-readiness-probe", 35),
    ("istio/samples/helloworld", "missing-readiness-probe", 64),
    ("istio/samples/httpbin", "missing-readiness-probe", 58),
    ("istio/samples/sleep", "missing-readiness-probe", 54),
    ("istio/samples/tcp-echo", "missing-readiness-probe", 52),
    ("istio/samples/tcp-echo", "missing-readiness-probe", 80),
    ("istio/samples/websockets", "missing-readiness-probe", 32),
    ("istio/pkg/config/analysis/analyzers/testdata/deployment-multi-service-different-ns.yaml", "missing-readiness-probe", 41),
    ("istio/pkg/config/analysis/analyzers/testdata/destinationrule-empty-topology-labels.yaml", "missing-readiness-probe", 39),
    ("istio/pkg/config/analysis/analyzers/testdata/gateway-custom-ingressgateway-badport-notarget.yaml", "missing-readiness-probe", 27),
    ("istio/pkg/config/analysis/analyzers/testdata/gateway-custom-ingressgateway-svcselector.yaml", "missing-readiness-probe", 42),
    ("istio/pkg/config/analysis/analyzers/testdata/gateway-custom-ingressgateway-svcselector.yaml", "missing-readiness-probe", 53),
    ("istio/pkg/config/analysis/analyzers/testdata/gateway-custom-ingressgateway.yaml", "missing-readiness-probe", 27),
    ("kube-score/score/testdata/pod-probes-all-missing.yaml", "missing-readiness-probe", 9),
    ("kube-score/score/testdata/pod-probes-missing-ready.yaml", "missing-readiness-probe", 9),
    ("kube-score/score/testdata/pod-probes-on-different-containers.yaml", "missing-readiness-probe", 19),
    ("kube-score/score/testdata/pod-probes-targeted-by-service-same-namespace-multi-labels.yaml", "missing-readiness-probe", 11),
    ("kube-score/score/testdata/pod-probes-targeted-by-service-same-namespace.yaml", "missing-readiness-probe", 10),
    ("kube-score/score/testdata/pod-probes-targeted-by-service.yaml", "missing-readiness-probe", 9),
    ("kube-score/score/testdata/service-target-deployment-not-rolling.yaml", "missing-readiness-probe", 12),
    ("kube-score/score/testdata/service-target-deployment-replica-1.yaml", "missing-readiness-probe", 12),
    ("kube-score/score/testdata/service-target-deployment-same-namespace.yaml", "missing-readiness-probe", 13),
    ("kube-score/score/testdata/service-target-deployment-strategy-not-set.yaml", "missing-readiness-probe", 12),
    ("kube-score/score/testdata/service-target-deployment.yaml", "missing-readiness-probe", 12),
    ("kube-score/score/testdata/service-target-pod-multi-label.yaml", "missing-readiness-probe", 10),
    ("kube-score/score/testdata/service-target-pod-same-namespace.yaml", "missing-readiness-probe", 10),
    ("kube-score/score/testdata/service-target-pod.yaml", "missing-readiness-probe", 9),
];

/// The expected findings per case (path relative to the corpus); every other case is silent.
fn expected(case: &str) -> Vec<(&'static str, u64)> {
    let sel = "service-selector-matches-no-pods";
    let ing = "ingress-backend-missing";
    let unres = "unresolved-reference";
    let subset = "subset-selects-no-pods";
    let advisory: Vec<(&'static str, u64)> = ADVISORY
        .iter()
        .filter(|(c, _, _)| *c == case)
        .map(|(_, r, l)| (*r, *l))
        .collect();
    let mut strict: Vec<(&'static str, u64)> = match case {
        // corpus/README.md: "Positive (warning): nginx-proxy has depends_on: [flask-app] in
        // list form although flask-app defines a healthcheck".
        "awesome-compose/nginx-wsgi-flask" => vec![("depends-on-without-healthcheck", 12)],
        // istio: DestinationRuleSubsetNotSelectPods on default/empty-topology-labels.
        "istio/pkg/config/analysis/analyzers/testdata/destinationrule-empty-topology-labels.yaml" => vec![(subset, 9)],
        // kiali: KIA0208 on the DR at spec/trafficPolicy/tls/mode (mesh PA STRICT).
        "kiali/tests/data/validations/destinationrules/disabled_meshwide_checker_2.yaml" => {
            vec![("mtls-destination-rule-conflict", 10)]
        }
        // kiali subset_presence_checker_test.go: KIA1107 "Subset not found", 2 per file.
        "kiali/tests/data/validations/virtualservices/subset-presence-no-matching-subsets-1.yaml"
        | "kiali/tests/data/validations/virtualservices/subset-presence-no-matching-subsets-2.yaml"
        | "kiali/tests/data/validations/virtualservices/subset-presence-no-matching-subsets-3.yaml" => {
            vec![(subset, 37), (subset, 42)]
        }
        "kiali/tests/data/validations/virtualservices/subset-presence-matching-subsets-diff-ns.yaml" => {
            vec![(subset, 45), (subset, 50)]
        }
        "kiali/tests/data/validations/virtualservices/subset-presence-no-matching-export-subset.yaml" => {
            vec![(subset, 87), (subset, 91)]
        }
        // The VirtualServices of the DR-side fixtures route to subsets their DestinationRule
        // does not define (v3/v4, wrong names): Envoy answers 503 for them.
        "kiali/tests/data/validations/virtualservices/subset-presence-matching-not-referenced.yaml"
        | "kiali/tests/data/validations/virtualservices/subset-presence-wrongly-referenced.yaml" => {
            vec![(subset, 37), (subset, 42)]
        }
        _ => Vec::new(),
    };
    strict.extend(advisory);
    strict.extend(match case {
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
        "kiali/tests/data/validations/virtualservices/subset-presence-service-entry.yaml" => {
            vec![(unres, 57), (unres, 71)]
        }
        // ... and KIA1107 at spec/http[1]/route[0] and spec/tls[1]/route[0].
        "kiali/tests/data/validations/virtualservices/subset-presence-service-entry-invalid.yaml" => {
            vec![(unres, 57), (unres, 71), (subset, 75), (subset, 99)]
        }
        _ => Vec::new(),
    });
    strict.sort();
    strict
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
        if want
            .iter()
            .any(|(r, _)| r != "missing-healthcheck" && r != "missing-readiness-probe")
        {
            broken_seen += 1;
        }
        let got = findings(case);
        if got != want {
            wrong.push(format!(
                "{rel}:\n    expected {want:?}\n    got      {got:?}"
            ));
        }
    }
    assert_eq!(broken_seen, 28, "every broken case of the table was linted");
    assert!(
        wrong.is_empty(),
        "corpus findings differ from corpus/README.md:\n{}",
        wrong.join("\n")
    );
}
