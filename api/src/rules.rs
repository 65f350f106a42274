//! The regional rules document: per-region settings of the card business,
//! served as data so the core has no per-region code branches.
//!
//! Documents cached before a setting existed must still load (a phone keeps
//! the last rules it synced, the platform keeps what an operator stored), so
//! the document is read through a private `RulesDocument`, which fills new
//! settings from the ones they replaced.

/// The concession classes a code carries (the credential format's).
pub use ecard_credential::ConcessionClass;
/// The purposes the rules name (the credential format's).
pub use ecard_credential::Purpose;
use ecard_credential::{OnBehalfPolicy, PurposeSet};
use serde::{Deserialize, Serialize};

use crate::resident::{ECardState, Scope};

/// Photo requirements for card production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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

impl From<&PhotoRules> for ecard_documents::PhotoRules {
    /// The rules as the photo check reads them.
    fn from(rules: &PhotoRules) -> ecard_documents::PhotoRules {
        ecard_documents::PhotoRules {
            min_width: rules.min_width,
            max_width: rules.max_width,
            min_height: rules.min_height,
            max_height: rules.max_height,
            min_bytes: u64::from(rules.min_bytes),
            max_bytes: u64::from(rules.max_bytes),
        }
    }
}

/// A co-branded bank (联名银行).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Bank {
    /// Short code, e.g. `icbc`.
    pub code: String,
    /// Name in Chinese.
    pub name: String,
    /// The bank's customer-service hotline, where the card's bank function
    /// (a financial loss report, 金融功能挂失) is completed; absent in
    /// documents stored before it was data.
    #[serde(default)]
    pub hotline: Option<String>,
}

/// When the e-card (电子社保卡) works while the physical card is not in
/// normal use. Each period names the e-card state the region gives it; a
/// card in two periods at once (reported lost while still in production)
/// has a working e-card only if both allow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ECardTiming {
    /// From the start of production of a first card (制卡中) until the
    /// holder receives it. `active`: the e-card is made with the card and
    /// works at once (Jiangxi: 同步生成…直接使用); `suspended`: it starts
    /// when the card is received.
    pub during_production: ECardState,
    /// While a temporary loss report (临时挂失) is open. A formal report
    /// (正式挂失) always suspends the e-card.
    pub during_temporary_loss: ECardState,
    /// From the start of production of a replacement (补换: the old card is
    /// retired then) until the holder receives the new card: whether the new
    /// card's e-card works meanwhile.
    pub during_replacement: ECardState,
}

impl Default for ECardTiming {
    /// What the platform did before the timing was data: the e-card starts
    /// when the card is received and stops during a temporary loss report.
    fn default() -> ECardTiming {
        ECardTiming {
            during_production: ECardState::Suspended,
            during_temporary_loss: ECardState::Suspended,
            during_replacement: ECardState::Suspended,
        }
    }
}

