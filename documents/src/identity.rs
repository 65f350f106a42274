//! Identity document numbers: what each one looks like and what can be
//! checked offline.
//!
//! A card application (申领) starts with the applicant's document number, and
//! a typo there costs a trip to the counter weeks later, when the platform's
//! identity check fails. Most typos are caught here, on the phone, while the
//! card is still in the person's hand: every number is checked for length,
//! characters, prefix or region, the birth date it carries and, where the
//! format has one, its check digit.
//!
//! | type | layout implemented | checked |
//! | --- | --- | --- |
//! | 居民身份证 resident ID (GB 11643-1999) | 6-digit address code, birth date `YYYYMMDD`, 3-digit sequence (17th digit odd = male), ISO 7064 MOD 11-2 check character (`X` = 10) | province (11–65 and 71), address code not province-only (`xx00xx`), real birth date 1900-01-01..=today, check character |
//! | 港澳台居民居住证 residence permit | as the resident ID, address code `810000` (Hong Kong), `820000` (Macao) or `830000` (Taiwan) | the same, with the prefix in place of the region |
//! | 外国人永久居留身份证 foreign permanent resident ID, 2017 card | 15 characters: 3-letter nationality (ISO 3166-1 alpha-3), 4-digit issuing place (2-digit province + 2-digit city), birth date `YYMMDD`, 1-digit sequence, 1 check character | letters, digits, mainland province, real birth date (century: the latest one not after today) |
//! | 外国人永久居留身份证 foreign permanent resident ID, 2023 card | 18 characters: `9`, 2-digit province, 3-digit nationality (ISO 3166-1 numeric), birth date `YYYYMMDD`, 3-digit sequence (17th digit odd = male), MOD 11-2 check character | leading `9`, mainland province, nationality not `000`, birth date as for resident IDs, check character |
//! | 港澳居民来往内地通行证 Home Return Permit | `H` (Hong Kong) or `M` (Macao), 8-digit lifetime number, optionally 2 more digits counting the issues | letter, digits, length |
//! | 台湾居民来往大陆通行证 Taiwan travel permit (MTP) | 8-digit lifetime number (one number for life since 2008-09-25, card since 2015); legacy booklets: the 8 digits, 2 digits counting the issues and, from Hong Kong and Macao issuers, the issuing office in brackets, e.g. `1234567801(B)` | digits, length, bracket form |
//! | 护照 passport | Chinese ordinary passport `E` + 8 digits, `E` + letter + 7 digits, older `G` + 8 digits; any other passport 3–20 letters and digits | letters and digits, length; which kind, by shape |
//!
//! Numbers are compared after folding full-width characters to ASCII,
//! removing spaces and upper-casing, so `１１０１０５…ｘ` and `110105 … x`
//! are the same number as `110105…X`.

use std::fmt;

use ecard_credential::Locale;
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::DocumentError;
use crate::mask::mask;
use crate::text::{all_digits, digits_value, normalise_number};

mod error;

pub use error::IdentityError;

/// Age from which people apply for themselves; younger applicants apply
/// through a guardian (法定监护人).
pub const ADULT_AGE: u32 = 18;

/// The earliest birth date any document number may carry.
pub const EARLIEST_BIRTH_DATE: Date = match Date::new(1900, 1, 1) {
    Some(date) => date,
    None => Date::UNIX_EPOCH,
};

/// The kinds of identity document the app accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// 居民身份证: the resident identity card of PRC citizens.
    ResidentId,
    /// 港澳台居民居住证: residence permit for Hong Kong, Macao and Taiwan residents.
    ResidencePermit,
    /// 外国人永久居留身份证: foreign permanent resident ID card (2017 or 2023 card).
    ForeignPermanentResidentId,
    /// 港澳居民来往内地通行证: Mainland travel permit for Hong Kong and Macao residents.
    HomeReturnPermit,
    /// 台湾居民来往大陆通行证: Mainland travel permit for Taiwan residents.
    TaiwanTravelPermit,
    /// 护照: a Chinese or foreign passport.
    Passport,
}

impl DocumentType {
    /// Every document type, in the order [`detect`] considers them.
    pub const ALL: [DocumentType; 6] = [
        DocumentType::ResidentId,
        DocumentType::ResidencePermit,
        DocumentType::ForeignPermanentResidentId,
        DocumentType::HomeReturnPermit,
        DocumentType::TaiwanTravelPermit,
        DocumentType::Passport,
    ];

    /// The stable snake_case name, as in JSON (`resident_id`, …).
    pub const fn name(self) -> &'static str {
        match self {
            DocumentType::ResidentId => "resident_id",
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::ForeignPermanentResidentId => "foreign_permanent_resident_id",
            DocumentType::HomeReturnPermit => "home_return_permit",
            DocumentType::TaiwanTravelPermit => "taiwan_travel_permit",
            DocumentType::Passport => "passport",
        }
    }

    /// The type with this name; accepts `-` for `_` and any letter case.
    pub fn from_name(name: &str) -> Option<DocumentType> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        DocumentType::ALL
            .into_iter()
            .find(|document_type| document_type.name() == name)
    }

    /// The document's everyday name for people.
    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            DocumentType::ResidentId => locale.pick("居民身份证", "resident ID card"),
            DocumentType::ResidencePermit => locale.pick(
                "港澳台居民居住证",
                "residence permit for Hong Kong, Macao and Taiwan residents",
            ),
            DocumentType::ForeignPermanentResidentId => {
                locale.pick("外国人永久居留身份证", "foreign permanent resident ID card")
            }
            DocumentType::HomeReturnPermit => locale.pick(
                "港澳居民来往内地通行证",
                "Mainland travel permit for Hong Kong and Macao residents",
            ),
            DocumentType::TaiwanTravelPermit => locale.pick(
                "台湾居民来往大陆通行证",
                "Mainland travel permit for Taiwan residents",
            ),
            DocumentType::Passport => locale.pick("护照", "passport"),
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Sex as encoded in a document number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male: odd sequence digit.
    Male,
    /// Female: even sequence digit.
    Female,
}

impl Sex {
    /// The sex encoded by a sequence digit: odd is male, even is female.
    const fn from_digit(digit: u8) -> Sex {
        if digit % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }
}

/// Where the holder of a residence permit or Home Return Permit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// 香港 Hong Kong.
    HongKong,
    /// 澳门 Macao.
    Macao,
    /// 台湾 Taiwan.
    Taiwan,
}

/// Province-level address codes of GB/T 2260 that start resident ID numbers,
/// with their names: the 31 mainland provinces, regions and municipalities.
const MAINLAND_PROVINCES: [(u32, &str); 31] = [
    (11, "北京市"),
    (12, "天津市"),
    (13, "河北省"),
    (14, "山西省"),
    (15, "内蒙古自治区"),
    (21, "辽宁省"),
    (22, "吉林省"),
    (23, "黑龙江省"),
    (31, "上海市"),
    (32, "江苏省"),
    (33, "浙江省"),
    (34, "安徽省"),
    (35, "福建省"),
    (36, "江西省"),
    (37, "山东省"),
    (41, "河南省"),
    (42, "湖北省"),
    (43, "湖南省"),
    (44, "广东省"),
    (45, "广西壮族自治区"),
    (46, "海南省"),
    (50, "重庆市"),
    (51, "四川省"),
    (52, "贵州省"),
    (53, "云南省"),
    (54, "西藏自治区"),
    (61, "陕西省"),
    (62, "甘肃省"),
    (63, "青海省"),
    (64, "宁夏回族自治区"),
    (65, "新疆维吾尔自治区"),
];

/// GB/T 2260's code for Taiwan, accepted as a resident ID region.
const TAIWAN_PROVINCE: (u32, &str) = (71, "台湾省");

