//! Typed, cheap views over the tree: lookups that follow aliases and `<<` merge keys.

use std::collections::HashSet;
use std::fmt;

use topolint_diagnostics::TextRange;

use crate::tree::{Data, Node, NodeId, NodeKind, ScalarStyle, YamlFile};

/// Node budget for traversals that expand aliases ([`NodeRef::walk`]): enough for any real
/// configuration, small enough that an alias bomb stops in milliseconds.
pub const DEFAULT_EXPANSION_BUDGET: usize = 100_000;

/// Aliases cannot point at aliases in valid YAML; this only bounds a malformed chain.
const MAX_ALIAS_HOPS: usize = 16;

/// A traversal visited more nodes than its budget allowed (an alias bomb or an alias cycle).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetExceeded {
    pub budget: usize,
}

impl fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expanding aliases would visit more than {} nodes (alias bomb or alias cycle?)",
            self.budget
        )
    }
}

impl std::error::Error for BudgetExceeded {}

/// A node of a [`YamlFile`], `Copy` and two words wide.
///
/// Accessors that look at a value (`as_str`, `get`, `items`, `entries`, ...) follow aliases
/// transparently; `range()`, `node()` and `kind()` describe the node itself, so for an alias
/// they give the `*name` text — the place a diagnostic should point at.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    pub file: &'a YamlFile,
    pub id: NodeId,
}

impl PartialEq for NodeRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.file, other.file)
    }
}

impl Eq for NodeRef<'_> {}

impl fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.node();
        let kind = match self.kind() {
            NodeKind::Scalar { value, .. } => format!("scalar {value:?}"),
            NodeKind::Sequence(items) => format!("sequence of {}", items.len()),
            NodeKind::Mapping(entries) => format!("mapping of {}", entries.len()),
            NodeKind::Alias { name, .. } => format!("alias *{name}"),
            NodeKind::Null => "null".to_owned(),
        };
        write!(
            f,
            "NodeRef({} {kind} @{}..{})",
            self.id.0, node.range.start, node.range.end
        )
    }
}

