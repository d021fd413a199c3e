//! `topolint.toml` as users write it: every key, the errors they meet, discovery.

use std::path::{Path, PathBuf};
use std::time::Duration;

use topolint_config::{
    find, load, parse, ConfigError, KubernetesTarget, OutputFormat, RunsIn, INIT_TEMPLATE,
};
use topolint_diagnostics::Severity;
use topolint_workspace::MemoryFs;

const FULL: &str = r#"
select = ["include-not-found", "parse-error", "duplicate-key"]
ignore = ["duplicate-key"]
fail-on = "error"

[severity]
parse-error = "warning"

[per-path-ignores]
"vendor/**" = ["parse-error"]
"*.template" = ["include-not-found"]

[output]
format = "sarif"

[[plugins]]
path = "tools/rules.wasm"
sha256 = "AB2D0A3C6E2F1B5D4C3B2A19081716151413121110090807060504030201000F"

[[nginx]]
config = "deploy/nginx.conf"
runs-in = "compose:proxy"

[[nginx]]
config = "k8s/nginx.conf"
runs-in = "k8s:shop/edge"

[[load-balancer]]
name = "aws-alb"
idle-timeout = "60s"
in-front-of = "k8s:shop/edge"

[[load-balancer]]
idle-timeout = 350

[kubernetes]
cluster-domain = "corp.example"

[istio]
root-namespace = "mesh-system"
"#;

fn err(text: &str) -> ConfigError {
    parse(text, Path::new("repo/topolint.toml")).expect_err("the configuration should be refused")
}

/// `path:line:col` of an error.
fn at(e: &ConfigError) -> String {
    let (_, lc) = e.location.expect("the error has a location");
    format!("{}:{}:{}", e.path.display(), lc.line, lc.column)
}

#[test]
fn every_key_is_read_into_typed_fields() {
    let c = parse(FULL, Path::new("repo/topolint.toml")).unwrap();
    assert_eq!(c.root, PathBuf::from("repo"));
    let ids = |v: &[topolint_config::RuleRef]| v.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(c.select.as_deref().unwrap()),
        ["include-not-found", "parse-error", "duplicate-key"]
    );
    assert_eq!(ids(&c.ignore), ["duplicate-key"]);
    assert_eq!(c.fail_on, Some(Severity::Error));
    assert_eq!(c.severity.len(), 1);
    assert_eq!(c.severity[0].rule.id, "parse-error");
    assert_eq!(c.severity[0].severity, Severity::Warning);
    assert_eq!(c.output.format, Some(OutputFormat::Sarif));

    let vendor = c
        .per_path_ignores
        .iter()
        .find(|p| p.pattern == "vendor/**")
        .unwrap();
    assert!(vendor.matches("vendor/nginx/a.conf"));
    assert!(!vendor.matches("src/vendor.conf"));
    let template = c
        .per_path_ignores
        .iter()
        .find(|p| p.pattern == "*.template")
        .unwrap();
    assert!(
        template.matches("deep/dir/site.conf.template"),
        "no `/`: any directory"
    );
    assert!(!template.matches("deep/dir/site.conf"));

    assert_eq!(c.plugins.len(), 1);
    assert_eq!(
        c.plugins[0].resolved,
        PathBuf::from("repo/tools/rules.wasm")
    );
    assert_eq!(
        c.plugins[0].sha256,
        "ab2d0a3c6e2f1b5d4c3b2a19081716151413121110090807060504030201000f"
    );

    let f = &c.facts;
    assert_eq!(f.nginx.len(), 2);
    assert_eq!(f.nginx[0].resolved, PathBuf::from("repo/deploy/nginx.conf"));
    assert_eq!(
        f.nginx[0].runs_in,
        RunsIn::Compose {
            service: "proxy".into()
        }
    );
    assert_eq!(
        f.nginx[1].runs_in,
        RunsIn::Kubernetes(KubernetesTarget {
            namespace: "shop".into(),
            name: "edge".into()
        })
    );
    assert_eq!(f.load_balancers.len(), 2);
    assert_eq!(f.load_balancers[0].name.as_deref(), Some("aws-alb"));
    assert_eq!(f.load_balancers[0].idle_timeout, Duration::from_secs(60));
    assert!(f.load_balancers[0].in_front_of.is_some());
    assert_eq!(f.load_balancers[1].idle_timeout, Duration::from_secs(350));
    assert_eq!(f.load_balancers[1].in_front_of, None);
    assert_eq!(f.cluster_domain, "corp.example");
    assert_eq!(f.istio_root_namespace, "mesh-system");

    c.check_rule_ids(&["include-not-found", "parse-error", "duplicate-key"])
        .unwrap();
}

