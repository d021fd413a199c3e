//! The driver: tokens to directives and blocks, with error recovery.

use topolint_diagnostics::{LineIndex, TextRange};

use crate::lexer::{Kind, Lexer, Tok};
use crate::{Arg, Block, Comment, Config, Directive, ParseError, MAX_DEPTH, MAX_ERRORS};

pub(crate) fn parse(text: &str, index: &LineIndex) -> Config {
    let mut driver = Driver::new(text, index);
    driver.run();
    driver.finish()
}

/// A directive that is still collecting arguments.
struct Pending {
    name: crate::Word,
    name_range: TextRange,
    name_quoted: bool,
    /// The name is the first token on its line (its column is then its indentation).
    name_first_on_line: bool,
    args: Vec<Arg>,
    /// End of the last token read for this directive.
    last_end: usize,
    /// An error was already reported for this directive: end it without another one.
    quiet: bool,
}

/// An open block.
struct Frame {
    /// The directive that opened it; `None` for a `{` with no directive before it (its
    /// children are handed to the enclosing block when it closes).
    header: Option<Pending>,
    open: TextRange,
    children: Vec<Directive>,
    last_end: usize,
}

/// A block nested deeper than [`MAX_DEPTH`], whose contents are skipped.
struct Skip {
    header: Option<Pending>,
    open: TextRange,
    depth: usize,
}

/// A `{` glued to what looks like an unquoted regex: if the parse goes wrong later, the
/// first structural error says so.
struct Suspect {
    line: usize,
    regex: String,
}

/// A `}` that closes a block but is indented less than the block's directive: the likely
/// place of a missing `}` when a block is unclosed at the end of the file.
struct Mismatch {
    close: usize,
    close_line: usize,
    name: String,
    name_line: usize,
}

struct Driver<'t> {
    text: &'t str,
    index: &'t LineIndex,
    errors: Vec<ParseError>,
    comments: Vec<Comment>,
    top: Vec<Directive>,
    frames: Vec<Frame>,
    pending: Option<Pending>,
    skip: Option<Skip>,
    suspect: Option<Suspect>,
    mismatch: Option<Mismatch>,
    /// End of the previous token if it was a quoted string (nginx wants a space after it).
    after_quote: Option<usize>,
    /// End of the previous token of any kind.
    prev_end: Option<usize>,
    /// Start of the token being processed (where parsing stops at the error limit).
    pos: usize,
    /// Error limit reached here: stop and add a note.
    stopped_at: Option<usize>,
    /// The rest of the file was swallowed by an unclosed Lua block: do not also report the
    /// blocks around it as unclosed.
    eof_quiet: bool,
    /// Emptied argument and child lists, kept for the next directive and block: each list
    /// is collected here and copied once into a list of its exact size ([`Driver::exact`]).
    spare_args: Vec<Vec<Arg>>,
    spare_children: Vec<Vec<Directive>>,
}

enum Step {
    Next,
    /// Tokenize again from this offset.
    Relex(usize),
}

impl<'t> Driver<'t> {
    fn new(text: &'t str, index: &'t LineIndex) -> Self {
        Self {
            text,
            index,
            errors: Vec::new(),
            comments: Vec::new(),
            top: Vec::new(),
            frames: Vec::new(),
            pending: None,
            skip: None,
            suspect: None,
            mismatch: None,
            after_quote: None,
            prev_end: None,
            pos: 0,
            stopped_at: None,
            eof_quiet: false,
            spare_args: Vec::new(),
            spare_children: Vec::new(),
        }
    }

    // ----- helpers -------------------------------------------------------------------

