//! Why an input was refused: one variant per rule.
//!
//! The form screens show [`message`](DocumentError::message) next to the
//! field [`field`](DocumentError::field) names; logs, analytics and the
//! bindings use the stable [`code`](DocumentError::code). Messages say what
//! to do in plain words (elder mode shows them in large type); they never
//! repeat the number or address that was typed, so they are safe to log.

use ecard_credential::Locale;

use crate::identity::DocumentType;
use crate::photo::ImageFormat;

/// An identity document number, phone number, address or photo was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// No document number was entered.
    #[error("the document number is empty")]
    IdEmpty,
    /// The number has the wrong number of characters for its type.
    #[error("a {document_type} number cannot have {length} characters")]
    IdWrongLength {
        /// The type the number was checked as.
        document_type: DocumentType,
        /// How many characters were entered (after removing spaces).
        length: usize,
    },
    /// The number holds characters its type does not use, or in the wrong place.
    #[error("the {document_type} number holds characters it cannot have")]
    IdBadCharacters {
        /// The type the number was checked as.
        document_type: DocumentType,
    },
    /// The check character does not match the rest of the number.
    #[error("the {document_type} number's check character does not match")]
    IdBadCheckDigit {
        /// The type the number was checked as.
        document_type: DocumentType,
    },
    /// The birth date inside the number is not a real calendar date.
    #[error("the birth date in the number is not a real date")]
    IdBadBirthDate,
    /// The birth date inside the number is after today.
    #[error("the birth date in the number is in the future")]
    IdFutureBirthDate,
    /// The birth date inside the number is before 1900.
    #[error("the birth date in the number is before 1900")]
    IdBirthDateTooEarly,
    /// The province code at the start of the number does not exist.
    #[error("the number's province code does not exist")]
    IdUnknownRegion,
    /// The 6-digit address code cannot be one a number is issued under.
    #[error("the number's address code is not a place numbers are issued under")]
    IdImplausibleRegion,
    /// The number does not start the way its type requires.
    #[error("the number does not start as a {document_type} number does")]
    IdWrongPrefix {
        /// The type the number was checked as.
        document_type: DocumentType,
    },
    /// The nationality code inside a permanent resident ID number is not valid.
    #[error("the nationality code in the number is not valid")]
    IdBadNationality,
    /// The number is a valid number of another document type.
    #[error("a {detected} number was entered as a {selected} number")]
    IdWrongDocumentType {
        /// The type the person chose.
        selected: DocumentType,
        /// The type the number is valid for.
        detected: DocumentType,
    },
    /// The number resembles no document type.
    #[error("the number resembles no known document")]
    IdUnrecognised,

    /// No phone number was entered.
    #[error("the phone number is empty")]
    PhoneEmpty,
    /// The phone number holds characters other than digits and separators.
    #[error("the phone number holds characters other than digits and separators")]
    PhoneBadCharacters,
    /// The phone number has a country code other than China's (+86).
    #[error("the phone number is not a mainland China number")]
    PhoneNotMainland,
    /// A mobile number without 11 digits.
    #[error("a mobile number needs 11 digits, not {digits}")]
    PhoneMobileWrongLength {
        /// How many digits were entered.
        digits: usize,
    },
    /// A mobile number whose second digit is not 3–9.
    #[error("a mobile number starts with 13 to 19")]
    PhoneMobileBadPrefix,
    /// A landline number without an area code.
    #[error("the landline number has no area code")]
    PhoneMissingAreaCode,
    /// The area code is not 010, 02x or a 4-digit code 03xx–09xx.
    #[error("the area code does not exist")]
    PhoneBadAreaCode,
    /// The landline number after the area code is not 7 or 8 digits.
    #[error("the landline number after the area code needs 7 or 8 digits")]
    PhoneLocalWrongLength,
    /// The landline number after the area code starts with 0 or 1.
    #[error("the landline number after the area code cannot start with 0 or 1")]
    PhoneLocalBadStart,
    /// The extension is not 1–6 digits, or follows a mobile number.
    #[error("the extension is not 1 to 6 digits after a landline number")]
    PhoneBadExtension,
    /// The input resembles no phone number.
    #[error("the input resembles no phone number")]
    PhoneUnrecognised,

    /// No address was entered.
    #[error("the address is empty")]
    AddressEmpty,
    /// The address is shorter than the minimum.
    #[error("the address is shorter than {min} characters")]
    AddressTooShort {
        /// The minimum length in characters.
        min: usize,
    },
    /// The address is longer than the maximum.
    #[error("the address is longer than {max} characters")]
    AddressTooLong {
        /// The maximum length in characters.
        max: usize,
    },
    /// The address holds control or invisible formatting characters.
    #[error("the address holds control or invisible characters")]
    AddressControlCharacters,
    /// The address holds characters an address does not use (emoji, symbols).
    #[error("the address holds characters an address does not use")]
    AddressBadCharacters,
    /// The same character repeats too many times in a row.
    #[error("the address repeats one character too many times in a row")]
    AddressRepeated,
    /// The address does not start with a province, city or county.
    #[error("the address does not start with a province, city or county")]
    AddressMissingRegion,
    /// Nothing follows the province, city and county.
    #[error("the address has no street, building or house number")]
    AddressMissingDetail,

    /// No photo was given.
    #[error("the photo is empty")]
    PhotoEmpty,
    /// The photo is not a JPEG.
    #[error("the photo is {format}, not JPEG")]
    PhotoNotJpeg {
        /// What the file is instead.
        format: ImageFormat,
    },
    /// The JPEG ends before its structure does.
    #[error("the photo file ends too early")]
    PhotoTruncated,
    /// The JPEG's structure is broken.
    #[error("the photo file is damaged")]
    PhotoCorrupt,
    /// Width or height is below the minimum.
    #[error("the photo is {width}x{height} pixels, below {min_width}x{min_height}")]
    PhotoTooSmall {
        /// The photo's width in pixels.
        width: u32,
        /// The photo's height in pixels.
        height: u32,
        /// The smallest width allowed.
        min_width: u32,
        /// The largest width allowed.
        max_width: u32,
        /// The smallest height allowed.
        min_height: u32,
        /// The largest height allowed.
        max_height: u32,
    },
    /// Width or height is above the maximum.
    #[error("the photo is {width}x{height} pixels, above {max_width}x{max_height}")]
    PhotoTooLarge {
        /// The photo's width in pixels.
        width: u32,
        /// The photo's height in pixels.
        height: u32,
        /// The smallest width allowed.
        min_width: u32,
        /// The largest width allowed.
        max_width: u32,
        /// The smallest height allowed.
        min_height: u32,
        /// The largest height allowed.
        max_height: u32,
    },
    /// The file is smaller than the minimum.
    #[error("the photo file has {bytes} bytes, fewer than {min_bytes}")]
    PhotoFileTooSmall {
        /// The file's size.
        bytes: u64,
        /// The smallest size allowed.
        min_bytes: u64,
    },
    /// The file is larger than the maximum.
    #[error("the photo file has {bytes} bytes, more than {max_bytes}")]
    PhotoFileTooLarge {
        /// The file's size.
        bytes: u64,
        /// The largest size allowed.
        max_bytes: u64,
    },
}

