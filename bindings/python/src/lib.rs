//! `secrets_hygiene._native`: the Python face of the library. Every decision is the
//! library's (the same `Redactor`, the same streaming filter as `hygiene redact`, the same
//! scan of one blob as `hygiene scan`); this file converts arguments and results, releases
//! the GIL while the library works, and keeps secret values out of every error and repr.
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyString};

use secrets_hygiene::detect::Detector;
use secrets_hygiene::fingerprint::Fingerprinter;
use secrets_hygiene::redact::{self, known, Source, StreamRedactor};
use secrets_hygiene::report::Format;
use secrets_hygiene::rules::RuleSet;
use secrets_hygiene::run::{Context, ReportTarget, ScanRequest};
use secrets_hygiene::{rewrite, scan};

/// Inputs longer than this go through the streaming filter of `hygiene redact`, which cuts
/// them at line ends and redacts the pieces in parallel (same output as one pass).
const PARALLEL_FROM: usize = 1 << 20;

/// `message` with every secret the built-in rules recognise and every known value masked;
/// a fixed sentence when the masking rules themselves cannot be built.
fn scrub(message: &str, known_values: &[String]) -> String {
    match redact::Redactor::builder().known_values(known_values.iter().cloned()).build() {
        Ok(redactor) => redactor.redact(message).into_owned(),
        Err(_) => "an error occurred; its details are withheld because the rules needed to mask them could not be loaded".to_string(),
    }
}

/// A library error as a Python exception whose message holds no secret: file-system failures
/// are `OSError` (the subclass for their kind), everything else (globs, rule packs, baselines,
/// configuration) `ValueError`.
fn py_error(error: secrets_hygiene::Error, known_values: &[String]) -> PyErr {
    let message = scrub(&error.to_string(), known_values);
    match error {
        secrets_hygiene::Error::Io { source, .. } => io::Error::new(source.kind(), message).into(),
        secrets_hygiene::Error::MissingPath(_) => io::Error::new(io::ErrorKind::NotFound, message).into(),
        _ => PyValueError::new_err(message),
    }
}

/// The items of an iterable argument (any iterable but a single `str` or `bytes`, which would
/// be taken character by character). Error messages name the argument, never an item.
fn items<'py, T: FromPyObjectOwned<'py>>(value: Option<&Bound<'py, PyAny>>, name: &str) -> PyResult<Vec<T>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    if value.is_instance_of::<PyString>() || value.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(format!(
            "{name} takes an iterable of items, not a single str or bytes"
        )));
    }
    value
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{name} takes an iterable")))?
        .map(|item| {
            item?
                .extract::<T>()
                .map_err(|_| PyTypeError::new_err(format!("{name}: an item has the wrong type")))
        })
        .collect()
}

/// Masks a secret: `****` and its last 4 characters (`****` alone below 12 characters).
#[pyfunction]
fn mask(value: PyBackedStr) -> String {
    redact::mask(&value)
}

/// A span [`Redactor::find`] would mask: the rule (or `known-value`) and where, never the value.
#[pyclass(frozen, get_all, module = "secrets_hygiene")]
struct Redaction {
    /// The rule id, or `known-value` for a value the redactor was given.
    rule_id: String,
    /// Start of the span (characters for `str`, bytes for `bytes`).
    start: usize,
    /// End of the span (exclusive).
    end: usize,
}

#[pymethods]
impl Redaction {
    /// `(start, end)`.
    #[getter]
    fn span(&self) -> (usize, usize) {
        (self.start, self.end)
    }

    fn __repr__(&self) -> String {
        format!("Redaction(rule_id={:?}, start={}, end={})", self.rule_id, self.start, self.end)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Redaction>().is_ok_and(|o| {
            let o = o.get();
            (o.rule_id.as_str(), o.start, o.end) == (self.rule_id.as_str(), self.start, self.end)
        })
    }
}

