//! The scan orchestrator, and the only place threads are used: walk -> read -> detect ->
//! findings. Per-file problems are recorded and counted; they never stop the scan.
//!
//! Files are read in chunks with an overlap, so memory stays bounded however large a file is
//! and a secret crossing a chunk edge is still found (once).
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::detect::{Detector, Match};
use crate::findings::Finding;
use crate::fingerprint::Fingerprinter;
use crate::location::{LineCursor, Position};
use crate::read::{self, Opened};
use crate::redact::mask_bytes;
use crate::walk::{self, FileToScan, WalkPlan};

/// Bytes detected at once.
pub const CHUNK_LEN: usize = 8 << 20;
/// Bytes re-read from the end of one chunk at the start of the next. Longer than any secret
/// the rules can match (a 4096-bit PEM key is about 3.3 KB), so none is lost at an edge.
pub const OVERLAP_LEN: usize = 64 << 10;

/// Most worker threads per core. Scanning is CPU-bound; more threads than this only add
/// memory (a chunk buffer each) and start-up time.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The number of worker threads for `requested` (`None` or 0: one per core) on a machine with
/// `cores` cores, and whether the request was cut down to [`MAX_THREADS_PER_CORE`] per core.
pub fn worker_threads(requested: Option<usize>, cores: usize) -> (usize, bool) {
    let cores = cores.max(1);
    match requested {
        None | Some(0) => (cores, false),
        Some(n) if n > cores * MAX_THREADS_PER_CORE => (cores * MAX_THREADS_PER_CORE, true),
        Some(n) => (n, false),
    }
}

/// A file that could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file, as the report names it.
    pub path: String,
    /// What went wrong (never file content).
    pub message: String,
}

/// A finding an inline allow marker covered: where, and which rule (never the value).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InlineAllowed {
    /// The file, as the report names it.
    pub file: String,
    /// 1-based line of the finding.
    pub line: u64,
    /// The rule that found it.
    pub rule_id: String,
}

/// Counts describing a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    /// Files read and scanned.
    pub files_scanned: u64,
    /// Files passed over, by reason.
    pub files_skipped: BTreeMap<String, u64>,
    /// Bytes scanned (after decompression).
    pub bytes_scanned: u64,
    /// Wall time of walk and scan.
    pub duration: Duration,
    /// Rules loaded.
    pub rules: usize,
    /// Findings accepted and left out, by why: `inline` (an allow marker on the line),
    /// `allowlist` (hygiene.toml), `baseline`.
    pub suppressed: BTreeMap<String, u64>,
    /// Findings past [`Keep::max_per_file`], counted but not listed, by file.
    pub not_listed: BTreeMap<String, u64>,
}

/// What happens to each finding as it is found, so that memory does not grow with the number
/// of findings in a file (a log that prints a password on every line).
pub struct Keep<'a> {
    /// Findings accepted (allowlist, baseline): the reason, counted in
    /// [`ScanStats::suppressed`]; `None` keeps the finding.
    pub suppress: &'a (dyn Fn(&Finding) -> Option<&'static str> + Sync),
    /// Most findings listed per file, after suppression (0: no limit); the rest are counted
    /// in [`ScanStats::not_listed`] and still fail the scan.
    pub max_per_file: usize,
    /// Whether `suppress` looks at fingerprints (a baseline does; an allowlist does not).
    /// When it does not, findings past the per-file limit are counted without computing their
    /// fingerprint: a log with a secret on every line is then not bound by the keyed hash.
    pub suppress_reads_fingerprints: bool,
}

impl Keep<'static> {
    /// Every finding kept and listed.
    pub fn everything() -> Keep<'static> {
        Keep { suppress: &|_| None, max_per_file: 0, suppress_reads_fingerprints: false }
    }
}

