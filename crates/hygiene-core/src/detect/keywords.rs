//! Finding every keyword occurrence in a buffer: the one pass that sees every byte.
//!
//! Each keyword of three bytes or more is represented by one of its 3-byte substrings (its
//! "gram"), the one least likely in ordinary text: made of rare bytes, and not on the list of
//! common grams (`common_grams.txt`). A position's key is the case-folded gram there and five
//! bits of the byte after it (a keyword's gram at its very end is registered under every value
//! of those bits). The pass reads the buffer in overlapping 8-byte loads and, for each
//! position, hashes the key there into a 64 KiB bitmap. Positions are independent of
//! each other, so the CPU overlaps the lookups; an automaton walk (aho-corasick's DFA) is one
//! dependent table load per byte and ran at about half the speed on log text. Only positions
//! whose key's bit is set, a few percent, are verified against the keywords
//! that own that key. The byte after the gram matters on snake_case logs: without it, the
//! `cy_` of `percy_token` was checked at every `latency_ms` of a structured log.
//!
//! Keywords of two bytes, which have no 3-byte gram, go through a small aho-corasick automaton
//! in a second pass; the built-in packs have none, so that pass normally does not exist.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// Bits of the key hash: the slots of the owner buckets (a table of 2^14 to 2^17 slots ran at
/// the same speed, and 2^17 did not pay with the 8,500 keywords of the built-in packs either).
/// The pass tests a bitmap of eight bits a slot ([`FILTER_BITS`]) read as 64-bit words: a bit
/// per slot alone, read a byte at a time, was 1.6x slower than the byte tags it then replaced,
/// and those cost two compares a position more than the word read.
const HASH_BITS: u32 = 16;
const SLOTS: usize = 1 << HASH_BITS;

/// One keyword occurrence: the keyword's index and where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Occurrence {
    /// Start offset in the buffer.
    pub(crate) start: usize,
    /// Index into the keyword list the finder was built from.
    pub(crate) keyword: usize,
}

/// A keyword registered under a gram, as five words (plain words, so the built-in snapshot can
/// lend its table as is): the key of the keyword's gram (the gram and the byte after it,
/// [`key_at`]) in the low half of the first word and the keyword's index in the high half; where
/// the gram sits in the keyword (low half) and the keyword's length, with [`FOLD_DECIDES`]; then
/// the keyword's first and last eight bytes (fewer for a shorter keyword), folded, and the mask
/// of the bytes the first word holds. The two words reject almost every owner whose gram matched
/// by chance or that shares its gram with other keywords (a vendor's compound keywords,
/// `etherscan_api_key` and `etherscan_key`, share the vendor name's rarest gram).
type GramOwner = [u64; 5];

/// A gram owner's parts (see [`GramOwner`]).
trait Owner {
    fn key(&self) -> u32;
    fn keyword(&self) -> u32;
    fn offset(&self) -> u32;
    fn len(&self) -> usize;
    fn check(&self, haystack: &[u8], start: usize) -> Check;
}

/// What the folded words at a keyword's ends say of an occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Not the keyword.
    Rejected,
    /// The keyword: its words cover it and it is letters only, whose fold is case folding.
    Confirmed,
    /// Maybe: the exact comparison decides.
    Unknown,
}

/// Set in an owner's second word when the folded words decide: the keyword is ASCII letters
/// only (folding a letter is lowering it; folding punctuation is not exact, `_` and DEL fold
/// alike) and 16 bytes or fewer (its two words cover it). Most keyword occurrences in logs are
/// vendor names (`alpaca`, `bitget`, `binance`): they skip the exact comparison.
const FOLD_DECIDES: u64 = 1 << 63;

/// The owner of the gram at `offset` of `keyword` (keyword number `keyword_index`) under `key`.
fn gram_owner(key: u32, keyword_index: usize, offset: usize, keyword: &[u8]) -> GramOwner {
    let (head, head_mask) = folded_prefix(&keyword[..keyword.len().min(8)]);
    let tail_start = keyword.len().saturating_sub(8);
    let (tail, _) = folded_prefix(&keyword[tail_start..]);
    let decides = keyword.len() <= 16 && keyword.iter().all(u8::is_ascii_alphabetic);
    let second = offset as u64 | ((keyword.len() as u64) << 32) | if decides { FOLD_DECIDES } else { 0 };
    [u64::from(key) | ((keyword_index as u64) << 32), second, head, head_mask, tail]
}

/// The same owner under another key.
fn with_key(owner: GramOwner, key: u32) -> GramOwner {
    let mut owner = owner;
    owner[0] = (owner[0] & !u64::from(u32::MAX)) | u64::from(key);
    owner
}

impl Owner for GramOwner {
    #[inline(always)]
    fn key(&self) -> u32 {
        self[0] as u32
    }

    #[inline(always)]
    fn keyword(&self) -> u32 {
        (self[0] >> 32) as u32
    }

