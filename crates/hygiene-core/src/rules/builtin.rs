//! The rule packs under the repository's `rules/`, embedded at build time by this crate's
//! `build.rs`.

/// `(file name, contents)` of every built-in pack, sorted by file name.
pub(crate) const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The same packs without their examples and counter-examples (what a scan loads).
pub(crate) const LEAN_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules_lean.rs"));
