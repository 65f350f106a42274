//! Regional rules of four provinces, deliberately different.
//!
//! The core must have no per-region code branches: everything that differs
//! between provinces (loss-report lapse, online release, fees, photo limits,
//! relative quota, credential lifetime, banks, lead times) arrives as a
//! [`RegionalRules`] document. Four provinces with different settings make
//! any hard-coded assumption show up in tests.
//!
//! Taken from the domain documents (`docs/sample-data.md` quotes them):
//! the 18-year guardian age (Jiangxi's 社会保障卡业务办理应知应会: "年满 18
//! 周岁的公民…未满 18 周岁的公民需法定监护人…代办") and Jiangxi's e-card
//! during production (same document: "公民在新申领第三代社会保障卡时，将同步
//! 生成电子社会保障卡，持卡人可在电子社会保障卡渠道直接使用"). Every other
//! value — the relative quotas included, which no document states — is a
//! plausible choice for sample data, not a province's published rule.

use ecard_api::resident::ECardState::{Active, Suspended};
use ecard_api::rules::{
    AccountSecurity, Bank, DEFAULT_STATUS_LIST_MAX_AGE_HOURS, ECardTiming, OnBehalfRules,
    PhotoRules, Purpose, RegionalRules,
};

use super::regions::BANKS;

/// Version of every generated rules document.
pub(crate) const RULES_VERSION: u64 = 1;

fn banks(list: &[(&str, &str)]) -> Vec<Bank> {
    list.iter()
        .map(|&(code, name)| Bank {
            code: code.to_owned(),
            name: name.to_owned(),
        })
        .collect()
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
            banks: banks(&BANKS),
            production_days: 3,
            delivery_days: 3,
            account_security: AccountSecurity::default(),
            on_behalf: on_behalf_personal_concessions(),
            status_list_max_age_hours: DEFAULT_STATUS_LIST_MAX_AGE_HOURS,
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
        },
    ]
}
