//! A stand-alone `measures compute` for trying the crate and for benchmarks, until the
//! `kvalitet` binary wires in [`kvalitet_measures::run_compute`].

use clap::{Parser, Subcommand};
use kvalitet_measures::{ComputeArgs, run_compute};

#[derive(Debug, Parser)]
#[command(name = "measures")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    // No doc comment here: it would replace ComputeArgs' own help texts.
    Compute(ComputeArgs),
}

fn main() -> anyhow::Result<()> {
    let Cli { command: Command::Compute(args) } = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    run_compute(&args, &mut out)?;
    Ok(())
}
