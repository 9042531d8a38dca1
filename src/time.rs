//! Publication times: parsed from the formats feeds actually use, kept as
//! written when they cannot be parsed (so nothing is lost).

use jiff::civil::DateTime;
use jiff::{tz::TimeZone, Timestamp};

/// A publication time as given, with the instant when it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The text as it appeared in the input.
    pub raw: String,
    /// The instant, when the text could be parsed; times without a zone are
    /// taken as UTC.
    pub at: Option<Timestamp>,
}

impl Published {
    /// Parses RFC 3339 / ISO 8601 (with or without zone, date only), and the
    /// Reuters-21578 form `26-FEB-1987 15:01:01.79`.
    pub fn parse(raw: &str) -> Self {
        let at = parse_instant(raw.trim());
        Published { raw: raw.to_string(), at }
    }

    /// Seconds since the Unix epoch, for ordering.
    pub fn seconds(&self) -> Option<i64> {
        self.at.map(|t| t.as_second())
    }
}

fn parse_instant(s: &str) -> Option<Timestamp> {
    if s.is_empty() {
        return None;
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    if let Ok(zoned) = s.parse::<jiff::Zoned>() {
        return Some(zoned.timestamp());
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return TimeZone::UTC.to_timestamp(dt).ok();
    }
    if let Ok(date) = s.parse::<jiff::civil::Date>() {
        return TimeZone::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight())).ok();
    }
    // Reuters-21578: "26-FEB-1987 15:01:01.79" (centiseconds dropped).
    let head = s.split_once('.').map_or(s, |(head, _)| head);
    if let Ok(dt) = DateTime::strptime("%d-%b-%Y %H:%M:%S", title_case_month(head)) {
        return TimeZone::UTC.to_timestamp(dt).ok();
    }
    for fmt in ["%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y"] {
        if let Ok(date) = jiff::civil::Date::strptime(fmt, s) {
            return TimeZone::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight())).ok();
        }
    }
    None
}

/// "26-FEB-1987 ..." -> "26-Feb-1987 ...": month names parse in title case.
fn title_case_month(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_alpha = false;
    for c in s.chars() {
        if c.is_ascii_alphabetic() {
            out.push(if prev_alpha { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() });
            prev_alpha = true;
        } else {
            out.push(c);
            prev_alpha = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        for s in [
            "2018-07-15T07:54:28-04:00",
            "2018-07-15T11:54:28Z",
            "2018-07-15T11:54:28",
            "2018-07-15",
            "26-FEB-1987 15:01:01.79",
            "October 18, 2023",
            "20 October 2023",
        ] {
            assert!(Published::parse(s).at.is_some(), "could not parse {s}");
        }
        let a = Published::parse("2018-07-15T07:54:28-04:00");
        let b = Published::parse("2018-07-15T11:54:28Z");
        assert_eq!(a.seconds(), b.seconds());
    }

    #[test]
    fn keeps_unparsable_text() {
        let p = Published::parse("last Tuesday");
        assert_eq!(p.at, None);
        assert_eq!(p.raw, "last Tuesday");
    }
}
