//! The platform's resource paths, defined once for the client and the
//! platform (`docs/api/openapi.yaml` lists the same ones; a test below keeps
//! them in step).
//!
//! Each constant is the route template as the platform's router writes it,
//! with `{id}` standing for the one path parameter a route may have. The
//! client fills a template with [`with_id`]; the platform registers the
//! template itself. A renamed route is then one edit here, not a search
//! through both crates.

/// The platform's clock (`GET`).
pub const TIME: &str = "/v1/time";
/// The signed list of trusted issuer keys, an `ecard-signed-trust-list` envelope (`GET`).
pub const TRUST_LIST: &str = "/v1/trust-list";
/// One signed status list, by id (`GET`).
pub const STATUS_LIST: &str = "/v1/status-lists/{id}";
/// The catalogue's service items (`GET`).
pub const CATALOGUE_ITEMS: &str = "/v1/catalogue/items";
/// The catalogue's service outlets (`GET`).
pub const CATALOGUE_OUTLETS: &str = "/v1/catalogue/outlets";
/// Incremental catalogue sync (`GET`, with `region` and version queries).
pub const CATALOGUE_SYNC: &str = "/v1/catalogue/sync";
/// One region's rules, by region code (`GET`).
pub const RULES: &str = "/v1/rules/{id}";

/// Starts an enrolment (`POST`).
pub const ENROLMENTS: &str = "/v1/enrolments";
/// Hands the face platform's result to an enrolment (`POST`).
pub const ENROLMENT_PRESENCE: &str = "/v1/enrolments/{id}/presence";
/// Completes an enrolment with a code or an approval (`POST`).
pub const ENROLMENT_COMPLETION: &str = "/v1/enrolments/{id}/completion";

/// The signed-in person's profile (`GET`).
pub const ME: &str = "/v1/me";
/// The person's enrolled devices (`GET`).
pub const MY_DEVICES: &str = "/v1/me/devices";
/// Unlinks one device (`POST`).
pub const DEVICE_UNLINK: &str = "/v1/me/devices/{id}/unlink";
/// Account notices after a cursor (`GET`, with `after`).
pub const MY_NOTICES: &str = "/v1/me/notices";
/// Enrolments waiting for this device's approval (`GET`).
pub const ENROLMENT_REQUESTS: &str = "/v1/me/enrolment-requests";
/// Approves a waiting enrolment (`POST`).
pub const ENROLMENT_REQUEST_APPROVAL: &str = "/v1/me/enrolment-requests/{id}/approval";
/// Changes the e-card PIN (`POST`).
pub const PIN: &str = "/v1/me/pin";
/// Exchanges the PIN for a one-use grant (`POST`).
pub const PIN_GRANTS: &str = "/v1/me/pin/grants";
/// Resets a forgotten PIN after a face check (`POST`).
pub const PIN_RESET: &str = "/v1/me/pin/reset";
/// Asks for a face-check challenge for a signed-in act (`POST`).
pub const FACE_CHALLENGES: &str = "/v1/me/face-challenges";
/// Starts a change of the phone on record (`POST`).
pub const PHONE_CHANGES: &str = "/v1/me/phone-changes";
/// Confirms a phone change with the code sent to the old phone (`POST`).
pub const PHONE_CHANGE_CONFIRMATION: &str = "/v1/me/phone-changes/{id}/confirmation";
/// Deletes the account and its personal data (`POST`).
pub const ACCOUNT_DELETION: &str = "/v1/me/deletion";

/// Asks for fresh e-card credentials (`POST`).
pub const CREDENTIALS: &str = "/v1/credentials";
/// Submits (`POST`) or lists (`GET`) card applications.
pub const APPLICATIONS: &str = "/v1/applications";
/// One application (`GET`).
pub const APPLICATION: &str = "/v1/applications/{id}";
/// Pays an application's fee (`POST`).
pub const APPLICATION_PAYMENT: &str = "/v1/applications/{id}/payment";
/// Cancels an application (`POST`).
pub const APPLICATION_CANCEL: &str = "/v1/applications/{id}/cancel";
/// Confirms receipt of a delivered card (`POST`).
pub const APPLICATION_RECEIPT: &str = "/v1/applications/{id}/receipt";
/// Resubmits a refused photo (`POST`).
pub const APPLICATION_PHOTO: &str = "/v1/applications/{id}/photo";
/// Submits a replacement (`POST`).
pub const REPLACEMENTS: &str = "/v1/replacements";
/// Reports a card lost (`POST`).
pub const LOSS_REPORTS: &str = "/v1/cards/{id}/loss-reports";
/// Releases a temporary loss report (`POST`).
pub const LOSS_RELEASE: &str = "/v1/cards/{id}/loss-reports/release";
/// Activates a card's social-security functions (`POST`).
pub const ACTIVATION: &str = "/v1/cards/{id}/activation";

