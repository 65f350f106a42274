//! Offline search of the service catalogue, in Chinese characters, full
//! pinyin and pinyin initials.
//!
//! The index lives in memory, built from the synced rows (pinyin computed at
//! sync time). A query is matched against prepared lowercase keys of every
//! item: SQLite's FTS5 trigram tokenizer cannot match queries shorter than
//! three characters, and the most common Chinese queries are two (社保,
//! 公交, 医保), so a scan of prepared keys is both simpler and complete; at
//! 10,000 items it stays far inside the 2 ms budget (docs/benchmarks.md).
//!
//! Ranking, best first: whole-name match, name prefix, elder label, name
//! substring, pinyin (full, then initials), department and description;
//! ties go to the shorter name, then the id. Several words must all match.

use std::sync::Arc;

use ecard_api::catalogue::{CatalogueItem, Cluster, Domain, UsageMode};

/// A search request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(serde::Deserialize))]
#[cfg_attr(feature = "js", serde(default, deny_unknown_fields))]
pub struct SearchQuery {
    /// Words in characters or pinyin; empty lists everything that passes the filters.
    pub text: String,
    /// Only items available in this division (any level).
    pub region: Option<String>,
    /// Only this programme group.
    pub cluster: Option<Cluster>,
    /// Only this domain.
    pub domain: Option<Domain>,
    /// Only items with this usage mode.
    pub usage_mode: Option<UsageMode>,
    /// At most this many hits (0 = 20).
    pub limit: u32,
}

/// How a hit matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", serde(rename_all = "snake_case"))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub enum MatchKind {
    /// In the characters of the name or label.
    Characters,
    /// In the pinyin spelling or initials.
    Pinyin,
    /// In the department or description.
    Details,
    /// No text was given; the filters matched.
    Filter,
}

/// A search result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct SearchHit {
    /// The item (a copy: hits cross to the apps as plain values).
    pub item: CatalogueItem,
    /// Higher is better.
    pub score: u32,
    /// How it matched.
    pub matched: MatchKind,
}

struct Entry {
    item: Arc<CatalogueItem>,
    /// Every key joined, to reject a non-matching item with one search.
    all: String,
    /// The same without full pinyin: where one- and two-letter queries
    /// (initials) are looked for, as full-pinyin matches need three letters.
    all_short: String,
    /// Name and label joined (where abbreviations are expanded).
    titles: String,
    /// Character signatures of `all`, `all_short` and `titles`: a query word
    /// whose characters are not all in the signature cannot match, and is
    /// rejected with one AND before any text is searched.
    all_signature: u128,
    short_signature: u128,
    titles_signature: u128,
    name_length: usize,
    name: String,
    label: String,
    details: String,
    pinyin_full: Vec<String>,
    pinyin_initials: Vec<String>,
    label_pinyin_full: Vec<String>,
    label_pinyin_initials: Vec<String>,
}

/// The in-memory search index.
#[derive(Default)]
pub struct CatalogueIndex {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for CatalogueIndex {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CatalogueIndex")
            .field("items", &self.entries.len())
            .finish()
    }
}

