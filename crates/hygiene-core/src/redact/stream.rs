//! The streaming filter behind `hygiene redact`: input arrives in arbitrary pieces, output
//! leaves as soon as it is safe, in bounded memory.
//!
//! Safe means: only complete lines are redacted and written (a secret never spans a newline,
//! except a private key, whose block is held from its BEGIN line until its END line arrives);
//! a line longer than [`MAX_PENDING`] is released in pieces, keeping the last [`OVERLAP`]
//! bytes (longer than any single-line secret) until more input comes.
//!
//! A `near` rule (the key half of a key pair) matches only within `near_lines` lines of an
//! anchor's finding, which may come before or after it. So the last `near_lines` (the most
//! any loaded rule asks for) complete lines are held back until the lines after them arrive,
//! and the last `near_lines` lines already written are kept as read-only context: every
//! released line is detected with the same neighbours as in the whole input. The same goes
//! for the pieces released text is cut into for parallel redaction.
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

#[cfg(feature = "rayon")]
use rayon::prelude::*;

use super::{apply, merge, Redaction, Redactor};
use crate::detect::lines_before;

/// Most bytes held back waiting for a newline (and most bytes of context kept).
pub(crate) const MAX_PENDING: usize = 1 << 20;
/// Bytes kept back when a long line is released in pieces.
pub(crate) const OVERLAP: usize = 8 << 10;
/// Longest private-key block held back waiting for its END line: as long as the detector
/// finds a block whole.
pub(crate) const MAX_KEY_BLOCK: usize = crate::detect::MAX_BLOCK;
/// Released text longer than twice this is cut into pieces redacted in parallel.
const PIECE_LEN: usize = 256 << 10;

/// Redacts a stream pushed in pieces. Output is identical to redacting the whole input at once.
#[derive(Debug)]
pub struct StreamRedactor<'r> {
    redactor: &'r Redactor,
    /// Lines already written (`..written`, kept as context for `near` rules), then input
    /// not written yet.
    pending: Vec<u8>,
    written: usize,
    /// Lines of context a `near` rule needs on each side (the largest `near_lines`).
    reach: usize,
    counts: BTreeMap<String, u64>,
    redacted: u64,
}

impl<'r> StreamRedactor<'r> {
    /// A filter over `redactor`.
    pub fn new(redactor: &'r Redactor) -> Self {
        let reach = redactor
            .detector()
            .rules()
            .iter()
            .filter(|r| !r.near.is_empty())
            .map(|r| r.near_lines)
            .max()
            .unwrap_or(0);
        StreamRedactor {
            redactor,
            pending: Vec::new(),
            written: 0,
            reach,
            counts: BTreeMap::new(),
            redacted: 0,
        }
    }

    /// Takes the next piece of input and writes (and flushes) whatever is safe to release.
    pub fn push(&mut self, input: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.pending.extend_from_slice(input);
        let cut = self.line_cut();
        let release = self.hold_back(cut);
        if release > self.written {
            self.release(release, cut, out)?;
            out.flush()?;
        } else if self.pending.len() - self.written > MAX_PENDING {
            if cut > self.written {
                // Lines too long to hold back for a `near` rule: memory is bounded first.
                self.release(cut, cut, out)?;
            } else {
                // One enormous line: release all but the overlap, never cutting through a secret.
                let start = self.written;
                let lo = lines_before(&self.pending, start, self.reach);
                let spans = shifted(self.redactor.find(&self.pending[lo..]), lo);
                let mut cut = self.pending.len() - OVERLAP;
                if let Some(crossing) = spans.iter().find(|r| r.span.start < cut && cut < r.span.end) {
                    cut = crossing.span.start.max(start);
                }
                let before: Vec<Redaction> = spans.into_iter().filter(|r| r.span.end <= cut).collect();
                let before = owned(before, 0..cut, start, cut);
                self.write_redacted(cut, before, out)?;
            }
            out.flush()?;
        }
        Ok(())
    }

