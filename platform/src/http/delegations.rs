//! Endpoints of mandates: creating one (with the principal's identity and
//! evidence), the list, consent (by PIN or by face), revocation and the audit
//! trail. Stored mandates and their expiry are
//! [`crate::domain::delegations`].

use axum::http::StatusCode;
use ecard_api::identity::{FaceChallenge, FacePurpose, FaceResultSubmission, PinAction};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    Delegation, DelegationKind, DelegationRequest, DelegationStatus, WardECardRequest,
    WardPinRequest,
};

use crate::domain::dates::age_on;
use crate::domain::dates::coming_of_age;
use crate::domain::delegations::{
    MAX_PROXY_SECONDS, involving, load, open_family_proxies_held_by, open_mandate_between,
    record_consent,
};
use crate::domain::register::{is_registered_guardian, verify_identity};
use crate::domain::rules::rules_for;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::store::audit::{audit, trail};
use crate::store::codec::enum_name;
use crate::store::rows::person;

/// `POST /v1/delegations`. Naming someone to act for is an identity
/// attempt like enrolment: a wrong name or evidence counts against the
/// document number and the asking account, so the register cannot be
/// probed through mandate requests either.
pub fn create(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    use crate::domain::limits;
    use crate::domain::limits::{IDENTITY, PROBES};
    let request: DelegationRequest = ctx.json()?;
    let caller = ctx.caller()?.clone();
    let subject =
        crate::domain::face::subject_of(&request.principal.id_type, &request.principal.id_number);
    limits::check(
        ctx.tx,
        &[(IDENTITY, &subject), (PROBES, &caller.account_id)],
        ctx.now,
    )?;
    match create_checked(ctx, &caller, &request) {
        Err(error) if error.code() == ProblemCode::IdentityNotVerified => {
            limits::fail(ctx.tx, IDENTITY, &subject, ctx.now)?;
            limits::fail(ctx.tx, PROBES, &caller.account_id, ctx.now)?;
            Ok(Reply::problem(error))
        }
        other => other,
    }
}

