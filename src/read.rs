//! Opening a file for scanning: recognises binary content (skipped and counted) and gzip
//! streams (decompressed on the fly), and hands the scanner a plain byte stream.
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

/// How many leading bytes decide whether content is binary (as git does).
pub const SNIFF_LEN: usize = 8192;

/// What a file turned out to hold.
pub enum Opened {
    /// A byte stream to scan (decompressed when the file was gzip).
    Text(Box<dyn Read + Send>),
    /// Not text; the reason is reported in the skip counts.
    Binary(&'static str),
}

/// Opens `path`, sniffing its first bytes.
pub fn open(path: &Path) -> io::Result<Opened> {
    open_reader(Box::new(File::open(path)?))
}

/// Sniffs an already open stream (a file, or content from the git index).
pub fn open_reader(mut file: Box<dyn Read + Send>) -> io::Result<Opened> {
    let head = read_head(&mut file)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let mut gz = MultiGzDecoder::new(Cursor::new(head).chain(file));
        let inner = read_head(&mut gz)?;
        return Ok(match binary_kind(&inner) {
            Some(reason) => Opened::Binary(reason),
            None => Opened::Text(Box::new(Cursor::new(inner).chain(gz))),
        });
    }
    Ok(match binary_kind(&head) {
        Some(reason) => Opened::Binary(reason),
        None => Opened::Text(Box::new(Cursor::new(head).chain(file))),
    })
}

fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    reader.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Why `head` is not text, or `None` when it is.
pub fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "image"),
        (b"\xFF\xD8\xFF", "image"),
        (b"GIF8", "image"),
        (b"\x7FELF", "executable or core dump"),
        (b"PK\x03\x04", "archive"),
        (b"%PDF", "pdf"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(kind);
    }
    // Pickle protocols 2 to 5 open with PROTO (0x80) and the protocol number.
    if head.len() >= 2 && head[0] == 0x80 && (2..=5).contains(&head[1]) {
        return Some("pickle");
    }
    if memchr::memchr(0, head).is_some() {
        return Some("binary");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_binary_heads() {
        assert_eq!(binary_kind(b"\x89PNG\r\n\x1a\n"), Some("image"));
        assert_eq!(binary_kind(b"\x80\x04\x95\x10"), Some("pickle"));
        assert_eq!(binary_kind(b"\x7FELF\x02\x01"), Some("executable or core dump"));
        assert_eq!(binary_kind(b"text\0more"), Some("binary"));
        assert_eq!(binary_kind(b"plain text \xff\xfe invalid utf8"), None);
        assert_eq!(binary_kind(b"\xEF\xBB\xBFbom text"), None);
    }

    #[test]
    fn gzip_is_decompressed() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log.1.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"line one\nline two\n").unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        let Opened::Text(mut r) = open(&path).unwrap() else { panic!("gzip text is text") };
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "line one\nline two\n");
    }
}
