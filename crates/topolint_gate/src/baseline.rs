//! Fingerprints and baselines.
//!
//! A finding's fingerprint hashes what it is about, not where it sits: the rule id, the
//! file's project path, the text of the primary span and the path and text of each piece of
//! evidence (whitespace runs collapsed). Inserting lines above a finding, or re-indenting
//! it, keeps its fingerprint; editing the offending text changes it. Identical findings
//! (same rule, same text, same file) share a fingerprint, so a baseline counts them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use topolint_diagnostics::{Diagnostic, FileId, TextRange};
use topolint_workspace::Workspace;

use crate::ProjectPaths;

/// Version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// The stable identity of a finding (32 hexadecimal digits).
pub fn fingerprint(ws: &Workspace, paths: &ProjectPaths, d: &Diagnostic) -> String {
    let mut h = Sha256::new();
    h.update(b"topolint-fingerprint-v1\0");
    h.update(d.rule.as_bytes());
    let mut piece = |file: FileId, range: TextRange| {
        h.update([0]);
        h.update(paths.key(file).as_bytes());
        h.update([0]);
        let text = ws.sources.get(file).map_or("", |f| f.slice(range));
        h.update(collapse_whitespace(text).as_bytes());
    };
    piece(d.primary.file, d.primary.range);
    let mut evidence: Vec<(&str, String)> = d
        .secondary
        .iter()
        .map(|l| {
            let text = ws.sources.get(l.file).map_or("", |f| f.slice(l.range));
            (paths.key(l.file), collapse_whitespace(text))
        })
        .collect();
    evidence.sort();
    for (path, text) in evidence {
        h.update([1]);
        h.update(path.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Fingerprints of `findings` (in order) with the occurrence number of each among the
/// findings that share it (`0` for the first), for SARIF's `partialFingerprints`.
pub fn fingerprints(
    ws: &Workspace,
    paths: &ProjectPaths,
    findings: &[Diagnostic],
) -> Vec<(String, u32)> {
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    findings
        .iter()
        .map(|d| {
            let fp = fingerprint(ws, paths, d);
            let n = seen.entry(fp.clone()).or_insert(0);
            let occurrence = *n;
            *n += 1;
            (fp, occurrence)
        })
        .collect()
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A recorded set of findings (`--write-baseline`); `--baseline` reports only findings
/// beyond it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    /// Sorted by path, rule, fingerprint.
    pub findings: Vec<BaselineEntry>,
}

/// One fingerprint with how many findings had it. `rule`, `path` and `message` are for
/// people reading the file; only `fingerprint` and `count` are matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub count: u32,
    pub rule: String,
    pub path: String,
    pub message: String,
}

/// A baseline file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("the baseline is not a topolint baseline: {0}")]
    Invalid(String),
    #[error("the baseline has version {found}; this topolint reads version {BASELINE_VERSION}")]
    Version { found: u32 },
}

impl Baseline {
    /// Records `findings`.
    pub fn from_findings(ws: &Workspace, paths: &ProjectPaths, findings: &[Diagnostic]) -> Self {
        let mut by_fp: BTreeMap<(String, String, String), BaselineEntry> = BTreeMap::new();
        for d in findings {
            let fp = fingerprint(ws, paths, d);
            let path = paths.key(d.primary.file).to_string();
            by_fp
                .entry((path.clone(), d.rule.to_string(), fp.clone()))
                .and_modify(|e| e.count += 1)
                .or_insert(BaselineEntry {
                    fingerprint: fp,
                    count: 1,
                    rule: d.rule.to_string(),
                    path,
                    message: d.message.clone(),
                });
        }
        Self {
            version: BASELINE_VERSION,
            findings: by_fp.into_values().collect(),
        }
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Self, BaselineError> {
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let v: Version =
            serde_json::from_str(text).map_err(|e| BaselineError::Invalid(e.to_string()))?;
        if v.version != BASELINE_VERSION {
            return Err(BaselineError::Version { found: v.version });
        }
        serde_json::from_str(text).map_err(|e| BaselineError::Invalid(e.to_string()))
    }

    /// The file's text: pretty JSON with a final newline, stable for a given set of
    /// findings.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Number of findings recorded.
    pub fn len(&self) -> usize {
        self.findings.iter().map(|e| e.count as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes the findings the baseline accounts for; returns how many were removed.
    /// When a fingerprint occurs more often than recorded, the later ones (in output order)
    /// are new.
    pub fn filter(
        &self,
        ws: &Workspace,
        paths: &ProjectPaths,
        findings: &mut Vec<Diagnostic>,
    ) -> usize {
        let mut budget: BTreeMap<&str, u32> = BTreeMap::new();
        for e in &self.findings {
            *budget.entry(e.fingerprint.as_str()).or_insert(0) += e.count;
        }
        let before = findings.len();
        findings.retain(|d| {
            let fp = fingerprint(ws, paths, d);
            match budget.get_mut(fp.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        before - findings.len()
    }
}