/// Requests (`POST`) or lists (`GET`) mandates to act for others.
pub const DELEGATIONS: &str = "/v1/delegations";
/// Consents to a mandate with the PIN (`POST`).
pub const DELEGATION_CONSENT: &str = "/v1/delegations/{id}/consent";
/// Asks for a face challenge to consent on the helper's phone (`POST`).
pub const DELEGATION_FACE_CHALLENGE: &str = "/v1/delegations/{id}/face-challenge";
/// Consents to a mandate by the grantor's face (`POST`).
pub const DELEGATION_FACE_CONSENT: &str = "/v1/delegations/{id}/face-consent";
/// Revokes a mandate (`POST`).
pub const DELEGATION_REVOKE: &str = "/v1/delegations/{id}/revoke";
/// 出生一件事: a parent's one form (`POST`); the caller's births (`GET`).
pub const BIRTHS: &str = "/v1/births";
/// One birth registration with its progress line (`GET`).
pub const BIRTH: &str = "/v1/births/{id}";
/// An outlet's staff issue an instant-issue application's card on the spot (`POST`, outlet operator token).
pub const OUTLET_INSTANT_ISSUE: &str = "/v1/outlet/applications/{id}/instant-issue";
/// A guardian allows or withdraws the e-card on the ward's own phone (`POST`).
pub const DELEGATION_WARD_E_CARD: &str = "/v1/delegations/{id}/ward-e-card";
/// A guardian sets the ward's e-card PIN (`POST`).
pub const DELEGATION_WARD_PIN: &str = "/v1/delegations/{id}/ward-pin";
/// The audit trail of acts for and by the person (`GET`).
pub const AUDIT: &str = "/v1/audit";

/// A terminal operator reports accepted codes and gets its other
/// terminals' accepts and the codes accepted twice (`POST`, bearer
/// operator token).
pub const OPERATOR_ACCEPTANCES: &str = "/v1/operator/acceptances";
/// A service point's terminal resolves a scanned medical or identity code
/// to what its purpose discloses (`POST`, bearer operator token).
pub const SERVICE_POINT_RESOLUTIONS: &str = "/v1/service-point/resolutions";
/// Who resolved the person's codes (`GET`, with `person_id`, `before`,
/// `limit`).
pub const MY_ACCESS_RECORDS: &str = "/v1/me/access-records";
/// The resident reports an access record they do not recognise (`POST`).
pub const ACCESS_RECORD_REPORT: &str = "/v1/me/access-records/{id}/report";

/// The person's pension eligibility cycle (`GET`, with `person_id`).
pub const MY_ELIGIBILITY: &str = "/v1/me/eligibility";
/// Starts a face check for pension eligibility (`POST`).
pub const ELIGIBILITY_CHECKS: &str = "/v1/eligibility-checks";
/// Hands the face platform's result to an eligibility check (`POST`).
pub const ELIGIBILITY_CHECK_FACE: &str = "/v1/eligibility-checks/{id}/face";
/// The card's financial account (bank function) (`GET`).
pub const FINANCIAL_ACCOUNT: &str = "/v1/cards/{id}/financial-account";
/// Reports the card's bank function lost (金融功能挂失) (`POST`).
pub const FINANCIAL_LOSS_REPORTS: &str = "/v1/cards/{id}/financial-loss-reports";
/// Payments into the person's card account (`GET`, with `person_id`,
/// `before`, `limit`).
pub const MY_PAYMENTS: &str = "/v1/me/payments";
/// The person's social-insurance record (`GET`, with `person_id`).
pub const MY_INSURANCE_RECORDS: &str = "/v1/me/insurance-records";
/// Issues a certificate (参保证明) as a PDF (`POST`).
pub const MY_CERTIFICATES: &str = "/v1/me/certificates";
/// One issued certificate's PDF (`GET`).
pub const CERTIFICATE_PDF: &str = "/v1/me/certificates/{id}/pdf";
/// Anyone checks a certificate's verification code (`GET`, public).
pub const CERTIFICATE_CHECK: &str = "/v1/certificate-checks/{id}";
/// Anyone checks a certificate's PDF file (`POST` the bytes, public).
pub const CERTIFICATE_CHECKS: &str = "/v1/certificate-checks";

