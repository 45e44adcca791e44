//! Swedish number and date formatting: decimal comma, a space as thousands separator,
//! `78 %`, and a count with its noun in the singular or the plural (`1 risk`, `2 risker`).

/// `1234.5` → `1 234,5`; integral values without decimals.
pub fn number(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let negative = rounded < 0.0;
    let abs = rounded.abs();
    let whole = abs.trunc() as u64;
    let tenth = ((abs - abs.trunc()) * 10.0).round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if negative { "−" } else { "" };
    if tenth == 0 { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{tenth}") }
}

/// A share 0..=1 as a percentage: `0.783` → `78 %`.
pub fn share_percent(v: f64) -> String {
    format!("{}\u{a0}%", number((v * 100.0).round()))
}

/// A value already in per cent: `77.0` → `77 %`.
pub fn percent(v: f64) -> String {
    format!("{}\u{a0}%", number(v))
}

/// A whole number that can be counted: what `plural` takes.
pub trait Count: Copy {
    fn count(self) -> i64;
}

macro_rules! count {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn count(self) -> i64 {
                i64::try_from(self).unwrap_or(i64::MAX)
            }
        }
    )*};
}
count!(usize, u64, u32, i64, i32);

impl<T: Count> Count for &T {
    fn count(self) -> i64 {
        (*self).count()
    }
}

/// A count with its noun, singular for one and plural otherwise (zero too, as Swedish
/// has it): `plural(1, "ärende", "ärenden")` → `1 ärende`, `plural(1200, "risk",
/// "risker")` → `1 200 risker`.
pub fn plural(n: impl Count, one: &str, many: &str) -> String {
    let n = n.count();
    format!("{} {}", number(n as f64), if n == 1 { one } else { many })
}

/// A number of days, as a measure's value: `1 dag`, `2,5 dagar`.
pub fn days(v: f64) -> String {
    let shown = number(v);
    if shown == "1" { format!("{shown} dag") } else { format!("{shown} dagar") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_numbers() {
        assert_eq!(number(1234.5), "1\u{a0}234,5");
        assert_eq!(number(428.0), "428");
        assert_eq!(number(1_000_000.0), "1\u{a0}000\u{a0}000");
        assert_eq!(number(-3.25), "−3,3");
        assert_eq!(percent(77.0), "77\u{a0}%");
        assert_eq!(share_percent(0.8077), "81\u{a0}%");
    }

    #[test]
    fn singular_and_plural() {
        assert_eq!(plural(1_usize, "ärende", "ärenden"), "1 ärende");
        assert_eq!(plural(0_usize, "ärende", "ärenden"), "0 ärenden");
        assert_eq!(plural(2_i64, "risk", "risker"), "2 risker");
        assert_eq!(plural(1_i64, "åtgärd", "åtgärder"), "1 åtgärd");
        assert_eq!(plural(1234_u32, "kontroll", "kontroller"), "1\u{a0}234 kontroller");
        assert_eq!(days(1.0), "1 dag");
        assert_eq!(days(1.04), "1 dag");
        assert_eq!(days(2.5), "2,5 dagar");
        assert_eq!(days(0.0), "0 dagar");
    }
}
