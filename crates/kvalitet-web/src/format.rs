//! Swedish number and date formatting: decimal comma, a space as thousands separator,
//! `78 %`.

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
}
