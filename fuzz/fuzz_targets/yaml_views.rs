#![no_main]
//! The typed views over the compact YAML tree (what the compose and Kubernetes loaders
//! read through): every accessor on every node of any input terminates without a panic,
//! aliases and `<<` merges included, and every node range lies inside the text.

use libfuzzer_sys::fuzz_target;
use topolint_yaml::{NodeId, DEFAULT_EXPANSION_BUDGET};

/// Keys the loaders look up.
const KEYS: &[&str] = &[
    "services", "image", "ports", "spec", "metadata", "name", "<<", "a",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = topolint_yaml::parse(&text);
    for i in 0..file.nodes.len() {
        let id = NodeId(i as u32);
        let node = file.get(id);
        let r = node.range();
        assert!(r.start <= r.end && r.end as usize <= text.len(), "{r:?}");
        assert!(text.is_char_boundary(r.start as usize) && text.is_char_boundary(r.end as usize));
        let _ = (
            node.kind(),
            node.tag(),
            node.anchor(),
            node.style(),
            node.raw(&text),
        );
        let _ = (
            node.as_str(),
            node.as_i64(),
            node.as_bool(),
            node.is_null(),
            node.len(),
        );
        for key in KEYS {
            let _ = (node.get(key), node.key_range(key));
        }
        let entries = node.entries().count();
        let items = node.items().count();
        assert!(entries <= file.nodes.len() && items <= file.nodes.len());
        let _ = node.path(&["spec", "0", "name"]);
        let _ = node.walk(DEFAULT_EXPANSION_BUDGET / 100, |_| {});
    }
    for root in file.roots() {
        let _ = root.walk(DEFAULT_EXPANSION_BUDGET, |n| {
            let _ = n.as_str();
        });
    }
});
