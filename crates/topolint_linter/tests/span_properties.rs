//! Property tests of the span invariants (docs/reliability.md): whatever the input, every
//! span the parsers and the rules report lies inside its file and on char boundaries, and
//! nothing panics. Inputs are drawn from the tokens these formats are made of (so they
//! reach deep into the parsers and the linker, which random bytes rarely do), mixed with
//! arbitrary text, multi-byte characters, BOMs and CR/LF variants.
//!
//! The fuzz targets in `fuzz/` check the same invariants with coverage guidance; these run
//! in every `cargo test`.

use std::path::PathBuf;

use proptest::prelude::*;
use topolint_diagnostics::{SourceMap, TextRange};
use topolint_workspace::{load, Input, LoadOptions, MemoryFs};

const NGINX: &[&str] = &[
    "events {}\n",
    "http {\n",
    "server {\n",
    "}\n",
    "}",
    "{",
    ";",
    ";\n",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "listen 80;\n",
    "listen [::1]:8080 ssl;\n",
    "location / {\n",
    "location ~ ^/a{2}$ {\n",
    "proxy_pass http://api:8000;\n",
    "proxy_pass http://localhost:3000;\n",
    "proxy_pass http://$backend;\n",
    "upstream be {\n",
    "server api:8081;\n",
    "proxy_read_timeout 90s;\n",
    "include conf.d/*.conf;\n",
    "include ../../etc/*;\n",
    "resolver 127.0.0.11 valid=5s;\n",
    "set $x \"a\\\"b\";\n",
    "'quoted arg'",
    "\"",
    "'",
    "\\",
    "#",
    "# comment é\n",
    "${var}",
    "$host",
    "пример",
    "é",
    "😀",
    "\u{feff}",
    "\u{1a}",
    "content_by_lua_block {\n",
    "ngx.say('}')\n",
    "return 200 a#b;\n",
];

const YAML: &[&str] = &[
    "services:\n",
    "  api:\n",
    "    image: nginx:1.27\n",
    "    ports:\n",
    "      - \"8080:80\"\n",
    "      - 8081:8000\n",
    "    depends_on: [db]\n",
    "    healthcheck:\n",
    "      test: [\"CMD\", \"true\"]\n",
    "    network_mode: service:api\n",
    "  db:\n",
    "---\n",
    "...\n",
    "apiVersion: v1\n",
    "kind: Service\n",
    "kind: Deployment\n",
    "kind: VirtualService\n",
    "metadata:\n",
    "  name: api\n",
    "  namespace: shop\n",
    "spec:\n",
    "  selector:\n",
    "    app: api\n",
    "  ports:\n",
    "  - port: 80\n",
    "    targetPort: 8000\n",
    "  template:\n",
    "    metadata:\n",
    "      labels:\n",
    "        app: api\n",
    "  hosts: [\"*\"]\n",
    "  http:\n",
    "  - timeout: 3s\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "? ",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "|\n",
    ">-\n",
    "#",
    "# c é\n",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "пример",
    "😀",
    "\u{feff}",
    "!!str ",
    "%YAML 1.2\n",
];

fn from_tokens(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(tokens).prop_map(str::to_string),
            1 => ".{0,8}",
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

fn inside(text: &str, r: TextRange, what: &str) -> Result<(), TestCaseError> {
    let (s, e) = (r.start as usize, r.end as usize);
    prop_assert!(
        s <= e && e <= text.len(),
        "{what}: {s}..{e} outside {} bytes",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(s) && text.is_char_boundary(e),
        "{what}: {s}..{e} not on char boundaries"
    );
    Ok(())
}

/// Every label of every finding lies inside its file and on char boundaries.
fn findings_inside(
    sources: &SourceMap,
    findings: &[topolint_diagnostics::Diagnostic],
) -> Result<(), TestCaseError> {
    for d in findings {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let file = sources.get(label.file);
            prop_assert!(file.is_some(), "{}: a label in an unknown file", d.rule);
            inside(&file.unwrap().text, label.range, &d.rule)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn nginx_spans_stay_inside(text in prop_oneof![from_tokens(NGINX, 80), ".{0,200}"]) {
        let config = topolint_nginx::parse(&text);
        for e in &config.errors {
            inside(&text, e.range, "parse error")?;
        }
        for c in &config.comments {
            inside(&text, c.range, "comment")?;
        }
        for (d, _) in config.walk() {
            inside(&text, d.range, "directive")?;
            inside(&text, d.name_range, "directive name")?;
            for a in &d.args {
                inside(&text, a.range, "argument")?;
            }
        }
        for p in topolint_nginx::check::check(&config) {
            inside(&text, p.range, "directive problem")?;
        }
    }

    #[test]
    fn yaml_spans_stay_inside(text in prop_oneof![from_tokens(YAML, 80), ".{0,200}"]) {
        let file = topolint_yaml::parse(&text);
        for n in &file.nodes {
            inside(&text, n.range, "node")?;
        }
        for d in &file.documents {
            inside(&text, d.range, "document")?;
        }
        for c in &file.comments {
            inside(&text, c.range, "comment")?;
        }
        for e in &file.errors {
            inside(&text, e.range, "error")?;
        }
        for k in &file.duplicate_keys {
            inside(&text, k.first, "first key")?;
            inside(&text, k.duplicate, "duplicate key")?;
        }
    }

    /// A whole project in memory (nginx tree, compose with override, manifests): load,
    /// link, every rule; every finding's spans inside their files.
    #[test]
    fn findings_of_a_whole_project_stay_inside(
        nginx in from_tokens(NGINX, 40),
        site in from_tokens(NGINX, 40),
        compose in from_tokens(YAML, 50),
        override_ in from_tokens(YAML, 20),
        k8s in from_tokens(YAML, 50),
    ) {
        let root = PathBuf::from("/p");
        let mut fs = MemoryFs::new();
        fs.insert(root.join("nginx/nginx.conf"), nginx.into_bytes());
        fs.insert(root.join("nginx/conf.d/default.conf"), site.into_bytes());
        fs.insert(root.join("compose.yaml"), compose.into_bytes());
        fs.insert(root.join("compose.override.yaml"), override_.into_bytes());
        fs.insert(root.join("k8s/app.yaml"), k8s.into_bytes());
        let ws = load(&[Input::Path(root)], &LoadOptions::default(), &fs).expect("the root exists");
        let out = topolint_linter::run(&ws, &Default::default());
        findings_inside(&ws.sources, &out.findings)?;
    }
}
