//! # secrets-hygiene
//!
//! A secrets hygiene scanner for operations repositories: runbooks (`docs/`), generated
//! evidence (`reports/`) and service logs (`data/*/logs`). It finds credentials with rule
//! packs (data in `rules/`, embedded at build time) and context-aware entropy, and reports
//! them masked (`****ABCD`) with keyed fingerprints, never in the clear.
//!
//! Data flows one way: [`walk`] -> [`read`] -> [`detect`] -> [`findings`] -> [`report`].
//!
//! Rules, detection and redaction live in the lean `hygiene-core` crate
//! (`crates/hygiene-core`, no CLI or terminal dependencies); this crate re-exports them as
//! [`rules`], [`detect`] and [`redact`], so `secrets_hygiene::detect::Detector` and
//! `hygiene_core::detect::Detector` are the same type.
//!
//! ```
//! use secrets_hygiene::{detect::Detector, rules::RuleSet};
//!
//! let detector = Detector::new(RuleSet::builtin()?)?;
//! // Built at run time so this file holds no token-shaped literal.
//! let line = format!("GITHUB_TOKEN={}{}", "ghp_", "R7nKq2Vb9XzL4mWc8TfY1pHs5JdA3u2O133K");
//! let found = detector.find(line.as_bytes());
//! assert_eq!(found.len(), 1);
//! assert_eq!(detector.rules()[found[0].rule].id, "github.pat-classic");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
pub mod allow;
pub mod atomic;
pub mod baseline;
pub mod config;
mod error;
pub mod findings;
pub mod fingerprint;
pub mod forbidden;
pub mod gate;
pub mod ignore_files;
pub mod location;
pub mod read;
pub mod report;
pub mod rewrite;
pub mod rotation;
pub mod run;
pub mod scan;
pub mod walk;

pub use error::Error;

/// The config file's name, at the scan root (see [`config`]).
pub const CONFIG_FILE: &str = "hygiene.toml";
pub use hygiene_core::{detect, redact, rules, Error as CoreError};
