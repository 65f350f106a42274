//! Real values of the views the core hands to JavaScript against their
//! declarations in `harmony/index.d.ts`.
//!
//! Why: the declarations are generated from the Rust types
//! ([`crate::declarations`]) by reading their serde attributes; these tests
//! check the other side, what serde actually writes once the binding has
//! turned the keys to camelCase. They serialise one value of each view and
//! fail when a key is missing from its declaration, or a declaration has a
//! required key the value lacks.

use std::collections::BTreeSet;

use ecard_api::resident::{ApplicationState, CardStatus, ECardState};
use ecard_core::codes::CodeView;
use ecard_core::storage::{RecoveredTable, RecoveryReport};
use ecard_core::workflows::ProgressStage;
use ecard_core::{CardView, CatalogueState, OutboxEntry, OutboxState, Snapshot, SyncReport};
use ecard_credential::{HolderRole, Purpose};
use serde_json::Value;

use crate::convert;

const DECLARATIONS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../harmony/index.d.ts"
));

/// The keys an interface declares: (required, optional).
fn declared_keys(interface: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let start = [
        format!("export interface {interface} "),
        format!("export type {interface} = {{"),
    ]
    .iter()
    .find_map(|opening| DECLARATIONS.find(opening.as_str()))
    .unwrap_or_else(|| panic!("index.d.ts declares no interface {interface}"));
    let mut required = BTreeSet::new();
    let mut optional = BTreeSet::new();
    let mut depth = 0_i32;
    for line in DECLARATIONS[start..].lines() {
        let code = line.trim();
        if code.starts_with("/**") || code.starts_with('*') || code.starts_with("//") {
            continue;
        }
        if depth == 1
            && let Some((name, _)) = code.split_once(':')
        {
            match name.strip_suffix('?') {
                Some(name) => optional.insert(name.trim().to_owned()),
                None => required.insert(name.trim().to_owned()),
            };
        }
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
        if depth == 0 && code.contains('}') {
            break;
        }
    }
    (required, optional)
}

/// Checks that `value` has exactly the keys `interface` declares (optional
/// ones may be absent).
fn assert_declared(interface: &str, value: &Value) {
    let keys: BTreeSet<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("{interface}: not an object: {value}"))
        .keys()
        .cloned()
        .collect();
    let (required, optional) = declared_keys(interface);
    let undeclared: Vec<_> = keys
        .iter()
        .filter(|key| !required.contains(*key) && !optional.contains(*key))
        .collect();
    let missing: Vec<_> = required.difference(&keys).collect();
    assert!(
        undeclared.is_empty() && missing.is_empty(),
        "{interface} in harmony/index.d.ts is out of step with the value the binding sends: \
         not declared {undeclared:?}, declared but not sent {missing:?}"
    );
}

fn card() -> CardView {
    CardView {
        card_id: "card-1".into(),
        person_id: "person-1".into(),
        holder_name_masked: "刘**".into(),
        role: HolderRole::Holder,
        status: CardStatus::Active,
        e_card: ECardState::Active,
        card_number_masked: "D****1234".into(),
        bank: Some("icbc".into()),
        suspended_here: false,
        credential_not_after: Some(2_000_000_000),
    }
}

#[test]
fn the_snapshot_and_what_it_holds_are_declared() {
    let snapshot = Snapshot {
        enrolled: true,
        name_masked: Some("刘**".into()),
        id_number_masked: Some("3601**********1234".into()),
        cards: vec![card()],
        catalogue: CatalogueState::default(),
        online: true,
        clock_offset_seconds: 0,
        outbox_pending: 1,
        outbox_failed: 0,
        recovery: Some(RecoveryReport {
            damaged_copy: "/data/ecard.db.damaged".into(),
            saved: vec![RecoveredTable {
                table: "outbox".into(),
                rows: 1,
            }],
            lost: vec![],
        }),
    };
    let js = convert::snapshot(&snapshot);
    assert_declared("Snapshot", &js);
    assert_declared("CardView", &js["cards"][0]);
    assert_declared("CatalogueState", &js["catalogue"]);
    assert_declared("RecoveryReport", &js["recovery"]);
    assert_eq!(js["recovery"]["saved"][0]["table"], "outbox");
    assert_eq!(js["recovery"]["saved"][0]["rows"], 1);
}

#[test]
fn codes_outbox_entries_progress_and_sync_reports_are_declared() {
    let code = CodeView {
        card_id: "card-1".into(),
        purpose: Purpose::Transport,
        text: "EC1:ABC".into(),
        qr_version: 10,
        issued_at: 100,
        expires_at: 160,
        on_behalf: HolderRole::Holder,
        counter: 3,
        credential_not_after: 2_000_000_000,
        seconds_left: 30,
    };
    let js = convert::code(&code);
    assert_declared("CodeView", &js);
    assert_eq!(js["secondsLeft"], 30);

    let entry = OutboxEntry {
        id: 1,
        idempotency_key: "key-1".into(),
        action: "application.submit".into(),
        path: "/v1/applications".into(),
        subject: None,
        state: OutboxState::Pending,
        attempts: 0,
        next_attempt_at: 100,
        last_error: None,
        created_at: 100,
    };
    assert_declared("OutboxEntry", &convert::outbox_entry(&entry));

    let stage = ProgressStage {
        state: ApplicationState::Submitted,
        label: "数据录入".into(),
        at: Some(100),
    };
    assert_declared("ProgressStage", &convert::progress_stage(&stage));
    assert_declared("SyncReport", &convert::sync_report(&SyncReport::default()));
}
