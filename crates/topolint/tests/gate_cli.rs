//! The CI gate end to end: topolint.toml, exit codes, inline suppressions, baselines,
//! `topolint hook` and `topolint init`.

mod common;

use std::path::Path;

use common::{findings, repo, run};

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// (rule, path, line) of the JSON findings of `topolint check <args> --format json`.
fn check_json(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, u64)>) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = run(&all, dir);
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    (out.code, findings(&out.json()))
}

const BROKEN_NGINX: &str = "events {}\nhttp {\n    include missing.conf;\n}\n";

#[test]
fn config_is_found_upwards_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deploy/nginx/nginx.conf", BROKEN_NGINX);
    write(
        dir.path(),
        "deploy/compose.yaml",
        "services:\n  a:\n    image: x\n    image: y\n",
    );
    write(
        dir.path(),
        "topolint.toml",
        "fail-on = \"error\"\n\n[severity]\ninclude-not-found = \"warning\"\n",
    );
    // Found from a subdirectory that is linted; no error-level finding left: exit 0.
    let (code, f) = check_json(dir.path(), &["deploy/nginx"]);
    assert_eq!(code, 0, "{f:?}");
    assert_eq!(f.len(), 1);

    // `--fail-on` on the command line wins over the file.
    let (code, _) = check_json(dir.path(), &["deploy", "--fail-on", "warning"]);
    assert_eq!(code, 1);

    // `--config` names another file.
    write(dir.path(), "strict.toml", "ignore = [\"duplicate-key\"]\n");
    let (_, f) = check_json(dir.path(), &["deploy", "--config", "strict.toml"]);
    let rules: Vec<&str> = f.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(rules, ["include-not-found"]);
}

#[test]
fn per_path_ignores_are_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "vendor/nginx.conf", BROKEN_NGINX);
    write(dir.path(), "site/nginx.conf", BROKEN_NGINX);
    write(
        dir.path(),
        "topolint.toml",
        "[per-path-ignores]\n\"vendor/**\" = [\"include-not-found\"]\n",
    );
    // Run from a subdirectory: the glob still means <config dir>/vendor/**.
    let (_, f) = check_json(&dir.path().join("site"), &[".."]);
    let paths: Vec<&str> = f.iter().map(|x| x.1.as_str()).collect();
    assert_eq!(paths, ["../site/nginx.conf"]);
}

#[test]
fn bad_config_is_exit_2_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nginx.conf", BROKEN_NGINX);
    write(
        dir.path(),
        "topolint.toml",
        "fail-on = \"error\"\nselct = [\"parse-error\"]\n",
    );
    let out = run(&["check", "."], dir.path());
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "topolint: error: topolint.toml:2:1: unknown key `selct`\n  |\n2 | selct = [\"parse-error\"]\n  | ^^^^^\n  = help: did you mean `select`?\n"
    );

    write(
        dir.path(),
        "topolint.toml",
        "[severity]\ninclude-not-fund = \"info\"\n",
    );
    let out = run(&["check", "."], dir.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("topolint: error: topolint.toml:2:1: unknown rule `include-not-fund`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `include-not-found`?"),
        "{}",
        out.stderr
    );

    write(
        dir.path(),
        "topolint.toml",
        "[[nginx]]\nconfig = \"nginx.conf\"\nruns-in = \"proxy\"\n",
    );
    let out = run(&["check", "."], dir.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("topolint: error: topolint.toml:3:11: cannot tell where `proxy` is"),
        "{}",
        out.stderr
    );

    let out = run(&["check", ".", "--config", "nope.toml"], dir.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`nope.toml` does not exist"),
        "{}",
        out.stderr
    );
}

#[test]
fn exit_zero_and_fail_levels() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nginx.conf", BROKEN_NGINX);
    assert_eq!(run(&["check", "."], dir.path()).code, 1);
    assert_eq!(run(&["check", ".", "--exit-zero"], dir.path()).code, 0);
    let out = run(&["check", ".", "--exit-zero", "--quiet"], dir.path());
    assert!(
        out.stdout.contains("include-not-found"),
        "findings still print"
    );
    assert!(
        !out.stdout.contains("checked "),
        "--quiet drops the summary"
    );
    // A usage error is still 2 with --exit-zero.
    assert_eq!(
        run(&["check", "missing-dir", "--exit-zero"], dir.path()).code,
        2
    );
}

