//! Loading, classification and include resolution on in-memory and real trees.

use std::path::{Path, PathBuf};

use topolint_workspace::{
    load, Content, FileKind, Input, LoadOptions, MemoryFs, RealFs, Workspace,
};

fn mem(files: &[(&str, &str)]) -> MemoryFs {
    let mut fs = MemoryFs::new();
    for (p, t) in files {
        fs.insert(*p, t.as_bytes().to_vec());
    }
    fs
}

fn load_mem(fs: &MemoryFs, root: &str) -> Workspace {
    let options = LoadOptions {
        base_dir: Some(PathBuf::from(root)),
        ..LoadOptions::default()
    };
    load(&[Input::Path(PathBuf::from(root))], &options, fs).unwrap()
}

fn rules(ws: &Workspace) -> Vec<(String, String, u32)> {
    ws.diagnostics
        .iter()
        .map(|d| {
            let f = ws.sources.file(d.primary.file);
            (
                d.rule.to_string(),
                f.display.clone(),
                f.line_col(d.primary.range.start).line,
            )
        })
        .collect()
}

fn includes(ws: &Workspace) -> Vec<(String, String)> {
    let name = |id| ws.sources.file(id).display.clone();
    ws.includes
        .iter()
        .map(|e| (name(e.from), name(e.to)))
        .collect()
}

#[test]
fn relative_includes_resolve_from_the_main_config_directory() {
    let fs = mem(&[
        (
            "/p/nginx.conf",
            "events {}\nhttp {\n  include conf.d/*.conf;\n  include mime.types;\n}\n",
        ),
        ("/p/mime.types", "types { text/html html; }\n"),
        (
            "/p/conf.d/a.conf",
            "server {\n  include snippets/common.conf;\n}\n",
        ),
        // relative to the prefix /p, not to /p/conf.d
        ("/p/snippets/common.conf", "add_header X-A 1;\n"),
        ("/p/conf.d/.hidden.conf", "server { listen 1; }\n"),
    ]);
    let ws = load_mem(&fs, "/p");
    assert!(rules(&ws).is_empty(), "{:?}", rules(&ws));
    let inc = includes(&ws);
    assert!(
        inc.contains(&("nginx.conf".into(), "conf.d/a.conf".into())),
        "{inc:?}"
    );
    assert!(
        inc.contains(&("nginx.conf".into(), "mime.types".into())),
        "{inc:?}"
    );
    assert!(
        inc.contains(&("conf.d/a.conf".into(), "snippets/common.conf".into())),
        "{inc:?}"
    );
    // glob(3) does not match a leading dot with `*`
    assert!(!inc.iter().any(|(_, to)| to.contains("hidden")), "{inc:?}");
}

#[test]
fn missing_include_is_reported_at_the_include_line_and_globs_may_match_nothing() {
    let fs = mem(&[(
        "/p/nginx.conf",
        "events {}\nhttp {\n  include sites-enabled/*;\n  include h5bp/basic.conf;\n  include /etc/nginx/mime.types;\n  include /usr/share/nginx/modules/*.conf;\n}\n",
    )]);
    let ws = load_mem(&fs, "/p");
    assert_eq!(
        rules(&ws),
        vec![("include-not-found".to_string(), "nginx.conf".to_string(), 4)]
    );
    let d = &ws.diagnostics[0];
    assert_eq!(
        ws.sources.file(d.primary.file).slice(d.primary.range),
        "h5bp/basic.conf"
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("main configuration (`.`)"),
        "{:?}",
        d.help
    );
}

#[test]
fn etc_nginx_paths_map_to_the_config_tree() {
    let fs = mem(&[
        (
            "/p/nginx/nginx.conf",
            "events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n",
        ),
        ("/p/nginx/conf.d/site.conf", "server { listen 80; }\n"),
    ]);
    let ws = load_mem(&fs, "/p");
    assert_eq!(
        includes(&ws),
        vec![(
            "nginx/nginx.conf".to_string(),
            "nginx/conf.d/site.conf".to_string()
        )]
    );
}

