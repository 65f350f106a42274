//! Calendar arithmetic on birth dates (`YYYY-MM-DD`) against the platform
//! clock, in China time: ages decide who may apply, who needs a guardian and
//! which concession a credential carries. Kept apart from issuance so every
//! workflow asks the same function.

use ecard_documents::Date;

/// Age in whole years on the day `now` (China time).
pub fn age_on(birth_date: Date, now: u64) -> Option<u32> {
    birth_date.age_on(Date::in_china_at(now)?)
}

/// The Unix time of a person's `adult_age`th birthday, 00:00 China time.
pub fn coming_of_age(birth_date: Date, adult_age: u32) -> Option<u64> {
    let birthday = birth_date.anniversary(u16::try_from(adult_age).ok()?)?;
    u64::try_from(birthday.china_midnight_unix_seconds()).ok()
}