fn create_checked(
    ctx: &mut Ctx<'_>,
    caller: &crate::domain::access::Caller,
    request: &DelegationRequest,
) -> ApiResult<Reply> {
    if request.scopes.is_empty() {
        return Err(ApiError::field(
            "scopes",
            "name at least one thing the mandate allows",
        ));
    }
    crate::domain::pin::spend(
        ctx.tx,
        caller,
        request.pin_grant.as_deref(),
        PinAction::AcceptMandate,
        ctx.now,
    )?;
    // Acting for someone else takes full capacity: not a minor (unless the
    // register and the rules count them as self-supporting).
    if let Some((age, self_supporting, rules)) =
        crate::domain::access::minor_holder(ctx.tx, &caller.person_id, ctx.now)?
        && !rules.minors.self_supporting_exempts(age, self_supporting)
    {
        return Err(ApiError::new(
            ProblemCode::NotAllowedByRules,
            "a person under the age of majority cannot act for someone else",
        ));
    }
    let principal = verify_identity(ctx.tx, &request.principal)?;
    if principal.person_id == caller.person_id {
        return Err(ApiError::field(
            "principal",
            "you cannot hold a mandate for yourself",
        ));
    }
    let rules = rules_for(ctx.tx, &principal.region)?;
    if open_mandate_between(ctx.tx, &caller.account_id, &principal.person_id, ctx.now)?.is_some() {
        return Err(ApiError::state(
            "you already hold or requested a mandate for this person",
        ));
    }
    let (status, consented_at, expires_at, evidence) = match request.kind {
        DelegationKind::Guardian => {
            let evidence = request.evidence.clone().ok_or_else(|| {
                ApiError::field(
                    "evidence",
                    "a guardian shows the household register or the birth certificate",
                )
            })?;
            let on_file = match evidence.kind.as_str() {
                "household_register" => principal.household_register.as_deref(),
                "birth_certificate" => principal.birth_certificate.as_deref(),
                _ => {
                    return Err(ApiError::field(
                        "evidence.kind",
                        "household_register or birth_certificate",
                    ));
                }
            };
            if on_file != Some(evidence.number.trim()) {
                return Err(ApiError::new(
                    ProblemCode::IdentityNotVerified,
                    "the evidence does not match the population register",
                ));
            }
            if !is_registered_guardian(ctx.tx, &principal.person_id, &caller.person_id)? {
                return Err(ApiError::new(
                    ProblemCode::IdentityNotVerified,
                    "the register does not name you as this child's guardian",
                ));
            }
            let adult_at = coming_of_age(principal.birth_date, rules.adult_age)
                .ok_or_else(|| ApiError::new(ProblemCode::Internal, "birth date unreadable"))?;
            if adult_at <= ctx.now {
                return Err(ApiError::new(
                    ProblemCode::NotAllowedByRules,
                    "guardianship ends at 18: an adult acts for themself or through a family proxy",
                ));
            }
            let expires_at = request.expires_at.map_or(adult_at, |at| at.min(adult_at));
            (
                DelegationStatus::Active,
                Some(ctx.now),
                expires_at,
                Some(evidence),
            )
        }
        DelegationKind::FamilyProxy => {
            if request.relationship.is_none() {
                return Err(ApiError::field(
                    "relationship",
                    "a family proxy declares how they are related",
                ));
            }
            let count = open_family_proxies_held_by(ctx.tx, &caller.account_id, ctx.now)?;
            if count >= rules.relative_quota {
                return Err(ApiError::new(
                    ProblemCode::QuotaExceeded,
                    format!(
                        "one account may act for at most {} relatives",
                        rules.relative_quota
                    ),
                ));
            }
            if age_on(principal.birth_date, ctx.now).is_some_and(|age| age < rules.adult_age) {
                return Err(ApiError::new(
                    ProblemCode::NotAllowedByRules,
                    "for a minor, the guardian holds the mandate",
                ));
            }
            let latest = ctx.now + MAX_PROXY_SECONDS;
            let expires_at = request.expires_at.map_or(latest, |at| at.min(latest));
            (
                DelegationStatus::PendingConsent,
                None,
                expires_at,
                request.evidence.clone(),
            )
        }
    };
    if expires_at <= ctx.now {
        return Err(ApiError::field(
            "expires_at",
            "the mandate would already have ended",
        ));
    }
    let mut scopes = request.scopes.clone();
    scopes.sort_by_key(enum_name);
    scopes.dedup();
    let delegation_id = crate::domain::delegations::store(
        ctx.tx,
        &crate::domain::delegations::NewMandate {
            kind: request.kind,
            agent_account_id: &caller.account_id,
            principal_person_id: &principal.person_id,
            scopes: &scopes,
            status,
            evidence: evidence.as_ref(),
            consented_at,
            expires_at,
            relationship: request.relationship,
        },
        ctx.now,
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &principal.person_id,
        Some(&delegation_id),
        &format!("mandate.request.{}", enum_name(&request.kind)),
        &delegation_id,
    )?;
    if let Some(relationship) = request.relationship {
        audit(
            ctx.tx,
            ctx.now,
            &caller.account_id,
            &principal.person_id,
            Some(&delegation_id),
            &format!("mandate.relationship.{}", enum_name(&relationship)),
            &delegation_id,
        )?;
    }
    Reply::json(StatusCode::CREATED, &load(ctx.tx, &delegation_id, ctx.now)?)
}

/// `GET /v1/delegations`: mandates the caller holds or is the principal of.
pub fn list(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let delegations = involving(ctx.tx, &caller.account_id, &caller.person_id, ctx.now)?;
    Reply::ok(&delegations)
}

