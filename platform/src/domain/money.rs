//! The card's money: the financial account of each card's bank function,
//! the payments into it, and the financial loss report (金融功能挂失).
//!
//! A social security card is also a bank card of its co-branded bank: the
//! social-security function (the card's status, its e-card, loss reports)
//! belongs to [`crate::domain::cards`], the bank function to this module.
//! They are kept apart on purpose: a financial loss report freezes nothing
//! of the social-security side — the medical code still resolves and no
//! credential's status bit changes — and the bank must still be called to
//! freeze the account itself, so the answer names its hotline.
//!
//! The platform keeps only what a bank shares: the account number masked
//! and its last four digits, never the full number. Payments are written
//! by their producers (the pension by [`crate::domain::eligibility`], the
//! sample subsidies and wages at seeding) through [`record_payment`].

use crate::store::sql::{Transaction, params};
use ecard_api::money::{BankFunctionState, FinancialAccount, Payment, PaymentPage, PaymentSource};
use ecard_api::problem::ProblemCode;
use ecard_api::rules::Bank;
use ecard_documents::Date;

use crate::error::{ApiError, ApiResult};
use crate::store::codec::{enum_name, parse_enum};
use crate::store::db::new_id;
use crate::store::rows::card;

/// What to do after a financial loss report, in Chinese.
pub const BANK_CONTACT_STEP: &str = "金融功能挂失已登记：请尽快拨打发卡银行客服电话或到银行网点完成挂失，银行冻结账户后才生效。社保功能和电子社保卡不受影响。";

/// The issuer identification prefix (BIN) of the sample accounts per bank:
/// plausible debit-card prefixes, sample data.
fn bin_of(bank: &str) -> &'static str {
    match bank {
        "icbc" => "6212",
        "abc" => "6228",
        "boc" => "6217",
        "ccb" => "6217",
        "bocom" => "6222",
        "psbc" => "6221",
        "cmb" => "6214",
        "cib" => "6229",
        _ => "6230",
    }
}

/// Opens the financial account of a newly made card at its co-branded
/// bank: a fresh account number of which only the masked form and the last
/// four digits are stored.
pub fn open_account(tx: &Transaction<'_>, card_id: &str, bank: &str, now: u64) -> ApiResult<()> {
    let digits: String = new_id("acct")
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|byte| char::from(b'0' + byte % 10))
        .collect();
    let last4: String = digits
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let masked = format!("{} **** **** {last4:0>4}", bin_of(bank));
    tx.execute(
        "INSERT INTO financial_accounts (card_id, bank, account_masked, last4, opened_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![card_id, bank, masked, format!("{last4:0>4}"), now as i64],
    )?;
    Ok(())
}

/// The financial account of `card_id`, opened now if the card predates
/// the accounts (a card made before the platform knew them).
pub fn account(tx: &Transaction<'_>, card_id: &str, now: u64) -> ApiResult<FinancialAccount> {
    let row = card(tx, card_id)?;
    open_account(tx, card_id, &row.bank, now)?;
    let (bank_code, masked, state, loss_reported_at): (String, String, String, Option<i64>) = tx
        .query_row(
            "SELECT bank, account_masked, state, loss_reported_at FROM financial_accounts WHERE card_id = ?1",
            params![card_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    let mut state: BankFunctionState = parse_enum(&state)?;
    let closed: bool = tx.query_row(
        "SELECT bank_account_closed FROM cards WHERE card_id = ?1",
        params![card_id],
        |r| r.get(0),
    )?;
    if state == BankFunctionState::Active && closed {
        state = BankFunctionState::Closed;
    }
    let rules = crate::domain::rules::rules_for(tx, &row.region)?;
    let bank = rules
        .banks
        .iter()
        .find(|bank| bank.code == bank_code)
        .cloned()
        .unwrap_or(Bank {
            name: bank_code.clone(),
            code: bank_code,
            hotline: None,
        });
    Ok(FinancialAccount {
        card_id: card_id.to_owned(),
        bank,
        account_masked: masked,
        state,
        loss_reported_at: loss_reported_at.map(|at| at as u64),
    })
}

/// Who reports the bank function lost, and under which mandate.
pub struct FinancialReporter<'a> {
    /// The account that reports.
    pub account_id: &'a str,
    /// The mandate it acts under, if not for itself.
    pub mandate_id: Option<&'a str>,
}

/// Reports the bank function of `card_id` lost (金融功能挂失). Only the
/// account's state changes: the card's status, its e-card and credentials
/// are left as they are.
pub fn report_financial_loss(
    tx: &Transaction<'_>,
    card_id: &str,
    reporter: &FinancialReporter<'_>,
    now: u64,
) -> ApiResult<FinancialAccount> {
    let current = account(tx, card_id, now)?;
    match current.state {
        BankFunctionState::Active => {}
        BankFunctionState::LossReported => {
            return Err(ApiError::state(
                "the bank function is already reported lost: call the bank to complete it",
            ));
        }
        BankFunctionState::Closed => {
            return Err(ApiError::new(
                ProblemCode::InvalidState,
                "the bank closed this card's account",
            ));
        }
    }
    tx.execute(
        "UPDATE financial_accounts SET state = ?1, loss_reported_at = ?2, loss_reported_by = ?3, mandate_id = ?4 \
         WHERE card_id = ?5",
        params![
            enum_name(&BankFunctionState::LossReported),
            now as i64,
            reporter.account_id,
            reporter.mandate_id,
            card_id
        ],
    )?;
    account(tx, card_id, now)
}

/// A payment to record.
pub struct NewPayment<'a> {
    /// The person paid.
    pub person_id: &'a str,
    /// The card whose account receives it.
    pub card_id: &'a str,
    /// Where it comes from.
    pub source: PaymentSource,
    /// The programme or scheme.
    pub programme: &'a str,
    /// Amount in fen.
    pub amount_fen: u64,
    /// Who pays.
    pub payer: &'a str,
    /// When it is paid (Unix seconds).
    pub paid_at: u64,
    /// The pension months it covers.
    pub months: &'a [String],
    /// Whether it is sample data.
    pub sample: bool,
}

