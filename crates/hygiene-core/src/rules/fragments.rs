//! Named regex fragments that rule and decoy patterns share, written `{name}` in a pattern and
//! expanded when a pack is compiled (built-in packs and a user's alike). One syntax many rules
//! spell the same way (how a config or source line assigns a value to a name) is then one
//! edit, not one per rule: the next assignment operator a real file shows joins every rule at
//! once.
//!
//! A `{` that starts a fragment is never a regex repetition: those hold digits (`{2}`,
//! `{1,3}`), a fragment's name holds lowercase letters and `_`. An escaped `\{name}` stays
//! literal.

use std::borrow::Cow;

/// Every fragment: name, the regex it stands for, and what it matches (for `rules/FORMAT.md`
/// and the errors).
pub(crate) const FRAGMENTS: &[(&str, &str, &str)] = &[(
    "assign",
    r"(?:=>|:{1,3}=|[?.]=|[=:])",
    "an assignment operator between a name and its value: `=`, `:`, `=>`, `:=`, `::=`, `:::=`, `?=`, `.=`",
)];

/// `pattern` with every `{name}` replaced by its fragment (borrowed when it holds none), or the
/// error naming an unknown fragment.
pub(crate) fn expand(pattern: &str) -> Result<Cow<'_, str>, String> {
    if !pattern.contains('{') {
        return Ok(Cow::Borrowed(pattern));
    }
    let bytes = pattern.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = pattern[at..].find('{') {
        let open = at + offset;
        at = open + 1;
        let backslashes = bytes[..open].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 1 {
            continue;
        }
        let name_len = bytes[at..].iter().take_while(|b| b.is_ascii_lowercase() || **b == b'_').count();
        if name_len == 0 || bytes.get(at + name_len) != Some(&b'}') {
            continue;
        }
        let name = &pattern[at..at + name_len];
        let Some((_, fragment, _)) = FRAGMENTS.iter().find(|(known, _, _)| *known == name) else {
            let known: Vec<String> = FRAGMENTS.iter().map(|(n, _, _)| format!("{{{n}}}")).collect();
            return Err(format!("unknown fragment `{{{name}}}` (known: {})", known.join(", ")));
        };
        out.push_str(&pattern[copied..open]);
        out.push_str(fragment);
        at += name_len + 1;
        copied = at;
    }
    if copied == 0 {
        return Ok(Cow::Borrowed(pattern));
    }
    out.push_str(&pattern[copied..]);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_is_replaced_by_its_regex_everywhere_it_occurs() {
        let assign = FRAGMENTS[0].1;
        assert_eq!(expand("key[ \t]*{assign}[ \t]*x").unwrap(), format!("key[ \t]*{assign}[ \t]*x"));
        assert_eq!(expand("{assign}a{assign}").unwrap(), format!("{assign}a{assign}"));
    }

    #[test]
    fn repetitions_escapes_and_text_without_fragments_stay_as_written() {
        for pattern in
            [r"[a-z]{32}", r"x{1,3}y{2,}", r"\{assign}", r"a{ assign}", r"{Assign}", "{", "a{b", "{}"]
        {
            assert!(matches!(expand(pattern), Ok(Cow::Borrowed(p)) if p == pattern), "{pattern}");
        }
        // An escaped backslash before the brace does not escape the brace.
        assert_eq!(expand(r"\\{assign}").unwrap(), format!(r"\\{}", FRAGMENTS[0].1));
    }

    #[test]
    fn an_unknown_fragment_is_an_error_that_names_it_and_the_known_ones() {
        let error = expand("token{assing}x").unwrap_err();
        assert!(error.contains("`{assing}`") && error.contains("{assign}"), "{error}");
    }

    #[test]
    fn the_assign_fragment_accepts_every_operator_it_documents_and_no_other() {
        let regex = regex::Regex::new(&format!("^{}$", FRAGMENTS[0].1)).unwrap();
        for operator in ["=", ":", "=>", ":=", "::=", ":::=", "?=", ".="] {
            assert!(regex.is_match(operator), "{operator}");
        }
        for other in ["", "==", "+", "-=", "::::=", " ="] {
            assert!(!regex.is_match(other), "{other}");
        }
    }
}
