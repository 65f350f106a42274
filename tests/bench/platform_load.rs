//! `platform-load`: the platform's submission budget of issue 3, measured.
//!
//! Runs `ecard platform serve` as a child process on a fresh database and
//! loopback, creates N people in the register and enrols a device for each
//! (untimed), then submits N new-card applications (申领) one after another
//! over real HTTP, each signed by its device and carrying its own
//! idempotency key, and reports throughput and latency percentiles.
//!
//! With `--crash` it also SIGKILLs the server at a random point of the run —
//! with a submission in flight — restarts it on the same database, resends
//! every submission whose answer was not received (same key, new signature)
//! and proves through the API that there are exactly N applications, each
//! person's one, none lost and none duplicated.
//!
//! ```text
//! cargo build --release -p ecard-cli -p ecard-e2e --bin platform-load
//! target/release/platform-load            # plain run
//! target/release/platform-load --crash    # with a kill and a restart
//! ```
//!
//! With `--resolutions` it measures online resolution at service points
//! instead (issue 17): `--residents N` people (default 64) each get a
//! credential set, four hospitals are registered with enough terminals that
//! no per-terminal budget is reached, and `--clients C` concurrent clients
//! (default 16) send `POST /v1/service-point/resolutions` paced to `--rate R`
//! resolutions a second in all (default 500) for `--seconds S` (default 10),
//! each a fresh medical code made before the timed run; it reports the rate
//! reached and the latency percentiles, and checks every answer was 200.
//!
//! With `--concurrent C` (issue 19) the N submissions go out from C clients
//! at once, each on its own connection and each sending its next
//! submission when the previous one is answered, and the report gives the
//! throughput and latency percentiles under that concurrency (no crash).
//! With `--pin-checks K` besides, K more clients check residents' PINs
//! (`POST /v1/me/pin/grants`, Argon2id on the platform) one after another
//! while the submissions run, and the report gives their count and latency:
//! what a stream of PIN checks costs everyone else.
//!
//! With `--postgres SERVER_URL` (`postgres://user@host:port/db`, a user
//! that may create databases) the platform runs on PostgreSQL instead of a
//! SQLite file: the tool creates a fresh database `ecard_load_<random hex>`
//! on that server, passes the URL with that name in place of the last path
//! segment as `--db`, and drops the database at the end (`WITH (FORCE)`),
//! on a panic too. Every mode above works on it unchanged.
//!
//! With `--instances N` (N ≥ 2, needs `--postgres`; issue 19) N `ecard
//! platform serve` processes share that database, each on its own loopback
//! port, started all at once, with nginx in front (round-robin, `max_fails=1
//! fail_timeout=10s`, `proxy_next_upstream error timeout`, keep-alive to the
//! instances, which trust its `X-Forwarded-For`); all the load goes through
//! nginx, from `--concurrent C` clients (default 8 here). Before the timed
//! run it proves nonces hold across instances: a device-signed `GET` that
//! instance 0 answered 200, sent byte for byte to instance 1, is refused 401
//! `replayed_request`. With `--crash` it SIGKILLs instance 0 at the seeded
//! kill point, with submissions in flight, and does not restart it: every
//! submission not answered — no answer, or nginx's 502/503/504 for the
//! instance that died under it — is resent through nginx with its
//! idempotency key (a new signature and nonce) until answered, and the check
//! through the API proves exactly N applications, one a person, none lost and
//! none duplicated. It reports the submissions each instance had answered
//! before the kill (from each one's `GET /metrics`, `ecard_http_requests_total`
//! of `POST /v1/applications`) and fails unless every instance answered some;
//! also every failed attempt by what it got and from which instance, and
//! what nginx logged. A `500 storage failure` (a transaction that kept
//! conflicting) is resent like a 502 but counted and shown, not hidden.
//!
//! ```text
//! URL=$(scripts/postgres-cluster.sh start /tmp/pg 55432)
//! target/release/platform-load --postgres $URL --instances 2 --crash --seed 11
//! ```
//!
//! Options: `--count N` (default 1000), `--seed S` (the kill point),
//! `--server PATH` (default: the `ecard` binary next to this one). The
//! servers log at `warn` unless `ECARD_LOG` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a measuring tool that fails loudly and prints its report"
)]

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ecard_e2e::{Nginx, RawDevice, resident_id, test_photo_base64};
use serde_json::{Value, json};

const ADMIN_TOKEN: &str = "load-admin-token";

struct Options {
    count: usize,
    crash: bool,
    resolutions: bool,
    residents: usize,
    clients: usize,
    rate: u64,
    seconds: u64,
    seed: u64,
    server: PathBuf,
    concurrent: usize,
    /// `--pin-checks`: clients checking PINs beside the submissions.
    pin_checks: usize,
    /// `--postgres`: the server to make the scratch database on.
    postgres: Option<String>,
    instances: usize,
}

