//! The search vocabulary: how residents say what catalogue items call
//! otherwise (丢了 → 挂失, 看病 → 就医), kept per list — the national base set
//! and each province's additions — and sent whole with the catalogue sync
//! (served by [`crate::http::feeds::sync`], replaced by
//! [`crate::http::admin::put_search_vocabulary`]).
//!
//! One version covers every list: it takes a step whenever any list
//! changes, so a client's conditional sync is answered in full after a
//! change to its province's words or the national ones.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::catalogue::{SearchVocabulary, VocabularyEntry};
use serde::{Deserialize, Serialize};

use crate::domain::rules::province_of;
use crate::error::{ApiError, ApiResult};
use crate::store::db::{meta_get, meta_set};

/// The name of the national list.
pub const NATIONAL: &str = "national";

/// The `meta` key of the vocabulary version.
const VERSION_KEY: &str = "vocabulary_version";

/// Most entries one list may hold.
pub const MAX_ENTRIES: usize = 2_000;

/// Most characters of a term.
pub const MAX_TERM_CHARS: usize = 12;

/// Most characters of a catalogue word an entry means.
pub const MAX_MEANS_CHARS: usize = 32;

/// Most terms, and most catalogue words, of one entry.
pub const MAX_WORDS_PER_ENTRY: usize = 64;

/// One entry of a list as stored and as an operator sends it: the list is
/// the row's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// What residents type.
    pub terms: Vec<String>,
    /// The catalogue words they mean (empty for filler words).
    #[serde(default)]
    pub means: Vec<String>,
}

/// Whether `list` names a list: `national` or a province's six-digit code
/// (two digits and `0000`, not `000000`).
pub fn list_ok(list: &str) -> bool {
    list == NATIONAL
        || (list.len() == 6
            && list.bytes().all(|byte| byte.is_ascii_digit())
            && list.ends_with("0000")
            && !list.starts_with("00"))
}

