//! What residents (and those acting for them) send and receive: device
//! credentials, cards, applications, loss reports, mandates, audit.

use ecard_credential::{HolderRole, PurposeSet};
use ecard_documents::Date;
use serde::{Deserialize, Serialize};

/// A document that identifies a person to the population register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PersonIdentity {
    /// Document type, as `ecard-documents` names it (`resident_id`, …).
    pub id_type: String,
    /// Document number.
    pub id_number: String,
    /// Full name as registered.
    pub name: String,
}

/// Lifecycle of a physical card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum CardStatus {
    /// In use.
    Active,
    /// 临时挂失: reported lost, lapses by itself.
    TemporarilyLost,
    /// 正式挂失: reported lost formally; leads to replacement.
    FormallyLost,
    /// Superseded by a replacement card.
    Replaced,
    /// Cancelled.
    Cancelled,
}

/// Whether the e-card may show codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ECardState {
    /// Codes may be shown.
    Active,
    /// Codes are refused (loss report, cancelled card).
    Suspended,
}

/// Kinds of loss report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum LossKind {
    /// 临时挂失.
    Temporary,
    /// 正式挂失.
    Formal,
}

/// A loss report on a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LossReport {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: LossKind,
    /// When it was reported.
    pub reported_at: u64,
    /// When a temporary report lapses by itself.
    pub lapses_at: Option<u64>,
    /// When it ended (released, lapsed or superseded).
    pub ended_at: Option<u64>,
}

/// A card as its holder and their mandated helpers see it.
///
/// The holder sees every field. Someone acting under a mandate sees what
/// its scopes need (`docs/security.md`, scoped views): the fields marked
/// "withheld" below are absent when the scopes do not cover them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Card {
    /// Id.
    pub card_id: String,
    /// The holder.
    pub person_id: String,
    /// The card number, masked (`A1*****78`).
    pub card_number_masked: String,
    /// Co-branded bank code; withheld unless `replace` or `track`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank: Option<String>,
    /// Province code of the issuing region; withheld unless `replace` or `track`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Lifecycle state.
    pub status: CardStatus,
    /// Whether codes may be shown.
    pub e_card: ECardState,
    /// Whether the social-security function is enabled (社保功能启用).
    pub social_function_enabled: bool,
    /// The open loss report, if any; withheld (null) unless `report_loss`
    /// or `track` (the status still says whether the card is reported lost).
    pub loss_report: Option<LossReport>,
    /// When the card record was made; withheld unless `replace` or `track`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<u64>,
}

/// A person the caller may see: themself or someone they act for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PersonSummary {
    /// Id in the register.
    pub person_id: String,
    /// Name with all but the first character masked.
    pub name_masked: String,
    /// Document number masked; withheld from a proxy unless `apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number_masked: Option<String>,
    /// Birth date (`YYYY-MM-DD` on the wire); withheld from a proxy unless
    /// `apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>"))]
    pub birth_date: Option<Date>,
    /// Their cards, as far as the caller may see them.
    pub cards: Vec<Card>,
}

/// `GET /v1/me`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Profile {
    /// The account.
    pub account_id: String,
    /// The account holder.
    pub person: PersonSummary,
    /// People the account acts for under an active mandate.
    pub principals: Vec<PersonSummary>,
    /// Province code whose rules apply to the account holder.
    pub region: String,
}

/// The answer to `POST /v1/me/deletion`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDeletion {
    /// When the account was deleted.
    pub deleted_at: u64,
    /// Devices revoked.
    pub devices_revoked: u32,
    /// Credentials revoked (their status bits set).
    pub credentials_revoked: u32,
    /// Mandates the account held for others, ended.
    pub mandates_ended: u32,
}

/// `POST /v1/credentials`: issue device credentials for a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRequest {
    /// The card; the caller's own active card when absent.
    #[serde(default)]
    pub card_id: Option<String>,
}

/// One issued credential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCredential {
    /// Purposes it may be presented for.
    pub purposes: PurposeSet,
    /// The credential bytes, base64url.
    pub credential: String,
    /// Start of validity.
    pub not_before: u64,
    /// End of validity.
    pub not_after: u64,
}

