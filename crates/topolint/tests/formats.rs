//! Output formats: SARIF (validated against the SARIF 2.1.0 schema), GitHub annotations,
//! JUnit, statistics, `--output`, `--color`.

mod common;

use std::path::Path;

use common::{repo, run, run_with};

/// A project with findings of several kinds: a missing include, a suppressed one, a
/// duplicate key in compose, a Kubernetes object whose duplicate key is suppressed by
/// annotation, and a suppression without a reason.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |p: &str, t: &str| {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    };
    write(
        "nginx/nginx.conf",
        "events {}\nhttp {\n    include h5bp/basic.conf;\n    # topolint: ignore[include-not-found] written by the container's entrypoint\n    include generated/upstreams.conf;\n    # topolint: ignore[include-not-found]\n    include generated/maps.conf;\n}\n",
    );
    write(
        "compose.yaml",
        "services:\n  api:\n    image: api:1\n    image: api:2\n",
    );
    write(
        "k8s/svc.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\n  annotations:\n    topolint.io/ignore: \"duplicate-key: kustomize output, fixed upstream\"\ndata:\n  mode: a\n  mode: b\n",
    );
    dir
}

fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-2.1.0-rtm.5.json"),
    )
    .unwrap();
    let mut schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The schema's `run.language` pattern, `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`, has a
    // stray `]` that JavaScript reads as a literal but the validator's regex check refuses
    // when it checks the schema itself; escape it (topolint never writes `language`).
    let definitions = schema["definitions"].as_object_mut().unwrap();
    let mut fixed = 0;
    for def in definitions.values_mut() {
        if let Some(p) = def.pointer_mut("/properties/language/pattern") {
            let escaped = p.as_str().unwrap().replace("]?$", "\\]?$");
            *p = serde_json::Value::String(escaped);
            fixed += 1;
        }
    }
    assert_eq!(
        fixed, 2,
        "`run` and `toolComponent` have a language pattern"
    );
    jsonschema::draft4::new(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(doc: &serde_json::Value) {
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn sarif_of_a_multi_finding_project_validates_against_the_schema() {
    let dir = project();
    let out = run(&["check", ".", "--format", "sarif"], dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    assert_valid_sarif(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");

    // Every rule of the catalogue is described.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), topolint_rules_count());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                r[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{id} lacks {key}"
            );
        }
        assert!(r["helpUri"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{id}.md")));
        assert!(r["defaultConfiguration"]["level"].is_string(), "{id}");
    }

    let results = run["results"].as_array().unwrap();
    let by_rule = |rule: &str| -> Vec<&serde_json::Value> {
        results.iter().filter(|r| r["ruleId"] == rule).collect()
    };
    // Reported: the missing include, the compose duplicate key, the reasonless suppression.
    // Suppressed: two (comment with reason, comment without reason, annotation): three.
    let include = by_rule("include-not-found");
    assert_eq!(include.len(), 3, "{results:#?}");
    let unsuppressed: Vec<_> = include
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .collect();
    assert_eq!(unsuppressed.len(), 1);
    let r = unsuppressed[0];
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "nginx/nginx.conf");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 13);
    assert_eq!(loc["region"]["endColumn"], 28);
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "include-not-found"
    );
    let fp = r["partialFingerprints"]["topolint/v1"].as_str().unwrap();
    assert_eq!(fp.len(), 32 + 2, "{fp}");

    let with_reason = include
        .iter()
        .find(|r| r["suppressions"][0]["justification"] == "written by the container's entrypoint")
        .expect("the suppressed include carries its justification");
    assert_eq!(with_reason["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        with_reason["suppressions"][0]["location"]["physicalLocation"]["region"]["startLine"],
        4
    );

    let dup = by_rule("duplicate-key");
    assert_eq!(dup.len(), 2);
    let k8s = dup
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/svc.yaml"
        })
        .unwrap();
    assert_eq!(
        k8s["suppressions"][0]["justification"],
        "kustomize output, fixed upstream"
    );
    let compose = dup
        .iter()
        .find(|r| r.get("suppressions").is_none())
        .unwrap();
    assert_eq!(compose["level"], "warning");
    // The first definition is evidence.
    assert_eq!(
        compose["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );

    let reasonless = by_rule("suppression-without-reason");
    assert_eq!(reasonless.len(), 1);
    assert_eq!(reasonless[0]["level"], "warning");
}

fn topolint_rules_count() -> usize {
    let out = run(&["rules"], &repo());
    out.stdout.lines().count()
}

#[test]
fn sarif_of_the_example_has_cross_file_evidence_and_validates() {
    let out = run(&["check", "examples/shop", "--format", "sarif"], &repo());
    let doc = out.json();
    assert_valid_sarif(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let cross_file = results.iter().any(|r| {
        let primary = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        r["relatedLocations"].as_array().is_some_and(|rel| {
            rel.iter()
                .any(|l| &l["physicalLocation"]["artifactLocation"]["uri"] != primary)
        })
    });
    assert!(
        cross_file,
        "no result with evidence in another file:\n{doc:#}"
    );
}

#[test]
fn sarif_fingerprints_survive_inserted_lines() {
    let dir = project();
    let fingerprints = |dir: &Path| -> Vec<String> {
        let doc = run(&["check", ".", "--format", "sarif"], dir).json();
        let mut fps: Vec<String> = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["topolint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        fps.sort();
        fps
    };
    let before = fingerprints(dir.path());
    let conf = dir.path().join("nginx/nginx.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(&conf, format!("# moved down\n\n\n{text}")).unwrap();
    assert_eq!(fingerprints(dir.path()), before);
}

#[test]
fn sarif_to_a_file_with_output() {
    let dir = project();
    let out = run(
        &[
            "check",
            ".",
            "--format",
            "sarif",
            "--output",
            "results.sarif",
        ],
        dir.path(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let text = std::fs::read_to_string(dir.path().join("results.sarif")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&doc);
}

#[test]
fn github_annotations() {
    let dir = project();
    let out = run(&["check", ".", "--format", "github"], dir.path());
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(
        lines.contains(&"::warning file=compose.yaml,line=4,endLine=4,col=5,endColumn=10,title=topolint%3A duplicate-key::duplicate key `image` [duplicate-key]%0Adefined again here%0Acompose.yaml:3:5: first defined here%0Ahelp: remove one of the two: Kubernetes rejects the object or keeps only one value, and docker compose refuses the file (\"mapping key already defined\")"),
        "{}",
        out.stdout
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::error file=nginx/nginx.conf,line=3,endLine=3,col=13,endColumn=28,title=topolint%3A include-not-found::included file `h5bp/basic.conf` does not exist [include-not-found]"
        )),
        "{}",
        out.stdout
    );
}

#[test]
fn junit_report() {
    let dir = project();
    let out = run(&["check", ".", "--format", "junit"], dir.path());
    assert_eq!(out.code, 1);
    let report = quick_junit::Report::deserialize_from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JUnit XML ({e}):\n{}", out.stdout));
    assert_eq!(report.name.as_ref().map(|n| n.as_str()), Some("topolint"));
    let suites: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(suites, ["compose.yaml", "k8s/svc.yaml", "nginx/nginx.conf"]);
    let k8s = &report.test_suites[1];
    assert_eq!(k8s.test_cases.len(), 1, "a clean file is one passing case");
    assert_eq!(k8s.failures, 0);
    let nginx = &report.test_suites[2];
    assert_eq!(nginx.failures, 2, "{}", out.stdout);
    assert_eq!(report.failures, 3);

    // Below the fail level a finding is a passing case with its note in the output.
    let out = run(
        &["check", ".", "--format", "junit", "--fail-on", "error"],
        dir.path(),
    );
    let report = quick_junit::Report::deserialize_from_str(&out.stdout).unwrap();
    assert_eq!(report.failures, 1, "only the missing include is an error");
}

#[test]
fn statistics_count_per_rule() {
    let dir = project();
    let out = run(&["check", ".", "--statistics"], dir.path());
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "1  warning  duplicate-key\n1  error    include-not-found\n1  warning  suppression-without-reason\n3 findings from 3 rules\n"
    );
    let out = run(
        &["check", ".", "--statistics", "--format", "json"],
        dir.path(),
    );
    let doc = out.json();
    assert_eq!(doc.as_array().unwrap().len(), 3);
    assert_eq!(doc[1]["rule"], "include-not-found");
    assert_eq!(doc[1]["count"], 1);
    assert_eq!(doc[1]["severity"], "error");

    let out = run(
        &["check", ".", "--statistics", "--format", "sarif"],
        dir.path(),
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("`--statistics`"), "{}", out.stderr);
}

#[test]
fn color_flag_and_no_color() {
    let dir = project();
    let esc = "\u{1b}[";
    let always = run_with(
        &["check", ".", "--color", "always"],
        dir.path(),
        None,
        &[("NO_COLOR", "")],
    );
    assert!(always.stdout.contains(esc), "--color always colours");
    let never = run(&["check", ".", "--color", "never"], dir.path());
    assert!(!never.stdout.contains(esc));
    // `auto` on a pipe (and NO_COLOR, which the test harness sets) is plain.
    let auto = run(&["check", "."], dir.path());
    assert!(!auto.stdout.contains(esc));
}

#[test]
fn json_output_is_unchanged_by_the_gate() {
    let dir = project();
    let doc = run(&["check", ".", "--format", "json"], dir.path()).json();
    assert_eq!(doc["version"], 1);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "duplicate-key",
            "include-not-found",
            "suppression-without-reason"
        ],
        "suppressed findings are not in the JSON findings"
    );
}
