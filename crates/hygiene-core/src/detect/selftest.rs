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
                let found = if rule.near.is_empty() {
                    if !self.candidates(text)[index] {
                        fail(&rule.id, &example.text, "contains none of the rule's keywords".into());
                        continue;
                    }
                    self.find_unresolved(text, |r| r == index)
                } else {
                    // A pair rule needs its anchor's finding in the example too.
                    let anchors = self.find_unresolved(text, |_| true);
                    self.find_near(text, &anchors, |r| r == index)
                };
                if found.is_empty() {
                    let problem = if rule.near.is_empty() && self.refutes(text, index) {
                        "the value's checksum fails: compute a valid one"
                    } else {
                        "no match (or filtered as a decoy/low entropy)"
                    };
                    fail(&rule.id, &example.text, problem.into());
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
                let found = if rule.near.is_empty() {
                    self.find_unresolved(text, |r| r == index)
                } else {
                    let anchors = self.find_unresolved(text, |_| true);
                    self.find_near(text, &anchors, |r| r == index)
                };
                if !found.is_empty() {
                    fail(&rule.id, counter, "counter-example matched".into());
                }
            }
        }
        let decoys = &self.rule_set().decoys;
        for decoy in decoys.values.iter().chain(&decoys.lines) {
            let caught = |text: &str| {
                decoy.regex().is_match(text.as_bytes())
                    || (decoy.deleet
                        && decoy.regex().is_match(crate::rules::dummy::letters(text.as_bytes()).as_bytes()))
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
            let caught = |text: &str| dummy.catches(text.as_bytes());
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

/// A keyword that makes its rules run often on ordinary text.
#[derive(Debug, Clone, PartialEq)]
pub struct KeywordWarning {
    /// The keyword, lowercase.
    pub keyword: String,
    /// The rules that list it.
    pub rules: Vec<String>,
    /// Why it is costly.
    pub problem: String,
}

/// Keyword hits per MB of ordinary text above which a keyword is reported: the rule's regex
/// then runs on a good share of the lines (a vendor host on every log line).
pub const HITS_PER_MB_LIMIT: f64 = 200.0;

impl Detector {
    /// Keywords that fire too often: every 3-character piece common in ordinary text (then the
    /// exact check runs wherever that text appears), and, given a `sample` of the user's own
    /// text, keywords found more than [`HITS_PER_MB_LIMIT`] times per MB of it.
    pub fn keyword_warnings(&self, sample: Option<&[u8]>) -> Vec<KeywordWarning> {
        let rules_of = |keyword: usize| -> Vec<String> {
            self.index.rules_of(keyword).iter().map(|&r| self.rules()[r as usize].id.clone()).collect()
        };
        let name = |keyword: usize| String::from_utf8_lossy(self.index.finder.keyword(keyword)).into_owned();
        let mut warnings = Vec::new();
        let mut hits = vec![0usize; self.index.len()];
        if let Some(sample) = sample {
            for hit in self.index.finder.find_all(sample) {
                hits[hit.keyword] += 1;
            }
        }
        let megabytes = sample.map_or(0.0, |s| s.len() as f64 / 1e6);
        for (keyword, &count) in hits.iter().enumerate() {
            if self.index.rules_of(keyword).is_empty() {
                continue; // a trigger for decoding only (encoded secrets): it runs no rule
            }
            let per_mb = if megabytes > 0.0 { count as f64 / megabytes } else { 0.0 };
            if megabytes >= 0.01 && per_mb > HITS_PER_MB_LIMIT {
                warnings.push(KeywordWarning {
                    keyword: name(keyword),
                    rules: rules_of(keyword),
                    problem: format!(
                        "found {per_mb:.0} times per MB of the sample: its rules run on many lines"
                    ),
                });
            } else if self.index.finder.is_common(keyword) {
                warnings.push(KeywordWarning {
                    keyword: name(keyword),
                    rules: rules_of(keyword),
                    problem: "every 3-character piece of it is common in ordinary text".into(),
                });
            }
        }
        warnings
    }
}
