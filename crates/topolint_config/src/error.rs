use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use topolint_diagnostics::{LineCol, LineIndex, TextRange};

/// A configuration that cannot be used: exit code 2. Located at the offending key or value
/// when there is one.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub path: PathBuf,
    /// What is wrong: lowercase, no trailing period, identifiers in backticks.
    pub message: String,
    /// What to do (a "did you mean", the accepted values).
    pub help: Option<String>,
    /// Where, when known: the byte range and its start as line:column.
    pub location: Option<(TextRange, LineCol)>,
    /// The configuration's text, for a snippet.
    pub text: Option<Arc<str>>,
}

impl ConfigError {
    /// An error about the file as a whole (unreadable, too large).
    pub fn file(path: PathBuf, message: String) -> Self {
        Self {
            path,
            message,
            help: None,
            location: None,
            text: None,
        }
    }

    /// An error at `range` of `text`.
    pub fn at(
        path: PathBuf,
        text: Option<Arc<str>>,
        range: TextRange,
        message: String,
        help: Option<String>,
    ) -> Self {
        let location = text.as_deref().map(|t| {
            let range = range.clamp_to(t.len());
            (range, LineIndex::new(t).line_col(t, range.start))
        });
        Self {
            path,
            message,
            help,
            location,
            text,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((_, lc)) = &self.location {
            write!(f, ":{}:{}", lc.line, lc.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Turns a `toml` error into a located [`ConfigError`], rewording serde's messages about
/// unknown keys and values into "unknown key `x`" with a "did you mean".
pub(crate) fn from_toml(e: &toml::de::Error, path: &Path, text: Arc<str>) -> ConfigError {
    let raw = e.message().trim().trim_end_matches('.').to_string();
    let range = e
        .span()
        .map(|r| TextRange::from_usize(r.start, r.end))
        .unwrap_or_default();
    let (message, help) = reword(&raw);
    ConfigError::at(path.to_path_buf(), Some(text), range, message, help)
}

fn reword(raw: &str) -> (String, Option<String>) {
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        if let Some(rest) = raw.strip_prefix(prefix) {
            let Some(end) = rest.find('`') else { break };
            let found = &rest[..end];
            let expected = backticked(&rest[end + 1..]);
            let message = format!("unknown {what} `{found}`");
            let help = if expected.is_empty() {
                None
            } else if let Some(s) = closest(found, expected.iter().map(String::as_str)) {
                Some(format!("did you mean `{s}`?"))
            } else {
                let list: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
                Some(format!("expected one of {}", list.join(", ")))
            };
            return (message, help);
        }
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        return (format!("missing key `{rest}"), None);
    }
    if raw == "wanted string or table" {
        // What `toml` says when a number or an array is given where a name is expected.
        return ("invalid type: expected a string".to_string(), None);
    }
    // serde speaks of sequences and maps; TOML of arrays and tables.
    let raw = raw
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected a table");
    (raw, None)
}

/// The backticked words of serde's "expected one of `a`, `b`" tail.
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, w)| w.to_string())
        .collect()
}

/// The candidate closest to `word`, if it is close enough to be a typo (for "did you
/// mean").
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| {
            // A truncated word (`warn` for `warning`) is as good as a one-letter typo.
            let prefix = word.len() >= 3 && c.starts_with(word);
            (if prefix { 1 } else { edit_distance(word, c) }, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewords_unknown_fields_with_a_suggestion() {
        let (m, h) = reword("unknown field `selct`, expected one of `select`, `ignore`");
        assert_eq!(m, "unknown key `selct`");
        assert_eq!(h.as_deref(), Some("did you mean `select`?"));
        let (m, h) = reword("unknown field `zzz`, expected `config` or `runs-in`");
        assert_eq!(m, "unknown key `zzz`");
        assert_eq!(h.as_deref(), Some("expected one of `config`, `runs-in`"));
        let (m, h) = reword("unknown variant `warn`, expected one of `error`, `warning`, `info`");
        assert_eq!(m, "unknown value `warn`");
        assert_eq!(h.as_deref(), Some("did you mean `warning`?"));
    }

    #[test]
    fn serde_words_become_toml_words() {
        assert_eq!(reword("missing field `config`").0, "missing key `config`");
        assert_eq!(
            reword("invalid type: integer `3`, expected a sequence").0,
            "invalid type: integer `3`, expected an array"
        );
    }

    #[test]
    fn other_messages_pass_through() {
        let (m, h) = reword("invalid type: integer `3`, expected a string");
        assert_eq!(m, "invalid type: integer `3`, expected a string");
        assert_eq!(h, None);
    }
}
