//! Mailing addresses for sending a card to the applicant's home.
//!
//! Cards go out by post (EMS) when the applicant chooses mailing. An address
//! without a district or a house number comes back weeks later, so the form
//! checks that the address starts from the administrative divisions (province,
//! prefecture, county) and goes on to a street-level part, and refuses
//! pasted control characters, emoji and keyboard mashing.
//!
//! The division part is read from the start of the address (after an
//! optional 中国 or 中华人民共和国) as up to
//! [`MAX_DIVISIONS`] components, each some Chinese characters ending in a
//! division word, going down the levels:
//!
//! | level | division words |
//! | --- | --- |
//! | province | 省, 自治区, 特别行政区 |
//! | prefecture or city | 市, 自治州, 地区, 盟 |
//! | county | 区, 县, 自治县, 旗, 自治旗 |
//!
//! The part stops after the first county-level component, at the first
//! component that would go back up a level, or at anything that is not a
//! Chinese character; what follows is the detail (street, compound,
//! building, house number), which must hold at least two letters, digits or
//! Chinese characters. Words that end in a division character without being
//! a division (小区, 社区, 园区, 校区, 景区, 厂区, 工业区, 生活区, 住宅区,
//! 营区, 超市, 市场) do not end a component.

use serde::Serialize;

use crate::error::DocumentError;
use crate::text::fold_width;

mod error;

pub use error::AddressError;

/// Fewest characters in an address.
pub const ADDRESS_MIN_CHARS: usize = 5;

/// Most characters in an address (what fits on a mailing label).
pub const ADDRESS_MAX_CHARS: usize = 120;

/// Most division components read from the start of an address.
pub const MAX_DIVISIONS: usize = 4;

/// Longest run of one character an address may hold.
pub const MAX_REPEATED_CHARS: usize = 5;

/// Most characters in the name part of one division component
/// (双江拉祜族佤族布朗族傣族自治县 has 12).
const MAX_DIVISION_NAME_CHARS: usize = 14;

/// Administrative levels, top down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Province,
    Prefecture,
    County,
}

/// Division words, longest first so 自治区 wins over 区.
const DIVISION_WORDS: [(&[char], Level); 12] = [
    (&['特', '别', '行', '政', '区'], Level::Province),
    (&['自', '治', '区'], Level::Province),
    (&['自', '治', '州'], Level::Prefecture),
    (&['自', '治', '县'], Level::County),
    (&['自', '治', '旗'], Level::County),
    (&['地', '区'], Level::Prefecture),
    (&['省'], Level::Province),
    (&['市'], Level::Prefecture),
    (&['盟'], Level::Prefecture),
    (&['区'], Level::County),
    (&['县'], Level::County),
    (&['旗'], Level::County),
];

/// Country names an address may start with, before the divisions.
const COUNTRY_NAMES: [&[char]; 2] = [&['中', '华', '人', '民', '共', '和', '国'], &['中', '国']];

/// Characters before 区 that make it part of an ordinary word (小区, 社区…).
const NOT_DISTRICT_BEFORE: [char; 10] =
    ['小', '社', '园', '校', '景', '厂', '业', '活', '宅', '营'];

/// A valid mailing address, split into its division and detail parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Address {
    text: String,
    divisions: String,
    detail: String,
}

impl Address {
    /// The address, trimmed, with runs of spaces collapsed to one.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The division part, e.g. `江西省南昌市红谷滩区`.
    pub fn divisions(&self) -> &str {
        &self.divisions
    }

    /// The detail part after the divisions, e.g. `丰和中大道 1 号 2 栋 301 室`.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

/// Checks a mailing address, in this order: not empty, no control or
/// invisible characters, no characters foreign to addresses, length, no
/// long runs of one character, division part, detail part.
pub fn validate_address(input: &str) -> Result<Address, DocumentError> {
    parse_address(input).map_err(DocumentError::from)
}

/// [`validate_address`], with the address rule that refused the input.
fn parse_address(input: &str) -> Result<Address, AddressError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(AddressError::Empty);
    }
    if trimmed.chars().any(is_control_or_invisible) {
        return Err(AddressError::ControlCharacters);
    }
    if !trimmed.chars().all(is_address_character) {
        return Err(AddressError::BadCharacters);
    }
    let text = collapse_spaces(trimmed);
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > ADDRESS_MAX_CHARS {
        return Err(AddressError::TooLong {
            max: ADDRESS_MAX_CHARS,
        });
    }
    if chars.len() < ADDRESS_MIN_CHARS {
        return Err(AddressError::TooShort {
            min: ADDRESS_MIN_CHARS,
        });
    }
    if longest_run(&chars) > MAX_REPEATED_CHARS {
        return Err(AddressError::Repeated);
    }
    let head = division_part_length(&chars);
    if head == 0 {
        return Err(AddressError::MissingRegion);
    }
    let (divisions, detail) = chars.split_at(head);
    let meaningful = detail
        .iter()
        .filter(|character| {
            is_ideograph(**character) || fold_width(**character).is_ascii_alphanumeric()
        })
        .count();
    if meaningful < 2 {
        return Err(AddressError::MissingDetail);
    }
    Ok(Address {
        divisions: divisions.iter().collect::<String>().trim().to_owned(),
        detail: detail.iter().collect::<String>().trim().to_owned(),
        text,
    })
}

