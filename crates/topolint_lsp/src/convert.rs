//! From topolint's data (byte ranges, [`Diagnostic`]) to LSP's (UTF-16 positions, URIs) and
//! back.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types as lsp;
use topolint_diagnostics::{Diagnostic, Severity, SourceFile, SourceMap, TextRange};

/// `file://` URI of an absolute path: every byte but `A-Z a-z 0-9 - . _ ~ /` is
/// percent-encoded, as VS Code does.
pub(crate) fn path_to_uri(path: &Path) -> Option<lsp::Uri> {
    if !path.is_absolute() {
        return None;
    }
    let bytes = path_bytes(path);
    let mut out = String::with_capacity(bytes.len() + 8);
    out.push_str("file://");
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    lsp::Uri::from_str(&out).ok()
}

/// The path of a `file://` URI (`file:///p`, `file://localhost/p`); `None` for other
/// schemes (`untitled:`) and remote hosts.
pub(crate) fn uri_to_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let scheme_end = s.find(':')?;
    if !s[..scheme_end].eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = s[scheme_end + 1..].strip_prefix("//")?;
    let (host, path) = rest.split_at(rest.find('/')?);
    if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut bytes = Vec::with_capacity(path.len());
    let raw = path.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let hex = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    path_from_bytes(bytes)
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().replace('\\', "/").into_bytes()
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// LSP position (0-based line, UTF-16 code units) of a byte offset.
pub(crate) fn position(file: &SourceFile, offset: u32) -> lsp::Position {
    let lc = file.line_col(offset);
    lsp::Position::new(lc.line.saturating_sub(1), lc.utf16_column)
}

pub(crate) fn range(file: &SourceFile, range: TextRange) -> lsp::Range {
    lsp::Range::new(position(file, range.start), position(file, range.end))
}

/// Byte offset of an LSP position; positions past the end of a line or of the file are
/// clamped, as the protocol asks.
pub(crate) fn offset(file: &SourceFile, position: lsp::Position) -> u32 {
    file.line_index()
        .offset_of_utf16(&file.text, position.line, position.character)
}

/// Same, for a text that has no [`SourceFile`] (a document the workspace does not hold).
pub(crate) fn offset_in(text: &str, position: lsp::Position) -> u32 {
    let index = topolint_diagnostics::LineIndex::new(text);
    index.offset_of_utf16(text, position.line, position.character)
}

pub(crate) fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// Link to a rule's documentation page, for built-in rules.
pub(crate) fn rule_docs_uri(rule: &str) -> Option<lsp::Uri> {
    topolint_rules::rule(rule)?;
    lsp::Uri::from_str(&format!("{}{rule}.md", crate::RULE_DOCS_BASE)).ok()
}

