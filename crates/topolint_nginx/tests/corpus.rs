//! Real-world configurations from the shared corpus (`/work/shared/corpus`, outside the
//! repository): every valid file parses with zero errors, and a few crossplane test configs
//! give exactly the tokens crossplane's own tests expect. Skipped with a note when the corpus
//! is not there.

use std::path::{Path, PathBuf};

use topolint_nginx::{parse, Config, Directive};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

#[allow(clippy::print_stdout)] // the skip note belongs in the test output
fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(CORPUS);
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("note: corpus not found at {CORPUS}; skipping");
        None
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn assert_clean(path: &Path) -> Config {
    let text = read(path);
    let config = parse(&text);
    assert!(
        config.errors.is_empty(),
        "{}: {:#?}",
        path.display(),
        config.errors
    );
    assert!(
        !config.directives.is_empty(),
        "{}: no directives",
        path.display()
    );
    for (d, _) in config.walk() {
        assert!(
            d.terminated,
            "{}: `{}` not terminated",
            path.display(),
            d.name
        );
        assert_eq!(
            &text[d.name_range.as_usize()].trim_matches(['"', '\'']),
            &d.name
        );
    }
    config
}

fn crossplane(root: &Path, name: &str) -> (String, Config) {
    let text = read(
        &root
            .join("crossplane/tests/configs")
            .join(name)
            .join("nginx.conf"),
    );
    let config = parse(&text);
    (text, config)
}

/// `(name, [args])` of every directive in pre-order, for compact comparisons.
fn flat(config: &Config) -> Vec<(String, Vec<String>, usize)> {
    config
        .walk()
        .map(|(d, depth)| {
            (
                d.name.to_string(),
                d.args.iter().map(|a| a.value.to_string()).collect(),
                depth,
            )
        })
        .collect()
}

fn owned(items: &[(&str, &[&str], usize)]) -> Vec<(String, Vec<String>, usize)> {
    items
        .iter()
        .map(|(n, a, d)| (n.to_string(), a.iter().map(|s| s.to_string()).collect(), *d))
        .collect()
}

#[test]
fn every_crossplane_config_except_quote_behavior_parses_cleanly() {
    let Some(root) = corpus() else { return };
    let dir = root.join("crossplane/tests/configs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path().join("nginx.conf");
        if path.ends_with("quote-behavior/nginx.conf") {
            continue; // nginx itself rejects it: see `quote_behavior`
        }
        assert_clean(&path);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} crossplane configs found");
}

#[test]
fn every_h5bp_file_parses_cleanly() {
    let Some(root) = corpus() else { return };
    let base = root.join("h5bp-server-configs-nginx");
    let mut files = Vec::new();
    files_under(&base, &mut files);
    let files: Vec<_> = files
        .into_iter()
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".conf") || name == "mime.types"
        })
        .collect();
    assert!(files.len() >= 38, "only {} h5bp files", files.len());
    assert!(files.iter().any(|p| p.ends_with("conf.d/.default.conf")));
    for path in &files {
        assert_clean(path);
    }

    // The main file: includes by relative path and glob.
    let config = assert_clean(&base.join("nginx.conf"));
    let includes: Vec<&str> = config.includes().iter().filter_map(|d| d.arg(0)).collect();
    assert!(
        includes.contains(&"h5bp/media_types/media_types.conf"),
        "{includes:?}"
    );
    assert!(includes.contains(&"conf.d/*.conf"), "{includes:?}");
    assert!(includes.iter().any(|i| topolint_nginx::has_glob(i)));
}

#[test]
fn awesome_compose_nginx_files_parse_cleanly() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    files_under(&root.join("awesome-compose"), &mut files);
    let files: Vec<_> = files
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n == "nginx.conf" || n == "default.conf")
        })
        .collect();
    assert!(
        files.len() >= 6,
        "only {} awesome-compose nginx files",
        files.len()
    );
    for path in &files {
        let config = assert_clean(path);
        if path.ends_with("nginx-wsgi-flask/nginx/default.conf") {
            // An envsubst template: `$FLASK_SERVER_ADDR` is a plain argument here.
            let proxy_pass = config
                .walk()
                .find(|(d, _)| d.name == "proxy_pass")
                .unwrap()
                .0;
            assert_eq!(proxy_pass.arg(0), Some("http://$FLASK_SERVER_ADDR"));
        }
    }
}