/// Address codes that make an 18-character number a residence permit.
const RESIDENCE_PERMIT_PREFIXES: [(&str, Origin); 3] = [
    ("810000", Origin::HongKong),
    ("820000", Origin::Macao),
    ("830000", Origin::Taiwan),
];

/// Name of the mainland province with this two-digit code.
fn mainland_province(code: u32) -> Option<&'static str> {
    MAINLAND_PROVINCES
        .iter()
        .find(|(province, _)| *province == code)
        .map(|(_, name)| *name)
}

/// Weights of ISO 7064 MOD 11-2 for the 17 body digits: 2^(17 - i) mod 11.
const MOD_11_2_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for each weighted sum modulo 11.
const MOD_11_2_CHECK: [u8; 11] = *b"10X98765432";

/// The ISO 7064 MOD 11-2 check character (`0`–`9` or `X`) of a 17-digit
/// body, as used by resident IDs, residence permits and 2023 permanent
/// resident IDs; `None` unless `body` is exactly 17 ASCII digits.
pub fn check_character(body: &str) -> Option<char> {
    if body.len() != 17 || !all_digits(body) {
        return None;
    }
    let sum: u32 = body
        .bytes()
        .zip(MOD_11_2_WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    let index = usize::try_from(sum % 11).ok()?;
    MOD_11_2_CHECK.get(index).copied().map(char::from)
}

/// A valid resident ID (居民身份证) number and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResidentId {
    number: String,
    birth_date: Date,
    sex: Sex,
    age: u32,
}

impl ResidentId {
    /// The number: 18 characters, upper-case `X`.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The 6-digit address code where the number was first issued.
    pub fn region_code(&self) -> &str {
        self.number.get(..6).unwrap_or_default()
    }

    /// The province-level name of the address code, e.g. `北京市`.
    pub fn province(&self) -> Option<&'static str> {
        let code = digits_value(&self.number, 0..2)?;
        mainland_province(code).or((code == TAIWAN_PROVINCE.0).then_some(TAIWAN_PROVINCE.1))
    }

    /// The birth date.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The sex.
    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// Age in whole years on the day the number was checked.
    pub fn age(&self) -> u32 {
        self.age
    }

    /// Whether the holder was under [`ADULT_AGE`] on the day the number was
    /// checked, so can apply only through a guardian.
    pub fn is_minor(&self) -> bool {
        self.age < ADULT_AGE
    }
}

/// A valid residence permit (港澳台居民居住证) number and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResidencePermit {
    number: String,
    origin: Origin,
    birth_date: Date,
    sex: Sex,
    age: u32,
}

impl ResidencePermit {
    /// The number: 18 characters, upper-case `X`.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// Hong Kong, Macao or Taiwan, from the prefix.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The birth date.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The sex.
    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// Age in whole years on the day the number was checked.
    pub fn age(&self) -> u32 {
        self.age
    }
}

/// Which card a permanent resident ID number belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermanentResidentFormat {
    /// The 2017 card: 3 letters and 12 digits.
    Card2017,
    /// The 2023 card (issued from 2023-12-01): 18 characters starting with `9`.
    Card2023,
}

/// A valid foreign permanent resident ID (外国人永久居留身份证) number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PermanentResidentId {
    number: String,
    format: PermanentResidentFormat,
    birth_date: Date,
    sex: Option<Sex>,
    age: u32,
}

impl PermanentResidentId {
    /// The number: 15 or 18 characters, upper case.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The 2017 or the 2023 card.
    pub fn format(&self) -> PermanentResidentFormat {
        self.format
    }

    /// The nationality code in the number: ISO 3166-1 alpha-3 letters on the
    /// 2017 card (`USA`), numeric on the 2023 card (`840`).
    pub fn nationality(&self) -> &str {
        let range = match self.format {
            PermanentResidentFormat::Card2017 => 0..3,
            PermanentResidentFormat::Card2023 => 3..6,
        };
        self.number.get(range).unwrap_or_default()
    }

    /// The two-digit code of the province where the card was applied for.
    pub fn province_code(&self) -> &str {
        let range = match self.format {
            PermanentResidentFormat::Card2017 => 3..5,
            PermanentResidentFormat::Card2023 => 1..3,
        };
        self.number.get(range).unwrap_or_default()
    }

    /// The birth date.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The sex, read from the 17th digit of a 2023 card; `None` for the 2017
    /// card, whose sex digit this crate does not rely on.
    pub fn sex(&self) -> Option<Sex> {
        self.sex
    }

    /// Age in whole years on the day the number was checked.
    pub fn age(&self) -> u32 {
        self.age
    }
}

/// A valid Home Return Permit (港澳居民来往内地通行证) number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HomeReturnPermit {
    number: String,
    origin: Origin,
}

impl HomeReturnPermit {
    /// The number: `H` or `M` and 8 or 10 digits.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// Hong Kong (`H`) or Macao (`M`).
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The 8-digit lifetime number after the letter.
    pub fn lifetime_number(&self) -> &str {
        self.number.get(1..9).unwrap_or_default()
    }

    /// How many times the permit was issued, from the last two of 10 digits.
    pub fn issue_count(&self) -> Option<u32> {
        digits_value(&self.number, 9..11)
    }
}

/// Which form a Taiwan travel permit number has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaiwanPermitFormat {
    /// 8 digits: the lifetime number alone (since 2008-09-25; the card since 2015).
    Current,
    /// 10 digits, optionally followed by the issuing office in brackets:
    /// booklets issued 1992–2008.
    Legacy,
}

/// A valid Taiwan travel permit (台湾居民来往大陆通行证) number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaiwanTravelPermit {
    number: String,
    format: TaiwanPermitFormat,
}

impl TaiwanTravelPermit {
    /// The number as written on the permit.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// Current or legacy form.
    pub fn format(&self) -> TaiwanPermitFormat {
        self.format
    }

    /// The 8-digit lifetime number (台胞终身号), the same on every permit the
    /// holder gets.
    pub fn lifetime_number(&self) -> &str {
        self.number.get(..8).unwrap_or_default()
    }
}

/// Which kind of passport a number looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassportKind {
    /// A Chinese ordinary passport: `E` + 8 digits, `E` + letter + 7 digits,
    /// or the older `G` + 8 digits.
    ChineseOrdinary,
    /// Any other passport number (3–20 letters and digits). Chinese
    /// diplomatic, service and public-affairs passports also land here.
    Other,
}

/// A valid passport number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Passport {
    number: String,
    kind: PassportKind,
}

impl Passport {
    /// The number, upper case.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// Chinese ordinary passport or other, judged by the number's shape.
    pub fn kind(&self) -> PassportKind {
        self.kind
    }
}

/// A valid identity document number of any type, with what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Document {
    /// 居民身份证.
    ResidentId(ResidentId),
    /// 港澳台居民居住证.
    ResidencePermit(ResidencePermit),
    /// 外国人永久居留身份证.
    ForeignPermanentResidentId(PermanentResidentId),
    /// 港澳居民来往内地通行证.
    HomeReturnPermit(HomeReturnPermit),
    /// 台湾居民来往大陆通行证.
    TaiwanTravelPermit(TaiwanTravelPermit),
    /// 护照.
    Passport(Passport),
}

impl Document {
    /// The document's type.
    pub fn document_type(&self) -> DocumentType {
        match self {
            Document::ResidentId(_) => DocumentType::ResidentId,
            Document::ResidencePermit(_) => DocumentType::ResidencePermit,
            Document::ForeignPermanentResidentId(_) => DocumentType::ForeignPermanentResidentId,
            Document::HomeReturnPermit(_) => DocumentType::HomeReturnPermit,
            Document::TaiwanTravelPermit(_) => DocumentType::TaiwanTravelPermit,
            Document::Passport(_) => DocumentType::Passport,
        }
    }

