//! The words people write in a rotation policy: frequencies (`90 days (quarterly)`, `monthly`,
//! `On incident only`), grace periods (`24 hours`, `7d`, `none`) and dates (`2026-12-01`),
//! parsed into [`Interval`], [`Grace`] and [`jiff::civil::Date`].
//!
//! Everything is counted in whole days: a week is 7 days, a month 30, a quarter 90, a year 365
//! (so `quarterly`, `3 months` and `90 days` are the same interval).
use std::fmt;

use jiff::civil::Date;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// The longest interval or grace accepted: 100 years, in days.
const MAX_DAYS: u64 = 36_500;

/// How often a key must be rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    /// Every this many days.
    Every(u32),
    /// No schedule: rotated when it leaks or an incident calls for it.
    IncidentOnly,
}

/// How long an overdue key may stay in use before it is `expired`, in hours (the policy may say
/// `24 hours`). Drift counts whole days: hours are rounded up to days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Grace {
    hours: u32,
}

/// Accepted frequency wordings, for help lines.
pub const FREQUENCY_HELP: &str =
    "write a frequency as `90 days`, `90 days (quarterly)`, `30d`, `every 6 months`, \
`2 weeks`, `daily`, `weekly`, `monthly`, `quarterly`, `semi-annually`, `annually`/`yearly`, \
or `On incident only` (also `on incident`, `as needed`) for keys without a schedule";

/// Accepted grace wordings, for help lines.
pub const GRACE_HELP: &str =
    "write a grace period as `24 hours`, `36h`, `7 days`, `7d`, `2 weeks`, or `none` / `-` for no grace";

/// Accepted date wordings, for help lines.
pub const DATE_HELP: &str = "write dates as YYYY-MM-DD (e.g. `2026-12-01`); leave the cell empty or write `-` / `n/a` when there is none";

impl Interval {
    /// The interval in days, `None` for incident-only keys.
    pub fn days(self) -> Option<u32> {
        match self {
            Interval::Every(days) => Some(days),
            Interval::IncidentOnly => None,
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Interval::Every(1) => f.write_str("1 day"),
            Interval::Every(days) => write!(f, "{days} days"),
            Interval::IncidentOnly => f.write_str("on incident only"),
        }
    }
}

impl Grace {
    /// No grace: an overdue key is expired the day after its due date.
    pub const NONE: Grace = Grace { hours: 0 };

    /// A grace of whole days.
    pub fn days(days: u32) -> Grace {
        Grace { hours: days.saturating_mul(24) }
    }

    /// A grace in hours.
    pub fn hours(hours: u32) -> Grace {
        Grace { hours }
    }

    /// The grace in hours, as written.
    pub fn as_hours(self) -> u32 {
        self.hours
    }

    /// The grace in whole days, rounded up (the log records dates, not times): `24 hours` is 1
    /// day, `36 hours` is 2.
    pub fn whole_days(self) -> u32 {
        self.hours.div_ceil(24)
    }
}

impl fmt::Display for Grace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hours {
            0 => f.write_str("none"),
            24 => f.write_str("1 day"),
            h if h % 24 == 0 => write!(f, "{} days", h / 24),
            1 => f.write_str("1 hour"),
            h => write!(f, "{h} hours"),
        }
    }
}

/// Why a wording was rejected (the caller adds where it was and the help line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordingError(pub String);

/// Lowercases, drops markdown emphasis and code marks, collapses whitespace.
fn normalize(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '*' | '`' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits `main (note)` into `main` and the note, when the text ends with a parenthesis.
fn split_note(text: &str) -> (&str, Option<&str>) {
    if let Some(stripped) = text.strip_suffix(')') {
        if let Some(open) = stripped.rfind('(') {
            let main = stripped[..open].trim();
            if !main.is_empty() {
                return (main, Some(stripped[open + 1..].trim()));
            }
        }
    }
    (text, None)
}

/// `90`, `90 days`, `90d`, `90-day`, `3 months`, `every 6 months`, `every week`: a count and a
/// unit, returned as (count, unit) with the unit lowercased.
fn count_and_unit(text: &str) -> Option<(u64, &str)> {
    let text = text.strip_prefix("every ").unwrap_or(text).trim();
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        // `every month`, `every week`.
        return if text.chars().all(|c| c.is_ascii_alphabetic()) && !text.is_empty() {
            Some((1, text))
        } else {
            None
        };
    }
    let count: u64 = text[..digits].parse().ok()?;
    let unit = text[digits..].trim_start_matches([' ', '-']);
    Some((count, unit))
}

