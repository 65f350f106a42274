//! Endpoints of 出生一件事: a parent's one form (`POST /v1/births`), the
//! parent's births with their progress line, and the health register's
//! side, a hospital reporting a birth medical certificate (admin). The
//! checks and the household-registration step are [`crate::domain::births`].

use axum::http::StatusCode;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::BirthRequest;
use ecard_credential::Locale;
use ecard_documents::Date;

use crate::domain::births::{
    BirthCertificate, NewBirth, certificate, certificate_used, filed_by, load, submitter_of,
};
use crate::domain::dates::age_on;
use crate::domain::register::verify_identity;
use crate::domain::rules::rules_for;
use crate::error::{ApiError, ApiResult};
use crate::http::applications::{check_bank, check_delivery, decode_photo};
use crate::http::context::{Ctx, Reply};
use crate::store::rows::person;

/// `POST /v1/births`: the one form. The certificate must exist, match the
/// form and name the caller as a parent; it registers one child once.
pub fn submit(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: BirthRequest = ctx.json()?;
    let caller = ctx.caller()?.clone();
    let region = request.household_region.trim();
    if region.len() != 6 || !region.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ApiError::field(
            "household_region",
            "a six-digit county-level division code",
        ));
    }
    let rules = rules_for(ctx.tx, region)
        .map_err(|_| ApiError::field("household_region", "no card service in this region"))?;
    if !rules.newborn.one_submission {
        return Err(ApiError::new(
            ProblemCode::NotAllowedByRules,
            "this region does not take the birth registration and the card in one form: register the birth first, then apply",
        ));
    }
    ecard_documents::validate_address(&request.household_address)
        .map_err(|error| ApiError::field("household_address", error.message(Locale::En)))?;
    let number = request.birth_certificate.trim().to_ascii_uppercase();
    let Some(on_record) = certificate(ctx.tx, &number)? else {
        return Err(ApiError::new(
            ProblemCode::IdentityNotVerified,
            "no birth medical certificate with this number was reported",
        ));
    };
    if on_record.child_name != request.child_name.trim()
        || on_record.sex != request.sex
        || on_record.birth_date != request.birth_date.trim()
    {
        return Err(ApiError::new(
            ProblemCode::IdentityNotVerified,
            "the form does not match the birth medical certificate",
        ));
    }
    let submitter = person(ctx.tx, &caller.person_id)?;
    let parents = [&on_record.mother_id_number, &on_record.father_id_number];
    if !parents
        .iter()
        .any(|parent| parent.as_deref() == Some(submitter.id_number.as_str()))
    {
        return Err(ApiError::new(
            ProblemCode::IdentityNotVerified,
            "the birth medical certificate does not name you as a parent",
        ));
    }
    let other_parent = match &request.other_parent {
        Some(identity) => {
            let other = verify_identity(ctx.tx, identity)?;
            let named = parents
                .iter()
                .any(|parent| parent.as_deref() == Some(other.id_number.as_str()));
            if !named || other.person_id == submitter.person_id {
                return Err(ApiError::new(
                    ProblemCode::IdentityNotVerified,
                    "the birth medical certificate does not name this person as the other parent",
                ));
            }
            Some(other.person_id)
        }
        None => None,
    };
    if certificate_used(ctx.tx, &number)? {
        return Err(ApiError::state(
            "a birth was already registered with this certificate",
        ));
    }
    ecard_documents::validate_phone(&request.phone)
        .map_err(|error| ApiError::field("phone", error.message(Locale::En)))?;
    check_bank(&request.bank, &rules)?;
    check_delivery(ctx.tx, &request.delivery, &rules)?;
    let birth_date = Date::parse(&on_record.birth_date)
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "certificate date unreadable"))?;
    let exempt =
        age_on(birth_date, ctx.now).is_some_and(|age| age < rules.newborn.photo_exempt_under_age);
    let photo = match (&request.photo_jpeg, exempt) {
        (Some(photo), _) => Some(decode_photo("photo_jpeg", photo, &rules)?),
        (None, true) => None,
        (None, false) => {
            return Err(ApiError::field(
                "photo_jpeg",
                "this region needs a photo for the child's card",
            ));
        }
    };
    let birth_id = crate::domain::births::submit(
        ctx.tx,
        &NewBirth {
            submitted_by: &caller.account_id,
            submitter_person_id: &caller.person_id,
            certificate_number: &number,
            household_region: region,
            household_address: request.household_address.trim(),
            other_parent_person_id: other_parent.as_deref(),
            bank: &request.bank,
            phone: &request.phone,
            delivery: &request.delivery,
            photo,
        },
        rules.newborn.registration_days,
        ctx.now,
    )?;
    Reply::json(StatusCode::CREATED, &load(ctx.tx, &birth_id)?)
}

/// `GET /v1/births`: the births the caller filed, newest first.
pub fn list(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let births = filed_by(ctx.tx, &caller.account_id)?
        .iter()
        .map(|id| load(ctx.tx, id))
        .collect::<ApiResult<Vec<_>>>()?;
    Reply::ok(&births)
}

/// `GET /v1/births/{id}`: one of the caller's births; anyone else's is "not found".
pub fn get(ctx: &mut Ctx<'_>, birth_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    if submitter_of(ctx.tx, birth_id)?.as_deref() != Some(caller.account_id.as_str()) {
        return Err(ApiError::not_found("birth"));
    }
    Reply::ok(&load(ctx.tx, birth_id)?)
}

/// `POST /admin/birth-certificates`: a hospital's report of a birth
/// medical certificate (the health register's side of the simulation).
pub fn report_certificate(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let certificate: BirthCertificate = ctx.json()?;
    crate::domain::births::report_certificate(ctx.tx, &certificate, ctx.now)?;
    Reply::json(StatusCode::CREATED, &certificate)
}
