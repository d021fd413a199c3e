//! Output is byte-identical across runs and thread counts.

mod common;

use common::{corpus, repo, run_with};

#[test]
fn json_is_byte_identical_across_runs_and_threads() {
    let mut targets = vec![repo().join("examples").to_string_lossy().into_owned()];
    if let Some(c) = corpus() {
        targets.push(c.to_string_lossy().into_owned());
    }
    let mut args = vec!["check", "--format", "json"];
    args.extend(targets.iter().map(String::as_str));
    let mut outputs = Vec::new();
    for threads in ["1", "2", "1", "2"] {
        let out = run_with(&args, &repo(), None, &[("RAYON_NUM_THREADS", threads)]);
        assert!(out.code <= 1, "{}", out.stderr);
        outputs.push(out.stdout);
    }
    for o in &outputs[1..] {
        assert_eq!(o, &outputs[0]);
    }
    assert!(outputs[0].len() > 1000, "suspiciously small output");
}
