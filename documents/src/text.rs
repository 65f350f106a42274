//! Small text helpers shared by the validators.
//!
//! Chinese input methods switch easily into full-width mode, where digits and
//! letters come out as `１２３Ｘ` and the space as `　` (U+3000). People cannot
//! see the difference, so refusing those characters would be refusing a
//! correct number; the validators fold them to ASCII first.

/// Folds a full-width ASCII form (U+FF01–U+FF5E) to its ASCII twin and the
/// ideographic space (U+3000) to a space; other characters are unchanged.
pub(crate) fn fold_width(character: char) -> char {
    match character {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(u32::from(character) - 0xFEE0).unwrap_or(character)
        }
        _ => character,
    }
}

/// A document number as people type it, made comparable: full-width forms
/// folded, every whitespace character removed, ASCII letters upper-cased.
pub(crate) fn normalise_number(input: &str) -> String {
    input
        .chars()
        .map(fold_width)
        .filter(|character| !character.is_whitespace())
        .map(|character| character.to_ascii_uppercase())
        .collect()
}

/// Whether `text` is non-empty and made of ASCII digits only.
pub(crate) fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// The number made of the ASCII digits `text[range]`, or `None` when that
/// range is out of bounds or holds anything but digits.
pub(crate) fn digits_value(text: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = text.get(range)?;
    if !all_digits(part) || part.len() > 9 {
        return None;
    }
    part.bytes().try_fold(0u32, |value, byte| {
        Some(value * 10 + u32::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_forms() {
        let cases = [
            ("１１０１０５", "110105"),
            ("ｘ", "X"),
            ("e１２３４５６７８", "E12345678"),
            (" 110105 19491231 002x ", "11010519491231002X"),
            ("\u{3000}Ｈ１２３４５６７８\t", "H12345678"),
            ("（Ｂ）", "(B)"),
            ("", ""),
            ("身份证", "身份证"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise_number(input), expected, "{input:?}");
        }
    }

    #[test]
    fn reads_digit_runs() {
        assert_eq!(digits_value("19491231", 0..4), Some(1949));
        assert_eq!(digits_value("19491231", 4..8), Some(1231));
        assert_eq!(digits_value("19X91231", 0..4), None);
        assert_eq!(digits_value("1949", 2..9), None);
        assert_eq!(digits_value("1949", 3..3), None);
        assert_eq!(digits_value("一九四九", 0..3), None);
        assert_eq!(digits_value("一九四九", 0..2), None);
    }
}
