//! The rotation policy table in a markdown file: finds every pipe table whose header has a
//! name column and a frequency column (other tables are ignored, as are tables inside fenced
//! code blocks) and turns each body row into a draft entry. A row that cannot be read is a
//! diagnostic pointing at the cell, never a skipped row.
use std::collections::HashMap;
use std::ops::Range;

use super::error::{codes, Problem};
use super::policy::{Draft, Loc, Origin, Source};
use super::schedule::{self, DATE_HELP, FREQUENCY_HELP, GRACE_HELP};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    Name,
    Frequency,
    NextRotation,
    Grace,
    Owner,
    KeyType,
}

/// Header wordings (normalized: lowercase, `_`/`-` as spaces, no emphasis, no trailing
/// parenthesis) per role.
const HEADERS: &[(Role, &[&str])] = &[
    (
        Role::Name,
        &[
            "secret",
            "secret name",
            "secrets",
            "key",
            "key name",
            "name",
            "credential",
            "credential name",
            "variable",
            "env var",
            "environment variable",
        ],
    ),
    (
        Role::Frequency,
        &[
            "rotation frequency",
            "frequency",
            "interval",
            "rotation interval",
            "rotation period",
            "period",
            "rotation",
            "rotate every",
            "rotation schedule",
            "schedule",
            "rotation cadence",
            "cadence",
        ],
    ),
    (
        Role::NextRotation,
        &[
            "next rotation",
            "next rotation date",
            "next rotation due",
            "next due",
            "next due date",
            "due",
            "due date",
            "next",
        ],
    ),
    (Role::Grace, &["grace", "grace period", "grace window"]),
    (Role::Owner, &["owner", "owners", "owned by", "responsible", "responsible team", "team", "contact"]),
    (Role::KeyType, &["type", "key type", "secret type", "kind", "category"]),
];

const HEADER_HELP: &str =
    "the policy table needs a header row with a name column (`Secret`, `Secret Name`, `Key`) \
and a frequency column (`Rotation Frequency`, `Frequency`, `Interval`); optional columns: `Next Rotation`, \
`Grace Period`, `Owner`, `Type`";

const STRAY_HELP: &str = "a markdown table is its header row, the `|---|` row and the rows right below \
them: a blank line (or any line without `|`) ends it. Remove the blank line so the rows join the table";