    #[inline(always)]
    fn offset(&self) -> u32 {
        self[1] as u32
    }

    #[inline(always)]
    fn len(&self) -> usize {
        ((self[1] >> 32) & 0xFFFF) as usize
    }

    /// What the words at the keyword's ends say at `start`: unknown where they cannot be
    /// read, or where folding is not exact.
    #[inline(always)]
    fn check(&self, haystack: &[u8], start: usize) -> Check {
        let [_, second, head_word, head_mask, tail_word] = *self;
        let len = self.len();
        let Some(head) = word_at(haystack, start) else { return Check::Unknown };
        if fold(head) & head_mask != head_word {
            return Check::Rejected;
        }
        if len > 8 {
            let Some(tail) = word_at(haystack, start + len - 8) else { return Check::Unknown };
            if fold(tail) != tail_word {
                return Check::Rejected;
            }
        }
        if second & FOLD_DECIDES != 0 {
            Check::Confirmed
        } else {
            Check::Unknown
        }
    }
}

/// Up to eight bytes as a folded little-endian word, and the mask of the bytes present.
fn folded_prefix(bytes: &[u8]) -> (u64, u64) {
    if let Some(word) = word_at(bytes, 0) {
        return (fold(word), u64::MAX); // one load, not a copy: start-up folds 11,000 of them
    }
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    let mask = if bytes.len() >= 8 { u64::MAX } else { (1u64 << (8 * bytes.len())) - 1 };
    (fold(u64::from_le_bytes(word)) & mask, mask)
}

/// Eight bytes of `haystack` from `at`, if there are eight.
#[inline(always)]
fn word_at(haystack: &[u8], at: usize) -> Option<u64> {
    haystack.get(at..at + 8).map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()))
}

/// Finds all occurrences, overlapping ones included, of a set of lowercase ASCII keywords,
/// ignoring ASCII case.
#[derive(Debug)]
pub(crate) struct KeywordFinder {
    /// Every keyword, lowercase, end to end (one allocation for thousands of keywords);
    /// keyword `i` is `text[starts[i]..starts[i + 1]]`.
    text: Table<[u8]>,
    starts: Table<[u32]>,
    /// Per hash slot: 0 if no gram hashes to it, else the mark of its owners' bucket.
    slots: Table<[u16; SLOTS]>,
    /// The bitmap the pass reads at every position: bit [`filter_bit`] of every gram key, so
    /// byte `s` is 0 when no gram hashes to slot `s`. Three bits of the key past the slot's
    /// turn away most text grams that merely share a slot with a keyword's (`or `, ` fo` of
    /// log prose) before the owners are looked up. 64 KiB, half the size of the marks: the
    /// pass stays in the fastest caches it can. Read as 64-bit words, one test is a load, a
    /// shift and a mask: the byte-per-slot tags it replaced also had to tell a slot shared by
    /// keys of different tags apart, two compares more at every position (-8% instructions
    /// for the whole scan of a vendor-dense log).
    tags: Table<[u8; SLOTS]>,
    /// Owners sorted by gram hash.
    owners: Table<[GramOwner]>,
    /// For a slot marked `k`, the owners hashing to it:
    /// `owners[bucket_starts[k - 1]..bucket_starts[k]]`. Marks are 16 bits wide, so every slot
    /// has its own bucket however many keywords there are (the base64 forms of the keywords,
    /// for encoded secrets, triple their number).
    bucket_starts: Table<[u32]>,
    /// Keywords under three bytes and the automaton that finds them (overlapping semantics).
    short: Option<(AhoCorasick, Vec<usize>)>,
    /// Per keyword, 1 if every 3-byte piece of it is common in ordinary text (or it has none),
    /// so the exact check runs wherever that text appears; else 0.
    common: Table<[u8]>,
}

/// A table of the finder or the keyword index: lent by the built-in snapshot, which is
/// compiled into the library (start-up then copies nothing), or built at run time.
#[derive(Debug)]
pub(crate) enum Table<T: ?Sized + 'static> {
    Lent(&'static T),
    Built(Box<T>),
}

impl<T: ?Sized> std::ops::Deref for Table<T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        match self {
            Table::Lent(table) => table,
            Table::Built(table) => table,
        }
    }
}

impl<T> From<Vec<T>> for Table<[T]> {
    fn from(items: Vec<T>) -> Table<[T]> {
        Table::Built(items.into_boxed_slice())
    }
}

/// Every table of a [`KeywordFinder`] but the short keywords' automaton: what the snapshot
/// of the built-in keyword index (the `index` module) stores, and lends back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FinderTables<'a> {
    pub(crate) text: &'a [u8],
    pub(crate) starts: &'a [u32],
    pub(crate) slots: &'a [u16; SLOTS],
    pub(crate) tags: &'a [u8; SLOTS],
    pub(crate) owners: &'a [GramOwner],
    pub(crate) bucket_starts: &'a [u32],
    pub(crate) common: &'a [u8],
}

