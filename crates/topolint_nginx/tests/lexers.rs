//! The tokenizer the parser runs (a hand-written byte scanner) against its specification,
//! the pest grammar `grammars/nginx.pest`: both must split every text into the same tokens.
//! Checked on generated text made of the pieces the grammar treats specially, on every file
//! of the real-world corpus and of the rule fixtures, and on generated stacks.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use topolint_nginx::lexers_agree;

/// Pieces that exercise every rule of the grammar, including broken input.
const PIECES: &[&str] = &[
    "a",
    "server",
    "x_by_lua_block",
    "content_by_lua_block",
    "_by_lua_block",
    "a__by_lua_block",
    "by_lua_block",
    "_",
    "Z",
    "9",
    "{",
    "}",
    ";",
    "\"",
    "'",
    "\\",
    "$",
    "${",
    "#",
    "--",
    "[",
    "]",
    "=",
    "[[",
    "]]",
    "[==[",
    "]==]",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\u{0}",
    "\u{1a}",
    "\u{7f}",
    "\u{b}",
    "é",
    "\u{feff}",
    "-",
    "(",
    ")",
    "~",
    "^",
    "/",
    "*",
];

/// Pieces of Lua code: braces inside strings, long brackets and comments do not count.
const LUA: &[&str] = &[
    "{", "}", "\"", "'", "\\", "--", "[", "]", "=", "[[", "]]", "[=[", "]=]", "[==[", "]==]", "\n",
    " ", "a", "-", "x = 1",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..64).prop_map(|p| p.concat())
}

/// A Lua block: a name, maybe arguments, a body of Lua pieces, maybe more nginx after it.
fn lua_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(
            &[
                "content_by_lua_block",
                "set_by_lua_block $a",
                "x_by_lua_block #c\n",
            ][..],
        ),
        prop::collection::vec(prop::sample::select(LUA), 0..40),
        text(),
    )
        .prop_map(|(name, body, rest)| format!("{name} {{{}}}{rest}", body.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn scanner_matches_the_grammar_on_special_pieces(text in text()) {
        if let Err(diff) = lexers_agree(&text) {
            prop_assert!(false, "{diff} in {text:?}");
        }
    }

    #[test]
    fn scanner_matches_the_grammar_on_lua_blocks(text in lua_text()) {
        if let Err(diff) = lexers_agree(&text) {
            prop_assert!(false, "{diff} in {text:?}");
        }
    }

    #[test]
    fn scanner_matches_the_grammar_on_any_text(text in any::<String>()) {
        if let Err(diff) = lexers_agree(&text) {
            prop_assert!(false, "{diff} in {text:?}");
        }
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn scanner_matches_the_grammar_on_every_real_and_fixture_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    // The shared corpus when it is beside the checkout (CI has it), the repository's own
    // rule fixtures and examples always.
    for dir in ["../shared/corpus", "rules", "examples", "tests"] {
        files_under(&root.join(dir), &mut files);
    }
    let mut checked = 0;
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        // Every text file: YAML and Markdown are not nginx, but the tokenizers must still
        // agree on them (the grammar is total).
        let text = String::from_utf8_lossy(&bytes);
        if let Err(diff) = lexers_agree(&text) {
            panic!("{}: {diff}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} files found");
}

#[test]
fn scanner_matches_the_grammar_on_generated_stacks() {
    let corpus = topolint_corpusgen::generate(&topolint_corpusgen::Spec {
        stacks: 20,
        seed: 7,
        defect_per_mille: 300,
    });
    for (path, text) in &corpus.files {
        if let Err(diff) = lexers_agree(text) {
            panic!("{path}: {diff}");
        }
    }
}
