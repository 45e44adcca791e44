//! Measure definitions (`measures.toml`, and an override file given with `--measures`):
//! parsing and validating; whatever is accepted merges with the defaults and computes
//! over the fixture export, for an ordinary period and one at the very start of the
//! dates the import accepts (1900), without panicking.

#![no_main]

use std::sync::OnceLock;

use jiff::civil::date;
use kvalitet_measures::{
    By, Capacity, ComputeOptions, Dataset, ImportOptions, Period, Secret, Source, Sources, compute,
    default_definitions, import, merge_definitions, parse_definitions,
};
use libfuzzer_sys::fuzz_target;

fn fixtures() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| {
        let bytes = |name: &str, data: &[u8]| Some(Source::Bytes { name: name.into(), data: data.to_vec() });
        let sources = Sources {
            arenden: bytes("arenden.csv", include_bytes!("../../crates/kvalitet-measures/tests/fixtures/arenden.csv")),
            insatser: bytes(
                "insatser.csv",
                include_bytes!("../../crates/kvalitet-measures/tests/fixtures/insatser.csv"),
            ),
            kontakter: bytes(
                "kontakter.csv",
                include_bytes!("../../crates/kvalitet-measures/tests/fixtures/kontakter.csv"),
            ),
        };
        import(&sources, &Secret::from_bytes([7; 32]), &ImportOptions::default()).unwrap()
    })
}

fuzz_target!(|text: &str| {
    let Ok(defs) = parse_definitions(text) else { return };
    for d in &defs {
        d.validate().expect("parse_definitions returned a definition that does not validate");
        d.limit().expect("a validated definition has a valid limit");
    }
    let all = merge_definitions(default_definitions(), defs);
    let capacities = vec![Capacity { unit: "Stödboendet".into(), places: 2 }];
    let periods = [
        (date(2024, 1, 1), date(2024, 3, 31), By::Month),
        (date(2023, 1, 1), date(2024, 12, 31), By::Unit),
        (date(1900, 1, 1), date(1900, 1, 5), By::None),
        (date(2200, 12, 1), date(2200, 12, 31), By::Month),
    ];
    for (from, to, by) in periods {
        let options = ComputeOptions { period: Period::new(from, to).unwrap(), by, capacities: capacities.clone() };
        let _ = compute(fixtures(), &all, &options);
    }
});
