//! Why an identity document number was refused: one variant per number rule.
//!
//! The errors live beside the number rules in [`identity`](super), so that a
//! new rule, its stable code and its zh-CN / en message are written, reviewed
//! and tested together. The codes (all `id_…`) and the message texts are a
//! contract with the apps and the logs: never change or reuse one. Messages
//! never repeat the number that was typed, so they are safe to log.

use ecard_credential::Locale;

use super::DocumentType;

/// An identity document number was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// No document number was entered.
    #[error("the document number is empty")]
    Empty,
    /// The number has the wrong number of characters for its type.
    #[error("a {document_type} number cannot have {length} characters")]
    WrongLength {
        /// The type the number was checked as.
        document_type: DocumentType,
        /// How many characters were entered (after removing spaces).
        length: usize,
    },
    /// The number holds characters its type does not use, or in the wrong place.
    #[error("the {document_type} number holds characters it cannot have")]
    BadCharacters {
        /// The type the number was checked as.
        document_type: DocumentType,
    },
    /// The check character does not match the rest of the number.
    #[error("the {document_type} number's check character does not match")]
    BadCheckDigit {
        /// The type the number was checked as.
        document_type: DocumentType,
    },
    /// The birth date inside the number is not a real calendar date.
    #[error("the birth date in the number is not a real date")]
    BadBirthDate,
    /// The birth date inside the number is after today.
    #[error("the birth date in the number is in the future")]
    FutureBirthDate,
    /// The birth date inside the number is before 1900.
    #[error("the birth date in the number is before 1900")]
    BirthDateTooEarly,
    /// The province code at the start of the number does not exist.
    #[error("the number's province code does not exist")]
    UnknownRegion,
    /// The 6-digit address code cannot be one a number is issued under.
    #[error("the number's address code is not a place numbers are issued under")]
    ImplausibleRegion,
    /// The number does not start the way its type requires.
    #[error("the number does not start as a {document_type} number does")]
    WrongPrefix {
        /// The type the number was checked as.
        document_type: DocumentType,
    },
    /// The nationality code inside a permanent resident ID number is not valid.
    #[error("the nationality code in the number is not valid")]
    BadNationality,
    /// The number is a valid number of another document type.
    #[error("a {detected} number was entered as a {selected} number")]
    WrongDocumentType {
        /// The type the person chose.
        selected: DocumentType,
        /// The type the number is valid for.
        detected: DocumentType,
    },
    /// The number resembles no document type.
    #[error("the number resembles no known document")]
    Unrecognised,
}

