//! Attacks on a terminal's revocation and replay defences (issue 13), each
//! a test the verifier must pass: status lists from retired or future keys,
//! inflated sequences and validities, codes whose status cannot be known,
//! and replay caches flushed by floods.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_credential::{
    Purpose, StatusCheck, StatusListError, StatusPolicy, TrustList, TrustedKey, Verifier,
    VerifierPolicy, VerifyError,
};
use ecard_test_vectors::world::{Edition, WORLD_ISSUER, World, claims, transport};

const NOW: u64 = 1_780_000_000;
const HOUR: u64 = 3_600;

fn gate(world: &World) -> Verifier {
    Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]),
    )
    .unwrap()
}

fn ed25519_world() -> World {
    World::new(
        ecard_credential::Suite::Ed25519,
        ecard_credential::Suite::Ed25519,
        NOW,
    )
}

/// A world whose issuer key was retired an hour ago: it may no longer issue.
fn retired_world() -> World {
    let mut world = ed25519_world();
    let key =
        TrustedKey::for_issuer_key(&world.issuer, WORLD_ISSUER, NOW - 30 * 86_400, NOW - HOUR);
    world.trust = TrustList::new(2, NOW, vec![key]);
    world
}

#[test]
fn a_retired_key_cannot_revive_a_revoked_card() {
    let world = retired_world();
    let mut verifier = gate(&world);
    // The attack: a list signed by the retired key, highest sequence,
    // valid until 2106, dated now.
    let mut forged = Edition::day(u32::MAX, NOW, &[]);
    forged.valid_until = u64::from(u32::MAX);
    assert_eq!(
        verifier.install_status_list(&world.status_list(&forged), NOW),
        Err(StatusListError::KeyNotValid)
    );
    // Backdated into the key's window, its validity is bounded: stale now.
    let mut backdated = Edition::day(u32::MAX, NOW - 2 * HOUR, &[]);
    backdated.valid_until = u64::from(u32::MAX);
    assert_eq!(
        verifier.install_status_list(&world.status_list(&backdated), NOW),
        Err(StatusListError::ValidityTooLong)
    );
    let long_ago = Edition::day(u32::MAX, NOW - 49 * HOUR, &[]);
    assert_eq!(
        verifier.install_status_list(&world.status_list(&long_ago), NOW),
        Err(StatusListError::Stale)
    );
}

#[test]
fn a_future_key_and_a_future_list_are_refused() {
    let mut world = ed25519_world();
    let key = TrustedKey::for_issuer_key(&world.issuer, WORLD_ISSUER, NOW + HOUR, NOW + 86_400);
    world.trust = TrustList::new(2, NOW, vec![key]);
    let mut verifier = gate(&world);
    assert_eq!(
        verifier.install_status_list(&world.status_list(&Edition::day(1, NOW, &[])), NOW),
        Err(StatusListError::KeyNotValid)
    );
    let world = ed25519_world();
    let mut verifier = gate(&world);
    assert_eq!(
        verifier.install_status_list(&world.status_list(&Edition::day(1, NOW + HOUR, &[])), NOW),
        Err(StatusListError::FromFuture)
    );
}

#[test]
fn an_inflated_sequence_cannot_lock_out_the_genuine_lists() {
    let world = ed25519_world();
    let mut verifier = gate(&world);
    verifier
        .install_status_list(&world.status_list(&Edition::day(10, NOW - HOUR, &[])), NOW)
        .unwrap();
    // An hour later allows an hour of editions plus a burst, not u32::MAX.
    assert_eq!(
        verifier.install_status_list(&world.status_list(&Edition::day(u32::MAX, NOW, &[])), NOW),
        Err(StatusListError::SequenceJump)
    );
    assert_eq!(
        verifier.install_status_list(&world.status_list(&Edition::day(9, NOW, &[])), NOW),
        Err(StatusListError::Rollback)
    );
    // A different list under the installed edition is refused too, even
    // signed later.
    assert_eq!(
        verifier.install_status_list(&world.status_list(&Edition::day(10, NOW - HOUR, &[5])), NOW),
        Err(StatusListError::Rollback)
    );
    assert_eq!(
        verifier.install_status_list(&world.status_list(&Edition::day(10, NOW, &[5])), NOW),
        Err(StatusListError::Rollback)
    );
    assert_eq!(
        verifier.install_status_list(&world.status_list(&Edition::day(11, NOW, &[])), NOW),
        Ok(11)
    );
}

