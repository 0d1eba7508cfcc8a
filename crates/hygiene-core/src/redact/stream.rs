//! The streaming filter behind `hygiene redact`: input arrives in arbitrary pieces, output
//! leaves as soon as it is safe, in bounded memory.
//!
//! Safe means: only complete lines are redacted and written (a secret never spans a newline,
//! except a private key, whose block is held from its BEGIN line until its END line arrives);
//! a line longer than [`MAX_PENDING`] is released in pieces, keeping the last [`OVERLAP`]
//! bytes (longer than any single-line secret) until more input comes.
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

#[cfg(feature = "rayon")]
use rayon::prelude::*;

use super::{apply, Redaction, Redactor};

/// Most bytes held back waiting for a newline.
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
    pending: Vec<u8>,
    counts: BTreeMap<String, u64>,
    redacted: u64,
}

impl<'r> StreamRedactor<'r> {
    /// A filter over `redactor`.
    pub fn new(redactor: &'r Redactor) -> Self {
        StreamRedactor { redactor, pending: Vec::new(), counts: BTreeMap::new(), redacted: 0 }
    }

    /// Takes the next piece of input and writes (and flushes) whatever is safe to release.
    pub fn push(&mut self, input: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.pending.extend_from_slice(input);
        let cut = self.line_cut();
        if cut > 0 {
            self.release(cut, out)?;
            out.flush()?;
        } else if self.pending.len() > MAX_PENDING {
            // One enormous line: release all but the overlap, never cutting through a secret.
            let spans = self.redactor.find(&self.pending);
            let mut cut = self.pending.len() - OVERLAP;
            if let Some(crossing) = spans.iter().find(|r| r.span.start < cut && cut < r.span.end) {
                cut = crossing.span.start;
            }
            let before: Vec<Redaction> = spans.into_iter().filter(|r| r.span.end <= cut).collect();
            self.write_redacted(cut, &before, out)?;
            out.flush()?;
        }
        Ok(())
    }

    /// End of input: writes the rest.
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let all = self.pending.len();
        if all > 0 {
            self.release(all, out)?;
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

    fn release(&mut self, cut: usize, out: &mut dyn Write) -> io::Result<()> {
        let released = &self.pending[..cut];
        let pieces = pieces(released);
        let spans: Vec<Redaction> = if pieces.len() == 1 {
            self.redactor.find(released)
        } else {
            // Pieces end where a read could have ended (a line end outside any key block), and
            // redacting input that arrived in any pieces gives the same output as redacting it
            // whole, so the parallel result is the sequential one.
            // Without the `rayon` feature the pieces are redacted one after another.
            #[cfg(feature = "rayon")]
            let pieces = pieces.par_iter();
            #[cfg(not(feature = "rayon"))]
            let pieces = pieces.iter();
            let found: Vec<Vec<Redaction>> = pieces
                .map(|piece| {
                    let mut spans = self.redactor.find(&released[piece.clone()]);
                    for r in &mut spans {
                        r.span = r.span.start + piece.start..r.span.end + piece.start;
                    }
                    spans
                })
                .collect();
            found.into_iter().flatten().collect()
        };
        self.write_redacted(cut, &spans, out)
    }

    fn write_redacted(&mut self, cut: usize, spans: &[Redaction], out: &mut dyn Write) -> io::Result<()> {
        if spans.is_empty() {
            out.write_all(&self.pending[..cut])?;
        } else {
            self.redactor.tally(spans, &mut self.counts);
            self.redacted += spans.len() as u64;
            out.write_all(&apply(&self.pending[..cut], spans))?;
        }
        self.pending.drain(..cut);
        Ok(())
    }

    /// End of the complete lines that may be released (0: none yet). A private-key block
    /// still waiting for its END line is held back, up to [`MAX_KEY_BLOCK`] bytes.
    fn line_cut(&self) -> usize {
        let buf = &self.pending;
        let cut = memchr::memrchr(b'\n', buf).map_or(0, |i| i + 1);
        match open_key_block(&buf[..cut]) {
            Some(begin) if buf.len() - begin <= MAX_KEY_BLOCK => begin,
            _ => cut,
        }
    }
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
