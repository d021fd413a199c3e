//! Prints the parse of a file: `cargo run -p topolint_nginx --example nginx_dump -- FILE`.
//! With `--count`, only parses and prints counts and the time taken.
#![allow(clippy::print_stdout)]

use topolint_nginx::{parse, LineIndex};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count_only = args.iter().any(|a| a == "--count");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")).cloned() else {
        println!("usage: nginx_dump [--count] FILE");
        return;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            println!("{path}: {e}");
            return;
        }
    };
    let started = std::time::Instant::now();
    let config = parse(&text);
    if count_only {
        println!(
            "{} bytes, {} directives, {} comments, {} errors in {:?}",
            text.len(),
            config.walk().count(),
            config.comments.len(),
            config.errors.len(),
            started.elapsed()
        );
        return;
    }
    let index = LineIndex::new(&text);
    for (d, depth) in config.walk() {
        let lc = index.line_col(&text, d.name_range.start);
        let args: Vec<String> = d.args.iter().map(|a| format!("{:?}", a.value)).collect();
        let block = match &d.block {
            Some(b) if b.raw.is_some() => " {raw}",
            Some(b) if b.close.is_none() => " {unclosed",
            Some(_) => " {}",
            None if d.terminated => ";",
            None => " (no ;)",
        };
        println!(
            "{:>4}:{:<3} {}{} {}{}",
            lc.line,
            lc.column,
            "  ".repeat(depth),
            d.name,
            args.join(" "),
            block
        );
    }
    for e in &config.errors {
        let lc = index.line_col(&text, e.range.start);
        println!("error {}:{}: {}", lc.line, lc.column, e.message);
        if let Some(h) = &e.help {
            println!("  help: {h}");
        }
    }
}
