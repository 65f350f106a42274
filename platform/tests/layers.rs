//! The platform's modules form layers that only point down: `http` on top
//! of `domain` on top of `store`, with `error` beneath them all and the
//! crate root wiring them together. This test reads every `crate::…` path
//! in `src/` (comments aside), builds the module import graph from them and
//! fails on a path that points up a layer or on any circle of imports, so
//! the layering `docs/architecture.md` draws cannot quietly erode. It also
//! checks that the tables of people, accounts, cards, applications,
//! mandates and enrolments are written by their owning domain module only:
//! one owner per state transition; and that the HTTP layer holds no SQL —
//! no statement in a string literal and no call that runs one — since rows
//! are the store's and queries the domain's.

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
        ("operators", "domain::clearing"),
        ("operator_acceptances", "domain::clearing"),
        ("resolved_codes", "domain::service_points"),
        ("resolution_counts", "domain::service_points"),
        ("access_records", "domain::service_points"),
        ("access_reports", "domain::service_points"),
        ("pensioners", "domain::eligibility"),
        ("eligibility_certifications", "domain::eligibility"),
        ("eligibility_checks", "domain::eligibility"),
        ("pension_months", "domain::eligibility"),
        ("financial_accounts", "domain::money"),
        ("payments", "domain::money"),
    ] {
        let writers = writers_of(&modules, table);
        assert_eq!(
            writers,
            BTreeSet::from([owner.to_owned()]),
            "`{table}` is written outside its owner {owner}"
        );
    }
}

/// The string literals of `source` (plain, raw and byte strings), without
/// comments or character literals, as written between their quotes.
fn string_literals(source: &str) -> Vec<String> {
    let characters: Vec<char> = source.chars().collect();
    let mut literals = Vec::new();
    let mut index = 0;
    let at = |index: usize| characters.get(index).copied();
    while let Some(character) = at(index) {
        let previous_is_ident = index > 0
            && characters
                .get(index - 1)
                .is_some_and(|previous| previous.is_alphanumeric() || *previous == '_');
        if character == '/' && at(index + 1) == Some('/') {
            while at(index).is_some_and(|character| character != '\n') {
                index += 1;
            }
        } else if character == '/' && at(index + 1) == Some('*') {
            let mut depth = 0;
            while let Some(character) = at(index) {
                if character == '/' && at(index + 1) == Some('*') {
                    depth += 1;
                    index += 2;
                } else if character == '*' && at(index + 1) == Some('/') {
                    depth -= 1;
                    index += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    index += 1;
                }
            }
        } else if character == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(index + 1) == Some('\\') {
                index += 2;
                while at(index).is_some_and(|character| character != '\'') {
                    index += 1;
                }
                index += 1;
            } else if at(index + 2) == Some('\'') {
                index += 3;
            } else {
                index += 1;
            }
        } else if !previous_is_ident
            && (character == 'r' || (character == 'b' && at(index + 1) == Some('r')))
            && {
                let start = if character == 'b' {
                    index + 2
                } else {
                    index + 1
                };
                let mut cursor = start;
                while at(cursor) == Some('#') {
                    cursor += 1;
                }
                at(cursor) == Some('"')
            }
        {
            let mut cursor = if character == 'b' {
                index + 2
            } else {
                index + 1
            };
            let mut hashes = 0;
            while at(cursor) == Some('#') {
                hashes += 1;
                cursor += 1;
            }
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body_start = cursor + 1;
            let rest: String = characters[body_start..].iter().collect();
            let length = rest.find(&closing).unwrap_or(rest.len());
            let body = &rest[..length];
            literals.push(body.to_owned());
            index = body_start + body.chars().count() + closing.chars().count();
        } else if character == '"' {
            let mut literal = String::new();
            index += 1;
            while let Some(character) = at(index) {
                match character {
                    '\\' if at(index + 1) == Some('\n') => {
                        // A line continuation: the line break and the
                        // indentation after it are not in the literal.
                        index += 1;
                        while at(index).is_some_and(char::is_whitespace) {
                            index += 1;
                        }
                    }
                    '\\' => {
                        // An escape: kept as the character escaped (`\n`
                        // as a line break), enough to read words.
                        if let Some(escaped) = at(index + 1) {
                            literal.push(if escaped == 'n' { '\n' } else { escaped });
                        }
                        index += 2;
                    }
                    '"' => {
                        index += 1;
                        break;
                    }
                    other => {
                        literal.push(other);
                        index += 1;
                    }
                }
            }
            literals.push(literal);
        } else {
            index += 1;
        }
    }
    literals
}