/// `POST /v1/delegations/{id}/consent`: the relative agrees, from their own
/// enrolled device.
pub fn consent(ctx: &mut Ctx<'_>, delegation_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let delegation = load(ctx.tx, delegation_id, ctx.now)?;
    if delegation.principal_person_id != caller.person_id {
        return Err(ApiError::new(
            ProblemCode::Forbidden,
            "only the person the mandate is for can consent",
        ));
    }
    crate::http::pin::require(ctx, PinAction::ConsentMandate)?;
    Reply::ok(&record_consent(
        ctx.tx,
        delegation_id,
        &caller.account_id,
        "mandate.consent",
        ctx.now,
    )?)
}

/// The pending family-proxy mandate `delegation_id` that the caller asked for.
fn own_pending(ctx: &Ctx<'_>, delegation_id: &str) -> ApiResult<Delegation> {
    let caller = ctx.caller()?;
    let delegation = load(ctx.tx, delegation_id, ctx.now)?;
    if delegation.agent_account_id != caller.account_id {
        return Err(ApiError::not_found("delegation"));
    }
    if delegation.kind != DelegationKind::FamilyProxy
        || delegation.status != DelegationStatus::PendingConsent
    {
        return Err(ApiError::state(
            "only a family-proxy mandate waiting for consent takes a face check",
        ));
    }
    Ok(delegation)
}

/// `POST /v1/delegations/{id}/face-challenge`: the helper asks for a
/// challenge to capture the relative's face on the helper's own phone
/// (亲情代办 "足不出户": the elder needs no phone).
pub fn face_challenge(ctx: &mut Ctx<'_>, delegation_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let delegation = own_pending(ctx, delegation_id)?;
    let binding = crate::domain::face::device_binding(caller.device_key.as_bytes());
    let issued = crate::domain::face::issue_challenge(
        ctx.tx,
        FacePurpose::MandateConsent,
        &delegation.principal_person_id,
        &binding,
        delegation_id,
        ctx.now,
    )?;
    Reply::json(
        StatusCode::CREATED,
        &FaceChallenge {
            challenge: issued.challenge,
            purpose: FacePurpose::MandateConsent,
            device_binding: binding,
            expires_at: issued.expires_at,
        },
    )
}

/// `POST /v1/delegations/{id}/face-consent`: the relative's face, captured
/// on the helper's phone, consents. The face platform's result names the
/// relative, the mandate's challenge and the helper's device.
pub fn face_consent(ctx: &mut Ctx<'_>, delegation_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let delegation = own_pending(ctx, delegation_id)?;
    let submission: FaceResultSubmission = ctx.json()?;
    let principal = person(ctx.tx, &delegation.principal_person_id)?;
    if let Some(refused) = crate::http::face::confirm_person(
        ctx,
        FacePurpose::MandateConsent,
        delegation_id,
        &principal,
        &submission.face_result,
        "the relative",
    )? {
        return Ok(refused);
    }
    Reply::ok(&record_consent(
        ctx.tx,
        delegation_id,
        &caller.account_id,
        "mandate.consent.face",
        ctx.now,
    )?)
}

/// `POST /v1/delegations/{id}/revoke`: either side ends the mandate.
pub fn revoke(ctx: &mut Ctx<'_>, delegation_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let delegation = load(ctx.tx, delegation_id, ctx.now)?;
    if delegation.principal_person_id != caller.person_id
        && delegation.agent_account_id != caller.account_id
    {
        return Err(ApiError::not_found("delegation"));
    }
    if !matches!(
        delegation.status,
        DelegationStatus::Active | DelegationStatus::PendingConsent
    ) {
        return Err(ApiError::state(format!(
            "the mandate is already {}",
            enum_name(&delegation.status)
        )));
    }
    // Guardianship is the law's, not the ward's consent: a minor cannot end it.
    if delegation.kind == DelegationKind::Guardian
        && delegation.principal_person_id == caller.person_id
    {
        return Err(ApiError::new(
            ProblemCode::GuardianRequired,
            "a guardian mandate ends at the age of majority or when the guardian ends it",
        ));
    }
    crate::domain::delegations::revoke(ctx.tx, &delegation, ctx.now)?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &delegation.principal_person_id,
        Some(delegation_id),
        "mandate.revoke",
        delegation_id,
    )?;
    Reply::ok(&load(ctx.tx, delegation_id, ctx.now)?)
}

