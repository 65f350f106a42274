//! The 一卡通 service catalogue and the service outlets, as the platform
//! serves them for incremental sync.

use serde::{Deserialize, Serialize};

/// The four groups of the one-card programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum CardForm {
    /// The physical card (chip or magnetic stripe).
    PhysicalCard,
    /// The e-card QR code.
    ECardCode,
    /// Showing the e-card as a licence (亮证).
    LicenceDisplay,
    /// Face recognition linked to the card.
    Face,
}

/// Where an item is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CatalogueItem {
    /// Stable id, e.g. `N-017` (national list) or `P360000-102` (provincial).
    pub id: String,
    /// The list: `national` or a province code such as `360000`.
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
    /// Administrative division codes where it is available (`100000` =
    /// nationwide, a province or a city code).
    pub regions: Vec<String>,
    /// Lead department.
    pub department: String,
    /// Change counter: the catalogue version at which this item last changed.
    pub version: u64,
    /// How commonly residents use the item, from 0 (rarely) to 100 (the
    /// most used): orders equally good search matches.
    #[serde(default)]
    pub popularity: u8,
    /// What the app itself does for this item, if anything: such items
    /// rank above information-only ones when both match a search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_action: Option<AppAction>,
    /// For a provincial item, the national item it provides in that
    /// province (its twin): search shows one of the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_item: Option<String>,
}

/// What the app does for a catalogue item (the screen a search hit opens).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
    /// 挂失: report the card lost (temporarily or formally).
    ReportLoss,
    /// 解挂: release a loss report.
    ReleaseLoss,
    /// 社保功能启用: activate the social security function.
    ActivateSocialFunction,
    /// 密码修改和重置: change or reset the PIN.
    ChangePin,
    /// 制卡进度查询: follow production and delivery.
    TrackProduction,
    /// 出示电子社保卡: show the e-card code (transport, medical, venues).
    ShowCode,
    /// 亲情代办: act for a family member.
    ActForFamily,
    /// 网点查询: find a service outlet.
    FindOutlet,
}

/// What kind of outlet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum OutletKind {
    /// 人社服务窗口: a human resources and social security office.
    HumanResourcesOffice,
    /// 银行服务窗口: a co-branded bank's branch.
    BankBranch,
    /// 便民服务点: a community or village service point.
    CommunityServicePoint,
}

/// A service an outlet offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct OpeningPeriod {
    /// ISO weekdays (1 = Monday … 7 = Sunday).
    pub weekdays: Vec<u8>,
    /// Opening time, minutes after midnight (local time, UTC+8).
    pub opens: u16,
    /// Closing time, minutes after midnight.
    pub closes: u16,
}

/// A service outlet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Outlet {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OutletKind,
    /// Bank code for bank branches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// A catalogue page for incremental sync: everything changed after the
/// client's version, or everything when `full`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueDelta {
    /// The catalogue version this response brings the client to.
    pub version: u64,
    /// Whether this is the whole catalogue (the client drops what it has).
    pub full: bool,
    /// Items added or changed.
    pub items: Vec<CatalogueItem>,
    /// Ids of items removed.
    pub removed: Vec<String>,
}

/// An outlet page for incremental sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutletDelta {
    /// The outlet-list version this response brings the client to.
    pub version: u64,
    /// Whether this is the whole list.
    pub full: bool,
    /// Outlets added or changed.
    pub outlets: Vec<Outlet>,
    /// Ids of outlets removed.
    pub removed: Vec<String>,
}

/// `GET /v1/catalogue/sync?items_since=&outlets_since=&region=`: everything
/// a client caches, in one round trip. Its ETag names all three versions,
/// so an unchanged re-sync is one `304` with no body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogueSync {
    /// Catalogue changes.
    pub items: CatalogueDelta,
    /// Outlet changes.
    pub outlets: OutletDelta,
    /// The regional rules of the requested region.
    pub rules: crate::rules::RegionalRules,
    /// The search vocabulary for the requested region (the national base
    /// set and the province's words), sent whole like the rules.
    #[serde(default)]
    pub vocabulary: SearchVocabulary,
}

/// How residents say what catalogue items call otherwise: data that travels
/// with the catalogue feed, so a province adds words without an app release.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct SearchVocabulary {
    /// Changes whenever an entry of the national or provincial set changes.
    pub version: u64,
    /// The entries, national ones first.
    pub entries: Vec<VocabularyEntry>,
}

/// One entry of the search vocabulary: words residents type and the
/// catalogue words they mean.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct VocabularyEntry {
    /// What residents type, in characters (丢了, 补办, 看病).
    pub terms: Vec<String>,
    /// The catalogue words they mean (挂失, 补换, 就医), looked for in item
    /// names, labels and descriptions. Empty when the terms carry no
    /// meaning for search (怎么, 吗, 我想).
    pub means: Vec<String>,
    /// `national` or the code of the province that added the entry.
    pub list: String,
}