impl IdentityError {
    /// The stable code of this error: snake_case, starting `id_`,
    /// never reused.
    pub const fn code(&self) -> &'static str {
        match self {
            IdentityError::Empty => "id_empty",
            IdentityError::WrongLength { .. } => "id_wrong_length",
            IdentityError::BadCharacters { .. } => "id_bad_characters",
            IdentityError::BadCheckDigit { .. } => "id_bad_check_digit",
            IdentityError::BadBirthDate => "id_bad_birth_date",
            IdentityError::FutureBirthDate => "id_future_birth_date",
            IdentityError::BirthDateTooEarly => "id_birth_date_too_early",
            IdentityError::UnknownRegion => "id_unknown_region",
            IdentityError::ImplausibleRegion => "id_implausible_region",
            IdentityError::WrongPrefix { .. } => "id_wrong_prefix",
            IdentityError::BadNationality => "id_bad_nationality",
            IdentityError::WrongDocumentType { .. } => "id_wrong_document_type",
            IdentityError::Unrecognised => "id_unrecognised",
        }
    }

    /// The input field at fault, so a form can highlight it: always `id_number`.
    pub const fn field(&self) -> &'static str {
        "id_number"
    }

    /// Whether the number's shape (length, characters, prefix, region)
    /// rules out its type, as opposed to a typo inside a number of the
    /// right type (date, check character). Only these make
    /// [`validate`](super::validate) look for another type the number
    /// would be valid for.
    pub(crate) const fn is_shape_error(&self) -> bool {
        matches!(
            self,
            IdentityError::WrongLength { .. }
                | IdentityError::BadCharacters { .. }
                | IdentityError::WrongPrefix { .. }
                | IdentityError::UnknownRegion
        )
    }

    /// A plain-language sentence telling the person what to fix.
    pub fn message(&self, locale: Locale) -> String {
        let zh = matches!(locale, Locale::ZhCn);
        let text = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
        match *self {
            IdentityError::Empty => locale
                .pick("请填写证件号码。", "Please enter your document number.")
                .to_owned(),
            IdentityError::WrongLength {
                document_type,
                length,
            } => text(
                format!(
                    "{}号码应为{}，您填写了 {length} 位，请对照证件核对。",
                    document_type.label(locale),
                    expected_length(document_type, locale)
                ),
                format!(
                    "The number of a {} has {}; you entered {length}. Please check it against your document.",
                    document_type.label(locale),
                    expected_length(document_type, locale)
                ),
            ),
            IdentityError::BadCharacters { document_type } => text(
                format!(
                    "{}号码{}，请核对。",
                    document_type.label(locale),
                    allowed_characters(document_type, locale)
                ),
                format!(
                    "The number of a {} {}. Please check it.",
                    document_type.label(locale),
                    allowed_characters(document_type, locale)
                ),
            ),
            IdentityError::BadCheckDigit { .. } => locale
                .pick(
                    "号码中有一位填错了（最后一位对不上），请对照证件逐位核对。",
                    "One of the characters is wrong (the last one does not match the rest). \
                     Please compare each character with your document.",
                )
                .to_owned(),
            IdentityError::BadBirthDate => locale
                .pick(
                    "号码中的出生日期不是真实的日期，请对照证件核对。",
                    "The date of birth inside the number is not a real date. \
                     Please check it against your document.",
                )
                .to_owned(),
            IdentityError::FutureBirthDate => locale
                .pick(
                    "号码中的出生日期晚于今天，请对照证件核对。",
                    "The date of birth inside the number is after today. \
                     Please check it against your document.",
                )
                .to_owned(),
            IdentityError::BirthDateTooEarly => locale
                .pick(
                    "号码中的出生日期早于 1900 年，请对照证件核对。",
                    "The date of birth inside the number is before 1900. \
                     Please check it against your document.",
                )
                .to_owned(),
            IdentityError::UnknownRegion => locale
                .pick(
                    "号码开头的地区代码不对，请核对前几位数字。",
                    "The region code at the start of the number is not right. \
                     Please check the first digits.",
                )
                .to_owned(),
            IdentityError::ImplausibleRegion => locale
                .pick(
                    "号码前 6 位的地区代码不对，请核对。",
                    "The region code in the first 6 digits is not right. Please check it.",
                )
                .to_owned(),
            IdentityError::WrongPrefix { document_type } => {
                wrong_prefix(document_type, locale).to_owned()
            }
            IdentityError::BadNationality => locale
                .pick(
                    "号码中的国籍代码不对，请对照证件核对。",
                    "The nationality code inside the number is not right. \
                     Please check it against your document.",
                )
                .to_owned(),
            IdentityError::WrongDocumentType { selected, detected } => text(
                format!(
                    "这是{}的号码，不是{}的号码。请把证件类型改为“{}”。",
                    detected.label(locale),
                    selected.label(locale),
                    detected.label(locale)
                ),
                format!(
                    "This is the number of a {}, not of a {}. Please change the document type to {}.",
                    detected.label(locale),
                    selected.label(locale),
                    detected.label(locale)
                ),
            ),
            IdentityError::Unrecognised => locale
                .pick(
                    "无法识别这个证件号码，请先选择证件类型，再对照证件核对号码。",
                    "This document number was not recognised. Please choose the document type, \
                     then check the number against your document.",
                )
                .to_owned(),
        }
    }
}

/// How long a number of this type is, for messages.
const fn expected_length(document_type: DocumentType, locale: Locale) -> &'static str {
    match document_type {
        DocumentType::ResidentId | DocumentType::ResidencePermit => {
            locale.pick(" 18 位", "18 characters")
        }
        DocumentType::ForeignPermanentResidentId => locale.pick(
            " 15 位（2017 版）或 18 位（2023 版）",
            "15 characters (2017 card) or 18 (2023 card)",
        ),
        DocumentType::HomeReturnPermit => locale.pick(
            "字母 H 或 M 加 8 位或 10 位数字",
            "the letter H or M and 8 or 10 digits",
        ),
        DocumentType::TaiwanTravelPermit => locale.pick(
            " 8 位数字（旧版为 10 位）",
            "8 digits (10 on older permits)",
        ),
        DocumentType::Passport => locale.pick(" 3 到 20 位", "3 to 20 characters"),
    }
}

