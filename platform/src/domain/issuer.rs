//! The issuer: signing keys with rotation, the signed trust list (under the
//! platform's authority key), the status list and device-credential
//! issuance.
//!
//! Status indices are allocated per credential (never per person), so the
//! index in a code does not link a holder's successive credentials. A loss
//! report sets the bits of every unexpired credential of the card; a release
//! clears them. Indices wrap after 2^24 allocations, by which time the
//! credentials that held them expired long ago. Every change of a status
//! bit is also recorded with the edition that made it
//! ([`crate::domain::status_history`]), so a terminal can fetch the signed
//! changes since the edition it holds instead of the whole list.

use crate::store::sql::{OptionalExtension, Transaction, params};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{CredentialSet, IssuedCredential};
use ecard_credential::keys::disclosure_groups;
use ecard_credential::{
    AuthorityKey, ConcessionClass, CredentialClaims, Handle, HolderRole, IssuerKey, PublicKey,
    RegionCode, SignedTrustList, SoftwareKey, StatusDelta, StatusList, StatusReference, Suite,
    TrustAuthority, TrustList, TrustedKey,
};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use ecard_documents::Date;

use crate::domain::dates::coming_of_age;
use crate::domain::status_history;
use crate::error::{ApiError, ApiResult};
use crate::store::db::{meta_get, meta_increment, meta_set};

/// A signed status list or delta: (sequence, valid until, bytes).
pub type SignedStatus = (i64, u64, Vec<u8>);

/// The last signed status list per list number, and the signed deltas to
/// it per (list, base edition), kept between requests so an unchanged
/// edition is not signed again for every reader.
#[derive(Debug, Default)]
pub struct StatusCache {
    lists: Mutex<HashMap<u8, SignedStatus>>,
    deltas: Mutex<HashMap<(u8, i64), SignedStatus>>,
}

/// The most signed deltas kept at once (bases terminals asked from).
const DELTA_CACHE_ENTRIES: usize = 64;

/// A delta up to this size is served even when the full list would be a
/// little smaller (tiny lists): it is cheap either way, and a terminal
/// that asked from its edition expects one. A larger delta is replaced by
/// the full list when that is smaller (a base days old at province scale).
const SMALL_DELTA_BYTES: usize = 4_096;

/// The status list all credentials use.
pub const STATUS_LIST: u8 = 0;

/// How long a retired key stays in the trust list: its credentials live at
/// most 72 hours.
const RETIRED_KEY_GRACE_SECONDS: u64 = 73 * 3_600;

/// How long a signed status list stays valid.
const STATUS_LIST_VALIDITY_SECONDS: u64 = 24 * 3_600;

const STATUS_INDEX_LIMIT: u64 = 1 << 24;

/// The status list covers the allocated indices in blocks of this many bits.
const STATUS_LIST_BLOCK: u64 = 8_192;

/// How far before its issue a credential's validity starts, so a terminal
/// whose clock is a little behind still accepts it.
const CREDENTIAL_BACKDATE_SECONDS: u64 = 300;

/// A credential cut short by a bound (a mandate's end, a ward's coming of
/// age) starts up to this much earlier still, so that its lifetime in whole
/// minutes ends exactly on the bound.
const CREDENTIAL_ALIGNMENT_SECONDS: u64 = 59;

fn internal(detail: &str) -> ApiError {
    ApiError::new(ProblemCode::Internal, detail)
}

/// Makes the first issuer key, of `suite`, if there is none (an existing
/// platform keeps its keys whatever `suite` says; it changes suite by
/// [`rotate`]).
pub fn ensure_key(tx: &Transaction<'_>, now: u64, suite: Suite) -> ApiResult<()> {
    let count: i64 = tx.query_row("SELECT COUNT(*) FROM issuer_keys", [], |row| row.get(0))?;
    if count == 0 {
        insert_key(tx, 1, suite, now.saturating_sub(86_400))?;
    }
    Ok(())
}

fn insert_key(tx: &Transaction<'_>, key_id: u32, suite: Suite, not_before: u64) -> ApiResult<()> {
    let (_, pkcs8) = SoftwareKey::generate(suite).map_err(|_| internal("key generation failed"))?;
    tx.execute(
        "INSERT INTO issuer_keys (key_id, suite, pkcs8, not_before) VALUES (?1, ?2, ?3, ?4)",
        params![key_id, suite.name(), pkcs8, not_before as i64],
    )?;
    meta_increment(tx, "trust_sequence")?;
    Ok(())
}

