//! Digests the test-vector corpus and a small issuing world into plain
//! files the C drivers read without a JSON parser (`scripts/test-terminal-c.sh`).
//!
//! `cargo run -p ecard-terminal-c --example prepare -- OUT [--bench]` writes:
//!
//! - `OUT/vectors.tsv`: one vector a line, tab-separated: name, code, trust
//!   list path, status list path (`-` for none), now, purposes mask, status
//!   max age (`-1` best effort), scans, the terminal's school (`0` for
//!   none), expected (`valid` or the error code), and for `valid`: role,
//!   purpose bit, concession id (`-1`), handle (`-`), region (`0`),
//!   affiliation (`0`); the trust and status files beside it.
//! - `OUT/world.trust.json`, `OUT/world.status.bin`, `OUT/world.txt`
//!   (`key value` lines: `now`, `first`, `second`, `revoked`): a transport
//!   credential's codes for the restart cases and the gate example; also
//!   `later` (a code of a credential the delta revokes), `cleared` (a code
//!   for the two-terminal clearing case) and `proxy` (a family proxy's
//!   culture and tourism code).
//! - `OUT/world.delta-6.bin`: the status delta from edition 5 (the one in
//!   `world.status.bin`) to 6, which also revokes `later`'s credential;
//!   `OUT/world.delta-7.bin`: from 6 to 7 (refused by a terminal that holds
//!   only edition 5). Same-size lists (`StatusDelta::between`).
//! - `OUT/rules-360000.json` (a proxy only at medical purposes) and
//!   `OUT/rules-440000.json` (a proxy also at culture and tourism): two
//!   regions' rules documents from the sample data (`platform/data/rules.json`).
//! - `OUT/bench.txt`: `now` then fresh codes of one credential, for the
//!   C side of the overhead measurement.
//!
//! With `--bench` (run it with `--release`) it also times the direct Rust
//! calls of the same measurement and prints them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a test tool: fails loudly, prints its findings"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine as _;
use ecard_credential::{Disclosure, HolderRole, Purpose, Suite};
use ecard_terminal::{Terminal, TerminalSettings};
use ecard_test_vectors::world::{Edition, World, claims, transport};
use ecard_test_vectors::{Expected, TestVector};

/// The clock of the restart and bench worlds.
const NOW: u64 = 1_780_000_000;
/// Fresh codes per timed pass, and passes (the fastest is reported).
const BENCH_CODES: u32 = 2_000;
const BENCH_PASSES: u32 = 5;
/// Iterations of the cheap refusal (no cryptography: pure call overhead).
const CHEAP_ITERATIONS: u32 = 1_000_000;
const CHEAP_CODE: &str = "XX1:not a code";

fn bit(purpose: Purpose) -> u32 {
    1 << (purpose.id() - 1)
}

