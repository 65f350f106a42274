//! Certificates (参保证明): issued as a PDF from the person's insurance
//! record, checked by anyone online.
//!
//! A certificate is shared with strangers (a landlord, an employer, a
//! school), so the check is public and tells them only what the paper
//! shows: a masked name and ID number, what is certified, when it was
//! issued and whether it is still valid. Two ways to check: the
//! verification code printed on it and encoded in its QR code, or the PDF
//! file itself, which must be byte for byte the file issued (its SHA-256 is
//! stored) — a changed byte or an ended validity fails. The codes are 80
//! random bits, and failed checks count against the source address
//! ([`CHECKS`]), so they cannot be guessed either.
//!
//! Who asked is stored with the certificate (the holder, or the proxy's
//! account and mandate) and in the audit log; the PDF names a proxy.
//! Certificates are personal data: removed with the account
//! ([`forget_person`]).

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::insurance::{
    CODE_ALPHABET, Certificate, CertificateCheck, CertificateKind, CertificateList,
    CertificateRequest, CertificateState, Insurance, InsuranceRecord, RequestedBy,
};
use ecard_api::problem::ProblemCode;
use ecard_documents::{Date, mask, mask_name};

use crate::domain::certificate_pdf::{CertificateContent, CertificateFont, render};
use crate::domain::insurance_records::{record, region_name};
use crate::domain::limits::{self, Limit};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::audit;
use crate::store::codec::{enum_name, hex, parse_enum};
use crate::store::db::new_id;
use crate::store::rows::person;

/// How long a certificate is valid: 90 days.
pub const VALIDITY_SECONDS: u64 = 90 * 86_400;

/// Failed public checks (unknown codes, files not issued here) per source
/// address: 10 in an hour lock the address for 15 minutes, doubling.
pub const CHECKS: Limit = Limit {
    kind: "certificate_checks",
    threshold: 10,
    lock_seconds: 15 * 60,
    max_lock_seconds: 24 * 3_600,
    window_seconds: 3_600,
};

/// Who asks for a certificate: the account, and the mandate when it is
/// not the holder's own.
pub struct Requester<'a> {
    /// The asking account.
    pub account_id: &'a str,
    /// The asking account's person (named, masked, on a proxy's certificate).
    pub person_id: &'a str,
    /// The mandate a proxy acts under.
    pub mandate_id: Option<&'a str>,
}

/// Where the certificate is issued and checked.
pub struct Issuer<'a> {
    /// The issuing platform's name.
    pub name: &'a str,
    /// The public base URL the check URL starts with.
    pub public_base: &'a str,
    /// The PDF font.
    pub font: &'a CertificateFont,
}

/// A fresh verification code: 80 random bits as 16 characters of
/// Crockford's base32.
fn new_code() -> ApiResult<String> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 10];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "no randomness"))?;
    let mut bits = u128::from_be_bytes({
        let mut wide = [0u8; 16];
        wide[6..].copy_from_slice(&bytes);
        wide
    });
    let mut code = [0u8; 16];
    for slot in code.iter_mut().rev() {
        *slot = CODE_ALPHABET[(bits & 31) as usize];
        bits >>= 5;
    }
    Ok(String::from_utf8_lossy(&code).into_owned())
}

