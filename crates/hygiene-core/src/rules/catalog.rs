//! What the rule set covers, for people: `hygiene rules list` in its three formats. The
//! markdown form is the coverage table a user reads to see whether their vendor is covered.
use std::collections::BTreeMap;

use super::{Rule, RuleSet};

/// How `rules list` prints the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogFormat {
    /// One line per rule: id, severity, description, source file.
    Human,
    /// A JSON array of rules (id, provider, description, severity, keywords, generic, source).
    Json,
    /// A markdown table per provider, sorted by provider.
    Markdown,
}

/// Renders the rule set as `format` asks.
pub fn render(set: &RuleSet, format: CatalogFormat) -> String {
    match format {
        CatalogFormat::Human => human(set),
        CatalogFormat::Json => {
            let list: Vec<serde_json::Value> = set
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "provider": r.provider, "description": r.description,
                        "severity": r.severity, "keywords": r.keywords, "generic": r.generic,
                        "source": r.source,
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&list).expect("rules serialize");
            text.push('\n');
            text
        }
        CatalogFormat::Markdown => markdown(set),
    }
}

fn human(set: &RuleSet) -> String {
    let width = set.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for r in &set.rules {
        text.push_str(&format!(
            "{:width$}  {:8}  {}  [{}]\n",
            r.id,
            r.severity.as_str(),
            r.description,
            r.source
        ));
    }
    text.push_str(&format!("{} rules\n", set.rules.len()));
    text
}

/// Providers in alphabetical order (case-insensitive), each with its rules.
fn by_provider(set: &RuleSet) -> BTreeMap<String, Vec<&Rule>> {
    let mut providers: BTreeMap<String, Vec<&Rule>> = BTreeMap::new();
    for rule in &set.rules {
        providers.entry(rule.provider.clone()).or_default().push(rule);
    }
    providers
}

fn markdown(set: &RuleSet) -> String {
    let providers = by_provider(set);
    let mut sorted: Vec<(&String, &Vec<&Rule>)> = providers.iter().collect();
    sorted.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    let mut text = format!(
        "{} rules for {} providers (`hygiene rules list --format markdown`).\n\n",
        set.rules.len(),
        providers.len()
    );
    text.push_str("| provider | rule | severity | finds |\n| --- | --- | --- | --- |\n");
    for (provider, rules) in sorted {
        for (i, rule) in rules.iter().enumerate() {
            let name = if i == 0 { escape(provider) } else { String::new() };
            text.push_str(&format!(
                "| {name} | `{}` | {} | {} |\n",
                rule.id,
                rule.severity.as_str(),
                escape(&rule.description)
            ));
        }
    }
    text
}

/// Escapes what would break a markdown table cell.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_lists_every_rule_once_under_its_provider() {
        let set = RuleSet::builtin().expect("built-in rules load");
        let text = render(&set, CatalogFormat::Markdown);
        for rule in &set.rules {
            assert_eq!(text.matches(&format!("`{}`", rule.id)).count(), 1, "{}", rule.id);
        }
        // The provider is named once, on its first row; its other rows follow with an empty cell.
        assert_eq!(text.lines().filter(|l| l.starts_with("| HashiCorp Vault |")).count(), 1);
        let rows: Vec<&str> = text.lines().collect();
        let first = rows.iter().position(|l| l.starts_with("| HashiCorp Vault |")).unwrap();
        let vault_rows = rows[first..].iter().take_while(|l| l.contains("`vault.")).count();
        assert_eq!(vault_rows, set.rules.iter().filter(|r| r.id.starts_with("vault.")).count());
        // One header row, one separator, then one row per rule.
        let rows = text.lines().filter(|l| l.starts_with('|')).count();
        assert_eq!(rows, set.rules.len() + 2);
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(escape("a|b\nc"), "a\\|b c");
    }
}