#[test]
fn an_empty_file_means_the_defaults() {
    let c = parse("", Path::new("topolint.toml")).unwrap();
    assert!(c.select.is_none());
    assert!(c.ignore.is_empty() && c.severity.is_empty() && c.per_path_ignores.is_empty());
    assert_eq!(c.fail_on, None);
    assert_eq!(c.facts.cluster_domain, "cluster.local");
    assert_eq!(c.facts.istio_root_namespace, "istio-system");
    assert_eq!(c.root, PathBuf::from("."));
}

#[test]
fn unknown_top_level_key_is_located_with_a_suggestion() {
    let e = err("fail-on = \"error\"\nselct = [\"parse-error\"]\n");
    assert_eq!(at(&e), "repo/topolint.toml:2:1");
    assert_eq!(e.message, "unknown key `selct`");
    assert_eq!(e.help.as_deref(), Some("did you mean `select`?"));
    assert_eq!(
        e.to_string(),
        "repo/topolint.toml:2:1: unknown key `selct`\n  help: did you mean `select`?"
    );
}

#[test]
fn unknown_nested_key_is_located() {
    let e = err("[[nginx]]\nconfig = \"nginx.conf\"\nrun-in = \"compose:proxy\"\n");
    assert_eq!(at(&e), "repo/topolint.toml:3:1");
    assert_eq!(e.message, "unknown key `run-in`");
    assert_eq!(e.help.as_deref(), Some("did you mean `runs-in`?"));

    let e = err("[kubernetes]\ncluster-domian = \"x.local\"\n");
    assert_eq!(e.help.as_deref(), Some("did you mean `cluster-domain`?"));

    let e = err("[output]\nformatt = \"json\"\n");
    assert_eq!(e.help.as_deref(), Some("did you mean `format`?"));
}

#[test]
fn unknown_table_is_an_error() {
    let e = err("[severities]\nparse-error = \"info\"\n");
    assert_eq!(at(&e), "repo/topolint.toml:1:2");
    assert_eq!(e.message, "unknown key `severities`");
    assert_eq!(e.help.as_deref(), Some("did you mean `severity`?"));
}

#[test]
fn bad_values_are_located() {
    let e = err("[severity]\nparse-error = \"warn\"\n");
    assert_eq!(at(&e), "repo/topolint.toml:2:15");
    assert_eq!(e.message, "unknown value `warn`");
    assert_eq!(e.help.as_deref(), Some("did you mean `warning`?"));

    let e = err("fail-on = 3\n");
    assert_eq!(at(&e), "repo/topolint.toml:1:11");
    assert!(e.message.contains("invalid type"), "{}", e.message);

    let e = err("[[nginx]]\nconfig = \"nginx.conf\"\nruns-in = \"docker:proxy\"\n");
    assert_eq!(at(&e), "repo/topolint.toml:3:11");
    assert_eq!(e.message, "cannot tell where `docker:proxy` is");
    assert!(e.help.unwrap().contains("compose:<service>"));

    let e = err("[[nginx]]\nruns-in = \"compose:proxy\"\n");
    assert_eq!(e.message, "missing key `config`");

    let e = err("[[plugins]]\npath = \"a.wasm\"\nsha256 = \"abc\"\n");
    assert_eq!(at(&e), "repo/topolint.toml:3:10");
    assert_eq!(
        e.message,
        "`sha256` must be 64 hexadecimal digits, found 3 characters"
    );

    let e = err("[[load-balancer]]\nidle-timeout = \"1.5s\"\n");
    assert_eq!(at(&e), "repo/topolint.toml:2:16");
    assert_eq!(e.message, "invalid duration");

    let e = err("[per-path-ignores]\n\"a/[b\" = [\"parse-error\"]\n");
    assert_eq!(at(&e), "repo/topolint.toml:2:1");
    assert!(
        e.message.starts_with("invalid glob `a/[b`"),
        "{}",
        e.message
    );

    let e = err("[istio]\nroot-namespace = \"Istio_System\"\n");
    assert_eq!(
        e.message,
        "`Istio_System` is not a Kubernetes namespace name"
    );

    let e = err("select = [\n");
    assert!(e.location.is_some(), "a syntax error is located too");
}

#[test]
fn unknown_rule_ids_are_located_with_a_suggestion() {
    let c = parse(
        "select = [\"parse-error\"]\n\n[severity]\ninclude-not-fond = \"info\"\n",
        Path::new("topolint.toml"),
    )
    .unwrap();
    let e = c
        .check_rule_ids(&["parse-error", "include-not-found"])
        .unwrap_err();
    assert_eq!(at(&e), "topolint.toml:4:1");
    assert_eq!(e.message, "unknown rule `include-not-fond`");
    assert!(e
        .help
        .unwrap()
        .starts_with("did you mean `include-not-found`?"));
}