#[test]
fn by_default_a_code_whose_status_is_unknown_or_old_is_refused() {
    let world = ed25519_world();
    let credential = world.credential(&claims(transport(), 3, NOW));
    let mut verifier = gate(&world);
    assert!(matches!(
        verifier.policy().status,
        StatusPolicy::Required { .. }
    ));
    let code = world.show(&credential, Purpose::Transport, 1, NOW);
    assert_eq!(
        verifier.verify(&code, NOW),
        Err(VerifyError::StatusUnavailable)
    );
    // A gate that wants lists no older than 12 hours: one of 13 hours is
    // still valid (24 h) but too old to rest a verdict on.
    let mut policy = VerifierPolicy::for_purposes(&[Purpose::Transport]);
    policy.status = StatusPolicy::Required {
        max_age_seconds: 12 * HOUR,
    };
    let mut verifier = Verifier::new(&world.trust, policy).unwrap();
    let old = Edition::day(1, NOW - 13 * HOUR, &[]);
    verifier
        .install_status_list(&world.status_list(&old), NOW)
        .unwrap();
    assert_eq!(
        verifier.verify(&code, NOW),
        Err(VerifyError::StatusOutdated)
    );
    verifier
        .install_status_list(&world.status_list(&Edition::day(2, NOW - HOUR, &[])), NOW)
        .unwrap();
    let verified = verifier.verify(&code, NOW).unwrap();
    assert_eq!(verified.status, StatusCheck::Checked { sequence: 2 });
    // Best effort is an explicit choice.
    let mut lenient = Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )
    .unwrap();
    let code = world.show(&credential, Purpose::Transport, 2, NOW);
    assert_eq!(
        lenient.verify(&code, NOW).unwrap().status,
        StatusCheck::Unchecked
    );
}

#[test]
fn a_flood_of_one_hundred_thousand_codes_does_not_flush_the_replay_defence() {
    let world = ed25519_world();
    let mut verifier = gate(&world);
    verifier
        .install_status_list(&world.status_list(&Edition::day(1, NOW - HOUR, &[])), NOW)
        .unwrap();
    let victim = world.credential(&claims(transport(), 1, NOW));
    let victim_code = world.show(&victim, Purpose::Transport, 7, NOW);
    verifier.verify(&victim_code, NOW).unwrap();
    // The attacker's own credential, 100,000 fresh codes within the minute.
    let own = world.credential(&claims(transport(), 2, NOW));
    for counter in 1..=100_000 {
        let code = world.show(&own, Purpose::Transport, counter, NOW);
        verifier.verify(&code, NOW + 1).unwrap();
    }
    assert_eq!(
        verifier.verify(&victim_code, NOW + 2),
        Err(VerifyError::Replayed)
    );
    // An old code of the flood is superseded, the latest replayed.
    let stale = world.show(&own, Purpose::Transport, 5, NOW);
    assert_eq!(
        verifier.verify(&stale, NOW + 2),
        Err(VerifyError::Superseded)
    );
    let last = world.show(&own, Purpose::Transport, 100_000, NOW);
    assert_eq!(verifier.verify(&last, NOW + 2), Err(VerifyError::Replayed));
}

#[test]
fn a_code_accepted_at_another_gate_of_the_operator_is_refused_here() {
    let world = ed25519_world();
    let list = world.status_list(&Edition::day(1, NOW - HOUR, &[]));
    let mut first_gate = gate(&world);
    let mut second_gate = gate(&world);
    first_gate.install_status_list(&list, NOW).unwrap();
    second_gate.install_status_list(&list, NOW).unwrap();
    let credential = world.credential(&claims(transport(), 4, NOW));
    let code = world.show(&credential, Purpose::Transport, 1, NOW);
    first_gate.verify(&code, NOW).unwrap();
    let accepted = first_gate.take_acceptances();
    assert_eq!(accepted.len(), 1);
    assert!(first_gate.take_acceptances().is_empty());
    for acceptance in &accepted {
        second_gate.note_accepted_elsewhere(acceptance, NOW + 5);
    }
    assert_eq!(
        second_gate.verify(&code, NOW + 6),
        Err(VerifyError::Replayed)
    );
}

