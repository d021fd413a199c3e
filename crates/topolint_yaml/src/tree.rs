//! The arena tree: plain data, no lifetimes. Navigation lives in [`crate::NodeRef`].

use topolint_diagnostics::TextRange;

use crate::view::NodeRef;

/// Index of a [`Node`] in [`YamlFile::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block scalar.
    Literal,
    /// `>` block scalar.
    Folded,
}

/// What a node is, as [`crate::NodeRef::kind`] decodes it from the compact arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind<'a> {
    /// A scalar with its interpreted value (escapes processed, lines folded, block indentation
    /// removed). The source text is `range`: see [`YamlFile::raw`].
    Scalar {
        value: &'a str,
        style: ScalarStyle,
    },
    Sequence(&'a [NodeId]),
    /// All entries in source order, duplicate keys and `<<` merge keys included.
    Mapping(&'a [(NodeId, NodeId)]),
    /// `*name`. `target` is the anchored node (a reference, never a copy); `None` when the
    /// anchor is unknown (an error is reported).
    Alias {
        name: &'a str,
        target: Option<NodeId>,
    },
    /// An empty value with no text at all (`key:` or `- ` with nothing after it). Its range is
    /// empty, placed right after the `:`/`-` indicator. A written `~`/`null` is a plain
    /// [`NodeKind::Scalar`] instead (see [`crate::NodeRef::is_null`]).
    Null,
}

/// A string in [`YamlFile`]'s string buffer (`start..start + len`), or, when `len` has
/// [`IN_TEXT`] set, in the file's text (a scalar written as its own value: most are).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StrId {
    pub start: u32,
    pub len: u32,
}

/// A run of children in [`YamlFile`]'s `items` or `entries` buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Slice {
    pub start: u32,
    pub len: u32,
}

/// What a node stores: strings and children live in per-file buffers, so a node is 16 bytes
/// (stored [`Packed`]) and building a tree allocates a handful of growing buffers instead of
/// one `String` per scalar and one `Vec` per collection (memory was about 8x the source
/// before; see docs/benchmarks.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Data {
    Scalar(StrId, ScalarStyle),
    Sequence(Slice),
    Mapping(Slice),
    /// Name and target (`NO_NODE` when the anchor is unknown), at this index of
    /// `YamlFile::aliases` (aliases are rare; inline they made every node 4 bytes larger).
    Alias(u32),
    Null,
}

/// A node's [`Data`] in eight bytes: `b` holds the kind (3 bits), a scalar's style (3 bits),
/// whether its value is in the text (1 bit) and a length (25 bits), `a` the start of the
/// value or child run, or an alias's index. A length that does not fit (a 32 MiB scalar, 32
/// million items: only past the default file size limit) goes to `YamlFile::wide`, and `a`
/// is its index there. A large repository's trees hold five million nodes: 16 bytes each
/// instead of 20.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Packed {
    a: u32,
    b: u32,
}

impl Packed {
    pub(crate) const NULL: Packed = Packed { a: 0, b: 0 };
}

/// Marks a [`StrId`] whose bytes are in the text rather than in the string buffer.
pub(crate) const IN_TEXT: u32 = 1 << 31;

/// Bits of a packed length. Tiny in this crate's tests, so that they also take the wide
/// path of every kind.
const LEN_BITS: u32 = if cfg!(test) { 3 } else { 25 };
const LEN_MASK: u32 = (1 << LEN_BITS) - 1;
const TEXT_SHIFT: u32 = 25;
const STYLE_SHIFT: u32 = 26;
const KIND_SHIFT: u32 = 29;
const SCALAR: u32 = 1;
const SEQUENCE: u32 = 2;
const MAPPING: u32 = 3;
const ALIAS: u32 = 4;
/// Added to a kind whose length is in `YamlFile::wide`.
const WIDE: u32 = 4;

fn style_bits(style: ScalarStyle) -> u32 {
    match style {
        ScalarStyle::Plain => 0,
        ScalarStyle::SingleQuoted => 1,
        ScalarStyle::DoubleQuoted => 2,
        ScalarStyle::Literal => 3,
        ScalarStyle::Folded => 4,
    }
}

fn style_of(bits: u32) -> ScalarStyle {
    match bits {
        1 => ScalarStyle::SingleQuoted,
        2 => ScalarStyle::DoubleQuoted,
        3 => ScalarStyle::Literal,
        4 => ScalarStyle::Folded,
        _ => ScalarStyle::Plain,
    }
}

/// Marks "no node" inside [`Data::Alias`].
pub(crate) const NO_NODE: NodeId = NodeId(u32::MAX);