/// Checks a list's name and entries: at most [`MAX_ENTRIES`] entries, each
/// with 1–[`MAX_WORDS_PER_ENTRY`] terms of 1–[`MAX_TERM_CHARS`] characters
/// (no surrounding spaces), no term twice in the list, and catalogue words
/// of 1–[`MAX_MEANS_CHARS`] characters.
pub fn validate(list: &str, entries: &[Words]) -> ApiResult<()> {
    if !list_ok(list) {
        return Err(ApiError::field(
            "list",
            "`national` or a province's six-digit code ending in 0000",
        ));
    }
    if entries.len() > MAX_ENTRIES {
        return Err(ApiError::field(
            "entries",
            format!("at most {MAX_ENTRIES} entries in a list"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        if entry.terms.is_empty() || entry.terms.len() > MAX_WORDS_PER_ENTRY {
            return Err(ApiError::field(
                "terms",
                format!("every entry has 1–{MAX_WORDS_PER_ENTRY} terms"),
            ));
        }
        for term in &entry.terms {
            let chars = term.chars().count();
            if chars == 0 || chars > MAX_TERM_CHARS || term.trim() != term {
                return Err(ApiError::field(
                    "terms",
                    format!(
                        "a term is 1–{MAX_TERM_CHARS} characters without surrounding spaces: {term:?}"
                    ),
                ));
            }
            if !seen.insert(term.as_str()) {
                return Err(ApiError::field(
                    "terms",
                    format!("{term:?} is in two entries of the list"),
                ));
            }
        }
        if entry.means.len() > MAX_WORDS_PER_ENTRY {
            return Err(ApiError::field(
                "means",
                format!("at most {MAX_WORDS_PER_ENTRY} words an entry means"),
            ));
        }
        for word in &entry.means {
            let chars = word.chars().count();
            if chars == 0 || chars > MAX_MEANS_CHARS || word.trim() != word {
                return Err(ApiError::field(
                    "means",
                    format!(
                        "a catalogue word is 1–{MAX_MEANS_CHARS} characters without surrounding spaces: {word:?}"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The current vocabulary version (0 before anything was stored).
pub fn version(tx: &Transaction<'_>) -> ApiResult<u64> {
    Ok(meta_get(tx, VERSION_KEY)?.unwrap_or(0) as u64)
}

/// Whether the vocabulary was ever stored (first-start seeding).
pub fn is_seeded(tx: &Transaction<'_>) -> ApiResult<bool> {
    Ok(meta_get(tx, VERSION_KEY)?.is_some())
}

fn write(tx: &Transaction<'_>, list: &str, entries: &[Words], version: u64) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO search_vocabulary (list, version, entries) VALUES (?1, ?2, ?3) \
         ON CONFLICT(list) DO UPDATE SET version = excluded.version, entries = excluded.entries",
        params![list, version as i64, serde_json::to_string(entries)?],
    )?;
    Ok(())
}

/// Replaces one list's entries (validated first) and steps the vocabulary
/// version, which it returns.
pub fn replace(tx: &Transaction<'_>, list: &str, entries: &[Words]) -> ApiResult<u64> {
    validate(list, entries)?;
    let version = version(tx)? + 1;
    write(tx, list, entries, version)?;
    meta_set(tx, VERSION_KEY, version as i64)?;
    Ok(version)
}

/// Loads the sample vocabulary (entries of any lists, in order) in one
/// version step (first start).
pub fn seed(tx: &Transaction<'_>, entries: &[VocabularyEntry]) -> ApiResult<()> {
    let version = version(tx)? + 1;
    let mut lists: Vec<(&str, Vec<Words>)> = Vec::new();
    for entry in entries {
        let words = Words {
            terms: entry.terms.clone(),
            means: entry.means.clone(),
        };
        match lists.iter_mut().find(|(list, _)| *list == entry.list) {
            Some((_, list)) => list.push(words),
            None => lists.push((entry.list.as_str(), vec![words])),
        }
    }
    for (list, words) in &lists {
        validate(list, words)?;
        write(tx, list, words, version)?;
    }
    meta_set(tx, VERSION_KEY, version as i64)?;
    Ok(())
}

fn list_entries(tx: &Transaction<'_>, list: &str) -> ApiResult<Vec<Words>> {
    let stored: Option<String> = tx
        .query_row(
            "SELECT entries FROM search_vocabulary WHERE list = ?1",
            params![list],
            |row| row.get(0),
        )
        .optional()?;
    stored.map_or(Ok(Vec::new()), |text| {
        serde_json::from_str(&text).map_err(|_| {
            ApiError::new(
                ecard_api::problem::ProblemCode::Internal,
                "stored vocabulary unreadable",
            )
        })
    })
}

/// The vocabulary for a region: the national entries followed by those of
/// the region's province, with the vocabulary version.
pub fn for_region(tx: &Transaction<'_>, region: &str) -> ApiResult<SearchVocabulary> {
    let province = province_of(region);
    let mut entries = Vec::new();
    for list in [NATIONAL, province.as_str()] {
        entries.extend(
            list_entries(tx, list)?
                .into_iter()
                .map(|words| VocabularyEntry {
                    terms: words.terms,
                    means: words.means,
                    list: list.to_owned(),
                }),
        );
    }
    Ok(SearchVocabulary {
        version: version(tx)?,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(terms: &[&str], means: &[&str]) -> Words {
        Words {
            terms: terms.iter().map(|t| (*t).to_owned()).collect(),
            means: means.iter().map(|m| (*m).to_owned()).collect(),
        }
    }

    #[test]
    fn lists_are_national_or_a_province() {
        for good in ["national", "360000", "110000", "820000"] {
            assert!(list_ok(good), "{good}");
        }
        for bad in [
            "", "nation", "360100", "000000", "36000", "3600000", "36000a", "NATIONAL",
        ] {
            assert!(!list_ok(bad), "{bad}");
        }
    }

    #[test]
    fn validation_refuses_bad_terms_and_oversized_lists() {
        assert!(
            validate(
                "360000",
                &[words(&["丢了"], &["挂失"]), words(&["吗"], &[])]
            )
            .is_ok()
        );
        assert!(validate("360100", &[]).is_err());
        assert!(validate("national", &[words(&[""], &["挂失"])]).is_err());
        assert!(validate("national", &[words(&[], &["挂失"])]).is_err());
        assert!(validate("national", &[words(&["一二三四五六七八九十一二三"], &[])]).is_err());
        assert!(validate("national", &[words(&["一二三四五六七八九十一二"], &[])]).is_ok());
        assert!(validate("national", &[words(&[" 丢了"], &[])]).is_err());
        assert!(validate("national", &[words(&["丢了"], &[""])]).is_err());
        assert!(
            validate(
                "national",
                &[words(&["丢了"], &["挂失"]), words(&["丢了"], &["补换"])]
            )
            .is_err()
        );
        let many: Vec<Words> = (0..=MAX_ENTRIES)
            .map(|i| words(&[&i.to_string()], &[]))
            .collect();
        assert!(validate("national", &many).is_err());
        assert!(validate("national", &many[..MAX_ENTRIES]).is_ok());
    }
}
