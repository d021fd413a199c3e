use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use topolint_diagnostics::{LineIndex, TextRange};

use crate::view::parse_int;
use crate::*;

/// Parses and asserts that there is no error.
fn parse_ok(text: &str) -> YamlFile {
    let file = parse(text);
    assert!(
        file.errors.is_empty(),
        "unexpected errors: {:?}",
        file.errors
    );
    file
}

/// 1-based line and column (in chars) of `offset`.
fn line_col(text: &str, offset: u32) -> (u32, u32) {
    let lc = LineIndex::new(text).line_col(text, offset);
    (lc.line, lc.column)
}

/// The byte range of the `n`-th (0-based) occurrence of `needle` in `text`.
fn nth_range(text: &str, needle: &str, n: usize) -> TextRange {
    let start = text.match_indices(needle).nth(n).expect("needle present").0;
    TextRange::from_usize(start, start + needle.len())
}

fn range_of(text: &str, needle: &str) -> TextRange {
    nth_range(text, needle, 0)
}

fn slice(text: &str, range: TextRange) -> &str {
    &text[range.as_usize()]
}

/// Checks invariants every parse result must hold, whatever the input.
fn assert_well_formed(text: &str, file: &YamlFile) {
    let len = text.len() as u32;
    let ranges = file
        .nodes
        .iter()
        .map(|n| n.range)
        .chain(file.comments.iter().map(|c| c.range))
        .chain(file.errors.iter().map(|e| e.range))
        .chain(file.documents.iter().map(|d| d.range));
    for range in ranges {
        assert!(
            range.start <= range.end && range.end <= len,
            "{range:?} outside 0..{len}"
        );
        assert!(
            text.get(range.as_usize()).is_some(),
            "{range:?} not on char boundaries"
        );
    }
    for id in (0..file.nodes.len()).map(|i| NodeId(i as u32)) {
        let children: Vec<NodeId> = match file.kind(id) {
            NodeKind::Sequence(items) => items.to_vec(),
            NodeKind::Mapping(entries) => entries.iter().flat_map(|&(k, v)| [k, v]).collect(),
            NodeKind::Alias {
                target: Some(t), ..
            } => vec![t],
            _ => vec![],
        };
        for child in children {
            assert!(child.index() < file.nodes.len());
        }
    }
    for error in &file.errors {
        let first = error.message.chars().next().expect("non-empty message");
        assert!(
            !first.is_uppercase(),
            "message not lowercase: {}",
            error.message
        );
    }
    for window in file.documents.windows(2) {
        assert!(
            window[0].range.start <= window[1].range.start,
            "documents out of order"
        );
    }
}

// ----------------------------------------------------------------------------------------
// Basics: empty input, comments, documents
// ----------------------------------------------------------------------------------------

#[test]
fn empty_file_has_no_documents_and_no_errors() {
    for text in ["", "\n", "\n\n   \n", "\u{feff}"] {
        let file = parse(text);
        assert!(file.documents.is_empty(), "{text:?}: {:?}", file.documents);
        assert!(file.errors.is_empty(), "{text:?}: {:?}", file.errors);
        assert!(file.nodes.is_empty());
    }
}

#[test]
fn only_comments_gives_comments_and_no_documents() {
    let text = "# first\n  # second, indented\n\n#third\n";
    let file = parse_ok(text);
    assert!(file.documents.is_empty());
    let got: Vec<(&str, &str)> = file
        .comments
        .iter()
        .map(|c| (slice(text, c.range), c.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("# first", " first"),
            ("# second, indented", " second, indented"),
            ("#third", "third"),
        ]
    );
    assert_eq!(file.comments[1].range, TextRange::new(10, 28));
}

#[test]
fn end_of_line_and_full_line_comments_keep_byte_ranges() {
    let text = "\
# topolint: ignore[file-level] reason
apiVersion: v1 # topolint: ignore[port-mismatch] legacy
kind: Service
spec:
  # full line inside a mapping
  ports:
    - port: 80  # é trailing after non-ASCII? no: after a value
";
    let file = parse_ok(text);
    let ranges: Vec<TextRange> = file.comments.iter().map(|c| c.range).collect();
    assert_eq!(
        ranges,
        [
            range_of(text, "# topolint: ignore[file-level] reason"),
            range_of(text, "# topolint: ignore[port-mismatch] legacy"),
            range_of(text, "# full line inside a mapping"),
            range_of(text, "# é trailing after non-ASCII? no: after a value"),
        ]
    );
    // The end-of-line comment is on line 2, after the value.
    assert_eq!(line_col(text, ranges[1].start), (2, 16));
    // The full-line comment is on line 5, indented by two.
    assert_eq!(line_col(text, ranges[2].start), (5, 3));
    assert_eq!(
        file.comments[1].text,
        " topolint: ignore[port-mismatch] legacy"
    );
    // Comments do not disturb the tree.
    let root = file.root(0).unwrap();
    assert_eq!(root.get("apiVersion").unwrap().as_str(), Some("v1"));
    let port = root.path(&["spec", "ports", "0", "port"]).unwrap();
    assert_eq!(port.as_i64(), Some(80));
}

#[test]
fn comment_on_block_scalar_header_and_in_flow_collection() {
    let text = "a: | # header | comment\n  body\nb: [1, # in flow\n  2]\n";
    let file = parse_ok(text);
    let got: Vec<&str> = file.comments.iter().map(|c| slice(text, c.range)).collect();
    assert_eq!(got, ["# header | comment", "# in flow"]);
    let root = file.root(0).unwrap();
    assert_eq!(root.get("a").unwrap().as_str(), Some("body\n"));
    assert_eq!(
        root.get("a").unwrap().raw(text),
        "| # header | comment\n  body"
    );
    assert_eq!(root.get("b").unwrap().items().count(), 2);
}

#[test]
fn long_comment_blocks_are_not_an_error() {
    // granit-parser's default look-ahead buffer holds 96 comments; a license header between
    // a key and its value must still parse.
    let mut text = String::from("a:\n");
    for i in 0..500 {
        text.push_str(&format!("# line {i}\n"));
    }
    text.push_str("  b: 1\n---\n");
    for i in 0..500 {
        text.push_str(&format!("  # other {i}\n"));
    }
    text.push_str("c: 2\n");
    let file = parse_ok(&text);
    assert_eq!(file.comments.len(), 1000);
    assert_eq!(
        file.root(0).unwrap().path(&["a", "b"]).unwrap().as_i64(),
        Some(1)
    );
    assert_eq!(file.root(1).unwrap().get("c").unwrap().as_i64(), Some(2));
}

