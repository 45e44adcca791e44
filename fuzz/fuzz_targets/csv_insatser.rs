//! The insatser table as CSV bytes: encoding and delimiter detection, header matching, every
//! cell's validation, pseudonymisation; then computing and writing CSV from what was
//! accepted. Invariants in `common`.

#![no_main]

mod common;

use kvalitet_measures::format::Table;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::fuzz_csv(Table::Insatser, data));