fn options() -> Options {
    let mut options = Options {
        count: 1_000,
        crash: false,
        resolutions: false,
        residents: 64,
        clients: 16,
        rate: 500,
        seconds: 10,
        concurrent: 1,
        pin_checks: 0,
        postgres: None,
        instances: 1,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
        server: std::env::current_exe()
            .unwrap()
            .with_file_name(format!("ecard{}", std::env::consts::EXE_SUFFIX)),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--count" => options.count = args.next().unwrap().parse().unwrap(),
            "--seed" => options.seed = args.next().unwrap().parse().unwrap(),
            "--server" => options.server = PathBuf::from(args.next().unwrap()),
            "--crash" => options.crash = true,
            "--resolutions" => options.resolutions = true,
            "--residents" => options.residents = args.next().unwrap().parse().unwrap(),
            "--clients" => options.clients = args.next().unwrap().parse().unwrap(),
            "--rate" => options.rate = args.next().unwrap().parse().unwrap(),
            "--seconds" => options.seconds = args.next().unwrap().parse().unwrap(),
            "--concurrent" => options.concurrent = args.next().unwrap().parse().unwrap(),
            "--pin-checks" => options.pin_checks = args.next().unwrap().parse().unwrap(),
            "--postgres" => options.postgres = Some(args.next().unwrap()),
            "--instances" => options.instances = args.next().unwrap().parse().unwrap(),
            other => panic!("unknown argument {other}; see the module docs"),
        }
    }
    if options.instances == 0 {
        eprintln!("platform-load: --instances needs at least 1");
        std::process::exit(2);
    }
    if options.instances >= 2 && options.postgres.is_none() {
        eprintln!(
            "platform-load: --instances {} needs --postgres SERVER_URL: \
             several instances share one PostgreSQL database (a SQLite file has one writer)",
            options.instances
        );
        std::process::exit(2);
    }
    if options.instances >= 2 && options.resolutions {
        eprintln!("platform-load: --instances measures submissions, not --resolutions");
        std::process::exit(2);
    }
    options
}

/// xorshift64*: enough randomness to pick a kill point.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

/// The platform as a child process, restartable on the same database and port.
struct Server {
    binary: PathBuf,
    /// The `--db` argument: a SQLite file or a PostgreSQL URL.
    database: OsString,
    /// Arguments of every start beyond the database, address and limits.
    more: Vec<String>,
    address: String,
    child: Arc<Mutex<Child>>,
    starts: u32,
}

