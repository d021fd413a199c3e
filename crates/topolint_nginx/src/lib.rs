//! nginx configuration parser for topolint.
//!
//! [`parse`] takes the text of one file and returns a [`Config`]: every directive, argument,
//! block and comment with its byte span ([`TextRange`]), plus the parse errors, each located
//! and worded for humans. It never touches the file system (includes are the caller's job:
//! see [`Config::includes`] and [`has_glob`]), never panics and never fails: a broken file
//! still yields every directive that could be read.
//!
//! # Design: a total token grammar plus a hand-written driver
//!
//! nginx itself has no grammar, only a tokenizer (`ngx_conf_read_token`) and a loop that
//! collects words until `;`, `{` or `}`. This crate has the same shape:
//!
//! 1. `grammars/nginx.pest` (at the repository root) specifies how the text splits into a
//!    flat stream of tokens exactly as nginx does: `#` starts a comment only at the start of
//!    a token, quotes are special only at the start of a token, `\x` escapes everywhere,
//!    `${var}` does not open a block, `}` inside a word is an ordinary character, and
//!    `*_by_lua_block` bodies are one raw token (Lua strings, long brackets, comments and
//!    nested braces respected). The grammar is *total*: malformed input becomes a token of
//!    its own (an unterminated string, a run of control characters, an unclosed Lua block),
//!    so tokenizing never stops at the first error. The parser runs a hand-written byte
//!    scanner (`lexer.rs`; the whole parse ~100 MiB/s) that yields the same tokens as the
//!    grammar run by pest (`reference.rs`, about 8 MB/s): [`lexers_agree`] compares the
//!    two, and the property tests, the real-world corpus test and a fuzz target call it.
//!    Line numbers come from one [`LineIndex`] built per file.
//! 2. A small iterative driver (no recursion, so 10 000 nested `{` cannot overflow the
//!    stack; depth is capped at [`MAX_DEPTH`]) groups tokens into directives and blocks and
//!    does the error recovery:
//!    * a `}` or the end of the file while a directive is still collecting arguments:
//!      "missing `;`", and the directive is kept (`terminated: false`);
//!    * a line that starts, at the directive's indentation or less, with a bare lowercase
//!      word (`sendfile`) while the previous directive has no `;` yet: nginx would read it as
//!      more arguments; we report "missing `;` at the end of line N?" and re-sync there, so
//!      the directives that follow keep their own identity;
//!    * an unmatched `}` is reported and skipped; an unclosed `{` is reported at the `{`;
//!    * an unterminated quote is reported, the string is cut at the end of its line, and the
//!      rest of the file is tokenized again from the next line (the only re-lexing; at most
//!      once per error, and errors are capped at [`MAX_ERRORS`]);
//!    * a `{` glued to an unquoted regex argument (`location ~ ^/a{2}$ {`) opens a block in
//!      nginx; when the parse then goes wrong the first structural error carries a help
//!      that says to quote the regex.
//!
//! Where crossplane's lexer and nginx disagree, nginx wins: `"a"b` is an error in nginx
//! ("unexpected `b` after a quoted string"); the tokens are still split the way crossplane
//! splits them (`a`, `b`), so the tree matches `crossplane lex`.
//!
//! The grammar is included with `#[grammar = "../../grammars/nginx.pest"]`: pest_derive
//! tries a relative path against `CARGO_MANIFEST_DIR` first (and `src/` only as a fallback),
//! so the path leads from `crates/topolint_nginx` to the repository root; pest_derive also
//! emits an `include_str!` of it, so editing the grammar rebuilds the crate.
//!
//! # Limits
//!
//! * "missing `;`" before the next line is a heuristic: a continuation line that starts with
//!   a bare lowercase word at the directive's own indentation (`add_header X y` then `always;`
//!   aligned under `add_header`) is taken for a new directive. nginx itself would accept it.
//! * Control characters (a NUL byte, an escape) are errors and separate tokens; nginx would
//!   keep them inside a word. U+001A, which the loader puts in place of each byte that is
//!   not UTF-8, is an ordinary character, as those bytes are for nginx.
//! * The grammar, not the scanner, is the specification: a change of tokenization starts in
//!   `grammars/nginx.pest`, and the scanner follows until [`lexers_agree`] holds again.

pub mod check;
pub mod directives;
mod lexer;
mod parser;
mod reference;

/// Checks that the tokenizer the parser uses (a hand-written byte scanner) splits `text`
/// exactly as the pest grammar `grammars/nginx.pest` does, from the start and from every
/// line start (the parser re-tokenizes from a line start after an unterminated string).
/// `Err` describes the first difference. Used by the tests and the `nginx_lexers` fuzz
/// target; not needed to parse.
#[doc(hidden)]
pub fn lexers_agree(text: &str) -> Result<(), String> {
    let starts = std::iter::once(0).chain(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i + 1)
            .take(64),
    );
    for from in starts {
        let fast: Vec<lexer::Tok> = lexer::Lexer::new(text, from).collect();
        let spec = reference::lex(text, from);
        if fast != spec {
            let at = fast
                .iter()
                .zip(&spec)
                .position(|(a, b)| a != b)
                .unwrap_or(fast.len().min(spec.len()));
            return Err(format!(
                "tokenizing from byte {from}: token {at} differs: scanner {:?}, grammar {:?} \
                 ({} vs {} tokens)",
                fast.get(at),
                spec.get(at),
                fast.len(),
                spec.len()
            ));
        }
    }
    Ok(())
}