/// One finding as an LSP diagnostic of its primary file: the rule id as `code` with a link
/// to its docs, the help after the message, the primary label and every piece of evidence
/// (in any file) as related information.
pub(crate) fn diagnostic(
    d: &Diagnostic,
    sources: &SourceMap,
) -> Option<(PathBuf, lsp::Diagnostic)> {
    let file = sources.get(d.primary.file)?;
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut related = Vec::new();
    let mut relate = |label: &topolint_diagnostics::Label| {
        let Some(f) = sources.get(label.file) else {
            return;
        };
        let Some(uri) = path_to_uri(&f.path) else {
            return;
        };
        let text = if label.message.is_empty() {
            "evidence".to_string()
        } else {
            label.message.clone()
        };
        related.push(lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri, range(f, label.range)),
            message: text,
        });
    };
    if !d.primary.message.is_empty() {
        relate(&d.primary);
    }
    for label in &d.secondary {
        relate(label);
    }
    let out = lsp::Diagnostic {
        range: range(file, d.primary.range),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        code_description: rule_docs_uri(&d.rule).map(|href| lsp::CodeDescription { href }),
        source: Some("topolint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    };
    Some((file.path.clone(), out))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use topolint_diagnostics::{FileId, Label};

    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(
            FileId(0),
            "/w/a.conf".into(),
            "a.conf".into(),
            Arc::from(text),
        )
    }

    #[test]
    fn positions_count_utf16_units_after_non_ascii_text() {
        // `é` is 2 bytes and 1 UTF-16 unit, `😀` 4 bytes and 2 units.
        let f = file("# é😀\n  server é😀 api:8081;\n");
        let at = f.text.find("api").unwrap() as u32;
        let p = position(&f, at);
        // 2 spaces + "server " (7) + é (1) + 😀 (2) + a space: 13 units, 17 bytes
        assert_eq!(p, lsp::Position::new(1, 13));
        assert_eq!(offset(&f, p), at);
        // past the end of the line: the end of the line
        let eol = f.text.find(";\n").unwrap() as u32 + 1;
        assert_eq!(offset(&f, lsp::Position::new(1, 999)), eol);
        assert_eq!(offset_in(&f.text, p), at);
    }

    #[test]
    fn uris_round_trip_paths_with_spaces_and_unicode() {
        let p = Path::new("/tmp/my stack/naïve/nginx.conf");
        let uri = path_to_uri(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/my%20stack/na%C3%AFve/nginx.conf");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
        assert!(uri_to_path(&lsp::Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
        assert!(uri_to_path(&lsp::Uri::from_str("file://server/share/x").unwrap()).is_none());
        // Other encoders' choices decode the same.
        let vscode = lsp::Uri::from_str("file:///tmp/my%20stack/na%c3%afve/a%2Bb.conf").unwrap();
        assert_eq!(
            uri_to_path(&vscode).unwrap(),
            Path::new("/tmp/my stack/naïve/a+b.conf")
        );
        let localhost = lsp::Uri::from_str("file://localhost/etc/nginx/nginx.conf").unwrap();
        assert_eq!(
            uri_to_path(&localhost).unwrap(),
            Path::new("/etc/nginx/nginx.conf")
        );
        assert!(path_to_uri(Path::new("relative/x")).is_none());
    }

    #[test]
    fn diagnostic_carries_code_link_help_and_evidence() {
        let mut sources = SourceMap::new();
        sources.add_text(
            "/w/n.conf".into(),
            "n.conf".into(),
            Arc::from("server api:8081;\n"),
        );
        sources.add_text(
            "/w/compose.yaml".into(),
            "compose.yaml".into(),
            Arc::from("ports:\n  - \"8081:8000\"\n"),
        );
        let d = Diagnostic::new(
            "published-port-used-internally",
            Severity::Warning,
            "uses the host port",
            Label::new(FileId(0), TextRange::new(7, 15), "host only"),
        )
        .with_secondary(Label::new(FileId(1), TextRange::new(11, 22), "mapping"))
        .with_help("use `api:8000`");
        let (path, lsp) = diagnostic(&d, &sources).unwrap();
        assert_eq!(path, Path::new("/w/n.conf"));
        assert_eq!(
            lsp.range,
            lsp::Range::new(lsp::Position::new(0, 7), lsp::Position::new(0, 15))
        );
        assert_eq!(
            lsp.code,
            Some(lsp::NumberOrString::String(
                "published-port-used-internally".into()
            ))
        );
        assert!(lsp
            .code_description
            .unwrap()
            .href
            .as_str()
            .ends_with("/docs/rules/published-port-used-internally.md"));
        assert_eq!(lsp.message, "uses the host port\nhelp: use `api:8000`");
        let related = lsp.related_information.unwrap();
        assert_eq!(related.len(), 2);
        assert_eq!(related[1].location.uri.as_str(), "file:///w/compose.yaml");
        assert_eq!(
            related[1].location.range,
            lsp::Range::new(lsp::Position::new(1, 4), lsp::Position::new(1, 15))
        );
        assert_eq!(related[1].message, "mapping");
    }
}
