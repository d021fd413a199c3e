//! The reference tokenizer: the pest grammar (`grammars/nginx.pest`), run as is.
//!
//! The grammar is the specification of how topolint splits nginx text into tokens; the
//! parser uses the hand-written scanner in `lexer.rs`, which must produce exactly the same
//! tokens (checked by [`crate::lexers_agree`] in property tests, over the whole real-world
//! corpus and in the fuzzer). The grammar is total, so one pest run turns (the rest of) a
//! file into a flat list of [`Tok`]s with absolute byte offsets.

use pest::iterators::Pair;
use pest::Parser as _;

mod grammar {
    // `#[grammar]` paths are tried relative to `CARGO_MANIFEST_DIR` first (then `src/`), so
    // `../../grammars/nginx.pest` is the grammar at the repository root.
    #[derive(pest_derive::Parser)]
    #[grammar = "../../grammars/nginx.pest"]
    pub(crate) struct NginxGrammar;
}

use grammar::{NginxGrammar, Rule};

use crate::lexer::{Kind, Tok};

/// Tokenizes `text[from..]`. Offsets in the result are absolute. Never fails: if pest ever
/// did (it should not, the grammar is total), the rest of the input becomes one `Stray`.
pub(crate) fn lex(text: &str, from: usize) -> Vec<Tok> {
    let Some(rest) = text.get(from..) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match NginxGrammar::parse(Rule::file, rest) {
        Ok(pairs) => {
            for file in pairs {
                for pair in file.into_inner() {
                    push_pair(pair, from, &mut out);
                }
            }
        }
        Err(_) => {
            if !rest.is_empty() {
                out.push(Tok {
                    kind: Kind::Stray,
                    start: from,
                    end: text.len(),
                });
            }
        }
    }
    out
}

fn push_pair(pair: Pair<'_, Rule>, base: usize, out: &mut Vec<Tok>) {
    let span = pair.as_span();
    let (start, end) = (base + span.start(), base + span.end());
    let kind = match pair.as_rule() {
        Rule::word => Kind::Word,
        Rule::string => Kind::Str(span.as_str().chars().next().unwrap_or('"')),
        Rule::semicolon => Kind::Semi,
        Rule::block_open => Kind::Open,
        Rule::block_close => Kind::Close,
        Rule::comment => Kind::Comment,
        Rule::control => Kind::Control,
        Rule::unterminated_string => {
            Kind::Unterminated(span.as_str().chars().next().unwrap_or('"'))
        }
        Rule::lua_name => Kind::LuaName,
        Rule::lua_body => Kind::LuaBody,
        Rule::lua_unterminated => Kind::LuaUnterminated,
        Rule::bom => Kind::Bom,
        Rule::stray => Kind::Stray,
        Rule::lua_block => {
            for inner in pair.into_inner() {
                push_pair(inner, base, out);
            }
            return;
        }
        // EOI, and rules that are silent or live inside atomic rules.
        _ => return,
    };
    out.push(Tok { kind, start, end });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grammar's tokens, after checking that the scanner gives the same.
    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        if let Err(diff) = crate::lexers_agree(text) {
            panic!("{diff}");
        }
        lex(text, 0)
            .into_iter()
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn words_strings_and_punctuation() {
        use Kind::*;
        assert_eq!(
            kinds("a b\"c ${x}{ \"q\\\"\" 'z'; } a#b #c\n"),
            vec![
                (Word, "a"),
                (Word, "b\"c"),
                (Word, "${x}"),
                (Open, "{"),
                (Str('"'), "\"q\\\"\""),
                (Str('\''), "'z'"),
                (Semi, ";"),
                (Close, "}"),
                (Word, "a#b"),
                (Comment, "#c"),
            ]
        );
    }

    #[test]
    fn escapes_keep_delimiters_inside_words() {
        use Kind::*;
        assert_eq!(
            kinds(r"a\;b\ c\{ x}"),
            vec![(Word, r"a\;b\ c\{"), (Word, "x}")]
        );
        // `\$` is an escape, so the `{` after it opens a block.
        assert_eq!(kinds(r"a\${"), vec![(Word, r"a\$"), (Open, "{")]);
    }

    #[test]
    fn lua_bodies_are_one_token() {
        use Kind::*;
        let text = "content_by_lua_block # c\n { a = \"}\" -- }\n b = [==[ } ]==] c = { x[1] } --[[ } ]] }";
        assert_eq!(
            kinds(text),
            vec![
                (LuaName, "content_by_lua_block"),
                (Comment, "# c"),
                (LuaBody, &text[text.find("{ a").unwrap()..]),
            ]
        );
    }

    #[test]
    fn lua_block_names_and_arguments() {
        use Kind::*;
        let text = "set_by_lua_block $res { return 1 }";
        assert_eq!(
            kinds(text),
            vec![
                (LuaName, "set_by_lua_block"),
                (Word, "$res"),
                (LuaBody, "{ return 1 }")
            ]
        );
        // Not Lua: no body, or the name is only a prefix or a suffix of the word.
        assert_eq!(
            kinds("a_by_lua_block;"),
            vec![(Word, "a_by_lua_block"), (Semi, ";")]
        );
        assert_eq!(kinds("a_by_lua_block_x {")[0], (Word, "a_by_lua_block_x"));
        assert_eq!(kinds("_by_lua_block {")[0], (Word, "_by_lua_block"));
        assert_eq!(kinds("x_by_lua_block foo;")[0], (Word, "x_by_lua_block"));
        assert_eq!(
            kinds("ssl_client_hello_by_lua_block {}")[0],
            (LuaName, "ssl_client_hello_by_lua_block")
        );
    }

    #[test]
    fn unterminated_things_swallow_the_rest() {
        use Kind::*;
        assert_eq!(
            kinds("a \"b;\nc;"),
            vec![(Word, "a"), (Unterminated('"'), "\"b;\nc;")]
        );
        assert_eq!(
            kinds("x_by_lua_block { t = { }"),
            vec![(LuaName, "x_by_lua_block"), (LuaUnterminated, "{ t = { }")]
        );
        // An unclosed long bracket does not leave anything on pest's stack.
        assert_eq!(
            kinds("x_by_lua_block { a[b] [=[ } y;"),
            vec![
                (LuaName, "x_by_lua_block"),
                (LuaBody, "{ a[b] [=[ }"),
                (Word, "y"),
                (Semi, ";")
            ]
        );
    }

    #[test]
    fn control_characters_and_bom() {
        use Kind::*;
        assert_eq!(
            kinds("\u{feff}a\u{0}\u{1}b"),
            vec![
                (Bom, "\u{feff}"),
                (Word, "a"),
                (Control, "\u{0}\u{1}"),
                (Word, "b")
            ]
        );
    }

    #[test]
    fn offsets_are_absolute() {
        let text = "a;\nbb;";
        let toks = lex(text, 3);
        assert_eq!(
            toks[0],
            Tok {
                kind: Kind::Word,
                start: 3,
                end: 5
            }
        );
        assert!(lex(text, 99).is_empty());
    }
}
