//! `kvalitet serve`'s mail flags: without `--smtp-url` no mail is queued or sent, and the
//! start page alone shows what is due.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};

/// Notifications by e-mail.
#[derive(Debug, Default, clap::Args)]
pub struct MailArgs {
    /// SMTP-servern: smtps://värd[:port] (TLS), smtp://värd[:port] (STARTTLS, krävs) eller smtp://värd:port?tls=none (okrypterat, bara till ett relä i det egna nätet); utan den skickas ingen e-post
    #[arg(long, env = "KVALITET_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Fil med SMTP-inloggningen: användare:lösenord på en rad, eller användare och lösenord på två rader
    #[arg(long, env = "KVALITET_SMTP_CREDENTIALS_FILE")]
    pub smtp_credentials_file: Option<PathBuf>,
    /// Avsändaradressen, till exempel "Kvalitet <kvalitet@kommun.se>"
    #[arg(long, env = "KVALITET_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// När den dagliga sammanfattningen skickas, svensk tid (TT:MM)
    #[arg(long, env = "KVALITET_DIGEST_TIME", default_value = "06:00", value_parser = time_of_day)]
    pub digest_time: jiff::civil::Time,
}

fn time_of_day(text: &str) -> Result<jiff::civil::Time, String> {
    text.trim().parse().map_err(|_| format!("\"{text}\" är ingen tid; skriv till exempel 06:00"))
}

/// The mailer and schedule the flags ask for, or `None` without `--smtp-url`.
pub fn configure(
    args: &MailArgs,
    network: &kvalitet_web::Network,
) -> anyhow::Result<Option<(kvalitet_mail::Mailer, kvalitet_mail::Schedule)>> {
    let Some(url) = args.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
        if args.mail_from.is_some() || args.smtp_credentials_file.is_some() {
            bail!("--mail-from och --smtp-credentials-file gäller bara tillsammans med --smtp-url");
        }
        return Ok(None);
    };
    let url = kvalitet_mail::SmtpUrl::parse(url).map_err(|e| anyhow::anyhow!(e))?;
    let Some(from) = args.mail_from.as_deref() else { bail!("--smtp-url kräver --mail-from, avsändarens adress") };
    let Some(public_url) = network.public_url.as_deref() else {
        bail!("--smtp-url kräver --public-url: länkarna i e-posten leder dit")
    };
    let credentials = match &args.smtp_credentials_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("kan inte läsa {}", path.display()))?;
            Some(kvalitet_mail::read_credentials(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let mailer = kvalitet_mail::Mailer::new(&url, credentials, from, public_url).map_err(|e| anyhow::anyhow!(e))?;
    Ok(Some((mailer, kvalitet_mail::Schedule { digest_at: args.digest_time, every: Duration::from_secs(10) })))
}
