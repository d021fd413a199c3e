//! The language server over an in-memory connection: the whole protocol flow, with the
//! bundled `examples/shop` stack copied to a temporary directory.

mod support;

use std::sync::Arc;
use std::time::Duration;

use lsp_types as lsp;
use serde_json::{json, Value};
use support::{apply_edits, codes, has, shop, uri, Client};
use topolint_lsp::Options;

const PUBLISHED: &str = "published-port-used-internally";
const LOCALHOST: &str = "localhost-upstream-in-container";

fn options() -> Options {
    Options::default()
}

/// Makes the API listen on 8081 inside its container: nginx's `api:8081` is then right.
fn fixed_compose(text: &str) -> String {
    let fixed = text
        .replace("\"8081:8000\"", "\"8081:8081\"")
        .replace("\"--port\", \"8000\"", "\"--port\", \"8081\"");
    assert_ne!(fixed, text);
    fixed
}

#[test]
fn cross_file_finding_follows_edits_of_the_compose_file() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let compose = root.join("compose.yaml");
    let mut client = Client::start(&root, options(), Value::Null);

    // Diagnostics arrive for every file of the workspace on initialize, open or not.
    let first = client.diagnostics(&conf, |d| has(d, PUBLISHED));
    client.open(&conf);
    let d = first
        .diagnostics
        .iter()
        .find(|d| has(std::slice::from_ref(*d), PUBLISHED))
        .unwrap();
    assert_eq!(d.range.start, lsp::Position::new(1, 11));
    assert_eq!(d.severity, Some(lsp::DiagnosticSeverity::ERROR));
    assert_eq!(d.source.as_deref(), Some("topolint"));
    assert!(d.message.contains("`api:8081`"), "{}", d.message);
    assert!(d.message.contains("\nhelp: "), "{}", d.message);
    let href = d.code_description.as_ref().unwrap().href.as_str();
    assert!(
        href.ends_with("/docs/rules/published-port-used-internally.md"),
        "{href}"
    );
    let evidence = d
        .related_information
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.location.uri == uri(&compose))
        .expect("evidence in compose.yaml");
    assert_eq!(evidence.location.range.start, lsp::Position::new(22, 8));
    assert!(
        evidence.message.contains("8081 -> container port 8000"),
        "{}",
        evidence.message
    );

    // Fix it in compose.yaml: the finding in shop.conf goes away, the other one stays.
    let original = std::fs::read_to_string(&compose).unwrap();
    client.open(&compose);
    let version = client.change(&compose, &fixed_compose(&original));
    let cleared = client.diagnostics(&conf, |d| !has(d, PUBLISHED));
    assert!(
        has(&cleared.diagnostics, LOCALHOST),
        "{:?}",
        codes(&cleared.diagnostics)
    );
    assert_eq!(cleared.version, Some(1), "shop.conf is open at version 1");
    let _ = version;

    // Break it again: it comes back.
    client.change(&compose, &original);
    let back = client.diagnostics(&conf, |d| has(d, PUBLISHED));
    assert!(has(&back.diagnostics, LOCALHOST));
    client.shutdown();
}

#[test]
fn positions_are_utf16_after_non_ascii_text_on_the_line() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let mut client = Client::start(&root, options(), Value::Null);
    client.open(&conf);
    // `é` is one UTF-16 unit and two bytes, `🛒` two units and four bytes.
    let text = std::fs::read_to_string(&conf).unwrap().replace(
        "    location / {\n        proxy_pass http://localhost:3000;\n    }",
        "    location /é🛒 { proxy_pass http://localhost:3000; }",
    );
    client.change(&conf, &text);
    let p = client.diagnostics(&conf, |d| {
        d.iter()
            .any(|d| has(std::slice::from_ref(d), LOCALHOST) && d.range.start.line == 16)
    });
    let d = p
        .diagnostics
        .iter()
        .find(|d| has(std::slice::from_ref(*d), LOCALHOST))
        .unwrap();
    let line = text.lines().nth(16).unwrap();
    let before = &line[..line.find("http://").unwrap()];
    assert_eq!(before.chars().count(), 30);
    assert_eq!(before.encode_utf16().count(), 31);
    assert_eq!(before.len(), 34);
    assert_eq!(d.range.start, lsp::Position::new(16, 31));
    assert_eq!(
        d.range.end.character - d.range.start.character,
        "http://localhost:3000".len() as u32
    );
    // and back: hovering at that UTF-16 position finds the finding
    let hover = client.hover(&conf, 16, 35).unwrap();
    assert!(hover.contains(LOCALHOST), "{hover}");
    client.shutdown();
}

