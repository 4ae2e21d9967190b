//! Timestamps as Step Functions reads them (Choice Timestamp* rules, IsTimestamp, Wait
//! Timestamp/TimestampPath): ISO-8601 extended offset date-times as Java's
//! `ISO_OFFSET_DATE_TIME` parses them — `2016-03-14T01:59:00Z`, optional seconds and up to nine
//! fraction digits, a `Z` or `±HH:MM[:SS]` offset, `T`/`Z` in either case. No zone or a space
//! instead of `T` is not a timestamp.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};

/// Parse a timestamp; `None` when the text is not one.
pub fn parse(text: &str) -> Option<DateTime<FixedOffset>> {
    let mut s = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = s.digits(4)?;
    s.expect(b'-')?;
    let month = s.digits(2)?;
    s.expect(b'-')?;
    let day = s.digits(2)?;
    s.expect_either(b'T', b't')?;
    let hour = s.digits(2)?;
    s.expect(b':')?;
    let minute = s.digits(2)?;
    let mut second = 0;
    let mut nanos = 0;
    if s.peek() == Some(b':') {
        s.pos += 1;
        second = s.digits(2)?;
        if s.peek() == Some(b'.') {
            s.pos += 1;
            let start = s.pos;
            while s.peek().is_some_and(|b| b.is_ascii_digit()) {
                s.pos += 1;
            }
            let count = s.pos - start;
            if count == 0 || count > 9 {
                return None;
            }
            let digits = std::str::from_utf8(s.bytes.get(start..s.pos)?).ok()?;
            let value: u32 = digits.parse().ok()?;
            nanos = value * 10u32.pow(9 - u32::try_from(count).ok()?);
        }
    }
    let offset_seconds = match s.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let h = s.digits(2)?;
            s.expect(b':')?;
            let m = s.digits(2)?;
            let sec = if s.peek() == Some(b':') {
                s.pos += 1;
                s.digits(2)?
            } else {
                0
            };
            if h > 18 || m > 59 || sec > 59 {
                return None;
            }
            let total = i32::try_from(h * 3600 + m * 60 + sec).ok()?;
            if sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    if s.pos != s.bytes.len() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    if second > 59 {
        return None;
    }
    let offset = FixedOffset::east_opt(offset_seconds)?;
    date.and_time(time).and_local_timezone(offset).single()
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    fn expect_either(&mut self, a: u8, b: u8) -> Option<()> {
        let got = self.next()?;
        (got == a || got == b).then_some(())
    }

    fn digits(&mut self, count: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..count {
            let b = self.next()?;
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_offset_date_times() {
        for ok in [
            "2012-10-09T19:00:55Z",
            "2016-03-14T01:59Z",
            "2016-03-14T01:59:00.123456789+01:00",
            "2016-03-14t01:59:00z",
            "2016-03-14T01:59:00-05:30:15",
        ] {
            assert!(parse(ok).is_some(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_aws_rejects() {
        for bad in [
            "2024-01-01T00:00:00",
            "2016-12-05 21:29:29Z",
            "2016-13-05T21:29:29Z",
            "05-12-2016T21:29:29Z",
            "2023-02-24 12:15:56.832957",
            "2016-02-30T00:00:00Z",
            "2016-03-14T01:59:00.Z",
            "2016-03-14T01:59:00+01",
            "",
            " ",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn equal_instants_compare_equal() {
        assert_eq!(
            parse("2012-10-09T19:00:55Z"),
            parse("2012-10-09T20:00:55+01:00")
        );
        assert!(parse("2012-10-09T19:00:55Z") < parse("2012-10-09T19:00:56Z"));
    }
}