/// Days per unit; hours are handled by the callers.
fn unit_days(unit: &str) -> Option<u64> {
    Some(match unit {
        "" | "day" | "days" | "d" => 1,
        "week" | "weeks" | "w" | "wk" | "wks" => 7,
        "month" | "months" | "mo" | "mos" => 30,
        "quarter" | "quarters" | "q" => 90,
        "year" | "years" | "y" | "yr" | "yrs" => 365,
        _ => return None,
    })
}

fn is_hours(unit: &str) -> bool {
    matches!(unit, "hour" | "hours" | "h" | "hr" | "hrs")
}

/// Parses a rotation frequency. A trailing parenthesised note (`90 days (quarterly)`) is
/// checked when it is itself a frequency and must then agree; otherwise it is ignored.
pub fn parse_interval(text: &str) -> Result<Interval, WordingError> {
    let normalized = normalize(text);
    let (main, note) = split_note(&normalized);
    let interval = interval_words(main).ok_or_else(|| {
        WordingError(if normalized.is_empty() {
            "the frequency is empty".into()
        } else {
            format!("`{}` is not a rotation frequency", text.trim())
        })
    })??;
    if let Some(Some(Ok(noted))) = note.map(interval_words) {
        if noted != interval {
            return Err(WordingError(format!("`{}` contradicts itself: {interval} vs {noted}", text.trim())));
        }
    }
    Ok(interval)
}

/// `None`: not a frequency at all; `Some(Err)`: a frequency with a bad value.
fn interval_words(text: &str) -> Option<Result<Interval, WordingError>> {
    let days = match text {
        "on incident only" | "on incident" | "incident only" | "incident-only" | "on-incident"
        | "as needed" | "as-needed" | "on demand" | "on compromise" => {
            return Some(Ok(Interval::IncidentOnly))
        }
        "daily" => 1,
        "weekly" => 7,
        "biweekly" | "fortnightly" => 14,
        "monthly" => 30,
        "quarterly" => 90,
        "semi-annually" | "semiannually" | "semi-annual" | "semiannual" | "biannually" | "half-yearly"
        | "twice a year" => 180,
        "annually" | "annual" | "yearly" => 365,
        _ => {
            let (count, unit) = count_and_unit(text)?;
            if is_hours(unit) {
                if count % 24 != 0 || count == 0 {
                    return Some(Err(WordingError(format!(
                        "`{text}`: intervals are whole days (hours are accepted for grace periods only)"
                    ))));
                }
                count / 24
            } else {
                count.checked_mul(unit_days(unit)?)?
            }
        }
    };
    Some(if days == 0 {
        Err(WordingError("an interval must be at least 1 day".into()))
    } else if days > MAX_DAYS {
        Err(WordingError(format!("`{text}` is longer than 100 years")))
    } else {
        Ok(Interval::Every(days as u32))
    })
}

/// Parses a grace period. `Ok(None)`: the cell is empty (inherit the default).
pub fn parse_grace(text: &str) -> Result<Option<Grace>, WordingError> {
    let normalized = normalize(text);
    let (main, _) = split_note(&normalized);
    match main {
        "" => return Ok(None),
        "none" | "no grace" | "-" | "—" | "–" | "0" | "n/a" | "na" => return Ok(Some(Grace::NONE)),
        _ => {}
    }
    let bad = || WordingError(format!("`{}` is not a grace period", text.trim()));
    let (count, unit) = count_and_unit(main).ok_or_else(bad)?;
    let hours = if is_hours(unit) {
        count
    } else {
        count.checked_mul(unit_days(unit).ok_or_else(bad)?).ok_or_else(bad)? * 24
    };
    if hours > MAX_DAYS * 24 {
        return Err(WordingError(format!("`{}` is longer than 100 years", text.trim())));
    }
    Ok(Some(Grace::hours(hours as u32)))
}

