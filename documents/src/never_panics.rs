//! Many pseudo-random inputs through every validator: none may panic, and
//! the results must hang together.
//!
//! A property-testing crate is not a dependency here, so a fixed-seed
//! xorshift generator makes the inputs: the runs are repeatable, and a
//! failure names the iteration that found it.

use ecard_credential::Locale;

use crate::photo::tests::jpeg;
use crate::{
    Date, DocumentError, DocumentType, PhotoRules, detect, guess_type, jpeg_dimensions, mask,
    validate, validate_address, validate_phone, validate_photo,
};

/// Marsaglia's xorshift64: tiny, fast, and good enough to make test inputs.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % bound as u64).expect("below a usize bound")
    }

    fn bytes(&mut self, max_length: usize) -> Vec<u8> {
        let length = self.below(max_length + 1);
        (0..length).map(|_| self.next() as u8).collect()
    }
}

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

#[test]
fn random_bytes_never_panic() {
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let mut bytes = random.bytes(96);
        if random.below(2) == 0 && bytes.len() >= 2 {
            // Half of them look like a JPEG at first glance.
            bytes[0] = 0xFF;
            bytes[1] = 0xD8;
        }
        check_photo(&bytes);
        check_text(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn damaged_jpegs_never_panic() {
    let mut random = XorShift(0x0123_4567_89AB_CDEF);
    let good = jpeg(358, 441, 400);
    assert_eq!(jpeg_dimensions(&good), Ok((358, 441)));
    for _ in 0..20_000 {
        let mut bytes = good.clone();
        for _ in 0..=random.below(4) {
            let at = random.below(bytes.len());
            bytes[at] = match random.below(4) {
                0 => 0xFF,
                1 => 0x00,
                _ => random.next() as u8,
            };
        }
        if random.below(3) == 0 {
            bytes.truncate(random.below(bytes.len() + 1));
        }
        check_photo(&bytes);
    }
}

#[test]
fn random_text_never_panics() {
    let mut random = XorShift(0xDEAD_BEEF_CAFE_F00D);
    for _ in 0..20_000 {
        let length = random.below(32);
        let text: String = (0..length)
            .map(|_| ALPHABET[random.below(ALPHABET.len())])
            .collect();
        check_text(&text);
    }
    // Mutations of valid numbers stay close to every rule's edge.
    let valid = [
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
    for _ in 0..20_000 {
        let mut chars: Vec<char> = valid[random.below(valid.len())].chars().collect();
        for _ in 0..=random.below(2) {
            let at = random.below(chars.len() + 1);
            let character = ALPHABET[random.below(ALPHABET.len())];
            match random.below(3) {
                0 if at < chars.len() => chars[at] = character,
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ => chars.insert(at, character),
            }
        }
        check_text(&chars.into_iter().collect::<String>());
    }
}

#[test]
fn random_dates_never_panic() {
    let mut random = XorShift(0x1357_9BDF_2468_ACE0);
    for _ in 0..20_000 {
        let days = random.next() as i64 >> random.below(64);
        if let Some(date) = Date::from_unix_days(days) {
            assert_eq!(Date::new(date.year(), date.month(), date.day()), Some(date));
            let other = Date::from_unix_days(random.next() as i64 % 100_000).expect("in range");
            match date.age_on(other) {
                Some(age) => assert!(date <= other && age <= u32::from(other.year())),
                None => assert!(date > other),
            }
        }
        let _ = Date::from_unix_seconds(random.next() as i64, random.next() as i64);
        let _ = Date::new(
            random.next() as u16,
            random.next() as u8,
            random.next() as u8,
        );
    }
}
