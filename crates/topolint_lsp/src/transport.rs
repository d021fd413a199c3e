//! LSP framing over standard input and output.
//!
//! `lsp-server` ships a stdio transport, but its reader stops for good at the first message
//! that is not valid JSON-RPC and allocates whatever `Content-Length` says. This one skips a
//! malformed message (logging it) and goes on with the next, caps the size of a message,
//! and stops only at end of input or after `exit`.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{unbounded, Receiver, Sender};
use lsp_server::{Connection, Message};

/// Larger messages are skipped: no editor sends a 256 MiB document.
pub(crate) const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// Serves `run` over standard input and output. Messages are written on the calling
/// thread: the `topolint` binary holds the (re-entrant) standard output lock on its main
/// thread, so a writer thread of its own would wait for it forever. The server runs on a
/// thread of its own; the reader thread is detached (it blocks on standard input, and the
/// process ends when the server does).
pub(crate) fn serve_stdio<T: Send + 'static>(
    run: impl FnOnce(Connection) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let (to_client, outgoing): (Sender<Message>, Receiver<Message>) = unbounded();
    let (incoming, from_client) = unbounded::<Message>();
    thread::Builder::new()
        .name("topolint-lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = stdin.lock();
            read_loop(&mut input, &incoming);
        })?;
    let server = thread::Builder::new()
        .name("topolint-lsp-server".into())
        .spawn(move || {
            run(Connection {
                sender: to_client,
                receiver: from_client,
            })
        })?;

    // Ends when the server drops its sender (after `exit` or end of input).
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut write_error = None;
    for message in outgoing {
        if let Err(e) = message.write(&mut out) {
            // The client is gone; the server stops at the end of its input.
            write_error = Some(e);
            break;
        }
    }
    let served = match server.join() {
        Ok(r) => r,
        Err(_) => Err(anyhow::anyhow!("the language server thread panicked")),
    };
    let served = served?;
    match write_error {
        Some(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(served),
    }
}

/// Reads messages until end of input, `exit`, or the server hanging up.
pub(crate) fn read_loop(input: &mut impl BufRead, incoming: &Sender<Message>) {
    loop {
        match read_frame(input) {
            Ok(Some(Frame::Message(message))) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if incoming.send(message).is_err() || exit {
                    return;
                }
            }
            Ok(Some(Frame::Malformed(why))) => log(&format!("skipped a message: {why}")),
            Ok(None) => return,
            Err(e) => {
                log(&format!("cannot read from the client: {e}"));
                return;
            }
        }
    }
}

#[derive(Debug)]
pub(crate) enum Frame {
    Message(Message),
    /// A frame that was read whole but is not a JSON-RPC message.
    Malformed(String),
}

/// Reads one `Content-Length`-framed message. `Ok(None)` at end of input.
pub(crate) fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    read_frame_limited(input, MAX_MESSAGE)
}

fn read_frame_limited(input: &mut impl BufRead, limit: usize) -> io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut bad_header = None;
    let mut line = Vec::new();
    let mut first = true;
    loop {
        line.clear();
        // Header lines are short; a "line" without a newline for 8 KiB is not a header.
        let n = input.by_ref().take(8192).read_until(b'\n', &mut line)?;
        if n == 0 {
            if first {
                return Ok(None);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "end of input inside a message header",
            ));
        }
        first = false;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(v) => length = Some(v),
                    Err(_) => bad_header = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some(_) => {}
            None => bad_header = Some(format!("malformed header line `{text}`")),
        }
    }
    let Some(length) = length else {
        return Ok(Some(Frame::Malformed(
            bad_header.unwrap_or_else(|| "no Content-Length header".into()),
        )));
    };
    if length > limit {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(Frame::Malformed(format!(
            "a message of {length} bytes is over the {limit} byte limit"
        ))));
    }
    let mut body = vec![0u8; length];
    input.read_exact(&mut body)?;
    if let Some(why) = bad_header {
        return Ok(Some(Frame::Malformed(why)));
    }
    Ok(Some(match serde_json::from_slice::<Message>(&body) {
        Ok(m) => Frame::Message(m),
        Err(e) => Frame::Malformed(format!("not a JSON-RPC message: {e}")),
    }))
}

/// Logs to standard error (standard output carries the protocol).
pub(crate) fn log(message: &str) {
    let _ = writeln!(io::stderr(), "topolint lsp: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn skips_malformed_messages_and_reads_on() {
        let input = [
            frame("{not json"),
            "X-Nonsense\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","resul":1}"#),
            "Content-Length: -3\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        ]
        .concat();
        let mut reader = io::Cursor::new(input.into_bytes());
        let mut next = || read_frame(&mut reader).unwrap();
        assert!(matches!(next(), Some(Frame::Malformed(m)) if m.contains("not a JSON-RPC")));
        assert!(matches!(next(), Some(Frame::Malformed(m)) if m.contains("malformed header")));
        assert!(matches!(next(), Some(Frame::Malformed(m)) if m.contains("not a JSON-RPC")));
        assert!(matches!(next(), Some(Frame::Malformed(m)) if m.contains("Content-Length")));
        match next() {
            Some(Frame::Message(Message::Notification(n))) => assert_eq!(n.method, "initialized"),
            other => panic!("expected the notification, got {other:?}"),
        }
        assert!(next().is_none());
    }

    #[test]
    fn oversized_messages_are_skipped() {
        let mut input = "Content-Length: 100\r\n\r\n".to_string();
        input.push_str(&" ".repeat(100));
        input.push_str(&frame(r#"{"jsonrpc":"2.0","method":"exit"}"#));
        let mut reader = io::Cursor::new(input.into_bytes());
        assert!(
            matches!(read_frame_limited(&mut reader, 64).unwrap(), Some(Frame::Malformed(m)) if m.contains("limit"))
        );
        assert!(matches!(
            read_frame_limited(&mut reader, 64).unwrap(),
            Some(Frame::Message(_))
        ));
    }

    #[test]
    fn read_loop_stops_after_exit() {
        let input = format!(
            "{}{}{}",
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#)
        );
        let (tx, rx) = unbounded();
        read_loop(&mut io::Cursor::new(input.into_bytes()), &tx);
        let got: Vec<String> = rx
            .try_iter()
            .map(|m| match m {
                Message::Notification(n) => n.method,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(got, ["initialized", "exit"]);
    }
}
