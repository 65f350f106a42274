//! E-card codes on the phone: stored device credentials, the presentation
//! counter, and making the current code for a card and purpose offline.
//!
//! The counter is advanced and committed before a code is returned, so a
//! crash or a kill can never make the device reuse a counter (a terminal
//! would refuse it as a replay). Credentials are replaced as a set when the
//! platform issues new ones.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::resident::CredentialSet;
use ecard_credential::presentation::MAX_COUNTER;
use ecard_credential::{
    Credential, HolderRole, KeyStore, PresentationRequest, Purpose, PurposeSet, QrMatrix, present,
};
use rusqlite::{OptionalExtension, Transaction, params};

use ecard_api::paths;
use ecard_api::resident::{CardStatus, CredentialRequest, ECardState};
use ecard_credential::{
    SignedStatusList, SignedTrustList, TrustAnchor, TrustList, Verifier, VerifierPolicy,
};

use crate::client::{DEVICE_KEY_ALIAS, EcardClient, blocking, to_storage};
use crate::error::{ClientError, StorageError};
use crate::events::ClientEvent;
use crate::net::{ApiRequest, ApiResponse, RetryPolicy, new_idempotency_key};
use crate::storage::Store;

/// How long a code stays valid at terminals (the verifier default).
pub const CODE_LIFETIME_SECONDS: u64 = 60;

/// A code ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct CodeView {
    /// The card.
    pub card_id: String,
    /// What the code is for.
    pub purpose: Purpose,
    /// The QR content (`EC1:…`).
    pub text: String,
    /// QR version at ECC M.
    pub qr_version: u8,
    /// When it was made (trusted clock).
    pub issued_at: u64,
    /// When terminals stop accepting it.
    pub expires_at: u64,
    /// Whether it is shown for someone else (proxy or guardian).
    pub on_behalf: HolderRole,
    /// The device counter it carries.
    pub counter: u32,
    /// When the credential behind it expires.
    pub credential_not_after: u64,
    /// Seconds it had left when it was made (trusted clock); count down from
    /// here with [`crate::presentation::CodeCountdown`].
    pub seconds_left: u64,
}

impl CodeView {
    /// Seconds until the code expires at `now` (for the refresh countdown).
    pub fn seconds_left_at(&self, now: u64) -> u64 {
        self.expires_at.saturating_sub(now)
    }
}

/// A stored credential.
#[derive(Clone, Debug)]
pub struct StoredCredential {
    /// The card.
    pub card_id: String,
    /// The card holder.
    pub person_id: String,
    /// Purposes it grants.
    pub purposes: PurposeSet,
    /// How this device relates to the holder.
    pub role: HolderRole,
    /// The parsed credential.
    pub credential: Credential,
    /// When to fetch a new set.
    pub refresh_after: u64,
}

/// Replaces the stored credentials of a card with a new set.
pub fn store_set(tx: &Transaction<'_>, set: &CredentialSet) -> Result<(), ClientError> {
    tx.execute(
        "DELETE FROM credentials WHERE card_id = ?1",
        params![set.card_id],
    )?;
    for issued in &set.credentials {
        let bytes = URL_SAFE_NO_PAD
            .decode(&issued.credential)
            .map_err(|_| ClientError::BadReply("credential is not base64url".into()))?;
        let credential = Credential::parse(&bytes)
            .map_err(|error| ClientError::BadReply(format!("credential: {error}")))?;
        tx.execute(
            "INSERT INTO credentials (card_id, purposes, person_id, role, credential, not_before, not_after, refresh_after) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                set.card_id,
                credential.claims.purposes.bits(),
                set.person_id,
                set.role.name(),
                bytes,
                credential.claims.not_before as i64,
                credential.claims.not_after() as i64,
                set.refresh_after as i64
            ],
        )?;
    }
    tx.execute(
        "DELETE FROM suspensions WHERE card_id = ?1 AND reason = 'revoked'",
        params![set.card_id],
    )?;
    Ok(())
}

