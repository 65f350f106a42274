//! The view types of `harmony/index.d.ts`, generated from the Rust types.
//!
//! Why: the core's types cross to JavaScript as serde values (keys turned
//! to camelCase by [`crate::convert`]), so their TypeScript declarations
//! must follow the Rust definitions exactly. They are generated here with
//! `ts-rs` (the `typescript` features of `ecard-api` and
//! `ecard-credential`, the `js` feature of `ecard-core`), given the same
//! camelCase keys, and kept between two marker lines of `index.d.ts`. The
//! test fails when the file differs from what the types say; run it with
//! `ECARD_UPDATE_DECLARATIONS=1` to rewrite the block:
//!
//! ```text
//! ECARD_UPDATE_DECLARATIONS=1 cargo test -p ecard-harmony declarations
//! ```
//!
//! Written by hand around the block: the errors (the flat error is not a
//! serde shape), the inputs the binding reads with its own conversions
//! (configuration with defaults, search and outlet queries with optional
//! fields, forms and drafts with photos as `Uint8Array`), and the classes,
//! callbacks and functions, which `test/surface.test.mjs` checks against
//! the library's exports.

use ecard_api::catalogue::{
    AppAction, CardForm, CatalogueItem, Channel, Cluster, Domain, OpeningPeriod, Outlet,
    OutletKind, OutletService, UsageMode,
};
use ecard_api::eligibility::{
    Certification, CertificationMethod, EligibilityReminder, EligibilityState, EligibilityStatus,
    PassiveUse,
};
use ecard_api::identity::{
    DeviceUnlinked, DeviceView, EnrolmentRequestView, FacePurpose, Notice, NoticeKind,
    PhoneChangeStarted, PinAction,
};
use ecard_api::insurance::{
    Certificate, CertificateCheck, CertificateKind, CertificateRequest, CertificateState,
    ContributionMonth, Insurance, InsuranceRecord, Participation, ParticipationStatus, Payer,
    PensionStart, RequestedBy, Scheme, Transfer, YearTotal,
};
use ecard_api::login::{
    Authorisation, ClaimScope, LoginDecision, LoginRequestStatus, LoginRequestView,
    RelyingPartyKind, RelyingPartyView,
};
use ecard_api::money::{BankFunctionState, FinancialAccount, Payment, PaymentPage, PaymentSource};
use ecard_api::resident::{
    Application, ApplicationAction, ApplicationKind, ApplicationState, AuditEntry, Birth,
    BirthProgress, BirthState, BirthStep, Card, CardStatus, Delegation, DelegationKind,
    DelegationStatus, Delivery, ECardState, Evidence, LossKind, LossReport, PersonIdentity,
    PersonSummary, Profile, Relationship, ReplacementKind, Scope, Sex, StageEntry,
};
use ecard_api::rules::{
    AccountSecurity, Bank, BenefitKind, ConcessionBasis, ConcessionBenefit, ConcessionClass,
    ConcessionDocument, ConcessionRule, ConcessionRules, ConcessionScene, ECardTiming,
    EligibilityRules, InstantIssueRules, MinorRules, NewbornRules, OnBehalfRules,
    PassiveCertification, PhotoRules, RegionalRules,
};
use ecard_api::service_points::{
    AccessRecord, AccessRecordPage, AccessReport, AccessReportReason, DisclosedField,
    ServicePointKind,
};
use ecard_core::privacy::{ExportedCredential, ExportedDraft, ExportedSubmission};
use ecard_core::storage::{RecoveredTable, RecoveryReport};
use ecard_core::{
    CardView, CatalogueState, CertificateView, ClientEvent, CodeView, EligibilityView,
    EnrolmentProgress, FaceCheckRequest, FinancialAccountView, FlowStep, Freshness, Location,
    MatchKind, MonthLine, OutboxEntry, OutboxState, OutletHit, PersonalDataExport, ProgressStage,
    RecordYear, RecordsView, SearchHelp, SearchHit, Session, SessionView, Snapshot, Submission,
    SyncReport,
};
use ecard_credential::{HolderRole, Locale, Purpose, Suite};
use ts_rs::{Config, TS};

use crate::convert::camel_key;

const BEGIN: &str =
    "// ---- generated from the Rust types: do not edit (see bindings/harmony/src/declarations.rs)";
const END: &str = "// ---- end of generated declarations";

