//! Calendar arithmetic for the timestamps COS protocols print. No clock: callers pass Unix
//! seconds (time comes in from outside the core).

use crate::text::push_padded;

/// `YYYY-MM-DDTHH:MM:SS.000Z` for a Unix time (the policy `expiration`, protocol §2).
#[must_use]
pub fn iso8601_utc(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(i64::MAX / 1024);
    let rem = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(24);
    let rem = rem as i64;
    for (n, width, sep) in [
        (y, 4, "-"),
        (m, 2, "-"),
        (d, 2, "T"),
        (rem / 3600, 2, ":"),
        (rem % 3600 / 60, 2, ":"),
        (rem % 60, 2, ".000Z"),
    ] {
        push_padded(&mut out, n.unsigned_abs(), width);
        out.push_str(sep);
    }
    out
}

/// `YYYYMMDDHHMM` of a Unix time shifted by `offset_seconds` (Tencent CDN/EdgeOne TypeB
/// prints Beijing time, UTC+8: pass `8 * 3600`).
#[must_use]
pub fn compact_minutes(unix: u64, offset_seconds: u64) -> String {
    let t = unix.saturating_add(offset_seconds);
    let days = i64::try_from(t / 86_400).unwrap_or(i64::MAX / 1024);
    let rem = t % 86_400;
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(12);
    for (n, width) in [
        (y.unsigned_abs(), 4),
        (m.unsigned_abs(), 2),
        (d.unsigned_abs(), 2),
        (rem / 3600, 2),
        (rem % 3600 / 60, 2),
    ] {
        push_padded(&mut out, n, width);
    }
    out
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(1_735_690_500), "2025-01-01T00:15:00.000Z");
        assert_eq!(iso8601_utc(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601_utc(253_402_300_799), "9999-12-31T23:59:59.000Z");
    }

    #[test]
    fn compact_minutes_in_beijing_time() {
        assert_eq!(compact_minutes(0, 0), "197001010000");
        // EdgeOne's TypeB example: 2024-07-15 15:33 in UTC+8
        assert_eq!(compact_minutes(1_721_028_780, 8 * 3600), "202407151533");
        assert_eq!(compact_minutes(1_721_028_839, 8 * 3600), "202407151533");
        assert_eq!(compact_minutes(951_753_600, 8 * 3600), "200002290000");
    }
}
