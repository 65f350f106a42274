//! The trusted clock against malicious platform replies, over real HTTP on
//! loopback: it takes the platform's time only from successful answers of
//! the platform itself, only when the time is plausible, and no value of
//! the `x-ecard-server-time` header can overflow it or move it far.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecard_api::auth::TIMESTAMP_HEADER;
use ecard_api::problem::{Problem, ProblemCode};
use ecard_api::{PROBLEM_JSON, SERVER_TIME_HEADER};
use ecard_core::net::{
    ApiRequest, ApiResponse, DeviceSigner, EARLIEST_PLATFORM_TIME, MAX_PLATFORM_LEAD_SECONDS,
    Network, RetryPolicy, TrustedClock, WallClock,
};
use ecard_core::{ClientError, MemoryKeyStore};
use ecard_credential::{KeyStore as _, Suite};

/// The phone's wall clock in these tests (2026-05-28), fixed so that every
/// reading of the trusted clock is exact.
const PHONE_MILLIS: i64 = 1_780_000_000_000;
const PHONE_SECONDS: u64 = 1_780_000_000;

/// One canned answer.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn new(status: u16, server_time: Option<&str>, body: &str) -> Answer {
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        if let Some(time) = server_time {
            headers.push((SERVER_TIME_HEADER.to_owned(), time.to_owned()));
        }
        Answer {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    fn problem(code: ProblemCode, server_time: &str) -> Answer {
        let body = serde_json::to_string(&Problem::new(code, "refused")).unwrap();
        let mut answer = Answer::new(code.status(), Some(server_time), &body);
        answer.headers[0].1 = PROBLEM_JSON.to_owned();
        answer
    }
}

/// A request as the server saw it: its path and headers (lower-case names).
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

type Handler = dyn Fn(&Seen) -> Answer + Send + Sync;

