//! Events -> arena tree.

use std::collections::HashMap;

use granit_parser::{Event, Options, Parser, ScanError, Span, StructureStyle, Tag};
use topolint_diagnostics::TextRange;

use crate::errors::locate;
use crate::tree::{
    Comment, Data, Document, DuplicateKey, Meta, Node, NodeId, ScalarStyle, Slice, StrId,
    YamlError, YamlFile, IN_TEXT, NO_NODE,
};

/// Parses a YAML stream (any number of documents). Never panics and never fails: syntax
/// errors are returned in [`YamlFile::errors`] next to every document that could be read.
///
/// Recovery: after a syntax error the broken document is abandoned (its entry stays in
/// [`YamlFile::documents`] with `root: None` and `has_error: true`) and parsing resumes at the
/// next `---` (or `...`) marker at column 0 after the error, so the documents before and after
/// the broken one still load. Positions always are byte offsets into `text`.
pub fn parse(text: &str) -> YamlFile {
    parse_shared(&std::sync::Arc::from(text))
}

/// [`parse`] for a text already shared: the tree keeps a reference to it and reads the
/// scalars that are their own text from it (most are) instead of copying them.
pub fn parse_shared(text: &std::sync::Arc<str>) -> YamlFile {
    let mut builder = Builder::new(text);
    builder.file.text = text.clone();
    builder.run();
    builder.finish()
}

fn parser_options(text: &str) -> Options {
    let mut options = Options::default();
    options.emit_anchor_events = true;
    options.emit_unresolved_aliases = true;
    options.emit_comments = true;
    // The default (96) turns a long comment block between a key and its value into an
    // error. Comments cost memory in proportion to the text anyway.
    options.max_buffered_comment_events = text.len().saturating_add(16);
    options
}

enum Frame {
    Seq {
        id: NodeId,
        items: Vec<NodeId>,
        flow: bool,
    },
    Map {
        id: NodeId,
        entries: Vec<(NodeId, NodeId)>,
        key: Option<NodeId>,
        flow: bool,
    },
}

