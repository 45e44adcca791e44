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
    /// Splitting whole lines read into a buffer.
    Lines(LineBuf<'a>),
    /// The `csv` crate, from a line start on; its line 1 is `offset + 1`.
    Csv { csv: Box<csv::Reader<Box<dyn Read + 'a>>>, record: ByteRecord, offset: u64 },
    /// Between the two (never seen from outside).
    Switching,
}

/// Lines being split: `buf[..end]` are whole lines, split into `lines` (up to `plain`,
/// where a line the `csv` crate must read starts), `buf[end..filled]` the start of a line
/// whose end has not been read.
struct LineBuf<'a> {
    reader: Box<dyn Read + 'a>,
    buf: Vec<u8>,
    filled: usize,
    end: usize,
    eof: bool,
    /// Whether `buf[..end]` is valid UTF-8.
    utf8: bool,
    split: Split,
    /// The next of `split.lines`.
    next: usize,
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
/// line 1 unless blank lines come first).
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
    pub(super) fn new(reader: Box<dyn Read + 'a>, delimiter: u8, size: Option<u64>) -> Self {
        let lines = LineBuf {
            reader,
            buf: vec![0; BLOCK],
            filled: 0,
            end: 0,
            eof: false,
            utf8: true,
            split: Split::default(),
            next: 0,
        };
        Records { mode: Mode::Lines(lines), delimiter, lines: 0, size, split_lines: 0, split_bytes: 0 }
    }

    /// The next record, the line it starts on, and whether its whole block is known to be
    /// valid UTF-8; `None` at the end of the file. An error comes with the line it was
    /// found on (0 when unknown).
    #[expect(clippy::type_complexity, reason = "a lending iterator's item, used in one place")]
    pub(super) fn next(&mut self) -> Result<Option<(Rec<'_>, u64, bool)>, (csv::Error, u64)> {
        loop {
            match &mut self.mode {
                Mode::Switching => unreachable!("switching is done within one call"),
                Mode::Csv { .. } => break,
                Mode::Lines(lb) => {
                    if lb.next < lb.split.lines.len() {
                        break;
                    }
                    if lb.split.plain < lb.end {
                        let (plain, lines) = (lb.split.plain, lb.split.line_count);
                        self.lines += lines;
                        self.hand_to_csv(plain);
                        continue;
                    }
                    if lb.eof && lb.end == lb.filled {
                        return Ok(None);
                    }
                    self.lines += lb.split.line_count;
                    refill(lb, self.delimiter).map_err(|e| (csv::Error::from(e), self.lines))?;
                    self.split_lines += lb.split.line_count;
                    self.split_bytes += lb.split.plain as u64;
                }
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
            Mode::Lines(lb) => {
                let (start, ref fields, line) = lb.split.lines[lb.next];
                lb.next += 1;
                let rec = Rec::Split { block: &lb.buf[..lb.end], start, ends: &lb.split.ends[fields.clone()] };
                Ok(Some((rec, self.lines + line + 1, lb.utf8)))
            }
            Mode::Switching => unreachable!("switching is done within one call"),
        }
    }

    /// About how many records the file has in all, from the length of the lines split so
    /// far; 0 when unknown.
    pub(super) fn estimated_records(&self) -> usize {
        match self.size {
            Some(size) if self.split_lines > 0 && self.split_bytes > 0 => {
                let per_line = self.split_bytes as f64 / self.split_lines as f64;
                // A little over, so the vectors are not grown near the end; capacity that
                // is never written costs no memory.
                // At most one a byte (blank lines make the lines split look short).
                ((size as f64 / per_line * 1.05) as usize + 16).min(size as usize)
            }
            _ => 0,
        }
    }

    /// Hands the rest of the file, from `buf[start..]` (a line start), to the `csv` crate.
    fn hand_to_csv(&mut self, start: usize) {
        let Mode::Lines(mut lb) = std::mem::replace(&mut self.mode, Mode::Switching) else {
            unreachable!("called in line mode");
        };
        lb.buf.truncate(lb.filled);
        lb.buf.drain(..start);
        let rest: Box<dyn Read + 'a> = Box::new(Cursor::new(lb.buf).chain(lb.reader));
        let csv =
            csv::ReaderBuilder::new().delimiter(self.delimiter).has_headers(false).flexible(true).from_reader(rest);
        self.mode = Mode::Csv { csv: Box::new(csv), record: ByteRecord::new(), offset: self.lines };
    }
}

/// Moves the unsplit tail of `buf[..filled]` to its start and reads more, until it holds
/// at least one whole line or the file ends; then splits `buf[..end]`, the whole lines
/// (at the end of the file, the last line too).
fn refill(lb: &mut LineBuf<'_>, delimiter: u8) -> io::Result<()> {
    let LineBuf { reader, buf, filled, end, eof, utf8, split, next } = lb;
    buf.copy_within(*end..*filled, 0);
    *filled -= *end;
    *end = 0;
    loop {
        if *eof {
            *end = *filled;
            break;
        }
        if buf.len() - *filled < BLOCK {
            // A line longer than the buffer: make room for more.
            buf.resize(*filled + BLOCK, 0);
        }
        let old = *filled;
        let n = read_full(reader, &mut buf[old..])?;
        *filled += n;
        *eof = *filled < buf.len();
        if *eof {
            *end = *filled;
            break;
        }
        if let Some(i) = memchr::memrchr(b'\n', &buf[old..*filled]) {
            *end = old + i + 1;
            break;
        }
    }
    // The file is UTF-8 exactly when every block of whole lines is (line ends are ASCII,
    // so no character is split between blocks).
    *utf8 = std::str::from_utf8(&buf[..*end]).is_ok();
    split_lines(&buf[..*end], delimiter, split);
    *next = 0;
    Ok(())
}

/// Splits whole lines into records, up to the first line with a quote or a lone carriage
/// return, in one pass over the bytes.
fn split_lines(block: &[u8], delimiter: u8, out: &mut Split) {
    out.ends.clear();
    out.lines.clear();
    out.line_count = 0;
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

/// Reads until `out` is full or the reader ends; the bytes read.
fn read_full(reader: &mut Box<dyn Read + '_>, out: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < out.len() {
        match reader.read(&mut out[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