impl Server {
    fn spawn(binary: &Path, database: &OsStr, address: &str, more: &[String]) -> Child {
        Command::new(binary)
            .args(["platform", "serve", "--db"])
            .arg(database)
            .args(["--addr", address])
            .args(more)
            // The load comes from one address and a few devices: limits off.
            .args([
                "--rate-limit-per-source",
                "off",
                "--rate-limit-per-device",
                "off",
            ])
            .env("ECARD_ADMIN_TOKEN", ADMIN_TOKEN)
            // A log line per request would measure the terminal, not the
            // platform; `ECARD_LOG` of the tool's own environment wins.
            .env(
                "ECARD_LOG",
                std::env::var("ECARD_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("{}: {error}", binary.display()))
    }

    async fn start(binary: &Path, database: &OsStr, client: &reqwest::Client) -> Server {
        let server = Server::launch(binary, database, &[]);
        server.wait_ready(client).await;
        server
    }

    /// Starts the server on a free loopback port without waiting for it.
    fn launch(binary: &Path, database: &OsStr, more: &[String]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        Server {
            binary: binary.to_owned(),
            database: database.to_owned(),
            more: more.to_owned(),
            child: Arc::new(Mutex::new(Server::spawn(binary, database, &address, more))),
            address,
            starts: 1,
        }
    }

    fn base(&self) -> String {
        format!("http://{}", self.address)
    }

    fn alive(&self) -> bool {
        self.child.lock().unwrap().try_wait().unwrap().is_none()
    }

    async fn wait_ready(&self, client: &reqwest::Client) {
        assert!(self.ready(client).await, "the platform exited during start");
    }

    /// Waits for the server to answer; `false` when it exited instead.
    async fn ready(&self, client: &reqwest::Client) -> bool {
        for _ in 0..600 {
            if let Ok(response) = client.get(format!("{}/v1/time", self.base())).send().await
                && response.status().is_success()
            {
                return true;
            }
            if !self.alive() {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the platform did not start");
    }

    /// Starts the server again after it died (same database, same port).
    async fn restart(&mut self, client: &reqwest::Client) {
        let _ = self.child.lock().unwrap().wait();
        loop {
            let child = Server::spawn(&self.binary, &self.database, &self.address, &self.more);
            *self.child.lock().unwrap() = child;
            self.starts += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            if self.alive() {
                break;
            }
            // The port may still be held for a moment; try again.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.wait_ready(client).await;
    }

    /// SIGKILLs the server after `delay`, from another thread, and reaps it:
    /// a killed process can look alive for a moment after the signal, so the
    /// thread ends only once it is gone.
    fn kill_after(&self, delay: Duration) -> std::thread::JoinHandle<()> {
        let child = self.child.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            let mut child = child.lock().unwrap();
            let _ = child.kill();
            let _ = child.wait();
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let mut child = self
            .child
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if std::thread::panicking() {
            // The run failed: whether this server was still there may say why.
            match child.try_wait() {
                Ok(Some(status)) => {
                    eprintln!("the server on {} had exited: {status}", self.address)
                }
                Ok(None) => eprintln!("the server on {} was still running", self.address),
                Err(error) => eprintln!("the server on {}: {error}", self.address),
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

async fn admin(client: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let response = client
        .post(format!("{base}{path}"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// One person of the register with an enrolled device.
struct Resident {
    device: RawDevice,
    person_id: String,
}

/// How many people are set up at once: the set-up is not timed, and one at
/// a time it takes minutes on PostgreSQL (every commit waits for the disk).
const SET_UP_AT_ONCE: usize = 8;

async fn set_up(client: &reqwest::Client, base: &str, count: usize) -> Vec<Resident> {
    use futures_util::StreamExt as _;
    futures_util::stream::iter(0..count)
        .map(|index| set_up_one(client, base, index))
        .buffered(SET_UP_AT_ONCE)
        .collect()
        .await
}

/// Puts person `index` on the register and enrols a device for them.
async fn set_up_one(client: &reqwest::Client, base: &str, index: usize) -> Resident {
    {
        // Adults only (a minor applies through a guardian): one birth date a
        // day from 1960 to 2003, then the next sequence number.
        const BIRTH_DAYS: usize = 16_000;
        let day = -3_653 + (index % BIRTH_DAYS) as i64;
        let birth = ecard_documents::Date::from_unix_days(day).unwrap();
        let birth = birth.to_string().replace('-', "");
        let sequence = format!("{:03}", index / BIRTH_DAYS % 1_000);
        let id_number = resident_id("360102", &birth, &sequence);
        let name = format!("测试{index:04}");
        admin(
            client,
            base,
            "/admin/people",
            json!({
                "id_type": "resident_id", "id_number": id_number, "name": name, "region": "360102",
                "phone": ecard_e2e::phone_for(&id_number),
            }),
        )
        .await;
        let mut device = RawDevice::new(base);
        device.admin_token = ADMIN_TOKEN.to_owned();
        // Residents come from many addresses, as they would.
        device.source = Some(std::net::IpAddr::V4(std::net::Ipv4Addr::new(
            127,
            1,
            (index / 250) as u8,
            (index % 250 + 1) as u8,
        )));
        let answer = device.enrol(&id_number, &name).await;
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        let person_id = device.person_id.clone().unwrap();
        Resident { device, person_id }
    }
}

/// What became of one submission.
#[derive(Default)]
struct Submission {
    key: String,
    body: Vec<u8>,
    /// The application id from the answer, once an answer arrived.
    application_id: Option<String>,
}

/// Sends one signed submission; `None` when no answer arrived.
async fn submit(
    client: &reqwest::Client,
    base: &str,
    device: &RawDevice,
    submission: &Submission,
) -> Option<(u16, Value)> {
    let (status, body, _) = submit_via(client, base, device, submission).await?;
    Some((status, body))
}

/// [`submit`], also giving the instance that answered as nginx names it
/// (`X-Upstream`; `None` straight from a server).
async fn submit_via(
    client: &reqwest::Client,
    base: &str,
    device: &RawDevice,
    submission: &Submission,
) -> Option<(u16, Value, Option<String>)> {
    let mut request = client
        .post(format!("{base}/v1/applications"))
        .header("content-type", "application/json")
        .header("idempotency-key", &submission.key)
        .body(submission.body.clone());
    for (name, value) in device.signature("POST", "/v1/applications", &submission.body) {
        request = request.header(name, value);
    }
    let response = request.send().await.ok()?;
    let status = response.status().as_u16();
    let upstream = response
        .headers()
        .get("x-upstream")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    // A proxy's own error page is not JSON: an answer all the same.
    let bytes = response.bytes().await.ok()?;
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Some((status, body, upstream))
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1_000.0)
}

/// A database of its own on a PostgreSQL server for one run (`--postgres`),
/// dropped at the end, on panic too.
struct ScratchDatabase {
    server: String,
    name: String,
    /// The server's URL with this database in place of the last path segment.
    url: String,
}

impl ScratchDatabase {
    /// Makes `ecard_load_<random hex>`; call it outside the async runtime
    /// (the sync client refuses to run inside one).
    fn create(server: &str) -> ScratchDatabase {
        use ring::rand::SecureRandom as _;
        let mut random = [0u8; 8];
        ring::rand::SystemRandom::new().fill(&mut random).unwrap();
        let name = random.iter().fold("ecard_load_".to_owned(), |name, byte| {
            name + &format!("{byte:02x}")
        });
        let (address, query) = match server.split_once('?') {
            Some((address, query)) => (address, format!("?{query}")),
            None => (server, String::new()),
        };
        let (base, _) = address.rsplit_once('/').unwrap_or_else(|| {
            panic!("--postgres {server}: expected postgres://user@host:port/database")
        });
        let mut client = postgres::Client::connect(server, postgres::NoTls)
            .unwrap_or_else(|error| panic!("--postgres {server}: {error}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        ScratchDatabase {
            server: server.to_owned(),
            url: format!("{base}/{name}{query}"),
            name,
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        ecard_platform::store::sql::off_the_runtime(|| {
            match postgres::Client::connect(&self.server, postgres::NoTls).and_then(|mut client| {
                client.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
            }) {
                Ok(()) => println!("dropped database {}", self.name),
                Err(error) => eprintln!("platform-load: could not drop {}: {error}", self.name),
            }
        });
    }
}

fn main() {
    let options = options();
    let directory = tempfile::tempdir().unwrap();
    // Before the runtime starts: the sync PostgreSQL client needs that.
    let scratch = options.postgres.as_deref().map(ScratchDatabase::create);
    let database = match &scratch {
        Some(scratch) => OsString::from(&scratch.url),
        None => directory.path().join("platform.db").into_os_string(),
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(options, &database));
    drop(scratch);
}

async fn run(options: Options, database: &OsStr) {
    let mut rng = Rng(options.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    for _ in 0..8 {
        rng.next();
    }
    if options.instances > 1 {
        several(&options, database, &mut rng).await;
        return;
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut server = Server::start(&options.server, database, &client).await;
    let base = server.base();
    if options.resolutions {
        resolutions(&options, &base).await;
        return;
    }
    println!(
        "platform-load: {} submissions, {}, server {}",
        options.count,
        if options.crash {
            "killed once mid-run"
        } else {
            "no crash"
        },
        options.server.display()
    );

    let setup = Instant::now();
    let residents = set_up(&client, &base, options.count).await;
    println!(
        "set-up: {} people and devices in {:.1} s (untimed)",
        residents.len(),
        setup.elapsed().as_secs_f64()
    );
    let mut submissions = submissions_of(&residents, options.seed);

    if options.concurrent > 1 {
        assert!(!options.crash, "--crash runs one client");
        let residents = Arc::new(residents);
        let submissions = concurrently(&options, &base, residents.clone(), submissions).await;
        check(&residents, &submissions, options.count).await;
        return;
    }

    // The kill point: some submission in the middle, some moment of it.
    let kill_at = options.crash.then(|| {
        let count = options.count as u64;
        (count / 10 + rng.below(count * 8 / 10)) as usize
    });
    let mut killer = None;
    let mut killed = false;
    let mut latencies = Vec::with_capacity(options.count);
    let mut unanswered: Vec<usize> = Vec::new();
    let mut crash_report = String::new();
    let started = Instant::now();
    for index in 0..options.count {
        if Some(index) == kill_at {
            // Somewhere inside the request: up to twice the median so far.
            let mut sorted = latencies.clone();
            sorted.sort();
            let typical = percentile(&sorted, 0.5);
            let delay = Duration::from_micros(rng.below(typical.as_micros() as u64 * 2 + 1));
            killer = Some(server.kill_after(delay));
            crash_report = format!(
                "SIGKILL {} µs after sending submission {index} (median {})",
                delay.as_micros(),
                millis(typical)
            );
        }
        let sent = Instant::now();
        let answer = submit(
            &client,
            &base,
            &residents[index].device,
            &submissions[index],
        )
        .await;
        match answer {
            Some((201, body)) => {
                latencies.push(sent.elapsed());
                submissions[index].application_id =
                    body["application_id"].as_str().map(str::to_owned);
            }
            Some((status, body)) => panic!("submission {index}: {status} {body}"),
            None => unanswered.push(index),
        }
        if killer
            .as_ref()
            .is_some_and(std::thread::JoinHandle::is_finished)
        {
            killer.take().unwrap().join().unwrap();
            killed = true;
        }
        if !unanswered.is_empty() {
            // No answer: wait for the kill to land, restart the server (a
            // killed process may still look alive for a moment, so `restart`
            // waits for it), then resend everything unanswered with its key.
            if let Some(killer) = killer.take() {
                killer.join().unwrap();
                killed = true;
            }
            let down = Instant::now();
            if killed || !server.alive() {
                server.restart(&client).await;
                killed = false;
            }
            crash_report.push_str(&format!("; restarted in {}", millis(down.elapsed())));
            for &pending in &unanswered {
                let device = &residents[pending].device;
                let before = device.get("/v1/applications").await;
                let committed = before.body.as_array().is_some_and(|list| !list.is_empty());
                let mut answer = None;
                for _ in 0..5 {
                    answer = submit(&client, &base, device, &submissions[pending]).await;
                    if answer.is_some() {
                        break;
                    }
                }
                let (status, body) = answer.expect("no answer after the restart");
                assert_eq!(status, 201, "{body}");
                let id = body["application_id"].as_str().unwrap().to_owned();
                if committed {
                    assert_eq!(before.body[0]["application_id"], id.as_str());
                }
                crash_report.push_str(&format!(
                    "; submission {pending} {} before the kill, resent with its key → {id}",
                    if committed {
                        "had been committed"
                    } else {
                        "had not been committed"
                    }
                ));
                submissions[pending].application_id = Some(id);
            }
            unanswered.clear();
        }
    }
    let elapsed = started.elapsed();
    if let Some(killer) = killer.take() {
        killer.join().unwrap();
        killed = true;
    }
    if killed {
        // The kill came after the last answer: restart for the check.
        server.restart(&client).await;
        crash_report.push_str("; the kill landed after the last answer");
    }

    latencies.sort();
    let slow = latencies
        .iter()
        .filter(|latency| **latency > Duration::from_millis(2))
        .count();
    println!(
        "submitted {} in {:.2} s: {:.0} submissions/s; latency p50 {}, p90 {}, p99 {}, max {}; {slow} over 2 ms",
        options.count,
        elapsed.as_secs_f64(),
        options.count as f64 / elapsed.as_secs_f64(),
        millis(percentile(&latencies, 0.50)),
        millis(percentile(&latencies, 0.90)),
        millis(percentile(&latencies, 0.99)),
        millis(percentile(&latencies, 1.0)),
    );
    if options.crash {
        println!(
            "crash: {crash_report} (server started {} times)",
            server.starts
        );
    }

    check(&residents, &submissions, options.count).await;
}

/// One submission a resident, each with its own idempotency key.
fn submissions_of(residents: &[Resident], seed: u64) -> Vec<Submission> {
    let photo = test_photo_base64();
    residents
        .iter()
        .enumerate()
        .map(|(index, resident)| Submission {
            key: format!("load-{seed}-{index}"),
            body: json!({
                "person_id": resident.person_id,
                "photo_jpeg": photo,
                "bank": "icbc",
                "phone": "13800138000",
                "delivery": { "method": "pickup", "outlet_id": "O-00001" },
            })
            .to_string()
            .into_bytes(),
            application_id: None,
        })
        .collect()
}

/// Proof through the API: each person has exactly the one application
/// whose id they were answered with.
async fn check(residents: &[Resident], submissions: &[Submission], count: usize) {
    let mut found = 0;
    let mut lost = 0;
    let mut duplicated = 0;
    for (resident, submission) in residents.iter().zip(submissions) {
        let list = resident.device.get("/v1/applications").await;
        assert_eq!(list.status, 200, "{:?}", list.body);
        let mine: Vec<&Value> = list
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|application| application["person_id"] == resident.person_id.as_str())
            .collect();
        found += mine.len();
        match mine.len() {
            0 => lost += 1,
            1 => assert_eq!(
                mine[0]["application_id"].as_str(),
                submission.application_id.as_deref()
            ),
            _ => duplicated += mine.len() - 1,
        }
    }
    println!(
        "check: {found} applications for {} people; {lost} lost, {duplicated} duplicated",
        count
    );
    assert_eq!((found, lost, duplicated), (count, 0, 0));
}

/// `--concurrent C`: the submissions from C clients at once; returns them
/// with their answered application ids.
async fn concurrently(
    options: &Options,
    base: &str,
    residents: Arc<Vec<Resident>>,
    submissions: Vec<Submission>,
) -> Vec<Submission> {
    let submissions = Arc::new(Mutex::new(submissions));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = options.count;
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..options.concurrent {
        let (residents, submissions, next) = (residents.clone(), submissions.clone(), next.clone());
        let base = base.to_owned();
        clients.spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut latencies = Vec::new();
            loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if index >= count {
                    return latencies;
                }
                let submission = {
                    let all = submissions.lock().unwrap();
                    Submission {
                        key: all[index].key.clone(),
                        body: all[index].body.clone(),
                        application_id: None,
                    }
                };
                let sent = Instant::now();
                let answer = submit(&client, &base, &residents[index].device, &submission).await;
                latencies.push(sent.elapsed());
                match answer {
                    Some((201, body)) => {
                        submissions.lock().unwrap()[index].application_id =
                            body["application_id"].as_str().map(str::to_owned);
                    }
                    other => panic!("submission {index}: {other:?}"),
                }
            }
        });
    }
    let checking = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let pin_checks: Vec<_> = (0..options.pin_checks)
        .map(|client| {
            tokio::spawn(pin_checks(
                residents.clone(),
                client,
                options.pin_checks,
                checking.clone(),
            ))
        })
        .collect();
    let mut latencies = Vec::with_capacity(count);
    while let Some(client) = clients.join_next().await {
        latencies.extend(client.unwrap());
    }
    let elapsed = started.elapsed();
    checking.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut pin_latencies = Vec::new();
    for client in pin_checks {
        pin_latencies.extend(client.await.unwrap());
    }
    if !pin_latencies.is_empty() {
        pin_latencies.sort();
        println!(
            "beside them, {} PIN checks from {} clients: {:.0} checks/s; latency p50 {}, p99 {}",
            pin_latencies.len(),
            options.pin_checks,
            pin_latencies.len() as f64 / elapsed.as_secs_f64(),
            millis(percentile(&pin_latencies, 0.50)),
            millis(percentile(&pin_latencies, 0.99)),
        );
    }
    latencies.sort();
    println!(
        "submitted {count} from {} clients at once in {:.2} s: {:.0} submissions/s; latency p50 {}, p90 {}, p99 {}, max {}",
        options.concurrent,
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        millis(percentile(&latencies, 0.50)),
        millis(percentile(&latencies, 0.90)),
        millis(percentile(&latencies, 0.99)),
        millis(percentile(&latencies, 1.0)),
    );
    Arc::try_unwrap(submissions)
        .unwrap_or_else(|_| panic!("a client still holds the submissions"))
        .into_inner()
        .unwrap()
}

/// `--pin-checks`: one client checking PINs (right ones, so none locks)
/// of every `stride`-th resident from `first` on, one after another, while
/// `checking`; gives the latency of each.
async fn pin_checks(
    residents: Arc<Vec<Resident>>,
    first: usize,
    stride: usize,
    checking: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    for resident in residents.iter().skip(first).step_by(stride).cycle() {
        if !checking.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
        let sent = Instant::now();
        let answer = resident
            .device
            .post(
                ecard_api::paths::PIN_GRANTS,
                json!({ "pin": ecard_e2e::TEST_PIN, "action": "release_loss" }),
            )
            .await;
        latencies.push(sent.elapsed());
        assert_eq!(answer.status, 201, "PIN check: {:?}", answer.body);
    }
    latencies
}

/// One timed resolution: who sends it and what.
struct Scan {
    token: String,
    body: Vec<u8>,
}

/// `--resolutions`: online resolution at service points, paced.
async fn resolutions(options: &Options, base: &str) {
    use base64::Engine as _;
    use ecard_credential::{Credential, PresentationRequest, Purpose, present};

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.clients)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let total = (options.rate * options.seconds) as usize;
    println!(
        "platform-load --resolutions: {total} resolutions, {} clients, {} /s for {} s, {} residents",
        options.clients, options.rate, options.seconds, options.residents
    );
    let setup = Instant::now();
    let residents = set_up(&client, base, options.residents).await;
    let mut credentials = Vec::with_capacity(residents.len());
    for resident in &residents {
        admin(
            &client,
            base,
            &format!("/admin/people/{}/cards", resident.person_id),
            json!({ "bank": "icbc" }),
        )
        .await;
        let set = resident
            .device
            .post("/v1/credentials", json!({ "card_id": null }))
            .await;
        assert_eq!(set.status, 201, "{:?}", set.body);
        let issued = set.body["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|credential| {
                credential["purposes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|purpose| purpose == "medical")
            })
            .unwrap()
            .clone();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(issued["credential"].as_str().unwrap())
            .unwrap();
        credentials.push(Credential::parse(&bytes).unwrap());
    }
    // Four hospital groups; terminals enough that each makes well under its
    // per-minute budget (120) in the run.
    let mut tokens = Vec::new();
    for index in 0..4 {
        let registered = admin(
            &client,
            base,
            "/admin/operators",
            json!({ "name": format!("医院{index}"), "kind": "hospital", "purposes": ["medical"] }),
        )
        .await;
        tokens.push(registered["token"].as_str().unwrap().to_owned());
    }
    let terminals = (total / 60).max(64);
    let now: u64 = client
        .get(format!("{base}/v1/time"))
        .send()
        .await
        .unwrap()
        .headers()
        .get("x-ecard-server-time")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut scans = Vec::with_capacity(total);
    for index in 0..total {
        let resident = index % residents.len();
        let code = present(
            &credentials[resident],
            &PresentationRequest {
                purpose: Purpose::Medical,
                issued_at: now,
                counter: (index / residents.len()) as u32 + 1,
            },
            &residents[resident].device.keys,
            "device",
        )
        .unwrap()
        .to_code();
        let terminal = index % terminals;
        scans.push(Scan {
            token: tokens[terminal % tokens.len()].clone(),
            body: json!({ "terminal_id": format!("desk-{terminal}"), "code": code })
                .to_string()
                .into_bytes(),
        });
    }
    println!(
        "set-up: {} residents with credentials, {terminals} terminals of 4 operators, {total} codes in {:.1} s (untimed)",
        residents.len(),
        setup.elapsed().as_secs_f64()
    );

    // Client c sends scans c, c + C, c + 2C, …, the k-th of them at
    // start + (c + k·C) / rate: the clients together keep the rate.
    let scans = Arc::new(scans);
    let interval = Duration::from_secs_f64(1.0 / options.rate as f64);
    let started = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for first in 0..options.clients {
        let (client, scans, base) = (client.clone(), scans.clone(), base.to_owned());
        let step = options.clients;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = Vec::new();
            let mut index = first;
            while index < scans.len() {
                tokio::time::sleep_until(started + interval * index as u32).await;
                let scan = &scans[index];
                let sent = Instant::now();
                let response = client
                    .post(format!("{base}/v1/service-point/resolutions"))
                    .bearer_auth(&scan.token)
                    .header("content-type", "application/json")
                    .body(scan.body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let body = response.bytes().await.unwrap();
                latencies.push(sent.elapsed());
                if status != 200 {
                    failures.push(format!("{status} {}", String::from_utf8_lossy(&body)));
                }
                index += step;
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failures = Vec::new();
    for task in tasks {
        let (mine, failed) = task.await.unwrap();
        latencies.extend(mine);
        failures.extend(failed);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "resolved {total} in {:.2} s: {:.0} resolutions/s; latency p50 {}, p90 {}, p99 {}, max {}; {} refused",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        millis(percentile(&latencies, 0.50)),
        millis(percentile(&latencies, 0.90)),
        millis(percentile(&latencies, 0.99)),
        millis(percentile(&latencies, 1.0)),
        failures.len(),
    );
    assert!(
        failures.is_empty(),
        "refused: {:?}",
        &failures[..failures.len().min(5)]
    );
}

/// nginx in front of the instances, run unprivileged from a directory of its
/// own (`ecard_e2e::Nginx`); killed on drop, on panic too.
struct Proxy {
    nginx: Nginx,
    directory: tempfile::TempDir,
}

impl Proxy {
    /// Round-robin over `upstreams`; a request that cannot reach one (a
    /// connection refused or timed out) goes to the next, and an instance
    /// that failed once is left out for ten seconds. A request already sent
    /// to an instance that then dies is answered 502, as it would be in a
    /// deployment: the client resends it with its idempotency key.
    fn start(upstreams: &[String]) -> Proxy {
        let directory = tempfile::tempdir().unwrap();
        let servers: String = upstreams
            .iter()
            .map(|upstream| format!("        server {upstream} max_fails=1 fail_timeout=10s;\n"))
            .collect();
        let nginx = Nginx::start(directory.path(), |port| {
            format!(
                r#"    upstream platform {{
{servers}        keepalive 32;
        keepalive_timeout 5s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 1m;
        client_body_buffer_size 128k;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_next_upstream error timeout;
        proxy_connect_timeout 2s;
        location / {{
            proxy_pass http://platform;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
"#
            )
        });
        Proxy { nginx, directory }
    }

    /// What nginx logged (warnings and errors), by kind: the message
    /// without its time, connection and request, with how often.
    fn log(&self) -> Vec<(String, usize)> {
        let mut kinds: Vec<(String, usize)> = Vec::new();
        let text =
            std::fs::read_to_string(self.directory.path().join("error.log")).unwrap_or_default();
        for line in text.lines() {
            // `2026/11/30 21:56:33 [warn] 30120#30120: *305 message, client: …`
            let message = line.split_once("] ").map_or(line, |(_, rest)| rest);
            let message = message.split_once(": ").map_or(message, |(_, rest)| rest);
            let message = match message.strip_prefix('*') {
                Some(rest) => rest.split_once(' ').map_or(rest, |(_, rest)| rest),
                None => message,
            };
            let upstream = line
                .split_once("upstream: \"")
                .and_then(|(_, rest)| rest.split('"').next());
            let message = message.split(", client:").next().unwrap_or(message);
            let message = match upstream {
                Some(upstream) => format!("{message} ({upstream})"),
                None => message.to_owned(),
            };
            match kinds.iter_mut().find(|(kind, _)| *kind == message) {
                Some((_, count)) => *count += 1,
                None => kinds.push((message, 1)),
            }
        }
        kinds
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The run failed: what nginx saw may say why.
            for (kind, count) in self.log() {
                eprintln!("nginx logged {count} × {kind}");
            }
        }
    }
}

/// Submissions an instance answered, from its own `GET /metrics`.
async fn answered_by(client: &reqwest::Client, server: &Server) -> u64 {
    ecard_e2e::requests_answered(client, &server.base(), "/v1/applications\"", Some("POST")).await
}

/// Nonces hold across instances: a signed request instance 0 answered,
/// sent byte for byte to instance 1, is refused as a replay.
async fn replay_across(client: &reqwest::Client, servers: &[Server], device: &RawDevice) {
    let path = "/v1/applications";
    let headers = device.signature("GET", path, b"");
    let send = |server: &Server| {
        let mut request = client.get(format!("{}{path}", server.base()));
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        request.send()
    };
    let first = send(&servers[0]).await.unwrap();
    assert_eq!(first.status(), 200, "instance 0: {:?}", first.text().await);
    let again = send(&servers[1]).await.unwrap();
    let status = again.status().as_u16();
    let body: Value = again.json().await.unwrap();
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("replayed_request")),
        "instance 1 took a request instance 0 had answered: {body}"
    );
    println!(
        "replay: a signed GET {path} answered 200 by instance 0, sent byte for byte to instance 1: 401 {}",
        body["code"].as_str().unwrap()
    );
}

/// What the client that reaches the kill point saw and did.
struct Kill {
    index: usize,
    delay: Duration,
    /// Submissions each instance had answered just before the kill.
    answered: Vec<u64>,
    killer: std::thread::JoinHandle<()>,
}

/// One client's share of the run.
#[derive(Default)]
struct Share {
    latencies: Vec<Duration>,
    /// Submissions sent more than once: index, attempts, what the failed ones got.
    resent: Vec<(usize, usize, Vec<String>)>,
}

/// `--instances N`: N servers on one PostgreSQL database behind nginx.
async fn several(options: &Options, database: &OsStr, rng: &mut Rng) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    // All at once on the new database, as a deployment would start them.
    let trusted_proxy = ["--trusted-proxy".to_owned(), "127.0.0.1".to_owned()];
    let mut servers: Vec<Server> = (0..options.instances)
        // nginx names each resident's address in `X-Forwarded-For`.
        .map(|_| Server::launch(&options.server, database, &trusted_proxy))
        .collect();
    for (index, server) in servers.iter_mut().enumerate() {
        // Instances starting together on a new database seed it in turn
        // (`Connection::transact_in_turn`): none may fail to start.
        assert!(
            server.ready(&client).await,
            "instance {index} exited while starting together with the others"
        );
    }
    let upstreams: Vec<String> = servers
        .iter()
        .map(|server| server.address.clone())
        .collect();
    let proxy = Proxy::start(&upstreams);
    let base = proxy.nginx.base.clone();
    println!(
        "instances: {}; nginx on {}",
        upstreams
            .iter()
            .enumerate()
            .map(|(index, upstream)| format!("{index} on {upstream}"))
            .collect::<Vec<_>>()
            .join(", "),
        proxy.nginx.base
    );
    let clients = if options.concurrent > 1 {
        options.concurrent
    } else {
        8
    };
    println!(
        "platform-load: {} submissions from {clients} clients through nginx to {} instances on PostgreSQL, {}, server {}",
        options.count,
        options.instances,
        if options.crash {
            "instance 0 killed mid-run and not restarted"
        } else {
            "no crash"
        },
        options.server.display()
    );
    let setup = Instant::now();
    let residents = set_up(&client, &base, options.count).await;
    println!(
        "set-up: {} people and devices through nginx in {:.1} s (untimed)",
        residents.len(),
        setup.elapsed().as_secs_f64()
    );
    replay_across(&client, &servers, &residents[0].device).await;

    let kill_at = options.crash.then(|| {
        let count = options.count as u64;
        (count / 10 + rng.below(count * 8 / 10)) as usize
    });
    // The kill lands up to 5 ms after the killing client reads the metrics.
    let kill_delay = Duration::from_micros(rng.below(5_000));
    let residents = Arc::new(residents);
    let submissions = Arc::new(Mutex::new(submissions_of(&residents, options.seed)));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let kill: Arc<Mutex<Option<Kill>>> = Arc::default();
    let servers = Arc::new(servers);
    let count = options.count;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (residents, submissions, next, kill, servers) = (
            residents.clone(),
            submissions.clone(),
            next.clone(),
            kill.clone(),
            servers.clone(),
        );
        let base = base.clone();
        tasks.spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut share = Share::default();
            loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if index >= count {
                    return share;
                }
                if Some(index) == kill_at {
                    // The other clients' submissions are in flight meanwhile.
                    let mut answered = Vec::with_capacity(servers.len());
                    for server in servers.iter() {
                        answered.push(answered_by(&client, server).await);
                    }
                    let killer = servers[0].kill_after(kill_delay);
                    *kill.lock().unwrap() = Some(Kill {
                        index,
                        delay: kill_delay,
                        answered,
                        killer,
                    });
                }
                let submission = {
                    let all = submissions.lock().unwrap();
                    Submission {
                        key: all[index].key.clone(),
                        body: all[index].body.clone(),
                        application_id: None,
                    }
                };
                let sent = Instant::now();
                let mut failures = Vec::new();
                let id = loop {
                    // Each attempt is signed afresh (a new nonce), same key.
                    let answer =
                        submit_via(&client, &base, &residents[index].device, &submission).await;
                    match answer {
                        Some((201, body, _)) => {
                            break body["application_id"].as_str().unwrap().to_owned();
                        }
                        Some((status @ (502..=504), _, upstream)) => failures.push(format!(
                            "{status} via {}",
                            upstream.as_deref().unwrap_or("nginx")
                        )),
                        // Not expected, but a client resends it with its key
                        // all the same: counted and reported.
                        Some((500, body, upstream)) if body["code"] == "internal" => {
                            failures.push(format!(
                                "500 {} from {}",
                                body["detail"].as_str().unwrap_or("internal"),
                                upstream.as_deref().unwrap_or("?")
                            ));
                        }
                        Some((status, body, _)) => panic!("submission {index}: {status} {body}"),
                        None => failures.push("no answer".to_owned()),
                    }
                    if sent.elapsed() > Duration::from_secs(60) {
                        // What the instances say for themselves, straight.
                        let mut states = Vec::new();
                        for (number, server) in servers.iter().enumerate() {
                            let probe = client
                                .get(format!("{}/v1/time", server.base()))
                                .timeout(Duration::from_secs(5))
                                .send()
                                .await;
                            states.push(format!(
                                "instance {number} {} ({}): {}",
                                server.address,
                                if server.alive() { "running" } else { "exited" },
                                match probe {
                                    Ok(response) => format!("GET /v1/time {}", response.status()),
                                    Err(error) => format!("GET /v1/time failed: {error}"),
                                }
                            ));
                        }
                        let last: Vec<&String> = failures.iter().rev().take(3).collect();
                        panic!(
                            "submission {index} unanswered for a minute after {} attempts, the last {last:?}; {}",
                            failures.len(),
                            states.join("; ")
                        );
                    }
                    // Back off a little: nginx answers at once while it
                    // holds every instance for down.
                    let pause = 10 * (failures.len() as u64).min(20);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                };
                share.latencies.push(sent.elapsed());
                if !failures.is_empty() {
                    share.resent.push((index, failures.len() + 1, failures));
                }
                submissions.lock().unwrap()[index].application_id = Some(id);
            }
        });
    }
    let mut latencies = Vec::with_capacity(count);
    let mut resent = Vec::new();
    while let Some(share) = tasks.join_next().await {
        let share = share.unwrap();
        latencies.extend(share.latencies);
        resent.extend(share.resent);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    resent.sort();
    println!(
        "submitted {count} from {clients} clients through nginx in {:.2} s: {:.0} submissions/s; latency p50 {}, p90 {}, p99 {}, max {}",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        millis(percentile(&latencies, 0.50)),
        millis(percentile(&latencies, 0.90)),
        millis(percentile(&latencies, 0.99)),
        millis(percentile(&latencies, 1.0)),
    );
    // Every failed attempt by what it got (and from where).
    let mut tally: Vec<(String, usize)> = Vec::new();
    for failure in resent.iter().flat_map(|(_, _, failures)| failures) {
        match tally.iter_mut().find(|(kind, _)| kind == failure) {
            Some((_, count)) => *count += 1,
            None => tally.push((failure.clone(), 1)),
        }
    }
    println!(
        "failed attempts: {}",
        if tally.is_empty() {
            "none".to_owned()
        } else {
            tally
                .iter()
                .map(|(kind, count)| format!("{count} × {kind}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let kill = kill.lock().unwrap().take();
    let answered = if let Some(kill) = kill {
        kill.killer.join().unwrap();
        assert!(!servers[0].alive(), "instance 0 survived its SIGKILL");
        let retried: Vec<String> = resent
            .iter()
            .take(24)
            .map(|(index, attempts, failures)| {
                format!("{index} ×{attempts} ({})", failures.join(", "))
            })
            .chain((resent.len() > 24).then(|| "…".to_owned()))
            .collect();
        println!(
            "crash: SIGKILL to instance 0 {} µs after submission {} was taken, not restarted; {} submissions resent through nginx with their keys until answered: {}",
            kill.delay.as_micros(),
            kill.index,
            resent.len(),
            if retried.is_empty() {
                "none".to_owned()
            } else {
                retried.join("; ")
            }
        );
        kill.answered
    } else {
        let mut answered = Vec::new();
        for server in servers.iter() {
            answered.push(answered_by(&client, server).await);
        }
        answered
    };
    let mut after = Vec::new();
    for server in servers.iter().filter(|server| server.alive()) {
        after.push(format!(
            "{} {}",
            server.address,
            answered_by(&client, server).await
        ));
    }
    println!(
        "instances: submissions answered {}: {}; by the end, on the living: {}",
        if options.crash {
            "before the kill"
        } else {
            "in all"
        },
        answered
            .iter()
            .enumerate()
            .map(|(index, count)| format!("instance {index} ({}) {count}", servers[index].address))
            .collect::<Vec<_>>()
            .join(", "),
        after.join(", ")
    );
    assert!(
        answered.iter().all(|count| *count > 0),
        "an instance answered no submission: the load was not spread ({answered:?})"
    );
    let log = proxy.log();
    println!(
        "nginx: {} log lines{}",
        log.iter().map(|(_, count)| count).sum::<usize>(),
        log.iter()
            .map(|(kind, count)| format!("\n  {count} × {kind}"))
            .collect::<String>()
    );
    let submissions = Arc::try_unwrap(submissions)
        .unwrap_or_else(|_| panic!("a client still holds the submissions"))
        .into_inner()
        .unwrap();
    check(&residents, &submissions, count).await;
}
