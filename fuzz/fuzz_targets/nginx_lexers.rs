#![no_main]
//! Differential: the hand-written nginx scanner the parser runs must split every text into
//! exactly the tokens the pest grammar (`grammars/nginx.pest`, the specification) gives,
//! from the start and from every line start.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(diff) = topolint_nginx::lexers_agree(&text) {
        panic!("{diff}");
    }
});
