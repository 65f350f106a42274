//! Why an input was refused, whichever area refused it: the one error type
//! the public validators return.
//!
//! Each area keeps its own error beside its rules, so that a rule, its
//! stable code and its message are written and reviewed together:
//! [`IdentityError`] in [`identity`](crate::identity), [`PhoneError`] in
//! [`phone`](crate::phone), [`AddressError`] in [`address`](crate::address)
//! and [`PhotoError`] in [`photo`](crate::photo). [`DocumentError`] gathers
//! them so that callers (form screens, the client's input errors, the
//! bindings) handle one type and never match on a rule.
//!
//! The form screens show [`message`](DocumentError::message) next to the
//! field [`field`](DocumentError::field) names; logs, analytics and the
//! bindings use the stable [`code`](DocumentError::code). Messages say what
//! to do in plain words (elder mode shows them in large type); they never
//! repeat the number or address that was typed, so they are safe to log.

use ecard_credential::Locale;

use crate::address::AddressError;
use crate::identity::IdentityError;
use crate::phone::PhoneError;
use crate::photo::PhotoError;

/// An identity document number, phone number, address or photo was refused:
/// one variant per area, each holding the rule that refused the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// An identity document number was refused (field `id_number`).
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A contact phone number was refused (field `phone`).
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// A mailing address was refused (field `address`).
    #[error(transparent)]
    Address(#[from] AddressError),
    /// A card photo was refused (field `photo`).
    #[error(transparent)]
    Photo(#[from] PhotoError),
}

impl DocumentError {
    /// The stable code of this error: snake_case, never reused, starting
    /// with its area (`id_`, `phone_`, `address_`, `photo_`).
    pub const fn code(&self) -> &'static str {
        match self {
            DocumentError::Identity(error) => error.code(),
            DocumentError::Phone(error) => error.code(),
            DocumentError::Address(error) => error.code(),
            DocumentError::Photo(error) => error.code(),
        }
    }

    /// The input field at fault, so a form can highlight it: `id_number`,
    /// `phone`, `address` or `photo`.
    pub const fn field(&self) -> &'static str {
        match self {
            DocumentError::Identity(error) => error.field(),
            DocumentError::Phone(error) => error.field(),
            DocumentError::Address(error) => error.field(),
            DocumentError::Photo(error) => error.field(),
        }
    }

    /// A plain-language sentence telling the person what to fix.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            DocumentError::Identity(error) => error.message(locale),
            DocumentError::Phone(error) => error.message(locale),
            DocumentError::Address(error) => error.message(locale),
            DocumentError::Photo(error) => error.message(locale),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identity::DocumentType;
    use crate::photo::ImageFormat;

    /// The checks every area's errors pass: the codes are exactly the
    /// area's stable ones, each has an example, names the area's field,
    /// carries its prefix and reads in both languages.
    pub(crate) fn check_area(
        errors: Vec<DocumentError>,
        stable_codes: &[&str],
        field: &str,
        prefix: &str,
    ) {
        let mut codes: Vec<&str> = errors.iter().map(DocumentError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        let mut stable = stable_codes.to_vec();
        stable.sort_unstable();
        assert_eq!(codes, stable);
        for error in &errors {
            assert_eq!(error.field(), field, "{error:?}");
            assert!(error.code().starts_with(prefix), "{error:?}");
            assert!(!error.message(Locale::ZhCn).is_empty(), "{error:?}");
            assert!(!error.message(Locale::En).is_empty(), "{error:?}");
        }
    }

    /// One of every variant of every area, for the code and message tables.
    fn every_error() -> Vec<DocumentError> {
        let identity = IdentityError::every_variant()
            .into_iter()
            .map(DocumentError::from);
        let phone = PhoneError::every_variant()
            .into_iter()
            .map(DocumentError::from);
        let address = AddressError::every_variant()
            .into_iter()
            .map(DocumentError::from);
        let photo = PhotoError::every_variant()
            .into_iter()
            .map(DocumentError::from);
        identity.chain(phone).chain(address).chain(photo).collect()
    }

    #[test]
    fn codes_are_stable_snake_case_and_distinct() {
        let errors = every_error();
        let mut codes: Vec<&str> = errors.iter().map(DocumentError::code).collect();
        for code in &codes {
            assert!(
                code.bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte == b'_'),
                "{code}"
            );
            let field_prefix = match code.split('_').next() {
                Some("id") => "id_number",
                Some(other) => other,
                None => "",
            };
            let error = errors
                .iter()
                .find(|error| error.code() == *code)
                .expect("listed");
            assert_eq!(error.field(), field_prefix, "{code}");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 40, "one code per variant");
    }

    #[test]
    fn every_message_is_a_sentence_in_both_languages() {
        for error in every_error() {
            let zh = error.message(Locale::ZhCn);
            let en = error.message(Locale::En);
            assert!(zh.ends_with('。') || zh.ends_with('…'), "{zh}");
            assert!(
                zh.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
                "{zh}"
            );
            assert!(en.ends_with('.') || en.ends_with('…'), "{en}");
            let has_chinese = en.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
            assert_eq!(
                has_chinese,
                error.code() == "address_missing_region",
                "{en}"
            );
            assert!(en.chars().next().is_some_and(char::is_uppercase), "{en}");
            assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn messages_carry_the_numbers_people_need() {
        let cases: [(DocumentError, &str, &str); 6] = [
            (
                IdentityError::WrongLength {
                    document_type: DocumentType::ResidentId,
                    length: 17,
                }
                .into(),
                "居民身份证号码应为 18 位，您填写了 17 位，请对照证件核对。",
                "The number of a resident ID card has 18 characters; you entered 17. Please check it against your document.",
            ),
            (
                IdentityError::WrongDocumentType {
                    selected: DocumentType::ResidentId,
                    detected: DocumentType::ResidencePermit,
                }
                .into(),
                "这是港澳台居民居住证的号码，不是居民身份证的号码。请把证件类型改为“港澳台居民居住证”。",
                "This is the number of a residence permit for Hong Kong, Macao and Taiwan residents, not of a resident ID card. Please change the document type to residence permit for Hong Kong, Macao and Taiwan residents.",
            ),
            (
                PhotoError::FileTooSmall {
                    bytes: 9000,
                    min_bytes: 9216,
                }
                .into(),
                "照片文件太小（8.7 KB），至少需要 9 KB。请换一张更清晰的照片。",
                "The photo file is too small (8.7 KB); it must be at least 9 KB. Please choose a sharper photo.",
            ),
            (
                PhotoError::FileTooLarge {
                    bytes: 20_481,
                    max_bytes: 20_480,
                }
                .into(),
                "照片文件太大（20.1 KB），不能超过 20 KB。请压缩后再上传。",
                "The photo file is too large (20.1 KB); it must be at most 20 KB. Please compress it and upload it again.",
            ),
            (
                PhotoError::TooSmall {
                    width: 100,
                    height: 120,
                    min_width: 358,
                    max_width: 358,
                    min_height: 441,
                    max_height: 441,
                }
                .into(),
                "照片尺寸太小（宽 100、高 120 像素），需要宽 358、高 441 像素。请重新拍照或在应用里重新裁剪。",
                "The photo is too small (100 × 120 pixels); it must be 358 pixels wide and 441 pixels high. Please take it again or crop it in the app.",
            ),
            (
                PhotoError::NotJpeg {
                    format: ImageFormat::Png,
                }
                .into(),
                "照片需要是 JPG 格式，这张是 PNG 格式。请重新拍照，或换一张 JPG 照片。",
                "The photo must be a JPG file; this one is a PNG file. Please take the photo again or choose a JPG photo.",
            ),
        ];
        for (error, zh, en) in cases {
            assert_eq!(error.message(Locale::ZhCn), zh);
            assert_eq!(error.message(Locale::En), en);
        }
    }

    /// Checks that the umbrella reports what the area error it holds says,
    /// and that both messages have words in them.
    fn assert_delegates(umbrella: DocumentError, code: &str, field: &str, zh: &str, en: &str) {
        assert_eq!(umbrella.code(), code);
        assert_eq!(umbrella.field(), field, "{code}");
        assert!(!zh.trim().is_empty(), "{code}: empty zh-CN message");
        assert!(!en.trim().is_empty(), "{code}: empty en message");
        assert_eq!(umbrella.message(Locale::ZhCn), zh, "{code}");
        assert_eq!(umbrella.message(Locale::En), en, "{code}");
    }

    #[test]
    fn every_rule_of_every_area_has_its_own_code_and_both_messages() {
        let mut codes: Vec<&str> = Vec::new();
        for error in IdentityError::every_variant() {
            let (zh, en) = (error.message(Locale::ZhCn), error.message(Locale::En));
            assert_delegates(error.into(), error.code(), error.field(), &zh, &en);
            codes.push(error.code());
        }
        for error in PhoneError::every_variant() {
            let (zh, en) = (error.message(Locale::ZhCn), error.message(Locale::En));
            assert_delegates(error.into(), error.code(), error.field(), &zh, &en);
            codes.push(error.code());
        }
        for error in AddressError::every_variant() {
            let (zh, en) = (error.message(Locale::ZhCn), error.message(Locale::En));
            assert_delegates(error.into(), error.code(), error.field(), &zh, &en);
            codes.push(error.code());
        }
        for error in PhotoError::every_variant() {
            let (zh, en) = (error.message(Locale::ZhCn), error.message(Locale::En));
            assert_delegates(error.into(), error.code(), error.field(), &zh, &en);
            codes.push(error.code());
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(
            codes.len(),
            13 + 11 + 8 + 8,
            "one code per rule, none shared"
        );
    }

    #[test]
    fn reads_as_the_area_error_it_holds() {
        let area = PhoneError::MobileWrongLength { digits: 10 };
        let error = DocumentError::from(area);
        assert_eq!(error.to_string(), area.to_string());
        assert_eq!(error.to_string(), "a mobile number needs 11 digits, not 10");
        assert!(std::error::Error::source(&error).is_none());
    }
}
