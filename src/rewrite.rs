//! `hygiene redact --in-place` and `--check` over files: redacting a file where it lies
//! without losing anything a service writes to it, and gzip logs kept gzip.
//!
//! The file is redacted into a temp file and renamed over the original through
//! [`crate::atomic`], so a symlink's real file is rewritten (the link stays), mode and owner
//! are kept, and a failure leaves the original untouched. What would lose data is refused
//! (an [`Error::Rewrite`](crate::Error::Rewrite), exit 2), the original left as it was:
//!
//! - a file another process holds open for writing (a service still logging to it: after the
//!   rename it would go on writing into the replaced file, and its next lines would be lost);
//!   seen through `/proc` on Linux, for the processes this user may inspect;
//! - a file that grew, shrank or was replaced while it was read (a writer we could not see):
//!   what it appended is read and redacted too, up to a few rounds, and if it still changes
//!   the rewrite is refused;
//! - a file with several hard links (renaming over one name would leave the secret under the
//!   others);
//! - a compressed file of a format other than gzip, and UTF-16 text (the rules match
//!   ASCII-compatible bytes, so its secrets would stay).
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

use crate::atomic::{real_path, TempFile};
use crate::redact::{Redactor, StreamRedactor};

/// Read size for the filter: large enough for throughput, small enough that `tail -f` lines
/// flow at once (a read returns whatever is available).
const READ_LEN: usize = 1 << 20;
/// How many times the bytes a writer appended during the rewrite are read and redacted
/// before the rewrite is refused.
const GROWTH_ROUNDS: usize = 3;

/// What rewriting one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rewritten {
    /// Spans redacted.
    pub redacted: u64,
    /// Spans per rule id (`known-value` for known values).
    pub counts: BTreeMap<String, u64>,
    /// The file was replaced (false: nothing to redact, or only checking).
    pub replaced: bool,
    /// The real file rewritten (the symlink's target for a link).
    pub real_path: PathBuf,
    /// The file was gzip: it was decompressed, redacted and compressed again.
    pub gzip: bool,
}

/// Redacts `path` in place (or, with `check_only`, only counts what it would redact).
pub fn rewrite_in_place(
    redactor: &Redactor,
    path: &Path,
    check_only: bool,
) -> Result<Rewritten, crate::Error> {
    let io_err = |source| crate::Error::Io { path: path.to_path_buf(), source };
    let refuse = |reason: String| crate::Error::Rewrite { path: path.to_path_buf(), reason };
    let real = real_path(path).map_err(io_err)?;
    let mut file = File::open(&real).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    if !meta.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    let mut head = vec![0u8; crate::read::SNIFF_LEN];
    let head_len = read_up_to(&mut file, &mut head).map_err(io_err)?;
    let head = &head[..head_len];
    if let Some(format) = other_compression(head) {
        return Err(refuse(format!(
            "{format} compressed: `hygiene redact` rewrites plain text and gzip only; decompress it first"
        )));
    }
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    if let crate::read::Sniffed::Utf16(encoding) = crate::read::sniff(head) {
        // The rules match ASCII-compatible bytes: its secrets would stay.
        return Err(refuse(format!(
            "it is {} text, which redact cannot mask; convert it first (`iconv -f UTF-16 -t UTF-8`)",
            encoding.name()
        )));
    }
    if !check_only {
        if let Some(reason) = unsafe_to_replace(&real, &meta) {
            return Err(refuse(reason));
        }
    }
    let file = Counting { inner: io::Cursor::new(head.to_vec()).chain(file), count: 0 };
    let mut tmp = if check_only { None } else { Some(TempFile::for_target(&real)?) };
    let mut out = match tmp.as_mut() {
        None => Sink::Discard,
        Some(tmp) if gzip => {
            Sink::Gzip(GzEncoder::new(BufWriter::new(tmp.file()), flate2::Compression::default()))
        }
        Some(tmp) => Sink::Plain(BufWriter::new(tmp.file())),
    };
    let mut filter = StreamRedactor::new(redactor);
    let consumed = if gzip {
        let mut decoder = MultiGzDecoder::new(file);
        pump_all(&mut decoder, &mut filter, &mut out).map_err(io_err)?;
        decoder.into_inner().count
    } else {
        let mut file = file;
        // A writer we could not see appends while we read: read what it added, a few times.
        for _ in 0..GROWTH_ROUNDS {
            pump_all(&mut file, &mut filter, &mut out).map_err(io_err)?;
            if current_len(&real).map_err(io_err)? == file.count {
                break;
            }
        }
        file.count
    };
    filter.finish(&mut out).map_err(io_err)?;
    out.finish().map_err(io_err)?;
    let result = Rewritten {
        redacted: filter.redacted(),
        counts: filter.counts().clone(),
        replaced: false,
        real_path: real.clone(),
        gzip,
    };
    let Some(tmp) = tmp else {
        return Ok(result);
    };
    if result.redacted == 0 {
        return Ok(result); // the temp file goes on drop
    }
    // Last look before the rename: same file, same length as what was read, no writer.
    let now = std::fs::metadata(&real).map_err(io_err)?;
    if !same_file(&meta, &now) {
        return Err(refuse(
            "it was replaced while it was read (log rotation?); nothing changed: run again".into(),
        ));
    }
    if now.len() != consumed {
        return Err(refuse(format!(
            "it changed while it was read ({consumed} bytes read, {} now): a process is writing it; nothing changed. \
             Stop the writer, or rotate the log and redact the rotated file",
            now.len()
        )));
    }
    if let Some(reason) = unsafe_to_replace(&real, &now) {
        return Err(refuse(reason));
    }
    tmp.commit()?;
    Ok(Rewritten { replaced: true, ..result })
}

