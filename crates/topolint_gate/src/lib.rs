//! What a lint run reports, given everything the rules found.
//!
//! [`Gate::apply`] post-processes a finding list for a loaded [`Workspace`] and a
//! [`Config`]:
//!
//! 1. rule selection (`select`, `ignore`, `[per-path-ignores]`) and per-rule severities;
//! 2. inline suppressions ([`suppress`]): comments in nginx, YAML and Dockerfiles and the
//!    `topolint.io/ignore` annotation on Kubernetes objects. Suppressed findings are kept
//!    apart (SARIF reports them as suppressed); a suppression without a reason is a
//!    `suppression-without-reason` finding, one that suppresses nothing (or is malformed, or
//!    names an unknown rule) an `unused-suppression` finding;
//! 3. a baseline ([`Baseline`]): findings it accounts for are dropped.
//!
//! It knows nothing about the command line or terminals, so the LSP can run the same
//! post-processing on its overlay.

mod baseline;
mod paths;
pub mod suppress;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use topolint_config::Config;
use topolint_diagnostics::{Diagnostic, FileId, Label, Severity};
use topolint_workspace::Workspace;

pub use baseline::{
    fingerprint, fingerprints, Baseline, BaselineEntry, BaselineError, BASELINE_VERSION,
};
pub use paths::{absolute, ProjectPaths};
pub use suppress::{Scope, Suppression, SuppressionKind};

/// Rule ids of the findings this crate produces (documented in the rules crate).
pub mod ids {
    pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
    pub const SUPPRESSION_WITHOUT_REASON: &str = "suppression-without-reason";
    /// Every id above.
    pub const ALL: &[&str] = &[UNUSED_SUPPRESSION, SUPPRESSION_WITHOUT_REASON];
}

/// The settings of one post-processing run.
#[derive(Debug, Clone, Copy)]
pub struct Gate<'a> {
    pub config: &'a Config,
    /// The directory relative paths were given from (the working directory).
    pub base_dir: &'a Path,
    /// Every rule id that exists (built-in rules, loaded plugins), to report suppressions
    /// of unknown rules. Empty: do not check.
    pub known_rules: &'a [&'a str],
}

/// A finding that a suppression silenced.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    /// The (first) suppression that covers it.
    pub by: Suppression,
}

/// The result of [`Gate::apply`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What to report, sorted.
    pub findings: Vec<Diagnostic>,
    /// Silenced by an inline suppression, sorted.
    pub suppressed: Vec<Suppressed>,
    /// How many findings the baseline accounted for.
    pub baselined: usize,
    pub paths: ProjectPaths,
}