#[test]
fn found_in_the_directory_or_a_parent() {
    let mut fs = MemoryFs::new();
    fs.insert("/repo/topolint.toml", "fail-on = \"info\"\n");
    fs.insert("/repo/deploy/nginx/nginx.conf", "events {}\n");
    fs.insert("/repo/sub/topolint.toml", "");
    fs.insert("/repo/sub/compose.yaml", "services: {}\n");
    assert_eq!(
        find(Path::new("/repo/deploy/nginx"), &fs),
        Some(PathBuf::from("/repo/topolint.toml"))
    );
    assert_eq!(
        find(Path::new("/repo/deploy/nginx/nginx.conf"), &fs),
        Some(PathBuf::from("/repo/topolint.toml")),
        "a file starts the search in its directory"
    );
    assert_eq!(
        find(Path::new("/repo/sub"), &fs),
        Some(PathBuf::from("/repo/sub/topolint.toml")),
        "the nearest file wins"
    );
    assert_eq!(find(Path::new("/elsewhere"), &fs), None);

    let c = load(Path::new("/repo/topolint.toml"), &fs).unwrap();
    assert_eq!(c.fail_on, Some(Severity::Info));
    assert_eq!(c.root, PathBuf::from("/repo"));

    let e = load(Path::new("/repo/missing.toml"), &fs).unwrap_err();
    assert!(
        e.message.starts_with("cannot read the configuration"),
        "{e}"
    );

    fs.insert("/repo/bin.toml", vec![b'a', 0xff, b'\n']);
    let e = load(Path::new("/repo/bin.toml"), &fs).unwrap_err();
    assert!(e.message.contains("not valid UTF-8"), "{e}");
}

#[test]
fn init_template_is_valid_and_says_the_defaults() {
    let c = parse(INIT_TEMPLATE, Path::new("topolint.toml")).unwrap();
    assert_eq!(c.fail_on, Some(Severity::Warning));
    assert!(c.select.is_none());
    assert_eq!(c.facts.cluster_domain, "cluster.local");
    assert_eq!(c.facts.istio_root_namespace, "istio-system");
    // Every commented-out example is valid too once uncommented (except the plugin
    // placeholder hash, which must be filled in).
    let uncommented: String = INIT_TEMPLATE
        .lines()
        .map(|l| {
            let t = l.trim_start();
            match t.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with('[') || rest.starts_with('"') || rest.contains(" = ") =>
                {
                    rest.replace("<64 hexadecimal digits>", &"0".repeat(64))
                }
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let c = parse(&uncommented, Path::new("topolint.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
    assert_eq!(c.facts.nginx.len(), 1);
    assert_eq!(c.facts.load_balancers.len(), 1);
    assert_eq!(c.plugins.len(), 1);
    assert!(c.select.is_some());
    assert!(!c.per_path_ignores.is_empty());
}

#[test]
fn plugin_options_and_limits() {
    let text = "[[plugins]]\npath = \"a.wasm\"\nsha256 = \"00000000000000000000000000000000000000000000000000000000000000ff\"\noptions = { limit = \"20s\", ports = [8080, 9090], strict = true, nested = { x = 1.5 } }\ntimeout-ms = 250\nmemory-mib = 128\n";
    let c = parse(text, Path::new("repo/topolint.toml")).unwrap();
    let p = &c.plugins[0];
    let options: serde_json::Value = serde_json::from_str(&p.options).unwrap();
    assert_eq!(
        options,
        serde_json::json!({"limit": "20s", "ports": [8080, 9090], "strict": true, "nested": {"x": 1.5}})
    );
    assert_eq!(p.timeout_ms, Some(250));
    assert_eq!(p.memory_mib, Some(128));
    assert_eq!(
        &text[p.sha256_range.as_usize()],
        "\"00000000000000000000000000000000000000000000000000000000000000ff\""
    );

    let c = parse(
        "[[plugins]]\npath = \"a.wasm\"\nsha256 = \"00000000000000000000000000000000000000000000000000000000000000ff\"\n",
        Path::new("repo/topolint.toml"),
    )
    .unwrap();
    assert_eq!(c.plugins[0].options, "{}");
    assert_eq!(c.plugins[0].timeout_ms, None);

    let e = err("[[plugins]]\npath = \"a.wasm\"\nsha256 = \"00000000000000000000000000000000000000000000000000000000000000ff\"\ntimeout-ms = 0\n");
    assert_eq!(at(&e), "repo/topolint.toml:4:14");
    assert_eq!(
        e.message,
        "`timeout-ms` must be between 1 and 600000 milliseconds"
    );
    let e = err("[[plugins]]\npath = \"a.wasm\"\nsha256 = \"00000000000000000000000000000000000000000000000000000000000000ff\"\nmemory-mib = 100000\n");
    assert_eq!(e.message, "`memory-mib` must be between 1 and 4096 MiB");
    let e = err("[[plugins]]\npath = \"a.wasm\"\nsha256 = \"00000000000000000000000000000000000000000000000000000000000000ff\"\noptions = 3\n");
    assert_eq!(at(&e), "repo/topolint.toml:4:11");
}
