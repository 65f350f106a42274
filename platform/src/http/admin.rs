//! Operator endpoints (`/admin/…`, bearer admin token): the simulated clock,
//! the population register, counter-side acts (release at a counter,
//! consent at a counter), the bank's and card bureau's reports, key
//! rotation, catalogue edits and the search vocabulary. Tests and the demo drive the platform
//! through them; a production platform has its own back office instead.

use axum::http::StatusCode;
use ecard_api::catalogue::{CatalogueItem, Outlet};
use ecard_api::rules::RegionalRules;
use ecard_credential::Suite;
use ecard_documents::Date;
use serde::Deserialize;

use crate::domain::access::Disclosure;
use crate::domain::register::{NewPerson, insert_card, insert_person};
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::store::rows::card;

/// `POST /admin/clock/advance` body.
#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

/// `POST /admin/clock/advance`: moves the platform clock and runs what
/// became due.
pub fn advance_clock(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: Advance = ctx.json()?;
    if request.seconds > 10 * 365 * 86_400 {
        return Err(ApiError::field("seconds", "at most ten years at a time"));
    }
    if ctx.now.saturating_add(request.seconds) >= crate::store::clock::LATEST {
        return Err(ApiError::field(
            "seconds",
            "the platform clock stays before 2100 (codes carry 32-bit times)",
        ));
    }
    let now = crate::store::clock::advance(ctx.tx, request.seconds)?;
    ctx.state.remember_now(now);
    (ctx.state.tick)(ctx.tx, now)?;
    Reply::ok(&serde_json::json!({ "now": now }))
}

/// `POST /admin/people`.
pub fn add_person(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: NewPerson = ctx.json()?;
    let person_id = insert_person(ctx.tx, &request, ctx.now)?;
    Reply::json(
        StatusCode::CREATED,
        &serde_json::json!({ "person_id": person_id }),
    )
}

/// A card issued at a counter before the app was used.
#[derive(Deserialize)]
struct ExistingCard {
    bank: String,
}

/// `POST /admin/people/{id}/cards`.
pub fn add_card(ctx: &mut Ctx<'_>, person_id: &str) -> ApiResult<Reply> {
    let request: ExistingCard = ctx.json()?;
    let card_id = insert_card(ctx.tx, person_id, &request.bank, ctx.now)?;
    Reply::json(
        StatusCode::CREATED,
        &card(ctx.tx, &card_id)?.view(Disclosure::HOLDER),
    )
}

#[derive(Deserialize)]
struct Rotate {
    suite: Suite,
}

/// `POST /admin/issuer/rotate`.
pub fn rotate_key(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: Rotate = ctx.json()?;
    let key_id = crate::domain::issuer::rotate(ctx.tx, ctx.now, request.suite)?;
    Reply::ok(&serde_json::json!({ "key_id": key_id }))
}

/// `GET /admin/trust/authority-keys`: the authority keys that sign the trust
/// list, for provisioning terminals (`ecard verify --authority-key`).
pub fn authority_keys(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let keys = crate::domain::issuer::authority_keys(ctx.tx, &ctx.state.issuer_name, ctx.now)?;
    Reply::ok(&keys)
}

#[derive(Deserialize)]
struct RotateAuthority {
    suite: Suite,
    overlap_hours: u64,
}

/// `POST /admin/trust/authority-keys/rotate`: a new authority key joins the
/// trust list; the current one signs until the overlap ends.
pub fn rotate_authority_key(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: RotateAuthority = ctx.json()?;
    let (key, outgoing_until) = crate::domain::issuer::rotate_authority_key(
        ctx.tx,
        ctx.now,
        request.suite,
        request.overlap_hours,
    )?;
    Reply::ok(&serde_json::json!({ "key": key, "outgoing_until": outgoing_until }))
}

/// `POST /admin/cards/{id}/bank-account-closed`: the original bank reports
/// the account closed and the old card collected.
pub fn bank_account_closed(ctx: &mut Ctx<'_>, card_id: &str) -> ApiResult<Reply> {
    crate::domain::cards::record_bank_account_closed(ctx.tx, card_id)?;
    Reply::ok(&card(ctx.tx, card_id)?.view(Disclosure::HOLDER))
}

