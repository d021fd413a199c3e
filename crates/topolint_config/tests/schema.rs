//! The checked-in JSON schema of `topolint.toml` is the one the code generates.

use std::path::Path;

const SCHEMA: &str = "docs/topolint.schema.json";
const REGENERATE: &str = "TOPOLINT_UPDATE_SCHEMA=1 cargo test -p topolint_config --test schema";

#[test]
fn checked_in_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(SCHEMA);
    let generated = topolint_config::json_schema();
    if std::env::var_os("TOPOLINT_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{SCHEMA} is stale (or missing): regenerate it with `{REGENERATE}`"
    );
}

#[test]
fn schema_describes_the_keys_and_refuses_unknown_ones() {
    let schema: serde_json::Value = serde_json::from_str(&topolint_config::json_schema()).unwrap();
    assert_eq!(schema["title"], "topolint.toml");
    assert_eq!(schema["additionalProperties"], false);
    let props = schema["properties"].as_object().unwrap();
    for key in [
        "select",
        "ignore",
        "severity",
        "per-path-ignores",
        "fail-on",
        "output",
        "plugins",
        "nginx",
        "load-balancer",
        "kubernetes",
        "istio",
    ] {
        assert!(props.contains_key(key), "schema lacks `{key}`");
        assert!(
            props[key].get("description").is_some(),
            "`{key}` has no description"
        );
    }
}