impl Gate<'_> {
    /// Whether `rule` runs on a file at `path` (relative to the project root).
    pub fn enabled(&self, rule: &str, path: Option<&str>) -> bool {
        let c = self.config;
        if let Some(select) = &c.select {
            if !select.iter().any(|r| r.id == rule) {
                return false;
            }
        }
        if c.ignore.iter().any(|r| r.id == rule) {
            return false;
        }
        if let Some(path) = path {
            if c.per_path_ignores
                .iter()
                .any(|p| p.rules.iter().any(|r| r.id == rule) && p.matches(path))
            {
                return false;
            }
        }
        true
    }

    /// The configured severity of `rule`, if the configuration sets one.
    pub fn severity(&self, rule: &str) -> Option<Severity> {
        self.config
            .severity
            .iter()
            .find(|s| s.rule.id == rule)
            .map(|s| s.severity)
    }

    /// Applies selection, severities, suppressions and the baseline to `findings`.
    pub fn apply(
        &self,
        ws: &Workspace,
        findings: Vec<Diagnostic>,
        baseline: Option<&Baseline>,
    ) -> Outcome {
        self.apply_with(ws, findings, baseline, suppress::collect(ws))
    }

    /// [`Gate::apply`] with the suppressions read beforehand ([`suppress::collect`]), for a
    /// run that drops the parse trees before the gate (`Workspace::release_trees`).
    pub fn apply_with(
        &self,
        ws: &Workspace,
        findings: Vec<Diagnostic>,
        baseline: Option<&Baseline>,
        sups: suppress::Suppressions,
    ) -> Outcome {
        // The paths of the files the findings and the suppressions point at (every finding
        // the gate makes is about one of those).
        let files = findings
            .iter()
            .flat_map(|d| {
                std::iter::once(d.primary.file)
                    .chain(d.secondary.iter().map(|l| l.file))
                    .chain(d.fix.iter().flat_map(|f| f.edits.iter().map(|e| e.file)))
            })
            .chain(sups.items.iter().map(|s| s.file))
            .chain(sups.malformed.iter().map(|m| m.file));
        let paths = ProjectPaths::for_files(ws, self.base_dir, &self.config.root, files);
        let configure = |mut d: Diagnostic| -> Option<Diagnostic> {
            if !self.enabled(&d.rule, paths.relative(d.primary.file)) {
                return None;
            }
            if let Some(s) = self.severity(&d.rule) {
                d.severity = s;
            }
            Some(d)
        };
        let mut candidates: Vec<Diagnostic> = findings.into_iter().filter_map(configure).collect();

        let mut by_file: BTreeMap<FileId, Vec<usize>> = BTreeMap::new();
        for (i, s) in sups.items.iter().enumerate() {
            by_file.entry(s.file).or_default().push(i);
        }
        // used[i][j]: rule j of suppression i matched a finding (or needs no further report).
        let mut used: Vec<Vec<bool>> = sups
            .items
            .iter()
            .map(|s| vec![false; s.rules.len()])
            .collect();

        // Findings about the suppressions themselves that do not depend on matching.
        for m in &sups.malformed {
            candidates.extend(configure(malformed(m)));
        }
        for (i, s) in sups.items.iter().enumerate() {
            if s.reason.is_none() {
                candidates.extend(configure(without_reason(s)));
            }
            for (j, r) in s.rules.iter().enumerate() {
                if !self.known_rules.is_empty() && !self.known_rules.contains(&r.id.as_str()) {
                    used[i][j] = true;
                    candidates.extend(configure(unknown_rule(s, r, self.known_rules)));
                }
            }
        }

        let mut suppressed = Vec::new();
        let mut reported = Vec::new();
        let matcher = |d: Diagnostic,
                       used: &mut Vec<Vec<bool>>,
                       suppressed: &mut Vec<Suppressed>,
                       reported: &mut Vec<Diagnostic>| {
            let source = ws.sources.get(d.primary.file);
            let mut first: Option<usize> = None;
            if let (Some(source), Some(list)) = (source, by_file.get(&d.primary.file)) {
                for &i in list {
                    let s = &sups.items[i];
                    if !s.covers(source, d.primary.file, d.primary.range.start) {
                        continue;
                    }
                    for (j, r) in s.rules.iter().enumerate() {
                        if r.id == d.rule {
                            used[i][j] = true;
                            first.get_or_insert(i);
                        }
                    }
                }
            }
            match first {
                Some(i) => suppressed.push(Suppressed {
                    diagnostic: d,
                    by: sups.items[i].clone(),
                }),
                None => reported.push(d),
            }
        };
        for d in candidates {
            matcher(d, &mut used, &mut suppressed, &mut reported);
        }

        // Suppressions that matched nothing. Those naming `unused-suppression` itself are
        // judged after the unused findings are known.
        let unused = |used: &Vec<Vec<bool>>, meta_pass: bool| -> Vec<Diagnostic> {
            let mut out = Vec::new();
            for (i, s) in sups.items.iter().enumerate() {
                for (j, r) in s.rules.iter().enumerate() {
                    let is_meta = r.id == ids::UNUSED_SUPPRESSION;
                    if used[i][j] || is_meta != meta_pass {
                        continue;
                    }
                    // A suppression of a rule that does not run here may be needed again
                    // once it does: not reported.
                    if !self.enabled(&r.id, paths.relative(s.file)) {
                        continue;
                    }
                    out.extend(configure(unused_rule(s, r)));
                }
            }
            out
        };
        for d in unused(&used, false) {
            matcher(d, &mut used, &mut suppressed, &mut reported);
        }
        reported.extend(unused(&used, true));

        Workspace::sort_diagnostics(&ws.sources, &mut reported);
        sort_suppressed(ws, &mut suppressed);
        let baselined = match baseline {
            Some(b) => b.filter(ws, &paths, &mut reported),
            None => 0,
        };
        Outcome {
            findings: reported,
            suppressed,
            baselined,
            paths,
        }
    }
}

