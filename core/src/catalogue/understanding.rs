//! What a resident's query means: the words of a query, found in the search
//! vocabulary (丢了 → 挂失, 补办 → 补换) and in the catalogue's own words,
//! with pinyin and initials turned back into characters, and small pinyin
//! typos corrected.
//!
//! Why no segmentation dictionary: the shipped library has a size budget,
//! and residents' words about this catalogue are few. The dictionary is
//! built when the index is: the vocabulary that travels with the catalogue
//! feed, plus every two- to four-character run of the item names and labels
//! (the catalogue's own words), each with its pinyin spellings. A query in
//! characters is cut into the fewest such words (vocabulary words first);
//! a query in Latin letters is read as the fewest words whose full pinyin or
//! initials spell it, like a small input method over the catalogue's words.
//!
//! The analysis costs time per query, not per item: what it produces is a
//! short list of [`Slot`]s (one per word the resident meant), which the
//! index then looks up in its character postings.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use ecard_api::catalogue::SearchVocabulary;
use pinyin::{ToPinyin, ToPinyinMulti};

/// Longest catalogue run kept as a dictionary word, in characters.
const LONGEST_RUN: usize = 4;
/// Most spellings kept per dictionary word (heteronyms multiply them).
const MOST_SPELLINGS: usize = 4;
/// Most readings of a Latin word kept as alternatives of one slot.
const MOST_READINGS: usize = 3;
/// Words kept per spelling, best first (more than a reading uses).
const KEPT_PER_SPELLING: usize = 2 * MOST_READINGS;
/// Full-pinyin keys this long or longer may be matched with one typo.
const SHORTEST_FUZZY_KEY: usize = 5;
/// Characters of a query read; the rest is ignored. Reading Latin letters
/// costs the square of their number, and no resident's question is longer.
pub(crate) const LONGEST_QUERY: usize = 64;
/// Bounds on the vocabulary a feed may bring (the platform refuses more;
/// the client does not rely on it): entries, and characters per term and
/// per meaning.
const MOST_ENTRIES: usize = 5_000;
const LONGEST_TERM: usize = 12;
const LONGEST_MEANING: usize = 32;

/// One way a slot may be found in an item's text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Form {
    /// Normalised characters looked for.
    pub text: String,
    /// How much a match through this form is worth (1 = what was typed).
    pub quality: f32,
    /// How the form came from the query.
    pub origin: Origin,
}

/// Where a form came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Typed in characters.
    Typed,
    /// The meaning of a typed word (the search vocabulary).
    Meaning,
    /// Read from pinyin or initials.
    Pinyin,
}

/// One word the resident meant, with the forms it may take in item texts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Slot {
    /// Alternatives, best first.
    pub forms: Vec<Form>,
    /// A single character typed alone: weak evidence.
    pub weak: bool,
}

/// A dictionary word: a vocabulary term or a run of catalogue text.
struct Word {
    text: String,
    /// Items whose texts contain it (0 for vocabulary terms not in any).
    frequency: u32,
    /// What it means when it is a vocabulary term (empty for fillers and
    /// catalogue runs).
    means: Vec<String>,
    vocabulary: bool,
    filler: bool,
}

/// The dictionary a query is read with.
#[derive(Default)]
pub(crate) struct Dictionary {
    words: Vec<Word>,
    by_text: HashMap<String, u32>,
    by_full_pinyin: HashMap<String, Vec<u32>>,
    by_initials: HashMap<String, Vec<u32>>,
    /// Full-pinyin keys with one letter deleted (SymSpell-style), for one-
    /// typo reading of long Latin words.
    by_deletion: HashMap<String, Vec<u32>>,
    /// Every full-pinyin key, sorted: the last Latin word may be a prefix
    /// (the resident is still typing).
    sorted_full: Vec<(String, u32)>,
    longest_term: usize,
    /// The longest full-pinyin key, plus one letter (a typo may add one).
    longest_key: usize,
}

/// [`normalise`] without the spaces: how item texts are held.
pub(crate) fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    out.extend(normalise_chars(text).filter(|character| *character != ' '));
    out
}

/// Lowercase, full-width Latin folded to ASCII, punctuation to spaces.
pub(crate) fn normalise(text: &str) -> String {
    normalise_chars(text).collect()
}

