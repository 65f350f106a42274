//! A terminal keeps its guarantees through restarts: every test here
//! closes and reopens the terminal between steps (or stops it without
//! closing, as a crash does), and no restart turns a replay into an accept,
//! a revoked code into a valid one, or a missing state into "accept all".

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::Path;

use ecard_credential::{Purpose, Suite, VerifyError};
use ecard_terminal::{Terminal, TerminalError, TerminalSettings, Unprovisioned};
use ecard_test_vectors::world::{Edition, World, claims, transport};

const NOW: u64 = 1_780_000_000;
const HOUR: u64 = 3_600;

fn provision(world: &World, path: &Path) {
    Terminal::provision(
        path,
        world.trust.clone(),
        TerminalSettings::for_purposes(&[Purpose::Transport]),
        NOW - 600,
    )
    .unwrap()
    .close(NOW - 600)
    .unwrap();
}

/// Opens the terminal, runs `step`, closes it: one restart per step.
fn step<T>(path: &Path, at: u64, step: impl FnOnce(&mut Terminal) -> T) -> T {
    let mut terminal = Terminal::open(path, at);
    let result = step(&mut terminal);
    terminal.close(at).unwrap();
    result
}

#[test]
fn a_restart_between_every_step_weakens_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("terminal.json");
    let world = World::new(Suite::Ed25519, Suite::EcdsaP256, NOW);
    provision(&world, &path);
    let current = world.status_list(&Edition::day(5, NOW - HOUR, &[9]));
    let older = world.status_list(&Edition::day(4, NOW - 2 * HOUR, &[]));
    let fine = world.credential(&claims(transport(), 8, NOW));
    let revoked = world.credential(&claims(transport(), 9, NOW));
    let code = world.show(&fine, Purpose::Transport, 1, NOW);
    let revoked_code = world.show(&revoked, Purpose::Transport, 1, NOW);

    // No status list yet: unknown status is refused, not accepted.
    let result = step(&path, NOW, |terminal| terminal.verify(&code, NOW));
    assert_eq!(result, Err(VerifyError::StatusUnavailable));
    assert_eq!(
        step(&path, NOW, |terminal| terminal
            .install_status_list(&current, NOW)
            .unwrap()),
        5
    );
    assert!(step(&path, NOW + 1, |terminal| terminal.verify(&code, NOW + 1)).is_ok());
    assert_eq!(
        step(&path, NOW + 2, |terminal| terminal.verify(&code, NOW + 2)),
        Err(VerifyError::Replayed)
    );
    assert_eq!(
        step(&path, NOW + 3, |terminal| terminal
            .verify(&revoked_code, NOW + 3)),
        Err(VerifyError::Revoked)
    );
    let rolled_back = step(&path, NOW + 4, |terminal| {
        terminal
            .install_status_list(&older, NOW + 4)
            .map_err(|error| error.code())
    });
    assert_eq!(rolled_back, Err("status_list_rollback"));
    assert_eq!(
        step(&path, NOW + 5, |terminal| terminal
            .verify(&revoked_code, NOW + 5)),
        Err(VerifyError::Revoked)
    );
    let next = world.show(&fine, Purpose::Transport, 2, NOW + 6);
    assert!(step(&path, NOW + 6, |terminal| terminal.verify(&next, NOW + 6)).is_ok());
}