/// Case-folds eight bytes at once: ASCII letters are lowered by setting bit 0x20. Other bytes
/// get the bit too, so a few punctuation pairs collide (`_` with DEL, `-` with CR); that only
/// costs an exact check, never a miss, because keywords fold the same way.
#[inline(always)]
fn fold(window: u64) -> u64 {
    window | 0x2020_2020_2020_2020
}

/// The bits of the byte after a gram that a position's key keeps: the low five, which tell
/// every ASCII letter apart (digits share them with `p`..`y`). A keyword's gram and the byte
/// after it must both fit for the keyword to be checked, so `cy_` of `percy_token` is no
/// longer checked at every `latency_ms` of a structured log (`cy_t` against `cy_m`).
const NEXT_BITS: u32 = 5;

/// The key bits a position's 4-byte read keeps: three folded bytes and [`NEXT_BITS`] of the
/// fourth.
const KEY_MASK: u32 = (1 << (24 + NEXT_BITS)) - 1;

/// The key of a gram that ends the buffer (there is no byte after it): a bit no read keeps.
const AT_END: u32 = 1 << 31;

/// The key of the position `at` bytes into a folded window (which must hold four bytes from
/// there): the gram there, little-endian, and the low bits of the byte after it.
#[inline(always)]
fn key_at(folded: u64, at: usize) -> u32 {
    ((folded >> (8 * at)) as u32) & KEY_MASK
}

/// The key of the gram `at` bytes into `bytes` (a keyword, or the last positions of a
/// buffer): the gram and the byte after it, or [`AT_END`] when `bytes` ends with the gram.
/// Read with one load: start-up scores every offset of thousands of keywords.
#[inline]
fn key_in(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(four) => (u32::from_le_bytes(four.try_into().unwrap_or_default()) | 0x2020_2020) & KEY_MASK,
        None => trigram_of(&bytes[at..]) | AT_END,
    }
}

/// Every key a gram can have when the byte after it is not known: one per value of the kept
/// bits, and the end of the buffer.
fn keys_of_any_next(gram: &[u8]) -> impl Iterator<Item = u32> {
    let gram = trigram_of(gram);
    (0..1u32 << NEXT_BITS).map(move |bits| gram | (bits << 24)).chain(std::iter::once(gram | AT_END))
}

/// The folded gram of three bytes, little-endian in the low 24 bits (how the gram lists and
/// the keyword statistics name a gram).
fn trigram_of(bytes: &[u8]) -> u32 {
    (fold(u64::from(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], 0]))) as u32) & 0x00FF_FFFF
}

/// The "frequency" of the byte after a keyword's last gram, in the units of
/// [`byte_frequency`]: any byte fits there (the frequencies sum to about 1,150), and the gram
/// takes a table slot for each of the 33 keys it is registered under ([`keys_of_any_next`]),
/// so it is chosen only when it is far rarer than every other.
const ANY_NEXT_BYTE: f64 = 1150.0 * 8.0;

/// Bits of the filter bitmap's index: the slot's [`HASH_BITS`] and three more, so the bitmap
/// is as big as a byte per slot.
const FILTER_BITS: u32 = HASH_BITS + 3;

/// The key's bit in the filter bitmap: the top [`FILTER_BITS`] of its mix, so bit `b` lies in
/// byte `b >> 3`, the key's slot ([`hash`]).
#[inline(always)]
fn filter_bit(key: u32) -> usize {
    (mix(key) >> (64 - FILTER_BITS)) as usize
}

#[inline(always)]
fn hash(key: u32) -> usize {
    (mix(key) >> (64 - HASH_BITS)) as usize
}