    fn range(start: usize, end: usize) -> TextRange {
        TextRange::from_usize(start, end)
    }

    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end).unwrap_or("")
    }

    /// 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.index
            .line_of(u32::try_from(offset).unwrap_or(u32::MAX))
            + 1
    }

    /// Byte column (0-based) of `offset` in its line.
    fn column(&self, offset: usize) -> usize {
        let line = self
            .index
            .line_of(u32::try_from(offset).unwrap_or(u32::MAX));
        let start = self.index.line_start(line).unwrap_or(0) as usize;
        offset.saturating_sub(start)
    }

    /// End of the line containing `offset` (before `\r\n` or `\n`), and the start of the
    /// next line (or the end of the text).
    fn line_end(&self, offset: usize) -> (usize, usize) {
        let line = self
            .index
            .line_of(u32::try_from(offset).unwrap_or(u32::MAX));
        let range = self
            .index
            .line_range(line, self.text)
            .unwrap_or(offset..offset);
        let next = self
            .index
            .line_start(line + 1)
            .map_or(self.text.len(), |s| s as usize);
        (range.end.max(offset), next.max(offset))
    }

    fn error(&mut self, range: TextRange, message: String, help: Option<String>) {
        if self.stopped_at.is_some() {
            return;
        }
        if self.errors.len() >= MAX_ERRORS {
            self.stopped_at = Some(self.pos);
            return;
        }
        self.errors.push(ParseError {
            range,
            message,
            help,
        });
    }

    /// An error that breaks the block structure: the place where a pending regex hint
    /// (`{` in an unquoted regex) or an indentation hint goes.
    fn structural_error(&mut self, range: TextRange, message: String, help: Option<String>) {
        let help = help.or_else(|| self.regex_help(range));
        self.error(range, message, help);
    }

    fn regex_help(&mut self, at: TextRange) -> Option<String> {
        let suspect = self.suspect.take()?;
        let quoted = if suspect.regex.contains('"') {
            format!("'{}'", suspect.regex)
        } else {
            format!("\"{}\"", suspect.regex)
        };
        let place = if self.line(at.start as usize) == suspect.line {
            String::new()
        } else {
            format!(" on line {}", suspect.line)
        };
        Some(format!(
            "`{{` in an unquoted regex opens a block: quote it ({quoted}{place})"
        ))
    }

    fn push_directive(&mut self, directive: Directive) {
        match self.frames.last_mut() {
            Some(frame) => {
                frame.last_end = frame.last_end.max(directive.range.end as usize);
                frame.children.push(directive);
            }
            None => self.top.push(directive),
        }
    }

    fn make_arg(&self, start: usize, end: usize, quote: Option<char>) -> Arg {
        let raw = self.slice(start, end);
        let inner = match quote {
            Some(q) => {
                let body = raw.strip_prefix(q).unwrap_or(raw);
                body.strip_suffix(q).unwrap_or(body)
            }
            None => raw,
        };
        Arg {
            value: unescape(inner),
            range: Self::range(start, end),
            quote,
        }
    }

    fn start_pending(&mut self, arg: Arg, first_on_line: bool) {
        self.pending = Some(Pending {
            name: arg.value,
            name_range: arg.range,
            name_quoted: arg.quote.is_some(),
            name_first_on_line: first_on_line,
            args: self.spare_args.pop().unwrap_or_default(),
            last_end: arg.range.end as usize,
            quiet: false,
        });
    }

    /// The items of `list` in a list of their exact size; `list`, emptied, goes back to
    /// `spare`. Lists grown by `push` start with room for four: a one-argument directive
    /// kept 160 bytes of arguments and a one-child block 500 bytes of children, which made
    /// a tree ten times its text (docs/benchmarks.md); shrinking each list moved it again.
    fn exact<T>(mut list: Vec<T>, spare: &mut Vec<Vec<T>>) -> Vec<T> {
        let mut exact = Vec::with_capacity(list.len());
        exact.append(&mut list);
        spare.push(list);
        exact
    }

    /// A block's children, from an open frame.
    fn children(&mut self, list: Vec<Directive>) -> Vec<Directive> {
        Self::exact(list, &mut self.spare_children)
    }

    fn finish_pending(
        &mut self,
        p: Pending,
        end: usize,
        terminated: bool,
        block: Option<Block>,
    ) -> Directive {
        Directive {
            name: p.name,
            name_range: p.name_range,
            args: Self::exact(p.args, &mut self.spare_args),
            block: block.map(Box::new),
            range: Self::range(p.name_range.start as usize, end),
            terminated,
        }
    }

    /// Ends the pending directive, which has no `;`. `next` names what follows it (for the
    /// help), `None` at a `}` or at the end of the file.
    fn missing_semicolon(&mut self, next: Option<&str>) {
        let Some(p) = self.pending.take() else {
            return;
        };
        if !p.quiet {
            let line = self.line(p.last_end);
            let help = match next {
                Some(word) => format!(
                    "without it, nginx reads `{word}` and what follows as more arguments of `{}`",
                    p.name
                ),
                None => "a directive ends with `;` or with a `{ ... }` block".to_string(),
            };
            self.structural_error(
                TextRange::from_usize(p.last_end, p.last_end),
                format!("missing `;` at the end of line {line}?"),
                Some(help),
            );
        }
        let end = p.last_end;
        let directive = self.finish_pending(p, end, false, None);
        self.push_directive(directive);
    }

    // ----- the loop ------------------------------------------------------------------

    fn run(&mut self) {
        let mut toks = Lexer::new(self.text, 0);
        while self.stopped_at.is_none() {
            let Some(tok) = toks.next() else {
                break;
            };
            match self.step(tok) {
                Step::Next => {}
                Step::Relex(from) => toks = Lexer::new(self.text, from),
            }
        }
    }

    fn first_on_line(&self, tok: Tok) -> bool {
        match self.prev_end {
            None => true,
            // Tokens are contiguous up to whitespace, so a token is the first on its line
            // exactly when the previous token ended on an earlier line: when a newline lies
            // between them (a scan of the gap, not two line lookups per token).
            Some(prev) => self
                .text
                .as_bytes()
                .get(prev..tok.start)
                .is_some_and(|gap| memchr::memchr(b'\n', gap).is_some()),
        }
    }

    fn step(&mut self, tok: Tok) -> Step {
        self.pos = tok.start;
        let range = Self::range(tok.start, tok.end);
        if let Some(quote_end) = self.after_quote.take() {
            self.check_after_quote(quote_end, tok);
        }
        let first_on_line = self.first_on_line(tok);
        let mut step = Step::Next;
        let mut prev_end = tok.end;

        match tok.kind {
            Kind::Comment => {
                let text = self.slice(tok.start, tok.end);
                let text = crate::Word::new(text.strip_prefix('#').unwrap_or(text));
                self.comments.push(Comment { range, text });
            }
            Kind::Control => {
                let ch = self.slice(tok.start, tok.end).chars().next().unwrap_or('\0');
                let message = format!("unexpected control character U+{:04X}", u32::from(ch));
                self.error(
                    range,
                    message,
                    Some("nginx configuration is text: is this a binary file?".to_string()),
                );
            }
            Kind::Bom => self.error(
                range,
                "byte order mark at the start of the file".to_string(),
                Some(
                    "nginx reads it as part of the first directive name: save the file as UTF-8 without BOM"
                        .to_string(),
                ),
            ),
            Kind::Stray => {
                let raw = self.slice(tok.start, tok.end);
                let mut chars = raw.chars();
                let first = chars.next().unwrap_or('\0');
                if chars.next().is_none() {
                    self.error(range, format!("unexpected `{}`", first.escape_debug()), None);
                } else {
                    // Only if pest gave up (its stack guard, for example).
                    self.error(
                        Self::range(tok.start, tok.start + first.len_utf8()),
                        "cannot read the rest of the file".to_string(),
                        Some("this is a bug in topolint's nginx tokenizer: please report it".to_string()),
                    );
                }
            }
            _ if self.skip.is_some() => {
                if let Some(s) = self.skip_step(tok) {
                    step = s;
                }
            }
            Kind::Word | Kind::Str(_) => self.word(tok, first_on_line),
            Kind::LuaName => {
                if self.pending.is_some() {
                    let word = self.slice(tok.start, tok.end);
                    self.missing_semicolon(Some(word));
                }
                let arg = self.make_arg(tok.start, tok.end, None);
                self.start_pending(arg, first_on_line);
            }
            Kind::LuaBody => self.lua_body(tok),
            Kind::LuaUnterminated => self.lua_unterminated(tok),
            Kind::Semi => match self.pending.take() {
                Some(p) => {
                    let directive = self.finish_pending(p, tok.end, true, None);
                    self.push_directive(directive);
                }
                None => self.error(
                    range,
                    "unexpected `;`".to_string(),
                    Some("there is no directive before it: remove it".to_string()),
                ),
            },
            Kind::Open => self.open(tok),
            Kind::Close => self.close(tok, first_on_line),
            Kind::Unterminated(quote) => {
                let (line_end, next) = self.unterminated(tok, quote, first_on_line);
                prev_end = line_end;
                step = Step::Relex(next);
            }
        }

        if let Kind::Str(_) = tok.kind {
            self.after_quote = Some(tok.end);
        }
        self.prev_end = Some(prev_end);
        step
    }

    /// nginx wants whitespace, `;`, `{` or `)` right after a closing quote (`}` is also let
    /// through here: the missing `;` before it is reported on its own).
    fn check_after_quote(&mut self, quote_end: usize, tok: Tok) {
        if tok.start != quote_end
            || matches!(
                tok.kind,
                Kind::Semi | Kind::Open | Kind::Close | Kind::Control
            )
        {
            return;
        }
        let rest = self.slice(tok.start, tok.end);
        if tok.kind == Kind::Word && rest.starts_with(')') {
            return;
        }
        let Some(ch) = rest.chars().next() else {
            return;
        };
        self.error(
            Self::range(tok.start, tok.start + ch.len_utf8()),
            format!("unexpected `{}` after a quoted string", ch.escape_debug()),
            Some("nginx needs whitespace, `;` or `{` after a closing quote".to_string()),
        );
    }

    fn word(&mut self, tok: Tok, first_on_line: bool) {
        let quote = match tok.kind {
            Kind::Str(q) => Some(q),
            _ => None,
        };
        if let Some(p) = &self.pending {
            let word = self.slice(tok.start, tok.end);
            if quote.is_none()
                && first_on_line
                && looks_like_directive_name(word)
                && self.column(tok.start) <= self.column(p.name_range.start as usize)
            {
                self.missing_semicolon(Some(word));
            }
        }
        let arg = self.make_arg(tok.start, tok.end, quote);
        match &mut self.pending {
            Some(p) => {
                p.last_end = tok.end;
                p.args.push(arg);
            }
            None => self.start_pending(arg, first_on_line),
        }
    }

    fn open(&mut self, tok: Tok) {
        let open = Self::range(tok.start, tok.end);
        let header = self.pending.take();
        match &header {
            Some(p) => {
                if self.suspect.is_none() {
                    if let Some(regex) = self.regex_suspect(p, tok.start) {
                        self.suspect = Some(Suspect {
                            line: self.line(tok.start),
                            regex,
                        });
                    }
                }
            }
            None => self.structural_error(
                open,
                "unexpected `{`".to_string(),
                Some("a block needs a directive before it, like `server {`".to_string()),
            ),
        }
        if self.frames.len() >= MAX_DEPTH {
            self.error(
                open,
                format!("blocks nested too deeply: more than {MAX_DEPTH} levels"),
                Some("the contents of this block are skipped".to_string()),
            );
            self.skip = Some(Skip {
                header,
                open,
                depth: 1,
            });
            return;
        }
        self.frames.push(Frame {
            header,
            open,
            children: self.spare_children.pop().unwrap_or_default(),
            last_end: tok.end,
        });
    }

    fn close(&mut self, tok: Tok, first_on_line: bool) {
        if self.pending.is_some() {
            self.missing_semicolon(None);
        }
        let close = Self::range(tok.start, tok.end);
        let Some(frame) = self.frames.pop() else {
            self.structural_error(
                close,
                "unexpected `}`".to_string(),
                Some("there is no open block for it to close: remove it".to_string()),
            );
            return;
        };
        match frame.header {
            Some(h) => {
                if self.mismatch.is_none()
                    && first_on_line
                    && h.name_first_on_line
                    && self.column(tok.start) < self.column(h.name_range.start as usize)
                {
                    self.mismatch = Some(Mismatch {
                        close: tok.start,
                        close_line: self.line(tok.start),
                        name: h.name.to_string(),
                        name_line: self.line(h.name_range.start as usize),
                    });
                }
                let block = Block {
                    open: frame.open,
                    close: Some(close),
                    children: self.children(frame.children),
                    raw: None,
                };
                let directive = self.finish_pending(h, tok.end, true, Some(block));
                self.push_directive(directive);
            }
            None => {
                // A `{` without a directive: keep its children in the enclosing block.
                let mut children = frame.children;
                for child in children.drain(..) {
                    self.push_directive(child);
                }
                self.spare_children.push(children);
                if let Some(parent) = self.frames.last_mut() {
                    parent.last_end = parent.last_end.max(tok.end);
                }
            }
        }
    }

    /// Tokens inside a block nested too deeply: only braces are counted.
    fn skip_step(&mut self, tok: Tok) -> Option<Step> {
        let skip = self.skip.as_mut()?;
        match tok.kind {
            Kind::Open => skip.depth += 1,
            Kind::Close => {
                skip.depth = skip.depth.saturating_sub(1);
                if skip.depth == 0 {
                    let skip = self.skip.take()?;
                    if let Some(h) = skip.header {
                        let block = Block {
                            open: skip.open,
                            close: Some(Self::range(tok.start, tok.end)),
                            children: Vec::new(),
                            raw: None,
                        };
                        let directive = self.finish_pending(h, tok.end, true, Some(block));
                        self.push_directive(directive);
                    }
                }
            }
            Kind::Unterminated(_) => {
                let (_, next) = self.line_end(tok.start);
                return Some(Step::Relex(next));
            }
            _ => {}
        }
        None
    }

    fn lua_body(&mut self, tok: Tok) {
        let Some(p) = self.pending.take() else {
            return;
        };
        let block = Block {
            open: Self::range(tok.start, tok.start + 1),
            close: Some(Self::range(tok.end.saturating_sub(1), tok.end)),
            children: Vec::new(),
            raw: Some(Self::range(tok.start + 1, tok.end.saturating_sub(1))),
        };
        let directive = self.finish_pending(p, tok.end, true, Some(block));
        self.push_directive(directive);
    }

    fn lua_unterminated(&mut self, tok: Tok) {
        let line = self.line(tok.start);
        self.error(
            Self::range(tok.start, tok.start + 1),
            format!("unclosed Lua block: `{{` at line {line} has no matching `}}`"),
            Some("check the Lua code for an unclosed string, long bracket or `{`".to_string()),
        );
        self.eof_quiet = true;
        let Some(p) = self.pending.take() else {
            return;
        };
        let block = Block {
            open: Self::range(tok.start, tok.start + 1),
            close: None,
            children: Vec::new(),
            raw: Some(Self::range(tok.start + 1, tok.end)),
        };
        let directive = self.finish_pending(p, tok.end, false, Some(block));
        self.push_directive(directive);
    }

    /// Reports an unterminated string, keeps it (cut at the end of its line) as the last
    /// argument of its directive and returns that line end and where to tokenize again.
    fn unterminated(&mut self, tok: Tok, quote: char, first_on_line: bool) -> (usize, usize) {
        let line = self.line(tok.start);
        self.error(
            Self::range(tok.start, tok.start + quote.len_utf8()),
            format!("unterminated string: the `{quote}` at line {line} is never closed"),
            None,
        );
        let (line_end, next) = self.line_end(tok.start);
        let line_end = line_end.max(tok.start + quote.len_utf8());
        let raw = self.slice(tok.start + quote.len_utf8(), line_end);
        let arg = Arg {
            value: unescape(raw),
            range: Self::range(tok.start, line_end),
            quote: Some(quote),
        };
        match &mut self.pending {
            Some(p) => {
                p.last_end = line_end;
                p.args.push(arg);
            }
            None => self.start_pending(arg, first_on_line),
        }
        // The string was cut at the end of its line: end its directive there too (without a
        // second error) and read the next line afresh.
        if let Some(p) = self.pending.take() {
            let directive = self.finish_pending(p, line_end, false, None);
            self.push_directive(directive);
        }
        (line_end, next)
    }

    /// A `{` right after an unquoted argument that looks like a regex, or that is followed
    /// by a regex quantifier (`{2}`, `{1,3}`). Returns the regex as the user wrote it.
    fn regex_suspect(&self, p: &Pending, open: usize) -> Option<String> {
        let (last_range, quoted) = match p.args.last() {
            Some(a) => (a.range, a.quote.is_some()),
            None => (p.name_range, p.name_quoted),
        };
        if quoted || last_range.end as usize != open {
            return None;
        }
        let last = self.slice(last_range.start as usize, open);
        let after = self.text.get(open + 1..).unwrap_or("");
        let quantifier = {
            let digits_and_commas: usize = after
                .bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b',')
                .count();
            let body = after.get(..digits_and_commas).unwrap_or("");
            body.bytes().any(|b| b.is_ascii_digit())
                && body.bytes().filter(|b| *b == b',').count() <= 1
                && after
                    .get(digits_and_commas..)
                    .is_some_and(|r| r.starts_with('}'))
        };
        let is_match_op = |a: &Arg| matches!(a.value.as_str(), "~" | "~*" | "!~" | "!~*");
        let context = match p.name.as_str() {
            "location" => p.args.len() == 2 && p.args.first().is_some_and(is_match_op),
            "if" => p.args.iter().any(is_match_op) && !last.ends_with(')'),
            "rewrite" => p.args.len() == 1,
            _ => false,
        } || last.starts_with('~')
            || last.starts_with('^');
        if !(quantifier || context) {
            return None;
        }
        // The regex as written: from the argument to the next whitespace or `;`.
        let from = last_range.start as usize;
        let rest = self.text.get(from..).unwrap_or("");
        let len = rest
            .find([' ', '\t', '\r', '\n', ';'])
            .unwrap_or(rest.len());
        let mut regex = rest.get(..len).unwrap_or("");
        if p.name == "if" {
            regex = regex.strip_suffix(')').unwrap_or(regex);
        }
        Some(regex.to_string())
    }

    // ----- end of file ---------------------------------------------------------------

    fn finish(mut self) -> Config {
        self.pos = self.text.len();
        let stopped = self.stopped_at.is_some();
        if let Some(p) = &mut self.pending {
            if stopped {
                p.quiet = true;
            }
            self.missing_semicolon(None);
        }
        if let Some(skip) = self.skip.take() {
            if let Some(h) = skip.header {
                let end = self.text.len();
                let block = Block {
                    open: skip.open,
                    close: None,
                    children: Vec::new(),
                    raw: None,
                };
                let directive = self.finish_pending(h, end, false, Some(block));
                self.push_directive(directive);
            }
        }
        while let Some(frame) = self.frames.pop() {
            if !self.eof_quiet && !stopped {
                let line = self.line(frame.open.start as usize);
                let help = self
                    .unclosed_help(frame.open)
                    .or_else(|| self.regex_help(frame.open))
                    .unwrap_or_else(|| {
                        "nginx stops with \"unexpected end of file, expecting \"}\"\": add the missing `}`"
                            .to_string()
                    });
                self.error(
                    frame.open,
                    format!("unclosed block: `{{` at line {line} has no matching `}}`"),
                    Some(help),
                );
            }
            match frame.header {
                Some(h) => {
                    let end = frame.last_end;
                    let block = Block {
                        open: frame.open,
                        close: None,
                        children: self.children(frame.children),
                        raw: None,
                    };
                    let directive = self.finish_pending(h, end, false, Some(block));
                    self.push_directive(directive);
                }
                None => {
                    let mut children = frame.children;
                    for child in children.drain(..) {
                        self.push_directive(child);
                    }
                    self.spare_children.push(children);
                }
            }
        }
        self.errors.sort_by_key(|e| e.range.start);
        if let Some(at) = self.stopped_at {
            self.errors.push(ParseError {
                range: TextRange::from_usize(at, at),
                message: format!("too many errors: stopped after {MAX_ERRORS}"),
                help: Some("is this an nginx configuration file?".to_string()),
            });
        }
        let top = std::mem::take(&mut self.top);
        let top = self.children(top);
        self.comments.shrink_to_fit();
        Config {
            directives: top,
            comments: self.comments,
            errors: self.errors,
        }
    }

    /// For an unclosed block: a `}` inside it that is indented less than the directive it
    /// closes is the likely place of the missing `}`.
    fn unclosed_help(&mut self, open: TextRange) -> Option<String> {
        if self.suspect.is_some() {
            return None; // the regex hint explains it better
        }
        let m = self.mismatch.take_if(|m| m.close > open.start as usize)?;
        Some(format!(
            "the `}}` on line {} closes `{}` (line {}) but is indented like an outer block: is a `}}` missing before it?",
            m.close_line, m.name, m.name_line
        ))
    }
}

