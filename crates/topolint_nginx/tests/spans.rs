//! Byte spans slice the original text exactly; line:col comes from `LineIndex`.

use topolint_nginx::{has_glob, parse, Config, LineIndex, TextRange};

const CONF: &str = "\
# top comment
user  nginx;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;   # types
    include conf.d/*.conf;
    server {
        listen 80 default_server;
        server_name \"пример.рф\" 'www.example.com';
        location /api/ {
            proxy_pass http://backend:8080;
            set $upstream_${name} \"a\\\"b\\\\c\";
            return 200 a#b;
        }
    }
}
";

fn slice(text: &str, r: TextRange) -> &str {
    &text[r.as_usize()]
}

#[test]
fn every_span_slices_the_original_text() {
    let config = parse(CONF);
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    for (d, _) in config.walk() {
        let raw_name = slice(CONF, d.name_range);
        assert_eq!(raw_name.trim_matches(['"', '\'']), d.name);
        assert!(slice(CONF, d.range).starts_with(raw_name));
        let end = slice(CONF, d.range).chars().last().unwrap();
        assert!(
            end == ';' || end == '}',
            "{}: {:?}",
            d.name,
            slice(CONF, d.range)
        );
        for a in &d.args {
            let raw = slice(CONF, a.range);
            match a.quote {
                Some(q) => assert!(raw.starts_with(q) && raw.ends_with(q), "{raw}"),
                None => assert!(!raw.contains(char::is_whitespace)),
            }
        }
        if let Some(b) = &d.block {
            assert_eq!(slice(CONF, b.open), "{");
            assert_eq!(slice(CONF, b.close.unwrap()), "}");
        }
    }
    let comments: Vec<&str> = config
        .comments
        .iter()
        .map(|c| slice(CONF, c.range))
        .collect();
    assert_eq!(comments, ["# top comment", "# types"]);
}

#[test]
fn values_are_unquoted_and_unescaped() {
    let config = parse(CONF);
    let get = |name: &str| config.walk().find(|(d, _)| d.name == name).unwrap().0;
    let server_name = get("server_name");
    assert_eq!(
        server_name.arg_values().collect::<Vec<_>>(),
        ["пример.рф", "www.example.com"]
    );
    assert_eq!(slice(CONF, server_name.args[0].range), "\"пример.рф\"");
    assert_eq!(server_name.args[0].quote, Some('"'));
    assert_eq!(server_name.args[1].quote, Some('\''));
    // `${name}` inside a word does not open a block; escapes are processed as nginx does.
    let set = get("set");
    assert_eq!(
        set.arg_values().collect::<Vec<_>>(),
        ["$upstream_${name}", "a\"b\\c"]
    );
    assert!(set.block.is_none());
    // `#` inside a word is not a comment.
    assert_eq!(
        get("return").arg_values().collect::<Vec<_>>(),
        ["200", "a#b"]
    );
}

#[test]
fn nested_directive_line_and_column() {
    let config = parse(CONF);
    let index = LineIndex::new(CONF);
    let (proxy_pass, depth) = config.walk().find(|(d, _)| d.name == "proxy_pass").unwrap();
    assert_eq!(depth, 3);
    let lc = index.line_col(CONF, proxy_pass.name_range.start);
    assert_eq!((lc.line, lc.column), (11, 13));
    let arg = index.line_col(CONF, proxy_pass.args[0].range.start);
    assert_eq!((arg.line, arg.column), (11, 24));
    // Columns count characters, not bytes, after Cyrillic text.
    let server_name = config
        .walk()
        .find(|(d, _)| d.name == "server_name")
        .unwrap()
        .0;
    let www = index.line_col(CONF, server_name.args[1].range.start);
    assert_eq!((www.line, www.column), (9, 33));
}

#[test]
fn walk_includes_and_path_at() {
    let config = parse(CONF);
    let depths: Vec<(&str, usize)> = config
        .walk()
        .map(|(d, depth)| (d.name.as_str(), depth))
        .collect();
    assert_eq!(
        depths,
        [
            ("user", 0),
            ("events", 0),
            ("worker_connections", 1),
            ("http", 0),
            ("include", 1),
            ("include", 1),
            ("server", 1),
            ("listen", 2),
            ("server_name", 2),
            ("location", 2),
            ("proxy_pass", 3),
            ("set", 3),
            ("return", 3),
        ]
    );
    let includes: Vec<&str> = config.includes().iter().filter_map(|d| d.arg(0)).collect();
    assert_eq!(includes, ["/etc/nginx/mime.types", "conf.d/*.conf"]);
    assert!(!has_glob(includes[0]));
    assert!(has_glob(includes[1]));
    assert!(has_glob("sites/site?.conf") && has_glob("conf.d/[ab].conf"));

    let offset = CONF.find("backend:8080").unwrap() as u32;
    let path: Vec<&str> = config
        .path_at(offset)
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(path, ["http", "server", "location", "proxy_pass"]);
    assert!(config.path_at(0).is_empty()); // inside the top comment
}

#[test]
fn crlf_line_endings() {
    let text = "# c\r\nevents {\r\n    worker_connections 1024;\r\n}\r\nhttp {\r\n    server_tokens off\r\n    sendfile on;\r\n}\r\n";
    let config = parse(text);
    assert_eq!(config.comments[0].text, " c");
    assert_eq!(slice(text, config.comments[0].range), "# c");
    assert_eq!(config.errors.len(), 1, "{:?}", config.errors);
    assert_eq!(
        config.errors[0].message,
        "missing `;` at the end of line 6?"
    );
    let wc = config
        .walk()
        .find(|(d, _)| d.name == "worker_connections")
        .unwrap()
        .0;
    assert_eq!(wc.arg(0), Some("1024"));
    assert_eq!(config.walk().count(), 5);
    assert!(parse(&text.replace("off\r\n", "off;\r\n"))
        .errors
        .is_empty());
}

/// About 2 MB of realistic configuration: parses completely, with no errors.
#[test]
fn two_megabyte_config() {
    let mut text = String::from("events { worker_connections 1024; }\nhttp {\n");
    let mut servers = 0;
    while text.len() < 2_000_000 {
        text.push_str(&format!(
            "    # server {servers}\n    server {{\n        listen {port};\n        server_name s{servers}.example.com 'alias-{servers}.example.com';\n        location ~ \"^/v[0-9]{{2}}/\" {{ proxy_pass http://backend{servers}:8080; }}\n        location / {{ root /srv/{servers}; try_files $uri $uri/ =404; }}\n        add_header X-Id \"{servers}\" always;\n    }}\n",
            port = 8000 + servers % 1000
        ));
        servers += 1;
    }
    text.push_str("}\n");
    let config: Config = parse(&text);
    assert!(
        config.errors.is_empty(),
        "{:?}",
        &config.errors[..config.errors.len().min(3)]
    );
    let http = &config.directives[1];
    assert_eq!(http.children().len(), servers);
    assert_eq!(config.comments.len(), servers);
    assert_eq!(config.walk().count(), 3 + servers * 9);
}
