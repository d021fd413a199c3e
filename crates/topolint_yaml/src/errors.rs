//! Parser errors -> located, readable messages.

use granit_parser::ErrorKind;
use topolint_diagnostics::TextRange;

/// A lowercase, plain-words message for a parser error kind.
pub(crate) fn message_for(kind: &ErrorKind) -> String {
    let text = match kind {
        ErrorKind::TabInIndentation | ErrorKind::TabInBlockIndentation => {
            "found a tab character where indentation is expected (indent YAML with spaces)"
        }
        ErrorKind::TabNotAllowed => "a tab character is not allowed here",
        ErrorKind::TabAtBlockScalarStart => "the content of a block scalar must not start with a tab",
        ErrorKind::TabInPlainScalar => "found a tab character inside an unquoted value",
        ErrorKind::UnclosedQuotedScalar => "unexpected end of file: unterminated quoted scalar",
        ErrorKind::DocumentIndicatorInQuotedScalar => {
            "unterminated quoted scalar: a document marker (`---` or `...`) appears inside it"
        }
        ErrorKind::InvalidQuotedScalarIndent => {
            "wrong indentation inside a multi-line quoted scalar (is a closing quote missing?)"
        }
        ErrorKind::InvalidTrailingSingleQuotedScalar
        | ErrorKind::InvalidTrailingDoubleQuotedScalar => {
            "unexpected text after the closing quote"
        }
        ErrorKind::UnknownQuotedScalarEscape => "unknown escape sequence in a double-quoted scalar",
        ErrorKind::InvalidQuotedScalarHexEscape
        | ErrorKind::InvalidLowSurrogateHexEscape
        | ErrorKind::InvalidLowSurrogate
        | ErrorKind::MissingLowSurrogate
        | ErrorKind::UnpairedLowSurrogate
        | ErrorKind::InvalidUnicodeEscape => "invalid `\\x`/`\\u`/`\\U` escape in a double-quoted scalar",
        ErrorKind::UnclosedFlowCollection { open: '[' } => {
            "unclosed flow sequence: this `[` has no matching `]`"
        }
        ErrorKind::UnclosedFlowCollection { .. } => {
            "unclosed flow mapping: this `{` has no matching `}`"
        }
        ErrorKind::UnexpectedEofFlowSequence => {
            "unexpected end of file inside a flow sequence (missing `]`)"
        }
        ErrorKind::UnexpectedEofFlowMapping | ErrorKind::UnexpectedEofImplicitFlowMapping => {
            "unexpected end of file inside a flow mapping (missing `}`)"
        }
        ErrorKind::UnexpectedEofBlockSequence
        | ErrorKind::UnexpectedEofBlockMapping
        | ErrorKind::UnexpectedEof => "unexpected end of file",
        ErrorKind::MisplacedFlowCollectionEnd => "closing bracket without a matching opening one",
        ErrorKind::MismatchedFlowCollectionEnd { open, close } => {
            return format!("`{open}` is closed by a mismatched `{close}`");
        }
        ErrorKind::UnexpectedCharacter { character } => {
            return format!("unexpected character `{}`", character.escape_default());
        }
        ErrorKind::InvalidIndentation => "wrong indentation",
        ErrorKind::ExpectedBlockMappingKey => {
            "expected a mapping key here (check the indentation of this line)"
        }
        ErrorKind::ExpectedBlockSequenceEntry => {
            "expected a `- ` sequence entry here (check the indentation of this line)"
        }
        ErrorKind::ExpectedNodeContent => "expected a value here",
        ErrorKind::ExpectedFlowMappingSeparator => "expected `,` or `}` in this flow mapping",
        ErrorKind::ExpectedFlowSequenceSeparator => "expected `,` or `]` in this flow sequence",
        ErrorKind::MappingValueNotAllowed => {
            "a `key: value` is not allowed here (check the indentation, or quote a value that contains `: `)"
        }
        ErrorKind::MappingKeyNotAllowed => "a mapping key is not allowed here",
        ErrorKind::BlockSequenceEntryNotAllowed => "a `- ` sequence entry is not allowed here",
        ErrorKind::BlockEntryInFlowCollection => {
            "a `- ` sequence entry is not allowed inside `[...]` or `{...}`"
        }
        ErrorKind::SimpleKeyExpected => "expected `:` after this mapping key",
        ErrorKind::InvalidSimpleKey => {
            "a mapping key without `?` must fit on one line and be at most 1024 characters long"
        }
        ErrorKind::InvalidMappingValueWhitespace => "`:` must be followed by a space",
        ErrorKind::InvalidBlockEntryWhitespace => "`-` must be followed by a space",
        ErrorKind::InvalidColonPlacement => "misplaced `:`",
        ErrorKind::FlowMappingValueAdjacentCollection => {
            "`:` must be followed by a space before `[` or `{` in a flow mapping"
        }
        ErrorKind::PlainScalarStartsWithDashFlowIndicator => {
            "an unquoted value cannot start with `-` followed by one of `,[]{}`"
        }
        ErrorKind::UnexpectedEndOfPlainScalar => "unexpected end of an unquoted value",
        ErrorKind::CommentInterceptedScalar => {
            "a comment interrupts a multi-line unquoted value"
        }
        ErrorKind::CommentNotSeparated => "`#` starts a comment only after a space",
        ErrorKind::ExpectedWhitespace => "expected a space here",
        ErrorKind::InvalidBlockScalarIndent => "wrongly indented line in a block scalar",
        ErrorKind::InvalidBlockScalarHeader => {
            "unexpected text after a block scalar indicator (`|` or `>`)"
        }
        ErrorKind::ZeroBlockScalarIndent => "a block scalar indentation indicator cannot be 0",
        ErrorKind::BomInsideDocument => "a byte order mark (BOM) is not allowed inside a document",
        ErrorKind::InvalidDocumentEnd => "unexpected text after the `...` document end marker",
        ErrorKind::MissingDocumentEndBeforeDirective => {
            "a directive (`%...`) after a document needs a `...` document end marker before it"
        }
        ErrorKind::ExpectedDocumentStart => "expected a `---` document start marker",
        ErrorKind::RecursionLimitExceeded => "nesting is too deep (more than 255 levels)",
        ErrorKind::UnknownAnchor => "unknown anchor",
        ErrorKind::MissingAnchorOrAliasName => "expected a name after `&` or `*`",
        ErrorKind::UndeclaredTagHandle => "undeclared tag handle (add a `%TAG` directive)",
        ErrorKind::AnchorCountOverflow => "too many anchors",
        other => return lowercase_first(&other.to_string()),
    };
    text.to_owned()
}

fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "invalid YAML".to_owned(),
    }
}

/// The range and message to report for an error the parser raised at `offset`.
/// `resume_from` is the end of the last event before the error: a quoted scalar whose
/// closing quote is missing starts after it.
pub(crate) fn locate(
    text: &str,
    kind: &ErrorKind,
    offset: usize,
    resume_from: usize,
) -> (TextRange, String) {
    let offset = offset.min(text.len());
    if matches!(
        kind,
        ErrorKind::UnclosedQuotedScalar
            | ErrorKind::InvalidQuotedScalarIndent
            | ErrorKind::DocumentIndicatorInQuotedScalar
    ) {
        if let Some(located) = unterminated_quote(text, resume_from.min(offset), offset) {
            return located;
        }
    }
    if is_tab_error(kind) {
        if let Some((start, end)) = tab_run(text.as_bytes(), offset) {
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let leading = text[line_start..start].bytes().all(|b| b == b' ');
            let message = if leading {
                message_for(&ErrorKind::TabInIndentation)
            } else {
                message_for(kind)
            };
            return (TextRange::from_usize(start, end), message);
        }
    }
    let end = text
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(offset, |c| offset + c.len_utf8());
    (TextRange::from_usize(offset, end), message_for(kind))
}

fn is_tab_error(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::TabInIndentation
            | ErrorKind::TabInBlockIndentation
            | ErrorKind::TabNotAllowed
            | ErrorKind::TabAtBlockScalarStart
            | ErrorKind::TabInPlainScalar
    )
}

/// The run of tabs the error is about: the tab at or before `offset` on its line, else the
/// first one after it (the parser may stop a line early, at the end of a plain scalar).
fn tab_run(bytes: &[u8], offset: usize) -> Option<(usize, usize)> {
    let mut tab = None;
    let mut i = offset.min(bytes.len());
    if bytes.get(i) == Some(&b'\t') {
        tab = Some(i);
    }
    while tab.is_none() && i > 0 && bytes[i - 1] != b'\n' {
        i -= 1;
        if bytes[i] == b'\t' {
            tab = Some(i);
        }
    }
    let tab = match tab {
        Some(tab) => tab,
        None => offset + bytes.get(offset..)?.iter().position(|&b| b == b'\t')?,
    };
    let mut start = tab;
    while start > 0 && bytes[start - 1] == b'\t' {
        start -= 1;
    }
    let mut end = tab + 1;
    while end < bytes.len() && bytes[end] == b'\t' {
        end += 1;
    }
    Some((start, end))
}

/// If a quoted scalar opened between `from` and `to` is never closed, its opening quote and
/// a message saying so. `None` when there is no such quote or it is closed (the error is
/// then a genuine indentation problem inside the scalar).
fn unterminated_quote(text: &str, from: usize, to: usize) -> Option<(TextRange, String)> {
    let bytes = text.as_bytes();
    // The first quote after the last event, skipping comments.
    let mut i = from;
    let open = loop {
        match bytes.get(i)? {
            b'"' | b'\'' if i <= to => break i,
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ if i > to => return None,
            _ => i += 1,
        }
    };
    let quote = bytes[open];
    let mut j = open + 1;
    while j < bytes.len() {
        let b = bytes[j];
        if quote == b'"' && b == b'\\' {
            j += 2;
            continue;
        }
        if b == quote {
            if quote == b'\'' && bytes.get(j + 1) == Some(&b'\'') {
                j += 2;
                continue;
            }
            return None; // closed
        }
        if b == b'\n' && is_document_marker(&bytes[j + 1..]) {
            let message = format!(
                "unterminated quoted scalar: no closing `{}` before the next document marker",
                quote as char
            );
            return Some((TextRange::from_usize(open, open + 1), message));
        }
        j += 1;
    }
    Some((
        TextRange::from_usize(open, open + 1),
        "unexpected end of file: unterminated quoted scalar".to_owned(),
    ))
}

/// `---` or `...` at the start of `line`, followed by whitespace or the end.
fn is_document_marker(line: &[u8]) -> bool {
    (line.starts_with(b"---") || line.starts_with(b"..."))
        && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}
