//! Offline search of the service catalogue the way residents ask: in
//! characters, colloquially (补办社保卡, 社保卡丢了怎么办), in pinyin or its
//! initials, with small typos.
//!
//! A query is first read into the words the resident meant
//! ([`super::understanding`]); each word is then looked up in a posting list
//! per character of the item texts, so a query costs time in proportion to
//! the items sharing its characters, not to the catalogue. Every word
//! weighs by how rare it is among the items (a word every item has says
//! little), and an item's relevance is the share of the query's weight it
//! holds, by where (name, label, description, department) and how (typed,
//! through its meaning, read from pinyin). Why not SQLite FTS5: its trigram
//! tokenizer cannot match the two-character queries residents type most
//! (社保, 医保), and the understanding needs the vocabulary anyway.
//!
//! Ranking, best first: relevance, raised for items the app itself handles
//! and, a little, for the most used items; ties go to the shorter name,
//! then the id. One hit per service: a province's item stands in for its
//! national twin when the query names a region.

use foldhash::{HashMap, HashMapExt};
use std::sync::{Arc, OnceLock};

use ecard_api::catalogue::{CatalogueItem, Cluster, Domain, SearchVocabulary, UsageMode};

use super::understanding::{Dictionary, Form, Origin, Slot, bounded, compact, is_chinese};

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
    /// Through what the words mean (the search vocabulary: 丢了 → 挂失).
    Meaning,
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
    /// Ids of the same service's other items folded into this hit (the
    /// national twin of a provincial item), each reachable by id.
    pub twins: Vec<String>,
}

/// An item as the index holds it.
struct Entry {
    item: Arc<CatalogueItem>,
    name: String,
    label: String,
    description: String,
    department: String,
    name_length: usize,
    /// The entry of the item's national twin, or its own: one result per
    /// service.
    service: u32,
    regional: bool,
}

/// The in-memory search index: the items, a posting list per character of
/// their texts, and the dictionary queries are read with.
#[derive(Default)]
pub struct CatalogueIndex {
    entries: Vec<Entry>,
    /// Per character, and per pair of adjacent characters: the entries
    /// whose texts hold it, with which texts ([`FIELD_NAME`] …) as bits.
    characters: HashMap<char, Vec<(u32, u8)>>,
    pairs: HashMap<(char, char), Vec<(u32, u8)>>,
    /// Built on first use (or by [`CatalogueIndex::prepare`] off the UI
    /// thread): reading the catalogue's words and their spellings is most
    /// of an index's cost, and opening the app must not wait for it.
    dictionary: OnceLock<Dictionary>,
    vocabulary: SearchVocabulary,
}

impl std::fmt::Debug for CatalogueIndex {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CatalogueIndex")
            .field("items", &self.entries.len())
            .field(
                "dictionary_words",
                &self.dictionary.get().map(Dictionary::len),
            )
            .finish()
    }
}

/// The texts of an entry, as bits of a posting.
const FIELD_NAME: u8 = 1;
const FIELD_LABEL: u8 = 2;
const FIELD_DESCRIPTION: u8 = 4;
const FIELD_DEPARTMENT: u8 = 8;

/// Adds `index` with `field` to a posting list (entries arrive in order).
fn post(list: &mut Vec<(u32, u8)>, index: u32, field: u8) {
    match list.last_mut() {
        Some((last, fields)) if *last == index => *fields |= field,
        _ => list.push((index, field)),
    }
}

/// Posting lists longer than the entries divided by this are intersected
/// with a mask per entry instead of by searching.
const DENSE_SHARE: usize = 8;

/// Relevance below this (a share of what the query's words weigh) is no match.
const LEAST_RELEVANCE: f32 = 0.3;
/// How much more relevance an item needs when only lone characters of the
/// query matched it.
const WEAK_FACTOR: f32 = 1.7;
/// Relevance added when an item's name contains the whole query.
const PHRASE_BONUS: f32 = 0.25;
/// Rank added for items the app itself handles (apply, report loss, show a code).
const ACTION_BOOST: f32 = 0.15;
/// Rank added at the highest popularity (100).
const POPULARITY_BOOST: f32 = 0.1;

