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
