//! Opening a file for scanning: recognises known binary formats by their magic bytes (skipped
//! and counted), gzip streams (decompressed on the fly) and UTF-16 text (with or without a
//! byte-order mark; transcoded to UTF-8), and hands the scanner a plain byte stream.
//!
//! Anything else is judged by its bytes, not by a single NUL: text keeps its stray NULs and
//! runs of NULs (what `copytruncate` leaves at the start of a log) and is scanned around
//! them. Content that is not text is skipped, counted and listed by name; content whose start
//! and end disagree (binary at the start, text at the end) is an error, never a silent skip.
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;
use flate2::read::MultiGzDecoder;

/// How many leading (and, when the start is not text, trailing) bytes decide what a file holds.
pub const SNIFF_LEN: usize = 8192;

/// The skip reason of content that is not text and has no known format.
pub const NOT_TEXT: &str = "binary";

/// What a file turned out to hold.
pub enum Opened {
    /// A byte stream to scan (decompressed when the file was gzip, UTF-8 when it was UTF-16).
    Text(Box<dyn Read + Send>),
    /// A known binary format, recognised by its magic bytes; the kind is counted.
    Binary(&'static str),
    /// No known format and not text ([`NOT_TEXT`]): counted, and listed by name in the report.
    NotText,
}

/// How a sample of bytes reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A known binary format (its kind).
    Known(&'static str),
    /// UTF-16 text in this byte order: transcode before scanning.
    Utf16(&'static Encoding),
    /// Text in an ASCII-compatible encoding (UTF-8, Latin-1, ...), possibly holding NULs.
    Text,
    /// Too few bytes other than NUL to tell (an empty file, a run of NULs).
    Unknown,
    /// Not text.
    NotText,
}

/// Opens `path`, sniffing its first bytes (and its last ones when the first are not text).
pub fn open(path: &Path) -> io::Result<Opened> {
    open_file(File::open(path)?)
}

/// [`open`] for a file already open (at its start). The stream reads the file sequentially
/// after the sniff, so the file's offset tells how far it was read.
pub fn open_file(mut file: File) -> io::Result<Opened> {
    let head = read_head(&mut file)?;
    let tail = match sniff(&head) {
        Sniffed::NotText | Sniffed::Unknown => read_tail(&mut file, head.len())?,
        _ => None,
    };
    file.seek(SeekFrom::Start(head.len() as u64))?;
    classify(head, tail.as_deref(), Box::new(file))
}

/// Sniffs content already in memory (the git index, for `scan --staged`).
pub fn open_bytes(bytes: Vec<u8>) -> io::Result<Opened> {
    let tail = (bytes.len() > SNIFF_LEN).then(|| bytes[(bytes.len() - SNIFF_LEN).max(SNIFF_LEN)..].to_vec());
    let mut reader = Cursor::new(bytes);
    let head = read_head(&mut reader)?;
    classify(head, tail.as_deref(), Box::new(reader))
}

/// Sniffs an already open stream whose end cannot be looked at.
pub fn open_reader(mut reader: Box<dyn Read + Send>) -> io::Result<Opened> {
    let head = read_head(&mut reader)?;
    classify(head, None, reader)
}

/// Decides on `head` (the first bytes, already read from `rest`) and `tail` (the last bytes,
/// when they were looked at).
fn classify(head: Vec<u8>, tail: Option<&[u8]>, rest: Box<dyn Read + Send>) -> io::Result<Opened> {
    if head.starts_with(&[0x1f, 0x8b]) {
        // Decompressed on a thread of its own: a big rotated log then uses a second core.
        let mut gz = ReadAhead::new(Box::new(MultiGzDecoder::new(Cursor::new(head).chain(rest))));
        let inner = read_head(&mut gz)?;
        return classify(inner, None, Box::new(gz));
    }
    let whole = Cursor::new(head);
    match sniff(whole.get_ref()) {
        Sniffed::Known(kind) => Ok(Opened::Binary(kind)),
        Sniffed::Utf16(encoding) => Ok(Opened::Text(Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_override(true)
                .strip_bom(true)
                .build(whole.chain(rest)),
        ))),
        Sniffed::Text => Ok(Opened::Text(Box::new(whole.chain(rest)))),
        Sniffed::Unknown => match tail.map(sniff) {
            Some(Sniffed::NotText | Sniffed::Known(_)) => Ok(Opened::NotText),
            _ => Ok(Opened::Text(Box::new(whole.chain(rest)))),
        },
        Sniffed::NotText => match tail.map(sniff) {
            Some(Sniffed::Text | Sniffed::Utf16(_)) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not scanned: starts with binary data but ends in text (exclude it if it is not text)",
            )),
            _ => Ok(Opened::NotText),
        },
    }
}

