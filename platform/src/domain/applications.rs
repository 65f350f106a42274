//! Applications (申领) and replacements (补换): submission, fees,
//! cancellation where the rules allow it, production and delivery on the
//! platform clock, receipt, and a resubmitted photo after a failed
//! production.
//!
//! The card record — its number and with it the e-card — is made when
//! production starts (制卡中), the point after which an application can no
//! longer be cancelled; a replacement retires the old card then. Whether
//! the new card's e-card works before the card is received is the region's
//! `e_card_timing` (Jiangxi: 同步生成…直接使用), applied by
//! [`crate::domain::cards::refresh_e_card`].

use crate::store::sql::{OptionalExtension, Transaction, Value, params};
use ecard_api::resident::{
    Application, ApplicationAction, ApplicationKind, ApplicationState, Delivery, ReplacementKind,
    StageEntry,
};
use ecard_api::rules::RegionalRules;

use crate::domain::cards::{
    CardOrigin, carry_application_photo, current_card_of, make_card, new_card_number,
    refresh_e_card, retire_replaced,
};
use crate::domain::rules::rules_for;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::audit;
use crate::store::codec::{enum_name, kind_from_text, kind_text, parse_enum};
use crate::store::db::new_id;
use crate::store::rows::person;

/// Which applications are in progress: neither received, activated nor
/// cancelled. The partial unique index `applications_one_open` (migration
/// 19) has the same condition, so a person has at most one.
macro_rules! in_progress {
    () => {
        "state NOT IN ('activated', 'cancelled', 'received')"
    };
}

/// Delay between payment and the start of production.
const QUEUE_SECONDS: u64 = 3_600;

/// Loads an application with its history and the actions open now.
pub fn load(tx: &Transaction<'_>, application_id: &str) -> ApiResult<Application> {
    let row = tx
        .query_row(
            "SELECT a.application_id, a.kind, a.person_id, a.submitted_by, a.mandate_id, a.state, a.fee_fen, \
             a.replaces_card_id, a.card_id, a.failure_reason, a.created_at, p.region, a.instant_issue \
             FROM applications a JOIN people p ON p.person_id = a.person_id WHERE a.application_id = ?1",
            params![application_id],
            |row| {
                Ok((
                    Application {
                        application_id: row.get(0)?,
                        kind: kind_from_text(&row.get::<_, String>(1)?)?,
                        person_id: row.get(2)?,
                        submitted_by: row.get(3)?,
                        mandate_id: row.get(4)?,
                        state: parse_enum(&row.get::<_, String>(5)?)?,
                        stages: Vec::new(),
                        fee_fen: row.get(6)?,
                        actions: Vec::new(),
                        replaces_card_id: row.get(7)?,
                        card_id: row.get(8)?,
                        failure_reason: row.get(9)?,
                        created_at: row.get::<_, i64>(10)? as u64,
                        instant_issue: row.get(12)?,
                    },
                    row.get::<_, String>(11)?,
                ))
            },
        )
        .optional()?;
    let Some((mut application, region)) = row else {
        return Err(ApiError::not_found("application"));
    };
    let mut statement = tx.prepare(
        "SELECT state, at FROM application_stages WHERE application_id = ?1 ORDER BY seq",
    )?;
    application.stages = statement
        .query_map(params![application_id], |row| {
            Ok(StageEntry {
                state: parse_enum(&row.get::<_, String>(0)?)?,
                at: row.get::<_, i64>(1)? as u64,
            })
        })?
        .collect::<Result<_, _>>()?;
    let rules = rules_for(tx, &region)?;
    application.actions = actions(&application, &rules);
    Ok(application)
}

fn actions(application: &Application, rules: &RegionalRules) -> Vec<ApplicationAction> {
    let mut actions = Vec::new();
    match application.state {
        ApplicationState::Submitted => {
            if application.fee_fen > 0 {
                actions.push(ApplicationAction::Pay);
            }
            if rules.cancel_after_submit {
                actions.push(ApplicationAction::Cancel);
            }
        }
        // Once production has started (a card record exists, after a failed
        // production and a new photo too) there is no cancelling.
        ApplicationState::Paid if rules.cancel_after_submit && application.card_id.is_none() => {
            actions.push(ApplicationAction::Cancel)
        }
        ApplicationState::Dispatched | ApplicationState::AtOutlet => {
            actions.push(ApplicationAction::ConfirmReceipt)
        }
        ApplicationState::Received => actions.push(ApplicationAction::Activate),
        ApplicationState::ProductionFailed => actions.push(ApplicationAction::ResubmitPhoto),
        _ => {}
    }
    actions
}

