//! Known values: credentials a service knows it holds (from its environment or an env file)
//! and must never write, whether or not a rule would recognise them. Each value is also
//! searched in the encodings it commonly takes on its way into a log: URL-encoded (any safe
//! set: escapes are decoded before searching), JSON-escaped (`\/`, `\uXXXX`),
//! base64 (standard and URL-safe, padded or not, at any alignment inside a longer base64
//! string, as in `Basic base64(user:password)`), and hex.
use base64::Engine;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Values shorter than this are not searched: they would match ordinary text everywhere.
pub const MIN_KNOWN_LEN: usize = 6;

/// Shortest base64 fragment searched for (shorter ones would hit random base64).
const MIN_BASE64_CORE: usize = 8;

/// Everything but RFC 3986 unreserved characters is percent-encoded.
const URL_RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Every form of `value` worth searching for, the raw value first.
pub fn encodings(value: &str) -> Vec<Vec<u8>> {
    let mut forms: Vec<Vec<u8>> = vec![value.as_bytes().to_vec()];
    let url = utf8_percent_encode(value, URL_RESERVED).to_string();
    forms.push(url.clone().into_bytes());
    forms.push(lowercase_percent_escapes(&url).into_bytes());
    forms.push(url.replace("%20", "+").into_bytes());
    let json = serde_json::to_string(value).expect("strings serialize");
    forms.push(json.as_bytes()[1..json.len() - 1].to_vec());
    for engine in
        [&base64::engine::general_purpose::STANDARD_NO_PAD, &base64::engine::general_purpose::URL_SAFE_NO_PAD]
    {
        for shift in 0..3 {
            if let Some(core) = base64_core(engine, value.as_bytes(), shift) {
                forms.push(core);
            }
        }
    }
    let hex: String = value.bytes().map(|b| format!("{b:02x}")).collect();
    forms.push(hex.to_ascii_uppercase().into_bytes());
    forms.push(hex.into_bytes());
    forms.sort();
    forms.dedup();
    forms.retain(|f| f.len() >= MIN_KNOWN_LEN.min(value.len()));
    forms
}

/// Whether `form` (one of [`encodings`]) is a base64 fragment: its match is widened to the
/// whole base64 token around it, padding included, so no encoded neighbour bits stay.
pub(crate) fn is_base64_form(value: &str, form: &[u8]) -> bool {
    [&base64::engine::general_purpose::STANDARD_NO_PAD, &base64::engine::general_purpose::URL_SAFE_NO_PAD]
        .iter()
        .any(|engine| {
            (0..3).any(|shift| base64_core(engine, value.as_bytes(), shift).as_deref() == Some(form))
        })
        && form != value.as_bytes()
}

/// Widens `span` of `bytes` over the base64 token it sits in (both alphabets, `=` padding).
pub(crate) fn widen_base64(bytes: &[u8], span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_');
    let start = bytes[..span.start].iter().rposition(|b| !b64(b)).map_or(0, |i| i + 1);
    let mut end = bytes[span.end..].iter().position(|b| !b64(b)).map_or(bytes.len(), |i| span.end + i);
    let mut padding = 0;
    while end < bytes.len() && bytes[end] == b'=' && padding < 2 {
        end += 1;
        padding += 1;
    }
    start..end
}

/// The text with percent escapes (`%2F`, `%2f`) and JSON/JavaScript backslash escapes
/// (`\/`, `\"`, `\\`, `\n`, `\uXXXX` with surrogate pairs) decoded, and for each decoded
/// byte the offset in `bytes` where it starts (plus one last entry, `bytes.len()`). `None` when
/// there is nothing to decode. Searching the decoded text for a known value finds it in any mix
/// of encoded and literal characters, whatever safe set the encoder used.
pub(crate) fn decoded_view(bytes: &[u8]) -> Option<(Vec<u8>, Vec<usize>)> {
    memchr::memchr2(b'%', b'\\', bytes)?;
    let hex = |b: u8| (b as char).to_digit(16);
    let unit = |at: usize| -> Option<u32> {
        // `\uXXXX` at `at`.
        let h = bytes.get(at + 2..at + 6)?;
        (bytes.get(at + 1) == Some(&b'u')).then_some(())?;
        h.iter().try_fold(0u32, |acc, b| Some(acc * 16 + hex(*b)?))
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            if let (Some(h), Some(l)) =
                (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
            {
                map.push(i);
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        } else if b == b'\\' {
            let simple = match bytes.get(i + 1) {
                Some(b'/') => Some(b'/'),
                Some(b'"') => Some(b'"'),
                Some(b'\'') => Some(b'\''),
                Some(b'\\') => Some(b'\\'),
                Some(b'n') => Some(b'\n'),
                Some(b't') => Some(b'\t'),
                Some(b'r') => Some(b'\r'),
                _ => None,
            };
            if let Some(c) = simple {
                map.push(i);
                out.push(c);
                i += 2;
                continue;
            }
            if let Some(u) = unit(i) {
                let (ch, len) = match u {
                    0xD800..=0xDBFF => {
                        match bytes.get(i + 6).filter(|b| **b == b'\\').and_then(|_| unit(i + 6)) {
                            Some(low @ 0xDC00..=0xDFFF) => {
                                (char::from_u32(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)), 12)
                            }
                            _ => (None, 6),
                        }
                    }
                    _ => (char::from_u32(u), 6),
                };
                if let Some(ch) = ch {
                    let mut buf = [0u8; 4];
                    for byte in ch.encode_utf8(&mut buf).bytes() {
                        map.push(i);
                        out.push(byte);
                    }
                    i += len;
                    continue;
                }
            }
        }
        map.push(i);
        out.push(b);
        i += 1;
    }
    map.push(bytes.len());
    Some((out, map))
}