/// Size of the blocks a [`ReadAhead`] thread reads.
const READ_AHEAD_BLOCK: usize = 256 << 10;
/// Blocks a [`ReadAhead`] thread may hold ready before it waits for the reader.
const READ_AHEAD_BLOCKS: usize = 4;

/// A reader whose source is read on its own thread, a few blocks ahead: decompressing a big
/// gzip log then overlaps with scanning it instead of taking turns on one core.
///
/// The end of the source is an explicit message, so a thread that dies (a panic in the
/// decoder) is an error for the file, never an early, silent end of it.
pub struct ReadAhead {
    source: ReadAheadSource,
    block: Vec<u8>,
    at: usize,
}

enum ReadAheadSource {
    Thread(std::sync::mpsc::Receiver<Block>),
    /// The thread could not be started: read in place.
    Inline(Box<dyn Read + Send>),
    Finished,
}

enum Block {
    Data(Vec<u8>),
    Failed(io::Error),
    End,
}

impl ReadAhead {
    /// Starts reading `source` on a new thread.
    pub fn new(source: Box<dyn Read + Send>) -> ReadAhead {
        let (sender, receiver) = std::sync::mpsc::sync_channel(READ_AHEAD_BLOCKS);
        let (handoff_sender, handoff) = std::sync::mpsc::channel::<Box<dyn Read + Send>>();
        let started = std::thread::Builder::new().name("hygiene-read-ahead".into()).spawn(move || {
            let Ok(mut source) = handoff.recv() else { return };
            loop {
                let mut block = vec![0; READ_AHEAD_BLOCK];
                let message = match source.read(&mut block) {
                    Ok(0) => Block::End,
                    Ok(n) => {
                        block.truncate(n);
                        Block::Data(block)
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => Block::Failed(e),
                };
                let last = !matches!(message, Block::Data(_));
                // A send fails when the reader was dropped: nobody wants the rest.
                if sender.send(message).is_err() || last {
                    return;
                }
            }
        });
        let source = match started {
            Ok(_) => match handoff_sender.send(source) {
                Ok(()) => ReadAheadSource::Thread(receiver),
                Err(returned) => ReadAheadSource::Inline(returned.0),
            },
            Err(_) => ReadAheadSource::Inline(source),
        };
        ReadAhead { source, block: Vec::new(), at: 0 }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            match &mut self.source {
                ReadAheadSource::Inline(source) => return source.read(buf),
                ReadAheadSource::Finished => return Ok(0),
                ReadAheadSource::Thread(receiver) => match receiver.recv() {
                    Ok(Block::Data(block)) => {
                        self.block = block;
                        self.at = 0;
                    }
                    Ok(Block::End) => self.source = ReadAheadSource::Finished,
                    Ok(Block::Failed(e)) => {
                        self.source = ReadAheadSource::Finished;
                        return Err(e);
                    }
                    Err(_) => {
                        self.source = ReadAheadSource::Finished;
                        return Err(io::Error::other(
                            "the read-ahead thread stopped before the end of the file",
                        ));
                    }
                },
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    reader.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The last [`SNIFF_LEN`] bytes of `file` that lie past the first `head_len`, if any.
fn read_tail(file: &mut File, head_len: usize) -> io::Result<Option<Vec<u8>>> {
    let size = file.metadata()?.len();
    if size <= head_len as u64 {
        return Ok(None);
    }
    let from = size.saturating_sub(SNIFF_LEN as u64).max(head_len as u64);
    file.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::with_capacity(SNIFF_LEN);
    file.take(SNIFF_LEN as u64).read_to_end(&mut tail)?;
    Ok(Some(tail))
}

/// Most C0 control bytes (other than whitespace, ESC and NUL) per hundred bytes other than NUL
/// that text may hold. Text in any ASCII-compatible encoding has none beyond the odd stray
/// one; random or compressed data has about 11, binary structures many more.
const MAX_CONTROLS_PER_100: usize = 3;

/// Fewer bytes other than NUL than this tell nothing.
const MIN_EVIDENCE: usize = 16;

/// How `sample` (a file's first or last bytes) reads.
pub fn sniff(sample: &[u8]) -> Sniffed {
    if let Some(kind) = known_format(sample) {
        return Sniffed::Known(kind);
    }
    if sample.starts_with(b"\xFF\xFE") {
        return Sniffed::Utf16(UTF_16LE);
    }
    if sample.starts_with(b"\xFE\xFF") {
        return Sniffed::Utf16(UTF_16BE);
    }
    if let Some(encoding) = utf16_without_bom(sample) {
        return Sniffed::Utf16(encoding);
    }
    match control_share(sample) {
        None => Sniffed::Unknown,
        Some((controls, total)) if controls * 100 <= total * MAX_CONTROLS_PER_100 => Sniffed::Text,
        Some(_) => Sniffed::NotText,
    }
}

/// Control bytes and bytes other than NUL in `sample`; `None` when there are too few.
fn control_share(sample: &[u8]) -> Option<(usize, usize)> {
    let total = sample.iter().filter(|&&b| b != 0).count();
    if total < MIN_EVIDENCE {
        return None;
    }
    let controls = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, 0 | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b)) || b == 0x7f)
        .count();
    Some((controls, total))
}

/// UTF-16 without a byte-order mark: mostly ASCII characters, so one byte of most 16-bit units
/// is NUL, always the same one; confirmed by the decoded text reading as text.
fn utf16_without_bom(sample: &[u8]) -> Option<&'static Encoding> {
    let units = sample.len() / 2;
    if units < MIN_EVIDENCE {
        return None;
    }
    let (mut low_only, mut high_only) = (0, 0);
    for pair in sample.chunks_exact(2) {
        match (pair[0] == 0, pair[1] == 0) {
            (false, true) => low_only += 1,
            (true, false) => high_only += 1,
            _ => {}
        }
    }
    let encoding = if low_only * 2 >= units && high_only * 20 <= low_only {
        UTF_16LE
    } else if high_only * 2 >= units && low_only * 20 <= high_only {
        UTF_16BE
    } else {
        return None;
    };
    let (text, _) = encoding.decode_without_bom_handling(&sample[..units * 2]);
    match control_share(text.as_bytes()) {
        Some((controls, total)) if controls * 100 <= total * MAX_CONTROLS_PER_100 => Some(encoding),
        _ => None,
    }
}

