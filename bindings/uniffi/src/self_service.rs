//! Social-insurance self-service for the apps: the insurance record
//! (权益记录) by year and insurance, certificates (参保证明 / 缴费证明) kept,
//! opened, shared and checked, pension eligibility (待遇资格认证) with the
//! face check on the pensioner's or a helper's phone, and the card's money
//! (the financial account, payments, the financial loss report). The logic
//! is the core's (`ecard_core::insurance`, `ecard_core::eligibility`,
//! `ecard_core::money`: fetched when online, shown sealed from the cache
//! offline with their freshness, submissions through the outbox); this
//! module only carries it across.

use std::sync::Arc;

use ecard_api::eligibility::{
    Certification, CertificationMethod, EligibilityReminder, EligibilityState, EligibilityStatus,
    PassiveUse,
};
use ecard_api::insurance::{
    Certificate, CertificateCheck, CertificateKind, CertificateRequest, CertificateState,
    Insurance, Participation, ParticipationStatus, PensionStart, RequestedBy, Scheme, Transfer,
    YearTotal,
};
use ecard_api::money::{BankFunctionState, FinancialAccount, Payment, PaymentPage, PaymentSource};
use ecard_api::resident::PersonIdentity;
use ecard_api::rules::Bank;
use ecard_api::service_points::ServicePointKind;
use ecard_core::{
    CertificateView, EligibilityView, FinancialAccountView, Freshness, MonthLine, RecordYear,
    RecordsView, Submission,
};

use crate::client::EcardClient;
use crate::error::EcardError;
use crate::identity::{FaceCheck, core_face_check};

/// One of the four social insurances.
#[uniffi::remote(Enum)]
pub enum Insurance {
    /// 养老保险.
    Pension,
    /// 医疗保险.
    Medical,
    /// 失业保险.
    Unemployment,
    /// 工伤保险 (employer only).
    WorkInjury,
}

/// How a month's contribution was paid.
#[uniffi::remote(Enum)]
pub enum Scheme {
    /// 职工: through an employer.
    Employee,
    /// 灵活就业: the person pays alone.
    FlexibleEmployment,
    /// 城乡居民: resident insurance, paid once a year.
    Resident,
}

/// Where a participation stands today.
#[uniffi::remote(Enum)]
pub enum ParticipationStatus {
    /// 参保缴费: contributions are being paid.
    Contributing,
    /// 暂停缴费: insured before, no contributions now.
    Suspended,
    /// 退休: the person draws the pension.
    Retired,
}

/// A person's participation in one insurance.
#[uniffi::remote(Record)]
pub struct Participation {
    /// The insurance.
    pub insurance: Insurance,
    /// First insured month, `YYYY-MM`.
    pub since: String,
    /// Where it stands today.
    pub status: ParticipationStatus,
    /// How the latest month was paid.
    pub scheme: Scheme,
    /// The division code where the person is insured now.
    pub region: String,
    /// Months with a contribution (paid or owed).
    pub months: u32,
}

/// A transfer of the insurance between regions (社保关系转移接续).
#[uniffi::remote(Record)]
pub struct Transfer {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Division code left.
    pub from_region: String,
    /// Division code joined.
    pub to_region: String,
}

/// One year of one insurance, summed (amounts in fen).
#[uniffi::remote(Record)]
pub struct YearTotal {
    /// The year.
    pub year: u16,
    /// The insurance.
    pub insurance: Insurance,
    /// Months with a contribution.
    pub months: u32,
    /// Months owed (not paid).
    pub months_owed: u32,
    /// The person's shares, fen.
    pub personal: u64,
    /// The employers' shares, fen.
    pub employer: u64,
}

/// The pension the person draws after retirement.
#[uniffi::remote(Record)]
pub struct PensionStart {
    /// First month of the pension, `YYYY-MM`.
    pub since: String,
    /// Division code paying it.
    pub region: String,
    /// The first monthly amount, fen.
    pub monthly: u64,
}

/// How fresh what the app shows is.
#[uniffi::remote(Record)]
pub struct Freshness {
    /// When the platform last confirmed it (Unix seconds, platform time).
    pub fetched_at: u64,
    /// Seconds since then.
    pub age_seconds: u64,
    /// Older than a day: the app says "可能不是最新".
    pub stale: bool,
    /// Shown from this device because the platform could not be reached.
    pub offline: bool,
}

