//! The records of a CSV file: lines split at the delimiter while the file has no quotes
//! and no lone carriage returns (the usual export), else the `csv` crate from that line on.
//!
//! Both give the same records and line numbers: without a `"` a CSV record is one line and
//! its fields are the pieces between delimiters; `\n` and `\r\n` end a record and empty
//! lines are skipped, as the `csv` crate does. A line with a quote or a lone carriage
//! return starts at a record boundary (every line before it was a whole record), so the
//! `csv` crate takes over there, its line numbers moved on by the lines already read.

use std::io::{self, Cursor, Read};
use std::ops::Range;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::Scope;

use csv::ByteRecord;

/// Bytes read from the file at a time (whole lines of them are split at once).
const BLOCK: usize = 1 << 19;

/// One record: cells split from a line, or a record of the `csv` crate (or a sheet).
#[derive(Clone, Copy)]
pub(super) enum Rec<'r> {
    /// Cell `i` is `block[start..ends[0]]` for `i == 0`, else `block[ends[i-1]+1..ends[i]]`.
    Split {
        block: &'r [u8],
        start: usize,
        ends: &'r [u32],
    },
    Record(&'r ByteRecord),
}

impl<'r> Rec<'r> {
    pub(super) fn get(&self, i: usize) -> Option<&'r [u8]> {
        match *self {
            Rec::Split { block, start, ends } => {
                let end = *ends.get(i)? as usize;
                let from = if i == 0 { start } else { ends[i - 1] as usize + 1 };
                Some(&block[from..end])
            }
            Rec::Record(r) => r.get(i),
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Rec::Split { ends, .. } => ends.len(),
            Rec::Record(r) => r.len(),
        }
    }

    pub(super) fn iter(&self) -> impl DoubleEndedIterator<Item = &'r [u8]> + ExactSizeIterator + '_ {
        (0..self.len()).map(|i| self.get(i).expect("below len"))
    }

    /// Whether a cell holds a line break (only a quoted cell of the `csv` crate can).
    pub(super) fn has_line_break(&self) -> bool {
        match self {
            Rec::Split { .. } => false,
            Rec::Record(r) => r.as_slice().contains(&b'\n') || r.as_slice().contains(&b'\r'),
        }
    }

    /// Whether every cell is valid UTF-8.
    pub(super) fn is_utf8(&self) -> bool {
        match *self {
            Rec::Split { block, start, ends } => {
                std::str::from_utf8(&block[start..ends.last().map_or(start, |e| *e as usize)]).is_ok()
            }
            Rec::Record(r) => super::file::is_utf8(r),
        }
    }
}

/// Where the records come from now.
enum Mode<'a> {
    /// Blocks of whole lines, read and split on a thread of their own.
    Blocks {
        blocks: Receiver<Piece<'a>>,
        /// Blocks done with, back to the reading thread to be filled again.
        back: Sender<Block>,
        current: Option<Block>,
        /// The next of `current.split.lines`.
        next: usize,
    },
    /// The `csv` crate, from a line start on; its line 1 is `offset + 1`.
    Csv { csv: Box<csv::Reader<Box<dyn Read + Send + 'a>>>, record: ByteRecord, offset: u64 },
}

/// Whole lines and their records (up to `split.plain`).
#[derive(Default)]
struct Block {
    buf: Vec<u8>,
    split: Split,
    /// Whether the lines split are valid UTF-8.
    utf8: bool,
}

/// What the reading thread sends.
enum Piece<'a> {
    Block(Block),
    /// The rest of the file from a line the `csv` crate must read: the bytes read of it,
    /// then the reader.
    Rest(Vec<u8>, Box<dyn Read + Send + 'a>),
    Failed(io::Error),
}

/// The records of a block of lines: the cells' ends (offsets in the block), and per
/// record its first byte, its range in `ends` and its line (counted in the block from 0).
#[derive(Default)]
struct Split {
    ends: Vec<u32>,
    lines: Vec<(usize, Range<usize>, u64)>,
    /// Lines in the block up to `plain`, blank ones included.
    line_count: u64,
    /// Where the first line that needs the `csv` crate starts (else the block's end).
    plain: usize,
}

