//! Broken input: every error is located and worded, and the directives after it survive.

use topolint_nginx::{parse, Config, Directive, LineIndex, ParseError, MAX_DEPTH, MAX_ERRORS};

fn names(config: &Config) -> Vec<(&str, usize)> {
    config
        .walk()
        .map(|(d, depth)| (d.name.as_str(), depth))
        .collect()
}

fn find<'a>(config: &'a Config, name: &str) -> &'a Directive {
    config
        .walk()
        .find(|(d, _)| d.name == name)
        .unwrap_or_else(|| panic!("no `{name}`"))
        .0
}

fn only_error(config: &Config) -> &ParseError {
    assert_eq!(config.errors.len(), 1, "{:#?}", config.errors);
    &config.errors[0]
}

/// 1-based (line, column) of an error's start.
fn at(text: &str, e: &ParseError) -> (u32, u32) {
    let lc = LineIndex::new(text).line_col(text, e.range.start);
    (lc.line, lc.column)
}

#[test]
fn missing_semicolon_before_the_next_lines_directive() {
    let text = "\
http {
    include mime.types;
    # the next directive has no `;`
    server_tokens off
    sendfile on;
    server {
        listen 80;
        location / {
            root /srv;
        }
    }
}
";
    let config = parse(text);
    let e = only_error(&config);
    assert_eq!(e.message, "missing `;` at the end of line 4?");
    // An empty range right after the last argument.
    let off_end = text.find("off\n").unwrap() + 3;
    assert_eq!(e.range.as_usize(), off_end..off_end);
    assert_eq!(at(text, e), (4, 22));
    assert_eq!(
        e.help.as_deref(),
        Some("without it, nginx reads `sendfile` and what follows as more arguments of `server_tokens`")
    );
    // Everything after the error is still there, with its own identity.
    assert_eq!(
        names(&config),
        [
            ("http", 0),
            ("include", 1),
            ("server_tokens", 1),
            ("sendfile", 1),
            ("server", 1),
            ("listen", 2),
            ("location", 2),
            ("root", 3),
        ]
    );
    let tokens = find(&config, "server_tokens");
    assert!(!tokens.terminated);
    assert_eq!(tokens.arg_values().collect::<Vec<_>>(), ["off"]);
    assert_eq!(&text[tokens.range.as_usize()], "server_tokens off");
    assert!(find(&config, "sendfile").terminated);
    assert!(find(&config, "server")
        .block
        .as_ref()
        .unwrap()
        .close
        .is_some());
}

#[test]
fn continuation_lines_are_not_missing_semicolons() {
    let text = "\
log_format main '$remote_addr'
                '$status';
server_name
    example.com
    www.example.com;
ssl_protocols TLSv1.2
ssl_protocols TLSv1.3;
add_header X-Test value
    always;
";
    let config = parse(text);
    // `ssl_protocols TLSv1.2` + a line starting with `ssl_protocols` at the same indentation
    // is the only one that looks like a new directive.
    let e = only_error(&config);
    assert_eq!(e.message, "missing `;` at the end of line 6?");
    let add_header = find(&config, "add_header");
    assert_eq!(
        add_header.arg_values().collect::<Vec<_>>(),
        ["X-Test", "value", "always"]
    );
}

#[test]
fn missing_semicolon_before_a_closing_brace_and_at_eof() {
    let text = "server {\n    location / { root /srv }\n    listen 80;\n}\nuser nginx";
    let config = parse(text);
    let messages: Vec<&str> = config.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "missing `;` at the end of line 2?",
            "missing `;` at the end of line 5?"
        ]
    );
    let root = find(&config, "root");
    assert_eq!(root.arg(0), Some("/srv"));
    assert!(!root.terminated);
    let end = text.find("/srv").unwrap() + 4;
    assert_eq!(config.errors[0].range.as_usize(), end..end);
    assert_eq!(config.errors[1].range.as_usize(), text.len()..text.len());
    assert_eq!(find(&config, "listen").arg(0), Some("80"));
    assert_eq!(find(&config, "user").arg(0), Some("nginx"));
}