/// One year of the record: the totals of each insurance, and of all.
#[uniffi::remote(Record)]
pub struct RecordYear {
    /// The year.
    pub year: u16,
    /// One line per insurance paid that year.
    pub insurances: Vec<YearTotal>,
    /// The person's shares of all insurances, fen.
    pub personal: u64,
    /// The employers' shares of all insurances, fen.
    pub employer: u64,
    /// Months owed (欠缴), any insurance.
    pub months_owed: u32,
}

/// The insurance record as the app shows it.
#[uniffi::remote(Record)]
pub struct RecordsView {
    /// Whose record.
    pub person_id: String,
    /// The last month it covers, `YYYY-MM`.
    pub through: String,
    /// One per insurance the person ever joined.
    pub participations: Vec<Participation>,
    /// Transfers between regions, oldest first.
    pub transfers: Vec<Transfer>,
    /// The pension, once the person retired.
    pub pension: Option<PensionStart>,
    /// Newest year first.
    pub years: Vec<RecordYear>,
    /// How fresh it is.
    pub freshness: Freshness,
}

/// One month of one insurance, with who paid it (amounts in fen).
#[uniffi::remote(Record)]
pub struct MonthLine {
    /// `YYYY-MM`.
    pub month: String,
    /// The insurance.
    pub insurance: Insurance,
    /// How it was paid.
    pub scheme: Scheme,
    /// The employer, when an employer paid.
    pub employer_name: Option<String>,
    /// 缴费基数, fen.
    pub base: u64,
    /// The person's share, fen.
    pub personal: u64,
    /// The employer's share, fen.
    pub employer: u64,
    /// Division code where it was paid.
    pub region: String,
    /// Paid, or owed (欠缴).
    pub paid: bool,
}

/// What a certificate certifies.
#[uniffi::remote(Enum)]
pub enum CertificateKind {
    /// 参保证明: the insurances, since when, their state and region.
    Participation,
    /// 缴费证明: the months paid per year.
    ContributionRecord,
}

/// What to certify.
#[uniffi::remote(Record)]
pub struct CertificateRequest {
    /// Whose (null: the account holder); someone else needs a mandate with
    /// the `records` scope.
    pub person_id: Option<String>,
    /// What to certify.
    pub kind: CertificateKind,
    /// One insurance only (null: all).
    pub insurance: Option<Insurance>,
    /// First year (contribution records; null: the first on record).
    pub from_year: Option<u16>,
    /// Last year (contribution records; null: the last on record).
    pub to_year: Option<u16>,
}

/// Who asked for a certificate.
#[uniffi::remote(Enum)]
pub enum RequestedBy {
    /// The person themself.
    Holder,
    /// A family member under a mandate with the `records` scope.
    Proxy,
}

/// An issued certificate.
#[uniffi::remote(Record)]
pub struct Certificate {
    /// The certificate.
    pub certificate_id: String,
    /// Whose.
    pub person_id: String,
    /// What it certifies.
    pub kind: CertificateKind,
    /// One insurance only.
    pub insurance: Option<Insurance>,
    /// First year covered.
    pub from_year: Option<u16>,
    /// Last year covered.
    pub to_year: Option<u16>,
    /// 16 characters of Crockford base32: what a checker types or scans.
    pub verification_code: String,
    /// Unix seconds.
    pub issued_at: u64,
    /// Unix seconds; checks answer `expired` from then on.
    pub valid_until: u64,
    /// The PDF's SHA-256, lower-case hex.
    pub sha256: String,
    /// The PDF's size in bytes.
    pub size: u64,
    /// The holder or a proxy.
    pub requested_by: RequestedBy,
    /// The proxy's masked name, when it was not the holder.
    pub requested_by_name: Option<String>,
    /// Where anyone can check it.
    pub check_url: String,
}

/// A certificate as the app lists it.
#[uniffi::remote(Record)]
pub struct CertificateView {
    /// The certificate as issued.
    pub certificate: Certificate,
    /// Whether its PDF is kept on this device (opens offline).
    pub saved: bool,
    /// Whether its validity has ended.
    pub expired: bool,
}

/// What a check found.
#[uniffi::remote(Enum)]
pub enum CertificateState {
    /// Issued by this platform and within its validity.
    Valid,
    /// Issued by this platform; its validity ended.
    Expired,
    /// No certificate has this code.
    Unknown,
}