    /// End of input: writes the rest.
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let all = self.pending.len();
        if all > self.written {
            self.release(all, all, out)?;
        }
        out.flush()
    }

    /// How many spans were redacted so far.
    pub fn redacted(&self) -> u64 {
        self.redacted
    }

    /// Redactions so far, per rule id (`known-value` for known values).
    pub fn counts(&self) -> &BTreeMap<String, u64> {
        &self.counts
    }

    /// Redacts and writes `pending[written..end]`, detecting with the context before it and
    /// the complete lines up to `ahead` after it.
    fn release(&mut self, end: usize, ahead: usize, out: &mut dyn Write) -> io::Result<()> {
        let start = self.written;
        let reach = self.reach;
        let buf = &self.pending[..ahead];
        let redactor = self.redactor;
        // Each piece is detected with `reach` lines either side, so it finds what the whole
        // input would; a span belongs to the piece it starts in (the first piece also takes
        // one that started in the context, from where the written text ends).
        let find = |piece: &Range<usize>| {
            let lo = lines_before(buf, piece.start, reach);
            let hi = lines_after(buf, piece.end, reach);
            let spans = shifted(redactor.find(&buf[lo..hi]), lo);
            let from = if piece.start == start { 0 } else { piece.start };
            owned(spans, from..piece.end, start, end)
        };
        let pieces: Vec<Range<usize>> =
            pieces(&buf[start..end]).into_iter().map(|p| p.start + start..p.end + start).collect();
        let spans: Vec<Redaction> = if pieces.len() == 1 {
            find(&pieces[0])
        } else {
            // Pieces end where a read could have ended (a line end outside any key block), and
            // redacting input that arrived in any pieces gives the same output as redacting it
            // whole, so the parallel result is the sequential one.
            // Without the `rayon` feature the pieces are redacted one after another.
            #[cfg(feature = "rayon")]
            let pieces = pieces.par_iter();
            #[cfg(not(feature = "rayon"))]
            let pieces = pieces.iter();
            let found: Vec<Vec<Redaction>> = pieces.map(find).collect();
            merge(found.into_iter().flatten().collect())
        };
        self.write_redacted(end, spans, out)
    }

    /// Writes `pending[written..end]` with `spans` (offsets into `pending`) masked, then keeps
    /// only the last `reach` lines written as context.
    fn write_redacted(&mut self, end: usize, spans: Vec<Redaction>, out: &mut dyn Write) -> io::Result<()> {
        let start = self.written;
        if spans.is_empty() {
            out.write_all(&self.pending[start..end])?;
        } else {
            self.redactor.tally(&spans, &mut self.counts);
            self.redacted += spans.len() as u64;
            let spans = shifted_back(spans, start);
            out.write_all(&apply(&self.pending[start..end], &spans))?;
        }
        let keep = lines_before(&self.pending, end, self.reach).max(end.saturating_sub(MAX_PENDING));
        self.pending.drain(..keep);
        self.written = end - keep;
        Ok(())
    }

    /// End of the complete lines not written yet that may be released (`written`: none). A
    /// private-key block still waiting for its END line is held back, up to
    /// [`MAX_KEY_BLOCK`] bytes.
    fn line_cut(&self) -> usize {
        let buf = &self.pending[self.written..];
        let cut = memchr::memrchr(b'\n', buf).map_or(0, |i| i + 1);
        self.written
            + match open_key_block(&buf[..cut]) {
                Some(begin) if buf.len() - begin <= MAX_KEY_BLOCK => begin,
                _ => cut,
            }
    }

    /// Where released text ends: `reach` complete lines before `cut` wait for the lines
    /// after them (a `near` rule's anchor may follow its pair), and a key block they leave
    /// open waits with them.
    fn hold_back(&self, cut: usize) -> usize {
        let at = lines_before(&self.pending[self.written..cut], cut - self.written, self.reach);
        let buf = &self.pending[self.written..];
        self.written
            + match open_key_block(&buf[..at]) {
                Some(begin) if buf.len() - begin <= MAX_KEY_BLOCK => begin,
                _ => at,
            }
    }
}

/// End of the `n` lines after `at`, a line start (the end of `buf` at most).
fn lines_after(buf: &[u8], at: usize, n: usize) -> usize {
    let mut end = at;
    for _ in 0..n {
        if end >= buf.len() {
            break;
        }
        end = memchr::memchr(b'\n', &buf[end..]).map_or(buf.len(), |i| end + i + 1);
    }
    end
}

