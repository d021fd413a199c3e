#![no_main]
//! The YAML tree never panics or hangs, and its error spans stay in the text.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = topolint_yaml::parse(&text);
    for error in &file.errors {
        let (s, e) = (error.range.start as usize, error.range.end as usize);
        assert!(
            s <= e && e <= text.len(),
            "error range {s}..{e} outside {} bytes",
            text.len()
        );
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
    }
});
