//! The mail configuration of `kvalitet serve`: where to send (`--smtp-url`), how
//! (implicit TLS, STARTTLS, or plain only when asked for), with which credentials (from a
//! file), from which address, and when the daily digest goes out.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte (port 465 unless given).
    Tls,
    /// `smtp://`: STARTTLS, required (port 587 unless given); nothing is sent unencrypted.
    StartTls,
    /// `smtp://…?tls=none`: no encryption, for a relay on the same host or network only.
    None,
}

/// Where mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

impl SmtpUrl {
    /// `smtps://host[:port]`, `smtp://host[:port]` (STARTTLS) or
    /// `smtp://host[:port]?tls=none`; credentials never in the URL (they go in a file).
    pub fn parse(url: &str) -> Result<SmtpUrl, String> {
        let bad = || {
            format!(
                "--smtp-url ska vara smtps://värd[:port] (TLS), smtp://värd[:port] (STARTTLS) \
                 eller smtp://värd:port?tls=none (okrypterat), inte \"{}\"",
                url.split('@').next_back().unwrap_or(url)
            )
        };
        let (scheme, rest) = url.trim().split_once("://").ok_or_else(bad)?;
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let authority = authority.trim_end_matches('/');
        if authority.contains('@') {
            return Err(
                "--smtp-url ska inte innehålla användarnamn eller lösenord; lägg dem i --smtp-credentials-file".into(),
            );
        }
        let security = match (scheme.to_ascii_lowercase().as_str(), query) {
            ("smtps", None) => Security::Tls,
            ("smtp", None | Some("tls=starttls")) => Security::StartTls,
            ("smtp", Some("tls=none")) => Security::None,
            _ => return Err(bad()),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
                (h.to_owned(), p.parse::<u16>().map_err(|_| bad())?)
            }
            _ => (authority.to_owned(), 0),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        if host.is_empty() || host.contains(['/', ' ']) {
            return Err(bad());
        }
        let port = match (port, security) {
            (0, Security::Tls) => 465,
            (0, Security::StartTls) => 587,
            (0, Security::None) => 25,
            (p, _) => p,
        };
        Ok(SmtpUrl { host, port, security })
    }
}

/// Reads SMTP credentials from a file's text: `användare:lösenord` on one line, or the
/// user on the first line and the password on the second.
pub fn read_credentials(text: &str) -> Result<Credentials, String> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.is_empty()).collect();
    let pair = match lines.as_slice() {
        [one] => one.split_once(':').map(|(u, p)| (u.trim().to_owned(), p.to_owned())),
        [user, password] => Some((user.trim().to_owned(), (*password).to_owned())),
        _ => None,
    };
    match pair {
        Some((user, password)) if !user.is_empty() && !password.is_empty() => Ok(Credentials::new(user, password)),
        _ => Err("filen med SMTP-inloggningen ska innehålla användare:lösenord på en rad, \
                  eller användaren på första raden och lösenordet på andra"
            .to_owned()),
    }
}

/// Everything needed to send: the server, the sender and the installation's address
/// for links.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub from: Mailbox,
    /// The public URL, without a trailing slash: links in mails start with it.
    pub public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.email.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `url`, sending as `from` (an address, or `Namn <adress>`), with links
    /// to `public_url`.
    pub fn new(
        url: &SmtpUrl,
        credentials: Option<Credentials>,
        from: &str,
        public_url: &str,
    ) -> Result<Mailer, String> {
        let from: Mailbox = from.trim().parse().map_err(|_| {
            format!("--mail-from ska vara en e-postadress, till exempel kvalitet@kommun.se, inte \"{from}\"")
        })?;
        let tls = |host: &str| {
            lettre::transport::smtp::client::TlsParameters::new(host.to_owned())
                .map_err(|e| format!("TLS kan inte ställas in för {host}: {e}"))
        };
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(url.host.clone()).port(url.port);
        let builder = match url.security {
            Security::Tls => builder.tls(lettre::transport::smtp::client::Tls::Wrapper(tls(&url.host)?)),
            Security::StartTls => builder.tls(lettre::transport::smtp::client::Tls::Required(tls(&url.host)?)),
            Security::None => builder,
        };
        let builder = builder.timeout(Some(Duration::from_secs(30)));
        let builder = match credentials {
            Some(c) => builder.credentials(c),
            None => builder,
        };
        Ok(Mailer { transport: builder.build(), from, public_url: public_url.trim_end_matches('/').to_owned() })
    }

    pub(crate) fn transport(&self) -> &AsyncSmtpTransport<Tokio1Executor> {
        &self.transport
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_protection_and_default_ports() {
        let u = SmtpUrl::parse("smtps://smtp.kommun.se").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.security), ("smtp.kommun.se", 465, Security::Tls));
        let u = SmtpUrl::parse("smtp://smtp.kommun.se").unwrap();
        assert_eq!((u.port, u.security), (587, Security::StartTls));
        let u = SmtpUrl::parse("smtp://smtp.kommun.se:2525?tls=starttls").unwrap();
        assert_eq!((u.port, u.security), (2525, Security::StartTls));
        let u = SmtpUrl::parse("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.security), ("127.0.0.1", 2525, Security::None));
        let u = SmtpUrl::parse("smtp://[::1]:25?tls=none").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 25));
        for bad in ["http://x", "smtp://", "smtp://x:port", "smtp://x?tls=maybe", "smtps://x?tls=none", "x"] {
            assert!(SmtpUrl::parse(bad).unwrap_err().contains("--smtp-url"), "{bad}");
        }
        let e = SmtpUrl::parse("smtp://user:hemligt@x").unwrap_err();
        assert!(!e.contains("hemligt") && e.contains("--smtp-credentials-file"), "{e}");
    }

    #[test]
    fn credentials_come_on_one_line_or_two() {
        assert!(read_credentials("kvalitet:ett lösenord\n").is_ok());
        assert!(read_credentials("kvalitet\nett:lösenord\n").is_ok());
        for bad in ["", "bara-en-rad", ":lösen", "a\nb\nc"] {
            assert!(read_credentials(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_sender_must_be_an_address() {
        let url = SmtpUrl::parse("smtp://127.0.0.1:25?tls=none").unwrap();
        assert!(Mailer::new(&url, None, "Kvalitet <kvalitet@kommun.se>", "https://k.se/").is_ok());
        assert!(Mailer::new(&url, None, "kvalitet", "https://k.se").unwrap_err().contains("--mail-from"));
    }
}