fn day(seconds: u64) -> String {
    Date::in_china_at(seconds).map_or_else(String::new, |date| date.to_string())
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A page's table: column heads, rows, and the years it covers.
type Table = (Vec<String>, Vec<Vec<String>>, Option<u16>, Option<u16>);

/// The page's table for `request` from `record`.
fn table(record: &InsuranceRecord, request: &CertificateRequest) -> ApiResult<Table> {
    let wanted = |insurance: Insurance| request.insurance.is_none_or(|only| only == insurance);
    match request.kind {
        CertificateKind::Participation => {
            let columns = ["险种", "参保起始", "状态", "参保方式", "参保地", "累计月数"]
                .map(str::to_owned)
                .to_vec();
            let rows = record
                .participations
                .iter()
                .filter(|participation| wanted(participation.insurance))
                .map(|participation| {
                    vec![
                        participation.insurance.chinese().to_owned(),
                        participation.since.clone(),
                        participation.status.chinese().to_owned(),
                        participation.scheme.chinese().to_owned(),
                        format!(
                            "{} {}",
                            region_name(&participation.region),
                            participation.region
                        ),
                        participation.months.to_string(),
                    ]
                })
                .collect();
            Ok((columns, rows, None, None))
        }
        CertificateKind::ContributionRecord => {
            let years: Vec<u16> = record
                .totals
                .iter()
                .filter(|total| wanted(total.insurance))
                .map(|total| total.year)
                .collect();
            let first = years.iter().min().copied();
            let last = years.iter().max().copied();
            let from = request.from_year.or(first);
            let to = request.to_year.or(last);
            if let (Some(from), Some(to)) = (from, to)
                && from > to
            {
                return Err(ApiError::field("to_year", "not before from_year"));
            }
            let mut columns = vec!["年度".to_owned()];
            let insurances: Vec<Insurance> = Insurance::ALL
                .into_iter()
                .filter(|insurance| wanted(*insurance))
                .collect();
            for insurance in &insurances {
                columns.push(format!("{}(月)", insurance.chinese()));
            }
            columns.push("个人缴纳(元)".to_owned());
            columns.push("单位缴纳(元)".to_owned());
            let mut rows = Vec::new();
            if let (Some(from), Some(to)) = (from, to) {
                for year in from..=to {
                    let of_year: Vec<_> = record
                        .totals
                        .iter()
                        .filter(|total| total.year == year && wanted(total.insurance))
                        .collect();
                    if of_year.is_empty() {
                        continue;
                    }
                    let mut row = vec![year.to_string()];
                    for insurance in &insurances {
                        let months = of_year
                            .iter()
                            .find(|total| total.insurance == *insurance)
                            .map_or(0, |total| total.months);
                        row.push(months.to_string());
                    }
                    row.push(yuan(of_year.iter().map(|total| total.personal).sum()));
                    row.push(yuan(of_year.iter().map(|total| total.employer).sum()));
                    rows.push(row);
                }
            }
            Ok((columns, rows, from, to))
        }
    }
}

/// Issues a certificate for `person_id` as `requester` asks (the caller's
/// authority to is checked by the caller of this function).
pub fn issue(
    tx: &Transaction<'_>,
    issuer: &Issuer<'_>,
    requester: &Requester<'_>,
    person_id: &str,
    request: &CertificateRequest,
    now: u64,
) -> ApiResult<Certificate> {
    let font = issuer.font.font().map_err(|error| {
        ApiError::new(
            ProblemCode::CertificatesUnavailable,
            format!("certificates cannot be issued now: {error}"),
        )
    })?;
    if (request.from_year.is_some() || request.to_year.is_some())
        && request.kind != CertificateKind::ContributionRecord
    {
        return Err(ApiError::field(
            "from_year",
            "years apply to contribution records only",
        ));
    }
    let holder = person(tx, person_id)?;
    let record = record(tx, person_id, now)?;
    let (columns, rows, from_year, to_year) = table(&record, request)?;
    let code = new_code()?;
    let certificate_id = new_id("cert");
    let valid_until = now.saturating_add(VALIDITY_SECONDS);
    let check_url = format!("{}/v1/certificate-checks/{code}", issuer.public_base);
    let proxy_name = match requester.mandate_id {
        Some(_) => Some(mask_name(&person(tx, requester.person_id)?.name)),
        None => None,
    };
    let mut facts = vec![
        ("姓名".to_owned(), mask_name(&holder.name)),
        ("公民身份号码".to_owned(), mask(&holder.id_number)),
        (
            "参保地".to_owned(),
            format!("{} {}", region_name(&holder.region), holder.region),
        ),
    ];
    if let Some(insurance) = request.insurance {
        facts.push(("险种".to_owned(), insurance.chinese().to_owned()));
    }
    if let (Some(from), Some(to)) = (from_year, to_year) {
        facts.push(("缴费年度".to_owned(), format!("{from}年至{to}年")));
    }
    if let Some(pension) = &record.pension {
        facts.push((
            "养老金领取".to_owned(),
            format!("自{}起按月领取", pension.since),
        ));
    }
    let closing = vec![
        (
            "申请人".to_owned(),
            match &proxy_name {
                Some(name) => format!("{name}（亲属代办）"),
                None => "本人".to_owned(),
            },
        ),
        (
            "出具机构".to_owned(),
            format!("电子社保卡服务平台（{}）", issuer.name),
        ),
        ("出具日期".to_owned(), day(now)),
        ("有效期至".to_owned(), day(valid_until)),
        ("验证码".to_owned(), code.clone()),
    ];
    let content = CertificateContent {
        title: "社会保险参保证明".to_owned(),
        subtitle: match request.kind {
            CertificateKind::Participation => "（参保情况）".to_owned(),
            CertificateKind::ContributionRecord => "（缴费记录）".to_owned(),
        },
        facts,
        columns,
        rows,
        closing,
        check_url: check_url.clone(),
        notes: vec![
            "可扫描二维码或在核验网址输入验证码核验本证明的真伪和有效期。".to_owned(),
            "本证明由参考平台依样例数据生成，仅供开发与测试。".to_owned(),
        ],
    };
    let pdf = render(&font, &content)
        .map_err(|error| ApiError::new(ProblemCode::Internal, error.to_string()))?;
    let sha256 = hex(ring::digest::digest(&ring::digest::SHA256, &pdf).as_ref());
    tx.execute(
        "INSERT INTO certificates (certificate_id, person_id, verification_code, kind, insurance, from_year, to_year, \
         issued_at, valid_until, sha256, requested_by, mandate_id, proxy_name, pdf) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            certificate_id,
            person_id,
            code,
            enum_name(&request.kind),
            request.insurance.map(|insurance| enum_name(&insurance)),
            from_year,
            to_year,
            now as i64,
            valid_until as i64,
            sha256,
            requester.account_id,
            requester.mandate_id,
            proxy_name,
            pdf
        ],
    )?;
    audit(
        tx,
        now,
        requester.account_id,
        person_id,
        requester.mandate_id,
        "certificate.issue",
        &certificate_id,
    )?;
    Ok(Certificate {
        certificate_id,
        person_id: person_id.to_owned(),
        kind: request.kind,
        insurance: request.insurance,
        from_year,
        to_year,
        verification_code: code,
        issued_at: now,
        valid_until,
        sha256,
        size: pdf.len() as u64,
        requested_by: if requester.mandate_id.is_some() {
            RequestedBy::Proxy
        } else {
            RequestedBy::Holder
        },
        requested_by_name: proxy_name,
        check_url,
    })
}

