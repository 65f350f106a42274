//! Pension eligibility (待遇资格认证) and the pension it keeps flowing.
//!
//! A person the register puts at or over the region's retirement age
//! draws a pension into the card's account on the region's pay day, and
//! must certify once per cycle (12 months in Jiangxi) that they are alive
//! and entitled. The certification is a face check of the pensioner — on
//! their own phone or on a family member's under a mandate with the
//! `eligibility` scope, the face platform's signed result naming the
//! pensioner, not the helper — or, where the region has 无感认证, a recent
//! verified use of the card (a resolution of the holder's own code at a
//! hospital, pharmacy or counter) once the certification comes due.
//!
//! Everything here follows from the latest certification and the clock
//! ([`settle`]): the due date is the cycle after it; past the due date and
//! the grace, payments are suspended (暂停发放) and each month's pension is
//! withheld; a certification resumes them, and the withheld months are paid
//! together (补发). The clock tick settles every pensioner twice a China
//! day, at midnight (suspensions, the certification window) and at the
//! pay hour (the month's pension) ([`advance`]); a certification settles
//! the one person at once — by face ([`certify_by_face`]), or passively
//! when the holder's own code is resolved ([`settle_after_use`]) — and so
//! does a read of the cycle (a pensioner seen for the first time). The list
//! of payments only reads what these wrote.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::eligibility::{
    Certification, CertificationMethod, EligibilityCheck, EligibilityReminder, EligibilityState,
    EligibilityStatus, PassiveUse,
};
use ecard_api::identity::{FaceChallenge, FacePurpose};
use ecard_api::money::PaymentSource;
use ecard_api::problem::ProblemCode;
use ecard_api::rules::{EligibilityRules, RegionalRules};
use ecard_api::service_points::ServicePointKind;
use ecard_documents::Date;

use crate::domain::access::Caller;
use crate::domain::money::{NewPayment, record_payment};
use crate::error::{ApiError, ApiResult};
use crate::store::codec::{enum_name, parse_enum};
use crate::store::db::{meta_get, meta_set, new_id};
use crate::store::rows::{PERSON_COLUMNS, Person, person, person_from_row};

/// Seconds in a day.
const DAY: u64 = 86_400;

/// The hour (China time) at which a pay day's payment is made.
const PAY_HOUR: u64 = 9;

/// A pensioner as the platform holds them.
#[derive(Clone, Debug)]
struct Pensioner {
    monthly_fen: u64,
    first_month: String,
    known_since: u64,
    suspended_at: Option<u64>,
}

/// One stored certification.
#[derive(Clone, Debug)]
struct CertificationRow {
    at: u64,
    method: CertificationMethod,
    device_id: Option<String>,
    helper_account_id: Option<String>,
    operator_kind: Option<String>,
    used_on: Option<String>,
}

/// The dates of a cycle anchored on a certification (or on the day the
/// platform first saw the pensioner).
#[derive(Clone, Copy, Debug)]
struct Cycle {
    due_by: Date,
    grace_until: Date,
    window_opens: Date,
    suspend_from: u64,
}

/// Whether the register's document says the person is a man: the 17th
/// character of a resident ID number is odd for men (GB 11643); other
/// documents carry no sex, and count as men (the later retirement age).
fn is_male(person: &Person) -> bool {
    if person.id_type != "resident_id" {
        return true;
    }
    person
        .id_number
        .as_bytes()
        .get(16)
        .is_none_or(|digit| digit.is_ascii_digit() && (digit - b'0') % 2 == 1)
}

/// The day `months` calendar months after `date`, the day clamped to the
/// month's length (31 January + 1 month = 28 or 29 February).
fn add_months(date: Date, months: u32) -> Option<Date> {
    let index = i64::from(date.year()) * 12 + i64::from(date.month()) - 1 + i64::from(months);
    let year = u16::try_from(index.div_euclid(12)).ok()?;
    let month = u8::try_from(index.rem_euclid(12) + 1).ok()?;
    (28..=date.day())
        .rev()
        .find_map(|day| Date::new(year, month, day))
        .or_else(|| Date::new(year, month, date.day()))
}

fn add_days(date: Date, days: i64) -> Option<Date> {
    Date::from_unix_days(date.to_unix_days() + days)
}

fn midnight(date: Date) -> u64 {
    u64::try_from(date.china_midnight_unix_seconds()).unwrap_or(0)
}

