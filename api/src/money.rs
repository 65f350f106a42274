//! The card's money: the financial account of the co-branded bank that
//! every social security card carries (the bank function), the payments
//! into it (pensions, 惠民惠农 subsidies, migrant workers' wages), and the
//! financial loss report (金融功能挂失), which is distinct from the
//! social-security loss report: it freezes the bank function only, and the
//! bank completes it over its hotline.
//!
//! The platform knows the account as the bank shared it: the bank, the
//! account number masked (only the last four digits are kept) and the
//! state of the bank function.

use serde::{Deserialize, Serialize};

use crate::rules::Bank;

/// Payments in a page when `limit` is not given.
pub const DEFAULT_PAYMENTS_PAGE: u32 = 20;
/// Most payments in one page.
pub const MAX_PAYMENTS_PAGE: u32 = 100;

/// The state of the card's bank function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum BankFunctionState {
    /// The account takes and pays out money.
    Active,
    /// Reported lost to the platform (金融功能挂失): the bank must be called
    /// to complete the report and freeze the account.
    LossReported,
    /// The bank closed the account (a change of bank, a cancelled card).
    Closed,
}

/// `GET /v1/cards/{id}/financial-account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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

/// Where a payment comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum PaymentSource {
    /// The monthly pension (养老金), or withheld months paid after a
    /// suspension ended (补发: `months` lists them).
    Pension,
    /// A 惠民惠农 subsidy (`programme` names it).
    Subsidy,
    /// Migrant workers' wages (农民工工资) from a project's wage account.
    Wages,
}

/// One payment into the card's account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Payment {
    /// The payment.
    pub payment_id: String,
    /// The person paid.
    pub person_id: String,
    /// The card whose account received it.
    pub card_id: String,
    /// Where it comes from.
    pub source: PaymentSource,
    /// The programme, for subsidies (e.g. 耕地地力保护补贴) and wages (the
    /// project); the pension's scheme for pensions.
    pub programme: String,
    /// Amount in fen.
    pub amount_fen: u64,
    /// Who paid (a social insurance agency, a finance bureau, an employer).
    pub payer: String,
    /// The day paid (`YYYY-MM-DD`, China calendar).
    pub paid_on: String,
    /// The months a pension payment covers (`YYYY-MM`): one for a monthly
    /// payment, several for the arrears paid after a suspension (补发).
    pub months: Vec<String>,
    /// Whether it is sample data of the reference platform.
    pub sample: bool,
}

/// `GET /v1/me/payments` answer: newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PaymentPage {
    /// The payments of this page.
    pub payments: Vec<Payment>,
    /// The `before` of the next (older) page; null on the last.
    pub next_before: Option<u64>,
}

/// The answer to `POST /v1/cards/{id}/financial-loss-reports`: the bank
/// function is reported lost here, and the bank must be called to complete
/// it. The card's social-security function and the e-card are unaffected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FinancialLossReport {
    /// The account, now `loss_reported`.
    pub account: FinancialAccount,
    /// The bank's hotline to call.
    pub bank_hotline: Option<String>,
    /// Whether the bank must still be contacted to complete the report
    /// (always: the platform cannot freeze a bank account).
    pub bank_contact_required: bool,
    /// What to do next, in Chinese.
    pub next_step: String,
}
