//! The hand-written catalogue tables: the national list (160 items, 95 of
//! them human resources and social security) and Jiangxi's provincial list
//! (163 items over all 13 domains).
//!
//! The tables are modelled on the public descriptions of the national
//! “一卡通” application list and Jiangxi's first provincial list (see
//! `docs/sample-data.md`); the names and descriptions are written for this
//! project, not copied from an official list. Each row carries only what
//! varies by hand (name, elder-mode label, description, a usage profile and
//! optional overrides); the domain, cluster, lead department and coverage
//! come from the section, so the table stays readable and consistent.
//!
//! Jiangxi's list reuses national rows by name ([`Entry::Same`]) where the
//! province offers the national service as-is, and adds its own rows for
//! provincial and city-specific services (scenic spots, metro, …).

use ecard_api::catalogue::{CardForm, CatalogueItem, Channel, Cluster, Domain, UsageMode};

/// Catalogue version of every generated item.
pub(crate) const ITEM_VERSION: u64 = 1;

/// The list name of the national catalogue.
pub(crate) const NATIONAL_LIST: &str = "national";
/// The province code of the provincial list.
pub(crate) const JIANGXI_LIST: &str = "360000";
/// Region code meaning “nationwide”.
const NATIONWIDE: &str = "100000";

/// How the card is used for an item, with the card forms and channels that
/// go with that use. Fourteen profiles cover the whole table; an item's
/// profile is the one hand-picked attribute besides its texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Profile {
    /// A service handled with the card as identity (counter, terminal, online).
    Handle,
    /// A self-service enquiry or printout.
    Query,
    /// The card records something (attendance, hours, status).
    Record,
    /// Paying a fee with the card's bank account.
    Fee,
    /// Applying for and receiving a benefit.
    Benefit,
    /// Money paid out to the card's bank account.
    Disburse,
    /// Medical settlement at a counter, terminal or scanner.
    Medical,
    /// Hospital registration without settlement.
    Clinic,
    /// Riding public transport (tap or scan at the gate or on board).
    Ride,
    /// Entry with the card as identity (gate, counter, licence display).
    Gate,
    /// Buying a ticket and entering with the card.
    Ticket,
    /// Consumer payment.
    Spend,
    /// Logging in to an online platform with the e-card.
    Login,
    /// Showing the e-card as a licence at a counter.
    Show,
}

impl Profile {
    fn usage(self) -> &'static [UsageMode] {
        use UsageMode::*;
        match self {
            Profile::Handle | Profile::Login | Profile::Gate | Profile::Show => &[IdentityProof],
            Profile::Query => &[SelfServiceEnquiry, IdentityProof],
            Profile::Record => &[InformationRecord, IdentityProof],
            Profile::Fee => &[FeePayment, FinancialPayment],
            Profile::Benefit => &[BenefitReceipt, IdentityProof],
            Profile::Disburse => &[BenefitReceipt, FinancialPayment],
            Profile::Medical => &[MedicalSettlement, IdentityProof],
            Profile::Clinic => &[IdentityProof, InformationRecord],
            Profile::Ride => &[FinancialPayment, IdentityProof],
            Profile::Ticket => &[IdentityProof, FinancialPayment],
            Profile::Spend => &[FinancialPayment],
        }
    }

    fn forms(self) -> &'static [CardForm] {
        use CardForm::*;
        match self {
            Profile::Handle | Profile::Query | Profile::Benefit => &[PhysicalCard, ECardCode, Face],
            Profile::Record
            | Profile::Fee
            | Profile::Medical
            | Profile::Clinic
            | Profile::Ride
            | Profile::Ticket
            | Profile::Spend => &[PhysicalCard, ECardCode],
            Profile::Disburse => &[PhysicalCard],
            Profile::Gate => &[PhysicalCard, ECardCode, LicenceDisplay, Face],
            Profile::Login => &[ECardCode, Face],
            Profile::Show => &[LicenceDisplay, ECardCode],
        }
    }

    fn channels(self) -> &'static [Channel] {
        use Channel::*;
        match self {
            Profile::Handle => &[Counter, SelfServiceTerminal, Online, MobileApp],
            Profile::Query => &[SelfServiceTerminal, Online, MobileApp],
            Profile::Record => &[Counter, SelfServiceTerminal, Scanner],
            Profile::Fee => &[Counter, SelfServiceTerminal, Online, MobileApp],
            Profile::Benefit => &[Counter, Online, MobileApp],
            Profile::Disburse => &[Counter, SelfServiceTerminal, MobileApp],
            Profile::Medical => &[Counter, SelfServiceTerminal, Scanner],
            Profile::Clinic => &[Counter, SelfServiceTerminal, MobileApp],
            Profile::Ride => &[Scanner],
            Profile::Gate => &[Scanner, Counter],
            Profile::Ticket => &[Scanner, Counter, SelfServiceTerminal, MobileApp],
            Profile::Spend => &[Scanner, Counter, MobileApp],
            Profile::Login => &[Online, MobileApp],
            Profile::Show => &[Counter, Scanner],
        }
    }
}

/// One hand-written row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row {
    pub(crate) name: &'static str,
    pub(crate) short: &'static str,
    pub(crate) desc: &'static str,
    pub(crate) profile: Profile,
    /// Lead department when it differs from the section's.
    department: Option<&'static str>,
    /// Coverage when it differs from the list's default.
    regions: &'static [&'static str],
}

/// A row with the section's department and the list's coverage.
const fn it(name: &'static str, short: &'static str, desc: &'static str, profile: Profile) -> Row {
    Row {
        name,
        short,
        desc,
        profile,
        department: None,
        regions: &[],
    }
}

impl Row {
    /// The same row led by another department.
    const fn dept(self, department: &'static str) -> Row {
        Row {
            department: Some(department),
            ..self
        }
    }

    /// The same row available only in the given divisions.
    const fn at(self, regions: &'static [&'static str]) -> Row {
        Row { regions, ..self }
    }
}

/// An entry of the provincial list: a national row reused by name, or a row
/// of its own.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Entry {
    /// The national row of this name, offered province-wide.
    Same(&'static str),
    /// A provincial row.
    New(Row),
}

const fn same(name: &'static str) -> Entry {
    Entry::Same(name)
}