/// Operator: moves the platform clock (`POST`).
pub const ADMIN_CLOCK_ADVANCE: &str = "/admin/clock/advance";
/// Operator: adds a person to the register (`POST`).
pub const ADMIN_PEOPLE: &str = "/admin/people";
/// Operator: changes a person's phone at a counter (`POST`).
pub const ADMIN_PERSON_PHONE: &str = "/admin/people/{id}/phone";
/// Operator: adds a card to a person (`POST`).
pub const ADMIN_PERSON_CARDS: &str = "/admin/people/{id}/cards";
/// Operator: the reference SMS gateway's outbox (`GET`, with `phone`).
pub const ADMIN_SMS: &str = "/admin/sms";
/// Operator: the simulated face platform mints a result (`POST`).
pub const ADMIN_FACE_RESULTS: &str = "/admin/face-platform/results";
/// Operator: the sample personas (`GET`).
pub const ADMIN_PERSONAS: &str = "/admin/personas";
/// Operator: rotates the issuer key (`POST`).
pub const ADMIN_ISSUER_ROTATE: &str = "/admin/issuer/rotate";
/// Operator: the authority keys that sign the trust list, for provisioning terminals (`GET`).
pub const ADMIN_AUTHORITY_KEYS: &str = "/admin/trust/authority-keys";
/// Operator: rotate the authority key that signs the trust list, with an overlap (`POST`).
pub const ADMIN_AUTHORITY_ROTATE: &str = "/admin/trust/authority-keys/rotate";
/// Operator: the bank closed a card's account (`POST`).
pub const ADMIN_BANK_ACCOUNT_CLOSED: &str = "/admin/cards/{id}/bank-account-closed";
/// Operator: releases a loss report at a counter (`POST`).
pub const ADMIN_CARD_RELEASE: &str = "/admin/cards/{id}/release";
/// Operator: record a card's end of validity, 有效期 (`POST`).
pub const ADMIN_CARD_VALIDITY: &str = "/admin/cards/{id}/validity";
/// Operator: production of an application failed (`POST`).
pub const ADMIN_PRODUCTION_FAILED: &str = "/admin/applications/{id}/fail";
/// Operator: records a mandate's consent given at a counter (`POST`).
pub const ADMIN_COUNTER_CONSENT: &str = "/admin/delegations/{id}/consent";
/// Operator: replaces catalogue items (`PUT`).
pub const ADMIN_CATALOGUE_ITEMS: &str = "/admin/catalogue/items";
/// Operator: deletes one catalogue item (`DELETE`).
pub const ADMIN_CATALOGUE_ITEM: &str = "/admin/catalogue/items/{id}";
/// Operator: replaces outlets (`PUT`).
pub const ADMIN_OUTLETS: &str = "/admin/outlets";
/// Operator: deletes one outlet (`DELETE`).
pub const ADMIN_OUTLET: &str = "/admin/outlets/{id}";
/// Operator: replaces a region's rules (`PUT`).
pub const ADMIN_RULES: &str = "/admin/rules";
/// Operator: replaces one list of the search vocabulary, `national` or a
/// province's (`PUT`).
pub const ADMIN_SEARCH_VOCABULARY: &str = "/admin/search-vocabulary/{id}";
/// The health register: a hospital reports a birth medical certificate (`POST`).
pub const ADMIN_BIRTH_CERTIFICATES: &str = "/admin/birth-certificates";
/// Operator: registers a school (`POST`).
pub const ADMIN_SCHOOLS: &str = "/admin/schools";
/// Operator: records a student's enrolment at a school (`POST`).
pub const ADMIN_SCHOOL_ENROLMENTS: &str = "/admin/school-enrolments";
/// Operator: records a document that gives a concession class (`POST`).
pub const ADMIN_CONCESSION_DOCUMENTS: &str = "/admin/concession-documents";
/// Operator: registers a terminal operator and issues its token (`POST`).
pub const ADMIN_OPERATORS: &str = "/admin/operators";
/// Operator: residents' reports of access records (`GET`).
pub const ADMIN_ACCESS_REPORTS: &str = "/admin/access-reports";

