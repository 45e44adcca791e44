//! The demo data files' parse step: `organisation.toml` and a seed file as the loader
//! reads them (`toml` into `kvalitet-demo`'s schema), compiled in by path so that the
//! target does not build the store and sqlx. Must never panic, and a refused file's error
//! is a message. (What is accepted is validated record by record when the loader stores
//! it; that is covered by kvalitet-demo's tests.)

#![no_main]

#[allow(dead_code)]
#[path = "../../crates/kvalitet-demo/src/schema.rs"]
mod schema;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match toml::from_str::<schema::Organisation>(text) {
        Ok(org) => {
            let _ = format!("{org:?}");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    match toml::from_str::<schema::SeedFile>(text) {
        Ok(seed) => {
            let _ = format!("{seed:?}");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