fn out_of_range() -> ApiError {
    ApiError::new(ProblemCode::Internal, "date out of range")
}

fn cycle(rules: &EligibilityRules, anchor_at: u64) -> ApiResult<Cycle> {
    let anchor = Date::in_china_at(anchor_at).ok_or_else(out_of_range)?;
    let due_by = add_months(anchor, rules.cycle_months).ok_or_else(out_of_range)?;
    let grace_until = add_days(due_by, i64::from(rules.grace_days)).ok_or_else(out_of_range)?;
    let window_opens =
        add_days(due_by, -i64::from(rules.due_window_days())).ok_or_else(out_of_range)?;
    let suspend_from = midnight(add_days(grace_until, 1).ok_or_else(out_of_range)?);
    Ok(Cycle {
        due_by,
        grace_until,
        window_opens,
        suspend_from,
    })
}

/// `YYYY-MM` of a date.
fn month_of(date: Date) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// The pay moment of `month` (`YYYY-MM`) on `pay_day`.
fn pay_moment(month: &str, pay_day: u8) -> Option<u64> {
    let (year, month) = month.split_once('-')?;
    let date = Date::new(year.parse().ok()?, month.parse().ok()?, pay_day)?;
    Some(midnight(date) + PAY_HOUR * 3_600)
}

/// The month after `month` (`YYYY-MM`).
fn next_month(month: &str) -> Option<String> {
    let (year, month) = month.split_once('-')?;
    let date = Date::new(year.parse().ok()?, month.parse().ok()?, 1)?;
    add_months(date, 1).map(month_of)
}

/// The month of the first pay moment at or after `at`.
fn first_pay_month(at: u64, pay_day: u8) -> ApiResult<String> {
    let today = Date::in_china_at(at).ok_or_else(out_of_range)?;
    let this = month_of(today);
    match pay_moment(&this, pay_day) {
        Some(moment) if moment >= at => Ok(this),
        _ => next_month(&this).ok_or_else(out_of_range),
    }
}

/// A plausible monthly pension for the sample population, 1,800–3,300
/// yuan, stable per person (sample data).
fn sample_monthly_fen(person_id: &str) -> u64 {
    let hash = person_id.bytes().fold(0u64, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(u64::from(byte))
    });
    180_000 + (hash % 15_000) * 10
}

fn load_pensioner(tx: &Transaction<'_>, person_id: &str) -> ApiResult<Option<Pensioner>> {
    Ok(tx
        .query_row(
            "SELECT monthly_fen, first_month, known_since, suspended_at FROM pensioners WHERE person_id = ?1",
            params![person_id],
            |row| {
                Ok(Pensioner {
                    monthly_fen: row.get::<_, i64>(0)?.max(0) as u64,
                    first_month: row.get(1)?,
                    known_since: row.get::<_, i64>(2)?.max(0) as u64,
                    suspended_at: row.get::<_, Option<i64>>(3)?.map(|at| at.max(0) as u64),
                })
            },
        )
        .optional()?)
}

/// The pensioner row of `person` if the register puts them at or over the
/// retirement age, made on first sight (paid from the next pay day, the
/// first cycle counted from now).
fn pensioner(
    tx: &Transaction<'_>,
    person: &Person,
    rules: &EligibilityRules,
    now: u64,
) -> ApiResult<Option<Pensioner>> {
    let age = crate::domain::dates::age_on(person.birth_date, now).unwrap_or(0);
    if age < rules.retirement_age(is_male(person)) {
        return Ok(None);
    }
    if let Some(found) = load_pensioner(tx, &person.person_id)? {
        return Ok(Some(found));
    }
    let first_month = first_pay_month(now, rules.pension_pay_day)?;
    tx.execute(
        "INSERT INTO pensioners (person_id, monthly_fen, first_month, known_since) VALUES (?1, ?2, ?3, ?4)",
        params![
            person.person_id,
            sample_monthly_fen(&person.person_id) as i64,
            first_month,
            now as i64
        ],
    )?;
    load_pensioner(tx, &person.person_id)
}