/// Operator: registers a relying party of scan-to-login and issues its
/// client secret (`POST`).
pub const ADMIN_RELYING_PARTIES: &str = "/admin/relying-parties";
/// OpenID Connect discovery (`GET`).
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
/// The keys that sign ID tokens, a JWK set (`GET`).
pub const OAUTH_JWKS: &str = "/oauth/jwks";
/// A relying party's authorization request: a page with the login QR code (`GET`).
pub const OAUTH_AUTHORIZE: &str = "/oauth/authorize";
/// The browser's page of one login request, by its continue handle: waits,
/// then sends the browser back to the relying party (`GET`).
pub const OAUTH_CONTINUE: &str = "/oauth/continue/{id}";
/// A relying party redeems its code for tokens (`POST`, form).
pub const OAUTH_TOKEN: &str = "/oauth/token";
/// The logged-in person's claims for a bearer access token (`GET`).
pub const OAUTH_USERINFO: &str = "/oauth/userinfo";
/// A login request as the app shows it: who asks for what (`GET`).
pub const LOGIN_REQUEST: &str = "/v1/login-requests/{id}";
/// Approves a login request with a PIN grant (`POST`).
pub const LOGIN_REQUEST_APPROVAL: &str = "/v1/login-requests/{id}/approve";
/// Denies a login request (`POST`).
pub const LOGIN_REQUEST_DENIAL: &str = "/v1/login-requests/{id}/deny";
/// The logins the person approved or that were approved for them (`GET`).
pub const MY_AUTHORISATIONS: &str = "/v1/me/authorisations";
/// Revokes one authorisation and its tokens (`POST`).
pub const AUTHORISATION_REVOKE: &str = "/v1/me/authorisations/{id}/revoke";

/// Every path above, for checks that walk them all.
pub const ALL: &[&str] = &[
    TIME,
    TRUST_LIST,
    STATUS_LIST,
    CATALOGUE_ITEMS,
    CATALOGUE_OUTLETS,
    CATALOGUE_SYNC,
    RULES,
    ENROLMENTS,
    ENROLMENT_PRESENCE,
    ENROLMENT_COMPLETION,
    ME,
    MY_DEVICES,
    DEVICE_UNLINK,
    MY_NOTICES,
    ENROLMENT_REQUESTS,
    ENROLMENT_REQUEST_APPROVAL,
    PIN,
    PIN_GRANTS,
    PIN_RESET,
    FACE_CHALLENGES,
    PHONE_CHANGES,
    PHONE_CHANGE_CONFIRMATION,
    ACCOUNT_DELETION,
    CREDENTIALS,
    APPLICATIONS,
    APPLICATION,
    APPLICATION_PAYMENT,
    APPLICATION_CANCEL,
    APPLICATION_RECEIPT,
    APPLICATION_PHOTO,
    REPLACEMENTS,
    LOSS_REPORTS,
    LOSS_RELEASE,
    ACTIVATION,
    DELEGATIONS,
    DELEGATION_CONSENT,
    DELEGATION_FACE_CHALLENGE,
    DELEGATION_FACE_CONSENT,
    DELEGATION_REVOKE,
    DELEGATION_WARD_E_CARD,
    DELEGATION_WARD_PIN,
    BIRTHS,
    BIRTH,
    OUTLET_INSTANT_ISSUE,
    AUDIT,
    OPERATOR_ACCEPTANCES,
    SERVICE_POINT_RESOLUTIONS,
    MY_ACCESS_RECORDS,
    ACCESS_RECORD_REPORT,
    MY_INSURANCE_RECORDS,
    MY_CERTIFICATES,
    CERTIFICATE_PDF,
    CERTIFICATE_CHECK,
    CERTIFICATE_CHECKS,
    ADMIN_CLOCK_ADVANCE,
    ADMIN_PEOPLE,
    ADMIN_PERSON_PHONE,
    ADMIN_PERSON_CARDS,
    ADMIN_SMS,
    ADMIN_FACE_RESULTS,
    ADMIN_PERSONAS,
    ADMIN_ISSUER_ROTATE,
    ADMIN_AUTHORITY_KEYS,
    ADMIN_AUTHORITY_ROTATE,
    ADMIN_BANK_ACCOUNT_CLOSED,
    ADMIN_CARD_RELEASE,
    ADMIN_CARD_VALIDITY,
    ADMIN_PRODUCTION_FAILED,
    ADMIN_COUNTER_CONSENT,
    ADMIN_CATALOGUE_ITEMS,
    ADMIN_CATALOGUE_ITEM,
    ADMIN_OUTLETS,
    ADMIN_OUTLET,
    ADMIN_RULES,
    ADMIN_SEARCH_VOCABULARY,
    ADMIN_BIRTH_CERTIFICATES,
    ADMIN_SCHOOLS,
    ADMIN_SCHOOL_ENROLMENTS,
    ADMIN_CONCESSION_DOCUMENTS,
    ADMIN_OPERATORS,
    ADMIN_RELYING_PARTIES,
    OPENID_CONFIGURATION,
    OAUTH_JWKS,
    OAUTH_AUTHORIZE,
    OAUTH_CONTINUE,
    OAUTH_TOKEN,
    OAUTH_USERINFO,
    LOGIN_REQUEST,
    LOGIN_REQUEST_APPROVAL,
    LOGIN_REQUEST_DENIAL,
    MY_AUTHORISATIONS,
    AUTHORISATION_REVOKE,
    ADMIN_ACCESS_REPORTS,
    MY_ELIGIBILITY,
    ELIGIBILITY_CHECKS,
    ELIGIBILITY_CHECK_FACE,
    FINANCIAL_ACCOUNT,
    FINANCIAL_LOSS_REPORTS,
    MY_PAYMENTS,
];

