//! The account on this device: the session (who enrolled, as which
//! device) and the profile the platform last sent (cards, people acted
//! for). This module owns the `session` and `profile` tables; the profile
//! is also what decides, card by card, whether codes may show here.

use ecard_api::paths;
use ecard_api::resident::Profile;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::client::{DEVICE_KEY_ALIAS, EcardClient, Inner, Session, blocking, signer};
use crate::codes;
use crate::error::{ClientError, StorageError};
use crate::events::ClientEvent;
use crate::net::{ApiRequest, RetryPolicy};
use crate::storage::Store;

/// Replaces the stored session (and, with it, the profile of any account
/// before it).
fn replace_session(
    tx: &Transaction<'_>,
    session: &Session,
    sealed: &[u8],
) -> Result<(), StorageError> {
    tx.execute("DELETE FROM session", [])?;
    tx.execute("DELETE FROM profile", [])?;
    tx.execute(
        "INSERT INTO session (id, account_id, person_id, device_id, key_alias, sealed) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        params![session.account_id, session.person_id, session.device_id, DEVICE_KEY_ALIAS, sealed],
    )?;
    Ok(())
}

/// Stores the profile the platform sent.
fn store_profile(tx: &Transaction<'_>, sealed: &[u8], now: u64) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO profile (id, sealed, fetched_at) VALUES (1, ?1, ?2) \
         ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed, fetched_at = excluded.fetched_at",
        params![sealed, now as i64],
    )?;
    Ok(())
}

/// The sealed single row of `table` (`session` or `profile`), if any.
fn sealed_row(store: &Store, table: &'static str) -> Result<Option<Vec<u8>>, StorageError> {
    store.read(|connection| {
        Ok(connection
            .query_row(
                &format!("SELECT sealed FROM {table} WHERE id = 1"),
                [],
                |row| row.get(0),
            )
            .optional()?)
    })
}

/// The stored session, opened.
pub(crate) fn load_session(inner: &Inner) -> Result<Option<Session>, ClientError> {
    Ok(sealed_row(&inner.store, "session")?
        .map(|sealed| inner.cipher.open_json("session.sealed", &sealed))
        .transpose()?)
}

/// The account of the client.
impl EcardClient {
    /// Stores a new session and signs from now on as its device; fetches
    /// the profile and credentials (failures there surface on the next call
    /// that needs them).
    pub(crate) async fn install_session(&self, session: Session) -> Result<(), ClientError> {
        let stored = session.clone();
        blocking(&self.inner, move |inner| {
            let sealed = inner.cipher.seal_json("session.sealed", &stored)?;
            inner.store.write(|tx| {
                // Another account's profile and credentials go with its session.
                codes::forget_all_credentials(tx)?;
                replace_session(tx, &stored, &sealed)
            })?;
            Ok(())
        })
        .await?;
        let network = self
            .inner
            .network
            .with_signer(signer(&self.inner, &session.device_id));
        *self
            .inner
            .session
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((session.clone(), network));
        tracing::info!(account = %session.account_id, "device enrolled");
        self.emit(ClientEvent::ProfileChanged);
        if self.refresh_profile().await.is_ok() {
            let _ = self.refresh_all_credentials().await;
        }
        Ok(())
    }

    /// Fetches the profile (cards, people acted for) from the platform.
    pub async fn refresh_profile(&self) -> Result<Profile, ClientError> {
        let network = self.signed_network()?;
        let profile: Profile = self
            .call(
                &network,
                &ApiRequest::get(paths::ME).signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await?
            .json()?;
        let stored = profile.clone();
        let now = self.trusted_now();
        blocking(&self.inner, move |inner| {
            let sealed = inner.cipher.seal_json("profile.sealed", &stored)?;
            Ok(inner.store.write(|tx| {
                store_profile(tx, &sealed, now)?;
                // The platform says what may show codes; local suspensions
                // from loss reports made here end when the platform agrees.
                let cards: Vec<&ecard_api::resident::Card> = stored
                    .person
                    .cards
                    .iter()
                    .chain(
                        stored
                            .principals
                            .iter()
                            .flat_map(|person| person.cards.iter()),
                    )
                    .collect();
                codes::follow_platform(tx, &cards, now)
            })?)
        })
        .await?;
        self.emit(ClientEvent::ProfileChanged);
        Ok(profile)
    }

    /// The last profile fetched, from storage.
    pub fn cached_profile(&self) -> Result<Option<Profile>, ClientError> {
        Ok(sealed_row(&self.inner.store, "profile")?
            .map(|sealed| self.inner.cipher.open_json("profile.sealed", &sealed))
            .transpose()?)
    }
}
