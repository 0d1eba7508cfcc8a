//! A small RFC 4180 reader for the CSV export of the `secret_rotation_log` table: comma
//! separated, fields optionally double-quoted (`""` is a quote inside a quoted field, and quoted
//! fields may hold commas and line breaks), CRLF or LF line endings, an optional UTF-8 BOM.
//! Unquoted fields are trimmed; blank lines are ignored. Malformed input is a [`Problem`]
//! pointing at the spot.
use std::ops::Range;

use super::error::{codes, Problem};

/// One field: its value and its span in the text (quotes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) value: String,
    pub(crate) span: Range<usize>,
}

/// One record (row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) fields: Vec<Field>,
    /// From the first field to the end of the last one.
    pub(crate) span: Range<usize>,
}

const HELP: &str =
    "quote a field that holds commas, quotes or line breaks (\"a, b\"), and write a quote inside it as \"\"";

/// Parses every record of `text`.
pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Record>, Problem> {
    let bytes = text.as_bytes();
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut records = Vec::new();
    let problem = |span: Range<usize>, label: &str, message: &str| {
        Problem::at(codes::BAD_CSV, file, text, span, label, message).with_help(HELP)
    };
    while pos < bytes.len() {
        let record_start = pos;
        let mut fields = Vec::new();
        loop {
            let start = pos;
            let field = if bytes.get(pos) == Some(&b'"') {
                let mut value = String::new();
                pos += 1;
                loop {
                    let Some(quote) = text[pos..].find('"').map(|i| pos + i) else {
                        return Err(problem(
                            start..text.len(),
                            "opened here",
                            "a quoted field is never closed",
                        ));
                    };
                    value.push_str(&text[pos..quote]);
                    if bytes.get(quote + 1) == Some(&b'"') {
                        value.push('"');
                        pos = quote + 2;
                    } else {
                        pos = quote + 1;
                        break;
                    }
                }
                if !matches!(bytes.get(pos), None | Some(b',' | b'\r' | b'\n')) {
                    return Err(problem(pos..pos + 1, "here", "text after the closing quote of a field"));
                }
                Field { value, span: start..pos }
            } else {
                while !matches!(bytes.get(pos), None | Some(b',' | b'\r' | b'\n')) {
                    pos += 1;
                }
                let raw = &text[start..pos];
                if let Some(q) = raw.find('"') {
                    return Err(problem(
                        start + q..start + q + 1,
                        "quote",
                        "a quote inside an unquoted field",
                    ));
                }
                let lead = raw.len() - raw.trim_start().len();
                Field { value: raw.trim().to_string(), span: start + lead..start + lead + raw.trim().len() }
            };
            fields.push(field);
            if bytes.get(pos) == Some(&b',') {
                pos += 1;
                continue;
            }
            break;
        }
        let end = pos;
        match bytes.get(pos) {
            Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => pos += 2,
            Some(b'\r' | b'\n') => pos += 1,
            _ => {}
        }
        let blank = fields.len() == 1 && fields[0].value.is_empty() && text.as_bytes()[record_start] != b'"';
        if !blank {
            records.push(Record { fields, span: record_start..end });
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<Vec<String>> {
        parse("t.csv", text)
            .unwrap()
            .into_iter()
            .map(|r| r.fields.into_iter().map(|f| f.value).collect())
            .collect()
    }

    #[test]
    fn quoted_fields() {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\n plain , ,\"\"\n";
        assert_eq!(
            values(text),
            vec![vec!["a", "b", "c"], vec!["x, y", "say \"hi\"", "two\nlines"], vec!["plain", "", ""],]
        );
    }

    #[test]
    fn bom_and_no_final_newline() {
        assert_eq!(values("\u{feff}a,b\n1,2"), vec![vec!["a", "b"], vec!["1", "2"]]);
    }

    #[test]
    fn spans_point_at_fields() {
        let text = "a,\"b\"\n";
        let records = parse("t.csv", text).unwrap();
        assert_eq!(records[0].fields[1].span, 2..5);
        assert_eq!(records[0].span, 0..5);
    }

    #[test]
    fn malformed() {
        for bad in ["a,\"b\n", "a,\"b\"c\n", "a,b\"c\n"] {
            let err = parse("t.csv", bad).unwrap_err();
            assert_eq!(err.code_name(), codes::BAD_CSV, "{bad}");
            assert_eq!(err.line(), Some(1));
        }
    }
}