#[test]
fn simple() {
    let Some(root) = corpus() else { return };
    let (_, config) = crossplane(&root, "simple");
    assert_eq!(
        flat(&config),
        owned(&[
            ("events", &[], 0),
            ("worker_connections", &["1024"], 1),
            ("http", &[], 0),
            ("server", &[], 1),
            ("listen", &["127.0.0.1:8080"], 2),
            ("server_name", &["default_server"], 2),
            ("location", &["/"], 2),
            ("return", &["200", "foo bar baz"], 3),
        ])
    );
}

#[test]
fn with_comments() {
    let Some(root) = corpus() else { return };
    let (text, config) = crossplane(&root, "with-comments");
    let comments: Vec<&str> = config.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        comments,
        ["comment", "listen", "# this is brace", " location /"]
    );
    for c in &config.comments {
        assert_eq!(&text[c.range.as_usize()], format!("#{}", c.text));
    }
    assert_eq!(config.walk().count(), 8);
}

#[test]
fn comments_between_args() {
    let Some(root) = corpus() else { return };
    let (_, config) = crossplane(&root, "comments-between-args");
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    let comments: Vec<&str> = config.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        comments,
        [
            "comment 1",
            "comment 2",
            "comment 3",
            "comment 4",
            "comment 5"
        ]
    );
    let http = &config.directives[0];
    let log_format = &http.children()[0];
    assert_eq!(log_format.name, "log_format");
    // crossplane: ['\\#arg\\ 1', '#arg 2'] — the backslashes stay (nginx keeps them).
    assert_eq!(
        log_format.arg_values().collect::<Vec<_>>(),
        [r"\#arg\ 1", "#arg 2"]
    );
    assert_eq!(log_format.args[0].quote, None);
    assert_eq!(log_format.args[1].quote, Some('\''));
    assert!(log_format.terminated);
}

#[test]
fn quote_behavior() {
    let Some(root) = corpus() else { return };
    let (text, config) = crossplane(&root, "quote-behavior");
    // The tokens crossplane's test_lex expects.
    assert_eq!(
        flat(&config),
        owned(&[
            (
                "outer-quote",
                &["left", "-quote", "right-\"quote\"", "inner\"-\"quote"],
                0
            ),
            (
                "",
                &[
                    "",
                    "left-empty",
                    "right-empty\"\"",
                    "inner\"\"empty",
                    "right-empty-single\""
                ],
                0
            ),
        ])
    );
    let first = &config.directives[0];
    assert_eq!(first.name_range.as_usize(), 0..13);
    assert_eq!(first.args[0].quote, Some('"'));
    assert_eq!(&text[first.args[1].range.as_usize()], "-quote");
    // nginx rejects a quoted token glued to more text ("unexpected "-""): so do we.
    let messages: Vec<&str> = config.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "unexpected `-` after a quoted string",
            "unexpected `l` after a quoted string"
        ]
    );
    assert_eq!(&text[config.errors[0].range.as_usize()], "-");
}

#[test]
fn directive_with_space() {
    let Some(root) = corpus() else { return };
    let (text, config) = crossplane(&root, "directive-with-space");
    let map = config.walk().find(|(d, _)| d.name == "map").unwrap().0;
    assert_eq!(
        map.arg_values().collect::<Vec<_>>(),
        ["$http_user_agent", "$mobile"]
    );
    let entries: Vec<(&str, Vec<&str>)> = map
        .children()
        .iter()
        .map(|d| (d.name.as_str(), d.arg_values().collect()))
        .collect();
    assert_eq!(
        entries,
        [("default", vec!["0"]), ("~Opera Mini", vec!["1"])]
    );
    assert_eq!(
        &text[map.children()[1].name_range.as_usize()],
        "'~Opera Mini'"
    );
}