/// The records of one file in order, each with the line it starts on (the header is on
/// line 1 unless blank lines come first). The file is read and split into lines and
/// cells on a thread of its own, a few blocks ahead, while the caller validates rows.
pub(super) struct Records<'a> {
    mode: Mode<'a>,
    delimiter: u8,
    /// Lines before the current block.
    lines: u64,
    /// Bytes the file has in all, when known (to size the row vectors).
    size: Option<u64>,
    /// Lines and bytes split so far (to estimate the number of rows).
    split_lines: u64,
    split_bytes: u64,
}

impl<'a> Records<'a> {
    /// Starts reading `reader` on a thread of `scope`.
    pub(super) fn new<'s>(
        scope: &'s Scope<'s, 'a>,
        reader: Box<dyn Read + Send + 'a>,
        delimiter: u8,
        size: Option<u64>,
    ) -> Self {
        let (send, blocks) = mpsc::sync_channel(2);
        let (back, returned) = mpsc::channel();
        scope.spawn(move || read_blocks(reader, delimiter, &send, &returned));
        let mode = Mode::Blocks { blocks, back, current: None, next: 0 };
        Records { mode, delimiter, lines: 0, size, split_lines: 0, split_bytes: 0 }
    }

    /// The next record, the line it starts on, and whether its whole block is known to be
    /// valid UTF-8; `None` at the end of the file. An error comes with the line it was
    /// found on (0 when unknown).
    #[expect(clippy::type_complexity, reason = "a lending iterator's item, used in one place")]
    pub(super) fn next(&mut self) -> Result<Option<(Rec<'_>, u64, bool)>, (csv::Error, u64)> {
        while let Mode::Blocks { blocks, back, current, next } = &mut self.mode {
            if current.as_ref().is_some_and(|b| *next < b.split.lines.len()) {
                break;
            }
            if let Some(done) = current.take() {
                self.lines += done.split.line_count;
                let _ = back.send(done);
            }
            match blocks.recv() {
                Ok(Piece::Block(b)) => {
                    self.split_lines += b.split.line_count;
                    self.split_bytes += b.split.plain as u64;
                    *current = Some(b);
                    *next = 0;
                }
                Ok(Piece::Rest(bytes, reader)) => {
                    let rest: Box<dyn Read + Send + 'a> = Box::new(Cursor::new(bytes).chain(reader));
                    let csv = csv::ReaderBuilder::new()
                        .delimiter(self.delimiter)
                        .has_headers(false)
                        .flexible(true)
                        .from_reader(rest);
                    self.mode = Mode::Csv { csv: Box::new(csv), record: ByteRecord::new(), offset: self.lines };
                }
                Ok(Piece::Failed(e)) => return Err((csv::Error::from(e), self.lines)),
                Err(_) => return Ok(None), // the reading thread is done
            }
        }
        match &mut self.mode {
            Mode::Csv { csv, record, offset } => match csv.read_byte_record(record) {
                Ok(true) => {
                    let line = *offset + record.position().map_or(0, |p| p.line());
                    Ok(Some((Rec::Record(record), line, false)))
                }
                Ok(false) => Ok(None),
                Err(e) => {
                    let line = e.position().map_or(0, |p| *offset + p.line());
                    Err((e, line))
                }
            },
            Mode::Blocks { current: Some(b), next, .. } => {
                let (start, ref fields, line) = b.split.lines[*next];
                *next += 1;
                let rec = Rec::Split { block: &b.buf, start, ends: &b.split.ends[fields.clone()] };
                Ok(Some((rec, self.lines + line + 1, b.utf8)))
            }
            Mode::Blocks { current: None, .. } => unreachable!("a record is at hand"),
        }
    }

    /// About how many records the file has in all, from the length of the lines split so
    /// far; 0 when unknown.
    pub(super) fn estimated_records(&self) -> usize {
        match self.size {
            Some(size) if self.split_lines > 0 && self.split_bytes > 0 => {
                let per_line = self.split_bytes as f64 / self.split_lines as f64;
                // A little over, so the vectors are not grown near the end; capacity that
                // is never written costs no memory. At most one a byte (blank lines make
                // the lines split look short).
                ((size as f64 / per_line * 1.05) as usize + 16).min(size as usize)
            }
            _ => 0,
        }
    }
}