fn normalise_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .map(|character| match character {
            '\u{FF01}'..='\u{FF5E}' => {
                char::from_u32(u32::from(character) - 0xFEE0).unwrap_or(character)
            }
            '\u{3000}' => ' ',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .map(|character| {
            if is_chinese(character) || character.is_alphanumeric() {
                character
            } else {
                ' '
            }
        })
}

/// Whether a character is a CJK ideograph.
pub(crate) fn is_chinese(character: char) -> bool {
    matches!(character, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// The pinyin readings of one character, the default one first.
fn readings(character: char) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = character
        .to_pinyin()
        .map(|reading| vec![reading.plain()])
        .unwrap_or_default();
    if let Some(multi) = character.to_pinyin_multi() {
        for reading in multi {
            if !out.contains(&reading.plain()) {
                out.push(reading.plain());
            }
        }
    }
    out
}

/// Full spellings and initials of a word (heteronyms bounded), or none when
/// a character has no pinyin.
fn spellings(word: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), String::new())];
    for character in word.chars() {
        let options = readings(character);
        if options.is_empty() {
            return Vec::new();
        }
        let mut next = Vec::with_capacity(MOST_SPELLINGS);
        for (full, initials) in &out {
            for reading in &options {
                if next.len() >= MOST_SPELLINGS {
                    break;
                }
                let mut full = full.clone();
                full.push_str(reading);
                let mut initials = initials.clone();
                initials.extend(reading.chars().next());
                next.push((full, initials));
            }
        }
        out = next;
    }
    out
}

impl Dictionary {
    /// Builds the dictionary from the vocabulary and the item texts (names
    /// and labels, normalised).
    pub(crate) fn build<'a>(
        vocabulary: &SearchVocabulary,
        titles: impl Iterator<Item = [&'a str; 2]>,
    ) -> Dictionary {
        let mut dictionary = Dictionary::default();
        let mut frequency: HashMap<String, u32> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for fields in titles {
            seen.clear();
            for field in fields {
                let characters: Vec<(usize, char)> = field.char_indices().collect();
                for (start, &(from, _)) in characters.iter().enumerate() {
                    for end in start + 2..=characters.len().min(start + LONGEST_RUN) {
                        let to = characters.get(end).map_or(field.len(), |(index, _)| *index);
                        let run = &field[from..to];
                        if run.chars().all(is_chinese) && seen.insert(run) {
                            *frequency.entry(run.to_owned()).or_default() += 1;
                        }
                    }
                }
            }
        }
        for entry in vocabulary.entries.iter().take(MOST_ENTRIES) {
            let means: Vec<String> = entry
                .means
                .iter()
                .filter(|word| word.chars().count() <= LONGEST_MEANING)
                .map(|word| compact(word))
                .filter(|word| !word.is_empty())
                .collect();
            for term in &entry.terms {
                if term.chars().count() > LONGEST_TERM {
                    continue;
                }
                let term = compact(term);
                if term.is_empty() {
                    continue;
                }
                let id = dictionary.word(&term, 0);
                let word = &mut dictionary.words[id as usize];
                word.vocabulary = true;
                word.filler = word.filler || means.is_empty();
                for meaning in &means {
                    if !word.means.contains(meaning) && *meaning != term {
                        word.means.push(meaning.clone());
                    }
                }
                dictionary.longest_term = dictionary.longest_term.max(term.chars().count());
            }
        }
        // Vocabulary words that also occur in the catalogue take that count.
        for (run, count) in frequency {
            let id = dictionary.word(&run, count);
            dictionary.words[id as usize].frequency = count;
        }
        for id in 0..dictionary.words.len() {
            let text = dictionary.words[id].text.clone();
            for (reading, (full, initials)) in spellings(&text).into_iter().enumerate() {
                let id = id as u32;
                // Typos are looked for in the usual reading only: other
                // readings of heteronyms would multiply the index for
                // slips residents rarely make.
                if reading == 0 && full.len() >= SHORTEST_FUZZY_KEY {
                    for index in full.char_indices().map(|(index, _)| index) {
                        let mut deleted = full.clone();
                        deleted.remove(index);
                        push_unique(dictionary.by_deletion.entry(deleted).or_default(), id);
                    }
                }
                push_unique(dictionary.by_full_pinyin.entry(full).or_default(), id);
                // Initials of rare readings (区 read ōu) would make every
                // pair of letters a word: the usual reading only.
                if reading == 0 {
                    push_unique(dictionary.by_initials.entry(initials).or_default(), id);
                }
            }
        }
        let words = &dictionary.words;
        let preference = |id: &u32| {
            let word = &words[*id as usize];
            (
                std::cmp::Reverse(word.vocabulary && !word.filler),
                std::cmp::Reverse(word.frequency),
                word.text.chars().count(),
            )
        };
        for ids in dictionary
            .by_full_pinyin
            .values_mut()
            .chain(dictionary.by_initials.values_mut())
            .chain(dictionary.by_deletion.values_mut())
        {
            // Readings use the best few words of a spelling: keep those.
            if ids.len() > KEPT_PER_SPELLING {
                ids.select_nth_unstable_by_key(KEPT_PER_SPELLING, preference);
                ids.truncate(KEPT_PER_SPELLING);
                ids.shrink_to_fit();
            }
            ids.sort_by_key(preference);
        }
        dictionary.longest_key = dictionary
            .by_full_pinyin
            .keys()
            .chain(dictionary.by_initials.keys())
            .map(String::len)
            .max()
            .unwrap_or(0)
            + 1;
        dictionary.sorted_full = dictionary
            .by_full_pinyin
            .iter()
            .filter_map(|(key, ids)| ids.first().map(|id| (key.clone(), *id)))
            .collect();
        dictionary.sorted_full.sort_unstable();
        dictionary
    }

