//! What the operators' metrics read from the database: how many of each
//! workflow's records are in each state, and how large the outboxes and
//! stores of replies are. Read-only counts at scrape time; no row is
//! returned, only states (the workflows' own enumerations) and numbers, so
//! no personal data leaves through them.
//!
//! Also the trivial query by which readiness checks that the database
//! answers.

use crate::store::sql::Connection;

use crate::error::ApiResult;

/// One counted quantity: `what` (`applications`), the label its groups
/// are told apart by (`state`; `None` for a plain total), and the counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Count {
    /// What is counted, in snake case (the metric's name after `ecard_`).
    pub what: &'static str,
    /// One sentence on what is counted.
    pub help: &'static str,
    /// The name of the grouping label, if grouped.
    pub label: Option<&'static str>,
    /// Each group's value of the label (empty for a total) and its count.
    pub values: Vec<(String, u64)>,
}

/// The counts, each with its query (a grouped query selects the group's
/// value and the count; a total selects the count).
const COUNTS: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "applications",
        "Card applications, by state.",
        Some("state"),
        "SELECT state, COUNT(*) FROM applications GROUP BY state",
    ),
    (
        "loss_reports_open",
        "Card loss reports not yet ended, by kind.",
        Some("kind"),
        "SELECT kind, COUNT(*) FROM loss_reports WHERE ended_at IS NULL GROUP BY kind",
    ),
    (
        "enrolments",
        "Device enrolments, by state.",
        Some("state"),
        "SELECT state, COUNT(*) FROM enrolments GROUP BY state",
    ),
    (
        "phone_changes",
        "Changes of the phone on record, by state.",
        Some("state"),
        "SELECT state, COUNT(*) FROM phone_changes GROUP BY state",
    ),
    (
        "delegations",
        "Mandates (family proxies, guardians), by status.",
        Some("state"),
        "SELECT status, COUNT(*) FROM delegations GROUP BY status",
    ),
    (
        "births",
        "Birth registrations, by state.",
        Some("state"),
        "SELECT state, COUNT(*) FROM births GROUP BY state",
    ),
    (
        "login_requests",
        "Scan-to-login requests, by status.",
        Some("state"),
        "SELECT status, COUNT(*) FROM login_requests GROUP BY status",
    ),
    (
        "eligibility_checks_open",
        "Pension eligibility checks started and not completed.",
        None,
        "SELECT COUNT(*) FROM eligibility_checks WHERE completed_at IS NULL",
    ),
    (
        "sms_outbox_messages",
        "Text messages in the reference SMS outbox.",
        None,
        "SELECT COUNT(*) FROM sms_outbox",
    ),
    (
        "idempotent_replies_stored",
        "Replies kept for idempotent retries.",
        None,
        "SELECT COUNT(*) FROM idempotency",
    ),
    (
        "request_nonces_stored",
        "Nonces of signed requests kept against replay.",
        None,
        "SELECT COUNT(*) FROM nonces",
    ),
];

/// Every count, read now.
pub fn counts(connection: &mut Connection) -> ApiResult<Vec<Count>> {
    let tx = connection.transaction()?;
    let mut counts = Vec::with_capacity(COUNTS.len());
    for (what, help, label, query) in COUNTS {
        let mut statement = tx.prepare_cached(query)?;
        let values = if label.is_some() {
            statement
                .query_map([], |row| {
                    Ok((
                        row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        row.get::<_, i64>(1)?,
                    ))
                })?
                .map(|row| row.map(|(value, count)| (value, u64::try_from(count).unwrap_or(0))))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            let count: i64 = statement.query_row([], |row| row.get(0))?;
            vec![(String::new(), u64::try_from(count).unwrap_or(0))]
        };
        counts.push(Count {
            what,
            help,
            label: *label,
            values,
        });
    }
    Ok(counts)
}

/// Whether the database answers a trivial query.
pub fn database_answers(connection: &mut Connection) -> ApiResult<()> {
    connection
        .transaction()?
        .query_row("SELECT 1", [], |row| row.get::<_, i64>(0))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn every_count_runs_on_a_fresh_database() {
        let directory = tempfile::tempdir().unwrap();
        let mut connection = crate::store::db::open(&directory.path().join("platform.db")).unwrap();
        database_answers(&mut connection).unwrap();
        let counts = counts(&mut connection).unwrap();
        assert_eq!(counts.len(), COUNTS.len());
        let outbox = counts
            .iter()
            .find(|count| count.what == "sms_outbox_messages")
            .unwrap();
        assert_eq!(outbox.values, [(String::new(), 0)]);
        assert!(
            counts
                .iter()
                .filter(|count| count.label.is_some())
                .all(|count| count.values.is_empty())
        );
    }
}
