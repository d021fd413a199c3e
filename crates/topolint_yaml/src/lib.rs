//! A span-preserving YAML tree, shared by the compose and Kubernetes/Istio views.
//!
//! Parser choice: events come from `granit-parser` 2.1 (the saphyr-parser fork) because it
//! gives UTF-8 BYTE offsets for every event and emits comments as events with their spans (no
//! char-index conversion, no hand-written comment scan), accepts `a:\tvalue`, and can resume
//! at the next document marker after a syntax error while keeping original positions.
//!
//! [`parse`] turns the event stream into one compact arena ([`YamlFile::nodes`], 28 bytes a
//! node; strings and children in per-file buffers) for all documents: every node keeps its
//! byte range, tag and anchor ([`YamlFile::kind`], [`YamlFile::tag`], [`YamlFile::anchor`]); mappings keep every entry in source order
//! (duplicate keys are kept AND listed in [`YamlFile::duplicate_keys`]); an alias is a node
//! pointing at the anchored node, never a copy, so an alias bomb costs memory in proportion to
//! the file. [`NodeRef`] is the read API: typed accessors (YAML 1.1 flavoured where Kubernetes
//! is), `get` with "last duplicate wins" and `<<` merges, `path`, `key_range` for diagnostics,
//! and [`NodeRef::walk`], which expands aliases under a node budget.
//!
//! Error recovery: a syntax error abandons the document it is in (`root: None`,
//! `has_error: true`), keeps every earlier document, and parsing resumes at the next `---` (or
//! `...`) marker at column 0 after the error (`granit_parser::Parser::proceed_next_document`,
//! which keeps byte offsets of the original text), so later documents still load. Errors
//! carry a byte range and a lowercase message.

mod build;
mod errors;
mod tree;
mod view;

pub use build::{parse, parse_shared};
pub use tree::{
    Comment, Document, DuplicateKey, Node, NodeId, NodeKind, ScalarStyle, YamlError, YamlFile,
};
pub use view::{BudgetExceeded, Entries, Items, NodeRef, DEFAULT_EXPANSION_BUDGET};

#[cfg(test)]
mod tests;