#[test]
fn suppressions_in_nginx_compose_and_kubernetes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "nginx/nginx.conf",
        "events {}\nhttp {\n    include a.conf; # topolint: ignore[include-not-found] rendered by the entrypoint\n    # topolint: ignore[include-not-found] rendered by the entrypoint\n    include b.conf;\n    include c.conf;\n}\n",
    );
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  api:\n    image: api:1\n    # topolint: ignore[duplicate-key] the override wins on purpose\n    image: api:2\n",
    );
    write(
        dir.path(),
        "k8s/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  annotations:\n    topolint.io/ignore: \"duplicate-key: generated, harmless\"\ndata:\n  a: \"1\"\n  a: \"2\"\n",
    );
    let out = run(&["check", ".", "--format", "json"], dir.path());
    let f = findings(&out.json());
    assert_eq!(
        f,
        [(
            "include-not-found".to_string(),
            "nginx/nginx.conf".to_string(),
            6
        )]
    );
    let human = run(&["check", "."], dir.path());
    assert!(
        human
            .stdout
            .trim_end()
            .ends_with("1 error, 0 warnings, 0 notes (4 suppressed)"),
        "{}",
        human.stdout
    );
}

#[test]
fn unused_and_reasonless_suppressions_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "nginx.conf",
        "events {}\nhttp {\n    # topolint: ignore[include-not-found]\n    include missing.conf;\n    server { listen 80; } # topolint: ignore[parse-error] it used to be broken\n}\n",
    );
    let (code, f) = check_json(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        f,
        [
            (
                "suppression-without-reason".to_string(),
                "nginx.conf".to_string(),
                3
            ),
            (
                "unused-suppression".to_string(),
                "nginx.conf".to_string(),
                5
            ),
        ]
    );
    let out = run(&["explain", "unused-suppression"], dir.path());
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("## How to fix"));
}

#[test]
fn baseline_adopts_an_old_repository() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nginx.conf", BROKEN_NGINX);
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  a:\n    image: x\n    image: y\n",
    );
    let out = run(
        &["check", ".", "--write-baseline", "topolint-baseline.json"],
        dir.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("recorded 2 finding(s) in `topolint-baseline.json`"),
        "{}",
        out.stderr
    );
    let baseline: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("topolint-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);
    assert!(
        !baseline.to_string().contains("\"line\""),
        "no line numbers in a baseline"
    );

    let (code, f) = check_json(dir.path(), &[".", "--baseline", "topolint-baseline.json"]);
    assert_eq!((code, f.len()), (0, 0));

    // Lines inserted above both findings: still nothing new.
    write(
        dir.path(),
        "nginx.conf",
        "# the front proxy\n\nevents {}\n\nhttp {\n    server_tokens off;\n    include missing.conf;\n}\n",
    );
    write(
        dir.path(),
        "compose.yaml",
        "# local development\nname: shop\nservices:\n  a:\n    # the image\n    image: x\n    image: y\n",
    );
    let (code, f) = check_json(dir.path(), &[".", "--baseline", "topolint-baseline.json"]);
    assert_eq!((code, f.len()), (0, 0), "{f:?}");
    let human = run(
        &["check", ".", "--baseline", "topolint-baseline.json"],
        dir.path(),
    );
    assert!(
        human.stdout.contains("(2 in the baseline)"),
        "{}",
        human.stdout
    );

    // A new finding is reported, the old ones stay quiet.
    write(
        dir.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include missing.conf;\n    include new.conf;\n}\n",
    );
    let (code, f) = check_json(dir.path(), &[".", "--baseline", "topolint-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        f,
        [("include-not-found".to_string(), "nginx.conf".to_string(), 4)]
    );

    // SARIF marks what is new.
    let out = run(
        &[
            "check",
            ".",
            "--baseline",
            "topolint-baseline.json",
            "--format",
            "sarif",
        ],
        dir.path(),
    );
    let doc = out.json();
    assert_eq!(doc["runs"][0]["results"][0]["baselineState"], "new");

    write(dir.path(), "bad.json", "{\"version\": 2, \"findings\": []}");
    let out = run(&["check", ".", "--baseline", "bad.json"], dir.path());
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("has version 2"), "{}", out.stderr);
}

