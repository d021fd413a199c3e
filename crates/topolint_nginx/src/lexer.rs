//! The tokenizer: a hand-written scanner over bytes that splits text exactly as the pest
//! grammar `grammars/nginx.pest` does (and so as nginx's `ngx_conf_read_token` does).
//!
//! Why two: the grammar is the readable specification, but pest's per-rule bookkeeping
//! makes it run at about 8 MB/s, the slowest stage of a whole `topolint check`. This
//! scanner is a loop over a byte-class table and yields tokens lazily, without a token
//! vector: a whole parse, tree included, runs at ~100 MiB/s (docs/benchmarks.md). Equality with the grammar is not hoped for, it is
//! checked: `crate::lexers_agree` runs both on the same text, and the property tests, the
//! real-world corpus test and the `nginx_lexers` fuzz target call it. When the grammar
//! changes, this file must change with it (the tests fail until it does).
//!
//! Working on bytes is exact: every character the grammar treats specially is ASCII, and
//! the bytes of a multi-byte UTF-8 character (all >= 0x80) are ordinary everywhere the
//! grammar accepts "any character", so a token boundary always falls on a char boundary.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An unquoted word.
    Word,
    /// A quoted string; the quote character.
    Str(char),
    Semi,
    Open,
    Close,
    Comment,
    /// A run of control characters.
    Control,
    /// A quote that is never closed; the token runs to the end of the input.
    Unterminated(char),
    /// A `*_by_lua_block` directive name (a `LuaBody` or `LuaUnterminated` follows,
    /// possibly after comments).
    LuaName,
    /// `{ <lua> }`, braces included.
    LuaBody,
    /// `{ <lua>` to the end of the input.
    LuaUnterminated,
    /// A byte order mark at the start of the input.
    Bom,
    /// A character no rule took. The grammar keeps this rule to stay total; no input
    /// reaches it (every byte starts some other token), so only the reference lexer could
    /// ever produce it.
    Stray,
}

/// A token: kind and absolute byte range `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

// Byte classes (grammar rule in parentheses).
/// Space, tab, CR, LF (`ws`).
const WS: u8 = 1;
/// C0 controls other than tab/CR/LF, and DEL (`control_char`). U+001A is not one.
const CONTROL: u8 = 2;
/// Ordinary anywhere in a word (`word_char`), including every byte >= 0x80 and 0x1A.
const WORD: u8 = 4;
/// Ordinary inside a word but special at the start of a token (`word_inner`): `#"'}`.
const INNER: u8 = 8;

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b' ' | b'\t' | b'\r' | b'\n' => WS,
            0x1A => WORD,
            0x00..=0x1F | 0x7F => CONTROL,
            b'#' | b'"' | b'\'' | b'}' => INNER,
            // `;` and `{` end a word; `\` and `$` are handled on their own.
            b';' | b'{' | b'\\' | b'$' => 0,
            _ => WORD,
        };
        b += 1;
    }
    t
}

static CLASS: [u8; 256] = classes();

/// The suffix that makes a word a Lua block name.
const LUA_SUFFIX: &[u8] = b"_by_lua_block";

/// Tokens of `text[from..]`, with absolute offsets, one at a time. Never fails; the whole
/// input is covered by tokens and whitespace.
pub(crate) struct Lexer<'t> {
    bytes: &'t [u8],
    pos: usize,
    /// Tokens found ahead of `pos` (a Lua block name with its arguments and body is
    /// recognised as a whole, then handed out one token at a time).
    queue: std::collections::VecDeque<Tok>,
}

impl<'t> Lexer<'t> {
    pub(crate) fn new(text: &'t str, from: usize) -> Self {
        let mut lexer = Lexer {
            bytes: text.as_bytes(),
            pos: text.len(),
            queue: std::collections::VecDeque::new(),
        };
        // Past the end or not on a char boundary: no tokens (as the reference).
        if let Some(rest) = text.get(from..) {
            lexer.pos = from;
            if rest.starts_with('\u{FEFF}') {
                lexer.queue.push_back(Tok {
                    kind: Kind::Bom,
                    start: from,
                    end: from + 3,
                });
                lexer.pos = from + 3;
            }
        }
        lexer
    }

