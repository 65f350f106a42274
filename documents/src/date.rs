//! Civil (calendar) dates for the rules of documents and people: birth dates
//! inside document numbers, ages, the 18th birthday that ends a guardian's
//! mandate, and "today" in China.
//!
//! [`Date`] is a thin domain type over chrono's [`NaiveDate`]: the calendar
//! arithmetic is chrono's; what this type adds is the range the documents
//! use (years 1–9999), the strict `YYYY-MM-DD` wire form, and the birthday
//! rule for 29 February.
//!
//! "Today" is the date in China Standard Time (UTC+8, no daylight saving):
//! the app's rules are Chinese rules, so a person born on 1 March becomes 18
//! at midnight Beijing time, whatever the phone's own time zone says.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// China Standard Time's offset from UTC, in seconds.
pub const CHINA_UTC_OFFSET_SECONDS: i64 = 8 * 3600;

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_COMMON_ERA: i64 = 719_163;

/// China Standard Time as a chrono time zone.
pub const CHINA_TIME_ZONE: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(zone) => zone,
    None => panic!("eight hours is within chrono's bounds"),
};

/// A date in the Gregorian calendar, years 1 to 9999.
///
/// Dates order chronologically. Displayed and serialised as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    /// 1970-01-01, the Unix epoch.
    pub const UNIX_EPOCH: Date = match Date::new(1970, 1, 1) {
        Some(date) => date,
        None => panic!("1970-01-01 is a date"),
    };

    /// The date `year-month-day`, or `None` when it is not a real calendar
    /// date (month 13, 30 February, 29 February of a common year, year 0).
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || year > 9999 {
            return None;
        }
        match NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32) {
            Some(date) => Some(Date(date)),
            None => None,
        }
    }

    /// The same date as chrono's [`NaiveDate`], for calendar arithmetic.
    pub const fn naive(self) -> NaiveDate {
        self.0
    }

    /// The date of a chrono [`NaiveDate`], or `None` outside years 1–9999.
    pub fn from_naive(date: NaiveDate) -> Option<Date> {
        (1..=9999).contains(&date.year()).then_some(Date(date))
    }

    /// The year (1–9999).
    pub fn year(self) -> u16 {
        // Years are 1–9999 by construction.
        u16::try_from(self.0.year()).unwrap_or(0)
    }

    /// The month (1–12).
    pub fn month(self) -> u8 {
        u8::try_from(self.0.month()).unwrap_or(0)
    }

    /// The day of the month (1–31).
    pub fn day(self) -> u8 {
        u8::try_from(self.0.day()).unwrap_or(0)
    }

    /// The date `days` days after 1970-01-01 (negative: before it), or
    /// `None` outside years 1–9999.
    pub fn from_unix_days(days: i64) -> Option<Date> {
        let from_common_era = days.checked_add(UNIX_EPOCH_DAYS_FROM_COMMON_ERA)?;
        NaiveDate::from_num_days_from_ce_opt(i32::try_from(from_common_era).ok()?)
            .and_then(Date::from_naive)
    }

    /// Days from 1970-01-01 to this date (negative before it): the inverse
    /// of [`Date::from_unix_days`].
    pub fn to_unix_days(self) -> i64 {
        i64::from(self.0.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_COMMON_ERA
    }

    /// The day a person born on this date reaches `age` whole years (the
    /// birthday itself; 1 March for 29 February in a common year), or
    /// `None` past year 9999.
    pub fn anniversary(self, age: u16) -> Option<Date> {
        let year = self.year().checked_add(age)?;
        Date::new(year, self.month(), self.day()).or_else(|| Date::new(year, 3, 1))
    }

    /// Parses `YYYY-MM-DD`, exactly: four, two and two digits.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |part: &str, width: usize| {
            part.len() == width && part.bytes().all(|byte| byte.is_ascii_digit())
        };
        if parts.next().is_some() || !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
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

    /// The date in China at Unix time `seconds` (the platform's and the
    /// trusted clock's unit), or `None` outside years 1–9999.
    pub fn in_china_at(seconds: u64) -> Option<Date> {
        Date::from_unix_seconds(i64::try_from(seconds).ok()?, CHINA_UTC_OFFSET_SECONDS)
    }

    /// Unix time of midnight at the start of this date in China.
    pub fn china_midnight_unix_seconds(self) -> i64 {
        self.to_unix_days() * 86_400 - CHINA_UTC_OFFSET_SECONDS
    }

    /// Today's date in China Standard Time, from the system clock.
    ///
    /// A clock set before 1970 reads as 1970-01-01.
    pub fn today() -> Date {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        Date::in_china_at(seconds).unwrap_or(Date::UNIX_EPOCH)
    }

    /// Age in whole years on `today` of someone born on this date, or `None`
    /// when this date is after `today`.
    ///
    /// The age goes up on the birthday itself; someone born on 29 February
    /// turns a year older on 1 March in common years.
    pub fn age_on(self, today: Date) -> Option<u32> {
        today.0.years_since(self.0)
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

impl fmt::Display for Date {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read from the wire strictly as `YYYY-MM-DD`: a date in any other form, or
/// one that is not in the calendar, is a deserialisation error.
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&text),
                &"a calendar date written YYYY-MM-DD",
            )
        })
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
            let expected =
                if Date::new(previous.year(), previous.month(), previous.day() + 1).is_some() {
                    date(previous.year(), previous.month(), previous.day() + 1)
                } else if previous.month() < 12 {
                    date(previous.year(), previous.month() + 1, 1)
                } else {
                    date(previous.year() + 1, 1, 1)
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

    #[test]
    fn read_from_the_wire_only_as_iso_dates() {
        let read = |json: &str| serde_json::from_str::<Date>(json).ok();
        assert_eq!(read("\"2024-02-29\""), Some(date(2024, 2, 29)));
        for refused in [
            "\"2023-02-29\"",
            "\"2024-2-29\"",
            "\"2024-02-29T00:00:00\"",
            "\"29/02/2024\"",
            "\"+2024-02-29\"",
            "20240229",
            "null",
        ] {
            assert_eq!(read(refused), None, "{refused}");
        }
    }
}