const fn new(row: Row) -> Entry {
    Entry::New(row)
}

/// Rows of one domain led by one department.
pub(crate) struct Section<E: 'static> {
    pub(crate) domain: Domain,
    department: &'static str,
    pub(crate) entries: &'static [E],
}

/// The programme group of a domain, as the city implementation plan groups
/// its thirteen domains (通办: 1–3, 通行: 4–7, 通付: 8–9, 通用: 10–13).
pub(crate) fn cluster_of(domain: Domain) -> Cluster {
    use Domain::*;
    match domain {
        GovernmentServices | HumanResourcesSocialSecurity | MedicalHealth => Cluster::Handle,
        Transport | Tourism | Culture | Education => Cluster::Travel,
        FundDisbursement | FinancePayment => Cluster::Pay,
        SmartLiving | RuralRevitalization | NationalDefence | CreditServices => Cluster::Use,
    }
}

// Lead departments.
const HR: &str = "人力资源社会保障部门";
const GOV: &str = "政务服务管理部门";
const POLICE: &str = "公安部门";
const MEDICARE: &str = "医疗保障部门";
const HEALTH: &str = "卫生健康部门";
const TRANSPORT: &str = "交通运输部门";
const CULTURE: &str = "文化和旅游部门";
const SPORT: &str = "体育部门";
const EDUCATION: &str = "教育部门";
const FINANCE: &str = "财政部门";
const CIVIL: &str = "民政部门";
const HOUSING: &str = "住房和城乡建设部门";
const VETERANS: &str = "退役军人事务部门";
const DEFENCE: &str = "国防动员部门";
const DEVELOPMENT: &str = "发展改革部门";
const RURAL: &str = "乡村振兴部门";
const PBOC: &str = "人民银行";
const TAX: &str = "税务部门";
const LAND: &str = "自然资源部门";
const AGRICULTURE: &str = "农业农村部门";
const FORESTRY: &str = "林业部门";
const DISABLED: &str = "残疾人联合会";
const UNION: &str = "工会";
const ORGANISATION: &str = "组织部门";
const STATE_ASSETS: &str = "国有资产监督管理部门";
const AFFAIRS: &str = "机关事务管理部门";

use Profile as P;

