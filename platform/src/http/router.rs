//! The routes: every path of the API contract (`ecard_api::paths`) bound to
//! its endpoint function and its access rule, and the routers assembled
//! from them with the layers every reply passes through.
//!
//! The public API and the admin API are two route sets, so a deployment
//! can serve them on different listeners: the API to the internet, the
//! admin API with the operations endpoints (metrics, health, readiness) on
//! an operator's network ([`Surface`]). Only the public API is rate
//! limited: the admin API is for the operators, and a probe or a scrape
//! refused for a flood of residents' requests would hide the flood.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::routing::{delete, get, post, put};
use ecard_api::paths;

use crate::error::ApiError;
use crate::http::context::{Access, AppState, Ctx, Endpoint, PinFields};
use crate::http::plumbing::{handle, handle_in_stages, path_rejected};
use crate::http::{
    account, admin, applications, births, cards, clearing, concessions, delegations, devices,
    eligibility, enrolment, feeds, insurance, login, money, oidc, operations, phone, pin,
    rate_limit, rules, service_points,
};

type Shared = State<Arc<AppState>>;

macro_rules! endpoint {
    ($endpoint:expr, $work:path) => {
        |State(state): Shared, request: Request| async move {
            handle(state, request, $endpoint, |ctx: &mut Ctx<'_>| $work(ctx)).await
        }
    };
    ($endpoint:expr, $work:path, path) => {
        |State(state): Shared, id: Result<Path<String>, PathRejection>, request: Request| async move {
            match id {
                Ok(Path(id)) => {
                    handle(state, request, $endpoint, move |ctx: &mut Ctx<'_>| {
                        $work(ctx, &id)
                    })
                    .await
                }
                Err(rejection) => path_rejected(&rejection),
            }
        }
    };
}

/// Which routes a router serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// Everything: the API, the admin API and the operations endpoints
    /// (one listener: tests, the demo, a platform on loopback).
    All,
    /// The public API only.
    Api,
    /// The admin API and the operations endpoints.
    Admin,
}

/// The router of `surface`. Every reply, unknown paths included, passes
/// through the same layers, innermost first: the rate limits (API routes
/// and unknown paths only), `plumbing::finish_response` (problems for
/// unknown paths and wrong methods, the clock header), and
/// `operations::observe` (metrics, the request log, the request id).
pub fn router(surface: Surface, state: Arc<AppState>) -> axum::Router {
    routes(surface, &state)
        .with_state(state.clone())
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            crate::http::plumbing::finish_response,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            operations::observe,
        ))
}

/// The routes of `surface` with the fallback for unknown paths: the API
/// routes and the admin routes (with the operations endpoints) merged, the
/// rate limits on the API routes and unknown paths only.
pub(crate) fn routes(surface: Surface, state: &AppState) -> Router<Arc<AppState>> {
    let not_found =
        || async { axum::response::IntoResponse::into_response(ApiError::not_found("endpoint")) };
    let limits = axum::middleware::from_fn_with_state(state.rate_limits.clone(), rate_limit::limit);
    let admin = || admin_routes().merge(operations::routes());
    match surface {
        Surface::All => api_routes()
            .fallback(not_found)
            .layer(limits)
            .merge(admin()),
        Surface::Api => api_routes().fallback(not_found).layer(limits),
        Surface::Admin => admin().fallback(not_found),
    }
}