/// `POST /admin/cards/{id}/validity`: records the card's last valid day
/// (有效期) as the card management system holds it (`null`: none). No
/// credential is issued past it, and none at all once it has passed. The
/// field is required, so a forgotten one never clears a recorded date.
pub fn card_validity(ctx: &mut Ctx<'_>, card_id: &str) -> ApiResult<Reply> {
    let request: serde_json::Map<String, serde_json::Value> = ctx.json()?;
    let invalid = || ApiError::field("valid_through", "a calendar date YYYY-MM-DD, or null");
    let valid_through = match request.get("valid_through") {
        None => return Err(invalid()),
        Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(text)) => Some(Date::parse(text).ok_or_else(invalid)?),
        Some(_) => return Err(invalid()),
    };
    crate::domain::cards::record_validity(ctx.tx, card_id, valid_through)?;
    Reply::ok(&serde_json::json!({
        "card_id": card_id,
        "valid_through": valid_through,
    }))
}

/// `POST /admin/cards/{id}/release`: release at a counter (any region).
pub fn counter_release(ctx: &mut Ctx<'_>, card_id: &str) -> ApiResult<Reply> {
    let found = card(ctx.tx, card_id)?;
    let rules = crate::domain::rules::rules_for(ctx.tx, &found.region)?;
    crate::domain::cards::release(
        ctx.tx,
        &found,
        ctx.now,
        rules.formal_loss_reversible,
        "released_at_counter",
    )?;
    crate::store::audit::audit(
        ctx.tx,
        ctx.now,
        "counter",
        &found.person_id,
        None,
        "card.loss_report.release_at_counter",
        card_id,
    )?;
    Reply::ok(&card(ctx.tx, card_id)?.view(Disclosure::HOLDER))
}

#[derive(Deserialize)]
struct Failure {
    reason: String,
}

/// `POST /admin/applications/{id}/fail`: the card bureau reports a failed production.
pub fn fail_production(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    let request: Failure = ctx.json()?;
    Reply::ok(&crate::domain::applications::fail_production(
        ctx.tx,
        application_id,
        &request.reason,
        ctx.now,
    )?)
}

/// `POST /admin/delegations/{id}/consent`: consent given at a counter.
pub fn counter_consent(ctx: &mut Ctx<'_>, delegation_id: &str) -> ApiResult<Reply> {
    Reply::ok(&crate::domain::delegations::record_consent(
        ctx.tx,
        delegation_id,
        "counter",
        "mandate.consent.counter",
        ctx.now,
    )?)
}

/// Whether a feed entry id is usable in a path: 1–64 visible ASCII
/// characters, no `/`.
fn entry_id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'/')
}

/// `PUT /admin/catalogue/items`.
pub fn put_items(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let items: Vec<CatalogueItem> = ctx.json()?;
    for item in &items {
        if !entry_id_ok(&item.id) {
            return Err(ApiError::field(
                "id",
                "1–64 visible ASCII characters, no '/'",
            ));
        }
        if item.name.trim().is_empty() || item.short_label.trim().is_empty() {
            return Err(ApiError::field("name", "a name and a short label"));
        }
    }
    let version = crate::domain::feeds::store_items(ctx.tx, &items)?;
    Reply::ok(&serde_json::json!({ "version": version }))
}

/// `DELETE /admin/catalogue/items/{id}`.
pub fn delete_item(ctx: &mut Ctx<'_>, id: &str) -> ApiResult<Reply> {
    let version = crate::domain::feeds::remove_item(ctx.tx, id)?;
    Reply::ok(&serde_json::json!({ "version": version }))
}

