//! A small SMTP server for the tests, in-process on a free port of 127.0.0.1: it speaks
//! enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH) to take
//! mails from lettre and keeps what it received.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One mail as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message: headers and body, as sent (dot-stuffing undone).
    pub data: String,
}

impl Received {
    /// The decoded subject (lettre encodes non-ASCII subjects as RFC 2047 words).
    pub fn subject(&self) -> String {
        let line = self.data.lines().find(|l| l.starts_with("Subject: ")).unwrap_or_default();
        let mut raw = line.trim_start_matches("Subject: ").to_owned();
        for next in self.data.lines().skip_while(|l| !l.starts_with("Subject: ")).skip(1) {
            if next.starts_with(' ') || next.starts_with('\t') {
                raw.push_str(next);
            } else {
                break;
            }
        }
        decode_words(&raw)
    }

    /// The decoded body (lettre sends plain text as quoted-printable or base64).
    pub fn body(&self) -> String {
        let (head, body) = self.data.split_once("\r\n\r\n").unwrap_or(("", &self.data));
        let head = head.to_ascii_lowercase();
        if head.contains("content-transfer-encoding: base64") {
            String::from_utf8(base64(&body.replace("\r\n", ""))).unwrap()
        } else if head.contains("content-transfer-encoding: quoted-printable") {
            String::from_utf8(quoted_printable(body)).unwrap()
        } else {
            body.to_owned()
        }
        .replace("\r\n", "\n")
    }
}

/// The sink: its address and what it has received.
#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    pub async fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let store = received.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read);
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let (mut from, mut to) = (String::new(), Vec::new());
                    loop {
                        let mut line = String::new();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
                            b"250 OK\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            from = address(&line);
                            to.clear();
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            to.push(address(&line));
                            b"250 OK\r\n"
                        } else if upper.starts_with("RSET") {
                            to.clear();
                            b"250 OK\r\n"
                        } else if upper.starts_with("DATA") {
                            let _ = write.write_all(b"354 go on\r\n").await;
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if lines.read_line(&mut l).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if l == ".\r\n" {
                                    break;
                                }
                                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                            }
                            store.lock().unwrap().push(Received { from: from.clone(), to: to.clone(), data });
                            b"250 queued\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"502 not implemented\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Sink { port, received }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    pub fn mails(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The mails to one address.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.mails().into_iter().filter(|m| m.to.iter().any(|t| t == address)).collect()
    }
}

fn address(line: &str) -> String {
    line.split_once('<').and_then(|(_, r)| r.split_once('>')).map(|(a, _)| a.to_owned()).unwrap_or_default()
}

fn base64(text: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let Some(v) = A.iter().position(|x| *x == c) else { continue };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=` or `=?utf-8?q?…?=`); the space
/// between two encoded words is not part of the text.
fn decode_words(raw: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for (i, part) in raw.split_whitespace().enumerate() {
        let lower = part.to_ascii_lowercase();
        let decoded = if lower.starts_with("=?utf-8?b?") && part.ends_with("?=") {
            Some(String::from_utf8(base64(&part[10..part.len() - 2])).unwrap())
        } else if lower.starts_with("=?utf-8?q?") && part.ends_with("?=") {
            Some(String::from_utf8(quoted_printable(&part[10..part.len() - 2].replace('_', " "))).unwrap())
        } else {
            None
        };
        if i > 0 && !(previous_encoded && decoded.is_some()) {
            out.push(' ');
        }
        previous_encoded = decoded.is_some();
        out.push_str(decoded.as_deref().unwrap_or(part));
    }
    out
}