/// The text or bytes a method was given, held without copying where the interpreter allows.
enum Input {
    Text(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl Input {
    fn extract(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Input> {
        if let Ok(s) = value.cast::<PyString>() {
            return Ok(Input::Text(s.clone().try_into()?));
        }
        match value.extract::<PyBackedBytes>() {
            Ok(b) => Ok(Input::Bytes(b)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "{what} takes str or bytes, not {}",
                value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Input::Text(s) => s.as_bytes(),
            Input::Bytes(b) => b,
        }
    }
}

/// Masks the secrets built-in (and extra) rules recognise plus the values a service knows it
/// holds, in any common encoding. Immutable and thread-safe; never pickled.
#[pyclass(frozen, module = "secrets_hygiene")]
struct Redactor {
    inner: redact::Redactor,
    /// Distinct known values searched for.
    known_values: usize,
    rules_dirs: usize,
}

#[pymethods]
impl Redactor {
    #[new]
    #[pyo3(signature = (*, known_values = None, env_globs = None, env = None, env_files = None, rules_dirs = None))]
    fn new(
        py: Python<'_>,
        known_values: Option<&Bound<'_, PyAny>>,
        env_globs: Option<&Bound<'_, PyAny>>,
        env: Option<&Bound<'_, PyAny>>,
        env_files: Option<&Bound<'_, PyAny>>,
        rules_dirs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Redactor> {
        let mut values: Vec<String> = items(known_values, "known_values")?;
        let env_globs: Vec<String> = items(env_globs, "env_globs")?;
        let env_files: Vec<PathBuf> = items(env_files, "env_files")?;
        let rules_dirs: Vec<PathBuf> = items(rules_dirs, "rules_dirs")?;
        if !env_globs.is_empty() {
            let env: Vec<(String, String)> = match env {
                Some(env) => {
                    env.call_method0("items")?.try_iter()?.map(|i| i?.extract()).collect::<PyResult<_>>()?
                }
                None => py
                    .import("os")?
                    .getattr("environ")?
                    .call_method0("items")?
                    .try_iter()?
                    .map(|i| i?.extract())
                    .collect::<PyResult<_>>()?,
            };
            let found = known::values_from_env(&env_globs, env).map_err(|e| py_error(e.into(), &values))?;
            values.extend(found);
        }
        for path in &env_files {
            let text = std::fs::read_to_string(path).map_err(|source| {
                py_error(secrets_hygiene::Error::Io { path: path.clone(), source }, &values)
            })?;
            values.extend(known::values_from_env_file(&text));
        }
        let distinct: BTreeSet<&String> =
            values.iter().filter(|v| v.chars().count() >= known::MIN_KNOWN_LEN).collect();
        let known_count = distinct.len();
        let dirs = rules_dirs.len();
        py.detach(|| {
            let rules = RuleSet::load(&rules_dirs)?;
            redact::Redactor::builder().rules(rules).known_values(values.iter().cloned()).build()
        })
        .map(|inner| Redactor { inner, known_values: known_count, rules_dirs: dirs })
        .map_err(|e| py_error(e.into(), &values))
    }

    /// `text` with every secret masked (the same object when nothing was found).
    fn redact<'py>(&self, py: Python<'py>, text: Bound<'py, PyString>) -> PyResult<Bound<'py, PyString>> {
        let backed: PyBackedStr = text.clone().try_into()?;
        match py.detach(|| redact_all(&self.inner, backed.as_bytes())) {
            None => Ok(text),
            // Masks are whole characters and spans start and end on ASCII or at line ends.
            Some(bytes) => String::from_utf8(bytes)
                .map(|s| PyString::new(py, &s))
                .map_err(|_| PyValueError::new_err("redacted text is not UTF-8 (never expected)")),
        }
    }

    /// `data` with every secret masked; bytes outside the secrets unchanged.
    fn redact_bytes<'py>(&self, py: Python<'py>, data: Bound<'py, PyBytes>) -> Bound<'py, PyBytes> {
        let backed: PyBackedBytes = data.clone().into();
        match py.detach(|| redact_all(&self.inner, &backed)) {
            None => data,
            Some(bytes) => PyBytes::new(py, &bytes),
        }
    }

    /// What [`Redactor::redact`] would mask: rule id and span of each, never the value.
    /// Spans count characters for `str`, bytes for `bytes`.
    fn find(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Vec<Redaction>> {
        let input = Input::extract(text, "find")?;
        let spans = py.detach(|| self.inner.find(input.bytes()));
        let rules = self.inner.detector().rules();
        let name = |r: &redact::Redaction| match r.source {
            Source::Rule(i) => rules[i].id.clone(),
            Source::Known => "known-value".to_string(),
        };
        Ok(match &input {
            Input::Bytes(_) => spans
                .iter()
                .map(|r| Redaction { rule_id: name(r), start: r.span.start, end: r.span.end })
                .collect(),
            Input::Text(s) => {
                let mut chars = CharOffsets::new(s);
                spans
                    .iter()
                    .map(|r| {
                        let start = chars.at(r.span.start);
                        let end = chars.at(r.span.end);
                        Redaction { rule_id: name(r), start, end }
                    })
                    .collect()
            }
        })
    }

    /// Rules loaded (built-in and extra).
    #[getter]
    fn rules(&self) -> usize {
        self.inner.detector().rules().len()
    }

    /// Distinct known values searched for.
    #[getter]
    fn known_values(&self) -> usize {
        self.known_values
    }

    /// Known values not searched for: shorter than the minimum length.
    #[getter]
    fn known_values_too_short(&self) -> usize {
        self.inner.known_ignored()
    }

    fn __repr__(&self) -> String {
        format!(
            "<secrets_hygiene.Redactor rules={} rules_dirs={} known_values={} known_values_too_short={}>",
            self.rules(),
            self.rules_dirs,
            self.known_values,
            self.inner.known_ignored()
        )
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "a Redactor cannot be pickled or copied (it holds secret values); build one in each process",
        ))
    }

    fn __reduce_ex__(&self, _protocol: &Bound<'_, PyAny>) -> PyResult<()> {
        self.__reduce__()
    }
}

/// Byte offsets of a string to character offsets, walking forward once.
struct CharOffsets<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        CharOffsets { text, byte: 0, chars: 0 }
    }

    /// The character offset of `byte`; calls come in non-decreasing order.
    fn at(&mut self, byte: usize) -> usize {
        let byte = byte.clamp(self.byte, self.text.len());
        let rest = &self.text.as_bytes()[self.byte..byte];
        self.chars += rest.iter().filter(|b| (**b & 0xC0) != 0x80).count();
        self.byte = byte;
        self.chars
    }
}

/// `bytes` redacted, or `None` when nothing was found. Long inputs take the streaming filter's
/// parallel path; its output is the one-pass output.
fn redact_all(redactor: &redact::Redactor, bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() <= PARALLEL_FROM {
        return match redactor.redact_bytes(bytes) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(out) => Some(out),
        };
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut filter = StreamRedactor::new(redactor);
    filter
        .push(bytes, &mut out)
        .and_then(|()| filter.finish(&mut out))
        .expect("writing to memory cannot fail");
    (filter.redacted() > 0).then_some(out)
}

/// A secret `scan_text` found: rule, position, mask and fingerprint; never the value.
#[pyclass(frozen, get_all, module = "secrets_hygiene")]
struct Finding {
    /// The rule that matched.
    rule_id: String,
    /// The rule's description.
    description: String,
    /// `low`, `medium`, `high` or `critical`.
    severity: String,
    /// The path given to `scan_text`.
    path: String,
    /// 1-based line where the secret starts.
    line: u64,
    /// 1-based column (characters).
    column: u64,
    /// 1-based line where it ends.
    end_line: u64,
    /// `****` and the last 4 characters.
    masked: String,
    /// Keyed fingerprint (HMAC-SHA256 of rule and secret, 128 bits, hex).
    fingerprint: String,
}

#[pymethods]
impl Finding {
    fn __repr__(&self) -> String {
        format!(
            "Finding(rule_id={:?}, path={:?}, line={}, column={}, masked={:?})",
            self.rule_id, self.path, self.line, self.column, self.masked
        )
    }
}

/// The built-in detector, compiled once per process.
fn builtin_detector() -> PyResult<&'static Detector> {
    static DETECTOR: OnceLock<Result<Detector, String>> = OnceLock::new();
    DETECTOR
        .get_or_init(|| {
            RuleSet::builtin()
                .map_err(secrets_hygiene::Error::from)
                .and_then(|rules| Detector::new(rules).map_err(secrets_hygiene::Error::from))
                .map_err(|e| scrub(&e.to_string(), &[]))
        })
        .as_ref()
        .map_err(|m| PyValueError::new_err(m.clone()))
}

/// Scans one text as `hygiene scan` scans a file (inline `hygiene:allow` markers honoured).
#[pyfunction]
#[pyo3(
    signature = (text, path = "<text>".to_string(), *, fingerprint_key, rules_dirs = None),
    text_signature = "(text, path='<text>', *, fingerprint_key, rules_dirs=None)"
)]
fn scan_text(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    path: String,
    fingerprint_key: String,
    rules_dirs: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<Finding>> {
    let rules_dirs: Vec<PathBuf> = items(rules_dirs, "rules_dirs")?;
    let input = Input::extract(text, "scan_text")?;
    let owned;
    let detector = if rules_dirs.is_empty() {
        builtin_detector()?
    } else {
        owned = py
            .detach(|| RuleSet::load(&rules_dirs).and_then(Detector::new))
            .map_err(|e| py_error(e.into(), &[]))?;
        &owned
    };
    let fingerprinter = Fingerprinter::with_key(fingerprint_key.into_bytes());
    let outcome = py.detach(|| {
        let blob = scan::Blob { display: path.clone(), bytes: input.bytes().to_vec() };
        scan::scan_blobs(detector, &fingerprinter, &scan::Keep::everything(), vec![blob])
    });
    if let Some(error) = outcome.errors.first() {
        return Err(PyValueError::new_err(format!("{}: cannot be scanned: {}", error.path, error.message)));
    }
    if outcome.stats.files_scanned == 0 {
        let why = outcome.stats.files_skipped.keys().next().cloned().unwrap_or_else(|| "not text".into());
        return Err(PyValueError::new_err(format!("{path}: not scanned: {why}")));
    }
    Ok(outcome
        .findings
        .into_iter()
        .map(|f| Finding {
            rule_id: f.rule_id,
            description: f.description,
            severity: f.severity.as_str().to_string(),
            path: f.file,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            masked: f.masked,
            fingerprint: f.fingerprint,
        })
        .collect())
}

/// Per-rule counts as `hygiene redact --stats` prints them.
type Counts = (u64, BTreeMap<String, u64>);

/// `hygiene redact [FILE...]` to standard output: the streaming filter over standard input
/// or each file in turn (gzip read decompressed), UTF-16 refused; with `check`, nothing written.
/// A reader that goes away (`| head`) ends the command quietly, as it does the binary.
#[pyfunction]
#[pyo3(signature = (redactor, files, check))]
fn redact_stream(py: Python<'_>, redactor: &Redactor, files: Vec<PathBuf>, check: bool) -> PyResult<Counts> {
    py.detach(|| -> Result<Counts, String> {
        let stdout = io::stdout();
        let mut sink: Box<dyn Write> =
            if check { Box::new(io::sink()) } else { Box::new(BufWriter::new(stdout.lock())) };
        let mut filter = StreamRedactor::new(&redactor.inner);
        let written = (|| -> Result<(), Stop> {
            if files.is_empty() {
                pump(&mut io::stdin().lock(), "standard input", &mut filter, &mut sink)?;
            } else {
                for path in &files {
                    let mut file =
                        rewrite::open_text(path).map_err(|e| Stop::Error(scrub(&e.to_string(), &[])))?;
                    pump(&mut file, &path.display().to_string(), &mut filter, &mut sink)?;
                }
            }
            filter.finish(&mut sink).map_err(Stop::output)
        })();
        match written {
            Ok(()) | Err(Stop::ReaderGone) => Ok((filter.redacted(), filter.counts().clone())),
            Err(Stop::Error(message)) => Err(message),
        }
    })
    .map_err(PyOSError::new_err)
}

/// Why [`pump`] stopped early.
enum Stop {
    Error(String),
    /// Standard output was closed by its reader.
    ReaderGone,
}

impl Stop {
    fn output(e: io::Error) -> Stop {
        match e.kind() {
            io::ErrorKind::BrokenPipe => Stop::ReaderGone,
            _ => Stop::Error(format!("cannot write output: {e}")),
        }
    }
}

/// Streams `input` (named `name` in errors) through the filter into `out`.
fn pump(
    input: &mut dyn Read,
    name: &str,
    filter: &mut StreamRedactor<'_>,
    out: &mut dyn Write,
) -> Result<(), Stop> {
    rewrite::pump(input, filter, out).map_err(|e| match e {
        rewrite::PumpError::Read(e) => Stop::Error(format!("{name}: cannot read input: {e}")),
        rewrite::PumpError::Write(e) => Stop::output(e),
        rewrite::PumpError::Utf16(encoding) => Stop::Error(format!(
            "{name}: input is {} text, which redact cannot mask; nothing was written for it (convert it first, e.g. `iconv -f UTF-16 -t UTF-8`)",
            encoding.name()
        )),
    })
}

/// `hygiene redact --in-place FILE` (or `--check FILE`): the file redacted atomically where it
/// lies, refused when that would lose data.
#[pyfunction]
fn rewrite_in_place(py: Python<'_>, redactor: &Redactor, path: PathBuf, check: bool) -> PyResult<Counts> {
    py.detach(|| rewrite::rewrite_in_place(&redactor.inner, &path, check))
        .map(|done| (done.redacted, done.counts))
        .map_err(|e| py_error(e, &[]))
}

/// `hygiene scan`: the library's [`ScanRequest`] run with what the binary runs with
/// ([`Context::from_process`]: `HYGIENE_FINGERPRINT_KEY`, the user's config directory, the
/// cores, the clock), the GIL released meanwhile; the report written atomically unless
/// `no_report` (all by [`ScanRequest::run`]). Returns the report rendered in `format` (`None`:
/// `files` and no paths, nothing to scan), the exit code (0 pass, 1 findings or unreadable
/// files) and the warnings.
#[pyfunction(name = "scan")]
#[pyo3(signature = (paths, *, root, files, include_logs, scopes, exclude, rules_dirs, follow_links, threads, max_findings_per_file, baseline, no_baseline, report, no_report, format))]
#[allow(clippy::too_many_arguments)]
fn scan_root(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    root: Option<PathBuf>,
    files: bool,
    include_logs: bool,
    scopes: Vec<String>,
    exclude: Vec<String>,
    rules_dirs: Vec<PathBuf>,
    follow_links: bool,
    threads: Option<usize>,
    max_findings_per_file: usize,
    baseline: Option<PathBuf>,
    no_baseline: bool,
    report: Option<PathBuf>,
    no_report: bool,
    format: &str,
) -> PyResult<(Option<String>, u8, Vec<String>)> {
    let format: Format = format.parse().map_err(PyValueError::new_err)?;
    if baseline.is_some() && no_baseline {
        return Err(PyValueError::new_err("baseline and no_baseline cannot be used together"));
    }
    let report = match (report, no_report) {
        (Some(_), true) => return Err(PyValueError::new_err("report and no_report cannot be used together")),
        (None, true) => ReportTarget::None,
        (Some(path), false) => ReportTarget::Path(path),
        (None, false) => ReportTarget::Default,
    };
    let request = ScanRequest {
        paths,
        root,
        files,
        staged: false,
        include_logs,
        scopes,
        exclude,
        rules: rules_dirs,
        follow_links,
        threads,
        max_findings_per_file,
        baseline,
        no_baseline,
        report,
    };
    if request.nothing_to_scan() {
        return Ok((None, 0, Vec::new()));
    }
    let run = py.detach(|| request.run(&Context::from_process(), &|_| {})).map_err(|e| py_error(e, &[]))?;
    let rendered = py.detach(|| run.render(format));
    Ok((Some(rendered), run.exit_status().code(), run.warnings.clone()))
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("MIN_KNOWN_LEN", known::MIN_KNOWN_LEN)?;
    m.add_class::<Redactor>()?;
    m.add_class::<Redaction>()?;
    m.add_class::<Finding>()?;
    m.add_function(wrap_pyfunction!(mask, m)?)?;
    m.add_function(wrap_pyfunction!(scan_text, m)?)?;
    m.add_function(wrap_pyfunction!(redact_stream, m)?)?;
    m.add_function(wrap_pyfunction!(rewrite_in_place, m)?)?;
    m.add_function(wrap_pyfunction!(scan_root, m)?)?;
    Ok(())
}
