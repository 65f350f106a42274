//! The HTTP layer, on top: what an endpoint receives and returns
//! ([`context`]), the request plumbing every endpoint shares (body limits,
//! authentication, idempotency, one transaction per request, the clock
//! header — [`plumbing`]), the endpoint functions per resource, and the
//! routes that bind them to the contract's paths ([`router`]), served as
//! one router or split into the public API and the admin API.
//!
//! Around the endpoints, what running a platform in production needs: rate
//! limits per source address and per device ([`rate_limit`]), and metrics,
//! health and readiness endpoints and a structured log line per request
//! ([`operations`], `docs/operations.md`).
//!
//! Endpoints parse requests and shape replies; the rules they apply and the
//! queries they need live in the domain layer below, and no module here
//! holds SQL (`tests/layers.rs` checks). The clock tick is not called from here: the
//! platform hands it in with the shared state, and the plumbing runs it
//! before each request.

pub mod account;
pub mod admin;
pub mod applications;
pub mod births;
pub mod cards;
pub mod clearing;
pub mod concessions;
pub mod context;
pub mod delegations;
pub mod device_keys;
pub mod devices;
pub mod eligibility;
pub mod enrolment;
pub mod face;
pub mod feeds;
pub mod insurance;
pub mod login;
pub mod money;
pub mod oidc;
pub mod operations;
pub mod phone;
pub mod pin;
pub mod plumbing;
pub mod rate_limit;
pub mod router;
pub mod rules;
pub mod service_points;
