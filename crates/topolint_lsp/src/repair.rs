//! Half-typed YAML in the editor.
//!
//! The YAML tree recovers per document: a syntax error abandons the document it is in. That
//! is right for `topolint check` (a broken file is reported, not guessed at), but in an editor
//! every keystroke of `image: [redis` would drop the whole compose file from the topology, and
//! with it every cross-file finding that depends on it. So for open documents only, the
//! engine lints a *repaired* text: the lines that break the parse are blanked out (each byte
//! but the line ends becomes a space, so every offset, line and column stays put) while the
//! parse errors of the real text are reported. Linting then sees the rest of the file.

use topolint_diagnostics::{LineIndex, TextRange};

/// Larger documents are not repaired (each attempt is a parse).
const MAX_REPAIR_SIZE: usize = 512 * 1024;
/// How far above the reported error the breaking line is looked for.
const LOOK_BACK: usize = 24;

/// A document that parses only once some lines are blanked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repaired {
    /// The text with the breaking lines blanked.
    pub text: String,
    /// The parse errors of the real text.
    pub errors: Vec<(TextRange, String)>,
}

/// `None` when `text` parses (nothing to repair) or when no blanking makes it parse with
/// fewer errors.
pub(crate) fn repair_yaml(text: &str) -> Option<Repaired> {
    if text.len() > MAX_REPAIR_SIZE {
        return None;
    }
    let parsed = topolint_yaml::parse(text);
    if parsed.errors.is_empty() {
        return None;
    }
    let errors: Vec<(TextRange, String)> = parsed
        .errors
        .iter()
        .map(|e| (e.range, e.message.clone()))
        .collect();
    let index = LineIndex::new(text);
    let mut current = text.to_string();
    let mut remaining = parsed.errors.len();
    let mut first = parsed.errors[0].range.start;
    // Each round fixes the first error left; a file rarely has more than a couple.
    for _ in 0..4 {
        let Some((next, left, at)) = fix_first(&current, &index, first) else {
            break;
        };
        current = next;
        remaining = left;
        match at {
            Some(at) => first = at,
            None => break,
        }
    }
    (remaining < parsed.errors.len()).then_some(Repaired {
        text: current,
        errors,
    })
}

/// Blanks the fewest lines at or above the line of `error` that remove that error; returns
/// the text, how many errors are left and where the first of them is.
fn fix_first(text: &str, index: &LineIndex, error: u32) -> Option<(String, usize, Option<u32>)> {
    let before = topolint_yaml::parse(text).errors.len();
    let line = index.line_of(error);
    let lowest = line.saturating_sub(LOOK_BACK);
    let try_lines = |lines: std::ops::RangeInclusive<usize>| {
        let candidate = blank(text, index, lines);
        let parsed = topolint_yaml::parse(&candidate);
        (parsed.errors.len() < before).then(|| {
            let at = parsed.errors.first().map(|e| e.range.start);
            (candidate, parsed.errors.len(), at)
        })
    };
    // One line: the one reported, or the one above it that opened what never closed.
    for l in (lowest..=line).rev() {
        if let Some(found) = try_lines(l..=l) {
            return Some(found);
        }
    }
    // Several lines: from the reported one upwards.
    for start in (lowest..line).rev() {
        if let Some(found) = try_lines(start..=line) {
            return Some(found);
        }
    }
    None
}

fn blank(text: &str, index: &LineIndex, lines: std::ops::RangeInclusive<usize>) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for l in lines {
        if let Some(r) = index.line_range(l, text) {
            for b in &mut bytes[r] {
                *b = b' ';
            }
        }
    }
    // Only whole characters of a line were replaced by ASCII spaces: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPOSE: &str = "services:\n  api:\n    image: example/api\n    ports:\n      - \"8081:8000\"\n  web:\n    image: nginx\n";

    fn check(text: &str) -> Repaired {
        let r = repair_yaml(text).expect("repairable");
        assert_eq!(r.text.len(), text.len());
        assert_eq!(r.text.lines().count(), text.lines().count());
        let parsed = topolint_yaml::parse(&r.text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let root = parsed.root(0).unwrap();
        assert!(root.path(&["services", "api", "ports"]).is_some());
        r
    }

    #[test]
    fn an_unclosed_flow_sequence_being_typed() {
        let text = format!("{COMPOSE}  cache:\n    image: [redis\n");
        let r = check(&text);
        assert!(!r.errors.is_empty());
        assert!(
            r.text.ends_with("  cache:\n                 \n"),
            "{:?}",
            r.text
        );
    }

    #[test]
    fn an_unterminated_quote_in_the_middle() {
        let text = COMPOSE.replace("image: example/api", "image: \"example/api");
        let r = check(&text);
        assert!(topolint_yaml::parse(&r.text)
            .root(0)
            .unwrap()
            .path(&["services", "web", "image"])
            .is_some());
    }

    #[test]
    fn a_bad_indentation_with_non_ascii_text() {
        let text = COMPOSE.replace("  web:\n", "  wéb: x\n bad: ü\n  web:\n");
        check(&text);
    }

    #[test]
    fn valid_or_hopeless_texts_are_left_alone() {
        assert!(repair_yaml(COMPOSE).is_none());
        // Nothing but the broken line: what is left is an empty document.
        let r = repair_yaml("[[[[[[").unwrap();
        assert_eq!(r.text, "      ");
        assert!(repair_yaml(&"x".repeat(MAX_REPAIR_SIZE + 1)).is_none());
    }
}