/// Fibonacci hashing: the top bits of the 64-bit product mix every bit of the key, so one
/// multiplication gives both a key's slot (the top [`HASH_BITS`]) and its filter bit (those
/// and the next three).
#[inline(always)]
fn mix(key: u32) -> u64 {
    u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// How often a byte turns up in logs, runbooks and JSON (rough per-mille figures, ASCII case
/// folded): used to pick each keyword's rarest gram, so common text rarely reaches the check,
/// and each rule's rarest required literals (`rules::required`).
pub(crate) fn byte_frequency(byte: u8) -> f64 {
    BYTE_FREQUENCY[usize::from(byte)]
}

/// [`byte_frequency`] of every byte, computed at compile time (the finder scores tens of
/// thousands of keyword offsets at every start-up).
static BYTE_FREQUENCY: [f64; 256] = {
    let mut table = [0.0; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = frequency_of(byte as u8);
        byte += 1;
    }
    table
};

const fn frequency_of(byte: u8) -> f64 {
    match byte.to_ascii_lowercase() {
        b' ' => 140.0,
        b'e' => 60.0,
        b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 45.0,
        b'0'..=b'9' => 25.0,
        b'l' | b'c' | b'd' | b'u' | b'h' => 25.0,
        b'm' | b'p' | b'g' | b'f' => 15.0,
        b'.' | b':' | b'-' | b'/' | b'"' | b'=' | b',' | b'\n' => 15.0,
        b'b' | b'y' | b'w' | b'v' | b'_' => 8.0,
        b'k' => 5.0,
        b'[' | b']' | b'{' | b'}' | b'(' | b')' | b'\'' => 3.0,
        b'x' | b'j' | b'q' | b'z' => 1.5,
        _ => 1.0,
    }
}

/// How much a gram on the common list counts against it, next to the byte frequencies.
const COMMON_GRAM_PENALTY: f64 = 1000.0;

/// How much a gram frequent in ordinary text beyond the common list (`domain_grams.txt`: man
/// pages, service logs, operations and trading docs, log vocabulary) counts against it:
/// enough to prefer any gram of ordinary rarity, less than a common gram.
const DOMAIN_GRAM_PENALTY: f64 = 100.0;

/// Grams frequent in ordinary text (see `common_grams.txt`): a keyword is represented by one
/// of them only when it has no other.
/// Sorted.
fn common_grams() -> Vec<u32> {
    gram_list(include_str!("common_grams.txt"))
}

/// Grams frequent in ordinary text beyond the common list (see `domain_grams.txt`), sorted.
fn domain_grams() -> Vec<u32> {
    gram_list(include_str!("domain_grams.txt"))
}

/// A gram list file's grams (one per line, `# ` comments), sorted and deduplicated.
fn gram_list(text: &str) -> Vec<u32> {
    let mut grams: Vec<u32> = text
        .lines()
        .filter(|line| !line.starts_with("# ") && !line.is_empty())
        .filter_map(|line| unescape_gram(line).map(|bytes| trigram_of(&bytes)))
        .collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// A line of three bytes, `\xNN` escapes decoded (everything else as is); `None` for any
/// other length.
fn unescape_gram(line: &str) -> Option<[u8; 3]> {
    let mut bytes = [0u8; 3];
    let mut len = 0;
    let mut push = |byte: u8| {
        let slot = bytes.get_mut(len)?;
        *slot = byte;
        len += 1;
        Some(())
    };
    let mut rest = line.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        match tail {
            [b'x', high, low, after @ ..] if first == b'\\' => {
                let hex = [*high, *low];
                match std::str::from_utf8(&hex).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => push(byte)?,
                    None => {
                        for byte in [first, b'x', *high, *low] {
                            push(byte)?;
                        }
                    }
                }
                rest = after;
            }
            _ => {
                push(first)?;
                rest = tail;
            }
        }
    }
    (len == 3).then_some(bytes)
}

/// The automaton of the keywords under three bytes, if there are any, and their indices.
fn short_automaton(text: &[u8], starts: &[u32]) -> Result<Option<(AhoCorasick, Vec<usize>)>, crate::Error> {
    let keyword = |k: usize| &text[starts[k] as usize..starts[k + 1] as usize];
    let short_keywords: Vec<usize> =
        (0..starts.len().saturating_sub(1)).filter(|&k| starts[k + 1] - starts[k] < 3).collect();
    if short_keywords.is_empty() {
        return Ok(None);
    }
    let patterns: Vec<&[u8]> = short_keywords.iter().map(|&k| keyword(k)).collect();
    let automaton = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .map_err(|e| crate::Error::Prefilter(e.to_string()))?;
    Ok(Some((automaton, short_keywords)))
}

