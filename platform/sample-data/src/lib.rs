//! Sample data: the 一卡通 catalogue, service outlets, regional rules and
//! search vocabulary the platform serves by default, and the generator that
//! produces them.
//!
//! Why generated rather than hand-edited JSON: the data has to be large
//! enough to exercise offline search and incremental sync for real (323
//! catalogue items, 3,200 outlets), internally consistent (ids, region
//! codes, services that match an outlet's kind) and reviewable. Hand-editing
//! thousands of records gives none of that; a small generator over
//! hand-written tables gives all three. The generator is the source of
//! truth: `platform/data/*.json` are its output, checked in so the platform
//! starts without running it, and a test fails when they drift apart.
//!
//! Regenerate with
//! `cargo run -p ecard-sample-data --bin generate-sample-data -- platform/data`.
//!
//! The catalogue is modelled on the public national 160-item list and
//! Jiangxi's 163-item list, not copied from either; the outlets, their
//! names, addresses, telephone numbers and coordinates are invented. See
//! `docs/sample-data.md`.
//!
//! A crate of its own, not a module of the platform: the platform reads only
//! the generated files, so the 2,500 lines of tables and generator stay out
//! of the platform library; tools, tests and benchmarks depend on this crate.
//!
//! Nothing here reads a clock, the environment or a global random source:
//! [`generate`] and [`synthetic`] are pure functions of their arguments.

mod catalogue;
mod outlets;
mod prng;
mod regions;
mod rules;
#[cfg(test)]
mod tests;
mod usage;
mod vocabulary;

use std::collections::HashSet;

use ecard_api::catalogue::{CatalogueItem, Outlet, VocabularyEntry};
use ecard_api::rules::RegionalRules;
use serde::Serialize;

use prng::SplitMix64;

/// File name of the catalogue (a JSON array of [`CatalogueItem`]).
pub const CATALOGUE_FILE: &str = "catalogue.json";
/// File name of the outlets (a JSON array of [`Outlet`]).
pub const OUTLETS_FILE: &str = "outlets.json";
/// File name of the regional rules (a JSON array of [`RegionalRules`]).
pub const RULES_FILE: &str = "rules.json";
/// File name of the search vocabulary (a JSON array of [`VocabularyEntry`]).
pub const VOCABULARY_FILE: &str = "vocabulary.json";

/// Number of outlets in the default sample data.
pub const OUTLET_COUNT: usize = 3_200;

/// Seed of the default sample data's outlets. Changing it changes every
/// outlet; regenerate the files afterwards.
const OUTLET_SEED: u64 = 0x3600_0000_2024_0001;

/// The platform's sample data set.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleData {
    /// The national list followed by the provincial list(s).
    pub catalogue: Vec<CatalogueItem>,
    /// Service outlets.
    pub outlets: Vec<Outlet>,
    /// Regional rules, one document per province.
    pub rules: Vec<RegionalRules>,
    /// The search vocabulary: the national entries, then Jiangxi's.
    pub vocabulary: Vec<VocabularyEntry>,
}

/// The default sample data: the national list (160 items, ids
/// `N-001`…`N-160`), Jiangxi's list (163 items, ids
/// `P360000-001`…`P360000-163`), [`OUTLET_COUNT`] outlets in Jiangxi (ids
/// `O-00001`…), the rules of 江西, 浙江, 广东 and 四川, and the search
/// vocabulary (national base set and Jiangxi's additions).
///
/// Pure and deterministic: every call returns the same data, and the
/// checked-in files are exactly its rendering.
pub fn generate() -> SampleData {
    SampleData {
        catalogue: catalogue::catalogue(),
        outlets: outlets::outlets(OUTLET_COUNT, OUTLET_SEED),
        rules: rules::rules(),
        vocabulary: vocabulary::vocabulary(),
    }
}

/// The checked-in sample data (`platform/data/*.json`, compiled into the
/// binary), which the platform serves by default.
///
/// # Errors
///
/// A JSON error if a file does not parse as its wire type (only possible if
/// the files were edited by hand; the tests parse them).
pub fn embedded() -> Result<SampleData, serde_json::Error> {
    Ok(SampleData {
        catalogue: serde_json::from_str(include_str!("../../data/catalogue.json"))?,
        outlets: serde_json::from_str(include_str!("../../data/outlets.json"))?,
        rules: serde_json::from_str(include_str!("../../data/rules.json"))?,
        vocabulary: serde_json::from_str(include_str!("../../data/vocabulary.json"))?,
    })
}