/// The key that signs now.
pub fn active_key(tx: &Transaction<'_>) -> ApiResult<IssuerKey> {
    let (key_id, suite, pkcs8): (u32, String, Vec<u8>) = tx.query_row(
        "SELECT key_id, suite, pkcs8 FROM issuer_keys WHERE not_after IS NULL ORDER BY key_id DESC LIMIT 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let suite = Suite::from_name(&suite).ok_or_else(|| internal("unknown issuer suite"))?;
    let key =
        SoftwareKey::from_pkcs8(suite, &pkcs8).map_err(|_| internal("issuer key unreadable"))?;
    Ok(IssuerKey::new(key_id, key))
}

/// Retires the active key and makes a new one of `suite`; returns its id.
pub fn rotate(tx: &Transaction<'_>, now: u64, suite: Suite) -> ApiResult<u32> {
    let last: u32 = tx.query_row("SELECT MAX(key_id) FROM issuer_keys", [], |row| row.get(0))?;
    tx.execute(
        "UPDATE issuer_keys SET not_after = ?1 WHERE not_after IS NULL",
        params![now as i64],
    )?;
    // Credentials start a little in the past (clock skew between phones and
    // terminals, and the alignment of a shortened lifetime on its bound);
    // the new key's window must cover that start.
    insert_key(
        tx,
        last + 1,
        suite,
        now.saturating_sub(CREDENTIAL_BACKDATE_SECONDS + CREDENTIAL_ALIGNMENT_SECONDS),
    )?;
    // A new edition of the status list, signed by the new key, so clients
    // holding one signed by the retired key (its ETag) fetch it again.
    bump_status_sequence(tx, now)?;
    Ok(last + 1)
}

/// How far past an edition's date an open-ended key (issuer or authority)
/// is listed as valid.
const OPEN_WINDOW_SECONDS: u64 = 365 * 86_400;

/// An unchanged trust list is signed again after this long, so the windows
/// of open-ended keys move on.
const TRUST_EDITION_REFRESH_SECONDS: u64 = 180 * 86_400;

/// Makes the platform's authority key (which signs trust lists), of
/// `suite`, if there is none.
pub fn ensure_authority_key(tx: &Transaction<'_>, now: u64, suite: Suite) -> ApiResult<()> {
    let count: i64 = tx.query_row("SELECT COUNT(*) FROM authority_keys", [], |row| row.get(0))?;
    if count == 0 {
        let (key, pkcs8) =
            SoftwareKey::generate(suite).map_err(|_| internal("key generation failed"))?;
        let key_id = AuthorityKey::key_id_of(key.public_key());
        tx.execute(
            "INSERT INTO authority_keys (key_id, suite, pkcs8, not_before) VALUES (?1, ?2, ?3, ?4)",
            params![
                key_id,
                suite.name(),
                pkcs8,
                now.saturating_sub(86_400) as i64
            ],
        )?;
    }
    Ok(())
}

fn load_key(suite: &str, pkcs8: &[u8]) -> ApiResult<SoftwareKey> {
    let suite = Suite::from_name(suite).ok_or_else(|| internal("unknown key suite"))?;
    SoftwareKey::from_pkcs8(suite, pkcs8).map_err(|_| internal("key unreadable"))
}

/// The authority key that signs trust lists at `now`: the oldest one still
/// in its window. During a rotation's overlap that is the outgoing key, so
/// terminals pinning only it take the editions that introduce its
/// successor; once its window ends, the successor signs.
fn active_authority(tx: &Transaction<'_>, now: u64) -> ApiResult<TrustAuthority> {
    let (suite, pkcs8): (String, Vec<u8>) = tx.query_row(
        "SELECT suite, pkcs8 FROM authority_keys WHERE not_after IS NULL OR not_after > ?1 \
         ORDER BY not_before ASC, key_id ASC LIMIT 1",
        params![now as i64],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(TrustAuthority::new(load_key(&suite, &pkcs8)?))
}

/// The overlap of an authority key rotation, in hours: at least a day, so
/// terminals refreshing daily meet an edition the outgoing key signs that
/// names its successor; at most 90 days.
pub const AUTHORITY_OVERLAP_HOURS: std::ops::RangeInclusive<u64> = 24..=90 * 24;

/// Rotates the authority key that signs trust lists, with an overlap: a new
/// key of `suite` joins the list now; the current key's window ends after
/// `overlap_hours`, and it signs until then (see [`active_authority`]).
/// Terminals that refresh during the overlap move to the new key on their
/// own; one that sleeps through it must be provisioned again. One rotation
/// at a time: while an overlap runs, another is refused.
pub fn rotate_authority_key(
    tx: &Transaction<'_>,
    now: u64,
    suite: Suite,
    overlap_hours: u64,
) -> ApiResult<(AuthorityKey, u64)> {
    if !AUTHORITY_OVERLAP_HOURS.contains(&overlap_hours) {
        return Err(ApiError::field(
            "overlap_hours",
            "between 24 and 2160 hours (90 days)",
        ));
    }
    let running: Option<i64> = tx
        .query_row(
            "SELECT MAX(not_after) FROM authority_keys WHERE not_after > ?1",
            params![now as i64],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    if let Some(until) = running {
        return Err(ApiError::state(format!(
            "an authority key rotation is in its overlap until {until}"
        )));
    }
    let outgoing_until = now + overlap_hours * 3_600;
    tx.execute(
        "UPDATE authority_keys SET not_after = ?1 WHERE not_after IS NULL",
        params![outgoing_until as i64],
    )?;
    let (key, pkcs8) =
        SoftwareKey::generate(suite).map_err(|_| internal("key generation failed"))?;
    let key_id = AuthorityKey::key_id_of(key.public_key());
    tx.execute(
        "INSERT INTO authority_keys (key_id, suite, pkcs8, not_before) VALUES (?1, ?2, ?3, ?4)",
        params![key_id, suite.name(), pkcs8, now as i64],
    )?;
    Ok((
        AuthorityKey::new(key.public_key(), now, now + OPEN_WINDOW_SECONDS),
        outgoing_until,
    ))
}

/// The content of the trust list at `now`: the active issuer key and
/// retired ones whose credentials may still be valid, and the authority
/// keys; open-ended windows end at `open_until`.
fn trust_list_content(
    tx: &Transaction<'_>,
    issuer_name: &str,
    now: u64,
    open_until: u64,
) -> ApiResult<TrustList> {
    let mut statement = tx.prepare(
        "SELECT key_id, suite, pkcs8, not_before, not_after FROM issuer_keys ORDER BY key_id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, u32>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Vec<u8>>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, Option<i64>>(4)?,
        ))
    })?;
    let mut keys = Vec::new();
    for row in rows {
        let (key_id, suite, pkcs8, not_before, not_after) = row?;
        let not_after = not_after.map_or(open_until, |end| end as u64);
        if not_after + RETIRED_KEY_GRACE_SECONDS <= now {
            continue;
        }
        keys.push(TrustedKey::for_issuer_key(
            &IssuerKey::new(key_id, load_key(&suite, &pkcs8)?),
            issuer_name,
            not_before as u64,
            not_after,
        ));
    }
    let mut statement = tx.prepare(
        "SELECT suite, pkcs8, not_before, not_after FROM authority_keys WHERE not_after IS NULL OR not_after > ?1 ORDER BY key_id",
    )?;
    let rows = statement.query_map(params![now as i64], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, Vec<u8>>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, Option<i64>>(3)?,
        ))
    })?;
    let mut authority_keys = Vec::new();
    for row in rows {
        let (suite, pkcs8, not_before, not_after) = row?;
        let key = load_key(&suite, &pkcs8)?;
        authority_keys.push(AuthorityKey::new(
            key.public_key(),
            not_before as u64,
            not_after.map_or(open_until, |end| end as u64),
        ));
    }
    let mut list = TrustList::new(0, now, keys);
    list.authority_keys = authority_keys;
    Ok(list)
}

