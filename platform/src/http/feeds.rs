//! Endpoints of the public feeds: platform time, the trust list, status
//! lists (full, or a signed delta since an edition), and the catalogue and outlets with ETags and deltas since a
//! version (stored by [`crate::domain::feeds`]).

use ecard_api::catalogue::{CatalogueDelta, CatalogueItem, CatalogueSync, Outlet, OutletDelta};
use ecard_api::problem::{Problem, ProblemCode};

use crate::domain::feeds::{Changes, ITEMS, OUTLETS, changes_since};
use crate::domain::issuer;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};

/// How long a shared cache may answer for the platform with a status list
/// or delta before revalidating it: a loss report reaches terminals behind
/// a cache at most this much later than without one.
pub const STATUS_LIST_CACHE_SECONDS: u32 = 60;
/// The same for the trust list (keys change by planned rotation, with
/// overlap) and the catalogue feeds.
pub const SLOW_FEED_CACHE_SECONDS: u32 = 300;

/// `GET /v1/time`.
pub fn time(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    Reply::ok(&serde_json::json!({ "now": ctx.now }))
}

/// `GET /v1/trust-list`: the signed trust list (an `ecard-signed-trust-list`
/// envelope). Each edition is stored once signed, so its ETag is its
/// sequence.
pub fn trust_list(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let (sequence, envelope) = issuer::signed_trust_list(ctx.tx, &ctx.state.issuer_name, ctx.now)?;
    Ok(Reply::bytes(envelope.into_bytes(), "application/json")
        .with_etag(format!("\"trust-{sequence}\""))
        .with_shared_cache(SLOW_FEED_CACHE_SECONDS))
}

/// The content type of a signed status list delta (`ECSD`), distinct from
/// a full list's so a terminal knows which install to call.
pub const STATUS_DELTA_CONTENT_TYPE: &str = "application/vnd.ecard.status-delta";

/// `GET /v1/status-lists/{list}[?since=<sequence>]`: the signed binary
/// status list; with `since`, the signed delta from that edition when the
/// platform can make one (known, within the kept history, smaller than the
/// list), else the full list. A malformed `since` is a 400
/// (`malformed_request`): the terminal sent something no edition has.
pub fn status_list(ctx: &mut Ctx<'_>, list: &str) -> ApiResult<Reply> {
    let list: u8 = list
        .parse()
        .map_err(|_| ApiError::not_found("status list"))?;
    if list != issuer::STATUS_LIST {
        return Err(ApiError::not_found("status list"));
    }
    let since = ctx
        .query_param("since")
        .map(|text| {
            // Digits only: `u32::from_str` would also take a leading `+`.
            text.bytes()
                .all(|byte| byte.is_ascii_digit())
                .then(|| text.parse::<u32>().ok())
                .flatten()
                .ok_or_else(|| {
                    ApiError(
                        Problem::new(
                            ProblemCode::MalformedRequest,
                            "since must be the sequence number of an edition of the list",
                        )
                        .with_field("since"),
                    )
                })
        })
        .transpose()?;
    if let Some(since) = since
        && let Some((sequence, valid_until, bytes)) =
            issuer::status_delta(&ctx.state.status_cache, ctx.tx, list, since, ctx.now)?
    {
        return Ok(Reply::bytes(bytes, STATUS_DELTA_CONTENT_TYPE)
            .with_etag(format!(
                "\"status-delta-{list}-{since}-{sequence}-{valid_until}\""
            ))
            .with_shared_cache(STATUS_LIST_CACHE_SECONDS));
    }
    let (sequence, valid_until, bytes) =
        issuer::status_list(&ctx.state.status_cache, ctx.tx, list, ctx.now)?;
    // A re-signed edition (same bits, later validity) is a new entity: a
    // terminal must not keep one that is about to go stale.
    Ok(Reply::bytes(bytes, "application/octet-stream")
        .with_etag(format!("\"status-{list}-{sequence}-{valid_until}\""))
        .with_shared_cache(STATUS_LIST_CACHE_SECONDS))
}

fn since(ctx: &Ctx<'_>) -> ApiResult<Option<u64>> {
    ctx.query_param("since")
        .map(|text| {
            text.parse::<u64>()
                .map_err(|_| ApiError::field("since", "a version number"))
        })
        .transpose()
}

/// `GET /v1/catalogue/items?since=`.
pub fn items(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let since = since(ctx)?;
    let Changes {
        version,
        full,
        changed: items,
        removed,
    } = changes_since::<CatalogueItem>(ctx.tx, &ITEMS, since)?;
    let etag = format!("\"items-{version}\"");
    Ok(Reply::ok(&CatalogueDelta {
        version,
        full,
        items,
        removed,
    })?
    .with_etag(etag)
    .with_shared_cache(SLOW_FEED_CACHE_SECONDS))
}

/// `GET /v1/catalogue/outlets?since=`.
pub fn outlets(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let since = since(ctx)?;
    let Changes {
        version,
        full,
        changed: outlets,
        removed,
    } = changes_since::<Outlet>(ctx.tx, &OUTLETS, since)?;
    let etag = format!("\"outlets-{version}\"");
    Ok(Reply::ok(&OutletDelta {
        version,
        full,
        outlets,
        removed,
    })?
    .with_etag(etag)
    .with_shared_cache(SLOW_FEED_CACHE_SECONDS))
}

/// `GET /v1/catalogue/sync?items_since=&outlets_since=&region=`: the item
/// and outlet deltas, the region's rules and its search vocabulary (national
/// entries, then its province's).
pub fn sync(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let parse = |name: &str| {
        ctx.query_param(name)
            .map(|text| {
                text.parse::<u64>()
                    .map_err(|_| ApiError::field(name, "a version number"))
            })
            .transpose()
    };
    let items_since = parse("items_since")?;
    let outlets_since = parse("outlets_since")?;
    let region = ctx
        .query_param("region")
        .unwrap_or_else(|| "360000".to_owned());
    if region.len() != 6 || !region.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ApiError::field("region", "a six-digit division code"));
    }
    let rules = crate::domain::rules::rules_for(ctx.tx, &region)?;
    let Changes {
        version: items_version,
        full: items_full,
        changed: items,
        removed: items_removed,
    } = changes_since::<CatalogueItem>(ctx.tx, &ITEMS, items_since)?;
    let Changes {
        version: outlets_version,
        full: outlets_full,
        changed: outlets,
        removed: outlets_removed,
    } = changes_since::<Outlet>(ctx.tx, &OUTLETS, outlets_since)?;
    let vocabulary = crate::domain::vocabulary::for_region(ctx.tx, &region)?;
    // The vocabulary version covers every list, so a changed national or
    // provincial word is never answered 304.
    let etag = format!(
        "\"sync-{items_version}-{outlets_version}-{}-{}-{}\"",
        rules.region, rules.version, vocabulary.version
    );
    let body = CatalogueSync {
        items: CatalogueDelta {
            version: items_version,
            full: items_full,
            items,
            removed: items_removed,
        },
        outlets: OutletDelta {
            version: outlets_version,
            full: outlets_full,
            outlets,
            removed: outlets_removed,
        },
        rules,
        vocabulary,
    };
    Ok(Reply::ok(&body)?
        .with_etag(etag)
        .with_shared_cache(SLOW_FEED_CACHE_SECONDS))
}
