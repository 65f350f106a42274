//! Why a mailing address was refused: one variant per address rule.
//!
//! The errors live beside the address rules in [`address`](super), so that a
//! new rule, its stable code and its zh-CN / en message are written, reviewed
//! and tested together. The codes (all `address_…`) and the message texts are
//! a contract with the apps and the logs: never change or reuse one. Messages
//! never repeat the address that was typed, so they are safe to log.

use ecard_credential::Locale;

/// A mailing address was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// No address was entered.
    #[error("the address is empty")]
    Empty,
    /// The address is shorter than the minimum.
    #[error("the address is shorter than {min} characters")]
    TooShort {
        /// The minimum length in characters.
        min: usize,
    },
    /// The address is longer than the maximum.
    #[error("the address is longer than {max} characters")]
    TooLong {
        /// The maximum length in characters.
        max: usize,
    },
    /// The address holds control or invisible formatting characters.
    #[error("the address holds control or invisible characters")]
    ControlCharacters,
    /// The address holds characters an address does not use (emoji, symbols).
    #[error("the address holds characters an address does not use")]
    BadCharacters,
    /// The same character repeats too many times in a row.
    #[error("the address repeats one character too many times in a row")]
    Repeated,
    /// The address does not start with a province, city or county.
    #[error("the address does not start with a province, city or county")]
    MissingRegion,
    /// Nothing follows the province, city and county.
    #[error("the address has no street, building or house number")]
    MissingDetail,
}

impl AddressError {
    /// The stable code of this error: snake_case, starting `address_`,
    /// never reused.
    pub const fn code(&self) -> &'static str {
        match self {
            AddressError::Empty => "address_empty",
            AddressError::TooShort { .. } => "address_too_short",
            AddressError::TooLong { .. } => "address_too_long",
            AddressError::ControlCharacters => "address_control_characters",
            AddressError::BadCharacters => "address_bad_characters",
            AddressError::Repeated => "address_repeated",
            AddressError::MissingRegion => "address_missing_region",
            AddressError::MissingDetail => "address_missing_detail",
        }
    }

    /// The input field at fault, so a form can highlight it: always `address`.
    pub const fn field(&self) -> &'static str {
        "address"
    }

    /// A plain-language sentence telling the person what to fix.
    pub fn message(&self, locale: Locale) -> String {
        let zh = matches!(locale, Locale::ZhCn);
        let text = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
        match *self {
            AddressError::Empty => locale
                .pick("请填写收件地址。", "Please enter the mailing address.")
                .to_owned(),
            AddressError::TooShort { .. } => locale
                .pick(
                    "地址太短，请写清楚省、市、区（县）和街道门牌号。",
                    "The address is too short. Please give the province, city, district \
                     (or county), street and house number.",
                )
                .to_owned(),
            AddressError::TooLong { max } => text(
                format!("地址太长，请精简到 {max} 个字以内。"),
                format!("The address is too long. Please shorten it to {max} characters or fewer."),
            ),
            AddressError::ControlCharacters => locale
                .pick(
                    "地址中有看不见的特殊字符（如换行），请删除后重新填写。",
                    "The address contains invisible characters (such as line breaks). \
                     Please remove them.",
                )
                .to_owned(),
            AddressError::BadCharacters => locale
                .pick(
                    "地址中有不能使用的符号（如表情符号），请删除。",
                    "The address contains symbols that cannot be used (such as emoji). \
                     Please remove them.",
                )
                .to_owned(),
            AddressError::Repeated => locale
                .pick(
                    "地址中同一个字连续重复了很多次，请重新填写。",
                    "The same character repeats many times in the address. \
                     Please enter it again.",
                )
                .to_owned(),
            AddressError::MissingRegion => locale
                .pick(
                    "请从省、市、区（县）写起，例如：江西省南昌市红谷滩区……",
                    "Please start with the province, city and district (or county), \
                     for example: 江西省南昌市红谷滩区…",
                )
                .to_owned(),
            AddressError::MissingDetail => locale
                .pick(
                    "请在地址后面写上街道、小区、楼栋和门牌号。",
                    "Please add the street, residential compound, building and house number.",
                )
                .to_owned(),
        }
    }
}

#[cfg(test)]
impl AddressError {
    /// One of every variant, and one per value where a field changes the
    /// message: the list the code and message tests walk.
    pub(crate) fn every_variant() -> Vec<AddressError> {
        vec![
            AddressError::Empty,
            AddressError::TooShort { min: 5 },
            AddressError::TooLong { max: 120 },
            AddressError::ControlCharacters,
            AddressError::BadCharacters,
            AddressError::Repeated,
            AddressError::MissingRegion,
            AddressError::MissingDetail,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes as the apps and logs know them; a change here is a change
    /// of contract.
    const STABLE_CODES: [&str; 8] = [
        "address_empty",
        "address_too_short",
        "address_too_long",
        "address_control_characters",
        "address_bad_characters",
        "address_repeated",
        "address_missing_region",
        "address_missing_detail",
    ];

    #[test]
    fn codes_are_the_stable_ones_and_each_names_the_address_field_in_both_languages() {
        crate::error::tests::check_area(
            AddressError::every_variant()
                .into_iter()
                .map(crate::DocumentError::from)
                .collect(),
            &STABLE_CODES,
            "address",
            "address_",
        );
    }
}
