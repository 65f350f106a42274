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

#[test]
fn the_self_service_views_are_declared() {
    use ecard_api::eligibility::{EligibilityReminder, EligibilityState, EligibilityStatus};
    use ecard_api::insurance::{
        Certificate, CertificateKind, Insurance, RequestedBy, Scheme, YearTotal,
    };
    use ecard_api::money::{BankFunctionState, FinancialAccount, Payment, PaymentSource};
    use ecard_api::rules::Bank;
    use ecard_core::{
        CertificateView, EligibilityView, FinancialAccountView, Freshness, MonthLine, RecordYear,
        RecordsView,
    };

    let freshness = Freshness {
        fetched_at: 100,
        age_seconds: 90_000,
        stale: true,
        offline: true,
    };
    let records = RecordsView {
        person_id: "person-1".into(),
        through: "2026-10".into(),
        participations: vec![],
        transfers: vec![],
        pension: None,
        years: vec![RecordYear {
            year: 2026,
            insurances: vec![YearTotal {
                year: 2026,
                insurance: Insurance::Pension,
                months: 10,
                months_owed: 1,
                personal: 80_000,
                employer: 160_000,
            }],
            personal: 80_000,
            employer: 160_000,
            months_owed: 1,
        }],
        freshness: freshness.clone(),
    };
    let js = convert::camel(serde_json::to_value(&records).unwrap_or_default());
    assert_declared("RecordsView", &js);
    assert_declared("RecordYear", &js["years"][0]);
    assert_declared("YearTotal", &js["years"][0]["insurances"][0]);
    assert_declared("Freshness", &js["freshness"]);
    assert_eq!(js["years"][0]["monthsOwed"], 1);
    assert_eq!(js["freshness"]["ageSeconds"], 90_000);

    let month = MonthLine {
        month: "2026-01".into(),
        insurance: Insurance::Medical,
        scheme: Scheme::FlexibleEmployment,
        employer_name: None,
        base: 400_000,
        personal: 32_000,
        employer: 0,
        region: "360102".into(),
        paid: false,
    };
    let js = convert::camel(serde_json::to_value(&month).unwrap_or_default());
    assert_declared("MonthLine", &js);
    assert_eq!(js["scheme"], "flexible_employment");

    let certificate = CertificateView {
        certificate: Certificate {
            certificate_id: "cert-1".into(),
            person_id: "person-1".into(),
            kind: CertificateKind::ContributionRecord,
            insurance: Some(Insurance::Pension),
            from_year: Some(1990),
            to_year: Some(2000),
            verification_code: "0123456789ABCDEF".into(),
            issued_at: 100,
            valid_until: 200,
            sha256: "00".into(),
            size: 1_000,
            requested_by: RequestedBy::Proxy,
            requested_by_name: Some("张*".into()),
            check_url: "https://example/v1/certificate-checks/0123456789ABCDEF".into(),
        },
        saved: true,
        expired: false,
    };
    let js = convert::camel(serde_json::to_value(&certificate).unwrap_or_default());
    assert_declared("CertificateView", &js);
    assert_declared("Certificate", &js["certificate"]);
    assert_eq!(js["certificate"]["kind"], "contribution_record");

    let eligibility = EligibilityView {
        status: EligibilityStatus {
            person_id: "person-1".into(),
            state: EligibilityState::Due,
            due_by: Some("2027-01-04".into()),
            grace_until: Some("2027-02-03".into()),
            last_certification: None,
            reminders: vec![EligibilityReminder {
                days_before: 30,
                on: "2026-12-05".into(),
                due: true,
            }],
            payments_suspended: false,
            suspended_since: None,
            withheld_months: vec![],
        },
        action_needed: true,
        freshness: freshness.clone(),
    };
    let js = convert::camel(serde_json::to_value(&eligibility).unwrap_or_default());
    assert_declared("EligibilityView", &js);
    assert_declared("EligibilityStatus", &js["status"]);
    assert_declared("EligibilityReminder", &js["status"]["reminders"][0]);
    assert_eq!(js["actionNeeded"], true);

    let account = FinancialAccountView {
        account: FinancialAccount {
            card_id: "card-1".into(),
            bank: Bank {
                code: "icbc".into(),
                name: "中国工商银行".into(),
                hotline: Some("95588".into()),
            },
            account_masked: "6217 **** **** 1234".into(),
            state: BankFunctionState::LossReported,
            loss_reported_at: Some(100),
        },
        freshness,
    };
    let js = convert::camel(serde_json::to_value(&account).unwrap_or_default());
    assert_declared("FinancialAccountView", &js);
    assert_declared("FinancialAccount", &js["account"]);
    assert_eq!(js["account"]["state"], "loss_reported");

    let payment = Payment {
        payment_id: "pay-1".into(),
        person_id: "person-1".into(),
        card_id: "card-1".into(),
        source: PaymentSource::Pension,
        programme: "城镇职工基本养老保险".into(),
        amount_fen: 268_050,
        payer: "南昌市社会保险事业管理局".into(),
        paid_on: "2026-11-15".into(),
        months: vec!["2026-11".into()],
        sample: true,
    };
    let js = convert::camel(serde_json::to_value(&payment).unwrap_or_default());
    assert_declared("Payment", &js);
    assert_eq!(js["amountFen"], 268_050);
}