#[test]
fn a_missing_or_damaged_state_refuses_every_code() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("terminal.json");
    let world = World::new(Suite::Ed25519, Suite::Ed25519, NOW);
    let code = world.show(
        &world.credential(&claims(transport(), 1, NOW)),
        Purpose::Transport,
        1,
        NOW,
    );
    let list = world.status_list(&Edition::day(1, NOW - HOUR, &[]));

    let mut missing = Terminal::open(&path, NOW);
    assert!(matches!(
        missing.problem(),
        Some(Unprovisioned::State(ecard_terminal::ReadProblem::Missing))
    ));
    assert_eq!(missing.verify(&code, NOW), Err(VerifyError::NotProvisioned));
    assert!(matches!(
        missing.install_status_list(&list, NOW),
        Err(TerminalError::Unprovisioned(_))
    ));
    assert!(!path.exists(), "opening never creates a state");

    provision(&world, &path);
    let good = std::fs::read(&path).unwrap();
    for damaged in [
        good[..good.len() / 2].to_vec(),
        b"{}".to_vec(),
        good.iter()
            .map(|byte| if *byte == b'5' { b'6' } else { *byte })
            .collect(),
    ] {
        std::fs::write(&path, &damaged).unwrap();
        let mut terminal = Terminal::open(&path, NOW);
        assert!(terminal.problem().is_some());
        assert_eq!(
            terminal.verify(&code, NOW),
            Err(VerifyError::NotProvisioned)
        );
    }
}

#[test]
fn after_a_crash_codes_made_before_the_restart_are_refused() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("terminal.json");
    let world = World::new(Suite::Ed25519, Suite::Ed25519, NOW);
    provision(&world, &path);
    let list = world.status_list(&Edition::day(1, NOW - HOUR, &[]));
    let credential = world.credential(&claims(transport(), 1, NOW));
    let code = world.show(&credential, Purpose::Transport, 1, NOW);

    let mut terminal = Terminal::open(&path, NOW);
    terminal.install_status_list(&list, NOW).unwrap();
    terminal.verify(&code, NOW).unwrap();
    drop(terminal); // killed: the accept was never saved

    let mut restarted = Terminal::open(&path, NOW + 5);
    assert_eq!(
        restarted.verify(&code, NOW + 5),
        Err(VerifyError::MadeBeforeRestart)
    );
    let fresh = world.show(&credential, Purpose::Transport, 2, NOW + 40);
    restarted.verify(&fresh, NOW + 40).unwrap();
    restarted.close(NOW + 41).unwrap();

    // A clean stop keeps everything and sets no barrier.
    let mut reopened = Terminal::open(&path, NOW + 42);
    assert_eq!(
        reopened.verify(&fresh, NOW + 42),
        Err(VerifyError::Replayed)
    );
    let another = world.show(&credential, Purpose::Transport, 3, NOW + 42);
    reopened.verify(&another, NOW + 42).unwrap();
}

#[test]
fn a_state_that_cannot_be_written_refuses_every_code() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("terminal.json");
    let world = World::new(Suite::Ed25519, Suite::Ed25519, NOW);
    provision(&world, &path);
    // The temporary file's name taken by a directory: every write fails.
    std::fs::create_dir(directory.path().join("terminal.json.new")).unwrap();
    let code = world.show(
        &world.credential(&claims(transport(), 1, NOW)),
        Purpose::Transport,
        1,
        NOW,
    );
    let mut terminal = Terminal::open(&path, NOW);
    assert!(matches!(
        terminal.problem(),
        Some(Unprovisioned::NotWritable(_))
    ));
    assert_eq!(
        terminal.verify(&code, NOW),
        Err(VerifyError::NotProvisioned)
    );
}

