//! `run_releasing` (a one-shot run that drops each parse tree once the linker has read it)
//! and `run_lowered` (the Kubernetes files lowered while loading, as `topolint check` does)
//! find exactly what `run` finds, build the same model, and leave no tree behind.

use std::path::PathBuf;

use topolint_linter::{run, run_lowered, run_releasing, LintOptions};
use topolint_workspace::{load, load_with, Content, Input, LoadOptions, MemoryFs, Workspace};

fn memory_fs(files: &[(String, String)]) -> MemoryFs {
    let mut fs = MemoryFs::new();
    for (rel, text) in files {
        fs.insert(PathBuf::from("/c").join(rel), text.as_bytes().to_vec());
    }
    fs
}

fn workspace(files: &[(String, String)]) -> Workspace {
    load(
        &[Input::Path(PathBuf::from("/c"))],
        &LoadOptions::default(),
        &memory_fs(files),
    )
    .expect("in-memory files load")
}

fn same_outcome(files: &[(String, String)]) {
    let kept = workspace(files);
    let expected = run(&kept, &LintOptions::default());
    let mut ws = workspace(files);
    let got = run_releasing(&mut ws, &LintOptions::default());
    assert_eq!(got.findings, expected.findings);
    assert_eq!(
        serde_json::to_string(&got.topology).unwrap(),
        serde_json::to_string(&expected.topology).unwrap()
    );
    assert!(
        ws.files
            .iter()
            .all(|f| !matches!(f.content, Content::Yaml(_) | Content::Nginx(_))),
        "every tree is dropped"
    );
    // Kinds and texts stay: the renderers and the gate still read them.
    assert_eq!(ws.count_by_kind(), kept.count_by_kind());
    assert_eq!(ws.sources.len(), kept.sources.len());

    // Lowered while loading: no Kubernetes tree reaches the linker, the outcome is the same.
    let (mut ws, lowered) = load_with(
        &[Input::Path(PathBuf::from("/c"))],
        &LoadOptions::default(),
        &memory_fs(files),
        &topolint_model::LowerKubernetes,
    )
    .expect("in-memory files load");
    let kubernetes = ws
        .files
        .iter()
        .filter(|f| f.kind == Some(topolint_workspace::FileKind::Kubernetes))
        .count();
    assert!(kubernetes > 0);
    assert!(
        ws.files
            .iter()
            .filter(|f| f.kind == Some(topolint_workspace::FileKind::Kubernetes))
            .all(|f| matches!(f.content, Content::Released)),
        "no Kubernetes tree is kept past its lowering"
    );
    let got = run_lowered(&mut ws, &LintOptions::default(), lowered);
    assert_eq!(got.findings, expected.findings);
    assert_eq!(
        serde_json::to_string(&got.topology).unwrap(),
        serde_json::to_string(&expected.topology).unwrap()
    );
    assert_eq!(ws.count_by_kind(), kept.count_by_kind());
}

#[test]
fn generated_stacks_with_planted_defects() {
    // Compose, Kubernetes with ConfigMap-embedded nginx, Istio, nginx with includes.
    let corpus = topolint_corpusgen::generate(&topolint_corpusgen::Spec {
        stacks: 40,
        seed: 7,
        defect_per_mille: 500,
    });
    let files = corpus.files;
    let kept = workspace(&files);
    let outcome = run(&kept, &LintOptions::default());
    assert!(outcome.findings.len() > 20, "the planted defects are found");
    assert!(outcome
        .topology
        .proxies
        .iter()
        .any(|p| p.id.contains("#configmap/")));
    same_outcome(&files);
}

#[test]
fn a_configmap_that_holds_nginx_next_to_other_objects() {
    let manifest = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: edge-nginx
  namespace: shop
data:
  default.conf: |
    upstream api { server api:8080; }
    server {
      listen 80;
      location / { proxy_pass http://api; proxy_read_timeout 5s; }
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: edge
  namespace: shop
spec:
  selector:
    matchLabels: {app: edge}
  template:
    metadata:
      labels: {app: edge}
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          volumeMounts:
            - name: conf
              mountPath: /etc/nginx/conf.d
      volumes:
        - name: conf
          configMap: {name: edge-nginx}
"#;
    let files = vec![
        ("k8s/edge.yaml".to_string(), manifest.to_string()),
        (
            "k8s/api.yaml".to_string(),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector: {app: api}\n  ports:\n    - port: 8080\n".to_string(),
        ),
        (
            "nginx/nginx.conf".to_string(),
            "events {}\nhttp {\n  include conf.d/*.conf;\n}\n".to_string(),
        ),
        (
            "nginx/conf.d/a.conf".to_string(),
            "server { listen 80; location / { proxy_pass http://localhost:3000; } }\n".to_string(),
        ),
    ];
    let ws = workspace(&files);
    let outcome = run(&ws, &LintOptions::default());
    assert_eq!(outcome.topology.proxies.len(), 2);
    same_outcome(&files);
}
