//! Contact phone numbers: mainland mobiles and landlines.
//!
//! The card bureau and the courier call the applicant when a card is ready
//! or a delivery fails, so the number must be one that can ring. People
//! write numbers in many ways (`+86 138-1234-5678`, `0086 13812345678`,
//! `(0791) 8888 8888 转 123`); the validator accepts those spellings and
//! returns one normalised form, so the platform stores one spelling.
//!
//! | kind | rule | normalised |
//! | --- | --- | --- |
//! | mobile | 11 digits starting `13`–`19`, optionally after `+86` or `0086` | `13812345678` |
//! | landline | area code (`010`, `020`–`029`, or 4 digits `03xx`–`09xx`), then 7–8 digits not starting with `0` or `1`; optional extension of 1–6 digits after `转`, `分机`, `ext`, `x`, `#` or a last hyphenated group | `0791-88888888`, extension apart |
//!
//! Spaces, hyphens and brackets between digits are ignored; full-width
//! digits are read as digits.

use serde::Serialize;

use crate::error::DocumentError;
use crate::text::fold_width;

mod error;

pub use error::PhoneError;

/// Mobile or landline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// A mainland mobile number.
    Mobile,
    /// A mainland landline number with its area code.
    Landline,
}

/// A valid mainland phone number, normalised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Phone {
    kind: PhoneKind,
    number: String,
    extension: Option<String>,
}

impl Phone {
    /// Mobile or landline.
    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// The normalised number: 11 digits for a mobile, `area-local` for a
    /// landline (`010-12345678`), without country code or extension.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The landline extension, if one was given.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// The number in E.164 form (`+8613812345678`, `+861012345678`),
    /// without the extension.
    pub fn e164(&self) -> String {
        let digits: String = self.number.chars().filter(char::is_ascii_digit).collect();
        let national = match self.kind {
            PhoneKind::Mobile => digits.as_str(),
            PhoneKind::Landline => digits.strip_prefix('0').unwrap_or(&digits),
        };
        format!("+86{national}")
    }
}

/// Words and signs that introduce an extension, lower case.
const EXTENSION_MARKERS: [&str; 5] = ["转", "分机", "ext", "x", "#"];

/// Checks and normalises a mainland mobile or landline number.
pub fn validate_phone(input: &str) -> Result<Phone, DocumentError> {
    parse_phone(input).map_err(DocumentError::from)
}

/// [`validate_phone`], with the phone rule that refused the input.
fn parse_phone(input: &str) -> Result<Phone, PhoneError> {
    let text: String = input
        .chars()
        .map(fold_width)
        .collect::<String>()
        .to_ascii_lowercase();
    let text = text.trim();
    if text.is_empty() {
        return Err(PhoneError::Empty);
    }
    let (main, marked_extension) = split_extension(text)?;
    let (international, groups) = digit_groups(main)?;
    let digits: String = groups.concat();
    if digits.is_empty() {
        return Err(PhoneError::Unrecognised);
    }
    if international {
        // After the country code, a landline's leading 0 is usually dropped.
        if digits.starts_with('1') && !digits.starts_with("10") {
            return mobile(&digits, marked_extension);
        }
        let mut groups = groups;
        if !digits.starts_with('0')
            && let Some(first) = groups.first_mut()
        {
            first.insert(0, '0');
        }
        return landline(&groups, marked_extension);
    }
    match digits.as_bytes().first() {
        Some(b'1') => mobile(&digits, marked_extension),
        Some(b'0') => landline(&groups, marked_extension),
        _ if (7..=8).contains(&digits.len()) => Err(PhoneError::MissingAreaCode),
        _ => Err(PhoneError::Unrecognised),
    }
}

/// Splits `text` at the first extension marker into the number and the
/// extension's digits.
fn split_extension(text: &str) -> Result<(&str, Option<String>), PhoneError> {
    let Some((at, marker)) = EXTENSION_MARKERS
        .iter()
        .filter_map(|marker| text.find(marker).map(|at| (at, *marker)))
        .min()
    else {
        return Ok((text, None));
    };
    let (main, rest) = text.split_at(at);
    let extension = rest
        .get(marker.len()..)
        .unwrap_or_default()
        .trim_start_matches(['.', ':', ' ', '-']);
    if extension.is_empty()
        || extension.len() > 6
        || !extension.bytes().all(|byte| byte.is_ascii_digit())
    {
        return Err(PhoneError::BadExtension);
    }
    Ok((main, Some(extension.to_owned())))
}