    fn word(&mut self, text: &str, frequency: u32) -> u32 {
        if let Some(id) = self.by_text.get(text) {
            return *id;
        }
        let id = self.words.len() as u32;
        self.words.push(Word {
            text: text.to_owned(),
            frequency,
            means: Vec::new(),
            vocabulary: false,
            filler: false,
        });
        self.by_text.insert(text.to_owned(), id);
        id
    }

    /// Number of dictionary words (for diagnostics and tests).
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// Reads a query into slots: one per meaningful word.
    pub(crate) fn analyse(&self, query: &str) -> Vec<Slot> {
        let normalised = normalise(&bounded(query));
        let mut slots = Vec::new();
        let mut latin = String::new();
        let mut chinese = String::new();
        for piece in normalised.split(' ').filter(|piece| !piece.is_empty()) {
            // Runs of one script: 社保卡sbk is two runs.
            let mut start = 0;
            let mut current: Option<bool> = None;
            for (index, character) in piece.char_indices() {
                let is_han = is_chinese(character);
                if current.is_some_and(|han| han != is_han) {
                    self.flush(&piece[start..index], &mut latin, &mut chinese, &mut slots);
                    start = index;
                }
                current = Some(is_han);
            }
            self.flush(&piece[start..], &mut latin, &mut chinese, &mut slots);
            // A space ends a Chinese run but not a Latin phrase (ban she bao ka).
            self.chinese_run(&std::mem::take(&mut chinese), &mut slots);
        }
        self.latin_phrase(&std::mem::take(&mut latin), &mut slots);
        // A word typed twice counts once.
        let mut seen: Vec<String> = Vec::new();
        slots.retain(|slot| {
            let first = slot.forms.first().map(|form| form.text.clone());
            match first {
                Some(text) if seen.contains(&text) => false,
                Some(text) => {
                    seen.push(text);
                    true
                }
                None => false,
            }
        });
        slots
    }

    fn flush(&self, run: &str, latin: &mut String, chinese: &mut String, slots: &mut Vec<Slot>) {
        if run.is_empty() {
            return;
        }
        if run.chars().next().is_some_and(is_chinese) {
            self.latin_phrase(&std::mem::take(latin), slots);
            chinese.push_str(run);
        } else if run.bytes().all(|byte| byte.is_ascii_digit()) || !run.is_ascii() {
            self.latin_phrase(&std::mem::take(latin), slots);
            self.chinese_run(&std::mem::take(chinese), slots);
            slots.push(Slot {
                forms: vec![Form {
                    text: run.to_owned(),
                    quality: 1.0,
                    origin: Origin::Typed,
                }],
                // A lone digit (the 1 of `1=1`) says as little as a lone
                // character.
                weak: run.chars().count() == 1,
            });
        } else {
            self.chinese_run(&std::mem::take(chinese), slots);
            latin.push_str(run);
        }
    }

