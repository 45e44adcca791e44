//! The command line: subcommands and their flags, each flag also settable from the
//! environment.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kvalitet",
    version,
    about = "Ledningssystem för systematiskt kvalitetsarbete i socialtjänsten"
)]
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
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Läser in demodata i en tom databas
    Load,
}
