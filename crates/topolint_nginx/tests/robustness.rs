//! Generated garbage: the parser never panics, every span is inside the text on character
//! boundaries, children sit inside their parents, and the error count stays bounded.

use topolint_nginx::{parse, Config, Directive, TextRange, MAX_ERRORS};

/// Pieces that exercise every corner of the tokenizer and the driver.
const PIECES: &[&str] = &[
    " ",
    "\n",
    "\r\n",
    "\t",
    ";",
    "{",
    "}",
    "\"",
    "'",
    "#",
    "\\",
    "$",
    "${",
    "a",
    "b}",
    "#c\n",
    "listen",
    "server",
    "location ~ ^/a{2}$ {",
    "\"q\"",
    "'q'",
    "\"x",
    "content_by_lua_block {",
    "set_by_lua_block $r {",
    "--",
    "[[",
    "]]",
    "[=[",
    "]=]",
    "--[[",
    "(",
    ")",
    "é",
    "рус",
    "\u{0}",
    "\u{1a}",
    "\u{7f}",
    "\u{feff}",
    "😀",
    "if ($a ~ b){",
    "=",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize
    }
}

fn check_range(text: &str, r: TextRange, what: &str) {
    assert!(r.start <= r.end, "{what}: {r:?} reversed in {text:?}");
    assert!(
        text.get(r.as_usize()).is_some(),
        "{what}: {r:?} not a slice of {text:?}"
    );
}

fn check_directive(text: &str, d: &Directive, parent: Option<TextRange>) {
    check_range(text, d.range, "directive");
    check_range(text, d.name_range, "name");
    assert!(
        d.range.start == d.name_range.start && d.name_range.end <= d.range.end,
        "{d:?}"
    );
    if let Some(p) = parent {
        assert!(
            p.start <= d.range.start && d.range.end <= p.end,
            "{d:?} outside {p:?} in {text:?}"
        );
    }
    for a in &d.args {
        check_range(text, a.range, "arg");
        assert!(
            a.range.start >= d.name_range.end && a.range.end <= d.range.end,
            "{a:?} in {text:?}"
        );
    }
    if let Some(b) = &d.block {
        check_range(text, b.open, "open");
        assert_eq!(text.get(b.open.as_usize()), Some("{"));
        if let Some(c) = b.close {
            assert_eq!(text.get(c.as_usize()), Some("}"));
        }
        if let Some(raw) = b.raw {
            check_range(text, raw, "raw");
        }
        for child in &b.children {
            check_directive(text, child, Some(d.range));
        }
    }
}

fn check(text: &str) -> Config {
    let config = parse(text);
    for d in &config.directives {
        check_directive(text, d, None);
    }
    for c in &config.comments {
        check_range(text, c.range, "comment");
        assert!(text[c.range.as_usize()].starts_with('#'));
    }
    for e in &config.errors {
        check_range(text, e.range, "error");
        assert!(!e.message.is_empty() && !e.message.ends_with('.'), "{e:?}");
    }
    assert!(config.errors.len() <= MAX_ERRORS + 1);
    config
}

#[test]
fn random_piece_soup_never_breaks_invariants() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3_000 {
        let len = rng.next() % 40;
        let text: String = (0..len)
            .map(|_| PIECES[rng.next() % PIECES.len()])
            .collect();
        check(&text);
    }
}

#[test]
fn every_prefix_of_a_real_config_parses() {
    // What an editor sees while the file is being typed.
    let full = "\
user nginx;
http {
    map $uri $x { '~^/a' 1; default 0; }
    server {
        listen 80; # port
        location ~ \"^/v[0-9]{2}\" {
            content_by_lua_block { ngx.say(\"}\") }
            proxy_pass http://backend:8080;
        }
    }
}
";
    for (i, _) in full.char_indices() {
        let config = check(&full[..i]);
        if i > 0 {
            assert_eq!(config.directives[0].name_range.start, 0);
        }
    }
    assert!(check(full).errors.is_empty());
}