/// The credentials of one card for this device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSet {
    /// The card.
    pub card_id: String,
    /// The holder of the card.
    pub person_id: String,
    /// How this device relates to the holder.
    pub role: HolderRole,
    /// One credential per disclosure group the device may present.
    pub credentials: Vec<IssuedCredential>,
    /// When the client should fetch a new set.
    pub refresh_after: u64,
}

/// How a produced card reaches the holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Delivery {
    /// Posted to an address.
    Mail {
        /// Mailing address.
        address: String,
        /// Recipient's phone.
        phone: String,
    },
    /// Collected at an outlet.
    Pickup {
        /// The outlet.
        outlet_id: String,
    },
}

/// `POST /v1/applications`: apply for a first card (申领).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCardRequest {
    /// The applicant: the caller's own person id, or a person the caller
    /// holds an `apply` mandate for (a minor, a newborn, a relative).
    pub person_id: String,
    /// Card photo, JPEG, base64.
    pub photo_jpeg: String,
    /// Co-branded bank code.
    pub bank: String,
    /// Contact phone.
    pub phone: String,
    /// Delivery.
    pub delivery: Delivery,
    /// Made on the spot at the pickup outlet (即时制卡, 立等可取): the outlet
    /// must offer it and the region's rules allow it.
    #[serde(default)]
    pub instant_issue: bool,
}

/// Sex as a birth certificate records it (the ID number's sequence is odd
/// for male, even for female).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

/// `POST /v1/births`: 出生一件事 — one form from a parent with the birth
/// registration facts and the newborn's card application. The household
/// registration step assigns the ID number; the card application follows
/// under a guardian mandate for the submitting parent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthRequest {
    /// 出生医学证明 number, as the hospital reported it.
    pub birth_certificate: String,
    /// The child's name, as on the certificate.
    pub child_name: String,
    /// The child's sex, as on the certificate.
    pub sex: Sex,
    /// The birth date, `YYYY-MM-DD`, as on the certificate.
    pub birth_date: String,
    /// The other parent, when in the population register (named as a
    /// guardian too).
    #[serde(default)]
    pub other_parent: Option<PersonIdentity>,
    /// Where the household is registered (户籍登记地): a county-level
    /// division code.
    pub household_region: String,
    /// The household's address.
    pub household_address: String,
    /// Co-branded bank of the child's card.
    pub bank: String,
    /// Contact phone.
    pub phone: String,
    /// Delivery of the card.
    pub delivery: Delivery,
    /// Card photo, JPEG, base64; not needed where the rules exempt newborns.
    #[serde(default)]
    pub photo_jpeg: Option<String>,
}

/// Where a birth registration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum BirthState {
    /// The household registration step (户口登记) is under way.
    Registering,
    /// Registered: the child has an ID number, the guardian a mandate and
    /// the card application is filed.
    Registered,
}

/// One step of the newborn's single progress line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum BirthStep {
    /// The one form was received.
    Submitted,
    /// The household was registered and the ID number assigned.
    HouseholdRegistered,
    /// The card is being made (the e-card may work from here, by the rules).
    CardInProduction,
    /// The card is posted or waiting at the outlet.
    CardOnItsWay,
    /// The card reached the family.
    CardReceived,
}

/// A step of the progress line and when it was reached (`None`: ahead).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct BirthProgress {
    /// The step.
    pub step: BirthStep,
    /// When it was reached.
    pub at: Option<u64>,
}

/// A birth registration (出生一件事) as its submitter sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Birth {
    /// Id.
    pub birth_id: String,
    /// State.
    pub state: BirthState,
    /// The child's name, masked.
    pub child_name_masked: String,
    /// The birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// When the form was received.
    pub created_at: u64,
    /// When the household registration assigned the ID number.
    pub registered_at: Option<u64>,
    /// The child, once registered.
    pub person_id: Option<String>,
    /// The submitter's guardian mandate for the child, once registered.
    pub mandate_id: Option<String>,
    /// The card application, once filed.
    pub application_id: Option<String>,
    /// Every step, reached or ahead, in order.
    pub progress: Vec<BirthProgress>,
}

/// Kinds of replacement (补换).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ReplacementKind {
    /// A new card, new number, same bank.
    Plain,
    /// A card with another co-branded bank; the old account must be closed first.
    ChangeBank,
    /// 保号换卡: the same card number on a new card.
    KeepNumber,
}

