//! Everything the UI shows or fills in, as UniFFI records and enums.
//!
//! Two kinds of declaration live here, and why:
//! - **Remote declarations** (`#[uniffi::remote(...)]`) of the core's and
//!   the API's own types: the struct or enum is written out once more so
//!   UniFFI can generate its converters, but no new Rust type exists — the
//!   core's value crosses the FFI as it is. If the core adds or changes a
//!   field, this file stops compiling, so the bindings cannot drift.
//!   `#[uniffi(name = …)]` keeps a binding name where the Rust one would
//!   clash on a platform (`Locale` is `Language`, `SessionView` is
//!   `Session`).
//! - **One edge record**, [`ClientConfig`]: each platform hands in its
//!   configuration with every value filled, where the core's
//!   [`BindingConfig`] leaves them optional for JavaScript.

use ecard_api::catalogue::{
    AppAction, CardForm, CatalogueItem, Channel, Cluster, Domain, OpeningPeriod, Outlet,
    OutletKind, OutletService, UsageMode,
};
use ecard_api::resident::{
    Application, ApplicationAction, ApplicationKind, ApplicationState, AuditEntry, Birth,
    BirthProgress, BirthState, BirthStep, Card, CardStatus, Delegation, DelegationKind,
    DelegationStatus, Delivery, ECardState, Evidence, LossKind, LossReport, PersonIdentity,
    PersonSummary, Profile, Relationship, ReplacementKind, Scope, Sex, StageEntry,
};
use ecard_api::rules::{
    AccountSecurity, Bank, BenefitKind, ConcessionBasis, ConcessionBenefit, ConcessionClass,
    ConcessionDocument, ConcessionRule, ConcessionRules, ConcessionScene, ECardTiming,
    EligibilityRules, InstantIssueRules, MinorRules, NewbornRules, OnBehalfRules,
    PassiveCertification, PhotoRules, RegionalRules,
};
use ecard_api::service_points::ServicePointKind;
use ecard_core::bridge::BindingConfig;
use ecard_core::storage::{RecoveredTable, RecoveryReport};
use ecard_core::{
    ApplicationFlow, BirthFlow, BirthForm, BirthStage, CardView, CodeView, Draft, DraftForm,
    FlowStep, LossFlow, MatchKind, NewCardForm, OutboxEntry, OutboxState, OutletHit, OutletQuery,
    ProgressStage, ReplacementForm, SearchHit, SearchQuery, SessionView, Submission,
};
use ecard_core::{CatalogueState, FieldCipherSuite, Snapshot, SyncReport};
use ecard_core::{Location, SearchHelp};
use ecard_credential::{HolderRole, Locale, Purpose, Suite};

// ---------------------------------------------------------------------------
// Remote enums of the credential format.

/// What a code is shown for. Each purpose discloses only what its terminals need.
#[uniffi::remote(Enum)]
pub enum Purpose {
    /// Bus and metro gates: validity and concession class only.
    Transport,
    /// Hospitals and pharmacies.
    Medical,
    /// Government, hotel and bank counters.
    Identity,
    /// Libraries, museums, scenic spots.
    CultureTourism,
    /// School gates (credential format version 2).
    CampusEntry,
    /// School and university libraries (credential format version 2).
    Library,
    /// Education examinations (credential format version 2).
    EducationExam,
    /// Personnel examinations (credential format version 2).
    PersonnelExam,
}

/// Whose phone shows the code: the cardholder's own, or that of someone
/// acting for them under a mandate.
#[uniffi::remote(Enum)]
pub enum HolderRole {
    /// The cardholder's own device.
    Holder,
    /// A family member acting for an elderly relative (亲情代办).
    Proxy,
    /// The guardian of a minor or newborn.
    Guardian,
}

/// Signature suite of a device key.
#[uniffi::remote(Enum)]
pub enum Suite {
    /// Ed25519: 32-byte keys, the compact option.
    Ed25519,
    /// ECDSA over P-256 with SHA-256: works with every platform key store
    /// (the Secure Enclave holds only P-256).
    EcdsaP256,
    /// SM2 with SM3 (国密): HarmonyOS HUKS holds it; Android Keystore and
    /// the Secure Enclave do not.
    Sm2,
}

/// The cipher that seals personal data at rest on the phone: a
/// deployment's choice, recorded in the local database when it is first
/// opened. A database sealed with one is never opened with the other.
#[uniffi::remote(Enum)]
pub enum FieldCipherSuite {
    /// AES-256-GCM (the default).
    Aes256Gcm,
    /// SM4-GCM (GB/T 32907 in GCM mode), for deployments that must use the
    /// national commercial ciphers.
    Sm4Gcm,
}

/// The language of messages and labels. (Named `Language` in the
/// bindings: `Locale` would clash with `Foundation.Locale` in Swift and
/// `java.util.Locale` in Kotlin.)
#[uniffi::remote(Enum)]
#[uniffi(name = "Language")]
pub enum Locale {
    /// Simplified Chinese (zh-CN), the default.
    ZhCn,
    /// English.
    En,
}

// ---------------------------------------------------------------------------
// Remote types of the catalogue.

/// The four groups of the one-card programme.
#[uniffi::remote(Enum)]
pub enum Cluster {
    /// 一卡通办: public services handled with the card.
    Handle,
    /// 一卡通行: travel and access.
    Travel,
    /// 一卡通付: payments and disbursements.
    Pay,
    /// 一卡通用: everyday use and management.
    Use,
}

/// The thirteen application domains of the programme.
#[uniffi::remote(Enum)]
pub enum Domain {
    /// 政务服务.
    GovernmentServices,
    /// 人力资源社会保障.
    HumanResourcesSocialSecurity,
    /// 医疗健康.
    MedicalHealth,
    /// 交通出行.
    Transport,
    /// 旅游观光.
    Tourism,
    /// 文化体验.
    Culture,
    /// 教育服务.
    Education,
    /// 资金发放.
    FundDisbursement,
    /// 金融支付.
    FinancePayment,
    /// 智慧安居.
    SmartLiving,
    /// 乡村振兴.
    RuralRevitalization,
    /// 国防动员.
    NationalDefence,
    /// 信用服务.
    CreditServices,
}

