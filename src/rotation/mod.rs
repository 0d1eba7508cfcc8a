//! Key rotation: the policy table (markdown in docs/ or `[[rotation.policy]]` in hygiene.toml),
//! the rotation log, and the drift status of every key for a given day.

use serde::Deserialize;

/// The `[rotation]` table of `hygiene.toml`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RotationConfig {}