fn normalise(text: &str) -> String {
    text.chars()
        .filter(|character| !character.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn split_spellings(spellings: &str) -> Vec<String> {
    spellings
        .split(' ')
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

impl CatalogueIndex {
    /// Builds the index from items and their stored pinyin keys
    /// (space-separated variants, see [`super::pinyin::spellings`]).
    pub fn build(mut rows: Vec<(CatalogueItem, String, String)>) -> CatalogueIndex {
        rows.sort_by(|left, right| left.0.id.cmp(&right.0.id));
        let entries = rows
            .into_iter()
            .map(|(item, pinyin_full, pinyin_initials)| {
                let label_spellings = super::pinyin::spellings(&item.short_label);
                let name = normalise(&item.name);
                let label = normalise(&item.short_label);
                let details = normalise(&format!("{} {}", item.department, item.description));
                let label_full: Vec<String> = label_spellings
                    .iter()
                    .map(|(full, _)| full.clone())
                    .collect();
                let label_initials: Vec<String> = label_spellings
                    .into_iter()
                    .map(|(_, initials)| initials)
                    .collect();
                let all = [
                    name.as_str(),
                    label.as_str(),
                    &pinyin_full,
                    &pinyin_initials,
                    &label_full.join(" "),
                    &label_initials.join(" "),
                    details.as_str(),
                ]
                .join("\u{1}");
                let all_short = [
                    name.as_str(),
                    label.as_str(),
                    &pinyin_initials,
                    &label_initials.join(" "),
                    details.as_str(),
                ]
                .join("\u{1}");
                let titles = [name.as_str(), label.as_str()].join("\u{1}");
                Entry {
                    all_signature: signature(&all),
                    short_signature: signature(&all_short),
                    titles_signature: signature(&titles),
                    titles,
                    all,
                    all_short,
                    name_length: item.name.chars().count(),
                    name,
                    label,
                    details,
                    pinyin_full: split_spellings(&pinyin_full),
                    pinyin_initials: split_spellings(&pinyin_initials),
                    label_pinyin_full: label_full,
                    label_pinyin_initials: label_initials,
                    item: Arc::new(item),
                }
            })
            .collect();
        CatalogueIndex { entries }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Looks an item up by id.
    pub fn get(&self, id: &str) -> Option<Arc<CatalogueItem>> {
        self.entries
            .iter()
            .find(|entry| entry.item.id == id)
            .map(|entry| entry.item.clone())
    }

    /// Runs a query. Performs no I/O: safe on a UI thread.
    pub fn search(&self, query: &SearchQuery) -> Vec<SearchHit> {
        let words: Vec<String> = query
            .text
            .split_whitespace()
            .map(normalise)
            .filter(|word| !word.is_empty())
            .collect();
        // Each word, and the full forms of its abbreviations (社保卡 →
        // 社会保障卡), which are looked for in names and labels only.
        let expansions: Vec<Vec<String>> = words.iter().map(|word| expansions(word)).collect();
        let prefilters: Vec<Prefilter<'_>> = words
            .iter()
            .zip(&expansions)
            .map(|(word, forms)| Prefilter::new(word, forms))
            .collect();
        let limit = if query.limit == 0 {
            20
        } else {
            query.limit as usize
        };
        // (score, name length, entry index, kind): entries are sorted by id,
        // so the index breaks ties by id without touching the items.
        let mut hits: Vec<(u32, usize, usize, MatchKind)> = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            if !passes_filters(&entry.item, query)
                || !prefilters
                    .iter()
                    .all(|prefilter| prefilter.may_match(entry))
            {
                continue;
            }
            let mut total = 0;
            let mut kind = MatchKind::Filter;
            let mut all_match = true;
            for (word, forms) in words.iter().zip(&expansions) {
                let best = std::iter::once(score(entry, word))
                    .chain(forms.iter().map(|form| title_score(entry, form)))
                    .flatten()
                    .max_by_key(|(score, _)| *score);
                match best {
                    Some((score, matched)) => {
                        total += score;
                        if kind == MatchKind::Filter || rank(matched) < rank(kind) {
                            kind = matched;
                        }
                    }
                    None => {
                        all_match = false;
                        break;
                    }
                }
            }
            if all_match {
                hits.push((total, entry.name_length, index, kind));
            }
        }
        let order = |left: &(u32, usize, usize, MatchKind),
                     right: &(u32, usize, usize, MatchKind)| {
            right
                .0
                .cmp(&left.0)
                .then_with(|| left.1.cmp(&right.1))
                .then_with(|| left.2.cmp(&right.2))
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, order);
            hits.truncate(limit);
        }
        hits.sort_by(order);
        hits.into_iter()
            .map(|(score, _, index, matched)| SearchHit {
                item: self.entries[index].item.as_ref().clone(),
                score,
                matched,
            })
            .collect()
    }
}

/// A cheap first test of one query word against an item: the character
/// signature (one AND), then one substring search over all the item's keys
/// (or, for the full forms of an abbreviation, over its name and label).
struct Prefilter<'a> {
    short: bool,
    signature: u128,
    finder: memchr::memmem::Finder<'a>,
    expansions: Vec<(u128, memchr::memmem::Finder<'a>)>,
}

impl<'a> Prefilter<'a> {
    fn new(word: &'a str, forms: &'a [String]) -> Prefilter<'a> {
        Prefilter {
            // One- and two-letter Latin words are initials: full pinyin
            // matches need three letters (see `pinyin_score`).
            short: word.is_ascii() && word.len() < 3,
            signature: signature(word),
            finder: memchr::memmem::Finder::new(word.as_bytes()),
            expansions: forms
                .iter()
                .map(|form| {
                    (
                        signature(form),
                        memchr::memmem::Finder::new(form.as_bytes()),
                    )
                })
                .collect(),
        }
    }

    fn may_match(&self, entry: &Entry) -> bool {
        let (keys, keys_signature) = if self.short {
            (&entry.all_short, entry.short_signature)
        } else {
            (&entry.all, entry.all_signature)
        };
        (keys_signature & self.signature == self.signature
            && self.finder.find(keys.as_bytes()).is_some())
            || self.expansions.iter().any(|(signature, finder)| {
                entry.titles_signature & signature == *signature
                    && finder.find(entry.titles.as_bytes()).is_some()
            })
    }
}

/// A 128-bit set of the characters of a text (hashed).
fn signature(text: &str) -> u128 {
    text.chars().fold(0, |bits, character| {
        bits | 1u128 << (u32::from(character).wrapping_mul(0x9E37_79B1) >> 25)
    })
}

/// Abbreviations residents type and the full forms catalogue names use.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("社保卡", &["社会保障卡"]),
    ("社保", &["社会保险", "社会保障"]),
    ("医保", &["医疗保险", "医疗保障"]),
    ("养老金", &["养老保险待遇", "养老待遇"]),
    ("公积金", &["住房公积金"]),
    ("电子社保卡", &["电子社会保障卡"]),
];