#[test]
fn multi_document_stream_with_markers() {
    let text = "a: 1\n---\nb: 2\n...\n---\n# nothing here\n---\n- x\n";
    let file = parse_ok(text);
    assert_eq!(file.documents.len(), 4);
    let d = &file.documents;
    assert_eq!(slice(text, d[0].range), "a: 1");
    assert_eq!(slice(text, d[1].range), "---\nb: 2\n...");
    assert!(!d[0].has_error && !d[1].has_error);
    // An empty document: `---` and a comment. Its root is an empty null.
    let empty = file.root(2).unwrap();
    assert!(empty.is_null());
    assert_eq!(empty.kind(), NodeKind::Null);
    assert_eq!(
        file.root(3).unwrap().items().next().unwrap().as_str(),
        Some("x")
    );
    assert_eq!(file.root(0).unwrap().get("a").unwrap().as_i64(), Some(1));
    assert_eq!(file.root(1).unwrap().get("b").unwrap().as_i64(), Some(2));
    assert_eq!(file.roots().count(), 4);
    let b_offset = range_of(text, "b: 2").start;
    assert_eq!(file.document_at(b_offset), Some(1));
}

#[test]
fn anchors_are_scoped_to_their_document() {
    let text = "a: &x 1\n---\nb: *x\n";
    let file = parse(text);
    assert_eq!(file.documents.len(), 2);
    assert_eq!(file.errors.len(), 1);
    assert_eq!(file.errors[0].range, range_of(text, "*x"));
    assert!(
        file.errors[0].message.contains("unknown anchor `x`"),
        "{:?}",
        file.errors
    );
    // The document is kept: an unknown alias does not break its structure.
    let b = file.root(1).unwrap().get("b").unwrap();
    assert_eq!(
        b.kind(),
        NodeKind::Alias {
            name: "x",
            target: None
        }
    );
    assert_eq!(b.as_str(), None);
    assert!(file.documents[1].has_error);
    assert!(file.root(1).is_some());
}

// ----------------------------------------------------------------------------------------
// Scalars, nulls, styles, tags
// ----------------------------------------------------------------------------------------

#[test]
fn scalar_styles_values_and_ranges() {
    let text =
        "plain: hello world\nsingle: 'it''s'\ndouble: \"tab\\tand \\u00e9\"\nmulti: a\n  b\n";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    let check = |key: &str, value: &str, style: ScalarStyle, raw: &str| {
        let node = root.get(key).unwrap();
        assert_eq!(node.as_str(), Some(value), "{key}");
        assert_eq!(node.style(), Some(style), "{key}");
        assert_eq!(node.raw(text), raw, "{key}");
        assert_eq!(node.range(), range_of(text, raw), "{key}");
        assert_eq!(file.raw(text, node.id), raw);
    };
    check("plain", "hello world", ScalarStyle::Plain, "hello world");
    check("single", "it's", ScalarStyle::SingleQuoted, "'it''s'");
    check(
        "double",
        "tab\tand é",
        ScalarStyle::DoubleQuoted,
        "\"tab\\tand \\u00e9\"",
    );
    check("multi", "a b", ScalarStyle::Plain, "a\n  b");
    // The key node's range.
    assert_eq!(root.key_range("single"), Some(range_of(text, "single")));
}

#[test]
fn empty_values_are_null_nodes_with_empty_ranges_after_the_indicator() {
    let text = "a:\nb: ~\nc: null\nd:   # comment\ne: {f: , g}\nh:\n  - \n  -\n";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    let a = root.get("a").unwrap();
    assert_eq!(a.kind(), NodeKind::Null);
    assert_eq!(a.range(), TextRange::empty(2)); // right after `a:`
    assert!(a.is_null());
    assert_eq!(a.as_str(), None);
    // A written `~` / `null` is a plain scalar that is null.
    let b = root.get("b").unwrap();
    assert!(matches!(b.kind(), NodeKind::Scalar { value, .. } if value == "~"));
    assert!(b.is_null());
    assert!(root.get("c").unwrap().is_null());
    let d = root.get("d").unwrap();
    assert_eq!(d.kind(), NodeKind::Null);
    assert_eq!(d.range(), TextRange::empty(range_of(text, "d:").end));
    let e = root.get("e").unwrap();
    let f = e.get("f").unwrap();
    assert_eq!(f.kind(), NodeKind::Null);
    assert_eq!(f.range(), TextRange::empty(range_of(text, "f:").end));
    assert!(e.get("g").unwrap().is_null());
    let items: Vec<NodeRef<'_>> = root.get("h").unwrap().items().collect();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i.kind() == NodeKind::Null));
    // `- ` null sits after the dash and its space, `-` null right after the dash.
    assert_eq!(
        items[0].range(),
        TextRange::empty(range_of(text, "  - \n").start + 4)
    );
    assert_eq!(
        items[1].range(),
        TextRange::empty(range_of(text, "  -\n").start + 3)
    );
    // A quoted empty string is not null.
    let file = parse_ok("x: ''\n");
    assert!(!file.root(0).unwrap().get("x").unwrap().is_null());
}

#[test]
fn explicit_tags_are_kept_and_change_typing() {
    let text = "\
mode: !!str 0755
octal: 0755
quoted_int: !!int \"12\"
custom: !custom {a: 1}
set: !!set {x, y}
seq: !things [1]
bool_str: !!str yes
";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    let mode = root.get("mode").unwrap();
    assert_eq!(mode.tag(), Some("!!str"));
    assert_eq!(mode.as_str(), Some("0755"));
    assert_eq!(mode.as_i64(), None);
    assert_eq!(mode.range(), nth_range(text, "0755", 0)); // the tag is not in the range
    assert_eq!(root.get("octal").unwrap().as_i64(), Some(0o755));
    assert_eq!(root.get("quoted_int").unwrap().as_i64(), Some(12));
    let custom = root.get("custom").unwrap();
    assert_eq!(custom.tag(), Some("!custom"));
    assert_eq!(custom.get("a").unwrap().as_i64(), Some(1));
    assert_eq!(custom.raw(text), "{a: 1}");
    assert_eq!(root.get("set").unwrap().tag(), Some("!!set"));
    assert_eq!(root.get("seq").unwrap().tag(), Some("!things"));
    assert_eq!(root.get("bool_str").unwrap().as_bool(), None);
    assert_eq!(root.get("octal").unwrap().tag(), None);
}