#[test]
fn empty_value_map() {
    let Some(root) = corpus() else { return };
    let (text, config) = crossplane(&root, "empty-value-map");
    let map = config.walk().find(|(d, _)| d.name == "map").unwrap().0;
    let entries: Vec<(&str, Vec<&str>)> = map
        .children()
        .iter()
        .map(|d| (d.name.as_str(), d.arg_values().collect()))
        .collect();
    assert_eq!(entries, [("", vec!["$arg"]), ("*.example.com", vec![""])]);
    assert_eq!(&text[map.children()[0].name_range.as_usize()], "''");
    assert_eq!(map.children()[1].args[0].quote, Some('\''));
}

#[test]
fn russian_text() {
    let Some(root) = corpus() else { return };
    let (text, config) = crossplane(&root, "russian-text");
    let env = &config.directives[0];
    assert_eq!(env.name, "env");
    assert_eq!(env.arg(0), Some("русский текст"));
    assert_eq!(&text[env.args[0].range.as_usize()], "'русский текст'");
    assert_eq!(config.directives[1].name, "events");
}

fn lua_raw<'a>(text: &'a str, d: &Directive) -> &'a str {
    let block = d.block.as_ref().unwrap();
    assert!(block.children.is_empty());
    &text[block.raw.unwrap().as_usize()]
}

#[test]
fn lua_block_simple() {
    let Some(root) = corpus() else { return };
    let (text, config) = crossplane(&root, "lua-block-simple");
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    let names: Vec<(&str, usize)> = config
        .walk()
        .map(|(d, depth)| (d.name.as_str(), depth))
        .collect();
    assert_eq!(
        names,
        [
            ("http", 0),
            ("init_by_lua_block", 1),
            ("init_worker_by_lua_block", 1),
            ("body_filter_by_lua_block", 1),
            ("header_filter_by_lua_block", 1),
            ("server", 1),
            ("listen", 2),
            ("location", 2),
            ("content_by_lua_block", 3),
            ("return", 3),
            ("ssl_certificate_by_lua_block", 2),
            ("location", 2),
            ("client_max_body_size", 3),
            ("client_body_buffer_size", 3),
            ("upstream", 1),
            ("server", 2),
            ("balancer_by_lua_block", 2),
            ("log_by_lua_block", 2),
        ]
    );
    let init = &config.directives[0].children()[0];
    assert_eq!(
        lua_raw(&text, init).trim(),
        "print(\"Lua block code with curly brace str {\")"
    );
    let balancer = config
        .walk()
        .find(|(d, _)| d.name == "balancer_by_lua_block")
        .unwrap()
        .0;
    assert!(lua_raw(&text, balancer).contains("external bracket for testing {"));
    let ret = config.walk().find(|(d, _)| d.name == "return").unwrap().0;
    assert_eq!(ret.arg_values().collect::<Vec<_>>(), ["200", "foo bar baz"]);
    let block = init.block.as_ref().unwrap();
    assert_eq!(&text[block.open.as_usize()], "{");
    assert_eq!(&text[block.close.unwrap().as_usize()], "}");
    assert_eq!(&text[init.range.as_usize()].chars().last(), &Some('}'));
}

#[test]
fn lua_block_larger() {
    let Some(root) = corpus() else { return };
    let (text, config) = crossplane(&root, "lua-block-larger");
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    let http = &config.directives[0];
    let names: Vec<&str> = http.children().iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["content_by_lua_block", "access_by_lua_block"]);
    let content = lua_raw(&text, &http.children()[0]);
    assert!(content.contains("-- body may get buffered in a temp file:"));
    assert!(content.trim_end().ends_with("end"));
    let access = lua_raw(&text, &http.children()[1]);
    assert!(access.contains("ngx.redirect(\"/terms_of_use.html\")"));
    assert!(access.trim_end().ends_with("-- tests passed"));
    // Lua comments are part of the raw body, not nginx comments.
    assert!(config.comments.is_empty());
}

#[test]
fn bad_args_and_spelling_mistake_are_not_parse_errors() {
    let Some(root) = corpus() else { return };
    let (_, config) = crossplane(&root, "bad-args");
    assert!(config.errors.is_empty());
    assert_eq!(config.directives[0].name, "user");
    assert!(config.directives[0].args.is_empty());
    let (_, config) = crossplane(&root, "spelling-mistake");
    assert!(config.errors.is_empty());
    assert!(config
        .walk()
        .any(|(d, depth)| d.name == "proxy_passs" && depth == 3));
}