/// `spans` found in a slice starting at `by`, as offsets into the whole buffer.
fn shifted(mut spans: Vec<Redaction>, by: usize) -> Vec<Redaction> {
    for r in &mut spans {
        r.span = r.span.start + by..r.span.end + by;
    }
    spans
}

/// `spans` as offsets into the slice starting at `by`.
fn shifted_back(mut spans: Vec<Redaction>, by: usize) -> Vec<Redaction> {
    for r in &mut spans {
        r.span = r.span.start - by..r.span.end - by;
    }
    spans
}

/// The spans starting in `starts` that reach into the text being written, `written..end`,
/// cut to it (text before `written` is out already, text after `end` goes out later).
fn owned(spans: Vec<Redaction>, starts: Range<usize>, written: usize, end: usize) -> Vec<Redaction> {
    spans
        .into_iter()
        .filter(|r| starts.contains(&r.span.start) && r.span.end > written && r.span.start < end)
        .map(|mut r| {
            r.span = r.span.start.max(written)..r.span.end.min(end);
            r
        })
        .collect()
}

/// `released` (complete lines, no key block left open) cut into pieces of about
/// [`PIECE_LEN`] bytes, each ending at a line end that no private-key block spans.
fn pieces(released: &[u8]) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while released.len() - start > 2 * PIECE_LEN {
        let Some(newline) = memchr::memrchr(b'\n', &released[start..start + PIECE_LEN]) else {
            break;
        };
        let mut end = start + newline + 1;
        if let Some(begin) = open_key_block(&released[start..end]) {
            // Cut before the open block, or if it opens the piece, after its END line.
            end = if begin > 0 {
                start + begin
            } else {
                match memchr::memmem::find(&released[end..], b"-----END") {
                    Some(at) => memchr::memchr(b'\n', &released[end + at..])
                        .map_or(released.len(), |i| end + at + i + 1),
                    None => released.len(),
                }
            };
        }
        pieces.push(start..end);
        start = end;
    }
    if start < released.len() {
        pieces.push(start..released.len());
    }
    pieces
}