/// Tag and anchor of a node that has one (most have neither, so they live in a side table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    pub tag: Option<StrId>,
    pub anchor: Option<StrId>,
}

/// One node. `range` covers the node's own text, without its tag or anchor: a quoted scalar
/// includes its quotes, a block scalar runs from its `|`/`>` header to the end of its last
/// content line (trailing line breaks excluded), a flow collection from its bracket to the
/// closing bracket, a block collection from its first key or `-` to the end of its last value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    pub(crate) data: Packed,
    pub range: TextRange,
}

pub(crate) static MISSING_NODE: Node = Node {
    data: Packed::NULL,
    range: TextRange { start: 0, end: 0 },
};

/// One YAML document of the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The root node; `None` for an empty document (`---` with nothing after it) and for a
    /// document abandoned because of a syntax error (then `has_error` is set).
    pub root: Option<NodeId>,
    /// From the `---` marker (or the first content) to the `...` marker (or the end of the
    /// last content); for an abandoned document, to the end of the error.
    pub range: TextRange,
    /// An error was reported inside this document (see [`YamlFile::errors`]).
    pub has_error: bool,
}

/// A comment. `range` covers `#` to the end of the line (line break excluded); `text` is what
/// follows the `#`, untrimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub range: TextRange,
    pub text: String,
}

/// A syntax error (or an unknown alias) with its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub range: TextRange,
    pub message: String,
}

/// A key that appears more than once in one mapping. Three occurrences give two records,
/// both with `first` pointing at the first occurrence. Keys are compared by their
/// interpreted scalar value (so `a` and `"a"` are the same key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: TextRange,
    pub duplicate: TextRange,
}

/// A parsed YAML stream: every document's tree in one arena, plus comments, errors and
/// duplicate keys. Built by [`crate::parse`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YamlFile {
    /// All nodes of all documents (also the partial nodes of abandoned documents, which no
    /// root reaches).
    pub nodes: Vec<Node>,
    pub documents: Vec<Document>,
    /// Sorted by position.
    pub comments: Vec<Comment>,
    /// Sorted by position.
    pub errors: Vec<YamlError>,
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Mappings that contain duplicate keys, sorted (lets `entries()` skip de-duplication).
    pub(crate) maps_with_duplicates: Vec<NodeId>,
    /// Scalar values, alias names, tags and anchors, back to back.
    pub(crate) strings: String,
    /// Sequence items, each sequence's run contiguous.
    pub(crate) items: Vec<NodeId>,
    /// Mapping entries, each mapping's run contiguous.
    pub(crate) entries: Vec<(NodeId, NodeId)>,
    /// Tags and anchors by node, sorted by node.
    pub(crate) meta: Vec<(NodeId, Meta)>,
    /// Name and target of each alias node ([`Data::Alias`]).
    pub(crate) aliases: Vec<(StrId, NodeId)>,
    /// The text it was parsed from (shared with the loaded file): scalars that are their own
    /// text are read from it instead of being copied.
    pub(crate) text: std::sync::Arc<str>,
    /// Start and length of the nodes whose length does not fit in [`Packed`].
    pub(crate) wide: Vec<(u32, u32)>,
}

impl YamlFile {
    /// The node `id`; an id that is not in this file gives an empty [`NodeKind::Null`] node.
    pub fn node(&self, id: NodeId) -> &Node {
        self.nodes.get(id.index()).unwrap_or(&MISSING_NODE)
    }

    /// Packs `data` for a node of this file.
    pub(crate) fn pack(&mut self, data: Data) -> Packed {
        let (kind, style, start, len) = match data {
            Data::Null => return Packed::NULL,
            Data::Alias(i) => {
                return Packed {
                    a: i,
                    b: ALIAS << KIND_SHIFT,
                }
            }
            Data::Scalar(s, style) => {
                if s.len & !IN_TEXT <= LEN_MASK {
                    let in_text = u32::from(s.len & IN_TEXT != 0);
                    return Packed {
                        a: s.start,
                        b: SCALAR << KIND_SHIFT
                            | style_bits(style) << STYLE_SHIFT
                            | in_text << TEXT_SHIFT
                            | (s.len & !IN_TEXT),
                    };
                }
                (SCALAR, style_bits(style), s.start, s.len)
            }
            Data::Sequence(s) => (SEQUENCE, 0, s.start, s.len),
            Data::Mapping(s) => (MAPPING, 0, s.start, s.len),
        };
        if len <= LEN_MASK {
            return Packed {
                a: start,
                b: kind << KIND_SHIFT | style << STYLE_SHIFT | len,
            };
        }
        self.wide.push((start, len));
        Packed {
            a: u32::try_from(self.wide.len() - 1).unwrap_or(u32::MAX),
            b: (kind + WIDE) << KIND_SHIFT | style << STYLE_SHIFT,
        }
    }