#[test]
fn state_restored_after_a_restart_keeps_revocations_replays_and_sequences() {
    let world = ed25519_world();
    let policy = VerifierPolicy::for_purposes(&[Purpose::Transport]);
    let mut verifier = Verifier::new(&world.trust, policy).unwrap();
    verifier
        .install_status_list(&world.status_list(&Edition::day(5, NOW - HOUR, &[9])), NOW)
        .unwrap();
    let fine = world.credential(&claims(transport(), 8, NOW));
    let revoked = world.credential(&claims(transport(), 9, NOW));
    let code = world.show(&fine, Purpose::Transport, 1, NOW);
    verifier.verify(&code, NOW).unwrap();
    let state = verifier.state(NOW);

    let mut restarted = Verifier::restore(&world.trust, policy, &state, NOW + 1).unwrap();
    assert_eq!(restarted.verify(&code, NOW + 1), Err(VerifyError::Replayed));
    // The accept not yet reported to the operator survives too.
    assert_eq!(restarted.take_acceptances().len(), 1);
    let revoked_code = world.show(&revoked, Purpose::Transport, 1, NOW);
    assert_eq!(
        restarted.verify(&revoked_code, NOW + 1),
        Err(VerifyError::Revoked)
    );
    assert_eq!(
        restarted.install_status_list(
            &world.status_list(&Edition::day(4, NOW - 2 * HOUR, &[])),
            NOW + 1
        ),
        Err(StatusListError::Rollback)
    );
    // After a restart that lost the last accepts, older codes wait for the next.
    restarted.refuse_codes_made_before(NOW + 1);
    let earlier = world.show(&fine, Purpose::Transport, 2, NOW);
    assert_eq!(
        restarted.verify(&earlier, NOW + 2),
        Err(VerifyError::MadeBeforeRestart)
    );
    let fresh = world.show(&fine, Purpose::Transport, 3, NOW + 40);
    restarted.verify(&fresh, NOW + 40).unwrap();
}

#[test]
fn a_delta_revokes_a_card_and_survives_a_restart_but_needs_its_base() {
    let world = ed25519_world();
    let policy = VerifierPolicy::for_purposes(&[Purpose::Transport]);
    let mut verifier = Verifier::new(&world.trust, policy).unwrap();
    let base = Edition::day(5, NOW - 2 * HOUR, &[]);
    let next = Edition::day(6, NOW - HOUR, &[9]);
    let delta = world.status_delta(&base, &next);
    // Without the base edition the delta is refused: fetch the full list.
    assert_eq!(
        verifier.install_status_delta(&delta, NOW),
        Err(StatusListError::DeltaBaseMissing)
    );
    verifier
        .install_status_list(&world.status_list(&base), NOW)
        .unwrap();
    let lost = world.credential(&claims(transport(), 9, NOW));
    let code = world.show(&lost, Purpose::Transport, 1, NOW);
    assert_eq!(verifier.install_status_delta(&delta, NOW), Ok(6));
    assert_eq!(verifier.verify(&code, NOW), Err(VerifyError::Revoked));
    // The same delta again changes nothing; the old full list is a rollback.
    assert_eq!(verifier.install_status_delta(&delta, NOW), Ok(6));
    assert_eq!(
        verifier.install_status_list(&world.status_list(&base), NOW),
        Err(StatusListError::Rollback)
    );
    // After a restart the delta's revocation holds.
    let state = verifier.state(NOW);
    assert_eq!(state.status_deltas.len(), 1);
    let mut restarted = Verifier::restore(&world.trust, policy, &state, NOW + 1).unwrap();
    let again = world.show(&lost, Purpose::Transport, 2, NOW);
    assert_eq!(restarted.verify(&again, NOW + 1), Err(VerifyError::Revoked));
    // A delta from a retired key is refused like a list.
    let retired = retired_world();
    let mut gate = gate(&retired);
    assert_eq!(
        gate.install_status_delta(&retired.status_delta(&base, &next), NOW),
        Err(StatusListError::KeyNotValid)
    );
}

