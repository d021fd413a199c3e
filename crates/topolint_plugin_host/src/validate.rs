//! What a plugin hands back is checked before anything uses it: metadata when it loads,
//! findings after every check. One bad finding rejects the plugin's whole output for that
//! run (a `plugin-error`): half of a broken plugin's output is not worth trusting.

use std::collections::BTreeMap;

use topolint_diagnostics::{Diagnostic, FileId, Label, SourceMap, TextRange};
use topolint_model::Topology;

use crate::abi::{Meta, RawFinding, RawLabel};
use crate::cause::{Cause, Kind};
use crate::{MAX_FINDINGS, MAX_TEXT_LEN};

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

fn text(what: &str, s: &str) -> Result<(), Cause> {
    if s.len() > MAX_TEXT_LEN {
        return Err(Cause::new(
            Kind::Malformed,
            format!(
                "returned malformed output: a {what} of {} bytes (at most {MAX_TEXT_LEN})",
                s.len()
            ),
        ));
    }
    Ok(())
}

/// Checks a plugin's metadata; `taken` holds the built-in rule ids and those of the
/// plugins loaded before it.
pub(crate) fn metadata(meta: &Meta, taken: &[String]) -> Result<(), Cause> {
    let bad = |t: String| Err(Cause::new(Kind::Load, t));
    if !is_kebab(&meta.name) {
        return bad(format!(
            "declares the name `{}`, which is not kebab-case (`[a-z0-9-]`, at most 64 characters)",
            meta.name.escape_debug()
        ));
    }
    text("version", &meta.version)?;
    if meta.rules.is_empty() {
        return bad("declares no rules".to_string());
    }
    for (i, rule) in meta.rules.iter().enumerate() {
        if !is_kebab(&rule.id) {
            return bad(format!(
                "declares the rule id `{}`, which is not kebab-case (`[a-z0-9-]`, at most 64 characters)",
                rule.id.escape_debug()
            ));
        }
        if meta.rules[..i].iter().any(|r| r.id == rule.id) {
            return bad(format!("declares the rule `{}` twice", rule.id));
        }
        if taken.contains(&rule.id) {
            return bad(format!(
                "declares the rule `{}`, which is already a built-in rule or another plugin's: plugin rule ids must be unique",
                rule.id
            ));
        }
        text("rule summary", &rule.summary)?;
        if rule.docs.len() > 16 * MAX_TEXT_LEN {
            return bad(format!(
                "has docs of {} bytes for `{}`",
                rule.docs.len(),
                rule.id
            ));
        }
    }
    Ok(())
}

/// The files plugin spans may point into: those of the model, with their lengths.
pub(crate) struct Files {
    lengths: BTreeMap<u32, u32>,
}

impl Files {
    pub fn new(topology: &Topology, sources: &SourceMap) -> Self {
        Self {
            lengths: topology
                .files
                .iter()
                .filter_map(|f| sources.get(f.id).map(|s| (f.id.0, s.len())))
                .collect(),
        }
    }

    fn label(&self, l: RawLabel) -> Result<Label, Cause> {
        text("label", &l.message)?;
        let s = l.span;
        let Some(len) = self.lengths.get(&s.file) else {
            return Err(Cause::new(
                Kind::Malformed,
                format!(
                    "reported a span outside any file: file {} is not in the model",
                    s.file
                ),
            ));
        };
        if s.start > s.end || s.end > *len {
            return Err(Cause::new(
                Kind::Malformed,
                format!(
                    "reported a span outside any file: bytes {}..{} of file {} ({} bytes long)",
                    s.start, s.end, s.file, len
                ),
            ));
        }
        Ok(Label::new(
            FileId(s.file),
            TextRange::new(s.start, s.end),
            l.message,
        ))
    }
}

/// Turns a plugin's findings into diagnostics, or rejects them all.
pub(crate) fn findings(
    meta: &Meta,
    raw: Vec<RawFinding>,
    files: &Files,
) -> Result<Vec<Diagnostic>, Cause> {
    if raw.len() > MAX_FINDINGS {
        return Err(Cause::new(
            Kind::Malformed,
            format!(
                "returned malformed output: {} findings (at most {MAX_FINDINGS} per run)",
                raw.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(raw.len());
    for f in raw {
        let Some(rule) = meta.rules.iter().find(|r| r.id == f.rule) else {
            return Err(Cause::new(
                Kind::Malformed,
                format!(
                    "reported a finding under `{}`, which is not one of its rules ({})",
                    f.rule.escape_debug(),
                    meta.rules
                        .iter()
                        .map(|r| format!("`{}`", r.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        text("message", &f.message)?;
        if f.message.trim().is_empty() {
            return Err(Cause::new(
                Kind::Malformed,
                format!("reported a `{}` finding without a message", rule.id),
            ));
        }
        if let Some(h) = &f.help {
            text("help", h)?;
        }
        let mut d = Diagnostic::new(
            rule.id.clone(),
            f.severity.unwrap_or(rule.default_severity),
            f.message,
            files.label(f.primary)?,
        );
        for l in f.secondary {
            d = d.with_secondary(files.label(l)?);
        }
        d.help = f.help;
        out.push(d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case() {
        assert!(is_kebab("forbid-latest-image-tag"));
        assert!(is_kebab("rule2"));
        assert!(!is_kebab(""));
        assert!(!is_kebab("Forbid"));
        assert!(!is_kebab("a_b"));
        assert!(!is_kebab("-a"));
        assert!(!is_kebab("a/b"));
        assert!(!is_kebab(&"a".repeat(65)));
    }
}