#[test]
fn a_signed_trust_list_never_rolls_back_across_restarts() {
    use ecard_credential::trust::{TrustAnchor, TrustAuthority};
    use ecard_credential::{SoftwareKey, TrustList};

    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("terminal.json");
    let world = World::new(Suite::Ed25519, Suite::Ed25519, NOW);
    let authority = TrustAuthority::new(SoftwareKey::ed25519_from_seed(&[0x42; 32]).unwrap());
    let pinned = authority.authority_key(NOW - 86_400, NOW + 86_400);
    let edition = |sequence: u64, issued_at: u64| {
        let mut list = TrustList::new(sequence, issued_at, world.trust.keys.clone());
        list.authority_keys = vec![pinned.clone()];
        authority.sign(&list).unwrap()
    };
    let mut anchor = TrustAnchor::new(vec![pinned.clone()]);
    anchor.install(&edition(3, NOW - 600), NOW - 600).unwrap();
    Terminal::provision_anchored(
        &path,
        anchor,
        TerminalSettings::for_purposes(&[Purpose::Transport]),
        NOW - 600,
    )
    .unwrap()
    .close(NOW - 600)
    .unwrap();
    // A status list and an accepted code, then a new trust list: both kept.
    let list = world.status_list(&Edition::day(1, NOW - HOUR, &[]));
    let credential = world.credential(&claims(transport(), 1, NOW));
    let code = world.show(&credential, Purpose::Transport, 1, NOW);
    step(&path, NOW, |terminal| {
        terminal.install_status_list(&list, NOW).unwrap()
    });
    assert!(step(&path, NOW, |terminal| terminal.verify(&code, NOW)).is_ok());
    assert_eq!(
        step(&path, NOW + 1, |terminal| terminal
            .install_trust_list(&edition(4, NOW), NOW + 1)
            .unwrap()),
        4
    );
    assert_eq!(
        step(&path, NOW + 2, |terminal| terminal.verify(&code, NOW + 2)),
        Err(VerifyError::Replayed)
    );
    // After restarts, the older edition is still a rollback.
    let rolled_back = step(&path, NOW + 3, |terminal| {
        terminal
            .install_trust_list(&edition(3, NOW - 600), NOW + 3)
            .map_err(|error| error.code())
    });
    assert_eq!(rolled_back, Err("trust_list_rollback"));
    // A terminal provisioned with an unsigned list cannot take a new one.
    let unsigned = directory.path().join("unsigned.json");
    provision(&world, &unsigned);
    let refused = step(&unsigned, NOW, |terminal| {
        terminal
            .install_trust_list(&edition(5, NOW), NOW)
            .map_err(|error| error.code())
    });
    assert_eq!(refused, Err("not_anchored"));
}

#[test]
fn clearing_keeps_unanswered_accepts_and_the_cursor_across_restarts() {
    let directory = tempfile::tempdir().unwrap();
    let (gate_a, gate_b) = (
        directory.path().join("a.json"),
        directory.path().join("b.json"),
    );
    let world = World::new(Suite::Ed25519, Suite::Ed25519, NOW);
    let current = world.status_list(&Edition::day(5, NOW - HOUR, &[9]));
    for path in [&gate_a, &gate_b] {
        provision(&world, path);
        step(path, NOW, |terminal| {
            terminal.install_status_list(&current, NOW).unwrap()
        });
    }
    let fine = world.credential(&claims(transport(), 8, NOW));
    let code = world.show(&fine, Purpose::Transport, 1, NOW);
    assert!(step(&gate_a, NOW, |terminal| terminal.verify(&code, NOW)).is_ok());

    // A report that got no answer is built again after a restart.
    let first = step(&gate_a, NOW + 1, |terminal| {
        terminal.clearing_report().unwrap()
    });
    assert_eq!(
        (first.after, first.acceptances.len(), first.remaining),
        (None, 1, 0)
    );
    let again = step(&gate_a, NOW + 2, |terminal| {
        let report = terminal.clearing_report().unwrap();
        terminal.clearing_answered(17, &[], NOW + 2).unwrap();
        report
    });
    assert_eq!(again.acceptances, first.acceptances);
    let next = step(&gate_a, NOW + 3, |terminal| {
        terminal.clearing_report().unwrap()
    });
    assert_eq!((next.after, next.acceptances.len()), (Some(17), 0));

    // The other gate learns the accept and refuses the code, after a restart.
    step(&gate_b, NOW + 3, |terminal| {
        terminal.clearing_report().unwrap();
        terminal
            .clearing_answered(18, &first.acceptances, NOW + 3)
            .unwrap();
    });
    assert_eq!(
        step(&gate_b, NOW + 4, |terminal| terminal.verify(&code, NOW + 4)),
        Err(VerifyError::Replayed)
    );
    // An unprovisioned terminal has nothing to report.
    let missing = directory.path().join("missing.json");
    assert!(matches!(
        Terminal::open(&missing, NOW).clearing_report(),
        Err(TerminalError::Unprovisioned(_))
    ));
}