/// The routes of the public API: residents' apps, terminals and their
/// operators, relying parties of scan-to-login, and the public feeds.
pub(crate) fn api_routes() -> Router<Arc<AppState>> {
    use Endpoint as E;
    Router::new()
        .route(paths::TIME, get(endpoint!(E::PUBLIC_READ, feeds::time)))
        .route(
            paths::TRUST_LIST,
            get(endpoint!(E::PUBLIC_READ, feeds::trust_list)),
        )
        .route(
            paths::STATUS_LIST,
            get(endpoint!(E::PUBLIC_READ, feeds::status_list, path)),
        )
        .route(
            paths::CATALOGUE_ITEMS,
            get(endpoint!(E::PUBLIC_READ, feeds::items)),
        )
        .route(
            paths::CATALOGUE_OUTLETS,
            get(endpoint!(E::PUBLIC_READ, feeds::outlets)),
        )
        .route(
            paths::CATALOGUE_SYNC,
            get(endpoint!(E::PUBLIC_READ, feeds::sync)),
        )
        .route(
            paths::RULES,
            get(endpoint!(E::PUBLIC_READ, rules::get, path)),
        )
        .route(
            paths::ENROLMENTS,
            post(endpoint!(
                E {
                    access: Access::Public,
                    idempotent: true,
                    pins: PinFields::NONE,
                },
                enrolment::start
            )),
        )
        .route(
            paths::ENROLMENT_PRESENCE,
            post(endpoint!(E::ENROLLING, enrolment::presence, path)),
        )
        .route(
            paths::ENROLMENT_COMPLETION,
            post(endpoint!(
                E::ENROLLING.hashing(PinFields::new_in("pin")),
                enrolment::complete,
                path
            )),
        )
        .route(
            paths::MY_DEVICES,
            get(endpoint!(E::DEVICE_READ, devices::list)),
        )
        .route(
            paths::DEVICE_UNLINK,
            post(endpoint!(E::DEVICE_WRITE, devices::unlink, path)),
        )
        .route(
            paths::MY_NOTICES,
            get(endpoint!(E::DEVICE_READ, devices::notices)),
        )
        .route(
            paths::ENROLMENT_REQUESTS,
            get(endpoint!(E::DEVICE_READ, devices::enrolment_requests)),
        )
        .route(
            paths::ENROLMENT_REQUEST_APPROVAL,
            post(endpoint!(E::DEVICE_WRITE, devices::approve, path)),
        )
        .route(
            paths::PIN,
            post(endpoint!(
                E::DEVICE_WRITE.hashing(PinFields {
                    new: Some("new_pin"),
                    current: Some("current_pin"),
                }),
                pin::change
            )),
        )
        .route(
            paths::PIN_GRANTS,
            post(endpoint!(
                E::DEVICE_WRITE.hashing(PinFields::current_in("pin")),
                pin::grant
            )),
        )
        .route(
            paths::PIN_RESET,
            post(endpoint!(
                E::DEVICE_WRITE.hashing(PinFields::new_in("new_pin")),
                pin::reset
            )),
        )
        .route(
            paths::FACE_CHALLENGES,
            post(endpoint!(E::DEVICE_WRITE, phone::face_challenge)),
        )
        .route(
            paths::PHONE_CHANGES,
            post(endpoint!(E::DEVICE_WRITE, phone::start)),
        )
        .route(
            paths::PHONE_CHANGE_CONFIRMATION,
            post(endpoint!(E::DEVICE_WRITE, phone::confirm, path)),
        )
        .route(paths::ME, get(endpoint!(E::DEVICE_READ, account::profile)))
        .route(
            paths::ACCOUNT_DELETION,
            post(endpoint!(E::DEVICE_WRITE, account::delete_account)),
        )
        .route(
            paths::CREDENTIALS,
            post(endpoint!(E::DEVICE_WRITE, cards::credentials)),
        )
        .route(
            paths::APPLICATIONS,
            post(endpoint!(E::DEVICE_WRITE, applications::submit_new))
                .get(endpoint!(E::DEVICE_READ, applications::list)),
        )
        .route(
            paths::APPLICATION,
            get(endpoint!(E::DEVICE_READ, applications::get, path)),
        )
        .route(
            paths::APPLICATION_PAYMENT,
            post(endpoint!(E::DEVICE_WRITE, applications::pay, path)),
        )
        .route(
            paths::APPLICATION_CANCEL,
            post(endpoint!(E::DEVICE_WRITE, applications::cancel, path)),
        )
        .route(
            paths::APPLICATION_RECEIPT,
            post(endpoint!(
                E::DEVICE_WRITE,
                applications::confirm_receipt,
                path
            )),
        )
        .route(
            paths::APPLICATION_PHOTO,
            post(endpoint!(
                E::DEVICE_WRITE,
                applications::resubmit_photo,
                path
            )),
        )
        .route(
            paths::REPLACEMENTS,
            post(endpoint!(E::DEVICE_WRITE, applications::submit_replacement)),
        )
        .route(
            paths::LOSS_REPORTS,
            post(endpoint!(E::DEVICE_WRITE, cards::report_loss, path)),
        )
        .route(
            paths::LOSS_RELEASE,
            post(endpoint!(E::DEVICE_WRITE, cards::release_loss, path)),
        )
        .route(
            paths::ACTIVATION,
            post(endpoint!(E::DEVICE_WRITE, cards::activate, path)),
        )
        .route(
            paths::DELEGATIONS,
            post(endpoint!(E::DEVICE_WRITE, delegations::create))
                .get(endpoint!(E::DEVICE_READ, delegations::list)),
        )
        .route(
            paths::DELEGATION_CONSENT,
            post(endpoint!(E::DEVICE_WRITE, delegations::consent, path)),
        )
        .route(
            paths::DELEGATION_FACE_CHALLENGE,
            post(endpoint!(
                E::DEVICE_WRITE,
                delegations::face_challenge,
                path
            )),
        )
        .route(
            paths::DELEGATION_FACE_CONSENT,
            post(endpoint!(E::DEVICE_WRITE, delegations::face_consent, path)),
        )
        .route(
            paths::DELEGATION_REVOKE,
            post(endpoint!(E::DEVICE_WRITE, delegations::revoke, path)),
        )
        .route(
            paths::BIRTHS,
            post(endpoint!(E::DEVICE_WRITE, births::submit))
                .get(endpoint!(E::DEVICE_READ, births::list)),
        )
        .route(
            paths::BIRTH,
            get(endpoint!(E::DEVICE_READ, births::get, path)),
        )
        .route(
            paths::OUTLET_INSTANT_ISSUE,
            post(endpoint!(
                E::OPERATOR,
                applications::issue_on_the_spot,
                path
            )),
        )
        .route(
            paths::DELEGATION_WARD_E_CARD,
            post(endpoint!(E::DEVICE_WRITE, delegations::ward_e_card, path)),
        )
        .route(
            paths::DELEGATION_WARD_PIN,
            post(endpoint!(
                E::DEVICE_WRITE.hashing(PinFields::new_in("new_pin")),
                delegations::ward_pin,
                path
            )),
        )
        .route(
            paths::AUDIT,
            get(endpoint!(E::DEVICE_READ, delegations::audit_trail)),
        )
        .route(
            paths::OPERATOR_ACCEPTANCES,
            post(endpoint!(E::OPERATOR, clearing::report)),
        )
        .route(
            paths::SERVICE_POINT_RESOLUTIONS,
            post(|State(state): Shared, request: Request| async move {
                handle_in_stages(
                    state,
                    request,
                    E::OPERATOR,
                    (
                        service_points::admit_resolution,
                        service_points::check_resolution,
                        service_points::resolve,
                    ),
                )
                .await
            }),
        )
        .route(
            paths::MY_ACCESS_RECORDS,
            get(endpoint!(E::DEVICE_READ, service_points::list)),
        )
        .route(
            paths::ACCESS_RECORD_REPORT,
            post(endpoint!(E::DEVICE_WRITE, service_points::report, path)),
        )
        .route(
            paths::MY_INSURANCE_RECORDS,
            get(endpoint!(E::DEVICE_READ, insurance::records)),
        )
        .route(
            paths::MY_CERTIFICATES,
            get(endpoint!(E::DEVICE_READ, insurance::list))
                .post(endpoint!(E::DEVICE_WRITE, insurance::issue)),
        )
        .route(
            paths::CERTIFICATE_PDF,
            get(endpoint!(E::DEVICE_READ, insurance::pdf, path)),
        )
        .route(
            paths::CERTIFICATE_CHECK,
            get(endpoint!(E::PUBLIC_READ, insurance::check_code, path)),
        )
        .route(
            paths::CERTIFICATE_CHECKS,
            post(endpoint!(E::PUBLIC_READ, insurance::check_file)),
        )
        .route(
            paths::OPENID_CONFIGURATION,
            get(endpoint!(E::PUBLIC_READ, oidc::discovery)),
        )
        .route(
            paths::OAUTH_JWKS,
            get(endpoint!(E::PUBLIC_READ, oidc::jwks)),
        )
        .route(
            paths::OAUTH_AUTHORIZE,
            get(endpoint!(E::PUBLIC_READ, oidc::authorize)),
        )
        .route(
            paths::OAUTH_CONTINUE,
            get(endpoint!(E::PUBLIC_READ, oidc::resume, path)),
        )
        .route(
            paths::OAUTH_TOKEN,
            post(endpoint!(E::PUBLIC_READ, oidc::token)),
        )
        .route(
            paths::OAUTH_USERINFO,
            get(endpoint!(E::PUBLIC_READ, oidc::userinfo)),
        )
        .route(
            paths::LOGIN_REQUEST,
            get(endpoint!(E::DEVICE_READ, login::view, path)),
        )
        .route(
            paths::LOGIN_REQUEST_APPROVAL,
            post(endpoint!(E::DEVICE_WRITE, login::approve, path)),
        )
        .route(
            paths::LOGIN_REQUEST_DENIAL,
            post(endpoint!(E::DEVICE_WRITE, login::deny, path)),
        )
        .route(
            paths::MY_AUTHORISATIONS,
            get(endpoint!(E::DEVICE_READ, login::authorisations)),
        )
        .route(
            paths::AUTHORISATION_REVOKE,
            post(endpoint!(E::DEVICE_WRITE, login::revoke, path)),
        )
        .route(
            paths::MY_ELIGIBILITY,
            get(endpoint!(E::DEVICE_READ, eligibility::get)),
        )
        .route(
            paths::ELIGIBILITY_CHECKS,
            post(endpoint!(E::DEVICE_WRITE, eligibility::start)),
        )
        .route(
            paths::ELIGIBILITY_CHECK_FACE,
            post(endpoint!(E::DEVICE_WRITE, eligibility::face, path)),
        )
        .route(
            paths::FINANCIAL_ACCOUNT,
            get(endpoint!(E::DEVICE_READ, money::account, path)),
        )
        .route(
            paths::FINANCIAL_LOSS_REPORTS,
            post(endpoint!(E::DEVICE_WRITE, money::report_loss, path)),
        )
        .route(
            paths::MY_PAYMENTS,
            get(endpoint!(E::DEVICE_READ, money::payments)),
        )
}