impl KeywordFinder {
    /// Builds the finder over `keywords` (lowercase ASCII, at least two bytes each).
    pub(crate) fn new<K: AsRef<str>>(keywords: &[K]) -> Result<KeywordFinder, crate::Error> {
        let mut text: Vec<u8> = Vec::with_capacity(keywords.iter().map(|k| k.as_ref().len()).sum());
        let mut starts: Vec<u32> = Vec::with_capacity(keywords.len() + 1);
        let offset = |len: usize| {
            u32::try_from(len).map_err(|_| crate::Error::Prefilter("keywords over 4 GiB".into()))
        };
        for keyword in keywords {
            starts.push(offset(text.len())?);
            text.extend(keyword.as_ref().bytes().map(|b| b.to_ascii_lowercase()));
        }
        starts.push(offset(text.len())?);
        let keywords: Vec<&[u8]> =
            starts.windows(2).map(|pair| &text[pair[0] as usize..pair[1] as usize]).collect();
        // Every listed gram with its penalty (a gram on both lists counts as common). Keyword
        // grams are English-ish, so about a third of them are listed: a hashed lookup, not a
        // binary search, at each of the tens of thousands of offsets scored at start-up.
        let mut penalty: rustc_hash::FxHashMap<u32, f64> = rustc_hash::FxHashMap::default();
        penalty.extend(domain_grams().into_iter().map(|g| (g, DOMAIN_GRAM_PENALTY)));
        penalty.extend(common_grams().into_iter().map(|g| (g, COMMON_GRAM_PENALTY)));
        let mut owners = Vec::new();
        let mut is_common = vec![0u8; keywords.len()];
        // How many keywords hold each key. A key many keywords share is the credential
        // vocabulary itself (`pike` of `apikey`, `-api` of `-api-`): frequent in exactly the
        // text a scanner reads, and every occurrence would be checked against all of them.
        // Counted per hash slot (a key repeated inside one keyword, or two keys sharing a
        // slot, only nudge the estimate): this runs at every start-up, over every gram of a
        // few thousand keywords, and a slot array answers in one load.
        let mut sharing_by_slot = vec![0u16; SLOTS];
        for keyword in keywords.iter().filter(|k| k.len() >= 3) {
            for at in 0..=keyword.len() - 3 {
                let slot = &mut sharing_by_slot[hash(key_in(keyword, at))];
                *slot = slot.saturating_add(1);
            }
        }
        let sharing = |key: u32| {
            let count = f64::from(sharing_by_slot[hash(key)].max(1));
            count * count
        };
        for (index, keyword) in keywords.iter().enumerate() {
            if keyword.len() < 3 {
                is_common[index] = 1;
                continue;
            }
            // Each offset scored once; the first of equal scores wins, as `min_by` would pick.
            // Sharing and penalties only raise a score, so their lookups are skipped for an
            // offset whose bytes alone already fail to beat the best.
            let mut best = (0, f64::INFINITY);
            let last = keyword.len() - 3;
            for at in 0..=last {
                // The byte after the gram narrows where it fits by that byte's frequency; a
                // gram at the keyword's end fits after any byte, and takes a slot per key.
                let next = keyword.get(at + 3).map_or(ANY_NEXT_BYTE, |&next| byte_frequency(next));
                let bytes = byte_frequency(keyword[at])
                    * byte_frequency(keyword[at + 1])
                    * byte_frequency(keyword[at + 2])
                    * next;
                if bytes >= best.1 {
                    continue;
                }
                let bytes = bytes * sharing(key_in(keyword, at));
                if bytes >= best.1 {
                    continue;
                }
                let score = bytes * penalty.get(&trigram_of(&keyword[at..])).copied().unwrap_or(1.0);
                if score < best.1 {
                    best = (at, score);
                }
            }
            let (offset, _) = best;
            is_common[index] =
                u8::from(penalty.get(&trigram_of(&keyword[offset..])) == Some(&COMMON_GRAM_PENALTY));
            if offset < last {
                owners.push(gram_owner(key_in(keyword, offset), index, offset, keyword));
            } else {
                let owner = gram_owner(0, index, offset, keyword);
                owners.extend(keys_of_any_next(&keyword[offset..]).map(|key| with_key(owner, key)));
            }
        }
        // By slot, then keyword (the order owners were pushed in: a stable sort's result),
        // sorting packed keys rather than the owners themselves.
        let mut order: Vec<u64> =
            owners.iter().enumerate().map(|(i, o)| ((hash(o.key()) as u64) << 32) | i as u64).collect();
        order.sort_unstable();
        let owners: Vec<GramOwner> = order.iter().map(|&key| owners[key as u32 as usize]).collect();
        KeywordFinder::assemble(text, starts, owners, is_common)
    }

    /// The finder over the keywords `text` and `starts` hold, from their gram owners sorted
    /// by slot: the slot marks, tags and buckets, and the automaton of the short keywords.
    fn assemble(
        text: Vec<u8>,
        starts: Vec<u32>,
        owners: Vec<GramOwner>,
        common: Vec<u8>,
    ) -> Result<KeywordFinder, crate::Error> {
        let mut slots = Box::new([0u16; SLOTS]);
        let mut tags = Box::new([0u8; SLOTS]);
        let mut bucket_starts: Vec<u32> = vec![0];
        let mut at = 0;
        while at < owners.len() {
            let h = hash(owners[at].key());
            let end = at + owners[at..].iter().take_while(|o| hash(o.key()) == h).count();
            let end_offset = u32::try_from(end)
                .map_err(|_| crate::Error::Prefilter("over 4 billion keyword grams".into()))?;
            bucket_starts.push(end_offset);
            // At most SLOTS buckets, one per slot: the mark fits (SLOTS is 2^16).
            slots[h] = u16::try_from(bucket_starts.len() - 1).unwrap_or(u16::MAX);
            for owner in &owners[at..end] {
                tags[h] |= 1 << (filter_bit(owner.key()) & 7);
            }
            at = end;
        }
        let short = short_automaton(&text, &starts)?;
        Ok(KeywordFinder {
            text: text.into(),
            starts: starts.into(),
            slots: Table::Built(slots),
            tags: Table::Built(tags),
            owners: owners.into(),
            bucket_starts: bucket_starts.into(),
            short,
            common: common.into(),
        })
    }