/// `POST /v1/replacements`: replace a card (补换).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacementRequest {
    /// The card to replace.
    pub card_id: String,
    /// Kind of replacement.
    pub kind: ReplacementKind,
    /// The new bank (change of bank only).
    #[serde(default)]
    pub bank: Option<String>,
    /// A new photo, JPEG base64 (optional: the last photo is reused).
    #[serde(default)]
    pub photo_jpeg: Option<String>,
    /// Delivery.
    pub delivery: Delivery,
    /// Made on the spot at the pickup outlet (即时制卡).
    #[serde(default)]
    pub instant_issue: bool,
}

/// What an application is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ApplicationKind {
    /// A first card.
    NewCard,
    /// A replacement.
    Replacement(ReplacementKind),
}

/// Stages of an application (制卡进度).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ApplicationState {
    /// 数据录入: submitted.
    Submitted,
    /// 已缴费: fees paid (or none due).
    Paid,
    /// 制卡中: in production.
    InProduction,
    /// 已寄出: posted.
    Dispatched,
    /// 银行网点签收: arrived at the pickup outlet.
    AtOutlet,
    /// 领卡未激活: in the holder's hands, social function not yet enabled.
    Received,
    /// 已启用: social function enabled; done.
    Activated,
    /// 制卡失败: production failed (e.g. photo rejected); resubmit.
    ProductionFailed,
    /// Cancelled before production.
    Cancelled,
}

impl ApplicationState {
    /// The label residents know from the national app.
    pub const fn label_zh(self) -> &'static str {
        match self {
            ApplicationState::Submitted => "数据录入",
            ApplicationState::Paid => "已缴费",
            ApplicationState::InProduction => "制卡中",
            ApplicationState::Dispatched => "已寄出",
            ApplicationState::AtOutlet => "银行网点签收",
            ApplicationState::Received => "领卡未激活",
            ApplicationState::Activated => "已启用",
            ApplicationState::ProductionFailed => "制卡失败",
            ApplicationState::Cancelled => "已撤销",
        }
    }

    /// Whether nothing more will happen.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationState::Activated | ApplicationState::Cancelled
        )
    }
}

/// What the resident can do next on an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ApplicationAction {
    /// Pay the fees.
    Pay,
    /// Cancel (only where the rules allow, before production).
    Cancel,
    /// Confirm the card was received.
    ConfirmReceipt,
    /// Enable the social-security function.
    Activate,
    /// Send a new photo after a failed production.
    ResubmitPhoto,
}

/// One step in an application's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct StageEntry {
    /// The state entered.
    pub state: ApplicationState,
    /// When.
    pub at: u64,
}

/// An application as the platform tracks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Application {
    /// Id.
    pub application_id: String,
    /// What it is for.
    pub kind: ApplicationKind,
    /// The person the card is for.
    pub person_id: String,
    /// The account that submitted it.
    pub submitted_by: String,
    /// The mandate it was submitted under, if for someone else.
    pub mandate_id: Option<String>,
    /// Current state.
    pub state: ApplicationState,
    /// History, oldest first.
    pub stages: Vec<StageEntry>,
    /// Fees due in fen (postage and replacement fee).
    pub fee_fen: u32,
    /// What the resident can do now.
    pub actions: Vec<ApplicationAction>,
    /// The card being replaced, for replacements.
    pub replaces_card_id: Option<String>,
    /// The card, from the start of production (its e-card may work before
    /// the card is received, as the region's `e_card_timing` says).
    pub card_id: Option<String>,
    /// Why production failed, when it did.
    pub failure_reason: Option<String>,
    /// Submission time.
    pub created_at: u64,
    /// Made on the spot at the pickup outlet (即时制卡): the applicant goes
    /// there and waits for it.
    #[serde(default)]
    pub instant_issue: bool,
}

/// `POST …/payment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequest {
    /// The amount, which must equal the fees due.
    pub amount_fen: u32,
}

/// `POST …/photo`: a new photo after a failed production.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRequest {
    /// JPEG, base64.
    pub photo_jpeg: String,
}

/// `POST /v1/cards/{id}/loss-reports`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossReportRequest {
    /// Temporary or formal.
    pub kind: LossKind,
}

/// Kinds of mandate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum DelegationKind {
    /// The legal guardian of a minor or newborn; ends at the 18th birthday.
    Guardian,
    /// A family member acting for a relative with the relative's consent.
    FamilyProxy,
}