fn last_certification(
    tx: &Transaction<'_>,
    person_id: &str,
) -> ApiResult<Option<CertificationRow>> {
    Ok(tx
        .query_row(
            "SELECT at, method, device_id, helper_account_id, operator_kind, used_on \
             FROM eligibility_certifications WHERE person_id = ?1 ORDER BY at DESC, seq DESC LIMIT 1",
            params![person_id],
            |row| {
                let method: String = row.get(1)?;
                Ok(CertificationRow {
                    at: row.get::<_, i64>(0)?.max(0) as u64,
                    method: parse_enum(&method)?,
                    device_id: row.get(2)?,
                    helper_account_id: row.get(3)?,
                    operator_kind: row.get(4)?,
                    used_on: row.get(5)?,
                })
            },
        )
        .optional()?)
}

/// A new certification to store.
struct NewCertification<'a> {
    person_id: &'a str,
    at: u64,
    method: CertificationMethod,
    device_id: Option<&'a str>,
    helper_account_id: Option<&'a str>,
    mandate_id: Option<&'a str>,
    access_record_id: Option<&'a str>,
    operator_kind: Option<&'a str>,
    used_on: Option<&'a str>,
}

fn store_certification(tx: &Transaction<'_>, new: &NewCertification<'_>) -> ApiResult<String> {
    let certification_id = new_id("cert");
    tx.execute(
        "INSERT INTO eligibility_certifications (certification_id, person_id, at, method, device_id, \
         helper_account_id, mandate_id, access_record_id, operator_kind, used_on) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            certification_id,
            new.person_id,
            new.at as i64,
            enum_name(&new.method),
            new.device_id,
            new.helper_account_id,
            new.mandate_id,
            new.access_record_id,
            new.operator_kind,
            new.used_on
        ],
    )?;
    Ok(certification_id)
}