/// The current edition of the signed trust list: (sequence, envelope JSON).
///
/// An edition never changes once published: while the keys stay the same
/// the stored envelope is served; when a key joins or leaves (or the edition
/// is half a year old) a new edition with the next sequence is signed by
/// the active authority key and stored.
pub fn signed_trust_list(
    tx: &Transaction<'_>,
    issuer_name: &str,
    now: u64,
) -> ApiResult<(u64, String)> {
    let last: Option<(i64, i64, String)> = tx
        .query_row(
            "SELECT sequence, issued_at, envelope FROM trust_list_editions ORDER BY sequence DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let mut floor = meta_get(tx, "trust_sequence")?.unwrap_or(0).max(0) as u64;
    let mut issued_at = now;
    if let Some((sequence, last_issued_at, envelope)) = last {
        let published = SignedTrustList::from_json(&envelope)
            .and_then(|signed| signed.unverified_list())
            .map_err(|_| internal("stored trust list unreadable"))?;
        let current = trust_list_content(
            tx,
            issuer_name,
            now,
            published.issued_at + OPEN_WINDOW_SECONDS,
        )?;
        let fresh = now < (last_issued_at as u64).saturating_add(TRUST_EDITION_REFRESH_SECONDS);
        if fresh
            && current.keys == published.keys
            && current.authority_keys == published.authority_keys
        {
            return Ok((sequence as u64, envelope));
        }
        floor = floor.max(sequence as u64);
        issued_at = issued_at.max(last_issued_at as u64);
    }
    let mut list = trust_list_content(tx, issuer_name, now, issued_at + OPEN_WINDOW_SECONDS)?;
    list.sequence = floor + 1;
    list.issued_at = issued_at;
    let envelope = active_authority(tx, issued_at)?
        .sign(&list)
        .map_err(|_| internal("trust list signing failed"))?
        .to_json();
    tx.execute(
        "INSERT INTO trust_list_editions (sequence, issued_at, envelope) VALUES (?1, ?2, ?3)",
        params![list.sequence as i64, issued_at as i64, envelope],
    )?;
    Ok((list.sequence, envelope))
}

/// The authority keys a terminal pins to take this platform's trust lists:
/// those the current edition names.
pub fn authority_keys(
    tx: &Transaction<'_>,
    issuer_name: &str,
    now: u64,
) -> ApiResult<Vec<AuthorityKey>> {
    let (_, envelope) = signed_trust_list(tx, issuer_name, now)?;
    let list = SignedTrustList::from_json(&envelope)
        .and_then(|signed| signed.unverified_list())
        .map_err(|_| internal("stored trust list unreadable"))?;
    Ok(list.authority_keys)
}

fn status_sequence_key(list: u8) -> String {
    format!("status_sequence_{list}")
}

/// Starts a new edition of the status list: the sequence advances and the
/// status-bit changes made since the last edition are stamped with it.
/// Every change of `status_bits` is followed by this, in its transaction.
fn bump_status_sequence(tx: &Transaction<'_>, now: u64) -> ApiResult<i64> {
    let sequence = meta_increment(tx, &status_sequence_key(STATUS_LIST))?;
    status_history::stamp(tx, STATUS_LIST, sequence, now)?;
    Ok(sequence)
}

/// The bits a list has now: the allocated indices, in whole blocks.
fn status_bit_count(tx: &Transaction<'_>) -> ApiResult<u32> {
    let allocated = meta_get(tx, "status_next_index")?.unwrap_or(0) as u64;
    let bit_count = allocated
        .clamp(1, STATUS_INDEX_LIMIT)
        .next_multiple_of(STATUS_LIST_BLOCK)
        .min(STATUS_INDEX_LIMIT);
    Ok(bit_count as u32)
}

/// The signed status list `list` with its sequence and end of validity,
/// re-signed only when it changed or half its validity has passed.
pub fn status_list(
    cache: &StatusCache,
    tx: &Transaction<'_>,
    list: u8,
    now: u64,
) -> ApiResult<SignedStatus> {
    let sequence = meta_get(tx, &status_sequence_key(list))?.unwrap_or(0);
    let mut cache = cache.lists.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(cached) = cache.get(&list)
        && still_fresh(cached, sequence, now)
    {
        return Ok(cached.clone());
    }
    let mut status =
        StatusList::new(list, status_bit_count(tx)?).map_err(|_| internal("status list size"))?;
    let mut statement = tx.prepare("SELECT idx FROM status_bits WHERE list = ?1")?;
    for index in statement.query_map(params![list], |row| row.get::<_, u32>(0))? {
        status
            .set_revoked(index?, true)
            .map_err(|_| internal("status index out of range"))?;
    }
    status.sequence = u32::try_from(sequence).unwrap_or(u32::MAX);
    status.issued_at = now;
    status.valid_until = now + STATUS_LIST_VALIDITY_SECONDS;
    let bytes = status
        .sign(&active_key(tx)?)
        .map_err(|_| internal("status list signing failed"))?;
    cache.insert(list, (sequence, status.valid_until, bytes.clone()));
    Ok((sequence, status.valid_until, bytes))
}

/// Whether a cached signed edition is of `sequence` and has more than half
/// its validity left at `now`.
fn still_fresh(cached: &SignedStatus, sequence: i64, now: u64) -> bool {
    cached.0 == sequence && cached.1.saturating_sub(now) > STATUS_LIST_VALIDITY_SECONDS / 2
}

/// The signed delta from edition `since` of list `list` to the current
/// edition, with the current sequence and the delta's end of validity.
/// `None` when the platform cannot make one (an edition in the future,
/// older than the kept history, or more than a delta may carry) or when
/// it would be larger than the full list (see [`SMALL_DELTA_BYTES`]):
/// serve the full list instead. A terminal already at the
/// current edition gets a delta with no changes, which renews its
/// validity. Cached per base and re-signed like the full list.
pub fn status_delta(
    cache: &StatusCache,
    tx: &Transaction<'_>,
    list: u8,
    since: u32,
    now: u64,
) -> ApiResult<Option<SignedStatus>> {
    let sequence = meta_get(tx, &status_sequence_key(list))?.unwrap_or(0);
    let since = i64::from(since);
    if since > sequence || since < status_history::floor(tx, list)? {
        return Ok(None);
    }
    {
        let deltas = cache.deltas.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cached) = deltas.get(&(list, since))
            && still_fresh(cached, sequence, now)
        {
            return Ok(Some(cached.clone()));
        }
    }
    let changes = status_history::changes_since(tx, list, since)?;
    if changes.len() > ecard_credential::status_delta::MAX_CHANGES as usize {
        return Ok(None);
    }
    let as_u32 = |value: i64| u32::try_from(value).map_err(|_| internal("status sequence"));
    let mut delta = StatusDelta::new(
        list,
        as_u32(since)?,
        as_u32(sequence)?,
        status_bit_count(tx)?,
        changes,
    )
    .map_err(|_| internal("status delta out of range"))?;
    delta.issued_at = now;
    delta.valid_until = now + STATUS_LIST_VALIDITY_SECONDS;
    let bytes = delta
        .sign(&active_key(tx)?)
        .map_err(|_| internal("status delta signing failed"))?;
    if bytes.len() > SMALL_DELTA_BYTES {
        let (_, _, full) = status_list(cache, tx, list, now)?;
        if bytes.len() > full.len() {
            return Ok(None);
        }
    }
    let signed = (sequence, delta.valid_until, bytes);
    let mut deltas = cache.deltas.lock().unwrap_or_else(PoisonError::into_inner);
    deltas.retain(|_, cached| cached.0 == sequence);
    if deltas.len() >= DELTA_CACHE_ENTRIES
        && let Some(&oldest) = deltas.keys().min_by_key(|(_, base)| *base)
    {
        deltas.remove(&oldest);
    }
    deltas.insert((list, since), signed.clone());
    Ok(Some(signed))
}

