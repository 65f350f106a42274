//! Many generated inputs through every validator, as properties: none may
//! panic, and the results must hang together. proptest shrinks a failing
//! input to a small one and keeps it in `proptest-regressions/`.

use ecard_credential::Locale;
use proptest::prelude::*;

use crate::photo::tests::jpeg;
use crate::{
    Date, DocumentError, DocumentType, PhotoRules, detect, guess_type, jpeg_dimensions, mask,
    validate, validate_address, validate_phone, validate_photo,
};

/// Characters that matter to the validators, and some that should not be there.
const ALPHABET: &[char] = &[
    '0',
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
    '0',
    '1',
    '8',
    '9',
    'X',
    'x',
    'H',
    'M',
    'E',
    'G',
    'U',
    'S',
    'A',
    '(',
    ')',
    '+',
    '-',
    ' ',
    '#',
    '.',
    '转',
    '分',
    '机',
    '省',
    '市',
    '区',
    '县',
    '自',
    '治',
    '州',
    '旗',
    '盟',
    '小',
    '超',
    '场',
    '中',
    '国',
    '路',
    '号',
    '１',
    '８',
    'Ｘ',
    '（',
    '\u{3000}',
    '\n',
    '\u{0}',
    '\u{202E}',
    '\u{200B}',
    '😀',
    'é',
    '\u{FF5E}',
    '\u{20000}',
];

const TODAY: Date = match Date::new(2025, 6, 15) {
    Some(date) => date,
    None => Date::UNIX_EPOCH,
};

fn check_error(error: &DocumentError) {
    assert!(["id_number", "phone", "address", "photo"].contains(&error.field()));
    assert!(!error.code().is_empty());
    assert!(!error.message(Locale::ZhCn).is_empty());
    assert!(!error.message(Locale::En).is_empty());
}

/// Every text validator on `text`, with the invariants that tie them together.
fn check_text(text: &str) {
    let masked = mask(text);
    assert!(!masked.contains(char::is_whitespace));
    let detected = detect(text, TODAY);
    match &detected {
        Ok(document) => {
            assert_eq!(Some(document.document_type()), guess_type(text));
            assert_eq!(
                validate(document.document_type(), text, TODAY).as_ref(),
                Ok(document),
                "{text:?}"
            );
            assert_eq!(
                document.masked().chars().count(),
                document.number().chars().count()
            );
            if let Some(age) = document.age() {
                assert!(age <= 125, "born in 1900 at the earliest");
            }
        }
        Err(error) => check_error(error),
    }
    for document_type in DocumentType::ALL {
        match validate(document_type, text, TODAY) {
            Ok(document) => {
                if let Some(birth_date) = document.birth_date() {
                    assert!(birth_date <= TODAY);
                }
            }
            Err(error) => check_error(&error),
        }
    }
    match validate_phone(text) {
        Ok(phone) => assert!(phone.e164().starts_with("+86")),
        Err(error) => check_error(&error),
    }
    match validate_address(text) {
        Ok(address) => assert!(!address.detail().is_empty()),
        Err(error) => check_error(&error),
    }
}

fn check_photo(bytes: &[u8]) {
    match jpeg_dimensions(bytes) {
        Ok((width, height)) => assert!(width > 0 && height > 0),
        Err(error) => check_error(&error),
    }
    let rules = PhotoRules {
        min_width: 0,
        max_width: u32::MAX,
        min_height: 0,
        max_height: u32::MAX,
        min_bytes: 0,
        max_bytes: u64::MAX,
    };
    if let Ok(info) = validate_photo(bytes, &rules) {
        assert_eq!(Ok((info.width, info.height)), jpeg_dimensions(bytes));
    }
    if let Err(error) = validate_photo(bytes, &PhotoRules::NATIONAL) {
        check_error(&error);
    }
}

