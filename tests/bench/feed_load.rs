//! `feed-load`: the status-list feed of a province's 50 million cards,
//! served through the reverse-proxy cache (issue 19's budget: at least
//! 5,000 requests a second).
//!
//! A card's credentials live at most 72 hours and their status indices are
//! reused, so one list of 2^24 bits (16.8 million credentials: the most a
//! list holds) serves a province; the tool fills every index of list 0 and
//! revokes `--revoked` per mille of them (default 10, 1 %) at random, as a
//! second edition revokes 100 more. It then starts a platform (SQLite, in
//! process) behind nginx's feed cache (`ecard_e2e::feed_proxy`, the
//! configuration docs/operations.md gives) and `--clients C` keep-alive
//! clients (default 64) ask through the proxy for `--seconds S` (default
//! 10) each of three ways a terminal asks:
//!
//! - `full`: the whole list, no validator (a terminal starting up);
//! - `revalidate`: with the entity tag of the list it holds (`304`);
//! - `delta`: the changes since the edition before (`?since=`).
//!
//! It reports requests a second, latency percentiles, bytes a second, and
//! how many requests reached the platform (its `/metrics`).
//!
//! ```text
//! cargo build --release -p ecard-e2e --bin feed-load
//! target/release/feed-load [--clients 64] [--seconds 10] [--revoked 10]
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a measuring tool that fails loudly and prints its report"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ecard_api::paths;
use ecard_e2e::TestPlatform;
use ecard_platform::store::sql::Value;

/// Bits of a full list: every status index in use.
const LIST_BITS: u32 = 1 << 24;

/// Revocations in the second edition (what a delta carries).
const SECOND_EDITION_REVOCATIONS: u32 = 100;

struct Options {
    clients: usize,
    seconds: u64,
    revoked_per_mille: u32,
}

fn options() -> Options {
    let mut options = Options {
        clients: 64,
        seconds: 10,
        revoked_per_mille: 10,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--clients" => options.clients = value().parse().unwrap(),
            "--seconds" => options.seconds = value().parse().unwrap(),
            "--revoked" => options.revoked_per_mille = value().parse().unwrap(),
            other => panic!("unknown argument {other}; see the module docs"),
        }
    }
    options
}

/// xorshift64*: random status indices.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u32) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % u64::from(bound)) as u32
    }
}

/// Revokes `count` random indices of list 0 and stamps them as the next
/// edition; returns that edition's sequence.
fn revoke_edition(platform: &TestPlatform, rng: &mut Rng, count: u32) -> i64 {
    let indices: Vec<u32> = (0..count).map(|_| rng.below(LIST_BITS)).collect();
    platform.with_database(|tx| {
        use ecard_platform::store::db::{meta_get, meta_set};
        meta_set(tx, "status_next_index", i64::from(LIST_BITS)).unwrap();
        for index in &indices {
            tx.execute(
                "INSERT INTO status_bits (list, idx) VALUES (0, ?1) ON CONFLICT DO NOTHING",
                vec![Value::Integer(i64::from(*index))],
            )
            .unwrap();
        }
        let sequence = meta_get(tx, "status_sequence_0").unwrap().unwrap_or(0) + 1;
        ecard_platform::domain::status_history::stamp(tx, 0, sequence, now()).unwrap();
        meta_set(tx, "status_sequence_0", sequence).unwrap();
        sequence
    })
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Status-list requests the platform answered, from its metrics.
async fn answered(platform: &TestPlatform) -> u64 {
    let client = reqwest::Client::new();
    ecard_e2e::requests_answered(&client, &platform.url(), "/v1/status-lists/", None).await
}

/// One way of asking, measured.
struct Run {
    requests: u64,
    bytes: u64,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

async fn measure(
    client: &reqwest::Client,
    url: &str,
    etag: Option<&str>,
    expected: u16,
    clients: usize,
    seconds: u64,
) -> Run {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let url: Arc<str> = Arc::from(url);
    let etag: Option<Arc<str>> = etag.map(Arc::from);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, etag) = (client.clone(), url.clone(), etag.clone());
        tasks.push(tokio::spawn(async move {
            let (mut bytes, mut latencies) = (0u64, Vec::new());
            while Instant::now() < deadline {
                let sent = Instant::now();
                let mut request = client.get(&*url);
                if let Some(etag) = &etag {
                    request = request.header("if-none-match", &**etag);
                }
                let response = request.send().await.unwrap();
                assert_eq!(response.status().as_u16(), expected, "{url}");
                bytes += response.bytes().await.unwrap().len() as u64;
                latencies.push(sent.elapsed());
            }
            (bytes, latencies)
        }));
    }
    let mut run = Run {
        requests: 0,
        bytes: 0,
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        let (bytes, latencies) = task.await.unwrap();
        run.bytes += bytes;
        run.requests += latencies.len() as u64;
        run.latencies.extend(latencies);
    }
    run.elapsed = started.elapsed();
    run.latencies.sort();
    run
}

fn percentile(sorted: &[Duration], per_mille: usize) -> f64 {
    let at = (sorted.len() * per_mille / 1_000).min(sorted.len().saturating_sub(1));
    sorted
        .get(at)
        .map_or(0.0, |latency| latency.as_secs_f64() * 1_000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let options = options();
    let platform = TestPlatform::start();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let revoked =
        u32::try_from(u64::from(LIST_BITS) * u64::from(options.revoked_per_mille) / 1_000).unwrap();
    let set_up = Instant::now();
    let base = revoke_edition(&platform, &mut rng, revoked);
    revoke_edition(&platform, &mut rng, SECOND_EDITION_REVOCATIONS);
    println!(
        "feed-load: list 0 of {LIST_BITS} bits, {revoked} revoked at random, then {SECOND_EDITION_REVOCATIONS} more (set-up {:.1} s, untimed)",
        set_up.elapsed().as_secs_f64()
    );
    let directory = tempfile::tempdir().unwrap();
    let upstream = platform.url().trim_start_matches("http://").to_owned();
    let proxy = ecard_e2e::feed_proxy(directory.path(), &upstream);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.clients)
        .build()
        .unwrap();
    let list = format!("{}{}", proxy.base, paths::STATUS_LIST.replace("{id}", "0"));
    let delta = format!("{list}?since={base}");
    let first = client.get(&list).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let full_size = first.bytes().await.unwrap().len();
    let delta_size = client
        .get(&delta)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    println!(
        "the signed list is {full_size} bytes; the delta since edition {base} is {delta_size} bytes"
    );

    for (name, url, validator, expected) in [
        ("full", list.as_str(), None, 200),
        ("revalidate", list.as_str(), Some(etag.as_str()), 304),
        ("delta", delta.as_str(), None, 200),
    ] {
        let before = answered(&platform).await;
        let run = measure(
            &client,
            url,
            validator,
            expected,
            options.clients,
            options.seconds,
        )
        .await;
        let reached = answered(&platform).await - before;
        let seconds = run.elapsed.as_secs_f64();
        println!(
            "{name:>10}: {} requests from {} clients in {seconds:.1} s: {:.0} requests/s, {:.1} MB/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {reached} reached the platform",
            run.requests,
            options.clients,
            run.requests as f64 / seconds,
            run.bytes as f64 / seconds / 1e6,
            percentile(&run.latencies, 500),
            percentile(&run.latencies, 990),
            run.latencies
                .last()
                .map_or(0.0, |latency| latency.as_secs_f64() * 1_000.0),
        );
    }
    drop(proxy);
}
