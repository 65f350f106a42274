//! Regional rules of four provinces, deliberately different.
//!
//! The core must have no per-region code branches: everything that differs
//! between provinces (loss-report lapse, online release, fees, photo limits,
//! relative quota, credential lifetime, banks, lead times) arrives as a
//! [`RegionalRules`] document. Four provinces with different settings make
//! any hard-coded assumption show up in tests.
//!
//! Each value's source is in `docs/sample-data.md` ("Sources of the rule
//! values"), a test keeps that table and these documents in step: a quote
//! from the domain documents (the 18-year guardian age and what goes through
//! the guardian, Jiangxi's e-card during production, the count of 18
//! co-branded banks, 出生一件事 and instant issue where the documents name
//! them), or "sample data" — a plausible choice, not a province's published
//! rule (the relative quotas, fees, postage and lead times among them).

use ecard_api::resident::ECardState::{Active, Suspended};
use ecard_api::rules::{
    AccountSecurity, Bank, BenefitKind, ConcessionBasis, ConcessionBenefit, ConcessionClass,
    ConcessionDocument, ConcessionRule, ConcessionRules, ConcessionScene,
    DEFAULT_STATUS_LIST_MAX_AGE_HOURS, ECardTiming, EligibilityRules, InstantIssueRules,
    MinorRules, NewbornRules, OnBehalfRules, PassiveCertification, PhotoRules, Purpose,
    RegionalRules,
};
use ecard_api::service_points::ServicePointKind;

use super::regions::BANKS;

/// Jiangxi's co-branded banks beyond the eleven whose branches the sample
/// outlets include: the report gives the count ("社会保障卡合作银行增加至18家"),
/// not the names, so these seven are plausible sample choices.
const MORE_JIANGXI_BANKS: [(&str, &str); 7] = [
    ("citic", "中信银行"),
    ("ceb", "中国光大银行"),
    ("cmbc", "中国民生银行"),
    ("cib", "兴业银行"),
    ("cmb", "招商银行"),
    ("spdb", "上海浦东发展银行"),
    ("hxb", "华夏银行"),
];

/// The Jiangxi notice's rule for holders under 18, and the technical-school
/// notice's e-card for students (on the student's phone once a guardian
/// allows it). No exception for a self-supporting 16- or 17-year-old: the
/// notice names none.
fn minors_jiangxi() -> MinorRules {
    MinorRules {
        through_guardian: MinorRules::every_act(),
        pin_through_guardian: true,
        self_supporting_from_age: None,
        e_card_on_own_phone_with_consent: true,
        source: "jiangxi-card-business-rules.txt, 社会保障卡业务办理应知应会: 未满 18 周岁的公民需法定监护人持有效身份证件、户口簿…代办 \
                 (申领、启用、挂失、解挂、补换、密码修改和重置); the e-card on a student's own phone with a guardian's consent: \
                 sample reading of the same notice's 确保…电子社会保障卡能正常申领"
            .to_owned(),
    }
}

/// Sample data: the guardian rule of the domain documents, with the civil
/// code's exception for a minor of 16 or 17 living on their own income.
fn minors_with_self_supporting_exception(e_card_on_own_phone: bool) -> MinorRules {
    MinorRules {
        self_supporting_from_age: Some(16),
        e_card_on_own_phone_with_consent: e_card_on_own_phone,
        source: "sample data: the guardian rule of the Jiangxi notice, with 民法典第十八条 (十六周岁以上的未成年人，\
                 以自己的劳动收入为主要生活来源的，视为完全民事行为能力人) as the exception"
            .to_owned(),
        ..minors_jiangxi()
    }
}

/// 出生一件事 in the provinces the documents name for it.
fn newborn(one_submission: bool, photo_exempt_under_age: u32, source: &str) -> NewbornRules {
    NewbornRules {
        one_submission,
        registration_days: 1,
        photo_exempt_under_age,
        source: source.to_owned(),
    }
}

fn instant_issue(hold_days: u32, source: &str) -> InstantIssueRules {
    InstantIssueRules {
        offered: true,
        hold_days,
        source: source.to_owned(),
    }
}

const NATIONAL_INSTANT: &str = "national-one-card-progress-2024.txt: 各地普遍实现了社保卡申领、补换的“立等可取”; \
     the hold days are sample data";