#[test]
fn yaml_1_1_booleans_only_for_plain_scalars() {
    let text =
        "a: yes\nb: No\nc: ON\nd: off\ne: 'yes'\nf: \"true\"\ng: TRUE\nh: False\ni: y\nj: 1\n";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    let b = |k: &str| root.get(k).unwrap().as_bool();
    assert_eq!(
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].map(b),
        [
            Some(true),
            Some(false),
            Some(true),
            Some(false),
            None,
            None,
            Some(true),
            Some(false),
            None,
            None
        ]
    );
}

#[test]
fn integers_yaml_1_1_flavour() {
    assert_eq!(parse_int("80"), Some(80));
    assert_eq!(parse_int("-5"), Some(-5));
    assert_eq!(parse_int("+7"), Some(7));
    assert_eq!(parse_int("0"), Some(0));
    assert_eq!(parse_int("0x1F"), Some(31));
    assert_eq!(parse_int("-0x10"), Some(-16));
    assert_eq!(parse_int("0o17"), Some(15));
    assert_eq!(parse_int("0755"), Some(493));
    assert_eq!(parse_int("0b101"), Some(5));
    assert_eq!(parse_int("1_000"), Some(1000));
    assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
    for bad in [
        "",
        "-",
        "+-1",
        "09",
        "1.5",
        "80s",
        "0x",
        "_1",
        "9223372036854775808",
        "１",
    ] {
        assert_eq!(parse_int(bad), None, "{bad:?}");
    }
    let text = "a: 8080\nb: '8080'\nc: 8080:80\nd: -1\n";
    let root_file = parse_ok(text);
    let root = root_file.root(0).unwrap();
    assert_eq!(root.get("a").unwrap().as_i64(), Some(8080));
    assert_eq!(root.get("b").unwrap().as_i64(), None); // quoted: a string
    assert_eq!(root.get("b").unwrap().as_str(), Some("8080"));
    assert_eq!(root.get("c").unwrap().as_i64(), None);
    assert_eq!(root.get("d").unwrap().as_i64(), Some(-1));
}

#[test]
fn block_scalars_values_and_ranges() {
    let text = "\
script: |
  echo one
  echo two

folded: >-
  first
  second

  para
keep: |+
  kept

empty: |
strip: >2-
   indented
last: x
";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    let script = root.get("script").unwrap();
    assert_eq!(script.as_str(), Some("echo one\necho two\n"));
    assert_eq!(script.style(), Some(ScalarStyle::Literal));
    assert_eq!(script.raw(text), "|\n  echo one\n  echo two");
    assert_eq!(line_col(text, script.range().start), (1, 9));
    assert_eq!(line_col(text, script.range().end), (3, 11));
    let folded = root.get("folded").unwrap();
    assert_eq!(folded.as_str(), Some("first second\npara"));
    assert_eq!(folded.style(), Some(ScalarStyle::Folded));
    assert_eq!(folded.raw(text), ">-\n  first\n  second\n\n  para");
    assert_eq!(root.get("keep").unwrap().as_str(), Some("kept\n\n"));
    assert_eq!(root.get("keep").unwrap().raw(text), "|+\n  kept");
    let empty = root.get("empty").unwrap();
    assert_eq!(empty.as_str(), Some(""));
    assert_eq!(empty.raw(text), "|");
    let strip = root.get("strip").unwrap();
    assert_eq!(strip.as_str(), Some(" indented"));
    assert_eq!(strip.raw(text), ">2-\n   indented");
    assert_eq!(root.get("last").unwrap().as_str(), Some("x"));
    // The mapping ends with its last value.
    assert_eq!(
        root.range(),
        TextRange::new(0, range_of(text, "last: x").end)
    );
}

#[test]
fn block_scalar_in_sequence_with_anchor_and_tag() {
    let text = "- &a|b !t |-\n  x\n- >\n\n  after blank\n- *a|b\n";
    let file = parse_ok(text);
    let items: Vec<NodeRef<'_>> = file.root(0).unwrap().items().collect();
    assert_eq!(items[0].as_str(), Some("x"));
    assert_eq!(items[0].anchor(), Some("a|b"));
    assert_eq!(items[0].tag(), Some("!t"));
    assert_eq!(items[0].raw(text), "|-\n  x");
    assert_eq!(items[1].as_str(), Some("\nafter blank\n"));
    assert_eq!(items[1].raw(text), ">\n\n  after blank");
    assert_eq!(items[2].as_str(), Some("x"));
    assert_eq!(items[2].raw(text), "*a|b");
}

#[test]
fn flow_collections() {
    let text = "svc: {name: api, ports: [80, 443], labels: {app: web}, empty: [], none: {}}\n";
    let file = parse_ok(text);
    let svc = file.root(0).unwrap().get("svc").unwrap();
    assert!(svc.is_mapping());
    assert_eq!(svc.raw(text), &text[5..text.len() - 1]);
    assert_eq!(svc.get("name").unwrap().as_str(), Some("api"));
    let ports = svc.get("ports").unwrap();
    assert_eq!(ports.raw(text), "[80, 443]");
    assert_eq!(
        ports
            .items()
            .map(|p| p.as_i64().unwrap())
            .collect::<Vec<_>>(),
        [80, 443]
    );
    assert_eq!(svc.path(&["labels", "app"]).unwrap().as_str(), Some("web"));
    assert_eq!(svc.get("empty").unwrap().raw(text), "[]");
    assert!(svc.get("empty").unwrap().is_empty());
    assert!(svc.get("none").unwrap().is_mapping());
    assert_eq!(svc.get("none").unwrap().len(), 0);
    assert_eq!(svc.len(), 5);
    // Multi-line flow collection, under-indented as real files do.
    let text = "args: [\n  \"--port\", \"80\",\n]\n";
    let file = parse_ok(text);
    let args = file.root(0).unwrap().get("args").unwrap();
    assert_eq!(
        args.items()
            .map(|a| a.as_str().unwrap())
            .collect::<Vec<_>>(),
        ["--port", "80"]
    );
    assert_eq!(args.raw(text), "[\n  \"--port\", \"80\",\n]");
}

