//! `kvalitet`: the one binary. Parses the command line and hands over to the library
//! crates; every command's work lives there, so the CLI, the server and the tests share
//! one path.

mod case_data;
mod cli;
mod commands;
mod keys;
mod kolada;
mod logging;
mod mail;
mod plan_file;
mod serve;
mod sso;
mod tokens;
mod users;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fel: kunde inte starta: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fel: {e:#}");
            ExitCode::FAILURE
        }
    }
}