#[doc(no_inline)]
pub use topolint_diagnostics::{LineIndex, TextRange};

/// At most this many errors are reported per file; then parsing stops with a final
/// "too many errors" note (a binary file must not produce megabytes of diagnostics).
pub const MAX_ERRORS: usize = 100;

/// Blocks nested deeper than this are reported and their contents skipped.
pub const MAX_DEPTH: usize = 200;

/// A name, argument or comment text: kept inline (no allocation of its own) up to 24
/// bytes, which nearly every directive name and argument is. A 100,000-file repository
/// has 510,000 directives and a million arguments, each of which was a separate
/// allocation as a `String`.
pub type Word = compact_str::CompactString;

/// A parsed file: top-level directives in order, all comments, and the parse errors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub directives: Vec<Directive>,
    /// Every comment of the file, in order, wherever it sits (between arguments too).
    pub comments: Vec<Comment>,
    /// Parse errors sorted by position; empty for a file nginx can read.
    pub errors: Vec<ParseError>,
}

/// One directive: `name arg1 arg2;` or `name args { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The name, unquoted and unescaped like an argument (nginx allows `"events" {}`).
    pub name: Word,
    /// The raw name token, quotes included.
    pub name_range: TextRange,
    pub args: Vec<Arg>,
    /// Boxed: most directives have none, and a directive is the tree's most numerous
    /// object (80 bytes with the block boxed, 128 inline).
    pub block: Option<Box<Block>>,
    /// From the start of the name to the end of the `;` or of the closing `}`; for a
    /// directive that is not terminated, to the end of what was read.
    pub range: TextRange,
    /// `true` when the directive ends with `;` or with its block's `}` (or a Lua block's
    /// `}`); `false` after a parse error (missing `;`, unclosed block).
    pub terminated: bool,
}

/// A `{ ... }` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The `{`.
    pub open: TextRange,
    /// The `}`; `None` when the block is never closed.
    pub close: Option<TextRange>,
    pub children: Vec<Directive>,
    /// For `*_by_lua_block` and other raw blocks: the text between the braces, which is not
    /// nginx syntax (`children` is then empty).
    pub raw: Option<TextRange>,
}

/// One argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// The value nginx sees: quotes removed, `\"`, `\'`, `\\`, `\t`, `\r`, `\n` unescaped
    /// (other backslashes are kept, as nginx keeps them).
    pub value: Word,
    /// The raw token, quotes included.
    pub range: TextRange,
    /// `Some('"')` or `Some('\'')` for a quoted argument.
    pub quote: Option<char>,
}

/// A `# ...` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From the `#` to the end of the line (line terminator excluded).
    pub range: TextRange,
    /// The text after the `#`.
    pub text: Word,
}

/// A parse error: message and optional help in rustc style (lowercase, no final period).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub range: TextRange,
    pub message: String,
    pub help: Option<String>,
}

/// Parses one nginx configuration file. Pure, total and linear in the size of `text`.
pub fn parse(text: &str) -> Config {
    parser::parse(text, &LineIndex::new(text))
}

/// [`parse`], with the line index of `text` that the caller already has (the loader's
/// source file keeps one for the spans of the findings; building a second one was 7 % of
/// parsing).
pub fn parse_indexed(text: &str, index: &LineIndex) -> Config {
    parser::parse(text, index)
}

/// Does an `include` pattern use globbing? nginx globs when the path contains `*`, `?` or
/// `[` (and then a pattern that matches nothing is not an error).
pub fn has_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

impl Directive {
    /// The value of argument `i`, if present.
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.value.as_str())
    }

    /// The argument values in order.
    pub fn arg_values(&self) -> impl Iterator<Item = &str> + '_ {
        self.args.iter().map(|a| a.value.as_str())
    }

    /// The directives of this directive's block (empty for a simple directive or a raw block).
    pub fn children(&self) -> &[Directive] {
        self.block.as_ref().map_or(&[], |b| b.children.as_slice())
    }

    /// `true` when the directive has a block (`server { ... }`), raw or not.
    pub fn is_block(&self) -> bool {
        self.block.is_some()
    }
}

impl Config {
    /// Every directive at any depth, in document order (pre-order), with its depth
    /// (0 for top-level directives).
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            stack: vec![self.directives.iter()],
        }
    }

    /// Every `include` directive at any depth, in document order.
    pub fn includes(&self) -> Vec<&Directive> {
        self.walk()
            .map(|(d, _)| d)
            .filter(|d| d.name == "include")
            .collect()
    }

    /// The chain of directives whose range contains byte `offset`, outermost first (for
    /// "what am I in?" questions from an editor). Empty when the offset is outside all.
    pub fn path_at(&self, offset: u32) -> Vec<&Directive> {
        let mut path = Vec::new();
        let mut level = self.directives.as_slice();
        while let Some(d) = level.iter().find(|d| d.range.contains(offset)) {
            path.push(d);
            level = d.children();
        }
        path
    }
}

/// Pre-order iterator over all directives; see [`Config::walk`].
#[derive(Clone, Debug)]
pub struct Walk<'a> {
    stack: Vec<std::slice::Iter<'a, Directive>>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = (&'a Directive, usize);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let depth = self.stack.len().checked_sub(1)?;
            let top = self.stack.last_mut()?;
            match top.next() {
                Some(d) => {
                    let children = d.children();
                    if !children.is_empty() {
                        self.stack.push(children.iter());
                    }
                    return Some((d, depth));
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}