/// A small HTTP/1.1 server on loopback answering each request with
/// `handler`; returns its base URL and the requests it saw.
fn server(
    handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let handler: Arc<Handler> = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => request.extend_from_slice(&buffer[..read]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            let mut lines = text.lines();
            let path = lines
                .next()
                .and_then(|line| line.split(' ').nth(1))
                .unwrap_or("/")
                .to_owned();
            let headers = lines
                .take_while(|line| !line.is_empty())
                .filter_map(|line| line.split_once(':'))
                .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
                .collect();
            let request = Seen { path, headers };
            log.lock().unwrap().push(request.clone());
            let answer = handler(&request);
            let mut reply = format!(
                "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                answer.status,
                answer.body.len()
            );
            for (name, value) in &answer.headers {
                reply.push_str(&format!("{name}: {value}\r\n"));
            }
            reply.push_str("\r\n");
            reply.push_str(&answer.body);
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (format!("http://{address}"), seen)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn phone_clock() -> Arc<TrustedClock> {
    Arc::new(TrustedClock::with_wall_clock(
        0,
        WallClock::from_fn(|| PHONE_MILLIS),
    ))
}

fn network(url: &str, clock: &Arc<TrustedClock>) -> Network {
    Network::new(url, clock.clone(), Duration::from_secs(5)).unwrap()
}

#[test]
fn malicious_platform_times_on_successful_answers_do_not_move_the_clock() {
    let ten_years_and_a_day = (PHONE_SECONDS + MAX_PLATFORM_LEAD_SECONDS + 86_400).to_string();
    let before_the_floor = (EARLIEST_PLATFORM_TIME - 1).to_string();
    let hostile = [
        u64::MAX.to_string(),
        // Year 292 billion: i64::MAX seconds.
        i64::MAX.to_string(),
        // Year 292 million: its milliseconds overflow nothing but are absurd.
        (i64::MAX as u64 / 1_000).to_string(),
        "0".to_owned(),
        // 2000-01-01, far in the past.
        "946684800".to_owned(),
        before_the_floor,
        ten_years_and_a_day,
        // Not a u64 at all.
        "-5".to_owned(),
        "1e10".to_owned(),
        "99999999999999999999999".to_owned(),
    ];
    let runtime = runtime();
    for time in hostile {
        let served = time.clone();
        let (url, _) = server(move |_| Answer::new(200, Some(&served), "{}"));
        let clock = phone_clock();
        let answer = runtime
            .block_on(
                network(&url, &clock)
                    .send(&ApiRequest::get("/v1/catalogue/sync"), RetryPolicy::ONCE),
            )
            .unwrap();
        assert!(
            matches!(answer, ApiResponse::Body { status: 200, .. }),
            "{time}"
        );
        assert!(!clock.is_observed(), "{time} was taken");
        assert_eq!(clock.now(), PHONE_SECONDS, "{time} moved the clock");
        assert_eq!(clock.offset_millis(), 0, "{time}");
    }
}

#[test]
fn error_answers_never_set_the_clock_even_with_a_sane_time() {
    // An hour ahead of the phone: a time the clock would take from a success.
    let sane = (PHONE_SECONDS + 3_600).to_string();
    let runtime = runtime();
    // Problem answers (4xx, status by code), and plain 500 and 503 pages.
    let answers = [
        ("invalid_field", 0, Some(ProblemCode::InvalidField)),
        ("clock_skew (401)", 0, Some(ProblemCode::ClockSkew)),
        ("not_found (404)", 0, Some(ProblemCode::NotFound)),
        ("500", 500, None),
        ("503", 503, None),
    ];
    for (name, status, problem) in answers {
        let sane = sane.clone();
        let (url, _) = server(move |_| match problem {
            Some(code) => Answer::problem(code, &sane),
            None => Answer::new(status, Some(&sane), "oops"),
        });
        let clock = phone_clock();
        let error = runtime
            .block_on(network(&url, &clock).send(&ApiRequest::get("/v1/me"), RetryPolicy::ONCE))
            .unwrap_err();
        assert!(
            matches!(
                error,
                ClientError::Refused { .. } | ClientError::BadReply(_) | ClientError::Busy { .. }
            ),
            "{name}: {error:?}"
        );
        assert!(
            !clock.is_observed(),
            "{name}: an error answer set the clock"
        );
        assert_eq!(clock.now(), PHONE_SECONDS, "{name}");
    }
}

#[test]
fn a_sane_successful_answer_sets_the_clock() {
    let runtime = runtime();
    let ahead = (PHONE_SECONDS + 3_600).to_string();
    let (url, _) = server(move |_| Answer::new(200, Some(&ahead), "{}"));
    let clock = phone_clock();
    runtime
        .block_on(network(&url, &clock).send(&ApiRequest::get("/v1/time"), RetryPolicy::ONCE))
        .unwrap();
    assert!(clock.is_observed());
    assert_eq!(clock.now(), PHONE_SECONDS + 3_600);
    // A 304 to a conditional GET is a successful answer too; a platform far
    // behind a phone set years ahead is believed (down to the floor).
    let behind = (EARLIEST_PLATFORM_TIME + 86_400).to_string();
    let (url, _) = server(move |_| Answer::new(304, Some(&behind), ""));
    let clock = Arc::new(TrustedClock::with_wall_clock(
        0,
        WallClock::from_fn(|| PHONE_MILLIS + 20 * 365 * 86_400_000),
    ));
    let answer = runtime
        .block_on(network(&url, &clock).send(
            &ApiRequest::get("/v1/trust-list").if_none_match(Some("\"7\"".into())),
            RetryPolicy::ONCE,
        ))
        .unwrap();
    assert!(matches!(answer, ApiResponse::NotModified));
    assert_eq!(clock.now(), EARLIEST_PLATFORM_TIME + 86_400);
}

/// A reverse proxy's cache answers a public feed with the copy it fetched
/// earlier, clock header included: that time is as old as the copy.
#[test]
fn a_time_on_an_answer_shared_caches_may_keep_is_not_taken() {
    let runtime = runtime();
    let cached = (PHONE_SECONDS - 3_600).to_string();
    let (url, _) = server(move |_| {
        let mut answer = Answer::new(200, Some(&cached), "{}");
        answer
            .headers
            .push(("cache-control".into(), "Public, max-age=60".into()));
        answer
    });
    let clock = phone_clock();
    runtime
        .block_on(
            network(&url, &clock).send(&ApiRequest::get("/v1/status-lists/1"), RetryPolicy::ONCE),
        )
        .unwrap();
    assert!(!clock.is_observed());
    // The same answer marked for revalidation (`no-cache`) is the platform's own.
    let fresh = (PHONE_SECONDS - 3_600).to_string();
    let (url, _) = server(move |_| {
        let mut answer = Answer::new(200, Some(&fresh), "{}");
        answer
            .headers
            .push(("cache-control".into(), "no-cache".into()));
        answer
    });
    runtime
        .block_on(
            network(&url, &clock).send(&ApiRequest::get("/v1/status-lists/1"), RetryPolicy::ONCE),
        )
        .unwrap();
    assert!(clock.is_observed());
    assert_eq!(clock.now(), PHONE_SECONDS - 3_600);
}

#[test]
fn a_time_from_another_origin_is_not_taken() {
    let runtime = runtime();
    // A redirect to another server, which would answer with a plausible
    // time.
    let elsewhere = (PHONE_SECONDS + 5 * 365 * 86_400).to_string();
    let (other, other_seen) = server(move |_| Answer::new(200, Some(&elsewhere), "{}"));
    let sane = (PHONE_SECONDS + 60).to_string();
    let (url, _) = server(move |_| {
        let mut answer = Answer::new(302, Some(&sane), "");
        answer
            .headers
            .push(("location".into(), format!("{other}/v1/time")));
        answer
    });
    let clock = phone_clock();
    // The transport follows no redirect: the 302 is the answer, an error
    // without a problem body, and the other server is never asked.
    let refused = runtime
        .block_on(network(&url, &clock).send(&ApiRequest::get("/v1/time"), RetryPolicy::ONCE))
        .unwrap_err();
    assert!(matches!(refused, ClientError::BadReply(_)), "{refused:?}");
    assert!(other_seen.lock().unwrap().is_empty());
    assert!(!clock.is_observed());
    assert_eq!(clock.now(), PHONE_SECONDS);
}

#[test]
fn a_clock_skew_refusal_takes_the_time_from_the_time_endpoint_only() {
    let runtime = runtime();
    // The platform is two hours ahead of the phone; its refusal claims year
    // 292 billion, its clock endpoint tells the truth.
    let platform = PHONE_SECONDS + 7_200;
    let (url, seen) = server(move |request| {
        if request.path == "/v1/time" {
            return Answer::new(
                200,
                Some(&platform.to_string()),
                &format!("{{\"now\":{platform}}}"),
            );
        }
        let signed_at: u64 = request
            .header(TIMESTAMP_HEADER)
            .and_then(|value| value.parse().ok())
            .unwrap_or(0);
        if signed_at.abs_diff(platform) <= 300 {
            Answer::new(200, Some(&platform.to_string()), "{}")
        } else {
            Answer::problem(ProblemCode::ClockSkew, &i64::MAX.to_string())
        }
    });
    let keys = Arc::new(MemoryKeyStore::new());
    keys.generate_key("device", Suite::EcdsaP256).unwrap();
    let clock = phone_clock();
    let signed = network(&url, &clock).with_signer(DeviceSigner {
        key_store: keys,
        alias: "device".into(),
        device_id: "dev-1".into(),
    });
    runtime
        .block_on(signed.send(&ApiRequest::get("/v1/me").signed(), RetryPolicy::ONCE))
        .unwrap();
    assert_eq!(clock.now(), platform);
    let paths: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|seen| seen.path.clone())
        .collect();
    assert_eq!(paths, ["/v1/me", "/v1/time", "/v1/me"]);
    let timestamps: Vec<Option<String>> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|seen| seen.header(TIMESTAMP_HEADER).map(str::to_owned))
        .collect();
    assert_eq!(
        timestamps,
        [
            Some(PHONE_SECONDS.to_string()),
            None,
            Some(platform.to_string())
        ]
    );
}