    /// The normalised number (no spaces, ASCII, upper case).
    pub fn number(&self) -> &str {
        match self {
            Document::ResidentId(document) => document.number(),
            Document::ResidencePermit(document) => document.number(),
            Document::ForeignPermanentResidentId(document) => document.number(),
            Document::HomeReturnPermit(document) => document.number(),
            Document::TaiwanTravelPermit(document) => document.number(),
            Document::Passport(document) => document.number(),
        }
    }

    /// The number masked for display and logs (see [`mask`]).
    pub fn masked(&self) -> String {
        mask(self.number())
    }

    /// The birth date, for the documents whose number carries one.
    pub fn birth_date(&self) -> Option<Date> {
        match self {
            Document::ResidentId(document) => Some(document.birth_date()),
            Document::ResidencePermit(document) => Some(document.birth_date()),
            Document::ForeignPermanentResidentId(document) => Some(document.birth_date()),
            _ => None,
        }
    }

    /// The sex, for the documents whose number carries it.
    pub fn sex(&self) -> Option<Sex> {
        match self {
            Document::ResidentId(document) => Some(document.sex()),
            Document::ResidencePermit(document) => Some(document.sex()),
            Document::ForeignPermanentResidentId(document) => document.sex(),
            _ => None,
        }
    }

    /// Age in whole years on the day the number was checked, for the
    /// documents whose number carries a birth date.
    pub fn age(&self) -> Option<u32> {
        match self {
            Document::ResidentId(document) => Some(document.age()),
            Document::ResidencePermit(document) => Some(document.age()),
            Document::ForeignPermanentResidentId(document) => Some(document.age()),
            _ => None,
        }
    }

    /// Whether the holder is under [`ADULT_AGE`]; `None` when the number
    /// does not say (permits, passports: ask for the birth date instead).
    pub fn is_minor(&self) -> Option<bool> {
        self.age().map(|age| age < ADULT_AGE)
    }
}

/// Checks `number` as a document of `document_type` on `today`.
///
/// When the number is not valid for the chosen type but is a valid number of
/// another type (a resident ID number entered as a residence permit, a
/// permit number entered as a resident ID), the error is
/// [`IdentityError::WrongDocumentType`], so the person can be told which
/// type to choose. A valid resident ID, residence permit or permanent
/// resident ID number entered as a passport gets the same error.
pub fn validate(
    document_type: DocumentType,
    number: &str,
    today: Date,
) -> Result<Document, DocumentError> {
    let number = normalise_nonempty(number)?;
    let wrong_type = |detected| IdentityError::WrongDocumentType {
        selected: document_type,
        detected,
    };
    let outcome = match validate_normalised(document_type, &number, today) {
        // Almost any short run of letters and digits is some passport's
        // number; one that is also a valid number of a document with a
        // region and a birth date was meant as that document.
        Ok(Document::Passport(passport)) => {
            match valid_as_other_type(document_type, &number, today) {
                Some(detected) if carries_birth_date(detected) => Err(wrong_type(detected)),
                _ => Ok(Document::Passport(passport)),
            }
        }
        Err(error) if error.is_shape_error() => {
            Err(valid_as_other_type(document_type, &number, today).map_or(error, wrong_type))
        }
        result => result,
    };
    outcome.map_err(DocumentError::from)
}

/// The type other than `selected` (and other than passport, which almost
/// anything resembles) that the normalised `number` looks like and is
/// valid for.
fn valid_as_other_type(selected: DocumentType, number: &str, today: Date) -> Option<DocumentType> {
    guess_normalised(number).filter(|detected| {
        *detected != selected
            && *detected != DocumentType::Passport
            && validate_normalised(*detected, number, today).is_ok()
    })
}

/// Whether numbers of this type carry a region and a birth date, so that a
/// valid one is next to impossible to hit by accident.
const fn carries_birth_date(document_type: DocumentType) -> bool {
    matches!(
        document_type,
        DocumentType::ResidentId
            | DocumentType::ResidencePermit
            | DocumentType::ForeignPermanentResidentId
    )
}

/// Checks `number` without a chosen type: guesses the type from its shape
/// ([`guess_type`]) and checks it as that type.
///
/// The guess is final: a mistyped resident ID number is reported as a
/// resident ID with, say, a wrong check digit, never accepted as the
/// passport number it might also resemble. A number that resembles no
/// document gives [`IdentityError::Unrecognised`].
pub fn detect(number: &str, today: Date) -> Result<Document, DocumentError> {
    let number = normalise_nonempty(number)?;
    match guess_normalised(&number) {
        Some(document_type) => {
            validate_normalised(document_type, &number, today).map_err(DocumentError::from)
        }
        None => Err(IdentityError::Unrecognised.into()),
    }
}

/// The document type a number most resembles, judged by its shape alone
/// (valid or not), or `None` when it resembles none.
///
/// The rules, tried in this order on the normalised number:
///
/// 1. 15–19 digits, the last of which may be `X`: starting `9`, permanent
///    resident ID (2023 card); starting `81`, `82` or `83`, residence permit;
///    otherwise resident ID;
/// 2. 3 letters then 10–14 digits: permanent resident ID (2017 card);
/// 3. `H` or `M` then 8–10 digits: Home Return Permit;
/// 4. 8 or 10 digits, or 10 digits and a bracketed letter or digit: Taiwan
///    travel permit;
/// 5. 3–20 letters and digits: passport.
pub fn guess_type(number: &str) -> Option<DocumentType> {
    guess_normalised(&normalise_number(number))
}

fn guess_normalised(number: &str) -> Option<DocumentType> {
    if number.is_empty() || !number.is_ascii() {
        return None;
    }
    let length = number.len();
    let (body, last) = number.split_at(length - 1);
    let digits_then_check = all_digits(body) && (all_digits(last) || last == "X");
    if digits_then_check && (15..=19).contains(&length) {
        return Some(if number.starts_with('9') {
            DocumentType::ForeignPermanentResidentId
        } else if ["81", "82", "83"]
            .iter()
            .any(|prefix| number.starts_with(prefix))
        {
            DocumentType::ResidencePermit
        } else {
            DocumentType::ResidentId
        });
    }
    let (letters, rest) = number.split_at(3.min(length));
    if letters.bytes().all(|byte| byte.is_ascii_uppercase())
        && all_digits(rest)
        && (13..=17).contains(&length)
    {
        return Some(DocumentType::ForeignPermanentResidentId);
    }
    let (letter, rest) = number.split_at(1);
    if (letter == "H" || letter == "M") && all_digits(rest) && (9..=11).contains(&length) {
        return Some(DocumentType::HomeReturnPermit);
    }
    if taiwan_permit_format(number).is_some() {
        return Some(DocumentType::TaiwanTravelPermit);
    }
    if (3..=20).contains(&length) && number.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
        return Some(DocumentType::Passport);
    }
    None
}

/// Checks a resident ID (居民身份证) number on `today`.
pub fn validate_resident_id(number: &str, today: Date) -> Result<ResidentId, DocumentError> {
    resident_id(&normalise_nonempty(number)?, today).map_err(DocumentError::from)
}

/// Checks a residence permit (港澳台居民居住证) number on `today`.
pub fn validate_residence_permit(
    number: &str,
    today: Date,
) -> Result<ResidencePermit, DocumentError> {
    residence_permit(&normalise_nonempty(number)?, today).map_err(DocumentError::from)
}

/// Checks a foreign permanent resident ID (外国人永久居留身份证) number, 2017
/// or 2023 card, on `today`.
pub fn validate_permanent_resident_id(
    number: &str,
    today: Date,
) -> Result<PermanentResidentId, DocumentError> {
    permanent_resident_id(&normalise_nonempty(number)?, today).map_err(DocumentError::from)
}

/// Checks a Home Return Permit (港澳居民来往内地通行证) number.
pub fn validate_home_return_permit(number: &str) -> Result<HomeReturnPermit, DocumentError> {
    home_return_permit(&normalise_nonempty(number)?).map_err(DocumentError::from)
}