/// How the card is used for an item.
#[uniffi::remote(Enum)]
pub enum UsageMode {
    /// 身份凭证: proof of identity.
    IdentityProof,
    /// 缴费: paying fees.
    FeePayment,
    /// 待遇领取: receiving benefits.
    BenefitReceipt,
    /// 就医结算: medical settlement.
    MedicalSettlement,
    /// 信息记录: record keeping.
    InformationRecord,
    /// 自助查询: self-service enquiry.
    SelfServiceEnquiry,
    /// 金融支付: financial payment.
    FinancialPayment,
}

/// Which form of the card serves an item.
#[uniffi::remote(Enum)]
pub enum CardForm {
    /// The physical card.
    PhysicalCard,
    /// The e-card QR code.
    ECardCode,
    /// Showing the e-card as a licence (亮证).
    LicenceDisplay,
    /// Face recognition linked to the card.
    Face,
}

/// Where an item is handled.
#[uniffi::remote(Enum)]
pub enum Channel {
    /// A staffed counter.
    Counter,
    /// A self-service terminal.
    SelfServiceTerminal,
    /// A website.
    Online,
    /// A mobile app or mini-program.
    MobileApp,
    /// A scanner at a gate or till.
    Scanner,
}

/// One item of a one-card application catalogue.
#[uniffi::remote(Record)]
pub struct CatalogueItem {
    /// Stable id, e.g. `N-017` or `P360000-102`.
    pub id: String,
    /// The list: `national` or a province code.
    pub list: String,
    /// Full name in Chinese.
    pub name: String,
    /// Short label for elder mode (at most six characters).
    pub short_label: String,
    /// One or two sentences on what the item is.
    pub description: String,
    /// Programme group.
    pub cluster: Cluster,
    /// Domain.
    pub domain: Domain,
    /// How the card is used.
    pub usage_modes: Vec<UsageMode>,
    /// Which card forms serve it.
    pub card_forms: Vec<CardForm>,
    /// Where it is handled.
    pub channels: Vec<Channel>,
    /// Division codes where it is available (`100000` = nationwide).
    pub regions: Vec<String>,
    /// Lead department.
    pub department: String,
    /// The catalogue version at which this item last changed.
    pub version: u64,
    /// How commonly residents use the item, 0 (rarely) to 100.
    pub popularity: u8,
    /// What the app itself does for this item, if anything.
    pub app_action: Option<AppAction>,
    /// For a provincial item, the national item it provides there.
    pub national_item: Option<String>,
}

/// What the app does for a catalogue item (the screen a search hit opens).
#[uniffi::remote(Enum)]
pub enum AppAction {
    /// 申领: apply for a card.
    ApplyForCard,
    /// 出生一件事: a guardian applies for a newborn's card.
    ApplyForNewbornCard,
    /// 电子社保卡申领: sign up for the e-card.
    ApplyForElectronicCard,
    /// 补换: replace a lost or damaged card.
    ReplaceCard,
    /// 变更联名银行: replace the card with another bank.
    ChangeBank,
    /// 挂失: report the card lost.
    ReportLoss,
    /// 解挂: release a loss report.
    ReleaseLoss,
    /// 社保功能启用: activate the social security function.
    ActivateSocialFunction,
    /// 密码修改和重置: change or reset the PIN.
    ChangePin,
    /// 制卡进度查询: follow production and delivery.
    TrackProduction,
    /// 出示电子社保卡: show the e-card code.
    ShowCode,
    /// 亲情代办: act for a family member.
    ActForFamily,
    /// 网点查询: find a service outlet.
    FindOutlet,
}

/// What kind of outlet.
#[uniffi::remote(Enum)]
pub enum OutletKind {
    /// 人社服务窗口: a human resources and social security office.
    HumanResourcesOffice,
    /// 银行服务窗口: a co-branded bank's branch.
    BankBranch,
    /// 便民服务点: a community or village service point.
    CommunityServicePoint,
}

/// A service an outlet offers.
#[uniffi::remote(Enum)]
pub enum OutletService {
    /// 申领.
    Apply,
    /// 即时制卡: cards printed while you wait.
    InstantIssue,
    /// 补换.
    Replace,
    /// 挂失.
    ReportLoss,
    /// 解挂.
    ReleaseLoss,
    /// 社保功能启用.
    ActivateSocialFunction,
    /// 银行功能激活.
    ActivateBankFunction,
    /// 密码修改和重置.
    PinReset,
    /// 领卡: collect a card produced for pickup.
    CardPickup,
}

/// Opening hours on some days of the week.
#[uniffi::remote(Record)]
pub struct OpeningPeriod {
    /// ISO weekdays (1 = Monday … 7 = Sunday).
    pub weekdays: Vec<u8>,
    /// Opening time, minutes after midnight (UTC+8).
    pub opens: u16,
    /// Closing time, minutes after midnight.
    pub closes: u16,
}

/// A service outlet.
#[uniffi::remote(Record)]
pub struct Outlet {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OutletKind,
    /// Bank code for bank branches.
    pub bank: Option<String>,
    /// County-level division code.
    pub region: String,
    /// City name.
    pub city: String,
    /// Street address.
    pub address: String,
    /// WGS-84 latitude.
    pub latitude: f64,
    /// WGS-84 longitude.
    pub longitude: f64,
    /// Telephone.
    pub phone: String,
    /// Opening hours.
    pub hours: Vec<OpeningPeriod>,
    /// Services offered.
    pub services: Vec<OutletService>,
    /// Change counter.
    pub version: u64,
}

/// How a search hit matched.
#[uniffi::remote(Enum)]
pub enum MatchKind {
    /// In the characters of the name or label.
    Characters,
    /// In the pinyin spelling or initials.
    Pinyin,
    /// Through what the words mean (the search vocabulary: 丢了 → 挂失).
    Meaning,
    /// In the department or description.
    Details,
    /// No text was given; the filters matched.
    Filter,
}