/// Sets or clears the status bits of every unexpired credential of a card.
/// Clearing spares credentials revoked on their own (an ended mandate):
/// releasing a loss report must not bring them back.
pub fn set_card_revoked(
    tx: &Transaction<'_>,
    card_id: &str,
    revoked: bool,
    now: u64,
) -> ApiResult<()> {
    let mut statement = tx.prepare(
        "SELECT status_list, status_index FROM credentials WHERE card_id = ?1 AND not_after > ?2 \
         AND (?3 OR revoked_at IS NULL)",
    )?;
    let references: Vec<(u8, u32)> = statement
        .query_map(params![card_id, now as i64, revoked], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    if references.is_empty() {
        return Ok(());
    }
    for (list, index) in &references {
        if revoked {
            tx.execute(
                "INSERT INTO status_bits (list, idx) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![list, index],
            )?;
        } else {
            tx.execute(
                "DELETE FROM status_bits WHERE list = ?1 AND idx = ?2",
                params![list, index],
            )?;
        }
    }
    bump_status_sequence(tx, now)?;
    Ok(())
}

fn allocate_status_index(tx: &Transaction<'_>, now: u64) -> ApiResult<u32> {
    let next = meta_get(tx, "status_next_index")?.unwrap_or(0) as u64;
    meta_set(tx, "status_next_index", (next + 1) as i64)?;
    let index = (next % STATUS_INDEX_LIMIT) as u32;
    if next < STATUS_INDEX_LIMIT && next > 0 && next.is_multiple_of(STATUS_LIST_BLOCK) {
        // The list grows by a block to cover this index: a new edition, or
        // terminals would keep one that does not cover the new credential.
        bump_status_sequence(tx, now)?;
    }
    if next >= STATUS_INDEX_LIMIT {
        // Reusing an index: its earlier credential expired long ago.
        let cleared = tx.execute(
            "DELETE FROM status_bits WHERE list = ?1 AND idx = ?2",
            params![STATUS_LIST, index],
        )?;
        if cleared > 0 {
            bump_status_sequence(tx, now)?;
        }
    }
    Ok(index)
}

/// Revokes, one by one, the unexpired credentials that the devices of
/// `agent_account` hold for the cards of `principal_person` as proxy or
/// guardian (the mandate ended); returns how many.
pub fn revoke_agent_credentials(
    tx: &Transaction<'_>,
    agent_account: &str,
    principal_person: &str,
    now: u64,
) -> ApiResult<usize> {
    let selection = "FROM credentials WHERE revoked_at IS NULL AND role != 'holder' AND not_after > ?3 \
         AND device_id IN (SELECT device_id FROM devices WHERE account_id = ?1) \
         AND card_id IN (SELECT card_id FROM cards WHERE person_id = ?2)";
    let arguments = params![agent_account, principal_person, now as i64];
    tx.execute(
        &format!("INSERT INTO status_bits (list, idx) SELECT status_list, status_index {selection} ON CONFLICT DO NOTHING"),
        arguments,
    )?;
    let revoked = tx.execute(
        &format!("UPDATE credentials SET revoked_at = ?3 WHERE credential_id IN (SELECT credential_id {selection})"),
        arguments,
    )?;
    if revoked > 0 {
        bump_status_sequence(tx, now)?;
    }
    Ok(revoked)
}

/// Revokes the unexpired credentials the holder's own devices hold for
/// their cards (a minor's e-card once no guardian allows it); returns how
/// many.
pub fn revoke_holder_credentials(
    tx: &Transaction<'_>,
    person_id: &str,
    now: u64,
) -> ApiResult<usize> {
    revoke_credentials_where(
        tx,
        "role = 'holder' AND card_id IN (SELECT card_id FROM cards WHERE person_id = ?1) \
         AND device_id IN (SELECT device_id FROM devices WHERE account_id IN \
             (SELECT account_id FROM accounts WHERE person_id = ?1))",
        person_id,
        now,
    )
}

/// Revokes every unexpired credential held by the devices of `account`
/// (the account was deleted); returns how many.
pub fn revoke_account_credentials(
    tx: &Transaction<'_>,
    account: &str,
    now: u64,
) -> ApiResult<usize> {
    revoke_credentials_where(
        tx,
        "device_id IN (SELECT device_id FROM devices WHERE account_id = ?1)",
        account,
        now,
    )
}

/// Revokes every unexpired credential held by one device (unlinking).
pub fn revoke_device_credentials(
    tx: &Transaction<'_>,
    device_id: &str,
    now: u64,
) -> ApiResult<usize> {
    revoke_credentials_where(tx, "device_id = ?1", device_id, now)
}

fn revoke_credentials_where(
    tx: &Transaction<'_>,
    device_filter: &str,
    argument: &str,
    now: u64,
) -> ApiResult<usize> {
    let selection =
        format!("FROM credentials WHERE revoked_at IS NULL AND not_after > ?2 AND {device_filter}");
    let arguments = params![argument, now as i64];
    tx.execute(
        &format!("INSERT INTO status_bits (list, idx) SELECT status_list, status_index {selection} ON CONFLICT DO NOTHING"),
        arguments,
    )?;
    let revoked = tx.execute(
        &format!("UPDATE credentials SET revoked_at = ?2 WHERE credential_id IN (SELECT credential_id {selection})"),
        arguments,
    )?;
    if revoked > 0 {
        bump_status_sequence(tx, now)?;
    }
    Ok(revoked)
}

/// What the issuer needs to know about the card and the device.
pub struct IssueFor<'a> {
    /// The card.
    pub card_id: &'a str,
    /// The card holder.
    pub person_id: &'a str,
    /// The holder's birth date.
    pub birth_date: Date,
    /// The card's province code.
    pub region: &'a str,
    /// The requesting device.
    pub device_id: &'a str,
    /// Its key.
    pub device_key: &'a PublicKey,
    /// How the device relates to the holder.
    pub role: HolderRole,
    /// When the mandate the device acts under ends (`None` for the holder).
    pub mandate_ends_at: Option<u64>,
    /// Credential lifetime from the regional rules.
    pub lifetime_hours: u32,
    /// The age of majority from the regional rules: a guardian's authority
    /// ends on the ward's birthday of this age, 00:00 China time.
    pub adult_age: u32,
    /// The card's last valid day (有效期), China calendar, if recorded.
    pub card_valid_through: Option<Date>,
    /// The concession class the region's rules give the holder
    /// ([`crate::domain::concessions::standing`]).
    pub concession: ConcessionClass,
    /// The school the holder is enrolled at, if any
    /// ([`crate::domain::concessions::standing`]): only then is the
    /// campus group (campus entry, library) issued, carrying it.
    pub affiliation: Option<ecard_credential::Affiliation>,
}

