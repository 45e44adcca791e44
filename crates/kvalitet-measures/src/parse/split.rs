//! The records of a CSV file: lines split at the delimiter while the file has no quotes
//! and no lone carriage returns (the usual export), else the `csv` crate from that line on.
//!
//! Both give the same records and line numbers: without a `"` a CSV record is one line and
//! its fields are the pieces between delimiters; `\n` and `\r\n` end a record and empty
//! lines are skipped, as the `csv` crate does. A line with a quote or a carriage return
//! inside starts a record boundary (every line before it was a whole record), so the `csv`
//! crate takes over there, with its line numbers moved on by the lines already read.

use std::io::{self, Cursor, Read};

use csv::ByteRecord;

/// Bytes read from the file at a time (a whole number of lines is split per read).
const BLOCK: usize = 1 << 19;

/// Where the records come from now.
enum Mode<'a> {
    /// Splitting whole lines read into a buffer.
    Lines(LineBuf<'a>),
    /// The `csv` crate, from a line start on; its line 1 is `offset + 1`.
    Csv { csv: Box<csv::Reader<Box<dyn Read + 'a>>>, offset: u64 },
    /// Between the two (never seen from outside).
    Switching,
}

/// Lines being split: `buf[pos..end]` are whole lines not split yet, `buf[end..filled]`
/// the start of a line whose end has not been read.
struct LineBuf<'a> {
    reader: Box<dyn Read + 'a>,
    buf: Vec<u8>,
    filled: usize,
    pos: usize,
    end: usize,
    eof: bool,
    /// Whether `buf[..end]` is valid UTF-8.
    utf8: bool,
}

/// The records of one file in order, each with the line it starts on (the header is on
/// line 1 unless blank lines come first).
pub(super) struct Records<'a> {
    mode: Mode<'a>,
    delimiter: u8,
    /// Lines read so far (in line mode: up to `pos`).
    lines: u64,
    /// Bytes the file has in all, when known (to size the row vectors).
    size: Option<u64>,
    /// Bytes of lines split so far (to estimate the number of rows).
    split_bytes: u64,
}

impl<'a> Records<'a> {
    pub(super) fn new(reader: Box<dyn Read + 'a>, delimiter: u8, size: Option<u64>) -> Self {
        let lines =
            LineBuf { reader, buf: vec![0; BLOCK], filled: 0, pos: 0, end: 0, eof: false, utf8: true };
        Records { mode: Mode::Lines(lines), delimiter, lines: 0, size, split_bytes: 0 }
    }

    /// Reads the next record into `record`; its line, or `None` at the end of the file.
    /// An error comes with the line it was found on (0 when unknown).
    pub(super) fn next(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, (csv::Error, u64)> {
        loop {
            match &mut self.mode {
                Mode::Csv { csv, offset } => {
                    let offset = *offset;
                    return match csv.read_byte_record(record) {
                        Ok(true) => Ok(Some(offset + record.position().map_or(0, |p| p.line()))),
                        Ok(false) => Ok(None),
                        Err(e) => {
                            let line = e.position().map_or(0, |p| offset + p.line());
                            Err((e, line))
                        }
                    };
                }
                Mode::Switching => unreachable!("switching is done within one call"),
                Mode::Lines(lb) => {
                    if lb.pos == lb.end {
                        if lb.eof && lb.end == lb.filled {
                            return Ok(None);
                        }
                        refill(lb).map_err(|e| (csv::Error::from(e), self.lines))?;
                        continue;
                    }
                    let start = lb.pos;
                    let nl = memchr::memchr(b'\n', &lb.buf[start..lb.end]).map_or(lb.end, |i| start + i);
                    let mut line = &lb.buf[start..nl];
                    if let [rest @ .., b'\r'] = line {
                        line = rest;
                    }
                    if memchr::memchr2(b'"', b'\r', line).is_some() {
                        self.to_csv(start);
                        continue;
                    }
                    lb.pos = (nl + 1).min(lb.end);
                    self.lines += 1;
                    self.split_bytes += (lb.pos - start) as u64;
                    if line.is_empty() {
                        continue; // a blank line is no record
                    }
                    record.clear();
                    let mut from = 0;
                    for i in memchr::memchr_iter(self.delimiter, line) {
                        record.push_field(&line[from..i]);
                        from = i + 1;
                    }
                    record.push_field(&line[from..]);
                    return Ok(Some(self.lines));
                }
            }
        }
    }

    /// Whether `record`, the last one read, is valid UTF-8: known for a whole block of
    /// lines at once when it was read.
    pub(super) fn is_utf8(&self, record: &ByteRecord) -> bool {
        match &self.mode {
            Mode::Lines(LineBuf { utf8: true, .. }) => true,
            _ => super::file::is_utf8(record),
        }
    }

    /// About how many records the file has in all, from the length of the lines split so
    /// far; 0 when unknown.
    pub(super) fn estimated_records(&self) -> usize {
        match self.size {
            Some(size) if self.lines > 0 && self.split_bytes > 0 => {
                let per_line = self.split_bytes as f64 / self.lines as f64;
                // A little over, so the vectors are not grown near the end; capacity that
                // is never written costs no memory.
                (size as f64 / per_line * 1.05) as usize + 16
            }
            _ => 0,
        }
    }

    /// Hands the rest of the file, from `buf[start..]` (a line start), to the `csv` crate.
    fn to_csv(&mut self, start: usize) {
        let Mode::Lines(mut lb) = std::mem::replace(&mut self.mode, Mode::Switching) else {
            unreachable!("called in line mode");
        };
        lb.buf.truncate(lb.filled);
        lb.buf.drain(..start);
        let rest: Box<dyn Read + 'a> = Box::new(Cursor::new(lb.buf).chain(lb.reader));
        let csv = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(rest);
        self.mode = Mode::Csv { csv: Box::new(csv), offset: self.lines };
    }
}

/// Moves the unsplit tail of `buf[..filled]` to its start and reads more, until it holds
/// at least one whole line or the file ends; `buf[..end]` is then whole lines (at the end
/// of the file, the last line too).
fn refill(lines: &mut LineBuf<'_>) -> io::Result<()> {
    let LineBuf { reader, buf, filled, pos, end, eof, utf8 } = lines;
    buf.copy_within(*end..*filled, 0);
    *filled -= *end;
    *pos = 0;
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
    Ok(())
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
