//! Everything topolint reads, found, classified, read and parsed.
//!
//! [`load`] walks the given paths (ignore-aware, symlink loops reported, not followed
//! twice), classifies each candidate by name AND content ([`classify`]), reads it with a
//! size limit, parses it in parallel (nginx with `topolint_nginx`, YAML with
//! `topolint_yaml`), resolves nginx `include`s the way nginx does, and groups compose files
//! with their overrides. The result is a [`Workspace`]: a [`SourceMap`] with every file's
//! text, one [`LoadedFile`] per file, and the input-level findings (`parse-error`,
//! `include-not-found`, `include-cycle`, `duplicate-key`, `file-skipped`,
//! `helm-template-skipped`, and what `nginx -t` rejects beyond syntax: `unknown-directive`,
//! `invalid-directive-arguments`).
//!
//! Nothing here panics on input, and one broken file never hides another's findings.
//! File ids are assigned in sorted path order, so the output never depends on thread count.
//! All file access goes through [`FileSystem`] (real, or in memory for tests and the LSP).

pub mod classify;
mod compose;
mod fs;
mod load;
mod nginx_includes;

pub use classify::{FileKind, NameHint};
pub use compose::ComposeProject;
pub use fs::{FileSystem, MemoryFs, OverlayFs, ReadOutcome, RealFs, WalkEntry, WalkOptions};
pub use load::{
    load, load_with, Content, Input, LoadError, LoadHook, LoadOptions, LoadedFile, SkipReason,
    Workspace,
};
pub use nginx_includes::IncludeEdge;

/// Rule ids of the findings this crate produces (documented in the rules crate).
pub mod ids {
    pub const PARSE_ERROR: &str = "parse-error";
    pub const INCLUDE_NOT_FOUND: &str = "include-not-found";
    pub const INCLUDE_CYCLE: &str = "include-cycle";
    pub const DUPLICATE_KEY: &str = "duplicate-key";
    pub const FILE_SKIPPED: &str = "file-skipped";
    pub const HELM_TEMPLATE_SKIPPED: &str = "helm-template-skipped";
    pub const UNKNOWN_DIRECTIVE: &str = "unknown-directive";
    pub const INVALID_DIRECTIVE_ARGUMENTS: &str = "invalid-directive-arguments";
    /// Every id above, for the rules crate's "every emitted id is documented" test.
    pub const ALL: &[&str] = &[
        PARSE_ERROR,
        INCLUDE_NOT_FOUND,
        INCLUDE_CYCLE,
        DUPLICATE_KEY,
        FILE_SKIPPED,
        HELM_TEMPLATE_SKIPPED,
        UNKNOWN_DIRECTIVE,
        INVALID_DIRECTIVE_ARGUMENTS,
    ];
}

/// Default size limit: larger files are skipped with a note, never read whole.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;
