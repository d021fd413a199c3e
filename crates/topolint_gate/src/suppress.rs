//! Inline suppressions: where they are written and what they cover.
//!
//! - `# topolint: ignore[rule-a, rule-b] reason` covers findings whose primary span starts
//!   on the same line (a trailing comment) or, for a comment alone on its line, on the next
//!   line that is not itself a comment (so several suppression comments can be stacked).
//! - `# topolint: ignore-file[rule-a] reason` anywhere in a file covers the whole file.
//! - The Kubernetes annotation `topolint.io/ignore: "rule-a, rule-b: reason"` on an object
//!   (top-level `metadata.annotations`) covers findings whose primary span lies inside that
//!   object's YAML document. Several entries may be separated by `;` or new lines.
//!
//! Comments are read in nginx files, YAML files (compose and Kubernetes) and Dockerfiles.

use std::collections::BTreeSet;

use topolint_diagnostics::{FileId, SourceFile, TextRange};
use topolint_workspace::{Content, FileKind, Workspace};

/// The annotation key on Kubernetes objects.
pub const ANNOTATION: &str = "topolint.io/ignore";

/// What a suppression covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One line (0-based). `trailing`: the comment sits on that line after code.
    Line { line: usize, trailing: bool },
    /// The whole file.
    File,
    /// One YAML document (a Kubernetes object): findings starting inside `range`.
    Document(TextRange),
}

/// How the suppression was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionKind {
    Comment,
    FileComment,
    Annotation,
}

/// One rule id named by a suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedRule {
    pub id: String,
    /// Where the id is written (the whole suppression when it cannot be told).
    pub range: TextRange,
}

/// One suppression comment or annotation entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub file: FileId,
    pub kind: SuppressionKind,
    pub scope: Scope,
    /// The comment (from `#` to the end of the line) or the annotation value.
    pub range: TextRange,
    pub rules: Vec<SuppressedRule>,
    /// The justification; `None` when none is written.
    pub reason: Option<String>,
    /// For an annotation: ``Kind `name` `` of the object it sits on, when both are written
    /// (read with the suppression: a one-shot run drops the YAML trees before the gate).
    pub object: Option<String>,
}

impl Suppression {
    /// Whether this suppression covers a finding of any rule starting at `offset` of
    /// `file`.
    pub fn covers(&self, source: &SourceFile, file: FileId, offset: u32) -> bool {
        if file != self.file {
            return false;
        }
        match self.scope {
            Scope::File => true,
            Scope::Line { line, .. } => source.line_index().line_of(offset) == line,
            Scope::Document(range) => range.start <= offset && offset <= range.end,
        }
    }
}

/// A comment that starts like a suppression but cannot be read as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub file: FileId,
    pub range: TextRange,
    pub problem: &'static str,
}

/// Every suppression of the workspace, in file order.
#[derive(Debug, Default, Clone)]
pub struct Suppressions {
    pub items: Vec<Suppression>,
    pub malformed: Vec<Malformed>,
}

/// Reads every suppression comment and annotation in the workspace.
pub fn collect(ws: &Workspace) -> Suppressions {
    use rayon::prelude::*;
    // Per file in parallel (every comment of every file is looked at), then in file order.
    let per_file: Vec<Suppressions> = ws
        .files
        .par_iter()
        .map(|f| {
            let mut out = Suppressions::default();
            collect_file(ws.sources.file(f.id), f, &mut out);
            out
        })
        .collect();
    let mut out = Suppressions::default();
    for mut file in per_file {
        out.items.append(&mut file.items);
        out.malformed.append(&mut file.malformed);
    }
    out
}

/// Reads suppressions while the workspace loads (`topolint_workspace::load_with`), from
/// each file's tree before another hook lets it go; files added to the workspace after
/// loading are read with [`collect_from`].
#[derive(Debug, Default, Clone, Copy)]
pub struct AtLoad;

impl topolint_workspace::LoadHook for AtLoad {
    type Output = Suppressions;

    fn file(
        &self,
        file: &topolint_workspace::LoadedFile,
        source: &SourceFile,
        out: &mut Suppressions,
    ) -> bool {
        collect_file(source, file, out);
        true
    }

    fn append(&self, into: &mut Suppressions, mut next: Suppressions) {
        into.items.append(&mut next.items);
        into.malformed.append(&mut next.malformed);
    }
}

/// The suppressions of the files from `first` on (those added after loading, which
/// [`AtLoad`] did not see), appended to `out`.
pub fn collect_from(ws: &Workspace, first: usize, out: &mut Suppressions) {
    for f in ws.files.iter().skip(first) {
        collect_file(ws.sources.file(f.id), f, out);
    }
}