#[test]
fn hover_shows_rule_docs_and_what_names_resolve_to() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let compose = root.join("compose.yaml");
    let mut client = Client::start(&root, options(), Value::Null);
    client.open(&conf);
    client.diagnostics(&conf, |d| has(d, PUBLISHED));

    // On the flagged upstream server: the rule's docs and where `api:8081` lands.
    let h = client.hover(&conf, 1, 13).unwrap();
    assert!(
        h.contains("## What it does") || h.contains("What it does"),
        "{h}"
    );
    assert!(h.contains("published-port-used-internally.md"), "{h}");
    assert!(h.contains("service `api`"), "{h}");
    assert!(h.contains("published on the host as 8081"), "{h}");
    assert!(h.contains("`compose:shop/api`"), "{h}");
    assert!(h.contains("**8081 is not a port of this service**"), "{h}");

    // On `shop_api` in `proxy_pass http://shop_api/`: the upstream block and its servers.
    let line = std::fs::read_to_string(&conf)
        .unwrap()
        .lines()
        .position(|l| l.contains("http://shop_api/"))
        .unwrap() as u32;
    let h = client.hover(&conf, line, 28).unwrap();
    assert!(h.contains("upstream `shop_api`"), "{h}");
    assert!(h.contains("`server api:8081`"), "{h}");

    // On a compose service name: the service, its ports and its workload.
    client.open(&compose);
    let h = client.hover(&compose, 33, 4).unwrap();
    assert!(h.contains("service `storefront`"), "{h}");
    assert!(h.contains("- 3000"), "{h}");
    assert!(h.contains("container `storefront` `node:22-alpine`"), "{h}");

    // On a Kubernetes Service's name: its selector, and that nothing is behind it.
    let k8s = root.join("k8s/api.yaml");
    client.open(&k8s);
    let text = std::fs::read_to_string(&k8s).unwrap();
    let service_doc = text.find("kind: Service").unwrap();
    let name_at = service_doc + text[service_doc..].find("name: shop-api").unwrap() + 6;
    let line = text[..name_at].matches('\n').count() as u32;
    let h = client.hover(&k8s, line, 10).unwrap();
    assert!(h.contains("service `shop-api`"), "{h}");
    assert!(h.contains("selector: `app=api`"), "{h}");
    assert!(h.contains("workloads: **none**"), "{h}");

    // Nothing there: no hover.
    assert!(client.hover(&conf, 0, 0).is_none());
    client.shutdown();
}

