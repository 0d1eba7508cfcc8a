//! Planted values and the check that none of them shows anywhere: the value itself, and no
//! 8-character piece of it (a mask may show the last 4 characters, never 8 in a row).
use aho_corasick::AhoCorasick;

/// Values planted in a test's inputs, to look for in everything the process printed or wrote.
#[derive(Default)]
pub(crate) struct Planted {
    values: Vec<String>,
}

/// The length of the pieces looked for: the last 4 characters may be shown (`****ABCD`), so
/// any 8 in a row would show at least 4 more than a mask does.
pub(crate) const PIECE: usize = 8;

impl Planted {
    /// Adds a value (a multi-line one counts line by line).
    pub(crate) fn add(&mut self, value: impl Into<String>) {
        let value = value.into();
        for line in value.lines().map(str::trim).filter(|l| l.chars().count() >= PIECE) {
            self.values.push(line.to_string());
        }
    }

    /// How many values (lines of values) are planted.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Every `PIECE`-character window of every value, except those inside the value's public
    /// prefix (`sk_live_`, `xoxb-`: up to the last `_` or `-` in its first 12 characters),
    /// which rule descriptions name.
    fn pieces(&self) -> Vec<String> {
        let mut pieces: Vec<String> = Vec::new();
        for value in &self.values {
            let chars: Vec<char> = value.chars().collect();
            let prefix = chars.iter().take(12).rposition(|c| matches!(c, '_' | '-')).map_or(0, |i| i + 1);
            for (start, window) in chars.windows(PIECE).enumerate() {
                if start + PIECE > prefix {
                    pieces.push(window.iter().collect());
                }
            }
        }
        pieces.sort();
        pieces.dedup();
        pieces
    }

    /// The first planted piece found in `bytes`, if any (reported by position, never the
    /// value, so a failing test does not print it either).
    pub(crate) fn find_in(&self, bytes: &[u8]) -> Option<String> {
        let pieces = self.pieces();
        let finder = AhoCorasick::new(&pieces).expect("pieces build an automaton");
        finder.find(bytes).map(|m| {
            let piece = &pieces[m.pattern().as_usize()];
            let value = self.values.iter().position(|v| v.contains(piece.as_str())).unwrap_or(0);
            format!("8 characters of planted value #{value} at byte {}", m.start())
        })
    }

    /// Asserts that no planted piece appears in `bytes`, named `what` in the failure.
    pub(crate) fn assert_absent(&self, what: &str, bytes: &[u8]) {
        if let Some(leak) = self.find_in(bytes) {
            panic!("{what} leaks: {leak}");
        }
    }
}
