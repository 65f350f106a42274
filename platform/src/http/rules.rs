//! `GET /v1/rules/{region}`: a province's rules with an ETag.

use crate::domain::rules::rules_for;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};

/// `GET /v1/rules/{region}`.
pub fn get(ctx: &mut Ctx<'_>, region: &str) -> ApiResult<Reply> {
    if region.len() != 6 || !region.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ApiError::field("region", "a six-digit division code"));
    }
    let rules = rules_for(ctx.tx, region)?;
    let etag = format!("\"rules-{}-{}\"", rules.region, rules.version);
    Ok(Reply::ok(&rules)?.with_etag(etag))
}
