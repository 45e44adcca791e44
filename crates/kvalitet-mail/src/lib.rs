//! Notifications by e-mail (F15): the Swedish texts (`text.rs`), the SMTP configuration
//! and transport (`config.rs`, lettre over rustls), and the jobs that deliver the outbox
//! and make the daily digests (`jobs.rs`). What is queued, and when, is decided where it
//! happens, in the store's `mail` module; without `--smtp-url` nothing is queued.

pub mod config;
pub mod jobs;
pub mod text;

pub use config::{Mailer, Security, SmtpUrl, read_credentials};
pub use jobs::{Delivered, Schedule, deliver, make_digests, round, run};