/// The routes of the admin API (`/admin/*`), behind the admin token, for
/// the platform's operators.
pub(crate) fn admin_routes() -> Router<Arc<AppState>> {
    use Endpoint as E;
    Router::new()
        .route(
            paths::ADMIN_BIRTH_CERTIFICATES,
            post(endpoint!(E::ADMIN, births::report_certificate)),
        )
        .route(
            paths::ADMIN_SCHOOLS,
            post(endpoint!(E::ADMIN, concessions::register_school)),
        )
        .route(
            paths::ADMIN_SCHOOL_ENROLMENTS,
            post(endpoint!(E::ADMIN, concessions::enrol)),
        )
        .route(
            paths::ADMIN_CONCESSION_DOCUMENTS,
            post(endpoint!(E::ADMIN, concessions::record_document)),
        )
        .route(
            paths::ADMIN_OPERATORS,
            post(endpoint!(E::ADMIN, clearing::register_operator)),
        )
        .route(
            paths::ADMIN_ACCESS_REPORTS,
            get(endpoint!(E::ADMIN, service_points::admin_reports)),
        )
        .route(
            paths::ADMIN_CLOCK_ADVANCE,
            post(endpoint!(E::ADMIN, admin::advance_clock)),
        )
        .route(
            paths::ADMIN_PEOPLE,
            post(endpoint!(E::ADMIN, admin::add_person)),
        )
        .route(
            paths::ADMIN_PERSON_PHONE,
            post(endpoint!(E::ADMIN, phone::counter_change, path)),
        )
        .route(
            paths::ADMIN_SMS,
            get(endpoint!(E::ADMIN, admin::sms_outbox)),
        )
        .route(
            paths::ADMIN_FACE_RESULTS,
            post(endpoint!(E::ADMIN, admin::mint_face_result)),
        )
        .route(
            paths::ADMIN_PERSON_CARDS,
            post(endpoint!(E::ADMIN, admin::add_card, path)),
        )
        .route(
            paths::ADMIN_PERSONAS,
            get(endpoint!(E::ADMIN, admin::personas)),
        )
        .route(
            paths::ADMIN_ISSUER_ROTATE,
            post(endpoint!(E::ADMIN, admin::rotate_key)),
        )
        .route(
            paths::ADMIN_AUTHORITY_KEYS,
            get(endpoint!(E::ADMIN, admin::authority_keys)),
        )
        .route(
            paths::ADMIN_AUTHORITY_ROTATE,
            post(endpoint!(E::ADMIN, admin::rotate_authority_key)),
        )
        .route(
            paths::ADMIN_BANK_ACCOUNT_CLOSED,
            post(endpoint!(E::ADMIN, admin::bank_account_closed, path)),
        )
        .route(
            paths::ADMIN_CARD_RELEASE,
            post(endpoint!(E::ADMIN, admin::counter_release, path)),
        )
        .route(
            paths::ADMIN_CARD_VALIDITY,
            post(endpoint!(E::ADMIN, admin::card_validity, path)),
        )
        .route(
            paths::ADMIN_PRODUCTION_FAILED,
            post(endpoint!(E::ADMIN, admin::fail_production, path)),
        )
        .route(
            paths::ADMIN_COUNTER_CONSENT,
            post(endpoint!(E::ADMIN, admin::counter_consent, path)),
        )
        .route(
            paths::ADMIN_CATALOGUE_ITEMS,
            put(endpoint!(E::ADMIN, admin::put_items)),
        )
        .route(
            paths::ADMIN_CATALOGUE_ITEM,
            delete(endpoint!(E::ADMIN, admin::delete_item, path)),
        )
        .route(
            paths::ADMIN_OUTLETS,
            put(endpoint!(E::ADMIN, admin::put_outlets)),
        )
        .route(
            paths::ADMIN_OUTLET,
            delete(endpoint!(E::ADMIN, admin::delete_outlet, path)),
        )
        .route(
            paths::ADMIN_RULES,
            put(endpoint!(E::ADMIN, admin::put_rules)),
        )
        .route(
            paths::ADMIN_SEARCH_VOCABULARY,
            put(endpoint!(E::ADMIN, admin::put_search_vocabulary, path)),
        )
        .route(
            paths::ADMIN_RELYING_PARTIES,
            post(endpoint!(E::ADMIN, login::register)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `routes` already binds `path` (binding a service at a bound
    /// path panics).
    fn binds(routes: &Router<Arc<AppState>>, path: &str) -> bool {
        let probe = axum::routing::get::<_, _, ()>(|| async {});
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            routes.clone().route_service(path, probe)
        }))
        .is_err()
    }

    #[test]
    fn the_admin_paths_are_the_admin_routes_and_only_those() {
        let (api, admin) = (api_routes(), admin_routes());
        for path in paths::ALL {
            let is_admin = path.starts_with("/admin/");
            assert_eq!(binds(&admin, path), is_admin, "{path} in the admin routes");
            assert_eq!(binds(&api, path), !is_admin, "{path} in the API routes");
        }
        // Merging panics on a path bound in both sets.
        let _ = api_routes()
            .merge(admin_routes())
            .merge(operations::routes());
    }
}