    /// Every table of the finder, for the snapshot of the built-in keyword index.
    #[cfg(test)]
    pub(crate) fn tables(&self) -> FinderTables<'_> {
        FinderTables {
            text: &self.text,
            starts: &self.starts,
            slots: &self.slots,
            tags: &self.tags,
            owners: &self.owners,
            bucket_starts: &self.bucket_starts,
            common: &self.common,
        }
    }

    /// The finder whose tables [`KeywordFinder::tables`] gave, lent rather than copied;
    /// `None` when they do not hang together (a keyword, bucket or mark out of bounds), so a
    /// damaged snapshot is rebuilt rather than trusted: nothing lent here can make a search
    /// panic.
    pub(crate) fn lend(tables: FinderTables<'static>) -> Option<KeywordFinder> {
        let FinderTables { text, starts, slots, tags, owners, bucket_starts, common } = tables;
        let keywords = common.len();
        let buckets = bucket_starts.len().checked_sub(1)?;
        let fits = starts.len() == keywords + 1
            && starts.first() == Some(&0)
            && starts.last().is_some_and(|&end| end as usize == text.len())
            && starts.windows(2).all(|pair| pair[0] <= pair[1])
            && bucket_starts.first() == Some(&0)
            && bucket_starts.last().is_some_and(|&end| end as usize == owners.len())
            && bucket_starts.windows(2).all(|pair| pair[0] <= pair[1])
            && owners.iter().all(|o| (o.keyword() as usize) < keywords)
            && slots.iter().all(|&mark| usize::from(mark) <= buckets)
            // A slot with a bit set has a bucket: the pass looks one up for every bit it finds.
            && slots.iter().zip(tags.iter()).all(|(&mark, &tag)| (mark == 0) == (tag == 0));
        if !fits {
            return None;
        }
        Some(KeywordFinder {
            text: Table::Lent(text),
            starts: Table::Lent(starts),
            slots: Table::Lent(slots),
            tags: Table::Lent(tags),
            owners: Table::Lent(owners),
            bucket_starts: Table::Lent(bucket_starts),
            short: short_automaton(text, starts).ok()?,
            common: Table::Lent(common),
        })
    }

    /// Whether the filter bitmap `tags` holds `key`'s bit: read as the 64-bit word holding it,
    /// one load wherever the bit is (the word index is under `SLOTS / 8`, so the bounds check
    /// folds away).
    #[inline(always)]
    fn admits(tags: &[u8; SLOTS], key: u32) -> bool {
        let bit = filter_bit(key);
        let word = (bit >> 6) & (SLOTS / 8 - 1);
        let bytes: [u8; 8] = tags[word * 8..word * 8 + 8].try_into().unwrap_or_default();
        (u64::from_le_bytes(bytes) >> (bit & 63)) & 1 != 0
    }

    #[inline(always)]
    fn mark(slots: &[u16; SLOTS], key: u32) -> u16 {
        slots[hash(key) & (SLOTS - 1)]
    }

    /// Every occurrence of every keyword in `haystack`, sorted by start.
    pub(crate) fn find_all(&self, haystack: &[u8]) -> Vec<Occurrence> {
        let mut found = Vec::new();
        // The tables once, not through their owner at every position.
        let (tags, slots): (&[u8; SLOTS], &[u16; SLOTS]) = (&self.tags, &self.slots);
        let mut at = 0;
        // Nine positions per two overlapping 8-byte loads (each key reads four bytes).
        while at + 12 <= haystack.len() {
            let low = fold(u64::from_le_bytes(haystack[at..at + 8].try_into().unwrap_or_default()));
            let high = fold(u64::from_le_bytes(haystack[at + 4..at + 12].try_into().unwrap_or_default()));
            // A bit per position whose key's filter bit is set, computed without a branch.
            // The keys are not kept for the admitted few (registers, not stack stores): they
            // are read again from the buffer.
            let mut admitted = 0u32;
            for shift in 0..9 {
                let key = if shift < 4 { key_at(low, shift) } else { key_at(high, shift - 4) };
                admitted |= u32::from(Self::admits(tags, key)) << shift;
            }
            while admitted != 0 {
                let shift = admitted.trailing_zeros() as usize;
                admitted &= admitted - 1;
                let key = key_in(haystack, at + shift);
                self.verify_bucket(haystack, at + shift, key, Self::mark(slots, key), &mut found);
            }
            at += 9;
        }
        while at + 3 <= haystack.len() {
            self.verify(haystack, at, key_in(haystack, at), &mut found);
            at += 1;
        }
        if let Some((automaton, short_keywords)) = &self.short {
            for hit in automaton.find_overlapping_iter(haystack) {
                found.push(Occurrence {
                    start: hit.start(),
                    keyword: short_keywords[hit.pattern().as_usize()],
                });
            }
        }
        found.sort_unstable();
        found
    }

    /// Checks the keywords owning `key` against the bytes around position `at`.
    #[inline]
    fn verify(&self, haystack: &[u8], at: usize, key: u32, found: &mut Vec<Occurrence>) {
        if Self::admits(&self.tags, key) {
            self.verify_bucket(haystack, at, key, Self::mark(&self.slots, key), found);
        }
    }

    /// [`KeywordFinder::verify`] with the key's slot mark (non-zero) already looked up.
    #[inline]
    fn verify_bucket(&self, haystack: &[u8], at: usize, key: u32, mark: u16, found: &mut Vec<Occurrence>) {
        let bucket = usize::from(mark);
        let owners =
            &self.owners[self.bucket_starts[bucket - 1] as usize..self.bucket_starts[bucket] as usize];
        for owner in owners.iter().filter(|o| o.key() == key) {
            let Some(start) = at.checked_sub(owner.offset() as usize) else { continue };
            // The quick test where eight bytes can be read; the exact comparison decides the
            // rest (folding lets a few punctuation pairs through).
            let exact = match owner.check(haystack, start) {
                Check::Rejected => false,
                Check::Confirmed => true,
                Check::Unknown => {
                    let keyword = self.keyword(owner.keyword() as usize);
                    haystack
                        .get(start..start + keyword.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
                }
            };
            if exact {
                found.push(Occurrence { start, keyword: owner.keyword() as usize });
            }
        }
    }

    /// Length of keyword `index`.
    /// Whether every 3-byte piece of keyword `index` is common in ordinary text.
    pub(crate) fn is_common(&self, index: usize) -> bool {
        self.common[index] != 0
    }

    /// The keyword `index`, lowercase.
    pub(crate) fn keyword(&self, index: usize) -> &[u8] {
        &self.text[self.starts[index] as usize..self.starts[index + 1] as usize]
    }

    pub(crate) fn keyword_len(&self, index: usize) -> usize {
        (self.starts[index + 1] - self.starts[index]) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The obvious quadratic search: every keyword at every position.
    fn naive(keywords: &[String], haystack: &[u8]) -> Vec<Occurrence> {
        let mut found = Vec::new();
        for start in 0..haystack.len() {
            for (keyword, k) in keywords.iter().enumerate() {
                if haystack.get(start..start + k.len()).is_some_and(|w| w.eq_ignore_ascii_case(k.as_bytes()))
                {
                    found.push(Occurrence { start, keyword });
                }
            }
        }
        found.sort_unstable();
        found
    }

    fn keywords(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_overlapping_and_nested_keywords_in_any_case() {
        let kws = keywords(&["key", "apikey", "secret", "client_secret", "q~", "sk_live_"]);
        let finder = KeywordFinder::new(&kws).unwrap();
        let text = b"CLIENT_SECRET=x ApiKey: y 3Q~z sk_live_ SK_LIVE_";
        let found = finder.find_all(text);
        assert_eq!(found, naive(&kws, text));
        let names: Vec<&str> = found.iter().map(|o| kws[o.keyword].as_str()).collect();
        assert_eq!(names, ["client_secret", "secret", "apikey", "key", "q~", "sk_live_", "sk_live_"]);
    }

    #[test]
    fn keywords_at_both_ends_of_the_buffer_are_found() {
        let kws = keywords(&["key", "token"]);
        let finder = KeywordFinder::new(&kws).unwrap();
        for text in
            [&b"key"[..], b"token", b"keytoken", b"0123456key", b"0123456789abtoken", b"tokenkey01234567"]
        {
            assert_eq!(finder.find_all(text), naive(&kws, text), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn punctuation_that_folds_onto_another_byte_is_not_a_keyword() {
        // `_` | 0x20 is DEL and `-` | 0x20 is CR's fold partner: the gram matches, the check must not.
        let kws = keywords(&["hf_", "sk-"]);
        let finder = KeywordFinder::new(&kws).unwrap();
        assert!(finder.find_all(b"hf\x7f sk\r").is_empty());
        assert_eq!(finder.find_all(b"HF_ SK-").len(), 2);
    }

    #[test]
    fn the_common_gram_list_parses_and_steers_gram_choice() {
        let common = common_grams();
        assert!(common.len() > 500, "{} grams", common.len());
        assert!(
            common.binary_search(&trigram_of(b"the")).is_ok()
                && common.binary_search(&trigram_of(b"_id")).is_ok()
        );
        assert_eq!(unescape_gram(r"\x20th"), Some(*b" th"));
        assert_eq!(unescape_gram(r"\x7f\x0a*"), Some([0x7f, 0x0a, b'*']));
        assert_eq!(unescape_gram("four"), None);
        assert_eq!(unescape_gram(r"\xzzq"), None, "an invalid escape is four bytes as written");
        // "acca" (an AWS key prefix): "acc" of "account" is common, "cca" is not.
        let finder = KeywordFinder::new(&keywords(&["acca"])).unwrap();
        assert!(finder.owners.iter().all(|o| o.key() & 0x00FF_FFFF == trigram_of(b"cca")));
        assert!(finder.find_all(b"account access").is_empty());
        assert_eq!(finder.find_all(b"ACCA").len(), 1);
    }

    #[test]
    fn packs_with_hundreds_of_keywords_are_found() {
        // 600 distinct 3-letter keywords: more hashed slots than an 8-bit mark could name.
        let kws: Vec<String> = (0..600u32)
            .map(|i| {
                [i % 26, (i / 26) % 26, (i / 676) % 26].iter().map(|&c| char::from(b'a' + c as u8)).collect()
            })
            .collect();
        let finder = KeywordFinder::new(&kws).unwrap();
        assert!(finder.slots.iter().filter(|&&s| s > 254).count() > 100);
        let text: Vec<u8> =
            (0..4000u32).map(|i| b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26).collect();
        let found = finder.find_all(&text);
        assert!(found.len() > 50, "{} occurrences", found.len());
        assert_eq!(found, naive(&kws, &text));
    }

    #[test]
    fn a_gram_inside_a_keyword_is_keyed_by_the_byte_after_it() {
        let kws = keywords(&["percy_token", "hf_"]);
        let finder = KeywordFinder::new(&kws).unwrap();
        let owners_of =
            |keyword: usize| finder.owners.iter().filter(|o| o.keyword() as usize == keyword).count();
        // One key inside the longer keyword; the 3-byte one ends where its gram does, so it
        // is registered under every value of the kept bits and the end of the buffer.
        assert_eq!(owners_of(0), 1);
        assert_eq!(owners_of(1), (1 << NEXT_BITS) + 1);
        // The five kept bits tell every letter apart, whatever its case.
        let letters: std::collections::HashSet<u32> =
            (b'a'..=b'z').map(|letter| key_in(&[b'c', b'y', b'_', letter], 0)).collect();
        assert_eq!(letters.len(), 26);
        assert_eq!(key_in(b"CY_T", 0), key_in(b"cy_t", 0));
        assert_eq!(key_in(b"percy_token", 2), key_in(b"rcy_", 0));
        assert_eq!(key_in(b"percy_token", 8), key_in(b"ken", 0));
        assert_eq!(key_in(b"ken", 0), trigram_of(b"ken") | AT_END);
        let text = b"latency_ms=3 percy_token=x PERCY_TOKEN hf_ hf_x hf_";
        assert_eq!(finder.find_all(text), naive(&kws, text));
        assert_eq!(finder.find_all(text).len(), 5);
    }

    proptest! {
        /// Keywords of three to six bytes over a small alphabet, so grams repeat, end
        /// keywords, and fit or miss by the byte after them, at every buffer length.
        #[test]
        fn short_keywords_agree_with_the_naive_search(
            kws in proptest::collection::vec("[ab_c]{3,6}", 1..12),
            text in proptest::collection::vec(prop_oneof![
                Just(b'a'), Just(b'B'), Just(b'_'), Just(b'c'), Just(b'q'), Just(b'\x7f'), Just(b'!'), any::<u8>()
            ], 0..120),
        ) {
            let mut kws = kws;
            kws.sort();
            kws.dedup();
            let finder = KeywordFinder::new(&kws).unwrap();
            prop_assert_eq!(finder.find_all(&text), naive(&kws, &text));
        }

        #[test]
        fn agrees_with_the_naive_search(
            text in proptest::collection::vec(prop_oneof![
                Just(b'k'), Just(b'K'), Just(b'e'), Just(b'y'), Just(b'_'), Just(b'-'), Just(b'\x7f'),
                Just(b'\r'), Just(b'q'), Just(b'~'), Just(b't'), Just(b'o'), Just(b'n'), any::<u8>()
            ], 0..200),
        ) {
            let kws = keywords(&["key", "token", "key_", "ey_t", "q~", "-ke", "tok"]);
            let finder = KeywordFinder::new(&kws).unwrap();
            prop_assert_eq!(finder.find_all(&text), naive(&kws, &text));
        }

        /// Long keywords sharing a gram (a vendor's compound names) go through the quick
        /// test of their first and last eight bytes: it must never reject a real occurrence,
        /// at either end of the buffer included.
        #[test]
        fn long_keywords_sharing_a_gram_agree_with_the_naive_search(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "etherscan", "ETHERSCAN", "_api", "_key", "-KEY", "_", "\x7f", "scan", "api", "x", " ",
            ]), 0..40),
        ) {
            let text: Vec<u8> = pieces.concat().into_bytes();
            let kws = keywords(&["etherscan_api_key", "etherscan_key", "etherscan-key", "scan_key", "etherscan", "api_key_"]);
            let finder = KeywordFinder::new(&kws).unwrap();
            prop_assert_eq!(finder.find_all(&text), naive(&kws, &text));
        }
    }
}
