//! The regional rules document: per-region settings of the card business,
//! served as data so the core has no per-region code branches.

use serde::{Deserialize, Serialize};

/// Photo requirements for card production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct Bank {
    /// Short code, e.g. `icbc`.
    pub code: String,
    /// Name in Chinese.
    pub name: String,
}

/// The rules of one region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Whether a temporary loss report suspends the e-card code too.
    pub temporary_loss_suspends_e_card: bool,
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
}

/// How the e-card PIN (电子社保卡密码) and enrolled devices are limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
