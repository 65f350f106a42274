//! The face check an endpoint asks for before an act that needs one: a
//! signed result for the person, the challenge and the calling device, or a
//! refusal that still counts as a failed identity attempt.

use ecard_api::identity::FacePurpose;

use crate::domain::face::{consume, subject_of};
use crate::error::{ApiError, ApiResult};

/// Checks a face result for a signed-in act: `person`'s face, for the
/// newest open challenge of `purpose` on `object_id`. A refusal counts
/// against the person's document number and is returned as the reply to
/// send (a reply, not an error, so the request commits and the count
/// stays); `whom` names the person in its detail.
pub fn confirm_person(
    ctx: &crate::http::context::Ctx<'_>,
    purpose: FacePurpose,
    object_id: &str,
    person: &crate::store::rows::Person,
    result: &str,
    whom: &str,
) -> ApiResult<Option<crate::http::context::Reply>> {
    use crate::domain::limits;
    use crate::domain::limits::IDENTITY;
    let subject = subject_of(&person.id_type, &person.id_number);
    limits::check(ctx.tx, &[(IDENTITY, &subject)], ctx.now)?;
    let verifier = ctx.state.face_verifier.clone();
    let checked = consume(
        ctx.tx,
        verifier.as_ref(),
        purpose,
        object_id,
        &subject,
        result,
        ctx.now,
    )?;
    if checked.is_ok() {
        return Ok(None);
    }
    limits::fail(ctx.tx, IDENTITY, &subject, ctx.now)?;
    Ok(Some(crate::http::context::Reply::problem(ApiError::new(
        ecard_api::problem::ProblemCode::IdentityNotVerified,
        format!("the face check did not confirm {whom}"),
    ))))
}