/// Whether a string literal is (part of) an SQL statement: a statement
/// keyword followed by the clause it needs, as whole words, in upper case
/// as this crate writes SQL, or in any case when the literal begins with
/// the keyword.
fn is_sql(literal: &str) -> bool {
    const STATEMENTS: [(&str, &[&str]); 6] = [
        ("SELECT", &["FROM"]),
        ("INSERT", &["INTO"]),
        ("REPLACE", &["INTO"]),
        ("UPDATE", &["SET"]),
        ("DELETE", &["FROM"]),
        ("WITH", &["SELECT", "INSERT", "UPDATE", "DELETE"]),
    ];
    let words: Vec<&str> = literal
        .split(|character: char| !(character.is_alphanumeric() || character == '_'))
        .filter(|word| !word.is_empty())
        .collect();
    STATEMENTS.iter().any(|(keyword, clauses)| {
        let clause_after = |start: usize, same_case: bool| {
            words[start + 1..].iter().any(|word| {
                clauses.iter().any(|clause| {
                    if same_case {
                        word == clause
                    } else {
                        word.eq_ignore_ascii_case(clause)
                    }
                })
            })
        };
        let upper = words
            .iter()
            .enumerate()
            .any(|(position, word)| word == keyword && clause_after(position, true));
        let leading = words
            .first()
            .is_some_and(|word| word.eq_ignore_ascii_case(keyword))
            && clause_after(0, false);
        upper || leading
    })
}

/// Calls that run SQL on a rusqlite connection or transaction (a
/// statement's own `query` needs a `prepare` first; `Uri::query` is no SQL).
const QUERY_CALLS: [&str; 8] = [
    ".execute(",
    ".execute_batch(",
    ".query_row(",
    ".query_map(",
    ".query_and_then(",
    ".prepare(",
    ".prepare_cached(",
    "params!",
];

/// Each HTTP module with the SQL it holds: statements in string literals,
/// and calls that run SQL.
fn sql_in_http(modules: &BTreeMap<String, String>) -> BTreeMap<String, Vec<String>> {
    modules
        .iter()
        .filter(|(module, _)| *module == "http" || module.starts_with("http::"))
        .filter_map(|(module, source)| {
            let mut found: Vec<String> = string_literals(source)
                .into_iter()
                .filter(|literal| is_sql(literal))
                .collect();
            let code = code(source);
            found.extend(
                QUERY_CALLS
                    .iter()
                    .filter(|call| code.contains(*call))
                    .map(|call| format!("a call to {call}")),
            );
            (!found.is_empty()).then(|| (module.clone(), found))
        })
        .collect()
}

#[test]
fn http_handlers_hold_no_sql() {
    let modules = modules();
    assert!(
        modules
            .keys()
            .filter(|module| module.starts_with("http::"))
            .count()
            > 10,
        "the HTTP modules are found: {:#?}",
        modules.keys()
    );
    let found = sql_in_http(&modules);
    assert!(
        found.is_empty(),
        "HTTP modules run SQL of their own; move it into the domain (queries and rules) \
         or the store (row mapping, audit, request plumbing): {found:#?}"
    );
}

#[test]
fn the_sql_check_sees_statements_in_every_spelling() {
    let source = r####"
        /// `DELETE /admin/outlets/{id}` in a doc comment is a route.
        // SELECT x FROM y in a comment is not code.
        fn f<'a>(tx: &'a Transaction<'a>) -> char {
            let quote = '"';
            let _ = "SELECT 1 FROM pins WHERE account_id = ?1";
            let _ = "UPDATE devices \
                     SET last_seen_at = ?1";
            let _ = r#"insert into nonces (device_id) values (?1)"#;
            let _ = format!("DELETE FROM {} WHERE id = ?1", table);
            let _ = "select a device from the list: not a statement? it leads with one";
            let _ = "choose a device from the list";
            let _ = "the card was replaced; update the app";
            quote
        }
    "####;
    let literals = string_literals(source);
    let sql: Vec<&String> = literals.iter().filter(|literal| is_sql(literal)).collect();
    assert_eq!(
        sql,
        [
            "SELECT 1 FROM pins WHERE account_id = ?1",
            "UPDATE devices SET last_seen_at = ?1",
            "insert into nonces (device_id) values (?1)",
            "DELETE FROM {} WHERE id = ?1",
            "select a device from the list: not a statement? it leads with one",
        ]
    );
    let mut modules = BTreeMap::new();
    modules.insert(
        "http::example".to_owned(),
        "fn g(tx: &Transaction<'_>) { tx.execute(QUERY, params![1])?; }".to_owned(),
    );
    modules.insert(
        "domain::example".to_owned(),
        "fn h() { let _ = \"SELECT 1 FROM cards\"; }".to_owned(),
    );
    let found = sql_in_http(&modules);
    assert_eq!(
        found.keys().collect::<Vec<_>>(),
        ["http::example"],
        "only HTTP modules are checked: {found:#?}"
    );
    assert_eq!(
        found["http::example"],
        ["a call to .execute(", "a call to params!"]
    );
}