/// All stored credentials.
pub fn stored(store: &Store) -> Result<Vec<StoredCredential>, StorageError> {
    store.read(|connection| {
        let mut statement = connection.prepare(
            "SELECT card_id, person_id, purposes, role, credential, refresh_after FROM credentials ORDER BY card_id, purposes",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, u16>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Vec<u8>>(4)?,
                row.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (card_id, person_id, purposes, role, bytes, refresh_after) = row?;
            let (Ok(credential), Ok(purposes)) = (Credential::parse(&bytes), PurposeSet::from_bits(purposes)) else {
                continue;
            };
            out.push(StoredCredential { card_id, person_id, purposes, role: HolderRole::from_name(&role).unwrap_or_default(), credential, refresh_after: refresh_after as u64 });
        }
        Ok(out)
    })
}

/// The stored credential of `card_id` that grants `purpose`.
pub fn for_purpose(
    store: &Store,
    card_id: &str,
    purpose: Purpose,
) -> Result<Option<StoredCredential>, StorageError> {
    Ok(stored(store)?
        .into_iter()
        .find(|stored| stored.card_id == card_id && stored.purposes.contains(purpose)))
}

/// Why this device stopped showing codes for a card, if it did.
pub fn suspension(store: &Store, card_id: &str) -> Result<Option<String>, StorageError> {
    store.read(|connection| {
        Ok(connection
            .query_row(
                "SELECT reason FROM suspensions WHERE card_id = ?1",
                params![card_id],
                |row| row.get(0),
            )
            .optional()?)
    })
}

/// Stops codes for a card on this device at once.
pub fn suspend(
    tx: &Transaction<'_>,
    card_id: &str,
    reason: &str,
    now: u64,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO suspensions (card_id, reason, at) VALUES (?1, ?2, ?3) \
         ON CONFLICT(card_id) DO UPDATE SET reason = excluded.reason, at = excluded.at",
        params![card_id, reason, now as i64],
    )?;
    Ok(())
}

/// Lifts a suspension (after a release).
pub fn unsuspend(tx: &Transaction<'_>, card_id: &str) -> Result<(), StorageError> {
    tx.execute(
        "DELETE FROM suspensions WHERE card_id = ?1",
        params![card_id],
    )?;
    Ok(())
}

/// Makes the current code: advances and commits the counter, then signs.
pub fn make_code(
    store: &Store,
    key_store: &dyn KeyStore,
    alias: &str,
    stored: &StoredCredential,
    purpose: Purpose,
    now: u64,
) -> Result<CodeView, ClientError> {
    let claims = &stored.credential.claims;
    if now >= claims.not_after() {
        return Err(ClientError::CredentialExpired);
    }
    let counter = store.write(|tx| {
        let counter: u32 = tx.query_row(
            "UPDATE credentials SET counter = counter + 1 WHERE card_id = ?1 AND purposes = ?2 RETURNING counter",
            params![stored.card_id, stored.purposes.bits()],
            |row| row.get(0),
        )?;
        Ok(counter)
    })?;
    if counter > MAX_COUNTER {
        return Err(ClientError::CredentialExpired);
    }
    // A phone clock behind the credential start still makes a code the
    // terminal accepts: start at the credential's first second.
    let issued_at = now.max(claims.not_before);
    let request = PresentationRequest {
        purpose,
        issued_at,
        counter,
    };
    let presentation = present(&stored.credential, &request, key_store, alias)?;
    let text = presentation.to_code();
    let matrix =
        QrMatrix::encode(&text).map_err(|error| ClientError::Internal(error.to_string()))?;
    Ok(CodeView {
        card_id: stored.card_id.clone(),
        purpose,
        text,
        qr_version: matrix.version(),
        issued_at,
        expires_at: issued_at + CODE_LIFETIME_SECONDS,
        on_behalf: stored.role,
        counter,
        credential_not_after: claims.not_after(),
        seconds_left: (issued_at + CODE_LIFETIME_SECONDS).saturating_sub(now),
    })
}

/// Why codes stopped on this device for a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SuspensionReason {
    /// The platform says the card may not show codes.
    Platform,
    /// The card's credential is revoked in the status list.
    Revoked,
    /// A loss report made on this device.
    LossReport,
}

