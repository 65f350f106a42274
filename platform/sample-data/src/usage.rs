//! How residents use each catalogue row: its popularity (0–100) and the
//! screen of the app that handles it, if any.
//!
//! Popularity is a sample estimate written for this project, not a measured
//! statistic: the card itself (application, replacement, loss, the e-card),
//! medical settlement, public transport and pensions are what most residents
//! come for and sit at 80–100; everyday services of many people (fees,
//! records, certificates, unemployment benefits, culture) at 40–75; niche
//! services of a few groups (talent, arbitration, militia, one scenic spot)
//! at 5–35. It only orders equally good search matches, so rough is enough.
//!
//! The app action is set only where the app itself does the job (applies,
//! reports a loss, changes the PIN, shows the code at a gate or scanner,
//! finds an outlet); information-only items have none.
//!
//! One line per row name, shared by both lists: a Jiangxi row reused from
//! the national list ([`crate::catalogue::Entry::Same`]) has its national
//! twin's usage. The tests check that every row has exactly one line here.

use ecard_api::catalogue::AppAction;

/// A row's usage: popularity and app action.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Usage {
    pub(crate) popularity: u8,
    pub(crate) action: Option<AppAction>,
}

use AppAction::*;

const APPLY: Option<AppAction> = Some(ApplyForCard);
const NEWBORN: Option<AppAction> = Some(ApplyForNewbornCard);
const E_CARD: Option<AppAction> = Some(ApplyForElectronicCard);
const REPLACE: Option<AppAction> = Some(ReplaceCard);
const BANK: Option<AppAction> = Some(ChangeBank);
const LOSS: Option<AppAction> = Some(ReportLoss);
const RELEASE: Option<AppAction> = Some(ReleaseLoss);
const ACTIVATE: Option<AppAction> = Some(ActivateSocialFunction);
const PIN: Option<AppAction> = Some(ChangePin);
const TRACK: Option<AppAction> = Some(TrackProduction);
const CODE: Option<AppAction> = Some(ShowCode);
const FAMILY: Option<AppAction> = Some(ActForFamily);
const OUTLET: Option<AppAction> = Some(FindOutlet);
const INFO: Option<AppAction> = None;