#[test]
fn a_regions_rules_decide_who_may_present_for_whom() {
    let rules = |on_behalf: &str| {
        format!(
            r#"{{"region":"360000","name":"江西省","version":1,{on_behalf}"status_list_max_age_hours":12}}"#
        )
    };
    let museum = [Purpose::CultureTourism];
    let personal = TerminalSettings::from_rules_json(
        &museum,
        &rules(r#""on_behalf":{"proxy":["medical"],"guardian":["transport"],"source":"test"},"#),
    )
    .unwrap();
    assert!(personal.proxy_purposes == [Purpose::Medical]);
    assert!(personal.guardian_purposes == [Purpose::Transport]);
    assert_eq!(personal.status_max_age_seconds, Some(12 * HOUR));
    // Without an on-behalf section: the verifier's default policy.
    let default = TerminalSettings::from_rules_json(&museum, &rules("")).unwrap();
    assert_eq!(
        (default.proxy_purposes, default.guardian_purposes),
        (
            TerminalSettings::for_purposes(&museum).proxy_purposes,
            TerminalSettings::for_purposes(&museum).guardian_purposes
        )
    );
    for bad in [
        "{",
        "{}",
        "[]",
        &rules(r#""on_behalf":{"proxy":["flying"],"guardian":[],"source":"x"},"#),
    ] {
        let error = TerminalSettings::from_rules_json(&museum, bad).unwrap_err();
        assert_eq!(error.code(), "malformed_rules", "{bad}");
    }
}

/// A school gate's affiliation is a provisioned setting: it survives a
/// restart, refuses another school's campus codes, and can be cleared.
#[test]
fn a_school_gate_keeps_its_affiliation_across_restarts() {
    use ecard_credential::keys::CAMPUS_GROUP;
    use ecard_credential::{Affiliation, ConcessionClass, Disclosure};
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("terminal.json");
    let world = World::new(Suite::Sm2, Suite::Sm2, NOW);
    let mut settings = TerminalSettings::for_purposes(&[Purpose::CampusEntry]);
    settings.status_max_age_seconds = None;
    let school = Affiliation::new(4_207).unwrap();
    let mut terminal =
        Terminal::provision(&path, world.trust.clone(), settings, NOW - 600).unwrap();
    terminal.set_affiliation(Some(school), NOW - 600).unwrap();
    terminal.close(NOW - 600).unwrap();
    let mut ours = claims(CAMPUS_GROUP, 1, NOW);
    ours.concession = ConcessionClass::Student;
    ours.affiliation = Some(school);
    let ours = world.credential(&ours);
    let mut theirs = claims(CAMPUS_GROUP, 2, NOW);
    theirs.affiliation = Affiliation::new(5_310);
    let theirs = world.credential(&theirs);

    let verified = step(&path, NOW, |terminal| {
        assert_eq!(terminal.settings().unwrap().affiliation, Some(school));
        terminal.verify(&world.show(&ours, Purpose::CampusEntry, 1, NOW), NOW)
    })
    .unwrap();
    assert_eq!(
        verified.disclosure,
        Disclosure::CampusEntry {
            concession: ConcessionClass::Student,
            affiliation: Some(school),
        }
    );
    let code = world.show(&theirs, Purpose::CampusEntry, 1, NOW + 1);
    assert_eq!(
        step(&path, NOW + 1, |terminal| terminal.verify(&code, NOW + 1)),
        Err(VerifyError::WrongAffiliation)
    );
    step(&path, NOW + 2, |terminal| {
        terminal.set_affiliation(None, NOW + 2).unwrap();
    });
    assert!(step(&path, NOW + 3, |terminal| terminal.verify(&code, NOW + 3)).is_ok());
}