/// The rules of one region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RulesDocument")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RegionalRules {
    /// Province-level division code, e.g. `360000`.
    pub region: String,
    /// Region name.
    pub name: String,
    /// Increases whenever the document changes.
    pub version: u64,
    /// Days after which a temporary loss report (临时挂失) lapses by itself.
    pub temporary_loss_lapse_days: u32,
    /// Whether a temporary loss report may be released (解挂) online.
    pub release_online: bool,
    /// Whether a formal loss report (正式挂失) can be reversed.
    pub formal_loss_reversible: bool,
    /// When the e-card works: during production, a temporary loss report
    /// and a replacement.
    pub e_card_timing: ECardTiming,
    /// Whether an application may be cancelled after submission (before production).
    pub cancel_after_submit: bool,
    /// Fee of a replacement card, in fen.
    pub replacement_fee_fen: u32,
    /// Postage for mailing a card, in fen.
    pub postage_fen: u32,
    /// Photo requirements.
    pub photo: PhotoRules,
    /// How many relatives one account may act for (亲情服务).
    pub relative_quota: u32,
    /// Device credential lifetime in hours (24–72).
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
    #[serde(default)]
    pub account_security: AccountSecurity,
    /// Which purposes accept a code shown on someone else's behalf: a family
    /// proxy's (亲情代办) and a guardian's.
    #[serde(default)]
    pub on_behalf: OnBehalfRules,
    /// The oldest status list (by its issue time) the region's terminals
    /// rest a verdict on; older, a code is refused as of unknown status.
    #[serde(default = "default_status_list_max_age_hours")]
    pub status_list_max_age_hours: u32,
    /// What a holder under `adult_age` does only through a guardian.
    #[serde(default)]
    pub minors: MinorRules,
    /// 出生一件事: a newborn's birth registration and card in one form.
    #[serde(default)]
    pub newborn: NewbornRules,
    /// On-the-spot issue at outlets (即时制卡, 立等可取).
    #[serde(default)]
    pub instant_issue: InstantIssueRules,
    /// Concessions (优待): who is in which class and what each class gets
    /// where. The issuer reads them to choose the class a code carries.
    #[serde(default)]
    pub concessions: ConcessionRules,
    /// Pension eligibility (待遇资格认证): who must certify, how often, the
    /// grace before payments are suspended, reminders and the passive
    /// certification by a recent use of the card (无感认证).
    #[serde(default)]
    pub eligibility: EligibilityRules,
}

/// What a holder under the age of majority may not do alone. Jiangxi's
/// notice: 未满18周岁的公民需法定监护人持有效身份证件、户口簿…代办 for the
/// application, activation, loss reports, release, replacement and the
/// PIN. The guardian acts under a guardian mandate; the minor's own
/// account is refused these acts with `guardian_required`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MinorRules {
    /// The acts a minor's own account is refused. `show_code` is the e-card
    /// itself: a minor's own phone shows codes only where a guardian allowed
    /// it (`e_card_on_own_phone_with_consent`).
    pub through_guardian: Vec<Scope>,
    /// Whether changing or resetting a minor's e-card PIN goes through the
    /// guardian (who sets it from their own phone).
    pub pin_through_guardian: bool,
    /// The age from which a minor the population register records as living
    /// on their own labour income acts alone (民法典第十八条: 十六周岁以上的
    /// 未成年人，以自己的劳动收入为主要生活来源的，视为完全民事行为能力人);
    /// `None`: no such exception in the region.
    pub self_supporting_from_age: Option<u32>,
    /// Whether a guardian may allow the e-card on the minor's own phone
    /// (a student's campus card, for instance).
    pub e_card_on_own_phone_with_consent: bool,
    /// Where the rule comes from.
    pub source: String,
}

impl Default for MinorRules {
    /// Documents stored before the setting existed: every act on a minor's
    /// card through the guardian, no exception, the e-card on the minor's
    /// phone with a guardian's consent.
    fn default() -> MinorRules {
        MinorRules {
            through_guardian: MinorRules::every_act(),
            pin_through_guardian: true,
            self_supporting_from_age: None,
            e_card_on_own_phone_with_consent: true,
            source: "compatibility default: every act on a minor's card through the guardian"
                .to_owned(),
        }
    }
}

impl MinorRules {
    /// Every act on a card a guardian may do for a ward (all but `track`).
    pub fn every_act() -> Vec<Scope> {
        vec![
            Scope::Apply,
            Scope::Replace,
            Scope::ReportLoss,
            Scope::Activate,
            Scope::ShowCode,
        ]
    }

    /// Whether a minor of `age` (the register saying whether they live on
    /// their own labour income) may do `scope` for themself.
    pub fn may_act_alone(&self, scope: Scope, age: u32, self_supporting: bool) -> bool {
        self.self_supporting_exempts(age, self_supporting)
            || !self.through_guardian.contains(&scope)
    }

    /// Whether the minor may change or reset their own PIN.
    pub fn may_set_own_pin(&self, age: u32, self_supporting: bool) -> bool {
        self.self_supporting_exempts(age, self_supporting) || !self.pin_through_guardian
    }