#[test]
fn include_cycles_are_reported_once_with_the_chain() {
    let fs = mem(&[
        ("/p/nginx.conf", "events {}\nhttp {\n  include a.conf;\n}\n"),
        ("/p/a.conf", "include b.conf;\n"),
        ("/p/b.conf", "server { listen 80; }\ninclude a.conf;\n"),
    ]);
    let ws = load_mem(&fs, "/p");
    let r = rules(&ws);
    assert_eq!(
        r,
        vec![("include-cycle".to_string(), "b.conf".to_string(), 2)],
        "{r:?}"
    );
    let d = &ws.diagnostics[0];
    assert_eq!(
        d.message,
        "include cycle: `a.conf` includes `b.conf` includes `a.conf`"
    );
    assert_eq!(d.secondary.len(), 1);
    assert_eq!(ws.sources.file(d.secondary[0].file).display, "a.conf");
}

#[test]
fn self_include_is_a_cycle() {
    let fs = mem(&[("/p/nginx.conf", "events {}\ninclude nginx.conf;\n")]);
    let ws = load_mem(&fs, "/p");
    assert_eq!(
        rules(&ws),
        vec![("include-cycle".to_string(), "nginx.conf".to_string(), 2)]
    );
}

#[test]
fn orphan_snippets_search_upwards() {
    // h5bp's test/vhosts are mounted as conf.d: their includes are relative to the root.
    let fs = mem(&[
        ("/p/h5bp/basic.conf", "add_header X-A 1;\n"),
        (
            "/p/test/vhosts/site.conf",
            "server {\n  include h5bp/basic.conf;\n  include h5bp/nope.conf;\n}\n",
        ),
    ]);
    let ws = load_mem(&fs, "/p");
    assert_eq!(
        rules(&ws),
        vec![(
            "include-not-found".to_string(),
            "test/vhosts/site.conf".to_string(),
            3
        )]
    );
    assert!(includes(&ws).contains(&("test/vhosts/site.conf".into(), "h5bp/basic.conf".into())));
}

#[test]
fn classification_by_name_and_content() {
    let fs = mem(&[
        ("/p/redis/redis.conf", "bind 127.0.0.1\nport 6379\n"),
        ("/p/supervisor/app.conf", "[program:app]\ncommand=/bin/app\n"),
        ("/p/proxy/site.conf", "server { listen 80; location / { proxy_pass http://api:8080; } }\n"),
        ("/p/compose.yaml", "services:\n  api:\n    image: api\n"),
        ("/p/compose.override.yaml", "services:\n  api:\n    ports: ['8080:8080']\n"),
        ("/p/docker-compose.prod.yml", "services: {}\n"),
        ("/p/deploy/stack.yml", "services:\n  web:\n    image: x\n"),
        ("/p/k8s/all.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\n"),
        ("/p/.github/workflows/ci.yml", "on: push\njobs: {}\n"),
        ("/p/api/Dockerfile", "FROM python:3.12\nEXPOSE 8000\n"),
        ("/p/src/main.py", "print('hi')\n"),
    ]);
    let ws = load_mem(&fs, "/p");
    let kinds: Vec<(String, Option<FileKind>)> = ws
        .files
        .iter()
        .map(|f| (ws.sources.file(f.id).display.clone(), f.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("api/Dockerfile".to_string(), Some(FileKind::Dockerfile)),
            ("compose.override.yaml".to_string(), Some(FileKind::Compose)),
            ("compose.yaml".to_string(), Some(FileKind::Compose)),
            ("deploy/stack.yml".to_string(), Some(FileKind::Compose)),
            (
                "docker-compose.prod.yml".to_string(),
                Some(FileKind::Compose)
            ),
            ("k8s/all.yaml".to_string(), Some(FileKind::Kubernetes)),
            ("proxy/site.conf".to_string(), Some(FileKind::Nginx)),
        ]
    );
    // compose.yaml + its override form one project, in merge order; the others stand alone.
    let projects: Vec<Vec<String>> = ws
        .compose_projects
        .iter()
        .map(|p| {
            p.files
                .iter()
                .map(|f| ws.sources.file(*f).display.clone())
                .collect()
        })
        .collect();
    assert!(
        projects.contains(&vec![
            "compose.yaml".to_string(),
            "compose.override.yaml".to_string()
        ]),
        "{projects:?}"
    );
    assert!(projects.contains(&vec!["docker-compose.prod.yml".to_string()]));
    assert!(matches!(ws.files[5].content, Content::Yaml(_)));
}

