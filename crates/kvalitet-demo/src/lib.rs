//! The seed municipality as demo data: the four seed documents as TOML files (in
//! `demo/` at the repository root, embedded in the binary) and the loader that puts
//! them into a store.

mod load;
mod remove;
pub mod schema;

pub use load::{LoadSummary, load, load_files};
pub use remove::{Removed, remove};

/// A demo data file: its name and its text.
#[derive(Debug, Clone, Copy)]
pub struct DemoFile {
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! demo_file {
    ($name:literal) => {
        DemoFile { name: $name, text: include_str!(concat!("../../../demo/", $name)) }
    };
}

/// The organisation file, loaded first.
pub const ORGANISATION: DemoFile = demo_file!("organisation.toml");

/// One file per seed document, in loading order.
pub const SEEDS: &[DemoFile] = &[
    demo_file!("000-kvalitetsplan-2024-ifo.toml"),
    demo_file!("001-kvalitetsplan-2022-barn-och-unga.toml"),
    demo_file!("002-kvalitetsberattelse-2022-vuxna.toml"),
    demo_file!("004-uppfoljning-kvalitetsplan-2022-vuxna.toml"),
];