    /// Whether a minor of `age` whom the register records as living on their
    /// own labour income (`self_supporting`) counts as having full capacity
    /// here: the region names the exception and the age is reached.
    pub fn self_supporting_exempts(&self, age: u32, self_supporting: bool) -> bool {
        self_supporting
            && self
                .self_supporting_from_age
                .is_some_and(|from| age >= from)
    }
}

/// 出生一件事 (the newborn's birth matters in one go): the guardian files
/// one form with the birth registration facts and the card application;
/// the household-registration step assigns the ID number, then the card is
/// made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct NewbornRules {
    /// Whether the region takes the one form online.
    pub one_submission: bool,
    /// Days the household-registration step (户口登记) takes.
    pub registration_days: u32,
    /// Children younger than this many years apply without a photo
    /// (`0`: a photo is always needed).
    pub photo_exempt_under_age: u32,
    /// Where the rule comes from.
    pub source: String,
}

impl Default for NewbornRules {
    /// Documents stored before the setting existed: no one-form service,
    /// a photo always.
    fn default() -> NewbornRules {
        NewbornRules {
            one_submission: false,
            registration_days: 1,
            photo_exempt_under_age: 0,
            source: "compatibility default: no 出生一件事 service".to_owned(),
        }
    }
}

/// On-the-spot issue (即时制卡): at outlets that offer it, the card is made
/// while the applicant waits and works at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct InstantIssueRules {
    /// Whether the region's outlets with the service may issue on the spot.
    pub offered: bool,
    /// Days an instant-issue application waits for the applicant at the
    /// outlet before it is cancelled.
    pub hold_days: u32,
    /// Where the rule comes from.
    pub source: String,
}

impl Default for InstantIssueRules {
    /// Documents stored before the setting existed: not offered.
    fn default() -> InstantIssueRules {
        InstantIssueRules {
            offered: false,
            hold_days: 7,
            source: "compatibility default: no instant issue".to_owned(),
        }
    }
}

/// Concessions (优待) as data. A code carries one concession class; the
/// first class in `classes` whose basis the holder meets is the one
/// issued, so the order is the region's priority (free admission before a
/// reduced fare). Terminals map the class to their tariff; `benefits` say
/// what the class gets in each scene, for the app and for configuring
/// terminals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ConcessionRules {
    /// The classes in priority order.
    pub classes: Vec<ConcessionRule>,
}

/// One concession class of a region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ConcessionRule {
    /// The class a code carries.
    pub class: ConcessionClass,
    /// Who is in the class.
    pub basis: ConcessionBasis,
    /// What the class gets, per scene.
    pub benefits: Vec<ConcessionBenefit>,
    /// Where the rule comes from: a quote from a public document, or
    /// `sample data` with what it stands in for.
    pub source: String,
}

/// Who is in a concession class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ConcessionBasis {
    /// An age in full years on the day the code's credential is issued
    /// (China time): at least `from` (if given) and below `below` (if given).
    Age {
        /// The first age in the class.
        from: Option<u32>,
        /// The first age no longer in it.
        below: Option<u32>,
    },
    /// A document the platform holds a record of, valid on the day.
    Document {
        /// Which document.
        document: ConcessionDocument,
    },
    /// A current enrolment at a registered school (技工院校 and others).
    SchoolEnrolment,
}

/// Documents that put a holder in a concession class, as shared with the
/// card platform by the authority that issues them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ConcessionDocument {
    /// 残疾人证, shared by the disabled persons' federation.
    DisabilityCertificate,
    /// 优待证 of veterans and other entitled groups, shared by veterans' affairs.
    PreferentialTreatmentCertificate,
}

impl ConcessionDocument {
    /// The snake_case name, as serde writes it.
    pub const fn name(self) -> &'static str {
        match self {
            ConcessionDocument::DisabilityCertificate => "disability_certificate",
            ConcessionDocument::PreferentialTreatmentCertificate => {
                "preferential_treatment_certificate"
            }
        }
    }
}

