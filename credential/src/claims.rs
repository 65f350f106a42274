//! What a credential says about its holder, in the smallest form that serves.
//!
//! Nothing here identifies a person: the handle is random and rotates with
//! every credential, the status index is allocated per credential, and the
//! region is carried only by credentials for purposes that need it.
//!
//! The school affiliation of a campus credential ([`Affiliation`]) is the
//! one exception to "nothing about the person": a school gate and a school
//! library need to know that the holder belongs to *this* school, and
//! nothing else needs to know it. So only credentials whose every purpose
//! is a campus purpose ([`Purpose::is_campus`]) may carry it, and no other
//! terminal ever sees it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::FormatError;

/// What a code is shown for. Each purpose discloses only what its terminals need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Purpose {
    /// Bus and metro gates: validity and concession class only.
    Transport,
    /// Hospitals and pharmacies: handle and insured region, resolved online by
    /// the medical insurance system.
    Medical,
    /// Government, hotel and bank counters: handle and region, resolved online
    /// by an authorised counter.
    Identity,
    /// Libraries, museums, scenic spots: validity and concession class only.
    CultureTourism,
    /// School gates (校园出入): concession class and the school affiliation,
    /// verified offline. Format version 2.
    CampusEntry,
    /// School and university libraries (图书借阅): handle, concession class
    /// and affiliation; the handle is resolved online at the library desk to
    /// a per-library pseudonym. Format version 2.
    Library,
    /// Education examinations (教育考试身份核验): handle and region, resolved
    /// online by the examination authority. Format version 2.
    EducationExam,
    /// Personnel examinations (人事考试入场核验): handle and region, resolved
    /// online by the examination authority. Format version 2.
    PersonnelExam,
}

impl Purpose {
    /// Every purpose, in id order.
    pub const ALL: [Purpose; 8] = [
        Purpose::Transport,
        Purpose::Medical,
        Purpose::Identity,
        Purpose::CultureTourism,
        Purpose::CampusEntry,
        Purpose::Library,
        Purpose::EducationExam,
        Purpose::PersonnelExam,
    ];

    /// The highest purpose id a version-1 credential can grant and present
    /// (its purpose field has four bits).
    pub const LAST_VERSION_1_ID: u8 = 4;

    /// The 4-bit id written into presentations.
    pub const fn id(self) -> u8 {
        match self {
            Purpose::Transport => 1,
            Purpose::Medical => 2,
            Purpose::Identity => 3,
            Purpose::CultureTourism => 4,
            Purpose::CampusEntry => 5,
            Purpose::Library => 6,
            Purpose::EducationExam => 7,
            Purpose::PersonnelExam => 8,
        }
    }

    /// Reads a purpose id.
    pub const fn from_id(id: u8) -> Result<Purpose, FormatError> {
        match id {
            1 => Ok(Purpose::Transport),
            2 => Ok(Purpose::Medical),
            3 => Ok(Purpose::Identity),
            4 => Ok(Purpose::CultureTourism),
            5 => Ok(Purpose::CampusEntry),
            6 => Ok(Purpose::Library),
            7 => Ok(Purpose::EducationExam),
            8 => Ok(Purpose::PersonnelExam),
            _ => Err(FormatError::UndefinedValue("purpose")),
        }
    }

    /// The bit of this purpose in a [`PurposeSet`] (bit id − 1).
    pub const fn bit(self) -> u16 {
        1 << (self.id() - 1)
    }

    /// Whether a version-1 credential can carry this purpose (ids 1–4).
    pub const fn fits_version_1(self) -> bool {
        self.id() <= Purpose::LAST_VERSION_1_ID
    }

    /// Whether this is a campus purpose, whose credentials may carry the
    /// school [`Affiliation`] (and only those).
    pub const fn is_campus(self) -> bool {
        matches!(self, Purpose::CampusEntry | Purpose::Library)
    }