    /// End of the word starting at `start` (`word`); `start` itself when no word starts
    /// there.
    fn word_end(&self, start: usize) -> usize {
        let b = self.bytes;
        let mut i = start;
        let mut first = true;
        while let Some(&c) = b.get(i) {
            let class = CLASS[c as usize];
            if class & WORD != 0 || (!first && class & INNER != 0) {
                i += 1;
            } else if c == b'\\' {
                // `escape` (`\` and any character) or a lone `\` at the very end.
                i += 1;
                if i < b.len() {
                    i += 1;
                }
            } else if c == b'$' {
                // `variable`: `$` with an optional `{`.
                i += 1;
                if b.get(i) == Some(&b'{') {
                    i += 1;
                }
            } else {
                break;
            }
            first = false;
        }
        i
    }

    /// End of the quoted string starting at `start` (its quote included), or `None` when
    /// it is never closed (`string` / `unterminated_string`).
    fn string_end(&self, start: usize) -> Option<usize> {
        let b = self.bytes;
        let quote = b[start];
        let mut i = start + 1;
        loop {
            match b.get(i)? {
                &c if c == quote => return Some(i + 1),
                b'\\' => {
                    // An escape needs a character after the backslash.
                    b.get(i + 1)?;
                    i += 2;
                }
                _ => i += 1,
            }
        }
    }

    /// End of the comment starting at `start` (`comment`).
    fn comment_end(&self, start: usize) -> usize {
        let b = self.bytes;
        let mut i = start + 1;
        while let Some(&c) = b.get(i) {
            let ok = match c {
                b'\n' => false,
                b'\r' => b.get(i + 1) != Some(&b'\n'),
                b'\t' | 0x1A => true,
                _ => CLASS[c as usize] & CONTROL == 0,
            };
            if !ok {
                break;
            }
            i += 1;
        }
        i
    }

