//! The streaming filter behind `hygiene redact`: input arrives in arbitrary pieces, output
//! leaves as soon as it is safe, in bounded memory.
//!
//! Safe means: only complete lines are redacted and written (a secret never spans a newline,
//! except a private key, whose block is held from its BEGIN line until its END line arrives);
//! a line longer than [`MAX_PENDING`] is released in pieces, keeping the last [`OVERLAP`]
//! bytes (longer than any single-line secret) until more input comes.
use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{apply, Redaction, Redactor};

/// Most bytes held back waiting for a newline.
pub(crate) const MAX_PENDING: usize = 1 << 20;
/// Bytes kept back when a long line is released in pieces.
pub(crate) const OVERLAP: usize = 8 << 10;
/// Longest private-key block held back waiting for its END line.
pub(crate) const MAX_KEY_BLOCK: usize = 64 << 10;

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
        let spans: Vec<Redaction> = self.redactor.find(&self.pending[..cut]);
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

/// The start of the line holding the last `-----BEGIN ... PRIVATE KEY` armour, when no
/// `-----END` follows it.
fn open_key_block(buf: &[u8]) -> Option<usize> {
    let begin = memchr::memmem::rfind(buf, b"-----BEGIN")?;
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
}