impl<'a> NodeRef<'a> {
    /// The node itself (an alias stays an alias).
    pub fn node(self) -> &'a Node {
        self.file.node(self.id)
    }

    /// The range of the node itself (for an alias: its `*name`).
    pub fn range(self) -> TextRange {
        self.node().range
    }

    /// The kind of the node itself (an alias stays an alias; see [`Self::resolve`]).
    pub fn kind(self) -> NodeKind<'a> {
        self.file.kind(self.id)
    }

    /// The source text of the node itself; `text` must be the parsed text.
    pub fn raw(self, text: &str) -> &str {
        self.file.raw(text, self.id)
    }

    /// Follows aliases to the anchored node. An unknown alias resolves to itself.
    pub fn resolve(self) -> NodeRef<'a> {
        let mut current = self;
        for _ in 0..MAX_ALIAS_HOPS {
            match current.kind() {
                NodeKind::Alias {
                    target: Some(target),
                    ..
                } => {
                    current = NodeRef {
                        file: self.file,
                        id: target,
                    };
                }
                _ => return current,
            }
        }
        current
    }

    pub fn is_alias(self) -> bool {
        matches!(self.kind(), NodeKind::Alias { .. })
    }

    /// The tag of the (resolved) node as written, e.g. `!!str`.
    pub fn tag(self) -> Option<&'a str> {
        let node = self.resolve();
        self.file.tag(node.id)
    }

    /// The anchor defined on the (resolved) node, without `&`.
    pub fn anchor(self) -> Option<&'a str> {
        let node = self.resolve();
        self.file.anchor(node.id)
    }

    /// The style of a (resolved) scalar.
    pub fn style(self) -> Option<ScalarStyle> {
        match self.resolve().kind() {
            NodeKind::Scalar { style, .. } => Some(style),
            _ => None,
        }
    }

    pub fn is_mapping(self) -> bool {
        matches!(self.resolve().kind(), NodeKind::Mapping(_))
    }

    pub fn is_sequence(self) -> bool {
        matches!(self.resolve().kind(), NodeKind::Sequence(_))
    }

    pub fn is_scalar(self) -> bool {
        matches!(self.resolve().kind(), NodeKind::Scalar { .. })
    }

    /// The interpreted value of a scalar of any style (`None` for collections and for
    /// [`NodeKind::Null`]). `port: 80` gives `"80"`: use [`Self::as_i64`] for numbers.
    pub fn as_str(self) -> Option<&'a str> {
        match self.resolve().kind() {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// An integer, read the way YAML 1.1 loaders (Kubernetes, compose) read plain scalars:
    /// decimal with optional sign, `0x` hex, `0o` and leading-`0` octal (`0755` is 493), `0b`
    /// binary, `_` separators. Quoted scalars are strings unless tagged `!!int`; `!!str`
    /// scalars are never integers.
    pub fn as_i64(self) -> Option<i64> {
        let node = self.resolve();
        let NodeKind::Scalar { value, style } = node.kind() else {
            return None;
        };
        match node.tag().map(core_tag) {
            Some(Some("int")) => parse_int(value),
            Some(_) => None,
            None if style == ScalarStyle::Plain => parse_int(value),
            None => None,
        }
    }

    /// A boolean, YAML 1.1 flavour as Kubernetes reads it: plain `true`/`false`/`yes`/`no`/
    /// `on`/`off`, any letter case. Quoted scalars (`"yes"`) are strings, not booleans.
    pub fn as_bool(self) -> Option<bool> {
        let node = self.resolve();
        let NodeKind::Scalar { value, style } = node.kind() else {
            return None;
        };
        let bool_tagged = match node.tag().map(core_tag) {
            Some(Some("bool")) => true,
            Some(_) => return None,
            None => false,
        };
        if style != ScalarStyle::Plain && !bool_tagged {
            return None;
        }
        let is = |word: &str| value.eq_ignore_ascii_case(word);
        if is("true") || is("yes") || is("on") {
            Some(true)
        } else if is("false") || is("no") || is("off") {
            Some(false)
        } else {
            None
        }
    }

    /// An empty value, or a plain `~`/`null`/`Null`/`NULL`, or a `!!null`-tagged scalar.
    pub fn is_null(self) -> bool {
        let node = self.resolve();
        match node.kind() {
            NodeKind::Null => true,
            NodeKind::Scalar { value, style } => match node.tag().map(core_tag) {
                Some(Some("null")) => true,
                Some(_) => false,
                None => {
                    style == ScalarStyle::Plain
                        && matches!(value, "" | "~" | "null" | "Null" | "NULL")
                }
            },
            _ => false,
        }
    }

    /// Number of items of a sequence or entries of a mapping as written (duplicates and
    /// merge keys counted, merges not expanded); 0 for anything else.
    pub fn len(self) -> usize {
        match self.resolve().kind() {
            NodeKind::Sequence(items) => items.len(),
            NodeKind::Mapping(entries) => entries.len(),
            _ => 0,
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The value of `key` in a mapping.
    ///
    /// Semantics (those of common loaders): keys compare by their interpreted scalar value; if
    /// the key is written twice, the LAST occurrence wins (the duplicate is also recorded in
    /// [`YamlFile::duplicate_keys`]); aliases are followed; `<<` merge keys are resolved — a
    /// `<<` value may be a mapping or a sequence of mappings, the mapping's own keys win over
    /// merged ones and earlier merge sources win over later ones. Looking up `"<<"` itself
    /// returns the last `<<` entry's value unexpanded.
    pub fn get(self, key: &str) -> Option<NodeRef<'a>> {
        self.get_entry(key).map(|(_, value)| value)
    }

    /// The range of the key node that [`Self::get`] uses for `key` — for diagnostics that
    /// point at a key. For a merged key this is in the merged mapping.
    pub fn key_range(self, key: &str) -> Option<TextRange> {
        self.get_entry(key).map(|(k, _)| k.range())
    }

    /// The `(key, value)` entry that [`Self::get`] uses for `key`.
    pub fn get_entry(self, key: &str) -> Option<(NodeRef<'a>, NodeRef<'a>)> {
        let file = self.file;
        let map = self.resolve();
        let entries = mapping_entries(file, map.id)?;
        let mut has_merge = false;
        for &(k, v) in entries.iter().rev() {
            match scalar_key(file, k) {
                Some(found) if found == key => return Some((file.get(k), file.get(v))),
                // Only a `<<` key can be a merge key: the tag check is for those alone.
                Some("<<") => has_merge = has_merge || is_merge_key(file, k),
                _ => {}
            }
        }
        if !has_merge {
            return None;
        }
        let mut visited = HashSet::from([map.id]);
        let mut stack = Vec::new();
        push_merge_sources(file, entries, &mut stack);
        while let Some(source) = stack.pop() {
            if !visited.insert(source) {
                continue;
            }
            let Some(entries) = mapping_entries(file, source) else {
                continue;
            };
            for &(k, v) in entries.iter().rev() {
                if scalar_key(file, k) == Some(key) && !is_merge_key(file, k) {
                    return Some((file.get(k), file.get(v)));
                }
            }
            push_merge_sources(file, entries, &mut stack);
        }
        None
    }

    /// The effective entries of a mapping: `<<` merges expanded, each key once with the
    /// value [`Self::get`] would return. Order: the mapping's own entries in source order
    /// (a duplicated key at its last occurrence), then merged entries by merge precedence.
    /// Entries whose key is not a scalar are all kept. Empty for anything but a mapping.
    /// Without merge keys and duplicates this is a plain walk over the entries.
    pub fn entries(self) -> Entries<'a> {
        let file = self.file;
        let map = self.resolve();
        let Some(entries) = mapping_entries(file, map.id) else {
            return Entries {
                file,
                inner: EntriesInner::Direct([].iter()),
            };
        };
        let simple =
            !file.has_duplicates(map.id) && !entries.iter().any(|&(k, _)| is_merge_key(file, k));
        if simple {
            return Entries {
                file,
                inner: EntriesInner::Direct(entries.iter()),
            };
        }
        Entries {
            file,
            inner: EntriesInner::Collected(effective_entries(file, map.id).into_iter()),
        }
    }

    /// The items of a sequence (empty for anything else). Items that are aliases are
    /// returned as such; their accessors follow them.
    pub fn items(self) -> Items<'a> {
        let items: &'a [NodeId] = match self.resolve().kind() {
            NodeKind::Sequence(items) => items,
            _ => &[],
        };
        Items {
            file: self.file,
            inner: items.iter(),
        }
    }

    /// Follows a path of mapping keys; a segment that is a decimal number indexes a sequence.
    /// `root.path(&["spec", "template", "spec", "containers", "0", "image"])`.
    pub fn path(self, path: &[&str]) -> Option<NodeRef<'a>> {
        let mut current = self;
        for segment in path {
            current = if current.is_sequence() {
                current.items().nth(segment.parse::<usize>().ok()?)?
            } else {
                current.get(segment)?
            };
        }
        Some(current)
    }

    /// Visits this node and everything below it in document order (a mapping's key before
    /// its value), with aliases EXPANDED: `f` sees the anchored node wherever an alias
    /// appears. Merge keys are not expanded (the `<<` entry is visited like any other).
    /// Stops with an error after `budget` nodes, so an alias bomb or cycle cannot hang; use
    /// [`DEFAULT_EXPANSION_BUDGET`] unless you have a reason. Returns the number of visits.
    pub fn walk(
        self,
        budget: usize,
        mut f: impl FnMut(NodeRef<'a>),
    ) -> Result<usize, BudgetExceeded> {
        let mut stack = vec![self.id];
        let mut visited = 0usize;
        while let Some(id) = stack.pop() {
            if visited >= budget {
                return Err(BudgetExceeded { budget });
            }
            visited += 1;
            let node = self.file.get(id).resolve();
            f(node);
            match node.kind() {
                NodeKind::Sequence(items) => stack.extend(items.iter().rev()),
                NodeKind::Mapping(entries) => {
                    for &(k, v) in entries.iter().rev() {
                        stack.push(v);
                        stack.push(k);
                    }
                }
                _ => {}
            }
        }
        Ok(visited)
    }
}