const NATIONAL_NEWBORN: &str = "national-one-card-progress-2024.txt: 浙江、上海、江苏、海南、广东、山东等地还先行开展社保卡申领等“出生一件事”联办工作; \
     the photo age and registration days are sample data";

/// Version of every generated rules document.
pub(crate) const RULES_VERSION: u64 = 1;

fn banks(list: &[(&str, &str)]) -> Vec<Bank> {
    list.iter()
        .map(|&(code, name)| Bank {
            code: code.to_owned(),
            name: name.to_owned(),
            hotline: hotline_of(code).map(str::to_owned),
        })
        .collect()
}

/// The banks' customer-service hotlines, where a financial loss report
/// (金融功能挂失) is completed: the public service numbers of the national
/// and joint-stock banks and of the regional banks that publish one; a bank
/// without one here is reached at its branches. Sample data: not checked
/// against each bank's current notice.
fn hotline_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "icbc" => "95588",
        "abc" => "95599",
        "boc" => "95566",
        "ccb" => "95533",
        "bocom" => "95559",
        "psbc" => "95580",
        "citic" => "95558",
        "ceb" => "95595",
        "cmbc" => "95568",
        "cib" => "95561",
        "cmb" => "95555",
        "spdb" => "95528",
        "hxb" => "95577",
        "czb" => "95527",
        "hzb" => "95398",
        "nbcb" => "95574",
        "bocd" => "95507",
        "jxb" => "956055",
        "jjb" => "95316",
        "jxnx" => "96268",
        "zjrcu" => "96596",
        "scrcu" => "96633",
        _ => return None,
    })
}

/// Pension eligibility (待遇资格认证): the national yearly cycle with the
/// region's grace, reminders and retirement ages; Jiangxi certifies
/// passively by a recent use of the card (无感认证) at a hospital, a
/// pharmacy or a counter.
fn eligibility(grace_days: u32, passive: bool, pay_day: u8, source: &str) -> EligibilityRules {
    EligibilityRules {
        cycle_months: 12,
        grace_days,
        reminder_days_before: vec![30, 7, 1],
        retirement_age_men: 60,
        retirement_age_women: 55,
        pension_pay_day: pay_day,
        passive: passive.then(|| PassiveCertification {
            within_days: 90,
            operator_kinds: vec![
                ServicePointKind::Hospital,
                ServicePointKind::Pharmacy,
                ServicePointKind::GovernmentCounter,
            ],
        }),
        source: source.to_owned(),
    }
}

/// The national card photo: 358 × 441 pixels.
const NATIONAL_WIDTH: u32 = 358;
const NATIONAL_HEIGHT: u32 = 441;
const KB: u32 = 1024;

/// Who may show a code for whom. The sample default: a family proxy
/// (亲情代办) fetches medicine and settles medical bills for a relative, but
/// a concession (senior free admission, fares) is personal, so a proxy's
/// code is refused at culture/tourism and transport gates, and nobody
/// proves an adult's identity on their code; a guardian shows a child's
/// code wherever the child is.
fn on_behalf_personal_concessions() -> OnBehalfRules {
    OnBehalfRules {
        proxy: vec![Purpose::Medical],
        guardian: Purpose::ALL.to_vec(),
        source: "sample data: a proxy may collect medicine or pay at a hospital for a relative; \
                 concessions at gates and admissions are personal (the relative must be there with \
                 their own code)"
            .to_owned(),
    }
}

/// A region letting a proxy accompany a relative into a library, museum or
/// scenic spot on the relative's code (the staff check the relative is
/// there): sample data, to show the policy is per region.
fn on_behalf_accompanied_admission() -> OnBehalfRules {
    OnBehalfRules {
        proxy: vec![Purpose::Medical, Purpose::CultureTourism],
        guardian: Purpose::ALL.to_vec(),
        source: "sample data: a proxy may also accompany a relative into culture and tourism \
                 venues, where staff see the relative in person"
            .to_owned(),
    }
}

fn benefit(scene: ConcessionScene, benefit: BenefitKind, places: &str) -> ConcessionBenefit {
    ConcessionBenefit {
        scene,
        benefit,
        places: places.to_owned(),
    }
}

fn concession(
    class: ConcessionClass,
    basis: ConcessionBasis,
    benefits: Vec<ConcessionBenefit>,
    source: &str,
) -> ConcessionRule {
    ConcessionRule {
        class,
        basis,
        benefits,
        source: source.to_owned(),
    }
}

