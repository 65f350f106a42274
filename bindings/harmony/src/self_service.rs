//! Social-insurance self-service for JavaScript (issue 18): the insurance
//! record by year and insurance (权益记录), certificates (参保证明 /
//! 缴费证明) and their public checks, pension eligibility (待遇资格认证,
//! also for a relative under a mandate), and the card's money (financial
//! account, payments, 金融功能挂失). The same client ([`Client`]), method
//! for method with the core, in camelCase.
//!
//! Threading, as for the rest of the client: the Promise-returning methods
//! run on the core's runtime (network, storage, the face check); the
//! `…Cached` methods and `insuranceRecordMonths` read the local database
//! only and are safe on the UI thread. The face check of
//! `certifyEligibility` is a JavaScript object with `check(request)` (see
//! [`crate::face`]), run while the Promise is pending.

use std::sync::Arc;

use ecard_api::insurance::{CertificateRequest, Insurance};
use ecard_api::resident::PersonIdentity;
use napi::bindgen_prelude::Uint8Array;
use serde_json::Value;

use crate::client::Client;
use crate::convert::{self, enum_from_js, from_js, to_js};
use crate::error::{BindingError, Fallible};
use crate::face::JsFaceCheck;

#[cfg(feature = "node")]
use napi_derive::napi;
#[cfg(feature = "ohos")]
use napi_derive_ohos::napi;

/// A value JavaScript sees, or `null` when there is none.
fn to_js_or_null<T: serde::Serialize>(value: Option<T>) -> Value {
    value.as_ref().map_or(Value::Null, to_js)
}

#[napi]
impl Client {
    /// 权益记录: the insurance record of `personId` (the account holder
    /// when null; a relative's needs a mandate with the `records` scope),
    /// by year (newest first) and insurance, with its freshness. Fetched
    /// again only when it changed; offline, the record last fetched
    /// (`freshness.offline`).
    #[napi]
    pub async fn insurance_records(&self, person_id: Option<String>) -> Fallible<Value> {
        self.run(|core| async move { Ok(to_js(&core.insurance_records(person_id).await?)) })
            .await
    }

    /// The insurance record of `personId` (the holder when null) as last
    /// fetched, or null. Local I/O only.
    #[napi]
    pub fn insurance_records_cached(&self, person_id: Option<String>) -> Fallible<Value> {
        self.now(|core| {
            Ok(to_js_or_null(
                core.insurance_records_cached(person_id.as_deref())?,
            ))
        })
    }