/// Valid numbers of each kind, whose mutations stay close to every rule's edge.
const VALID: &[&str] = &[
    "11010519491231002X",
    "810000199408230021",
    "911840198503151238",
    "USA310180112345",
    "H1234567801",
    "0123456701(B)",
    "EA1234567",
    "+86 138 1234 5678",
    "0791-88888888转123",
    "江西省南昌市红谷滩区丰和中大道1号",
];

/// One edit of a text: replace, remove or insert a character at a position
/// (taken modulo the text's length).
#[derive(Clone, Debug)]
enum Edit {
    Replace(usize, char),
    Remove(usize),
    Insert(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let character = || prop::sample::select(ALPHABET);
    prop_oneof![
        (any::<usize>(), character()).prop_map(|(at, c)| Edit::Replace(at, c)),
        any::<usize>().prop_map(Edit::Remove),
        (any::<usize>(), character()).prop_map(|(at, c)| Edit::Insert(at, c)),
    ]
}

/// One damage to a JPEG: a byte at a position (modulo the length) set to a
/// marker byte, zero, or anything.
fn damage() -> impl Strategy<Value = (usize, u8)> {
    (
        any::<usize>(),
        prop_oneof![Just(0xFF_u8), Just(0x00_u8), any::<u8>()],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn random_bytes_never_panic(mut bytes in prop::collection::vec(any::<u8>(), 0..=96), looks_like_jpeg: bool) {
        if looks_like_jpeg && bytes.len() >= 2 {
            bytes[0] = 0xFF;
            bytes[1] = 0xD8;
        }
        check_photo(&bytes);
        check_text(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn damaged_jpegs_never_panic(
        damages in prop::collection::vec(damage(), 1..=4),
        truncate_at in prop::option::weighted(0.33, any::<usize>()),
    ) {
        let mut bytes = jpeg(358, 441, 400);
        for (at, byte) in damages {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        if let Some(at) = truncate_at {
            bytes.truncate(at % (bytes.len() + 1));
        }
        check_photo(&bytes);
    }

    #[test]
    fn random_text_never_panics(characters in prop::collection::vec(prop::sample::select(ALPHABET), 0..32)) {
        check_text(&characters.into_iter().collect::<String>());
    }

    #[test]
    fn edited_valid_numbers_never_panic(
        valid in prop::sample::select(VALID),
        edits in prop::collection::vec(edit(), 1..=2),
    ) {
        let mut chars: Vec<char> = valid.chars().collect();
        for edit in edits {
            match edit {
                Edit::Replace(at, character) if !chars.is_empty() => {
                    let at = at % chars.len();
                    chars[at] = character;
                }
                Edit::Remove(at) if !chars.is_empty() => {
                    chars.remove(at % chars.len());
                }
                Edit::Insert(at, character) => chars.insert(at % (chars.len() + 1), character),
                _ => {}
            }
        }
        check_text(&chars.into_iter().collect::<String>());
    }

    #[test]
    fn random_dates_never_panic(
        days in any::<i64>(),
        shift in 0_u32..64,
        other_days in -100_000_i64..100_000,
        seconds: i64,
        offset: i64,
        (year, month, day) in (any::<u16>(), any::<u8>(), any::<u8>()),
    ) {
        let days = days >> shift;
        if let Some(date) = Date::from_unix_days(days) {
            prop_assert_eq!(Date::new(date.year(), date.month(), date.day()), Some(date));
            prop_assert_eq!(date.to_unix_days(), days);
            let other = Date::from_unix_days(other_days).expect("in range");
            match date.age_on(other) {
                Some(age) => prop_assert!(date <= other && age <= u32::from(other.year())),
                None => prop_assert!(date > other),
            }
        }
        let _ = Date::from_unix_seconds(seconds, offset);
        if let Some(date) = Date::new(year, month, day) {
            prop_assert_eq!(Date::parse(&date.to_string()), Some(date));
        }
    }
}

#[test]
fn the_sample_jpeg_is_whole() {
    assert_eq!(jpeg_dimensions(&jpeg(358, 441, 400)), Ok((358, 441)));
}