/// Row name, popularity (0–100), app action.
#[rustfmt::skip]
pub(crate) static USAGE: &[(&str, u8, Option<AppAction>)] = &[
    // The card itself: what most residents open the app for.
    ("社会保障卡申领",                     100, APPLY),
    ("社会保障卡补换",                      95, REPLACE),
    ("社会保障卡临时挂失",                  92, LOSS),
    ("社会保障卡正式挂失",                  80, LOSS),
    ("社会保障卡解挂",                      70, RELEASE),
    ("社会保障卡社保功能启用",              85, ACTIVATE),
    ("社会保障卡制卡进度查询",              88, TRACK),
    ("社会保障卡密码修改和重置",            86, PIN),
    ("社会保障卡应用状态查询",              65, INFO),
    ("电子社会保障卡申领",                  97, E_CARD),
    ("社会保障卡注销",                      30, INFO),
    ("社会保障卡保号换卡",                  72, REPLACE),
    ("社会保障卡信息变更",                  55, INFO),
    ("新生儿出生一件事社保卡申领",          78, NEWBORN),
    ("社会保障卡亲情代办",                  75, FAMILY),
    ("社会保障卡上门服务",                  35, INFO),
    ("社会保障卡变更联名银行",              68, BANK),
    ("社会保障卡即时制卡",                  74, OUTLET),
    ("老年人服务专区绿色通道",              40, OUTLET),
    ("技工院校学生社保卡集中办理",          25, INFO),
    ("高频人社事项电子社保卡办理",          60, INFO),
    ("退休人员待遇资格无感认证",            50, INFO),
    ("就业创业贷款资金发放",                20, INFO),
    // Employment and entrepreneurship.
    ("求职登记",                            45, INFO),
    ("就业登记",                            50, INFO),
    ("失业登记",                            55, INFO),
    ("就业失业登记信息查询",                40, INFO),
    ("就业创业证申领",                      35, INFO),
    ("职业介绍",                            30, INFO),
    ("职业指导",                            20, INFO),
    ("就业困难人员认定",                    25, INFO),
    ("就业援助申请",                        25, INFO),
    ("享受就业扶持政策申请",                22, INFO),
    ("一次性创业补贴申领",                  35, INFO),
    ("创业担保贷款申请",                    30, INFO),
    ("灵活就业社会保险补贴申领",            40, INFO),
    ("求职创业补贴申领",                    30, INFO),
    ("高校毕业生就业见习补贴申领",          25, INFO),
    ("公益性岗位补贴申领",                  18, INFO),
    ("招聘会入场登记",                      30, CODE),
    ("网上求职招聘",                        45, INFO),
    ("创业指导服务",                        18, INFO),
    ("招聘岗位信息查询",                    45, INFO),
    ("返乡创业服务",                        20, INFO),
    ("高校毕业生报到登记",                  30, INFO),
    // Vocational training and skills.
    ("职业培训报名",                        40, INFO),
    ("职业培训考勤",                        25, CODE),
    ("职业技能培训补贴申领",                38, INFO),
    ("技能提升补贴申领",                    42, INFO),
    ("职业技能等级认定报名",                35, INFO),
    ("职业技能鉴定考生身份核验",            20, CODE),
    ("职业技能等级证书查询",                35, INFO),
    ("职业培训券申领",                      25, INFO),
    ("职业培训券使用",                      20, INFO),
    ("专业技术人员继续教育学时登记",        30, INFO),
    ("技工院校学生学籍管理",                15, INFO),
    // Personnel and talent.
    ("人事考试报名",                        40, INFO),
    ("人事考试入场核验",                    25, CODE),
    ("专业技术人员职业资格证书查询",        30, INFO),
    ("职称评审申报",                        30, INFO),
    ("高层次人才服务",                      10, INFO),
    ("流动人员人事档案查询",                30, INFO),
    // Labour relations.
    ("劳动人事争议仲裁申请",                15, INFO),
    ("劳动保障监察投诉",                    20, INFO),
    ("劳动合同信息查询",                    25, INFO),
    ("农民工工资支付查询",                  35, INFO),
    ("欠薪线索反映",                        20, INFO),
    // Social insurance in general.
    ("个人参保登记",                        50, INFO),
    ("个人参保信息查询",                    75, INFO),
    ("个人参保证明查询打印",                78, INFO),
    ("社会保险个人权益记录查询打印",        65, INFO),
    ("社会保险关系转移接续申请",            55, INFO),
    ("社会保险待遇资格认证",                70, INFO),
    ("城乡居民养老保险费缴纳",              72, INFO),
    ("灵活就业人员社会保险费缴纳",          68, INFO),
    ("社会保险缴费记录查询",                80, INFO),
    ("社会保险参保信息变更",                35, INFO),
    ("养老保险个人账户查询",                60, INFO),
    ("社会保险待遇发放查询",                62, INFO),
    ("社会保险费补缴",                      40, INFO),
    ("企业年金查询",                        20, INFO),
    ("个人养老金开户",                      35, INFO),
    // Old-age insurance.
    ("养老保险待遇领取",                    85, INFO),
    ("职工退休申请",                        55, INFO),
    ("城乡居民养老保险待遇申领",            60, INFO),
    ("养老保险待遇测算",                    45, INFO),
    ("丧葬补助金和抚恤金申领",              20, INFO),
    ("养老保险个人账户一次性待遇申领",      12, INFO),
    ("机关事业单位养老保险待遇申领",        25, INFO),
    ("被征地农民养老保障待遇领取",          15, INFO),
    // Unemployment insurance.
    ("失业保险金申领",                      65, INFO),
    ("失业农民工一次性生活补助申领",        15, INFO),
    ("失业保险待遇查询",                    40, INFO),
    ("失业补助金申领",                      30, INFO),
    ("失业保险关系转移",                    15, INFO),
    // Work-injury insurance.
    ("工伤认定申请",                        30, INFO),
    ("劳动能力鉴定申请",                    15, INFO),
    ("工伤医疗费用持卡结算",                25, CODE),
    ("工伤保险待遇申领",                    25, INFO),
    ("工伤康复和辅助器具配置申请",          10, INFO),
    ("工伤保险待遇查询",                    18, INFO),
    // Service channels.
    ("12333电话咨询",                       50, INFO),
    ("人社业务网上经办登录",                45, INFO),
    ("人社自助终端业务办理",                40, OUTLET),
    ("人社服务大厅取号",                    45, OUTLET),
    // Government services.
    ("政务服务平台扫码登录",                40, INFO),
    ("政务服务大厅身份核验",                35, CODE),
    ("户籍证明办理",                        25, INFO),
    ("不动产登记",                          20, INFO),
    ("电子证照关联调用",                    25, INFO),
    ("出入境证件办理",                      20, INFO),
    ("婚姻登记预约",                        15, INFO),
    ("个人所得税申报登录",                  30, INFO),
    ("赣服通扫码登录",                      45, INFO),
    ("政务服务自助终端办理",                25, INFO),
    ("机动车驾驶人业务办理",                20, INFO),
    ("公务员和事业单位考录报名",            30, INFO),
    ("政务服务一件事联办",                  25, INFO),
    ("政务服务预约取号",                    30, INFO),
    // Medical and health.
    ("就医购药结算",                        98, CODE),
    ("跨省异地就医直接结算",                70, CODE),
    ("异地就医备案",                        65, INFO),
    ("医院挂号就诊",                        85, CODE),
    ("住院登记",                            50, CODE),
    ("电子健康档案查询",                    35, INFO),
    ("预防接种信息查询",                    35, INFO),
    ("医保个人账户查询",                    75, INFO),
    ("生育津贴申领",                        35, INFO),
    ("城乡居民医疗保险费缴纳",              80, INFO),
    ("省内异地就医直接结算",                60, CODE),
    ("电子社保卡就医购药",                  90, CODE),
    ("病历资料查阅",                        25, INFO),
    ("检查检验报告查询",                    40, INFO),
    ("门诊慢特病待遇认定",                  30, INFO),
    // Transport.
    ("公交乘车",                            90, CODE),
    ("地铁乘车",                            85, CODE),
    ("公交乘车优惠",                        60, CODE),
    ("交通联合跨城乘车",                    45, CODE),
    ("公共自行车租用",                      35, CODE),
    ("长途客运购票",                        25, CODE),
    ("南昌地铁社保卡乘车",                  80, CODE),
    ("鹰潭电子社保卡乘公交",                55, CODE),
    ("上饶电子社保卡乘公交",                55, CODE),
    ("老年人免费乘公交",                    65, CODE),
    ("学生公交优惠乘车",                    50, CODE),
    ("城际公交刷卡乘车",                    30, CODE),
    // Tourism.
    ("景区购票入园",                        55, CODE),
    ("老年人景区免票入园",                  50, CODE),
    ("公园入园",                            45, CODE),
    ("旅游年卡",                            25, CODE),
    ("景区消费支付",                        20, CODE),
    ("龙虎山景区刷卡入园",                  30, CODE),
    ("古窑民俗博览区购票入园",              15, CODE),
    ("武功山景区购票入园",                  25, CODE),
    ("通天岩风景区购票入园",                12, CODE),
    ("共和国摇篮旅游区参观",                20, CODE),
    ("三百山景区购票入园",                  10, CODE),
    ("庐山景区购票入园",                    35, CODE),
    ("井冈山景区购票入园",                  30, CODE),
    // Culture.
    ("图书馆借阅",                          50, CODE),
    ("博物馆入馆",                          40, CODE),
    ("美术馆展览馆参观",                    20, CODE),
    ("文化馆活动报名",                      15, INFO),
    ("体育场馆入场",                        30, CODE),
    ("剧院演出购票",                        15, CODE),
    ("图书馆免押金办证",                    30, INFO),
    ("江西省图书馆借阅",                    30, CODE),
    ("江西省博物馆参观",                    25, CODE),
    ("中央红军长征出发地纪念园参观",        12, CODE),
    // Education.
    ("学生奖助学金发放",                    35, INFO),
    ("校园出入",                            30, CODE),
    ("校园餐饮消费",                        30, CODE),
    ("学费缴纳",                            35, INFO),
    ("校园图书借阅",                        20, CODE),
    ("技工院校校园一卡通",                  15, CODE),
    ("学生学籍管理",                        15, INFO),
    ("校园考试身份核验",                    15, CODE),
    // Fund disbursement.
    ("惠民惠农补贴发放",                    55, INFO),
    ("农民工工资发放",                      40, INFO),
    ("住房公积金提取",                      60, INFO),
    ("机关事业单位工资发放",                30, INFO),
    ("最低生活保障金发放",                  35, INFO),
    ("残疾人两项补贴发放",                  25, INFO),
    ("高龄津贴发放",                        35, INFO),
    ("耕地地力保护补贴发放",                30, INFO),
    ("特困人员救助供养金发放",              15, INFO),
    ("工会福利发放",                        15, INFO),
    ("国有企业工资发放",                    15, INFO),
    ("住房公积金贷款还款",                  30, INFO),
    ("以工代赈劳务报酬发放",                 8, INFO),
    ("生态公益林补偿发放",                   8, INFO),
    // Finance and payment.
    ("社会保障卡银行功能激活",              75, OUTLET),
    ("水电气缴费",                          40, INFO),
    ("商超消费支付",                        35, CODE),
    ("交通违法罚款缴纳",                    20, INFO),
    ("特约商户消费优惠",                    25, CODE),
    ("电子社保卡移动支付",                  60, CODE),
    ("社会保险费线上缴纳",                  65, INFO),
    ("社保卡消费满减活动",                  30, INFO),
    // Smart living.
    ("酒店入住登记",                        30, CODE),
    ("社区门禁通行",                        25, CODE),
    ("机关食堂就餐",                        15, CODE),
    ("老年助餐",                            35, CODE),
    ("残疾人服务",                          25, INFO),
    ("单位考勤打卡",                        15, CODE),
    ("物业费缴纳",                          15, INFO),
    // Rural revitalisation.
    ("助农取款服务",                        40, OUTLET),
    ("村级便民服务点业务办理",              30, OUTLET),
    ("助农贷款申请",                        15, INFO),
    ("乡村就业技能培训",                    20, INFO),
    // National defence and credit.
    ("义务兵家庭优待金发放",                10, INFO),
    ("民兵训练补贴发放",                     5, INFO),
    ("退役军人优待证关联",                  15, CODE),
    ("个人信用信息查询",                    25, INFO),
    ("志愿服务记录",                        15, INFO),
];

/// The usage of the row of this name (zero and no action when the table
/// has no line for it, which the tests rule out).
pub(crate) fn usage_of(name: &str) -> Usage {
    USAGE.iter().find(|(row, _, _)| *row == name).map_or(
        Usage {
            popularity: 0,
            action: None,
        },
        |&(_, popularity, action)| Usage { popularity, action },
    )
}