#[test]
fn unexpected_closing_brace() {
    let text = "events {}\n}\nhttp {\n    server {}\n}\n";
    let config = parse(text);
    let e = only_error(&config);
    assert_eq!(e.message, "unexpected `}`");
    assert_eq!(&text[e.range.as_usize()], "}");
    assert_eq!(at(text, e), (2, 1));
    assert!(e.help.is_some());
    assert_eq!(names(&config), [("events", 0), ("http", 0), ("server", 1)]);
}

#[test]
fn unclosed_block_at_eof() {
    let text = "events {}\nhttp {\n    server {\n        listen 80;\n    }\n";
    let config = parse(text);
    let e = only_error(&config);
    assert_eq!(
        e.message,
        "unclosed block: `{` at line 2 has no matching `}`"
    );
    assert_eq!(
        e.help.as_deref(),
        Some("nginx stops with \"unexpected end of file, expecting \"}\"\": add the missing `}`")
    );
    assert_eq!(at(text, e), (2, 6));
    assert_eq!(&text[e.range.as_usize()], "{");
    let http = find(&config, "http");
    assert!(!http.terminated);
    let block = http.block.as_ref().unwrap();
    assert_eq!(block.close, None);
    assert_eq!(
        names(&config),
        [("events", 0), ("http", 0), ("server", 1), ("listen", 2)]
    );
}

#[test]
fn unclosed_block_points_at_the_misindented_brace() {
    let text =
        "http {\n  server {\n    location / {\n      root /x;\n  }\n  server { listen 81; }\n}\n";
    let config = parse(text);
    let e = only_error(&config);
    assert_eq!(
        e.message,
        "unclosed block: `{` at line 1 has no matching `}`"
    );
    assert_eq!(
        e.help.as_deref(),
        Some("the `}` on line 5 closes `location` (line 3) but is indented like an outer block: is a `}` missing before it?")
    );
}

#[test]
fn unterminated_quote() {
    let text = "http {\n    return 200 \"oops;\n    listen 80;\n}\n";
    let config = parse(text);
    let e = only_error(&config);
    assert_eq!(
        e.message,
        "unterminated string: the `\"` at line 2 is never closed"
    );
    assert_eq!(at(text, e), (2, 16));
    assert_eq!(&text[e.range.as_usize()], "\"");
    let ret = find(&config, "return");
    assert!(!ret.terminated);
    assert_eq!(ret.args[1].value, "oops;");
    assert_eq!(&text[ret.args[1].range.as_usize()], "\"oops;");
    // The next line is read afresh; the block still closes.
    assert_eq!(find(&config, "listen").arg(0), Some("80"));
    assert!(find(&config, "http")
        .block
        .as_ref()
        .unwrap()
        .close
        .is_some());

    let config = parse("a 'b");
    assert_eq!(
        only_error(&config).message,
        "unterminated string: the `'` at line 1 is never closed"
    );
    assert_eq!(config.directives[0].arg(0), Some("b"));
}

#[test]
fn text_glued_to_a_quoted_string() {
    let text = "add_header X \"a\"b;\nif ($a = \"b\") { return 404; }\nreturn 200 \"x\"{\n}\n";
    let config = parse(text);
    let e = only_error(&config);
    assert_eq!(e.message, "unexpected `b` after a quoted string");
    assert_eq!(&text[e.range.as_usize()], "b");
    assert_eq!(
        find(&config, "add_header").arg_values().collect::<Vec<_>>(),
        ["X", "a", "b"]
    );
    // `)` and `{` right after a quote are fine in nginx.
    assert_eq!(
        find(&config, "if").arg_values().collect::<Vec<_>>(),
        ["($a", "=", "b", ")"]
    );
}

fn regex_help(text: &str) -> Option<String> {
    let config = parse(text);
    assert!(!config.errors.is_empty(), "expected errors for {text:?}");
    let helps: Vec<&str> = config
        .errors
        .iter()
        .filter_map(|e| e.help.as_deref())
        .collect();
    helps
        .iter()
        .find(|h| h.contains("unquoted regex"))
        .map(|h| h.to_string())
}