    /// The name used in JSON and on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Purpose::Transport => "transport",
            Purpose::Medical => "medical",
            Purpose::Identity => "identity",
            Purpose::CultureTourism => "culture_tourism",
            Purpose::CampusEntry => "campus_entry",
            Purpose::Library => "library",
            Purpose::EducationExam => "education_exam",
            Purpose::PersonnelExam => "personnel_exam",
        }
    }

    /// Parses [`Purpose::name`] (also accepts `-` for `_`, as in
    /// `culture-tourism`).
    pub fn from_name(name: &str) -> Option<Purpose> {
        let name = name.replace('-', "_");
        Purpose::ALL
            .into_iter()
            .find(|purpose| purpose.name() == name)
    }

    /// Whether a credential for this purpose may carry the holder's region.
    pub const fn may_disclose_region(self) -> bool {
        matches!(
            self,
            Purpose::Medical | Purpose::Identity | Purpose::EducationExam | Purpose::PersonnelExam
        )
    }
}

/// A set of purposes: bit id − 1 for each purpose (4 bits on the wire in
/// version 1, 16 bits in version 2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PurposeSet(u16);

impl PurposeSet {
    /// The empty set.
    pub const EMPTY: PurposeSet = PurposeSet(0);

    /// A set of the given purposes.
    pub fn of(purposes: &[Purpose]) -> PurposeSet {
        PurposeSet(
            purposes
                .iter()
                .fold(0, |bits, purpose| bits | purpose.bit()),
        )
    }

    /// A set from its bit form, unchecked (for constants of defined
    /// purposes' bits; [`PurposeSet::from_bits`] reads hostile bytes).
    pub(crate) const fn from_bits_unchecked(bits: u16) -> PurposeSet {
        PurposeSet(bits)
    }

    /// The bits of every defined purpose.
    pub const DEFINED_BITS: u16 = (1 << Purpose::ALL.len()) - 1;

    /// Reads the bit form; bits of undefined purposes are refused.
    pub const fn from_bits(bits: u16) -> Result<PurposeSet, FormatError> {
        if bits & !PurposeSet::DEFINED_BITS != 0 {
            return Err(FormatError::UndefinedValue("purposes"));
        }
        Ok(PurposeSet(bits))
    }

    /// The bit form (bit id − 1 for each purpose; fits 16 bits, and 4 bits
    /// for a set that [fits version 1](PurposeSet::fits_version_1)).
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether every purpose of the set can be carried by a version-1
    /// credential (ids 1–4).
    pub const fn fits_version_1(self) -> bool {
        self.0 & !0x0F == 0
    }

    /// Whether the set is not empty and holds campus purposes only.
    pub fn is_campus_only(self) -> bool {
        !self.is_empty() && self.iter().all(Purpose::is_campus)
    }

    /// Whether the set holds the purpose.
    pub const fn contains(self, purpose: Purpose) -> bool {
        self.0 & purpose.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The purposes in the set, in id order.
    pub fn iter(self) -> impl Iterator<Item = Purpose> {
        Purpose::ALL
            .into_iter()
            .filter(move |purpose| self.contains(*purpose))
    }
}

impl Serialize for PurposeSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for PurposeSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let purposes = Vec::<Purpose>::deserialize(deserializer)?;
        Ok(PurposeSet::of(&purposes))
    }
}

/// The fare or admission class a terminal applies. Terminals map classes to
/// their own tariffs; the card platform decides who is in which class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ConcessionClass {
    /// No concession.
    #[default]
    Standard,
    /// Older residents with reduced fares (typically 60–64 or 60–69).
    Senior,
    /// Older residents with free travel or admission (typically 65+ or 70+).
    SeniorFree,
    /// Pupils and students.
    Student,
    /// Holders of a disability certificate.
    Disability,
    /// Veterans and other entitled groups (优抚对象).
    Entitled,
    /// Minors under the age where travel is free.
    Child,
}

impl ConcessionClass {
    /// The byte on the wire.
    pub const fn id(self) -> u8 {
        match self {
            ConcessionClass::Standard => 0,
            ConcessionClass::Senior => 1,
            ConcessionClass::SeniorFree => 2,
            ConcessionClass::Student => 3,
            ConcessionClass::Disability => 4,
            ConcessionClass::Entitled => 5,
            ConcessionClass::Child => 6,
        }
    }