/// Where a concession applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ConcessionScene {
    /// Buses and metro.
    Transport,
    /// Scenic spots (A级旅游景区).
    Tourism,
    /// Libraries, museums, theatres.
    Culture,
}

/// What a class gets in one scene.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ConcessionBenefit {
    /// The scene.
    pub scene: ConcessionScene,
    /// `free`, `reduced` or `no_deposit` (免押金).
    pub benefit: BenefitKind,
    /// The places it holds at, as the source names them.
    pub places: String,
}

/// A kind of concession.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum BenefitKind {
    /// No fare or admission.
    Free,
    /// A reduced fare or admission.
    Reduced,
    /// Borrowing without a deposit.
    NoDeposit,
}

impl ConcessionRules {
    /// The class of a holder aged `age` who holds `documents` and is
    /// (`enrolled`) or is not at a school: the first rule that applies,
    /// else [`ConcessionClass::Standard`].
    pub fn class_for(
        &self,
        age: u32,
        documents: &[ConcessionDocument],
        enrolled: bool,
    ) -> ConcessionClass {
        self.classes
            .iter()
            .find(|rule| match rule.basis {
                ConcessionBasis::Age { from, below } => {
                    from.is_none_or(|from| age >= from) && below.is_none_or(|below| age < below)
                }
                ConcessionBasis::Document { document } => documents.contains(&document),
                ConcessionBasis::SchoolEnrolment => enrolled,
            })
            .map_or(ConcessionClass::Standard, |rule| rule.class)
    }
}

impl Default for ConcessionRules {
    /// Documents stored before the setting existed keep the classes the
    /// code journey used before concessions were data: 70 and over free,
    /// 60 and over reduced, under 14 a child.
    fn default() -> ConcessionRules {
        let age = |class, from, below| ConcessionRule {
            class,
            basis: ConcessionBasis::Age { from, below },
            benefits: Vec::new(),
            source: "compatibility default".to_owned(),
        };
        ConcessionRules {
            classes: vec![
                age(ConcessionClass::SeniorFree, Some(70), None),
                age(ConcessionClass::Senior, Some(60), None),
                age(ConcessionClass::Child, None, Some(14)),
            ],
        }
    }
}

/// Pension eligibility (待遇资格认证) as data. A person the register puts
/// at or over the retirement age draws a pension and certifies once per
/// cycle that they are alive and entitled; missed, payments are suspended
/// (暂停发放) until a certification, and the months missed are paid after
/// it (补发).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EligibilityRules {
    /// Months from a certification to the next one's due date.
    pub cycle_months: u32,
    /// Days after the due date before payments are suspended.
    pub grace_days: u32,
    /// Days before the due date on which the person (and whoever helps
    /// them) is reminded, largest first; the largest also opens the period
    /// in which the certification is due.
    pub reminder_days_before: Vec<u32>,
    /// The age from which a man in the register draws a pension.
    pub retirement_age_men: u32,
    /// The age from which a woman in the register draws a pension.
    pub retirement_age_women: u32,
    /// The day of the month on which pensions are paid into the card.
    pub pension_pay_day: u8,
    /// 无感认证: a verified use of the card that certifies without any act
    /// of the person; `None`: only a face check certifies.
    pub passive: Option<PassiveCertification>,
    /// Where the rule comes from.
    pub source: String,
}

/// A use of the card that certifies passively (无感认证): a resolution of
/// the person's code at one of `operator_kinds` within `within_days` when
/// the certification comes due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PassiveCertification {
    /// How old the use may be, in days.
    pub within_days: u32,
    /// The kinds of service point whose resolutions count.
    pub operator_kinds: Vec<crate::service_points::ServicePointKind>,
}