fn collect_file(source: &SourceFile, f: &topolint_workspace::LoadedFile, out: &mut Suppressions) {
    let comments: Vec<TextRange> = match &f.content {
        Content::Nginx(config) => config.comments.iter().map(|c| c.range).collect(),
        Content::Yaml(yaml) => yaml.comments.iter().map(|c| c.range).collect(),
        Content::Text if f.kind == Some(FileKind::Dockerfile) => dockerfile_comments(source),
        _ => Vec::new(),
    };
    comment_suppressions(source, &comments, out);
    if f.kind == Some(FileKind::Kubernetes) {
        if let Content::Yaml(yaml) = &f.content {
            annotation_suppressions(source, yaml, out);
        }
    }
}

/// Dockerfile comments: lines whose first non-blank character is `#`.
fn dockerfile_comments(source: &SourceFile) -> Vec<TextRange> {
    let text = &source.text;
    (0..source.line_index().line_count())
        .filter_map(|line| {
            let r = source.line_index().line_range(line, text)?;
            let body = &text[r.clone()];
            let indent = body.len() - body.trim_start().len();
            body.trim_start()
                .starts_with('#')
                .then(|| TextRange::from_usize(r.start + indent, r.end))
        })
        .collect()
}

fn comment_suppressions(source: &SourceFile, comments: &[TextRange], out: &mut Suppressions) {
    let text = &source.text;
    let index = source.line_index();
    let standalone = |c: &TextRange| {
        let line = index.line_of(c.start);
        let start = index.line_start(line).unwrap_or(0) as usize;
        text.get(start..c.start as usize)
            .is_some_and(|before| before.trim().is_empty())
    };
    // Lines that hold nothing but a comment: a suppression above them reaches past them.
    let comment_lines: BTreeSet<usize> = comments
        .iter()
        .filter(|c| standalone(c))
        .map(|c| index.line_of(c.start))
        .collect();
    for c in comments {
        let raw = source.slice(*c);
        let parsed = match parse_comment(raw) {
            None => continue,
            Some(Err(problem)) => {
                out.malformed.push(Malformed {
                    file: source.id,
                    range: *c,
                    problem,
                });
                continue;
            }
            Some(Ok(p)) => p,
        };
        let line = index.line_of(c.start);
        let (kind, scope) = if parsed.file_level {
            (SuppressionKind::FileComment, Scope::File)
        } else if standalone(c) {
            let mut target = line + 1;
            while comment_lines.contains(&target) {
                target += 1;
            }
            (
                SuppressionKind::Comment,
                Scope::Line {
                    line: target,
                    trailing: false,
                },
            )
        } else {
            (
                SuppressionKind::Comment,
                Scope::Line {
                    line,
                    trailing: true,
                },
            )
        };
        out.items.push(Suppression {
            file: source.id,
            kind,
            scope,
            range: *c,
            rules: parsed
                .rules
                .into_iter()
                .map(|(id, r)| SuppressedRule {
                    id,
                    range: TextRange::new(c.start + r.start, c.start + r.end),
                })
                .collect(),
            reason: parsed.reason,
            object: None,
        });
    }
}

fn annotation_suppressions(
    source: &SourceFile,
    yaml: &topolint_yaml::YamlFile,
    out: &mut Suppressions,
) {
    for doc in &yaml.documents {
        let Some(root) = doc.root else { continue };
        let Some(value) = yaml
            .get(root)
            .path(&["metadata", "annotations", ANNOTATION])
        else {
            continue;
        };
        let range = value.range();
        let object = {
            let root = yaml.get(root);
            let kind = root.get("kind").and_then(|k| k.as_str());
            let name = root.path(&["metadata", "name"]).and_then(|n| n.as_str());
            kind.zip(name).map(|(k, n)| format!("{k} `{n}`"))
        };
        let Some(text) = value.as_str() else {
            out.malformed.push(Malformed {
                file: source.id,
                range,
                problem: "the annotation must be a string",
            });
            continue;
        };
        // Ids are searched in the raw text so their ranges point into the file; when the
        // scalar is folded or escaped beyond recognition, the whole value is used.
        let raw = source.slice(range);
        let mut cursor = 0usize;
        for entry in text.split(['\n', ';']) {
            let (ids, reason) = match entry.split_once(':') {
                Some((ids, reason)) => (ids, Some(reason.trim())),
                None => (entry, None),
            };
            let ids: Vec<&str> = ids.split(',').map(str::trim).collect();
            if ids.iter().all(|i| i.is_empty()) {
                if reason.is_some_and(|r| !r.is_empty()) {
                    out.malformed.push(Malformed {
                        file: source.id,
                        range,
                        problem: "an annotation entry names no rule",
                    });
                }
                continue;
            }
            if ids.iter().any(|i| !is_rule_id(i)) {
                out.malformed.push(Malformed {
                    file: source.id,
                    range,
                    problem: "expected `rule-id, other-rule: reason`",
                });
                continue;
            }
            let rules = ids
                .iter()
                .map(|id| {
                    let r = match raw.get(cursor..).and_then(|rest| rest.find(id)) {
                        Some(at) => {
                            let start = range.start as usize + cursor + at;
                            cursor += at + id.len();
                            TextRange::from_usize(start, start + id.len())
                        }
                        None => range,
                    };
                    SuppressedRule {
                        id: (*id).to_string(),
                        range: r,
                    }
                })
                .collect();
            out.items.push(Suppression {
                file: source.id,
                kind: SuppressionKind::Annotation,
                scope: Scope::Document(doc.range),
                range,
                rules,
                reason: reason.filter(|r| !r.is_empty()).map(str::to_string),
                object: object.clone(),
            });
        }
    }
}