/// What anyone may learn of a certificate (null fields when `Unknown`).
#[uniffi::remote(Record)]
pub struct CertificateCheck {
    /// Valid, expired or unknown.
    pub state: CertificateState,
    /// The holder's masked name (`刘**`).
    pub name_masked: Option<String>,
    /// The holder's masked ID number.
    pub id_number_masked: Option<String>,
    /// What it certifies.
    pub kind: Option<CertificateKind>,
    /// One insurance only.
    pub insurance: Option<Insurance>,
    /// First year covered.
    pub from_year: Option<u16>,
    /// Last year covered.
    pub to_year: Option<u16>,
    /// Unix seconds.
    pub issued_at: Option<u64>,
    /// Unix seconds.
    pub valid_until: Option<u64>,
    /// The issuing platform's name (社会保险经办机构).
    pub issuer: Option<String>,
}

/// Where a pensioner stands in the current cycle.
#[uniffi::remote(Enum)]
pub enum EligibilityState {
    /// The person draws no pension: nothing to certify.
    NotRequired,
    /// Certified until `due_by`; nothing to do yet.
    Certified,
    /// The certification is due (the reminder period before `due_by`).
    Due,
    /// `due_by` has passed; payments go on until the grace ends.
    Overdue,
    /// Pension payments are suspended (暂停发放) until the person certifies.
    Suspended,
}

/// How a certification was made.
#[uniffi::remote(Enum)]
pub enum CertificationMethod {
    /// A face check of the pensioner.
    Face,
    /// 无感认证: a recent verified use of the card.
    Passive,
}

/// The use of the card a passive certification rests on.
#[uniffi::remote(Record)]
pub struct PassiveUse {
    /// The kind of service point that resolved the card's code.
    pub operator_kind: ServicePointKind,
    /// The day of the use (`YYYY-MM-DD`).
    pub used_on: String,
}

/// One certification.
#[uniffi::remote(Record)]
pub struct Certification {
    /// When it took effect (Unix seconds).
    pub at: u64,
    /// Face or passive.
    pub method: CertificationMethod,
    /// The device that ran the face check, if it was on a phone.
    pub device_id: Option<String>,
    /// The account of the family member who ran it for the pensioner.
    pub helper_account_id: Option<String>,
    /// The use a passive certification rests on.
    pub passive_use: Option<PassiveUse>,
}

/// A reminder before the due date.
#[uniffi::remote(Record)]
pub struct EligibilityReminder {
    /// Days before `due_by`.
    pub days_before: u32,
    /// The day it falls on (`YYYY-MM-DD`).
    pub on: String,
    /// Whether that day has come.
    pub due: bool,
}

/// A pensioner's current cycle.
#[uniffi::remote(Record)]
pub struct EligibilityStatus {
    /// The person.
    pub person_id: String,
    /// Where they stand.
    pub state: EligibilityState,
    /// The last day the current certification covers (`YYYY-MM-DD`).
    pub due_by: Option<String>,
    /// The last day of the grace after `due_by`.
    pub grace_until: Option<String>,
    /// The latest certification.
    pub last_certification: Option<Certification>,
    /// The reminders of this cycle, earliest first.
    pub reminders: Vec<EligibilityReminder>,
    /// Whether pension payments are suspended now.
    pub payments_suspended: bool,
    /// When they were suspended, if they are.
    pub suspended_since: Option<u64>,
    /// The pension months withheld while suspended (补发 once certified).
    pub withheld_months: Vec<String>,
}

/// Where a pensioner stands, and how fresh that is.
#[uniffi::remote(Record)]
pub struct EligibilityView {
    /// The status as the platform gave it.
    pub status: EligibilityStatus,
    /// Whether something is to be done now: due, overdue or suspended.
    pub action_needed: bool,
    /// How fresh it is.
    pub freshness: Freshness,
}

/// The state of the card's bank function.
#[uniffi::remote(Enum)]
pub enum BankFunctionState {
    /// The account takes and pays out money.
    Active,
    /// Reported lost (金融功能挂失): the bank must be called to complete it.
    LossReported,
    /// The bank closed the account.
    Closed,
}