/// Moves an application to `state`, records the stage and schedules the
/// next clock-driven step (`next_at`). Private: other modules ask for a
/// named transition (`pay`, `cancel`, `receive`, …) instead. The stage's
/// number comes from the row updated (`last_stage_seq`), not from reading
/// the stages: under PostgreSQL's serializable isolation that range read
/// made concurrent transactions on other applications conflict.
fn set_state(
    tx: &Transaction<'_>,
    application_id: &str,
    state: ApplicationState,
    now: u64,
    next_at: Option<u64>,
) -> ApiResult<()> {
    let seq: i64 = tx.query_row(
        "UPDATE applications SET state = ?1, next_transition_at = ?2, last_stage_seq = last_stage_seq + 1 \
         WHERE application_id = ?3 RETURNING last_stage_seq",
        params![
            enum_name(&state),
            next_at.map(|at| at as i64),
            application_id
        ],
        |row| row.get(0),
    )?;
    tx.execute(
        "INSERT INTO application_stages (application_id, seq, state, at) VALUES (?1, ?2, ?3, ?4)",
        params![application_id, seq, enum_name(&state), now as i64],
    )?;
    Ok(())
}

/// The card reached its holder (delivered, or receipt confirmed): the
/// application is received, and the card's e-card follows the rules for a
/// card no longer being made.
pub fn receive(tx: &Transaction<'_>, application: &Application, now: u64) -> ApiResult<()> {
    set_state(
        tx,
        &application.application_id,
        ApplicationState::Received,
        now,
        None,
    )?;
    if let Some(card_id) = &application.card_id {
        refresh_e_card(tx, card_id, now)?;
    }
    Ok(())
}