/// A suppression comment, read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ParsedComment {
    pub file_level: bool,
    /// Ids with their byte range relative to the comment's start.
    pub rules: Vec<(String, std::ops::Range<u32>)>,
    pub reason: Option<String>,
}

/// Reads one comment (from its `#`). `None`: not a topolint comment at all; `Err`: starts
/// with `topolint:` but is not a suppression topolint understands.
pub(crate) fn parse_comment(raw: &str) -> Option<Result<ParsedComment, &'static str>> {
    let body = raw.strip_prefix('#')?;
    let trimmed = body.trim_start();
    let rest = trimmed.strip_prefix("topolint:")?;
    let base = raw.len() - rest.len();
    let after = rest.trim_start();
    let base = base + (rest.len() - after.len());
    let (file_level, after_kw) = if let Some(r) = after.strip_prefix("ignore-file") {
        (true, r)
    } else if let Some(r) = after.strip_prefix("ignore") {
        (false, r)
    } else {
        return Some(Err(
            "expected `ignore[...]` or `ignore-file[...]` after `topolint:`",
        ));
    };
    let Some(inside) = after_kw.strip_prefix('[') else {
        return Some(Err("expected the rule ids in brackets: `ignore[rule-id]`"));
    };
    let Some(close) = inside.find(']') else {
        return Some(Err("missing `]` after the rule ids"));
    };
    let list_start = base + (after.len() - inside.len());
    let mut rules = Vec::new();
    let mut offset = 0usize;
    for part in inside[..close].split(',') {
        let lead = part.len() - part.trim_start().len();
        let id = part.trim();
        let start = list_start + offset + lead;
        offset += part.len() + 1;
        if id.is_empty() {
            continue;
        }
        if !is_rule_id(id) {
            return Some(Err("rule ids are kebab-case names, separated by `,`"));
        }
        rules.push((
            id.to_string(),
            u32::try_from(start).unwrap_or(u32::MAX)
                ..u32::try_from(start + id.len()).unwrap_or(u32::MAX),
        ));
    }
    if rules.is_empty() {
        return Some(Err("the brackets name no rule"));
    }
    let reason = inside[close + 1..]
        .trim()
        .trim_start_matches([':', '-', '—'])
        .trim();
    Some(Ok(ParsedComment {
        file_level,
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    }))
}

fn is_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &ParsedComment, raw: &str) -> Vec<String> {
        p.rules
            .iter()
            .map(|(id, r)| {
                assert_eq!(&raw[r.start as usize..r.end as usize], id);
                id.clone()
            })
            .collect()
    }

    #[test]
    fn reads_ids_ranges_and_reason() {
        let raw = "# topolint: ignore[include-not-found, parse-error] the file is generated at deploy time";
        let p = parse_comment(raw).unwrap().unwrap();
        assert!(!p.file_level);
        assert_eq!(ids(&p, raw), ["include-not-found", "parse-error"]);
        assert_eq!(
            p.reason.as_deref(),
            Some("the file is generated at deploy time")
        );

        let raw = "#topolint:ignore-file[duplicate-key]: kustomize merges it";
        let p = parse_comment(raw).unwrap().unwrap();
        assert!(p.file_level);
        assert_eq!(ids(&p, raw), ["duplicate-key"]);
        assert_eq!(p.reason.as_deref(), Some("kustomize merges it"));
    }

    #[test]
    fn no_reason() {
        let p = parse_comment("# topolint: ignore[parse-error]")
            .unwrap()
            .unwrap();
        assert_eq!(p.reason, None);
        let p = parse_comment("# topolint: ignore[parse-error]  -  ")
            .unwrap()
            .unwrap();
        assert_eq!(p.reason, None);
    }

    #[test]
    fn other_comments_are_not_suppressions() {
        assert_eq!(parse_comment("# listen on 80"), None);
        assert_eq!(parse_comment("# see topolint: docs"), None);
    }

    #[test]
    fn malformed_ones_are_told_apart() {
        for raw in [
            "# topolint: ignore parse-error because",
            "# topolint: disable[parse-error] x",
            "# topolint: ignore[parse-error x",
            "# topolint: ignore[] x",
            "# topolint: ignore[parse error] x",
        ] {
            assert!(
                matches!(parse_comment(raw), Some(Err(_))),
                "{raw} should be malformed"
            );
        }
    }
}