/// A card's financial account.
#[uniffi::remote(Record)]
pub struct FinancialAccount {
    /// The card.
    pub card_id: String,
    /// The co-branded bank, with its hotline.
    pub bank: Bank,
    /// The account number masked, e.g. `6217 **** **** 1234`.
    pub account_masked: String,
    /// The bank function's state.
    pub state: BankFunctionState,
    /// When the financial loss report was made, if it was.
    pub loss_reported_at: Option<u64>,
}

/// A card's financial account, and how fresh that is.
#[uniffi::remote(Record)]
pub struct FinancialAccountView {
    /// The account as the platform knows it.
    pub account: FinancialAccount,
    /// How fresh it is.
    pub freshness: Freshness,
}

/// Where a payment comes from.
#[uniffi::remote(Enum)]
pub enum PaymentSource {
    /// The monthly pension (养老金), or withheld months paid later (补发).
    Pension,
    /// A 惠民惠农 subsidy.
    Subsidy,
    /// Migrant workers' wages (农民工工资).
    Wages,
}

/// One payment into the card's account.
#[uniffi::remote(Record)]
pub struct Payment {
    /// The payment.
    pub payment_id: String,
    /// The person paid.
    pub person_id: String,
    /// The card whose account received it.
    pub card_id: String,
    /// Where it comes from.
    pub source: PaymentSource,
    /// The programme (subsidy, wage project, pension scheme).
    pub programme: String,
    /// Amount in fen.
    pub amount_fen: u64,
    /// Who paid.
    pub payer: String,
    /// The day paid (`YYYY-MM-DD`).
    pub paid_on: String,
    /// The months a pension payment covers (`YYYY-MM`).
    pub months: Vec<String>,
    /// Whether it is sample data of the reference platform.
    pub sample: bool,
}

/// A page of payments, newest first.
#[uniffi::remote(Record)]
pub struct PaymentPage {
    /// The payments of this page.
    pub payments: Vec<Payment>,
    /// The `before` of the next (older) page; null on the last.
    pub next_before: Option<u64>,
}

#[uniffi::export]
impl EcardClient {
    /// The insurance record of `person_id` (the account holder when null;
    /// a relative's needs a mandate with the `records` scope), by year and
    /// insurance. Fetched again only if it changed; offline, the record
    /// last fetched, marked as such in its freshness.
    pub async fn insurance_records(
        &self,
        person_id: Option<String>,
    ) -> Result<RecordsView, EcardError> {
        self.call(|client| async move { client.insurance_records(person_id).await })
            .await
    }

    /// The record of `person_id` (the account holder when null) as last
    /// fetched, or null. Local I/O only.
    pub fn insurance_records_cached(
        &self,
        person_id: Option<String>,
    ) -> Result<Option<RecordsView>, EcardError> {
        self.now(|client| client.insurance_records_cached(person_id.as_deref()))
    }

    /// The months of `year` in the cached record of `person_id` (the
    /// account holder when null), of one insurance or all, oldest first.
    /// Local I/O only; empty when nothing is cached.
    pub fn insurance_record_months(
        &self,
        person_id: Option<String>,
        year: u16,
        insurance: Option<Insurance>,
    ) -> Result<Vec<MonthLine>, EcardError> {
        self.now(|client| client.insurance_record_months(person_id.as_deref(), year, insurance))
    }

    /// Asks for a certificate and keeps its PDF on this device once its
    /// SHA-256 matches.
    pub async fn request_certificate(
        &self,
        request: CertificateRequest,
    ) -> Result<CertificateView, EcardError> {
        self.call(|client| async move { client.request_certificate(request).await })
            .await
    }

    /// The certificates issued for `person_id` (the account holder when
    /// null), newest first; offline, those this device knows.
    pub async fn certificates(
        &self,
        person_id: Option<String>,
    ) -> Result<Vec<CertificateView>, EcardError> {
        self.call(|client| async move { client.certificates(person_id).await })
            .await
    }

    /// The certificates of `person_id` (the account holder when null) this
    /// device knows, newest first. Local I/O only.
    pub fn certificates_cached(
        &self,
        person_id: Option<String>,
    ) -> Result<Vec<CertificateView>, EcardError> {
        self.now(|client| client.certificates_cached(person_id.as_deref()))
    }

    /// The PDF of a certificate this device knows (kept here, or
    /// downloaded and checked against its SHA-256).
    pub async fn certificate_pdf(&self, certificate_id: String) -> Result<Vec<u8>, EcardError> {
        self.call(|client| async move { client.certificate_pdf(&certificate_id).await })
            .await
    }

