//! Shared helpers of the lowering passes: spans from file ranges, YAML scalar reading.

use topolint_diagnostics::{FileId, SourceFile, TextRange};
use topolint_workspace::Workspace;
use topolint_yaml::NodeRef;

use crate::model::{Span, Spanned, Str};

/// Read access to the loaded files while lowering.
pub struct Ctx<'a> {
    pub ws: &'a Workspace,
    /// The one file being lowered while the workspace is still loading
    /// ([`Ctx::one_file`]): spans in it read its text, not the workspace's.
    one: Option<(FileId, &'a SourceFile)>,
}

impl<'a> Ctx<'a> {
    pub fn new(ws: &'a Workspace) -> Self {
        Self { ws, one: None }
    }

    /// For lowering one Kubernetes file as it is loaded: the workspace is empty, and only
    /// that file's spans can be made (Kubernetes lowering reads nothing else).
    pub fn one_file(file: FileId, source: &'a SourceFile) -> Self {
        static EMPTY: std::sync::LazyLock<Workspace> = std::sync::LazyLock::new(Workspace::default);
        Self {
            ws: &EMPTY,
            one: Some((file, source)),
        }
    }

    pub fn span(&self, file: FileId, range: TextRange) -> Span {
        let f = match self.one {
            Some((id, source)) if id == file => source,
            _ => self.ws.sources.file(file),
        };
        let pos = f.line_col(range.start);
        Span {
            file,
            start: range.start,
            end: range.end,
            line: pos.line,
            column: pos.column,
        }
    }

    pub fn node_span(&self, file: FileId, node: NodeRef<'_>) -> Span {
        self.span(file, node.range())
    }

    /// The span of `key` in a mapping node, else of the mapping.
    pub fn key_span(&self, file: FileId, map: NodeRef<'_>, key: &str) -> Span {
        self.span(file, map.key_range(key).unwrap_or_else(|| map.range()))
    }

    pub fn spanned_str(&self, file: FileId, node: Option<NodeRef<'_>>) -> Option<Spanned<Str>> {
        let node = node?;
        Some(Spanned {
            value: scalar(node)?,
            span: self.node_span(file, node),
        })
    }
}

/// A scalar as text, whatever its YAML type (`80`, `"80"`, `true`); `None` for null and
/// collections.
pub fn scalar(node: NodeRef<'_>) -> Option<Str> {
    let node = node.resolve();
    if node.is_null() {
        return None;
    }
    node.as_str().map(Str::from)
}

/// A list of strings from a sequence (scalars only) or, for a scalar, shell-split words.
pub fn string_list(node: Option<NodeRef<'_>>) -> Vec<Str> {
    let Some(node) = node.map(NodeRef::resolve) else {
        return Vec::new();
    };
    if node.is_sequence() {
        return node.items().filter_map(scalar).collect();
    }
    match scalar(node) {
        Some(s) => match shlex::split(&s) {
            Some(words) => words.into_iter().map(Str::from).collect(),
            None => s.split_whitespace().map(Str::from).collect(),
        },
        None => Vec::new(),
    }
}

/// Mapping entries as (key text, value) pairs, keys as scalars.
pub fn entries<'a>(node: Option<NodeRef<'a>>) -> Vec<(Str, NodeRef<'a>)> {
    let Some(node) = node.map(NodeRef::resolve) else {
        return Vec::new();
    };
    if !node.is_mapping() {
        return Vec::new();
    }
    node.entries()
        .filter_map(|(k, v)| Some((scalar(k)?, v)))
        .collect()
}

/// A port number from a scalar (`8080`, `"8080"`).
pub fn port_number(text: &str) -> Option<u16> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<u16>().ok().filter(|p| *p > 0)
}
