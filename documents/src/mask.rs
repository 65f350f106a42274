//! Masking document numbers for display and logs.
//!
//! The app shows numbers masked by default (the national app's "小眼睛" eye
//! toggle reveals them), and every log line that could carry a number goes
//! through the same function. The rule keeps enough of both ends for a
//! person to recognise their own document and never the birth date, which
//! sits in the middle of every number that has one.

use crate::text::normalise_number;

/// The character that replaces hidden characters.
pub const MASK_CHARACTER: char = '*';

/// A person's name masked for display and logs: the first character stays
/// (`刘桂兰` → `刘**`), the rest is replaced, keeping the length.
pub fn mask_name(name: &str) -> String {
    let mut characters = name.trim().chars();
    let first = characters.next().map(String::from).unwrap_or_default();
    first + &MASK_CHARACTER.to_string().repeat(characters.count())
}

/// `number` with its middle replaced by `*`, keeping its length.
///
/// The number is normalised first (full-width folded, whitespace removed,
/// upper case), then, by its length `n` in characters:
///
/// | length | kept | example |
/// | --- | --- | --- |
/// | 18 or more (resident ID, residence permit, 2023 permanent resident ID) | first 3, last 4 | `11010519491231002X` → `110***********002X` |
/// | 15–17 (2017 permanent resident ID, old 15-digit ID, mistyped IDs) | first 3, last 2 | `USA110080112345` → `USA**********45` |
/// | 14 or fewer | first `n / 4`, last `n / 4` | `H1234567801` → `H1*******01`, `12345678` → `12****78`, `E12345678` → `E1*****78` |
///
/// Birth dates sit at characters 7–14 of 18-character numbers and 8–13 of
/// 15-character ones, so they are always hidden; numbers of three or fewer
/// characters are hidden entirely.
pub fn mask(number: &str) -> String {
    let characters: Vec<char> = normalise_number(number).chars().collect();
    let length = characters.len();
    let (front, back) = match length {
        18.. => (3, 4),
        15..=17 => (3, 2),
        _ => (length / 4, length / 4),
    };
    characters
        .iter()
        .enumerate()
        .map(|(index, character)| {
            if index < front || index >= length - back {
                *character
            } else {
                MASK_CHARACTER
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn names_keep_their_first_character() {
        assert_eq!(mask_name("刘桂兰"), "刘**");
        assert_eq!(mask_name("张伟"), "张*");
        assert_eq!(mask_name(" 王 "), "王");
        assert_eq!(mask_name(""), "");
    }

    use super::*;

    #[test]
    fn masks_by_length() {
        let cases = [
            ("11010519491231002X", "110***********002X"),
            ("11010519491231002x", "110***********002X"),
            ("110105 19491231 002X", "110***********002X"),
            ("810000199408230021", "810***********0021"),
            ("USA110080112345", "USA**********45"),
            ("110105491231002", "110**********02"),
            ("H1234567801", "H1*******01"),
            ("H12345678", "H1*****78"),
            ("12345678", "12****78"),
            ("1234567801(B)", "123*******(B)"),
            ("E12345678", "E1*****78"),
            ("ABCD", "A**D"),
            ("ABC", "***"),
            ("A", "*"),
            ("", ""),
            ("身份证号码", "身***码"),
            ("12345678901234567890", "123*************7890"),
        ];
        for (number, masked) in cases {
            assert_eq!(mask(number), masked, "{number}");
        }
    }

    #[test]
    fn never_reveals_the_birth_date() {
        // 18-character numbers: birth date at 6..14; 15: at 7..13 (2017
        // permanent resident ID) or 6..12 (old 15-digit ID).
        for number in ["11010519491231002X", "USA110080112345", "110105491231002"] {
            let masked: Vec<char> = mask(number).chars().collect();
            let hidden = if number.len() == 18 { 6..14 } else { 6..13 };
            for index in hidden {
                assert_eq!(masked[index], MASK_CHARACTER, "{number} at {index}");
            }
        }
        // Whatever the length, the masked text keeps the length and shows
        // at most 7 characters.
        for length in 0..40 {
            let number: String = std::iter::repeat_n('7', length).collect();
            let masked = mask(&number);
            assert_eq!(masked.chars().count(), length);
            assert!(masked.chars().filter(|c| *c == '7').count() <= 7);
        }
    }
}