    /// The months of `year` in the cached record of `personId` (the holder
    /// when null), of one insurance (`pension`, `medical`, …) or all,
    /// oldest first; empty when nothing is cached. Local I/O only.
    #[napi]
    pub fn insurance_record_months(
        &self,
        person_id: Option<String>,
        year: u32,
        insurance: Option<String>,
    ) -> Fallible<Vec<Value>> {
        let parsed = (|| {
            let year = u16::try_from(year).map_err(|_| {
                BindingError::invalid_argument("year", "a year such as 2024", self.binding_locale())
            })?;
            let insurance: Option<Insurance> = insurance
                .as_deref()
                .map(|name| enum_from_js("insurance", name, self.binding_locale()))
                .transpose()?;
            Ok((year, insurance))
        })();
        let (year, insurance) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return Fallible(Err(error)),
        };
        self.now(|core| {
            Ok(core
                .insurance_record_months(person_id.as_deref(), year, insurance)?
                .iter()
                .map(to_js)
                .collect())
        })
    }

    /// 开具参保证明: asks for a certificate (`{ kind, personId?, insurance?,
    /// fromYear?, toYear? }`) and keeps its PDF on this device once its
    /// SHA-256 matches.
    #[napi]
    pub async fn request_certificate(&self, request: Value) -> Fallible<Value> {
        let request: CertificateRequest = match from_js("request", request, self.binding_locale()) {
            Ok(request) => request,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move { Ok(to_js(&core.request_certificate(request).await?)) })
            .await
    }

    /// The certificates issued for `personId` (the holder when null),
    /// newest first, by whoever asked; offline, those this device knows.
    #[napi]
    pub async fn certificates(&self, person_id: Option<String>) -> Fallible<Vec<Value>> {
        self.run(|core| async move {
            Ok(core
                .certificates(person_id)
                .await?
                .iter()
                .map(to_js)
                .collect())
        })
        .await
    }

    /// The certificates of `personId` (the holder when null) this device
    /// knows, newest first. Local I/O only.
    #[napi]
    pub fn certificates_cached(&self, person_id: Option<String>) -> Fallible<Vec<Value>> {
        self.now(|core| {
            Ok(core
                .certificates_cached(person_id.as_deref())?
                .iter()
                .map(to_js)
                .collect())
        })
    }

    /// The PDF of a certificate: kept here (opens offline), or downloaded,
    /// checked against the SHA-256 given at issuance and kept.
    #[napi]
    pub async fn certificate_pdf(&self, certificate_id: String) -> Fallible<Uint8Array> {
        let pdf = self
            .run(|core| async move { core.certificate_pdf(&certificate_id).await })
            .await;
        Fallible(pdf.0.map(Uint8Array::new))
    }

    /// The path of one plain copy of a certificate's PDF, for opening it or
    /// the share sheet; earlier copies are removed.
    #[napi]
    pub async fn certificate_file(&self, certificate_id: String) -> Fallible<String> {
        self.run(|core| async move { core.certificate_file(&certificate_id).await })
            .await
    }

    /// Checks a certificate by its verification code (as printed; case and
    /// hyphens do not matter), as anyone handed one can.
    #[napi]
    pub async fn check_certificate(&self, code: String) -> Fallible<Value> {
        self.run(|core| async move { Ok(to_js(&core.check_certificate(&code).await?)) })
            .await
    }

    /// Checks a certificate's file: valid only if it is, byte for byte, a
    /// certificate the platform issued and still valid (a changed file is
    /// refused with `certificate_invalid`).
    #[napi]
    pub async fn check_certificate_file(&self, pdf: Uint8Array) -> Fallible<Value> {
        let pdf = pdf.to_vec();
        self.run(|core| async move { Ok(to_js(&core.check_certificate_file(pdf).await?)) })
            .await
    }

    /// 待遇资格认证: where `personId` (the holder when null; a relative's
    /// needs a mandate with the `eligibility` scope) stands in the yearly
    /// cycle; offline, the status last fetched. Tells the reminders that
    /// have come (`eligibility_reminder` events).
    #[napi]
    pub async fn eligibility(&self, person_id: Option<String>) -> Fallible<Value> {
        self.run(|core| async move { Ok(to_js(&core.eligibility(person_id).await?)) })
            .await
    }

    /// The eligibility of `personId` (the holder when null) as last
    /// fetched, or null. Local I/O only.
    #[napi]
    pub fn eligibility_cached(&self, person_id: Option<String>) -> Fallible<Value> {
        self.now(|core| {
            Ok(to_js_or_null(
                core.eligibility_cached(person_id.as_deref())?,
            ))
        })
    }

    /// Certifies `personId`'s eligibility (the holder when null) by a face
    /// check of `pensioner` on this phone (`face.check(request)`). 为家人认证:
    /// for a relative under an `eligibility` mandate, `pensioner` is the
    /// relative and the face must be theirs; the helper's own face is
    /// refused (`identity_not_verified`).
    #[napi]
    pub async fn certify_eligibility(
        &self,
        person_id: Option<String>,
        pensioner: Value,
        face: JsFaceCheck,
    ) -> Fallible<Value> {
        let pensioner: PersonIdentity = match from_js("pensioner", pensioner, self.binding_locale())
        {
            Ok(pensioner) => pensioner,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move {
            core.certify_eligibility(person_id, pensioner, Arc::new(face))
                .await
                .map(|view| to_js(&view))
        })
        .await
    }

    /// Tells each eligibility reminder whose day has come and that was not
    /// told before (as `eligibility_reminder` events); answers how many.
    /// Local I/O only (works offline, from the cached statuses).
    #[napi]
    pub async fn remind_eligibility(&self) -> Fallible<u32> {
        self.run(|core| async move { core.remind_eligibility().await })
            .await
    }

    /// The financial account of a card's bank function (bank and its
    /// hotline, account masked, state); offline, the account last fetched.
    #[napi]
    pub async fn financial_account(&self, card_id: String) -> Fallible<Value> {
        self.run(|core| async move { Ok(to_js(&core.financial_account(&card_id).await?)) })
            .await
    }

    /// The financial account of a card as last fetched, or null. Local I/O
    /// only.
    #[napi]
    pub fn financial_account_cached(&self, card_id: String) -> Fallible<Value> {
        self.now(|core| Ok(to_js_or_null(core.financial_account_cached(&card_id)?)))
    }

    /// 待遇发放: a page of the payments into the card accounts of
    /// `personId` (the holder when null; a relative's need a mandate with
    /// the `track` scope), newest first; `before` is the previous page's
    /// `nextBefore`. Offline: the payments last fetched, in one page.
    #[napi]
    pub async fn payments(
        &self,
        person_id: Option<String>,
        before: Option<i64>,
    ) -> Fallible<Value> {
        let before = match before.map(u64::try_from).transpose() {
            Ok(before) => before,
            Err(_) => {
                return Fallible(Err(BindingError::invalid_argument(
                    "before",
                    "not negative",
                    self.binding_locale(),
                )));
            }
        };
        self.run(|core| async move { Ok(to_js(&core.payments(person_id, before).await?)) })
            .await
    }

    /// The payments to `personId` (the holder when null) last fetched,
    /// newest first. Local I/O only.
    #[napi]
    pub fn payments_cached(&self, person_id: Option<String>) -> Fallible<Vec<Value>> {
        self.now(|core| {
            Ok(core
                .payments_cached(person_id.as_deref())?
                .iter()
                .map(to_js)
                .collect())
        })
    }

    /// 金融功能挂失: reports the card's bank function lost, through the
    /// outbox. The card's codes keep working; the bank must still be called
    /// (its hotline is in the financial account).
    #[napi]
    pub async fn report_financial_loss(&self, card_id: String) -> Fallible<Value> {
        self.run(|core| async move {
            core.report_financial_loss(&card_id)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }
}