/// Opens `path` for the redaction filter (`hygiene redact FILE`): plain text as is, a gzip
/// file decompressed; another compressed format is refused (its secrets cannot be redacted
/// as bytes).
pub fn open_text(path: &Path) -> Result<Box<dyn Read>, crate::Error> {
    let io_err = |source| crate::Error::Io { path: path.to_path_buf(), source };
    let mut file = File::open(path).map_err(io_err)?;
    let mut head = vec![0u8; crate::read::SNIFF_LEN];
    let head_len = read_up_to(&mut file, &mut head).map_err(io_err)?;
    head.truncate(head_len);
    if let Some(format) = other_compression(&head) {
        return Err(crate::Error::Rewrite {
            path: path.to_path_buf(),
            reason: format!(
                "{format} compressed: `hygiene redact` reads plain text and gzip only; decompress it first"
            ),
        });
    }
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let stream = io::Cursor::new(head).chain(file);
    Ok(if gzip { Box::new(MultiGzDecoder::new(stream)) } else { Box::new(stream) })
}

/// Why replacing `real` would lose data, if it would.
fn unsafe_to_replace(real: &Path, meta: &std::fs::Metadata) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Some(format!(
                "it has {} hard links: replacing it would clean this name only and leave the secrets under the \
                 others; nothing changed. Remove the other links, or redact a copy (`hygiene redact FILE > CLEAN`)",
                meta.nlink()
            ));
        }
    }
    writers(real, meta).map(|(pid, name)| {
        format!(
            "process {pid} ({name}) has it open for writing: after the rewrite it would go on writing into the \
             replaced file and its next lines would be lost; nothing changed. Stop it or rotate the log first \
             (then redact the rotated file), or filter its output through `hygiene redact`"
        )
    })
}

