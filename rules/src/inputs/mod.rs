//! C. Hygiene of the inputs themselves: findings produced while loading files.

pub mod duplicate_key;
pub mod file_skipped;
pub mod helm_template_skipped;
pub mod include_cycle;
pub mod include_not_found;
pub mod invalid_directive_arguments;
pub mod parse_error;
pub mod plugin_error;
pub mod suppression_without_reason;
pub mod unknown_directive;
pub mod unused_suppression;
