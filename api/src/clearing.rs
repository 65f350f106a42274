//! Clearing of accepted codes between an operator's terminals
//! (`POST /v1/operator/acceptances`), and the registration of operators
//! (`POST /admin/operators`).
//!
//! A terminal knows only its own scans. It reports the codes it accepted
//! ([`ecard_credential::Acceptance`], from `take_acceptances`) with the
//! cursor of its last report, and gets back the codes its operator's other
//! terminals accepted since then that could still pass the time check
//! (`recent`, for `note_accepted_elsewhere`) and the codes accepted at two
//! or more terminals (`duplicates`, the clearing report).

use ecard_credential::{Acceptance, Handle, Purpose};
use serde::{Deserialize, Serialize};

/// Most acceptances one report may carry.
pub const MAX_ACCEPTANCES_PER_REPORT: usize = 1_000;
/// Most entries of `recent` and of `duplicates` in one answer; the rest
/// come with the next report (the cursor stops before them).
pub const MAX_ANSWER_ENTRIES: usize = 1_000;
/// Longest terminal id (characters of `A-Z a-z 0-9 . _ -`).
pub const MAX_TERMINAL_ID_LENGTH: usize = 64;
/// Longest operator name, in characters.
pub const MAX_OPERATOR_NAME_LENGTH: usize = 100;
/// How long the platform keeps reported acceptances, in seconds (7 days).
pub const RETENTION_SECONDS: u64 = 7 * 86_400;
/// A code is shared in `recent` while `issued_at` + this ≥ the platform
/// time: the verifier's 60 s code lifetime and 30 s clock skew.
pub const SHARE_WINDOW_SECONDS: u64 = 60 + 30;

/// Whether `terminal_id` is 1–64 characters of `A-Z a-z 0-9 . _ -`.
pub fn terminal_id_is_well_formed(terminal_id: &str) -> bool {
    !terminal_id.is_empty()
        && terminal_id.len() <= MAX_TERMINAL_ID_LENGTH
        && terminal_id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

/// `POST /admin/operators` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOperator {
    /// The operator's name (a transit company, a hospital group), 1–100
    /// characters without control characters.
    pub name: String,
    /// The outlet whose counter staff this operator is (即时制卡); `None`
    /// for a terminal operator (transit, venues), who reports acceptances.
    #[serde(default)]
    pub outlet_id: Option<String>,
    /// What kind of service point it is and what its terminals may
    /// resolve online; all absent for a terminal operator that resolves
    /// nothing.
    #[serde(flatten)]
    pub service_point: crate::service_points::ServicePointRegistration,
}

/// `POST /admin/operators` answer: the operator and its bearer token,
/// shown this once (the platform keeps only its hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorRegistered {
    /// The operator's id.
    pub operator_id: String,
    /// The bearer token its terminals authenticate with.
    pub token: String,
}

/// `POST /v1/operator/acceptances` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptanceReport {
    /// The reporting terminal, as its operator names it (1–64 characters
    /// of `A-Z a-z 0-9 . _ -`).
    pub terminal_id: String,
    /// The cursor of the last answer (absent or null on the first report).
    #[serde(default)]
    pub after: Option<u64>,
    /// The codes accepted since the last report (at most 1,000).
    pub acceptances: Vec<Acceptance>,
}

/// One terminal's accept of a code that was accepted more than once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateAccept {
    /// The terminal that accepted it.
    pub terminal_id: String,
    /// When that terminal says it accepted it (its clock).
    pub accepted_at: u64,
    /// When the platform received the report (the platform clock).
    pub reported_at: u64,
}

/// A code accepted at two or more of the operator's terminals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The credential.
    pub handle: Handle,
    /// The code's counter.
    pub counter: u32,
    /// What the code was for.
    pub purpose: Purpose,
    /// When the code was made.
    pub issued_at: u64,
    /// Every accept of it, oldest report first.
    pub accepts: Vec<DuplicateAccept>,
}

/// `POST /v1/operator/acceptances` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearingAnswer {
    /// Codes of this operator accepted more than once: those of this
    /// report, and those among the acceptances reported after the cursor.
    pub duplicates: Vec<Duplicate>,
    /// Codes the operator's other terminals accepted after the cursor that
    /// could still pass the time check: hand each to
    /// `note_accepted_elsewhere`.
    pub recent: Vec<Acceptance>,
    /// The cursor to send as `after` with the next report.
    pub cursor: u64,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn terminal_ids_are_bounded() {
        assert!(terminal_id_is_well_formed("gate-07.line_2"));
        assert!(terminal_id_is_well_formed(&"a".repeat(64)));
        assert!(!terminal_id_is_well_formed(""));
        assert!(!terminal_id_is_well_formed(&"a".repeat(65)));
        assert!(!terminal_id_is_well_formed("gate 7"));
        assert!(!terminal_id_is_well_formed("闸机7"));
    }

    #[test]
    fn a_report_reads_what_a_terminal_takes() {
        let report: AcceptanceReport = serde_json::from_str(
            r#"{"terminal_id":"gate-1","acceptances":[{"handle":"00112233445566aa",
            "counter":7,"purpose":"transport","issued_at":1800000000,"accepted_at":1800000003}]}"#,
        )
        .unwrap();
        assert_eq!(report.after, None);
        assert_eq!(report.acceptances[0].counter, 7);
        assert_eq!(report.acceptances[0].handle.to_string(), "00112233445566aa");
    }
}