impl Keep<'_> {
    fn limit(&self) -> usize {
        if self.max_per_file == 0 {
            usize::MAX
        } else {
            self.max_per_file
        }
    }
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct ScanOutcome {
    /// Findings sorted by file, line, column.
    pub findings: Vec<Finding>,
    /// Counts.
    pub stats: ScanStats,
    /// Files that could not be read: each one makes the scan fail.
    pub errors: Vec<FileError>,
    /// Every file the walk selected (scanned or skipped), as the report names it.
    pub files: Vec<String>,
    /// Files skipped for a reason other than a known binary format (not text, a symlink, a
    /// special file), by name, with the reason: the report lists them.
    pub skipped: Vec<SkippedFile>,
    /// Each scope glob and how many files it matched (see [`walk::Walked::scope_matches`]).
    pub scope_matches: Vec<(String, u64)>,
    /// Findings an inline allow marker covered (each also counted in
    /// `stats.suppressed.inline`), sorted by file and line.
    pub inline_allows: Vec<InlineAllowed>,
    /// Every `.hygieneignore` met, whether it was honoured, and what it excluded.
    pub ignore_files: crate::ignore_files::IgnoreSummary,
    /// Scopes that matched no file ([`walk::empty_scopes`]): a warning in the report, and a
    /// gate reason unless the scope may be empty. Set by the caller, which knows whether the
    /// scopes were chosen or are the defaults.
    pub empty_scopes: Vec<String>,
}

/// A file in scope that was not scanned, though it has no known binary format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    /// The file, as the report names it.
    pub path: String,
    /// Why (`binary`, `symlink`, ...), as counted in [`ScanStats::files_skipped`].
    pub reason: String,
}

impl ScanOutcome {
    /// A scan passes only when it found nothing and read everything it should have.
    pub fn passed(&self) -> bool {
        self.findings.is_empty() && self.errors.is_empty() && self.stats.not_listed.is_empty()
    }

    /// Adds findings made outside the scan (forbidden files), through the same acceptance
    /// as the scan's own: those `keep` suppresses are counted, not listed.
    pub fn add_findings(&mut self, found: Vec<Finding>, keep: &Keep<'_>) {
        for finding in found {
            match (keep.suppress)(&finding) {
                Some(why) => *self.stats.suppressed.entry(why.to_string()).or_default() += 1,
                None => self.findings.push(finding),
            }
        }
    }
}

/// Walks the plan and scans every file on the current rayon pool. `on_file` is called after
/// each file with its byte count (for progress display).
pub fn scan(
    detector: &Detector,
    fingerprinter: &Fingerprinter,
    plan: &WalkPlan,
    keep: &Keep<'_>,
    on_file: &(dyn Fn(u64) + Sync),
) -> Result<ScanOutcome, crate::Error> {
    let started = Instant::now();
    let walked = walk::walk(plan)?;
    let mut outcome = scan_listed(detector, fingerprinter, keep, &walked.files, on_file);
    for (path, reason) in &walked.skipped {
        *outcome.stats.files_skipped.entry((*reason).to_string()).or_default() += 1;
        outcome.skipped.push(SkippedFile { path: path.clone(), reason: (*reason).to_string() });
    }
    outcome.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let walk_errors = walked.errors.into_iter().map(|(path, message)| FileError { path, message });
    outcome.errors.splice(0..0, walk_errors);
    outcome.scope_matches = walked.scope_matches;
    outcome.ignore_files = walked.ignore_files;
    outcome.stats.duration = started.elapsed();
    Ok(outcome)
}

/// Scans files a walk listed, on the current rayon pool. A file that no longer matches its
/// listing when read (shorter than its listed size, or another file at its path) is an error.
pub fn scan_listed(
    detector: &Detector,
    fingerprinter: &Fingerprinter,
    keep: &Keep<'_>,
    files: &[FileToScan],
    on_file: &(dyn Fn(u64) + Sync),
) -> ScanOutcome {
    // Biggest first, so the run does not end with one core finishing a large file alone.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].size));
    // One file per rayon job: a job may hold a large file, so a thread must never queue
    // several files behind it where no other thread can take them.
    let mut scanned: Vec<(usize, FileResult)> = order
        .par_iter()
        .with_max_len(1)
        .map_init(Vec::new, |buffer, &index| {
            let result = scan_file(detector, fingerprinter, keep, &files[index], buffer);
            on_file(result.bytes);
            (index, result)
        })
        .collect();
    scanned.sort_unstable_by_key(|(index, _)| *index);
    let results: Vec<FileResult> = scanned.into_iter().map(|(_, result)| result).collect();
    let names: Vec<String> = files.iter().map(|f| f.display.clone()).collect();
    collect(names, results, detector.rules().len())
}