/// The runs of digits in `text`, separated by spaces, hyphens or brackets,
/// with a leading `+86` or `0086` removed; and whether it was there.
fn digit_groups(text: &str) -> Result<(bool, Vec<String>), PhoneError> {
    let text = text.trim();
    let (plus, text) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut groups: Vec<String> = Vec::new();
    let mut current = String::new();
    for character in text.chars() {
        match character {
            '0'..='9' => current.push(character),
            ' ' | '-' | '(' | ')' => {
                if !current.is_empty() {
                    groups.push(std::mem::take(&mut current));
                }
            }
            _ => return Err(PhoneError::BadCharacters),
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    let digits: String = groups.concat();
    let country_digits = if plus {
        if !digits.starts_with("86") {
            return Err(PhoneError::NotMainland);
        }
        2
    } else if digits.starts_with("0086") {
        4
    } else if digits.starts_with("00") {
        return Err(PhoneError::NotMainland);
    } else {
        0
    };
    drop_leading_digits(&mut groups, country_digits);
    Ok((country_digits > 0, groups))
}

/// Removes the first `count` digits across `groups`, dropping groups that
/// become empty.
fn drop_leading_digits(groups: &mut Vec<String>, mut count: usize) {
    while count > 0 {
        let Some(first) = groups.first_mut() else {
            return;
        };
        let taken = count.min(first.len());
        first.replace_range(..taken, "");
        count -= taken;
        if first.is_empty() {
            groups.remove(0);
        }
    }
}

fn mobile(digits: &str, extension: Option<String>) -> Result<Phone, PhoneError> {
    if extension.is_some() {
        return Err(PhoneError::BadExtension);
    }
    if digits.len() != 11 {
        return Err(PhoneError::MobileWrongLength {
            digits: digits.len(),
        });
    }
    if !matches!(digits.as_bytes().get(1), Some(b'3'..=b'9')) {
        return Err(PhoneError::MobileBadPrefix);
    }
    Ok(Phone {
        kind: PhoneKind::Mobile,
        number: digits.to_owned(),
        extension: None,
    })
}

fn landline(groups: &[String], marked_extension: Option<String>) -> Result<Phone, PhoneError> {
    // The area code: the first group when it was written apart, otherwise
    // by the numbering plan (3 digits for 01x/02x, 4 for 03xx–09xx).
    let digits = groups.concat();
    let (area, rest): (&str, Vec<&str>) = match groups {
        [first, rest @ ..]
            if !rest.is_empty() && first.starts_with('0') && (3..=4).contains(&first.len()) =>
        {
            (first.as_str(), rest.iter().map(String::as_str).collect())
        }
        _ => {
            let area_length = if digits.starts_with("01") || digits.starts_with("02") {
                3
            } else {
                4
            };
            if digits.len() <= area_length {
                return Err(PhoneError::LocalWrongLength);
            }
            let (area, local) = digits.split_at(area_length);
            (area, vec![local])
        }
    };
    if !is_area_code(area) {
        return Err(PhoneError::BadAreaCode);
    }
    // Without a marker, a last group after a complete local number is the
    // extension: 010-12345678-123.
    let (local, extension) = match (rest.as_slice(), marked_extension) {
        ([local, extension], None)
            if (7..=8).contains(&local.len()) && (1..=6).contains(&extension.len()) =>
        {
            ((*local).to_owned(), Some((*extension).to_owned()))
        }
        (_, extension) => (rest.concat(), extension),
    };
    if !(7..=8).contains(&local.len()) {
        return Err(PhoneError::LocalWrongLength);
    }
    if local.starts_with(['0', '1']) {
        return Err(PhoneError::LocalBadStart);
    }
    Ok(Phone {
        kind: PhoneKind::Landline,
        number: format!("{area}-{local}"),
        extension,
    })
}

/// Whether `area` is shaped like a mainland area code: `010`, `020`–`029`,
/// or four digits `03xx`–`09xx`.
fn is_area_code(area: &str) -> bool {
    matches!(
        area.as_bytes(),
        [b'0', b'1', b'0']
            | [b'0', b'2', b'0'..=b'9']
            | [b'0', b'3'..=b'9', b'0'..=b'9', b'0'..=b'9']
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let cases: &[(&str, PhoneKind, &str, Option<&str>)] = &[
            ("13812345678", PhoneKind::Mobile, "13812345678", None),
            ("138 1234 5678", PhoneKind::Mobile, "13812345678", None),
            ("138-1234-5678", PhoneKind::Mobile, "13812345678", None),
            ("+86 138 1234 5678", PhoneKind::Mobile, "13812345678", None),
            ("+8613812345678", PhoneKind::Mobile, "13812345678", None),
            ("0086 13812345678", PhoneKind::Mobile, "13812345678", None),
            ("008613812345678", PhoneKind::Mobile, "13812345678", None),
            (
                "１３８１２３４５６７８",
                PhoneKind::Mobile,
                "13812345678",
                None,
            ),
            (
                "＋８６　１９９１２３４５６７８",
                PhoneKind::Mobile,
                "19912345678",
                None,
            ),
            ("  15012345678  ", PhoneKind::Mobile, "15012345678", None),
            ("010-62345678", PhoneKind::Landline, "010-62345678", None),
            ("01062345678", PhoneKind::Landline, "010-62345678", None),
            ("(010) 6234 5678", PhoneKind::Landline, "010-62345678", None),
            ("021-6123456", PhoneKind::Landline, "021-6123456", None),
            ("0791-88888888", PhoneKind::Landline, "0791-88888888", None),
            ("079188888888", PhoneKind::Landline, "0791-88888888", None),
            ("0791 8888 8888", PhoneKind::Landline, "0791-88888888", None),
            ("0755-2345678", PhoneKind::Landline, "0755-2345678", None),
            (
                "010-62345678-123",
                PhoneKind::Landline,
                "010-62345678",
                Some("123"),
            ),
            (
                "010-62345678转123",
                PhoneKind::Landline,
                "010-62345678",
                Some("123"),
            ),
            (
                "0791-88888888 分机 8001",
                PhoneKind::Landline,
                "0791-88888888",
                Some("8001"),
            ),
            (
                "010 62345678 ext. 42",
                PhoneKind::Landline,
                "010-62345678",
                Some("42"),
            ),
            (
                "010-62345678 EXT 42",
                PhoneKind::Landline,
                "010-62345678",
                Some("42"),
            ),
            (
                "010-62345678x9",
                PhoneKind::Landline,
                "010-62345678",
                Some("9"),
            ),
            (
                "010-62345678#123456",
                PhoneKind::Landline,
                "010-62345678",
                Some("123456"),
            ),
            ("+86 10 62345678", PhoneKind::Landline, "010-62345678", None),
            (
                "+86 791 88888888",
                PhoneKind::Landline,
                "0791-88888888",
                None,
            ),
            (
                "+86 (0)10 62345678",
                PhoneKind::Landline,
                "010-62345678",
                None,
            ),
            (
                "0086-21-61234567",
                PhoneKind::Landline,
                "021-61234567",
                None,
            ),
        ];
        for &(input, kind, number, extension) in cases {
            let phone = validate_phone(input).unwrap_or_else(|error| panic!("{input}: {error}"));
            assert_eq!(phone.kind(), kind, "{input}");
            assert_eq!(phone.number(), number, "{input}");
            assert_eq!(phone.extension(), extension, "{input}");
        }
    }

    #[test]
    fn e164() {
        let mobile = validate_phone("138 1234 5678").expect("valid");
        assert_eq!(mobile.e164(), "+8613812345678");
        let landline = validate_phone("0791-88888888").expect("valid");
        assert_eq!(landline.e164(), "+8679188888888");
        let landline = validate_phone("010-62345678").expect("valid");
        assert_eq!(landline.e164(), "+861062345678");
    }

    #[test]
    fn refuses_with_a_reason() {
        use PhoneError as E;
        let cases: &[(&str, PhoneError)] = &[
            ("", E::Empty),
            ("   ", E::Empty),
            ("\u{3000}", E::Empty),
            ("138.1234.5678", E::BadCharacters),
            ("138/1234/5678", E::BadCharacters),
            ("phone 13812345678", E::BadCharacters),
            ("1381234567８a", E::BadCharacters),
            ("138+12345678", E::BadCharacters),
            ("+1 555 123 4567", E::NotMainland),
            ("+852 9123 4567", E::NotMainland),
            ("00852 91234567", E::NotMainland),
            ("1381234567", E::MobileWrongLength { digits: 10 }),
            ("138123456789", E::MobileWrongLength { digits: 12 }),
            ("12333", E::MobileWrongLength { digits: 5 }),
            ("+86 1381234567", E::MobileWrongLength { digits: 10 }),
            ("12012345678", E::MobileBadPrefix),
            ("11012345678", E::MobileBadPrefix),
            ("+86 12012345678", E::MobileBadPrefix),
            ("62345678", E::MissingAreaCode),
            ("12345678", E::MobileWrongLength { digits: 8 }),
            ("8888888", E::MissingAreaCode),
            ("011-12345678", E::BadAreaCode),
            ("01112345678", E::BadAreaCode),
            ("079-1234567", E::BadAreaCode),
            ("0101-2345678", E::BadAreaCode),
            ("010-123456", E::LocalWrongLength),
            ("010-623456789", E::LocalWrongLength),
            ("0791", E::LocalWrongLength),
            ("010-02345678", E::LocalBadStart),
            ("0791-12345678", E::LocalBadStart),
            ("010-62345678转", E::BadExtension),
            ("010-62345678转1234567", E::BadExtension),
            ("010-62345678 ext 12a", E::BadExtension),
            ("13812345678 转 12", E::BadExtension),
            ("---", E::Unrecognised),
            ("()", E::Unrecognised),
            ("999", E::Unrecognised),
            ("+86", E::Unrecognised),
        ];
        for (input, expected) in cases {
            assert_eq!(
                validate_phone(input),
                Err(DocumentError::Phone(*expected)),
                "{input:?}"
            );
        }
    }
}
