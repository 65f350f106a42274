//! The platform's modules form layers that only point down: `http` on top
//! of `domain` on top of `store`, with `error` beneath them all and the
//! crate root wiring them together. This test reads every `crate::…` path
//! in `src/` (comments aside), builds the module import graph from them and
//! fails on a path that points up a layer or on any circle of imports, so
//! the layering `docs/architecture.md` draws cannot quietly erode. It also
//! checks that the tables of people, accounts, cards, applications,
//! mandates and enrolments are written by their owning domain module only:
//! one owner per state transition.

#![allow(clippy::expect_used, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`domain::cards`, empty for the crate root) to its source.
fn modules() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path: PathBuf = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path.strip_prefix(&root).expect("under src/");
                let mut segments: Vec<String> = relative
                    .with_extension("")
                    .iter()
                    .map(|part| part.to_string_lossy().into_owned())
                    .collect();
                if segments
                    .last()
                    .is_some_and(|last| last == "mod" || last == "lib")
                {
                    segments.pop();
                }
                let source = std::fs::read_to_string(&path).expect("a readable source file");
                found.insert(segments.join("::"), source);
            }
        }
    }
    found
}

/// The source without comment lines: doc links may point anywhere.
fn code(source: &str) -> String {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `a::{b, c::{d}}` into `a::b`, `a::c::d`.
fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        return vec![tree.trim().to_owned()];
    };
    let head = &tree[..open];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for character in tree[open + 1..].chars() {
        match character {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    parts.push(current);
    parts
        .iter()
        .filter(|part| !part.trim().is_empty())
        .flat_map(|part| expand(part.trim()))
        .map(|tail| format!("{head}{tail}"))
        .collect()
}

/// Every `crate::…` path in `code`, braces expanded.
fn crate_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find("crate::") {
        let after = &rest[start + "crate::".len()..];
        let mut end = 0;
        let mut depth = 0;
        for (index, character) in after.char_indices() {
            let keeps = character.is_alphanumeric()
                || character == '_'
                || character == ':'
                || (depth > 0 && !matches!(character, ';' | '('));
            match character {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                _ if !keeps => break,
                _ => {}
            }
            end = index + character.len_utf8();
            if depth == 0 && character == '}' {
                break;
            }
        }
        paths.extend(expand(&after[..end]));
        rest = &after[end..];
    }
    paths
}

/// The module graph: each module to the modules it names.
fn graph(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges = BTreeMap::new();
    for (module, source) in modules {
        let mut targets = BTreeSet::new();
        for path in crate_paths(&code(source)) {
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let target = (1..=segments.len())
                .rev()
                .map(|length| segments[..length].join("::"))
                .find(|candidate| modules.contains_key(candidate));
            if let Some(target) = target
                && target != *module
                && !module.starts_with(&format!("{target}::"))
            {
                targets.insert(target);
            }
        }
        edges.insert(module.clone(), targets);
    }
    edges
}

/// A module's layer: higher layers may import lower ones only.
fn layer(module: &str) -> u8 {
    match module.split("::").next().unwrap_or_default() {
        "error" => 0,
        "store" => 1,
        "domain" => 2,
        "http" => 3,
        _ => 4,
    }
}

/// A circle of imports through `start`, if there is one.
fn circle_through(edges: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((module, trail)) = stack.pop() {
        for next in edges.get(&module).into_iter().flatten() {
            if next == start {
                let mut circle = trail.clone();
                circle.push(start.to_owned());
                return Some(circle);
            }
            if seen.insert(next.clone()) {
                let mut longer = trail.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn imports_only_point_down_a_layer() {
    let edges = graph(&modules());
    let upward: Vec<String> = edges
        .iter()
        .flat_map(|(from, targets)| {
            targets
                .iter()
                .filter(|to| layer(to) > layer(from))
                .map(move |to| format!("{from} -> {to}"))
        })
        .collect();
    assert!(
        upward.is_empty(),
        "imports pointing up a layer: {upward:#?}"
    );
}

#[test]
fn the_module_graph_has_no_circle() {
    let edges = graph(&modules());
    assert!(edges.len() > 30, "the graph covers the crate: {edges:#?}");
    for module in edges.keys() {
        if let Some(circle) = circle_through(&edges, module) {
            panic!(
                "modules import each other in a circle: {}",
                circle.join(" -> ")
            );
        }
    }
}

#[test]
fn the_graph_sees_grouped_and_inline_imports() {
    let source = "use crate::store::{db, rows::{card, person}};\n\
                  // crate::http::context in a comment is not an import\n\
                  fn f() { crate::domain::tick::advance(tx, now); }";
    let paths = crate_paths(&code(source));
    assert_eq!(
        paths,
        [
            "store::db",
            "store::rows::card",
            "store::rows::person",
            "domain::tick::advance"
        ]
    );
}

/// The modules whose source writes `table` (insert, update or delete).
fn writers_of(modules: &BTreeMap<String, String>, table: &str) -> BTreeSet<String> {
    let statements = [
        format!("INSERT INTO {table} "),
        format!("INSERT OR IGNORE INTO {table} "),
        format!("INSERT OR REPLACE INTO {table} "),
        format!("UPDATE {table} "),
        format!("DELETE FROM {table} "),
    ];
    modules
        .iter()
        .filter(|(_, source)| {
            statements
                .iter()
                .any(|statement| source.contains(statement.as_str()))
        })
        .map(|(module, _)| module.clone())
        .collect()
}

#[test]
fn each_state_table_has_one_writer() {
    let modules = modules();
    for (table, owner) in [
        ("cards", "domain::cards"),
        ("loss_reports", "domain::cards"),
        ("applications", "domain::applications"),
        ("application_stages", "domain::applications"),
        ("delegations", "domain::delegations"),
        ("enrolments", "domain::enrolment"),
        ("accounts", "domain::accounts"),
        ("phone_changes", "domain::accounts"),
        ("people", "domain::register"),
        ("identity_attempts", "domain::enrolment"),
        ("pin_grants", "domain::pin"),
    ] {
        let writers = writers_of(&modules, table);
        assert_eq!(
            writers,
            BTreeSet::from([owner.to_owned()]),
            "`{table}` is written outside its owner {owner}"
        );
    }
}