/// Checks a Taiwan travel permit (台湾居民来往大陆通行证) number.
pub fn validate_taiwan_travel_permit(number: &str) -> Result<TaiwanTravelPermit, DocumentError> {
    taiwan_travel_permit(&normalise_nonempty(number)?).map_err(DocumentError::from)
}

/// Checks a passport number, Chinese or foreign.
pub fn validate_passport(number: &str) -> Result<Passport, DocumentError> {
    passport(&normalise_nonempty(number)?).map_err(DocumentError::from)
}

fn normalise_nonempty(number: &str) -> Result<String, IdentityError> {
    let number = normalise_number(number);
    if number.is_empty() {
        Err(IdentityError::Empty)
    } else {
        Ok(number)
    }
}

fn validate_normalised(
    document_type: DocumentType,
    number: &str,
    today: Date,
) -> Result<Document, IdentityError> {
    Ok(match document_type {
        DocumentType::ResidentId => Document::ResidentId(resident_id(number, today)?),
        DocumentType::ResidencePermit => {
            Document::ResidencePermit(residence_permit(number, today)?)
        }
        DocumentType::ForeignPermanentResidentId => {
            Document::ForeignPermanentResidentId(permanent_resident_id(number, today)?)
        }
        DocumentType::HomeReturnPermit => Document::HomeReturnPermit(home_return_permit(number)?),
        DocumentType::TaiwanTravelPermit => {
            Document::TaiwanTravelPermit(taiwan_travel_permit(number)?)
        }
        DocumentType::Passport => Document::Passport(passport(number)?),
    })
}

/// Birth date, sex and age read from an 18-character number laid out like
/// GB 11643: birth date `YYYYMMDD` in characters 7–14, sex in the 17th.
struct BirthFacts {
    birth_date: Date,
    sex: Sex,
    age: u32,
}

/// Checks length and characters of an 18-character MOD 11-2 number: 17
/// digits and a digit or `X`.
fn check_eighteen_shape(number: &str, document_type: DocumentType) -> Result<(), IdentityError> {
    let length = number.chars().count();
    if length != 18 {
        return Err(IdentityError::WrongLength {
            document_type,
            length,
        });
    }
    if !number.is_ascii() {
        return Err(IdentityError::BadCharacters { document_type });
    }
    let (body, last) = number.split_at(17);
    if !all_digits(body) || !(all_digits(last) || last == "X") {
        return Err(IdentityError::BadCharacters { document_type });
    }
    Ok(())
}

/// Reads and checks the birth date and check character of an 18-character
/// number whose shape [`check_eighteen_shape`] accepted.
fn check_eighteen_facts(
    number: &str,
    document_type: DocumentType,
    today: Date,
) -> Result<BirthFacts, IdentityError> {
    let birth_date = birth_date_at(number, 6, today)?;
    let expected = number.get(..17).and_then(check_character);
    if expected.is_none() || number.chars().nth(17) != expected {
        return Err(IdentityError::BadCheckDigit { document_type });
    }
    let sex_digit = digits_value(number, 16..17).unwrap_or_default();
    Ok(BirthFacts {
        birth_date,
        sex: Sex::from_digit(u8::try_from(sex_digit).unwrap_or_default()),
        age: birth_date.age_on(today).unwrap_or_default(),
    })
}

/// The birth date written `YYYYMMDD` from byte `start`, checked against the
/// calendar, [`EARLIEST_BIRTH_DATE`] and `today`.
fn birth_date_at(number: &str, start: usize, today: Date) -> Result<Date, IdentityError> {
    let year = digits_value(number, start..start + 4);
    let month = digits_value(number, start + 4..start + 6);
    let day = digits_value(number, start + 6..start + 8);
    let date = match (year, month, day) {
        (Some(year), Some(month), Some(day)) => calendar_date(year, month, day),
        _ => None,
    }
    .ok_or(IdentityError::BadBirthDate)?;
    check_birth_date_range(date, today)
}

fn calendar_date(year: u32, month: u32, day: u32) -> Option<Date> {
    Date::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
}

fn check_birth_date_range(date: Date, today: Date) -> Result<Date, IdentityError> {
    if date < EARLIEST_BIRTH_DATE {
        Err(IdentityError::BirthDateTooEarly)
    } else if date > today {
        Err(IdentityError::FutureBirthDate)
    } else {
        Ok(date)
    }
}

fn resident_id(number: &str, today: Date) -> Result<ResidentId, IdentityError> {
    let document_type = DocumentType::ResidentId;
    check_eighteen_shape(number, document_type)?;
    let province = digits_value(number, 0..2).unwrap_or_default();
    if RESIDENCE_PERMIT_PREFIXES
        .iter()
        .any(|(prefix, _)| number.get(..2) == prefix.get(..2))
    {
        return Err(IdentityError::WrongPrefix { document_type });
    }
    if mainland_province(province).is_none() && province != TAIWAN_PROVINCE.0 {
        return Err(IdentityError::UnknownRegion);
    }
    // The 3rd–4th digits name the prefecture; `00` would be the province
    // itself, which no number is issued under.
    if number.get(2..4) == Some("00") {
        return Err(IdentityError::ImplausibleRegion);
    }
    let facts = check_eighteen_facts(number, document_type, today)?;
    Ok(ResidentId {
        number: number.to_owned(),
        birth_date: facts.birth_date,
        sex: facts.sex,
        age: facts.age,
    })
}

fn residence_permit(number: &str, today: Date) -> Result<ResidencePermit, IdentityError> {
    let document_type = DocumentType::ResidencePermit;
    check_eighteen_shape(number, document_type)?;
    let origin = RESIDENCE_PERMIT_PREFIXES
        .iter()
        .find(|(prefix, _)| number.starts_with(prefix))
        .map(|(_, origin)| *origin)
        .ok_or(IdentityError::WrongPrefix { document_type })?;
    let facts = check_eighteen_facts(number, document_type, today)?;
    Ok(ResidencePermit {
        number: number.to_owned(),
        origin,
        birth_date: facts.birth_date,
        sex: facts.sex,
        age: facts.age,
    })
}

fn permanent_resident_id(number: &str, today: Date) -> Result<PermanentResidentId, IdentityError> {
    let document_type = DocumentType::ForeignPermanentResidentId;
    match number.chars().count() {
        15 => permanent_resident_id_2017(number, today),
        18 => permanent_resident_id_2023(number, today),
        length => Err(IdentityError::WrongLength {
            document_type,
            length,
        }),
    }
}

/// The 2017 card: `AAA` nationality, `PPCC` issuing province and city,
/// `YYMMDD` birth date, one sequence digit, one check character.
fn permanent_resident_id_2017(
    number: &str,
    today: Date,
) -> Result<PermanentResidentId, IdentityError> {
    let document_type = DocumentType::ForeignPermanentResidentId;
    let shape_ok = number.is_ascii()
        && number
            .get(..3)
            .is_some_and(|letters| letters.bytes().all(|byte| byte.is_ascii_uppercase()))
        && number.get(3..).is_some_and(all_digits);
    if !shape_ok {
        return Err(IdentityError::BadCharacters { document_type });
    }
    let province = digits_value(number, 3..5).unwrap_or_default();
    if mainland_province(province).is_none() {
        return Err(IdentityError::UnknownRegion);
    }
    let year = digits_value(number, 7..9).unwrap_or_default();
    let month = digits_value(number, 9..11).unwrap_or_default();
    let day = digits_value(number, 11..13).unwrap_or_default();
    // Two-digit year: the latest century that gives a real date not after
    // today.
    let birth_date = [2000, 1900]
        .into_iter()
        .filter_map(|century| calendar_date(century + year, month, day))
        .find(|date| *date <= today)
        .ok_or(IdentityError::BadBirthDate)?;
    Ok(PermanentResidentId {
        number: number.to_owned(),
        format: PermanentResidentFormat::Card2017,
        birth_date,
        sex: None,
        age: birth_date.age_on(today).unwrap_or_default(),
    })
}