/// A bare lowercase word such as `sendfile` or `proxy_pass`: what a directive name looks
/// like (argument continuations are rarely that: paths, `$vars`, quoted strings, numbers).
fn looks_like_directive_name(word: &str) -> bool {
    let mut bytes = word.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// nginx's unescaping of a token (quoted or not): `\"`, `\'`, `\\` lose the backslash,
/// `\t`, `\r`, `\n` become the control character, any other backslash is kept.
pub(crate) fn unescape(raw: &str) -> crate::Word {
    if !raw.contains('\\') {
        return crate::Word::new(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let replacement = match chars.peek() {
                Some(&e @ ('"' | '\'' | '\\')) => Some(e),
                Some('t') => Some('\t'),
                Some('r') => Some('\r'),
                Some('n') => Some('\n'),
                _ => None,
            };
            if let Some(r) = replacement {
                chars.next();
                out.push(r);
                continue;
            }
        }
        out.push(c);
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_like_nginx() {
        assert_eq!(unescape(r#"a\"b"#), "a\"b");
        assert_eq!(unescape(r"\\\'"), "\\'");
        assert_eq!(unescape(r"\t\r\n"), "\t\r\n");
        assert_eq!(unescape(r"\#arg\ 1"), r"\#arg\ 1");
        assert_eq!(unescape(r"\.php$"), r"\.php$");
        assert_eq!(unescape("end\\"), "end\\");
        assert_eq!(unescape("ру\\сский"), "ру\\сский");
    }

    #[test]
    fn directive_name_shape() {
        assert!(looks_like_directive_name("proxy_pass"));
        assert!(looks_like_directive_name("http2"));
        assert!(!looks_like_directive_name("TLSv1.3"));
        assert!(!looks_like_directive_name("$host"));
        assert!(!looks_like_directive_name("/x"));
        assert!(!looks_like_directive_name("2xx"));
        assert!(!looks_like_directive_name(""));
    }

    /// A tree's lists hold no unused room (a pushed list starts with room for four: the
    /// trees of a large repository were ten times their text).
    #[test]
    #[allow(clippy::ptr_arg)] // the capacity is the point
    fn tree_lists_are_exact() {
        fn check(directives: &Vec<Directive>) -> usize {
            assert_eq!(directives.len(), directives.capacity());
            directives
                .iter()
                .map(|d| {
                    assert_eq!(d.args.len(), d.args.capacity(), "{}", d.name);
                    1 + d.block.as_ref().map_or(0, |b| check(&b.children))
                })
                .sum()
        }
        let text = "# top\nevents {}\nhttp {\n  upstream app { server app:8000; }\n  server {\n    listen 80;\n    location / { proxy_pass http://app; proxy_read_timeout 30s; }\n    location = /x {\n    }\n  }\n}\n";
        let config = crate::parse(text);
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        assert_eq!(config.comments.len(), config.comments.capacity());
        assert_eq!(check(&config.directives), 10);
        // An unclosed block is finished by the recovery path: its lists are exact too.
        let config = crate::parse("http {\n  server {\n    listen 80;\n");
        assert!(!config.errors.is_empty());
        assert_eq!(check(&config.directives), 3);
    }
}