/// One scored entry: (rank, name length, entry index, kind).
type Scored = (f32, usize, u32, MatchKind);

fn by_rank(left: &Scored, right: &Scored) -> std::cmp::Ordering {
    right
        .0
        .total_cmp(&left.0)
        .then_with(|| left.1.cmp(&right.1))
        .then_with(|| left.2.cmp(&right.2))
}

impl CatalogueIndex {
    /// Builds the index from the items and the search vocabulary.
    pub fn build(mut items: Vec<CatalogueItem>, vocabulary: &SearchVocabulary) -> CatalogueIndex {
        items.sort_by(|left, right| left.id.cmp(&right.id));
        let positions: HashMap<String, u32> = items
            .iter()
            .enumerate()
            .map(|(index, item)| (item.id.clone(), index as u32))
            .collect();
        let mut characters: HashMap<char, Vec<(u32, u8)>> = HashMap::new();
        let mut pairs: HashMap<(char, char), Vec<(u32, u8)>> = HashMap::new();
        let entries: Vec<Entry> = items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let entry = Entry {
                    name: compact(&item.name),
                    label: compact(&item.short_label),
                    description: compact(&item.description),
                    department: compact(&item.department),
                    name_length: item.name.chars().count(),
                    service: item
                        .national_item
                        .as_ref()
                        .and_then(|twin| positions.get(twin).copied())
                        .unwrap_or(index as u32),
                    regional: item.list != "national",
                    item: Arc::new(item),
                };
                let fields = [
                    (&entry.name, FIELD_NAME),
                    (&entry.label, FIELD_LABEL),
                    (&entry.description, FIELD_DESCRIPTION),
                    (&entry.department, FIELD_DEPARTMENT),
                ];
                for (text, field) in fields {
                    let mut previous = None;
                    for character in text.chars() {
                        post(
                            characters.entry(character).or_default(),
                            index as u32,
                            field,
                        );
                        if let Some(before) = previous {
                            post(
                                pairs.entry((before, character)).or_default(),
                                index as u32,
                                field,
                            );
                        }
                        previous = Some(character);
                    }
                }
                entry
            })
            .collect();
        CatalogueIndex {
            entries,
            characters,
            pairs,
            dictionary: OnceLock::new(),
            vocabulary: vocabulary.clone(),
        }
    }

    /// Builds the dictionary now if it is not built yet: call it off the UI
    /// thread after a sync or an open, so the first search does not wait.
    pub fn prepare(&self) {
        let _ = self.dictionary();
    }

    fn dictionary(&self) -> &Dictionary {
        self.dictionary.get_or_init(|| {
            Dictionary::build(
                &self.vocabulary,
                self.entries
                    .iter()
                    .map(|entry| [entry.name.as_str(), entry.label.as_str()]),
            )
        })
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
            .binary_search_by(|entry| entry.item.id.as_str().cmp(id))
            .ok()
            .map(|index| self.entries[index].item.clone())
    }

    /// Runs a query. Performs no I/O: safe on a UI thread. Twins fold to
    /// the provincial item when the query names a region it covers.
    pub fn search(&self, query: &SearchQuery) -> Vec<SearchHit> {
        self.search_from(query, query.region.as_deref())
    }

    /// Runs a query for a resident of `home`: twins fold to the item of
    /// the resident's province even when the query names no region.
    pub fn search_from(&self, query: &SearchQuery, home: Option<&str>) -> Vec<SearchHit> {
        let home = query.region.as_deref().or(home);
        let slots = self.dictionary().analyse(&query.text);
        if slots.is_empty() {
            // Only an empty query lists everything; one of symbols only (%, ;)
            // has no word to find.
            if query.text.trim().is_empty() {
                return self.listing(query, home);
            }
            return Vec::new();
        }
        let phrase: String = compact(&bounded(&query.text));
        let scored = self.score(&slots, query, &phrase, LEAST_RELEVANCE);
        self.fold_twins(scored, query, home)
    }

    /// The items closest to a query that matched nothing: the same reading
    /// with any relevance at all, then items sharing its characters, then
    /// the most used items the app handles. Never empty while the index
    /// holds an item that passes the filters.
    pub fn closest(&self, query: &SearchQuery, home: Option<&str>) -> Vec<SearchHit> {
        let home = query.region.as_deref().or(home);
        let phrase: String = compact(&bounded(&query.text));
        let slots = self.dictionary().analyse(&query.text);
        let mut hits = self.fold_twins(self.score(&slots, query, &phrase, 0.0), query, home);
        if hits.is_empty() {
            let characters: Vec<Slot> = phrase
                .chars()
                .filter(|character| is_chinese(*character))
                .map(|character| Slot {
                    forms: vec![Form {
                        text: character.to_string(),
                        quality: 1.0,
                        origin: Origin::Typed,
                    }],
                    weak: false,
                })
                .collect();
            hits = self.fold_twins(self.score(&characters, query, &phrase, 0.0), query, home);
        }
        if hits.is_empty() {
            hits = self
                .listing(query, home)
                .into_iter()
                .filter(|hit| hit.item.app_action.is_some())
                .collect();
        }
        hits
    }

    /// Everything that passes the filters, most used first.
    fn listing(&self, query: &SearchQuery, home: Option<&str>) -> Vec<SearchHit> {
        let scored: Vec<Scored> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| passes_filters(&entry.item, query))
            .map(|(index, entry)| {
                (
                    f32::from(entry.item.popularity),
                    entry.name_length,
                    index as u32,
                    MatchKind::Filter,
                )
            })
            .collect();
        self.fold_twins(scored, query, home)
            .into_iter()
            .map(|hit| SearchHit { score: 0, ..hit })
            .collect()
    }

    /// The relevance of every entry to the slots, as a share of what the
    /// slots weigh (rarer words weigh more), then the rank.
    fn score(&self, slots: &[Slot], query: &SearchQuery, phrase: &str, least: f32) -> Vec<Scored> {
        let count = self.entries.len();
        let mut total = vec![0f32; count];
        let mut strongest = vec![(0f32, MatchKind::Filter); count];
        let mut best = vec![(0f32, MatchKind::Filter); count];
        let mut visible = vec![Visible::Unknown; count];
        // Whether a word other than a lone character matched.
        let mut strong = vec![false; count];
        let mut touched: Vec<u32> = Vec::new();
        let mut all_touched: Vec<u32> = Vec::new();
        let mut total_weight = 0f32;
        for slot in slots {
            for form in &slot.forms {
                let exact = form.text.chars().count() <= 2;
                let finder = memchr::memmem::Finder::new(form.text.as_bytes());
                for (index, fields) in self.candidates(&form.text) {
                    let entry = &self.entries[index as usize];
                    // Only items the query can show count, also in how
                    // rare a word is.
                    let visible = &mut visible[index as usize];
                    if *visible == Visible::Unknown {
                        *visible = if passes_filters(&entry.item, query) {
                            Visible::Yes
                        } else {
                            Visible::No
                        };
                    }
                    if *visible == Visible::No {
                        continue;
                    }
                    let Some((strength, field)) =
                        field_match(entry, &form.text, &finder, fields, exact)
                    else {
                        continue;
                    };
                    let value = strength * form.quality;
                    let slot_best = &mut best[index as usize];
                    if value > slot_best.0 {
                        if slot_best.0 == 0.0 {
                            touched.push(index);
                        }
                        *slot_best = (value, kind_of(form.origin, field));
                    }
                }
            }
            let found = touched.len();
            let mut weight = if found == 0 {
                // A word that matches nothing still counts, half, so that
                // what does match covers less of the query.
                0.5 * (1.0 + count as f32).ln()
            } else {
                (1.0 + count as f32 / found as f32).ln()
            };
            if slot.weak {
                weight *= 0.5;
            }
            total_weight += weight;
            for index in touched.drain(..) {
                let (value, kind) =
                    std::mem::replace(&mut best[index as usize], (0.0, MatchKind::Filter));
                if total[index as usize] == 0.0 {
                    all_touched.push(index);
                }
                total[index as usize] += weight * value;
                strong[index as usize] |= !slot.weak;
                if weight * value > strongest[index as usize].0 {
                    strongest[index as usize] = (weight * value, kind);
                }
            }
        }
        if total_weight <= 0.0 {
            return Vec::new();
        }
        // A query of several words found whole in a name.
        let phrase_counts =
            slots.len() >= 2 && phrase.chars().count() >= 2 && phrase.chars().all(is_chinese);
        let phrase_finder = memchr::memmem::Finder::new(phrase.as_bytes());
        let mut scored = Vec::new();
        for index in all_touched {
            let entry = &self.entries[index as usize];
            let mut relevance = total[index as usize] / total_weight;
            if phrase_counts
                && strongest[index as usize].1 != MatchKind::Details
                && relevance + PHRASE_BONUS >= least
                && phrase_finder.find(entry.name.as_bytes()).is_some()
            {
                relevance += PHRASE_BONUS;
            }
            // Lone characters alone are weak evidence: they must cover more.
            let needed = if strong[index as usize] {
                least
            } else {
                least * WEAK_FACTOR
            };
            if relevance <= 0.0 || relevance < needed {
                continue;
            }
            let rank = relevance
                * (1.0 + ACTION_BOOST * f32::from(u8::from(entry.item.app_action.is_some())))
                * (1.0 + POPULARITY_BOOST * f32::from(entry.item.popularity.min(100)) / 100.0);
            scored.push((rank, entry.name_length, index, strongest[index as usize].1));
        }
        scored
    }

    /// Entries whose texts may hold `text`, with the texts that may: those
    /// holding every pair of adjacent characters of it (every character,
    /// for one character) in one text.
    fn candidates(&self, text: &str) -> Vec<(u32, u8)> {
        let characters: Vec<char> = text.chars().collect();
        let mut lists: Vec<&Vec<(u32, u8)>> = Vec::new();
        if let [only] = characters.as_slice() {
            match self.characters.get(only) {
                Some(list) => lists.push(list),
                None => return Vec::new(),
            }
        }
        for pair in characters.windows(2) {
            match self.pairs.get(&(pair[0], pair[1])) {
                Some(list) => {
                    if !lists.iter().any(|known| std::ptr::eq(*known, list)) {
                        lists.push(list);
                    }
                }
                None => return Vec::new(),
            }
        }
        lists.sort_by_key(|list| list.len());
        let Some((shortest, others)) = lists.split_first() else {
            return Vec::new();
        };
        if shortest.len() * DENSE_SHARE < self.entries.len() {
            let mut found: Vec<(u32, u8)> = shortest.to_vec();
            for list in others {
                intersect(&mut found, list);
                if found.is_empty() {
                    break;
                }
            }
            return found;
        }
        // Every list is long (a word most items' texts hold): one pass over
        // each with a mask per entry costs less than searching one in another.
        let mut mask = vec![0u8; self.entries.len()];
        for &(index, fields) in *shortest {
            mask[index as usize] = fields;
        }
        let mut next = vec![0u8; self.entries.len()];
        for list in others {
            for &(index, fields) in *list {
                next[index as usize] = mask[index as usize] & fields;
            }
            std::mem::swap(&mut mask, &mut next);
            next.fill(0);
        }
        mask.iter()
            .enumerate()
            .filter(|(_, fields)| **fields != 0)
            .map(|(index, fields)| (index as u32, *fields))
            .collect()
    }

    /// Best first, one hit per service: a provincial item stands in for
    /// its national twin where it covers the resident's `home` (the twin's
    /// id is kept in `twins`), then at most `limit` hits.
    fn fold_twins(
        &self,
        mut scored: Vec<Scored>,
        query: &SearchQuery,
        home: Option<&str>,
    ) -> Vec<SearchHit> {
        let limit = if query.limit == 0 {
            20
        } else {
            query.limit as usize
        };
        // Twins fold into one hit: twice the limit is enough to fill it
        // unless many services have both; then look further.
        let mut wanted = limit.saturating_mul(2).max(8);
        loop {
            if scored.len() > wanted {
                scored.select_nth_unstable_by(wanted, by_rank);
            }
            let mut top: Vec<Scored> = scored.iter().take(wanted).copied().collect();
            top.sort_by(by_rank);
            let hits = self.fold(&top, home);
            if hits.len() >= limit || scored.len() <= wanted {
                // Items are copied out only for the hits returned.
                return hits
                    .into_iter()
                    .take(limit)
                    .map(|hit| SearchHit {
                        item: self.entries[hit.shown as usize].item.as_ref().clone(),
                        score: (hit.rank * 1_000.0).round() as u32,
                        matched: hit.matched,
                        twins: hit
                            .twins
                            .iter()
                            .map(|twin| self.entries[*twin as usize].item.id.clone())
                            .collect(),
                    })
                    .collect();
            }
            wanted = wanted.saturating_mul(2);
        }
    }

    fn fold(&self, sorted: &[Scored], home: Option<&str>) -> Vec<Folded> {
        let mut hits: Vec<Folded> = Vec::new();
        let mut by_service: HashMap<u32, usize> = HashMap::new();
        for &(rank, _, index, matched) in sorted {
            let entry = &self.entries[index as usize];
            match by_service.get(&entry.service) {
                Some(&position) => {
                    let hit = &mut hits[position];
                    let shown = &self.entries[hit.shown as usize];
                    if entry.regional
                        && !shown.regional
                        && home.is_some_and(|home| covers(&entry.item.regions, home))
                    {
                        hit.twins.push(hit.shown);
                        hit.shown = index;
                    } else {
                        hit.twins.push(index);
                    }
                }
                None => {
                    by_service.insert(entry.service, hits.len());
                    hits.push(Folded {
                        rank,
                        shown: index,
                        matched,
                        twins: Vec::new(),
                    });
                }
            }
        }
        hits
    }
}

