//! The self-test behind `hygiene rules check` and the test suite: every rule finds each of
//! its examples (through the prefilter, as in a real scan) and none of its counter-examples,
//! and every decoy filter catches its examples and spares its counter-examples.
use super::Detector;

/// One example that did not behave as its rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// Rule or decoy id.
    pub id: String,
    /// The example text. Examples are fake by policy, so showing them is safe.
    pub example: String,
    /// What went wrong.
    pub problem: String,
}

impl Detector {
    /// Checks every rule's examples and counter-examples, and every decoy's.
    pub fn check_examples(&self) -> Vec<ExampleFailure> {
        // Compile every rule, not only those an example reaches.
        self.rule_set().compile_all();
        let mut failures = Vec::new();
        let mut fail = |id: &str, example: &str, problem: String| {
            failures.push(ExampleFailure { id: id.to_string(), example: example.to_string(), problem });
        };
        for (index, rule) in self.rules().iter().enumerate() {
            if rule.examples.is_empty() {
                fail(&rule.id, "", "rule has no examples".into());
            }
            let decoys = &self.rule_set().decoys;
            for ignored in &rule.ignore_decoys {
                let known = decoys.values.iter().chain(&decoys.lines).any(|d| &d.id == ignored)
                    || decoys.dummies.iter().any(|d| &d.id == ignored);
                if !known {
                    fail(&rule.id, ignored, "ignore_decoys names no decoy".into());
                }
            }
            for example in &rule.examples {
                let text = example.text.as_bytes();
                if !self.candidates(text)[index] {
                    fail(&rule.id, &example.text, "contains none of the rule's keywords".into());
                    continue;
                }
                let found = self.find_unresolved(text, |r| r == index);
                if found.is_empty() {
                    fail(&rule.id, &example.text, "no match (or filtered as a decoy/low entropy)".into());
                    continue;
                }
                if !rule.multiline && found.iter().any(|m| text[m.span.clone()].contains(&b'\n')) {
                    fail(&rule.id, &example.text, "match spans lines: set `multiline = true`".into());
                }
                if let Some(secret) = &example.secret {
                    let captured: Vec<&[u8]> = found.iter().map(|m| &text[m.secret.clone()]).collect();
                    if !captured.contains(&secret.as_bytes()) {
                        let got: Vec<String> =
                            captured.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
                        fail(&rule.id, &example.text, format!("captured {got:?}, expected {secret:?}"));
                    }
                }
            }
            for counter in &rule.counter_examples {
                let text = counter.as_bytes();
                if !self.find_unresolved(text, |r| r == index).is_empty() {
                    fail(&rule.id, counter, "counter-example matched".into());
                }
            }
        }
        let decoys = &self.rule_set().decoys;
        for decoy in decoys.values.iter().chain(&decoys.lines) {
            let caught = |text: &str| {
                decoy.regex.is_match(text.as_bytes())
                    || (decoy.deleet
                        && decoy.regex.is_match(crate::rules::dummy::letters(text.as_bytes()).as_bytes()))
            };
            for example in &decoy.examples {
                if !caught(example) {
                    fail(&decoy.id, example, "decoy example not caught".into());
                }
            }
            for counter in &decoy.counter_examples {
                if caught(counter) {
                    fail(&decoy.id, counter, "decoy counter-example caught".into());
                }
            }
        }
        for dummy in &decoys.dummies {
            let caught =
                |text: &str| crate::rules::dummy::is_dummy(text.as_bytes(), &dummy.values, &dummy.words);
            for example in &dummy.examples {
                if !caught(example) {
                    fail(&dummy.id, example, "dummy example not caught".into());
                }
            }
            for counter in &dummy.counter_examples {
                if caught(counter) {
                    fail(&dummy.id, counter, "dummy counter-example caught".into());
                }
            }
        }
        failures
    }
}
