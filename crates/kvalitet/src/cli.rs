//! The command line: subcommands and their flags, each flag also settable from the
//! environment.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "kvalitet", version, about = "Ledningssystem för systematiskt kvalitetsarbete i socialtjänsten")]
pub struct Cli {
    /// Databasens adress: sqlite://FIL eller postgres://… (standard: kvalitet.db i aktuell katalog)
    #[arg(long, global = true, env = "KVALITET_DATABASE_URL")]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Startar webbservern (läser in demodata i en tom databas)
    Serve {
        /// Adress och port att lyssna på
        #[arg(long, env = "KVALITET_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Läs inte in demodata i en tom databas
        #[arg(long, env = "KVALITET_NO_DEMO")]
        no_demo: bool,
    },
    /// Uppdaterar databasens schema
    Migrate,
    /// Demodata: den exempelkommun som källdokumenten beskriver
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Konton
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Granskningsloggen
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Mått ur verksamhetssystemets export (handläggningstider, verkställighet, beläggning)
    Measures {
        #[command(subcommand)]
        command: MeasuresCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum MeasuresCommand {
    // No doc comment here: the measures crate's own help (with the file format) is used.
    Compute(kvalitet_measures::ComputeArgs),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Skapar ett konto med en roll; lösenordet läses från standard in
    Add {
        /// Kontots e-postadress (används för inloggning)
        email: String,
        /// Roll: administrator, quality_developer, manager, staff eller reader
        #[arg(long)]
        role: String,
        /// Den del av organisationen rollen gäller: enhetens namn eller nummer (standard: högsta nivån)
        #[arg(long)]
        scope: Option<String>,
        /// Namnet som visas (standard: e-postadressen)
        #[arg(long)]
        name: Option<String>,
        /// Läs lösenordet från standard in (första raden)
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Kontrollerar att ingen post i granskningsloggen har ändrats eller tagits bort
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Läser in demodata i en tom databas
    Load,
}
