//! What `nginx -t` would reject beyond syntax: a misspelt directive name and a wrong number
//! of arguments, checked against the table in [`crate::directives`].
//!
//! Conservative by design (a false positive is worse than a miss): an unknown name is
//! reported only as a near miss of a known directive (third-party modules have names we do
//! not know), arguments are checked only where the table is sure, directives inside opaque
//! blocks (`types`, `map`, Lua bodies) or inside blocks of unknown directives are not
//! checked, and a directive the parser already reported as unterminated is left alone.

use crate::directives;
use crate::{Config, Directive, TextRange};

/// Which problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A near miss of a known directive; carries the directive it probably means.
    UnknownDirective { suggestion: &'static str },
    /// A known directive with a number of arguments nginx does not accept.
    InvalidArguments,
}

/// One problem, located at the directive name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectiveProblem {
    pub kind: ProblemKind,
    pub range: TextRange,
    pub message: String,
    pub help: String,
}

/// Checks every directive of `config` that sits in nginx contexts only.
pub fn check(config: &Config) -> Vec<DirectiveProblem> {
    let mut out = Vec::new();
    // Iterative walk (blocks may nest deeply).
    let mut stack: Vec<&[Directive]> = vec![&config.directives];
    while let Some(level) = stack.pop() {
        for d in level {
            match directives::lookup(&d.name) {
                Some(_) => {
                    if d.terminated {
                        if let Some(message) =
                            directives::check_args(&d.name, d.args.len(), d.block.is_some())
                        {
                            out.push(DirectiveProblem {
                                kind: ProblemKind::InvalidArguments,
                                range: d.name_range,
                                help: format!(
                                    "nginx refuses to start: invalid number of arguments in \"{}\" directive; see the directive's syntax in the nginx documentation",
                                    d.name
                                ),
                                message,
                            });
                        }
                    }
                    if !directives::has_opaque_block(&d.name) {
                        if let Some(block) = &d.block {
                            stack.push(&block.children);
                        }
                    }
                }
                None => {
                    if let Some(suggestion) = directives::suggest(&d.name) {
                        out.push(DirectiveProblem {
                            kind: ProblemKind::UnknownDirective { suggestion },
                            range: d.name_range,
                            message: format!("unknown directive `{}`", d.name),
                            help: format!(
                                "did you mean `{suggestion}`? nginx refuses to start: unknown directive \"{}\"",
                                d.name
                            ),
                        });
                    }
                    // The contents of an unknown block follow rules we do not know.
                }
            }
        }
    }
    out.sort_by_key(|p| p.range);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(ProblemKind, String)> {
        check(&crate::parse(text))
            .into_iter()
            .map(|p| (p.kind, text[p.range.as_usize()].to_string()))
            .collect()
    }

    #[test]
    fn misspelt_directive_is_a_near_miss() {
        let text = "events {}\nhttp {\n  server {\n    location / {\n      proxy_passs http://foo.bar;\n    }\n  }\n}\n";
        assert_eq!(
            problems(text),
            vec![(
                ProblemKind::UnknownDirective {
                    suggestion: "proxy_pass"
                },
                "proxy_passs".into()
            )]
        );
    }

    #[test]
    fn third_party_and_opaque_contents_are_not_checked() {
        let text = "http {\n  more_set_headers 'X: y';\n  types { text/html html; }\n  map $a $b { default 0; ~^x 1; }\n  rtmp_like { allow publish 127.0.0.1; listn 1; }\n  content_by_lua_block { ngx.say('x') }\n}\n";
        assert!(problems(text).is_empty(), "{:?}", problems(text));
    }

    #[test]
    fn wrong_argument_counts() {
        assert_eq!(
            problems("user;\nevents {}\n"),
            vec![(ProblemKind::InvalidArguments, "user".into())]
        );
        assert!(problems("user nginx nginx;\nworker_processes auto;\n").is_empty());
        assert_eq!(
            problems("http { gzip on off; }"),
            vec![(ProblemKind::InvalidArguments, "gzip".into())]
        );
        // upstream `server` takes an address; http `server` takes a block
        assert!(
            problems("http { upstream a { server b:80 max_fails=3; } server { listen 80; } }")
                .is_empty()
        );
        // unterminated directives were already reported by the parser
        assert!(problems("http { user }").is_empty());
    }
}