fn expansions(word: &str) -> Vec<String> {
    SYNONYMS
        .iter()
        .filter(|(short, _)| word.contains(short))
        .flat_map(|(short, long)| long.iter().map(move |full| word.replacen(short, full, 1)))
        .collect()
}

fn rank(kind: MatchKind) -> u8 {
    match kind {
        MatchKind::Characters => 0,
        MatchKind::Pinyin => 1,
        MatchKind::Details => 2,
        MatchKind::Filter => 3,
    }
}

/// Whether an item is available in `region`: nationwide items everywhere,
/// provincial items in the province, city items in the city.
pub fn covers(item_regions: &[String], region: &str) -> bool {
    item_regions.iter().any(|covered| {
        covered == "100000"
            || covered == region
            || (covered.ends_with("0000") && region.get(..2) == covered.get(..2))
            || (covered.ends_with("00") && region.get(..4) == covered.get(..4))
    })
}

fn passes_filters(item: &CatalogueItem, query: &SearchQuery) -> bool {
    query.cluster.is_none_or(|cluster| item.cluster == cluster)
        && query.domain.is_none_or(|domain| item.domain == domain)
        && query
            .usage_mode
            .is_none_or(|mode| item.usage_modes.contains(&mode))
        && query
            .region
            .as_deref()
            .is_none_or(|region| covers(&item.regions, region))
}

fn title_score(entry: &Entry, word: &str) -> Option<(u32, MatchKind)> {
    if entry.name == word {
        return Some((1_000, MatchKind::Characters));
    }
    if entry.name.starts_with(word) {
        return Some((900, MatchKind::Characters));
    }
    if entry.label == word || entry.label.starts_with(word) {
        return Some((850, MatchKind::Characters));
    }
    if entry.name.contains(word) {
        return Some((700, MatchKind::Characters));
    }
    if entry.label.contains(word) {
        return Some((650, MatchKind::Characters));
    }
    None
}

