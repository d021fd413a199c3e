//! The topology model: ONE graph over nginx, docker compose and Kubernetes/Istio.
//!
//! [`link`] lowers the loaded files through typed views ([`compose`], [`k8s`] — which also
//! covers Istio —, [`nginx`]) into [`Topology`]: workloads and their containers (with the
//! listeners topolint can infer from command lines), services with every name a caller can
//! use, proxies (each nginx with its upstreams and `*_pass` targets and the timeouts in force
//! there), routes and mesh policies, and the edges caller -> host:port -> service ->
//! workload:containerPort, each resolved or not with a reason. Every entity and edge keeps
//! the spans that prove it. The serialized topology is a versioned public document
//! (docs/model.md): rules, `topolint graph` and WASM plugins all read the same thing.

mod compact;
pub mod compose;
mod ctx;
pub mod duration;
pub mod k8s;
mod link;
mod map;
pub mod model;
pub mod nginx;
pub mod servers;
mod str;
#[cfg(test)]
mod test_support;

pub use link::{
    clear_parse_memo, is_loopback, link, LinkOptions, LinkOutput, Linker, LowerKubernetes,
};
pub use map::StrMap;
pub use model::*;