/// The national list: 95 human resources and social security items, then 65
/// items over the other twelve domains.
// One row per line reads as a table; rustfmt would spread each over six.
#[rustfmt::skip]
pub(crate) static NATIONAL: &[Section<Row>] = &[
    Section {
        domain: Domain::HumanResourcesSocialSecurity,
        department: HR,
        entries: &[
            // The card itself.
            it("社会保障卡申领", "社保卡申领", "首次申领社会保障卡，可在服务窗口办理或线上提交申请并邮寄到家。", P::Handle),
            it("社会保障卡补换", "社保卡补换", "卡片损坏、遗失或信息变更时补办或换发社会保障卡。", P::Handle),
            it("社会保障卡临时挂失", "临时挂失", "卡片遗失后通过电话、网上或手机立即临时挂失，防止被他人冒用。", P::Handle),
            it("社会保障卡正式挂失", "正式挂失", "到服务窗口办理社会保障卡正式挂失，挂失后可申请补卡。", P::Handle),
            it("社会保障卡解挂", "社保卡解挂", "找回卡片后解除挂失，恢复社会保障卡各项功能。", P::Handle),
            it("社会保障卡社保功能启用", "社保卡启用", "领到新卡后启用社保功能，才能用于就医结算和待遇领取等人社业务。", P::Handle),
            it("社会保障卡制卡进度查询", "制卡进度", "查询社会保障卡申领后的制卡、寄送和网点签收进度。", P::Query),
            it("社会保障卡密码修改和重置", "密码修改", "修改或重置社会保障卡的社保功能密码。", P::Handle),
            it("社会保障卡应用状态查询", "卡状态查询", "查询本人社会保障卡是否正常、挂失或已注销。", P::Query),
            it("电子社会保障卡申领", "电子社保卡", "通过手机应用领取电子社会保障卡，与实体卡同步使用。", P::Login),
            it("社会保障卡注销", "社保卡注销", "持卡人身故或出国定居等情形下办理社会保障卡注销。", P::Handle),
            it("社会保障卡保号换卡", "保号换卡", "换发第三代社会保障卡时保留原银行账号不变。", P::Handle),
            it("社会保障卡信息变更", "卡信息变更", "姓名、证件号码等基本信息变更后同步更新社会保障卡信息。", P::Handle),
            // Employment and entrepreneurship.
            it("求职登记", "求职登记", "凭社会保障卡在公共就业服务机构登记求职意向。", P::Handle),
            it("就业登记", "就业登记", "劳动者就业后凭社会保障卡办理就业登记。", P::Handle),
            it("失业登记", "失业登记", "失业人员凭社会保障卡办理失业登记，享受公共就业服务。", P::Handle),
            it("就业失业登记信息查询", "就业信息查询", "查询本人的就业登记和失业登记记录。", P::Query),
            it("就业创业证申领", "就业创业证", "申领记录就业失业状况和政策享受情况的就业创业证。", P::Handle),
            it("职业介绍", "职业介绍", "公共就业服务机构根据求职意向推荐合适岗位。", P::Handle),
            it("职业指导", "职业指导", "为求职者提供职业规划和求职技巧等指导服务。", P::Handle),
            it("就业困难人员认定", "困难人员认定", "符合条件的劳动者申请认定为就业困难人员，享受就业援助。", P::Handle),
            it("就业援助申请", "就业援助", "就业困难人员申请岗位推荐、公益性岗位安置等就业援助。", P::Handle),
            it("享受就业扶持政策申请", "扶持政策申请", "申请享受社会保险补贴、岗位补贴等就业扶持政策。", P::Handle),
            it("一次性创业补贴申领", "创业补贴", "首次创办小微企业或从事个体经营的人员申领一次性创业补贴。", P::Benefit),
            it("创业担保贷款申请", "创业贷款", "符合条件的创业者申请由财政贴息的创业担保贷款。", P::Handle),
            it("灵活就业社会保险补贴申领", "社保补贴", "就业困难人员灵活就业后申领社会保险补贴。", P::Benefit),
            it("求职创业补贴申领", "求职补贴", "困难家庭毕业年度高校毕业生申领一次性求职创业补贴。", P::Benefit),
            it("高校毕业生就业见习补贴申领", "见习补贴", "参加就业见习的高校毕业生和见习单位申领见习补贴。", P::Benefit),
            it("公益性岗位补贴申领", "公益岗补贴", "在公益性岗位安置的就业困难人员申领岗位补贴。", P::Benefit),
            it("招聘会入场登记", "招聘会入场", "刷卡或扫码进入公共招聘会现场并登记求职信息。", P::Gate),
            it("网上求职招聘", "网上求职", "通过电子社保卡“就业在线”平台在线投递简历和求职。", P::Login),
            it("创业指导服务", "创业指导", "为创业人员提供项目推介、开业指导和跟踪服务。", P::Handle),
            it("招聘岗位信息查询", "招聘信息", "查询公共人力资源市场发布的招聘岗位信息。", P::Query),
            it("返乡创业服务", "返乡创业", "为返乡农民工等人员提供创业政策咨询和项目对接服务。", P::Handle),
            it("高校毕业生报到登记", "毕业生报到", "高校毕业生到人社部门办理报到和就业登记手续。", P::Handle),
            // Vocational training and skills.
            it("职业培训报名", "培训报名", "凭社会保障卡报名参加政府补贴性职业技能培训。", P::Handle),
            it("职业培训考勤", "培训考勤", "参训人员刷卡或扫码签到，记录培训出勤情况。", P::Record),
            it("职业技能培训补贴申领", "培训补贴", "参加职业技能培训并取得证书的人员申领培训补贴。", P::Benefit),
            it("技能提升补贴申领", "技能提升补贴", "参保职工取得职业资格或技能等级证书后申领技能提升补贴。", P::Benefit),
            it("职业技能等级认定报名", "技能认定报名", "报名参加职业技能等级认定考核。", P::Handle),
            it("职业技能鉴定考生身份核验", "考生身份核验", "技能鉴定考试入场时刷卡或扫码核验考生身份。", P::Gate),
            it("职业技能等级证书查询", "技能证书查询", "查询本人取得的职业技能等级证书。", P::Query),
            it("职业培训券申领", "培训券申领", "申领可用于参加职业技能培训的电子培训券。", P::Handle),
            it("职业培训券使用", "培训券使用", "在定点培训机构报名时凭社会保障卡使用培训券抵扣费用。", P::Record),
            it("专业技术人员继续教育学时登记", "继续教育", "登记和查询专业技术人员继续教育学时。", P::Record),
            it("技工院校学生学籍管理", "技校学籍", "技工院校学生凭卡办理注册和学籍查询。", P::Record),
            // Personnel and talent.
            it("人事考试报名", "人事考试报名", "报名公务员、事业单位等人事考试时凭电子社保卡实名认证。", P::Login),
            it("人事考试入场核验", "考试入场", "人事考试入场时刷卡或扫码核验考生身份。", P::Gate),
            it("专业技术人员职业资格证书查询", "资格证书查询", "查询本人取得的专业技术人员职业资格证书。", P::Query),
            it("职称评审申报", "职称申报", "专业技术人员在线申报职称评审并查询评审结果。", P::Handle),
            it("高层次人才服务", "人才服务", "高层次人才凭卡办理落户、子女入学等服务事项。", P::Handle),
            it("流动人员人事档案查询", "档案查询", "查询流动人员人事档案的存放机构和档案状态。", P::Query),
            // Labour relations.
            it("劳动人事争议仲裁申请", "仲裁申请", "凭卡实名提交劳动人事争议仲裁申请。", P::Handle),
            it("劳动保障监察投诉", "监察投诉", "就拖欠工资等违法行为向劳动保障监察机构投诉举报。", P::Handle),
            it("劳动合同信息查询", "合同查询", "查询用人单位报备的本人劳动合同信息。", P::Query),
            it("农民工工资支付查询", "工资查询", "查询通过农民工工资专用账户代发到社会保障卡的工资明细。", P::Query),
            it("欠薪线索反映", "欠薪反映", "通过电子社保卡在线反映欠薪线索。", P::Login),
            // Social insurance in general.
            it("个人参保登记", "参保登记", "个人办理社会保险参保登记。", P::Handle),
            it("个人参保信息查询", "参保查询", "查询本人参保险种、参保地和缴费状态。", P::Query),
            it("个人参保证明查询打印", "参保证明", "查询并打印个人参保证明。", P::Query),
            it("社会保险个人权益记录查询打印", "权益记录", "查询打印本人社会保险缴费和待遇权益记录。", P::Query),
            it("社会保险关系转移接续申请", "社保转移", "跨统筹地区就业时申请转移接续养老、医疗等社会保险关系。", P::Handle),
            it("社会保险待遇资格认证", "资格认证", "领取待遇人员通过人脸识别等方式完成待遇资格认证。", P::Handle),
            it("城乡居民养老保险费缴纳", "居民养老缴费", "城乡居民通过社会保障卡缴纳基本养老保险费。", P::Fee),
            it("灵活就业人员社会保险费缴纳", "灵活就业缴费", "个体工商户和灵活就业人员缴纳社会保险费。", P::Fee),
            it("社会保险缴费记录查询", "缴费记录", "查询各险种历年缴费记录和缴费基数。", P::Query),
            it("社会保险参保信息变更", "参保信息变更", "变更参保人员的联系方式、户籍等基本信息。", P::Handle),
            it("养老保险个人账户查询", "个人账户", "查询基本养老保险个人账户储存额和记账明细。", P::Query),
            it("社会保险待遇发放查询", "待遇发放查询", "查询养老金等各项社会保险待遇的发放记录。", P::Query),
            it("社会保险费补缴", "社保补缴", "按规定补缴中断期间的社会保险费。", P::Fee),
            it("企业年金查询", "企业年金", "查询企业年金个人账户信息。", P::Query),
            it("个人养老金开户", "个人养老金", "通过社会保障卡开立个人养老金资金账户。", P::Handle),
            // Old-age insurance.
            it("养老保险待遇领取", "养老金领取", "退休人员通过社会保障卡按月领取基本养老金。", P::Benefit),
            it("职工退休申请", "退休申请", "达到退休年龄的参保职工申请办理退休和养老待遇核定。", P::Handle),
            it("城乡居民养老保险待遇申领", "居民养老待遇", "年满60周岁的城乡居民申领基本养老保险待遇。", P::Benefit),
            it("养老保险待遇测算", "养老金测算", "根据缴费情况测算退休后的养老金水平。", P::Query),
            it("丧葬补助金和抚恤金申领", "丧葬抚恤金", "参保人员死亡后由遗属申领丧葬补助金和抚恤金。", P::Benefit),
            it("养老保险个人账户一次性待遇申领", "账户一次领取", "符合条件的人员一次性领取养老保险个人账户储存额。", P::Benefit),
            it("机关事业单位养老保险待遇申领", "机关养老待遇", "机关事业单位工作人员退休后申领基本养老保险待遇。", P::Benefit),
            it("被征地农民养老保障待遇领取", "失地养老待遇", "被征地农民按规定领取养老保障待遇。", P::Benefit),
            // Unemployment insurance.
            it("失业保险金申领", "失业金申领", "失业人员在线或到窗口申领失业保险金。", P::Benefit),
            it("失业农民工一次性生活补助申领", "农民工补助", "参保不满一年的失业农民工申领一次性生活补助。", P::Benefit),
            it("失业保险待遇查询", "失业待遇查询", "查询失业保险金的核定和发放情况。", P::Query),
            it("失业补助金申领", "失业补助金", "不符合领取失业保险金条件的参保失业人员申领失业补助金。", P::Benefit),
            it("失业保险关系转移", "失业保险转移", "失业人员跨统筹地区转移失业保险关系。", P::Handle),
            // Work-injury insurance.
            it("工伤认定申请", "工伤认定", "职工发生事故伤害或患职业病后申请工伤认定。", P::Handle),
            it("劳动能力鉴定申请", "劳动能力鉴定", "工伤职工治疗终结后申请劳动能力鉴定。", P::Handle),
            it("工伤医疗费用持卡结算", "工伤就医结算", "工伤职工在协议医疗机构持卡直接结算工伤医疗费用。", P::Medical),
            it("工伤保险待遇申领", "工伤待遇", "申领一次性伤残补助金、伤残津贴等工伤保险待遇。", P::Benefit),
            it("工伤康复和辅助器具配置申请", "工伤康复", "工伤职工申请康复治疗或配置辅助器具。", P::Handle),
            it("工伤保险待遇查询", "工伤待遇查询", "查询本人工伤保险待遇的核定和发放记录。", P::Query),
            // Service channels.
            it("12333电话咨询", "人社热线", "拨打12333咨询人社政策，凭卡号核验身份后查询个人业务。", P::Query),
            it("人社业务网上经办登录", "人社网办登录", "用电子社保卡扫码登录人社网上服务平台办理业务。", P::Login),
            it("人社自助终端业务办理", "自助终端", "在人社自助服务终端刷卡或扫码办理查询打印等业务。", P::Query),
            it("人社服务大厅取号", "大厅取号", "到人社服务大厅刷卡或扫码取号排队。", P::Gate),
        ],
    },
    Section {
        domain: Domain::GovernmentServices,
        department: GOV,
        entries: &[
            it("政务服务平台扫码登录", "政务扫码登录", "用电子社保卡扫码登录国家和省级政务服务平台，免去重复注册。", P::Login),
            it("政务服务大厅身份核验", "大厅身份核验", "在政务服务窗口刷卡或扫码代替身份证核验身份。", P::Show),
            it("户籍证明办理", "户籍证明", "凭社会保障卡核验身份办理户籍证明等户政业务。", P::Handle).dept(POLICE),
            it("不动产登记", "不动产登记", "在不动产登记窗口凭卡核验身份办理登记业务。", P::Handle).dept(LAND),
            it("电子证照关联调用", "证照调用", "以社会保障卡为索引授权调取本人电子证照，免交纸质材料。", P::Login),
            it("出入境证件办理", "出入境证件", "办理出入境证件时凭卡核验身份并缴纳费用。", P::Handle).dept(POLICE),
            it("婚姻登记预约", "婚姻登记", "预约婚姻登记时凭电子社保卡实名认证。", P::Login).dept(CIVIL),
            it("个人所得税申报登录", "个税申报", "凭电子社保卡实名登录个人所得税申报平台。", P::Login).dept(TAX),
        ],
    },
    Section {
        domain: Domain::MedicalHealth,
        department: MEDICARE,
        entries: &[
            it("就医购药结算", "就医购药", "在定点医疗机构和定点药店持卡结算医保费用。", P::Medical),
            it("跨省异地就医直接结算", "异地就医", "跨省异地就医时持社会保障卡直接结算医疗费用。", P::Medical),
            it("异地就医备案", "异地备案", "通过电子社保卡在线办理异地就医备案。", P::Handle),
            it("医院挂号就诊", "挂号就诊", "在医院凭社会保障卡挂号和就诊，替代医院就诊卡。", P::Clinic).dept(HEALTH),
            it("住院登记", "住院登记", "凭社会保障卡办理入院登记和预交金缴纳。", P::Clinic).dept(HEALTH),
            it("电子健康档案查询", "健康档案", "查询本人的电子健康档案。", P::Query).dept(HEALTH),
            it("预防接种信息查询", "疫苗接种查询", "查询本人及子女的疫苗接种记录。", P::Query).dept(HEALTH),
            it("医保个人账户查询", "医保账户", "查询医保个人账户余额和消费明细。", P::Query),
            it("生育津贴申领", "生育津贴", "参保职工生育后申领生育津贴。", P::Benefit),
            it("城乡居民医疗保险费缴纳", "居民医保缴费", "城乡居民通过社会保障卡缴纳基本医疗保险费。", P::Fee),
        ],
    },
    Section {
        domain: Domain::Transport,
        department: TRANSPORT,
        entries: &[
            it("公交乘车", "公交乘车", "刷第三代社会保障卡或扫电子社保卡乘坐公交车。", P::Ride),
            it("地铁乘车", "地铁乘车", "在已开通的城市刷卡或扫码乘坐地铁。", P::Ride),
            it("公交乘车优惠", "公交优惠", "老年人等群体持卡享受免费或优惠乘坐公交。", P::Ride),
            it("交通联合跨城乘车", "跨城乘车", "带“交通联合”标识的社会保障卡在全国三百多个城市乘坐公交地铁。", P::Ride),
            it("公共自行车租用", "公共自行车", "刷社会保障卡租用城市公共自行车。", P::Ride),
            it("长途客运购票", "客运购票", "在汽车客运站凭卡购票并核验实名信息。", P::Ticket),
        ],
    },
    Section {
        domain: Domain::Tourism,
        department: CULTURE,
        entries: &[
            it("景区购票入园", "景区入园", "在A级旅游景区凭社会保障卡购票并刷卡入园。", P::Ticket),
            it("老年人景区免票入园", "老人景区免票", "65周岁以上老年人凭社会保障卡免票进入收费景区。", P::Gate),
            it("公园入园", "公园入园", "凭卡或扫码进入城市公园。", P::Gate),
            it("旅游年卡", "旅游年卡", "将旅游年卡权益加载到社会保障卡，刷卡游览合作景区。", P::Gate),
            it("景区消费支付", "景区消费", "在景区内刷卡支付餐饮、索道等消费。", P::Spend),
        ],
    },
    Section {
        domain: Domain::Culture,
        department: CULTURE,
        entries: &[
            it("图书馆借阅", "图书借阅", "凭社会保障卡免押金在公共图书馆借书还书。", P::Gate),
            it("博物馆入馆", "博物馆入馆", "凭卡或亮证预约进入博物馆参观。", P::Gate),
            it("美术馆展览馆参观", "场馆参观", "凭卡进入美术馆、展览馆、纪念馆等文化场馆。", P::Gate),
            it("文化馆活动报名", "文化活动", "凭卡报名参加文化馆公益培训和文化活动。", P::Handle),
            it("体育场馆入场", "体育场馆", "凭卡进入公共体育场馆并支付场地费用。", P::Ticket).dept(SPORT),
            it("剧院演出购票", "演出购票", "在文化剧院凭卡购票并验票入场。", P::Ticket),
        ],
    },
    Section {
        domain: Domain::Education,
        department: EDUCATION,
        entries: &[
            it("学生奖助学金发放", "奖助学金", "国家助学金和奖学金通过社会保障卡发放给学生。", P::Disburse),
            it("校园出入", "校园出入", "师生刷卡或扫码进出校园。", P::Gate),
            it("校园餐饮消费", "校园就餐", "在学校食堂刷社会保障卡就餐。", P::Spend),
            it("学费缴纳", "学费缴纳", "通过社会保障卡缴纳学费和住宿费。", P::Fee),
            it("校园图书借阅", "校园借书", "凭卡在学校图书馆借阅图书。", P::Gate),
        ],
    },
    Section {
        domain: Domain::FundDisbursement,
        department: FINANCE,
        entries: &[
            it("惠民惠农补贴发放", "惠民惠农补贴", "惠民惠农财政补贴资金通过社会保障卡直接发放到个人。", P::Disburse),
            it("农民工工资发放", "农民工工资", "工程建设领域农民工工资通过社会保障卡代发。", P::Disburse).dept(HR),
            it("住房公积金提取", "公积金提取", "提取的住房公积金转入社会保障卡银行账户。", P::Disburse).dept(HOUSING),
            it("机关事业单位工资发放", "工资发放", "机关事业单位工作人员工资通过社会保障卡发放。", P::Disburse),
            it("最低生活保障金发放", "低保金", "城乡最低生活保障金按月发放到社会保障卡。", P::Disburse).dept(CIVIL),
            it("残疾人两项补贴发放", "残疾人补贴", "困难残疾人生活补贴和重度残疾人护理补贴发放到卡。", P::Disburse).dept(CIVIL),
            it("高龄津贴发放", "高龄津贴", "高龄老年人津贴按月发放到社会保障卡。", P::Disburse).dept(CIVIL),
            it("耕地地力保护补贴发放", "耕地补贴", "耕地地力保护补贴通过社会保障卡发放给农户。", P::Disburse).dept(AGRICULTURE),
        ],
    },
    Section {
        domain: Domain::FinancePayment,
        department: PBOC,
        entries: &[
            it("社会保障卡银行功能激活", "银行功能激活", "在联名银行网点激活社会保障卡的银行账户功能。", P::Handle),
            it("水电气缴费", "水电气缴费", "用社会保障卡缴纳水费、电费和燃气费。", P::Fee),
            it("商超消费支付", "商超消费", "在商场超市刷卡或扫码付款。", P::Spend),
            it("交通违法罚款缴纳", "交通罚款", "通过社会保障卡缴纳交通违法罚款。", P::Fee).dept(POLICE),
            it("特约商户消费优惠", "特约商户", "在社会保障卡特约商户消费享受折扣优惠。", P::Spend),
            it("电子社保卡移动支付", "扫码支付", "使用电子社保卡关联的银行账户扫码付款。", P::Spend),
        ],
    },
    Section {
        domain: Domain::SmartLiving,
        department: HOUSING,
        entries: &[
            it("酒店入住登记", "酒店入住", "入住旅馆时凭电子社保卡办理身份登记。", P::Show).dept(POLICE),
            it("社区门禁通行", "门禁通行", "刷卡或扫码通过社区和单位门禁。", P::Gate),
            it("机关食堂就餐", "食堂就餐", "在机关单位食堂刷社会保障卡就餐。", P::Spend).dept(AFFAIRS),
            it("老年助餐", "老年助餐", "老年人在社区幸福食堂刷卡就餐并享受助餐优惠。", P::Spend).dept(CIVIL),
            it("残疾人服务", "残疾人服务", "凭社会保障卡代替身份证件办理残联各项业务。", P::Handle).dept(DISABLED),
        ],
    },
    Section {
        domain: Domain::RuralRevitalization,
        department: RURAL,
        entries: &[
            it("助农取款服务", "助农取款", "在村级助农服务点刷社会保障卡小额取款和查询余额。", P::Spend),
            it("村级便民服务点业务办理", "村级服务", "在村级便民服务点凭卡办理社保查询和缴费等业务。", P::Handle),
            it("助农贷款申请", "助农贷款", "凭社会保障卡申请小额助农贷款。", P::Handle),
        ],
    },
    Section {
        domain: Domain::NationalDefence,
        department: VETERANS,
        entries: &[
            it("义务兵家庭优待金发放", "优待金", "义务兵家庭优待金通过社会保障卡发放。", P::Disburse),
            it("民兵训练补贴发放", "民兵补贴", "民兵参加军事训练的误工补贴发放到社会保障卡。", P::Disburse).dept(DEFENCE),
        ],
    },
    Section {
        domain: Domain::CreditServices,
        department: DEVELOPMENT,
        entries: &[it("个人信用信息查询", "信用查询", "凭电子社保卡查询本人公共信用信息。", P::Query)],
    },
];