/// The 2023 card: `9`, 2-digit province, 3-digit nationality, `YYYYMMDD`,
/// 3-digit sequence, MOD 11-2 check character.
fn permanent_resident_id_2023(
    number: &str,
    today: Date,
) -> Result<PermanentResidentId, IdentityError> {
    let document_type = DocumentType::ForeignPermanentResidentId;
    check_eighteen_shape(number, document_type)?;
    if !number.starts_with('9') {
        return Err(IdentityError::WrongPrefix { document_type });
    }
    let province = digits_value(number, 1..3).unwrap_or_default();
    if mainland_province(province).is_none() {
        return Err(IdentityError::UnknownRegion);
    }
    if number.get(3..6) == Some("000") {
        return Err(IdentityError::BadNationality);
    }
    let facts = check_eighteen_facts(number, document_type, today)?;
    Ok(PermanentResidentId {
        number: number.to_owned(),
        format: PermanentResidentFormat::Card2023,
        birth_date: facts.birth_date,
        sex: Some(facts.sex),
        age: facts.age,
    })
}

fn home_return_permit(number: &str) -> Result<HomeReturnPermit, IdentityError> {
    let document_type = DocumentType::HomeReturnPermit;
    let length = number.chars().count();
    if length != 9 && length != 11 {
        return Err(IdentityError::WrongLength {
            document_type,
            length,
        });
    }
    let origin = match number.chars().next() {
        Some('H') => Origin::HongKong,
        Some('M') => Origin::Macao,
        _ => return Err(IdentityError::WrongPrefix { document_type }),
    };
    if !number.get(1..).is_some_and(all_digits) {
        return Err(IdentityError::BadCharacters { document_type });
    }
    Ok(HomeReturnPermit {
        number: number.to_owned(),
        origin,
    })
}

/// The form of a Taiwan travel permit number: 8 digits; or 10 digits,
/// optionally followed by `(` letter-or-digit `)`.
fn taiwan_permit_format(number: &str) -> Option<TaiwanPermitFormat> {
    match number.len() {
        8 if all_digits(number) => Some(TaiwanPermitFormat::Current),
        10 if all_digits(number) => Some(TaiwanPermitFormat::Legacy),
        13 => {
            let bytes = number.as_bytes();
            let office = bytes.get(11).copied().unwrap_or_default();
            let bracketed = bytes.get(10) == Some(&b'(')
                && bytes.get(12) == Some(&b')')
                && office.is_ascii_alphanumeric();
            (bracketed && number.get(..10).is_some_and(all_digits))
                .then_some(TaiwanPermitFormat::Legacy)
        }
        _ => None,
    }
}

fn taiwan_travel_permit(number: &str) -> Result<TaiwanTravelPermit, IdentityError> {
    let document_type = DocumentType::TaiwanTravelPermit;
    let length = number.chars().count();
    if ![8, 10, 13].contains(&length) {
        return Err(IdentityError::WrongLength {
            document_type,
            length,
        });
    }
    let format =
        taiwan_permit_format(number).ok_or(IdentityError::BadCharacters { document_type })?;
    Ok(TaiwanTravelPermit {
        number: number.to_owned(),
        format,
    })
}

/// Whether a passport number has the shape of a Chinese ordinary passport.
fn is_chinese_ordinary_passport(number: &str) -> bool {
    let bytes = number.as_bytes();
    if bytes.len() != 9 {
        return false;
    }
    let (prefix, rest) = bytes.split_at(1);
    let digits = |part: &[u8]| part.iter().all(u8::is_ascii_digit);
    match prefix {
        b"E" => {
            digits(rest)
                || rest
                    .split_first()
                    .is_some_and(|(letter, tail)| letter.is_ascii_uppercase() && digits(tail))
        }
        b"G" => digits(rest),
        _ => false,
    }
}

