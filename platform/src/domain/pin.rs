//! The e-card PIN (电子社保卡密码): six digits, set at issuance, asked for the
//! acts that matter (unlinking a device, approving one, deleting the
//! account, releasing a loss report, accepting or consenting to a mandate,
//! changing the phone on record).
//!
//! The platform keeps only an Argon2id hash with a random salt. Wrong tries
//! count against the account ([`crate::domain::limits`]); after the region's number
//! of tries the PIN locks for the region's period, and a face check resets
//! it. Checking the PIN buys a single-use *grant* for one act on one device
//! for a few minutes, so an act that waits in the phone's outbox carries the
//! grant, never the PIN.
//!
//! Hashing costs tens of milliseconds on purpose, so it is done before the
//! request takes the database connection ([`HashedAhead`]); the
//! transaction only looks the results up, and hashes itself only when what
//! it meets is not what was hashed ahead.

use crate::store::sql::{OptionalExtension, Transaction, params};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use ecard_api::identity::{NoticeKind, PIN_DIGITS, PinAction};
use ecard_api::problem::ProblemCode;
use ecard_documents::Date;
use ring::digest::{SHA256, digest};
use ring::rand::SecureRandom as _;
use std::sync::atomic::{AtomicU32, Ordering};
use zeroize::Zeroizing;

use crate::domain::access::Caller;
use crate::domain::limits;
use crate::error::{ApiError, ApiResult};
use crate::store::codec::hex;

/// How long a grant lasts, seconds.
pub const GRANT_SECONDS: u64 = 600;

/// Argon2id cost: 19 MiB, 2 passes, 1 lane (the OWASP minimum for Argon2id).
const MEMORY_KIB: u32 = 19 * 1_024;

const PASSES: u32 = 2;

const LANES: u32 = 1;

/// Why a new PIN is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakPin {
    /// Not six digits.
    Format,
    /// One digit repeated, a run up or down, or a repeated pair or triple.
    Pattern,
    /// A form of the birth date or the end of the document number.
    Personal,
}

/// Whether `pin` has the form of a PIN: six ASCII digits.
pub fn is_well_formed(pin: &str) -> bool {
    pin.len() == PIN_DIGITS && pin.bytes().all(|byte| byte.is_ascii_digit())
}

/// Checks a new PIN: six digits, no pattern, nothing from the person's
/// birth date or document number.
pub fn check_strength(pin: &str, birth_date: Date, id_number: &str) -> Result<(), WeakPin> {
    // Copies of the PIN's digits are wiped when this check ends.
    if !is_well_formed(pin) {
        return Err(WeakPin::Format);
    }
    let digits = Zeroizing::new(pin.bytes().collect::<Vec<u8>>());
    let steps = Zeroizing::new(
        digits
            .windows(2)
            .map(|pair| i16::from(pair[1]) - i16::from(pair[0]))
            .collect::<Vec<i16>>(),
    );
    let run = |step: i16| {
        steps
            .iter()
            .all(|difference| *difference == step || *difference == step - 10 * step.signum())
    };
    let repeated = |period: usize| {
        digits
            .iter()
            .enumerate()
            .all(|(index, digit)| *digit == digits[index % period])
    };
    if run(0) || run(1) || run(-1) || repeated(2) || repeated(3) {
        return Err(WeakPin::Pattern);
    }
    let date: String = birth_date
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if date.len() == 8 {
        let (year, month, day) = (&date[..4], &date[4..6], &date[6..8]);
        let forms = [
            format!("{}{month}{day}", &year[2..]),
            format!("{month}{day}{}", &year[2..]),
            format!("{day}{month}{}", &year[2..]),
            year.to_owned() + month,
            format!("{month}{day}{}", &year[..2]),
        ];
        if forms.iter().any(|form| form == pin) {
            return Err(WeakPin::Personal);
        }
    }
    let number = id_number.trim();
    let tail: String = number
        .chars()
        .rev()
        .take(7)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if number.len() >= 6 && (number.ends_with(pin) || tail.contains(pin)) {
        return Err(WeakPin::Personal);
    }
    Ok(())
}

