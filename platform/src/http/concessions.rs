//! The admin feeds that put holders in concession classes beyond their
//! age: schools and their enrolments, disability certificates and 优待证.

use axum::http::StatusCode;
use ecard_api::concessions::{NewConcessionDocument, NewEnrolment, NewSchool};

use crate::domain::concessions;
use crate::error::ApiResult;
use crate::http::context::{Ctx, Reply};

/// `POST /admin/schools`: registers a school; the answer carries the
/// affiliation number its gates and library expect.
pub fn register_school(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let school: NewSchool = ctx.json()?;
    let registered = concessions::register_school(ctx.tx, &school, ctx.now)?;
    Reply::json(StatusCode::CREATED, &registered)
}

/// `POST /admin/school-enrolments`: a student's enrolment from the
/// school's register.
pub fn enrol(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let enrolment: NewEnrolment = ctx.json()?;
    let kept = concessions::enrol(ctx.tx, &enrolment, ctx.now)?;
    Reply::json(StatusCode::CREATED, &kept)
}

/// `POST /admin/concession-documents`: a disability certificate or 优待证.
pub fn record_document(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let document: NewConcessionDocument = ctx.json()?;
    let kept = concessions::record_document(ctx.tx, &document, ctx.now)?;
    Reply::json(StatusCode::CREATED, &kept)
}