/// Parses an optional date cell: empty, `-`, `n/a`, `none`, `tbd` or an incident wording is
/// `None`; otherwise `YYYY-MM-DD`, optionally followed by a parenthesised note.
pub fn parse_optional_date(text: &str) -> Result<Option<Date>, WordingError> {
    let normalized = normalize(text);
    let (main, _) = split_note(&normalized);
    match main {
        "" | "-" | "—" | "–" | "n/a" | "na" | "none" | "tbd" | "never" => return Ok(None),
        m if matches!(interval_words(m), Some(Ok(Interval::IncidentOnly))) => return Ok(None),
        _ => {}
    }
    parse_date(main).map(Some)
}

/// Parses exactly `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, WordingError> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(WordingError(format!("`{text}` is not a date (YYYY-MM-DD)")));
    }
    text.parse::<Date>().map_err(|e| WordingError(format!("`{text}` is not a valid date: {e}")))
}

/// A date or date-time as found in a rotation log: `YYYY-MM-DD`, RFC 3339
/// (`2026-08-27T14:03:11Z`, any offset; the date is taken in UTC), or a date-time without an
/// offset as databases export it (`2026-08-27 14:03:11`; its own date is taken). Returns the date
/// and, when an instant was given, the instant.
pub fn parse_when(text: &str) -> Result<(Date, Option<jiff::Timestamp>), WordingError> {
    let text = text.trim();
    if text.len() == 10 {
        return parse_date(text).map(|d| (d, None));
    }
    if text.len() > 10 && text.is_char_boundary(10) && parse_date(&text[..10]).is_ok() {
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok((ts.to_zoned(jiff::tz::TimeZone::UTC).date(), Some(ts)));
        }
        if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
            return Ok((dt.date(), None));
        }
    }
    Err(WordingError(format!("`{text}` is not a date (YYYY-MM-DD) or an RFC 3339 date-time")))
}

/// A visitor accepting a string or an integer count of days.
struct WordingVisitor<T> {
    expecting: &'static str,
    from_str: fn(&str) -> Result<T, WordingError>,
    from_days: fn(u64) -> Result<T, WordingError>,
}

impl<T> Visitor<'_> for WordingVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.from_str)(v).map_err(|e| E::custom(e.0))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        let days = u64::try_from(v).map_err(|_| E::custom("a count of days cannot be negative"))?;
        (self.from_days)(days).map_err(|e| E::custom(e.0))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        (self.from_days)(v).map_err(|e| E::custom(e.0))
    }
}

/// `interval = "90 days"` or `interval = 90` (days) in `hygiene.toml`.
impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WordingVisitor {
            expecting: "a rotation frequency such as \"90 days\", \"quarterly\" or \"on incident only\"",
            from_str: parse_interval,
            from_days: |days| match days {
                1..=MAX_DAYS => Ok(Interval::Every(days as u32)),
                _ => Err(WordingError("an interval must be 1 to 36500 days".into())),
            },
        })
    }
}