fn hasher(memory: u32, passes: u32, lanes: u32) -> ApiResult<Argon2<'static>> {
    let params = Params::new(memory, passes, lanes, Some(32))
        .map_err(|_| ApiError::new(ProblemCode::Internal, "PIN hashing parameters"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a PIN with a fresh salt: `argon2id$m,t,p$salt$hash`.
pub fn hash(pin: &str) -> ApiResult<String> {
    let mut salt = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "no randomness"))?;
    let mut out = [0u8; 32];
    hasher(MEMORY_KIB, PASSES, LANES)?
        .hash_password_into(pin.as_bytes(), &salt, &mut out)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "PIN hashing failed"))?;
    Ok(format!(
        "argon2id${MEMORY_KIB},{PASSES},{LANES}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    ))
}

/// Whether `pin` matches a stored hash (with the cost it was made with).
pub fn matches(pin: &str, stored: &str) -> ApiResult<bool> {
    let broken = || ApiError::new(ProblemCode::Internal, "stored PIN hash unreadable");
    let mut parts = stored.split('$');
    let (Some("argon2id"), Some(cost), Some(salt), Some(expected), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(broken());
    };
    let cost: Vec<u32> = cost
        .split(',')
        .filter_map(|part| part.parse().ok())
        .collect();
    let [memory, passes, lanes] = cost[..] else {
        return Err(broken());
    };
    let salt = STANDARD_NO_PAD.decode(salt).map_err(|_| broken())?;
    let expected = STANDARD_NO_PAD.decode(expected).map_err(|_| broken())?;
    let mut out = vec![0u8; expected.len()];
    hasher(memory, passes, lanes)?
        .hash_password_into(pin.as_bytes(), &salt, &mut out)
        .map_err(|_| broken())?;
    Ok(crate::domain::sms::same_digest(&hex(&out), &hex(&expected)))
}

/// One request's PIN hashing, done before it took the database connection:
/// new PINs hashed with fresh salts, and given PINs checked against the
/// stored hash read just before. A lookup matches on the exact inputs
/// (the PIN, and the stored hash it is checked against), so a result is
/// used only for the question it answers; anything else is hashed in the
/// transaction and counted ([`HashedAhead::hashed_in_transaction`]).
#[derive(Default)]
pub struct HashedAhead {
    new_pins: Vec<(Zeroizing<String>, String)>,
    checks: Vec<(Zeroizing<String>, String, bool)>,
    in_transaction: AtomicU32,
}

impl HashedAhead {
    /// Hashes `pin` with a fresh salt, for a later [`set`].
    pub fn hash_new(&mut self, pin: &str) -> ApiResult<()> {
        let hashed = hash(pin)?;
        self.new_pins.push((Zeroizing::new(pin.to_owned()), hashed));
        Ok(())
    }

    /// Checks `pin` against `stored`, for a later [`verify`].
    pub fn check(&mut self, pin: &str, stored: &str) -> ApiResult<()> {
        let matched = matches(pin, stored)?;
        self.checks
            .push((Zeroizing::new(pin.to_owned()), stored.to_owned(), matched));
        Ok(())
    }

    /// How many hashes were made ahead.
    pub fn hashed_ahead(&self) -> usize {
        self.new_pins.len() + self.checks.len()
    }

    /// How many hashes the transaction had to make itself.
    pub fn hashed_in_transaction(&self) -> u32 {
        self.in_transaction.load(Ordering::Relaxed)
    }

    fn hash(&self, pin: &str) -> ApiResult<String> {
        if let Some((_, hashed)) = self
            .new_pins
            .iter()
            .find(|(given, _)| given.as_str() == pin)
        {
            return Ok(hashed.clone());
        }
        self.in_transaction.fetch_add(1, Ordering::Relaxed);
        hash(pin)
    }

    fn matches(&self, pin: &str, stored: &str) -> ApiResult<bool> {
        if let Some((_, _, matched)) = self
            .checks
            .iter()
            .find(|(given, checked, _)| given.as_str() == pin && checked == stored)
        {
            return Ok(*matched);
        }
        self.in_transaction.fetch_add(1, Ordering::Relaxed);
        matches(pin, stored)
    }
}

/// The refusal of a weak PIN.
pub fn weak(error: WeakPin) -> ApiError {
    let detail = match error {
        WeakPin::Format => "the PIN must be six digits",
        WeakPin::Pattern => "the PIN must not repeat or run digits (such as 111111 or 123456)",
        WeakPin::Personal => "the PIN must not be taken from the birth date or the document number",
    };
    ApiError(ecard_api::problem::Problem::new(ProblemCode::PinTooSimple, detail).with_field("pin"))
}

/// Sets (or replaces) the PIN of an account after checking its strength.
pub fn set(
    tx: &Transaction<'_>,
    account_id: &str,
    person: &crate::store::rows::Person,
    pin: &str,
    (now, ahead): (u64, &HashedAhead),
) -> ApiResult<()> {
    check_strength(pin, person.birth_date, &person.id_number).map_err(weak)?;
    let hashed = ahead.hash(pin)?;
    tx.execute(
        "INSERT INTO pins (account_id, hash, set_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT(account_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
        params![account_id, hashed, now as i64],
    )?;
    tx.execute(
        "DELETE FROM attempt_limits WHERE kind = 'pin' AND subject = ?1",
        params![account_id],
    )?;
    Ok(())
}

/// The PIN limit of the account holder's region.
fn limit_for(
    tx: &Transaction<'_>,
    person: &crate::store::rows::Person,
) -> ApiResult<limits::Limit> {
    let rules =
        crate::domain::rules::rules_for(tx, &crate::domain::rules::province_of(&person.region))?;
    Ok(limits::pin(
        rules.account_security.pin_tries,
        rules.account_security.pin_lock_minutes,
    ))
}

/// Checks the caller's PIN. A wrong PIN is counted (and the request must
/// still commit: see `Reply::problem` in the HTTP layer); the error says how many tries are
/// left or that the PIN is locked.
pub fn verify(
    tx: &Transaction<'_>,
    caller: &Caller,
    pin: &str,
    (now, ahead): (u64, &HashedAhead),
) -> ApiResult<()> {
    let (stored, limit) = checkable_hash(tx, &caller.account_id, &caller.person_id, now)??;
    if ahead.matches(pin, &stored)? {
        limits::succeed(tx, limit, &caller.account_id)?;
        return Ok(());
    }
    if limits::fail(tx, limit, &caller.account_id, now)? {
        crate::domain::devices::notify(tx, &caller.account_id, NoticeKind::PinLocked, None, now)?;
        return Err(ApiError::new(
            ProblemCode::PinLocked,
            "too many wrong PINs: the PIN is locked; reset it with a face check",
        ));
    }
    let left = limits::tries_left(tx, limit, &caller.account_id)?;
    Err(ApiError::new(
        ProblemCode::PinWrong,
        format!("the PIN is wrong; {left} tries left"),
    ))
}

/// The stored hash of an account's PIN, if one is set.
fn stored_hash(tx: &Transaction<'_>, account_id: &str) -> ApiResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT hash FROM pins WHERE account_id = ?1",
            params![account_id],
            |row| row.get(0),
        )
        .optional()?)
}

