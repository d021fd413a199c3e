//! Built-in rules (filled in below).
