//! Hostile inputs: each yields a located finding or a skip note — never a panic or a hang —
//! and the findings of the other files still appear.

mod common;

use std::path::Path;

use common::{findings, run, run_with};

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn billion_laughs() -> String {
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        s.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    s.push_str("data:\n  x: *i\n");
    s
}

#[test]
fn hostile_inputs_are_located_and_never_hide_other_findings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A healthy stack whose one finding must survive everything below.
    write(
        root,
        "good/nginx.conf",
        "events {}\nhttp {\n    include missing/site.conf;\n}\n",
    );
    write(
        root,
        "good/deploy.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n",
    );

    write(root, "truncated.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template: {spec: {containers: [{name: web, image: \"nginx");
    write(root, "bomb.yaml", billion_laughs());
    write(
        root,
        "tabs.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n\tname: tabbed\n",
    );
    write(
        root,
        "braces/nginx.conf",
        "events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n}\n",
    );
    write(
        root,
        "quote/nginx.conf",
        "events {}\nhttp {\n    server {\n        return 200 \"unterminated;\n    }\n}\n",
    );
    let mut binary = b"\x7fELF\x02\x01\x01\x00".to_vec();
    binary.extend((0..4096u32).map(|i| (i % 251) as u8));
    write(root, "conf.d/binary.conf", &binary);
    write(
        root,
        "latin1/nginx.conf",
        b"events {}\n# caf\xe9 cr\xe8me\nhttp {\n    server { listen 80 }\n}\n",
    );
    write(
        root,
        "cycle/nginx.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
    );
    write(root, "cycle/conf.d/a.conf", "include conf.d/b.conf;\n");
    write(
        root,
        "cycle/conf.d/b.conf",
        "include conf.d/a.conf;\nserver { listen 81; }\n",
    );
    write(root, "empty/nginx.conf", "");
    write(root, "empty/compose.yaml", "");
    // 100 MB, sparse: never read whole
    let big = std::fs::File::create(root.join("big.yaml")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    drop(big);
    #[cfg(unix)]
    {
        std::fs::create_dir_all(root.join("loop")).unwrap();
        std::os::unix::fs::symlink("..", root.join("loop/parent")).unwrap();
    }

    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = run_with(
            &["check", ".", "--format", "json"],
            root,
            None,
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert_eq!(out.code, 1, "{}", out.stderr);
        outputs.push(out.stdout.clone());
        let doc = out.json();
        let f = findings(&doc);
        let has = |rule: &str, path: &str| f.iter().any(|(r, p, _)| r == rule && p == path);
        let line = |rule: &str, path: &str| {
            f.iter()
                .find(|(r, p, _)| r == rule && p == path)
                .map(|x| x.2)
                .unwrap_or_else(|| panic!("no {rule} in {path}: {f:#?}"))
        };

        // The healthy files' findings are all there.
        assert_eq!(line("include-not-found", "good/nginx.conf"), 3);
        assert_eq!(line("duplicate-key", "good/deploy.yaml"), 5);

        assert!(has("parse-error", "truncated.yaml"), "{f:#?}");
        assert_eq!(line("parse-error", "tabs.yaml"), 4);
        assert_eq!(line("parse-error", "braces/nginx.conf"), 7);
        assert_eq!(line("parse-error", "quote/nginx.conf"), 4);
        assert!(has("file-skipped", "conf.d/binary.conf"), "{f:#?}");
        assert_eq!(
            line("parse-error", "latin1/nginx.conf"),
            4,
            "the latin-1 file still parses up to its real error"
        );
        assert!(
            has("include-cycle", "cycle/conf.d/b.conf")
                || has("include-cycle", "cycle/conf.d/a.conf"),
            "{f:#?}"
        );
        assert!(has("file-skipped", "big.yaml"), "{f:#?}");
        #[cfg(unix)]
        assert!(has("file-skipped", "loop/parent"), "{f:#?}");
        // The alias bomb is a valid file: loaded, no finding, no blow-up.
        assert!(!f.iter().any(|(_, p, _)| p == "bomb.yaml"), "{f:#?}");
        // Empty files are fine.
        assert!(!f.iter().any(|(_, p, _)| p.starts_with("empty/")), "{f:#?}");
        // No finding is reported twice.
        let mut dedup = f.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), f.len());
    }
    assert_eq!(
        outputs[0], outputs[1],
        "output differs between 1 and 2 threads"
    );

    // The human renderer survives the same inputs.
    let out = run(&["check", "."], root);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("include-cycle"));
}

#[test]
fn binary_and_huge_stdin_are_notes_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(
        &[
            "check",
            "-",
            "--stdin-filename",
            "nginx.conf",
            "--format",
            "json",
        ],
        dir.path(),
        Some(b"\0\0\0binary"),
        &[],
    );
    let f = findings(&out.json());
    assert_eq!(f[0].0, "file-skipped");
    let big = vec![b'a'; 2048];
    let out = run_with(
        &[
            "check",
            "-",
            "--stdin-filename",
            "x.yaml",
            "--max-file-size",
            "1024",
            "--format",
            "json",
        ],
        dir.path(),
        Some(&big),
        &[],
    );
    let f = findings(&out.json());
    assert_eq!(f[0].0, "file-skipped", "{f:?}");
}