/// The hash a PIN given for the account is checked against, with the
/// account's PIN limit; the inner error is the refusal when the PIN is
/// locked or not set (nothing is checked then).
fn checkable_hash(
    tx: &Transaction<'_>,
    account_id: &str,
    person_id: &str,
    now: u64,
) -> ApiResult<Result<(String, limits::Limit), ApiError>> {
    let person = crate::store::rows::person(tx, person_id)?;
    let limit = limit_for(tx, &person)?;
    if let Some(retry_after) = limits::locked_for(tx, limit, account_id, now)? {
        return Ok(Err(ApiError::new(
            ProblemCode::PinLocked,
            format!("the PIN is locked for {retry_after} more seconds; reset it with a face check"),
        )));
    }
    Ok(stored_hash(tx, account_id)?
        .map(|stored| (stored, limit))
        .ok_or_else(|| {
            ApiError::new(
                ProblemCode::PinLocked,
                "no PIN is set for this account; set one with a face check",
            )
        }))
}

/// The hash a PIN given for the account would be checked against: none
/// when no PIN is set or the PIN is locked (nothing is checked then).
pub fn hash_to_check_against(
    tx: &Transaction<'_>,
    account_id: &str,
    person_id: &str,
    now: u64,
) -> ApiResult<Option<String>> {
    Ok(checkable_hash(tx, account_id, person_id, now)?
        .ok()
        .map(|(stored, _)| stored))
}

/// Whether the account has a PIN.
pub fn is_set(tx: &Transaction<'_>, account_id: &str) -> ApiResult<bool> {
    Ok(stored_hash(tx, account_id)?.is_some())
}

pub(crate) fn grant_hash(grant: &str) -> String {
    hex(digest(&SHA256, grant.as_bytes()).as_ref())
}

