//! Compose files grouped the way `docker compose` picks them up in a directory: the first of
//! `compose.yaml`, `compose.yml`, `docker-compose.yaml`, `docker-compose.yml` is the base,
//! and `<base-stem>.override.{yaml,yml}` beside it is merged on top. Other compose files
//! (`docker-compose.prod.yml`, used with `-f`) stand alone.

use std::collections::BTreeMap;
use std::path::PathBuf;

use topolint_diagnostics::FileId;

use crate::classify::FileKind;
use crate::load::Workspace;

/// One compose project: its files in merge order (base first, then overrides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeProject {
    pub dir: PathBuf,
    pub files: Vec<FileId>,
}

const BASES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

fn override_names(base: &str) -> [String; 2] {
    let stem = base.trim_end_matches(".yaml").trim_end_matches(".yml");
    [
        format!("{stem}.override.yaml"),
        format!("{stem}.override.yml"),
    ]
}

pub(crate) fn group(ws: &Workspace) -> Vec<ComposeProject> {
    // dir -> file name -> id
    let mut dirs: BTreeMap<PathBuf, BTreeMap<String, FileId>> = BTreeMap::new();
    for f in ws
        .files
        .iter()
        .filter(|f| f.kind == Some(FileKind::Compose))
    {
        let path = &ws.sources.file(f.id).path;
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        dirs.entry(dir).or_default().insert(name, f.id);
    }
    let mut out = Vec::new();
    for (dir, mut names) in dirs {
        if let Some(base) = BASES.iter().find(|b| names.contains_key(**b)) {
            let mut files = vec![names[*base]];
            for o in override_names(base) {
                if let Some(id) = names.remove(&o) {
                    files.push(id);
                }
            }
            names.remove(*base);
            out.push(ComposeProject {
                dir: dir.clone(),
                files,
            });
        }
        for (_, id) in names {
            out.push(ComposeProject {
                dir: dir.clone(),
                files: vec![id],
            });
        }
    }
    out
}