impl IssueFor<'_> {
    /// The earliest moment the device's authority over the card ends, if
    /// anything other than the credential lifetime bounds it: the end of
    /// the mandate (family proxy or guardian) and, for a guardian, the
    /// ward's coming of age. The card's own end ([`IssueFor::card_ends_at`])
    /// bounds every role and is checked apart, with its own error.
    pub fn authority_ends_at(&self) -> ApiResult<Option<u64>> {
        let coming_of_age = match self.role {
            HolderRole::Guardian => Some(
                coming_of_age(self.birth_date, self.adult_age)
                    .ok_or_else(|| internal("birth date unreadable"))?,
            ),
            HolderRole::Holder | HolderRole::Proxy => None,
        };
        Ok([self.mandate_ends_at, coming_of_age]
            .into_iter()
            .flatten()
            .min())
    }
}

impl IssueFor<'_> {
    /// When the card stops being valid: 00:00 China time on the day after
    /// its last valid day; `None` when no end is recorded.
    pub fn card_ends_at(&self) -> ApiResult<Option<u64>> {
        self.card_valid_through
            .map(|last_day| {
                Date::from_unix_days(last_day.to_unix_days() + 1)
                    .and_then(|next| u64::try_from(next.china_midnight_unix_seconds()).ok())
                    .ok_or_else(|| internal("card validity unreadable"))
            })
            .transpose()
    }
}

/// When a credential issued at `now` starts and how many minutes it lasts:
/// the regional lifetime (24–72 h) from a start a little in the past, cut
/// short so that it never outlives `ends_at` (then aligned to end exactly on
/// it). `None` when `ends_at` is already reached.
pub fn credential_window(
    now: u64,
    lifetime_hours: u32,
    ends_at: Option<u64>,
) -> Option<(u64, u16)> {
    let lifetime_minutes = u16::try_from(lifetime_hours.clamp(24, 72) * 60).unwrap_or(u16::MAX);
    let not_before = now.saturating_sub(CREDENTIAL_BACKDATE_SECONDS);
    let full_end = not_before + u64::from(lifetime_minutes) * 60;
    match ends_at {
        None => Some((not_before, lifetime_minutes)),
        Some(end) if end <= now => None,
        Some(end) if end >= full_end => Some((not_before, lifetime_minutes)),
        Some(end) => {
            // Whole minutes from `not_before`, rounded up, then the start
            // moved back (by less than a minute) so the end falls on `end`.
            let minutes = (end - not_before).div_ceil(60);
            let minutes = u16::try_from(minutes).ok()?;
            Some((end - u64::from(minutes) * 60, minutes))
        }
    }
}

/// Issues one credential per disclosure group for a card and device: the
/// transport, medical and examinations groups to everyone, the campus group
/// only to an enrolled student ([`IssueFor::affiliation`]), carrying the
/// school (no other credential does). No
/// credential outlives the card's validity ([`IssueFor::card_ends_at`]) nor
/// the device's authority over the card ([`IssueFor::authority_ends_at`]);
/// when the card has expired nothing is issued (`card_expired`), nor when
/// the authority has ended (`authority_ended`).
pub fn issue_credentials(
    tx: &Transaction<'_>,
    request: &IssueFor<'_>,
    now: u64,
) -> ApiResult<CredentialSet> {
    let key = active_key(tx)?;
    let card_ends_at = request.card_ends_at()?;
    if card_ends_at.is_some_and(|end| end <= now) {
        return Err(ApiError::new(
            ProblemCode::CardExpired,
            "the card's validity has ended; a replacement card is needed",
        ));
    }
    let ends_at = [request.authority_ends_at()?, card_ends_at]
        .into_iter()
        .flatten()
        .min();
    let (not_before, lifetime_minutes) = credential_window(now, request.lifetime_hours, ends_at)
        .ok_or_else(|| {
            ApiError::new(
                ProblemCode::AuthorityEnded,
                "your authority to show this person's codes has ended (the mandate ended or the ward came of age)",
            )
        })?;
    let region = request.region.parse().ok().and_then(RegionCode::new);
    let mut credentials = Vec::new();
    for purposes in disclosure_groups() {
        let affiliation = if purposes.is_campus_only() {
            match request.affiliation {
                Some(affiliation) => Some(affiliation),
                // Campus credentials are for a school's own students.
                None => continue,
            }
        } else {
            None
        };
        let index = allocate_status_index(tx, now)?;
        let claims = CredentialClaims {
            handle: Handle::random().map_err(|_| internal("no randomness"))?,
            not_before,
            lifetime_minutes,
            status: StatusReference {
                list: STATUS_LIST,
                index,
            },
            concession: request.concession,
            purposes,
            role: request.role,
            region: if purposes.iter().all(|purpose| purpose.may_disclose_region()) {
                region
            } else {
                None
            },
            affiliation,
        };
        let credential = key
            .issue(&claims, request.device_key)
            .map_err(|error| internal(&error.to_string()))?;
        tx.execute(
            "INSERT INTO credentials (card_id, device_id, role, status_list, status_index, purposes, not_before, not_after, handle) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                request.card_id,
                request.device_id,
                request.role.name(),
                STATUS_LIST,
                index,
                purposes.bits(),
                claims.not_before as i64,
                claims.not_after() as i64,
                claims.handle.to_string()
            ],
        )?;
        credentials.push(IssuedCredential {
            purposes,
            credential: URL_SAFE_NO_PAD.encode(credential.as_bytes()),
            not_before: claims.not_before,
            not_after: claims.not_after(),
        });
    }
    let not_after = credentials
        .iter()
        .map(|credential| credential.not_after)
        .min()
        .unwrap_or(now);
    Ok(CredentialSet {
        card_id: request.card_id.to_owned(),
        person_id: request.person_id.to_owned(),
        role: request.role,
        credentials,
        refresh_after: refresh_after(not_before, request.lifetime_hours, not_after),
    })
}

/// When the phone should fetch a new set: three quarters into the regional
/// lifetime, as for a full credential, but never after the set expires. A
/// set cut short by a bound is not refreshed more often as the bound nears
/// (a new set would end on the same bound): the phone asks again when the
/// set expires, and gets a longer one only if the mandate was renewed.
fn refresh_after(not_before: u64, lifetime_hours: u32, not_after: u64) -> u64 {
    let full = u64::from(lifetime_hours.clamp(24, 72)) * 3_600;
    (not_before + full * 3 / 4).min(not_after)
}

/// How a device acts for a card's holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActingAs {
    /// The role the credential names.
    pub role: HolderRole,
    /// When the mandate it acts under ends (`None` for the holder).
    pub mandate_ends_at: Option<u64>,
}