impl Default for EligibilityRules {
    /// Documents stored before the setting existed: the national yearly
    /// cycle, no grace, reminders 30, 7 and 1 days before, retirement at 60
    /// and 55, pensions on the 15th, no passive certification.
    fn default() -> EligibilityRules {
        EligibilityRules {
            cycle_months: 12,
            grace_days: 0,
            reminder_days_before: vec![30, 7, 1],
            retirement_age_men: 60,
            retirement_age_women: 55,
            pension_pay_day: 15,
            passive: None,
            source: "compatibility default: the yearly cycle, no passive certification".to_owned(),
        }
    }
}

impl EligibilityRules {
    /// The retirement age of a man (`male`) or a woman.
    pub fn retirement_age(&self, male: bool) -> u32 {
        if male {
            self.retirement_age_men
        } else {
            self.retirement_age_women
        }
    }

    /// Days before the due date from which the certification is due.
    pub fn due_window_days(&self) -> u32 {
        self.reminder_days_before.iter().copied().max().unwrap_or(0)
    }
}

/// Terminals need a status list issued within a day unless a region says
/// otherwise: the platform's editions are valid for a day.
pub const DEFAULT_STATUS_LIST_MAX_AGE_HOURS: u32 = 24;

fn default_status_list_max_age_hours() -> u32 {
    DEFAULT_STATUS_LIST_MAX_AGE_HOURS
}

/// Who may show a code for whom, per purpose: the region's terminals accept
/// a family proxy's code (亲情代办, an adult helping a relative) only at
/// `proxy` purposes and a guardian's code for a minor only at `guardian`
/// purposes. A terminal configured from the rules applies them
/// ([`OnBehalfRules::policy`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct OnBehalfRules {
    /// Purposes at which a family proxy's code is accepted.
    pub proxy: Vec<Purpose>,
    /// Purposes at which a guardian's code for a minor is accepted.
    pub guardian: Vec<Purpose>,
    /// Where the setting comes from and why (a regulation, a notice, an
    /// operator's decision), for operators and auditors.
    pub source: String,
}

impl Default for OnBehalfRules {
    /// The policy terminals applied before it was regional data (and still
    /// apply with no rules: `OnBehalfPolicy::default()`), so documents stored
    /// or cached before the setting existed verify as they did: a proxy at
    /// medical and culture/tourism terminals, a guardian everywhere.
    fn default() -> OnBehalfRules {
        let policy = OnBehalfPolicy::default();
        OnBehalfRules {
            proxy: policy.proxy.iter().collect(),
            guardian: policy.guardian.iter().collect(),
            source:
                "compatibility default: the policy terminals applied before it was regional data"
                    .to_owned(),
        }
    }
}

impl OnBehalfRules {
    /// The verifier's on-behalf policy for these rules.
    pub fn policy(&self) -> OnBehalfPolicy {
        OnBehalfPolicy {
            proxy: PurposeSet::of(&self.proxy),
            guardian: PurposeSet::of(&self.guardian),
        }
    }
}

impl From<&OnBehalfRules> for OnBehalfPolicy {
    /// The verifier's on-behalf policy for these rules.
    fn from(rules: &OnBehalfRules) -> OnBehalfPolicy {
        rules.policy()
    }
}

impl RegionalRules {
    /// A terminal's verifier policy for `purposes` under this region's
    /// rules: the verifier's defaults with the region's on-behalf policy and
    /// the status list's maximum age.
    pub fn verifier_policy(&self, purposes: &[Purpose]) -> ecard_credential::VerifierPolicy {
        let mut policy = ecard_credential::VerifierPolicy::for_purposes(purposes);
        policy.on_behalf = self.on_behalf.policy();
        policy.status = ecard_credential::StatusPolicy::Required {
            max_age_seconds: u64::from(self.status_list_max_age_hours) * 3_600,
        };
        policy
    }
}

/// How the e-card PIN (电子社保卡密码) and enrolled devices are limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AccountSecurity {
    /// Wrong PINs in a row that lock it.
    pub pin_tries: u32,
    /// Minutes a locked PIN stays locked (a face check resets it sooner).
    pub pin_lock_minutes: u32,
    /// Devices that may be enrolled at once; enrolling one more unlinks the
    /// one seen least recently.
    pub max_active_devices: u32,
}

