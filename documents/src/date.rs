//! Civil (calendar) dates, without a date-time library.
//!
//! Birth dates inside document numbers and the "under 18 applies through a
//! guardian" rule only need year, month and day. A full date-time crate would
//! add weight to every mobile build for three small functions: leap years,
//! days in a month and Unix days to a calendar date.
//!
//! "Today" is the date in China Standard Time (UTC+8, no daylight saving):
//! the app's rules are Chinese rules, so a person born on 1 March becomes 18
//! at midnight Beijing time, whatever the phone's own time zone says.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

/// China Standard Time's offset from UTC, in seconds.
pub const CHINA_UTC_OFFSET_SECONDS: i64 = 8 * 3600;

/// Unix days beyond which [`Date::from_unix_days`] gives up (about ±8,000
/// years), so the arithmetic can never overflow.
const MAX_UNIX_DAYS: i64 = 3_000_000;

/// A date in the Gregorian calendar, years 1 to 9999.
///
/// Dates order chronologically. Displayed and serialised as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// 1970-01-01, the Unix epoch.
    pub const UNIX_EPOCH: Date = Date {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// The date `year-month-day`, or `None` when it is not a real calendar
    /// date (month 13, 30 February, 29 February of a common year, year 0).
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || year > 9999 || month == 0 || month > 12 {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The year (1–9999).
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month (1–12).
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month (1–31).
    pub const fn day(self) -> u8 {
        self.day
    }

    /// The date `days` days after 1970-01-01 (negative: before it), or
    /// `None` outside years 1–9999.
    pub fn from_unix_days(days: i64) -> Option<Date> {
        if !(-MAX_UNIX_DAYS..=MAX_UNIX_DAYS).contains(&days) {
            return None;
        }
        // Days to civil date in the proleptic Gregorian calendar, counting in
        // 400-year eras that start on 1 March so leap days fall at the end.
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_index + 2) / 5 + 1;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// Days from 1970-01-01 to this date (negative before it): the inverse
    /// of [`Date::from_unix_days`].
    pub fn to_unix_days(self) -> i64 {
        let (year, month, day) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let shifted_year = if month <= 2 { year - 1 } else { year };
        let era = shifted_year.div_euclid(400);
        let year_of_era = shifted_year - era * 400;
        let month_index = if month > 2 { month - 3 } else { month + 9 };
        let day_of_year = (153 * month_index + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day a person born on this date reaches `age` whole years (the
    /// birthday itself; 1 March for 29 February in a common year), or
    /// `None` past year 9999.
    pub fn anniversary(self, age: u16) -> Option<Date> {
        let year = self.year.checked_add(age)?;
        Date::new(year, self.month, self.day).or_else(|| Date::new(year, 3, 1))
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
    }

    /// The date at Unix time `seconds` in a time zone `utc_offset_seconds`
    /// ahead of UTC, or `None` outside years 1–9999.
    pub fn from_unix_seconds(seconds: i64, utc_offset_seconds: i64) -> Option<Date> {
        let local = seconds.checked_add(utc_offset_seconds)?;
        Date::from_unix_days(local.div_euclid(86_400))
    }

    /// Today's date in China Standard Time, from the system clock.
    ///
    /// A clock set before 1970 reads as 1970-01-01.
    pub fn today() -> Date {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
            });
        Date::from_unix_seconds(seconds, CHINA_UTC_OFFSET_SECONDS).unwrap_or(Date::UNIX_EPOCH)
    }

    /// Age in whole years on `today` of someone born on this date, or `None`
    /// when this date is after `today`.
    ///
    /// The age goes up on the birthday itself; someone born on 29 February
    /// turns a year older on 1 March in common years.
    pub fn age_on(self, today: Date) -> Option<u32> {
        if self > today {
            return None;
        }
        let years = u32::from(today.year - self.year);
        let birthday_reached = (today.month, today.day) >= (self.month, self.day);
        Some(if birthday_reached { years } else { years - 1 })
    }
}

#[cfg(test)]
mod round_trip_tests {
    use super::*;

    #[test]
    fn days_parse_and_anniversaries_round_trip() {
        for days in [-719_162, -1, 0, 1, 11_016, 20_454, 2_932_896] {
            let date = Date::from_unix_days(days).unwrap();
            assert_eq!(date.to_unix_days(), days);
            assert_eq!(Date::parse(&date.to_string()), Some(date));
        }
        assert_eq!(
            Date::parse("2008-02-29").unwrap().anniversary(18),
            Date::new(2026, 3, 1)
        );
        assert_eq!(
            Date::parse("2008-03-15").unwrap().anniversary(18),
            Date::new(2026, 3, 15)
        );
        assert_eq!(Date::parse("2008-3-15"), None);
        assert_eq!(Date::parse("2008-02-30"), None);
    }
}

/// Whether `year` is a leap year in the Gregorian calendar.
pub const fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` (1–12) of `year`; 0 for a month outside 1–12.
const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            self.year, self.month, self.day
        )
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: u16, month: u8, day: u8) -> Date {
        Date::new(year, month, day).expect("test dates are real")
    }

    #[test]
    fn real_and_unreal_dates() {
        let cases: &[(u16, u8, u8, bool)] = &[
            (2024, 2, 29, true),
            (2000, 2, 29, true),
            (1900, 2, 29, false),
            (2023, 2, 29, false),
            (2023, 2, 28, true),
            (2023, 4, 31, false),
            (2023, 12, 31, true),
            (2023, 13, 1, false),
            (2023, 0, 1, false),
            (2023, 1, 0, false),
            (2023, 1, 32, false),
            (0, 1, 1, false),
            (1, 1, 1, true),
            (9999, 12, 31, true),
            (10000, 1, 1, false),
        ];
        for &(year, month, day, real) in cases {
            assert_eq!(
                Date::new(year, month, day).is_some(),
                real,
                "{year}-{month}-{day}"
            );
        }
    }

    #[test]
    fn unix_days_to_dates() {
        let cases: &[(i64, Date)] = &[
            (0, date(1970, 1, 1)),
            (-1, date(1969, 12, 31)),
            (59, date(1970, 3, 1)),
            (10_957, date(2000, 1, 1)),
            (11_017, date(2000, 3, 1)),
            (11_016, date(2000, 2, 29)),
            (19_782, date(2024, 2, 29)),
            (20_089, date(2025, 1, 1)),
            (-25_567, date(1900, 1, 1)),
            (-719_162, date(1, 1, 1)),
            (2_932_896, date(9999, 12, 31)),
        ];
        for &(days, expected) in cases {
            assert_eq!(Date::from_unix_days(days), Some(expected), "{days}");
        }
        assert_eq!(Date::from_unix_days(-719_163), None);
        assert_eq!(Date::from_unix_days(2_932_897), None);
        assert_eq!(Date::from_unix_days(i64::MIN), None);
        assert_eq!(Date::from_unix_days(i64::MAX), None);
    }

    #[test]
    fn every_day_round_trips_through_the_calendar() {
        // Walking day by day from 1899 to 2101 must visit exactly the real
        // dates, in order, with no gaps.
        let mut previous = Date::from_unix_days(-25_932).expect("in range");
        assert_eq!(previous, date(1899, 1, 1));
        for days in -25_931..48_000 {
            let next = Date::from_unix_days(days).expect("in range");
            assert!(next > previous);
            let expected = if Date::new(previous.year, previous.month, previous.day + 1).is_some() {
                date(previous.year, previous.month, previous.day + 1)
            } else if previous.month < 12 {
                date(previous.year, previous.month + 1, 1)
            } else {
                date(previous.year + 1, 1, 1)
            };
            assert_eq!(next, expected);
            previous = next;
        }
    }

    #[test]
    fn china_time_starts_the_day_eight_hours_before_utc() {
        // 2024-06-30T16:00:00Z is 2024-07-01 00:00 in Beijing.
        let seconds = 1_719_763_200;
        assert_eq!(Date::from_unix_seconds(seconds, 0), Some(date(2024, 6, 30)));
        assert_eq!(
            Date::from_unix_seconds(seconds, CHINA_UTC_OFFSET_SECONDS),
            Some(date(2024, 7, 1))
        );
        assert_eq!(
            Date::from_unix_seconds(seconds - 1, CHINA_UTC_OFFSET_SECONDS),
            Some(date(2024, 6, 30))
        );
        assert_eq!(Date::from_unix_seconds(i64::MAX, 1), None);
        assert!(Date::today() > date(2024, 1, 1));
    }

    #[test]
    fn ages() {
        let cases: &[(Date, Date, Option<u32>)] = &[
            (date(2006, 5, 20), date(2024, 5, 19), Some(17)),
            (date(2006, 5, 20), date(2024, 5, 20), Some(18)),
            (date(2006, 5, 20), date(2024, 5, 21), Some(18)),
            (date(2004, 2, 29), date(2022, 2, 28), Some(17)),
            (date(2004, 2, 29), date(2022, 3, 1), Some(18)),
            (date(2004, 2, 29), date(2024, 2, 29), Some(20)),
            (date(2024, 6, 1), date(2024, 6, 1), Some(0)),
            (date(2024, 6, 2), date(2024, 6, 1), None),
            (date(1949, 12, 31), date(2025, 1, 1), Some(75)),
        ];
        for &(birth, today, age) in cases {
            assert_eq!(birth.age_on(today), age, "{birth} on {today}");
        }
    }

    #[test]
    fn display_and_serialise_as_iso_dates() {
        assert_eq!(date(1949, 12, 31).to_string(), "1949-12-31");
        assert_eq!(date(5, 1, 2).to_string(), "0005-01-02");
        assert_eq!(
            serde_json::to_string(&date(2024, 2, 29)).expect("serialises"),
            "\"2024-02-29\""
        );
    }
}
