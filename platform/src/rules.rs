//! Regional rules as data: stored per province, served with an ETag, and
//! looked up by every workflow instead of branching on regions in code.

use ecard_api::problem::ProblemCode;
use ecard_api::rules::RegionalRules;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::{ApiError, ApiResult};
use crate::http::{Ctx, Reply};
use crate::people::province_of;

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
    serde_json::from_str(&body)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "stored rules unreadable"))
}

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

/// `GET /v1/rules/{region}`.
pub fn get(ctx: &mut Ctx<'_>, region: &str) -> ApiResult<Reply> {
    if region.len() != 6 || !region.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ApiError::field("region", "a six-digit division code"));
    }
    let rules = rules_for(ctx.tx, region)?;
    let etag = format!("\"rules-{}-{}\"", rules.region, rules.version);
    Ok(Reply::ok(&rules)?.with_etag(etag))
}