/// The newest use of the holder's own code at a counting kind of service
/// point after `after` and no older than `since`.
fn latest_use(
    tx: &Transaction<'_>,
    person_id: &str,
    kinds: &[ServicePointKind],
    after: u64,
    since: u64,
    now: u64,
) -> ApiResult<Option<(String, u64, String)>> {
    let mut statement = tx.prepare(
        "SELECT r.record_id, r.at, o.kind FROM access_records r JOIN operators o ON o.operator_id = r.operator_id \
         WHERE r.person_id = ?1 AND r.presented_by = 'holder' AND r.at > ?2 AND r.at >= ?3 AND r.at <= ?4 \
         ORDER BY r.at DESC",
    )?;
    let uses: Vec<(String, i64, Option<String>)> = statement
        .query_map(
            params![person_id, after as i64, since as i64, now as i64],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?
        .collect::<Result<_, _>>()?;
    Ok(uses.into_iter().find_map(|(record_id, at, kind)| {
        let kind = kind?;
        kinds
            .iter()
            .any(|counted| counted.name() == kind)
            .then(|| (record_id, at.max(0) as u64, kind))
    }))
}

/// Brings `person`'s eligibility and pension up to `now`: a passive
/// certification once due, suspension past the grace, resumption after a
/// certification (paying the withheld months), and each month's pension.
/// `None` when the person draws no pension.
fn settle(
    tx: &Transaction<'_>,
    person: &Person,
    now: u64,
) -> ApiResult<Option<(Pensioner, RegionalRules)>> {
    let rules = crate::domain::rules::rules_for(tx, &person.region)?;
    let Some(mut pensioner) = pensioner(tx, person, &rules.eligibility, now)? else {
        return Ok(None);
    };
    let today = Date::in_china_at(now).ok_or_else(out_of_range)?;
    let anchor = |last: &Option<CertificationRow>, pensioner: &Pensioner| {
        last.as_ref().map_or(pensioner.known_since, |row| row.at)
    };
    let mut last = last_certification(tx, &person.person_id)?;
    let mut current = cycle(&rules.eligibility, anchor(&last, &pensioner))?;
    if let Some(passive) = &rules.eligibility.passive
        && today >= current.window_opens
    {
        let since = now.saturating_sub(u64::from(passive.within_days) * DAY);
        if let Some((record_id, at, kind)) = latest_use(
            tx,
            &person.person_id,
            &passive.operator_kinds,
            anchor(&last, &pensioner),
            since,
            now,
        )? {
            let used_on = Date::in_china_at(at).map(|date| date.to_string());
            store_certification(
                tx,
                &NewCertification {
                    person_id: &person.person_id,
                    at,
                    method: CertificationMethod::Passive,
                    device_id: None,
                    helper_account_id: None,
                    mandate_id: None,
                    access_record_id: Some(&record_id),
                    operator_kind: Some(&kind),
                    used_on: used_on.as_deref(),
                },
            )?;
            last = last_certification(tx, &person.person_id)?;
            current = cycle(&rules.eligibility, anchor(&last, &pensioner))?;
        }
    }
    let card_id = crate::domain::cards::current_card_of(tx, &person.person_id)?;
    if now >= current.suspend_from {
        if pensioner.suspended_at.is_none() {
            tx.execute(
                "UPDATE pensioners SET suspended_at = ?1 WHERE person_id = ?2",
                params![current.suspend_from as i64, person.person_id],
            )?;
            pensioner.suspended_at = Some(current.suspend_from);
        }
    } else if pensioner.suspended_at.is_some() {
        // Pay the months due while suspended first (withheld), then resume.
        pay_months(tx, person, &pensioner, &rules, card_id.as_deref(), now)?;
        tx.execute(
            "UPDATE pensioners SET suspended_at = NULL WHERE person_id = ?1",
            params![person.person_id],
        )?;
        pensioner.suspended_at = None;
        pay_arrears(tx, person, &rules, card_id.as_deref(), now)?;
    }
    pay_months(tx, person, &pensioner, &rules, card_id.as_deref(), now)?;
    Ok(Some((pensioner, rules)))
}

fn payer(rules: &RegionalRules) -> String {
    format!("{}社会保险事业管理局", rules.name)
}

const PENSION_SCHEME: &str = "基本养老金";

/// Records each pension month whose pay moment has come: paid into the
/// card's account, or withheld while payments are suspended. A pensioner
/// without a card is not paid by the platform.
fn pay_months(
    tx: &Transaction<'_>,
    person: &Person,
    pensioner: &Pensioner,
    rules: &RegionalRules,
    card_id: Option<&str>,
    now: u64,
) -> ApiResult<()> {
    let Some(card_id) = card_id else {
        return Ok(());
    };
    let latest: Option<String> = tx.query_row(
        "SELECT MAX(month) FROM pension_months WHERE person_id = ?1",
        params![person.person_id],
        |row| row.get(0),
    )?;
    let mut month = match latest {
        Some(latest) => next_month(&latest).ok_or_else(out_of_range)?,
        None => pensioner.first_month.clone(),
    };
    let payer = payer(rules);
    while let Some(moment) = pay_moment(&month, rules.eligibility.pension_pay_day) {
        if moment > now {
            break;
        }
        let withheld = pensioner.suspended_at.is_some_and(|since| since <= moment);
        let payment_id = if withheld {
            None
        } else {
            Some(record_payment(
                tx,
                &NewPayment {
                    person_id: &person.person_id,
                    card_id,
                    source: PaymentSource::Pension,
                    programme: PENSION_SCHEME,
                    amount_fen: pensioner.monthly_fen,
                    payer: &payer,
                    paid_at: moment,
                    months: std::slice::from_ref(&month),
                    sample: true,
                },
            )?)
        };
        tx.execute(
            "INSERT INTO pension_months (person_id, month, amount_fen, due_at, payment_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                person.person_id,
                month,
                pensioner.monthly_fen as i64,
                moment as i64,
                payment_id
            ],
        )?;
        month = next_month(&month).ok_or_else(out_of_range)?;
    }
    Ok(())
}

/// After a suspension ends: the withheld months in one payment (补发).
fn pay_arrears(
    tx: &Transaction<'_>,
    person: &Person,
    rules: &RegionalRules,
    card_id: Option<&str>,
    now: u64,
) -> ApiResult<()> {
    let Some(card_id) = card_id else {
        return Ok(());
    };
    let withheld = withheld_months(tx, &person.person_id)?;
    if withheld.is_empty() {
        return Ok(());
    }
    let months: Vec<String> = withheld.iter().map(|(month, _)| month.clone()).collect();
    let total: u64 = withheld.iter().map(|(_, amount)| amount).sum();
    let payment_id = record_payment(
        tx,
        &NewPayment {
            person_id: &person.person_id,
            card_id,
            source: PaymentSource::Pension,
            programme: "基本养老金补发",
            amount_fen: total,
            payer: &payer(rules),
            paid_at: now,
            months: &months,
            sample: true,
        },
    )?;
    tx.execute(
        "UPDATE pension_months SET payment_id = ?1 WHERE person_id = ?2 AND payment_id IS NULL",
        params![payment_id, person.person_id],
    )?;
    Ok(())
}

