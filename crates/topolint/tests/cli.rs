//! The command line as users meet it: the README's example, formats, exit codes, stdin.

mod common;

use common::{findings, repo, run, run_with};

#[test]
fn readme_example_runs_and_sees_every_file_kind() {
    let out = run(&["check", "examples/shop", "--format", "json"], &repo());
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let doc = out.json();
    assert_eq!(doc["version"], 1);
    let files = &doc["summary"]["files"];
    assert_eq!(files["nginx"], 2, "{doc:#}");
    assert_eq!(files["compose"], 1);
    assert_eq!(files["kubernetes"], 2);
    // The bundled example is syntactically clean.
    let parse: Vec<_> = findings(&doc)
        .into_iter()
        .filter(|f| f.0 == "parse-error")
        .collect();
    assert!(parse.is_empty(), "{parse:?}");
}

#[test]
fn human_output_has_a_summary_line() {
    let out = run(&["check", "examples/shop"], &repo());
    let last = out.stdout.lines().last().unwrap_or("");
    assert!(
        last.starts_with("checked 5 files (2 nginx, 1 compose, 2 kubernetes)"),
        "{}",
        out.stdout
    );
}

#[test]
fn parse_errors_are_rendered_with_snippets_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 80\n        location / { return 204; }\n    }\n}\n",
    )
    .unwrap();
    let out = run(&["check", "."], dir.path());
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("parse-error"), "{}", out.stdout);
    assert!(
        out.stdout.contains("missing `;` at the end of line 4?"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("nginx.conf:4:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("listen 80"),
        "snippet missing:\n{}",
        out.stdout
    );
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = run(&["check", "does/not/exist"], &repo());
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("does/not/exist"), "{}", out.stderr);
}

#[test]
fn fail_on_controls_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    // duplicate keys are warnings
    std::fs::write(
        dir.path().join("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n",
    )
    .unwrap();
    assert_eq!(run(&["check", "."], dir.path()).code, 1);
    assert_eq!(
        run(&["check", ".", "--fail-on", "error"], dir.path()).code,
        0
    );
}

#[test]
fn stdin_with_filename() {
    let yaml = b"apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports:\n    - port: 80\n   - port: 81\n";
    let out = run_with(
        &[
            "check",
            "-",
            "--stdin-filename",
            "k8s/svc.yaml",
            "--format",
            "json",
        ],
        &repo(),
        Some(yaml),
        &[],
    );
    let doc = out.json();
    let f = findings(&doc);
    assert!(
        f.iter().any(|(rule, path, line)| rule == "parse-error"
            && path == "k8s/svc.yaml"
            && *line == 8),
        "{f:?}"
    );
}

#[test]
fn stdin_without_filename_is_classified_by_content() {
    let out = run_with(
        &["check", "-", "--format", "json"],
        &repo(),
        Some(b"apiVersion: v1\nkind: ConfigMap\n"),
        &[],
    );
    let doc = out.json();
    assert_eq!(doc["summary"]["files"]["kubernetes"], 1, "{doc:#}");
    assert_eq!(out.code, 0);
}

#[test]
fn explain_prints_rule_docs_and_suggests_on_typos() {
    let out = run(&["explain", "include-not-found"], &repo());
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("## What it does"));
    let out = run(&["explain", "include-not-fond"], &repo());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `include-not-found`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn gitignore_is_respected_unless_no_ignore() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "generated/\n").unwrap();
    std::fs::create_dir(dir.path().join("generated")).unwrap();
    std::fs::write(dir.path().join("generated/nginx.conf"), "events {\n").unwrap();
    let out = run(&["check", ".", "--format", "json"], dir.path());
    assert_eq!(out.code, 0, "{}", out.stdout);
    let out = run(
        &["check", ".", "--no-ignore", "--format", "json"],
        dir.path(),
    );
    assert_eq!(out.code, 1);
    let f = findings(&out.json());
    assert_eq!(f[0].0, "parse-error");
    assert_eq!(f[0].1, "generated/nginx.conf");
}

#[test]
fn helm_templates_get_one_note_per_chart() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("charts/api");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    )
    .unwrap();
    for name in ["deployment.yaml", "service.yaml"] {
        std::fs::write(
            chart.join("templates").join(name),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"api.fullname\" . }}\n",
        )
        .unwrap();
    }
    let out = run(&["check", ".", "--format", "json"], dir.path());
    let f = findings(&out.json());
    let helm: Vec<_> = f
        .iter()
        .filter(|x| x.0 == "helm-template-skipped")
        .collect();
    assert_eq!(helm.len(), 1, "{f:?}");
    assert!(!f.iter().any(|x| x.0 == "parse-error"), "{f:?}");
    assert_eq!(out.code, 0);
}
