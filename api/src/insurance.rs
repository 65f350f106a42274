//! Social-insurance records (社会保险个人权益记录 / 缴费记录) and certificates
//! (参保证明) on the wire.
//!
//! What residents open a 12333-style app for most: their contribution
//! history, and a certificate of it that a landlord, an employer or a school
//! can check online. The record is the register's (the platform answers it
//! whole, with an entity tag so an unchanged record costs a client one
//! `304`); a certificate is a PDF with a verification code that anyone can
//! check (`/v1/certificate-checks`) without learning more than a masked
//! name and ID number.

use serde::{Deserialize, Serialize};

/// One of the four social insurances a worker contributes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Insurance {
    /// 养老保险.
    Pension,
    /// 医疗保险.
    Medical,
    /// 失业保险.
    Unemployment,
    /// 工伤保险 (employer only).
    WorkInjury,
}

impl Insurance {
    /// All four, in the order the records list them.
    pub const ALL: [Insurance; 4] = [
        Insurance::Pension,
        Insurance::Medical,
        Insurance::Unemployment,
        Insurance::WorkInjury,
    ];

    /// The Chinese name (养老保险 …), as certificates print it.
    pub fn chinese(self) -> &'static str {
        match self {
            Insurance::Pension => "养老保险",
            Insurance::Medical => "医疗保险",
            Insurance::Unemployment => "失业保险",
            Insurance::WorkInjury => "工伤保险",
        }
    }
}

/// How a month's contribution was paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Scheme {
    /// 职工: through an employer (the employer is named).
    Employee,
    /// 灵活就业: the person pays alone (pension and medical only).
    FlexibleEmployment,
    /// 城乡居民: resident insurance, paid once a year (medical here).
    Resident,
}

impl Scheme {
    /// The Chinese name, as certificates print it.
    pub fn chinese(self) -> &'static str {
        match self {
            Scheme::Employee => "职工",
            Scheme::FlexibleEmployment => "灵活就业",
            Scheme::Resident => "城乡居民",
        }
    }
}

/// Where a participation stands today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ParticipationStatus {
    /// 参保缴费: contributions are being paid.
    Contributing,
    /// 暂停缴费 / 中断: insured before, no contributions now.
    Suspended,
    /// 退休 / 领取待遇: the person draws the pension (medical continues
    /// without contributions).
    Retired,
}

impl ParticipationStatus {
    /// The Chinese name, as certificates print it.
    pub fn chinese(self) -> &'static str {
        match self {
            ParticipationStatus::Contributing => "参保缴费",
            ParticipationStatus::Suspended => "暂停缴费",
            ParticipationStatus::Retired => "退休",
        }
    }
}

/// A person's participation in one insurance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Participation {
    /// The insurance.
    pub insurance: Insurance,
    /// First insured month, `YYYY-MM`.
    pub since: String,
    /// Where it stands today.
    pub status: ParticipationStatus,
    /// How the latest month was paid.
    pub scheme: Scheme,
    /// The division code (行政区划) where the person is insured now.
    pub region: String,
    /// Months with a contribution (paid or owed).
    pub months: u32,
}

/// Who paid a run of months: an employer, or the person alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Payer {
    /// How the months were paid.
    pub scheme: Scheme,
    /// The employer's name (`employee` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer: Option<String>,
}

/// One month of one insurance (compact: the payer is an index into
/// [`InsuranceRecord::payers`]). Amounts are fen (分).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ContributionMonth {
    /// `YYYY-MM` (resident insurance: the year's single payment is dated
    /// in January).
    pub month: String,
    /// The insurance.
    pub insurance: Insurance,
    /// Index into `payers`.
    pub payer: u32,
    /// 缴费基数, fen (0 for resident insurance, paid at a flat rate).
    pub base: u64,
    /// The person's share, fen.
    pub personal: u64,
    /// The employer's share, fen (0 when the person pays alone).
    pub employer: u64,
    /// Division code where the month was paid.
    pub region: String,
    /// Paid (`true`) or owed (欠缴, `false`).
    pub paid: bool,
}

/// A transfer of the insurance relationship between regions
/// (社保关系转移接续).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Transfer {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Division code left.
    pub from_region: String,
    /// Division code joined.
    pub to_region: String,
}

/// One year of one insurance, summed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct YearTotal {
    /// The year.
    pub year: u16,
    /// The insurance.
    pub insurance: Insurance,
    /// Months with a contribution.
    pub months: u32,
    /// Months owed (not paid).
    pub months_owed: u32,
    /// The person's shares, fen.
    pub personal: u64,
    /// The employers' shares, fen.
    pub employer: u64,
}

/// The pension the person draws after retirement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PensionStart {
    /// First month of the pension, `YYYY-MM`.
    pub since: String,
    /// Division code paying it.
    pub region: String,
    /// The first monthly amount, fen.
    pub monthly: u64,
}

