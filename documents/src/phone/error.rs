//! Why a phone number was refused: one variant per phone rule.
//!
//! The errors live beside the phone rules in [`phone`](super), so that a new
//! rule, its stable code and its zh-CN / en message are written, reviewed and
//! tested together. The codes (all `phone_…`) and the message texts are a
//! contract with the apps and the logs: never change or reuse one. Messages
//! never repeat the number that was typed, so they are safe to log.

use ecard_credential::Locale;

/// A contact phone number was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// No phone number was entered.
    #[error("the phone number is empty")]
    Empty,
    /// The phone number holds characters other than digits and separators.
    #[error("the phone number holds characters other than digits and separators")]
    BadCharacters,
    /// The phone number has a country code other than China's (+86).
    #[error("the phone number is not a mainland China number")]
    NotMainland,
    /// A mobile number without 11 digits.
    #[error("a mobile number needs 11 digits, not {digits}")]
    MobileWrongLength {
        /// How many digits were entered.
        digits: usize,
    },
    /// A mobile number whose second digit is not 3–9.
    #[error("a mobile number starts with 13 to 19")]
    MobileBadPrefix,
    /// A landline number without an area code.
    #[error("the landline number has no area code")]
    MissingAreaCode,
    /// The area code is not 010, 02x or a 4-digit code 03xx–09xx.
    #[error("the area code does not exist")]
    BadAreaCode,
    /// The landline number after the area code is not 7 or 8 digits.
    #[error("the landline number after the area code needs 7 or 8 digits")]
    LocalWrongLength,
    /// The landline number after the area code starts with 0 or 1.
    #[error("the landline number after the area code cannot start with 0 or 1")]
    LocalBadStart,
    /// The extension is not 1–6 digits, or follows a mobile number.
    #[error("the extension is not 1 to 6 digits after a landline number")]
    BadExtension,
    /// The input resembles no phone number.
    #[error("the input resembles no phone number")]
    Unrecognised,
}

impl PhoneError {
    /// The stable code of this error: snake_case, starting `phone_`,
    /// never reused.
    pub const fn code(&self) -> &'static str {
        match self {
            PhoneError::Empty => "phone_empty",
            PhoneError::BadCharacters => "phone_bad_characters",
            PhoneError::NotMainland => "phone_not_mainland",
            PhoneError::MobileWrongLength { .. } => "phone_mobile_wrong_length",
            PhoneError::MobileBadPrefix => "phone_mobile_bad_prefix",
            PhoneError::MissingAreaCode => "phone_missing_area_code",
            PhoneError::BadAreaCode => "phone_bad_area_code",
            PhoneError::LocalWrongLength => "phone_local_wrong_length",
            PhoneError::LocalBadStart => "phone_local_bad_start",
            PhoneError::BadExtension => "phone_bad_extension",
            PhoneError::Unrecognised => "phone_unrecognised",
        }
    }

    /// The input field at fault, so a form can highlight it: always `phone`.
    pub const fn field(&self) -> &'static str {
        "phone"
    }

    /// A plain-language sentence telling the person what to fix.
    pub fn message(&self, locale: Locale) -> String {
        let zh = matches!(locale, Locale::ZhCn);
        let text = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
        match *self {
            PhoneError::Empty => locale
                .pick("请填写联系电话。", "Please enter a phone number.")
                .to_owned(),
            PhoneError::BadCharacters => locale
                .pick(
                    "电话号码只能填数字，可以带空格或短横线，请核对。",
                    "A phone number may contain only digits, spaces and hyphens. Please check it.",
                )
                .to_owned(),
            PhoneError::NotMainland => locale
                .pick(
                    "请填写中国大陆的手机号码或座机号码。",
                    "Please enter a mobile or landline number in mainland China.",
                )
                .to_owned(),
            PhoneError::MobileWrongLength { digits } => text(
                format!("手机号码应为 11 位，您填写了 {digits} 位，请核对。"),
                format!("A mobile number has 11 digits; you entered {digits}. Please check it."),
            ),
            PhoneError::MobileBadPrefix => locale
                .pick(
                    "手机号码应以 13 到 19 开头，请核对。",
                    "A mobile number starts with 13 to 19. Please check it.",
                )
                .to_owned(),
            PhoneError::MissingAreaCode => locale
                .pick(
                    "座机号码前请加上区号，例如 010 或 0791。",
                    "Please add the area code before a landline number, for example 010 or 0791.",
                )
                .to_owned(),
            PhoneError::BadAreaCode => locale
                .pick(
                    "区号不对。区号以 0 开头，共 3 到 4 位，例如 010 或 0791。",
                    "The area code is not right. It starts with 0 and has 3 or 4 digits, \
                     for example 010 or 0791.",
                )
                .to_owned(),
            PhoneError::LocalWrongLength => locale
                .pick(
                    "区号后面的座机号码应为 7 到 8 位，请核对。",
                    "The landline number after the area code has 7 or 8 digits. Please check it.",
                )
                .to_owned(),
            PhoneError::LocalBadStart => locale
                .pick(
                    "区号后面的座机号码不能以 0 或 1 开头，请核对。",
                    "The landline number after the area code cannot start with 0 or 1. \
                     Please check it.",
                )
                .to_owned(),
            PhoneError::BadExtension => locale
                .pick(
                    "分机号只能跟在座机号码后面，为 1 到 6 位数字。",
                    "An extension can only follow a landline number and has 1 to 6 digits.",
                )
                .to_owned(),
            PhoneError::Unrecognised => locale
                .pick(
                    "这不像电话号码。请填写 11 位手机号码，或带区号的座机号码。",
                    "This does not look like a phone number. Please enter an 11-digit mobile \
                     number, or a landline number with its area code.",
                )
                .to_owned(),
        }
    }
}

#[cfg(test)]
impl PhoneError {
    /// One of every variant, and one per value where a field changes the
    /// message: the list the code and message tests walk.
    pub(crate) fn every_variant() -> Vec<PhoneError> {
        vec![
            PhoneError::Empty,
            PhoneError::BadCharacters,
            PhoneError::NotMainland,
            PhoneError::MobileWrongLength { digits: 10 },
            PhoneError::MobileBadPrefix,
            PhoneError::MissingAreaCode,
            PhoneError::BadAreaCode,
            PhoneError::LocalWrongLength,
            PhoneError::LocalBadStart,
            PhoneError::BadExtension,
            PhoneError::Unrecognised,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes as the apps and logs know them; a change here is a change
    /// of contract.
    const STABLE_CODES: [&str; 11] = [
        "phone_empty",
        "phone_bad_characters",
        "phone_not_mainland",
        "phone_mobile_wrong_length",
        "phone_mobile_bad_prefix",
        "phone_missing_area_code",
        "phone_bad_area_code",
        "phone_local_wrong_length",
        "phone_local_bad_start",
        "phone_bad_extension",
        "phone_unrecognised",
    ];

    #[test]
    fn codes_are_the_stable_ones_and_each_names_the_phone_field_in_both_languages() {
        crate::error::tests::check_area(
            PhoneError::every_variant()
                .into_iter()
                .map(crate::DocumentError::from)
                .collect(),
            &STABLE_CODES,
            "phone",
            "phone_",
        );
    }
}