#[test]
fn code_actions_apply_the_fix_and_suppress_with_a_reason() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let mut client = Client::start(&root, options(), Value::Null);
    client.open(&conf);
    client.diagnostics(&conf, |d| has(d, LOCALHOST));
    let text = std::fs::read_to_string(&conf).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("localhost:3000"))
        .unwrap() as u32;

    let range = lsp::Range::new(lsp::Position::new(line, 0), lsp::Position::new(line, 0));
    let actions = client.code_actions(&conf, range);
    let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
    let fix = actions
        .iter()
        .find(|a| a.edit.is_some() && a.title.contains("storefront"))
        .unwrap_or_else(|| panic!("no fix among {titles:?}"));
    assert_eq!(fix.kind, Some(lsp::CodeActionKind::QUICKFIX));
    assert!(has(fix.diagnostics.as_ref().unwrap(), LOCALHOST));
    let edits = &fix.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri(&conf)];
    let fixed = apply_edits(&text, edits);
    assert!(
        fixed.contains("proxy_pass http://storefront:3000;"),
        "{fixed}"
    );
    client.change(&conf, &fixed);
    let after = client.diagnostics(&conf, |d| !has(d, LOCALHOST));
    assert!(has(&after.diagnostics, PUBLISHED));

    // Suppress the other finding, with a reason the editor asked the user for.
    let range = lsp::Range::new(lsp::Position::new(1, 12), lsp::Position::new(1, 12));
    let actions = client.code_actions(&conf, range);
    let suppress = actions
        .iter()
        .find(|a| {
            a.title
                .starts_with("Suppress `published-port-used-internally` here")
        })
        .expect("a suppress action");
    let command = suppress.command.clone().unwrap();
    assert_eq!(command.command, topolint_lsp::SUPPRESS_COMMAND);
    let mut args = command.arguments.unwrap()[0].clone();
    args["reason"] = json!("the API is published on 8081 by the load balancer too");
    client
        .request(
            "workspace/executeCommand",
            json!({"command": command.command, "arguments": [args]}),
        )
        .unwrap();
    let edit = client.applied.last().expect("workspace/applyEdit").clone();
    let edits = &edit.changes.unwrap()[&uri(&conf)];
    let suppressed = apply_edits(&fixed, edits);
    assert!(
        suppressed.contains("    # topolint: ignore[published-port-used-internally] the API is published on 8081 by the load balancer too\n    server api:8081;"),
        "{suppressed}"
    );
    client.change(&conf, &suppressed);
    let quiet = client.diagnostics(&conf, |d| !has(d, PUBLISHED));
    assert!(!has(&quiet.diagnostics, "suppression-without-reason"));
    assert!(!has(&quiet.diagnostics, "unused-suppression"));

    // Without a reason, the gate asks for one.
    client
        .request(
            "workspace/executeCommand",
            json!({"command": topolint_lsp::SUPPRESS_COMMAND, "arguments": [{"uri": uri(&conf), "rule": PUBLISHED, "line": 1}]}),
        )
        .unwrap();
    let edit = client.applied.last().unwrap().clone();
    let bare = apply_edits(&fixed, &edit.changes.unwrap()[&uri(&conf)]);
    client.change(&conf, &bare);
    let asked = client.diagnostics(&conf, |d| has(d, "suppression-without-reason"));
    assert!(!has(&asked.diagnostics, PUBLISHED));
    client.shutdown();
}

#[test]
fn a_half_typed_file_keeps_its_other_findings() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let compose = root.join("compose.yaml");
    let mut client = Client::start(&root, options(), Value::Null);
    client.open(&conf);
    client.diagnostics(&conf, |d| has(d, PUBLISHED));
    let text = std::fs::read_to_string(&conf).unwrap();

    // Typing a new location at the end: no `;`, no `}` yet.
    let typing = format!(
        "{}\nserver {{\n    location /admin {{\n        proxy_pass http://adm",
        text.trim_end().trim_end_matches('}')
    );
    client.change(&conf, &typing);
    let p = client.diagnostics(&conf, |d| has(d, "parse-error"));
    assert!(
        has(&p.diagnostics, PUBLISHED),
        "{:?}",
        codes(&p.diagnostics)
    );
    assert!(
        has(&p.diagnostics, LOCALHOST),
        "{:?}",
        codes(&p.diagnostics)
    );

    // Half-typed YAML in compose.yaml: its own findings stay, and so do the nginx findings
    // that depend on it.
    let before = client.diagnostics(&compose, |d| !d.is_empty());
    client.open(&compose);
    let original = std::fs::read_to_string(&compose).unwrap();
    let services_end = original.find("\nnetworks:").unwrap();
    let typing = format!(
        "{}\n  cache:\n    image: [redis\n{}",
        &original[..services_end],
        &original[services_end..]
    );
    client.change(&compose, &typing);
    let p = client.diagnostics(&compose, |d| has(d, "parse-error"));
    for code in codes(&before.diagnostics) {
        assert!(
            has(&p.diagnostics, &code),
            "lost `{code}`: {:?}",
            codes(&p.diagnostics)
        );
    }
    client.change(&conf, &text);
    let p = client.diagnostics(&conf, |d| !has(d, "parse-error"));
    assert!(
        has(&p.diagnostics, PUBLISHED),
        "{:?}",
        codes(&p.diagnostics)
    );
    client.shutdown();
}