    /// End of a `*_by_lua_block` name at `start` (`lua_name`), if one is there.
    fn lua_name_end(&self, start: usize) -> Option<usize> {
        let b = self.bytes;
        if !b.get(start)?.is_ascii_lowercase() {
            return None;
        }
        let mut i = start;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_lowercase() || *c == b'_')
        {
            i += 1;
        }
        // The name must be followed by whitespace or `{`.
        let next = *b.get(i)?;
        if !(CLASS[next as usize] & WS != 0 || next == b'{') {
            return None;
        }
        let name = &b[start..i];
        let prefix = name.strip_suffix(LUA_SUFFIX)?;
        // The prefix is lowercase words joined by single underscores.
        if prefix.is_empty() || prefix.ends_with(b"_") || prefix.windows(2).any(|w| w == b"__") {
            return None;
        }
        Some(i)
    }

    /// End of a Lua long bracket (`[[ ]]`, `[==[ ]==]`) starting at `start`, if it is one
    /// and it is closed (`lua_long_string`).
    fn lua_long_end(&self, start: usize) -> Option<usize> {
        let b = self.bytes;
        let mut i = start + 1;
        let mut level = 0;
        while b.get(i) == Some(&b'=') {
            level += 1;
            i += 1;
        }
        if b.get(i) != Some(&b'[') {
            return None;
        }
        i += 1;
        loop {
            if *b.get(i)? == b']' {
                let eqs = b[i + 1..].iter().take_while(|&&c| c == b'=').count();
                if eqs >= level && b.get(i + 1 + level) == Some(&b']') {
                    return Some(i + level + 2);
                }
            }
            i += 1;
        }
    }

    /// End of a Lua body `{ ... }` starting at `start` (`lua_body`), or `None` when its
    /// closing brace never comes (`lua_unterminated`).
    fn lua_body_end(&self, start: usize) -> Option<usize> {
        let b = self.bytes;
        let mut depth = 0usize;
        let mut i = start + 1;
        loop {
            let c = *b.get(i)?;
            match c {
                b'-' if b.get(i + 1) == Some(&b'-') => {
                    // `lua_comment`: a long bracket, else to the end of the line.
                    i += 2;
                    if b.get(i) == Some(&b'[') {
                        if let Some(end) = self.lua_long_end(i) {
                            i = end;
                            continue;
                        }
                    }
                    while b.get(i).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                }
                b'[' => match self.lua_long_end(i) {
                    Some(end) => i = end,
                    None => i += 1,
                },
                b'"' | b'\'' => {
                    // `lua_short_string`: escapes; an unclosed one ends at its line.
                    i += 1;
                    while let Some(&d) = b.get(i) {
                        if d == b'\\' {
                            i += 1;
                            if i < b.len() {
                                i += 1;
                            }
                        } else if d == c {
                            i += 1;
                            break;
                        } else if d == b'\n' {
                            break;
                        } else {
                            i += 1;
                        }
                    }
                }
                b'{' => {
                    depth += 1;
                    i += 1;
                }
                b'}' => {
                    if depth == 0 {
                        return Some(i + 1);
                    }
                    depth -= 1;
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }

    /// A whole `lua_block` at `start`: the name, its arguments and comments, the body. Fills
    /// the queue and returns true, or returns false (and the name is an ordinary word).
    fn lua_block(&mut self, start: usize) -> bool {
        let Some(name_end) = self.lua_name_end(start) else {
            return false;
        };
        let b = self.bytes;
        let mut toks = vec![Tok {
            kind: Kind::LuaName,
            start,
            end: name_end,
        }];
        let mut i = name_end;
        loop {
            let Some(&c) = b.get(i) else {
                return false;
            };
            if CLASS[c as usize] & WS != 0 {
                i += 1;
            } else if c == b'#' {
                let end = self.comment_end(i);
                toks.push(Tok {
                    kind: Kind::Comment,
                    start: i,
                    end,
                });
                i = end;
            } else if c == b'"' || c == b'\'' {
                let Some(end) = self.string_end(i) else {
                    return false;
                };
                toks.push(Tok {
                    kind: Kind::Str(c as char),
                    start: i,
                    end,
                });
                i = end;
            } else if c == b'{' {
                let (kind, end) = match self.lua_body_end(i) {
                    Some(end) => (Kind::LuaBody, end),
                    None => (Kind::LuaUnterminated, b.len()),
                };
                toks.push(Tok {
                    kind,
                    start: i,
                    end,
                });
                self.queue.extend(toks);
                self.pos = end;
                return true;
            } else {
                let end = self.word_end(i);
                if end == i {
                    return false;
                }
                toks.push(Tok {
                    kind: Kind::Word,
                    start: i,
                    end,
                });
                i = end;
            }
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Tok;

    fn next(&mut self) -> Option<Tok> {
        if let Some(tok) = self.queue.pop_front() {
            return Some(tok);
        }
        let b = self.bytes;
        let mut i = self.pos;
        while b.get(i).is_some_and(|&c| CLASS[c as usize] & WS != 0) {
            i += 1;
        }
        let c = *b.get(i)?;
        let start = i;
        let (kind, end) = match c {
            b';' => (Kind::Semi, i + 1),
            b'{' => (Kind::Open, i + 1),
            b'}' => (Kind::Close, i + 1),
            b'#' => (Kind::Comment, self.comment_end(i)),
            b'"' | b'\'' => match self.string_end(i) {
                Some(end) => (Kind::Str(c as char), end),
                None => (Kind::Unterminated(c as char), b.len()),
            },
            _ if CLASS[c as usize] & CONTROL != 0 => {
                let mut end = i + 1;
                while b
                    .get(end)
                    .is_some_and(|&c| CLASS[c as usize] & CONTROL != 0)
                {
                    end += 1;
                }
                (Kind::Control, end)
            }
            _ => {
                if c.is_ascii_lowercase() && self.lua_block(i) {
                    return self.queue.pop_front();
                }
                // Every other byte starts a word (`word_char`, `\`, `$`).
                (Kind::Word, self.word_end(i))
            }
        };
        self.pos = end;
        Some(Tok { kind, start, end })
    }
}
