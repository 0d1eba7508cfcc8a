//! Turns byte offsets into 1-based line and column numbers, lazily: it only walks forward,
//! counting newlines between one match and the next, so a multi-gigabyte file or a
//! multi-megabyte line costs one pass however many matches it holds.
//!
//! Columns count characters (UTF-8 sequences), as editors do; a leading UTF-8 byte-order
//! mark is not a character; a CRLF line ends at its `\n` like any other.

/// A forward-only position in a byte stream that arrives in buffers.
#[derive(Debug, Clone)]
pub struct LineCursor {
    /// Absolute byte offset the counts below describe.
    offset: u64,
    /// 1-based line at `offset`.
    line: u64,
    /// Characters between the start of `line` and `offset`.
    column_chars: u64,
    /// Absolute offset where the content starts (3 when the stream starts with a BOM).
    content_start: u64,
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl LineCursor {
    /// A cursor at the start of a stream whose first bytes are `head`.
    pub fn new(head: &[u8]) -> LineCursor {
        let content_start = if head.starts_with(BOM) { BOM.len() as u64 } else { 0 };
        LineCursor { offset: content_start, line: 1, column_chars: 0, content_start }
    }

    /// The absolute offset the cursor is at.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Newlines before the cursor's offset (its 1-based line minus one).
    pub fn newlines_before(&self) -> u64 {
        self.line - 1
    }

    /// Moves to `target` unless the cursor is already past it (a secret that started
    /// beyond the end of the previous chunk).
    pub fn advance_to(&mut self, buffer: &[u8], buffer_start: u64, target: u64) {
        if target > self.offset {
            self.position(buffer, buffer_start, target);
        }
    }

    /// The position of absolute offset `target`, which must not precede the previous target.
    /// `buffer` holds the stream's bytes from absolute offset `buffer_start` and must cover
    /// the bytes between the previous target and this one.
    pub fn position(&mut self, buffer: &[u8], buffer_start: u64, target: u64) -> Position {
        let target = target.max(self.content_start);
        debug_assert!(target >= self.offset, "LineCursor only moves forward");
        if target > self.offset {
            let from = (self.offset - buffer_start) as usize;
            let to = (target - buffer_start) as usize;
            let bytes = &buffer[from..to];
            match memchr::memrchr(b'\n', bytes) {
                Some(last) => {
                    self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
                    self.column_chars = count_chars(&bytes[last + 1..]);
                }
                None => self.column_chars += count_chars(bytes),
            }
            self.offset = target;
        }
        Position { line: self.line, column: self.column_chars + 1 }
    }
}

/// Characters in a UTF-8 byte run: every byte that does not continue a sequence starts one.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &[u8], offsets: &[usize]) -> Vec<(u64, u64)> {
        let mut cursor = LineCursor::new(text);
        offsets
            .iter()
            .map(|&o| {
                let p = cursor.position(text, 0, o as u64);
                (p.line, p.column)
            })
            .collect()
    }

    #[test]
    fn lines_and_columns_are_one_based() {
        let text = b"ab\ncd\r\nef";
        assert_eq!(at(text, &[0, 1, 3, 7, 8]), vec![(1, 1), (1, 2), (2, 1), (3, 1), (3, 2)]);
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = b"\xEF\xBB\xBFkey=1";
        assert_eq!(at(text, &[3, 7]), vec![(1, 1), (1, 5)]);
    }

    #[test]
    fn multibyte_characters_count_once() {
        let text = "héllo wörld".as_bytes();
        let w = text.iter().position(|&b| b == b'w').unwrap();
        assert_eq!(at(text, &[w]), vec![(1, 7)]);
    }

    #[test]
    fn works_across_buffers() {
        let text = b"one\ntwo\nthree four";
        let mut cursor = LineCursor::new(text);
        assert_eq!(cursor.position(&text[..6], 0, 5), Position { line: 2, column: 2 });
        // The next buffer starts at offset 4, overlapping the previous one.
        let p = cursor.position(&text[4..], 4, 14);
        assert_eq!(p, Position { line: 3, column: 7 });
    }
}