#[test]
fn a_panic_in_a_lint_job_is_logged_and_the_server_keeps_serving() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let boom = root.join("nginx/conf.d/boom.conf");
    std::fs::write(&boom, "# a file whose edits make the test hook panic\n").unwrap();
    let options = Options {
        on_lint: Some(Arc::new(|changed: &[std::path::PathBuf]| {
            if changed.iter().any(|p| p.ends_with("boom.conf")) {
                panic!("injected failure");
            }
        })),
        ..Options::default()
    };
    let mut client = Client::start(&root, options, Value::Null);
    client.open(&conf);
    client.diagnostics(&conf, |d| has(d, PUBLISHED));

    client.open(&boom);
    let logged = client.wait_log("injected failure");
    assert!(logged.contains("internal error while linting"), "{logged}");

    // Still serving: an edit elsewhere is linted (from a fresh load), hover answers.
    let original = std::fs::read_to_string(root.join("compose.yaml")).unwrap();
    client.open(&root.join("compose.yaml"));
    client.change(&root.join("compose.yaml"), &fixed_compose(&original));
    client.diagnostics(&conf, |d| !has(d, PUBLISHED) && has(d, LOCALHOST));
    assert!(client.hover(&conf, 1, 13).is_some());
    client.shutdown();
}

#[test]
fn a_burst_of_changes_is_linted_once_with_the_newest_version() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let options = Options {
        debounce: Duration::from_millis(50),
        ..Options::default()
    };
    let mut client = Client::start(&root, options, Value::Null);
    client.open(&conf);
    client.diagnostics(&conf, |d| has(d, PUBLISHED));
    let text = std::fs::read_to_string(&conf).unwrap();
    let mut last = 0;
    for i in 0..30 {
        last = client.change(&conf, &format!("# edit {i}\n{text}"));
    }
    // One edit later than all the others: fixes the upstream.
    let final_text = format!("# final\n{}", text.replace("api:8081", "api:8000"));
    last += 0;
    let final_version = client.change(&conf, &final_text);
    assert_eq!(final_version, last + 1);
    let p = client.diagnostics(&conf, |d| !has(d, PUBLISHED));
    assert_eq!(p.version, Some(final_version));
    // Every publication for the file carried a version that was current when it was sent:
    // nothing from the middle of the burst arrives after it.
    std::thread::sleep(Duration::from_millis(200));
    client.request("shutdown", Value::Null).unwrap();
    let late: Vec<Value> = client
        .inbox
        .iter()
        .filter(|n| {
            n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri(&conf).as_str()
        })
        .map(|n| n.params["version"].clone())
        .collect();
    assert!(
        late.is_empty(),
        "published after the final version: {late:?}"
    );
    client.notify("exit", Value::Null);
}

#[test]
fn garbage_never_crashes_the_server() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let mut client = Client::start(&root, options(), Value::Null);
    client.open(&conf);
    client.diagnostics(&conf, |d| has(d, PUBLISHED));
    let compose = root.join("compose.yaml");
    client.open(&compose);
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nservices: *d\n";
    let inputs = [
        "\u{0}\u{1}\u{2}binary\u{0}".to_string(),
        "{".repeat(10_000),
        "}".repeat(10_000),
        "server { location / { proxy_pass http://${".to_string(),
        "\"unterminated".to_string(),
        "é".repeat(50_000),
        "upstream a { server ;;; } }}} {{ ".to_string(),
        "x".repeat(300_000),
        String::new(),
    ];
    for input in &inputs {
        client.change(&conf, input);
        client.change(&compose, &format!("services:\n  {input}\n"));
    }
    client.change(&compose, bomb);
    // Requests with nonsense parameters get errors, not a crash.
    let err = client
        .request("textDocument/hover", json!({"textDocument": 42}))
        .unwrap_err();
    assert_eq!(err.code, lsp_server::ErrorCode::InvalidParams as i32);
    let err = client
        .request("textDocument/definition", json!({}))
        .unwrap_err();
    assert_eq!(err.code, lsp_server::ErrorCode::MethodNotFound as i32);
    let err = client
        .request(
            "workspace/executeCommand",
            json!({"command": "topolint.suppress", "arguments": ["?"]}),
        )
        .unwrap_err();
    assert_eq!(err.code, lsp_server::ErrorCode::InvalidParams as i32);
    client.notify("textDocument/didChange", json!({"nonsense": true}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "untitled:1", "languageId": "x", "version": 1, "text": ""}}),
    );
    // Positions far outside the document are clamped.
    assert!(client.hover(&conf, 99_999, 99_999).is_none());

    // Back to the real files: the findings come back.
    client.change(&compose, &std::fs::read_to_string(&compose).unwrap());
    client.change(&conf, &std::fs::read_to_string(&conf).unwrap());
    client.diagnostics(&conf, |d| has(d, PUBLISHED));
    client.shutdown();
}