/// Every generated declaration, in the order the file lists them.
fn declarations() -> Vec<String> {
    // JSON numbers: the values stay below 2^53 (seconds, counts, fen).
    let config = Config::new().with_large_int("number");
    macro_rules! declare {
        ($($name:ty),* $(,)?) => {
            vec![$(format!("{}\n{}", <$name as TS>::docs().unwrap_or_default(), <$name as TS>::decl(&config))),*]
        };
    }
    declare![
        // Words.
        Locale,
        Suite,
        Purpose,
        HolderRole,
        CardStatus,
        ECardState,
        LossKind,
        ReplacementKind,
        ApplicationState,
        ApplicationAction,
        ApplicationKind,
        DelegationKind,
        DelegationStatus,
        Scope,
        Relationship,
        Cluster,
        Domain,
        UsageMode,
        CardForm,
        Channel,
        OutletKind,
        OutletService,
        AppAction,
        MatchKind,
        OutboxState,
        PinAction,
        FacePurpose,
        NoticeKind,
        ServicePointKind,
        DisclosedField,
        AccessReportReason,
        RelyingPartyKind,
        ClaimScope,
        LoginRequestStatus,
        Insurance,
        Scheme,
        ParticipationStatus,
        CertificateKind,
        RequestedBy,
        CertificateState,
        EligibilityState,
        CertificationMethod,
        BankFunctionState,
        PaymentSource,
        // Records.
        PersonIdentity,
        Evidence,
        Delivery,
        SessionView,
        FaceCheckRequest,
        EnrolmentProgress,
        DeviceView,
        DeviceUnlinked,
        EnrolmentRequestView,
        PhoneChangeStarted,
        Notice,
        CardView,
        CatalogueState,
        RecoveredTable,
        RecoveryReport,
        Snapshot,
        CodeView,
        SyncReport,
        CatalogueItem,
        SearchHit,
        OpeningPeriod,
        Outlet,
        OutletHit,
        Location,
        SearchHelp,
        Bank,
        PhotoRules,
        RegionalRules,
        ECardTiming,
        AccountSecurity,
        OnBehalfRules,
        MinorRules,
        NewbornRules,
        InstantIssueRules,
        ConcessionClass,
        ConcessionDocument,
        ConcessionScene,
        BenefitKind,
        ConcessionBenefit,
        ConcessionBasis,
        ConcessionRule,
        ConcessionRules,
        PassiveCertification,
        EligibilityRules,
        Sex,
        BirthState,
        BirthStep,
        BirthProgress,
        Birth,
        LossReport,
        Card,
        PersonSummary,
        Profile,
        Submission,
        OutboxEntry,
        StageEntry,
        Application,
        FlowStep,
        ProgressStage,
        Delegation,
        AuditEntry,
        ClientEvent,
        Session,
        ExportedDraft,
        ExportedSubmission,
        ExportedCredential,
        AccessReport,
        AccessRecord,
        AccessRecordPage,
        // Social-insurance self-service.
        Freshness,
        Participation,
        Payer,
        ContributionMonth,
        Transfer,
        YearTotal,
        PensionStart,
        InsuranceRecord,
        RecordYear,
        RecordsView,
        MonthLine,
        CertificateRequest,
        Certificate,
        CertificateView,
        CertificateCheck,
        PassiveUse,
        Certification,
        EligibilityReminder,
        EligibilityStatus,
        EligibilityView,
        FinancialAccount,
        FinancialAccountView,
        Payment,
        PaymentPage,
        PersonalDataExport,
        RelyingPartyView,
        LoginRequestView,
        LoginDecision,
        Authorisation,
    ]
}

/// The block as it belongs in `index.d.ts`, markers included.
fn generated_block() -> String {
    let mut block = format!("{BEGIN}\n");
    for declaration in declarations() {
        block.push('\n');
        let declaration = indented(&camel_case_keys(declaration.trim()));
        block.push_str(&declaration.replacen("\ntype ", "\nexport type ", 1));
        block.push('\n');
    }
    block.push('\n');
    block.push_str(END);
    block
}