fn vectors(out: &Path) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../credential/tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vectors in {}", corpus.display());
    let directory = out.join("vectors");
    std::fs::create_dir_all(&directory).unwrap();
    let mut lines = String::new();
    for file in files {
        let vector: TestVector =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let settings = &vector.verifier;
        // The terminal's settings carry no skew or lifetime: the corpus
        // must use the defaults.
        assert_eq!(
            (settings.clock_skew_seconds, settings.code_lifetime_seconds),
            (30, 60),
            "{}",
            vector.name
        );
        assert!(
            !vector.code.contains(['\t', '\n', '\r']),
            "{}: the code would break the line format",
            vector.name
        );
        let trust = directory.join(format!("{}.trust.json", vector.name));
        std::fs::write(&trust, vector.trust_list.to_json()).unwrap();
        let status = match &vector.status_list {
            Some(list) => {
                let path = directory.join(format!("{}.status.bin", vector.name));
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(list)
                    .unwrap();
                std::fs::write(&path, bytes).unwrap();
                path.display().to_string()
            }
            None => "-".to_owned(),
        };
        let mask = settings
            .accepted_purposes
            .iter()
            .fold(0, |mask, purpose| mask | bit(purpose));
        let max_age: i64 = if settings.require_status { 86_400 } else { -1 };
        let expected = match &vector.expected {
            Expected::Error { error } => error.clone(),
            Expected::Valid {
                on_behalf,
                disclosure,
            } => {
                let (purpose, concession, handle, region, affiliation) = match disclosure {
                    Disclosure::Transport { concession } => {
                        (Purpose::Transport, Some(concession), None, None, None)
                    }
                    Disclosure::CultureTourism { concession } => {
                        (Purpose::CultureTourism, Some(concession), None, None, None)
                    }
                    Disclosure::Medical { handle, region } => {
                        (Purpose::Medical, None, Some(handle), *region, None)
                    }
                    Disclosure::Identity { handle, region } => {
                        (Purpose::Identity, None, Some(handle), *region, None)
                    }
                    Disclosure::EducationExam { handle, region } => {
                        (Purpose::EducationExam, None, Some(handle), *region, None)
                    }
                    Disclosure::PersonnelExam { handle, region } => {
                        (Purpose::PersonnelExam, None, Some(handle), *region, None)
                    }
                    Disclosure::CampusEntry {
                        concession,
                        affiliation,
                    } => (
                        Purpose::CampusEntry,
                        Some(concession),
                        None,
                        None,
                        *affiliation,
                    ),
                    Disclosure::Library {
                        handle,
                        concession,
                        affiliation,
                    } => (
                        Purpose::Library,
                        Some(concession),
                        Some(handle),
                        None,
                        *affiliation,
                    ),
                };
                format!(
                    "valid\t{}\t{}\t{}\t{}\t{}\t{}",
                    on_behalf.id(),
                    bit(purpose),
                    concession.map_or(-1, |concession| i32::from(concession.id())),
                    handle.map_or("-".to_owned(), ToString::to_string),
                    region.map_or(0, |region| region.get()),
                    affiliation.map_or(0, |affiliation| affiliation.get()),
                )
            }
        };
        writeln!(
            lines,
            "{}\t{}\t{}\t{status}\t{}\t{mask}\t{max_age}\t{}\t{}\t{expected}",
            vector.name,
            vector.code,
            trust.display(),
            settings.now,
            vector.scans,
            settings.affiliation.map_or(0, |school| school.get()),
        )
        .unwrap();
    }
    std::fs::write(out.join("vectors.tsv"), lines).unwrap();
}

fn world(out: &Path) -> World {
    let world = World::new(Suite::Ed25519, Suite::Ed25519, NOW);
    let fine = world.credential(&claims(transport(), 1, NOW));
    let revoked = world.credential(&claims(transport(), 9, NOW));
    std::fs::write(out.join("world.trust.json"), world.trust.to_json()).unwrap();
    // The same list as a platform serves it: signed by the province's
    // authority key, which the gate example pins.
    let authority = ecard_credential::trust::TrustAuthority::new(
        ecard_credential::SoftwareKey::ed25519_from_seed(&[0x42; 32]).unwrap(),
    );
    let pinned = authority.authority_key(NOW - 86_400, NOW + 86_400);
    let mut list = world.trust.clone();
    list.authority_keys = vec![pinned.clone()];
    // Issued before the gate's provisioning (ten minutes before the codes).
    list.issued_at = NOW - 3_600;
    std::fs::write(
        out.join("world.signed-trust.json"),
        authority.sign(&list).unwrap().to_json(),
    )
    .unwrap();
    std::fs::write(
        out.join("world.authority.json"),
        serde_json::to_string(&[pinned]).unwrap(),
    )
    .unwrap();
    let (fifth, sixth, seventh) = (
        Edition::day(5, NOW - 3_600, &[9]),
        Edition::day(6, NOW - 1_800, &[9, 3]),
        Edition::day(7, NOW - 900, &[9, 3, 7]),
    );
    std::fs::write(out.join("world.status.bin"), world.status_list(&fifth)).unwrap();
    std::fs::write(
        out.join("world.delta-6.bin"),
        world.status_delta(&fifth, &sixth),
    )
    .unwrap();
    std::fs::write(
        out.join("world.delta-7.bin"),
        world.status_delta(&sixth, &seventh),
    )
    .unwrap();
    let later = world.credential(&claims(transport(), 3, NOW));
    let cleared = world.credential(&claims(transport(), 4, NOW));
    let mut proxy_claims = claims(transport(), 5, NOW);
    proxy_claims.role = HolderRole::Proxy;
    let proxy = world.credential(&proxy_claims);
    let text = format!(
        "now {NOW}\nfirst {}\nsecond {}\nrevoked {}\nlater {}\ncleared {}\nproxy {}\n",
        world.show(&fine, Purpose::Transport, 1, NOW),
        world.show(&fine, Purpose::Transport, 2, NOW + 40),
        world.show(&revoked, Purpose::Transport, 1, NOW),
        world.show(&later, Purpose::Transport, 1, NOW),
        world.show(&cleared, Purpose::Transport, 1, NOW),
        world.show(&proxy, Purpose::CultureTourism, 1, NOW),
    );
    let rules: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../platform/data/rules.json"),
        )
        .unwrap(),
    )
    .unwrap();
    for region in ["360000", "440000"] {
        let document = rules
            .iter()
            .find(|rules| rules["region"] == region)
            .expect("the sample data has the region");
        std::fs::write(
            out.join(format!("rules-{region}.json")),
            serde_json::to_string_pretty(document).unwrap(),
        )
        .unwrap();
    }
    std::fs::write(out.join("world.txt"), text).unwrap();
    world
}