impl DocumentError {
    /// The stable code of this error: snake_case, never reused.
    pub const fn code(&self) -> &'static str {
        match self {
            DocumentError::IdEmpty => "id_empty",
            DocumentError::IdWrongLength { .. } => "id_wrong_length",
            DocumentError::IdBadCharacters { .. } => "id_bad_characters",
            DocumentError::IdBadCheckDigit { .. } => "id_bad_check_digit",
            DocumentError::IdBadBirthDate => "id_bad_birth_date",
            DocumentError::IdFutureBirthDate => "id_future_birth_date",
            DocumentError::IdBirthDateTooEarly => "id_birth_date_too_early",
            DocumentError::IdUnknownRegion => "id_unknown_region",
            DocumentError::IdImplausibleRegion => "id_implausible_region",
            DocumentError::IdWrongPrefix { .. } => "id_wrong_prefix",
            DocumentError::IdBadNationality => "id_bad_nationality",
            DocumentError::IdWrongDocumentType { .. } => "id_wrong_document_type",
            DocumentError::IdUnrecognised => "id_unrecognised",
            DocumentError::PhoneEmpty => "phone_empty",
            DocumentError::PhoneBadCharacters => "phone_bad_characters",
            DocumentError::PhoneNotMainland => "phone_not_mainland",
            DocumentError::PhoneMobileWrongLength { .. } => "phone_mobile_wrong_length",
            DocumentError::PhoneMobileBadPrefix => "phone_mobile_bad_prefix",
            DocumentError::PhoneMissingAreaCode => "phone_missing_area_code",
            DocumentError::PhoneBadAreaCode => "phone_bad_area_code",
            DocumentError::PhoneLocalWrongLength => "phone_local_wrong_length",
            DocumentError::PhoneLocalBadStart => "phone_local_bad_start",
            DocumentError::PhoneBadExtension => "phone_bad_extension",
            DocumentError::PhoneUnrecognised => "phone_unrecognised",
            DocumentError::AddressEmpty => "address_empty",
            DocumentError::AddressTooShort { .. } => "address_too_short",
            DocumentError::AddressTooLong { .. } => "address_too_long",
            DocumentError::AddressControlCharacters => "address_control_characters",
            DocumentError::AddressBadCharacters => "address_bad_characters",
            DocumentError::AddressRepeated => "address_repeated",
            DocumentError::AddressMissingRegion => "address_missing_region",
            DocumentError::AddressMissingDetail => "address_missing_detail",
            DocumentError::PhotoEmpty => "photo_empty",
            DocumentError::PhotoNotJpeg { .. } => "photo_not_jpeg",
            DocumentError::PhotoTruncated => "photo_truncated",
            DocumentError::PhotoCorrupt => "photo_corrupt",
            DocumentError::PhotoTooSmall { .. } => "photo_too_small",
            DocumentError::PhotoTooLarge { .. } => "photo_too_large",
            DocumentError::PhotoFileTooSmall { .. } => "photo_file_too_small",
            DocumentError::PhotoFileTooLarge { .. } => "photo_file_too_large",
        }
    }

    /// The input field at fault, so a form can highlight it: `id_number`,
    /// `phone`, `address` or `photo`.
    pub const fn field(&self) -> &'static str {
        match self {
            DocumentError::IdEmpty
            | DocumentError::IdWrongLength { .. }
            | DocumentError::IdBadCharacters { .. }
            | DocumentError::IdBadCheckDigit { .. }
            | DocumentError::IdBadBirthDate
            | DocumentError::IdFutureBirthDate
            | DocumentError::IdBirthDateTooEarly
            | DocumentError::IdUnknownRegion
            | DocumentError::IdImplausibleRegion
            | DocumentError::IdWrongPrefix { .. }
            | DocumentError::IdBadNationality
            | DocumentError::IdWrongDocumentType { .. }
            | DocumentError::IdUnrecognised => "id_number",
            DocumentError::PhoneEmpty
            | DocumentError::PhoneBadCharacters
            | DocumentError::PhoneNotMainland
            | DocumentError::PhoneMobileWrongLength { .. }
            | DocumentError::PhoneMobileBadPrefix
            | DocumentError::PhoneMissingAreaCode
            | DocumentError::PhoneBadAreaCode
            | DocumentError::PhoneLocalWrongLength
            | DocumentError::PhoneLocalBadStart
            | DocumentError::PhoneBadExtension
            | DocumentError::PhoneUnrecognised => "phone",
            DocumentError::AddressEmpty
            | DocumentError::AddressTooShort { .. }
            | DocumentError::AddressTooLong { .. }
            | DocumentError::AddressControlCharacters
            | DocumentError::AddressBadCharacters
            | DocumentError::AddressRepeated
            | DocumentError::AddressMissingRegion
            | DocumentError::AddressMissingDetail => "address",
            DocumentError::PhotoEmpty
            | DocumentError::PhotoNotJpeg { .. }
            | DocumentError::PhotoTruncated
            | DocumentError::PhotoCorrupt
            | DocumentError::PhotoTooSmall { .. }
            | DocumentError::PhotoTooLarge { .. }
            | DocumentError::PhotoFileTooSmall { .. }
            | DocumentError::PhotoFileTooLarge { .. } => "photo",
        }
    }

    /// Whether the number's shape (length, characters, prefix, region)
    /// rules out its type, as opposed to a typo inside a number of the
    /// right type (date, check character).
    pub(crate) const fn is_id_shape_error(&self) -> bool {
        matches!(
            self,
            DocumentError::IdWrongLength { .. }
                | DocumentError::IdBadCharacters { .. }
                | DocumentError::IdWrongPrefix { .. }
                | DocumentError::IdUnknownRegion
        )
    }

    /// A plain-language sentence telling the person what to fix.
    pub fn message(&self, locale: Locale) -> String {
        let zh = matches!(locale, Locale::ZhCn);
        let text = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
        match *self {
            DocumentError::IdEmpty => locale
                .pick("请填写证件号码。", "Please enter your document number.")
                .to_owned(),
            DocumentError::IdWrongLength {
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
            DocumentError::IdBadCharacters { document_type } => text(
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
            DocumentError::IdBadCheckDigit { .. } => locale
                .pick(
                    "号码中有一位填错了（最后一位对不上），请对照证件逐位核对。",
                    "One of the characters is wrong (the last one does not match the rest). \
                     Please compare each character with your document.",
                )
                .to_owned(),
            DocumentError::IdBadBirthDate => locale
                .pick(
                    "号码中的出生日期不是真实的日期，请对照证件核对。",
                    "The date of birth inside the number is not a real date. \
                     Please check it against your document.",
                )
                .to_owned(),
            DocumentError::IdFutureBirthDate => locale
                .pick(
                    "号码中的出生日期晚于今天，请对照证件核对。",
                    "The date of birth inside the number is after today. \
                     Please check it against your document.",
                )
                .to_owned(),
            DocumentError::IdBirthDateTooEarly => locale
                .pick(
                    "号码中的出生日期早于 1900 年，请对照证件核对。",
                    "The date of birth inside the number is before 1900. \
                     Please check it against your document.",
                )
                .to_owned(),
            DocumentError::IdUnknownRegion => locale
                .pick(
                    "号码开头的地区代码不对，请核对前几位数字。",
                    "The region code at the start of the number is not right. \
                     Please check the first digits.",
                )
                .to_owned(),
            DocumentError::IdImplausibleRegion => locale
                .pick(
                    "号码前 6 位的地区代码不对，请核对。",
                    "The region code in the first 6 digits is not right. Please check it.",
                )
                .to_owned(),
            DocumentError::IdWrongPrefix { document_type } => {
                wrong_prefix(document_type, locale).to_owned()
            }
            DocumentError::IdBadNationality => locale
                .pick(
                    "号码中的国籍代码不对，请对照证件核对。",
                    "The nationality code inside the number is not right. \
                     Please check it against your document.",
                )
                .to_owned(),
            DocumentError::IdWrongDocumentType { selected, detected } => text(
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
            DocumentError::IdUnrecognised => locale
                .pick(
                    "无法识别这个证件号码，请先选择证件类型，再对照证件核对号码。",
                    "This document number was not recognised. Please choose the document type, \
                     then check the number against your document.",
                )
                .to_owned(),
            DocumentError::PhoneEmpty => locale
                .pick("请填写联系电话。", "Please enter a phone number.")
                .to_owned(),
            DocumentError::PhoneBadCharacters => locale
                .pick(
                    "电话号码只能填数字，可以带空格或短横线，请核对。",
                    "A phone number may contain only digits, spaces and hyphens. Please check it.",
                )
                .to_owned(),
            DocumentError::PhoneNotMainland => locale
                .pick(
                    "请填写中国大陆的手机号码或座机号码。",
                    "Please enter a mobile or landline number in mainland China.",
                )
                .to_owned(),
            DocumentError::PhoneMobileWrongLength { digits } => text(
                format!("手机号码应为 11 位，您填写了 {digits} 位，请核对。"),
                format!("A mobile number has 11 digits; you entered {digits}. Please check it."),
            ),
            DocumentError::PhoneMobileBadPrefix => locale
                .pick(
                    "手机号码应以 13 到 19 开头，请核对。",
                    "A mobile number starts with 13 to 19. Please check it.",
                )
                .to_owned(),
            DocumentError::PhoneMissingAreaCode => locale
                .pick(
                    "座机号码前请加上区号，例如 010 或 0791。",
                    "Please add the area code before a landline number, for example 010 or 0791.",
                )
                .to_owned(),
            DocumentError::PhoneBadAreaCode => locale
                .pick(
                    "区号不对。区号以 0 开头，共 3 到 4 位，例如 010 或 0791。",
                    "The area code is not right. It starts with 0 and has 3 or 4 digits, \
                     for example 010 or 0791.",
                )
                .to_owned(),
            DocumentError::PhoneLocalWrongLength => locale
                .pick(
                    "区号后面的座机号码应为 7 到 8 位，请核对。",
                    "The landline number after the area code has 7 or 8 digits. Please check it.",
                )
                .to_owned(),
            DocumentError::PhoneLocalBadStart => locale
                .pick(
                    "区号后面的座机号码不能以 0 或 1 开头，请核对。",
                    "The landline number after the area code cannot start with 0 or 1. \
                     Please check it.",
                )
                .to_owned(),
            DocumentError::PhoneBadExtension => locale
                .pick(
                    "分机号只能跟在座机号码后面，为 1 到 6 位数字。",
                    "An extension can only follow a landline number and has 1 to 6 digits.",
                )
                .to_owned(),
            DocumentError::PhoneUnrecognised => locale
                .pick(
                    "这不像电话号码。请填写 11 位手机号码，或带区号的座机号码。",
                    "This does not look like a phone number. Please enter an 11-digit mobile \
                     number, or a landline number with its area code.",
                )
                .to_owned(),
            DocumentError::AddressEmpty => locale
                .pick("请填写收件地址。", "Please enter the mailing address.")
                .to_owned(),
            DocumentError::AddressTooShort { .. } => locale
                .pick(
                    "地址太短，请写清楚省、市、区（县）和街道门牌号。",
                    "The address is too short. Please give the province, city, district \
                     (or county), street and house number.",
                )
                .to_owned(),
            DocumentError::AddressTooLong { max } => text(
                format!("地址太长，请精简到 {max} 个字以内。"),
                format!("The address is too long. Please shorten it to {max} characters or fewer."),
            ),
            DocumentError::AddressControlCharacters => locale
                .pick(
                    "地址中有看不见的特殊字符（如换行），请删除后重新填写。",
                    "The address contains invisible characters (such as line breaks). \
                     Please remove them.",
                )
                .to_owned(),
            DocumentError::AddressBadCharacters => locale
                .pick(
                    "地址中有不能使用的符号（如表情符号），请删除。",
                    "The address contains symbols that cannot be used (such as emoji). \
                     Please remove them.",
                )
                .to_owned(),
            DocumentError::AddressRepeated => locale
                .pick(
                    "地址中同一个字连续重复了很多次，请重新填写。",
                    "The same character repeats many times in the address. \
                     Please enter it again.",
                )
                .to_owned(),
            DocumentError::AddressMissingRegion => locale
                .pick(
                    "请从省、市、区（县）写起，例如：江西省南昌市红谷滩区……",
                    "Please start with the province, city and district (or county), \
                     for example: 江西省南昌市红谷滩区…",
                )
                .to_owned(),
            DocumentError::AddressMissingDetail => locale
                .pick(
                    "请在地址后面写上街道、小区、楼栋和门牌号。",
                    "Please add the street, residential compound, building and house number.",
                )
                .to_owned(),
            DocumentError::PhotoEmpty => locale
                .pick("请上传照片。", "Please upload a photo.")
                .to_owned(),
            DocumentError::PhotoNotJpeg { format } => text(
                format!(
                    "照片需要是 JPG 格式，{}。请重新拍照，或换一张 JPG 照片。",
                    format.describe(locale)
                ),
                format!(
                    "The photo must be a JPG file; {}. Please take the photo again or choose a JPG photo.",
                    format.describe(locale)
                ),
            ),
            DocumentError::PhotoTruncated => locale
                .pick(
                    "照片文件不完整，可能没有传完，请重新上传。",
                    "The photo file is incomplete, perhaps not fully uploaded. \
                     Please upload it again.",
                )
                .to_owned(),
            DocumentError::PhotoCorrupt => locale
                .pick(
                    "照片文件已损坏，无法打开，请换一张照片。",
                    "The photo file is damaged and cannot be opened. Please choose another photo.",
                )
                .to_owned(),
            DocumentError::PhotoTooSmall {
                width,
                height,
                min_width,
                max_width,
                min_height,
                max_height,
            } => text(
                format!(
                    "照片尺寸太小（宽 {width}、高 {height} 像素），需要宽 {}、高 {} 像素。请重新拍照或在应用里重新裁剪。",
                    range(min_width, max_width),
                    range(min_height, max_height)
                ),
                format!(
                    "The photo is too small ({width} × {height} pixels); it must be {} pixels wide and {} pixels high. \
                     Please take it again or crop it in the app.",
                    range(min_width, max_width),
                    range(min_height, max_height)
                ),
            ),
            DocumentError::PhotoTooLarge {
                width,
                height,
                min_width,
                max_width,
                min_height,
                max_height,
            } => text(
                format!(
                    "照片尺寸太大（宽 {width}、高 {height} 像素），需要宽 {}、高 {} 像素。请在应用里重新裁剪。",
                    range(min_width, max_width),
                    range(min_height, max_height)
                ),
                format!(
                    "The photo is too large ({width} × {height} pixels); it must be {} pixels wide and {} pixels high. \
                     Please crop it in the app.",
                    range(min_width, max_width),
                    range(min_height, max_height)
                ),
            ),
            DocumentError::PhotoFileTooSmall { bytes, min_bytes } => text(
                format!(
                    "照片文件太小（{} KB），至少需要 {} KB。请换一张更清晰的照片。",
                    kilobytes_down(bytes),
                    kilobytes_up(min_bytes)
                ),
                format!(
                    "The photo file is too small ({} KB); it must be at least {} KB. \
                     Please choose a sharper photo.",
                    kilobytes_down(bytes),
                    kilobytes_up(min_bytes)
                ),
            ),
            DocumentError::PhotoFileTooLarge { bytes, max_bytes } => text(
                format!(
                    "照片文件太大（{} KB），不能超过 {} KB。请压缩后再上传。",
                    kilobytes_up(bytes),
                    kilobytes_down(max_bytes)
                ),
                format!(
                    "The photo file is too large ({} KB); it must be at most {} KB. \
                     Please compress it and upload it again.",
                    kilobytes_up(bytes),
                    kilobytes_down(max_bytes)
                ),
            ),
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

/// `358` when both ends are equal, `300–400` otherwise.
fn range(min: u32, max: u32) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min}–{max}")
    }
}

/// Bytes in kilobytes (1 KB = 1024 bytes) to one decimal, rounded down:
/// used where rounding up would blur the limit (a file just under 9 KB
/// must not read "9 KB").
fn kilobytes_down(bytes: u64) -> String {
    tenths(bytes.saturating_mul(10) / 1024)
}

/// Bytes in kilobytes to one decimal, rounded up.
fn kilobytes_up(bytes: u64) -> String {
    tenths(bytes.saturating_mul(10).div_ceil(1024))
}

fn tenths(tenths: u64) -> String {
    if tenths.is_multiple_of(10) {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every variant, for the code and message tables.
    fn every_error() -> Vec<DocumentError> {
        let mut errors = vec![
            DocumentError::IdEmpty,
            DocumentError::IdBadBirthDate,
            DocumentError::IdFutureBirthDate,
            DocumentError::IdBirthDateTooEarly,
            DocumentError::IdUnknownRegion,
            DocumentError::IdImplausibleRegion,
            DocumentError::IdBadNationality,
            DocumentError::IdUnrecognised,
            DocumentError::PhoneEmpty,
            DocumentError::PhoneBadCharacters,
            DocumentError::PhoneNotMainland,
            DocumentError::PhoneMobileWrongLength { digits: 10 },
            DocumentError::PhoneMobileBadPrefix,
            DocumentError::PhoneMissingAreaCode,
            DocumentError::PhoneBadAreaCode,
            DocumentError::PhoneLocalWrongLength,
            DocumentError::PhoneLocalBadStart,
            DocumentError::PhoneBadExtension,
            DocumentError::PhoneUnrecognised,
            DocumentError::AddressEmpty,
            DocumentError::AddressTooShort { min: 5 },
            DocumentError::AddressTooLong { max: 120 },
            DocumentError::AddressControlCharacters,
            DocumentError::AddressBadCharacters,
            DocumentError::AddressRepeated,
            DocumentError::AddressMissingRegion,
            DocumentError::AddressMissingDetail,
            DocumentError::PhotoEmpty,
            DocumentError::PhotoTruncated,
            DocumentError::PhotoCorrupt,
            DocumentError::PhotoTooSmall {
                width: 100,
                height: 120,
                min_width: 358,
                max_width: 358,
                min_height: 441,
                max_height: 441,
            },
            DocumentError::PhotoTooLarge {
                width: 4000,
                height: 3000,
                min_width: 300,
                max_width: 400,
                min_height: 400,
                max_height: 500,
            },
            DocumentError::PhotoFileTooSmall {
                bytes: 9000,
                min_bytes: 9216,
            },
            DocumentError::PhotoFileTooLarge {
                bytes: 20_481,
                max_bytes: 20_480,
            },
        ];
        for document_type in DocumentType::ALL {
            errors.push(DocumentError::IdWrongLength {
                document_type,
                length: 17,
            });
            errors.push(DocumentError::IdBadCharacters { document_type });
            errors.push(DocumentError::IdBadCheckDigit { document_type });
            errors.push(DocumentError::IdWrongPrefix { document_type });
            errors.push(DocumentError::IdWrongDocumentType {
                selected: document_type,
                detected: DocumentType::ResidentId,
            });
        }
        for format in ImageFormat::ALL {
            errors.push(DocumentError::PhotoNotJpeg { format });
        }
        errors
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
        let cases = [
            (
                DocumentError::IdWrongLength {
                    document_type: DocumentType::ResidentId,
                    length: 17,
                },
                "居民身份证号码应为 18 位，您填写了 17 位，请对照证件核对。",
                "The number of a resident ID card has 18 characters; you entered 17. Please check it against your document.",
            ),
            (
                DocumentError::IdWrongDocumentType {
                    selected: DocumentType::ResidentId,
                    detected: DocumentType::ResidencePermit,
                },
                "这是港澳台居民居住证的号码，不是居民身份证的号码。请把证件类型改为“港澳台居民居住证”。",
                "This is the number of a residence permit for Hong Kong, Macao and Taiwan residents, not of a resident ID card. Please change the document type to residence permit for Hong Kong, Macao and Taiwan residents.",
            ),
            (
                DocumentError::PhotoFileTooSmall {
                    bytes: 9000,
                    min_bytes: 9216,
                },
                "照片文件太小（8.7 KB），至少需要 9 KB。请换一张更清晰的照片。",
                "The photo file is too small (8.7 KB); it must be at least 9 KB. Please choose a sharper photo.",
            ),
            (
                DocumentError::PhotoFileTooLarge {
                    bytes: 20_481,
                    max_bytes: 20_480,
                },
                "照片文件太大（20.1 KB），不能超过 20 KB。请压缩后再上传。",
                "The photo file is too large (20.1 KB); it must be at most 20 KB. Please compress it and upload it again.",
            ),
            (
                DocumentError::PhotoTooSmall {
                    width: 100,
                    height: 120,
                    min_width: 358,
                    max_width: 358,
                    min_height: 441,
                    max_height: 441,
                },
                "照片尺寸太小（宽 100、高 120 像素），需要宽 358、高 441 像素。请重新拍照或在应用里重新裁剪。",
                "The photo is too small (100 × 120 pixels); it must be 358 pixels wide and 441 pixels high. Please take it again or crop it in the app.",
            ),
            (
                DocumentError::PhotoNotJpeg {
                    format: ImageFormat::Png,
                },
                "照片需要是 JPG 格式，这张是 PNG 格式。请重新拍照，或换一张 JPG 照片。",
                "The photo must be a JPG file; this one is a PNG file. Please take the photo again or choose a JPG photo.",
            ),
        ];
        for (error, zh, en) in cases {
            assert_eq!(error.message(Locale::ZhCn), zh);
            assert_eq!(error.message(Locale::En), en);
        }
    }

    #[test]
    fn kilobytes_round_away_from_the_limit() {
        assert_eq!(kilobytes_down(9216), "9");
        assert_eq!(kilobytes_down(9215), "8.9");
        assert_eq!(kilobytes_up(20_480), "20");
        assert_eq!(kilobytes_up(20_481), "20.1");
        assert_eq!(kilobytes_up(0), "0");
        assert_eq!(kilobytes_down(u64::MAX), tenths(u64::MAX / 1024));
    }
}
