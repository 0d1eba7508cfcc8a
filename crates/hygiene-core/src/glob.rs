//! Globs, compiled one way for every caller: scan scopes, excludes, forbidden files and the
//! allowlist's paths (through the application library's `walk::glob_set`), and the names of
//! environment variables whose values are redacted ([`crate::redact::known::values_from_env`]).
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::Error;

/// Compiles `globs` into one set. `*`, `?` and `[...]` never match `/` (only `**` crosses
/// directories: `data/*/logs/**` reaches `data/bot1/logs/app.log` but not
/// `data/a/b/logs/app.log`); in names without `/`, such as `BOT*_BITGET_*`, that changes
/// nothing. An invalid glob is an [`Error::Glob`] naming it, and what is wrong with it, once.
pub fn set<S: AsRef<str>>(globs: &[S]) -> Result<GlobSet, Error> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(parse(glob.as_ref())?);
    }
    builder.build().map_err(|e| Error::Glob {
        glob: globs.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "),
        message: e.kind().to_string(),
    })
}

/// Checks that `glob` parses as [`set`] reads it (the error [`set`] would give), without
/// compiling anything: parsing is cheap, a set's regexes are not.
pub fn check(glob: &str) -> Result<(), Error> {
    parse(glob).map(|_| ())
}

fn parse(glob: &str) -> Result<globset::Glob, Error> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map_err(|e| Error::Glob { glob: glob.to_string(), message: e.kind().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_star_stays_in_its_directory() {
        let scopes = set(&["data/*/logs/**", "docs/*.md"]).unwrap();
        assert!(scopes.is_match("data/bot1/logs/app.log"));
        assert!(scopes.is_match("data/bot1/logs/2026/11/app.log"));
        assert!(!scopes.is_match("data/a/b/logs/app.log"));
        assert!(scopes.is_match("docs/runbook.md"));
        assert!(!scopes.is_match("docs/old/runbook.md"));
        let names = set(&["BOT*_BITGET_*", "*_SECRET*", "REDIS_PASSWORD"]).unwrap();
        assert!(names.is_match("BOT1_BITGET_API_KEY") && names.is_match("BOT12_BITGET_SECRET"));
        assert!(names.is_match("DB_SECRET_KEY") && names.is_match("REDIS_PASSWORD"));
        assert!(!names.is_match("BOT1_BINANCE_KEY") && !names.is_match("REDIS_PASSWORD_OLD"));
        assert!(set::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn an_invalid_glob_is_named_once_with_what_is_wrong() {
        let err = set(&["docs/**", "BOT[*"]).unwrap_err();
        let Error::Glob { glob, message } = &err else { panic!("{err:?}") };
        assert_eq!(glob, "BOT[*");
        assert!(message.contains("unclosed character class"), "{message}");
        let text = err.to_string();
        assert_eq!(text.matches("BOT[*").count(), 1, "{text}");
        assert!(text.starts_with("invalid glob `BOT[*`: "), "{text}");
    }
}