    /// The snake_case name, as serde writes it (`senior_free`).
    pub const fn name(self) -> &'static str {
        match self {
            ConcessionClass::Standard => "standard",
            ConcessionClass::Senior => "senior",
            ConcessionClass::SeniorFree => "senior_free",
            ConcessionClass::Student => "student",
            ConcessionClass::Disability => "disability",
            ConcessionClass::Entitled => "entitled",
            ConcessionClass::Child => "child",
        }
    }

    /// Reads the byte on the wire.
    pub const fn from_id(id: u8) -> Result<ConcessionClass, FormatError> {
        Ok(match id {
            0 => ConcessionClass::Standard,
            1 => ConcessionClass::Senior,
            2 => ConcessionClass::SeniorFree,
            3 => ConcessionClass::Student,
            4 => ConcessionClass::Disability,
            5 => ConcessionClass::Entitled,
            6 => ConcessionClass::Child,
            _ => return Err(FormatError::UndefinedValue("concession")),
        })
    }
}

/// Whose phone shows the code: the cardholder's own, or that of someone acting
/// for them under a mandate recorded at the platform.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum HolderRole {
    /// The cardholder's own device.
    #[default]
    Holder,
    /// A family member acting for an elderly relative (亲情代办).
    Proxy,
    /// The guardian of a minor or newborn.
    Guardian,
}

impl HolderRole {
    /// The 2-bit value on the wire.
    pub const fn id(self) -> u8 {
        match self {
            HolderRole::Holder => 0,
            HolderRole::Proxy => 1,
            HolderRole::Guardian => 2,
        }
    }

    /// Reads the 2-bit value.
    pub const fn from_id(id: u8) -> Result<HolderRole, FormatError> {
        match id {
            0 => Ok(HolderRole::Holder),
            1 => Ok(HolderRole::Proxy),
            2 => Ok(HolderRole::Guardian),
            _ => Err(FormatError::UndefinedValue("role")),
        }
    }

    /// The name used in JSON and storage (`holder`, `proxy`, `guardian`).
    pub const fn name(self) -> &'static str {
        match self {
            HolderRole::Holder => "holder",
            HolderRole::Proxy => "proxy",
            HolderRole::Guardian => "guardian",
        }
    }

    /// Parses [`HolderRole::name`].
    pub fn from_name(name: &str) -> Option<HolderRole> {
        [HolderRole::Holder, HolderRole::Proxy, HolderRole::Guardian]
            .into_iter()
            .find(|role| role.name() == name)
    }

    /// Whether codes made with this role are shown on someone else's behalf.
    pub const fn is_on_behalf(self) -> bool {
        !matches!(self, HolderRole::Holder)
    }
}

/// A random pseudonymous handle, new with every credential. Authorised
/// back ends (medical insurance, government counters) resolve it online.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle(pub [u8; 8]);

impl Handle {
    /// A fresh random handle from the system's secure random source.
    pub fn random() -> Result<Handle, crate::error::IssueError> {
        use ring::rand::SecureRandom as _;
        let mut bytes = [0u8; 8];
        ring::rand::SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| crate::error::IssueError::Key("no secure randomness"))?;
        Ok(Handle(bytes))
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(formatter, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Handle({self})")
    }
}

impl Serialize for Handle {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Handle {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for Handle {
    type Err = FormatError;

    fn from_str(text: &str) -> Result<Handle, FormatError> {
        if text.len() != 16 || !text.is_ascii() {
            return Err(FormatError::BadEncoding);
        }
        let mut bytes = [0u8; 8];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[index * 2..index * 2 + 2], 16)
                .map_err(|_| FormatError::BadEncoding)?;
        }
        Ok(Handle(bytes))
    }
}

/// Where a credential's revocation bit lives: a status list of the issuer and
/// an index in it. Indices are allocated per credential, so the index does
/// not link a holder's successive credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusReference {
    /// The issuer's list number.
    pub list: u8,
    /// The bit index in that list (below 2^24).
    pub index: u32,
}