    /// Cuts a run of characters into the fewest dictionary words,
    /// vocabulary words first; drops fillers.
    fn chinese_run(&self, run: &str, slots: &mut Vec<Slot>) {
        if run.is_empty() {
            return;
        }
        let characters: Vec<(usize, char)> = run.char_indices().collect();
        let count = characters.len();
        let byte_at = |index: usize| characters.get(index).map_or(run.len(), |(at, _)| *at);
        let longest = self.longest_term.max(LONGEST_RUN);
        // cost[i]: cheapest cut of the first i characters; from[i]: where
        // its last word starts.
        let mut cost = vec![f32::INFINITY; count + 1];
        let mut from = vec![0usize; count + 1];
        cost[0] = 0.0;
        for start in 0..count {
            if !cost[start].is_finite() {
                continue;
            }
            for end in start + 1..=count.min(start + longest) {
                let text = &run[byte_at(start)..byte_at(end)];
                let step = match self.by_text.get(text).map(|id| &self.words[*id as usize]) {
                    Some(word) if word.vocabulary => 1.0,
                    Some(_) if end - start >= 2 => 1.25,
                    _ if end - start == 1 => 2.0,
                    _ => continue,
                };
                if cost[start] + step < cost[end] {
                    cost[end] = cost[start] + step;
                    from[end] = start;
                }
            }
        }
        let mut cuts = Vec::new();
        let mut end = count;
        while end > 0 {
            cuts.push((from[end], end));
            end = from[end];
        }
        cuts.reverse();
        for (start, end) in cuts {
            let text = &run[byte_at(start)..byte_at(end)];
            let word = self.by_text.get(text).map(|id| &self.words[*id as usize]);
            if word.is_some_and(|word| word.filler && word.means.is_empty()) {
                continue;
            }
            let mut forms = vec![Form {
                text: text.to_owned(),
                quality: 1.0,
                origin: Origin::Typed,
            }];
            if let Some(word) = word {
                add_meanings(&mut forms, word, 0.9);
            }
            slots.push(Slot {
                forms,
                weak: end - start == 1 && count > 1,
            });
        }
    }

    /// Reads Latin letters as the fewest dictionary words whose full
    /// pinyin or initials spell them, allowing one typo per long word.
    fn latin_phrase(&self, phrase: &str, slots: &mut Vec<Slot>) {
        if phrase.is_empty() {
            return;
        }
        if let Some(read) = self.read_latin(phrase) {
            slots.extend(read);
            return;
        }
        // Unreadable: looked for as it is (a code, an abbreviation).
        slots.push(Slot {
            forms: vec![Form {
                text: phrase.to_owned(),
                quality: 1.0,
                origin: Origin::Typed,
            }],
            weak: phrase.len() == 1,
        });
    }