fn withheld_months(tx: &Transaction<'_>, person_id: &str) -> ApiResult<Vec<(String, u64)>> {
    let mut statement = tx.prepare(
        "SELECT month, amount_fen FROM pension_months WHERE person_id = ?1 AND payment_id IS NULL ORDER BY month",
    )?;
    let rows = statement
        .query_map(params![person_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?.max(0) as u64,
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// `person_id`'s current cycle, settled up to `now`.
pub fn status(tx: &Transaction<'_>, person_id: &str, now: u64) -> ApiResult<EligibilityStatus> {
    let person = person(tx, person_id)?;
    let Some((pensioner, rules)) = settle(tx, &person, now)? else {
        return Ok(EligibilityStatus {
            person_id: person_id.to_owned(),
            state: EligibilityState::NotRequired,
            due_by: None,
            grace_until: None,
            last_certification: None,
            reminders: Vec::new(),
            payments_suspended: false,
            suspended_since: None,
            withheld_months: Vec::new(),
        });
    };
    let today = Date::in_china_at(now).ok_or_else(out_of_range)?;
    let last = last_certification(tx, person_id)?;
    let current = cycle(
        &rules.eligibility,
        last.as_ref().map_or(pensioner.known_since, |row| row.at),
    )?;
    let state = if pensioner.suspended_at.is_some() {
        EligibilityState::Suspended
    } else if today > current.due_by {
        EligibilityState::Overdue
    } else if today >= current.window_opens {
        EligibilityState::Due
    } else {
        EligibilityState::Certified
    };
    let mut days = rules.eligibility.reminder_days_before.clone();
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    let reminders = days
        .into_iter()
        .filter_map(|days_before| {
            let on = add_days(current.due_by, -i64::from(days_before))?;
            Some(EligibilityReminder {
                days_before,
                on: on.to_string(),
                due: today >= on,
            })
        })
        .collect();
    let last_certification = last.map(|row| -> crate::store::sql::Result<Certification> {
        Ok(Certification {
            at: row.at,
            method: row.method,
            device_id: row.device_id,
            helper_account_id: row.helper_account_id,
            passive_use: match (row.operator_kind, row.used_on) {
                (Some(kind), Some(used_on)) => Some(PassiveUse {
                    operator_kind: parse_enum(&kind)?,
                    used_on,
                }),
                _ => None,
            },
        })
    });
    Ok(EligibilityStatus {
        person_id: person_id.to_owned(),
        state,
        due_by: Some(current.due_by.to_string()),
        grace_until: Some(current.grace_until.to_string()),
        last_certification: last_certification.transpose()?,
        reminders,
        payments_suspended: pensioner.suspended_at.is_some(),
        suspended_since: pensioner.suspended_at,
        withheld_months: withheld_months(tx, person_id)?
            .into_iter()
            .map(|(month, _)| month)
            .collect(),
    })
}

/// Starts a face check of `person_id`'s eligibility on the caller's
/// device: a challenge the face platform's result must name the pensioner
/// and this device for. `mandate_id` is the mandate a helper acts under.
pub fn start_check(
    tx: &Transaction<'_>,
    caller: &Caller,
    person_id: &str,
    mandate_id: Option<&str>,
    now: u64,
) -> ApiResult<EligibilityCheck> {
    let person = person(tx, person_id)?;
    if settle(tx, &person, now)?.is_none() {
        return Err(ApiError::state(
            "this person draws no pension: there is no eligibility to certify",
        ));
    }
    let check_id = new_id("elig");
    tx.execute(
        "INSERT INTO eligibility_checks (check_id, person_id, account_id, device_id, mandate_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            check_id,
            person_id,
            caller.account_id,
            caller.device_id,
            mandate_id,
            now as i64
        ],
    )?;
    let binding = crate::domain::face::device_binding(caller.device_key.as_bytes());
    let issued = crate::domain::face::issue_challenge(
        tx,
        FacePurpose::EligibilityCheck,
        person_id,
        &binding,
        &check_id,
        now,
    )?;
    Ok(EligibilityCheck {
        check_id,
        person_id: person_id.to_owned(),
        face: FaceChallenge {
            challenge: issued.challenge,
            purpose: FacePurpose::EligibilityCheck,
            device_binding: binding,
            expires_at: issued.expires_at,
        },
    })
}

/// A face check in progress.
#[derive(Clone, Debug)]
pub struct OpenCheck {
    /// The check.
    pub check_id: String,
    /// The pensioner.
    pub person_id: String,
    /// The account that started it.
    pub account_id: String,
    /// The device that started it.
    pub device_id: String,
}

/// The open check `check_id` of `caller`: another account's check is not
/// found, a completed one is refused.
pub fn open_check(tx: &Transaction<'_>, caller: &Caller, check_id: &str) -> ApiResult<OpenCheck> {
    let row: Option<(String, String, String, Option<i64>)> = tx
        .query_row(
            "SELECT person_id, account_id, device_id, completed_at FROM eligibility_checks WHERE check_id = ?1",
            params![check_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    let Some((person_id, account_id, device_id, completed_at)) =
        row.filter(|(_, account_id, device_id, _)| {
            *account_id == caller.account_id && *device_id == caller.device_id
        })
    else {
        return Err(ApiError::not_found("eligibility check"));
    };
    if completed_at.is_some() {
        return Err(ApiError::state(
            "this eligibility check is complete: start a new one",
        ));
    }
    Ok(OpenCheck {
        check_id: check_id.to_owned(),
        person_id,
        account_id,
        device_id,
    })
}

/// Records the face certification of `check` (the face result already
/// confirmed the pensioner): by the device that ran it, naming the helper
/// when a mandate was used; then settles the pensioner, which resumes
/// suspended payments and pays the withheld months.
pub fn certify_by_face(
    tx: &Transaction<'_>,
    check: &OpenCheck,
    mandate_id: Option<&str>,
    now: u64,
) -> ApiResult<EligibilityStatus> {
    store_certification(
        tx,
        &NewCertification {
            person_id: &check.person_id,
            at: now,
            method: CertificationMethod::Face,
            device_id: Some(&check.device_id),
            helper_account_id: mandate_id.map(|_| check.account_id.as_str()),
            mandate_id,
            access_record_id: None,
            operator_kind: None,
            used_on: None,
        },
    )?;
    tx.execute(
        "UPDATE eligibility_checks SET completed_at = ?1 WHERE check_id = ?2",
        params![now as i64, check.check_id],
    )?;
    status(tx, &check.person_id, now)
}

/// The sample history of a seeded pensioner: a face certification at a
/// counter `certified_days_ago` days before `now`, and the pension of the
/// past `months` months paid (sample data).
pub fn seed_sample(
    tx: &Transaction<'_>,
    person_id: &str,
    certified_days_ago: u64,
    months: u32,
    now: u64,
) -> ApiResult<()> {
    let person = person(tx, person_id)?;
    let rules = crate::domain::rules::rules_for(tx, &person.region)?;
    let certified_at = now.saturating_sub(certified_days_ago * DAY);
    store_certification(
        tx,
        &NewCertification {
            person_id,
            at: certified_at,
            method: CertificationMethod::Face,
            device_id: None,
            helper_account_id: None,
            mandate_id: None,
            access_record_id: None,
            operator_kind: None,
            used_on: None,
        },
    )?;
    let Some(pensioner) = pensioner(tx, &person, &rules.eligibility, now)? else {
        return Ok(());
    };
    let Some(card_id) = crate::domain::cards::current_card_of(tx, person_id)? else {
        return Ok(());
    };
    let today = Date::in_china_at(now).ok_or_else(out_of_range)?;
    let payer = payer(&rules);
    for back in (0..months).rev() {
        let Some(day) =
            crate::domain::money::months_before(today, back, rules.eligibility.pension_pay_day)
        else {
            continue;
        };
        let month = month_of(day);
        let Some(moment) = pay_moment(&month, rules.eligibility.pension_pay_day) else {
            continue;
        };
        if moment > now {
            continue;
        }
        let payment_id = record_payment(
            tx,
            &NewPayment {
                person_id,
                card_id: &card_id,
                source: PaymentSource::Pension,
                programme: PENSION_SCHEME,
                amount_fen: pensioner.monthly_fen,
                payer: &payer,
                paid_at: moment,
                months: std::slice::from_ref(&month),
                sample: true,
            },
        )?;
        tx.execute(
            "INSERT INTO pension_months (person_id, month, amount_fen, due_at, payment_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![person_id, month, pensioner.monthly_fen as i64, moment as i64, payment_id],
        )?;
    }
    Ok(())
}

/// The half of the China day `now` falls in, counted from the epoch: a
/// new one begins at midnight (when suspensions start and reminders and
/// certification windows open, all on China days) and at [`PAY_HOUR`]
/// (when a pay day's pension is paid).
fn settlement_slot(now: u64) -> u64 {
    let china = now + 8 * 3_600;
    let day = china / DAY;
    day * 2 + u64::from(china % DAY >= PAY_HOUR * 3_600)
}

/// After a verified use of `person_id`'s own code at a service point (an
/// access record with `presented_by = holder`): a pensioner's
/// certification may be complete now (无感认证), resuming suspended
/// payments and paying the withheld months, so they are settled at once
/// rather than at the next tick. Someone the platform holds no pensioner
/// for is left to the tick: their first cycle only begins when it first
/// sees them, so no use can certify yet. A refusal (a region without
/// rules) does not fail the resolution.
pub fn settle_after_use(tx: &Transaction<'_>, person_id: &str, now: u64) -> ApiResult<()> {
    let known = tx
        .query_row(
            "SELECT 1 FROM pensioners WHERE person_id = ?1",
            params![person_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !known {
        return Ok(());
    }
    let person = person(tx, person_id)?;
    match settle(tx, &person, now) {
        Ok(_) => Ok(()),
        Err(error) if error.code() != ProblemCode::Internal => Ok(()),
        Err(error) => Err(error),
    }
}

/// The clock tick: twice per China day ([`settlement_slot`]), settles
/// every person the register puts near or over a retirement age, so each
/// pay day's pension is in the payments from the pay hour on without
/// anyone reading the cycle. A person whose region has no rules is skipped
/// rather than failing every request.
pub fn advance(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let slot = settlement_slot(now) as i64;
    if meta_get(tx, "eligibility_slot")? == Some(slot) {
        return Ok(());
    }
    meta_set(tx, "eligibility_slot", slot)?;
    let Some(today) = Date::in_china_at(now) else {
        return Ok(());
    };
    // Nobody retires before 50 in any region's rules.
    let cutoff = Date::new(today.year().saturating_sub(50), today.month(), 1)
        .map_or_else(|| "0000-00-00".to_owned(), |date| date.to_string());
    let mut statement = tx.prepare(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE birth_date <= ?1 ORDER BY person_id"
    ))?;
    let people: Vec<Person> = statement
        .query_map(params![cutoff], person_from_row)?
        .collect::<Result<_, _>>()?;
    for person in people {
        match settle(tx, &person, now) {
            Ok(_) => {}
            Err(error) if error.code() != ProblemCode::Internal => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn months_are_added_on_the_calendar_and_clamped() {
        let date = |y, m, d| Date::new(y, m, d).unwrap();
        assert_eq!(add_months(date(2025, 1, 31), 1), Some(date(2025, 2, 28)));
        assert_eq!(add_months(date(2024, 1, 31), 1), Some(date(2024, 2, 29)));
        assert_eq!(add_months(date(2025, 6, 2), 12), Some(date(2026, 6, 2)));
        assert_eq!(next_month("2025-12").as_deref(), Some("2026-01"));
    }

    #[test]
    fn the_tick_settles_at_china_midnight_and_at_the_pay_hour() {
        let at = |y, m, d, hour: u64| midnight(Date::new(y, m, d).unwrap()) + hour * 3_600;
        let slot = settlement_slot;
        assert_eq!(slot(at(2026, 3, 14, 0)), slot(at(2026, 3, 14, 8)));
        assert_eq!(slot(at(2026, 3, 14, 9)), slot(at(2026, 3, 14, 8)) + 1);
        assert_eq!(slot(at(2026, 3, 14, 9)), slot(at(2026, 3, 14, 23)));
        assert_eq!(slot(at(2026, 3, 15, 0)), slot(at(2026, 3, 14, 23)) + 1);
        // The pay moment falls in the slot that begins with it.
        let pay = pay_moment("2026-03", 14).unwrap();
        assert_eq!(slot(pay), slot(pay - 1) + 1);
    }

    #[test]
    fn the_sex_digit_of_a_resident_id_decides_the_retirement_age() {
        let mut person = Person {
            person_id: "p".into(),
            id_type: "resident_id".into(),
            id_number: "36010219480602046X".into(),
            name: "刘桂兰".into(),
            birth_date: Date::new(1948, 6, 2).unwrap(),
            region: "360102".into(),
            household_register: None,
            birth_certificate: None,
            phone: None,
            self_supporting: false,
        };
        assert!(!is_male(&person));
        person.id_number = "360102194806020513".into();
        assert!(is_male(&person));
    }
}
