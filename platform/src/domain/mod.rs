//! The domain layer: the card service's rules and state transitions —
//! cards, applications and their production, social-insurance records and
//! certificates (参保证明), births (出生一件事), delegations, issuance and the
//! issuer keys, regional rules, enrolment and identity checks (register,
//! face, PIN, SMS codes, attempt limits), account deletion, the clearing of
//! accepted codes between an operator's terminals, online resolution of
//! scanned codes at service points with the residents' access records, pension
//! eligibility (待遇资格认证) and the card's money (its bank function and the payments into it), the catalogue
//! feeds and search vocabulary, and the clock tick that moves time-driven processes along.
//!
//! It builds on the store and knows nothing of requests: functions take a
//! transaction, the platform time and, where it matters, the caller. The
//! HTTP layer above calls it; nothing here calls back up.

pub mod access;
pub mod accounts;
pub mod applications;
pub mod births;
pub mod cards;
pub mod certificate_pdf;
pub mod certificates;
pub mod clearing;
pub mod concessions;
pub mod dates;
pub mod delegations;
pub mod devices;
pub mod eligibility;
pub mod enrolment;
pub mod face;
pub mod feeds;
pub mod insurance_records;
pub mod issuer;
pub mod limits;
pub mod login;
pub mod money;
pub mod operations;
pub mod pin;
pub mod pseudonyms;
pub mod register;
pub mod rules;
pub mod seed;
pub mod service_points;
pub mod sms;
pub mod status_history;
pub mod tick;
pub mod vocabulary;