    fn read_latin(&self, phrase: &str) -> Option<Vec<Slot>> {
        let bytes = phrase.len();
        let mut best: Vec<Option<Reading>> = vec![None; bytes + 1];
        best[0] = Some((0.0, 0, Vec::new()));
        for start in 0..bytes {
            let Some(base) = best[start].as_ref().map(|(cost, _, _)| *cost) else {
                continue;
            };
            for end in start + 1..=bytes.min(start + self.longest_key) {
                let key = &phrase[start..end];
                let last = end == bytes;
                let mut found: Vec<(u32, f32, f32)> = Vec::new();
                if let Some(ids) = self.by_full_pinyin.get(key) {
                    found.extend(ids.iter().map(|id| (*id, 1.0, 0.9)));
                }
                if key.len() >= 2
                    && let Some(ids) = self.by_initials.get(key)
                {
                    // Initials are ambiguous: each letter costs a little.
                    let step = 1.1 + 0.05 * key.len() as f32;
                    found.extend(ids.iter().map(|id| (*id, step, 0.8)));
                }
                if last && found.is_empty() && key.len() >= 3 {
                    found.extend(self.prefixed(key).map(|id| (id, 1.4, 0.8)));
                }
                // A word with one typo costs more than two words spelt
                // right: a slip is the reading of last resort.
                if found.is_empty() && key.len() >= SHORTEST_FUZZY_KEY - 1 {
                    found.extend(self.one_typo(key).into_iter().map(|id| (id, 2.1, 0.7)));
                }
                if found.is_empty() {
                    continue;
                }
                let step = found
                    .iter()
                    .map(|(_, step, _)| *step)
                    .fold(f32::INFINITY, f32::min);
                let total = base + step;
                if best[end]
                    .as_ref()
                    .is_none_or(|(cost, _, _)| total < *cost - 1e-6)
                {
                    let mut readings: Vec<(u32, f32)> = Vec::new();
                    for (id, word_step, quality) in found {
                        if word_step <= step + 1e-6
                            && readings.len() < MOST_READINGS
                            && !readings.iter().any(|(other, _)| *other == id)
                        {
                            readings.push((id, quality));
                        }
                    }
                    best[end] = Some((total, start, readings));
                }
            }
        }
        let mut words = Vec::new();
        let mut end = bytes;
        while end > 0 {
            let (_, start, readings) = best[end].clone()?;
            words.push(readings);
            end = start;
        }
        words.reverse();
        let mut slots = Vec::new();
        for readings in words {
            let mut forms: Vec<Form> = Vec::new();
            let mut filler = true;
            for (id, quality) in readings {
                let word = &self.words[id as usize];
                if word.filler && word.means.is_empty() {
                    continue;
                }
                filler = false;
                if !forms.iter().any(|form| form.text == word.text) {
                    forms.push(Form {
                        text: word.text.clone(),
                        quality,
                        origin: Origin::Pinyin,
                    });
                }
                add_meanings(&mut forms, word, quality * 0.9);
            }
            if !filler && !forms.is_empty() {
                slots.push(Slot { forms, weak: false });
            }
        }
        Some(slots)
    }

    /// The best words whose full pinyin starts with `prefix`.
    fn prefixed<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = u32> + 'a {
        let start = self
            .sorted_full
            .partition_point(|(key, _)| key.as_str() < prefix);
        let mut found: Vec<u32> = self.sorted_full[start..]
            .iter()
            .take_while(move |(key, _)| key.starts_with(prefix))
            .map(|(_, id)| *id)
            .collect();
        let words = &self.words;
        found.sort_by_key(|id| std::cmp::Reverse(words[*id as usize].frequency));
        found.truncate(MOST_READINGS);
        found.into_iter()
    }

    /// Words one typo away from a full-pinyin spelling: a letter missing,
    /// extra, wrong or two letters swapped.
    fn one_typo(&self, key: &str) -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        let mut take = |ids: Option<&Vec<u32>>| {
            for id in ids.into_iter().flatten() {
                if found.len() < MOST_READINGS && !found.contains(id) {
                    found.push(*id);
                }
            }
        };
        // A letter missing: the key is a deletion of a word's spelling.
        take(self.by_deletion.get(key));
        for index in key.char_indices().map(|(index, _)| index) {
            let mut deleted = key.to_owned();
            deleted.remove(index);
            // A letter extra.
            if deleted.len() >= SHORTEST_FUZZY_KEY {
                take(self.by_full_pinyin.get(&deleted));
            }
            // A letter wrong, or two swapped.
            take(self.by_deletion.get(&deleted));
        }
        found
    }
}

/// The cheapest reading of a Latin phrase up to a position: its cost, where
/// its last word starts, and that word's readings (word, quality).
type Reading = (f32, usize, Vec<(u32, f32)>);

/// The first [`LONGEST_QUERY`] characters of a query.
pub(crate) fn bounded(query: &str) -> std::borrow::Cow<'_, str> {
    match query.char_indices().nth(LONGEST_QUERY) {
        Some((end, _)) => std::borrow::Cow::Borrowed(&query[..end]),
        None => std::borrow::Cow::Borrowed(query),
    }
}

fn push_unique(ids: &mut Vec<u32>, id: u32) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

fn add_meanings(forms: &mut Vec<Form>, word: &Word, quality: f32) {
    for meaning in &word.means {
        if !forms.iter().any(|form| form.text == *meaning) {
            forms.push(Form {
                text: meaning.clone(),
                quality,
                origin: Origin::Meaning,
            });
        }
    }
}