#[test]
fn deep_kubernetes_key_is_located() {
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          ports:\n            - containerPort: 8080\n";
    let fs = mem(&[("/p/web.yaml", text)]);
    let ws = load_mem(&fs, "/p");
    let file = &ws.files[0];
    let yaml = file.yaml().unwrap();
    let doc = yaml.documents[1].root.unwrap();
    let port = yaml
        .get(doc)
        .path(&["spec", "template", "spec", "containers"])
        .and_then(|c| c.items().next())
        .and_then(|c| c.get("ports"))
        .and_then(|p| p.items().next())
        .and_then(|p| p.get("containerPort"))
        .unwrap();
    assert_eq!(port.as_i64(), Some(8080));
    let pos = ws.sources.file(file.id).line_col(port.range().start);
    assert_eq!((pos.line, pos.column), (16, 30));
}

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "../shared/corpus is missing in CI"
    );
    None
}

#[test]
fn h5bp_tree_resolves_every_include() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("h5bp-server-configs-nginx");
    let options = LoadOptions {
        base_dir: Some(root.clone()),
        ..LoadOptions::default()
    };
    let ws = load(&[Input::Path(root.clone())], &options, &RealFs).unwrap();
    assert!(ws.diagnostics.is_empty(), "{:#?}", rules(&ws));
    let inc = includes(&ws);
    for (from, to) in [
        ("nginx.conf", "h5bp/web_performance/cache_expiration.conf"),
        ("nginx.conf", "conf.d/no-ssl.default.conf"),
        ("h5bp/basic.conf", "h5bp/security/referrer-policy.conf"),
        ("h5bp/media_types/media_types.conf", "mime.types"),
        (
            "test/vhosts/secure.server.localhost.conf",
            "h5bp/tls/ssl_engine.conf",
        ),
        ("conf.d/templates/example.com.conf", "h5bp/basic.conf"),
    ] {
        assert!(
            inc.contains(&(from.to_string(), to.to_string())),
            "{from} -> {to} missing from {inc:#?}"
        );
    }
    // `conf.d/*.conf` does not match the hidden `.default.conf`
    assert!(!inc.contains(&("nginx.conf".to_string(), "conf.d/.default.conf".to_string())));
    assert_eq!(ws.nginx_roots.len(), 1);
}

/// The real file system's include globs: a wildcard in the file name reads one directory
/// (the fast path), a wildcard in a directory goes through `glob`; both sorted, both skip
/// hidden files unless the pattern names the dot, neither returns directories.
#[test]
fn real_fs_globs_match_like_glob3() {
    use topolint_workspace::{FileSystem, RealFs};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for f in [
        "conf.d/b.conf",
        "conf.d/a.conf",
        "conf.d/.hidden.conf",
        "conf.d/x.txt",
    ] {
        let p = root.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "events {}\n").unwrap();
    }
    std::fs::create_dir_all(root.join("conf.d/dir.conf")).unwrap();
    std::fs::create_dir_all(root.join("sites/one")).unwrap();
    std::fs::write(root.join("sites/one/s.conf"), "").unwrap();
    let names = |found: Vec<PathBuf>| -> Vec<String> {
        found
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    };
    assert_eq!(
        names(RealFs.glob(&root.join("conf.d/*.conf"))),
        ["conf.d/a.conf", "conf.d/b.conf"]
    );
    assert_eq!(
        names(RealFs.glob(&root.join("conf.d/.*.conf"))),
        ["conf.d/.hidden.conf"]
    );
    assert_eq!(
        names(RealFs.glob(&root.join("conf.d/?.conf"))),
        ["conf.d/a.conf", "conf.d/b.conf"]
    );
    assert!(RealFs.glob(&root.join("missing/*.conf")).is_empty());
    assert_eq!(
        names(RealFs.glob(&root.join("sites/*/s.conf"))),
        ["sites/one/s.conf"]
    );
    // Links are followed: one to a file matches, one to a directory or to nothing does not.
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(root.join("conf.d/a.conf"), root.join("conf.d/to-file.conf")).unwrap();
        symlink(
            root.join("conf.d/dir.conf"),
            root.join("conf.d/to-dir.conf"),
        )
        .unwrap();
        symlink(root.join("conf.d/gone"), root.join("conf.d/dangling.conf")).unwrap();
        assert_eq!(
            names(RealFs.glob(&root.join("conf.d/*.conf"))),
            ["conf.d/a.conf", "conf.d/b.conf", "conf.d/to-file.conf"]
        );
    }
}