#[test]
fn topolint_toml_is_applied_and_reloaded_when_edited() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let config = root.join("topolint.toml");
    std::fs::write(&config, "ignore = [\"published-port-used-internally\"]\n").unwrap();
    let mut client = Client::start(&root, options(), Value::Null);
    let p = client.diagnostics(&conf, |d| has(d, LOCALHOST));
    assert!(!has(&p.diagnostics, PUBLISHED));

    // Editing the configuration in the editor applies at once.
    client.open(&config);
    client.change(&config, "ignore = [\"localhost-upstream-in-container\"]\n");
    client.diagnostics(&conf, |d| has(d, PUBLISHED) && !has(d, LOCALHOST));

    // A mistake in it is shown on it, and the defaults apply meanwhile.
    client.change(&config, "ignore = [\"localhost-upstream-in-contaner\"]\n");
    let on_config = client.diagnostics(&config, |d| !d.is_empty());
    assert!(
        on_config.diagnostics[0].message.contains("unknown rule"),
        "{:?}",
        on_config.diagnostics
    );
    assert!(on_config.diagnostics[0]
        .message
        .contains("did you mean `localhost-upstream-in-container`"));
    client.diagnostics(&conf, |d| has(d, PUBLISHED) && has(d, LOCALHOST));
    client.shutdown();
}

#[test]
fn files_changed_on_disk_are_picked_up() {
    let (_dir, root) = shop();
    let conf = root.join("nginx/conf.d/shop.conf");
    let compose = root.join("compose.yaml");
    let mut client = Client::start(&root, options(), Value::Null);
    client.diagnostics(&conf, |d| has(d, PUBLISHED));
    let original = std::fs::read_to_string(&compose).unwrap();
    std::fs::write(&compose, fixed_compose(&original)).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&compose), "type": 2}]}),
    );
    client.diagnostics(&conf, |d| !has(d, PUBLISHED));

    // A new file on disk joins the workspace.
    let extra = root.join("nginx/conf.d/extra.conf");
    std::fs::write(
        &extra,
        "server {\n    listen 81;\n    location / { proxy_pass http://nowhere:80; }\n}\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&extra), "type": 1}]}),
    );
    let p = client.diagnostics(&extra, |d| !d.is_empty());
    assert!(
        has(&p.diagnostics, "upstream-host-unknown"),
        "{:?}",
        codes(&p.diagnostics)
    );
    std::fs::remove_file(&extra).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&extra), "type": 3}]}),
    );
    client.diagnostics(&extra, |d| d.is_empty());
    client.shutdown();
}

#[test]
fn exit_without_shutdown_is_an_abrupt_ending() {
    let (_dir, root) = shop();
    let (server_side, client_side) = lsp_server::Connection::memory();
    let server = std::thread::spawn(move || topolint_lsp::run(server_side, Options::default()));
    let init = lsp_server::Request::new(
        1.into(),
        "initialize".into(),
        json!({"rootUri": uri(&root), "capabilities": {}}),
    );
    client_side.sender.send(init.into()).unwrap();
    client_side
        .sender
        .send(lsp_server::Notification::new("exit".into(), Value::Null).into())
        .unwrap();
    assert_eq!(
        server.join().unwrap().unwrap(),
        topolint_lsp::Ending::Abrupt
    );
}
