//! Renderers: findings (plain data) to text at the edge.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;
