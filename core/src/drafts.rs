//! Drafts: forms in progress, sealed at rest, kept across restarts until
//! submitted (the outbox consumes a draft in the transaction that queues its
//! submission) or deleted. This module owns the `drafts` table.

use rusqlite::{Transaction, params};

use crate::client::{EcardClient, blocking};
use crate::error::{ClientError, StorageError};
use crate::storage::Store;
use crate::workflows::{Draft, DraftForm};

/// A draft row as stored, its form still sealed.
struct StoredDraft {
    draft_id: String,
    kind: String,
    sealed: Vec<u8>,
    updated_at: u64,
}

/// Writes (or replaces) a draft row.
fn store_row(
    tx: &Transaction<'_>,
    draft_id: &str,
    kind: &str,
    sealed: &[u8],
    now: u64,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO drafts (draft_id, kind, sealed, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(draft_id) DO UPDATE SET kind = excluded.kind, sealed = excluded.sealed, updated_at = excluded.updated_at",
        params![draft_id, kind, sealed, now as i64],
    )?;
    Ok(())
}

/// Every draft row, newest first.
fn rows(store: &Store) -> Result<Vec<StoredDraft>, StorageError> {
    store.read(|connection| {
        let mut statement = connection.prepare(
            "SELECT draft_id, kind, sealed, updated_at FROM drafts ORDER BY updated_at DESC, draft_id",
        )?;
        let rows = statement
            .query_map([], |row| {
                Ok(StoredDraft {
                    draft_id: row.get(0)?,
                    kind: row.get(1)?,
                    sealed: row.get(2)?,
                    updated_at: row.get::<_, i64>(3)? as u64,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
}

/// Deletes a draft row (none is fine).
pub(crate) fn delete_row(tx: &Transaction<'_>, draft_id: &str) -> Result<(), StorageError> {
    tx.execute("DELETE FROM drafts WHERE draft_id = ?1", params![draft_id])?;
    Ok(())
}

/// Reads a stored draft of either shape. `kind` is the row's `kind` column
/// (`new_card` or `replacement`), written beside every draft since the
/// first schema.
///
/// The current shape is [`DraftForm`]'s own. The first shape put the tag
/// `kind` inside the form; for a replacement that made a second `kind` key
/// (the replacement kind) in the same object, which serde refuses as a
/// duplicate field. Those drafts still read: as a JSON value the later key
/// wins — the form's own `kind`, since the tag was written first — and the
/// column says which form it is.
fn read_draft(kind: &str, json: serde_json::Value) -> Result<DraftForm, serde_json::Error> {
    if json.get("draft").is_some() {
        return serde_json::from_value(json);
    }
    match kind {
        "new_card" => serde_json::from_value(json).map(DraftForm::NewCard),
        "replacement" => serde_json::from_value(json).map(DraftForm::Replacement),
        other => Err(serde::de::Error::custom(format!(
            "unknown draft kind {other:?}"
        ))),
    }
}

/// Drafts of the client.
impl EcardClient {
    /// Saves a form in progress (creating a draft when `draft_id` is `None`).
    /// Drafts survive restarts; they are sealed at rest.
    pub async fn save_draft(
        &self,
        draft_id: Option<String>,
        form: DraftForm,
    ) -> Result<String, ClientError> {
        let draft_id = match draft_id {
            Some(id) => id,
            None => format!("draft-{}", crate::net::new_idempotency_key()?),
        };
        let now = self.trusted_now();
        let id = draft_id.clone();
        blocking(&self.inner, move |inner| {
            let sealed = inner.cipher.seal_json("drafts.sealed", &form)?;
            let kind = match form {
                DraftForm::NewCard(_) => "new_card",
                DraftForm::Replacement(_) => "replacement",
            };
            Ok(inner
                .store
                .write(|tx| store_row(tx, &id, kind, &sealed, now))?)
        })
        .await?;
        Ok(draft_id)
    }

    /// Every draft, newest first.
    pub fn drafts(&self) -> Result<Vec<Draft>, ClientError> {
        rows(&self.inner.store)?
            .into_iter()
            .map(
                |StoredDraft {
                     draft_id,
                     kind,
                     sealed,
                     updated_at,
                 }| {
                    let json: serde_json::Value =
                        self.inner.cipher.open_json("drafts.sealed", &sealed)?;
                    Ok(Draft {
                        form: read_draft(&kind, json).map_err(|error| {
                            StorageError::Corrupt(format!("draft {draft_id}: {error}"))
                        })?,
                        draft_id,
                        updated_at,
                    })
                },
            )
            .collect()
    }

    /// Deletes a draft.
    pub async fn delete_draft(&self, draft_id: &str) -> Result<(), ClientError> {
        let id = draft_id.to_owned();
        blocking(&self.inner, move |inner| {
            Ok(inner.store.write(|tx| delete_row(tx, &id))?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ecard_api::resident::{Delivery, ReplacementKind};
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::client::ClientConfig;
    use crate::keystore::FileKeyStore;
    use crate::test_platform::block_on;
    use crate::workflows::{NewCardForm, ReplacementForm};

    async fn client(data: &std::path::Path) -> EcardClient {
        let keys = Arc::new(FileKeyStore::open(data.join("keys")).unwrap());
        // Drafts need no platform: nothing listens on port 9.
        EcardClient::open(ClientConfig::new(data, "http://127.0.0.1:9"), keys)
            .await
            .unwrap()
    }

    fn new_card() -> NewCardForm {
        NewCardForm {
            person_id: None,
            photo_jpeg: vec![0xff, 0xd8, 0xff, 0xd9],
            bank: "icbc".into(),
            phone: "13800138000".into(),
            delivery: Delivery::Pickup {
                outlet_id: "outlet-1".into(),
            },
            instant_issue: false,
        }
    }

    fn replacement(kind: ReplacementKind) -> ReplacementForm {
        ReplacementForm {
            card_id: "card-1".into(),
            kind,
            bank: (kind == ReplacementKind::ChangeBank).then(|| "ccb".into()),
            photo_jpeg: None,
            delivery: Delivery::Mail {
                address: "江西省南昌市东湖区八一大道1号".into(),
                phone: "13800138000".into(),
            },
            instant_issue: false,
        }
    }

    /// One form of every kind: a first card and each kind of replacement.
    fn every_kind() -> Vec<DraftForm> {
        vec![
            DraftForm::NewCard(new_card()),
            DraftForm::Replacement(replacement(ReplacementKind::Plain)),
            DraftForm::Replacement(replacement(ReplacementKind::ChangeBank)),
            DraftForm::Replacement(replacement(ReplacementKind::KeepNumber)),
        ]
    }

    fn sorted(mut forms: Vec<DraftForm>) -> Vec<DraftForm> {
        forms.sort_by_key(|form| format!("{form:?}"));
        forms
    }

    #[test]
    fn one_draft_of_every_kind_saves_and_lists() {
        let data = tempfile::tempdir().unwrap();
        let saved = block_on(async {
            let client = client(data.path()).await;
            let mut ids = Vec::new();
            for form in every_kind() {
                ids.push(client.save_draft(None, form).await.unwrap());
            }
            let listed = client.drafts().unwrap();
            assert_eq!(
                sorted(listed.iter().map(|draft| draft.form.clone()).collect()),
                sorted(every_kind())
            );
            // The export carries each draft with its kind and its own fields.
            let export = client.export_personal_data().unwrap();
            let mut kinds: Vec<&str> = export
                .drafts
                .iter()
                .filter_map(|draft| draft.form["draft"].as_str())
                .collect();
            kinds.sort_unstable();
            assert_eq!(
                kinds,
                ["new_card", "replacement", "replacement", "replacement"]
            );
            let mut replacement_kinds: Vec<&str> = export
                .drafts
                .iter()
                .filter_map(|draft| draft.form["form"]["kind"].as_str())
                .collect();
            replacement_kinds.sort_unstable();
            assert_eq!(replacement_kinds, ["change_bank", "keep_number", "plain"]);
            // Saving again under the same id replaces, never duplicates.
            let changed = DraftForm::Replacement(replacement(ReplacementKind::KeepNumber));
            client
                .save_draft(Some(ids[0].clone()), changed.clone())
                .await
                .unwrap();
            let mut expected = every_kind();
            expected[0] = changed;
            assert_eq!(
                sorted(
                    client
                        .drafts()
                        .unwrap()
                        .into_iter()
                        .map(|draft| draft.form)
                        .collect()
                ),
                sorted(expected)
            );
            client.delete_draft(&ids[0]).await.unwrap();
            client.drafts().unwrap()
        });
        // And after a restart.
        let reopened = block_on(async { client(data.path()).await.drafts().unwrap() });
        assert_eq!(reopened, saved);
        assert_eq!(
            sorted(reopened.into_iter().map(|draft| draft.form).collect()),
            sorted(every_kind()[1..].to_vec())
        );
    }

    /// The shape drafts were stored in before: the tag inside the form.
    #[derive(Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum FirstShape {
        NewCard(NewCardForm),
        Replacement(ReplacementForm),
    }

    #[test]
    fn drafts_stored_in_the_first_shape_still_read() {
        let data = tempfile::tempdir().unwrap();
        block_on(async {
            let client = client(data.path()).await;
            let old = [
                ("d-new", "new_card", FirstShape::NewCard(new_card())),
                (
                    "d-plain",
                    "replacement",
                    FirstShape::Replacement(replacement(ReplacementKind::Plain)),
                ),
                (
                    "d-bank",
                    "replacement",
                    FirstShape::Replacement(replacement(ReplacementKind::ChangeBank)),
                ),
                (
                    "d-keep",
                    "replacement",
                    FirstShape::Replacement(replacement(ReplacementKind::KeepNumber)),
                ),
            ];
            for (id, kind, form) in &old {
                let json = serde_json::to_vec(form).unwrap();
                if *kind == "replacement" {
                    // The bug: the old shape could not read its own replacements.
                    let error = serde_json::from_slice::<FirstShape>(&json).err().unwrap();
                    assert!(
                        error.to_string().contains("duplicate field `kind`"),
                        "{error}"
                    );
                }
                let sealed = client
                    .inner
                    .cipher
                    .seal_json("drafts.sealed", form)
                    .unwrap();
                client
                    .inner
                    .store
                    .write(|tx| {
                        tx.execute(
                            "INSERT INTO drafts (draft_id, kind, sealed, updated_at) VALUES (?1, ?2, ?3, 0)",
                            params![id, kind, sealed],
                        )?;
                        Ok(())
                    })
                    .unwrap();
            }
            let listed = client.drafts().unwrap();
            let by_id = |id: &str| {
                listed
                    .iter()
                    .find(|draft| draft.draft_id == id)
                    .map(|draft| draft.form.clone())
                    .unwrap()
            };
            assert_eq!(by_id("d-new"), DraftForm::NewCard(new_card()));
            for (id, kind) in [
                ("d-plain", ReplacementKind::Plain),
                ("d-bank", ReplacementKind::ChangeBank),
                ("d-keep", ReplacementKind::KeepNumber),
            ] {
                assert_eq!(by_id(id), DraftForm::Replacement(replacement(kind)), "{id}");
            }
            // Saved again, a draft takes the current shape.
            client
                .save_draft(Some("d-plain".into()), by_id("d-plain"))
                .await
                .unwrap();
            assert_eq!(client.drafts().unwrap().len(), 4);
        });
    }
}
