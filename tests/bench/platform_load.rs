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
//! Options: `--count N` (default 1000), `--seed S` (the kill point),
//! `--server PATH` (default: the `ecard` binary next to this one).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a measuring tool that fails loudly and prints its report"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ecard_e2e::{RawDevice, resident_id, test_photo_base64};
use serde_json::{Value, json};

const ADMIN_TOKEN: &str = "load-admin-token";

struct Options {
    count: usize,
    crash: bool,
    seed: u64,
    server: PathBuf,
}

fn options() -> Options {
    let mut options = Options {
        count: 1_000,
        crash: false,
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
            other => panic!("unknown argument {other}; see the module docs"),
        }
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
    database: PathBuf,
    address: String,
    child: Arc<Mutex<Child>>,
    starts: u32,
}

impl Server {
    fn spawn(binary: &Path, database: &Path, address: &str) -> Child {
        Command::new(binary)
            .args(["platform", "serve", "--db"])
            .arg(database)
            .args(["--addr", address, "--admin-token", ADMIN_TOKEN])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("{}: {error}", binary.display()))
    }

    async fn start(binary: &Path, database: &Path, client: &reqwest::Client) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let server = Server {
            binary: binary.to_owned(),
            database: database.to_owned(),
            child: Arc::new(Mutex::new(Server::spawn(binary, database, &address))),
            address,
            starts: 1,
        };
        server.wait_ready(client).await;
        server
    }

    fn base(&self) -> String {
        format!("http://{}", self.address)
    }

    fn alive(&self) -> bool {
        self.child.lock().unwrap().try_wait().unwrap().is_none()
    }

    async fn wait_ready(&self, client: &reqwest::Client) {
        for _ in 0..600 {
            if let Ok(response) = client.get(format!("{}/v1/time", self.base())).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(self.alive(), "the platform exited during start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the platform did not start");
    }

    /// Starts the server again after it died (same database, same port).
    async fn restart(&mut self, client: &reqwest::Client) {
        let _ = self.child.lock().unwrap().wait();
        loop {
            let child = Server::spawn(&self.binary, &self.database, &self.address);
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

    /// SIGKILLs the server after `delay`, from another thread.
    fn kill_after(&self, delay: Duration) -> std::thread::JoinHandle<()> {
        let child = self.child.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            let _ = child.lock().unwrap().kill();
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let mut child = self.child.lock().unwrap();
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

async fn set_up(client: &reqwest::Client, base: &str, count: usize) -> Vec<Resident> {
    let mut residents = Vec::with_capacity(count);
    for index in 0..count {
        // Distinct birth dates from 1960 on; the sequence digits vary too.
        let birth = ecard_documents::Date::from_unix_days(-3_653 + index as i64 * 7).unwrap();
        let birth = birth.to_string().replace('-', "");
        let id_number = resident_id("360102", &birth, &format!("{:03}", index % 1_000));
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
        residents.push(Resident { device, person_id });
    }
    residents
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
    let body = response.json::<Value>().await.ok()?;
    Some((status, body))
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1_000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let options = options();
    let mut rng = Rng(options.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    for _ in 0..8 {
        rng.next();
    }
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("platform.db");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut server = Server::start(&options.server, &database, &client).await;
    let base = server.base();
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
    let photo = test_photo_base64();
    let mut submissions: Vec<Submission> = residents
        .iter()
        .enumerate()
        .map(|(index, resident)| Submission {
            key: format!("load-{}-{index}", options.seed),
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
        .collect();

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

    // Proof through the API: each person has exactly the one application
    // whose id they were answered with.
    let mut found = 0;
    let mut lost = 0;
    let mut duplicated = 0;
    for (resident, submission) in residents.iter().zip(&submissions) {
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
        options.count
    );
    assert_eq!((found, lost, duplicated), (options.count, 0, 0));
}