/// Control characters and the invisible formatting characters that can
/// hide or reorder text (zero-width spaces, bidirectional overrides).
fn is_control_or_invisible(character: char) -> bool {
    character.is_control()
        || matches!(
            character,
            '\u{00AD}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Chinese characters (the basic block, extensions A–G and compatibility
/// ideographs, since place names use rare characters).
fn is_ideograph(character: char) -> bool {
    matches!(
        character,
        '\u{4E00}'..='\u{9FFF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{20000}'..='\u{3134F}'
            | '\u{F900}'..='\u{FAFF}'
    )
}

/// Characters an address may hold: Chinese characters, letters, digits,
/// spaces and the punctuation of house numbers, in half or full width.
fn is_address_character(character: char) -> bool {
    let folded = fold_width(character);
    is_ideograph(character)
        || folded.is_ascii_alphanumeric()
        || folded.is_whitespace()
        || matches!(folded, '-' | '#' | '(' | ')' | ',' | '.' | '/' | '\'')
        || matches!(character, '、' | '。' | '〇' | '·' | '・' | '—' | '–')
}

/// `text` with each run of whitespace replaced by one space.
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The length of the longest run of one repeated character.
fn longest_run(chars: &[char]) -> usize {
    chars
        .chunk_by(|left, right| left == right)
        .map(<[char]>::len)
        .max()
        .unwrap_or_default()
}

/// How many characters at the start of `chars` name divisions, after an
/// optional country name (0: no division).
fn division_part_length(chars: &[char]) -> usize {
    let country = COUNTRY_NAMES
        .iter()
        .find(|name| chars.starts_with(name))
        .map_or(0, |name| name.len());
    let mut position = country;
    let mut level = Level::Province;
    for _ in 0..MAX_DIVISIONS {
        let start = position + count_spaces(chars.get(position..).unwrap_or_default());
        let Some((end, found)) = division_component(chars, start, level) else {
            break;
        };
        position = end;
        level = found;
        if found == Level::County {
            break;
        }
    }
    if position == country { 0 } else { position }
}

fn count_spaces(chars: &[char]) -> usize {
    chars
        .iter()
        .take_while(|character| **character == ' ')
        .count()
}

/// The end and level of a division component starting at `start`: 1 to
/// [`MAX_DIVISION_NAME_CHARS`] Chinese characters, then a division word at
/// `lowest` level or below.
fn division_component(chars: &[char], start: usize, lowest: Level) -> Option<(usize, Level)> {
    for word_start in start + 1..=start + MAX_DIVISION_NAME_CHARS {
        if !is_ideograph(*chars.get(word_start - 1)?) {
            return None;
        }
        let rest = chars.get(word_start..)?;
        for (word, level) in DIVISION_WORDS {
            if level >= lowest
                && rest.starts_with(word)
                && !is_ordinary_word(chars, word_start, word)
            {
                return Some((word_start + word.len(), level));
            }
        }
    }
    None
}

/// Whether the division character at `at` is part of an ordinary word such
/// as 小区 or 超市 rather than a division.
fn is_ordinary_word(chars: &[char], at: usize, word: &[char]) -> bool {
    let before = at.checked_sub(1).and_then(|index| chars.get(index));
    match word {
        ['区'] => before.is_some_and(|character| NOT_DISTRICT_BEFORE.contains(character)),
        ['市'] => before == Some(&'超') || chars.get(at + 1) == Some(&'场'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_addresses_and_splits_them() {
        let cases = [
            (
                "江西省南昌市红谷滩区丰和中大道1号",
                "江西省南昌市红谷滩区",
                "丰和中大道1号",
            ),
            ("北京市朝阳区望京小区3号楼", "北京市朝阳区", "望京小区3号楼"),
            ("北京市朝阳区望京小区", "北京市朝阳区", "望京小区"),
            (
                "上海市浦东新区世纪大道100号",
                "上海市浦东新区",
                "世纪大道100号",
            ),
            (
                "新疆维吾尔自治区伊犁哈萨克自治州伊宁市解放路8号",
                "新疆维吾尔自治区伊犁哈萨克自治州伊宁市",
                "解放路8号",
            ),
            (
                "内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路2号",
                "内蒙古自治区锡林郭勒盟锡林浩特市",
                "额尔敦路2号",
            ),
            (
                "内蒙古自治区呼伦贝尔市鄂温克族自治旗巴彦托海镇",
                "内蒙古自治区呼伦贝尔市鄂温克族自治旗",
                "巴彦托海镇",
            ),
            (
                "黑龙江省大兴安岭地区漠河市北极村",
                "黑龙江省大兴安岭地区漠河市",
                "北极村",
            ),
            (
                "香港特别行政区九龙 弥敦道 100 号",
                "香港特别行政区",
                "九龙 弥敦道 100 号",
            ),
            (
                "江西省赣州市瑞金市象湖镇红都大道",
                "江西省赣州市瑞金市",
                "象湖镇红都大道",
            ),
            ("山东省济南市市中区经七路", "山东省济南市市中区", "经七路"),
            ("南昌市华联超市二楼", "南昌市", "华联超市二楼"),
            ("广州市天河区天河路 208 号", "广州市天河区", "天河路 208 号"),
            (
                "  中国 江西省　南昌市   东湖区 八一大道１号（３栋）  ",
                "中国 江西省 南昌市 东湖区",
                "八一大道１号（３栋）",
            ),
            ("江西省某县A区5栋", "江西省某县", "A区5栋"),
            (
                "浙江省杭州市西湖区文三路#1-2",
                "浙江省杭州市西湖区",
                "文三路#1-2",
            ),
            ("北京市1号", "北京市", "1号"),
            (
                "中国北京市海淀区中关村大街1号",
                "中国北京市海淀区",
                "中关村大街1号",
            ),
            (
                "中华人民共和国广东省深圳市南山区科技园",
                "中华人民共和国广东省深圳市南山区",
                "科技园",
            ),
        ];
        for (input, divisions, detail) in cases {
            let address =
                validate_address(input).unwrap_or_else(|error| panic!("{input}: {error}"));
            assert_eq!(address.divisions(), divisions, "{input}");
            assert_eq!(address.detail(), detail, "{input}");
        }
        assert_eq!(
            validate_address("  中国 江西省　南昌市   东湖区 八一大道１号  ")
                .expect("valid")
                .text(),
            "中国 江西省 南昌市 东湖区 八一大道１号"
        );
    }

    #[test]
    fn refuses_with_a_reason() {
        use AddressError as E;
        let long = "江西省南昌市红谷滩区".to_owned() + &"丰和中大道".repeat(25);
        let longest = "江西省南昌市红谷滩区".to_owned() + &"丰和中大道一".repeat(18) + "二号";
        assert_eq!(longest.chars().count(), ADDRESS_MAX_CHARS);
        assert!(validate_address(&longest).is_ok());
        let cases: Vec<(String, AddressError)> = vec![
            (String::new(), E::Empty),
            (" \u{3000}\t\n".into(), E::Empty),
            ("北京市朝阳区\n望京街1号".into(), E::ControlCharacters),
            ("北京市朝阳区\t望京街1号".into(), E::ControlCharacters),
            ("北京市朝阳区\u{0}望京街1号".into(), E::ControlCharacters),
            ("北京市朝阳区\u{200B}望京街1号".into(), E::ControlCharacters),
            ("北京市朝阳区\u{202E}望京街1号".into(), E::ControlCharacters),
            ("北京市朝阳区\u{FEFF}望京街1号".into(), E::ControlCharacters),
            ("北京市朝阳区望京街1号😀".into(), E::BadCharacters),
            ("北京市朝阳区<script>".into(), E::BadCharacters),
            ("北京市朝阳区望京街1号@".into(), E::BadCharacters),
            ("北京市朝阳区Ωmega".into(), E::BadCharacters),
            (long + "号", E::TooLong { max: 120 }),
            ("北京市".into(), E::TooShort { min: 5 }),
            ("北京 市".into(), E::TooShort { min: 5 }),
            ("北京市朝阳区啊啊啊啊啊啊".into(), E::Repeated),
            ("北京市朝阳区1111111号".into(), E::Repeated),
            ("aaaaaaaaaa".into(), E::Repeated),
            ("我家在村口大树下".into(), E::MissingRegion),
            ("丰和中大道1号".into(), E::MissingRegion),
            ("Room 101, No. 5 Road".into(), E::MissingRegion),
            ("12345 北京市朝阳区".into(), E::MissingRegion),
            ("望京小区3号楼".into(), E::MissingRegion),
            ("中国 望京街1号".into(), E::MissingRegion),
            ("江西省南昌市".into(), E::MissingDetail),
            ("江西省南昌市东湖区".into(), E::MissingDetail),
            ("上海市浦东新区".into(), E::MissingDetail),
            ("北京市朝阳区 , ,".into(), E::MissingDetail),
            ("北京市朝阳区1".into(), E::MissingDetail),
            ("新疆维吾尔自治区".into(), E::MissingDetail),
        ];
        for (input, expected) in cases {
            assert_eq!(
                validate_address(&input),
                Err(DocumentError::Address(expected)),
                "{input:?}"
            );
        }
    }
}