fn score(entry: &Entry, word: &str) -> Option<(u32, MatchKind)> {
    if let Some(found) = title_score(entry, word) {
        return Some(found);
    }
    if word.is_ascii() {
        if let Some(score) = pinyin_score(&entry.pinyin_full, &entry.pinyin_initials, word, 0) {
            return Some((score, MatchKind::Pinyin));
        }
        if let Some(score) = pinyin_score(
            &entry.label_pinyin_full,
            &entry.label_pinyin_initials,
            word,
            50,
        ) {
            return Some((score, MatchKind::Pinyin));
        }
    }
    if entry.details.contains(word) {
        return Some((200, MatchKind::Details));
    }
    None
}

fn pinyin_score(full: &[String], initials: &[String], word: &str, penalty: u32) -> Option<u32> {
    let best = if full.iter().any(|spelling| spelling == word) {
        800
    } else if initials.iter().any(|spelling| spelling == word) {
        790
    } else if full.iter().any(|spelling| spelling.starts_with(word)) {
        760
    } else if initials.iter().any(|spelling| spelling.starts_with(word)) {
        740
    } else if word.len() >= 3 && full.iter().any(|spelling| spelling.contains(word)) {
        500
    } else if word.len() >= 2 && initials.iter().any(|spelling| spelling.contains(word)) {
        450
    } else {
        return None;
    };
    Some(best - penalty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecard_api::catalogue::{CardForm, Channel};

    fn item(
        id: &str,
        name: &str,
        label: &str,
        regions: &[&str],
    ) -> (CatalogueItem, String, String) {
        let (full, initials) = super::super::pinyin::keys(name);
        (
            CatalogueItem {
                id: id.into(),
                list: "national".into(),
                name: name.into(),
                short_label: label.into(),
                description: "说明".into(),
                cluster: Cluster::Handle,
                domain: Domain::HumanResourcesSocialSecurity,
                usage_modes: vec![UsageMode::IdentityProof],
                card_forms: vec![CardForm::ECardCode],
                channels: vec![Channel::MobileApp],
                regions: regions.iter().map(|region| (*region).to_owned()).collect(),
                department: "人力资源社会保障部门".into(),
                version: 1,
                popularity: 0,
                app_action: None,
                national_item: None,
            },
            full,
            initials,
        )
    }

    fn index() -> CatalogueIndex {
        CatalogueIndex::build(vec![
            item("N-001", "社会保障卡申领", "申领社保卡", &["100000"]),
            item("N-002", "社保卡挂失", "挂失", &["100000"]),
            item("P-003", "公交乘车优惠", "坐公交", &["360000"]),
            item("P-004", "中国银行网点查询", "银行网点", &["360100"]),
        ])
    }

    #[test]
    fn finds_by_characters_pinyin_and_initials() {
        let index = index();
        let ids = |text: &str| -> Vec<String> {
            index
                .search(&SearchQuery {
                    text: text.into(),
                    ..SearchQuery::default()
                })
                .iter()
                .map(|hit| hit.item.id.clone())
                .collect()
        };
        assert_eq!(ids("社保卡"), ["N-002", "N-001"]);
        assert_eq!(ids("社保"), ["N-002", "N-001"]);
        assert_eq!(
            ids("社保卡申领"),
            ["N-001"],
            "the abbreviation finds the full name"
        );
        assert_eq!(ids("公交"), ["P-003"]);
        assert_eq!(ids("gongjiao"), ["P-003"]);
        assert_eq!(ids("sbk")[0], "N-002");
        assert_eq!(ids("shehuibaozhangka"), ["N-001"]);
        assert_eq!(ids("yinhang"), ["P-004"]);
        assert_eq!(ids("社保 挂失"), ["N-002"]);
        assert!(ids("不存在的事项").is_empty());
    }

    #[test]
    fn filters_by_region() {
        let index = index();
        let in_region = |region: &str| -> Vec<String> {
            index
                .search(&SearchQuery {
                    region: Some(region.into()),
                    limit: 10,
                    ..SearchQuery::default()
                })
                .iter()
                .map(|hit| hit.item.id.clone())
                .collect()
        };
        assert_eq!(in_region("360102").len(), 4);
        assert_eq!(in_region("360702").len(), 3);
        assert_eq!(in_region("330100").len(), 2);
    }
}
