//! Renderers: findings (plain data) to text at the edge.

pub mod human;
pub mod json;