/// The real file system's reads: a regular file whole, in one piece; over the limit
/// without reading it; an empty file; and a file that reports no size (procfs) read to
/// its end all the same.
#[test]
fn real_fs_reads_whole_files_within_the_limit() {
    use topolint_workspace::{FileSystem, ReadOutcome, RealFs};
    let dir = tempfile::tempdir().unwrap();
    let text: Vec<u8> = (0..200_000u32)
        .map(|i| b"abcdefgh\n"[i as usize % 9])
        .collect();
    let path = dir.path().join("big.conf");
    std::fs::write(&path, &text).unwrap();
    match RealFs.read_limited(&path, 1 << 20).unwrap() {
        ReadOutcome::Bytes(b) => assert!(b == text, "read {} of {} bytes", b.len(), text.len()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        RealFs.read_limited(&path, 199_999).unwrap(),
        ReadOutcome::TooLarge(200_000)
    ));
    assert!(matches!(
        RealFs.read_limited(&path, 200_000).unwrap(),
        ReadOutcome::Bytes(b) if b.len() == 200_000
    ));
    let empty = dir.path().join("empty.conf");
    std::fs::write(&empty, "").unwrap();
    assert!(matches!(
        RealFs.read_limited(&empty, 10).unwrap(),
        ReadOutcome::Bytes(b) if b.is_empty()
    ));
    #[cfg(target_os = "linux")]
    {
        let status = Path::new("/proc/self/status");
        assert_eq!(std::fs::metadata(status).unwrap().len(), 0);
        match RealFs.read_limited(status, 1 << 20).unwrap() {
            ReadOutcome::Bytes(b) => assert!(String::from_utf8_lossy(&b).contains("Pid:")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            RealFs.read_limited(status, 8).unwrap(),
            ReadOutcome::TooLarge(_)
        ));
    }
}

/// Files are read and parsed on the walker's threads as they are found; the workspace must
/// still be the one a sorted discovery gives: every file once (overlapping inputs, a file
/// given explicitly inside a walked directory), ids in path order, an explicit argument
/// kept explicit, and the same whatever the number of threads.
#[test]
fn walked_files_load_once_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut expected = Vec::new();
    for stack in 0..40 {
        for (name, text) in [
            (
                "k8s/svc.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
            ),
            (
                "nginx/nginx.conf",
                "events {}\nhttp { server { listen 80; } }\n",
            ),
            ("compose.yaml", "services:\n  web:\n    image: nginx\n"),
        ] {
            let rel = format!("stack-{stack:02}/{name}");
            let p = root.join(&rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            expected.push(rel);
        }
    }
    expected.sort();
    let explicit = root.join("stack-07/compose.yaml");
    let inputs = [
        Input::Path(root.to_path_buf()),
        Input::Path(root.join("stack-03")),
        Input::Path(explicit.clone()),
        Input::Path(root.to_path_buf()),
    ];
    let options = LoadOptions {
        base_dir: Some(root.to_path_buf()),
        ..LoadOptions::default()
    };
    let load_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| load(&inputs, &options, &RealFs).unwrap())
    };
    for threads in [1, 2, 4] {
        let ws = load_with(threads);
        let shown: Vec<String> = ws
            .files
            .iter()
            .map(|f| ws.sources.file(f.id).display.clone())
            .collect();
        assert_eq!(shown, expected, "{threads} thread(s)");
        for (i, f) in ws.files.iter().enumerate() {
            assert_eq!(f.id.0 as usize, i);
            let is_explicit = ws.sources.file(f.id).path == explicit;
            assert_eq!(f.explicit, is_explicit, "{}", shown[i]);
            assert!(f.kind.is_some(), "{} was not classified", shown[i]);
        }
    }
}