#[test]
fn a_delta_grows_the_list_refreshes_it_and_never_shrinks_it() {
    use ecard_credential::{StatusDelta, StatusList};
    let world = ed25519_world();
    let policy = VerifierPolicy::for_purposes(&[Purpose::Transport]);
    let mut verifier = Verifier::new(&world.trust, policy).unwrap();
    let edition = |bits: u32, sequence: u32, issued_at: u64, revoked: &[u32]| {
        let mut list = StatusList::new(1, bits).unwrap();
        for &index in revoked {
            list.set_revoked(index, true).unwrap();
        }
        list.sequence = sequence;
        list.issued_at = issued_at;
        list.valid_until = issued_at + 86_400;
        list
    };
    let base = edition(1_024, 5, NOW - 2 * HOUR, &[9]);
    verifier
        .install_status_list(&base.sign(&world.issuer).unwrap(), NOW)
        .unwrap();
    // A credential allocated after the base: its index is beyond the list.
    let newcomer = world.credential(&claims(transport(), 1_500, NOW));
    let grown = edition(2_048, 6, NOW - HOUR, &[9, 1_500]);
    let delta = StatusDelta::between(&base, &grown).unwrap();
    assert_eq!(
        verifier.install_status_delta(&delta.sign(&world.issuer).unwrap(), NOW),
        Ok(6)
    );
    let code = world.show(&newcomer, Purpose::Transport, 1, NOW);
    assert_eq!(verifier.verify(&code, NOW), Err(VerifyError::Revoked));

    // A refresh (same sequence, no changes) extends the validity; a second
    // one replaces the first in the state; an older one is a rollback.
    let mut later = grown.clone();
    later.issued_at = NOW - HOUR / 2;
    later.valid_until = later.issued_at + 86_400;
    let refresh = StatusDelta::between(&grown, &later).unwrap();
    assert!(refresh.is_refresh());
    let refresh = refresh.sign(&world.issuer).unwrap();
    assert_eq!(verifier.install_status_delta(&refresh, NOW), Ok(6));
    let mut latest = later.clone();
    latest.issued_at = NOW - HOUR / 4;
    latest.valid_until = latest.issued_at + 86_400;
    let second = StatusDelta::between(&later, &latest)
        .unwrap()
        .sign(&world.issuer)
        .unwrap();
    assert_eq!(verifier.install_status_delta(&second, NOW), Ok(6));
    assert_eq!(
        verifier.install_status_delta(&refresh, NOW),
        Err(StatusListError::Rollback)
    );
    let state = verifier.state(NOW);
    assert_eq!(state.status_deltas.len(), 2);
    // The base alone would be stale by now; the refresh keeps it current.
    let late = NOW - 2 * HOUR + 86_400 + 60;
    let mut restarted = Verifier::restore(&world.trust, policy, &state, late).unwrap();
    let again = world.show(&newcomer, Purpose::Transport, 2, late);
    assert_eq!(restarted.verify(&again, late), Err(VerifyError::Revoked));

    // A delta claiming a shorter list is refused.
    let mut shrunk = StatusDelta::new(1, 6, 7, 1_024, vec![(3, true)]).unwrap();
    shrunk.issued_at = NOW - HOUR / 8;
    shrunk.valid_until = shrunk.issued_at + 86_400;
    assert_eq!(
        verifier.install_status_delta(&shrunk.sign(&world.issuer).unwrap(), NOW),
        Err(StatusListError::DeltaShrinks)
    );
    assert_eq!(StatusListError::DeltaShrinks.code(), "status_delta_shrinks");
}

/// The issuer re-signs an unchanged list at half its validity under the same
/// sequence. A terminal that fetches full lists takes it (its validity moves
/// on, so the terminal does not go stale while nothing changes); a copy
/// signed earlier than the installed one, or one that clears a revocation
/// under the same sequence, is refused.
#[test]
fn the_same_edition_signed_again_extends_its_validity_and_nothing_else() {
    let world = ed25519_world();
    let credential = world.credential(&claims(transport(), 3, NOW));
    let mut verifier = gate(&world);
    verifier
        .install_status_list(
            &world.status_list(&Edition::day(10, NOW - 13 * HOUR, &[7])),
            NOW,
        )
        .unwrap();
    let resigned = world.status_list(&Edition::day(10, NOW, &[7]));
    assert_eq!(verifier.install_status_list(&resigned, NOW), Ok(10));
    // The first signature's validity has passed; the re-signed one holds.
    let later = NOW + 20 * HOUR;
    let code = world.show(&credential, Purpose::Transport, 1, later);
    assert!(verifier.verify(&code, later).is_ok());
    // The older signature cannot come back, nor a cleared revocation.
    assert_eq!(
        verifier.install_status_list(
            &world.status_list(&Edition::day(10, NOW - 13 * HOUR, &[7])),
            NOW
        ),
        Err(StatusListError::Rollback)
    );
    assert_eq!(
        verifier.install_status_list(
            &world.status_list(&Edition::day(10, NOW + HOUR, &[])),
            NOW + HOUR
        ),
        Err(StatusListError::Rollback)
    );
}