fn passport(number: &str) -> Result<Passport, IdentityError> {
    let document_type = DocumentType::Passport;
    let length = number.chars().count();
    if !(3..=20).contains(&length) {
        return Err(IdentityError::WrongLength {
            document_type,
            length,
        });
    }
    if !number.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
        return Err(IdentityError::BadCharacters { document_type });
    }
    let kind = if is_chinese_ordinary_passport(number) {
        PassportKind::ChineseOrdinary
    } else {
        PassportKind::Other
    };
    Ok(Passport {
        number: number.to_owned(),
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The day every table below is checked on.
    const TODAY: Date = match Date::new(2025, 6, 15) {
        Some(date) => date,
        None => Date::UNIX_EPOCH,
    };

    fn date(year: u16, month: u8, day: u8) -> Date {
        Date::new(year, month, day).expect("test dates are real")
    }

    #[test]
    fn check_characters() {
        // The well-known sample from GB 11643 material, and numbers whose
        // check characters were computed by hand and by this function.
        let cases = [
            ("11010519491231002", Some('X')),
            ("36010220080101123", Some('3')),
            ("44030520000229001", Some('0')),
            ("81000019940823002", Some('1')),
            ("91184019850315123", Some('8')),
            ("99984019850315123", Some('X')),
            ("00000000000000000", Some('1')),
            ("1101051949123100", None),
            ("110105194912310021", None),
            ("1101051949123100X", None),
            ("", None),
        ];
        for (body, expected) in cases {
            assert_eq!(check_character(body), expected, "{body}");
        }
    }

    #[test]
    fn valid_resident_ids() {
        let cases: &[(&str, &str, Date, Sex, u32, &str)] = &[
            (
                "11010519491231002X",
                "11010519491231002X",
                date(1949, 12, 31),
                Sex::Female,
                75,
                "北京市",
            ),
            (
                "11010519491231002x",
                "11010519491231002X",
                date(1949, 12, 31),
                Sex::Female,
                75,
                "北京市",
            ),
            (
                " 110105 19491231 002X ",
                "11010519491231002X",
                date(1949, 12, 31),
                Sex::Female,
                75,
                "北京市",
            ),
            (
                "１１０１０５１９４９１２３１００２Ｘ",
                "11010519491231002X",
                date(1949, 12, 31),
                Sex::Female,
                75,
                "北京市",
            ),
            (
                "360102200801011233",
                "360102200801011233",
                date(2008, 1, 1),
                Sex::Male,
                17,
                "江西省",
            ),
            (
                "440305200002290010",
                "440305200002290010",
                date(2000, 2, 29),
                Sex::Male,
                25,
                "广东省",
            ),
            (
                "650102190001010016",
                "650102190001010016",
                date(1900, 1, 1),
                Sex::Male,
                125,
                "新疆维吾尔自治区",
            ),
            (
                "710101198001010012",
                "710101198001010012",
                date(1980, 1, 1),
                Sex::Male,
                45,
                "台湾省",
            ),
            (
                "330106202506150029",
                "330106202506150029",
                date(2025, 6, 15),
                Sex::Female,
                0,
                "浙江省",
            ),
            (
                "360102200706150032",
                "360102200706150032",
                date(2007, 6, 15),
                Sex::Male,
                18,
                "江西省",
            ),
            (
                "360102200706160046",
                "360102200706160046",
                date(2007, 6, 16),
                Sex::Female,
                17,
                "江西省",
            ),
        ];
        for &(input, number, birth_date, sex, age, province) in cases {
            let id = validate_resident_id(input, TODAY)
                .unwrap_or_else(|error| panic!("{input}: {error}"));
            assert_eq!(id.number(), number, "{input}");
            assert_eq!(id.birth_date(), birth_date, "{input}");
            assert_eq!(id.sex(), sex, "{input}");
            assert_eq!(id.age(), age, "{input}");
            assert_eq!(id.is_minor(), age < 18, "{input}");
            assert_eq!(id.province(), Some(province), "{input}");
            assert_eq!(id.region_code(), &number[..6], "{input}");
        }
    }

    #[test]
    fn invalid_resident_ids() {
        use IdentityError as E;
        let resident = DocumentType::ResidentId;
        let cases: &[(&str, IdentityError)] = &[
            ("", E::Empty),
            ("   ", E::Empty),
            (
                "11010519491231002",
                E::WrongLength {
                    document_type: resident,
                    length: 17,
                },
            ),
            (
                "11010519491231002X1",
                E::WrongLength {
                    document_type: resident,
                    length: 19,
                },
            ),
            (
                "110105-19491231-002X",
                E::WrongLength {
                    document_type: resident,
                    length: 20,
                },
            ),
            (
                "110105194912310",
                E::WrongLength {
                    document_type: resident,
                    length: 15,
                },
            ),
            (
                "11010519491231002A",
                E::BadCharacters {
                    document_type: resident,
                },
            ),
            (
                "1101051949123100X2",
                E::BadCharacters {
                    document_type: resident,
                },
            ),
            (
                "11010519491231002号",
                E::BadCharacters {
                    document_type: resident,
                },
            ),
            (
                "X10105194912310021",
                E::BadCharacters {
                    document_type: resident,
                },
            ),
            (
                "110105194912310021",
                E::BadCheckDigit {
                    document_type: resident,
                },
            ),
            (
                "110105194912310020",
                E::BadCheckDigit {
                    document_type: resident,
                },
            ),
            (
                "110105194912301002",
                E::BadCheckDigit {
                    document_type: resident,
                },
            ),
            ("110105194902300012", E::BadBirthDate),
            ("110105202302290014", E::BadBirthDate),
            ("110105202300130017", E::BadBirthDate),
            ("11010520300101001X", E::FutureBirthDate),
            ("110105202506160019", E::FutureBirthDate),
            ("110105189912310015", E::BirthDateTooEarly),
            ("160105194912310029", E::UnknownRegion),
            ("000000194912310020", E::UnknownRegion),
            ("990105194912310020", E::UnknownRegion),
            ("110005194912310024", E::ImplausibleRegion),
            (
                "811234199408230027",
                E::WrongPrefix {
                    document_type: resident,
                },
            ),
            (
                "810000199408230021",
                E::WrongPrefix {
                    document_type: resident,
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                validate_resident_id(input, TODAY),
                Err(DocumentError::Identity(*expected)),
                "{input}"
            );
        }
    }

    #[test]
    fn residence_permits() {
        let valid: &[(&str, Origin, Date, Sex)] = &[
            (
                "810000199408230021",
                Origin::HongKong,
                date(1994, 8, 23),
                Sex::Female,
            ),
            (
                "820000200001010032",
                Origin::Macao,
                date(2000, 1, 1),
                Sex::Male,
            ),
            (
                "830000198512120040",
                Origin::Taiwan,
                date(1985, 12, 12),
                Sex::Female,
            ),
        ];
        for &(number, origin, birth_date, sex) in valid {
            let permit = validate_residence_permit(number, TODAY)
                .unwrap_or_else(|error| panic!("{number}: {error}"));
            assert_eq!(permit.number(), number);
            assert_eq!(permit.origin(), origin);
            assert_eq!(permit.birth_date(), birth_date);
            assert_eq!(permit.sex(), sex);
            assert_eq!(permit.age(), birth_date.age_on(TODAY).expect("past"));
        }
        use IdentityError as E;
        let permit = DocumentType::ResidencePermit;
        let invalid: &[(&str, IdentityError)] = &[
            (
                "81000019940823002",
                E::WrongLength {
                    document_type: permit,
                    length: 17,
                },
            ),
            (
                "81000019940823002Y",
                E::BadCharacters {
                    document_type: permit,
                },
            ),
            (
                "811234199408230027",
                E::WrongPrefix {
                    document_type: permit,
                },
            ),
            (
                "11010519491231002X",
                E::WrongPrefix {
                    document_type: permit,
                },
            ),
            (
                "840000199408230021",
                E::WrongPrefix {
                    document_type: permit,
                },
            ),
            (
                "810000199408230022",
                E::BadCheckDigit {
                    document_type: permit,
                },
            ),
            ("810000199402300021", E::BadBirthDate),
            ("810000203008230021", E::FutureBirthDate),
            ("810000189908230021", E::BirthDateTooEarly),
        ];
        for (number, expected) in invalid {
            assert_eq!(
                validate_residence_permit(number, TODAY),
                Err(DocumentError::Identity(*expected)),
                "{number}"
            );
        }
    }

    #[test]
    fn permanent_resident_ids() {
        use PermanentResidentFormat::{Card2017, Card2023};
        // Number, card, nationality, province, birth date, sex.
        type Case<'a> = (
            &'a str,
            PermanentResidentFormat,
            &'a str,
            &'a str,
            Date,
            Option<Sex>,
        );
        let valid: &[Case<'_>] = &[
            (
                "USA310180112345",
                Card2017,
                "USA",
                "31",
                date(1980, 11, 23),
                None,
            ),
            (
                "usa310180112345",
                Card2017,
                "USA",
                "31",
                date(1980, 11, 23),
                None,
            ),
            (
                "CAN110105063011",
                Card2017,
                "CAN",
                "11",
                date(2005, 6, 30),
                None,
            ),
            (
                "JPN440125121511",
                Card2017,
                "JPN",
                "44",
                date(1925, 12, 15),
                None,
            ),
            (
                "GBR360100022911",
                Card2017,
                "GBR",
                "36",
                date(2000, 2, 29),
                None,
            ),
            (
                "911840198503151238",
                Card2023,
                "840",
                "11",
                date(1985, 3, 15),
                Some(Sex::Male),
            ),
            (
                "911000198503151233",
                Card2023,
                "000",
                "11",
                date(1985, 3, 15),
                Some(Sex::Female),
            ),
            (
                "944392201001010023",
                Card2023,
                "392",
                "44",
                date(2010, 1, 1),
                Some(Sex::Female),
            ),
        ];
        for &(number, format, nationality, province, birth_date, sex) in valid {
            let result = validate_permanent_resident_id(number, TODAY);
            if nationality == "000" {
                assert_eq!(
                    result,
                    Err(DocumentError::Identity(IdentityError::BadNationality)),
                    "{number}"
                );
                continue;
            }
            let id = result.unwrap_or_else(|error| panic!("{number}: {error}"));
            assert_eq!(id.number(), number.to_ascii_uppercase());
            assert_eq!(id.format(), format, "{number}");
            assert_eq!(id.nationality(), nationality, "{number}");
            assert_eq!(id.province_code(), province, "{number}");
            assert_eq!(id.birth_date(), birth_date, "{number}");
            assert_eq!(id.sex(), sex, "{number}");
        }
        use IdentityError as E;
        let pr = DocumentType::ForeignPermanentResidentId;
        let invalid: &[(&str, IdentityError)] = &[
            (
                "USA31018011234",
                E::WrongLength {
                    document_type: pr,
                    length: 14,
                },
            ),
            (
                "USA3101801123456",
                E::WrongLength {
                    document_type: pr,
                    length: 16,
                },
            ),
            ("US1310180112345", E::BadCharacters { document_type: pr }),
            ("123310180112345", E::BadCharacters { document_type: pr }),
            ("USA31018011234X", E::BadCharacters { document_type: pr }),
            ("USA990180112345", E::UnknownRegion),
            ("USA810080112345", E::UnknownRegion),
            ("USA310181322345", E::BadBirthDate),
            ("USA310101022945", E::BadBirthDate),
            (
                "91184019850315123",
                E::WrongLength {
                    document_type: pr,
                    length: 17,
                },
            ),
            ("91184019850315123A", E::BadCharacters { document_type: pr }),
            ("11010519491231002X", E::WrongPrefix { document_type: pr }),
            ("99984019850315123X", E::UnknownRegion),
            ("911000198503151233", E::BadNationality),
            ("911840198502301230", E::BadBirthDate),
            ("911840203001011239", E::FutureBirthDate),
            ("911840198503151230", E::BadCheckDigit { document_type: pr }),
        ];
        for (number, expected) in invalid {
            assert_eq!(
                validate_permanent_resident_id(number, TODAY),
                Err(DocumentError::Identity(*expected)),
                "{number}"
            );
        }
    }

    #[test]
    fn home_return_permits() {
        let valid: &[(&str, Origin, Option<u32>)] = &[
            ("H12345678", Origin::HongKong, None),
            ("M12345678", Origin::Macao, None),
            ("h12345678", Origin::HongKong, None),
            ("H1234567801", Origin::HongKong, Some(1)),
            ("M8765432112", Origin::Macao, Some(12)),
        ];
        for &(number, origin, issue_count) in valid {
            let permit = validate_home_return_permit(number)
                .unwrap_or_else(|error| panic!("{number}: {error}"));
            assert_eq!(permit.origin(), origin, "{number}");
            assert_eq!(permit.issue_count(), issue_count, "{number}");
            assert_eq!(permit.lifetime_number(), &number[1..9], "{number}");
        }
        use IdentityError as E;
        let hrp = DocumentType::HomeReturnPermit;
        let invalid: &[(&str, IdentityError)] = &[
            ("", E::Empty),
            (
                "H1234567",
                E::WrongLength {
                    document_type: hrp,
                    length: 8,
                },
            ),
            (
                "H123456789",
                E::WrongLength {
                    document_type: hrp,
                    length: 10,
                },
            ),
            (
                "H123456789012",
                E::WrongLength {
                    document_type: hrp,
                    length: 13,
                },
            ),
            ("X12345678", E::WrongPrefix { document_type: hrp }),
            ("112345678", E::WrongPrefix { document_type: hrp }),
            ("H1234567A", E::BadCharacters { document_type: hrp }),
            ("HH2345678", E::BadCharacters { document_type: hrp }),
            ("H12345号78", E::BadCharacters { document_type: hrp }),
        ];
        for (number, expected) in invalid {
            assert_eq!(
                validate_home_return_permit(number),
                Err(DocumentError::Identity(*expected)),
                "{number}"
            );
        }
    }

    #[test]
    fn taiwan_travel_permits() {
        let valid: &[(&str, &str, TaiwanPermitFormat)] = &[
            ("12345678", "12345678", TaiwanPermitFormat::Current),
            ("01234567", "01234567", TaiwanPermitFormat::Current),
            ("0123456701", "0123456701", TaiwanPermitFormat::Legacy),
            ("0123456701(B)", "0123456701(B)", TaiwanPermitFormat::Legacy),
            ("0123456701(b)", "0123456701(B)", TaiwanPermitFormat::Legacy),
            (
                "0123456701（Ｂ）",
                "0123456701(B)",
                TaiwanPermitFormat::Legacy,
            ),
            ("0123456702(3)", "0123456702(3)", TaiwanPermitFormat::Legacy),
        ];
        for &(input, number, format) in valid {
            let permit = validate_taiwan_travel_permit(input)
                .unwrap_or_else(|error| panic!("{input}: {error}"));
            assert_eq!(permit.number(), number);
            assert_eq!(permit.format(), format);
            assert_eq!(permit.lifetime_number(), &number[..8]);
        }
        use IdentityError as E;
        let mtp = DocumentType::TaiwanTravelPermit;
        let invalid: &[(&str, IdentityError)] = &[
            (
                "1234567",
                E::WrongLength {
                    document_type: mtp,
                    length: 7,
                },
            ),
            (
                "123456789",
                E::WrongLength {
                    document_type: mtp,
                    length: 9,
                },
            ),
            (
                "012345670(B)",
                E::WrongLength {
                    document_type: mtp,
                    length: 12,
                },
            ),
            (
                "0123456701(BB)",
                E::WrongLength {
                    document_type: mtp,
                    length: 14,
                },
            ),
            ("1234567A", E::BadCharacters { document_type: mtp }),
            ("012345670A", E::BadCharacters { document_type: mtp }),
            ("0123456701[B]", E::BadCharacters { document_type: mtp }),
            ("0123456701(-)", E::BadCharacters { document_type: mtp }),
            ("01234567AB(B)", E::BadCharacters { document_type: mtp }),
        ];
        for (number, expected) in invalid {
            assert_eq!(
                validate_taiwan_travel_permit(number),
                Err(DocumentError::Identity(*expected)),
                "{number}"
            );
        }
    }

    #[test]
    fn passports() {
        let valid: &[(&str, PassportKind)] = &[
            ("E12345678", PassportKind::ChineseOrdinary),
            ("e12345678", PassportKind::ChineseOrdinary),
            ("EA1234567", PassportKind::ChineseOrdinary),
            ("EH9876543", PassportKind::ChineseOrdinary),
            ("G12345678", PassportKind::ChineseOrdinary),
            ("E1234567", PassportKind::Other),
            ("EAB123456", PassportKind::Other),
            ("GA1234567", PassportKind::Other),
            ("K12345678", PassportKind::Other),
            ("123456789", PassportKind::Other),
            ("AB1234567", PassportKind::Other),
            ("X12", PassportKind::Other),
            ("ABCDEFGHIJ1234567890", PassportKind::Other),
        ];
        for &(number, kind) in valid {
            let passport =
                validate_passport(number).unwrap_or_else(|error| panic!("{number}: {error}"));
            assert_eq!(passport.kind(), kind, "{number}");
            assert_eq!(passport.number(), number.to_ascii_uppercase());
        }
        use IdentityError as E;
        let passport = DocumentType::Passport;
        let invalid: &[(&str, IdentityError)] = &[
            (
                "E1",
                E::WrongLength {
                    document_type: passport,
                    length: 2,
                },
            ),
            (
                "ABCDEFGHIJ1234567890K",
                E::WrongLength {
                    document_type: passport,
                    length: 21,
                },
            ),
            (
                "E1234-5678",
                E::BadCharacters {
                    document_type: passport,
                },
            ),
            (
                "护照12345",
                E::BadCharacters {
                    document_type: passport,
                },
            ),
            (
                "E12345678.",
                E::BadCharacters {
                    document_type: passport,
                },
            ),
        ];
        for (number, expected) in invalid {
            assert_eq!(
                validate_passport(number),
                Err(DocumentError::Identity(*expected)),
                "{number}"
            );
        }
    }

    #[test]
    fn validate_by_type_names_the_right_type() {
        use DocumentType as T;
        let wrong = |selected, detected| IdentityError::WrongDocumentType { selected, detected };
        let cases: &[(T, &str, Result<T, IdentityError>)] = &[
            (T::ResidentId, "11010519491231002X", Ok(T::ResidentId)),
            (
                T::ResidencePermit,
                "810000199408230021",
                Ok(T::ResidencePermit),
            ),
            (
                T::ForeignPermanentResidentId,
                "USA310180112345",
                Ok(T::ForeignPermanentResidentId),
            ),
            (T::HomeReturnPermit, "H12345678", Ok(T::HomeReturnPermit)),
            (T::TaiwanTravelPermit, "12345678", Ok(T::TaiwanTravelPermit)),
            (T::Passport, "E12345678", Ok(T::Passport)),
            (T::Passport, "H12345678", Ok(T::Passport)),
            (T::Passport, "12345678", Ok(T::Passport)),
            (
                T::ResidentId,
                "810000199408230021",
                Err(wrong(T::ResidentId, T::ResidencePermit)),
            ),
            (
                T::ResidentId,
                "911840198503151238",
                Err(wrong(T::ResidentId, T::ForeignPermanentResidentId)),
            ),
            (
                T::ResidentId,
                "H12345678",
                Err(wrong(T::ResidentId, T::HomeReturnPermit)),
            ),
            (
                T::ResidencePermit,
                "11010519491231002X",
                Err(wrong(T::ResidencePermit, T::ResidentId)),
            ),
            (
                T::ForeignPermanentResidentId,
                "11010519491231002X",
                Err(wrong(T::ForeignPermanentResidentId, T::ResidentId)),
            ),
            (
                T::HomeReturnPermit,
                "12345678",
                Err(wrong(T::HomeReturnPermit, T::TaiwanTravelPermit)),
            ),
            (
                T::TaiwanTravelPermit,
                "H12345678",
                Err(wrong(T::TaiwanTravelPermit, T::HomeReturnPermit)),
            ),
            (
                T::Passport,
                "11010519491231002X",
                Err(wrong(T::Passport, T::ResidentId)),
            ),
            (
                T::Passport,
                "USA310180112345",
                Err(wrong(T::Passport, T::ForeignPermanentResidentId)),
            ),
            // Not valid as any other type either: the type's own error stays.
            (
                T::ResidentId,
                "E12345678",
                Err(IdentityError::WrongLength {
                    document_type: T::ResidentId,
                    length: 9,
                }),
            ),
            (
                T::HomeReturnPermit,
                "E12345678",
                Err(IdentityError::WrongPrefix {
                    document_type: T::HomeReturnPermit,
                }),
            ),
            (
                T::ResidencePermit,
                "811234199408230027",
                Err(IdentityError::WrongPrefix {
                    document_type: T::ResidencePermit,
                }),
            ),
            // A typo inside a number of the chosen type is reported as such.
            (
                T::ResidentId,
                "110105194912310021",
                Err(IdentityError::BadCheckDigit {
                    document_type: T::ResidentId,
                }),
            ),
            (T::Passport, "110105194912310021", Ok(T::Passport)),
            (T::ResidentId, "", Err(IdentityError::Empty)),
        ];
        for &(document_type, number, expected) in cases {
            let result =
                validate(document_type, number, TODAY).map(|document| document.document_type());
            assert_eq!(
                result,
                expected.map_err(DocumentError::from),
                "{document_type} {number}"
            );
        }
    }

    #[test]
    fn detect_guesses_by_shape() {
        use DocumentType as T;
        let cases: &[(&str, Option<T>, Result<T, IdentityError>)] = &[
            ("11010519491231002X", Some(T::ResidentId), Ok(T::ResidentId)),
            ("11010519491231002x", Some(T::ResidentId), Ok(T::ResidentId)),
            (
                "810000199408230021",
                Some(T::ResidencePermit),
                Ok(T::ResidencePermit),
            ),
            (
                "830000198512120040",
                Some(T::ResidencePermit),
                Ok(T::ResidencePermit),
            ),
            (
                "USA310180112345",
                Some(T::ForeignPermanentResidentId),
                Ok(T::ForeignPermanentResidentId),
            ),
            (
                "911840198503151238",
                Some(T::ForeignPermanentResidentId),
                Ok(T::ForeignPermanentResidentId),
            ),
            (
                "H12345678",
                Some(T::HomeReturnPermit),
                Ok(T::HomeReturnPermit),
            ),
            (
                "M1234567801",
                Some(T::HomeReturnPermit),
                Ok(T::HomeReturnPermit),
            ),
            (
                "12345678",
                Some(T::TaiwanTravelPermit),
                Ok(T::TaiwanTravelPermit),
            ),
            (
                "0123456701(B)",
                Some(T::TaiwanTravelPermit),
                Ok(T::TaiwanTravelPermit),
            ),
            ("E12345678", Some(T::Passport), Ok(T::Passport)),
            ("123456789", Some(T::Passport), Ok(T::Passport)),
            (
                "110105194912310021",
                Some(T::ResidentId),
                Err(IdentityError::BadCheckDigit {
                    document_type: T::ResidentId,
                }),
            ),
            (
                "11010519491231002",
                Some(T::ResidentId),
                Err(IdentityError::WrongLength {
                    document_type: T::ResidentId,
                    length: 17,
                }),
            ),
            (
                "110105194912310",
                Some(T::ResidentId),
                Err(IdentityError::WrongLength {
                    document_type: T::ResidentId,
                    length: 15,
                }),
            ),
            (
                "11010520300101001X",
                Some(T::ResidentId),
                Err(IdentityError::FutureBirthDate),
            ),
            (
                "811234199408230027",
                Some(T::ResidencePermit),
                Err(IdentityError::WrongPrefix {
                    document_type: T::ResidencePermit,
                }),
            ),
            (
                "911840198503151230",
                Some(T::ForeignPermanentResidentId),
                Err(IdentityError::BadCheckDigit {
                    document_type: T::ForeignPermanentResidentId,
                }),
            ),
            (
                "USA31018011234",
                Some(T::ForeignPermanentResidentId),
                Err(IdentityError::WrongLength {
                    document_type: T::ForeignPermanentResidentId,
                    length: 14,
                }),
            ),
            (
                "H123456789",
                Some(T::HomeReturnPermit),
                Err(IdentityError::WrongLength {
                    document_type: T::HomeReturnPermit,
                    length: 10,
                }),
            ),
            ("", None, Err(IdentityError::Empty)),
            ("身份证", None, Err(IdentityError::Unrecognised)),
            ("E1", None, Err(IdentityError::Unrecognised)),
            ("!!!", None, Err(IdentityError::Unrecognised)),
            (
                "ABCDEFGHIJ1234567890K",
                None,
                Err(IdentityError::Unrecognised),
            ),
        ];
        for &(number, guess, expected) in cases {
            assert_eq!(guess_type(number), guess, "{number}");
            let result = detect(number, TODAY).map(|document| document.document_type());
            assert_eq!(result, expected.map_err(DocumentError::from), "{number}");
        }
    }

    #[test]
    fn documents_report_their_facts() {
        let id = detect("11010519491231002X", TODAY).expect("valid");
        assert_eq!(id.number(), "11010519491231002X");
        assert_eq!(id.masked(), "110***********002X");
        assert_eq!(id.birth_date(), Some(date(1949, 12, 31)));
        assert_eq!(id.sex(), Some(Sex::Female));
        assert_eq!(id.age(), Some(75));
        assert_eq!(id.is_minor(), Some(false));
        let child = detect("360102200801011233", TODAY).expect("valid");
        assert_eq!(child.is_minor(), Some(true));
        let permit = detect("H12345678", TODAY).expect("valid");
        assert_eq!(permit.birth_date(), None);
        assert_eq!(permit.sex(), None);
        assert_eq!(permit.is_minor(), None);
        let pr = detect("USA310180112345", TODAY).expect("valid");
        assert_eq!(pr.sex(), None);
        assert_eq!(pr.age(), Some(44));
        let json = serde_json::to_value(&id).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({
                "type": "resident_id",
                "number": "11010519491231002X",
                "birth_date": "1949-12-31",
                "sex": "female",
                "age": 75,
            })
        );
    }

    #[test]
    fn type_names_round_trip() {
        for document_type in DocumentType::ALL {
            assert_eq!(
                DocumentType::from_name(document_type.name()),
                Some(document_type)
            );
            let json = serde_json::to_string(&document_type).expect("serialises");
            assert_eq!(json, format!("\"{}\"", document_type.name()));
            assert!(!document_type.label(Locale::ZhCn).is_empty());
            assert!(!document_type.label(Locale::En).is_empty());
        }
        assert_eq!(
            DocumentType::from_name("Resident-ID"),
            Some(DocumentType::ResidentId)
        );
        assert_eq!(
            DocumentType::from_name(" passport "),
            Some(DocumentType::Passport)
        );
        assert_eq!(DocumentType::from_name("id_card"), None);
        assert_eq!(DocumentType::from_name(""), None);
    }
}