/// `PUT /admin/outlets`.
pub fn put_outlets(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let outlets: Vec<Outlet> = ctx.json()?;
    for outlet in &outlets {
        if !entry_id_ok(&outlet.id) {
            return Err(ApiError::field(
                "id",
                "1–64 visible ASCII characters, no '/'",
            ));
        }
        if !(-90.0..=90.0).contains(&outlet.latitude)
            || !(-180.0..=180.0).contains(&outlet.longitude)
        {
            return Err(ApiError::field("latitude", "WGS-84 degrees"));
        }
        if outlet.hours.iter().any(|period| {
            period.opens >= period.closes
                || period.closes > 24 * 60
                || period.weekdays.iter().any(|day| !(1..=7).contains(day))
        }) {
            return Err(ApiError::field(
                "hours",
                "weekdays 1–7, opening before closing, minutes of one day",
            ));
        }
    }
    let version = crate::domain::feeds::store_outlets(ctx.tx, &outlets)?;
    Reply::ok(&serde_json::json!({ "version": version }))
}

/// `DELETE /admin/outlets/{id}`.
pub fn delete_outlet(ctx: &mut Ctx<'_>, id: &str) -> ApiResult<Reply> {
    let version = crate::domain::feeds::remove_outlet(ctx.tx, id)?;
    Reply::ok(&serde_json::json!({ "version": version }))
}

/// `PUT /admin/rules`.
pub fn put_rules(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let rules: RegionalRules = ctx.json()?;
    crate::domain::rules::validate(&rules)?;
    let version = crate::domain::rules::store(ctx.tx, &rules)?;
    // Cards being made or temporarily lost follow a changed e-card timing.
    crate::domain::cards::apply_rules(ctx.tx, &rules.region, ctx.now)?;
    Reply::ok(&serde_json::json!({ "version": version }))
}

/// `PUT /admin/search-vocabulary/{list}` body: the list's new entries.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyList {
    entries: Vec<crate::domain::vocabulary::Words>,
}

/// `PUT /admin/search-vocabulary/{list}`: replaces the entries of one list
/// (`national` or a province's code) and steps the vocabulary version.
pub fn put_search_vocabulary(ctx: &mut Ctx<'_>, list: &str) -> ApiResult<Reply> {
    if !crate::domain::vocabulary::list_ok(list) {
        return Err(ApiError::field(
            "list",
            "`national` or a province's six-digit code ending in 0000",
        ));
    }
    let request: VocabularyList = ctx.json()?;
    let version = crate::domain::vocabulary::replace(ctx.tx, list, &request.entries)?;
    Reply::ok(&serde_json::json!({ "version": version }))
}

/// `GET /admin/personas`: the seeded demo people.
pub fn personas(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let personas = crate::domain::register::personas(ctx.tx)?;
    Reply::ok(&personas)
}

/// `GET /admin/sms?phone=…`: what the reference SMS gateway sent, newest
/// first (at most 50), as the operator of a test or demo reads it.
pub fn sms_outbox(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let phone = ctx.query_param("phone").unwrap_or_default();
    let messages = crate::domain::sms::outbox(ctx.tx, &phone)?;
    Reply::ok(&messages)
}

/// What the simulated face platform is asked to capture.
#[derive(Deserialize)]
struct FaceCapture {
    /// Whose photo on record the face is compared with.
    id_type: String,
    id_number: String,
    /// The platform's challenge and the device that runs the check.
    challenge: String,
    device_binding: String,
    /// Whether the capture finds a live person.
    #[serde(default = "yes")]
    live: bool,
    /// Whether the face matches the photo on record.
    #[serde(default = "yes")]
    matched: bool,
}

fn yes() -> bool {
    true
}

/// `POST /admin/face-platform/results`: the simulated face platform signs
/// the result of a capture (see [`crate::domain::face::SimulatedFacePlatform`]).
pub fn mint_face_result(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let capture: FaceCapture = ctx.json()?;
    let subject = crate::domain::face::subject_of(&capture.id_type, &capture.id_number);
    let result = crate::domain::face::SimulatedFacePlatform::mint(
        ctx.tx,
        &subject,
        &capture.challenge,
        &capture.device_binding,
        capture.live,
        capture.matched,
        ctx.now,
    )?;
    Reply::json(
        StatusCode::CREATED,
        &serde_json::json!({ "face_result": result }),
    )
}