/// Object keys of TypeScript source in camelCase, as [`crate::convert`]
/// hands them to JavaScript: bare keys (`card_id:`, `card_id?:`) and
/// quoted ones (`"card_id":`). String literals that are values and doc
/// comments stay as they are.
fn camel_case_keys(source: &str) -> String {
    let characters: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut index = 0;
    let is_key_end = |at: usize| {
        let mut next = at;
        if characters.get(next) == Some(&'?') {
            next += 1;
        }
        characters.get(next) == Some(&':')
    };
    while index < characters.len() {
        let character = characters[index];
        if character == '/' && characters.get(index + 1) == Some(&'*') {
            let end = (index + 2..characters.len().saturating_sub(1))
                .find(|&at| characters[at] == '*' && characters[at + 1] == '/')
                .map_or(characters.len(), |at| at + 2);
            out.extend(&characters[index..end]);
            index = end;
        } else if character == '"' {
            let end = (index + 1..characters.len())
                .find(|&at| characters[at] == '"')
                .unwrap_or(characters.len() - 1);
            let text: String = characters[index + 1..end].iter().collect();
            if is_key_end(end + 1) {
                out.push('"');
                out.push_str(&camel_key(&text));
                out.push('"');
            } else {
                out.extend(&characters[index..=end]);
            }
            index = end + 1;
        } else if character.is_ascii_alphabetic() || character == '_' {
            let end = (index..characters.len())
                .find(|&at| !(characters[at].is_ascii_alphanumeric() || characters[at] == '_'))
                .unwrap_or(characters.len());
            let word: String = characters[index..end].iter().collect();
            if is_key_end(end) {
                out.push_str(&camel_key(&word));
            } else {
                out.push_str(&word);
            }
            index = end;
        } else {
            out.push(character);
            index += 1;
        }
    }
    out
}

/// `ts-rs` writes members flush left, one-line docs on three lines and a
/// closing brace after the last member: indent members two spaces per open
/// brace (braces in doc comments and string literals do not count), fold
/// one-line docs, and put closing braces on their own lines.
fn indented(source: &str) -> String {
    let mut raw: Vec<String> = Vec::new();
    for line in source.lines().map(str::trim) {
        let comment = line.starts_with("/**") || line.starts_with('*');
        if comment {
            raw.push(line.to_owned());
            continue;
        }
        let line = line.replace(", } | {", ",\n} | {");
        let line = match line.strip_suffix(", };") {
            Some(members) => format!("{members},\n}};"),
            None => line,
        };
        raw.extend(line.lines().map(|part| part.trim_end().to_owned()));
    }
    let mut folded: Vec<String> = Vec::new();
    let mut index = 0;
    while index < raw.len() {
        if raw[index] == "/**"
            && raw.get(index + 2).is_some_and(|line| line == "*/")
            && let Some(text) = raw[index + 1].strip_prefix("* ")
        {
            folded.push(format!("/** {text} */"));
            index += 3;
        } else {
            folded.push(raw[index].clone());
            index += 1;
        }
    }
    let mut depth = 0_usize;
    let mut lines = Vec::new();
    for line in folded {
        let comment = line.starts_with("/**") || line.starts_with('*');
        let indent = if !comment && line.starts_with('}') {
            depth.saturating_sub(1)
        } else {
            depth
        };
        let prefix = if line.starts_with('*') { " " } else { "" };
        lines.push(format!("{}{prefix}{line}", "  ".repeat(indent)));
        if !comment {
            let mut in_string = false;
            for character in line.chars() {
                match character {
                    '"' => in_string = !in_string,
                    '{' if !in_string => depth += 1,
                    '}' if !in_string => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn index_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../harmony/index.d.ts")
    }

    #[test]
    fn index_d_ts_declares_the_rust_types_as_they_are() {
        let path = index_path();
        let file = std::fs::read_to_string(&path).unwrap();
        let start = file.find(BEGIN).expect("index.d.ts has the begin marker");
        let end = file.find(END).expect("index.d.ts has the end marker") + END.len();
        let expected = generated_block();
        if std::env::var_os("ECARD_UPDATE_DECLARATIONS").is_some() {
            let updated = format!("{}{expected}{}", &file[..start], &file[end..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        assert!(
            file[start..end] == expected,
            "harmony/index.d.ts is out of date with the Rust types: run \
             ECARD_UPDATE_DECLARATIONS=1 cargo test -p ecard-harmony declarations"
        );
    }

    #[test]
    fn keys_become_camel_case_and_values_and_docs_stay() {
        let source = "type A = { /** the card_id: x */ card_id: string, \"kind\": \"new_card\", \
                      open_now?: boolean, \"e_card\": ECardState, };";
        assert_eq!(
            camel_case_keys(source),
            "type A = { /** the card_id: x */ cardId: string, \"kind\": \"new_card\", \
             openNow?: boolean, \"eCard\": ECardState, };"
        );
    }
}
