//! Clearing between an operator's terminals: `POST /admin/operators`
//! registers an operator (admin token; a service point with its kind and
//! purposes, `domain::service_points`) and `POST /v1/operator/acceptances`
//! takes a terminal's report (operator token). The rules and the rows are
//! `domain::clearing`'s.

use axum::http::StatusCode;
use ecard_api::clearing::{AcceptanceReport, NewOperator};
use ecard_api::problem::ProblemCode;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};

/// `POST /admin/operators`: registers an operator; its token is shown in
/// this answer only.
pub fn register_operator(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: NewOperator = ctx.json()?;
    let registered = crate::domain::service_points::register(ctx.tx, &request, ctx.now)?;
    Reply::json(StatusCode::CREATED, &registered)
}

/// `POST /v1/operator/acceptances`: a terminal's report and the clearing
/// answer.
pub fn report(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let operator = ctx.operator()?.clone();
    if operator.outlet_id.is_some() {
        return Err(ApiError::new(
            ProblemCode::Forbidden,
            "an outlet's counter staff do not report acceptances",
        ));
    }
    let raw: Value = ctx.json()?;
    check_handles(&raw)?;
    let request: AcceptanceReport = serde_json::from_value(raw)?;
    Reply::ok(&crate::domain::clearing::report(
        ctx.tx, &operator, &request, ctx.now,
    )?)
}

/// Handles are written as 16 lowercase hex digits, exactly as terminals
/// take them from the verifier; any other spelling is refused rather than
/// read leniently.
fn check_handles(raw: &Value) -> ApiResult<()> {
    let Some(acceptances) = raw.get("acceptances").and_then(Value::as_array) else {
        return Ok(());
    };
    for (index, acceptance) in acceptances.iter().enumerate() {
        if let Some(handle) = acceptance.get("handle").and_then(Value::as_str) {
            let well_formed = handle.len() == 16
                && handle
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
            if !well_formed {
                return Err(ApiError::field(
                    &format!("acceptances[{index}].handle"),
                    "16 lowercase hex digits",
                ));
            }
        }
    }
    Ok(())
}