#[test]
fn brace_in_unquoted_regex_gets_a_hint() {
    assert_eq!(
        regex_help("location ~ ^/a{2}$ {\n    return 200;\n}\n").as_deref(),
        Some("`{` in an unquoted regex opens a block: quote it (\"^/a{2}$\")")
    );
    // Deep in a file, the error is at the outermost unclosed `{`: the help says where.
    assert_eq!(
        regex_help("http {\n  server {\n    location ~* \\.(png|jpg){1,3}$ {\n      expires 1d;\n    }\n  }\n}\n")
            .as_deref(),
        Some("`{` in an unquoted regex opens a block: quote it (\"\\.(png|jpg){1,3}$\" on line 3)")
    );
    assert_eq!(
        regex_help("server {\n  rewrite ^/x/[0-9]{4}/(.*)$ /$1 last;\n}\n").as_deref(),
        Some("`{` in an unquoted regex opens a block: quote it (\"^/x/[0-9]{4}/(.*)$\" on line 2)")
    );
    assert_eq!(
        regex_help("server {\n  if ($uri ~ ^/a{2}) { return 404; }\n}\n").as_deref(),
        Some("`{` in an unquoted regex opens a block: quote it (\"^/a{2}\" on line 2)")
    );
    assert_eq!(
        regex_help("map $uri $x {\n  ~^/a{2}$ 1;\n  default 0;\n}\n").as_deref(),
        Some("`{` in an unquoted regex opens a block: quote it (\"~^/a{2}$\" on line 2)")
    );
}

#[test]
fn quoted_regex_with_braces_is_fine_and_legit_braces_get_no_regex_hint() {
    let config = parse("location ~ \"^/a{2}$\" {\n    return 200;\n}\nrewrite '^/b{1,3}$' /c;\n");
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    assert_eq!(find(&config, "location").arg(1), Some("^/a{2}$"));
    // `server{` and `if (...){` glued to their `{` are valid; a later, unrelated error must
    // not blame them.
    assert_eq!(
        regex_help("server{\n  if ($a ~ ^b){ return 404; }\n  listen 80\n}\n"),
        None
    );
}

#[test]
fn stray_semicolon_and_brace() {
    let config = parse("listen 80;;\n{ root /x; }\n");
    let messages: Vec<&str> = config.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["unexpected `;`", "unexpected `{`"]);
    // The directives inside an anonymous block are kept.
    assert_eq!(names(&config), [("listen", 0), ("root", 0)]);
}

#[test]
fn binary_bytes_are_located_errors() {
    let text = "user nginx;\n\u{0}\u{0}\u{1}ELF\u{2}{{\n";
    let config = parse(text);
    let e = &config.errors[0];
    assert_eq!(e.message, "unexpected control character U+0000");
    assert_eq!(&text[e.range.as_usize()], "\u{0}\u{0}\u{1}");
    assert_eq!(at(text, e), (2, 1));
    assert!(config.errors.len() < 10, "{:#?}", config.errors);
    assert_eq!(config.directives[0].name, "user");

    // Bytes that were not UTF-8 arrive as U+001A (topolint_diagnostics::SUBSTITUTE): nginx
    // reads bytes, so a Latin-1 comment or argument is fine, and offsets stay put.
    let text = "# caf\u{1a} cr\u{1a}me\nserver_name caf\u{1a}.example;\n";
    let config = parse(text);
    assert!(config.errors.is_empty(), "{:#?}", config.errors);
    assert_eq!(config.comments.len(), 1);
    assert_eq!(config.directives[0].args[0].value, "caf\u{1a}.example");
}

#[test]
fn error_count_is_capped() {
    // Pseudo-random "binary" text: control characters, braces, quotes, letters, newlines.
    let alphabet: Vec<char> = "\u{0}\u{1}\u{7}\u{1a}{{}};'\"#\\$ \n\tabcdef\u{fffd}é"
        .chars()
        .collect();
    let mut state = 0x2545_f491_u32;
    let text: String = (0..1_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            alphabet[state as usize % alphabet.len()]
        })
        .collect();
    let config = parse(&text);
    assert_eq!(config.errors.len(), MAX_ERRORS + 1);
    let last = config.errors.last().unwrap();
    assert_eq!(
        last.message,
        format!("too many errors: stopped after {MAX_ERRORS}")
    );
    // Every error is inside the text and on char boundaries.
    for e in &config.errors {
        assert!(text.get(e.range.as_usize()).is_some(), "{e:?}");
    }

    // Lots of stray `}` alone also stop at the cap.
    let config = parse(&"}\n".repeat(10_000));
    assert_eq!(config.errors.len(), MAX_ERRORS + 1);
}

