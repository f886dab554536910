//! Calendar helpers for day-based deadlines.
//!
//! Times are stored in UTC, but the rules speak of days as the holder lives them:
//! a deadline "in N days" ends at the end of that calendar day in Europe/Rome
//! (docs/domain.md §4). These helpers do that conversion once, correctly across
//! the daylight-saving changes (a Rome day lasts 23, 24 or 25 hours).

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Rome;

/// The calendar date in Europe/Rome at the instant `at`.
#[must_use]
pub fn rome_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Rome).date_naive()
}

/// The first instant of the Rome calendar day `date`, in UTC.
///
/// Rome midnight always exists today (the clocks change at 02:00/03:00), but the
/// function also copes with a midnight that falls in a DST gap (the day then starts
/// when the gap ends) or is repeated (the day starts at the earlier midnight).
/// Saturates at the limits of `DateTime<Utc>`.
#[must_use]
pub fn start_of_rome_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    first_valid_local_instant(midnight)
}

/// The last instant of the Rome calendar day `date`, in UTC, to the millisecond:
/// one millisecond before the next Rome midnight (e.g. `21:59:59.999Z` in summer).
///
/// Millisecond rather than nanosecond precision on purpose: the value survives a
/// round trip through PostgreSQL (microseconds, rounded) or JSON (milliseconds)
/// without rounding up into the next day.
#[must_use]
pub fn end_of_rome_day(date: NaiveDate) -> DateTime<Utc> {
    match date.succ_opt() {
        Some(next) => start_of_rome_day(next) - TimeDelta::milliseconds(1),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// The end of the Rome calendar day that comes `days` days after the Rome date of
/// `start`: `days = 0` is the end of the day `start` falls in, `days = 180` the end
/// of the day 180 calendar days later. A deadline computed this way is met while
/// `now <= deadline` and missed once `now > deadline` (see [`end_of_rome_day`]).
///
/// Saturates at `DateTime::<Utc>::MAX_UTC` for absurdly large `days`.
#[must_use]
pub fn end_of_rome_day_after(start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    match rome_date(start).checked_add_days(Days::new(u64::from(days))) {
        Some(date) => end_of_rome_day(date),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// Whole Rome calendar days from the Rome date of `from` to the Rome date of `to`
/// (negative when `to` is an earlier day). Two instants on the same Rome day give 0,
/// 23:59 and 00:01 of the next day give 1.
#[must_use]
pub fn rome_days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (rome_date(to) - rome_date(from)).num_days()
}

/// The UTC instant of the first wall-clock time in Rome at or after `local`.
fn first_valid_local_instant(local: NaiveDateTime) -> DateTime<Utc> {
    if let Some(t) = Rome.from_local_datetime(&local).earliest() {
        return t.with_timezone(&Utc);
    }
    // `local` falls in a DST gap: walk forward minute by minute until the wall
    // clock exists again (gaps are at most a few hours).
    let mut probe = local;
    for _ in 0..(24 * 60) {
        probe = match probe.checked_add_signed(TimeDelta::minutes(1)) {
            Some(p) => p,
            None => return DateTime::<Utc>::MAX_UTC,
        };
        if let Some(t) = Rome.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    // Unreachable for real zone data; fall back to reading the wall time as UTC.
    local.and_utc()
}

/// The instant on the Europe/Rome wall clock, for showing times to Italian users
/// and operators (storage stays in UTC).
#[must_use]
pub fn in_rome(at: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    at.with_timezone(&chrono_tz::Europe::Rome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s)
            .single()
            .expect("valid test instant")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn end_of_day_in_winter_is_22_59_59_utc() {
        // CET = UTC+1: Rome midnight of 16 Jan is 23:00 UTC on 15 Jan.
        let end = end_of_rome_day(date(2025, 1, 15));
        assert_eq!(end + TimeDelta::milliseconds(1), utc(2025, 1, 15, 23, 0, 0));
        assert_eq!(end.hour(), 22);
        assert_eq!(end.nanosecond(), 999_000_000);
    }

    #[test]
    fn end_of_day_in_summer_is_21_59_59_utc() {
        // CEST = UTC+2.
        let end = end_of_rome_day(date(2025, 7, 15));
        assert_eq!(end + TimeDelta::milliseconds(1), utc(2025, 7, 15, 22, 0, 0));
    }

    #[test]
    fn day_of_spring_forward_lasts_23_hours() {
        // 30 March 2025: 02:00 CET -> 03:00 CEST.
        let start = start_of_rome_day(date(2025, 3, 30));
        let end = end_of_rome_day(date(2025, 3, 30));
        assert_eq!(start, utc(2025, 3, 29, 23, 0, 0));
        assert_eq!(end + TimeDelta::milliseconds(1), utc(2025, 3, 30, 22, 0, 0));
        assert_eq!((end - start + TimeDelta::milliseconds(1)).num_hours(), 23);
    }

    #[test]
    fn day_of_fall_back_lasts_25_hours() {
        // 26 October 2025: 03:00 CEST -> 02:00 CET.
        let start = start_of_rome_day(date(2025, 10, 26));
        let end = end_of_rome_day(date(2025, 10, 26));
        assert_eq!(start, utc(2025, 10, 25, 22, 0, 0));
        assert_eq!(
            end + TimeDelta::milliseconds(1),
            utc(2025, 10, 26, 23, 0, 0)
        );
        assert_eq!((end - start + TimeDelta::milliseconds(1)).num_hours(), 25);
    }

    #[test]
    fn deadline_counts_rome_days_not_utc_days() {
        // 23:30 UTC on 31 Dec is already 1 Jan in Rome.
        let start = utc(2024, 12, 31, 23, 30, 0);
        assert_eq!(rome_date(start), date(2025, 1, 1));
        let end = end_of_rome_day_after(start, 0);
        assert_eq!(end + TimeDelta::milliseconds(1), utc(2025, 1, 1, 23, 0, 0));
        let end = end_of_rome_day_after(start, 30);
        assert_eq!(rome_date(end), date(2025, 1, 31));
    }

    #[test]
    fn deadline_across_spring_forward() {
        // Set in winter, the deadline falls in summer time: ends at 21:59:59.999 UTC.
        let start = utc(2025, 3, 20, 10, 0, 0);
        let end = end_of_rome_day_after(start, 20);
        assert_eq!(rome_date(end), date(2025, 4, 9));
        assert_eq!(end + TimeDelta::milliseconds(1), utc(2025, 4, 9, 22, 0, 0));
        // One millisecond later it is already the next Rome day.
        assert_eq!(
            rome_date(end + TimeDelta::milliseconds(1)),
            date(2025, 4, 10)
        );
    }

    #[test]
    fn deadline_across_fall_back() {
        let start = utc(2025, 10, 20, 21, 30, 0); // 23:30 CEST on 20 Oct
        let end = end_of_rome_day_after(start, 10);
        assert_eq!(rome_date(end), date(2025, 10, 30));
        assert_eq!(
            end + TimeDelta::milliseconds(1),
            utc(2025, 10, 30, 23, 0, 0)
        );
    }

    #[test]
    fn deadline_ending_on_the_day_of_a_clock_change() {
        let start = utc(2025, 3, 1, 12, 0, 0);
        let end = end_of_rome_day_after(start, 29);
        assert_eq!(rome_date(end), date(2025, 3, 30));
        assert_eq!(end + TimeDelta::milliseconds(1), utc(2025, 3, 30, 22, 0, 0));
    }

    #[test]
    fn huge_day_counts_saturate() {
        assert_eq!(
            end_of_rome_day_after(utc(2025, 1, 1, 0, 0, 0), u32::MAX),
            DateTime::<Utc>::MAX_UTC
        );
    }

    #[test]
    fn days_between_uses_rome_dates() {
        let a = utc(2025, 6, 1, 21, 59, 0); // 23:59 Rome, 1 June
        let b = utc(2025, 6, 1, 22, 1, 0); // 00:01 Rome, 2 June
        assert_eq!(rome_days_between(a, b), 1);
        assert_eq!(rome_days_between(b, a), -1);
        assert_eq!(rome_days_between(a, a), 0);
    }

    #[test]
    fn midnight_in_a_gap_starts_when_the_gap_ends() {
        // Italy moved the clocks at midnight in some years of the 1960s-70s; whatever the
        // zone data says, the start of day must map back to a Rome date equal to the day.
        for y in 1966..=1980 {
            for m in 1..=12 {
                for d in [1, 15, 28] {
                    let day = date(y, m, d);
                    assert_eq!(rome_date(start_of_rome_day(day)), day);
                    assert_eq!(rome_date(end_of_rome_day(day)), day);
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn end_of_day_is_last_instant_of_that_rome_day(secs in 0i64..4_102_444_800, days in 0u32..2000) {
            let start = DateTime::<Utc>::from_timestamp(secs, 0).expect("in range");
            let end = end_of_rome_day_after(start, days);
            let expected = rome_date(start) + Days::new(u64::from(days));
            proptest::prop_assert_eq!(rome_date(end), expected);
            proptest::prop_assert_eq!(rome_date(end + TimeDelta::milliseconds(1)), expected + Days::new(1));
            proptest::prop_assert!(end >= start);
        }
    }
}
