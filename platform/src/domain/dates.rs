//! Calendar arithmetic on birth dates (`YYYY-MM-DD`) against the platform
//! clock, in China time: ages decide who may apply, who needs a guardian and
//! which concession a credential carries. Kept apart from issuance so every
//! workflow asks the same function.

/// Age in whole years on the day `now` (China time), from `YYYY-MM-DD`.
pub fn age_on(birth_date: &str, now: u64) -> Option<u32> {
    let today = ecard_documents::Date::from_unix_seconds(
        i64::try_from(now).ok()?,
        ecard_documents::date::CHINA_UTC_OFFSET_SECONDS,
    )?;
    ecard_documents::Date::parse(birth_date)?.age_on(today)
}

/// The Unix time of a person's `adult_age`th birthday, 00:00 China time.
pub fn coming_of_age(birth_date: &str, adult_age: u32) -> Option<u64> {
    let birthday =
        ecard_documents::Date::parse(birth_date)?.anniversary(u16::try_from(adult_age).ok()?)?;
    u64::try_from(
        birthday.to_unix_days() * 86_400 - ecard_documents::date::CHINA_UTC_OFFSET_SECONDS,
    )
    .ok()
}

/// Reads a strict `YYYY-MM-DD` (four, two and two digits).
pub fn parse_date(text: &str) -> Option<ecard_documents::Date> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    ecard_documents::Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}