struct Builder<'t> {
    text: &'t str,
    file: YamlFile,
    stack: Vec<Frame>,
    /// Parser anchor id -> node, for the current document.
    anchors: HashMap<usize, NodeId>,
    /// Index in `file.documents` of the open document.
    doc: Option<usize>,
    /// End of the last event other than a comment (where a broken quoted scalar may start).
    last_end: usize,
    /// Emptied child lists of closed collections, reused by the next ones.
    free_items: Vec<Vec<NodeId>>,
    free_entries: Vec<Vec<(NodeId, NodeId)>>,
    /// Node -> its entry in `file.meta` (an anchor arrives after its node's tag).
    meta_index: HashMap<NodeId, usize>,
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            file: YamlFile::default(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            doc: None,
            last_end: 0,
            free_items: Vec::new(),
            free_entries: Vec::new(),
            meta_index: HashMap::new(),
        }
    }

    fn run(&mut self) {
        let text = self.text;
        let mut parser = Parser::new_from_str_with_options(text, parser_options(text));
        let mut last_error: Option<usize> = None;
        while let Some(next) = parser.next_event() {
            match next {
                Ok((event, span)) => self.event(event, span),
                Err(error) => {
                    let offset = self.error_offset(&error);
                    self.syntax_error(&error, offset);
                    // Recovery must move forward; anything else would be a parser bug.
                    if last_error.is_some_and(|prev| offset <= prev) {
                        break;
                    }
                    last_error = Some(offset);
                    if let Err(error) = parser.proceed_next_document() {
                        let offset = self.error_offset(&error);
                        self.syntax_error(&error, offset);
                        break;
                    }
                }
            }
        }
        // A stream that ended without closing events (only after a parser failure).
        self.abandon_open_nodes();
    }

    fn finish(mut self) -> YamlFile {
        self.file.comments.sort_by_key(|c| c.range);
        self.file.errors.sort_by_key(|e| e.range);
        self.file.maps_with_duplicates.sort_unstable();
        // Tags and anchors are recorded in event order; an anchor may follow its node's
        // children.
        self.file.meta.sort_by_key(|(id, _)| *id);
        // The buffers grew by doubling; the tree lives as long as the run.
        self.file.nodes.shrink_to_fit();
        self.file.strings.shrink_to_fit();
        self.file.items.shrink_to_fit();
        self.file.entries.shrink_to_fit();
        // A pushed list starts with room for four: most files hold one document.
        self.file.documents.shrink_to_fit();
        self.file.comments.shrink_to_fit();
        self.file.meta.shrink_to_fit();
        self.file.aliases.shrink_to_fit();
        self.file.wide.shrink_to_fit();
        self.file
    }

    fn intern(&mut self, s: &str) -> StrId {
        let start = to_u32(self.file.strings.len());
        self.file.strings.push_str(s);
        StrId {
            start,
            len: to_u32(s.len()),
        }
    }

    fn span_range(&self, span: &Span) -> (usize, usize) {
        let len = self.text.len();
        let start = span.start.byte_offset().unwrap_or(len).min(len);
        let end = span.end.byte_offset().unwrap_or(start).clamp(start, len);
        (start, end)
    }

    fn error_offset(&self, error: &ScanError) -> usize {
        let mark = error.marker();
        let offset = match mark.byte_offset() {
            Some(offset) => offset,
            // Only iterator inputs lack byte offsets; convert the char index just in case.
            None => self
                .text
                .char_indices()
                .nth(mark.index())
                .map_or(self.text.len(), |(i, _)| i),
        };
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    fn push_alias(&mut self, name: StrId, target: NodeId) -> Data {
        self.file.aliases.push((name, target));
        Data::Alias(to_u32(self.file.aliases.len() - 1))
    }

    fn push_node(&mut self, data: Data, start: usize, end: usize, tag: Option<&Tag>) -> NodeId {
        let id = NodeId(to_u32(self.file.nodes.len()));
        let data = self.file.pack(data);
        self.file.nodes.push(Node {
            data,
            range: TextRange::from_usize(start, end),
        });
        if let Some(tag) = tag {
            let tag = self.intern(&tag.original());
            self.meta_mut(id).tag = Some(tag);
        }
        id
    }

    /// The tag/anchor record of `id`, created on first use.
    fn meta_mut(&mut self, id: NodeId) -> &mut Meta {
        let index = *self.meta_index.entry(id).or_insert_with(|| {
            self.file.meta.push((id, Meta::default()));
            self.file.meta.len() - 1
        });
        &mut self.file.meta[index].1
    }

    fn register_anchor(&mut self, anchor_id: usize, node: NodeId) {
        if anchor_id != 0 {
            self.anchors.insert(anchor_id, node);
        }
    }

    fn node_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        self.file.nodes.get_mut(id.index())
    }

    fn current_doc(&mut self) -> Option<&mut Document> {
        let index = self.doc?;
        self.file.documents.get_mut(index)
    }

    /// Hangs a finished node under the open collection, or makes it the document root.
    fn attach(&mut self, id: NodeId) {
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(id),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, id)),
                None => *key = Some(id),
            },
            None => {
                if self.doc.is_none() {
                    // A node outside any document cannot come from the parser; keep it anyway.
                    let start = self.node_range(id).start;
                    self.open_document(start as usize, start as usize);
                }
                if let Some(doc) = self.current_doc() {
                    doc.root = Some(id);
                }
            }
        }
    }

    fn node_range(&self, id: NodeId) -> TextRange {
        self.file.node(id).range
    }

    fn open_document(&mut self, start: usize, end: usize) {
        self.file.documents.push(Document {
            root: None,
            range: TextRange::from_usize(start, end),
            has_error: false,
        });
        self.doc = Some(self.file.documents.len() - 1);
        self.anchors.clear();
    }

    fn event(&mut self, event: Event<'t>, span: Span) {
        let (start, end) = self.span_range(&span);
        if !matches!(event, Event::Comment(..)) {
            self.last_end = self.last_end.max(end);
        }
        match event {
            Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(..) => {
                self.abandon_open_nodes();
                self.open_document(start, end);
            }
            Event::DocumentEnd => {
                self.abandon_open_nodes();
                let root_end = self
                    .current_doc()
                    .and_then(|d| d.root)
                    .map(|root| self.node_range(root).end);
                if let Some(doc) = self.current_doc() {
                    let end = if end > start {
                        to_u32(end) // an explicit `...`
                    } else {
                        root_end.unwrap_or(doc.range.end)
                    };
                    doc.range = TextRange::new(doc.range.start, end.max(doc.range.end));
                }
                self.doc = None;
            }
            Event::Comment(text, _placement) => {
                // Comments keep their own strings: few per file, and they are read by
                // suppression comments long after the tree is built.
                self.file.comments.push(Comment {
                    range: TextRange::from_usize(start, end),
                    text: text.into_owned(),
                });
            }
            Event::Anchor(anchor_id, name) => {
                if let Some(&node) = self.anchors.get(&anchor_id) {
                    let anchor = self.intern(&name);
                    self.meta_mut(node).anchor = Some(anchor);
                }
            }
            Event::Alias(anchor_id) => {
                let target = self.anchors.get(&anchor_id).copied();
                let name = self.intern(alias_name(self.text, start, end));
                let alias = self.push_alias(name, target.unwrap_or(NO_NODE));
                let id = self.push_node(alias, start, end, None);
                self.attach(id);
            }
            Event::UnresolvedAlias(name) => {
                let name = name.into_owned();
                self.file.errors.push(YamlError {
                    range: TextRange::from_usize(start, end),
                    message: format!(
                        "unknown anchor `{name}`: an alias must refer to an anchor defined \
                         earlier in the same document"
                    ),
                });
                if let Some(doc) = self.current_doc() {
                    doc.has_error = true;
                }
                let name = self.intern(&name);
                let alias = self.push_alias(name, NO_NODE);
                let id = self.push_node(alias, start, end, None);
                self.attach(id);
            }
            Event::Scalar(value, style, anchor_id, tag) => {
                let style = convert_style(style);
                let (kind, start, end) =
                    if start == end && style == ScalarStyle::Plain && tag.is_none() && value == "~"
                    {
                        // The parser's stand-in for "no value": give it an empty range right after
                        // the `:` indicator it points at.
                        let at = if self.text.as_bytes().get(start) == Some(&b':') {
                            start + 1
                        } else {
                            start
                        };
                        (Data::Null, at, at)
                    } else {
                        let (start, end) = match style {
                            ScalarStyle::Literal | ScalarStyle::Folded => {
                                block_scalar_range(self.text, start, end)
                            }
                            _ => (start, end),
                        };
                        let value = if self.text.get(start..end) == Some(&*value) {
                            StrId {
                                start: to_u32(start),
                                len: to_u32(end - start) | IN_TEXT,
                            }
                        } else {
                            self.intern(&value)
                        };
                        (Data::Scalar(value, style), start, end)
                    };
                let id = self.push_node(kind, start, end, tag.as_deref());
                self.register_anchor(anchor_id, id);
                self.attach(id);
            }
            Event::SequenceStart(style, anchor_id, tag) => {
                let flow = style == StructureStyle::Flow;
                let start = if flow {
                    start
                } else {
                    block_sequence_start(self.text, start)
                };
                let id = self.push_node(
                    Data::Sequence(Slice::default()),
                    start,
                    start,
                    tag.as_deref(),
                );
                self.register_anchor(anchor_id, id);
                let items = self.free_items.pop().unwrap_or_default();
                self.stack.push(Frame::Seq { id, items, flow });
            }
            Event::MappingStart(style, anchor_id, tag) => {
                let flow = style == StructureStyle::Flow;
                let id = self.push_node(
                    Data::Mapping(Slice::default()),
                    start,
                    start,
                    tag.as_deref(),
                );
                self.register_anchor(anchor_id, id);
                let entries = self.free_entries.pop().unwrap_or_default();
                self.stack.push(Frame::Map {
                    id,
                    entries,
                    key: None,
                    flow,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let id = self.close_frame(frame, Some(end));
                    self.attach(id);
                }
            }
            // Future event kinds are presentation metadata; nothing to build.
            _ => {}
        }
    }

    /// Stores a collection's children in its node and sets its end. `close_end` is the end of
    /// the closing event (used for flow collections, whose closing bracket it covers).
    fn close_frame(&mut self, frame: Frame, close_end: Option<usize>) -> NodeId {
        let (id, data, last_child, flow) = match frame {
            Frame::Seq {
                id,
                mut items,
                flow,
            } => {
                let last = items.last().copied();
                let slice = move_run(&mut items, &mut self.file.items);
                self.free_items.push(items);
                (id, Data::Sequence(slice), last, flow)
            }
            Frame::Map {
                id,
                mut entries,
                key,
                flow,
            } => {
                if let Some(key) = key {
                    // A key without a value (only when abandoning a broken document).
                    let at = self.node_range(key).end as usize;
                    let null = self.push_node(Data::Null, at, at, None);
                    entries.push((key, null));
                }
                self.record_duplicates(id, &entries);
                let last = entries.last().map(|&(_, v)| v);
                let slice = move_run(&mut entries, &mut self.file.entries);
                self.free_entries.push(entries);
                (id, Data::Mapping(slice), last, flow)
            }
        };
        let start = self.node_range(id).start;
        let child_end = last_child.map(|c| self.node_range(c).end);
        let end = match (flow, close_end) {
            (true, Some(end)) => to_u32(end),
            _ => child_end.unwrap_or(start),
        };
        let data = self.file.pack(data);
        if let Some(node) = self.node_mut(id) {
            node.data = data;
            node.range = TextRange::new(start, end);
        }
        id
    }

    fn record_duplicates(&mut self, map: NodeId, entries: &[(NodeId, NodeId)]) {
        if entries.len() < 2 {
            return;
        }
        let file = &self.file;
        let key_of = |k: NodeId| -> Option<&str> {
            let mut node = file.node(k);
            if let Data::Alias(i) = file.data(node) {
                let (_, t) = file.alias(i);
                if t != NO_NODE {
                    node = file.node(t);
                }
            }
            match file.data(node) {
                Data::Scalar(value, _) => Some(file.str(value)),
                _ => None,
            }
        };
        let mut found = Vec::new();
        if entries.len() <= 8 {
            for (i, &(k, _)) in entries.iter().enumerate() {
                let Some(key) = key_of(k) else { continue };
                let first = entries[..i].iter().find(|&&(p, _)| key_of(p) == Some(key));
                if let Some(&(p, _)) = first {
                    found.push(DuplicateKey {
                        key: key.to_owned(),
                        first: file.node(p).range,
                        duplicate: file.node(k).range,
                    });
                }
            }
        } else {
            let mut seen: HashMap<&str, TextRange> = HashMap::with_capacity(entries.len());
            for &(k, _) in entries {
                let Some(key) = key_of(k) else { continue };
                let range = file.node(k).range;
                match seen.get(key) {
                    Some(&first) => found.push(DuplicateKey {
                        key: key.to_owned(),
                        first,
                        duplicate: range,
                    }),
                    None => {
                        seen.insert(key, range);
                    }
                }
            }
        }
        if !found.is_empty() {
            self.file.duplicate_keys.extend(found);
            self.file.maps_with_duplicates.push(map);
        }
    }

    /// Closes every open collection without attaching the result anywhere (the document they
    /// belonged to is abandoned, or the parser stopped mid-way).
    fn abandon_open_nodes(&mut self) {
        while let Some(frame) = self.stack.pop() {
            self.close_frame(frame, None);
        }
    }

    fn syntax_error(&mut self, error: &ScanError, offset: usize) {
        let (range, message) = locate(self.text, error.kind(), offset, self.last_end);
        self.file.errors.push(YamlError { range, message });
        self.abandon_open_nodes();
        if self.doc.is_none() {
            self.open_document(range.start as usize, range.end as usize);
        }
        if let Some(doc) = self.current_doc() {
            doc.root = None;
            doc.has_error = true;
            doc.range = TextRange::new(doc.range.start, range.end.max(doc.range.end));
        }
        self.doc = None;
        self.anchors.clear();
    }
}