impl SuspensionReason {
    /// The stored name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SuspensionReason::Platform => "platform",
            SuspensionReason::Revoked => "revoked",
            SuspensionReason::LossReport => "loss_report",
        }
    }
}

/// Deletes the stored credentials of a card.
pub(crate) fn forget_credentials(tx: &Transaction<'_>, card_id: &str) -> Result<(), StorageError> {
    tx.execute(
        "DELETE FROM credentials WHERE card_id = ?1",
        params![card_id],
    )?;
    Ok(())
}

/// Deletes every stored credential (the account changed).
pub(crate) fn forget_all_credentials(tx: &Transaction<'_>) -> Result<(), StorageError> {
    tx.execute("DELETE FROM credentials", [])?;
    Ok(())
}

/// The cards whose codes are stopped on this device.
pub(crate) fn suspended_cards(store: &Store) -> Result<Vec<String>, StorageError> {
    store.read(|connection| {
        let mut statement = connection.prepare("SELECT card_id FROM suspensions")?;
        let rows = statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    })
}

/// What the platform's profile says each card may do: codes stop here for
/// a card it suspends, and a stop made here ends when it no longer does.
pub(crate) fn follow_platform(
    tx: &Transaction<'_>,
    cards: &[&ecard_api::resident::Card],
    now: u64,
) -> Result<(), StorageError> {
    for card in cards {
        if card.e_card == ECardState::Suspended {
            suspend(tx, &card.card_id, SuspensionReason::Platform.as_str(), now)?;
        } else {
            unsuspend(tx, &card.card_id)?;
        }
    }
    Ok(())
}

/// A card's status-list check: when it last ran, the list's entity tag, and
/// the trust list its signature is checked against, with the authority keys
/// pinned for the next trust list.
#[derive(Default)]
pub(crate) struct StatusCache {
    checked_at: u64,
    etag: Option<String>,
    trust: Option<TrustList>,
    anchor: Option<TrustAnchor>,
}

/// How often codes re-check the status list while online.
const STATUS_CHECK_SECONDS: u64 = 30;

/// Credentials and codes of the client.
impl EcardClient {
    /// Stops codes for `card_id` on this device at once and says so.
    pub(crate) async fn suspend_here(
        &self,
        card_id: &str,
        reason: SuspensionReason,
    ) -> Result<(), ClientError> {
        let card = card_id.to_owned();
        let now = self.trusted_now();
        blocking(&self.inner, move |inner| {
            Ok(inner
                .store
                .write(|tx| suspend(tx, &card, reason.as_str(), now))?)
        })
        .await?;
        self.emit(ClientEvent::CardSuspended {
            card_id: card_id.to_owned(),
        });
        Ok(())
    }

    /// Fetches new credentials for one card.
    pub async fn refresh_credentials(&self, card_id: &str) -> Result<(), ClientError> {
        let network = self.signed_network()?;
        let request = ApiRequest::post(
            paths::CREDENTIALS,
            &CredentialRequest {
                card_id: Some(card_id.to_owned()),
            },
            new_idempotency_key()?,
        )?
        .signed();
        let set: CredentialSet = match self
            .call(&network, &request, RetryPolicy::INTERACTIVE)
            .await
        {
            Ok(response) => response.json()?,
            Err(ClientError::Refused {
                code: ecard_api::problem::ProblemCode::CardNotActive,
                ..
            }) => {
                self.suspend_here(card_id, SuspensionReason::Platform)
                    .await?;
                return Err(ClientError::CardSuspended);
            }
            Err(error) => return Err(error),
        };
        blocking(&self.inner, move |inner| {
            Ok(inner
                .store
                .write(|tx| store_set(tx, &set).map_err(to_storage))?)
        })
        .await?;
        self.emit(ClientEvent::CredentialsChanged {
            card_id: card_id.to_owned(),
        });
        Ok(())
    }