/// Records a payment into a card's account; returns its id.
pub fn record_payment(tx: &Transaction<'_>, payment: &NewPayment<'_>) -> ApiResult<String> {
    let payment_id = new_id("pay");
    let paid_on = Date::in_china_at(payment.paid_at)
        .map(|date| date.to_string())
        .unwrap_or_default();
    tx.execute(
        "INSERT INTO payments (payment_id, person_id, card_id, source, programme, amount_fen, payer, paid_on, paid_at, months, sample) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            payment_id,
            payment.person_id,
            payment.card_id,
            enum_name(&payment.source),
            payment.programme,
            i64::try_from(payment.amount_fen).unwrap_or(i64::MAX),
            payment.payer,
            paid_on,
            payment.paid_at as i64,
            serde_json::to_string(payment.months)?,
            payment.sample
        ],
    )?;
    Ok(payment_id)
}

type PaymentRow = (i64, Payment);

fn payment_from_row(row: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<PaymentRow> {
    let source: String = row.get(5)?;
    let months: String = row.get(10)?;
    Ok((
        row.get(0)?,
        Payment {
            payment_id: row.get(1)?,
            person_id: row.get(2)?,
            card_id: row.get(3)?,
            programme: row.get(4)?,
            source: parse_enum(&source)?,
            amount_fen: row.get::<_, i64>(6)?.max(0) as u64,
            payer: row.get(7)?,
            paid_on: row.get(8)?,
            sample: row.get(9)?,
            months: serde_json::from_str(&months)
                .map_err(|error| crate::store::sql::Error::conversion(10, Box::new(error)))?,
        },
    ))
}

/// The payments into `person_id`'s card accounts, newest first, `limit` at
/// a time, older than the cursor `before`.
pub fn payments(
    tx: &Transaction<'_>,
    person_id: &str,
    before: Option<u64>,
    limit: u32,
) -> ApiResult<PaymentPage> {
    let before = before.map_or(i64::MAX, |before| i64::try_from(before).unwrap_or(i64::MAX));
    let mut statement = tx.prepare(
        "SELECT seq, payment_id, person_id, card_id, programme, source, amount_fen, payer, paid_on, sample, months \
         FROM payments WHERE person_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let mut rows = statement
        .query_map(
            params![person_id, before, i64::from(limit) + 1],
            payment_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_before = if more {
        rows.last().map(|(seq, _)| *seq as u64)
    } else {
        None
    };
    Ok(PaymentPage {
        payments: rows.into_iter().map(|(_, payment)| payment).collect(),
        next_before,
    })
}

/// The sample programmes of the seeded population: 惠民惠农 subsidies and a
/// project's wages for migrant workers, paid on fixed days of past months
/// (sample data, `docs/sample-data.md`).
pub struct SampleStream<'a> {
    /// Where it comes from.
    pub source: PaymentSource,
    /// The programme.
    pub programme: &'a str,
    /// The payer.
    pub payer: &'a str,
    /// Amount per payment, fen.
    pub amount_fen: u64,
    /// Months between payments.
    pub every_months: u32,
    /// Day of the month it is paid.
    pub day: u8,
}

/// Records the sample payments of `stream` into the current card of
/// `person_id` for the `months` months before `now`.
pub fn seed_sample(
    tx: &Transaction<'_>,
    person_id: &str,
    card_id: &str,
    stream: &SampleStream<'_>,
    months: u32,
    now: u64,
) -> ApiResult<()> {
    let Some(today) = Date::in_china_at(now) else {
        return Ok(());
    };
    let mut back = months;
    while back > 0 {
        let Some(day) = months_before(today, back, stream.day) else {
            back -= 1;
            continue;
        };
        let paid_at = u64::try_from(day.china_midnight_unix_seconds()).unwrap_or(0) + 9 * 3_600;
        if paid_at < now {
            record_payment(
                tx,
                &NewPayment {
                    person_id,
                    card_id,
                    source: stream.source,
                    programme: stream.programme,
                    amount_fen: stream.amount_fen,
                    payer: stream.payer,
                    paid_at,
                    months: &[],
                    sample: true,
                },
            )?;
        }
        back = back.saturating_sub(stream.every_months.max(1));
    }
    Ok(())
}

/// The day `day` of the month `back` months before `today`'s month.
pub fn months_before(today: Date, back: u32, day: u8) -> Option<Date> {
    let index = i64::from(today.year()) * 12 + i64::from(today.month()) - 1 - i64::from(back);
    let year = u16::try_from(index.div_euclid(12)).ok()?;
    let month = u8::try_from(index.rem_euclid(12) + 1).ok()?;
    Date::new(year, month, day)
}