/// Which characters a number of this type uses, for messages.
const fn allowed_characters(document_type: DocumentType, locale: Locale) -> &'static str {
    match document_type {
        DocumentType::ResidentId | DocumentType::ResidencePermit => locale.pick(
            "只能填数字，最后一位可以是字母 X",
            "has only digits, and the last one may be the letter X",
        ),
        DocumentType::ForeignPermanentResidentId => locale.pick(
            "旧版为 3 个字母加 12 位数字，新版为 18 位数字（最后一位可以是 X）",
            "has 3 letters and 12 digits (2017 card), or 18 digits of which the last may be X \
             (2023 card)",
        ),
        DocumentType::HomeReturnPermit => locale.pick(
            "为字母 H 或 M 加数字",
            "is the letter H or M followed by digits",
        ),
        DocumentType::TaiwanTravelPermit => locale.pick(
            "只能填数字（旧版末尾可带括号和一个字母）",
            "has only digits (older permits may end with a letter in brackets)",
        ),
        DocumentType::Passport => locale.pick("只能填字母和数字", "has only letters and digits"),
    }
}

/// What to fix when a number does not start as its type requires.
const fn wrong_prefix(document_type: DocumentType, locale: Locale) -> &'static str {
    match document_type {
        DocumentType::ResidentId => locale.pick(
            "以 81、82、83 开头的是港澳台居民居住证号码，请把证件类型选为“港澳台居民居住证”。",
            "Numbers starting with 81, 82 or 83 belong to residence permits for Hong Kong, \
             Macao and Taiwan residents. Please choose that document type.",
        ),
        DocumentType::ResidencePermit => locale.pick(
            "港澳台居民居住证号码以 810000（香港）、820000（澳门）或 830000（台湾）开头，请核对。",
            "A residence permit number starts with 810000 (Hong Kong), 820000 (Macao) or \
             830000 (Taiwan). Please check it.",
        ),
        DocumentType::ForeignPermanentResidentId => locale.pick(
            "2023 版外国人永久居留身份证号码以数字 9 开头，请核对。",
            "A 2023 foreign permanent resident ID number starts with 9. Please check it.",
        ),
        DocumentType::HomeReturnPermit => locale.pick(
            "港澳居民来往内地通行证号码以字母 H（香港）或 M（澳门）开头，请核对。",
            "This permit number starts with the letter H (Hong Kong) or M (Macao). \
             Please check it.",
        ),
        DocumentType::TaiwanTravelPermit | DocumentType::Passport => locale.pick(
            "号码的开头不对，请对照证件核对。",
            "The start of the number is not right. Please check it against your document.",
        ),
    }
}

#[cfg(test)]
impl IdentityError {
    /// One of every variant, and one per value where a field changes the
    /// message: the list the code and message tests walk.
    pub(crate) fn every_variant() -> Vec<IdentityError> {
        let mut errors = vec![
            IdentityError::Empty,
            IdentityError::BadBirthDate,
            IdentityError::FutureBirthDate,
            IdentityError::BirthDateTooEarly,
            IdentityError::UnknownRegion,
            IdentityError::ImplausibleRegion,
            IdentityError::BadNationality,
            IdentityError::Unrecognised,
        ];
        for document_type in DocumentType::ALL {
            errors.push(IdentityError::WrongLength {
                document_type,
                length: 17,
            });
            errors.push(IdentityError::BadCharacters { document_type });
            errors.push(IdentityError::BadCheckDigit { document_type });
            errors.push(IdentityError::WrongPrefix { document_type });
            errors.push(IdentityError::WrongDocumentType {
                selected: document_type,
                detected: DocumentType::ResidentId,
            });
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes as the apps and logs know them; a change here is a change
    /// of contract.
    const STABLE_CODES: [&str; 13] = [
        "id_empty",
        "id_wrong_length",
        "id_bad_characters",
        "id_bad_check_digit",
        "id_bad_birth_date",
        "id_future_birth_date",
        "id_birth_date_too_early",
        "id_unknown_region",
        "id_implausible_region",
        "id_wrong_prefix",
        "id_bad_nationality",
        "id_wrong_document_type",
        "id_unrecognised",
    ];

    #[test]
    fn codes_are_the_stable_ones_and_each_names_the_id_number_field_in_both_languages() {
        crate::error::tests::check_area(
            IdentityError::every_variant()
                .into_iter()
                .map(crate::DocumentError::from)
                .collect(),
            &STABLE_CODES,
            "id_number",
            "id_",
        );
    }

    #[test]
    fn only_shape_errors_rule_out_the_chosen_type() {
        for error in IdentityError::every_variant() {
            let expected = matches!(
                error.code(),
                "id_wrong_length" | "id_bad_characters" | "id_wrong_prefix" | "id_unknown_region"
            );
            assert_eq!(error.is_shape_error(), expected, "{error:?}");
        }
    }
}