/// `grace = "24 hours"` or `grace = 7` (days) in `hygiene.toml`.
impl<'de> Deserialize<'de> for Grace {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WordingVisitor {
            expecting: "a grace period such as \"7 days\", \"24 hours\" or \"none\"",
            from_str: |s| parse_grace(s).map(|g| g.unwrap_or(Grace::NONE)),
            from_days: |days| match days {
                0..=MAX_DAYS => Ok(Grace::days(days as u32)),
                _ => Err(WordingError("a grace period must be at most 36500 days".into())),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(text: &str) -> Option<u32> {
        parse_interval(text).unwrap().days()
    }

    #[test]
    fn frequencies() {
        for (text, days) in [
            ("90 days", 90),
            ("90 days (quarterly)", 90),
            ("**90 Days** (Quarterly)", 90),
            ("Quarterly", 90),
            ("quarterly (90 days)", 90),
            ("monthly", 30),
            ("weekly", 7),
            ("annually", 365),
            ("Yearly", 365),
            ("semi-annually", 180),
            ("30d", 30),
            ("30 d", 30),
            ("90-day", 90),
            ("every 6 months", 180),
            ("Every 2 weeks", 14),
            ("every month", 30),
            ("1 year", 365),
            ("48h", 2),
            ("90", 90),
            ("90 days (or on incident)", 90),
        ] {
            assert_eq!(every(text), Some(days), "{text}");
        }
        for text in ["On incident only", "on incident", "As needed", "incident-only", "`on incident only`"] {
            assert_eq!(parse_interval(text), Ok(Interval::IncidentOnly), "{text}");
        }
    }

    #[test]
    fn bad_frequencies() {
        for text in [
            "",
            "sometimes",
            "12h",
            "0 days",
            "90 fortnights",
            "30 days (quarterly)",
            "-5 days",
            "999999 years",
        ] {
            assert!(parse_interval(text).is_err(), "{text}");
        }
        assert!(parse_interval("30 days (quarterly)").unwrap_err().0.contains("contradicts"));
        assert!(parse_interval("12h").unwrap_err().0.contains("whole days"));
    }

    #[test]
    fn grace_periods() {
        assert_eq!(parse_grace("24 hours"), Ok(Some(Grace::hours(24))));
        assert_eq!(parse_grace("24 hours").unwrap().unwrap().whole_days(), 1);
        assert_eq!(parse_grace("36h").unwrap().unwrap().whole_days(), 2);
        assert_eq!(parse_grace("7 days"), Ok(Some(Grace::days(7))));
        assert_eq!(parse_grace("7d"), Ok(Some(Grace::days(7))));
        assert_eq!(parse_grace("2 weeks"), Ok(Some(Grace::days(14))));
        for none in ["none", "-", "None", "0", "n/a"] {
            assert_eq!(parse_grace(none), Ok(Some(Grace::NONE)), "{none}");
        }
        assert_eq!(parse_grace(""), Ok(None));
        assert_eq!(parse_grace("  "), Ok(None));
        assert!(parse_grace("a while").is_err());
        assert!(parse_grace("7 parsecs").is_err());
        assert_eq!(Grace::hours(24).to_string(), "1 day");
        assert_eq!(Grace::hours(36).to_string(), "36 hours");
        assert_eq!(Grace::days(30).to_string(), "30 days");
        assert_eq!(Grace::NONE.to_string(), "none");
    }

    #[test]
    fn dates() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(parse_optional_date("2026-12-01"), Ok(Some(d("2026-12-01"))));
        assert_eq!(parse_optional_date("2026-12-01 (Tuesday)"), Ok(Some(d("2026-12-01"))));
        assert_eq!(parse_optional_date("2028-02-29"), Ok(Some(d("2028-02-29"))));
        for none in ["", "-", "N/A", "TBD", "On incident"] {
            assert_eq!(parse_optional_date(none), Ok(None), "{none}");
        }
        for bad in ["2026-02-30", "2027-02-29", "20261201", "Dec 1, 2026", "2026-12-1"] {
            assert!(parse_optional_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn log_dates_and_times() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(parse_when("2026-08-27").unwrap(), (d("2026-08-27"), None));
        let (date, ts) = parse_when("2026-08-27T23:30:00-05:00").unwrap();
        assert_eq!(date, d("2026-08-28"), "the date is taken in UTC");
        assert!(ts.is_some());
        assert_eq!(parse_when("2026-08-27 14:03:11+00").unwrap().0, d("2026-08-27"));
        assert_eq!(parse_when("2026-08-27 14:03:11").unwrap(), (d("2026-08-27"), None));
        assert!(parse_when("yesterday").is_err());
        assert!(parse_when("2026-08-27Tnoon").is_err());
    }

    #[test]
    fn toml_forms() {
        #[derive(Deserialize)]
        struct T {
            interval: Interval,
            grace: Grace,
        }
        let t: T = toml::from_str("interval = \"quarterly\"\ngrace = \"24 hours\"\n").unwrap();
        assert_eq!((t.interval, t.grace), (Interval::Every(90), Grace::hours(24)));
        let t: T = toml::from_str("interval = 30\ngrace = 7\n").unwrap();
        assert_eq!((t.interval, t.grace), (Interval::Every(30), Grace::days(7)));
        let err = toml::from_str::<T>("interval = \"sometimes\"\ngrace = 1\n").err().unwrap();
        assert!(err.message().contains("not a rotation frequency"), "{}", err.message());
        assert!(toml::from_str::<T>("interval = 0\ngrace = 1\n").is_err());
        assert!(toml::from_str::<T>("interval = 1\ngrace = -1\n").is_err());
    }
}