/// Folds per-file results (in the order of `names`) into one outcome.
fn collect(names: Vec<String>, results: Vec<FileResult>, rules: usize) -> ScanOutcome {
    let mut outcome = ScanOutcome::default();
    outcome.stats.rules = rules;
    for (name, result) in names.iter().zip(results) {
        for (why, n) in result.suppressed {
            *outcome.stats.suppressed.entry(why.to_string()).or_default() += n;
        }
        for (line, rule_id) in result.inline_allows {
            outcome.inline_allows.push(InlineAllowed { file: name.clone(), line, rule_id });
        }
        if result.not_listed > 0 {
            outcome.stats.not_listed.insert(name.clone(), result.not_listed);
        }
        match result.status {
            FileStatus::Scanned => outcome.stats.files_scanned += 1,
            FileStatus::Skipped(reason) => {
                *outcome.stats.files_skipped.entry(reason.to_string()).or_default() += 1
            }
            FileStatus::NotText => {
                *outcome.stats.files_skipped.entry(read::NOT_TEXT.to_string()).or_default() += 1;
                outcome.skipped.push(SkippedFile { path: name.clone(), reason: read::NOT_TEXT.to_string() });
            }
            FileStatus::Failed(message) => outcome.errors.push(FileError { path: name.clone(), message }),
        }
        outcome.stats.bytes_scanned += result.bytes;
        outcome.findings.extend(result.findings);
    }
    outcome.files = names;
    outcome
}