/// A catalogue search. Build it with only `text` set for a plain search.
#[uniffi::remote(Record)]
pub struct SearchQuery {
    /// Words in characters or pinyin (`社保卡`, `shebaoka`, `sbk`); empty
    /// lists everything that passes the filters.
    pub text: String,
    /// Only items available in this division.
    #[uniffi(default = None)]
    pub region: Option<String>,
    /// Only this programme group.
    #[uniffi(default = None)]
    pub cluster: Option<Cluster>,
    /// Only this domain.
    #[uniffi(default = None)]
    pub domain: Option<Domain>,
    /// Only items with this usage mode.
    #[uniffi(default = None)]
    pub usage_mode: Option<UsageMode>,
    /// At most this many hits (0 = 20).
    #[uniffi(default = 0)]
    pub limit: u32,
}

/// A search result, best first.
#[uniffi::remote(Record)]
pub struct SearchHit {
    /// The item.
    pub item: CatalogueItem,
    /// Higher is better.
    pub score: u32,
    /// How it matched.
    pub matched: MatchKind,
    /// Ids of the same service's other items folded into this hit (the
    /// national twin of a provincial item): `catalogue_item(id)` opens one.
    pub twins: Vec<String>,
}

/// Where to turn when a search matched nothing: never an empty screen.
#[uniffi::remote(Record)]
pub struct SearchHelp {
    /// The items closest to the query, or the most used items the app handles.
    pub closest: Vec<SearchHit>,
    /// The nearest outlets that handle the closest item's business (when a
    /// location was given).
    pub outlets: Vec<OutletHit>,
    /// The hotline to call (12333).
    pub hotline: String,
}

/// Where the resident is.
#[uniffi::remote(Record)]
pub struct Location {
    /// Latitude, degrees (WGS-84).
    pub latitude: f64,
    /// Longitude, degrees (WGS-84).
    pub longitude: f64,
}

/// A nearest-outlets request.
#[uniffi::remote(Record)]
pub struct OutletQuery {
    /// Latitude, degrees (WGS-84).
    pub latitude: f64,
    /// Longitude, degrees (WGS-84).
    pub longitude: f64,
    /// How many (0 = 20).
    #[uniffi(default = 0)]
    pub limit: u32,
    /// Only outlets offering this service.
    #[uniffi(default = None)]
    pub service: Option<OutletService>,
    /// Only outlets open now.
    #[uniffi(default = false)]
    pub open_now_only: bool,
}

/// A nearby outlet, nearest first.
#[uniffi::remote(Record)]
pub struct OutletHit {
    /// The outlet.
    pub outlet: Outlet,
    /// Great-circle distance in metres.
    pub distance_metres: f64,
    /// Whether it is open now.
    pub open_now: bool,
}

/// What the catalogue cache holds and how fresh it is.
#[uniffi::remote(Record)]
pub struct CatalogueState {
    /// Catalogue version held.
    pub items_version: u64,
    /// Outlet-list version held.
    pub outlets_version: u64,
    /// Items held.
    pub item_count: u64,
    /// Outlets held.
    pub outlet_count: u64,
    /// When the platform last confirmed the cache (Unix seconds): show
    /// "as of …" when it is old.
    pub as_of: Option<u64>,
}

/// What one catalogue sync did.
#[uniffi::remote(Record)]
pub struct SyncReport {
    /// Whether nothing had changed (one `304`).
    pub unchanged: bool,
    /// Items added or changed.
    pub items_changed: u64,
    /// Items removed.
    pub items_removed: u64,
    /// Outlets added or changed.
    pub outlets_changed: u64,
    /// Outlets removed.
    pub outlets_removed: u64,
    /// Whether the regional rules changed.
    pub rules_changed: bool,
}

// ---------------------------------------------------------------------------
// Regional rules.

/// Photo requirements for card production.
#[uniffi::remote(Record)]
pub struct PhotoRules {
    /// Smallest accepted width in pixels.
    pub min_width: u32,
    /// Smallest accepted height in pixels.
    pub min_height: u32,
    /// Largest accepted width in pixels.
    pub max_width: u32,
    /// Largest accepted height in pixels.
    pub max_height: u32,
    /// Smallest accepted file size in bytes.
    pub min_bytes: u32,
    /// Largest accepted file size in bytes.
    pub max_bytes: u32,
}

/// A co-branded bank (联名银行).
#[uniffi::remote(Record)]
pub struct Bank {
    /// Short code, e.g. `icbc`.
    pub code: String,
    /// Name in Chinese.
    pub name: String,
    /// Customer-service hotline (where a financial loss report is completed).
    pub hotline: Option<String>,
}

/// The card-business rules of a region (what the UI offers and explains).
#[uniffi::remote(Record)]
pub struct RegionalRules {
    /// Province-level division code.
    pub region: String,
    /// Region name.
    pub name: String,
    /// Increases whenever the document changes.
    pub version: u64,
    /// Days after which a temporary loss report lapses by itself.
    pub temporary_loss_lapse_days: u32,
    /// Whether a temporary loss report may be released online.
    pub release_online: bool,
    /// Whether a formal loss report can be reversed.
    pub formal_loss_reversible: bool,
    /// When the e-card works: during production, a temporary loss report
    /// and a replacement.
    pub e_card_timing: ECardTiming,
    /// Whether an application may be cancelled after submission.
    pub cancel_after_submit: bool,
    /// Fee of a replacement card, in fen.
    pub replacement_fee_fen: u32,
    /// Postage for mailing a card, in fen.
    pub postage_fen: u32,
    /// Photo requirements.
    pub photo: PhotoRules,
    /// How many relatives one account may act for.
    pub relative_quota: u32,
    /// Device credential lifetime in hours.
    pub credential_lifetime_hours: u32,
    /// Age below which a person applies only through a guardian.
    pub adult_age: u32,
    /// Co-branded banks.
    pub banks: Vec<Bank>,
    /// Days from payment to a produced card.
    pub production_days: u32,
    /// Days from dispatch to delivery.
    pub delivery_days: u32,
    /// The e-card PIN and enrolled devices.
    pub account_security: AccountSecurity,
    /// Which purposes accept a code shown on someone else's behalf.
    pub on_behalf: OnBehalfRules,
    /// The oldest status list (by its issue time) the region's terminals
    /// rest a verdict on.
    pub status_list_max_age_hours: u32,
    /// What a holder under `adult_age` does only through a guardian.
    pub minors: MinorRules,
    /// 出生一件事: a newborn's birth registration and card in one form.
    pub newborn: NewbornRules,
    /// On-the-spot issue at outlets (即时制卡, 立等可取).
    pub instant_issue: InstantIssueRules,
    /// Concessions (优待): who is in which class and what it gets where.
    pub concessions: ConcessionRules,
    /// Pension eligibility (待遇资格认证): cycle, grace, reminders, 无感认证.
    pub eligibility: EligibilityRules,
}