/// The kind of a known binary format, by its magic bytes.
pub fn known_format(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "image"),
        (b"\xFF\xD8\xFF", "image"),
        (b"GIF8", "image"),
        (b"\x7FELF", "executable or core dump"),
        (b"PK\x03\x04", "archive"),
        (b"%PDF", "pdf"),
        (b"SQLite format 3\0", "database"),
        (b"\0asm", "executable or core dump"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(kind);
    }
    // Pickle protocols 2 to 5 open with PROTO (0x80) and the protocol number.
    if head.len() >= 2 && head[0] == 0x80 && (2..=5).contains(&head[1]) {
        return Some("pickle");
    }
    None
}

/// Why content starting with `head` is not scanned, or `None` when it is: the kind of a known
/// format, or [`NOT_TEXT`].
pub fn binary_kind(head: &[u8]) -> Option<&'static str> {
    match sniff(head) {
        Sniffed::Known(kind) => Some(kind),
        Sniffed::NotText => Some(NOT_TEXT),
        Sniffed::Text | Sniffed::Unknown | Sniffed::Utf16(_) => None,
    }
}

#[cfg(test)]
mod tests {
    /// A source that hands out its bytes in uneven pieces, then fails or panics if told to.
    struct Uneven {
        data: Vec<u8>,
        at: usize,
        step: usize,
        then: Option<&'static str>,
    }

    impl Read for Uneven {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() {
                return match self.then {
                    Some("panic") => panic!("decoder bug"),
                    Some(why) => Err(io::Error::other(why)),
                    None => Ok(0),
                };
            }
            self.step = self.step * 7 % 1013 + 1;
            let n = buf.len().min(self.step).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn uneven(len: usize, then: Option<&'static str>) -> (Vec<u8>, Box<dyn Read + Send>) {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        (data.clone(), Box::new(Uneven { data, at: 0, step: 1, then }))
    }

    #[test]
    fn read_ahead_yields_the_source_bytes_in_order() {
        for len in [0, 1, 1000, READ_AHEAD_BLOCK, 3 * READ_AHEAD_BLOCK + 17] {
            let (data, source) = uneven(len, None);
            let mut out = Vec::new();
            ReadAhead::new(source).read_to_end(&mut out).unwrap();
            assert_eq!(out, data, "length {len}");
        }
    }