/// `GET /v1/me/insurance-records?person_id=`: the whole record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct InsuranceRecord {
    /// Whose record.
    pub person_id: String,
    /// The platform time of the answer, Unix seconds.
    pub as_of: u64,
    /// Last month the record covers, `YYYY-MM`.
    pub through: String,
    /// One per insurance the person ever joined.
    pub participations: Vec<Participation>,
    /// Who paid (indexed by the months).
    pub payers: Vec<Payer>,
    /// Every month, oldest first.
    pub months: Vec<ContributionMonth>,
    /// Transfers between regions, oldest first.
    pub transfers: Vec<Transfer>,
    /// Totals per year and insurance, oldest first.
    pub totals: Vec<YearTotal>,
    /// The pension, once the person retired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pension: Option<PensionStart>,
}

/// What a certificate certifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum CertificateKind {
    /// 参保证明: the insurances, since when, their state and region.
    Participation,
    /// 缴费证明: the months paid per year.
    ContributionRecord,
}

/// `POST /v1/me/certificates`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CertificateRequest {
    /// Whose (default: the caller); someone else needs a mandate with the
    /// `records` scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// What to certify.
    pub kind: CertificateKind,
    /// One insurance only (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance: Option<Insurance>,
    /// First year (contribution records; default: the first on record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_year: Option<u16>,
    /// Last year (contribution records; default: the last on record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<u16>,
}

/// Who asked for a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum RequestedBy {
    /// The person themself.
    Holder,
    /// A family member under a mandate with the `records` scope.
    Proxy,
}

/// An issued certificate, as its holder (or proxy) sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Certificate {
    /// Id (for the PDF: `GET /v1/me/certificates/{id}/pdf`).
    pub certificate_id: String,
    /// Whose.
    pub person_id: String,
    /// What it certifies.
    pub kind: CertificateKind,
    /// One insurance only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance: Option<Insurance>,
    /// First year covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_year: Option<u16>,
    /// Last year covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<u16>,
    /// 16 characters of Crockford base32: what a checker types or scans.
    pub verification_code: String,
    /// Unix seconds.
    pub issued_at: u64,
    /// Unix seconds; checks answer `expired` from then on.
    pub valid_until: u64,
    /// The PDF's SHA-256, lower-case hex.
    pub sha256: String,
    /// The PDF's size in bytes.
    pub size: u64,
    /// The holder or a proxy.
    pub requested_by: RequestedBy,
    /// The proxy's masked name (who asked, when it was not the holder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by_name: Option<String>,
    /// Where anyone can check it: `{public base}/v1/certificate-checks/{code}`.
    pub check_url: String,
}

/// `GET /v1/me/certificates?person_id=`: the certificates issued for the
/// person (by anyone: the holder or a proxy), newest first, the expired
/// ones included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CertificateList {
    /// Whose.
    pub person_id: String,
    /// Newest first.
    pub certificates: Vec<Certificate>,
}

/// What a check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum CertificateState {
    /// Issued by this platform and within its validity.
    Valid,
    /// Issued by this platform; its validity ended.
    Expired,
    /// No certificate has this code.
    Unknown,
}

/// `GET /v1/certificate-checks/{code}` and `POST /v1/certificate-checks`:
/// what anyone may learn of a certificate (the fields are absent when the
/// state is `unknown`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CertificateCheck {
    /// Valid, expired or unknown.
    pub state: CertificateState,
    /// The holder's masked name (`刘**`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_masked: Option<String>,
    /// The holder's masked ID number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number_masked: Option<String>,
    /// What it certifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CertificateKind>,
    /// One insurance only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance: Option<Insurance>,
    /// First year covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_year: Option<u16>,
    /// Last year covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<u16>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<u64>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<u64>,
    /// The issuing platform's name (社会保险经办机构).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// The largest PDF `POST /v1/certificate-checks` takes, bytes (issued
/// certificates stay under 200 KB).
pub const MAX_CHECKED_PDF: usize = 256 * 1024;

/// The alphabet of verification codes: Crockford's base32 (no I, L, O, U).
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a verification code.
pub const CODE_LENGTH: usize = 16;

/// `code` in its canonical form (upper case; `I`/`L` read as `1`, `O` as
/// `0`, hyphens and spaces dropped, as Crockford's base32 reads), or `None`
/// when it is not a well-formed code.
pub fn canonical_code(code: &str) -> Option<String> {
    let mut canonical = String::with_capacity(CODE_LENGTH);
    for character in code.chars() {
        let folded = match character.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        };
        if !folded.is_ascii() || !CODE_ALPHABET.contains(&(folded as u8)) {
            return None;
        }
        canonical.push(folded);
    }
    (canonical.len() == CODE_LENGTH).then_some(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_crockford_base32() {
        assert_eq!(
            canonical_code("abcd-efgh-jkmn-pqrs").as_deref(),
            Some("ABCDEFGHJKMNPQRS")
        );
        assert_eq!(
            canonical_code("O0IL00000000000U"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(
            canonical_code("o0il000000000000").as_deref(),
            Some("0011000000000000")
        );
        assert_eq!(canonical_code("SHORT"), None);
        assert_eq!(canonical_code("ＡBCDEFGHJKMNPQRS"), None);
    }
}