    /// What a node of this file stores.
    pub(crate) fn data(&self, node: &Node) -> Data {
        let Packed { a, b } = node.data;
        let kind = b >> KIND_SHIFT;
        let (kind, start, len) = if kind > WIDE {
            let (start, len) = self.wide.get(a as usize).copied().unwrap_or((0, 0));
            (kind - WIDE, start, len)
        } else {
            let in_text = if kind == SCALAR && b >> TEXT_SHIFT & 1 == 1 {
                IN_TEXT
            } else {
                0
            };
            (kind, a, b & LEN_MASK | in_text)
        };
        match kind {
            SCALAR => Data::Scalar(StrId { start, len }, style_of((b >> STYLE_SHIFT) & 7)),
            SEQUENCE => Data::Sequence(Slice { start, len }),
            MAPPING => Data::Mapping(Slice { start, len }),
            ALIAS => Data::Alias(a),
            _ => Data::Null,
        }
    }

    /// Name and target of the alias at `i` of `aliases`.
    pub(crate) fn alias(&self, i: u32) -> (StrId, NodeId) {
        self.aliases
            .get(i as usize)
            .copied()
            .unwrap_or((StrId::default(), NO_NODE))
    }

    /// What node `id` is (an alias stays an alias).
    pub fn kind(&self, id: NodeId) -> NodeKind<'_> {
        match self.data(self.node(id)) {
            Data::Scalar(value, style) => NodeKind::Scalar {
                value: self.str(value),
                style,
            },
            Data::Sequence(items) => NodeKind::Sequence(
                self.items
                    .get(items.start as usize..items.start as usize + items.len as usize)
                    .unwrap_or(&[]),
            ),
            Data::Mapping(entries) => NodeKind::Mapping(
                self.entries
                    .get(entries.start as usize..entries.start as usize + entries.len as usize)
                    .unwrap_or(&[]),
            ),
            Data::Alias(i) => {
                let (name, target) = self.alias(i);
                NodeKind::Alias {
                    name: self.str(name),
                    target: (target != NO_NODE).then_some(target),
                }
            }
            Data::Null => NodeKind::Null,
        }
    }

    /// The tag of node `id` itself as written, e.g. `!!str`.
    pub fn tag(&self, id: NodeId) -> Option<&str> {
        self.meta(id)?.tag.map(|s| self.str(s))
    }

    /// The anchor defined on node `id` itself, without `&`.
    pub fn anchor(&self, id: NodeId) -> Option<&str> {
        self.meta(id)?.anchor.map(|s| self.str(s))
    }

    fn meta(&self, id: NodeId) -> Option<&Meta> {
        if self.meta.is_empty() {
            return None;
        }
        let i = self.meta.binary_search_by_key(&id, |(n, _)| *n).ok()?;
        self.meta.get(i).map(|(_, m)| m)
    }

    pub(crate) fn str(&self, s: StrId) -> &str {
        let (buffer, len) = if s.len & IN_TEXT != 0 {
            (&*self.text, s.len & !IN_TEXT)
        } else {
            (self.strings.as_str(), s.len)
        };
        buffer
            .get(s.start as usize..s.start as usize + len as usize)
            .unwrap_or("")
    }

    /// A navigable view of node `id`.
    pub fn get(&self, id: NodeId) -> NodeRef<'_> {
        NodeRef { file: self, id }
    }

    /// The root of document `index`, if that document exists and has one.
    pub fn root(&self, index: usize) -> Option<NodeRef<'_>> {
        let root = self.documents.get(index)?.root?;
        Some(self.get(root))
    }

    /// The roots of all documents that have one, in order.
    pub fn roots(&self) -> impl Iterator<Item = NodeRef<'_>> + '_ {
        self.documents
            .iter()
            .filter_map(|d| d.root)
            .map(|id| self.get(id))
    }

    /// The source text of node `id` (`text` must be the text that was parsed). Empty when the
    /// range does not fit `text`.
    pub fn raw<'t>(&self, text: &'t str, id: NodeId) -> &'t str {
        text.get(self.node(id).range.as_usize()).unwrap_or("")
    }

    /// Index of the document whose range contains `offset` (or ends at it).
    pub fn document_at(&self, offset: u32) -> Option<usize> {
        self.documents
            .iter()
            .position(|d| d.range.start <= offset && offset <= d.range.end)
    }

    pub(crate) fn has_duplicates(&self, map: NodeId) -> bool {
        self.maps_with_duplicates.binary_search(&map).is_ok()
    }
}
