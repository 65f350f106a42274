//! Regional rules as data: stored per province, served with an ETag, and
//! looked up by every workflow instead of branching on regions in code.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::problem::ProblemCode;
use ecard_api::rules::RegionalRules;

use crate::error::{ApiError, ApiResult};

/// The rules that govern `region` (any code inside a province).
pub fn rules_for(tx: &Transaction<'_>, region: &str) -> ApiResult<RegionalRules> {
    let province = province_of(region);
    let body: String = tx
        .query_row(
            "SELECT body FROM rules WHERE region = ?1",
            params![province],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            ApiError::new(
                ProblemCode::NotFound,
                format!("no rules for region {province}"),
            )
        })?;
    parsed(&province, body)
}

/// The last parsed rules document of each province, with its text.
static PARSED: LazyLock<Mutex<HashMap<String, (String, RegionalRules)>>> =
    LazyLock::new(Mutex::default);

/// `body`, the stored rules of `province`, parsed. A request reads its
/// region's rules several times (a submission four), and parsing the
/// document each time cost more than all of the submission's other reads,
/// inside the transaction. The parse is kept with the text it came from
/// and reused only for the same text, so a changed document is parsed
/// afresh and nothing kept is ever out of date.
fn parsed(province: &str, body: String) -> ApiResult<RegionalRules> {
    let mut kept = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((text, rules)) = kept.get(province)
        && *text == body
    {
        return Ok(rules.clone());
    }
    let rules: RegionalRules = serde_json::from_str(&body)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "stored rules unreadable"))?;
    kept.insert(province.to_owned(), (body, rules.clone()));
    Ok(rules)
}

/// Checks a rules document before it is stored: a province code, values in
/// the ranges the workflows and the credential format can honour, and at
/// least one co-branded bank.
pub fn validate(rules: &RegionalRules) -> ApiResult<()> {
    let region = rules.region.as_bytes();
    if region.len() != 6
        || !region.iter().all(u8::is_ascii_digit)
        || !rules.region.ends_with("0000")
        || rules.region.starts_with('0')
    {
        return Err(ApiError::field(
            "region",
            "a province-level division code such as 360000",
        ));
    }
    let name_length = rules.name.trim().chars().count();
    if name_length == 0 || name_length > 64 {
        return Err(ApiError::field("name", "1–64 characters"));
    }
    let ranges: [(&str, u32, u32, u32); 8] = [
        (
            "temporary_loss_lapse_days",
            rules.temporary_loss_lapse_days,
            1,
            365,
        ),
        (
            "credential_lifetime_hours",
            rules.credential_lifetime_hours,
            24,
            72,
        ),
        ("relative_quota", rules.relative_quota, 0, 100),
        ("adult_age", rules.adult_age, 1, 30),
        ("production_days", rules.production_days, 0, 365),
        ("delivery_days", rules.delivery_days, 0, 365),
        (
            "replacement_fee_fen",
            rules.replacement_fee_fen,
            0,
            1_000_000,
        ),
        ("postage_fen", rules.postage_fen, 0, 1_000_000),
    ];
    for (field, value, low, high) in ranges {
        if !(low..=high).contains(&value) {
            return Err(ApiError::field(field, format!("between {low} and {high}")));
        }
    }
    let photo = &rules.photo;
    if photo.min_width == 0
        || photo.min_height == 0
        || photo.min_width > photo.max_width
        || photo.min_height > photo.max_height
        || photo.min_bytes > photo.max_bytes
        || photo.max_bytes as usize > ecard_api::MAX_BODY_BYTES / 4 * 3
    {
        return Err(ApiError::field(
            "photo",
            "minimums above zero and not above the maximums; at most 192 KiB",
        ));
    }
    if rules.banks.is_empty() {
        return Err(ApiError::field(
            "banks",
            "name at least one co-branded bank",
        ));
    }
    if !(1..=48).contains(&rules.status_list_max_age_hours) {
        return Err(ApiError::field(
            "status_list_max_age_hours",
            "1–48 hours (status lists are valid for at most 48 hours)",
        ));
    }
    let on_behalf = &rules.on_behalf;
    let source_length = on_behalf.source.trim().chars().count();
    if source_length == 0 || source_length > 300 {
        return Err(ApiError::field(
            "on_behalf",
            "a source of 1–300 characters saying where the policy comes from",
        ));
    }
    if on_behalf
        .proxy
        .contains(&ecard_api::rules::Purpose::Identity)
    {
        // Nobody proves another adult's identity on their code.
        return Err(ApiError::field(
            "on_behalf",
            "a family proxy's code cannot be accepted for identity",
        ));
    }
    validate_life_events(rules)?;
    let mut codes = std::collections::HashSet::new();
    for bank in &rules.banks {
        let code = bank.code.as_bytes();
        if code.is_empty()
            || code.len() > 16
            || !code
                .iter()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
            || bank.name.trim().is_empty()
            || !codes.insert(bank.code.as_str())
        {
            return Err(ApiError::field(
                "banks",
                "unique lowercase codes of 1–16 letters or digits, each with a name",
            ));
        }
    }
    Ok(())
}