/// Iterator over a sequence's items.
#[derive(Clone, Debug)]
pub struct Items<'a> {
    file: &'a YamlFile,
    inner: std::slice::Iter<'a, NodeId>,
}

impl<'a> Iterator for Items<'a> {
    type Item = NodeRef<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|&id| self.file.get(id))
    }

    fn nth(&mut self, n: usize) -> Option<Self::Item> {
        self.inner.nth(n).map(|&id| self.file.get(id))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl ExactSizeIterator for Items<'_> {}

impl DoubleEndedIterator for Items<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|&id| self.file.get(id))
    }
}

/// Iterator over a mapping's effective `(key, value)` entries; see [`NodeRef::entries`].
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    file: &'a YamlFile,
    inner: EntriesInner<'a>,
}

#[derive(Clone, Debug)]
enum EntriesInner<'a> {
    Direct(std::slice::Iter<'a, (NodeId, NodeId)>),
    Collected(std::vec::IntoIter<(NodeId, NodeId)>),
}

impl<'a> Iterator for Entries<'a> {
    type Item = (NodeRef<'a>, NodeRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let (k, v) = match &mut self.inner {
            EntriesInner::Direct(it) => *it.next()?,
            EntriesInner::Collected(it) => it.next()?,
        };
        Some((self.file.get(k), self.file.get(v)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            EntriesInner::Direct(it) => it.size_hint(),
            EntriesInner::Collected(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for Entries<'_> {}

fn mapping_entries(file: &YamlFile, id: NodeId) -> Option<&[(NodeId, NodeId)]> {
    match file.kind(id) {
        NodeKind::Mapping(entries) => Some(entries),
        _ => None,
    }
}

/// The scalar value of a key node, through an alias.
fn scalar_key(file: &YamlFile, key: NodeId) -> Option<&str> {
    // Called for every entry of every lookup: read the compact node directly. An alias
    // points at an anchored node, which is never an alias itself.
    let mut node = file.node(key);
    if let Data::Alias(i) = file.data(node) {
        node = file.node(file.alias(i).1);
    }
    match file.data(node) {
        Data::Scalar(value, _) => Some(file.str(value)),
        _ => None,
    }
}

/// A plain `<<` key (or one tagged `!!merge`).
fn is_merge_key(file: &YamlFile, key: NodeId) -> bool {
    let node = file.get(key).resolve();
    match node.kind() {
        NodeKind::Scalar { value: "<<", style } => match file.tag(node.id) {
            Some(tag) => core_tag(tag) == Some("merge"),
            None => style == ScalarStyle::Plain,
        },
        _ => false,
    }
}

/// Pushes the merge sources of `entries` onto `stack` so that the highest-precedence source
/// is popped first.
fn push_merge_sources(file: &YamlFile, entries: &[(NodeId, NodeId)], stack: &mut Vec<NodeId>) {
    let mut sources = Vec::new();
    for &(k, v) in entries {
        if !is_merge_key(file, k) {
            continue;
        }
        let value = file.get(v).resolve();
        match value.kind() {
            NodeKind::Mapping(_) => sources.push(value.id),
            NodeKind::Sequence(items) => {
                for &item in items {
                    let item = file.get(item).resolve();
                    if matches!(item.kind(), NodeKind::Mapping(_)) {
                        sources.push(item.id);
                    }
                }
            }
            _ => {}
        }
    }
    stack.extend(sources.into_iter().rev());
}

/// Entries of `map` with merges expanded; each mapping is visited once, so the work is
/// bounded by the size of the file even for merge chains that fan out.
fn effective_entries(file: &YamlFile, map: NodeId) -> Vec<(NodeId, NodeId)> {
    let mut out = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut visited: HashSet<NodeId> = HashSet::new();
    let mut stack = vec![map];
    let mut winners = Vec::new();
    while let Some(current) = stack.pop() {
        if !visited.insert(current) {
            continue;
        }
        let Some(entries) = mapping_entries(file, current) else {
            continue;
        };
        winners.clear();
        for &(k, v) in entries.iter().rev() {
            if is_merge_key(file, k) {
                continue;
            }
            match scalar_key(file, k) {
                Some(key) => {
                    if seen.insert(key) {
                        winners.push((k, v));
                    }
                }
                None => winners.push((k, v)),
            }
        }
        out.extend(winners.iter().rev());
        push_merge_sources(file, entries, &mut stack);
    }
    out
}

/// The suffix of a YAML core-schema tag (`!!str` -> `str`); `None` for other tags.
fn core_tag(tag: &str) -> Option<&str> {
    if let Some(suffix) = tag.strip_prefix("!!") {
        return Some(suffix);
    }
    tag.strip_prefix("!<tag:yaml.org,2002:")
        .and_then(|rest| rest.strip_suffix('>'))
}

/// YAML 1.1-style integer; see [`NodeRef::as_i64`].
pub(crate) fn parse_int(value: &str) -> Option<i64> {
    let (negative, body) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (false, value),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    // Digits and `_` separators only, starting with a digit (from_str_radix would accept a
    // second sign).
    if !digits.as_bytes().first()?.is_ascii_alphanumeric()
        || !digits
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    let magnitude = if digits.contains('_') {
        let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
        u64::from_str_radix(&cleaned, radix).ok()?
    } else {
        u64::from_str_radix(digits, radix).ok()?
    };
    let signed = if negative {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    i64::try_from(signed).ok()
}
