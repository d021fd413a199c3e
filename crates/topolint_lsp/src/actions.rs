//! Code actions: the rules' fixes, and "suppress with a reason", which inserts the inline
//! comment the gate reads (`# topolint: ignore[rule-id] reason`).
//!
//! The reason is the user's to write: the code action runs the [`SUPPRESS_COMMAND`], which
//! editors can intercept to ask for it (the VS Code extension and the Neovim snippet do);
//! without one the comment is inserted bare and the gate's `suppression-without-reason`
//! finding asks for it. A comment is only proposed where the file's own parser will read it
//! as a comment without changing anything else (not inside a YAML block scalar, say);
//! otherwise a file-level `ignore-file` comment at the top is proposed.

use std::collections::HashMap;
use std::path::Path;

use lsp_types as lsp;
use serde::{Deserialize, Serialize};
use topolint_diagnostics::{Applicability, Diagnostic, LineIndex};
use topolint_workspace::{classify, NameHint};

use crate::convert;
use crate::engine::Analysis;
use crate::SUPPRESS_COMMAND;

/// The argument of [`SUPPRESS_COMMAND`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SuppressArgs {
    pub uri: lsp::Uri,
    pub rule: String,
    /// 0-based line of the finding.
    pub line: u32,
    /// The justification; asked from the user by the editor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Findings about suppressions themselves are fixed by editing the suppression.
const NOT_SUPPRESSIBLE: &[&str] = topolint_gate::ids::ALL;

pub(crate) fn code_actions(
    a: &Analysis,
    path: &Path,
    uri: &lsp::Uri,
    range: lsp::Range,
    apply_edit: bool,
) -> Vec<lsp::CodeActionOrCommand> {
    let Some(id) = a.file_id(path) else {
        return Vec::new();
    };
    let file = a.sources.file(id);
    // Findings on the lines of the request: editors ask with the cursor position, which
    // need not be inside the flagged span.
    let first = range.start.line;
    let last = range.end.line.max(first);
    let mut out = Vec::new();
    for d in a.findings.iter().filter(|d| {
        if d.primary.file != id {
            return false;
        }
        let r = convert::range(file, d.primary.range);
        r.start.line <= last && first <= r.end.line
    }) {
        let Some((_, diagnostic)) = convert::diagnostic(d, &a.sources) else {
            continue;
        };
        if let Some(action) = fix_action(a, d, id, uri, &diagnostic) {
            out.push(lsp::CodeActionOrCommand::CodeAction(action));
        }
        if NOT_SUPPRESSIBLE.contains(&d.rule.as_ref()) {
            continue;
        }
        let line = file.line_col(d.primary.range.start).line.saturating_sub(1);
        let args = SuppressArgs {
            uri: uri.clone(),
            rule: d.rule.to_string(),
            line,
            reason: None,
        };
        let Some((scope, edit)) = plan(path, &file.text, &args) else {
            continue;
        };
        let title = match scope {
            Scope::Line => format!("Suppress `{}` here, with a reason", d.rule),
            Scope::File => format!("Suppress `{}` in this file, with a reason", d.rule),
        };
        let mut action = lsp::CodeAction {
            title: title.clone(),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            ..Default::default()
        };
        if apply_edit {
            action.command = Some(lsp::Command {
                title,
                command: SUPPRESS_COMMAND.into(),
                arguments: serde_json::to_value(&args).ok().map(|v| vec![v]),
            });
        } else {
            // The editor cannot be asked to apply an edit later: insert the comment now.
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), vec![edit]);
            action.edit = Some(lsp::WorkspaceEdit {
                changes: Some(changes),
                ..Default::default()
            });
        }
        out.push(lsp::CodeActionOrCommand::CodeAction(action));
    }
    out
}