impl StatusReference {
    /// The largest index a list can hold.
    pub const MAX_INDEX: u32 = (1 << 24) - 1;
}

/// The platform-registered number of the school (an organisation) a
/// student is enrolled at, 1 to 16,777,215 (three bytes on the wire).
/// Carried only by campus credentials ([`Purpose::is_campus`]): a school's
/// own gate and library check it, no other terminal learns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Affiliation(u32);

impl Affiliation {
    /// The largest number three bytes hold.
    pub const MAX: u32 = (1 << 24) - 1;

    /// Accepts 1..=16,777,215 (0 is "none" on the wire).
    pub const fn new(number: u32) -> Option<Affiliation> {
        if number >= 1 && number <= Affiliation::MAX {
            Some(Affiliation(number))
        } else {
            None
        }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Affiliation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

impl Serialize for Affiliation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for Affiliation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = u32::deserialize(deserializer)?;
        Affiliation::new(number).ok_or_else(|| {
            serde::de::Error::custom("an affiliation is a number from 1 to 16777215")
        })
    }
}

/// A six-digit administrative division code (GB/T 2260), e.g. 360100 for
/// Nanchang. Carried only by medical, identity and examination credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegionCode(u32);

impl RegionCode {
    /// Accepts six-digit codes from 110000 to 829999.
    pub const fn new(code: u32) -> Option<RegionCode> {
        if code >= 110_000 && code <= 829_999 {
            Some(RegionCode(code))
        } else {
            None
        }
    }

    /// The numeric code.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:06}", self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn purposes_round_trip_through_ids_names_and_bits() {
        for (index, purpose) in Purpose::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(purpose.id()), index + 1);
            assert_eq!(Purpose::from_id(purpose.id()).unwrap(), purpose);
            assert_eq!(Purpose::from_name(purpose.name()), Some(purpose));
            assert_eq!(serde_json::to_value(purpose).unwrap(), purpose.name());
            assert_eq!(purpose.fits_version_1(), purpose.id() <= 4);
        }
        assert_eq!(
            Purpose::from_name("campus-entry"),
            Some(Purpose::CampusEntry)
        );
        for id in [0, 9, 15, 16, 255] {
            assert!(Purpose::from_id(id).is_err());
        }
        let all = PurposeSet::of(&Purpose::ALL);
        assert_eq!(all.bits(), 0x00FF);
        assert_eq!(PurposeSet::from_bits(0x00FF).unwrap(), all);
        for bit in 8..16 {
            assert!(PurposeSet::from_bits(1 << bit).is_err(), "bit {bit}");
        }
        assert!(PurposeSet::of(&[Purpose::Transport, Purpose::CultureTourism]).fits_version_1());
        assert!(!PurposeSet::of(&[Purpose::Transport, Purpose::Library]).fits_version_1());
        assert!(PurposeSet::of(&[Purpose::CampusEntry, Purpose::Library]).is_campus_only());
        assert!(!PurposeSet::of(&[Purpose::CampusEntry, Purpose::Transport]).is_campus_only());
        assert!(!PurposeSet::EMPTY.is_campus_only());
    }

    #[test]
    fn affiliations_are_three_bytes_and_never_zero() {
        assert_eq!(Affiliation::new(0), None);
        assert_eq!(Affiliation::new(1).map(Affiliation::get), Some(1));
        assert_eq!(
            Affiliation::new(16_777_215).map(Affiliation::get),
            Some(16_777_215)
        );
        assert_eq!(Affiliation::new(16_777_216), None);
        assert!(serde_json::from_str::<Affiliation>("0").is_err());
        assert!(serde_json::from_str::<Affiliation>("16777216").is_err());
        let affiliation: Affiliation = serde_json::from_str("4207").unwrap();
        assert_eq!(serde_json::to_string(&affiliation).unwrap(), "4207");
    }

    #[test]
    fn concession_names_are_the_serde_names() {
        for id in 0..=u8::MAX {
            if let Ok(class) = ConcessionClass::from_id(id) {
                assert_eq!(serde_json::to_value(class).unwrap(), class.name());
            }
        }
    }
}