/// Pension eligibility (待遇资格认证) as the region's rules.
#[uniffi::remote(Record)]
pub struct EligibilityRules {
    /// Months from a certification to the next one's due date.
    pub cycle_months: u32,
    /// Days after the due date before payments are suspended.
    pub grace_days: u32,
    /// Days before the due date on which reminders fall, largest first.
    pub reminder_days_before: Vec<u32>,
    /// The age from which a man draws a pension.
    pub retirement_age_men: u32,
    /// The age from which a woman draws a pension.
    pub retirement_age_women: u32,
    /// The day of the month pensions are paid.
    pub pension_pay_day: u8,
    /// 无感认证: a recent use of the card that certifies; `None`: face only.
    pub passive: Option<PassiveCertification>,
    /// Where the rule comes from.
    pub source: String,
}

/// A use of the card that certifies passively (无感认证).
#[uniffi::remote(Record)]
pub struct PassiveCertification {
    /// How old the use may be, in days.
    pub within_days: u32,
    /// The kinds of service point whose resolutions count.
    pub operator_kinds: Vec<ServicePointKind>,
}

/// Concessions as the region's rules: classes in priority order.
#[uniffi::remote(Record)]
pub struct ConcessionRules {
    /// The classes; the first whose basis the holder meets is issued.
    pub classes: Vec<ConcessionRule>,
}

/// One concession class of a region.
#[uniffi::remote(Record)]
pub struct ConcessionRule {
    /// The class a code carries.
    pub class: ConcessionClass,
    /// Who is in the class.
    pub basis: ConcessionBasis,
    /// What the class gets, per scene.
    pub benefits: Vec<ConcessionBenefit>,
    /// Where the rule comes from.
    pub source: String,
}

/// The fare or admission class a code carries.
#[uniffi::remote(Enum)]
pub enum ConcessionClass {
    /// No concession.
    Standard,
    /// Older residents with reduced fares.
    Senior,
    /// Older residents with free travel or admission.
    SeniorFree,
    /// Pupils and students.
    Student,
    /// Holders of a disability certificate.
    Disability,
    /// Veterans and other entitled groups (优抚对象).
    Entitled,
    /// Young children.
    Child,
}

/// Who is in a concession class.
#[uniffi::remote(Enum)]
pub enum ConcessionBasis {
    /// An age range in full years: at least `from`, below `below`.
    Age {
        /// The first age in the class.
        from: Option<u32>,
        /// The first age no longer in it.
        below: Option<u32>,
    },
    /// A document the platform holds a record of.
    Document {
        /// Which document.
        document: ConcessionDocument,
    },
    /// A current enrolment at a registered school.
    SchoolEnrolment,
}

/// Documents that put a holder in a concession class.
#[uniffi::remote(Enum)]
pub enum ConcessionDocument {
    /// 残疾人证.
    DisabilityCertificate,
    /// 优待证.
    PreferentialTreatmentCertificate,
}

/// What a class gets in one scene.
#[uniffi::remote(Record)]
pub struct ConcessionBenefit {
    /// The scene.
    pub scene: ConcessionScene,
    /// Free, reduced or no deposit.
    pub benefit: BenefitKind,
    /// The places it holds at.
    pub places: String,
}

/// Where a concession applies.
#[uniffi::remote(Enum)]
pub enum ConcessionScene {
    /// Buses and metro.
    Transport,
    /// Scenic spots.
    Tourism,
    /// Libraries, museums, theatres.
    Culture,
}

/// A kind of concession.
#[uniffi::remote(Enum)]
pub enum BenefitKind {
    /// No fare or admission.
    Free,
    /// A reduced fare or admission.
    Reduced,
    /// Borrowing without a deposit.
    NoDeposit,
}

/// What a holder under the age of majority may not do alone.
#[uniffi::remote(Record)]
pub struct MinorRules {
    /// The acts a minor's own account is refused (`show_code`: the e-card on
    /// the minor's own phone, unless a guardian allows it).
    pub through_guardian: Vec<Scope>,
    /// Whether a minor's PIN is changed or reset by the guardian.
    pub pin_through_guardian: bool,
    /// The age from which a self-supporting minor acts alone (`None`: never).
    pub self_supporting_from_age: Option<u32>,
    /// Whether a guardian may allow the e-card on the minor's own phone.
    pub e_card_on_own_phone_with_consent: bool,
    /// Where the rule comes from.
    pub source: String,
}

/// 出生一件事: the newborn's birth registration and card in one form.
#[uniffi::remote(Record)]
pub struct NewbornRules {
    /// Whether the region takes the one form online.
    pub one_submission: bool,
    /// Days the household-registration step takes.
    pub registration_days: u32,
    /// Children younger than this many years apply without a photo.
    pub photo_exempt_under_age: u32,
    /// Where the rule comes from.
    pub source: String,
}

/// On-the-spot issue (即时制卡) at outlets that offer it.
#[uniffi::remote(Record)]
pub struct InstantIssueRules {
    /// Whether the region's outlets with the service issue on the spot.
    pub offered: bool,
    /// Days an instant-issue application waits for the applicant.
    pub hold_days: u32,
    /// Where the rule comes from.
    pub source: String,
}

/// Who may show a code for whom, per purpose (the region's terminals apply it).
#[uniffi::remote(Record)]
pub struct OnBehalfRules {
    /// Purposes at which a family proxy's code (亲情代办) is accepted.
    pub proxy: Vec<Purpose>,
    /// Purposes at which a guardian's code for a minor is accepted.
    pub guardian: Vec<Purpose>,
    /// Where the setting comes from and why.
    pub source: String,
}