/// One hit of a service before its item is copied out: the entry shown,
/// with the rank and kind of the best match, and the entries folded into it.
struct Folded {
    rank: f32,
    shown: u32,
    matched: MatchKind,
    twins: Vec<u32>,
}

/// Whether an entry passes the query's filters, worked out once per query.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Visible {
    Unknown,
    Yes,
    No,
}

/// Keeps the postings of `found` that `list` also has, with the texts both
/// have. Both are sorted by entry; `list` is searched by galloping from the
/// last place found, so a short list against a long one costs little.
fn intersect(found: &mut Vec<(u32, u8)>, list: &[(u32, u8)]) {
    let mut start = 0;
    found.retain_mut(|(index, fields)| {
        // Gallop from `start` to a span whose last posting is at or past
        // `index`, then search that span.
        let mut bound = 1;
        while start + bound < list.len() && list[start + bound].0 < *index {
            bound *= 2;
        }
        let end = (start + bound + 1).min(list.len());
        start += list[start..end].partition_point(|(entry, _)| entry < index);
        match list.get(start) {
            Some((entry, other)) if entry == index => {
                *fields &= other;
                *fields != 0
            }
            _ => false,
        }
    });
}

/// Which text of an item a form was found in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Details,
}

/// How strongly an item's texts hold `text`: in the name (whole, at its
/// start, anywhere), the label, the description, the department. Only the
/// texts in `fields` can; when `exact`, every text in `fields` does (the
/// postings matched the whole of a one- or two-character text). Names and
/// labels are searched; the description and department are not.
fn field_match(
    entry: &Entry,
    text: &str,
    finder: &memchr::memmem::Finder<'_>,
    fields: u8,
    exact: bool,
) -> Option<(f32, Field)> {
    let holds = |field: u8, haystack: &str| {
        fields & field != 0 && (exact || finder.find(haystack.as_bytes()).is_some())
    };
    if fields & FIELD_NAME != 0 {
        if entry.name == text {
            return Some((1.0, Field::Title));
        }
        if entry.name.starts_with(text) {
            return Some((0.95, Field::Title));
        }
        if holds(FIELD_NAME, &entry.name) {
            return Some((0.9, Field::Title));
        }
    }
    if holds(FIELD_LABEL, &entry.label) {
        Some((0.85, Field::Title))
    } else if fields & FIELD_DESCRIPTION != 0 {
        // Descriptions are long and weigh little: holding every pair of
        // the text's adjacent characters counts, unverified, as holding
        // the text (as bigram search engines match without positions).
        Some((0.5, Field::Details))
    } else if fields & FIELD_DEPARTMENT != 0 {
        Some((0.3, Field::Details))
    } else {
        None
    }
}