/// The card a device may get credentials for, with the role it acts in and
/// the end of the mandate it acts under. With several active mandates that
/// allow showing codes, a guardianship goes before a family proxy, and the
/// one that runs longest is taken.
pub fn device_role_for_card(
    tx: &Transaction<'_>,
    caller_person: &str,
    caller_account: &str,
    card_person: &str,
    now: u64,
) -> ApiResult<Option<ActingAs>> {
    if caller_person == card_person {
        return Ok(Some(ActingAs {
            role: HolderRole::Holder,
            mandate_ends_at: None,
        }));
    }
    let mandate: Option<(String, i64)> = tx
        .query_row(
            "SELECT kind, expires_at FROM delegations WHERE agent_account_id = ?1 AND principal_person_id = ?2 \
             AND status = 'active' AND expires_at > ?3 AND scopes LIKE '%\"show_code\"%' \
             ORDER BY kind = 'guardian' DESC, expires_at DESC LIMIT 1",
            params![caller_account, card_person, now as i64],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    Ok(mandate.map(|(kind, expires_at)| ActingAs {
        role: if kind == "guardian" {
            HolderRole::Guardian
        } else {
            HolderRole::Proxy
        },
        mandate_ends_at: Some(expires_at.max(0) as u64),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    const HOUR: u64 = 3_600;
    /// 2026-06-01 09:00 China time.
    const NOW: u64 = 1_780_275_600;

    fn lifetime_end(window: Option<(u64, u16)>) -> Option<u64> {
        window.map(|(not_before, minutes)| not_before + u64::from(minutes) * 60)
    }

    #[test]
    fn an_unbounded_credential_gets_the_regional_lifetime() {
        assert_eq!(
            credential_window(NOW, 24, None),
            Some((NOW - CREDENTIAL_BACKDATE_SECONDS, 24 * 60))
        );
        // A bound past the lifetime changes nothing; out-of-range rules are clamped.
        assert_eq!(
            credential_window(NOW, 72, Some(NOW + 100 * HOUR)),
            Some((NOW - CREDENTIAL_BACKDATE_SECONDS, 72 * 60))
        );
        assert_eq!(credential_window(NOW, 1, None).map(|w| w.1), Some(24 * 60));
        assert_eq!(
            credential_window(NOW, 999, None).map(|w| w.1),
            Some(72 * 60)
        );
    }

    #[test]
    fn a_mandate_ending_ten_minutes_after_issue_ends_the_credential() {
        // The attack: a credential issued ten minutes before the bound lived
        // its full 24 hours past it.
        let end = NOW + 600;
        let window = credential_window(NOW, 24, Some(end));
        assert_eq!(lifetime_end(window), Some(end), "ends exactly on the bound");
        let (not_before, _) = window.unwrap();
        assert!(not_before <= NOW - CREDENTIAL_BACKDATE_SECONDS);
        assert!(not_before + CREDENTIAL_ALIGNMENT_SECONDS >= NOW - CREDENTIAL_BACKDATE_SECONDS);
    }

    #[test]
    fn one_second_before_the_bound_a_credential_lives_one_second() {
        assert_eq!(
            lifetime_end(credential_window(NOW, 48, Some(NOW + 1))),
            Some(NOW + 1)
        );
        for seconds in [
            1,
            59,
            60,
            61,
            299,
            300,
            301,
            3_599,
            24 * HOUR - CREDENTIAL_BACKDATE_SECONDS - 1,
        ] {
            let end = NOW + seconds;
            assert_eq!(
                lifetime_end(credential_window(NOW, 24, Some(end))),
                Some(end),
                "{seconds}"
            );
        }
    }

    #[test]
    fn at_or_after_the_bound_nothing_is_issued() {
        assert_eq!(credential_window(NOW, 24, Some(NOW)), None);
        assert_eq!(credential_window(NOW, 24, Some(NOW - 1)), None);
        assert_eq!(credential_window(NOW, 24, Some(0)), None);
    }

    fn issue_for(
        role: HolderRole,
        birth_date: Date,
        mandate_ends_at: Option<u64>,
    ) -> IssueFor<'static> {
        static KEY: std::sync::OnceLock<PublicKey> = std::sync::OnceLock::new();
        let key = KEY.get_or_init(|| {
            let (key, _) = SoftwareKey::generate(Suite::Ed25519).unwrap();
            key.public_key().clone()
        });
        IssueFor {
            card_id: "card-1",
            person_id: "person-1",
            birth_date,
            region: "360000",
            device_id: "device-1",
            device_key: key,
            role,
            mandate_ends_at,
            lifetime_hours: 24,
            adult_age: 18,
            card_valid_through: None,
            concession: ConcessionClass::Standard,
            affiliation: None,
        }
    }

    #[test]
    fn everyone_gets_the_exams_group_and_only_students_the_campus_group() {
        use ecard_credential::keys::{CAMPUS_GROUP, EXAMS_GROUP};
        use ecard_credential::{Affiliation, Credential, PurposeSet};
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        connection
            .as_sqlite()
            .unwrap()
            .execute_batch("PRAGMA foreign_keys = OFF")
            .unwrap();
        let tx = connection.transaction().unwrap();
        ensure_key(&tx, NOW, Suite::Ed25519).unwrap();
        let parse = |issued: &IssuedCredential| {
            Credential::parse(&URL_SAFE_NO_PAD.decode(&issued.credential).unwrap()).unwrap()
        };
        let mut person = issue_for(HolderRole::Holder, Date::new(2006, 9, 1).unwrap(), None);
        let set = issue_credentials(&tx, &person, NOW).unwrap();
        let groups: Vec<PurposeSet> = set.credentials.iter().map(|c| c.purposes).collect();
        let all = disclosure_groups();
        assert_eq!(groups, all[..3].to_vec());
        for issued in &set.credentials {
            let credential = parse(issued);
            assert_eq!(credential.claims.affiliation, None);
            // The version-1 groups stay version 1 for deployed terminals.
            let version = if issued.purposes == EXAMS_GROUP { 2 } else { 1 };
            assert_eq!(credential.version(), version, "{:?}", issued.purposes);
        }
        let exams = parse(&set.credentials[2]);
        assert_eq!(exams.claims.region, RegionCode::new(360_000));

        let school = Affiliation::new(4_207).unwrap();
        person.affiliation = Some(school);
        let student = issue_credentials(&tx, &person, NOW).unwrap();
        let groups: Vec<PurposeSet> = student.credentials.iter().map(|c| c.purposes).collect();
        assert_eq!(groups, all.to_vec());
        for issued in &student.credentials {
            let credential = parse(issued);
            let campus = issued.purposes == CAMPUS_GROUP;
            assert_eq!(credential.claims.affiliation, campus.then_some(school));
            if campus {
                assert_eq!(credential.claims.region, None);
                assert_eq!(credential.version(), 2);
            }
        }
        // The purposes column reads back as the set it was written from.
        let mut statement = tx
            .prepare("SELECT purposes FROM credentials ORDER BY credential_id")
            .unwrap();
        let stored: Vec<PurposeSet> = statement
            .query_map([], |row| row.get::<_, u16>(0))
            .unwrap()
            .map(|bits| PurposeSet::from_bits(bits.unwrap()).unwrap())
            .collect();
        assert_eq!(stored.len(), 3 + 4);
        assert!(stored.contains(&CAMPUS_GROUP));
        assert!(stored.contains(&EXAMS_GROUP));
    }

    #[test]
    fn a_guardians_authority_ends_at_the_wards_coming_of_age_in_china_time() {
        // Born 2008-06-01: 18 on 2026-06-01, 00:00 China time (16:00 UTC the day before).
        let ward = Date::new(2008, 6, 1).unwrap();
        let birthday = 1_780_243_200;
        assert_eq!(coming_of_age(ward, 18), Some(birthday));
        let guardian = issue_for(HolderRole::Guardian, ward, Some(NOW + 365 * 24 * HOUR));
        assert_eq!(guardian.authority_ends_at().unwrap(), Some(birthday));
        // The mandate's end comes first when it is earlier.
        let short = issue_for(HolderRole::Guardian, ward, Some(birthday - 1));
        assert_eq!(short.authority_ends_at().unwrap(), Some(birthday - 1));
        // A proxy's and the holder's authority do not end at any age.
        let proxy = issue_for(HolderRole::Proxy, ward, Some(NOW + HOUR));
        assert_eq!(proxy.authority_ends_at().unwrap(), Some(NOW + HOUR));
        let holder = issue_for(HolderRole::Holder, ward, None);
        assert_eq!(holder.authority_ends_at().unwrap(), None);
    }

    #[test]
    fn the_cards_validity_ends_at_china_midnight_after_its_last_day() {
        // Last valid day 2026-05-31: ends 2026-06-01 00:00 China time.
        let mut holder = issue_for(HolderRole::Holder, Date::new(1960, 1, 1).unwrap(), None);
        assert_eq!(holder.card_ends_at().unwrap(), None);
        holder.card_valid_through = Date::new(2026, 5, 31);
        assert_eq!(holder.card_ends_at().unwrap(), Some(1_780_243_200));
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        connection
            .as_sqlite()
            .unwrap()
            .execute_batch("PRAGMA foreign_keys = OFF")
            .unwrap();
        let tx = connection.transaction().unwrap();
        ensure_key(&tx, NOW, Suite::Ed25519).unwrap();
        let set = issue_credentials(&tx, &holder, 1_780_243_200 - 3_600).unwrap();
        assert!(set.credentials.iter().all(|c| c.not_after == 1_780_243_200));
        let refused = issue_credentials(&tx, &holder, 1_780_243_200).unwrap_err();
        assert_eq!(refused.code(), ProblemCode::CardExpired);
    }

    #[test]
    fn issued_credentials_end_on_the_bound_and_refresh_sensibly() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        // No card or device rows: the credential rows stand alone here.
        connection
            .as_sqlite()
            .unwrap()
            .execute_batch("PRAGMA foreign_keys = OFF")
            .unwrap();
        let tx = connection.transaction().unwrap();
        ensure_key(&tx, NOW, Suite::Ed25519).unwrap();
        // A ward turning 18 at midnight after `NOW`.
        let ward = Date::in_china_at(NOW + 24 * HOUR).unwrap();
        let ward = Date::new(ward.year() - 18, ward.month(), ward.day()).unwrap();
        let birthday = coming_of_age(ward, 18).unwrap();
        assert!(birthday > NOW && birthday - NOW <= 24 * HOUR);
        let issue_at = birthday - 600;
        let set = issue_credentials(
            &tx,
            &issue_for(HolderRole::Guardian, ward, Some(birthday + 30 * 24 * HOUR)),
            issue_at,
        )
        .unwrap();
        for credential in &set.credentials {
            assert_eq!(credential.not_after, birthday);
            let bytes = URL_SAFE_NO_PAD.decode(&credential.credential).unwrap();
            let parsed = ecard_credential::Credential::parse(&bytes).unwrap();
            assert_eq!(parsed.claims.not_after(), birthday);
        }
        assert!(set.refresh_after <= birthday, "never after the set expires");
        assert!(set.refresh_after > issue_at, "not at once");
        // One second before the birthday: a credential of one second; at
        // and after it, none.
        let last = issue_credentials(
            &tx,
            &issue_for(HolderRole::Guardian, ward, None),
            birthday - 1,
        )
        .unwrap();
        assert!(last.credentials.iter().all(|c| c.not_after == birthday));
        for at in [birthday, birthday + 1] {
            let refused = issue_credentials(&tx, &issue_for(HolderRole::Guardian, ward, None), at)
                .unwrap_err();
            assert_eq!(refused.code(), ProblemCode::AuthorityEnded);
        }
        // The holder themself, the same day: the full regional lifetime.
        let own = issue_credentials(
            &tx,
            &issue_for(HolderRole::Holder, ward, None),
            birthday + 1,
        )
        .unwrap();
        assert!(
            own.credentials
                .iter()
                .all(|c| c.not_after == birthday + 1 - CREDENTIAL_BACKDATE_SECONDS + 24 * HOUR)
        );
        assert_eq!(
            own.refresh_after,
            birthday + 1 - CREDENTIAL_BACKDATE_SECONDS + 18 * HOUR
        );
    }

    /// A terminal's verifier for the platform's current trust list.
    fn verifier_at(tx: &Transaction<'_>, now: u64) -> ecard_credential::Verifier {
        let trust = trust_list_content(tx, "CN-MOHRSS", now, now + OPEN_WINDOW_SECONDS).unwrap();
        ecard_credential::Verifier::new(
            &trust,
            ecard_credential::VerifierPolicy::for_purposes(&[ecard_credential::Purpose::Transport]),
        )
        .unwrap()
    }

    #[test]
    fn an_sm2_issuer_signs_status_lists_and_deltas_a_terminal_takes() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        ensure_key(&tx, NOW, Suite::Sm2).unwrap();
        ensure_authority_key(&tx, NOW, Suite::Sm2).unwrap();
        assert_eq!(active_key(&tx).unwrap().suite(), Suite::Sm2);
        // The trust list names the SM2 issuer key and is signed by the SM2
        // authority key.
        let (_, envelope) = signed_trust_list(&tx, "CN-MOHRSS", NOW).unwrap();
        let signed = SignedTrustList::from_json(&envelope).unwrap();
        let pins = authority_keys(&tx, "CN-MOHRSS", NOW).unwrap();
        assert!(pins.iter().all(|key| key.suite == Suite::Sm2));
        let list = signed.verify(&pins, None, NOW).unwrap();
        assert!(list.keys.iter().all(|key| key.suite == Suite::Sm2));

        let cache = StatusCache::default();
        let (base, _, full) = status_list(&cache, &tx, STATUS_LIST, NOW).unwrap();
        let mut verifier = verifier_at(&tx, NOW);
        assert_eq!(verifier.install_status_list(&full, NOW), Ok(base as u32));
        tx.execute("INSERT INTO status_bits (list, idx) VALUES (0, 3)", [])
            .unwrap();
        bump_status_sequence(&tx, NOW + 60).unwrap();
        let (sequence, _, delta) = status_delta(&cache, &tx, STATUS_LIST, base as u32, NOW + 60)
            .unwrap()
            .unwrap();
        assert_eq!(
            ecard_credential::SignedStatusDelta::parse(&delta)
                .unwrap()
                .suite,
            Suite::Sm2
        );
        assert_eq!(
            verifier.install_status_delta(&delta, NOW + 60),
            Ok(sequence as u32)
        );
    }

    #[test]
    fn rotation_between_suites_keeps_the_outgoing_key_trusted_for_its_credentials() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        ensure_key(&tx, NOW, Suite::Ed25519).unwrap();
        let mut now = NOW;
        let mut suites = vec![Suite::Ed25519];
        for suite in [Suite::Sm2, Suite::EcdsaP256, Suite::Sm2, Suite::Ed25519] {
            now += HOUR;
            rotate(&tx, now, suite).unwrap();
            assert_eq!(active_key(&tx).unwrap().suite(), suite);
            suites.push(suite);
            let trust =
                trust_list_content(&tx, "CN-MOHRSS", now, now + OPEN_WINDOW_SECONDS).unwrap();
            let listed: Vec<Suite> = trust.keys.iter().map(|key| key.suite).collect();
            assert_eq!(listed, suites, "every key whose credentials may live");
            // The status list is signed by the new key, in its suite.
            let (_, _, bytes) =
                status_list(&StatusCache::default(), &tx, STATUS_LIST, now).unwrap();
            let signed = ecard_credential::SignedStatusList::parse(&bytes).unwrap();
            assert_eq!(signed.suite, suite);
            let mut verifier = verifier_at(&tx, now);
            assert!(verifier.install_status_list(&bytes, now).is_ok());
        }
    }

    #[test]
    fn a_growing_status_list_is_a_new_edition() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let sequence = |tx: &Transaction<'_>| {
            meta_get(tx, &status_sequence_key(STATUS_LIST))
                .unwrap()
                .unwrap_or(0)
        };
        for _ in 0..STATUS_LIST_BLOCK {
            allocate_status_index(&tx, 0).unwrap();
        }
        assert_eq!(sequence(&tx), 0, "the first block needs no new edition");
        assert_eq!(
            allocate_status_index(&tx, 0).unwrap(),
            STATUS_LIST_BLOCK as u32
        );
        assert_eq!(sequence(&tx), 1, "index 8192 opens the second block");
        allocate_status_index(&tx, 0).unwrap();
        assert_eq!(sequence(&tx), 1);
    }

    #[test]
    fn deltas_from_the_history_turn_every_kept_edition_into_the_current_one() {
        use ecard_credential::{SignedStatusDelta, SignedStatusList};
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        ensure_key(&tx, 1_000, Suite::Ed25519).unwrap();
        let cache = StatusCache::default();
        let set = |tx: &Transaction<'_>, index: u32, revoked: bool| {
            let sql = if revoked {
                "INSERT INTO status_bits (list, idx) VALUES (0, ?1) ON CONFLICT DO NOTHING"
            } else {
                "DELETE FROM status_bits WHERE list = 0 AND idx = ?1"
            };
            tx.execute(sql, params![index]).unwrap();
        };
        let mut editions = vec![status_list(&cache, &tx, 0, 1_000).unwrap().2];
        let mut now = 1_000;
        // Revocations, a release, a set-and-clear within one edition, a
        // growth of the list and a revocation in the new block.
        let steps: [&[(u32, bool)]; 5] = [
            &[(5, true), (7, true)],
            &[(5, false), (9, true), (9, true)],
            &[(11, true), (11, false)],
            &[],
            &[(8_500, true), (7, false)],
        ];
        for (number, step) in steps.iter().enumerate() {
            for &(index, revoked) in *step {
                set(&tx, index, revoked);
            }
            if number == 3 {
                meta_set(&tx, "status_next_index", 8_193).unwrap();
            }
            now += 3_600;
            bump_status_sequence(&tx, now).unwrap();
            editions.push(status_list(&cache, &tx, 0, now).unwrap().2);
        }
        let current = SignedStatusList::parse(editions.last().unwrap())
            .unwrap()
            .list;
        assert_eq!(current.bit_count(), 16_384);
        assert_eq!(current.revoked_count(), 2);
        for (base, bytes) in editions.iter().enumerate() {
            let base_list = SignedStatusList::parse(bytes).unwrap().list;
            let (sequence, _, delta) = status_delta(&cache, &tx, 0, base as u32, now)
                .unwrap()
                .unwrap();
            assert_eq!(sequence, 5);
            let delta = SignedStatusDelta::parse(&delta).unwrap().delta;
            let mut applied = delta.apply(&base_list).unwrap();
            applied.issued_at = current.issued_at;
            applied.valid_until = current.valid_until;
            assert_eq!(applied, current, "from edition {base}");
        }
        // Up to date: a refresh with no changes.
        let (_, _, refresh) = status_delta(&cache, &tx, 0, 5, now).unwrap().unwrap();
        let refresh = SignedStatusDelta::parse(&refresh).unwrap().delta;
        assert!(refresh.is_refresh());
        assert_eq!(refresh.change_count(), 0);
        // An edition from the future: the full list.
        assert_eq!(status_delta(&cache, &tx, 0, 6, now).unwrap(), None);

        // A week and a bit later the first editions' changes are forgotten:
        // deltas start at the newest forgotten edition at the earliest.
        status_history::prune(
            &tx,
            1_000 + 2 * 3_600 + status_history::RETENTION_SECONDS + 1,
        )
        .unwrap();
        assert_eq!(status_history::floor(&tx, 0).unwrap(), 2);
        assert_eq!(status_delta(&cache, &tx, 0, 1, now).unwrap(), None);
        let (_, _, from_two) = status_delta(&cache, &tx, 0, 2, now).unwrap().unwrap();
        let base_list = SignedStatusList::parse(&editions[2]).unwrap().list;
        let mut applied = SignedStatusDelta::parse(&from_two)
            .unwrap()
            .delta
            .apply(&base_list)
            .unwrap();
        applied.issued_at = current.issued_at;
        applied.valid_until = current.valid_until;
        assert_eq!(applied, current);
    }
}