/// The card an application made was activated: the latest application for
/// `card_id`, if there is one, must have been received, and is activated
/// with it. A card no application made (issued at a counter) has none.
pub fn card_activated(tx: &Transaction<'_>, card_id: &str, now: u64) -> ApiResult<()> {
    let application: Option<(String, String)> = tx
        .query_row(
            "SELECT application_id, state FROM applications WHERE card_id = ?1 ORDER BY created_at DESC LIMIT 1",
            params![card_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((application_id, state)) = &application {
        if state != "received" {
            return Err(ApiError::state(
                "the card can be activated once it is received",
            ));
        }
        set_state(tx, application_id, ApplicationState::Activated, now, None)?;
    }
    Ok(())
}

/// Marks production failed (the card bureau's report), with a reason.
pub fn fail_production(
    tx: &Transaction<'_>,
    application_id: &str,
    reason: &str,
    now: u64,
) -> ApiResult<Application> {
    let application = load(tx, application_id)?;
    if !matches!(
        application.state,
        ApplicationState::Paid | ApplicationState::InProduction
    ) {
        return Err(ApiError::state(
            "only an application waiting for or in production can fail",
        ));
    }
    tx.execute(
        "UPDATE applications SET failure_reason = ?1 WHERE application_id = ?2",
        params![reason, application_id],
    )?;
    set_state(
        tx,
        application_id,
        ApplicationState::ProductionFailed,
        now,
        None,
    )?;
    load(tx, application_id)
}

/// Runs the clock-driven steps of applications that are due at `now`.
pub fn advance(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    loop {
        let due: Option<(String, String, i64)> = tx
            .prepare_cached(
                "SELECT application_id, state, next_transition_at FROM applications \
                 WHERE next_transition_at IS NOT NULL AND next_transition_at <= ?1 \
                 ORDER BY next_transition_at LIMIT 1",
            )?
            .query_row(params![now as i64], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let Some((application_id, state, due_at)) = due else {
            return Ok(());
        };
        let at = due_at as u64;
        let application = load(tx, &application_id)?;
        let person = person(tx, &application.person_id)?;
        let rules = rules_for(tx, &person.region)?;
        match parse_enum::<ApplicationState>(&state)? {
            // Not collected at the outlet in time: the hold lapses.
            ApplicationState::Paid if application.instant_issue => {
                tx.execute(
                    "UPDATE applications SET failure_reason = ?1 WHERE application_id = ?2",
                    params![
                        "not collected at the outlet within the instant-issue hold",
                        application_id
                    ],
                )?;
                set_state(tx, &application_id, ApplicationState::Cancelled, at, None)?;
            }
            ApplicationState::Paid => {
                let ready = at + u64::from(rules.production_days) * 86_400;
                set_state(
                    tx,
                    &application_id,
                    ApplicationState::InProduction,
                    at,
                    Some(ready),
                )?;
                start_production(tx, &application, &person.region, at)?;
            }
            ApplicationState::InProduction => {
                finish_production(tx, &application)?;
                match delivery_of(tx, &application_id)? {
                    Delivery::Mail { .. } => {
                        let arrives = at + u64::from(rules.delivery_days) * 86_400;
                        set_state(
                            tx,
                            &application_id,
                            ApplicationState::Dispatched,
                            at,
                            Some(arrives),
                        )?;
                    }
                    Delivery::Pickup { .. } => {
                        set_state(tx, &application_id, ApplicationState::AtOutlet, at, None)?
                    }
                }
            }
            ApplicationState::Dispatched => receive(tx, &application, at)?,
            _ => {
                tx.execute(
                    "UPDATE applications SET next_transition_at = NULL WHERE application_id = ?1",
                    params![application_id],
                )?;
            }
        }
    }
}

/// Makes the card record of an application when production starts (the
/// first time: a production that failed and starts again keeps its card);
/// a replacement retires the old card. The new card's e-card follows the
/// rules for a card being made.
fn start_production(
    tx: &Transaction<'_>,
    application: &Application,
    region: &str,
    now: u64,
) -> ApiResult<()> {
    if application.card_id.is_some() {
        return Ok(());
    }
    let (bank, photo): (String, Option<Vec<u8>>) = tx.query_row(
        "SELECT bank, photo FROM applications WHERE application_id = ?1",
        params![application.application_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let card_number = match (&application.kind, &application.replaces_card_id) {
        (ApplicationKind::Replacement(ReplacementKind::KeepNumber), Some(old)) => tx.query_row(
            "SELECT card_number FROM cards WHERE card_id = ?1",
            params![old],
            |row| row.get(0),
        )?,
        _ => new_card_number(),
    };
    let card_id = make_card(
        tx,
        &application.person_id,
        &card_number,
        &bank,
        region,
        now,
        CardOrigin::Production { photo },
    )?;
    tx.execute(
        "UPDATE applications SET card_id = ?1 WHERE application_id = ?2",
        params![card_id, application.application_id],
    )?;
    if let Some(old) = &application.replaces_card_id {
        retire_replaced(tx, old, now)?;
    }
    refresh_e_card(tx, &card_id, now)?;
    Ok(())
}

/// The card is made: it carries the application's last photo (a new one
/// may have been sent after a failed production).
fn finish_production(tx: &Transaction<'_>, application: &Application) -> ApiResult<()> {
    carry_application_photo(tx, &application.application_id)
}

/// An application as submitted, before it is stored.
pub struct NewApplication<'a> {
    /// What is applied for.
    pub kind: ApplicationKind,
    /// Whom the card is for.
    pub person_id: &'a str,
    /// The mandate the submitter acts under, if not for themself.
    pub mandate_id: Option<&'a str>,
    /// The fee due, in fen (`0`: nothing to pay).
    pub fee_fen: u32,
    /// The co-branded bank chosen.
    pub bank: &'a str,
    /// The photo for the card, if one is needed.
    pub photo: Option<Vec<u8>>,
    /// Where the card goes.
    pub delivery: &'a Delivery,
    /// The card a replacement replaces.
    pub replaces_card_id: Option<&'a str>,
    /// Made on the spot at the pickup outlet (即时制卡).
    pub instant_issue: bool,
}

/// Stores a submitted application with its first stage; a free one is
/// paid at once and queued for production. The submission is audited.
/// `rules` are those of the person's region. Refused when the person has
/// an application in progress.
///
/// Nothing is read back: the application is inserted in its state after
/// submission (paid, for a free one) with all its stages, and the answer
/// is built from what was written. The one-open-application rule is the
/// database's (`applications_one_open`, a partial unique index): the
/// insert does nothing when it would break it. Under PostgreSQL's
/// serializable isolation, looking for an open application first read a
/// gap in the index, and any concurrent submission inserting into the same
/// index page conflicted with it.
pub fn submit(
    tx: &Transaction<'_>,
    now: u64,
    submitted_by: &str,
    application: &NewApplication<'_>,
    rules: &RegionalRules,
) -> ApiResult<Application> {
    let application_id = new_id("app");
    let mut stages = vec![StageEntry {
        state: ApplicationState::Submitted,
        at: now,
    }];
    let mut next_transition_at = None;
    if application.fee_fen == 0 {
        stages.push(StageEntry {
            state: ApplicationState::Paid,
            at: now,
        });
        next_transition_at = Some(production_queued_until(
            application.instant_issue,
            rules,
            now,
        ));
    }
    let state = stages
        .last()
        .map_or(ApplicationState::Submitted, |stage| stage.state);
    let inserted = tx.execute(
        concat!(
        "INSERT INTO applications (application_id, kind, person_id, submitted_by, mandate_id, state, fee_fen, bank, photo, \
         delivery, replaces_card_id, created_at, instant_issue, next_transition_at, last_stage_seq) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
         ON CONFLICT (person_id) WHERE ",
        in_progress!(),
        " DO NOTHING"
        ),
        params![
            application_id,
            kind_text(application.kind),
            application.person_id,
            submitted_by,
            application.mandate_id,
            enum_name(&state),
            application.fee_fen,
            application.bank,
            application.photo,
            serde_json::to_string(application.delivery)?,
            application.replaces_card_id,
            now as i64,
            application.instant_issue,
            next_transition_at.map(|at| at as i64),
            stages.len() as i64
        ],
    )?;
    if inserted == 0 {
        return Err(ApiError::state(
            "an application for this person is already in progress",
        ));
    }
    // All the stages in one statement: one round trip on PostgreSQL.
    let rows = (1..=stages.len())
        .map(|seq| format!("(?1, {seq}, ?{}, ?{})", 2 * seq, 2 * seq + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let mut values = vec![Value::Text(application_id.clone())];
    for stage in &stages {
        values.push(Value::Text(enum_name(&stage.state)));
        values.push(Value::Integer(stage.at as i64));
    }
    tx.execute(
        &format!("INSERT INTO application_stages (application_id, seq, state, at) VALUES {rows}"),
        values,
    )?;
    let action = match application.kind {
        ApplicationKind::NewCard => "application.submit".to_owned(),
        ApplicationKind::Replacement(kind) => format!("replacement.submit.{}", enum_name(&kind)),
    };
    audit(
        tx,
        now,
        submitted_by,
        application.person_id,
        application.mandate_id,
        &action,
        &application_id,
    )?;
    let mut submitted = Application {
        application_id,
        kind: application.kind,
        person_id: application.person_id.to_owned(),
        submitted_by: submitted_by.to_owned(),
        mandate_id: application.mandate_id.map(str::to_owned),
        state,
        stages,
        fee_fen: application.fee_fen,
        actions: Vec::new(),
        replaces_card_id: application.replaces_card_id.map(str::to_owned),
        card_id: None,
        failure_reason: None,
        created_at: now,
        instant_issue: application.instant_issue,
    };
    submitted.actions = actions(&submitted, rules);
    Ok(submitted)
}

/// Payment received: production is queued to start after `QUEUE_SECONDS` (an hour).
pub fn pay(tx: &Transaction<'_>, application_id: &str, now: u64) -> ApiResult<()> {
    queue_production(tx, application_id, now)
}

/// Paid (or free), with production due to start after [`QUEUE_SECONDS`];
/// an instant-issue application instead waits for the applicant at the
/// outlet, until the region's `instant_issue.hold_days` have passed.
fn queue_production(tx: &Transaction<'_>, application_id: &str, now: u64) -> ApiResult<()> {
    let (instant, region): (bool, String) = tx.query_row(
        "SELECT a.instant_issue, p.region FROM applications a JOIN people p ON p.person_id = a.person_id \
         WHERE a.application_id = ?1",
        params![application_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let next_at = production_queued_until(instant, &rules_for(tx, &region)?, now);
    set_state(
        tx,
        application_id,
        ApplicationState::Paid,
        now,
        Some(next_at),
    )
}

/// When a paid application's next step is due: production after
/// [`QUEUE_SECONDS`], or, for instant issue, the end of the hold at the outlet.
fn production_queued_until(instant_issue: bool, rules: &RegionalRules, paid_at: u64) -> u64 {
    if instant_issue {
        paid_at + u64::from(rules.instant_issue.hold_days) * 86_400
    } else {
        paid_at + QUEUE_SECONDS
    }
}

/// Where the card of `application_id` goes.
fn delivery_of(tx: &Transaction<'_>, application_id: &str) -> ApiResult<Delivery> {
    let delivery: String = tx.query_row(
        "SELECT delivery FROM applications WHERE application_id = ?1",
        params![application_id],
        |row| row.get(0),
    )?;
    Ok(serde_json::from_str(&delivery)?)
}

/// 即时制卡: the outlet's staff make the card while the applicant waits, and
/// hand it over activated — the card, and with it the e-card, work at
/// once. Only a paid (or free) instant-issue application for pickup at
/// `outlet_id`.
pub fn issue_on_the_spot(
    tx: &Transaction<'_>,
    application_id: &str,
    outlet_id: &str,
    now: u64,
) -> ApiResult<Application> {
    let application = load(tx, application_id)?;
    if !application.instant_issue {
        return Err(ApiError::state(
            "this application is not marked for instant issue",
        ));
    }
    match delivery_of(tx, application_id)? {
        Delivery::Pickup { outlet_id: chosen } if chosen == outlet_id => {}
        _ => return Err(ApiError::not_found("application")),
    }
    if application.state != ApplicationState::Paid {
        return Err(ApiError::state(
            "the card is made on the spot once the application is paid",
        ));
    }
    let region = crate::store::rows::person(tx, &application.person_id)?.region;
    set_state(
        tx,
        application_id,
        ApplicationState::InProduction,
        now,
        None,
    )?;
    start_production(tx, &application, &region, now)?;
    finish_production(tx, &application)?;
    let made = load(tx, application_id)?;
    receive(tx, &made, now)?;
    if let Some(card_id) = &made.card_id {
        card_activated(tx, card_id, now)?;
        crate::domain::cards::enable_social_function(tx, card_id)?;
        refresh_e_card(tx, card_id, now)?;
    }
    load(tx, application_id)
}

/// The applicant withdraws the application.
pub fn cancel(tx: &Transaction<'_>, application_id: &str, now: u64) -> ApiResult<()> {
    set_state(tx, application_id, ApplicationState::Cancelled, now, None)
}

/// A new photo after a failed production: it replaces the old one, the
/// failure is cleared and production is queued again.
pub fn resubmit_photo(
    tx: &Transaction<'_>,
    application_id: &str,
    photo: &[u8],
    now: u64,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE applications SET photo = ?1, failure_reason = NULL WHERE application_id = ?2",
        params![photo, application_id],
    )?;
    queue_production(tx, application_id, now)
}

/// Whether `person_id` has an application in progress (`in_progress!`).
pub fn has_open_application(tx: &Transaction<'_>, person_id: &str) -> ApiResult<bool> {
    let open: Option<i64> = tx
        .query_row(
            concat!(
                "SELECT 1 FROM applications WHERE person_id = ?1 AND ",
                in_progress!(),
                " LIMIT 1"
            ),
            params![person_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(open.is_some())
}

/// A first card is for someone with no card in use and no application in
/// progress: refuses anyone else.
pub fn ensure_no_card_or_application(tx: &Transaction<'_>, person_id: &str) -> ApiResult<()> {
    ensure_no_card(tx, person_id)?;
    if has_open_application(tx, person_id)? {
        return Err(already_has_a_card_or_application());
    }
    Ok(())
}

/// Refuses a first card for someone with a card in use. (An application in
/// progress refuses the submission itself: [`submit`].)
pub fn ensure_no_card(tx: &Transaction<'_>, person_id: &str) -> ApiResult<()> {
    if current_card_of(tx, person_id)?.is_some() {
        return Err(already_has_a_card_or_application());
    }
    Ok(())
}

fn already_has_a_card_or_application() -> ApiError {
    ApiError::state("this person already has a card or an application in progress")
}

/// The applications of `person_id` and of the people `account_id` holds
/// an active mandate for at `now`, newest first.
pub fn of_holder_and_principals(
    tx: &Transaction<'_>,
    account_id: &str,
    person_id: &str,
    now: u64,
) -> ApiResult<Vec<String>> {
    // Two index look-ups joined, not one `OR`: PostgreSQL reads the whole
    // table for `person_id = ? OR person_id IN (…)`.
    let mut statement = tx.prepare(
        "SELECT application_id, created_at FROM applications WHERE person_id = ?2 \
         UNION \
         SELECT a.application_id, a.created_at FROM delegations d \
         JOIN applications a ON a.person_id = d.principal_person_id \
         WHERE d.agent_account_id = ?1 AND d.status = 'active' AND d.expires_at > ?3 \
         ORDER BY created_at DESC, application_id",
    )?;
    let ids = statement
        .query_map(params![account_id, person_id, now as i64], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_index_holding_one_application_in_progress_a_person_counts_the_same_states() {
        let condition = concat!("WHERE ", in_progress!(), ";");
        for script in [
            include_str!("../store/migrations/0019_application_stages_on_row.sql"),
            include_str!("../store/migrations/postgres/0019_application_stages_on_row.sql"),
        ] {
            assert!(script.contains(condition), "{script}");
        }
    }
}