impl Default for AccountSecurity {
    /// Sample values: 5 tries, locked for 3 hours, 3 devices.
    fn default() -> AccountSecurity {
        AccountSecurity {
            pin_tries: 5,
            pin_lock_minutes: 180,
            max_active_devices: 3,
        }
    }
}

/// A rules document as stored or cached, in any edition: documents written
/// before `e_card_timing` existed carry `temporary_loss_suspends_e_card`
/// instead, and get the default timing with that one setting kept.
#[derive(Deserialize)]
struct RulesDocument {
    region: String,
    name: String,
    version: u64,
    temporary_loss_lapse_days: u32,
    release_online: bool,
    formal_loss_reversible: bool,
    #[serde(default)]
    e_card_timing: Option<ECardTiming>,
    #[serde(default)]
    temporary_loss_suspends_e_card: Option<bool>,
    cancel_after_submit: bool,
    replacement_fee_fen: u32,
    postage_fen: u32,
    photo: PhotoRules,
    relative_quota: u32,
    credential_lifetime_hours: u32,
    adult_age: u32,
    banks: Vec<Bank>,
    production_days: u32,
    delivery_days: u32,
    #[serde(default)]
    account_security: AccountSecurity,
    #[serde(default)]
    on_behalf: OnBehalfRules,
    #[serde(default = "default_status_list_max_age_hours")]
    status_list_max_age_hours: u32,
    #[serde(default)]
    minors: MinorRules,
    #[serde(default)]
    newborn: NewbornRules,
    #[serde(default)]
    instant_issue: InstantIssueRules,
    #[serde(default)]
    concessions: ConcessionRules,
    #[serde(default)]
    eligibility: EligibilityRules,
}

impl From<RulesDocument> for RegionalRules {
    fn from(document: RulesDocument) -> RegionalRules {
        let e_card_timing = document.e_card_timing.unwrap_or_else(|| {
            let mut timing = ECardTiming::default();
            if document.temporary_loss_suspends_e_card == Some(false) {
                timing.during_temporary_loss = ECardState::Active;
            }
            timing
        });
        RegionalRules {
            region: document.region,
            name: document.name,
            version: document.version,
            temporary_loss_lapse_days: document.temporary_loss_lapse_days,
            release_online: document.release_online,
            formal_loss_reversible: document.formal_loss_reversible,
            e_card_timing,
            cancel_after_submit: document.cancel_after_submit,
            replacement_fee_fen: document.replacement_fee_fen,
            postage_fen: document.postage_fen,
            photo: document.photo,
            relative_quota: document.relative_quota,
            credential_lifetime_hours: document.credential_lifetime_hours,
            adult_age: document.adult_age,
            banks: document.banks,
            production_days: document.production_days,
            delivery_days: document.delivery_days,
            account_security: document.account_security,
            on_behalf: document.on_behalf,
            status_list_max_age_hours: document.status_list_max_age_hours,
            minors: document.minors,
            newborn: document.newborn,
            instant_issue: document.instant_issue,
            concessions: document.concessions,
            eligibility: document.eligibility,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn document(timing: &str) -> String {
        format!(
            r#"{{"region":"440000","name":"广东省","version":3,"temporary_loss_lapse_days":10,
            "release_online":false,"formal_loss_reversible":false,{timing}
            "cancel_after_submit":false,"replacement_fee_fen":2000,"postage_fen":1200,
            "photo":{{"min_width":295,"min_height":413,"max_width":716,"max_height":882,
            "min_bytes":14336,"max_bytes":40960}},"relative_quota":10,
            "credential_lifetime_hours":72,"adult_age":18,
            "banks":[{{"code":"icbc","name":"中国工商银行"}}],"production_days":7,"delivery_days":3}}"#
        )
    }