/// When the e-card (电子社保卡) works while the physical card is not in
/// normal use; a card in two periods at once works only if both allow it.
#[uniffi::remote(Record)]
pub struct ECardTiming {
    /// From the start of production of a first card until it is received.
    pub during_production: ECardState,
    /// While a temporary loss report (临时挂失) is open (a formal one
    /// always suspends the e-card).
    pub during_temporary_loss: ECardState,
    /// From the start of production of a replacement until it is received.
    pub during_replacement: ECardState,
}

/// How the e-card PIN (电子社保卡密码) and enrolled devices are limited.
#[uniffi::remote(Record)]
pub struct AccountSecurity {
    /// Wrong PINs in a row that lock it.
    pub pin_tries: u32,
    /// Minutes a locked PIN stays locked (a face check resets it sooner).
    pub pin_lock_minutes: u32,
    /// Devices that may be enrolled at once; enrolling one more unlinks the
    /// one seen least recently.
    pub max_active_devices: u32,
}

// ---------------------------------------------------------------------------
// People, cards and the profile.

/// A document that identifies a person (`id_type` is `resident_id`,
/// `hk_macao_taiwan_residence_permit`, … as `ecard-documents` names them).
#[uniffi::remote(Record)]
pub struct PersonIdentity {
    /// Document type.
    pub id_type: String,
    /// Document number.
    pub id_number: String,
    /// Full name as registered.
    pub name: String,
}

/// Lifecycle of a physical card.
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Enum)]
pub enum ECardState {
    /// Codes may be shown.
    Active,
    /// Codes are refused (loss report, cancelled card).
    Suspended,
}

/// Kinds of loss report.
#[uniffi::remote(Enum)]
pub enum LossKind {
    /// 临时挂失.
    Temporary,
    /// 正式挂失.
    Formal,
}

/// A loss report on a card.
#[uniffi::remote(Record)]
pub struct LossReport {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: LossKind,
    /// When it was reported.
    pub reported_at: u64,
    /// When a temporary report lapses by itself.
    pub lapses_at: Option<u64>,
    /// When it ended.
    pub ended_at: Option<u64>,
}

/// A card as its holder and their mandated helpers see it.
#[uniffi::remote(Record)]
pub struct Card {
    /// Id.
    pub card_id: String,
    /// The holder.
    pub person_id: String,
    /// The card number, masked.
    pub card_number_masked: String,
    /// Co-branded bank code; withheld from a helper unless the mandate
    /// covers `replace` or `track`.
    pub bank: Option<String>,
    /// Province code of the issuing region; withheld likewise.
    pub region: Option<String>,
    /// Lifecycle state.
    pub status: CardStatus,
    /// Whether codes may be shown.
    pub e_card: ECardState,
    /// Whether the social-security function is enabled (社保功能启用).
    pub social_function_enabled: bool,
    /// The open loss report, if any (withheld, null, from a helper unless
    /// `report_loss` or `track`; the status still says whether it is lost).
    pub loss_report: Option<LossReport>,
    /// When the card record was made; withheld unless `replace` or `track`.
    pub issued_at: Option<u64>,
}

/// A person the account may see: the holder or someone acted for.
#[uniffi::remote(Record)]
pub struct PersonSummary {
    /// Id in the register.
    pub person_id: String,
    /// Name with all but the first character masked.
    pub name_masked: String,
    /// Document number masked; withheld from a helper unless `apply`.
    pub id_number_masked: Option<String>,
    /// Birth date; withheld from a helper unless `apply`.
    pub birth_date: Option<CalendarDate>,
    /// Their cards.
    pub cards: Vec<Card>,
}

/// A calendar date: a `YYYY-MM-DD` string in Kotlin and Swift. (Not
/// `Date`: that name would clash with `Foundation.Date` and
/// `java.util.Date`.)
pub type CalendarDate = ecard_documents::Date;

uniffi::custom_type!(CalendarDate, String, {
    remote,
    lower: |date| date.to_string(),
    try_lift: |text| CalendarDate::parse(&text)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("not a YYYY-MM-DD date: {text:?}")),
});

/// The account's profile: the holder and the people acted for.
#[uniffi::remote(Record)]
pub struct Profile {
    /// The account.
    pub account_id: String,
    /// The account holder.
    pub person: PersonSummary,
    /// People the account acts for under an active mandate.
    pub principals: Vec<PersonSummary>,
    /// Province code whose rules apply.
    pub region: String,
}

/// The signed-in account on this device (identity masked). Named
/// `Session` in the bindings.
#[uniffi::remote(Record)]
#[uniffi(name = "Session")]
pub struct SessionView {
    /// The account.
    pub account_id: String,
    /// The account holder.
    pub person_id: String,
    /// This device.
    pub device_id: String,
    /// The holder's name, masked (`刘**`).
    pub name_masked: String,
    /// The holder's document number, masked.
    pub id_number_masked: String,
}

/// A card as the UI shows it.
#[uniffi::remote(Record)]
pub struct CardView {
    /// The card.
    pub card_id: String,
    /// Its holder.
    pub person_id: String,
    /// The holder's name, masked.
    pub holder_name_masked: String,
    /// Whether the holder is the account holder, or a person acted for.
    pub role: HolderRole,
    /// Lifecycle state at the platform (last known).
    pub status: CardStatus,
    /// Whether the platform allows codes.
    pub e_card: ECardState,
    /// The card number, masked.
    pub card_number_masked: String,
    /// Co-branded bank; null for a person acted for when the mandate's
    /// scopes do not disclose it.
    pub bank: Option<String>,
    /// Whether this device has stopped codes for it.
    pub suspended_here: bool,
    /// When the stored credential expires, if there is one.
    pub credential_not_after: Option<u64>,
}

/// Rows saved from one table of a damaged database.
#[uniffi::remote(Record)]
pub struct RecoveredTable {
    /// The table.
    pub table: String,
    /// Rows saved.
    pub rows: u64,
}