/// The roots' includes are resolved in parallel over the files loaded so far; a root that
/// reaches a file nobody loaded yet is visited again, in root order, loading it. Whatever
/// the number of threads, the outcome must be the one visiting the roots one after the
/// other gives: files loaded for includes get their ids in the order roots first reach
/// them, each once (then the orphan snippets' ones); every edge is there; a cycle through
/// a loaded file is reported once; the same findings whatever the thread count.
#[test]
fn roots_resolve_in_parallel_as_in_root_order() {
    let mut files: Vec<(String, String)> = vec![
        (
            "/p/shared/common.types".into(),
            "types { text/html html; }\n".into(),
        ),
        // Loaded through s01's include, and including itself.
        ("/p/s01/loop.types".into(), "include loop.types;\n".into()),
        // A snippet no root reaches; its include loads a file after every root's.
        (
            "/p/orphan/extra.conf".into(),
            "server {\n  listen 81;\n  include frag.types;\n}\n".into(),
        ),
        ("/p/orphan/frag.types".into(), "add_header X-A 1;\n".into()),
    ];
    for i in 0..40 {
        let mut conf = String::from("events {}\nhttp {\n  include conf.d/*.conf;\n");
        if i % 3 == 0 {
            conf.push_str("  include /p/shared/common.types;\n");
        }
        if i % 5 == 0 {
            conf.push_str("  include own.types;\n");
            files.push((format!("/p/s{i:02}/own.types"), "types {}\n".into()));
        }
        if i % 7 == 0 {
            conf.push_str("  include missing.conf;\n");
        }
        if i == 1 {
            conf.push_str("  include loop.types;\n");
        }
        conf.push_str("}\n");
        files.push((format!("/p/s{i:02}/nginx.conf"), conf));
        files.push((
            format!("/p/s{i:02}/conf.d/app.conf"),
            "server { listen 80; }\n".into(),
        ));
    }
    let fs = mem(&files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect::<Vec<_>>());
    // Root order: s00 reaches the shared file, then its own; s01 its loop; s05, s10, ...
    // their own; the orphan's include last.
    let mut expected_loaded = vec![
        "shared/common.types".to_string(),
        "s00/own.types".to_string(),
        "s01/loop.types".to_string(),
    ];
    expected_loaded.extend((5..40).step_by(5).map(|i| format!("s{i:02}/own.types")));
    expected_loaded.push("orphan/frag.types".to_string());
    let mut seen = Vec::new();
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let ws = pool.install(|| load_mem(&fs, "/p"));
        let loaded: Vec<String> = ws
            .files
            .iter()
            .filter(|f| f.included_only)
            .map(|f| ws.sources.file(f.id).display.clone())
            .collect();
        assert_eq!(loaded, expected_loaded, "{threads} thread(s)");
        let inc = includes(&ws);
        for i in 0..40 {
            let root = format!("s{i:02}/nginx.conf");
            assert!(inc.contains(&(root.clone(), format!("s{i:02}/conf.d/app.conf"))));
            assert_eq!(
                inc.contains(&(root.clone(), "shared/common.types".into())),
                i % 3 == 0
            );
            assert_eq!(
                inc.contains(&(root.clone(), format!("s{i:02}/own.types"))),
                i % 5 == 0
            );
        }
        let not_found: Vec<String> = rules(&ws)
            .into_iter()
            .filter(|(rule, _, _)| rule == "include-not-found")
            .map(|(_, file, _)| file)
            .collect();
        let expected_missing: Vec<String> = (0..40)
            .step_by(7)
            .map(|i| format!("s{i:02}/nginx.conf"))
            .collect();
        assert_eq!(not_found, expected_missing);
        let cycles: Vec<(String, String, u32)> = rules(&ws)
            .into_iter()
            .filter(|(rule, _, _)| rule == "include-cycle")
            .collect();
        assert_eq!(
            cycles,
            [("include-cycle".to_string(), "s01/loop.types".to_string(), 1)]
        );
        assert!(inc.contains(&("orphan/extra.conf".into(), "orphan/frag.types".into())));
        seen.push((includes(&ws), rules(&ws)));
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
}