/// Appends a closed collection's children to the file's shared buffer and empties `run` for
/// reuse; returns where they went.
fn move_run<T: Copy>(run: &mut Vec<T>, buffer: &mut Vec<T>) -> Slice {
    let slice = Slice {
        start: to_u32(buffer.len()),
        len: to_u32(run.len()),
    };
    buffer.extend_from_slice(run);
    run.clear();
    slice
}

fn convert_style(style: granit_parser::ScalarStyle) -> ScalarStyle {
    match style {
        granit_parser::ScalarStyle::Plain => ScalarStyle::Plain,
        granit_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        granit_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        granit_parser::ScalarStyle::Folded => ScalarStyle::Folded,
    }
}

fn alias_name(text: &str, start: usize, end: usize) -> &str {
    let raw = text.get(start..end).unwrap_or("");
    raw.strip_prefix('*').unwrap_or(raw)
}

/// A block sequence event may start at the first item's content (`key:\n- item` reports the
/// `item`); move back to its `-` indicator.
fn block_sequence_start(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while i > 0 && matches!(bytes.get(i - 1), Some(b' ' | b'\t')) {
        i -= 1;
    }
    if bytes.get(start) != Some(&b'-') && i > 0 && bytes.get(i - 1) == Some(&b'-') {
        i - 1
    } else {
        start
    }
}