/// Keeps the findings that concern one of `files`: their primary span or any piece of
/// evidence is in one of them. This is how the pre-commit hook reports on the changed files
/// while linting the whole repository. `files` are resolved against `base_dir`.
pub fn retain_touching(
    findings: &mut Vec<Diagnostic>,
    paths: &ProjectPaths,
    base_dir: &Path,
    files: &[PathBuf],
) {
    let wanted: BTreeSet<PathBuf> = files.iter().map(|f| absolute(base_dir, f)).collect();
    findings.retain(|d| touches(d, paths, &wanted));
}

/// Whether the primary span or any piece of evidence of `d` is in one of `files` (absolute,
/// normalized paths: see [`absolute`]).
pub fn touches(d: &Diagnostic, paths: &ProjectPaths, files: &BTreeSet<PathBuf>) -> bool {
    let hit = |file: FileId| paths.absolute(file).is_some_and(|p| files.contains(p));
    hit(d.primary.file) || d.secondary.iter().any(|l| hit(l.file))
}

fn sort_suppressed(ws: &Workspace, suppressed: &mut Vec<Suppressed>) {
    let mut order: Vec<(String, Suppressed)> = suppressed
        .drain(..)
        .map(|s| {
            let key = format!(
                "{}\0{:010}\0{}",
                ws.sources
                    .get(s.diagnostic.primary.file)
                    .map_or("", |f| f.display.as_str()),
                s.diagnostic.primary.range.start,
                s.diagnostic.rule
            );
            (key, s)
        })
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0));
    suppressed.extend(order.into_iter().map(|(_, s)| s));
}

fn ids_list(s: &Suppression) -> String {
    s.rules
        .iter()
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn without_reason(s: &Suppression) -> Diagnostic {
    let ids = ids_list(s);
    let help = match s.kind {
        suppress::SuppressionKind::Comment => {
            format!(
                "say why after the brackets: `# topolint: ignore[{ids}] <why this is fine here>`"
            )
        }
        suppress::SuppressionKind::FileComment => format!(
            "say why after the brackets: `# topolint: ignore-file[{ids}] <why this is fine here>`"
        ),
        suppress::SuppressionKind::Annotation => format!(
            "say why after a colon: `{}: \"{ids}: <why this is fine here>\"`",
            suppress::ANNOTATION
        ),
    };
    Diagnostic::new(
        ids::SUPPRESSION_WITHOUT_REASON,
        Severity::Warning,
        format!("suppression of `{ids}` without a reason"),
        Label::new(s.file, s.range, "no reason given"),
    )
    .with_help(help)
}

fn unknown_rule(s: &Suppression, r: &suppress::SuppressedRule, known: &[&str]) -> Diagnostic {
    let help = match topolint_config::closest(&r.id, known.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? `topolint rules` lists every rule"),
        None => "`topolint rules` lists every rule".to_string(),
    };
    Diagnostic::new(
        ids::UNUSED_SUPPRESSION,
        Severity::Warning,
        format!("suppression of unknown rule `{}`", r.id),
        Label::new(s.file, r.range, "no such rule"),
    )
    .with_help(help)
}

fn unused_rule(s: &Suppression, r: &suppress::SuppressedRule) -> Diagnostic {
    let where_ = match s.scope {
        Scope::Line { trailing: true, .. } => "on this line".to_string(),
        Scope::Line { line, .. } => format!("on line {}", line + 1),
        Scope::File => "in this file".to_string(),
        Scope::Document(_) => format!("in {}", s.object.as_deref().unwrap_or("this object")),
    };
    let only = s.rules.len() == 1;
    let help = if only {
        "remove the suppression: the finding it was written for is gone".to_string()
    } else {
        format!("remove `{}` from the suppression", r.id)
    };
    Diagnostic::new(
        ids::UNUSED_SUPPRESSION,
        Severity::Warning,
        format!("unused suppression: no `{}` finding {where_}", r.id),
        Label::new(s.file, r.range, "suppresses nothing"),
    )
    .with_help(help)
}

fn malformed(m: &suppress::Malformed) -> Diagnostic {
    Diagnostic::new(
        ids::UNUSED_SUPPRESSION,
        Severity::Warning,
        format!("malformed suppression: {}", m.problem),
        Label::new(m.file, m.range, "suppresses nothing"),
    )
    .with_help(
        "write `# topolint: ignore[rule-id] reason` on the line or the line above, \
         `# topolint: ignore-file[rule-id] reason`, or the annotation \
         `topolint.io/ignore: \"rule-id: reason\"`",
    )
}