/// Jiangxi's provincial list (163 items).
#[rustfmt::skip]
pub(crate) static JIANGXI: &[Section<Entry>] = &[
    Section {
        domain: Domain::HumanResourcesSocialSecurity,
        department: HR,
        entries: &[
            same("社会保障卡申领"),
            same("社会保障卡补换"),
            same("社会保障卡临时挂失"),
            same("社会保障卡正式挂失"),
            same("社会保障卡解挂"),
            same("社会保障卡社保功能启用"),
            same("社会保障卡制卡进度查询"),
            same("社会保障卡密码修改和重置"),
            same("社会保障卡应用状态查询"),
            same("电子社会保障卡申领"),
            same("社会保障卡注销"),
            same("社会保障卡保号换卡"),
            same("社会保障卡信息变更"),
            new(it("新生儿出生一件事社保卡申领", "新生儿办卡", "新生儿户口登记与社会保障卡申领合并办理，填一张表、交一次申请，卡片邮寄到家。", P::Handle)),
            new(it("社会保障卡亲情代办", "亲情代办", "子女等亲属在线为不便操作智能设备的老年人代办社会保障卡业务。", P::Handle)),
            new(it("社会保障卡上门服务", "上门办卡", "为高龄、重病、伤残等行动不便的人员上门办理社会保障卡。", P::Handle)),
            new(it("社会保障卡变更联名银行", "变更银行", "先到原联名银行注销账户、回收旧卡，再选择新的联名银行补换社会保障卡。", P::Handle)),
            new(it("社会保障卡即时制卡", "即时制卡", "在具备制卡条件的服务网点现场制卡，立等可取。", P::Handle)),
            new(it("老年人服务专区绿色通道", "老人绿色通道", "人社和银行服务窗口为老年人提供优先办理的绿色通道。", P::Handle)),
            new(it("技工院校学生社保卡集中办理", "技校生办卡", "联名银行定期进技工院校为学生集中办卡、激活银行功能。", P::Handle)),
            new(it("高频人社事项电子社保卡办理", "线上人社事项", "通过电子社保卡在线办理四十余项高频人社服务事项。", P::Login)),
            new(it("退休人员待遇资格无感认证", "无感认证", "依据用卡记录等数据为退休人员完成待遇资格认证，无需本人操作。", P::Record)),
            new(it("就业创业贷款资金发放", "创业贷款发放", "就业创业担保贷款资金直接发放到社会保障卡银行账户。", P::Disburse)),
            same("求职登记"),
            same("就业登记"),
            same("失业登记"),
            same("就业失业登记信息查询"),
            same("就业创业证申领"),
            same("职业介绍"),
            same("就业困难人员认定"),
            same("就业援助申请"),
            same("一次性创业补贴申领"),
            same("创业担保贷款申请"),
            same("灵活就业社会保险补贴申领"),
            same("高校毕业生就业见习补贴申领"),
            same("职业培训报名"),
            same("职业技能培训补贴申领"),
            same("技能提升补贴申领"),
            same("职业培训券申领"),
            same("职业培训券使用"),
            same("人事考试报名"),
            same("农民工工资支付查询"),
            same("劳动保障监察投诉"),
            same("个人参保登记"),
            same("个人参保信息查询"),
            same("个人参保证明查询打印"),
            same("社会保险个人权益记录查询打印"),
            same("社会保险关系转移接续申请"),
            same("社会保险待遇资格认证"),
            same("城乡居民养老保险费缴纳"),
            same("灵活就业人员社会保险费缴纳"),
            same("社会保险缴费记录查询"),
            same("养老保险待遇领取"),
            same("职工退休申请"),
            same("城乡居民养老保险待遇申领"),
            same("丧葬补助金和抚恤金申领"),
            same("失业保险金申领"),
            same("失业农民工一次性生活补助申领"),
            same("工伤认定申请"),
            same("工伤医疗费用持卡结算"),
        ],
    },
    Section {
        domain: Domain::GovernmentServices,
        department: GOV,
        entries: &[
            new(it("赣服通扫码登录", "赣服通登录", "用电子社保卡扫码登录“赣服通”，免注册办理政务服务。", P::Login)),
            same("政务服务大厅身份核验"),
            same("户籍证明办理"),
            same("不动产登记"),
            same("电子证照关联调用"),
            new(it("政务服务自助终端办理", "政务自助", "在政务服务自助终端刷社会保障卡代替身份证办理事项。", P::Handle)),
            new(it("机动车驾驶人业务办理", "驾驶人业务", "在车管所凭卡核验身份办理驾驶证相关业务。", P::Handle).dept(POLICE)),
            new(it("公务员和事业单位考录报名", "考录报名", "报名参加公务员和事业单位招录考试时凭卡实名认证。", P::Login).dept(ORGANISATION)),
            new(it("政务服务一件事联办", "一件事联办", "以社会保障卡为载体打包办理多个部门的“一件事”。", P::Handle)),
            new(it("政务服务预约取号", "政务预约", "凭电子社保卡预约政务服务大厅办理时段并取号。", P::Login)),
        ],
    },
    Section {
        domain: Domain::MedicalHealth,
        department: MEDICARE,
        entries: &[
            same("就医购药结算"),
            same("跨省异地就医直接结算"),
            same("异地就医备案"),
            same("医院挂号就诊"),
            same("住院登记"),
            same("电子健康档案查询"),
            same("预防接种信息查询"),
            same("医保个人账户查询"),
            same("生育津贴申领"),
            same("城乡居民医疗保险费缴纳"),
            new(it("省内异地就医直接结算", "省内异地就医", "在省内跨设区市就医时持社会保障卡直接结算。", P::Medical)),
            new(it("电子社保卡就医购药", "扫码就医", "在定点医院和药店出示电子社保卡二维码就医购药。", P::Medical)),
            new(it("病历资料查阅", "病历查阅", "在试点医疗机构凭卡查阅本人病历资料。", P::Query).dept(HEALTH)),
            new(it("检查检验报告查询", "报告查询", "凭卡在医院自助机查询打印检查检验报告。", P::Query).dept(HEALTH)),
            new(it("门诊慢特病待遇认定", "慢特病认定", "申请门诊慢性病和特殊疾病医保待遇认定。", P::Handle)),
        ],
    },
    Section {
        domain: Domain::Transport,
        department: TRANSPORT,
        entries: &[
            same("公交乘车"),
            same("公交乘车优惠"),
            same("交通联合跨城乘车"),
            same("公共自行车租用"),
            new(it("南昌地铁社保卡乘车", "南昌地铁", "在南昌地铁各线路闸机刷第三代社会保障卡进站乘车。", P::Ride).at(&["360100"])),
            new(it("鹰潭电子社保卡乘公交", "鹰潭扫码乘车", "在鹰潭市公交车上扫电子社保卡乘车。", P::Ride).at(&["360600"])),
            new(it("上饶电子社保卡乘公交", "上饶扫码乘车", "在上饶市公交车上扫电子社保卡乘车并享受优惠。", P::Ride).at(&["361100"])),
            new(it("老年人免费乘公交", "老人免费乘车", "达到规定年龄的老年人持卡免费乘坐市内公交。", P::Ride)),
            new(it("学生公交优惠乘车", "学生乘车优惠", "中小学生持卡享受公交乘车优惠。", P::Ride)),
            new(it("城际公交刷卡乘车", "城际公交", "在昌九、昌抚等城际公交线路刷卡乘车。", P::Ride).at(&["360100", "360400", "361000"])),
        ],
    },
    Section {
        domain: Domain::Tourism,
        department: CULTURE,
        entries: &[
            same("景区购票入园"),
            same("老年人景区免票入园"),
            same("公园入园"),
            same("景区消费支付"),
            new(it("龙虎山景区刷卡入园", "龙虎山入园", "在龙虎山景区自助机或柜台凭卡购票，并刷卡入园。", P::Ticket).at(&["360600"])),
            new(it("古窑民俗博览区购票入园", "古窑入园", "凭社会保障卡购票并闸机验票进入景德镇古窑民俗博览区。", P::Ticket).at(&["360200"])),
            new(it("武功山景区购票入园", "武功山入园", "在武功山景区凭卡购票并刷卡入园。", P::Ticket).at(&["360300"])),
            new(it("通天岩风景区购票入园", "通天岩入园", "凭卡购票并闸机验票进入通天岩风景区。", P::Ticket).at(&["360700"])),
            new(it("共和国摇篮旅游区参观", "瑞金红色游", "凭卡预约并入园参观瑞金共和国摇篮旅游区。", P::Gate).at(&["360700"])),
            new(it("三百山景区购票入园", "三百山入园", "在安远三百山景区凭卡购票入园并在景区内消费。", P::Ticket).at(&["360700"])),
            new(it("庐山景区购票入园", "庐山入园", "在庐山风景名胜区凭卡购票并刷卡验票。", P::Ticket).at(&["360400"])),
            new(it("井冈山景区购票入园", "井冈山入园", "凭卡购买井冈山景区门票并刷卡入园。", P::Ticket).at(&["360800"])),
        ],
    },
    Section {
        domain: Domain::Culture,
        department: CULTURE,
        entries: &[
            same("图书馆借阅"),
            same("博物馆入馆"),
            same("美术馆展览馆参观"),
            same("文化馆活动报名"),
            same("体育场馆入场"),
            same("剧院演出购票"),
            new(it("图书馆免押金办证", "免押金办证", "凭社会保障卡免押金开通公共图书馆借阅权限。", P::Handle)),
            new(it("江西省图书馆借阅", "省图书馆", "在江西省图书馆凭卡或扫码借阅图书。", P::Gate).at(&["360100"])),
            new(it("江西省博物馆参观", "省博物馆", "在江西省博物馆凭卡、亮证或扫码入馆参观。", P::Gate).at(&["360100"])),
            new(it("中央红军长征出发地纪念园参观", "长征纪念园", "在于都中央红军长征出发地纪念园凭卡入园参观。", P::Gate).at(&["360700"])),
        ],
    },
    Section {
        domain: Domain::Education,
        department: EDUCATION,
        entries: &[
            same("学生奖助学金发放"),
            same("校园出入"),
            same("校园餐饮消费"),
            same("学费缴纳"),
            same("校园图书借阅"),
            new(it("技工院校校园一卡通", "技校一卡通", "技工院校学生凭社会保障卡出入校园、就餐、借书和参加考试。", P::Gate).dept(HR)),
            new(it("学生学籍管理", "学籍管理", "学生凭卡办理注册报到和学籍信息查询。", P::Record)),
            new(it("校园考试身份核验", "考试核验", "校内考试入场时刷卡核验考生身份。", P::Gate)),
        ],
    },
    Section {
        domain: Domain::FundDisbursement,
        department: FINANCE,
        entries: &[
            same("惠民惠农补贴发放"),
            same("农民工工资发放"),
            same("住房公积金提取"),
            same("机关事业单位工资发放"),
            same("最低生活保障金发放"),
            same("残疾人两项补贴发放"),
            same("高龄津贴发放"),
            same("耕地地力保护补贴发放"),
            new(it("特困人员救助供养金发放", "特困供养金", "特困人员救助供养金按月发放到社会保障卡。", P::Disburse).dept(CIVIL)),
            new(it("工会福利发放", "工会福利", "机关事业单位职工的工会福利发放到社会保障卡。", P::Disburse).dept(UNION)),
            new(it("国有企业工资发放", "国企工资", "国有企业和工业园区企业通过社会保障卡发放工资。", P::Disburse).dept(STATE_ASSETS)),
            new(it("住房公积金贷款还款", "公积金还贷", "以社会保障卡银行账户作为住房公积金贷款的还款账户。", P::Fee).dept(HOUSING)),
            new(it("以工代赈劳务报酬发放", "以工代赈", "以工代赈项目的劳务报酬通过社会保障卡发放。", P::Disburse).dept(DEVELOPMENT)),
            new(it("生态公益林补偿发放", "公益林补偿", "生态公益林补偿资金发放到林农的社会保障卡。", P::Disburse).dept(FORESTRY)),
        ],
    },
    Section {
        domain: Domain::FinancePayment,
        department: PBOC,
        entries: &[
            same("社会保障卡银行功能激活"),
            same("水电气缴费"),
            same("商超消费支付"),
            same("交通违法罚款缴纳"),
            same("特约商户消费优惠"),
            same("电子社保卡移动支付"),
            new(it("社会保险费线上缴纳", "社保费缴纳", "依托社会保障卡支付功能在线缴纳社会保险费。", P::Fee).dept(TAX)),
            new(it("社保卡消费满减活动", "消费满减", "参加社会保障卡消费满减、加油满减等惠民活动。", P::Spend)),
        ],
    },
    Section {
        domain: Domain::SmartLiving,
        department: HOUSING,
        entries: &[
            same("酒店入住登记"),
            same("社区门禁通行"),
            same("机关食堂就餐"),
            same("老年助餐"),
            same("残疾人服务"),
            new(it("单位考勤打卡", "考勤打卡", "刷社会保障卡完成单位门禁考勤。", P::Record)),
            new(it("物业费缴纳", "物业缴费", "在物业服务中心凭卡缴纳物业费。", P::Fee)),
        ],
    },
    Section {
        domain: Domain::RuralRevitalization,
        department: RURAL,
        entries: &[
            same("助农取款服务"),
            same("村级便民服务点业务办理"),
            same("助农贷款申请"),
            new(it("乡村就业技能培训", "乡村技能培训", "农村劳动力凭卡报名参加就地就近的技能培训。", P::Handle)),
        ],
    },
    Section {
        domain: Domain::NationalDefence,
        department: VETERANS,
        entries: &[
            same("义务兵家庭优待金发放"),
            same("民兵训练补贴发放"),
            new(it("退役军人优待证关联", "优待证关联", "社会保障卡与退役军人优待证信息关联，凭卡享受优待服务。", P::Show)),
        ],
    },
    Section {
        domain: Domain::CreditServices,
        department: DEVELOPMENT,
        entries: &[
            same("个人信用信息查询"),
            new(it("志愿服务记录", "志愿服务", "社会保障卡加载志愿服务时长和记录信息。", P::Record).dept(CIVIL)),
        ],
    },
];