/// What the last recovery from a damaged database saved and lost.
#[uniffi::remote(Record)]
pub struct RecoveryReport {
    /// Where the damaged file was moved.
    pub damaged_copy: String,
    /// Rows saved, per table.
    pub saved: Vec<RecoveredTable>,
    /// Tables whose rows are lost.
    pub lost: Vec<String>,
}

/// What the UI renders, read without I/O.
#[uniffi::remote(Record)]
pub struct Snapshot {
    /// Whether an account is enrolled here.
    pub enrolled: bool,
    /// The account holder's name, masked.
    pub name_masked: Option<String>,
    /// The account holder's document number, masked.
    pub id_number_masked: Option<String>,
    /// Cards: the holder's and those of people acted for.
    pub cards: Vec<CardView>,
    /// The catalogue cache.
    pub catalogue: CatalogueState,
    /// Whether the last platform call got through.
    pub online: bool,
    /// Platform clock minus device clock, seconds.
    pub clock_offset_seconds: i64,
    /// Submissions waiting to be confirmed by the platform.
    pub outbox_pending: u64,
    /// Submissions refused by the platform (need attention).
    pub outbox_failed: u64,
    /// What the last recovery from a damaged database saved and lost.
    pub recovery: Option<RecoveryReport>,
}

// ---------------------------------------------------------------------------
// Codes.

/// A code ready to show: render `text` as a QR code (see `qr_matrix`,
/// `qr_svg`) and count `seconds_left` down to a refresh.
#[uniffi::remote(Record)]
pub struct CodeView {
    /// The card.
    pub card_id: String,
    /// What the code is for.
    pub purpose: Purpose,
    /// The QR content (`EC1:…`, QR alphanumeric mode).
    pub text: String,
    /// QR version at ECC M.
    pub qr_version: u8,
    /// When it was made (platform clock, Unix seconds).
    pub issued_at: u64,
    /// When terminals stop accepting it.
    pub expires_at: u64,
    /// Whether it is shown for someone else (proxy or guardian).
    pub on_behalf: HolderRole,
    /// The device counter it carries.
    pub counter: u32,
    /// When the credential behind it expires.
    pub credential_not_after: u64,
    /// Seconds left when it was made; later, `expires_at` minus the
    /// client's `trusted_now()`.
    pub seconds_left: u64,
}

// ---------------------------------------------------------------------------
// Workflows: forms, drafts, submissions, flows, mandates.

/// How a produced card reaches the holder.
#[uniffi::remote(Enum)]
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
        /// The outlet (an id from `nearest_outlets`).
        outlet_id: String,
    },
}

/// Kinds of replacement (补换).
#[uniffi::remote(Enum)]
pub enum ReplacementKind {
    /// A new card, new number, same bank.
    Plain,
    /// A card with another co-branded bank (old account closed first).
    ChangeBank,
    /// 保号换卡: the same card number on a new card.
    KeepNumber,
}

/// Sex as a birth certificate records it.
#[uniffi::remote(Enum)]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

/// Where a birth registration stands.
#[uniffi::remote(Enum)]
pub enum BirthState {
    /// The household registration step is under way.
    Registering,
    /// Registered: ID number, guardian mandate and card application.
    Registered,
}

/// One step of the newborn's progress line.
#[uniffi::remote(Enum)]
pub enum BirthStep {
    /// The one form was received.
    Submitted,
    /// The household was registered and the ID number assigned.
    HouseholdRegistered,
    /// The card is being made.
    CardInProduction,
    /// The card is posted or waiting at the outlet.
    CardOnItsWay,
    /// The card reached the family.
    CardReceived,
}

/// A step of the progress line and when it was reached.
#[uniffi::remote(Record)]
pub struct BirthProgress {
    /// The step.
    pub step: BirthStep,
    /// When it was reached (`null`: ahead).
    pub at: Option<u64>,
}

/// A birth registration (出生一件事) as its submitter sees it.
#[uniffi::remote(Record)]
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

/// The one form of 出生一件事.
#[uniffi::remote(Record)]
pub struct BirthForm {
    /// 出生医学证明 number.
    pub birth_certificate: String,
    /// The child's name, as on the certificate.
    pub child_name: String,
    /// The child's sex, as on the certificate.
    pub sex: Sex,
    /// The birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// The other parent, when in the population register.
    pub other_parent: Option<PersonIdentity>,
    /// 户籍登记地: the county-level division code.
    pub household_region: String,
    /// The household's address.
    pub household_address: String,
    /// Co-branded bank of the child's card.
    pub bank: String,
    /// Contact phone.
    pub phone: String,
    /// How the card reaches the family.
    pub delivery: Delivery,
    /// Card photo (JPEG); not needed where the rules exempt newborns.
    pub photo_jpeg: Option<Vec<u8>>,
}

/// A step of a birth's progress line with its label.
#[uniffi::remote(Record)]
pub struct BirthStage {
    /// The step.
    pub step: BirthStep,
    /// Its label in the chosen language.
    pub label: String,
    /// When it was reached (`null`: ahead).
    pub at: Option<u64>,
}

/// A birth as the app shows it: the record and one labelled progress line.
#[uniffi::remote(Record)]
pub struct BirthFlow {
    /// The platform's record.
    pub birth: Birth,
    /// Every step, reached or ahead, labelled.
    pub stages: Vec<BirthStage>,
}

/// A first-card application form.
#[uniffi::remote(Record)]
pub struct NewCardForm {
    /// Who the card is for: `null` for the account holder, or a person the
    /// account holds an `apply` mandate for.
    pub person_id: Option<String>,
    /// The card photo (JPEG).
    pub photo_jpeg: Vec<u8>,
    /// Co-branded bank code.
    pub bank: String,
    /// Contact phone.
    pub phone: String,
    /// How the card reaches its holder.
    pub delivery: Delivery,
    /// Made on the spot at the pickup outlet (即时制卡).
    #[uniffi(default = false)]
    pub instant_issue: bool,
}