/// The second wave of hostile inputs (docs/reliability.md): extreme nesting, huge and
/// sparse files, line endings, byte order marks, include globs over thousands of files,
/// includes escaping the linted root, unreadable files. Exit code 1 (findings) throughout:
/// every one of them is a located finding or a skip note, never exit code 2 or a crash.
#[test]
fn extreme_inputs_are_located_or_skipped_and_never_hide_other_findings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "good/deploy.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n",
    );
    // 10,000 levels of flow nesting, and 2,000 levels of block mappings.
    let flow = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    write(root, "deep/flow.yaml", flow);
    let mut block =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n");
    for i in 1..=2_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    write(root, "deep/block.yaml", block);
    // 100 MB on one line (real bytes, not sparse) and a 1 GB sparse file: both over the
    // 16 MiB limit, skipped without being read whole.
    write(root, "huge/line.conf", vec![b'a'; 100 * 1024 * 1024]);
    let sparse = std::fs::File::create(root.join("huge/sparse.yaml")).unwrap();
    sparse.set_len(1 << 30).unwrap();
    drop(sparse);
    // BOM + CRLF/mixed line endings: line numbers stay right.
    write(
        root,
        "crlf/compose.yaml",
        b"\xef\xbb\xbfservices:\r\n  a:\n    image: x\r\n    image: y\r\n",
    );
    write(
        root,
        "crlf/nginx.conf",
        "events {}\r\nhttp {\n    include missing.conf;\r\n}\r\n",
    );
    // An include glob matching 3,000 files.
    write(
        root,
        "many/nginx.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
    );
    for i in 0..3_000 {
        write(
            root,
            &format!("many/conf.d/site{i:04}.conf"),
            format!(
                "server {{\n    listen {};\n    return 204;\n}}\n",
                10_000 + i
            ),
        );
    }
    // Includes that leave the linted root: never followed.
    write(
        root,
        "escape/nginx.conf",
        "events {}\nhttp {\n    include ../../../../../../../../etc/*;\n    include ../../../../../../../../etc/passwd;\n    include /etc/passwd;\n}\n",
    );
    // Unreadable (only meaningful when not running as root).
    write(root, "secret/nginx.conf", "events {}\n");
    let unreadable_checked = {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let p = root.join("secret/nginx.conf");
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
            // Root reads it anyway: that case cannot be checked here (CI runs as root).
            std::fs::read(&p).is_err()
        }
        #[cfg(not(unix))]
        false
    };

    let out = run_with(&["check", ".", "--format", "json"], root, None, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let f = findings(&out.json());
    let has = |rule: &str, path: &str| f.iter().any(|(r, p, _)| r == rule && p == path);
    let line = |rule: &str, path: &str| {
        f.iter()
            .find(|(r, p, _)| r == rule && p == path)
            .map(|x| x.2)
            .unwrap_or_else(|| panic!("no {rule} in {path}: {f:#?}"))
    };
    assert_eq!(line("duplicate-key", "good/deploy.yaml"), 5);
    assert_eq!(line("parse-error", "deep/flow.yaml"), 5);
    assert!(has("parse-error", "deep/block.yaml"), "{f:#?}");
    assert!(has("file-skipped", "huge/line.conf"), "{f:#?}");
    assert!(has("file-skipped", "huge/sparse.yaml"), "{f:#?}");
    assert_eq!(line("duplicate-key", "crlf/compose.yaml"), 4);
    assert_eq!(line("include-not-found", "crlf/nginx.conf"), 3);
    assert_eq!(line("file-skipped", "escape/nginx.conf"), 3);
    assert!(
        !f.iter().any(|(_, p, _)| p.contains("etc/")),
        "something outside the root was read: {f:#?}"
    );
    assert!(
        !f.iter()
            .any(|(r, p, _)| p.starts_with("many/") && r == "parse-error"),
        "{f:#?}"
    );
    if unreadable_checked {
        assert!(has("file-skipped", "secret/nginx.conf"), "{f:#?}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = root.join("secret/nginx.conf");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// A file that disappears between discovery and reading is a skip note at that file; the
/// other files are linted as usual.
#[test]
fn file_deleted_between_discovery_and_read_is_a_note() {
    use std::path::{Path, PathBuf};
    use topolint_workspace::{FileSystem, MemoryFs, ReadOutcome, WalkEntry, WalkOptions};

    struct Vanishing(MemoryFs);
    impl FileSystem for Vanishing {
        fn read_limited(&self, path: &Path, limit: u64) -> std::io::Result<ReadOutcome> {
            if path.ends_with("gone.yaml") {
                return Err(std::io::Error::from(std::io::ErrorKind::NotFound));
            }
            self.0.read_limited(path, limit)
        }
        fn is_file(&self, path: &Path) -> bool {
            self.0.is_file(path)
        }
        fn is_dir(&self, path: &Path) -> bool {
            self.0.is_dir(path)
        }
        fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
            self.0.glob(pattern)
        }
        fn walk(&self, root: &Path, options: WalkOptions) -> Vec<WalkEntry> {
            self.0.walk(root, options)
        }
    }
    let mut fs = MemoryFs::new();
    fs.insert(
        "/p/gone.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n",
    );
    fs.insert(
        "/p/dup.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n",
    );
    let fs = Vanishing(fs);
    let ws = topolint_workspace::load(
        &[topolint_workspace::Input::Path(PathBuf::from("/p"))],
        &Default::default(),
        &fs,
    )
    .unwrap();
    let out = topolint_linter::lint(&ws, &Default::default());
    let at = |rule: &str, name: &str| {
        out.iter().any(|d| {
            d.rule == rule
                && ws
                    .sources
                    .get(d.primary.file)
                    .is_some_and(|s| s.path.ends_with(name))
        })
    };
    assert!(at("file-skipped", "gone.yaml"), "{out:#?}");
    assert!(at("duplicate-key", "dup.yaml"), "{out:#?}");
}