/// A row with everything the section supplies, ready to become an item.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resolved {
    pub(crate) row: Row,
    pub(crate) domain: Domain,
    pub(crate) department: &'static str,
    /// Whether a provincial row is a national row reused by name
    /// ([`Entry::Same`]): its item names the national item as its twin.
    pub(crate) same: bool,
}

impl Resolved {
    /// The wire item with the given id, list and coverage.
    pub(crate) fn item(&self, id: String, list: &str, regions: Vec<String>) -> CatalogueItem {
        let usage = crate::usage::usage_of(self.row.name);
        CatalogueItem {
            id,
            list: list.to_owned(),
            name: self.row.name.to_owned(),
            short_label: self.row.short.to_owned(),
            description: self.row.desc.to_owned(),
            cluster: cluster_of(self.domain),
            domain: self.domain,
            usage_modes: self.row.profile.usage().to_vec(),
            card_forms: self.row.profile.forms().to_vec(),
            channels: self.row.profile.channels().to_vec(),
            regions,
            department: self.department.to_owned(),
            version: ITEM_VERSION,
            popularity: usage.popularity,
            app_action: usage.action,
            national_item: None,
        }
    }
}

/// Every national row in list order.
pub(crate) fn national_rows() -> impl Iterator<Item = Resolved> {
    NATIONAL.iter().flat_map(|section| {
        section.entries.iter().map(move |row| Resolved {
            row: *row,
            domain: section.domain,
            department: row.department.unwrap_or(section.department),
            same: false,
        })
    })
}