/// A process (other than this one) holding the file open for writing: `(pid, command name)`.
/// Linux only (reads `/proc`); processes this user may not inspect are not seen.
#[cfg(target_os = "linux")]
fn writers(_real: &Path, meta: &std::fs::Metadata) -> Option<(u32, String)> {
    use std::os::unix::fs::MetadataExt;
    let me = std::process::id();
    for proc_entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = proc_entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(proc_entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::metadata(fd.path()) else {
                continue;
            };
            if target.dev() != meta.dev() || target.ino() != meta.ino() {
                continue;
            }
            let info = proc_entry.path().join("fdinfo").join(fd.file_name());
            let flags = std::fs::read_to_string(info).ok().and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
            });
            // O_WRONLY = 1, O_RDWR = 2; unknown flags count as writing.
            if flags.is_none_or(|f| f & 0o3 != 0) {
                let name = std::fs::read_to_string(proc_entry.path().join("comm")).unwrap_or_default();
                return Some((pid, name.trim().to_string()));
            }
        }
    }
    None
}

#[cfg(not(target_os = "linux"))]
fn writers(_real: &Path, _meta: &std::fs::Metadata) -> Option<(u32, String)> {
    None
}

fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        true
    }
}

fn current_len(path: &Path) -> io::Result<u64> {
    Ok(std::fs::metadata(path)?.len())
}

/// Compressed formats `redact` cannot rewrite (gzip it can).
fn other_compression(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] =
        &[(b"\x28\xb5\x2f\xfd", "zstd"), (b"\xfd7zXZ\x00", "xz"), (b"BZh", "bzip2"), (b"PK\x03\x04", "zip")];
    MAGIC.iter().find(|(magic, _)| head.starts_with(magic)).map(|(_, name)| *name)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Streams `input` to its end through the filter into `out` (the input was sniffed already).
fn pump_all(input: &mut dyn Read, filter: &mut StreamRedactor<'_>, out: &mut dyn Write) -> io::Result<()> {
    pump_reads(input, filter, out, false).map_err(|e| match e {
        PumpError::Read(e) | PumpError::Write(e) => e,
        PumpError::Utf16(_) => unreachable!("pump_reads sniffs only when asked"),
    })
}

/// Why [`pump`] stopped before the end of its input.
#[derive(Debug)]
pub enum PumpError {
    /// The input could not be read.
    Read(io::Error),
    /// The input is UTF-16 text (this encoding), which redaction cannot mask: the rules match
    /// ASCII-compatible bytes, so its secrets would pass through. Nothing of it was written.
    Utf16(&'static encoding_rs::Encoding),
    /// The output could not be written.
    Write(io::Error),
}

/// `hygiene redact`'s filter over one input (standard input or a file), for the CLI and the
/// Python package: `input` read to its end, each read pushed through `filter` into `out`.
/// UTF-16 input is refused before any of it is written. Call [`StreamRedactor::finish`] after
/// the last input.
pub fn pump(
    input: &mut dyn Read,
    filter: &mut StreamRedactor<'_>,
    out: &mut dyn Write,
) -> Result<(), PumpError> {
    pump_reads(input, filter, out, true)
}

fn pump_reads(
    input: &mut dyn Read,
    filter: &mut StreamRedactor<'_>,
    out: &mut dyn Write,
    sniff_first: bool,
) -> Result<(), PumpError> {
    let mut buffer = vec![0u8; READ_LEN];
    let mut first = sniff_first;
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(PumpError::Read(e)),
        };
        if std::mem::take(&mut first) {
            if let crate::read::Sniffed::Utf16(encoding) = crate::read::sniff(&buffer[..n]) {
                return Err(PumpError::Utf16(encoding));
            }
        }
        filter.push(&buffer[..n], out).map_err(PumpError::Write)?;
    }
}

/// Where the redacted text goes.
enum Sink<'a> {
    /// `--check`: nowhere.
    Discard,
    Plain(BufWriter<&'a mut File>),
    Gzip(GzEncoder<BufWriter<&'a mut File>>),
}

impl Sink<'_> {
    /// Ends the gzip stream and flushes, reporting errors a drop would swallow.
    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Discard => Ok(()),
            Sink::Plain(mut w) => w.flush(),
            Sink::Gzip(gz) => gz.finish()?.flush(),
        }
    }
}

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Discard => Ok(buf.len()),
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Discard => Ok(()),
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

/// Counts the bytes read from the file itself (before any decompression).
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}
