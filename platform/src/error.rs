//! Errors of the platform, turned into `application/problem+json` replies.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ecard_api::PROBLEM_JSON;
use ecard_api::problem::{Problem, ProblemCode};

/// An error reply: a problem body with its status.
#[derive(Clone, Debug)]
pub struct ApiError(pub Problem);

impl ApiError {
    /// A problem of `code` with a detail.
    pub fn new(code: ProblemCode, detail: impl Into<String>) -> ApiError {
        ApiError(Problem::new(code, detail))
    }

    /// An invalid field.
    pub fn field(field: &str, detail: impl Into<String>) -> ApiError {
        ApiError(Problem::new(ProblemCode::InvalidField, detail).with_field(field))
    }

    /// A missing resource.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(ProblemCode::NotFound, format!("no such {what}"))
    }

    /// A step the resource's state does not allow.
    pub fn state(detail: impl Into<String>) -> ApiError {
        ApiError::new(ProblemCode::InvalidState, detail)
    }

    /// The stable code.
    pub fn code(&self) -> ProblemCode {
        self.0.code
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> ApiError {
        ApiError::new(
            ProblemCode::MalformedRequest,
            format!("malformed JSON: {error}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.0).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

/// Result of platform operations.
pub type ApiResult<T> = Result<T, ApiError>;