enum FileStatus {
    Scanned,
    /// A known binary format: counted.
    Skipped(&'static str),
    /// Not text, no known format: counted and listed.
    NotText,
    Failed(String),
}

struct FileResult {
    status: FileStatus,
    bytes: u64,
    findings: Vec<Finding>,
    /// Findings left out, by why (`inline`, and what [`Keep::suppress`] says).
    suppressed: BTreeMap<&'static str, u64>,
    /// Findings past [`Keep::max_per_file`].
    not_listed: u64,
    /// (line, rule id) of findings an inline marker covered.
    inline_allows: Vec<(u64, String)>,
}

impl FileResult {
    fn empty(status: FileStatus) -> FileResult {
        FileResult {
            status,
            bytes: 0,
            findings: Vec::new(),
            suppressed: BTreeMap::new(),
            not_listed: 0,
            inline_allows: Vec::new(),
        }
    }
}

/// A file's content already in memory (the git index, for `scan --staged`).
#[derive(Debug, Clone)]
pub struct Blob {
    /// How the report names it.
    pub display: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Scans in-memory contents in parallel, as [`scan`] scans files.
pub fn scan_blobs(
    detector: &Detector,
    fingerprinter: &Fingerprinter,
    keep: &Keep<'_>,
    blobs: Vec<Blob>,
) -> ScanOutcome {
    let started = Instant::now();
    let names: Vec<String> = blobs.iter().map(|b| b.display.clone()).collect();
    let results: Vec<FileResult> = blobs
        .into_par_iter()
        .map_init(Vec::new, |buffer, blob| {
            let opened = read::open_bytes(blob.bytes);
            scan_opened(detector, fingerprinter, keep, &blob.display, opened, None, buffer)
        })
        .collect();
    let mut outcome = collect(names, results, detector.rules().len());
    outcome.stats.duration = started.elapsed();
    outcome
}

fn scan_file(
    detector: &Detector,
    fingerprinter: &Fingerprinter,
    keep: &Keep<'_>,
    file: &FileToScan,
    buffer: &mut Vec<u8>,
) -> FileResult {
    // Replaced by a FIFO since the walk: opening it would block.
    if let Some(kind) =
        std::fs::symlink_metadata(&file.path).ok().and_then(|m| walk::special_kind(m.file_type()))
    {
        return FileResult::empty(FileStatus::Failed(format!(
            "replaced by a {kind} during the scan; not read"
        )));
    }
    let handle = match std::fs::File::open(&file.path) {
        Ok(handle) => handle,
        Err(e) => return FileResult::empty(FileStatus::Failed(e.to_string())),
    };
    let metadata = handle.metadata().ok();
    let opened_identity = metadata.as_ref().and_then(walk::identity);
    if file.identity.is_some() && opened_identity.is_some() && file.identity != opened_identity {
        return FileResult::empty(FileStatus::Failed(
            "replaced by another file between the walk and the scan; not read".to_string(),
        ));
    }
    let modified: Option<jiff::civil::Date> = metadata
        .as_ref()
        .and_then(|m| m.modified().ok())
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
    let size = metadata.map_or(0, |m| m.len());
    // How many bytes of the file were read, once the scan is done.
    let segmented = if size > 2 * SEGMENT_LEN {
        scan_segmented(detector, fingerprinter, keep, &file.path, &file.display, modified, SEGMENT_LEN)
    } else {
        None
    };
    let (mut result, read) = match segmented {
        Some((result, read)) => (result, read),
        None => {
            let probe = handle.try_clone();
            let result = scan_opened(
                detector,
                fingerprinter,
                keep,
                &file.display,
                read::open_file(handle),
                modified,
                buffer,
            );
            let read = probe.and_then(|mut p| io::Seek::stream_position(&mut p)).unwrap_or(0);
            (result, read)
        }
    };
    if let FileStatus::Scanned = result.status {
        result.status =
            changed_during_scan(file, opened_identity, read).map_or(FileStatus::Scanned, FileStatus::Failed);
    }
    result
}

/// Why a scanned file cannot be trusted to have been scanned whole: it ended before its size
/// when listed (truncated), or its path names another file now (replaced, e.g. by rotation).
fn changed_during_scan(file: &FileToScan, opened: Option<(u64, u64)>, read: u64) -> Option<String> {
    let now = std::fs::metadata(&file.path).ok();
    if opened.is_some() && now.as_ref().and_then(walk::identity).is_some_and(|id| Some(id) != opened) {
        return Some(format!(
            "replaced by another file during the scan: {read} bytes of the old one scanned, the new one not"
        ));
    }
    if read < file.size {
        return Some(format!("truncated during the scan: {} bytes when listed, {read} scanned", file.size));
    }
    None
}

/// A plain text file larger than twice this is cut into segments (at line starts) scanned in
/// parallel, so one big log keeps every core busy. Small enough that a 20 MB log already
/// spreads over two cores (a tree's biggest log is often most of its bytes: without this one
/// core scans it alone while the other finishes the small files and waits); large enough that
/// the overlap re-read at each cut ([`OVERLAP_LEN`], 64 KiB) is under 1% of a segment.
pub const SEGMENT_LEN: u64 = 8 << 20;

/// Scans one file, cutting it into `segment_len` segments when it is plain text (not gzip, not
/// binary) and long enough: the same findings as a sequential scan. Public for tests.
pub fn scan_file_segments(
    detector: &Detector,
    fingerprinter: &Fingerprinter,
    keep: &Keep<'_>,
    path: &std::path::Path,
    segment_len: u64,
) -> Result<SegmentedScan, String> {
    let display = path.display().to_string();
    let result = scan_segmented(detector, fingerprinter, keep, path, &display, None, segment_len)
        .map(|(result, _)| result)
        .unwrap_or_else(|| {
            scan_opened(detector, fingerprinter, keep, &display, read::open(path), None, &mut Vec::new())
        });
    match result.status {
        FileStatus::Failed(message) => Err(message),
        _ => Ok(SegmentedScan {
            findings: result.findings,
            bytes: result.bytes,
            not_listed: result.not_listed,
        }),
    }
}

/// What [`scan_file_segments`] found in one file.
#[derive(Debug)]
pub struct SegmentedScan {
    /// Findings listed, in file order.
    pub findings: Vec<Finding>,
    /// Bytes read.
    pub bytes: u64,
    /// Findings past [`Keep::max_per_file`].
    pub not_listed: u64,
}

/// `None` when the file is not plain text (the caller streams it instead); else the result and
/// how many bytes of the file the segments read (less than its size when it was truncated).
fn scan_segmented(
    detector: &Detector,
    fingerprinter: &Fingerprinter,
    keep: &Keep<'_>,
    path: &std::path::Path,
    display: &str,
    modified: Option<jiff::civil::Date>,
    segment_len: u64,
) -> Option<(FileResult, u64)> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let mut head = Vec::new();
    (&mut file).take(read::SNIFF_LEN as u64).read_to_end(&mut head).ok()?;
    // Only plain text is cut: gzip and UTF-16 are streamed through their decoders, and a head
    // of NULs may still be decided by the file's end.
    if head.starts_with(&[0x1f, 0x8b]) || read::sniff(&head) != read::Sniffed::Text {
        return None;
    }
    // Segment starts: just after the first newline at or past each multiple of segment_len.
    let mut starts = vec![0u64];
    let mut probe = vec![0u8; OVERLAP_LEN];
    let mut at = segment_len;
    while at < size {
        file.seek(SeekFrom::Start(at)).ok()?;
        let n = read_full(&mut file, &mut probe).ok()?;
        if let Some(i) = memchr::memchr(b'\n', &probe[..n]) {
            let start = at + i as u64 + 1;
            if start < size {
                starts.push(start);
            }
        }
        at += segment_len;
    }
    let segments: Vec<(u64, u64)> = starts
        .iter()
        .zip(starts.iter().skip(1).chain(std::iter::once(&size)))
        .map(|(&s, &e)| (s, e))
        .collect();
    let parts: Vec<io::Result<TextScan>> = segments
        .par_iter()
        .map(|&(start, end)| {
            let mut file = std::fs::File::open(path)?;
            file.seek(SeekFrom::Start(start))?;
            let mut reader = file.take(end - start + OVERLAP_LEN as u64);
            let mut buffer = Vec::new();
            Ok(scan_text(
                detector,
                fingerprinter,
                keep,
                display,
                &mut reader,
                modified,
                &mut buffer,
                end - start,
            ))
        })
        .collect();
    // Each segment listed up to the limit; the file lists the first ones in file order.
    let mut merged = FileResult::empty(FileStatus::Scanned);
    let mut lines_before = 0;
    for (part, (start, end)) in parts.into_iter().zip(segments) {
        let failed = |e: io::Error, merged: FileResult| {
            let read = merged.bytes;
            Some((FileResult { status: FileStatus::Failed(e.to_string()), bytes: 0, ..merged }, read))
        };
        let text = match part {
            Ok(text) => text,
            Err(e) => return failed(e, merged),
        };
        let newlines = match text.result {
            Ok((read, newlines)) => {
                // A segment reads past its end (the overlap) unless the file got shorter.
                merged.bytes += read.min(end - start);
                newlines
            }
            Err(e) => return failed(e, merged),
        };
        for (why, n) in text.suppressed {
            *merged.suppressed.entry(why).or_default() += n;
        }
        merged
            .inline_allows
            .extend(text.inline_allows.into_iter().map(|(line, rule)| (line + lines_before, rule)));
        merged.not_listed += text.not_listed;
        for (_, mut finding) in text.findings {
            if merged.findings.len() >= keep.limit() {
                merged.not_listed += 1;
                continue;
            }
            finding.line += lines_before;
            finding.end_line += lines_before;
            merged.findings.push(finding);
        }
        lines_before += newlines;
    }
    let read = merged.bytes;
    Some((merged, read))
}

fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What scanning one stream (or one segment of a file) produced.
struct TextScan {
    /// Bytes read, and newlines before `stop`.
    result: io::Result<(u64, u64)>,
    /// Findings with the absolute offset of their secret in the stream.
    findings: Vec<(u64, Finding)>,
    suppressed: BTreeMap<&'static str, u64>,
    not_listed: u64,
    inline_allows: Vec<(u64, String)>,
}

/// Scans a text stream; a match whose span starts at or after `stop` is left to the segment
/// that starts there.
#[allow(clippy::too_many_arguments)] // one call site per way of reading; a struct would only rename them
fn scan_text(
    detector: &Detector,
    fingerprinter: &Fingerprinter,
    keep: &Keep<'_>,
    display: &str,
    reader: &mut dyn Read,
    modified: Option<jiff::civil::Date>,
    buffer: &mut Vec<u8>,
    stop: u64,
) -> TextScan {
    let mut findings = Vec::new();
    let mut suppressed: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut not_listed = 0;
    let mut inline_allows = Vec::new();
    let allow = crate::allow::InlineAllow::for_file(display);
    let result = scan_stream_counting(detector, reader, buffer, stop, |chunk, chunk_start, m, start| {
        if chunk_start + m.span.start as u64 >= stop {
            return;
        }
        let (line_start, line, previous) = lines_of(chunk, m.secret.clone());
        let rule = &detector.rules()[m.rule];
        let secret_in_line = m.secret.start - line_start..m.secret.end - line_start;
        // Only the secrets of this line compete for a marker on it (rare: only then is the
        // line searched again).
        let on_line = || detector.find(line).into_iter().map(|other| other.secret).collect();
        if allow.covers(line, previous, secret_in_line, on_line) {
            *suppressed.entry("inline").or_default() += 1;
            inline_allows.push((start.line, rule.id.clone()));
            return;
        }
        let secret = &chunk[m.secret.clone()];
        let inner_newlines =
            memchr::memchr_iter(b'\n', &secret[..secret.len().saturating_sub(1)]).count() as u64;
        let finding = Finding {
            rule_id: rule.id.clone(),
            description: rule.description.clone(),
            severity: rule.severity,
            file: display.to_string(),
            line: start.line,
            column: start.column,
            end_line: start.line + inner_newlines,
            masked: mask_bytes(secret),
            // Past the limit the finding is only counted (or suppressed): its fingerprint is
            // needed only if the suppression reads it.
            fingerprint: if findings.len() >= keep.limit() && !keep.suppress_reads_fingerprints {
                String::new()
            } else {
                fingerprinter.fingerprint(&rule.id, secret)
            },
            names: crate::findings::names_before(line, m.secret.start - line_start),
            seen_on: crate::findings::line_date(line).or(modified),
            decoded: m.decoded,
        };
        if let Some(why) = (keep.suppress)(&finding) {
            *suppressed.entry(why).or_default() += 1;
        } else if findings.len() >= keep.limit() {
            not_listed += 1;
        } else {
            findings.push((chunk_start + m.secret.start as u64, finding));
        }
    });
    TextScan { result, findings, suppressed, not_listed, inline_allows }
}

fn scan_opened(
    detector: &Detector,
    fingerprinter: &Fingerprinter,
    keep: &Keep<'_>,
    display: &str,
    opened: io::Result<Opened>,
    modified: Option<jiff::civil::Date>,
    buffer: &mut Vec<u8>,
) -> FileResult {
    let mut reader = match opened {
        Ok(Opened::Text(reader)) => reader,
        Ok(Opened::Binary(reason)) => return FileResult::empty(FileStatus::Skipped(reason)),
        Ok(Opened::NotText) => return FileResult::empty(FileStatus::NotText),
        Err(e) => return FileResult::empty(FileStatus::Failed(e.to_string())),
    };
    let text = scan_text(detector, fingerprinter, keep, display, &mut reader, modified, buffer, u64::MAX);
    let (status, bytes) = match text.result {
        Ok((bytes, _)) => (FileStatus::Scanned, bytes),
        // A read error mid-file: what was found so far still counts, and the file is an error.
        Err(e) => (FileStatus::Failed(e.to_string()), 0),
    };
    FileResult {
        status,
        bytes,
        findings: text.findings.into_iter().map(|(_, f)| f).collect(),
        suppressed: text.suppressed,
        not_listed: text.not_listed,
        inline_allows: text.inline_allows,
    }
}

/// Runs the detector over a stream in overlapping chunks and calls `on_match(chunk,
/// chunk_start, match, position of the secret)` for every secret exactly once, in stream order
/// (`chunk_start` is the chunk's offset in the stream). `buffer` is reused
/// between calls to avoid reallocating. Returns the number of bytes read.
pub fn scan_stream(
    detector: &Detector,
    reader: &mut dyn Read,
    buffer: &mut Vec<u8>,
    on_match: impl FnMut(&[u8], u64, &Match, Position),
) -> io::Result<u64> {
    scan_stream_counting(detector, reader, buffer, u64::MAX, on_match).map(|(bytes, _)| bytes)
}

/// [`scan_stream`] that also returns how many newlines precede offset `count_until` (or the end
/// of the stream, if shorter): what a segment of a big file needs to number the lines of the
/// segments after it, counted in the same pass.
fn scan_stream_counting(
    detector: &Detector,
    reader: &mut dyn Read,
    buffer: &mut Vec<u8>,
    count_until: u64,
    mut on_match: impl FnMut(&[u8], u64, &Match, Position),
) -> io::Result<(u64, u64)> {
    buffer.clear();
    let mut counted: Option<u64> = None;
    // Records the newline count at `count_until` before the cursor moves past it.
    let mut record = |cursor: &mut LineCursor, buffer: &[u8], chunk_start: u64, target: u64| {
        if counted.is_none() && target >= count_until && cursor.offset() <= count_until {
            cursor.advance_to(buffer, chunk_start, count_until);
            counted = Some(cursor.newlines_before());
        }
    };
    let mut cursor: Option<LineCursor> = None;
    let mut chunk_start: u64 = 0;
    // Matches whose secret starts before this absolute offset were reported from the
    // previous chunk.
    let mut reported_until: u64 = 0;
    loop {
        // A read error mid-stream (a gzip cut short, an I/O error): what was read before it
        // is still scanned, then the error is returned.
        let (eof, failed) = match fill(reader, buffer, CHUNK_LEN + OVERLAP_LEN) {
            Ok(eof) => (eof, None),
            Err(e) => (true, Some(e)),
        };
        let limit = if eof { buffer.len() } else { cut_point(buffer) };
        let cursor = cursor.get_or_insert_with(|| LineCursor::new(buffer));
        for m in detector.find(buffer) {
            let secret_start = chunk_start + m.secret.start as u64;
            if m.span.start >= limit || secret_start < reported_until {
                continue;
            }
            record(cursor, buffer, chunk_start, secret_start);
            let position = cursor.position(buffer, chunk_start, secret_start);
            on_match(buffer, chunk_start, &m, position);
            reported_until = reported_until.max(chunk_start + m.secret.end as u64);
        }
        if eof {
            let end = chunk_start + buffer.len() as u64;
            record(cursor, buffer, chunk_start, end.min(count_until));
            cursor.advance_to(buffer, chunk_start, end);
            if let Some(e) = failed {
                return Err(e);
            }
            return Ok((end, counted.unwrap_or_else(|| cursor.newlines_before())));
        }
        // The bytes before `limit` are about to go: count their lines now.
        record(cursor, buffer, chunk_start, chunk_start + limit as u64);
        cursor.advance_to(buffer, chunk_start, chunk_start + limit as u64);
        buffer.drain(..limit);
        chunk_start += limit as u64;
    }
}

/// The offset where the line(s) holding `span` start, those lines, and the line before them
/// when it is in the chunk.
fn lines_of(chunk: &[u8], span: std::ops::Range<usize>) -> (usize, &[u8], Option<&[u8]>) {
    let start = memchr::memrchr(b'\n', &chunk[..span.start]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &chunk[span.end..]).map_or(chunk.len(), |i| span.end + i);
    let previous = start.checked_sub(1).map(|newline| {
        let from = memchr::memrchr(b'\n', &chunk[..newline]).map_or(0, |i| i + 1);
        &chunk[from..newline]
    });
    (start, &chunk[start..end], previous)
}

/// Reads until `buffer` holds `want` bytes or the stream ends; true at end of stream. On an
/// error, the bytes read before it stay in `buffer`.
/// `read_to_end` on a `take` grows the buffer only as data arrives, so a small file never
/// pays for zeroing a whole chunk.
fn fill(reader: &mut dyn Read, buffer: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let missing = want.saturating_sub(buffer.len());
    let got = reader.take(missing as u64).read_to_end(buffer)?;
    Ok(got < missing)
}

/// Where the current chunk ends: just after the last newline in its first `CHUNK_LEN` bytes,
/// so the next chunk starts at a line start; mid-line when a line is longer than half a chunk.
fn cut_point(buffer: &[u8]) -> usize {
    match memchr::memrchr(b'\n', &buffer[..CHUNK_LEN]) {
        Some(newline) if newline + 1 >= CHUNK_LEN / 2 => newline + 1,
        _ => CHUNK_LEN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_are_capped_at_a_multiple_of_the_cores() {
        assert_eq!(worker_threads(None, 8), (8, false));
        assert_eq!(worker_threads(Some(0), 8), (8, false));
        assert_eq!(worker_threads(Some(3), 8), (3, false));
        assert_eq!(worker_threads(Some(32), 8), (32, false));
        assert_eq!(worker_threads(Some(33), 8), (32, true));
        assert_eq!(worker_threads(Some(100_000), 2), (8, true));
        assert_eq!(worker_threads(Some(100_000), 0), (MAX_THREADS_PER_CORE, true));
    }
}