    #[test]
    fn documents_cached_before_the_timing_keep_their_temporary_loss_setting() {
        let kept: RegionalRules =
            serde_json::from_str(&document(r#""temporary_loss_suspends_e_card":false,"#)).unwrap();
        assert_eq!(
            kept.e_card_timing,
            ECardTiming {
                during_production: ECardState::Suspended,
                during_temporary_loss: ECardState::Active,
                during_replacement: ECardState::Suspended,
            }
        );
        let suspended: RegionalRules =
            serde_json::from_str(&document(r#""temporary_loss_suspends_e_card":true,"#)).unwrap();
        assert_eq!(suspended.e_card_timing, ECardTiming::default());
        let neither: RegionalRules = serde_json::from_str(&document("")).unwrap();
        assert_eq!(neither.e_card_timing, ECardTiming::default());
    }

    #[test]
    fn the_timing_round_trips_and_wins_over_the_old_setting() {
        let timing = r#""e_card_timing":{"during_production":"active",
            "during_temporary_loss":"suspended","during_replacement":"active"},
            "temporary_loss_suspends_e_card":false,"#;
        let rules: RegionalRules = serde_json::from_str(&document(timing)).unwrap();
        assert_eq!(
            rules.e_card_timing,
            ECardTiming {
                during_production: ECardState::Active,
                during_temporary_loss: ECardState::Suspended,
                during_replacement: ECardState::Active,
            }
        );
        let written = serde_json::to_value(&rules).unwrap();
        assert!(written.get("temporary_loss_suspends_e_card").is_none());
        assert_eq!(written["e_card_timing"]["during_production"], "active");
        let again: RegionalRules = serde_json::from_value(written).unwrap();
        assert_eq!(again, rules);
    }

    #[test]
    fn documents_without_an_on_behalf_section_keep_the_old_policy() {
        let rules: RegionalRules = serde_json::from_str(&document("")).unwrap();
        assert_eq!(rules.on_behalf, OnBehalfRules::default());
        assert_eq!(rules.on_behalf.policy(), OnBehalfPolicy::default());
        assert_eq!(
            rules.on_behalf.proxy,
            [Purpose::Medical, Purpose::CultureTourism]
        );
        assert_eq!(rules.on_behalf.guardian, Purpose::ALL);
    }

    #[test]
    fn the_on_behalf_section_round_trips_and_becomes_the_terminal_policy() {
        let section = r#""on_behalf":{"proxy":["medical"],"guardian":["transport","medical","culture_tourism"],
            "source":"test"},"#;
        let rules: RegionalRules = serde_json::from_str(&document(section)).unwrap();
        assert_eq!(rules.on_behalf.proxy, [Purpose::Medical]);
        let written = serde_json::to_value(&rules).unwrap();
        assert_eq!(
            written["on_behalf"]["proxy"],
            serde_json::json!(["medical"])
        );
        assert_eq!(
            serde_json::from_value::<RegionalRules>(written).unwrap(),
            rules
        );
        let policy = rules.verifier_policy(&[Purpose::CultureTourism]);
        assert!(!policy.on_behalf.proxy.contains(Purpose::CultureTourism));
        assert!(policy.on_behalf.proxy.contains(Purpose::Medical));
        assert!(!policy.on_behalf.guardian.contains(Purpose::Identity));
        assert_eq!(OnBehalfPolicy::from(&rules.on_behalf), policy.on_behalf);
        // Documents without the setting keep a day; the terminal needs a list that fresh.
        assert_eq!(
            rules.status_list_max_age_hours,
            DEFAULT_STATUS_LIST_MAX_AGE_HOURS
        );
        assert_eq!(
            policy.status,
            ecard_credential::StatusPolicy::Required {
                max_age_seconds: 24 * 3_600
            }
        );
        assert_eq!(
            policy.accepted_purposes,
            PurposeSet::of(&[Purpose::CultureTourism])
        );
    }

    #[test]
    fn a_bad_timing_value_is_refused() {
        let timing = r#""e_card_timing":{"during_production":"sometimes",
            "during_temporary_loss":"suspended","during_replacement":"active"},"#;
        assert!(serde_json::from_str::<RegionalRules>(&document(timing)).is_err());
    }
}