    #[test]
    fn read_ahead_passes_on_errors_and_never_ends_silently() {
        let (_, source) = uneven(5000, Some("disk gone"));
        let err = ReadAhead::new(source).read_to_end(&mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("disk gone"), "{err}");
        // A panic on the reading thread is an error, not the end of the file.
        let (_, source) = uneven(5000, Some("panic"));
        let err = ReadAhead::new(source).read_to_end(&mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("stopped before the end"), "{err}");
    }

    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        for unit in units {
            out.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        out
    }

    fn read_all(opened: Opened) -> Vec<u8> {
        let Opened::Text(mut reader) = opened else { panic!("expected text") };
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn recognises_binary_heads() {
        assert_eq!(binary_kind(b"\x89PNG\r\n\x1a\n"), Some("image"));
        assert_eq!(binary_kind(b"\x80\x04\x95\x10"), Some("pickle"));
        assert_eq!(binary_kind(b"\x7FELF\x02\x01"), Some("executable or core dump"));
        assert_eq!(binary_kind(b"plain text \xff\xfe invalid utf8 and more text"), None);
        assert_eq!(binary_kind(b"\xEF\xBB\xBFbom text"), None);
        // Little-endian integers: NULs and control bytes, not text.
        let ints: Vec<u8> = (0u32..64).flat_map(|i| (i * 7 % 29).to_le_bytes()).collect();
        assert_eq!(binary_kind(&ints), Some(NOT_TEXT));
    }

    #[test]
    fn nuls_do_not_make_text_binary() {
        assert_eq!(sniff(b"2026-11-30 12:00:01 started\0\0\0 worker 3 ready\n"), Sniffed::Text);
        let mut truncated = vec![0u8; 6000];
        truncated.extend_from_slice(b"2026-11-30 12:00:01 INFO after copytruncate\n");
        assert_eq!(sniff(&truncated), Sniffed::Text);
        assert_eq!(sniff(&[0u8; SNIFF_LEN]), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Unknown);
        // Legacy 8-bit text (Latin-1, GBK) has high bytes but no control bytes.
        assert_eq!(
            sniff(b"caf\xe9 cr\xe8me br\xfbl\xe9e, \xc4\xe3\xba\xc3 \xca\xc0\xbd\xe7\n"),
            Sniffed::Text
        );
    }

    #[test]
    fn utf16_is_sniffed_with_and_without_a_bom() {
        let text = "2026-11-30 INFO agent started on host w-17\r\n";
        assert_eq!(sniff(&utf16(text, false, true)), Sniffed::Utf16(UTF_16LE));
        assert_eq!(sniff(&utf16(text, true, true)), Sniffed::Utf16(UTF_16BE));
        assert_eq!(sniff(&utf16(text, false, false)), Sniffed::Utf16(UTF_16LE));
        assert_eq!(sniff(&utf16(text, true, false)), Sniffed::Utf16(UTF_16BE));
        // Cut at an odd byte, as a sniffed head may be.
        let odd = utf16(text, false, false);
        assert_eq!(sniff(&odd[..odd.len() - 1]), Sniffed::Utf16(UTF_16LE));
    }

    #[test]
    fn utf16_is_transcoded_without_its_bom() {
        let text = "first line\nsecond l\u{ee}ne \u{1F600}\n";
        for (big_endian, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let out = read_all(open_bytes(utf16(text, big_endian, bom)).unwrap());
            assert_eq!(String::from_utf8(out).unwrap(), text, "big endian {big_endian}, bom {bom}");
        }
    }

    #[test]
    fn binary_start_with_text_end_is_an_error() {
        let mut bytes: Vec<u8> = (0u32..4096).flat_map(|i| (i % 31).to_le_bytes()).collect();
        bytes.extend(std::iter::repeat_n(b"2026-11-30 INFO plain log line\n".as_slice(), 400).flatten());
        let err = open_bytes(bytes).err().expect("conflicting content is an error");
        assert!(err.to_string().contains("ends in text"), "{err}");
        let binary: Vec<u8> = (0u32..8192).flat_map(|i| (i % 31).to_le_bytes()).collect();
        assert!(matches!(open_bytes(binary).unwrap(), Opened::NotText));
        let mut sparse_then_text = vec![0u8; 3 * SNIFF_LEN];
        sparse_then_text.extend_from_slice(b"2026-11-30 INFO first line after truncation\n");
        let out = read_all(open_bytes(sparse_then_text).unwrap());
        assert!(out.ends_with(b"after truncation\n"));
    }

    #[test]
    fn gzip_is_decompressed() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log.1.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"line one\nline two\n").unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        let out = read_all(open(&path).unwrap());
        assert_eq!(out, b"line one\nline two\n");
    }
}