#[test]
fn block_collection_ranges() {
    let text = "a:\n  - x\n  - y: 1\n    z: 2\nb:\n- indentless\n- seq\n";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    assert_eq!(root.get("a").unwrap().raw(text), "- x\n  - y: 1\n    z: 2");
    assert_eq!(
        root.get("a").unwrap().items().nth(1).unwrap().raw(text),
        "y: 1\n    z: 2"
    );
    assert_eq!(root.get("b").unwrap().raw(text), "- indentless\n- seq");
    assert_eq!(root.raw(text), text.trim_end());
    assert_eq!(
        file.documents[0].range,
        TextRange::from_usize(0, text.trim_end().len())
    );
}

#[test]
fn bom_at_start_keeps_byte_offsets() {
    let text = "\u{feff}apiVersion: v1\nkind: Pod\n";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    assert_eq!(root.key_range("apiVersion"), Some(TextRange::new(3, 13)));
    assert_eq!(root.get("kind").unwrap().range(), range_of(text, "Pod"));
    assert_eq!(root.get("apiVersion").unwrap().as_str(), Some("v1"));
    assert_eq!(
        line_col(text, root.get("kind").unwrap().range().start),
        (2, 7)
    );
}

#[test]
fn crlf_line_endings() {
    let text =
        "a: 1\r\nb:\r\n  c: \"x\"\r\n  d: |\r\n    l1\r\n    l2\r\n# c\r\ne: [1,\r\n  2]\r\n";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    assert_eq!(root.get("a").unwrap().as_i64(), Some(1));
    let c = root.path(&["b", "c"]).unwrap();
    assert_eq!(c.as_str(), Some("x"));
    assert_eq!(c.range(), range_of(text, "\"x\""));
    let d = root.path(&["b", "d"]).unwrap();
    assert_eq!(d.as_str(), Some("l1\nl2\n"));
    assert_eq!(d.raw(text), "|\r\n    l1\r\n    l2");
    assert_eq!(file.comments[0].range, range_of(text, "# c"));
    assert_eq!(file.comments[0].text, " c");
    assert_eq!(root.get("e").unwrap().items().count(), 2);
    assert_eq!(line_col(text, root.key_range("e").unwrap().start), (8, 1));
}

// ----------------------------------------------------------------------------------------
// Tabs
// ----------------------------------------------------------------------------------------

#[test]
fn tab_after_colon_is_separation_whitespace() {
    let text = "a:\tvalue\nb:\t\t2\nc: \t[1,\t2]\nd:\n  -\tx\n";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    assert_eq!(root.get("a").unwrap().as_str(), Some("value"));
    assert_eq!(root.get("a").unwrap().range(), range_of(text, "value"));
    assert_eq!(root.get("b").unwrap().as_i64(), Some(2));
    assert_eq!(root.get("c").unwrap().items().count(), 2);
    assert_eq!(root.path(&["d", "0"]).unwrap().as_str(), Some("x"));
    let nested = parse_ok("k:\n  a:\tvalue\n  b: 2\n");
    assert_eq!(
        nested.root(0).unwrap().path(&["k", "a"]).unwrap().as_str(),
        Some("value")
    );
}

#[test]
fn tab_indentation_is_an_error_at_the_tab() {
    let text = "a:\n\tb: 1\n";
    let file = parse(text);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    assert_eq!(file.errors[0].range, TextRange::new(3, 4));
    assert_eq!(slice(text, file.errors[0].range), "\t");
    assert!(
        file.errors[0].message.contains("tab"),
        "{}",
        file.errors[0].message
    );
    assert_eq!(file.documents.len(), 1);
    assert!(file.documents[0].has_error);
    assert_eq!(file.documents[0].root, None);

    let text = "a:\n  b: 1\n\t\tc: 2\n";
    let file = parse(text);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    assert_eq!(slice(text, file.errors[0].range), "\t\t");
    assert_eq!(line_col(text, file.errors[0].range.start), (3, 1));
}

// ----------------------------------------------------------------------------------------
// Errors and recovery
// ----------------------------------------------------------------------------------------

#[test]
fn unterminated_flow_mapping_is_located_at_its_brace() {
    let text = "a: {b: 1, c: 2\n";
    let file = parse(text);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    assert_eq!(file.errors[0].range, range_of(text, "{"));
    assert!(
        file.errors[0].message.contains("unclosed flow mapping"),
        "{:?}",
        file.errors
    );
    assert_eq!(file.documents.len(), 1);
    assert_eq!(file.documents[0].root, None);
    assert!(file.documents[0].has_error);
    assert_well_formed(text, &file);

    let text = "a: [1, 2\n";
    let file = parse(text);
    assert_eq!(file.errors.len(), 1);
    assert_eq!(file.errors[0].range, range_of(text, "["));
    assert!(
        file.errors[0].message.contains("flow sequence"),
        "{:?}",
        file.errors
    );
}

#[test]
fn unterminated_quotes() {
    for text in ["a: \"abc\n", "a: 'abc", "key: \"never closed"] {
        let file = parse(text);
        assert_eq!(file.errors.len(), 1, "{text:?}: {:?}", file.errors);
        let error = &file.errors[0];
        assert_eq!(
            error.message, "unexpected end of file: unterminated quoted scalar",
            "{text:?}"
        );
        let quote = text.find(['"', '\'']).unwrap();
        assert_eq!(error.range.start as usize, quote, "{text:?}");
        assert_eq!(file.documents.len(), 1);
        assert_eq!(file.documents[0].root, None);
        assert_well_formed(text, &file);
    }
}