/// The start of the line holding the last `-----BEGIN ... PRIVATE KEY` armour, when no
/// `-----END` follows it.
fn open_key_block(buf: &[u8]) -> Option<usize> {
    // The forward search is vectorised; the reverse one is not, and it showed in profiles.
    let begin = memchr::memmem::find_iter(buf, b"-----BEGIN").last()?;
    let line_end = memchr::memchr(b'\n', &buf[begin..]).map_or(buf.len(), |i| begin + i);
    memchr::memmem::find(&buf[begin..line_end], b"PRIVATE KEY")?;
    if memchr::memmem::find(&buf[begin..], b"-----END").is_some() {
        return None;
    }
    Some(memchr::memrchr(b'\n', &buf[..begin]).map_or(0, |i| i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_block_detection() {
        assert_eq!(open_key_block(b"a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"), Some(2));
        assert_eq!(
            open_key_block(b"a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"),
            None
        );
        assert_eq!(open_key_block(b"the private key is in the vault\n"), None);
    }

    /// Lines of filler up to `len` bytes.
    fn filler(text: &mut String, len: usize) {
        while text.len() < len {
            text.push_str("2026-11-20T08:00:00Z INFO order filled qty=1\n");
        }
    }

    /// `n` characters of `alphabet`, from a fixed seed: test values are built at run time.
    fn made_up(seed: u64, alphabet: &[u8], n: usize) -> String {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                alphabet[(x % alphabet.len() as u64) as usize] as char
            })
            .collect()
    }

    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// The two halves of a key pair, the anchor (`secret`) first or second, `apart` lines
    /// apart (1: adjacent), and the key half's value.
    fn key_pairs() -> Vec<(String, String, String)> {
        let key = made_up(7, ALNUM, 32);
        let secret = made_up(11, ALNUM, 48);
        let key_line = format!("key: {key}\n");
        let secret_line = format!("secret: {secret}\n");
        let mut pairs = Vec::new();
        for apart in [1, 2] {
            let between = "2026-11-20T08:00:01Z INFO reconnect attempt=1\n".repeat(apart - 1);
            pairs.push((
                format!("{secret_line}{between}{key_line}"),
                format!("anchor first, {apart} apart"),
                key.clone(),
            ));
            pairs.push((
                format!("{key_line}{between}{secret_line}"),
                format!("anchor second, {apart} apart"),
                key.clone(),
            ));
        }
        pairs
    }

    /// Pushes `data` in the pieces `cuts` makes and finishes.
    fn streamed(redactor: &Redactor, data: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut stream = StreamRedactor::new(redactor);
        let mut from = 0;
        for &cut in cuts.iter().chain([&data.len()]) {
            stream.push(&data[from..cut], &mut out).expect("writing to memory cannot fail");
            from = cut;
        }
        stream.finish(&mut out).expect("writing to memory cannot fail");
        out
    }

    #[test]
    fn a_key_pair_is_redacted_the_same_for_every_split_of_the_input() {
        let redactor = Redactor::builder().build().expect("built-in rules load");
        for (pair, layout, key) in key_pairs() {
            let data = format!(
                "2026-11-20T08:00:00Z INFO bot1 starting\n{pair}2026-11-20T08:00:02Z INFO connected\nlast line"
            );
            let data = data.as_bytes();
            let whole = redactor.redact_bytes(data);
            assert!(!contains(&whole, key.as_bytes()), "{layout}: the one-shot output holds the key half");
            for split in 0..=data.len() {
                let out = streamed(&redactor, data, &[split]);
                assert!(out == whole.as_ref(), "{layout}: split at {split} differs from the one-shot output");
            }
            let every_byte: Vec<usize> = (1..data.len()).collect();
            assert!(streamed(&redactor, data, &every_byte) == whole.as_ref(), "{layout}: byte by byte");
        }
    }

    #[test]
    fn a_key_pair_across_a_parallel_piece_boundary_is_redacted_as_in_one_shot() {
        let redactor = Redactor::builder().build().expect("built-in rules load");
        for (pair, layout, key) in key_pairs() {
            let first_line = pair.find('\n').expect("a line") + 1;
            let mut text = String::new();
            let target = PIECE_LEN - first_line - 5;
            filler(&mut text, target - 60);
            text.push_str(&"-".repeat(target - text.len() - 1));
            text.push('\n');
            let boundary = text.len() + first_line;
            text.push_str(&pair);
            filler(&mut text, 3 * PIECE_LEN);
            let data = text.as_bytes();
            // The first piece ends right after the pair's first line.
            assert!(pieces(data).iter().any(|p| p.end == boundary), "{layout}: {:?}", pieces(data));
            let whole = redactor.redact_bytes(data);
            assert!(!contains(&whole, key.as_bytes()), "{layout}: the one-shot output holds the key half");
            assert!(streamed(&redactor, data, &[]) == whole.as_ref(), "{layout}: one push");
            assert!(
                streamed(&redactor, data, &[boundary - 1]) == whole.as_ref(),
                "{layout}: read ends in the pair"
            );
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        memchr::memmem::find(haystack, needle).is_some()
    }

    #[test]
    fn pieces_cover_the_input_at_line_ends_and_never_split_a_key_block() {
        let block = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}-----END RSA PRIVATE KEY-----\n",
            "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n".repeat(25)
        );
        for before_boundary in [10, 500, 1000, block.len() - 10] {
            let mut text = String::new();
            filler(&mut text, PIECE_LEN - before_boundary);
            let block_at = text.len();
            text.push_str(&block);
            filler(&mut text, 3 * PIECE_LEN);
            let pieces = pieces(text.as_bytes());
            assert!(pieces.len() >= 2, "{pieces:?}");
            assert_eq!(pieces.first().map(|p| p.start), Some(0));
            assert_eq!(pieces.last().map(|p| p.end), Some(text.len()));
            for pair in pieces.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert_eq!(text.as_bytes()[pair[0].end - 1], b'\n');
                let cut = pair[0].end;
                assert!(
                    cut <= block_at || cut >= block_at + block.len(),
                    "cut {cut} inside the key block at {block_at}..{}",
                    block_at + block.len()
                );
            }
        }
    }
}