/// The template's `{id}` filled with `id`: the path a client calls.
///
/// Ids are the platform's own (UUIDs, card and region codes); a character
/// outside the unreserved URL set is percent-encoded, so an id read from a
/// reply cannot add path segments or a query.
pub fn with_id(template: &str, id: impl std::fmt::Display) -> String {
    template.replacen("{id}", &percent_encode(&id.to_string()), 1)
}

/// `value` with every byte outside the unreserved URL set (`A-Z a-z 0-9 -
/// _ . ~`) percent-encoded: one path segment or one query value, whatever
/// it holds.
pub fn percent_encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's paths with each named parameter (`{list}`, `{card}`)
    /// written `{id}`, as the templates here write it.
    fn published_paths() -> Vec<String> {
        let contract = include_str!("../../docs/api/openapi.yaml");
        contract
            .lines()
            .filter_map(|line| line.strip_prefix("  /"))
            .filter_map(|line| line.strip_suffix(':'))
            .map(|path| {
                let mut template = String::from("/");
                let mut in_parameter = false;
                for character in path.chars() {
                    match character {
                        '{' => {
                            in_parameter = true;
                            template.push_str("{id}");
                        }
                        '}' => in_parameter = false,
                        other if !in_parameter => template.push(other),
                        _ => {}
                    }
                }
                template
            })
            .collect()
    }

    #[test]
    fn every_path_is_in_the_published_contract() {
        let published = published_paths();
        for path in ALL {
            assert!(
                published.iter().any(|published| published == path),
                "{path} is not in docs/api/openapi.yaml"
            );
        }
    }

    #[test]
    fn every_contract_path_is_defined_here() {
        for path in published_paths() {
            assert!(
                ALL.contains(&path.as_str()),
                "{path} has no constant in ecard_api::paths"
            );
        }
    }

    #[test]
    fn templates_are_filled_once_and_ids_cannot_escape_their_segment() {
        assert_eq!(
            with_id(APPLICATION_PAYMENT, "a1b2-c3"),
            "/v1/applications/a1b2-c3/payment"
        );
        assert_eq!(
            with_id(APPLICATION, "../me/deletion"),
            "/v1/applications/..%2Fme%2Fdeletion"
        );
        assert_eq!(with_id(RULES, "360000"), "/v1/rules/360000");
    }

    #[test]
    fn paths_are_unique() {
        let mut sorted = ALL.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ALL.len());
    }
}