/// A larger data set for benchmarks: `item_count` catalogue items and
/// `outlet_count` outlets, recombined from the same tables, with unique ids
/// and names, deterministic in `seed`. The rules are the default four and
/// the vocabulary the default one.
///
/// Items are provincial rows (list `360000`, ids `S-000001`…) named after a
/// county and a base item (e.g. `东湖区养老保险待遇领取`) and available in
/// that county; outlets are drawn like the default ones, over more towns.
pub fn synthetic(item_count: usize, outlet_count: usize, seed: u64) -> SampleData {
    let mut rng = SplitMix64::new(seed);
    let rows = catalogue::all_rows();
    let mut names = HashSet::with_capacity(item_count);
    let mut items = Vec::with_capacity(item_count);
    for i in 0..item_count {
        let (Some(row), Some(county)) = (rng.pick(&rows), rng.pick(&regions::COUNTIES)) else {
            break;
        };
        let base = format!("{}{}", county.name, row.row.name);
        let mut name = base.clone();
        let mut n = 1;
        while !names.insert(name.clone()) {
            n += 1;
            name = format!("{base}（{n}）");
        }
        let mut item = row.item(
            format!("S-{:06}", i + 1),
            catalogue::JIANGXI_LIST,
            vec![county.code.to_owned()],
        );
        item.name = name;
        items.push(item);
    }
    let mut outlets = outlets::outlets(outlet_count, seed);
    outlets.truncate(outlet_count);
    SampleData {
        catalogue: items,
        outlets,
        rules: rules::rules(),
        vocabulary: vocabulary::vocabulary(),
    }
}

/// A JSON array with one compact element per line: small, and a diff shows
/// exactly which records changed.
fn one_per_line<T: Serialize>(items: &[T]) -> Result<String, serde_json::Error> {
    let mut out = String::from("[\n");
    for (i, item) in items.iter().enumerate() {
        out.push_str("  ");
        out.push_str(&serde_json::to_string(item)?);
        if i + 1 < items.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str("]\n");
    Ok(out)
}

impl SampleData {
    /// The catalogue file's contents: one item per line.
    ///
    /// # Errors
    ///
    /// Only if serialisation fails, which the wire types never do.
    pub fn catalogue_json(&self) -> Result<String, serde_json::Error> {
        one_per_line(&self.catalogue)
    }

    /// The outlets file's contents: one outlet per line.
    ///
    /// # Errors
    ///
    /// Only if serialisation fails (a non-finite coordinate).
    pub fn outlets_json(&self) -> Result<String, serde_json::Error> {
        one_per_line(&self.outlets)
    }

    /// The rules file's contents, pretty-printed (four documents a person
    /// reads side by side).
    ///
    /// # Errors
    ///
    /// Only if serialisation fails, which the wire types never do.
    pub fn rules_json(&self) -> Result<String, serde_json::Error> {
        let mut out = serde_json::to_string_pretty(&self.rules)?;
        out.push('\n');
        Ok(out)
    }

    /// The vocabulary file's contents: one entry per line.
    ///
    /// # Errors
    ///
    /// Only if serialisation fails, which the wire types never do.
    pub fn vocabulary_json(&self) -> Result<String, serde_json::Error> {
        one_per_line(&self.vocabulary)
    }

    /// All four files: `(file name, contents)`, as the generator binary
    /// writes them.
    ///
    /// # Errors
    ///
    /// As [`SampleData::catalogue_json`] and friends.
    pub fn files(&self) -> Result<[(&'static str, String); 4], serde_json::Error> {
        Ok([
            (CATALOGUE_FILE, self.catalogue_json()?),
            (OUTLETS_FILE, self.outlets_json()?),
            (RULES_FILE, self.rules_json()?),
            (VOCABULARY_FILE, self.vocabulary_json()?),
        ])
    }
}