fn lowercase_percent_escapes(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at + 1]);
        let hex = rest.get(at + 1..at + 3).unwrap_or("");
        out.push_str(&hex.to_ascii_lowercase());
        rest = &rest[(at + 1 + hex.len()).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// The base64 characters fully determined by `value` when it starts `shift` bytes into a
/// longer byte string: the same whatever bytes surround it.
fn base64_core(engine: &base64::engine::GeneralPurpose, value: &[u8], shift: usize) -> Option<Vec<u8>> {
    let mut padded = vec![0u8; shift];
    padded.extend_from_slice(value);
    let encoded = engine.encode(&padded).into_bytes();
    let first = (8 * shift).div_ceil(6);
    let last = 8 * (shift + value.len()) / 6;
    (last > first && last - first >= MIN_BASE64_CORE).then(|| encoded[first..last].to_vec())
}

/// Values of the environment variables whose names match any of `globs` (e.g. `BOT*_BITGET_*`,
/// `*_SECRET*`, `REDIS_PASSWORD`). The caller passes the environment in.
pub fn values_from_env(
    globs: &[String],
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<String>, crate::Error> {
    let set = crate::glob::set(globs)?;
    Ok(env.into_iter().filter(|(name, _)| set.is_match(name)).map(|(_, value)| value).collect())
}

/// Values of a `KEY=VALUE` env file: comments and blank lines skipped, `export ` accepted,
/// matching single or double quotes removed.
pub fn values_from_env_file(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (_, value) = line.split_once('=')?;
            let value = value.trim();
            let unquoted = ['"', '\'']
                .iter()
                .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
                .unwrap_or(value);
            Some(unquoted.to_string())
        })
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(forms: &[Vec<u8>], hay: &str) -> bool {
        forms.iter().any(|f| hay.as_bytes().windows(f.len()).any(|w| w == f.as_slice()))
    }

    #[test]
    fn finds_every_encoding_in_context() {
        let value = "p@ss/w0rd \"Zq9\"";
        let forms = encodings(value);
        let url = utf8_percent_encode(value, URL_RESERVED).to_string();
        assert!(contains(&forms, &format!("postgres://bot:{url}@db"))); // hygiene:allow
        assert!(contains(&forms, &format!("postgres://bot:{}@db", lowercase_percent_escapes(&url))));
        let json =
            serde_json::to_string(&serde_json::json!({ "error": format!("bad secret {value}") })).unwrap();
        assert!(contains(&forms, &json));
        for prefix in ["", "u:", "us:", "use:"] {
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("{prefix}{value}"));
            assert!(contains(&forms, &format!("Authorization: Basic {basic}")), "prefix {prefix:?}");
            let url_safe = base64::engine::general_purpose::URL_SAFE.encode(format!("{prefix}{value}:tail"));
            assert!(contains(&forms, &url_safe), "url-safe prefix {prefix:?}");
        }
    }

    #[test]
    fn env_globs_and_env_files() {
        let env = vec![
            ("BOT1_BITGET_SECRET".to_string(), "s1-value-abc".to_string()),
            ("BOT2_BITGET_API_KEY".to_string(), "k2-value-abc".to_string()),
            ("HOME".to_string(), "/root".to_string()),
            ("REDIS_PASSWORD".to_string(), "r3dis-pass".to_string()),
        ];
        let got = values_from_env(&["BOT*_BITGET_*".into(), "REDIS_PASSWORD".into()], env).unwrap();
        assert_eq!(got, vec!["s1-value-abc", "k2-value-abc", "r3dis-pass"]);
        let file = "# comment\nexport A=\"quoted value\"\nB='single'\nC=plain\nEMPTY=\n\n";
        assert_eq!(values_from_env_file(file), vec!["quoted value", "single", "plain"]);
    }

    #[test]
    fn a_bad_env_glob_is_named_once() {
        let err = values_from_env(&["BOT*".into(), "BOT[*".into()], Vec::new()).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("invalid glob `BOT[*`: unclosed character class"), "{text}");
        assert_eq!(text.matches("BOT[*").count(), 1, "{text}");
    }
}