/// Checks the minor, newborn and instant-issue sections: ages below the
/// age of majority, lead times in range, each with its source.
fn validate_life_events(rules: &RegionalRules) -> ApiResult<()> {
    let sourced = |field: &str, source: &str| {
        let length = source.trim().chars().count();
        if length == 0 || length > MAX_SOURCE_CHARACTERS {
            return Err(ApiError::field(
                field,
                format!(
                    "a source of 1–{MAX_SOURCE_CHARACTERS} characters saying where the rule comes from"
                ),
            ));
        }
        Ok(())
    };
    let minors = &rules.minors;
    sourced("minors", &minors.source)?;
    if minors
        .self_supporting_from_age
        .is_some_and(|age| age == 0 || age >= rules.adult_age)
    {
        return Err(ApiError::field(
            "minors.self_supporting_from_age",
            "an age above zero and below adult_age",
        ));
    }
    if minors
        .through_guardian
        .contains(&ecard_api::resident::Scope::Track)
    {
        // A minor always sees their own card and applications.
        return Err(ApiError::field(
            "minors.through_guardian",
            "apply, replace, report_loss, activate, show_code or login",
        ));
    }
    let newborn = &rules.newborn;
    sourced("newborn", &newborn.source)?;
    if !(0..=30).contains(&newborn.registration_days) {
        return Err(ApiError::field(
            "newborn.registration_days",
            "between 0 and 30",
        ));
    }
    if newborn.photo_exempt_under_age > rules.adult_age {
        return Err(ApiError::field(
            "newborn.photo_exempt_under_age",
            "not above adult_age",
        ));
    }
    let instant = &rules.instant_issue;
    sourced("instant_issue", &instant.source)?;
    if !(1..=90).contains(&instant.hold_days) {
        return Err(ApiError::field(
            "instant_issue.hold_days",
            "between 1 and 90",
        ));
    }
    validate_eligibility(rules, &sourced)?;
    validate_concessions(rules, sourced)
}

/// Checks pension eligibility: a cycle of 1–60 months, up to a year of
/// grace, at most 8 reminders within a year, retirement from 50 to 80 (the
/// clock tick looks at nobody younger than 50), a pay day every month has
/// (1–28), and a passive window of 1–365 days.
fn validate_eligibility(
    rules: &RegionalRules,
    sourced: &impl Fn(&str, &str) -> ApiResult<()>,
) -> ApiResult<()> {
    let eligibility = &rules.eligibility;
    sourced("eligibility", &eligibility.source)?;
    let ranges = [
        ("eligibility.cycle_months", eligibility.cycle_months, 1, 60),
        ("eligibility.grace_days", eligibility.grace_days, 0, 365),
        (
            "eligibility.retirement_age_men",
            eligibility.retirement_age_men,
            50,
            80,
        ),
        (
            "eligibility.retirement_age_women",
            eligibility.retirement_age_women,
            50,
            80,
        ),
        (
            "eligibility.pension_pay_day",
            u32::from(eligibility.pension_pay_day),
            1,
            28,
        ),
    ];
    for (field, value, low, high) in ranges {
        if !(low..=high).contains(&value) {
            return Err(ApiError::field(field, format!("between {low} and {high}")));
        }
    }
    if eligibility.reminder_days_before.len() > 8
        || eligibility
            .reminder_days_before
            .iter()
            .any(|days| !(1..=365).contains(days))
    {
        return Err(ApiError::field(
            "eligibility.reminder_days_before",
            "at most 8 reminders, each 1–365 days before",
        ));
    }
    if let Some(passive) = &eligibility.passive
        && (!(1..=365).contains(&passive.within_days) || passive.operator_kinds.len() > 9)
    {
        return Err(ApiError::field(
            "eligibility.passive",
            "a window of 1–365 days and at most 9 kinds of service point",
        ));
    }
    Ok(())
}

/// Checks the concession classes: each a real class with a sensible basis,
/// its source and at most a few benefits.
fn validate_concessions(
    rules: &RegionalRules,
    sourced: impl Fn(&str, &str) -> ApiResult<()>,
) -> ApiResult<()> {
    use ecard_api::rules::{ConcessionBasis, ConcessionClass};
    let classes = &rules.concessions.classes;
    if classes.len() > 16 {
        return Err(ApiError::field("concessions.classes", "at most 16 classes"));
    }
    for rule in classes {
        sourced("concessions.classes.source", &rule.source)?;
        if rule.class == ConcessionClass::Standard {
            return Err(ApiError::field(
                "concessions.classes.class",
                "a concession class, not standard",
            ));
        }
        if let ConcessionBasis::Age { from, below } = rule.basis {
            let sensible = |age: Option<u32>| age.is_none_or(|age| age <= 150);
            if (from.is_none() && below.is_none())
                || !sensible(from)
                || !sensible(below)
                || matches!((from, below), (Some(from), Some(below)) if from >= below)
            {
                return Err(ApiError::field(
                    "concessions.classes.basis",
                    "an age range with `from` below `below`, ages up to 150",
                ));
            }
        }
        if rule.benefits.len() > 8
            || rule.benefits.iter().any(|benefit| {
                let length = benefit.places.trim().chars().count();
                length == 0 || length > 100
            })
        {
            return Err(ApiError::field(
                "concessions.classes.benefits",
                "at most 8 benefits, each naming its places in 1–100 characters",
            ));
        }
    }
    Ok(())
}

/// The longest source line a rules section may carry.
const MAX_SOURCE_CHARACTERS: usize = 600;

/// Stores (or replaces) a rules document, bumping its version.
pub fn store(tx: &Transaction<'_>, rules: &RegionalRules) -> ApiResult<u64> {
    let current: Option<u64> = tx
        .query_row(
            "SELECT version FROM rules WHERE region = ?1",
            params![rules.region],
            |row| row.get(0),
        )
        .optional()?;
    let mut rules = rules.clone();
    rules.version = current.map_or(rules.version.max(1), |version| version + 1);
    tx.execute(
        "INSERT INTO rules (region, version, body) VALUES (?1, ?2, ?3) \
         ON CONFLICT(region) DO UPDATE SET version = excluded.version, body = excluded.body",
        params![rules.region, rules.version, serde_json::to_string(&rules)?],
    )?;
    Ok(rules.version)
}

/// The province code of a region code.
pub fn province_of(region: &str) -> String {
    format!("{}0000", region.get(..2).unwrap_or("00"))
}