fn normalize_header(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| match c {
            '_' | '-' => ' ',
            '*' | '`' | ':' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let text = match text.rfind('(') {
        Some(open) if text.trim_end().ends_with(')') && open > 0 => text[..open].to_string(),
        _ => text,
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn role(header: &str) -> Option<Role> {
    let header = normalize_header(header);
    HEADERS.iter().find(|(_, words)| words.contains(&header.as_str())).map(|(role, _)| *role)
}

/// One line of the file: its text (no line ending) and where it starts.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a str,
    number: u64,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut number = 1;
    while start <= text.len() {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[start..end].strip_suffix('\r').unwrap_or(&text[start..end]);
        out.push(Line { start, text: line, number });
        number += 1;
        start = end + 1;
    }
    out
}

/// A cell: its trimmed text (with `\|` unescaped) and its span in the file (the raw cell,
/// spaces included, when it is empty).
#[derive(Debug, Clone)]
struct Cell {
    text: String,
    span: Range<usize>,
}

fn split_cells(line: Line<'_>) -> Vec<Cell> {
    let text = line.text;
    let mut bounds = Vec::new();
    let mut previous = None;
    for (i, c) in text.char_indices() {
        if c == '|' && previous != Some('\\') {
            bounds.push(i);
        }
        previous = Some(c);
    }
    let mut segments: Vec<Range<usize>> = Vec::new();
    let mut from = 0;
    for &b in &bounds {
        segments.push(from..b);
        from = b + 1;
    }
    segments.push(from..text.len());
    if text[segments[0].clone()].trim().is_empty() && text.trim_start().starts_with('|') {
        segments.remove(0);
    }
    if let Some(last) = segments.last() {
        if text[last.clone()].trim().is_empty()
            && text.trim_end().ends_with('|')
            && !text.trim_end().ends_with("\\|")
        {
            segments.pop();
        }
    }
    segments
        .into_iter()
        .map(|seg| {
            let raw = &text[seg.clone()];
            let trimmed = raw.trim();
            let span = if trimmed.is_empty() {
                seg.clone()
            } else {
                let lead = raw.len() - raw.trim_start().len();
                seg.start + lead..seg.start + lead + trimmed.len()
            };
            Cell { text: trimmed.replace("\\|", "|"), span: line.start + span.start..line.start + span.end }
        })
        .collect()
}

fn is_delimiter_row(line: Line<'_>) -> bool {
    if !line.text.contains('-') {
        return false;
    }
    let cells = split_cells(line);
    !cells.is_empty()
        && cells.iter().all(|c| {
            let t = c.text.trim_start_matches(':').trim_end_matches(':');
            !t.is_empty() && t.chars().all(|ch| ch == '-')
        })
}

/// The names in a name cell: the contents of its code spans when it has any
/// (`` `ALPACA_API_KEY` / `ALPACA_SECRET_KEY` `` is two keys), else the cell's text without
/// emphasis or link markup.
fn names(cell: &str) -> Vec<String> {
    let parts: Vec<&str> = cell.split('`').collect();
    if parts.len() >= 3 {
        let spans: Vec<String> = parts
            .iter()
            .skip(1)
            .step_by(2)
            .take(parts.len() / 2)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if !spans.is_empty() {
            return spans;
        }
    }
    let mut text = cell.trim_matches(|c: char| c == '*' || c == '`' || c.is_whitespace()).to_string();
    if let (Some(rest), Some(close)) = (text.strip_prefix('['), text.find("](")) {
        text = rest[..close - 1].to_string();
    }
    let text = text.trim();
    if text.is_empty() || is_blank_word(text) {
        Vec::new()
    } else {
        vec![text.to_string()]
    }
}

fn is_blank_word(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "" | "-" | "—" | "–" | "n/a" | "na" | "none")
}

/// Free text (owner, key type) without emphasis; `-`, `n/a` and empty are `None`.
fn plain(cell: &str) -> Option<String> {
    let text = cell.trim_matches(|c: char| c == '*' || c == '`' || c.is_whitespace());
    (!is_blank_word(text)).then(|| text.to_string())
}

/// The drafts from every policy table in `text`, and every problem found.
pub(crate) fn parse(file: &str, text: &str) -> (Vec<Draft>, Vec<Problem>) {
    let lines = lines(text);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut tables = 0;
    let mut fence: Option<char> = None;
    // After a policy table, until the next heading or table: a line that looks like a table
    // row there is a row the table lost (a blank line ends a markdown table), never skipped.
    let mut after_policy = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.text.trim_start();
        if trimmed.starts_with('#') {
            after_policy = false;
        }
        if let Some(marker) = fence {
            if trimmed.starts_with(&String::from(marker).repeat(3)) {
                fence = None;
            }
            i += 1;
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = trimmed.chars().next();
            i += 1;
            continue;
        }
        let is_header = line.text.contains('|')
            && i + 1 < lines.len()
            && is_delimiter_row(lines[i + 1])
            && split_cells(lines[i + 1]).len() == split_cells(line).len();
        if !is_header {
            if after_policy && trimmed.starts_with('|') {
                let span =
                    line.start + (line.text.len() - trimmed.len())..line.start + line.text.trim_end().len();
                problems.push(
                    Problem::at(
                        codes::STRAY_ROW,
                        file,
                        text,
                        span,
                        "not part of any table",
                        "this row is not part of the policy table above",
                    )
                    .with_help(STRAY_HELP),
                );
            }
            i += 1;
            continue;
        }
        let header = split_cells(line);
        let mut columns: HashMap<Role, usize> = HashMap::new();
        for (index, cell) in header.iter().enumerate() {
            if let Some(role) = role(&cell.text) {
                columns.entry(role).or_insert(index);
            }
        }
        let mut j = i + 2;
        while j < lines.len() && lines[j].text.contains('|') && !lines[j].text.trim().is_empty() {
            j += 1;
        }
        after_policy = false;
        if columns.contains_key(&Role::Name) && columns.contains_key(&Role::Frequency) {
            tables += 1;
            after_policy = true;
            let rows = &lines[i + 2..j];
            if rows.iter().all(|row| split_cells(*row).iter().all(|c| c.text.is_empty())) {
                let span = line.start..line.start + line.text.trim_end().len();
                problems.push(
                    Problem::at(
                        codes::EMPTY_TABLE,
                        file,
                        text,
                        span,
                        "header without rows",
                        "the policy table has no rows",
                    )
                    .with_help(STRAY_HELP),
                );
            }
            for &row in rows {
                read_row(file, text, row, &header, &columns, &mut seen, &mut drafts, &mut problems);
            }
        }
        i = j;
    }
    if tables == 0 {
        problems.push(
            Problem::in_file(codes::NO_POLICY_TABLE, file, "no rotation policy table").with_help(HEADER_HELP),
        );
    }
    (drafts, problems)
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    file: &str,
    text: &str,
    row: Line<'_>,
    header: &[Cell],
    columns: &HashMap<Role, usize>,
    seen: &mut HashMap<String, u64>,
    drafts: &mut Vec<Draft>,
    problems: &mut Vec<Problem>,
) {
    let cells = split_cells(row);
    if cells.iter().all(|c| c.text.is_empty()) {
        return;
    }
    let row_span = {
        let lead = row.text.len() - row.text.trim_start().len();
        row.start + lead..row.start + row.text.trim_end().len()
    };
    if cells.len() < header.len() {
        let missing: Vec<&str> = header[cells.len()..].iter().map(|c| c.text.as_str()).collect();
        problems.push(
            Problem::at(
                codes::MISSING_CELL,
                file,
                text,
                row_span,
                format!("{} cells; the header has {}", cells.len(), header.len()),
                match missing.as_slice() {
                    [one] => format!("row is missing its `{one}` cell"),
                    many => format!("row is missing {} cells ({})", many.len(), many.join(", ")),
                },
            )
            .with_help(
                "give every row one cell per header column; leave a cell empty (`| |`) when it has no value",
            ),
        );
        return;
    }
    if let Some(extra) = cells[header.len()..].iter().find(|c| !c.text.is_empty()) {
        problems.push(
            Problem::at(
                codes::EXTRA_CELL,
                file,
                text,
                extra.span.clone(),
                "no header for this cell",
                format!("row has {} cells; the header has {}", cells.len(), header.len()),
            )
            .with_help("write a `|` inside a cell as `\\|`"),
        );
        return;
    }
    let cell = |role: Role| columns.get(&role).map(|&i| &cells[i]);
    let name_cell = cell(Role::Name).expect("policy tables have a name column");
    let names = names(&name_cell.text);
    let mut bad = false;
    let mut report = |code: &'static str, c: &Cell, label: &str, message: String, help: &str| {
        problems.push(Problem::at(code, file, text, c.span.clone(), label, message).with_help(help));
        bad = true;
    };
    if names.is_empty() {
        report(
            codes::MISSING_CELL,
            name_cell,
            "no secret name",
            "row has no secret name".into(),
            "name the key as the code reads it, e.g. `JWT_SECRET_KEY`",
        );
    }
    let frequency = cell(Role::Frequency).expect("policy tables have a frequency column");
    let interval = if frequency.text.trim().is_empty() {
        None
    } else {
        match schedule::parse_interval(&frequency.text) {
            Ok(interval) => Some(interval),
            Err(e) => {
                report(codes::BAD_FREQUENCY, frequency, "not a frequency", e.0, FREQUENCY_HELP);
                None
            }
        }
    };
    let grace = match cell(Role::Grace).map(|c| (c, schedule::parse_grace(&c.text))) {
        None | Some((_, Ok(None))) => None,
        Some((_, Ok(grace))) => grace,
        Some((c, Err(e))) => {
            report(codes::BAD_GRACE, c, "not a grace period", e.0, GRACE_HELP);
            None
        }
    };
    let next_rotation = match cell(Role::NextRotation).map(|c| (c, schedule::parse_optional_date(&c.text))) {
        None => None,
        Some((_, Ok(date))) => date,
        Some((c, Err(e))) => {
            report(codes::BAD_DATE, c, "not a date", e.0, DATE_HELP);
            None
        }
    };
    if bad {
        return;
    }
    let owner = cell(Role::Owner).and_then(|c| plain(&c.text));
    let key_type = cell(Role::KeyType).and_then(|c| {
        plain(&c.text)
            .map(|t| (t.to_ascii_lowercase(), Some(Loc { origin: Origin::Markdown, span: c.span.clone() })))
    });
    for name in names {
        if let Some(first) = seen.insert(name.to_ascii_lowercase(), row.number) {
            problems.push(Problem::at(
                codes::DUPLICATE_KEY,
                file,
                text,
                name_cell.span.clone(),
                "listed again here",
                format!("`{name}` is listed twice (first on line {first})"),
            ));
            continue;
        }
        drafts.push(Draft {
            name,
            interval,
            grace,
            next_rotation,
            owner: owner.clone(),
            key_type: key_type.clone(),
            source: Source { file: file.to_string(), line: Some(row.number) },
            name_at: Some(Loc { origin: Origin::Markdown, span: name_cell.span.clone() }),
            interval_at: interval
                .is_none()
                .then(|| Loc { origin: Origin::Markdown, span: frequency.span.clone() }),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rotation::{parse_markdown, Grace, Interval};

    #[test]
    fn header_wordings() {
        for (header, expected) in [
            ("Secret", Some(Role::Name)),
            ("**Secret Name**", Some(Role::Name)),
            ("Key", Some(Role::Name)),
            ("secret_name", Some(Role::Name)),
            ("Rotation Frequency", Some(Role::Frequency)),
            ("Interval", Some(Role::Frequency)),
            ("Next Rotation Date", Some(Role::NextRotation)),
            ("Next Rotation (UTC)", Some(Role::NextRotation)),
            ("Grace Period", Some(Role::Grace)),
            ("Owner", Some(Role::Owner)),
            ("Key Type", Some(Role::KeyType)),
            ("Notes", None),
            ("Rotated By", None),
        ] {
            assert_eq!(role(header), expected, "{header}");
        }
    }

    #[test]
    fn cells_split_on_unescaped_pipes() {
        let text = "| a | `b\\|c` |  | d |";
        let cells = split_cells(Line { start: 10, text, number: 1 });
        let got: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(got, vec!["a", "`b|c`", "", "d"]);
        assert_eq!(cells[0].span, 12..13);
        // Tables without outer pipes.
        let cells = split_cells(Line { start: 0, text: "a | b", number: 1 });
        assert_eq!(cells.len(), 2);
    }

    #[test]
    fn names_in_cells() {
        assert_eq!(names("`JWT_SECRET_KEY`"), vec!["JWT_SECRET_KEY"]);
        assert_eq!(names("JWT_SECRET_KEY"), vec!["JWT_SECRET_KEY"]);
        assert_eq!(names("**JWT_SECRET_KEY**"), vec!["JWT_SECRET_KEY"]);
        assert_eq!(
            names("`ALPACA_API_KEY` / `ALPACA_SECRET_KEY`"),
            vec!["ALPACA_API_KEY", "ALPACA_SECRET_KEY"]
        );
        assert_eq!(names("Hugging Face (`HF_TOKEN`)"), vec!["HF_TOKEN"]);
        assert_eq!(names("[PLAID_SECRET](https://example.invalid/plaid)"), vec!["PLAID_SECRET"]);
        assert!(names("").is_empty());
        assert!(names("-").is_empty());
    }

    #[test]
    fn picks_the_policy_table_among_others() {
        let text = "# Key rotation\n\n\
            | Key Type | Rotation | Grace |\n|---|---|---|\n| session | 30 days | 7 days |\n\n\
            Rotation log:\n\n| Secret Name | Rotated By | Rotation Date | Status |\n|---|---|---|---|\n| JWT_SECRET_KEY | alice | 2026-09-01 | success |\n\n\
            ```markdown\n| Secret | Frequency |\n|---|---|\n| EXAMPLE_KEY | bogus |\n```\n\n\
            | Secret Name | Rotation Frequency | Next Rotation Date | Grace Period | Owner |\n\
            |:------------|:------------------:|-------------------:|--------------|-------|\n\
            | `JWT_SECRET_KEY` | 90 days (quarterly) | 2026-12-01 | 7 days | @platform |\n\
            | `ALPACA_API_KEY` / `ALPACA_SECRET_KEY` | On incident only | N/A | 24 hours | trading |\n\
            | HF_TOKEN | as needed | - | none | ml |\n\nAfter the table.\n";
        let p = parse_markdown("docs/policy.md", text).unwrap();
        let names: Vec<&str> = p.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["JWT_SECRET_KEY", "ALPACA_API_KEY", "ALPACA_SECRET_KEY", "HF_TOKEN"]);
        assert_eq!(p[0].interval, Interval::Every(90));
        assert_eq!(p[0].next_rotation, Some(jiff::civil::date(2026, 12, 1)));
        assert_eq!(p[0].grace, Grace::days(7));
        assert_eq!(p[0].owner.as_deref(), Some("@platform"));
        assert_eq!(p[0].source.line, Some(21));
        assert_eq!(p[1].interval, Interval::IncidentOnly);
        assert_eq!(p[1].grace, Grace::hours(24));
        assert_eq!(p[2].source, p[1].source);
        assert_eq!(p[3].grace, Grace::NONE);
        assert_eq!(p[3].next_rotation, None);
    }

    #[test]
    fn header_variants_and_crlf() {
        for (header, row) in [
            ("| Key | Frequency | Next Rotation |", "| `A` | monthly | 2026-12-01 |"),
            ("| Secret | Interval | Due |", "| A | 30d | 2026-12-01 |"),
            ("Name | Rotation Interval | Next Due", "A | every month | 2026-12-01"),
            (
                "| **Secret** | **Rotation Frequency** | **Next Rotation Date** |",
                "| **A** | 30 days (monthly) | 2026-12-01 (Tue) |",
            ),
        ] {
            let sep = if header.starts_with('|') { "|---|---|---|" } else { "---|---|---" };
            let text = format!("\u{feff}{header}\r\n{sep}\r\n{row}\r\n");
            let p = parse_markdown("p.md", &text).unwrap_or_else(|e| panic!("{header}: {e}"));
            assert_eq!(p.len(), 1, "{header}");
            assert_eq!((p[0].name.as_str(), p[0].interval), ("A", Interval::Every(30)), "{header}");
            assert_eq!(p[0].next_rotation, Some(jiff::civil::date(2026, 12, 1)), "{header}");
        }
    }

    #[test]
    fn two_policy_tables_are_both_read_and_names_must_be_unique() {
        let text = "| Key | Frequency |\n|---|---|\n| A | weekly |\n\n| Key | Frequency |\n|---|---|\n| B | monthly |\n| a | daily |\n";
        let err = parse_markdown("p.md", text).unwrap_err();
        assert_eq!(err.code_name(), codes::DUPLICATE_KEY);
        assert_eq!(err.line(), Some(8));
        let ok = "| Key | Frequency |\n|---|---|\n| A | weekly |\n\n| Key | Frequency |\n|---|---|\n| B | monthly |\n";
        assert_eq!(parse_markdown("p.md", ok).unwrap().len(), 2);
    }

    #[test]
    fn every_bad_row_is_reported() {
        let text = "| Secret | Frequency | Grace | Next Rotation |\n|---|---|---|---|\n\
            | A | fortnightly-ish | 1 day | 2026-01-01 |\n\
            | B | 90 days | a while | 2026-01-01 |\n\
            | C | 90 days | 1 day | 01/02/2026 |\n\
            | D | 90 days |\n\
            |  | 90 days | 1 day | 2026-01-01 |\n\
            | E | | | |\n\
            | F | 90 days | 1 day | 2026-01-01 | extra |\n\
            |  |  |  |  |\n";
        let err = parse_markdown("p.md", text).unwrap_err();
        let mut all = vec![(err.code_name(), err.line())];
        all.extend(err.others().iter().map(|p| (p.code_name(), p.line())));
        assert_eq!(
            all,
            vec![
                (codes::BAD_FREQUENCY, Some(3)),
                (codes::BAD_GRACE, Some(4)),
                (codes::BAD_DATE, Some(5)),
                (codes::MISSING_CELL, Some(6)),
                (codes::MISSING_CELL, Some(7)),
                (codes::EXTRA_CELL, Some(9)),
                (codes::NO_INTERVAL, Some(8)),
            ]
        );
    }

    #[test]
    fn no_policy_table() {
        let err = parse_markdown("p.md", "# Nothing\n\n| Secret Name | Rotated By |\n|---|---|\n| A | b |\n")
            .unwrap_err();
        assert_eq!(err.code_name(), codes::NO_POLICY_TABLE);
    }
}