/// What a mandate allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Scope {
    /// Apply for a card.
    Apply,
    /// Replace a card.
    Replace,
    /// Report a card lost or release the report.
    ReportLoss,
    /// Enable the social-security function.
    Activate,
    /// Show the medical code (and other codes the purpose policy admits).
    ShowCode,
    /// See cards and applications.
    Track,
    /// Sign in to a relying party's website or machine for the person
    /// (扫码登录): the relying party then sees the person's claims, and the
    /// ID token names the agent as the actor.
    Login,
    /// Run the yearly pension eligibility check (待遇资格认证) for the
    /// person, with the person's own face on the helper's phone.
    Eligibility,
    /// See the person's social-insurance records and certificates, and
    /// have certificates issued for them (权益记录, 参保证明).
    Records,
}

/// Evidence of a guardian relationship.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Evidence {
    /// `household_register` (户口簿) or `birth_certificate` (出生医学证明).
    pub kind: String,
    /// The document number.
    pub number: String,
}

/// `POST /v1/delegations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationRequest {
    /// Guardian or family proxy.
    pub kind: DelegationKind,
    /// The person to act for.
    pub principal: PersonIdentity,
    /// Evidence (required for guardians).
    #[serde(default)]
    pub evidence: Option<Evidence>,
    /// What the mandate allows.
    pub scopes: Vec<Scope>,
    /// When it ends (guardianship ends at 18 at the latest).
    #[serde(default)]
    pub expires_at: Option<u64>,
    /// How a family proxy is related to the relative (declared, audited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// A PIN grant for `accept_mandate`: acting for someone needs the PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_grant: Option<String>,
}

/// How a family proxy is related to the person they act for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Relationship {
    /// 配偶.
    Spouse,
    /// 子女.
    Child,
    /// 父母.
    Parent,
    /// 孙子女 / 外孙子女.
    Grandchild,
    /// 兄弟姐妹.
    Sibling,
    /// Another relative.
    OtherRelative,
}

/// Lifecycle of a mandate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum DelegationStatus {
    /// Waiting for the relative's consent.
    PendingConsent,
    /// In force.
    Active,
    /// Withdrawn by either side.
    Revoked,
    /// Past its end.
    Expired,
}

/// A mandate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Delegation {
    /// Id.
    pub delegation_id: String,
    /// Kind.
    pub kind: DelegationKind,
    /// The account acting.
    pub agent_account_id: String,
    /// The person acted for.
    pub principal_person_id: String,
    /// The principal's name, masked.
    pub principal_name_masked: String,
    /// What it allows.
    pub scopes: Vec<Scope>,
    /// State.
    pub status: DelegationStatus,
    /// When it was requested.
    pub created_at: u64,
    /// When the principal consented (family proxies).
    pub consented_at: Option<u64>,
    /// When it ends.
    pub expires_at: u64,
    /// When it was revoked.
    pub revoked_at: Option<u64>,
    /// Since when the guardian allows the e-card on the ward's own phone
    /// (guardian mandates only; `None`: not allowed).
    #[serde(default)]
    pub ward_e_card_since: Option<u64>,
}

/// `POST /v1/delegations/{id}/ward-e-card`: a guardian allows (or
/// withdraws) the e-card on the ward's own phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardECardRequest {
    /// Allow (`true`) or withdraw (`false`).
    pub allowed: bool,
    /// The guardian's PIN grant for `act_for_ward`.
    pub pin_grant: Option<String>,
}

/// `POST /v1/delegations/{id}/ward-pin`: a guardian sets the ward's e-card PIN.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardPinRequest {
    /// The ward's new PIN.
    pub new_pin: String,
    /// The guardian's PIN grant for `act_for_ward`.
    pub pin_grant: Option<String>,
}

impl std::fmt::Debug for WardPinRequest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("WardPinRequest")
            .field("new_pin", &"…")
            .finish_non_exhaustive()
    }
}

/// One audited action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AuditEntry {
    /// When.
    pub at: u64,
    /// The account that acted.
    pub actor_account_id: String,
    /// The person acted for.
    pub principal_person_id: String,
    /// The mandate used, if the actor is not the principal.
    pub mandate_id: Option<String>,
    /// What was done, e.g. `application.submit`.
    pub action: String,
    /// The object acted on.
    pub object_id: String,
}