#[test]
fn invalid_document_two_of_three_keeps_one_and_three() {
    let text = "\
apiVersion: v1
kind: ConfigMap
---
apiVersion: v1
kind: Service
spec: {selector: {app: web}
  ports: [80
---
# doc three
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
";
    let file = parse(text);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    assert_eq!(file.documents.len(), 3);
    let [one, two, three] = &file.documents[..] else {
        panic!()
    };
    assert!(one.root.is_some() && !one.has_error);
    assert!(two.root.is_none() && two.has_error);
    assert!(three.root.is_some() && !three.has_error);
    // The error lies in document two.
    let error = &file.errors[0];
    assert!(two.range.start <= error.range.start && error.range.end <= two.range.end);
    assert_eq!(file.document_at(error.range.start), Some(1));
    assert_eq!(
        file.root(0).unwrap().get("kind").unwrap().as_str(),
        Some("ConfigMap")
    );
    let third = file.root(2).unwrap();
    assert_eq!(third.get("kind").unwrap().as_str(), Some("Deployment"));
    let name = third.path(&["metadata", "name"]).unwrap();
    assert_eq!(slice(text, name.range()), "web");
    assert_eq!(line_col(text, name.range().start), (13, 9));
    // Comments of the later document are kept.
    assert_eq!(file.comments.len(), 1);
    assert_eq!(line_col(text, file.comments[0].range.start), (9, 1));
    assert_well_formed(text, &file);
}

#[test]
fn errors_in_several_documents_each_recover() {
    let text = "a: \"x\n---\nb: [\n---\nc: ok\n---\nx:\n\t- d\n---\ne: 5\n";
    let file = parse(text);
    assert_eq!(file.errors.len(), 3, "{:?}", file.errors);
    assert_eq!(file.documents.len(), 5);
    let roots: Vec<bool> = file.documents.iter().map(|d| d.root.is_some()).collect();
    assert_eq!(roots, [false, false, true, false, true]);
    assert_eq!(file.root(2).unwrap().get("c").unwrap().as_str(), Some("ok"));
    assert_eq!(file.root(4).unwrap().get("e").unwrap().as_i64(), Some(5));
    assert_eq!(
        file.root(4).unwrap().get("e").unwrap().range(),
        range_of(text, "5")
    );
    let errors: Vec<(&str, &str)> = file
        .errors
        .iter()
        .map(|e| (slice(text, e.range), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (
                "\"",
                "unterminated quoted scalar: no closing `\"` before the next document marker"
            ),
            ("[", "unclosed flow sequence: this `[` has no matching `]`"),
            (
                "\t",
                "found a tab character where indentation is expected (indent YAML with spaces)"
            ),
        ]
    );
    assert_well_formed(text, &file);
}

#[test]
fn quoted_scalar_with_bad_indentation_but_closed_quote_is_not_unterminated() {
    let text = "a:\n  b: \"x\ny\"\n";
    let file = parse(text);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    assert!(
        file.errors[0].message.contains("indentation"),
        "{:?}",
        file.errors
    );
    assert!(
        !file.errors[0].message.contains("unterminated"),
        "{:?}",
        file.errors
    );
    // Unclosed single quote followed by more lines, and a comment with a quote before it.
    let text = "a: # don't\n  'abc\nb: 1\n";
    let file = parse(text);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    assert_eq!(
        file.errors[0].message,
        "unexpected end of file: unterminated quoted scalar"
    );
    let quote = range_of(text, "'abc").start;
    assert_eq!(file.errors[0].range, TextRange::new(quote, quote + 1));
}

#[test]
fn large_flat_collections_build_in_linear_time() {
    let mapping: String = (0..200_000).map(|i| format!("key{i}: {i}\n")).collect();
    let file = parse_ok(&mapping);
    let root = file.root(0).unwrap();
    assert_eq!(root.len(), 200_000);
    assert_eq!(root.get("key199999").unwrap().as_i64(), Some(199_999));
    assert_eq!(root.entries().count(), 200_000);
    let sequence: String = (0..200_000).map(|i| format!("- [{i}, x]\n")).collect();
    let file = parse_ok(&sequence);
    assert_eq!(file.root(0).unwrap().items().len(), 200_000);
    let long_line = format!("k: {}\n", "x".repeat(2_000_000));
    let file = parse_ok(&long_line);
    assert_eq!(
        file.root(0)
            .unwrap()
            .get("k")
            .unwrap()
            .as_str()
            .unwrap()
            .len(),
        2_000_000
    );
}

#[test]
fn error_before_any_document_marker_and_trailing_garbage() {
    // `a: 1\n ]` would be valid (a two-line plain scalar "1 ]"); at column 0 it is not.
    let text = "a: 1\n]\n---\nb: 2\n";
    let file = parse(text);
    assert!(!file.errors.is_empty());
    let last = file.documents.last().unwrap();
    let b = file.get(last.root.unwrap()).get("b").unwrap();
    assert_eq!(b.as_i64(), Some(2));
    assert_well_formed(text, &file);
}

#[test]
fn error_messages_are_reworded_and_lowercase() {
    let cases = [
        ("a: b: c\n", "not allowed here"),
        ("- a\nb: 1\n", "sequence entry"),
        ("a: [1, 2}\n", "mismatched"),
        ("a: \"\\q\"\n", "escape"),
        ("a:\n\t- b\n", "tab"),
    ];
    for (text, needle) in cases {
        let file = parse(text);
        assert!(!file.errors.is_empty(), "{text:?}");
        assert!(
            file.errors.iter().any(|e| e.message.contains(needle)),
            "{text:?}: {:?}",
            file.errors
        );
        assert_well_formed(text, &file);
    }
}

#[test]
fn never_panics_on_any_prefix_of_a_real_file() {
    let text = "\
# header
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: \"nginx:1.27\"
          args: ['-g', \"daemon off;\"]
          script: |
            echo é
          ports:
            - containerPort: 80 # http
---
base: &b {x: 1}
use: {<<: *b, y: 2}
...
";
    for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
        let prefix = &text[..i];
        let file = parse(prefix);
        assert_well_formed(prefix, &file);
    }
}

#[test]
fn hostile_inputs_do_not_panic_or_hang() {
    let deep_flow = "[".repeat(10_000);
    let deep_block: String = (0..400)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    let deep_map: String = (0..400)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let inputs = [
        deep_flow.as_str(),
        deep_block.as_str(),
        deep_map.as_str(),
        "\0\u{1}\u{1a}",
        "]]]]}}}}",
        "---\n---\n...\n...\n",
        "%YAML 1.2\n%YAML 1.2\n---\na: 1\n",
        "&a &b x",
        "? ? ? ? a",
        ": : :",
        "a: !<tag:yaml.org,2002:str> x\n",
        "\u{feff}\u{feff}a: 1",
        "a: *\n",
        "key: \"\\uD800\"\n",
    ];
    for text in inputs {
        let start = Instant::now();
        let file = parse(text);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{text:?} took too long"
        );
        assert_well_formed(text, &file);
    }
    // Too deep: a located error, not a stack overflow.
    let file = parse(&deep_flow);
    assert!(
        file.errors.iter().any(|e| e.message.contains("too deep")),
        "{:?}",
        file.errors
    );
}

// ----------------------------------------------------------------------------------------
// Navigation: get/path/entries/items, duplicates, merges, aliases
// ----------------------------------------------------------------------------------------

const K8S: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: sidecar
          image: envoy
        - name: api
          image: \"example/api:1.0\"
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
";

#[test]
fn deep_key_in_second_document_has_exact_line_col() {
    let file = parse_ok(K8S);
    assert_eq!(file.documents.len(), 2);
    let deploy = file.root(1).unwrap();
    let ports = deploy
        .path(&["spec", "template", "spec", "containers", "1", "ports"])
        .unwrap();
    let port0 = ports.items().next().unwrap();
    let value = port0.get("containerPort").unwrap();
    assert_eq!(value.as_i64(), Some(8080));
    assert_eq!(line_col(K8S, value.range().start), (29, 30));
    assert_eq!(line_col(K8S, value.range().end), (29, 34));
    let key = port0.key_range("containerPort").unwrap();
    assert_eq!(line_col(K8S, key.start), (29, 15));
    assert_eq!(slice(K8S, key), "containerPort");
    // The containers[0] of the task statement, via path with indices.
    let first = deploy
        .path(&["spec", "template", "spec", "containers", "0", "image"])
        .unwrap();
    assert_eq!(line_col(K8S, first.range().start), (24, 18));
    // Document 1's targetPort.
    let svc = file.root(0).unwrap();
    let target = svc.path(&["spec", "ports", "0", "targetPort"]).unwrap();
    assert_eq!(line_col(K8S, target.range().start), (10, 19));
    assert_eq!(target.as_i64(), Some(8080));
    assert_eq!(line_col(K8S, file.documents[1].range.start), (11, 1));
}

#[test]
fn get_on_wrong_kinds_and_missing_paths() {
    let file = parse_ok(K8S);
    let svc = file.root(0).unwrap();
    assert_eq!(svc.get("nope"), None);
    assert_eq!(svc.get("kind").unwrap().get("x"), None);
    assert_eq!(svc.path(&["spec", "ports", "9"]), None);
    assert_eq!(svc.path(&["spec", "ports", "x"]), None);
    assert_eq!(svc.get("kind").unwrap().items().count(), 0);
    assert_eq!(svc.get("kind").unwrap().entries().count(), 0);
    assert_eq!(svc.path(&[]), Some(svc));
    assert_eq!(svc.key_range("nope"), None);
    let keys: Vec<&str> = svc.entries().map(|(k, _)| k.as_str().unwrap()).collect();
    assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
}

#[test]
fn duplicate_keys_are_recorded_and_last_wins() {
    let text = "a: 1\nb: 2\na: 3\n\"a\": 4\nc: {x: 1, x: 2}\n";
    let file = parse_ok(text);
    let got: Vec<(&str, &str, &str)> = file
        .duplicate_keys
        .iter()
        .map(|d| {
            (
                d.key.as_str(),
                slice(text, d.first),
                slice(text, d.duplicate),
            )
        })
        .collect();
    assert_eq!(got, [("x", "x", "x"), ("a", "a", "a"), ("a", "a", "\"a\"")]);
    assert_eq!(file.duplicate_keys[1].first, nth_range(text, "a", 0));
    assert_eq!(file.duplicate_keys[1].duplicate, TextRange::new(10, 11));
    assert_eq!(slice(text, file.duplicate_keys[1].duplicate), "a");
    assert_eq!(
        line_col(text, file.duplicate_keys[1].duplicate.start),
        (3, 1)
    );
    let root = file.root(0).unwrap();
    assert_eq!(root.get("a").unwrap().as_i64(), Some(4));
    assert_eq!(root.key_range("a"), Some(range_of(text, "\"a\"")));
    // All entries are kept in the tree, in source order.
    assert_eq!(root.len(), 5);
    // entries(): each key once, at its last occurrence.
    let keys: Vec<(&str, i64)> = root
        .entries()
        .filter_map(|(k, v)| Some((k.as_str()?, v.as_i64()?)))
        .collect();
    assert_eq!(keys, [("b", 2), ("a", 4)]);
    assert_eq!(root.get("c").unwrap().get("x").unwrap().as_i64(), Some(2));
}

#[test]
fn duplicate_keys_in_large_mappings() {
    let mut text: String = (0..50).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("k7: again\nk7: thrice\n");
    let file = parse_ok(&text);
    assert_eq!(file.duplicate_keys.len(), 2);
    assert!(file
        .duplicate_keys
        .iter()
        .all(|d| d.key == "k7" && d.first == range_of(&text, "k7")));
    let root = file.root(0).unwrap();
    assert_eq!(root.get("k7").unwrap().as_str(), Some("thrice"));
    assert_eq!(root.entries().count(), 50);
}

#[test]
fn merge_keys() {
    let text = "\
base: &base
  image: nginx
  port: 80
  env: base
extra: &extra
  port: 81
  debug: true
svc:
  <<: [*base, *extra]
  env: own
single:
  <<: *extra
  name: s
chain: &chain
  <<: *base
  tier: mid
top:
  <<: *chain
inline:
  <<: {a: 1}
  b: 2
quoted:
  \"<<\": *base
";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    let svc = root.get("svc").unwrap();
    assert_eq!(svc.get("image").unwrap().as_str(), Some("nginx"));
    assert_eq!(svc.get("port").unwrap().as_i64(), Some(80)); // earlier source wins
    assert_eq!(svc.get("env").unwrap().as_str(), Some("own")); // own key wins
    assert_eq!(svc.get("debug").unwrap().as_bool(), Some(true));
    // A merged key's range is where it is written (in the anchored mapping).
    assert_eq!(svc.key_range("image"), Some(range_of(text, "image")));
    let entries: Vec<(&str, &str)> = svc
        .entries()
        .map(|(k, v)| (k.as_str().unwrap(), v.as_str().unwrap()))
        .collect();
    assert_eq!(
        entries,
        [
            ("env", "own"),
            ("image", "nginx"),
            ("port", "80"),
            ("debug", "true")
        ]
    );
    let single = root.get("single").unwrap();
    assert_eq!(single.get("port").unwrap().as_i64(), Some(81));
    assert_eq!(single.get("name").unwrap().as_str(), Some("s"));
    // Merges of merges.
    let top = root.get("top").unwrap();
    assert_eq!(top.get("image").unwrap().as_str(), Some("nginx"));
    assert_eq!(top.get("tier").unwrap().as_str(), Some("mid"));
    assert_eq!(top.entries().count(), 4); // tier, image, port, env
    assert_eq!(root.path(&["inline", "a"]).unwrap().as_i64(), Some(1));
    // `<<` itself is still there, unexpanded.
    assert!(svc.get("<<").unwrap().is_sequence());
    // A quoted "<<" is an ordinary key.
    let quoted = root.get("quoted").unwrap();
    assert_eq!(quoted.get("image"), None);
    assert!(quoted.get("<<").unwrap().is_mapping());
}

#[test]
fn merge_bomb_lookups_stay_linear() {
    // Each level merges the previous one nine times: naive expansion is 9^12 sources.
    let mut text = String::from("l0: &l0 {x: 0}\n");
    for level in 1..=12 {
        let prev = format!("*l{}", level - 1);
        let sources = [prev.as_str(); 9].join(", ");
        text.push_str(&format!(
            "l{level}: &l{level} {{<<: [{sources}], y{level}: {level}}}\n"
        ));
    }
    let file = parse_ok(&text);
    let top = file.root(0).unwrap().get("l12").unwrap();
    let start = Instant::now();
    assert_eq!(top.get("missing"), None);
    assert_eq!(top.get("x").unwrap().as_i64(), Some(0));
    assert_eq!(top.entries().count(), 13);
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn aliases_are_references_and_accessors_follow_them() {
    let text = "defaults: &d\n  image: nginx\n  ports: &p [80]\nweb: *d\nports: *p\n";
    let file = parse_ok(text);
    let root = file.root(0).unwrap();
    let web = root.get("web").unwrap();
    assert!(web.is_alias());
    assert_eq!(web.range(), range_of(text, "*d"));
    assert_eq!(web.raw(text), "*d");
    assert_eq!(web.resolve(), root.get("defaults").unwrap());
    assert_eq!(web.anchor(), Some("d"));
    assert_eq!(web.get("image").unwrap().as_str(), Some("nginx"));
    assert_eq!(
        root.path(&["web", "ports", "0"]).unwrap().as_i64(),
        Some(80)
    );
    assert_eq!(root.get("ports").unwrap().items().count(), 1);
    assert!(root.get("ports").unwrap().is_sequence());
    assert_eq!(file.anchor(root.get("defaults").unwrap().id), Some("d"));
    match web.kind() {
        NodeKind::Alias { name, target } => {
            assert_eq!(name, "d");
            assert_eq!(target, Some(root.get("defaults").unwrap().id));
        }
        other => panic!("{other:?}"),
    }
    // Alias as a key.
    let file = parse_ok("k: &k name\n*k : value\n");
    assert_eq!(
        file.root(0).unwrap().get("name").unwrap().as_str(),
        Some("value")
    );
}

fn billion_laughs() -> String {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    text
}

#[test]
fn billion_laughs_costs_file_size_and_walk_stops() {
    let text = billion_laughs();
    let start = Instant::now();
    let file = parse_ok(&text);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "parse took {:?}",
        start.elapsed()
    );
    // 9 keys + 9 sequences + 9 items each: the aliases are not copied.
    assert!(file.nodes.len() < 200, "{} nodes", file.nodes.len());
    let root = file.root(0).unwrap();
    // Cheap lookups through the aliases still work.
    let i = root.get("i").unwrap();
    assert_eq!(i.items().count(), 9);
    let deep = root
        .path(&["i", "8", "0", "0", "0", "0", "0", "0", "0", "3"])
        .unwrap();
    assert_eq!(deep.as_str(), Some("lol"));
    // A full expansion would be ~9^9 nodes: the walk stops at its budget.
    let start = Instant::now();
    let mut seen = 0usize;
    let result = root.walk(DEFAULT_EXPANSION_BUDGET, |_| seen += 1);
    assert_eq!(
        result,
        Err(BudgetExceeded {
            budget: DEFAULT_EXPANSION_BUDGET
        })
    );
    assert_eq!(seen, DEFAULT_EXPANSION_BUDGET);
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(result.unwrap_err().to_string().contains("alias"));
    // The unexpanded anchor itself is small.
    assert_eq!(
        root.get("a")
            .unwrap()
            .walk(DEFAULT_EXPANSION_BUDGET, |_| {}),
        Ok(10)
    );
}

#[test]
fn alias_cycles_do_not_loop() {
    let text = "a: &a [*a, 1]\nb: &m {self: *m}\n";
    let file = parse(text);
    assert_well_formed(text, &file);
    let root = file.root(0).unwrap();
    let a = root.get("a").unwrap();
    assert_eq!(a.items().count(), 2);
    let inner = a.items().next().unwrap();
    assert!(inner.is_alias());
    assert_eq!(inner.resolve(), a);
    assert_eq!(
        root.path(&["a", "0", "0", "0", "1"]).unwrap().as_i64(),
        Some(1)
    );
    assert_eq!(
        root.path(&["b", "self", "self", "self"]).unwrap().resolve(),
        root.get("b").unwrap()
    );
    assert_eq!(a.walk(1000, |_| {}), Err(BudgetExceeded { budget: 1000 }));
    assert_eq!(
        root.get("b").unwrap().walk(50, |_| {}),
        Err(BudgetExceeded { budget: 50 })
    );
    // A self-merging mapping.
    let file = parse("m: &m {x: 1, <<: *m}\n");
    let m = file.root(0).unwrap().get("m").unwrap();
    assert_eq!(m.get("nope"), None);
    assert_eq!(m.entries().count(), 1);
}

#[test]
fn walk_visits_in_document_order() {
    let text = "a: [1, 2]\nb: {c: d}\n";
    let file = parse_ok(text);
    let mut seen = Vec::new();
    let visits = file
        .root(0)
        .unwrap()
        .walk(DEFAULT_EXPANSION_BUDGET, |n| {
            seen.push(n.raw(text).to_owned())
        })
        .unwrap();
    assert_eq!(visits, 9);
    assert_eq!(
        seen,
        [
            text.trim_end(),
            "a",
            "[1, 2]",
            "1",
            "2",
            "b",
            "{c: d}",
            "c",
            "d"
        ]
    );
}

// ----------------------------------------------------------------------------------------
// Corpus and size
// ----------------------------------------------------------------------------------------

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn every_corpus_yaml_file_loads_without_errors() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    if !dir.is_dir() {
        eprintln!("note: {} not found; corpus test skipped", dir.display());
        return;
    }
    let mut files = Vec::new();
    yaml_files(dir, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no YAML files under {}", dir.display());
    let mut failures = Vec::new();
    let mut documents = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let file = parse(&text);
        assert_well_formed(&text, &file);
        documents += file.documents.len();
        if !file.errors.is_empty() {
            failures.push(format!("{}: {:?}", path.display(), file.errors));
        }
        // Every node reachable from a root is in range and walkable.
        for root in file.roots() {
            root.walk(DEFAULT_EXPANSION_BUDGET, |_| {}).unwrap();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        documents >= files.len() / 2,
        "{documents} documents in {} files",
        files.len()
    );
}

#[test]
fn five_megabyte_multi_document_file() {
    let mut text = String::with_capacity(5_300_000);
    let mut docs = 0;
    while text.len() < 5_000_000 {
        text.push_str(&format!(
            "---\n# deployment {docs}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  \
             name: app-{docs}\n  labels: {{app: app-{docs}, tier: \"backend\"}}\nspec:\n  \
             replicas: 3\n  template:\n    spec:\n      containers:\n        - name: main\n          \
             image: 'registry/app:{docs}'\n          env:\n            - {{name: A, value: \"1\"}}\n          \
             ports:\n            - containerPort: {port}\n          command: |\n            run \
             --fast\n            --port {port}\n",
            port = 1000 + docs % 60000,
        ));
        docs += 1;
    }
    let start = Instant::now();
    let file = parse_ok(&text);
    let elapsed = start.elapsed();
    assert_eq!(file.documents.len(), docs);
    assert_eq!(file.comments.len(), docs);
    let last = file.root(docs - 1).unwrap();
    let port = last
        .path(&["spec", "template", "spec", "containers", "0", "ports", "0"])
        .unwrap();
    assert_eq!(
        port.get("containerPort").unwrap().as_i64(),
        Some(1000 + (docs as i64 - 1))
    );
    assert!(file.duplicate_keys.is_empty());
    // Informational only (debug builds are much slower than release).
    eprintln!("parsed {} bytes in {elapsed:?}", text.len());
}

#[test]
fn many_tags_and_anchors_are_recorded_per_node() {
    // Tags and anchors live in a side table; an anchor on an untagged node must not scan
    // it (20,000 tagged nodes and 20,000 anchored ones: linear, every record kept).
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            "- !!str t{i}\n- &a{i} v{i}\n- !custom &b{i} w{i}\n"
        ));
    }
    let file = parse_ok(&text);
    let root = file.root(0).unwrap();
    let items: Vec<_> = root.items().collect();
    assert_eq!(items.len(), 60_000);
    assert_eq!(items[0].tag(), Some("!!str"));
    assert_eq!(items[0].anchor(), None);
    assert_eq!(items[59_998].anchor(), Some("a19999"));
    assert_eq!(items[59_998].tag(), None);
    assert_eq!(items[59_999].tag(), Some("!custom"));
    assert_eq!(items[59_999].anchor(), Some("b19999"));
    assert_eq!(items[59_999].as_str(), Some("w19999"));
}