fn kind_of(origin: Origin, field: Field) -> MatchKind {
    match (origin, field) {
        (_, Field::Details) => MatchKind::Details,
        (Origin::Typed, Field::Title) => MatchKind::Characters,
        (Origin::Meaning, Field::Title) => MatchKind::Meaning,
        (Origin::Pinyin, Field::Title) => MatchKind::Pinyin,
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

#[cfg(test)]
mod tests {
    use super::super::understanding::entry;
    use super::*;
    use ecard_api::catalogue::{AppAction, CardForm, Channel};

    fn item(id: &str, name: &str, label: &str, regions: &[&str]) -> CatalogueItem {
        CatalogueItem {
            id: id.into(),
            list: if id.starts_with('N') {
                "national".into()
            } else {
                "360000".into()
            },
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
        }
    }

    fn vocabulary() -> SearchVocabulary {
        SearchVocabulary {
            version: 1,
            entries: vec![
                entry(&["社保卡"], &["社会保障卡"]),
                entry(&["社保"], &["社会保险", "社会保障"]),
                entry(&["丢了", "不见了"], &["挂失", "补换"]),
                entry(&["补办"], &["补换"]),
                entry(&["坐车"], &["乘车"]),
                entry(&["怎么", "办", "吗"], &[]),
            ],
        }
    }

    fn index() -> CatalogueIndex {
        let mut lost = item("N-002", "社会保障卡挂失", "挂失", &["100000"]);
        lost.app_action = Some(AppAction::ReportLoss);
        let mut lost_here = item("P360000-002", "社会保障卡挂失", "挂失", &["360000"]);
        lost_here.national_item = Some("N-002".into());
        lost_here.app_action = Some(AppAction::ReportLoss);
        CatalogueIndex::build(
            vec![
                item("N-001", "社会保障卡申领", "申领社保卡", &["100000"]),
                lost,
                lost_here,
                item("N-003", "社会保障卡补换", "补换", &["100000"]),
                item("P360000-003", "公交乘车优惠", "坐公交", &["360000"]),
                item("P360000-004", "中国银行网点查询", "银行网点", &["360100"]),
            ],
            &vocabulary(),
        )
    }

    fn ids(index: &CatalogueIndex, text: &str, region: Option<&str>) -> Vec<String> {
        index
            .search(&SearchQuery {
                text: text.into(),
                region: region.map(str::to_owned),
                ..SearchQuery::default()
            })
            .iter()
            .map(|hit| hit.item.id.clone())
            .collect()
    }

    #[test]
    fn finds_by_characters_pinyin_and_initials() {
        let index = index();
        let ids = |text: &str| ids(&index, text, None);
        assert_eq!(ids("社会保障卡申领"), ["N-001"]);
        assert_eq!(
            ids("社保卡申领")[0],
            "N-001",
            "the abbreviation finds the full name"
        );
        assert_eq!(ids("公交"), ["P360000-003"]);
        assert_eq!(ids("gongjiao"), ["P360000-003"]);
        assert_eq!(ids("shehuibaozhangkashenling")[0], "N-001");
        assert_eq!(ids("yinhang"), ["P360000-004"]);
        assert!(ids("sbk").len() >= 3, "{:?}", ids("sbk"));
        assert!(ids("不存在的事项").is_empty());
    }

    #[test]
    fn colloquial_words_find_what_they_mean() {
        let index = index();
        let ids = |text: &str| ids(&index, text, None);
        assert_eq!(ids("社保卡丢了怎么办")[0], "N-002");
        assert_eq!(ids("补办社保卡")[0], "N-003");
        assert_eq!(ids("坐车")[0], "P360000-003");
        let hit = &index.search(&SearchQuery {
            text: "丢了".into(),
            ..SearchQuery::default()
        })[0];
        assert_eq!(hit.matched, MatchKind::Meaning);
    }

    #[test]
    fn the_regions_item_stands_in_for_its_national_twin() {
        let index = index();
        let hits = index.search(&SearchQuery {
            text: "挂失".into(),
            region: Some("360102".into()),
            ..SearchQuery::default()
        });
        assert_eq!(hits[0].item.id, "P360000-002");
        assert_eq!(
            hits[0].twins,
            ["N-002"],
            "the national twin stays reachable"
        );
        assert_eq!(
            hits.iter()
                .filter(|hit| hit.item.name == "社会保障卡挂失")
                .count(),
            1
        );
        assert_eq!(
            ids(&index, "挂失", Some("330100"))[0],
            "N-002",
            "elsewhere, the national item"
        );
        assert_eq!(
            index.get("N-002").map(|item| item.name.clone()).as_deref(),
            Some("社会保障卡挂失")
        );
    }

    #[test]
    fn a_query_that_matches_nothing_still_has_closest_items() {
        let index = index();
        let query = SearchQuery {
            text: "卡片怎么注销".into(),
            ..SearchQuery::default()
        };
        assert!(index.search(&query).is_empty());
        assert!(!index.closest(&query, None).is_empty());
        let nonsense = SearchQuery {
            text: "zzzzqqq".into(),
            ..SearchQuery::default()
        };
        let closest = index.closest(&nonsense, None);
        assert!(closest.iter().all(|hit| hit.item.app_action.is_some()));
        assert!(!closest.is_empty());
    }

    #[test]
    fn what_the_app_does_and_what_is_used_most_rank_first_among_equal_matches() {
        let mut information = item("N-010", "养老金查询说明", "养老金", &["100000"]);
        information.popularity = 90;
        let mut action = item("N-011", "养老金领取", "领养老金", &["100000"]);
        action.app_action = Some(AppAction::ShowCode);
        let mut rare = item("N-012", "养老金测算", "测算", &["100000"]);
        rare.popularity = 5;
        let mut common = item("N-013", "养老金账户", "账户", &["100000"]);
        common.popularity = 80;
        let index = CatalogueIndex::build(vec![information, action, rare, common], &vocabulary());
        assert_eq!(
            ids(&index, "养老金", None),
            ["N-011", "N-010", "N-013", "N-012"]
        );
    }

    #[test]
    fn postings_intersect_by_galloping() {
        let list: Vec<(u32, u8)> = (0..1_000).map(|index| (index * 3, 0b0101)).collect();
        let mut found: Vec<(u32, u8)> =
            vec![(0, 1), (1, 1), (3, 2), (2_997, 4), (2_998, 4), (5_000, 1)];
        intersect(&mut found, &list);
        assert_eq!(found, [(0, 1), (2_997, 4)], "texts are intersected too");
        let mut none: Vec<(u32, u8)> = vec![(7, 1)];
        intersect(&mut none, &[]);
        assert!(none.is_empty());
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
        assert_eq!(in_region("360102").len(), 5, "twins fold into one");
        assert_eq!(in_region("360702").len(), 4);
        assert_eq!(in_region("330100").len(), 3);
    }
}
