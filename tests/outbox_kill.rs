//! Kill-and-restart: a resident app in a child process is killed with
//! SIGKILL at random points while it enrols and submits many applications,
//! then restarted until it finishes. Afterwards the platform holds exactly
//! one application per person: none lost, none duplicated.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ecard_e2e::TestPlatform;

const PEOPLE: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_submission_is_lost_or_doubled_when_the_app_is_killed() {
    let platform = TestPlatform::start();
    let root = tempfile::tempdir().unwrap();
    let mut people = Vec::new();
    for index in 0..PEOPLE {
        let name = format!("测试{}", ["甲", "乙", "丙", "丁", "戊", "己"][index % 6]);
        let (_, id_number) = platform
            .add_person(
                &name,
                &format!("1985{:02}{:02}", index % 12 + 1, index % 28 + 1),
                &format!("{:03}", 100 + index),
                &[],
            )
            .await;
        people.push(serde_json::json!({ "id_number": id_number, "name": name }));
    }
    let people_file = root.path().join("people.json");
    std::fs::write(&people_file, serde_json::to_string(&people).unwrap()).unwrap();

    let worker = env!("CARGO_BIN_EXE_outbox-worker");
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut random = move |bound: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % bound
    };
    let mut kills = 0;
    let started = Instant::now();
    loop {
        let mut child = Command::new(worker)
            .args([
                platform.url(),
                root.path().join("apps").display().to_string(),
                people_file.display().to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_millis(30 + random(400));
        let finished = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if kills < 12 && Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        match finished {
            Some(status) => {
                let mut stderr = String::new();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
                assert!(status.success(), "worker failed: {stderr}");
                break;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "the worker never finished"
        );
    }
    assert!(kills >= 3, "only {kills} kills landed");

    let counts: Vec<(String, i64)> = platform.with_database(|database| {
        database
            .prepare("SELECT p.id_number, COUNT(a.application_id) FROM people p LEFT JOIN applications a ON a.person_id = p.person_id WHERE p.name LIKE '测试%' GROUP BY p.person_id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert_eq!(counts.len(), PEOPLE);
    let wrong: Vec<_> = counts.iter().filter(|(_, count)| *count != 1).collect();
    assert!(wrong.is_empty(), "after {kills} kills: {wrong:?}");
    eprintln!("{kills} kills, {PEOPLE} applications, each exactly once");
}