#[test]
fn deep_nesting_is_limited_not_a_crash() {
    let depth = 10_000;
    let text = format!("{}{}", "a {\n".repeat(depth), "}\n".repeat(depth));
    let config = parse(&text);
    let e = only_error(&config);
    assert_eq!(
        e.message,
        format!("blocks nested too deeply: more than {MAX_DEPTH} levels")
    );
    let max = config.walk().map(|(_, d)| d).max().unwrap();
    assert_eq!(max, MAX_DEPTH);
    assert!(config.walk().all(|(d, _)| d.terminated));

    // Never closed, or without names: errors (capped), no crash.
    let config = parse(&"a {".repeat(depth));
    assert!(!config.errors.is_empty() && config.errors.len() <= MAX_ERRORS + 1);
    let config = parse(&"{".repeat(depth));
    assert!(!config.errors.is_empty() && config.errors.len() <= MAX_ERRORS + 1);

    // Deeply nested Lua tables are one raw token (a depth counter, no recursion).
    let lua = format!(
        "content_by_lua_block {{ {}{} }}\nlisten 80;",
        "{".repeat(depth),
        "}".repeat(depth)
    );
    let config = parse(&lua);
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    assert_eq!(names(&config), [("content_by_lua_block", 0), ("listen", 0)]);
}

#[test]
fn lua_block_with_tricky_body_and_directives_after() {
    let text = "location / {\n    content_by_lua_block {\n        local s = \"}\" .. '}' -- }\n        local t = [==[ } ]==] --[[ } ]]\n        if x then t = { 1 } end\n    }\n    return 200;\n}\n";
    let config = parse(text);
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    assert_eq!(
        names(&config),
        [("location", 0), ("content_by_lua_block", 1), ("return", 1)]
    );
    let lua = find(&config, "content_by_lua_block");
    let raw = &text[lua.block.as_ref().unwrap().raw.unwrap().as_usize()];
    assert!(raw.contains("local s") && raw.trim_end().ends_with("end"));

    let text = "http {\n  content_by_lua_block {\n    t = {{\n  }\n}\n";
    let config = parse(text);
    let e = only_error(&config);
    assert_eq!(
        e.message,
        "unclosed Lua block: `{` at line 2 has no matching `}`"
    );
    assert_eq!(at(text, e), (2, 24));
}

#[test]
fn empty_inputs() {
    for text in ["", "\n\n", "   \t\r\n"] {
        let config = parse(text);
        assert_eq!(config, Config::default());
    }
    let config = parse("# only\n#comments\n   # here");
    assert!(config.errors.is_empty() && config.directives.is_empty());
    let texts: Vec<&str> = config.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, [" only", "comments", " here"]);
}

#[test]
fn byte_order_mark() {
    let config = parse("\u{feff}user nginx;\n");
    let e = only_error(&config);
    assert_eq!(e.message, "byte order mark at the start of the file");
    assert_eq!(config.directives[0].name, "user");
}

#[test]
fn directives_after_many_kinds_of_errors() {
    let text = "\
events {
    worker_connections 1024
}
http {
    server {
        listen 80
        server_name \"a\"b;
        location ~ ^/x{3}$ {
            return 200 'fine';
        }
    }
    upstream backend { server 10.0.0.1:80; }
}
";
    let config = parse(text);
    assert!(config.errors.len() >= 3, "{:#?}", config.errors);
    for name in [
        "worker_connections",
        "listen",
        "server_name",
        "location",
        "return",
        "upstream",
    ] {
        find(&config, name);
    }
    assert_eq!(
        find(&config, "upstream").children()[0].arg(0),
        Some("10.0.0.1:80")
    );
}