fn ages(from: Option<u32>, below: Option<u32>) -> ConcessionBasis {
    ConcessionBasis::Age { from, below }
}

fn document(document: ConcessionDocument) -> ConcessionBasis {
    ConcessionBasis::Document { document }
}

/// Jiangxi's concession classes, in priority order. Free admission for 65
/// and over is the report's; the rest reads the city plan and the
/// technical-school notice, with the ages and benefits they leave open as
/// sample data.
fn concessions_jiangxi() -> ConcessionRules {
    use BenefitKind::{Free, Reduced};
    use ConcessionScene::{Tourism, Transport};
    ConcessionRules {
        classes: vec![
            concession(
                ConcessionClass::SeniorFree,
                ages(Some(65), None),
                vec![
                    benefit(Tourism, Free, "全省收费A级旅游景区"),
                    benefit(Transport, Reduced, "全市公交"),
                ],
                "jiangxi-one-card-report.txt: 全省各收费A级旅游景区已基本落实65周岁以上老年人凭社保卡享受免票入园优惠政策; \
                 the bus fare is the city plan's 老年人…优惠乘坐公交",
            ),
            concession(
                ConcessionClass::Entitled,
                document(ConcessionDocument::PreferentialTreatmentCertificate),
                vec![benefit(Transport, Free, "全市公交")],
                "city-one-card-implementation-plan.txt: 融合优待证功能,实现社会保障卡与优待证场景互通互用,支撑优抚优待政策落实; \
                 the free bus ride is sample data",
            ),
            concession(
                ConcessionClass::Disability,
                document(ConcessionDocument::DisabilityCertificate),
                vec![benefit(Transport, Reduced, "全市公交")],
                "city-one-card-implementation-plan.txt: 老年人、学生及特殊群体…优惠乘坐公交 and 共享残疾人信息 \
                 (the certificate as the basis is the sample reading)",
            ),
            concession(
                ConcessionClass::Senior,
                ages(Some(60), Some(65)),
                vec![benefit(Transport, Reduced, "全市公交")],
                "city-one-card-implementation-plan.txt: 老年人…优惠乘坐公交; 60 is the national age of the elderly \
                 (老年人权益保障法第二条: 老年人是指六十周岁以上的公民)",
            ),
            concession(
                ConcessionClass::Student,
                ConcessionBasis::SchoolEnrolment,
                vec![benefit(Transport, Reduced, "全市公交")],
                "jiangxi-card-business-rules.txt (技工院校一卡通): 出入校园、餐饮消费、奖助学金发放、图书借阅、学籍管理、考试管理; \
                 the school register (学籍) as the basis and the fare are the city plan's 学生…优惠乘坐公交",
            ),
            concession(
                ConcessionClass::Child,
                ages(None, Some(6)),
                vec![benefit(Transport, Free, "全市公交")],
                "sample data: children under 6 ride free",
            ),
        ],
    }
}

/// The other provinces' classes: sample data throughout, with the ages the
/// code journey used before concessions were data.
fn concessions_sample(senior_free_from: u32) -> ConcessionRules {
    use BenefitKind::{Free, NoDeposit, Reduced};
    use ConcessionScene::{Culture, Tourism, Transport};
    let source = "sample data";
    ConcessionRules {
        classes: vec![
            concession(
                ConcessionClass::SeniorFree,
                ages(Some(senior_free_from), None),
                vec![
                    benefit(Transport, Free, "市内公交、地铁"),
                    benefit(Tourism, Free, "A级旅游景区"),
                ],
                source,
            ),
            concession(
                ConcessionClass::Entitled,
                document(ConcessionDocument::PreferentialTreatmentCertificate),
                vec![benefit(Transport, Free, "市内公交、地铁")],
                source,
            ),
            concession(
                ConcessionClass::Disability,
                document(ConcessionDocument::DisabilityCertificate),
                vec![
                    benefit(Transport, Free, "市内公交"),
                    benefit(Tourism, Free, "A级旅游景区"),
                ],
                source,
            ),
            concession(
                ConcessionClass::Senior,
                ages(Some(60), Some(senior_free_from)),
                vec![
                    benefit(Transport, Reduced, "市内公交、地铁"),
                    benefit(Tourism, Reduced, "A级旅游景区"),
                ],
                source,
            ),
            concession(
                ConcessionClass::Student,
                ConcessionBasis::SchoolEnrolment,
                vec![
                    benefit(Transport, Reduced, "市内公交、地铁"),
                    benefit(Culture, NoDeposit, "公共图书馆"),
                ],
                source,
            ),
            concession(
                ConcessionClass::Child,
                ages(None, Some(14)),
                vec![benefit(Transport, Free, "市内公交")],
                source,
            ),
        ],
    }
}