/// The active guardian mandate `delegation_id` the caller holds for a ward
/// who is still a minor; anyone else's is "not found".
fn own_guardianship(ctx: &Ctx<'_>, delegation_id: &str) -> ApiResult<Delegation> {
    let caller = ctx.caller()?;
    let delegation = load(ctx.tx, delegation_id, ctx.now)?;
    if delegation.agent_account_id != caller.account_id {
        return Err(ApiError::not_found("delegation"));
    }
    if delegation.kind != DelegationKind::Guardian || delegation.status != DelegationStatus::Active
    {
        return Err(ApiError::state(
            "only an active guardian mandate decides for a ward",
        ));
    }
    Ok(delegation)
}

/// `POST /v1/delegations/{id}/ward-e-card`: the guardian allows the e-card
/// on the ward's own phone, or withdraws it (the ward's codes stop at once
/// unless another guardian allows it).
pub fn ward_e_card(ctx: &mut Ctx<'_>, delegation_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let delegation = own_guardianship(ctx, delegation_id)?;
    let request: WardECardRequest = ctx.json()?;
    let rules = rules_for(
        ctx.tx,
        &person(ctx.tx, &delegation.principal_person_id)?.region,
    )?;
    if request.allowed && !rules.minors.e_card_on_own_phone_with_consent {
        return Err(ApiError::new(
            ProblemCode::NotAllowedByRules,
            "in this region a minor's e-card is shown by the guardian only",
        ));
    }
    crate::http::pin::require(ctx, PinAction::ActForWard)?;
    crate::domain::delegations::set_ward_e_card(ctx.tx, &delegation, request.allowed, ctx.now)?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &delegation.principal_person_id,
        Some(delegation_id),
        if request.allowed {
            "mandate.ward_e_card.allow"
        } else {
            "mandate.ward_e_card.withdraw"
        },
        delegation_id,
    )?;
    Reply::ok(&load(ctx.tx, delegation_id, ctx.now)?)
}

/// `POST /v1/delegations/{id}/ward-pin`: the guardian sets the e-card PIN
/// of the ward's own account (a minor changes or resets it only this way
/// where the rules say so).
pub fn ward_pin(ctx: &mut Ctx<'_>, delegation_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let delegation = own_guardianship(ctx, delegation_id)?;
    let request: WardPinRequest = ctx.json()?;
    let ward = person(ctx.tx, &delegation.principal_person_id)?;
    let ward_account = crate::domain::accounts::active_account_of(ctx.tx, &ward.person_id)?
        .ok_or_else(|| ApiError::state("the ward has no e-card account of their own yet"))?
        .account_id;
    crate::http::pin::require(ctx, PinAction::ActForWard)?;
    crate::domain::pin::set(
        ctx.tx,
        &ward_account,
        &ward,
        &request.new_pin,
        (ctx.now, ctx.hashed_ahead),
    )?;
    crate::domain::devices::notify(
        ctx.tx,
        &ward_account,
        ecard_api::identity::NoticeKind::PinChanged,
        None,
        ctx.now,
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &ward.person_id,
        Some(delegation_id),
        "pin.set_by_guardian",
        &ward_account,
    )?;
    Reply::ok(&serde_json::json!({ "changed_at": ctx.now }))
}

/// `GET /v1/audit`: what was done for the caller and what the caller did for others.
pub fn audit_trail(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let entries = trail(ctx.tx, &caller.person_id, &caller.account_id)?;
    Reply::ok(&entries)
}