    /// A plain copy of a certificate's PDF for opening or the share sheet;
    /// returns its path (at most one such copy exists at a time).
    pub async fn certificate_file(&self, certificate_id: String) -> Result<String, EcardError> {
        self.call(|client| async move { client.certificate_file(&certificate_id).await })
            .await
    }

    /// Checks a certificate by its verification code (no account needed).
    pub async fn check_certificate(&self, code: String) -> Result<CertificateCheck, EcardError> {
        self.call(|client| async move { client.check_certificate(&code).await })
            .await
    }

    /// Checks a certificate's file byte for byte: a changed file is refused
    /// (`certificate_invalid`), an expired one too (`certificate_expired`).
    pub async fn check_certificate_file(
        &self,
        pdf: Vec<u8>,
    ) -> Result<CertificateCheck, EcardError> {
        self.call(|client| async move { client.check_certificate_file(pdf).await })
            .await
    }

    /// The pension eligibility of `person_id` (the account holder when
    /// null; a relative's needs a mandate with the `eligibility` scope).
    /// Offline, the status last fetched. Tells the reminders that have come
    /// (as `ClientEvent.EligibilityReminder`).
    pub async fn eligibility(
        &self,
        person_id: Option<String>,
    ) -> Result<EligibilityView, EcardError> {
        self.call(|client| async move { client.eligibility(person_id).await })
            .await
    }

    /// The eligibility of `person_id` (the account holder when null) as
    /// last fetched, or null. Local I/O only.
    pub fn eligibility_cached(
        &self,
        person_id: Option<String>,
    ) -> Result<Option<EligibilityView>, EcardError> {
        self.now(|client| client.eligibility_cached(person_id.as_deref()))
    }

    /// Certifies `person_id`'s eligibility (the account holder when null)
    /// by a face check of `pensioner` on this phone. For a relative (为家人
    /// 认证) `pensioner` is the relative and the face must be theirs: the
    /// helper's own face is refused (`identity_not_verified`).
    pub async fn certify_eligibility(
        &self,
        person_id: Option<String>,
        pensioner: PersonIdentity,
        face: Arc<dyn FaceCheck>,
    ) -> Result<EligibilityView, EcardError> {
        let face = core_face_check(face);
        self.call(
            |client| async move { client.certify_eligibility(person_id, pensioner, face).await },
        )
        .await
    }

    /// Tells each eligibility reminder whose day has come and that was not
    /// told before (from the cached statuses, also offline); returns how
    /// many were told. The background sync runs it on every round.
    pub async fn remind_eligibility(&self) -> Result<u32, EcardError> {
        self.call(|client| async move { client.remind_eligibility().await })
            .await
    }

    /// The financial account of `card_id` (bank, masked account, state,
    /// the bank's hotline). Offline, the account last fetched.
    pub async fn financial_account(
        &self,
        card_id: String,
    ) -> Result<FinancialAccountView, EcardError> {
        self.call(|client| async move { client.financial_account(&card_id).await })
            .await
    }

    /// The financial account of `card_id` as last fetched, or null. Local
    /// I/O only.
    pub fn financial_account_cached(
        &self,
        card_id: String,
    ) -> Result<Option<FinancialAccountView>, EcardError> {
        self.now(|client| client.financial_account_cached(&card_id))
    }

    /// A page of the payments to `person_id` (the account holder when
    /// null; a relative's need a mandate with the `track` scope), newest
    /// first; `before` is the previous page's `next_before`. Offline, the
    /// payments last fetched, in one page.
    pub async fn payments(
        &self,
        person_id: Option<String>,
        before: Option<u64>,
    ) -> Result<PaymentPage, EcardError> {
        self.call(|client| async move { client.payments(person_id, before).await })
            .await
    }

    /// The payments to `person_id` (the account holder when null) last
    /// fetched, newest first. Local I/O only.
    pub fn payments_cached(&self, person_id: Option<String>) -> Result<Vec<Payment>, EcardError> {
        self.now(|client| client.payments_cached(person_id.as_deref()))
    }

    /// Reports the bank function of `card_id` lost (金融功能挂失), through
    /// the outbox. The card's codes keep working; the bank must still be
    /// called (its hotline is in the financial account).
    pub async fn report_financial_loss(&self, card_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move { client.report_financial_loss(&card_id).await })
            .await
    }
}