/// Copies `examples/shop` (which has cross-file findings on purpose) into a temp dir.
fn shop() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&repo().join("examples/shop"), dir.path());
    dir
}

/// (primary path, evidence paths) of each finding.
fn finding_files(doc: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let evidence = f["related"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["location"]["path"].as_str().unwrap().to_string())
                .collect();
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                evidence,
            )
        })
        .collect()
}

#[test]
fn hook_lints_the_whole_repository_and_reports_the_changed_files() {
    let dir = shop();
    write(dir.path(), "README.md", "# shop\n");
    let all = finding_files(&run(&["check", ".", "--format", "json"], dir.path()).json());
    // A finding whose evidence is in another file (nginx config -> compose, Ingress ->
    // Service): it only exists when both files are loaded.
    let (primary, evidence) = all
        .iter()
        .find_map(|(p, ev)| ev.iter().find(|e| *e != p).map(|e| (p.clone(), e.clone())))
        .expect("examples/shop has a cross-file finding");

    // Only the primary file changed: the finding is reported, the whole repository was read.
    let out = run(&["hook", &primary, "--format", "json"], dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(
        doc["summary"]["files"]["compose"], 1,
        "compose.yaml was loaded"
    );
    let reported = finding_files(&doc);
    assert!(reported
        .iter()
        .any(|(p, ev)| *p == primary && ev.contains(&evidence)));
    assert!(
        reported
            .iter()
            .all(|(p, ev)| *p == primary || ev.contains(&primary)),
        "only findings touching {primary}: {reported:?}"
    );
    assert!(
        reported.len() < all.len(),
        "findings elsewhere are not reported"
    );

    // Only the evidence file changed: the finding counts for it too.
    let out = run(&["hook", &evidence, "--format", "json"], dir.path());
    let reported = finding_files(&out.json());
    assert!(
        reported
            .iter()
            .any(|(p, ev)| *p == primary && ev.contains(&evidence)),
        "{reported:?}"
    );

    // An unrelated file: nothing to report, exit 0.
    let out = run(&["hook", "README.md"], dir.path());
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("checked "), "{}", out.stdout);

    // A changed topolint.toml can change every finding: all are reported.
    write(dir.path(), "topolint.toml", "fail-on = \"error\"\n");
    let out = run(
        &["hook", "README.md", "topolint.toml", "--format", "json"],
        dir.path(),
    );
    assert_eq!(finding_files(&out.json()).len(), all.len());
}

#[test]
fn init_writes_a_valid_commented_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["init"], dir.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join("topolint.toml")).unwrap();
    assert!(text.contains("# [[nginx]]"));
    let again = run(&["init"], dir.path());
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(run(&["init", "--force"], dir.path()).code, 0);
    // The written file is accepted as is.
    write(dir.path(), "nginx.conf", "events {}\nhttp {}\n");
    let out = run(&["check", "."], dir.path());
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn init_template_and_schema_agree() {
    // The written config validates against the checked-in JSON schema.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/topolint.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(&["init"], dir.path()).code, 0);
    let text = std::fs::read_to_string(dir.path().join("topolint.toml")).unwrap();
    let value: serde_json::Value = toml::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // And the schema refuses an unknown key, as topolint does.
    let bad: serde_json::Value = toml::from_str("selct = []\n").unwrap();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn every_id_the_gate_emits_is_documented() {
    let out = run(&["rules"], &repo());
    for id in ["unused-suppression", "suppression-without-reason"] {
        assert!(
            out.stdout.lines().any(|l| l.starts_with(&format!("{id} "))),
            "`{id}` is emitted by topolint_gate but has no rule file"
        );
    }
}
