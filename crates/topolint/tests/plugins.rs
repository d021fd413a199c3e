//! WebAssembly rule plugins through the CLI: pinned in topolint.toml or given with
//! `--plugin`, their findings in every output format, hostile plugins reported without
//! changing anything else, `topolint rules`/`explain`, and `topolint plugin new`.
//!
//! The plugins are built from source (`plugins/`); see the support module for when these
//! tests skip (outside CI only).

mod common;
#[path = "../../topolint_plugin_host/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use common::Output;

/// Runs topolint with the tests' shared compile cache.
fn topolint(args: &[&str], cwd: &Path) -> Output {
    let cache = support::compile_cache();
    common::run_with(
        args,
        cwd,
        None,
        &[("TOPOLINT_CACHE_DIR", cache.to_str().unwrap())],
    )
}

/// The stack fixture in `stack/` of a temporary directory (topolint runs in the temporary
/// directory on `stack`), with the given plugins copied into `stack/plugins/` and pinned in
/// `stack/topolint.toml` (`extra` is appended to each entry).
fn project(plugins: &[(&str, Vec<u8>, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("stack");
    std::fs::create_dir(&dir).unwrap();
    for f in ["compose.yaml", "nginx.conf"] {
        std::fs::copy(support::fixture("stack").join(f), dir.join(f)).unwrap();
    }
    if !plugins.is_empty() {
        std::fs::create_dir(dir.join("plugins")).unwrap();
        let mut toml = String::new();
        for (name, bytes, extra) in plugins {
            let file = format!("plugins/{name}.wasm");
            std::fs::write(dir.join(&file), bytes).unwrap();
            toml.push_str(&format!(
                "[[plugins]]\npath = \"{file}\"\nsha256 = \"{}\"\n{extra}\n",
                topolint_plugin_host::sha256_hex(bytes)
            ));
        }
        std::fs::write(dir.join("topolint.toml"), toml).unwrap();
    }
    tmp
}

fn wasm(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{}.wasm", name.replace('-', "_")))
}

/// (rule, path:line:col, message) of every finding of a JSON report.
fn findings(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let l = &f["location"];
            (
                f["rule"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}:{}",
                    l["path"].as_str().unwrap(),
                    l["start"]["line"],
                    l["start"]["column"]
                ),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const PLUGIN_RULES: &[&str] = &[
    "forbid-latest-image-tag",
    "require-proxy-read-timeout-below",
    "forbid-port",
];

/// All three example plugins pinned in topolint.toml, the JavaScript one with options.
fn examples_project() -> Option<tempfile::TempDir> {
    let dir = support::rust_plugins()?;
    let js = support::js_plugin()?;
    Some(project(&[
        (
            "forbid-latest-image-tag",
            support::rust_plugin(&dir, "forbid-latest-image-tag"),
            "",
        ),
        (
            "require-proxy-read-timeout-below",
            support::rust_plugin(&dir, "require-proxy-read-timeout-below"),
            "options = { limit = \"20s\" }",
        ),
        ("forbid-port", js, "options = { ports = [8080] }"),
    ]))
}

#[test]
fn plugin_findings_in_json_with_their_spans() {
    let Some(project) = examples_project() else {
        return;
    };
    let out = topolint(&["check", "stack", "--format", "json"], project.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    let ours: Vec<(String, String, String)> = findings(&doc)
        .into_iter()
        .filter(|(rule, _, _)| PLUGIN_RULES.contains(&rule.as_str()))
        .collect();
    let expected = [
        ("forbid-latest-image-tag", "stack/compose.yaml:2:3", "`web` runs an image that floats: `nginx:latest` is tagged `latest`"),
        ("forbid-latest-image-tag", "stack/compose.yaml:8:3", "`api` runs an image that floats: `ghcr.io/acme/api` has no tag, so `latest` is pulled"),
        ("forbid-port", "stack/compose.yaml:11:9", "service `api` uses port 8080, which this team does not allow"),
        ("require-proxy-read-timeout-below", "stack/nginx.conf:10:24", "`proxy_pass http://api:8080` in `location /api/` waits up to 45s for a response, not below the limit of 20s"),
        ("require-proxy-read-timeout-below", "stack/nginx.conf:19:24", "`proxy_pass http://localhost:3000` in `location /admin/` waits up to 45s for a response, not below the limit of 20s"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(ours, expected);
    // Evidence keeps its own span.
    let timeout = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "require-proxy-read-timeout-below")
        .unwrap();
    assert_eq!(
        timeout["related"][0]["location"]["path"],
        "stack/nginx.conf"
    );
    assert_eq!(timeout["related"][0]["location"]["start"]["line"], 4);
    assert_eq!(
        timeout["related"][0]["message"],
        "`proxy_read_timeout` set to 45s here"
    );
    // The built-in findings are there too.
    assert!(findings(&doc)
        .iter()
        .any(|(rule, at, _)| rule == "localhost-upstream-in-container"
            && at == "stack/nginx.conf:19:24"));
    assert!(!findings(&doc)
        .iter()
        .any(|(rule, _, _)| rule == "plugin-error"));
}

#[test]
fn plugin_findings_in_human_output() {
    let Some(project) = examples_project() else {
        return;
    };
    let out = topolint(&["check", "stack", "--color", "never"], project.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needle in [
        "forbid-latest-image-tag\n",
        "runs an image that floats: `nginx:latest` is tagged `latest`",
        "╭─[stack/compose.yaml:2:3]",
        "require-proxy-read-timeout-below\n",
        "╭─[stack/nginx.conf:10:24]",
        "`proxy_read_timeout` set to 45s here",
        "forbid-port\n",
        "service `api` uses port 8080, which this team does not allow",
        "11 │       - \"8080\"",
    ] {
        assert!(
            out.stdout.contains(needle),
            "no `{needle}` in:\n{}",
            out.stdout
        );
    }
}

#[test]
fn plugin_findings_and_rules_in_sarif() {
    let Some(project) = examples_project() else {
        return;
    };
    let out = topolint(&["check", "stack", "--format", "sarif"], project.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for id in PLUGIN_RULES {
        let (index, rule) = rules
            .iter()
            .enumerate()
            .find(|(_, r)| r["id"] == *id)
            .unwrap_or_else(|| panic!("no descriptor for {id}"));
        assert_eq!(rule["properties"]["tags"][0], "plugin", "{rule}");
        assert!(
            rule["shortDescription"]["text"].as_str().unwrap().len() > 10,
            "{rule}"
        );
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## What it does"),
            "{rule}"
        );
        let results: Vec<&serde_json::Value> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == *id)
            .collect();
        assert!(!results.is_empty(), "no result for {id}");
        for r in results {
            assert_eq!(r["ruleIndex"], index);
            assert_eq!(r["level"], "warning");
        }
    }
    let port = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "forbid-port")
        .unwrap();
    let location = &port["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "stack/compose.yaml");
    assert_eq!(location["region"]["startLine"], 11);
    assert_eq!(location["region"]["startColumn"], 9);
    assert_eq!(
        port["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        8
    );
}

#[test]
fn hostile_plugins_are_reported_and_change_nothing_else() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let clean = project(&[]);
    let baseline = topolint(&["check", "stack", "--format", "json"], clean.path());
    let hostile = [
        "infinite-loop",
        "huge-alloc",
        "panics",
        "reads-files",
        "opens-socket",
        "returns-garbage",
    ];
    let mut args = vec!["check", "stack", "--format", "json"];
    let paths: Vec<String> = hostile
        .iter()
        .map(|n| wasm(&dir, n).to_string_lossy().into_owned())
        .collect();
    for p in &paths {
        args.push("--plugin");
        args.push(p);
    }
    let started = std::time::Instant::now();
    let out = topolint(&args, clean.path());
    let took = started.elapsed();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    let all = findings(&doc);
    let errors: Vec<&(String, String, String)> =
        all.iter().filter(|(r, _, _)| r == "plugin-error").collect();
    assert_eq!(errors.len(), hostile.len(), "{errors:#?}");
    for (name, path) in hostile.iter().zip(&paths) {
        let e = errors
            .iter()
            .find(|(_, _, m)| m.starts_with(&format!("plugin `{name}` ")))
            .unwrap_or_else(|| panic!("no plugin-error for {name}: {errors:#?}"));
        // Located at the plugin file given on the command line.
        assert_eq!(e.1, format!("{path}:1:1"));
    }
    let others: Vec<_> = all
        .iter()
        .filter(|(r, _, _)| r != "plugin-error")
        .cloned()
        .collect();
    assert_eq!(others, findings(&baseline.json()));
    // One default deadline (1s) for the loop, the rest fail fast; plus loading.
    assert!(took.as_secs() < 30, "{took:?}");
}

#[test]
fn a_plugin_error_points_at_its_entry_in_topolint_toml() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let project = project(&[(
        "infinite-loop",
        support::rust_plugin(&dir, "infinite-loop"),
        "timeout-ms = 200",
    )]);
    let out = topolint(&["check", "stack", "--format", "json"], project.path());
    let doc = out.json();
    let error = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "plugin-error")
        .unwrap();
    assert_eq!(
        error["message"],
        "plugin `infinite-loop` (`plugins/infinite-loop.wasm`) did not finish while checking within 200ms"
    );
    assert_eq!(error["location"]["path"], "stack/topolint.toml");
    assert_eq!(error["location"]["start"]["line"], 1);
    assert_eq!(error["label"], "configured here");
    let human = topolint(&["check", "stack", "--color", "never"], project.path());
    assert!(
        human.stdout.contains("╭─[stack/topolint.toml:1:1]"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_plugin_that_differs_from_its_pin_is_a_configuration_error() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let project = project(&[(
        "forbid-latest-image-tag",
        support::rust_plugin(&dir, "forbid-latest-image-tag"),
        "",
    )]);
    // Replace the file after pinning it.
    let swapped = support::rust_plugin(&dir, "panics");
    std::fs::write(
        project
            .path()
            .join("stack/plugins/forbid-latest-image-tag.wasm"),
        &swapped,
    )
    .unwrap();
    let out = topolint(&["check", "stack"], project.path());
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.starts_with(&format!(
            "topolint: error: stack/topolint.toml:3:10: the plugin `plugins/forbid-latest-image-tag.wasm` does not match its pin: its SHA-256 is `{}`",
            topolint_plugin_host::sha256_hex(&swapped)
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("= help: if the new file is trusted, pin it with `sha256 = "),
        "{}",
        out.stderr
    );

    std::fs::remove_file(
        project
            .path()
            .join("stack/plugins/forbid-latest-image-tag.wasm"),
    )
    .unwrap();
    let out = topolint(&["check", "stack"], project.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("cannot read the plugin `plugins/forbid-latest-image-tag.wasm`"),
        "{}",
        out.stderr
    );
    let out = topolint(
        &["check", "stack", "--plugin", "no-such.wasm"],
        project.path(),
    );
    assert_eq!(out.code, 2);
}

#[test]
fn plugin_rules_are_rules_like_the_others() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let bytes = support::rust_plugin(&dir, "forbid-latest-image-tag");
    // `ignore` accepts the plugin's id, and silences it.
    let ignored = project(&[("forbid-latest-image-tag", bytes.clone(), "")]);
    let toml = ignored.path().join("stack/topolint.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("ignore = [\"forbid-latest-image-tag\"]\n{text}"),
    )
    .unwrap();
    let out = topolint(&["check", "stack", "--format", "json"], ignored.path());
    assert!(out.code <= 1, "{}", out.stderr);
    assert!(!findings(&out.json())
        .iter()
        .any(|(r, _, _)| r == "forbid-latest-image-tag"));

    // An inline suppression with a reason silences one finding.
    let suppressed = project(&[("forbid-latest-image-tag", bytes, "")]);
    let compose = suppressed.path().join("stack/compose.yaml");
    let text = std::fs::read_to_string(&compose).unwrap();
    std::fs::write(
        &compose,
        text.replace(
            "  web:\n",
            "  web: # topolint: ignore[forbid-latest-image-tag] the edge image is pinned by the platform team\n",
        ),
    )
    .unwrap();
    let out = topolint(&["check", "stack", "--format", "json"], suppressed.path());
    let left: Vec<_> = findings(&out.json())
        .into_iter()
        .filter(|(r, _, _)| r == "forbid-latest-image-tag")
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].1, "stack/compose.yaml:8:3");

    // Without the plugin, its id is unknown.
    let plain = project(&[]);
    std::fs::write(
        plain.path().join("stack/topolint.toml"),
        "ignore = [\"forbid-latest-image-tag\"]\n",
    )
    .unwrap();
    let out = topolint(&["check", "stack"], plain.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("unknown rule `forbid-latest-image-tag`"),
        "{}",
        out.stderr
    );
}

#[test]
fn rules_and_explain_show_plugin_rules() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let cwd = tempfile::tempdir().unwrap();
    let plugin = wasm(&dir, "require-proxy-read-timeout-below");
    let plugin = plugin.to_str().unwrap();
    let out = topolint(&["rules", "--plugin", plugin], cwd.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), topolint_rules::REGISTRY.len() + 1);
    assert!(lines[0].starts_with("backend-listens-on-loopback"));
    assert_eq!(
        *lines.last().unwrap(),
        "require-proxy-read-timeout-below warning  an nginx route waits for its upstream longer than the agreed limit (plugin require-proxy-read-timeout-below 0.1.0)"
    );
    let out = topolint(
        &[
            "explain",
            "require-proxy-read-timeout-below",
            "--plugin",
            plugin,
        ],
        cwd.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("# require-proxy-read-timeout-below\n\nan nginx route waits for its upstream longer than the agreed limit · default severity: warning · plugin: require-proxy-read-timeout-below 0.1.0\n\n## What it does\n"), "{}", out.stdout);
    // A file that is not a plugin is an error for `rules`.
    let not = cwd.path().join("not.wasm");
    std::fs::write(&not, b"hello").unwrap();
    let out = topolint(&["rules", "--plugin", not.to_str().unwrap()], cwd.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not a WebAssembly file"),
        "{}",
        out.stderr
    );
}

#[test]
fn plugin_new_scaffolds_a_crate_that_builds_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let sdk = support::repo().join("crates/topolint_plugin_sdk");
    let out = topolint(
        &["plugin", "new", "demo-port", "--sdk", sdk.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let crate_dir = tmp.path().join("demo-port");
    for f in [
        "Cargo.toml",
        "src/lib.rs",
        "tests/rule.rs",
        "tests/fixtures/invalid/compose.yaml",
        "tests/fixtures/valid/compose.yaml",
        "README.md",
    ] {
        assert!(crate_dir.join(f).is_file(), "{f} missing");
    }
    let cargo_toml = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(cargo_toml.contains("name = \"demo-port\""), "{cargo_toml}");
    assert!(
        cargo_toml.contains(&format!(
            "path = {:?}",
            sdk.canonicalize().unwrap().to_string_lossy()
        )),
        "{cargo_toml}"
    );
    // Not twice, not a built-in id, not a bad name.
    assert_eq!(
        topolint(
            &["plugin", "new", "demo-port", "--sdk", sdk.to_str().unwrap()],
            tmp.path()
        )
        .code,
        2
    );
    assert_eq!(
        topolint(&["plugin", "new", "parse-error"], tmp.path()).code,
        2
    );
    assert_eq!(topolint(&["plugin", "new", "Bad_Name"], tmp.path()).code, 2);

    // It builds for wasm32-wasip2 and reports on its own fixture.
    if support::rust_plugins().is_none() {
        return;
    }
    std::fs::copy(
        support::repo().join("plugins/Cargo.lock"),
        crate_dir.join("Cargo.lock"),
    )
    .unwrap();
    let target_dir = support::repo().join("target/wasm-plugins");
    let build =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(&crate_dir)
            .args([
                "build",
                "--release",
                "--quiet",
                "--target",
                "wasm32-wasip2",
                "--target-dir",
            ])
            .arg(&target_dir)
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let plugin = target_dir.join("wasm32-wasip2/release/demo_port.wasm");
    let out = topolint(
        &[
            "check",
            "tests/fixtures/invalid",
            "--format",
            "json",
            "--plugin",
            plugin.to_str().unwrap(),
        ],
        &crate_dir,
    );
    let ours: Vec<_> = findings(&out.json())
        .into_iter()
        .filter(|(r, _, _)| r == "demo-port")
        .collect();
    assert_eq!(
        ours,
        vec![(
            "demo-port".to_string(),
            "tests/fixtures/invalid/compose.yaml:5:9".to_string(),
            "`api` uses port 8080".to_string()
        )]
    );
}
