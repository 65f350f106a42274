//! The wire types of the card-service platform API (`docs/api/openapi.yaml`).
//!
//! One definition of the contract, shared by the client core and the
//! reference platform, so the two cannot drift apart: every request and
//! response body is a type here, every error a [`problem::ProblemCode`].
//! No I/O lives here.

pub mod auth;
pub mod catalogue;
pub mod clearing;
pub mod concessions;
pub mod eligibility;
pub mod identity;
pub mod insurance;
pub mod login;
pub mod money;
pub mod paths;
pub mod problem;
pub mod resident;
pub mod rules;
pub mod service_points;

/// Header carrying the platform's clock (Unix seconds) on every response,
/// from which clients estimate their clock offset.
pub const SERVER_TIME_HEADER: &str = "x-ecard-server-time";
/// Header naming the idempotency key of a mutating call.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Media type of error bodies (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";
/// Largest request body the platform accepts (photos included).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