/// Issues a fresh single-use grant for `action` to the caller's device, after
/// the PIN was verified. Only the grant's hash is stored.
pub fn issue_grant(
    tx: &Transaction<'_>,
    caller: &Caller,
    action: PinAction,
    now: u64,
) -> ApiResult<ecard_api::identity::PinGrant> {
    use base64::Engine as _;
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 24];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "no randomness"))?;
    let grant = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let expires_at = now + GRANT_SECONDS;
    tx.execute(
        "INSERT INTO pin_grants (grant_hash, account_id, device_id, action, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            grant_hash(&grant),
            caller.account_id,
            caller.device_id,
            crate::store::codec::enum_name(&action),
            expires_at as i64
        ],
    )?;
    Ok(ecard_api::identity::PinGrant {
        pin_grant: grant,
        action,
        expires_at,
    })
}

/// Spends a grant for `action`: it must be the caller's, on this device,
/// for this act, fresh and unused.
pub fn spend(
    tx: &Transaction<'_>,
    caller: &Caller,
    grant: Option<&str>,
    action: PinAction,
    now: u64,
) -> ApiResult<()> {
    let required = || {
        ApiError(
            ecard_api::problem::Problem::new(
                ProblemCode::PinRequired,
                format!(
                    "this act needs the e-card PIN: a fresh grant for {}",
                    crate::store::codec::enum_name(&action)
                ),
            )
            .with_field("pin_grant"),
        )
    };
    let grant = grant.ok_or_else(required)?;
    let spent = tx.execute(
        "UPDATE pin_grants SET used_at = ?1 WHERE grant_hash = ?2 AND account_id = ?3 AND device_id = ?4 \
         AND action = ?5 AND expires_at > ?1 AND used_at IS NULL",
        params![now as i64, grant_hash(grant), caller.account_id, caller.device_id, crate::store::codec::enum_name(&action)],
    )?;
    if spent == 1 { Ok(()) } else { Err(required()) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn trivial_and_personal_pins_are_refused() {
        let birth = Date::parse("1949-12-31").unwrap();
        let number = "11010519491231002X";
        for pin in [
            "123456", "654321", "111111", "890123", "121212", "123123", "987654",
        ] {
            assert_eq!(
                check_strength(pin, birth, number),
                Err(WeakPin::Pattern),
                "{pin}"
            );
        }
        for pin in ["491231", "123149", "311249", "194912", "123119", "31002X"] {
            assert!(check_strength(pin, birth, number).is_err(), "{pin}");
        }
        for pin in ["12345", "1234567", "12a456", ""] {
            assert_eq!(
                check_strength(pin, birth, number),
                Err(WeakPin::Format),
                "{pin}"
            );
        }
        assert_eq!(check_strength("135790", birth, number), Ok(()));
        assert_eq!(check_strength("246813", birth, number), Ok(()));
    }

    #[test]
    fn hashes_are_salted_and_verify() {
        let first = hash("135790").unwrap();
        let second = hash("135790").unwrap();
        assert_ne!(first, second);
        assert!(!first.contains("135790"));
        assert!(matches("135790", &first).unwrap());
        assert!(!matches("135791", &first).unwrap());
        assert!(matches("135790", "garbage").is_err());
    }

    #[test]
    fn work_done_ahead_answers_only_the_question_it_was_done_for() {
        let stored = hash("135790").unwrap();
        let mut ahead = HashedAhead::default();
        ahead.hash_new("246813").unwrap();
        ahead.check("135790", &stored).unwrap();
        ahead.check("135791", &stored).unwrap();
        assert_eq!(ahead.hashed_ahead(), 3);

        let new = ahead.hash("246813").unwrap();
        assert!(matches("246813", &new).unwrap());
        assert!(ahead.matches("135790", &stored).unwrap());
        assert!(!ahead.matches("135791", &stored).unwrap());
        assert_eq!(ahead.hashed_in_transaction(), 0);

        // The PIN was changed between the look-ahead and the transaction:
        // the check made ahead is not used for the new stored hash.
        let changed = hash("135791").unwrap();
        assert!(ahead.matches("135791", &changed).unwrap());
        assert!(!ahead.matches("135790", &changed).unwrap());
        // Another PIN than the one hashed ahead is hashed in the transaction.
        let other = ahead.hash("975318").unwrap();
        assert!(matches("975318", &other).unwrap());
        assert_eq!(ahead.hashed_in_transaction(), 3);
    }
}