/// A tree lives as long as the run reads it: its buffers hold no unused room (they grew by
/// doubling, and a pushed list starts with room for four).
#[test]
fn tree_buffers_are_exact() {
    let file = parse("# c\na: &x [1, 2]\nb: {c: *x, d: !!str e}\n---\n- f\n");
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.nodes.len(), file.nodes.capacity());
    assert_eq!(file.documents.len(), file.documents.capacity());
    assert_eq!(file.comments.len(), file.comments.capacity());
    assert_eq!(file.meta.len(), file.meta.capacity());
    assert_eq!(file.strings.len(), file.strings.capacity());
    assert_eq!(file.items.len(), file.items.capacity());
    assert_eq!(file.entries.len(), file.entries.capacity());
    assert_eq!(file.aliases.len(), file.aliases.capacity());
    assert_eq!(file.aliases.len(), 1);
    assert_eq!(file.documents.len(), 2);
    // The most numerous object of a large repository's trees (5.5 million nodes).
    assert_eq!(file.wide.len(), file.wide.capacity());
    assert_eq!(std::mem::size_of::<crate::Node>(), 16);
}

/// Lengths that do not fit in a packed node go to the side table (this crate's tests pack
/// only three bits of length, so every kind takes that path here).
#[test]
fn long_values_and_collections_round_trip() {
    let text = "key-longer-than-seven: \"a quoted value, longer\"\nlist: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nmap: {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\nblock: |\n  literal text\n  over lines\nshort: [x]\n";
    let file = parse(text);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert!(!file.wide.is_empty());
    let root = file.roots().next().unwrap();
    assert_eq!(
        root.get("key-longer-than-seven").unwrap().as_str(),
        Some("a quoted value, longer")
    );
    assert_eq!(
        root.get("key-longer-than-seven").unwrap().style(),
        Some(ScalarStyle::DoubleQuoted)
    );
    let list: Vec<_> = root
        .get("list")
        .unwrap()
        .items()
        .filter_map(|n| n.as_str())
        .collect();
    assert_eq!(list, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    let map = root.get("map").unwrap();
    assert_eq!(map.entries().count(), 8);
    assert_eq!(map.get("h").unwrap().as_str(), Some("8"));
    let block = root.get("block").unwrap();
    assert_eq!(block.as_str(), Some("literal text\nover lines\n"));
    assert_eq!(block.style(), Some(ScalarStyle::Literal));
    assert_eq!(root.get("short").unwrap().items().count(), 1);
}

/// A scalar that is its own text is read from the shared text, not copied; the others
/// (folded, quoted, escaped) are copied; values are the same either way.
#[test]
fn scalars_written_as_their_value_are_not_copied() {
    let text: std::sync::Arc<str> =
        "name: api\nport: 8080\nquoted: \"a\\tb\"\nfolded: two\n  lines\nplain-with-len-over-seven: abcdefghij\n"
            .into();
    let file = parse_shared(&text);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let root = file.roots().next().unwrap();
    assert_eq!(root.get("name").unwrap().as_str(), Some("api"));
    assert_eq!(root.get("port").unwrap().as_str(), Some("8080"));
    assert_eq!(root.get("quoted").unwrap().as_str(), Some("a\tb"));
    assert_eq!(root.get("folded").unwrap().as_str(), Some("two lines"));
    assert_eq!(
        root.get("plain-with-len-over-seven").unwrap().as_str(),
        Some("abcdefghij")
    );
    // Only the quoted and the folded values were copied.
    assert_eq!(file.strings, "a\tbtwo lines");
    assert_eq!(file, parse(&text));
}
