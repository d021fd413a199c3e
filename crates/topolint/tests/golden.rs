//! Golden files: the model document of the bundled examples (the public contract plugins
//! receive) and the findings `topolint check` reports on them. Regenerate after reviewing a
//! change with `UPDATE_GOLDEN=1 cargo test -p topolint --test golden`.

mod common;

use common::{repo, run};

fn check_golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name} changed (first difference at line {}):\n  expected: {}\n  actual:   {}\nreview the change, then regenerate with UPDATE_GOLDEN=1",
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>")
        );
    }
}

const EXAMPLES: &[&str] = &["shop", "k8s-nginx-configmap", "istio-mesh"];

#[test]
fn model_documents_of_the_examples() {
    for ex in EXAMPLES {
        let out = run(
            &["graph", "--format", "json", &format!("examples/{ex}")],
            &repo(),
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let doc = out.json();
        assert_eq!(doc["schema"], 1);
        check_golden(&format!("{ex}.model.json"), &out.stdout);
    }
}

#[test]
fn findings_on_the_examples() {
    for ex in EXAMPLES {
        let out = run(
            &["check", "--format", "json", &format!("examples/{ex}")],
            &repo(),
        );
        assert_eq!(
            out.code, 1,
            "every bundled example shows findings: {}",
            out.stderr
        );
        // keep the golden readable: rule, location, message, evidence
        let doc = out.json();
        let mut text = String::new();
        for f in doc["findings"].as_array().unwrap() {
            let l = &f["location"];
            text.push_str(&format!(
                "{} {} {}:{}:{} {}\n",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                l["path"].as_str().unwrap(),
                l["start"]["line"],
                l["start"]["column"],
                f["message"].as_str().unwrap()
            ));
            for r in f["related"].as_array().unwrap() {
                let rl = &r["location"];
                text.push_str(&format!(
                    "    evidence {}:{}:{} {}\n",
                    rl["path"].as_str().unwrap(),
                    rl["start"]["line"],
                    rl["start"]["column"],
                    r["message"].as_str().unwrap()
                ));
            }
        }
        check_golden(&format!("{ex}.findings.txt"), &text);
    }
}

#[test]
fn mermaid_marks_broken_edges_with_the_rule() {
    let out = run(&["graph", "examples/shop"], &repo());
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("flowchart LR"));
    assert!(
        out.stdout
            .contains("api:8081 ✗ published-port-used-internally"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("linkStyle"), "{}", out.stdout);
    let out = run(&["graph", "--format", "dot", "examples/shop"], &repo());
    assert!(out.stdout.starts_with("digraph topology {"));
    assert!(out.stdout.contains("color=red"));
}

/// awesome-compose nginx stacks: nginx -> backend edges with the right ports.
#[test]
fn awesome_compose_nginx_edges() {
    let Some(c) = common::corpus() else { return };
    for (stack, host, port) in [
        ("nginx-golang", "backend", 80),
        ("nginx-golang-mysql", "backend", 8000),
        ("nginx-golang-postgres", "backend", 8000),
        ("nginx-wsgi-flask", "flask-app", 8000),
    ] {
        let out = run(
            &[
                "graph",
                "--format",
                "json",
                c.join("awesome-compose").join(stack).to_str().unwrap(),
            ],
            &repo(),
        );
        let doc = out.json();
        let edges = doc["edges"].as_array().unwrap();
        let nginx_edges: Vec<_> = edges
            .iter()
            .filter(|e| e["caller"]["type"] == "proxy")
            .collect();
        assert!(!nginx_edges.is_empty(), "{stack}: no nginx edge");
        for e in nginx_edges {
            assert_eq!(e["host"], host, "{stack}: {e:#}");
            assert_eq!(e["port"], port, "{stack}: {e:#}");
            assert_eq!(e["status"], "resolved", "{stack}: {e:#}");
            assert!(
                e["caller_workload"]
                    .as_str()
                    .unwrap()
                    .starts_with("compose:"),
                "{stack}: nginx placement"
            );
        }
    }
}