/// A replacement form.
#[uniffi::remote(Record)]
pub struct ReplacementForm {
    /// The card to replace.
    pub card_id: String,
    /// Plain, change of bank, or keep-number.
    pub kind: ReplacementKind,
    /// The new bank (change of bank only).
    pub bank: Option<String>,
    /// A new photo; the one on file is reused when absent.
    pub photo_jpeg: Option<Vec<u8>>,
    /// How the new card reaches its holder.
    pub delivery: Delivery,
    /// Made on the spot at the pickup outlet (即时制卡).
    #[uniffi(default = false)]
    pub instant_issue: bool,
}

/// A form in progress.
#[uniffi::remote(Enum)]
pub enum DraftForm {
    /// A first card.
    NewCard(NewCardForm),
    /// A replacement.
    Replacement(ReplacementForm),
}

/// A stored draft (sealed at rest, survives restarts).
#[uniffi::remote(Record)]
pub struct Draft {
    /// Id.
    pub draft_id: String,
    /// The form.
    pub form: DraftForm,
    /// Last saved (Unix seconds).
    pub updated_at: u64,
}

/// Where a submission stands.
#[uniffi::remote(Enum)]
pub enum OutboxState {
    /// Not yet confirmed by the platform (queued; sent when online).
    Pending,
    /// Confirmed.
    Done,
    /// Refused by the platform; needs the person's attention.
    Failed,
}

/// A submission in the durable outbox (the "sending" list).
#[uniffi::remote(Record)]
pub struct OutboxEntry {
    /// Local id.
    pub id: i64,
    /// The idempotency key it is always sent with.
    pub idempotency_key: String,
    /// What it does, e.g. `application.submit`.
    pub action: String,
    /// HTTP path.
    pub path: String,
    /// What it is about (an application or card id), if known.
    pub subject: Option<String>,
    /// State.
    pub state: OutboxState,
    /// Attempts so far.
    pub attempts: u32,
    /// Earliest next attempt (Unix seconds).
    pub next_attempt_at: u64,
    /// The last error code, if any.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: u64,
}

/// What happened to a submission.
#[uniffi::remote(Record)]
pub struct Submission {
    /// The outbox entry.
    pub outbox_id: i64,
    /// `Done` when the platform answered, `Pending` when queued (offline).
    pub state: OutboxState,
    /// The application it created, once confirmed.
    pub application_id: Option<String>,
    /// The mandate it created, once confirmed.
    pub delegation_id: Option<String>,
    /// The platform's answer as JSON, when done.
    pub response_json: Option<String>,
}

/// What an application is for.
#[uniffi::remote(Enum)]
pub enum ApplicationKind {
    /// A first card.
    NewCard,
    /// A replacement.
    Replacement(ReplacementKind),
}

/// Stages of an application (制卡进度).
#[uniffi::remote(Enum)]
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
    /// 领卡未激活: received, social function not yet enabled.
    Received,
    /// 已启用: social function enabled; done.
    Activated,
    /// 制卡失败: production failed; resubmit the photo.
    ProductionFailed,
    /// Cancelled before production.
    Cancelled,
}

/// What the resident can do next on an application.
#[uniffi::remote(Enum)]
pub enum ApplicationAction {
    /// Pay the fees.
    Pay,
    /// Cancel.
    Cancel,
    /// Confirm the card was received.
    ConfirmReceipt,
    /// Enable the social-security function.
    Activate,
    /// Send a new photo after a failed production.
    ResubmitPhoto,
}

/// One step in an application's history.
#[uniffi::remote(Record)]
pub struct StageEntry {
    /// The state entered.
    pub state: ApplicationState,
    /// When.
    pub at: u64,
}

/// An application as the platform tracks it.
#[uniffi::remote(Record)]
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
    /// Fees due in fen.
    pub fee_fen: u32,
    /// What the resident can do now.
    pub actions: Vec<ApplicationAction>,
    /// The card being replaced, for replacements.
    pub replaces_card_id: Option<String>,
    /// The produced card, once produced.
    pub card_id: Option<String>,
    /// Why production failed, when it did.
    pub failure_reason: Option<String>,
    /// Submission time.
    pub created_at: u64,
    /// Made on the spot at the pickup outlet (即时制卡).
    pub instant_issue: bool,
}

/// The step a flow is at.
#[uniffi::remote(Enum)]
pub enum FlowStep {
    /// Queued on this device, not yet confirmed by the platform.
    WaitingToSend,
    /// Fees are due.
    Pay {
        /// Amount in fen.
        amount_fen: u32,
    },
    /// Waiting for production.
    InProduction,
    /// Posted; arrives by itself.
    InTransit,
    /// Ready for collection at the outlet; confirm when collected.
    CollectAtOutlet,
    /// In hand: enable the social-security function.
    Activate,
    /// Production failed: send a new photo.
    ResubmitPhoto {
        /// Why, as the card bureau said.
        reason: String,
    },
    /// Finished.
    Done,
    /// Cancelled.
    Cancelled,
}

/// One stage of the progress bar, labelled in the client's language.
#[uniffi::remote(Record)]
pub struct ProgressStage {
    /// The state.
    pub state: ApplicationState,
    /// Its label (数据录入, 已缴费, 制卡中, …).
    pub label: String,
    /// When it was reached.
    pub at: Option<u64>,
}

/// An application flow as the UI shows it.
#[uniffi::remote(Record)]
pub struct ApplicationFlow {
    /// The platform's record.
    pub application: Application,
    /// Where it stands.
    pub step: FlowStep,
    /// What the person can do now.
    pub actions: Vec<ApplicationAction>,
    /// Whether the rules forbid cancelling once submitted.
    pub cannot_cancel_once_submitted: bool,
    /// The stages reached, in order, with labels.
    pub progress: Vec<ProgressStage>,
}

/// A card's loss-report situation as the UI shows it.
#[uniffi::remote(Record)]
pub struct LossFlow {
    /// The card.
    pub card: Card,
    /// Whether a temporary report may be made now.
    pub can_report_temporary: bool,
    /// Whether a formal report may be made now.
    pub can_report_formal: bool,
    /// Whether the report can be released online (else at a counter).
    pub can_release_online: bool,
    /// Whether the e-card code works during a temporary report.
    pub e_card_works_while_temporarily_lost: bool,
    /// When an open temporary report lapses by itself.
    pub lapses_at: Option<u64>,
    /// Whether the next step is a replacement (formally lost).
    pub replacement_needed: bool,
}

