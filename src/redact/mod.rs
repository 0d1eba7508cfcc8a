//! Masking: the one function that turns a secret into what may be shown (`****ABCD`).
//! The scanner's report and the redaction filter both use it, so they always agree.

/// Values shorter than this are masked completely: their last 4 characters would give
/// away too large a share of the value.
pub const MIN_LEN_FOR_SUFFIX: usize = 12;

/// Masks a secret: `****` followed by its last 4 characters, or `****` alone when the value
/// is shorter than [`MIN_LEN_FOR_SUFFIX`] characters. Counts characters, not bytes, so a
/// UTF-8 sequence is never split.
///
/// ```
/// use secrets_hygiene::redact::mask;
/// assert_eq!(mask("sk_live_51Hq8ZrKd0LmXw7PfT3uYh9s"), "****Yh9s");
/// assert_eq!(mask("hunter2"), "****");
/// ```
pub fn mask(secret: &str) -> String {
    let count = secret.chars().count();
    if count < MIN_LEN_FOR_SUFFIX {
        return "****".to_string();
    }
    let tail_start = secret.char_indices().nth(count - 4).map_or(0, |(i, _)| i);
    format!("****{}", &secret[tail_start..])
}

/// [`mask`] for raw bytes; invalid UTF-8 counts as one replacement character per bad sequence.
pub fn mask_bytes(secret: &[u8]) -> String {
    mask(&String::from_utf8_lossy(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_last_four_characters_of_long_values() {
        assert_eq!(mask("abcdefghijkl"), "****ijkl");
        assert_eq!(mask("abcdefghijk"), "****");
        assert_eq!(mask(""), "****");
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 12 characters, 4 of them multi-byte at the end.
        let value = "passwordéüñö";
        assert_eq!(mask(value), "****éüñö");
        assert_eq!(mask("ééééééééééé"), "****");
    }

    #[test]
    fn invalid_utf8_does_not_panic() {
        let value = b"abcdefghij\xff\xfe\xfdxyz";
        assert!(mask_bytes(value).starts_with("****"));
        assert!(mask_bytes(value).ends_with("xyz"));
    }
}
