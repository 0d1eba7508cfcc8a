//! A finding: which rule, where, and what may be shown of the secret. It never holds the
//! secret itself, so no report, log line or `Debug` output built from it can leak one.
use crate::rules::Severity;

/// One secret found in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that matched.
    pub rule_id: String,
    /// The rule's description.
    pub description: String,
    /// The rule's severity.
    pub severity: Severity,
    /// The file, relative to the scan root, `/`-separated.
    pub file: String,
    /// 1-based line where the secret starts.
    pub line: u64,
    /// 1-based column (characters) where the secret starts.
    pub column: u64,
    /// 1-based line where the secret ends (private keys span lines).
    pub end_line: u64,
    /// `****` plus the last 4 characters (or `****` alone for short values).
    pub masked: String,
    /// Keyed fingerprint of rule and secret: stable across runs and line moves.
    pub fingerprint: String,
    /// Names written before the secret on its line, nearest first (`JWT_SECRET_KEY`,
    /// `APCA-API-SECRET-KEY`, `DATABASE_URL`): what rotation drift attributes leaks by.
    pub names: Vec<String>,
    /// When the secret was seen: the date opening its line (log lines), else the file's
    /// modification date.
    pub seen_on: Option<jiff::civil::Date>,
    /// How the secret was encoded where it was found (`line`, `column` and `masked` are the
    /// encoded text's), when it was found by decoding.
    pub decoded: Option<crate::detect::Encoding>,
}

/// Up to 4 identifiers before `secret_at` in `line`, nearest first.
pub fn names_before(line: &[u8], secret_at: usize) -> Vec<String> {
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b"_-.".contains(&b);
    let mut names = Vec::new();
    let mut end = secret_at.min(line.len());
    while names.len() < 4 && end > 0 {
        while end > 0 && !is_name(line[end - 1]) {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && is_name(line[start - 1]) {
            start -= 1;
        }
        if start == end {
            break;
        }
        let word = String::from_utf8_lossy(&line[start..end]).trim_matches(['-', '.']).to_string();
        // Only names that could be variables or headers: letters first, and not a number.
        if word.len() >= 2 && word.as_bytes()[0].is_ascii_alphabetic() {
            names.push(word);
        }
        end = start;
    }
    names
}

/// The date a log line opens with (`2026-11-20T08:00:05Z ...`, `[2026-11-20 08:00:05]`).
pub fn line_date(line: &[u8]) -> Option<jiff::civil::Date> {
    let head = &line[..line.len().min(40)];
    let at = head.windows(10).position(|w| {
        w[..4].iter().all(u8::is_ascii_digit)
            && w[4] == b'-'
            && w[5..7].iter().all(u8::is_ascii_digit)
            && w[7] == b'-'
            && w[8..10].iter().all(u8::is_ascii_digit)
    })?;
    std::str::from_utf8(&head[at..at + 10]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_nearest_first() {
        let at = |line: &[u8]| line.windows(6).rposition(|w| w == b"VALUE1").unwrap();
        let line = b"export DATABASE_URL=postgres://ledger:VALUE1@db"; // hygiene:allow
        assert_eq!(names_before(line, at(line)), vec!["ledger", "postgres", "DATABASE_URL", "export"]);
        let line = b"headers={'APCA-API-SECRET-KEY': 'VALUE1'}";
        assert_eq!(names_before(line, at(line))[0], "APCA-API-SECRET-KEY");
        assert!(names_before(b"VALUE1", 0).is_empty());
    }

    #[test]
    fn dates_opening_lines() {
        assert_eq!(line_date(b"2026-11-20T08:00:05Z INFO x"), Some(jiff::civil::date(2026, 11, 20)));
        assert_eq!(line_date(b"[2026-02-29 08:00] x"), None); // not a leap year: no such date
        assert_eq!(line_date(b"token=abc"), None);
    }
}
