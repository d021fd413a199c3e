#![no_main]
//! The nginx parser never panics or hangs, and its spans stay in the text.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let config = topolint_nginx::parse(&text);
    for error in &config.errors {
        let (s, e) = (error.range.start as usize, error.range.end as usize);
        assert!(
            s <= e && e <= text.len(),
            "error range {s}..{e} outside {} bytes",
            text.len()
        );
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
    }
});
