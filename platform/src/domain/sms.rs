//! Text messages to the phone on record: one-time codes and security
//! notices ("your e-card was enrolled on a new phone").
//!
//! The platform sends through [`SmsGateway`]. A deployment plugs in its
//! operator's gateway; the reference platform ships [`SmsOutbox`], which
//! writes each message to a table in the same transaction as the act that
//! sent it, and the operator (tests, the demo) reads it at
//! `GET /admin/sms?phone=…`. Messages never go to the log.

use crate::store::sql::{Transaction, params};
use ring::digest::{SHA256, digest};
use serde::Serialize;

use crate::error::ApiResult;
use crate::store::codec::hex;

/// What a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsKind {
    /// A one-time code for enrolment.
    EnrolmentCode,
    /// A one-time code for changing the phone on record.
    PhoneChangeCode,
    /// A security notice.
    Notice,
}

/// Sends text messages.
pub trait SmsGateway: Send + Sync {
    /// Sends `text` to `phone` as part of the transaction `tx`.
    fn send(
        &self,
        tx: &Transaction<'_>,
        phone: &str,
        kind: SmsKind,
        text: &str,
        now: u64,
    ) -> ApiResult<()>;
}

/// The reference gateway: an outbox table the operator reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct SmsOutbox;

impl SmsGateway for SmsOutbox {
    fn send(
        &self,
        tx: &Transaction<'_>,
        phone: &str,
        kind: SmsKind,
        text: &str,
        now: u64,
    ) -> ApiResult<()> {
        tx.execute(
            "INSERT INTO sms_outbox (phone, kind, body, sent_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                phone,
                crate::store::codec::enum_name(&kind),
                text,
                now as i64
            ],
        )?;
        Ok(())
    }
}

/// A message in the reference outbox, as the operator reads it.
#[derive(Clone, Debug, Serialize)]
pub struct SentSms {
    /// The message's number in the outbox.
    pub sms_id: i64,
    /// Where it went.
    pub phone: String,
    /// What it is for (`enrolment_code`, `phone_change_code`, `notice`).
    pub kind: String,
    /// The text.
    pub body: String,
    /// When it was sent, Unix seconds.
    pub sent_at: i64,
}

/// What [`SmsOutbox`] sent to `phone` (to every phone when empty), newest
/// first, at most 50 messages.
pub fn outbox(tx: &Transaction<'_>, phone: &str) -> ApiResult<Vec<SentSms>> {
    let mut statement = tx.prepare(
        "SELECT sms_id, phone, kind, body, sent_at FROM sms_outbox \
         WHERE ?1 = '' OR phone = ?1 ORDER BY sms_id DESC LIMIT 50",
    )?;
    let messages = statement
        .query_map(params![phone], |row| {
            Ok(SentSms {
                sms_id: row.get(0)?,
                phone: row.get(1)?,
                kind: row.get(2)?,
                body: row.get(3)?,
                sent_at: row.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(messages)
}

/// A fresh six-digit code.
pub fn new_code() -> String {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 8];
    // Without randomness no code can be made safely; a failing RNG yields a
    // code no one can guess from the clock either way, but it never fails
    // on supported systems.
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    format!("{:06}", u64::from_le_bytes(bytes) % 1_000_000)
}

/// How a one-time code is stored: salted with what it is for, so a leaked
/// table does not give codes away by lookup across rows.
pub fn code_hash(salt: &str, code: &str) -> String {
    hex(digest(&SHA256, format!("ecard-otp-v1\n{salt}\n{code}").as_bytes()).as_ref())
}

/// Compares two equal-length hex digests without an early exit.
pub fn same_digest(left: &str, right: &str) -> bool {
    left.len() == right.len()
        && left
            .bytes()
            .zip(right.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// Masks a phone number for display: `138****8000`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    if digits.len() < 7 {
        return "*".repeat(digits.len());
    }
    let head: String = digits[..3].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..50).map(|_| new_code()).collect();
        assert!(
            codes
                .iter()
                .all(|code| code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(codes.len() > 40);
    }

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn digests_compare_whole() {
        let hash = code_hash("e1", "123456");
        assert!(same_digest(&hash, &code_hash("e1", "123456")));
        assert!(!same_digest(&hash, &code_hash("e2", "123456")));
        assert!(!same_digest(&hash, "ab"));
    }
}
