#![no_main]
//! The whole check (load from memory, classify, parse, includes, link, rules) on a
//! multi-file project cut from one input at `\n%%\n`: no panic, every span located, and
//! `run_releasing` (the one-shot run that drops trees) finds exactly what `run` finds.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    topolint_fuzz::check_project(data);
});
