//! docs/rules/<id>.md are generated from the rule files (the doc comment IS the docs page);
//! this test fails when they are stale. Regenerate with
//! `UPDATE_DOCS=1 cargo test -p topolint_rules --test docs`.

use std::path::Path;

fn page(r: &topolint_rules::RuleMeta) -> String {
    format!(
        "<!-- generated from rules/src by `UPDATE_DOCS=1 cargo test -p topolint_rules --test docs`; do not edit -->\n# `{}`\n\n{} · default severity: **{}** · layer: {}\n\n{}",
        r.id,
        r.summary,
        r.default_severity,
        r.layer.as_str(),
        r.docs
    )
}

fn index() -> String {
    let mut s = String::from("<!-- generated; do not edit -->\n# Rules\n\n| rule | severity | layer | summary |\n|---|---|---|---|\n");
    for r in topolint_rules::REGISTRY {
        s.push_str(&format!(
            "| [`{}`]({}.md) | {} | {} | {} |\n",
            r.id,
            r.id,
            r.default_severity,
            r.layer.as_str(),
            r.summary
        ));
    }
    s
}

#[test]
fn rule_pages_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut expected: Vec<(String, String)> = topolint_rules::REGISTRY
        .iter()
        .map(|r| (format!("{}.md", r.id), page(r)))
        .collect();
    expected.push(("README.md".into(), index()));
    if update {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    // No page for a rule that no longer exists.
    if !update {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !expected.iter().any(|(n, _)| *n == name) {
                stale.push(format!("{name} (no such rule)"));
            }
        }
    }
    assert!(stale.is_empty(), "docs/rules is stale: {stale:?}; run `UPDATE_DOCS=1 cargo test -p topolint_rules --test docs`");
}