/// The person a certificate is of, and its PDF.
pub fn pdf(tx: &Transaction<'_>, certificate_id: &str) -> ApiResult<(String, Vec<u8>)> {
    tx.query_row(
        "SELECT person_id, pdf FROM certificates WHERE certificate_id = ?1",
        params![certificate_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("certificate"))
}

/// The certificates issued for `person_id` (by the holder or a proxy),
/// newest first, the expired ones included; each check URL starts with
/// `public_base` (the platform's public base URL now).
pub fn list(
    tx: &Transaction<'_>,
    person_id: &str,
    public_base: &str,
) -> ApiResult<CertificateList> {
    let mut statement = tx.prepare(
        "SELECT certificate_id, kind, insurance, from_year, to_year, verification_code, issued_at, \
         valid_until, sha256, length(pdf), mandate_id, proxy_name \
         FROM certificates WHERE person_id = ?1 ORDER BY issued_at DESC, certificate_id DESC",
    )?;
    let certificates = statement
        .query_map(params![person_id], |row| {
            let insurance: Option<String> = row.get(2)?;
            let code: String = row.get(5)?;
            let mandate_id: Option<String> = row.get(10)?;
            Ok(Certificate {
                certificate_id: row.get(0)?,
                person_id: person_id.to_owned(),
                kind: parse_enum(&row.get::<_, String>(1)?)?,
                insurance: insurance.as_deref().map(parse_enum).transpose()?,
                from_year: row.get(3)?,
                to_year: row.get(4)?,
                check_url: format!("{public_base}/v1/certificate-checks/{code}"),
                verification_code: code,
                issued_at: row.get::<_, i64>(6)?.max(0) as u64,
                valid_until: row.get::<_, i64>(7)?.max(0) as u64,
                sha256: row.get(8)?,
                size: row.get::<_, i64>(9)?.max(0) as u64,
                requested_by: if mandate_id.is_some() {
                    RequestedBy::Proxy
                } else {
                    RequestedBy::Holder
                },
                requested_by_name: row.get(11)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(CertificateList {
        person_id: person_id.to_owned(),
        certificates,
    })
}

/// What a public check learns of the certificate in the row selected by
/// `column = value`, or `None`.
fn found(
    tx: &Transaction<'_>,
    column: &str,
    value: &str,
    issuer_name: &str,
    now: u64,
) -> ApiResult<Option<CertificateCheck>> {
    let row = tx
        .query_row(
            &format!(
                "SELECT c.kind, c.insurance, c.from_year, c.to_year, c.issued_at, c.valid_until, p.name, p.id_number \
                 FROM certificates c JOIN people p ON p.person_id = c.person_id WHERE c.{column} = ?1"
            ),
            params![value],
            |row| {
                let insurance: Option<String> = row.get(1)?;
                Ok(CertificateCheck {
                    state: CertificateState::Valid,
                    kind: Some(parse_enum(&row.get::<_, String>(0)?)?),
                    insurance: insurance.as_deref().map(parse_enum).transpose()?,
                    from_year: row.get(2)?,
                    to_year: row.get(3)?,
                    issued_at: Some(row.get::<_, i64>(4)?.max(0) as u64),
                    valid_until: Some(row.get::<_, i64>(5)?.max(0) as u64),
                    name_masked: Some(mask_name(&row.get::<_, String>(6)?)),
                    id_number_masked: Some(mask(&row.get::<_, String>(7)?)),
                    issuer: Some(issuer_name.to_owned()),
                })
            },
        )
        .optional()?;
    Ok(row.map(|mut check| {
        if check.valid_until.is_some_and(|until| until <= now) {
            check.state = CertificateState::Expired;
        }
        check
    }))
}

/// Seconds until `source` may check again, when its failed checks locked it.
pub fn checks_locked_for(tx: &Transaction<'_>, source: &str, now: u64) -> ApiResult<Option<u64>> {
    limits::locked_for(tx, CHECKS, source, now)
}

/// `GET /v1/certificate-checks/{code}`: the certificate with this code
/// (`code` in canonical form, or `None` when malformed), or `unknown`; an
/// unknown or malformed code counts against `source`.
pub fn check_code(
    tx: &Transaction<'_>,
    code: Option<&str>,
    source: &str,
    issuer_name: &str,
    now: u64,
) -> ApiResult<CertificateCheck> {
    let found = match code {
        Some(code) => found(tx, "verification_code", code, issuer_name, now)?,
        None => None,
    };
    match found {
        Some(check) => Ok(check),
        None => {
            limits::fail(tx, CHECKS, source, now)?;
            Ok(unknown())
        }
    }
}

/// The answer for a code no certificate has.
pub fn unknown() -> CertificateCheck {
    CertificateCheck {
        state: CertificateState::Unknown,
        name_masked: None,
        id_number_masked: None,
        kind: None,
        insurance: None,
        from_year: None,
        to_year: None,
        issued_at: None,
        valid_until: None,
        issuer: None,
    }
}

/// `POST /v1/certificate-checks`: whether `file` is exactly a certificate
/// issued here and still valid. A file not issued here (or changed) counts
/// against `source`.
pub fn check_file(
    tx: &Transaction<'_>,
    file: &[u8],
    source: &str,
    issuer_name: &str,
    now: u64,
) -> ApiResult<CertificateCheck> {
    let sha256 = hex(ring::digest::digest(&ring::digest::SHA256, file).as_ref());
    match found(tx, "sha256", &sha256, issuer_name, now)? {
        Some(check) if check.state == CertificateState::Valid => Ok(check),
        Some(check) => Err(ApiError::new(
            ProblemCode::CertificateExpired,
            format!(
                "this certificate was issued here and expired on {}",
                day(check.valid_until.unwrap_or(now))
            ),
        )),
        None => {
            limits::fail(tx, CHECKS, source, now)?;
            Err(ApiError::new(
                ProblemCode::CertificateInvalid,
                "this file is not a certificate issued by this platform, or it was changed",
            ))
        }
    }
}

/// Removes the person's certificates (account deletion); returns how many.
/// Their codes then check as `unknown`.
pub fn forget_person(tx: &Transaction<'_>, person_id: &str) -> ApiResult<usize> {
    Ok(tx.execute(
        "DELETE FROM certificates WHERE person_id = ?1",
        params![person_id],
    )?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_crockford_characters_and_differ() {
        let first = new_code().unwrap();
        let second = new_code().unwrap();
        assert_eq!(first.len(), 16);
        assert_ne!(first, second);
        assert_eq!(
            ecard_api::insurance::canonical_code(&first).as_deref(),
            Some(first.as_str())
        );
    }
}