    /// Fetches credentials for every usable card in the profile.
    pub async fn refresh_all_credentials(&self) -> Result<(), ClientError> {
        let Some(profile) = self.cached_profile()? else {
            return Ok(());
        };
        let cards = profile.person.cards.iter().chain(
            profile
                .principals
                .iter()
                .flat_map(|person| person.cards.iter()),
        );
        let mut first_error = None;
        for card in cards {
            if card.e_card == ECardState::Active
                && !matches!(card.status, CardStatus::Replaced | CardStatus::Cancelled)
                && let Err(error) = self.refresh_credentials(&card.card_id).await
            {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The current code for a card (the account holder's own card when
    /// `card_id` is `None`) and purpose. Works offline until the credential
    /// expires; refreshes the credential when due and online; stops at once
    /// when the card is suspended here or revoked in the status list.
    pub async fn current_code(
        &self,
        card_id: Option<String>,
        purpose: Purpose,
    ) -> Result<CodeView, ClientError> {
        let card_id = match card_id {
            Some(card_id) => card_id,
            None => self.own_card_id()?,
        };
        if suspension(&self.inner.store, &card_id)?.is_some() {
            return Err(ClientError::CardSuspended);
        }
        let now = self.trusted_now();
        let mut stored = for_purpose(&self.inner.store, &card_id, purpose)?;
        let due = stored
            .as_ref()
            .is_none_or(|stored| now >= stored.refresh_after);
        if due {
            match self.refresh_credentials(&card_id).await {
                Ok(()) => stored = for_purpose(&self.inner.store, &card_id, purpose)?,
                Err(ClientError::CardSuspended) => return Err(ClientError::CardSuspended),
                Err(error) if stored.is_none() => {
                    return Err(match error {
                        ClientError::Offline(_) | ClientError::Timeout => ClientError::NoCredential,
                        other => other,
                    });
                }
                // The platform refuses on purpose (a mandate ended, the card
                // is gone): the stored credential must not make codes either.
                Err(error @ ClientError::Refused { .. })
                    if !crate::outbox::is_transient(&error) =>
                {
                    let card = card_id.clone();
                    blocking(&self.inner, move |inner| {
                        Ok(inner.store.write(|tx| forget_credentials(tx, &card))?)
                    })
                    .await?;
                    self.emit(ClientEvent::CredentialsChanged {
                        card_id: card_id.clone(),
                    });
                    return Err(error);
                }
                // Unreachable or busy, and the credential is still valid:
                // keep showing codes offline.
                Err(_) => {}
            }
        }
        let stored = stored.ok_or(ClientError::NoCredential)?;
        if self.revoked_in_status_list(&stored).await {
            self.suspend_here(&card_id, SuspensionReason::Revoked)
                .await?;
            return Err(ClientError::CardSuspended);
        }
        if !stored.credential.grants(purpose) {
            return Err(ClientError::Code(
                ecard_credential::PresentError::PurposeNotGranted,
            ));
        }
        let now = self.trusted_now();
        blocking(&self.inner, move |inner| {
            make_code(
                &inner.store,
                inner.key_store.as_ref(),
                DEVICE_KEY_ALIAS,
                &stored,
                purpose,
                now,
            )
        })
        .await
    }

    fn own_card_id(&self) -> Result<String, ClientError> {
        let session = self.session().ok_or(ClientError::NotEnrolled)?;
        let stored = stored(&self.inner.store)?;
        if let Some(own) = stored
            .iter()
            .find(|stored| stored.person_id == session.person_id)
        {
            return Ok(own.card_id.clone());
        }
        let profile = self.cached_profile()?.ok_or(ClientError::NoCredential)?;
        profile
            .person
            .cards
            .iter()
            .find(|card| !matches!(card.status, CardStatus::Replaced | CardStatus::Cancelled))
            .map(|card| card.card_id.clone())
            .ok_or(ClientError::NoCredential)
    }

    /// Whether the platform's status list (fetched at most every 30 s while
    /// online, signature checked against the trust list) revokes `stored`.
    /// Offline, or on any failure, the answer is "not known to be revoked".
    async fn revoked_in_status_list(&self, stored: &StoredCredential) -> bool {
        let now = self.trusted_now();
        let mut cache = self.inner.status.lock().await;
        if now.saturating_sub(cache.checked_at) < STATUS_CHECK_SECONDS {
            return false;
        }
        cache.checked_at = now;
        if cache.trust.is_none() {
            let Ok(response) = self
                .call(
                    &self.inner.network,
                    &ApiRequest::get(paths::TRUST_LIST),
                    RetryPolicy::ONCE,
                )
                .await
            else {
                return false;
            };
            let Ok(signed) = response.json::<SignedTrustList>() else {
                return false;
            };
            // The first signed list arrives over the platform's TLS channel
            // and pins its authority keys; later ones must be signed by a
            // key pinned so and may not roll back.
            let mut anchor = match cache.anchor.take() {
                Some(anchor) => anchor,
                None => match signed.unverified_list() {
                    Ok(list) => TrustAnchor::new(list.authority_keys),
                    Err(_) => return false,
                },
            };
            cache.trust = anchor.install(&signed, now).ok().cloned();
            cache.anchor = Some(anchor);
        }
        let request = ApiRequest::get(paths::with_id(
            paths::STATUS_LIST,
            stored.credential.claims.status.list,
        ))
        .if_none_match(cache.etag.clone());
        let Ok(response) = self
            .call(&self.inner.network, &request, RetryPolicy::ONCE)
            .await
        else {
            return false;
        };
        let ApiResponse::Body { body, etag, .. } = response else {
            return false;
        };
        let Some(trust) = cache.trust.clone() else {
            return false;
        };
        let Ok(mut verifier) = Verifier::new(&trust, VerifierPolicy::for_purposes(&Purpose::ALL))
        else {
            return false;
        };
        if verifier.install_status_list(&body, now).is_err() {
            // Possibly signed by a key rotated in since: refetch the trust list next time.
            cache.trust = None;
            return false;
        }
        cache.etag = etag;
        SignedStatusList::parse(&body)
            .ok()
            .and_then(|signed| {
                signed
                    .list
                    .is_revoked(stored.credential.claims.status.index)
            })
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use ecard_api::paths;
    use ecard_api::problem::ProblemCode;
    use http::Method;

    use super::*;
    use crate::client::EcardClient;
    use crate::events::ClientEvent;
    use crate::test_platform::{TestPlatform, with_enrolled};
    use crate::transport::faults::Fault;

    fn make_due(client: &EcardClient) {
        client
            .inner
            .store
            .write(|tx| {
                tx.execute("UPDATE credentials SET refresh_after = 0", [])?;
                Ok(())
            })
            .unwrap();
    }

    fn credential_fetches(platform: &TestPlatform) -> usize {
        platform
            .network
            .seen(&Method::POST, paths::CREDENTIALS)
            .len()
    }

    #[test]
    fn codes_are_made_offline_from_the_stored_credential_with_fresh_counters() {
        with_enrolled("elder", |platform, client| async move {
            let fetched = credential_fetches(&platform);
            assert!(fetched >= 1);
            platform.network.set_down(Some(Fault::Unreachable));
            let first = client.current_code(None, Purpose::Transport).await.unwrap();
            let second = client.current_code(None, Purpose::Transport).await.unwrap();
            assert!(first.text.starts_with("EC1:"), "{}", first.text);
            assert_eq!(first.card_id, second.card_id);
            assert!(second.counter > first.counter);
            assert_ne!(first.text, second.text);
            assert_eq!(first.expires_at - first.issued_at, CODE_LIFETIME_SECONDS);
            // Not due: no fetch was even tried.
            assert_eq!(credential_fetches(&platform), fetched);
            // Due but unreachable: the valid stored credential still serves.
            make_due(&client);
            let offline = client.current_code(None, Purpose::Transport).await.unwrap();
            assert!(offline.counter > second.counter);
            assert!(credential_fetches(&platform) > fetched);
        });
    }

    #[test]
    fn the_trust_list_is_taken_signed_and_its_authority_pinned_on_first_use() {
        with_enrolled("elder", |platform, client| async move {
            client.current_code(None, Purpose::Transport).await.unwrap();
            let first = {
                let cache = client.inner.status.lock().await;
                let anchor = cache.anchor.as_ref().expect("pinned on first use");
                assert_eq!(cache.trust.as_ref(), anchor.trust_list());
                assert_eq!(anchor.pinned().len(), 1);
                anchor.trust_list().unwrap().sequence
            };
            // A new issuer key signs the status list from now on: the next
            // check misses it and drops the trust list, the one after takes
            // the new edition, signed by the pinned authority.
            platform
                .admin(
                    "POST",
                    paths::ADMIN_ISSUER_ROTATE,
                    Some(serde_json::json!({ "suite": "p256" })),
                )
                .await;
            for _ in 0..2 {
                client.inner.status.lock().await.checked_at = 0;
                client.current_code(None, Purpose::Transport).await.unwrap();
            }
            let cache = client.inner.status.lock().await;
            let anchor = cache.anchor.as_ref().unwrap();
            assert!(anchor.trust_list().unwrap().sequence > first);
            assert_eq!(cache.trust.as_ref(), anchor.trust_list());
            assert_eq!(anchor.trust_list().unwrap().keys.len(), 2);
        });
    }

    #[test]
    fn a_card_the_platform_has_stopped_is_suspended_here() {
        with_enrolled("elder", |platform, client| async move {
            let card_id = client.snapshot().unwrap().cards[0].card_id.clone();
            let mut events = client.subscribe();
            platform.network.fail(
                Method::POST,
                paths::CREDENTIALS,
                0,
                1,
                Fault::Refused(ProblemCode::CardNotActive),
            );
            assert!(matches!(
                client.refresh_credentials(&card_id).await,
                Err(ClientError::CardSuspended)
            ));
            assert_eq!(
                suspension(&client.inner.store, &card_id)
                    .unwrap()
                    .as_deref(),
                Some("platform")
            );
            assert_eq!(
                events.try_recv().unwrap(),
                ClientEvent::CardSuspended {
                    card_id: card_id.clone()
                }
            );
            assert!(client.snapshot().unwrap().cards[0].suspended_here);
            // Suspended here: no code, without asking the platform.
            let fetched = credential_fetches(&platform);
            assert!(matches!(
                client.current_code(None, Purpose::Transport).await,
                Err(ClientError::CardSuspended)
            ));
            assert_eq!(credential_fetches(&platform), fetched);
            // The platform's profile says the card is fine: the stop ends.
            client.refresh_profile().await.unwrap();
            assert_eq!(suspension(&client.inner.store, &card_id).unwrap(), None);
            assert!(client.current_code(None, Purpose::Transport).await.is_ok());
        });
    }

    #[test]
    fn a_refusal_on_purpose_drops_the_stored_credential() {
        with_enrolled("elder", |platform, client| async move {
            let card_id = client.snapshot().unwrap().cards[0].card_id.clone();
            make_due(&client);
            platform.network.fail(
                Method::POST,
                paths::CREDENTIALS,
                0,
                1,
                Fault::Refused(ProblemCode::Forbidden),
            );
            let refused = client
                .current_code(Some(card_id.clone()), Purpose::Transport)
                .await
                .unwrap_err();
            assert_eq!(refused.code(), "forbidden");
            assert!(
                for_purpose(&client.inner.store, &card_id, Purpose::Transport)
                    .unwrap()
                    .is_none()
            );
            // Offline now, and nothing stored: no code.
            platform.network.set_down(Some(Fault::Timeout));
            assert!(matches!(
                client.current_code(Some(card_id), Purpose::Transport).await,
                Err(ClientError::NoCredential)
            ));
        });
    }

    #[test]
    fn without_a_card_there_is_no_code() {
        with_enrolled("resident", |_, client| async move {
            assert!(matches!(
                client.current_code(None, Purpose::Transport).await,
                Err(ClientError::NoCredential)
            ));
            assert!(stored(&client.inner.store).unwrap().is_empty());
        });
    }

    /// A phone whose key store makes SM2 keys (HUKS) enrols with an SM2
    /// device key, fetches its credentials and shows codes a gate accepts.
    #[test]
    fn an_sm2_device_key_enrols_and_shows_codes_a_gate_accepts() {
        use ecard_credential::{Disclosure, Suite, Verifier, VerifierPolicy};

        use crate::client::ClientConfig;
        use crate::test_platform::block_on;
        use crate::transport::in_process::BASE_URL;

        let platform = TestPlatform::start();
        let data = tempfile::tempdir().unwrap();
        block_on(async {
            let mut config = ClientConfig::new(data.path(), BASE_URL);
            config.device_suite = Suite::Sm2;
            let client = platform.client_with(data.path(), config).await;
            platform.enrol(&client, "elder").await;
            let device = client.inner.key_store.public_key(DEVICE_KEY_ALIAS).unwrap();
            assert_eq!(device.suite(), Suite::Sm2);
            assert!(credential_fetches(&platform) >= 1);
            let code = client.current_code(None, Purpose::Transport).await.unwrap();
            // The status check on the way took the signed trust list.
            let trust = client.inner.status.lock().await.trust.clone().unwrap();
            let mut gate = Verifier::new(
                &trust,
                VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
            )
            .unwrap();
            let verified = gate.verify(&code.text, client.trusted_now()).unwrap();
            assert!(matches!(verified.disclosure, Disclosure::Transport { .. }));
            let next = client.current_code(None, Purpose::Transport).await.unwrap();
            gate.verify(&next.text, client.trusted_now()).unwrap();
            // A replay of the first is still refused.
            assert!(gate.verify(&code.text, client.trusted_now()).is_err());
        });
    }

    /// A key store that cannot make SM2 keys (Android Keystore, the Secure
    /// Enclave) refuses the suite with a typed error, before any request.
    #[test]
    fn a_key_store_without_sm2_refuses_it_with_a_typed_error() {
        use std::sync::Arc;

        use ecard_credential::{KeyStore, KeyStoreError, Locale, PublicKey, Suite};

        use crate::client::ClientConfig;
        use crate::error::ErrorCategory;
        use crate::keystore::{FileKeyStore, SecureKeyStore};
        use crate::test_platform::block_on;
        use crate::transport::in_process::BASE_URL;

        /// P-256 only, as the phones' hardware stores.
        struct P256Only(FileKeyStore);
        impl KeyStore for P256Only {
            fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError> {
                if suite != Suite::EcdsaP256 {
                    return Err(KeyStoreError::UnsupportedSuite);
                }
                self.0.generate_key(alias, suite)
            }
            fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError> {
                self.0.public_key(alias)
            }
            fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
                self.0.sign(alias, message)
            }
            fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError> {
                self.0.delete_key(alias)
            }
        }
        impl SecureKeyStore for P256Only {
            fn wrap(&self, alias: &str, secret: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
                self.0.wrap(alias, secret)
            }
            fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
                self.0.unwrap(alias, wrapped)
            }
        }

        let platform = TestPlatform::start();
        let data = tempfile::tempdir().unwrap();
        block_on(async {
            let mut config = ClientConfig::new(data.path(), BASE_URL);
            config.device_suite = Suite::Sm2;
            let keys = Arc::new(P256Only(
                FileKeyStore::open(data.path().join("keys")).unwrap(),
            ));
            let client = EcardClient::open_with_transport(config, keys, platform.network.clone())
                .await
                .unwrap();
            let enrolments = platform
                .network
                .seen(&Method::POST, paths::ENROLMENTS)
                .len();
            let error = client
                .begin_enrolment(platform.persona("elder").await)
                .await
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    ClientError::KeyStore(KeyStoreError::UnsupportedSuite)
                ),
                "{error:?}"
            );
            assert_eq!(error.code(), "unsupported_suite");
            assert_eq!(error.category(), ErrorCategory::NotAllowed);
            assert!(error.message(Locale::ZhCn).contains("签名算法"));
            assert!(error.message(Locale::En).contains("signature algorithm"));
            assert_eq!(
                platform
                    .network
                    .seen(&Method::POST, paths::ENROLMENTS)
                    .len(),
                enrolments
            );
        });
    }
}
