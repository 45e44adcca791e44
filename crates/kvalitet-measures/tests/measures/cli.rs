//! `run_compute` and the clap arguments, as the binary will use them.

use jiff::civil::date;
use kvalitet_measures::*;

use super::*;

#[test]
fn run_compute_writes_json_csv_and_a_swedish_table() {
    let arenden = fixture("arenden.csv").display().to_string();
    let insatser = fixture("insatser.csv").display().to_string();
    let args = cli(&["--arenden", &arenden, "--format", "json", "--by", "month"]);
    let mut out = Vec::new();
    run_compute(&args, &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rows = json.as_array().unwrap();
    // Measures on insatser and kontakter are skipped without those files.
    assert!(rows.iter().all(|r| r["measure"] != "verkstallighet_14d"));
    let r = rows.iter().find(|r| r["measure"] == "forhandsbedomning_14d" && r["month"].is_null()).unwrap();
    assert!(r["unit"].is_null());
    assert_eq!(r["numerator"], 2);
    assert_eq!(r["denominator"], 3);
    assert!((r["value"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert!(r["ci_low"].is_f64() && r["ci_high"].is_f64());
    assert!(r.get("outside").is_none());
    assert!(rows.iter().any(|r| r["month"] == "2024-02"));

    let args = cli(&["--arenden", &arenden, "--insatser", &insatser, "--capacity", "Stödboendet=2"]);
    let mut out = Vec::new();
    run_compute(&args, &mut out).unwrap();
    let table = String::from_utf8(out).unwrap();
    let line = table.lines().find(|l| l.starts_with("Förhandsbedömning inom 14 dagar")).unwrap();
    assert!(line.contains("66,7 %"), "{table}");
    assert!(line.contains("20,8 %–93,9 %"), "{table}");
    assert!(table.starts_with("Mått "), "{table}");
    assert!(table.contains("25,8 %"), "occupancy 47/182: {table}");

    let args = cli(&["--arenden", &arenden, "--format", "csv"]);
    let mut out = Vec::new();
    run_compute(&args, &mut out).unwrap();
    let csv = String::from_utf8(out).unwrap();
    assert!(csv.starts_with("measure,name,value_type,unit,month,group,numerator,denominator,value"));
    assert!(csv.contains("barnutredning_4man,Barnutredning klar inom 4 månader,share,,,,1,2,0.5,"), "{csv}");
}

#[test]
fn cli_requires_a_table_and_sane_arguments() {
    let parse = |extra: &[&str]| {
        let mut argv = vec!["measures", "--from", "2024-01-01", "--to", "2024-03-31"];
        argv.extend(extra);
        Cli::try_parse_from(argv).map(|c| c.args)
    };
    assert!(parse(&[]).is_err(), "no table given");
    assert!(parse(&["--kontakter", "k.csv", "--capacity", "Boendet"]).is_err());
    let a = parse(&["--kontakter", "k.csv", "--capacity", "Hus = 3=4", "--by", "unit"]).unwrap();
    assert_eq!(a.capacity[0].unit, "Hus = 3");
    assert_eq!(a.capacity[0].places, 4);
    let mut reversed = parse(&["--kontakter", "k.csv"]).unwrap();
    reversed.from = date(2024, 4, 1);
    assert!(run_compute(&reversed, &mut Vec::new()).is_err());
}

#[test]
fn the_long_help_documents_the_file_format() {
    use clap::CommandFactory;
    #[derive(Debug, Parser)]
    struct Top {
        #[command(subcommand)]
        command: Command,
    }
    #[derive(Debug, clap::Subcommand)]
    enum Command {
        Compute(ComputeArgs),
    }
    let mut top = Top::command();
    let compute = top.find_subcommand_mut("compute").unwrap();
    let help = compute.render_long_help().to_string();
    for needle in [
        "arenden (cases)",
        "forhandsbedomning_beslut",
        "YYYYMMDD",
        "Windows-1252",
        "HMAC-SHA256",
        "--capacity <UNIT=PLACES>",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
    let short = compute.render_help().to_string();
    assert!(short.contains("Beräkna mått"), "{short}");
}