/// `passes` × `BENCH_CODES` fresh codes of one credential (counters from 2;
/// 1 is the warm-up code that puts the credential in the cache).
fn bench_codes(world: &World) -> (String, Vec<String>) {
    let credential = world.credential(&claims(transport(), 2, NOW));
    let warm_up = world.show(&credential, Purpose::Transport, 1, NOW);
    let codes = (0..BENCH_CODES * BENCH_PASSES)
        .map(|index| world.show(&credential, Purpose::Transport, index + 2, NOW))
        .collect();
    (warm_up, codes)
}

fn provisioned(world: &World, path: &Path) -> Terminal {
    let mut terminal = Terminal::provision(
        path,
        world.trust.clone(),
        TerminalSettings::for_purposes(&[Purpose::Transport]),
        NOW - 600,
    )
    .unwrap();
    terminal
        .install_status_list(&world.status_list(&Edition::day(5, NOW - 3_600, &[9])), NOW)
        .unwrap();
    terminal
}

fn bench_rust(world: &World) {
    let directory = tempfile::tempdir().unwrap();
    let mut terminal = provisioned(world, &directory.path().join("bench.json"));
    let (warm_up, codes) = bench_codes(world);
    terminal.verify(&warm_up, NOW).unwrap();
    let mut best = f64::MAX;
    for pass in codes.chunks(BENCH_CODES as usize) {
        let started = Instant::now();
        for code in pass {
            let verified = terminal.verify(std::hint::black_box(code), NOW).unwrap();
            std::hint::black_box(&verified);
        }
        best = best.min(started.elapsed().as_secs_f64() * 1e9 / pass.len() as f64);
    }
    let mut cheap = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        for _ in 0..CHEAP_ITERATIONS {
            let refused = terminal.verify(std::hint::black_box(CHEAP_CODE), NOW);
            std::hint::black_box(&refused);
        }
        cheap = cheap.min(started.elapsed().as_secs_f64() * 1e9 / f64::from(CHEAP_ITERATIONS));
    }
    println!(
        "rust: repeat presentation {best:.0} ns/verify, refusal (bad_prefix) {cheap:.1} ns/verify"
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().expect("usage: prepare OUT [--bench]"));
    let bench = args.next().as_deref() == Some("--bench");
    std::fs::create_dir_all(&out).unwrap();
    vectors(&out);
    let world = world(&out);
    let (warm_up, codes) = bench_codes(&world);
    let mut text = format!(
        "now {NOW}\npasses {BENCH_PASSES}\ncodes {BENCH_CODES}\ncheap {CHEAP_ITERATIONS}\nwarmup {warm_up}\n"
    );
    for code in codes {
        writeln!(text, "code {code}").unwrap();
    }
    std::fs::write(out.join("bench.txt"), text).unwrap();
    if bench {
        bench_rust(&world);
    }
}