/// The national row of this name.
fn national_row(name: &str) -> Option<Resolved> {
    national_rows().find(|r| r.row.name == name)
}

/// Every Jiangxi row in list order; an [`Entry::Same`] naming no national
/// row is skipped (the tests check that none does).
pub(crate) fn jiangxi_rows() -> impl Iterator<Item = Resolved> {
    JIANGXI.iter().flat_map(|section| {
        section.entries.iter().filter_map(move |entry| match entry {
            Entry::Same(name) => national_row(name).map(|r| Resolved {
                domain: section.domain,
                same: true,
                ..r
            }),
            Entry::New(row) => Some(Resolved {
                row: *row,
                domain: section.domain,
                department: row.department.unwrap_or(section.department),
                same: false,
            }),
        })
    })
}

fn regions_or(row: &Row, default: &str) -> Vec<String> {
    if row.regions.is_empty() {
        vec![default.to_owned()]
    } else {
        row.regions.iter().map(|r| (*r).to_owned()).collect()
    }
}

/// The national list followed by Jiangxi's list; a Jiangxi item reused
/// from the national list names its national twin.
pub(crate) fn catalogue() -> Vec<CatalogueItem> {
    let national: Vec<CatalogueItem> = national_rows()
        .enumerate()
        .map(|(i, r)| {
            r.item(
                format!("N-{:03}", i + 1),
                NATIONAL_LIST,
                regions_or(&r.row, NATIONWIDE),
            )
        })
        .collect();
    let jiangxi: Vec<CatalogueItem> = jiangxi_rows()
        .enumerate()
        .map(|(i, r)| {
            let mut item = r.item(
                format!("P{JIANGXI_LIST}-{:03}", i + 1),
                JIANGXI_LIST,
                regions_or(&r.row, JIANGXI_LIST),
            );
            if r.same {
                item.national_item = national
                    .iter()
                    .find(|twin| twin.name == item.name)
                    .map(|twin| twin.id.clone());
            }
            item
        })
        .collect();
    national.into_iter().chain(jiangxi).collect()
}

/// Every distinct row of both lists (for recombination into synthetic data).
pub(crate) fn all_rows() -> Vec<Resolved> {
    let mut rows: Vec<Resolved> = national_rows().collect();
    for r in jiangxi_rows() {
        if !rows.iter().any(|x| x.row.name == r.row.name) {
            rows.push(r);
        }
    }
    rows
}