fn fix_action(
    a: &Analysis,
    d: &Diagnostic,
    id: topolint_diagnostics::FileId,
    uri: &lsp::Uri,
    diagnostic: &lsp::Diagnostic,
) -> Option<lsp::CodeAction> {
    let fix = d.fix.as_ref()?;
    if fix.applicability == Applicability::DisplayOnly || fix.edits.is_empty() {
        return None;
    }
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for e in &fix.edits {
        let f = a.sources.get(e.file)?;
        let target = if e.file == id {
            uri.clone()
        } else {
            convert::path_to_uri(&f.path)?
        };
        changes.entry(target).or_default().push(lsp::TextEdit {
            range: convert::range(f, e.range),
            new_text: e.replacement.clone(),
        });
    }
    Some(lsp::CodeAction {
        title: capitalized(&fix.message),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        ..Default::default()
    })
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The edit [`SUPPRESS_COMMAND`] applies to `text` (the document as it is now).
pub(crate) fn suppression_edit(
    path: &Path,
    text: &str,
    args: &SuppressArgs,
) -> Option<lsp::TextEdit> {
    plan(path, text, args).map(|(_, edit)| edit)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Line,
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Nginx,
    Yaml,
    Dockerfile,
}

fn syntax(path: &Path, text: &str) -> Option<Syntax> {
    match classify::name_hint(path) {
        NameHint::NginxStrong | NameHint::NginxWeak => Some(Syntax::Nginx),
        NameHint::Compose | NameHint::Yaml => Some(Syntax::Yaml),
        NameHint::Dockerfile => Some(Syntax::Dockerfile),
        NameHint::Unknown => {
            // Named otherwise on the command line or in topolint.toml: decide by content.
            let yaml = topolint_yaml::parse(text);
            (yaml.errors.is_empty() && !yaml.documents.is_empty()).then_some(Syntax::Yaml)
        }
    }
}

/// Where the suppression comment goes: on its own line above the finding's line (same
/// indentation), or, when a comment cannot stand there, as an `ignore-file` comment on the
/// first line.
fn plan(path: &Path, text: &str, args: &SuppressArgs) -> Option<(Scope, lsp::TextEdit)> {
    let syntax = syntax(path, text)?;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let reason = args
        .reason
        .as_deref()
        .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|r| !r.is_empty());
    let rule = &args.rule;
    if rule.is_empty()
        || !rule
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c))
    {
        return None;
    }
    let comment = |keyword: &str| match &reason {
        Some(r) => format!("# topolint: {keyword}[{rule}] {r}"),
        None => format!("# topolint: {keyword}[{rule}]"),
    };

    let index = LineIndex::new(text);
    if let Some(line_range) = index.line_range(args.line as usize, text) {
        let line_text = &text[line_range.clone()];
        let indent: String = line_text
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let insert = format!("{indent}{}{eol}", comment("ignore"));
        if reads_as_comment(syntax, text, line_range.start, &insert, indent.len()) {
            return Some((
                Scope::Line,
                lsp::TextEdit {
                    range: lsp::Range::new(
                        lsp::Position::new(args.line, 0),
                        lsp::Position::new(args.line, 0),
                    ),
                    new_text: insert,
                },
            ));
        }
    }
    let insert = format!("{}{eol}", comment("ignore-file"));
    reads_as_comment(syntax, text, 0, &insert, 0).then(|| {
        (
            Scope::File,
            lsp::TextEdit {
                range: lsp::Range::default(),
                new_text: insert,
            },
        )
    })
}

/// Whether inserting `insert` at byte `at` adds a comment starting `indent` bytes later and
/// changes nothing else the parser sees.
fn reads_as_comment(syntax: Syntax, text: &str, at: usize, insert: &str, indent: usize) -> bool {
    let Some((before, after)) = text.split_at_checked(at) else {
        return false;
    };
    let new = format!("{before}{insert}{after}");
    let comment_at = (at + indent) as u32;
    match syntax {
        Syntax::Nginx => {
            let old = topolint_nginx::parse(text);
            let new = topolint_nginx::parse(&new);
            new.comments.iter().any(|c| c.range.start == comment_at)
                && new.errors.len() <= old.errors.len()
                && new.walk().count() == old.walk().count()
        }
        Syntax::Yaml => {
            let old = topolint_yaml::parse(text);
            let new = topolint_yaml::parse(&new);
            new.comments.iter().any(|c| c.range.start == comment_at)
                && new.errors.len() <= old.errors.len()
                && new.nodes.len() == old.nodes.len()
        }
        Syntax::Dockerfile => true,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn args(line: u32, reason: Option<&str>) -> SuppressArgs {
        SuppressArgs {
            uri: lsp::Uri::from_str("file:///w/x").unwrap(),
            rule: "upstream-host-unknown".into(),
            line,
            reason: reason.map(str::to_string),
        }
    }

    fn apply(text: &str, edit: &lsp::TextEdit) -> String {
        let at = convert::offset_in(text, edit.range.start) as usize;
        format!("{}{}{}", &text[..at], edit.new_text, &text[at..])
    }

    #[test]
    fn nginx_comment_goes_above_the_line_with_its_indentation() {
        let text = "upstream a {\n    server api:8081;\n}\n";
        let edit = suppression_edit(
            Path::new("/w/nginx/conf.d/a.conf"),
            text,
            &args(1, Some("  the api\n runs elsewhere ")),
        )
        .unwrap();
        assert_eq!(
            apply(text, &edit),
            "upstream a {\n    # topolint: ignore[upstream-host-unknown] the api runs elsewhere\n    server api:8081;\n}\n"
        );
    }

    #[test]
    fn yaml_comment_above_a_list_item_and_without_reason() {
        let text = "services:\n  api:\n    ports:\n      - \"8081:8000\"\n";
        let edit = suppression_edit(Path::new("/w/compose.yaml"), text, &args(3, None)).unwrap();
        assert_eq!(
            apply(text, &edit),
            "services:\n  api:\n    ports:\n      # topolint: ignore[upstream-host-unknown]\n      - \"8081:8000\"\n"
        );
    }

    #[test]
    fn inside_a_block_scalar_the_comment_goes_to_the_top_of_the_file() {
        let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  nginx.conf: |\n    upstream a {\n      server api:8081;\n    }\n";
        let edit =
            suppression_edit(Path::new("/w/k8s/cm.yaml"), text, &args(5, Some("known"))).unwrap();
        assert_eq!(edit.range.start, lsp::Position::new(0, 0));
        assert_eq!(
            edit.new_text,
            "# topolint: ignore-file[upstream-host-unknown] known\n"
        );
    }

    #[test]
    fn crlf_files_keep_crlf_and_bad_rule_ids_are_refused() {
        let text = "a:\r\n  b: 1\r\n";
        let edit = suppression_edit(Path::new("/w/x.yaml"), text, &args(1, None)).unwrap();
        assert!(edit.new_text.ends_with("]\r\n"), "{:?}", edit.new_text);
        let mut bad = args(1, None);
        bad.rule = "x] evil [".into();
        assert!(suppression_edit(Path::new("/w/x.yaml"), text, &bad).is_none());
    }
}