/// Rules of 江西省, 浙江省, 广东省 and 四川省, in that order.
pub(crate) fn rules() -> Vec<RegionalRules> {
    vec![
        RegionalRules {
            region: "360000".to_owned(),
            name: "江西省".to_owned(),
            version: RULES_VERSION,
            temporary_loss_lapse_days: 5,
            release_online: true,
            formal_loss_reversible: false,
            // During production: the Jiangxi document; the rest is sample data.
            e_card_timing: ECardTiming {
                during_production: Active,
                during_temporary_loss: Suspended,
                during_replacement: Active,
            },
            cancel_after_submit: false,
            replacement_fee_fen: 0,
            postage_fen: 1000,
            photo: PhotoRules {
                min_width: NATIONAL_WIDTH,
                min_height: NATIONAL_HEIGHT,
                max_width: NATIONAL_WIDTH,
                max_height: NATIONAL_HEIGHT,
                min_bytes: 9 * KB,
                max_bytes: 20 * KB,
            },
            relative_quota: 8,
            credential_lifetime_hours: 24,
            adult_age: 18,
            banks: banks(&[&BANKS[..], &MORE_JIANGXI_BANKS[..]].concat()),
            production_days: 3,
            delivery_days: 3,
            account_security: AccountSecurity::default(),
            on_behalf: on_behalf_personal_concessions(),
            status_list_max_age_hours: DEFAULT_STATUS_LIST_MAX_AGE_HOURS,
            minors: minors_jiangxi(),
            newborn: newborn(
                true,
                1,
                "jiangxi-one-card-report.txt: 将户口登记、社会保障卡申领等事项整合为“新生儿出生一件事”联办服务…家长只需填写一张表格，\
                 提交一次申请就能办好，并提供邮寄到家服务; no photo under one year and the registration days are sample data",
            ),
            instant_issue: instant_issue(
                7,
                "jiangxi-one-card-report.txt: 实现社会保障卡业务全省通办、立等可取“即时办”; the hold days are sample data",
            ),
            concessions: concessions_jiangxi(),
            eligibility: eligibility(
                30,
                true,
                14,
                "jiangxi-one-card-report.txt: 每月14日左右，养老金准时打入社保卡 (the pay day); 无感认证 by a use of the card as in \
                 national-one-card-160-items.txt (已通过社保卡办理退休养老“无感认证”37.37万人次); the yearly cycle is the national one; \
                 the 30 days' grace, the 90-day window and the reminders are sample data",
            ),
        },
        RegionalRules {
            region: "330000".to_owned(),
            name: "浙江省".to_owned(),
            version: RULES_VERSION,
            temporary_loss_lapse_days: 7,
            release_online: true,
            formal_loss_reversible: true,
            // Sample data.
            e_card_timing: ECardTiming {
                during_production: Suspended,
                during_temporary_loss: Suspended,
                during_replacement: Active,
            },
            cancel_after_submit: true,
            replacement_fee_fen: 1000,
            postage_fen: 0,
            photo: PhotoRules {
                min_width: NATIONAL_WIDTH,
                min_height: NATIONAL_HEIGHT,
                max_width: 2 * NATIONAL_WIDTH,
                max_height: 2 * NATIONAL_HEIGHT,
                min_bytes: 10 * KB,
                max_bytes: 40 * KB,
            },
            relative_quota: 5,
            credential_lifetime_hours: 48,
            adult_age: 18,
            banks: banks(&[
                ("icbc", "中国工商银行"),
                ("abc", "中国农业银行"),
                ("boc", "中国银行"),
                ("ccb", "中国建设银行"),
                ("bocom", "交通银行"),
                ("psbc", "中国邮政储蓄银行"),
                ("zjrcu", "浙江农商联合银行"),
                ("hzb", "杭州银行"),
                ("nbcb", "宁波银行"),
                ("czb", "浙商银行"),
            ]),
            production_days: 5,
            delivery_days: 2,
            account_security: AccountSecurity::default(),
            on_behalf: on_behalf_personal_concessions(),
            status_list_max_age_hours: DEFAULT_STATUS_LIST_MAX_AGE_HOURS,
            minors: minors_with_self_supporting_exception(true),
            newborn: newborn(true, 3, NATIONAL_NEWBORN),
            instant_issue: instant_issue(5, NATIONAL_INSTANT),
            concessions: concessions_sample(70),
            eligibility: eligibility(
                0,
                false,
                15,
                "sample data: the national yearly cycle, no grace, no passive certification, pensions on the 15th",
            ),
        },
        RegionalRules {
            region: "440000".to_owned(),
            name: "广东省".to_owned(),
            version: RULES_VERSION,
            temporary_loss_lapse_days: 10,
            release_online: false,
            formal_loss_reversible: false,
            // Sample data.
            e_card_timing: ECardTiming {
                during_production: Active,
                during_temporary_loss: Active,
                during_replacement: Suspended,
            },
            cancel_after_submit: false,
            replacement_fee_fen: 2000,
            postage_fen: 1200,
            photo: PhotoRules {
                min_width: 295,
                min_height: 413,
                max_width: 2 * NATIONAL_WIDTH,
                max_height: 2 * NATIONAL_HEIGHT,
                min_bytes: 14 * KB,
                max_bytes: 40 * KB,
            },
            relative_quota: 10,
            credential_lifetime_hours: 72,
            adult_age: 18,
            banks: banks(&[
                ("icbc", "中国工商银行"),
                ("abc", "中国农业银行"),
                ("boc", "中国银行"),
                ("ccb", "中国建设银行"),
                ("bocom", "交通银行"),
                ("psbc", "中国邮政储蓄银行"),
                ("cmb", "招商银行"),
                ("cgb", "广发银行"),
                ("gdrcu", "广东农信"),
                ("grcb", "广州农村商业银行"),
            ]),
            production_days: 7,
            delivery_days: 3,
            account_security: AccountSecurity::default(),
            on_behalf: on_behalf_accompanied_admission(),
            status_list_max_age_hours: DEFAULT_STATUS_LIST_MAX_AGE_HOURS,
            minors: minors_with_self_supporting_exception(false),
            newborn: newborn(true, 0, NATIONAL_NEWBORN),
            instant_issue: instant_issue(3, NATIONAL_INSTANT),
            concessions: concessions_sample(65),
            eligibility: eligibility(
                15,
                false,
                20,
                "sample data: the national yearly cycle, 15 days' grace, pensions on the 20th",
            ),
        },
        RegionalRules {
            region: "510000".to_owned(),
            name: "四川省".to_owned(),
            version: RULES_VERSION,
            temporary_loss_lapse_days: 15,
            release_online: false,
            formal_loss_reversible: true,
            // Sample data.
            e_card_timing: ECardTiming {
                during_production: Suspended,
                during_temporary_loss: Suspended,
                during_replacement: Suspended,
            },
            cancel_after_submit: true,
            replacement_fee_fen: 1500,
            postage_fen: 1500,
            photo: PhotoRules {
                min_width: NATIONAL_WIDTH,
                min_height: NATIONAL_HEIGHT,
                max_width: NATIONAL_WIDTH,
                max_height: NATIONAL_HEIGHT,
                min_bytes: 9 * KB,
                max_bytes: 30 * KB,
            },
            relative_quota: 6,
            credential_lifetime_hours: 36,
            adult_age: 18,
            banks: banks(&[
                ("icbc", "中国工商银行"),
                ("abc", "中国农业银行"),
                ("boc", "中国银行"),
                ("ccb", "中国建设银行"),
                ("psbc", "中国邮政储蓄银行"),
                ("scrcu", "四川农商联合银行"),
                ("bocd", "成都银行"),
                ("cdrcb", "成都农商银行"),
            ]),
            production_days: 10,
            delivery_days: 5,
            account_security: AccountSecurity::default(),
            on_behalf: on_behalf_personal_concessions(),
            status_list_max_age_hours: DEFAULT_STATUS_LIST_MAX_AGE_HOURS,
            minors: minors_jiangxi(),
            newborn: newborn(
                false,
                0,
                "sample data: Sichuan is not among the provinces national-one-card-progress-2024.txt names for 出生一件事",
            ),
            instant_issue: instant_issue(10, NATIONAL_INSTANT),
            concessions: concessions_sample(70),
            eligibility: eligibility(
                0,
                false,
                10,
                "sample data: the national yearly cycle, no grace, pensions on the 10th",
            ),
        },
    ]
}
