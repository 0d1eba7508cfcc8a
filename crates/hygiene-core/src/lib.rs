//! # hygiene-core
//!
//! The lean core of secrets-hygiene: rule packs ([`rules`], the packs in the repository's
//! `rules/` embedded at build time), detection ([`detect`]) and redaction ([`redact`]: masking,
//! [`redact::Redactor`], known values and their encodings, the streaming redactor). It has no
//! CLI or terminal dependencies; the `secrets-hygiene` application library (walk, read, scan,
//! report, baseline, rotation, gate) and the `hygiene` binary build on it and re-export it.
//!
//! ```
//! use hygiene_core::{detect::Detector, rules::RuleSet};
//!
//! let detector = Detector::new(RuleSet::builtin()?)?;
//! // Built at run time so this file holds no token-shaped literal.
//! let line = format!("GITHUB_TOKEN={}{}", "ghp_", "R7nKq2Vb9XzL4mWc8TfY1pHs5JdA3u2O133K");
//! let found = detector.find(line.as_bytes());
//! assert_eq!(found.len(), 1);
//! assert_eq!(detector.rules()[found[0].rule].id, "github.pat-classic");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
pub mod detect;
mod error;
pub mod glob;
pub mod redact;
pub mod rules;

pub use error::Error;