/// The reading thread: fills blocks with whole lines (a line longer than a block makes
/// the block larger), splits them and sends them, until the end of the file or a line the
/// `csv` crate must read (then the rest goes as bytes and the reader). Stops when the
/// records are no longer wanted (the receiver is gone).
fn read_blocks<'a>(
    mut reader: Box<dyn Read + Send + 'a>,
    delimiter: u8,
    send: &SyncSender<Piece<'a>>,
    returned: &Receiver<Block>,
) {
    let mut tail: Vec<u8> = Vec::new();
    let mut eof = false;
    while !(eof && tail.is_empty()) {
        let mut block = returned.try_recv().unwrap_or_default();
        block.buf.clear();
        block.buf.reserve(tail.len() + BLOCK);
        block.buf.append(&mut tail);
        let end = loop {
            let old = block.buf.len();
            match (&mut reader).take(BLOCK as u64).read_to_end(&mut block.buf) {
                Ok(n) => eof = n < BLOCK,
                Err(e) => {
                    let _ = send.send(Piece::Failed(e));
                    return;
                }
            }
            if eof {
                break block.buf.len();
            }
            if let Some(i) = memchr::memrchr(b'\n', &block.buf[old..]) {
                break old + i + 1;
            }
        };
        tail.extend_from_slice(&block.buf[end..]);
        block.buf.truncate(end);
        if block.buf.is_empty() {
            break;
        }
        // The file is UTF-8 exactly when every block of whole lines is (line ends are
        // ASCII, so no character is split between blocks).
        block.utf8 = std::str::from_utf8(&block.buf).is_ok();
        split_lines(&block.buf, delimiter, &mut block.split);
        let plain = block.split.plain;
        if plain < end {
            let mut rest = block.buf[plain..].to_vec();
            rest.append(&mut tail);
            let _ = send.send(Piece::Block(block));
            let _ = send.send(Piece::Rest(rest, reader));
            return;
        }
        if send.send(Piece::Block(block)).is_err() {
            return;
        }
    }
}

/// Splits whole lines into records, up to the first line with a quote or a lone carriage
/// return, in one pass over the bytes.
fn split_lines(block: &[u8], delimiter: u8, out: &mut Split) {
    out.ends.clear();
    out.lines.clear();
    out.line_count = 0;
    if u32::try_from(block.len()).is_err() {
        // Offsets are kept in 32 bits: a line of over 4 GiB goes to the `csv` crate.
        out.plain = 0;
        return;
    }
    // Lines before the first quote need no quote handling.
    let plain =
        memchr::memchr(b'"', block).map_or(block.len(), |q| memchr::memrchr(b'\n', &block[..q]).map_or(0, |i| i + 1));
    out.plain = plain;
    let block = &block[..plain];
    let mut start = 0;
    let mut first = 0;
    // Set when a `\r` ended the line and the `\n` after it is still to come.
    let mut ended = false;
    let finish = |out: &mut Split, start: usize, first: usize, end: usize| {
        let fields = out.ends.len() > first;
        if fields || end > start {
            out.ends.push(end as u32);
            out.lines.push((start, first..out.ends.len(), out.line_count));
        } // else a blank line: no record
    };
    for i in memchr::memchr3_iter(delimiter, b'\n', b'\r', block) {
        match block[i] {
            b'\n' => {
                if !ended {
                    finish(out, start, first, i);
                }
                ended = false;
                out.line_count += 1;
                start = i + 1;
                first = out.ends.len();
            }
            b'\r' if block.get(i + 1) == Some(&b'\n') => {
                finish(out, start, first, i);
                ended = true;
            }
            b'\r' => {
                // A lone carriage return (the `csv` crate ends a record there): the `csv`
                // crate reads from this line on.
                out.ends.truncate(first);
                out.plain = start;
                return;
            }
            _ => out.ends.push(i as u32),
        }
    }
    if start < block.len() {
        // The last line of the file, without a line end.
        finish(out, start, first, block.len());
        out.line_count += 1;
    }
}
