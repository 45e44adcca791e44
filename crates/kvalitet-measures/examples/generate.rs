//! Writes synthetic `arenden.csv` and `insatser.csv` of N rows each, for benchmarks:
//! `cargo run --release --example generate -- N OUTDIR`. Deterministic (fixed seed).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use jiff::civil::{Date, date};

/// splitmix64: small, fast and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const UNITS: [&str; 8] = [
    "Barn och familj",
    "Familjeenheten",
    "Vuxenenheten",
    "Beroendeenheten",
    "Mottagningen Västerås",
    "Öppenvård Åby",
    "Socialpsykiatrin",
    "Ekonomiskt bistånd",
];
const INSATSER: [&str; 6] = ["FBI", "Balder", "Stödboendet", "Jourhemmet", "Kontaktperson", "Öppenvård"];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().context("usage: generate N OUTDIR")?.parse()?;
    let dir = PathBuf::from(args.next().context("usage: generate N OUTDIR")?);
    std::fs::create_dir_all(&dir)?;
    // Day 0 = 2022-06-01; dates as text, precomputed.
    let base: Date = date(2022, 6, 1);
    let days: Vec<String> = (0..1500).map(|d| base.saturating_add(jiff::Span::new().days(d)).to_string()).collect();
    let day = |d: u64| days[d as usize].as_str();
    let mut rng = Rng(0x5EED);

    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("arenden.csv"))?);
    writeln!(
        w,
        "case_id,person_id,unit,target_group,aktualisering,forhandsbedomning,forhandsbedomning_beslut,utredning_start,utredning_slut,forlangning"
    )?;
    for i in 0..n {
        let person = rng.below(100_000_000);
        let unit = UNITS[rng.below(UNITS.len() as u64) as usize];
        let group = if rng.chance(60) { "barn" } else { "vuxen" };
        let akt = 200 + rng.below(700);
        write!(w, "C{i},19{:06}-{:04},{unit},{group},{}", person / 10_000 % 1_000_000, person % 10_000, day(akt))?;
        if rng.chance(10) {
            writeln!(w, ",,,,,")?;
            continue;
        }
        let fhb = akt + rng.below(25);
        let inled = rng.chance(70);
        write!(w, ",{},{}", day(fhb), if inled { "inled" } else { "ej_inled" })?;
        if !inled {
            writeln!(w, ",,,")?;
            continue;
        }
        let start = fhb + rng.below(5);
        write!(w, ",{}", day(start))?;
        if rng.chance(15) {
            writeln!(w, ",,")?;
            continue;
        }
        let len = 20 + rng.below(150);
        let ext = len > 110 && rng.chance(40);
        let ext = if ext { day(start + 100) } else { "" };
        writeln!(w, ",{},{ext}", day(start + len))?;
    }
    w.flush()?;

    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("insatser.csv"))?);
    writeln!(
        w,
        "case_id,person_id,unit,insats,beslut,verkstallighet,start,slut,planerad_slut,genomforandeplan,plan_uppfoljning"
    )?;
    for _ in 0..n {
        let case = rng.below(n);
        let person = rng.below(100_000_000);
        let unit = UNITS[rng.below(UNITS.len() as u64) as usize];
        let insats = INSATSER[rng.below(INSATSER.len() as u64) as usize];
        let beslut = 200 + rng.below(750);
        write!(
            w,
            "C{case},19{:06}-{:04},{unit},{insats},{}",
            person / 10_000 % 1_000_000,
            person % 10_000,
            day(beslut)
        )?;
        if rng.chance(10) {
            writeln!(w, ",,,,,,")?;
            continue;
        }
        let start = beslut + rng.below(40);
        write!(w, ",{0},{0}", day(start))?;
        let opt = |rng: &mut Rng, percent: u64, d: u64| {
            if rng.chance(percent) { day(d) } else { "" }
        };
        let slut_day = start + 1 + rng.below(400);
        let slut = opt(&mut rng, 60, slut_day);
        let planned_day = start + 30 + rng.below(300);
        let planned = opt(&mut rng, 50, planned_day);
        let plan_day = start + rng.below(30);
        let plan = opt(&mut rng, 70, plan_day);
        let followup = if plan.is_empty() {
            ""
        } else {
            let followup_day = plan_day + rng.below(300);
            opt(&mut rng, 70, followup_day)
        };
        writeln!(w, ",{slut},{planned},{plan},{followup}")?;
    }
    w.flush()?;
    Ok(())
}
