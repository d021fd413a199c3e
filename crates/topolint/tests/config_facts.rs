//! Facts from topolint.toml reach the model: an nginx placement the files cannot show, and a
//! load balancer's idle timeout in front of every request path.

mod common;

use common::{findings, run};

#[test]
fn declared_placement_and_load_balancer_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("compose.yaml"), "services:\n  proxy:\n    image: nginx:1.27\n  web:\n    image: node:22\n    expose: [\"3000\"]\n").unwrap();
    std::fs::write(
        root.join("nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_read_timeout 120s;\n            proxy_pass http://localhost:3000;\n        }\n    }\n}\n",
    )
    .unwrap();
    // Without the facts: nginx is not known to run in a container, so nothing is said.
    let out = run(&["check", "--format", "json", "."], root);
    let f = findings(&out.json());
    assert!(
        !f.iter()
            .any(|x| x.0 == "localhost-upstream-in-container" || x.0 == "timeout-misaligned"),
        "{f:?}"
    );

    std::fs::write(
        root.join("topolint.toml"),
        "[[nginx]]\nconfig = \"nginx.conf\"\nruns-in = \"compose:proxy\"\n\n[[load-balancer]]\nname = \"alb\"\nidle-timeout = \"60s\"\n",
    )
    .unwrap();
    let out = run(&["check", "--format", "json", "."], root);
    let f = findings(&out.json());
    assert!(
        f.contains(&(
            "localhost-upstream-in-container".to_string(),
            "nginx.conf".to_string(),
            7
        )),
        "{f:?}"
    );
    assert!(
        f.contains(&(
            "timeout-misaligned".to_string(),
            "nginx.conf".to_string(),
            6
        )),
        "{f:?}"
    );
}