/// A national vocabulary entry, for tests.
#[cfg(test)]
pub(crate) fn entry(terms: &[&str], means: &[&str]) -> ecard_api::catalogue::VocabularyEntry {
    ecard_api::catalogue::VocabularyEntry {
        terms: terms.iter().map(|term| (*term).to_owned()).collect(),
        means: means.iter().map(|word| (*word).to_owned()).collect(),
        list: "national".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecard_api::catalogue::VocabularyEntry;

    fn vocabulary() -> SearchVocabulary {
        SearchVocabulary {
            version: 1,
            entries: vec![
                entry(&["丢了", "不见了"], &["挂失", "补换"]),
                entry(&["补办"], &["补换"]),
                entry(&["社保卡"], &["社会保障卡"]),
                entry(&["怎么", "吗", "了"], &[]),
            ],
        }
    }

    fn dictionary() -> Dictionary {
        Dictionary::build(
            &vocabulary(),
            [
                ["社会保障卡补换", "社保卡补换"],
                ["社会保障卡临时挂失", "临时挂失"],
                ["公交乘车", "公交乘车"],
                ["中国银行网点查询", "银行网点"],
            ]
            .into_iter(),
        )
    }

    fn texts(slots: &[Slot]) -> Vec<Vec<&str>> {
        slots
            .iter()
            .map(|slot| slot.forms.iter().map(|form| form.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn a_colloquial_query_is_cut_into_the_words_it_means() {
        let dictionary = dictionary();
        assert_eq!(
            texts(&dictionary.analyse("补办社保卡")),
            [vec!["补办", "补换"], vec!["社保卡", "社会保障卡"]]
        );
        assert_eq!(
            texts(&dictionary.analyse("社保卡丢了怎么办？")),
            [
                vec!["社保卡", "社会保障卡"],
                vec!["丢了", "挂失", "补换"],
                vec!["办"]
            ],
            "the question word is dropped, punctuation too"
        );
    }

    #[test]
    fn pinyin_initials_and_typos_are_read_as_words() {
        let dictionary = dictionary();
        assert_eq!(texts(&dictionary.analyse("gongjiao"))[0][0], "公交");
        assert_eq!(texts(&dictionary.analyse("yinhang"))[0][0], "银行");
        assert_eq!(texts(&dictionary.analyse("gj"))[0][0], "公交");
        assert_eq!(
            texts(&dictionary.analyse("bu ban she bao ka")),
            [vec!["补办", "补换"], vec!["社保卡", "社会保障卡"]]
        );
        assert_eq!(texts(&dictionary.analyse("shebaoak"))[0][0], "社保卡");
        assert_eq!(texts(&dictionary.analyse("gongjioa"))[0][0], "公交");
        assert_eq!(
            texts(&dictionary.analyse("ＧＯＮＧＪＩＡＯ"))[0][0],
            "公交",
            "full-width letters"
        );
    }

    #[test]
    fn hostile_input_is_bounded() {
        // A query of 100,000 letters is read as its first 64 characters.
        let dictionary = dictionary();
        let long = "gongjiao".repeat(12_500);
        assert_eq!(
            dictionary.analyse(&long),
            dictionary.analyse(&long[..LONGEST_QUERY])
        );
        // A feed with oversized terms and too many entries: the excess is
        // not read.
        let huge = SearchVocabulary {
            version: 1,
            entries: (0..20_000)
                .map(|index| VocabularyEntry {
                    terms: vec![format!("词{index}"), "长".repeat(10_000)],
                    means: vec!["挂".repeat(10_000)],
                    list: "national".into(),
                })
                .collect(),
        };
        let bounded = Dictionary::build(&huge, std::iter::empty());
        assert_eq!(bounded.len(), MOST_ENTRIES);
        assert!(bounded.words.iter().all(|word| word.means.is_empty()));
    }

    #[test]
    fn unreadable_latin_and_digits_are_kept_as_typed() {
        let dictionary = dictionary();
        assert_eq!(texts(&dictionary.analyse("12333")), [vec!["12333"]]);
        assert_eq!(texts(&dictionary.analyse("xq")), [vec!["xq"]]);
    }
}