/// The parser's span of a block scalar covers its content lines (after the header line,
/// trailing line breaks included). Widen it to start at the `|`/`>` header and trim the
/// trailing line breaks and blanks. Falls back to the parser's span when the header cannot
/// be found.
fn block_scalar_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    // Start of the line holding the first content (only indentation may precede it).
    let mut line_start = start;
    while line_start > 0 && matches!(bytes[line_start - 1], b' ' | b'\t') {
        line_start -= 1;
    }
    if line_start > 0 && bytes[line_start - 1] != b'\n' {
        return (start, end); // content does not start a line: not what we expect
    }
    // Walk up over blank lines to the header line.
    let header = loop {
        if line_start == 0 {
            return (start, end);
        }
        let prev_end = line_start - 1; // the '\n' ending the previous line
        let mut prev_start = prev_end;
        while prev_start > 0 && bytes[prev_start - 1] != b'\n' {
            prev_start -= 1;
        }
        let line = &bytes[prev_start..prev_end];
        if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
            line_start = prev_start;
            continue;
        }
        break find_block_header(line).map(|i| prev_start + i);
    };
    let Some(header) = header else {
        return (start, end);
    };
    let mut content_end = end;
    while content_end > start && matches!(bytes[content_end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        content_end -= 1;
    }
    if content_end <= start {
        // Empty content: the range is the header indicator and its modifiers.
        let mut i = header + 1;
        while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'+' | b'-') {
            i += 1;
        }
        return (header, i);
    }
    (header, content_end)
}

/// Position of the block scalar indicator on a header line: the first `|` or `>` that starts a
/// token and is followed only by indentation/chomping indicators, then the end of the line or
/// whitespace and a comment.
fn find_block_header(line: &[u8]) -> Option<usize> {
    (0..line.len()).find(|&i| {
        if !matches!(line[i], b'|' | b'>') || (i > 0 && !matches!(line[i - 1], b' ' | b'\t')) {
            return false;
        }
        let mut j = i + 1;
        while j < line.len() && matches!(line[j], b'0'..=b'9' | b'+' | b'-') {
            j += 1;
        }
        if j >= line.len() || line[j] == b'\r' {
            return true;
        }
        if !matches!(line[j], b' ' | b'\t') {
            return false;
        }
        while j < line.len() && matches!(line[j], b' ' | b'\t' | b'\r') {
            j += 1;
        }
        j >= line.len() || line[j] == b'#'
    })
}