/// Kinds of mandate.
#[uniffi::remote(Enum)]
pub enum DelegationKind {
    /// The legal guardian of a minor or newborn.
    Guardian,
    /// A family member acting for a relative, with consent.
    FamilyProxy,
}

/// How a family proxy is related to the person they act for (declared,
/// audited; a family-proxy mandate needs it).
#[uniffi::remote(Enum)]
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

/// What a mandate allows.
#[uniffi::remote(Enum)]
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
    /// Sign in to a relying party for the person (扫码登录).
    Login,
    /// Run the yearly pension eligibility check (待遇资格认证) for the person.
    Eligibility,
    /// See the person's insurance records and certificates.
    Records,
}

/// Evidence of a guardian relationship.
#[uniffi::remote(Record)]
pub struct Evidence {
    /// `household_register` (户口簿) or `birth_certificate` (出生医学证明).
    pub kind: String,
    /// The document number.
    pub number: String,
}

/// Lifecycle of a mandate.
#[uniffi::remote(Enum)]
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

/// A mandate to act for someone.
#[uniffi::remote(Record)]
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
    /// Since when the guardian allows the e-card on the ward's own phone.
    pub ward_e_card_since: Option<u64>,
}

/// One audited action: who did what for whom under which mandate.
#[uniffi::remote(Record)]
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

/// The label of an application state in a language (数据录入, 制卡中, …).
#[uniffi::export]
pub fn application_state_label(state: ApplicationState, language: Locale) -> String {
    ecard_core::workflows::state_label(state, language).to_owned()
}

/// The kind of an application in words (申领社保卡, 补换卡, …).
#[uniffi::export]
pub fn application_kind_label(kind: ApplicationKind, language: Locale) -> String {
    ecard_core::workflows::kind_label(kind, language).to_owned()
}

// ---------------------------------------------------------------------------
// Opening a client.

/// How to open a client. `default_config` fills in the usual values (the
/// core's, shared with the HarmonyOS binding: [`BindingConfig`]).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct ClientConfig {
    /// Directory for the database and key files (created if missing): the
    /// app's private files directory.
    pub data_dir: String,
    /// The platform, `https://…` (or `http://` on loopback).
    pub platform_url: String,
    /// Language of messages and labels.
    pub language: Locale,
    /// A name for this device the resident recognises.
    pub device_name: String,
    /// Region whose catalogue and rules to sync before enrolment.
    pub default_region: String,
    /// Suite of the device key: `EcdsaP256` (the default) works with every
    /// platform key store; Android Keystore and the Secure Enclave refuse
    /// `Sm2` and `Ed25519` (`NotAllowed`/`unsupported_suite`).
    pub device_suite: Suite,
    /// Longest wait for one platform answer, in seconds.
    pub request_timeout_seconds: u32,
    /// Most bytes the local database may grow to (null = no cap).
    pub storage_limit_bytes: Option<u64>,
    /// Longest wait for one key-store answer (a fingerprint prompt
    /// included), in seconds; null for the default (120 s).
    #[uniffi(default = None)]
    pub key_store_timeout_seconds: Option<f64>,
    /// The cipher that seals personal data at rest; null for the default
    /// (AES-256-GCM). Chosen once per deployment: a database sealed with
    /// the other cipher is refused (`field_cipher_mismatch`), never
    /// re-encrypted.
    #[uniffi(default = None)]
    pub field_cipher: Option<FieldCipherSuite>,
}

impl From<ClientConfig> for BindingConfig {
    fn from(config: ClientConfig) -> BindingConfig {
        BindingConfig {
            locale: Some(config.language),
            device_name: Some(config.device_name),
            default_region: Some(config.default_region),
            device_suite: Some(config.device_suite),
            request_timeout_seconds: Some(f64::from(config.request_timeout_seconds)),
            storage_limit_bytes: config.storage_limit_bytes,
            key_store_timeout_seconds: config.key_store_timeout_seconds,
            field_cipher: config.field_cipher,
            ..BindingConfig::new(config.data_dir, config.platform_url)
        }
    }
}

impl From<ClientConfig> for ecard_core::ClientConfig {
    fn from(config: ClientConfig) -> ecard_core::ClientConfig {
        BindingConfig::from(config).client_config()
    }
}

/// The usual configuration (the core's defaults): zh-CN, Jiangxi, a P-256
/// device key.
#[uniffi::export]
pub fn default_config(data_dir: String, platform_url: String) -> ClientConfig {
    let defaults = BindingConfig::new(data_dir, platform_url).with_defaults();
    ClientConfig {
        language: defaults.locale(),
        device_name: defaults.device_name.unwrap_or_default(),
        default_region: defaults.default_region.unwrap_or_default(),
        device_suite: defaults.device_suite.unwrap_or(Suite::EcdsaP256),
        request_timeout_seconds: defaults.request_timeout_seconds.unwrap_or_default() as u32,
        storage_limit_bytes: defaults.storage_limit_bytes,
        key_store_timeout_seconds: defaults.key_store_timeout_seconds,
        field_cipher: defaults.field_cipher,
        data_dir: defaults.data_dir,
        platform_url: defaults.platform_url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_is_the_cores() {
        let config = default_config("/tmp/x".into(), "http://127.0.0.1:1".into());
        assert_eq!(config.language, Locale::ZhCn);
        assert_eq!(config.device_suite, Suite::EcdsaP256);
        assert_eq!(config.field_cipher, Some(FieldCipherSuite::Aes256Gcm));
        let chosen = ClientConfig {
            field_cipher: Some(FieldCipherSuite::Sm4Gcm),
            ..config.clone()
        };
        let core: ecard_core::ClientConfig = config.into();
        assert_eq!(core.default_region, "360000");
        assert_eq!(core.field_cipher, FieldCipherSuite::Aes256Gcm);
        let core: ecard_core::ClientConfig = chosen.into();
        assert_eq!(core.field_cipher, FieldCipherSuite::Sm4Gcm);
    }
}
