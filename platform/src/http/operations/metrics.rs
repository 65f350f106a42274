//! The metrics registry: request counts and durations by route template,
//! requests in flight, and the use of the database connection, kept in
//! atomics and one short-held map, and written out in Prometheus' text
//! exposition format (0.0.4) by hand — a few hundred lines do not warrant a
//! metrics crate in the platform's dependencies.
//!
//! Labels hold route templates (`/v1/cards/{id}`), method names and
//! statuses only, never a raw path, a query or an id: a label set per
//! person would be personal data in the metrics and would grow without
//! bound. Methods outside the standard ones count as `other` for the same
//! reason.
//!
//! Kept apart from the endpoints that serve the metrics (the parent
//! module): the platform's shared state holds a registry, so the registry
//! must not depend on that state.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{Display, Write as _};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::Method;

/// The media type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds (seconds) of request-duration buckets: 1 ms to 10 s.
pub const REQUEST_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Upper bounds (seconds) of database-lock wait buckets: 100 µs to 10 s.
pub const WAIT_BUCKETS: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0,
];

/// The route label of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

/// A histogram of durations over fixed buckets, lock-free.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    /// Observations per bucket, not cumulative; one more for `+Inf`.
    counts: Vec<AtomicU64>,
    sum_nanos: AtomicU64,
}

/// A histogram read at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramSnapshot {
    bounds: &'static [f64],
    counts: Vec<u64>,
    sum_nanos: u64,
}

impl Histogram {
    /// An empty histogram with buckets up to `bounds` (ascending) and `+Inf`.
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_nanos: AtomicU64::new(0),
        }
    }

    /// Counts one observation.
    pub fn observe(&self, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let bucket = self
            .bounds
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(self.bounds.len());
        if let Some(count) = self.counts.get(bucket) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The counts as they are now.
    pub fn snapshot(&self) -> HistogramSnapshot {
        HistogramSnapshot {
            bounds: self.bounds,
            counts: self
                .counts
                .iter()
                .map(|count| count.load(Ordering::Relaxed))
                .collect(),
            sum_nanos: self.sum_nanos.load(Ordering::Relaxed),
        }
    }
}

/// What the registry knows of one route.
#[derive(Debug)]
struct RouteStats {
    durations: Histogram,
    answers: HashMap<(&'static str, u16), u64>,
}

/// The HTTP metrics of one platform instance, and its database's.
#[derive(Debug)]
pub struct Metrics {
    routes: Mutex<HashMap<String, RouteStats>>,
    in_flight: AtomicI64,
    /// The use of the database connection.
    pub database: DatabaseMetrics,
    /// Where PINs were hashed.
    pub pin_hashes: PinHashMetrics,
}

/// Where PINs were hashed: before the request took the database
/// connection, or holding it (which makes every other request wait; it
/// should stay near zero).
#[derive(Debug, Default)]
pub struct PinHashMetrics {
    ahead: AtomicU64,
    holding_connection: AtomicU64,
}

impl PinHashMetrics {
    /// Counts one request's hashing.
    pub fn record(&self, hashed: &crate::domain::pin::HashedAhead) {
        self.ahead.fetch_add(
            u64::try_from(hashed.hashed_ahead()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.holding_connection
            .fetch_add(u64::from(hashed.hashed_in_transaction()), Ordering::Relaxed);
    }

    /// Hashes made holding the database connection so far.
    pub fn holding_connection(&self) -> u64 {
        self.holding_connection.load(Ordering::Relaxed)
    }

    /// Hashes made before the connection was taken so far.
    pub fn ahead(&self) -> u64 {
        self.ahead.load(Ordering::Relaxed)
    }

    /// Writes the PIN hashing metrics.
    pub fn write(&self, out: &mut Exposition) {
        out.family(
            "ecard_pin_hashes_total",
            "counter",
            "PIN hashes (Argon2id) made, by whether the database connection was held.",
        );
        out.sample("ecard_pin_hashes_total", &[("when", "ahead")], self.ahead());
        out.sample(
            "ecard_pin_hashes_total",
            &[("when", "holding_connection")],
            self.holding_connection(),
        );
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            routes: Mutex::new(HashMap::new()),
            in_flight: AtomicI64::new(0),
            database: DatabaseMetrics::default(),
            pin_hashes: PinHashMetrics::default(),
        }
    }
}

/// A request counted in flight until dropped (also when its connection
/// goes away before the answer).
#[derive(Debug)]
pub struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A method as a label: the standard methods by name, any other as `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

impl Metrics {
    /// Counts a request in flight while the guard lives.
    pub fn start_request(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    /// Records an answered request: `route` is its template (or
    /// [`UNMATCHED`]).
    pub fn record(&self, route: &str, method: &Method, status: u16, elapsed: Duration) {
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        let stats = match routes.get_mut(route) {
            Some(stats) => stats,
            None => routes
                .entry(route.to_owned())
                .or_insert_with(|| RouteStats {
                    durations: Histogram::new(REQUEST_BUCKETS),
                    answers: HashMap::new(),
                }),
        };
        stats.durations.observe(elapsed);
        *stats
            .answers
            .entry((method_label(method), status))
            .or_insert(0) += 1;
    }

    /// Writes the request metrics.
    pub fn write_requests(&self, out: &mut Exposition) {
        let (answers, durations) = {
            let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
            let mut answers = BTreeMap::new();
            let mut durations = BTreeMap::new();
            for (route, stats) in routes.iter() {
                for ((method, status), count) in &stats.answers {
                    answers.insert((route.clone(), *method, *status), *count);
                }
                durations.insert(route.clone(), stats.durations.snapshot());
            }
            (answers, durations)
        };
        out.family(
            "ecard_http_requests_total",
            "counter",
            "HTTP requests answered, by route template, method and status.",
        );
        for ((route, method, status), count) in &answers {
            out.sample(
                "ecard_http_requests_total",
                &[
                    ("route", route),
                    ("method", method),
                    ("status", &status.to_string()),
                ],
                count,
            );
        }
        out.family(
            "ecard_http_request_duration_seconds",
            "histogram",
            "Time from a request's routing to its answer, by route template.",
        );
        for (route, histogram) in &durations {
            out.histogram(
                "ecard_http_request_duration_seconds",
                &[("route", route)],
                histogram,
            );
        }
        out.family(
            "ecard_http_requests_in_flight",
            "gauge",
            "HTTP requests being answered now.",
        );
        out.sample(
            "ecard_http_requests_in_flight",
            &[],
            self.in_flight.load(Ordering::Relaxed),
        );
    }
}

/// The use of the platform's one database connection: how long requests
/// wait for it, whether it is held, and for how long in all.
#[derive(Debug)]
pub struct DatabaseMetrics {
    wait: Histogram,
    busy: AtomicI64,
    waiting: AtomicI64,
    held_nanos: AtomicU64,
    /// Requests whose work went into a commit group, and the groups
    /// committed (SQLite; [`crate::store::pool`]).
    shares: AtomicU64,
    group_commits: AtomicU64,
}

impl Default for DatabaseMetrics {
    fn default() -> DatabaseMetrics {
        DatabaseMetrics {
            wait: Histogram::new(WAIT_BUCKETS),
            busy: AtomicI64::new(0),
            waiting: AtomicI64::new(0),
            held_nanos: AtomicU64::new(0),
            shares: AtomicU64::new(0),
            group_commits: AtomicU64::new(0),
        }
    }
}

/// A connection taken from the pool, counted busy until dropped.
pub struct DatabaseGuard<'a> {
    connection: Option<crate::store::sql::Connection>,
    /// The commit group whose transaction is open on the connection
    /// ([`DatabaseMetrics::lock_share`]).
    group: Option<crate::store::pool::CommitGroup>,
    pool: &'a crate::store::pool::Pool,
    metrics: &'a DatabaseMetrics,
    since: Instant,
}

impl DatabaseGuard<'_> {
    /// Runs `work` as this request's share of a commit group
    /// ([`crate::store::pool`]) and gives the connection up; returns once
    /// the group has committed (on PostgreSQL, a transaction of its own).
    pub fn transact_as_share<T, E: From<crate::store::sql::Error>>(
        mut self,
        work: impl FnMut(&crate::store::sql::Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let outcome = self.deref_mut().transact_as_share(work);
        let (Some(connection), group) = (self.connection.take(), self.group.take()) else {
            unreachable!("present from `lock` until given up")
        };
        let ended = self.pool.end_share(connection, group.unwrap_or_default());
        let metrics = self.metrics;
        metrics.shares.fetch_add(1, Ordering::Relaxed);
        // Held until handed on or committed, not while waiting for others.
        drop(self);
        if matches!(ended, crate::store::pool::ShareEnd::Committed(_)) {
            metrics.group_commits.fetch_add(1, Ordering::Relaxed);
        }
        let committed = ended.committed();
        let value = outcome?;
        committed?;
        Ok(value)
    }
}

impl Deref for DatabaseGuard<'_> {
    type Target = crate::store::sql::Connection;
    fn deref(&self) -> &crate::store::sql::Connection {
        // Present from `lock` until `drop`.
        self.connection.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for DatabaseGuard<'_> {
    fn deref_mut(&mut self) -> &mut crate::store::sql::Connection {
        self.connection.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for DatabaseGuard<'_> {
    fn drop(&mut self) {
        if let Some(mut connection) = self.connection.take() {
            // Given up early (a panic in a share's work): nothing of the
            // group commits, and its requests are told so as it drops.
            connection.roll_back_open();
            drop(self.group.take());
            self.pool.give_back(connection);
        }
        let held = u64::try_from(self.since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.metrics.held_nanos.fetch_add(held, Ordering::Relaxed);
        self.metrics.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

impl DatabaseMetrics {
    /// Takes a connection from `pool` (waiting while all are in use),
    /// timing the wait; it goes back when the guard is dropped.
    pub fn lock<'a>(
        &'a self,
        pool: &'a crate::store::pool::Pool,
    ) -> crate::store::sql::Result<DatabaseGuard<'a>> {
        self.timed_take(pool, |pool| {
            pool.take().map(|connection| (connection, None))
        })
    }

    /// [`DatabaseMetrics::lock`] for a request whose work may join a
    /// commit group ([`DatabaseGuard::transact_as_share`]).
    pub fn lock_share<'a>(
        &'a self,
        pool: &'a crate::store::pool::Pool,
    ) -> crate::store::sql::Result<DatabaseGuard<'a>> {
        self.timed_take(pool, |pool| {
            pool.take_share()
                .map(|(connection, group)| (connection, Some(group)))
        })
    }

    /// Takes a connection with `take`, counting the wait and the hold.
    fn timed_take<'a>(
        &'a self,
        pool: &'a crate::store::pool::Pool,
        take: impl FnOnce(
            &crate::store::pool::Pool,
        ) -> crate::store::sql::Result<(
            crate::store::sql::Connection,
            Option<crate::store::pool::CommitGroup>,
        )>,
    ) -> crate::store::sql::Result<DatabaseGuard<'a>> {
        let started = Instant::now();
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let taken = take(pool);
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        let (connection, group) = taken?;
        let since = Instant::now();
        self.wait.observe(since.saturating_duration_since(started));
        self.busy.fetch_add(1, Ordering::Relaxed);
        Ok(DatabaseGuard {
            connection: Some(connection),
            group,
            pool,
            metrics: self,
            since,
        })
    }

    /// Writes the connection metrics.
    pub fn write(&self, out: &mut Exposition, connections: usize) {
        out.family(
            "ecard_db_connections",
            "gauge",
            "Database connections the platform holds (one on SQLite, a pool on PostgreSQL).",
        );
        out.sample(
            "ecard_db_connections",
            &[],
            u64::try_from(connections).unwrap_or(u64::MAX),
        );
        out.family("ecard_db_busy", "gauge", "Database connections in use now.");
        out.sample("ecard_db_busy", &[], self.busy.load(Ordering::Relaxed));
        out.family(
            "ecard_db_waiting",
            "gauge",
            "Requests waiting for the database connection now.",
        );
        out.sample(
            "ecard_db_waiting",
            &[],
            self.waiting.load(Ordering::Relaxed),
        );
        out.family(
            "ecard_db_wait_seconds",
            "histogram",
            "Time spent waiting for the database connection.",
        );
        out.histogram("ecard_db_wait_seconds", &[], &self.wait.snapshot());
        out.family(
            "ecard_db_busy_seconds_total",
            "counter",
            "Time the database connection was held, in all.",
        );
        out.sample(
            "ecard_db_busy_seconds_total",
            &[],
            seconds(self.held_nanos.load(Ordering::Relaxed)),
        );
        out.family(
            "ecard_db_group_shares_total",
            "counter",
            "Requests whose transaction was committed in a group with others' (SQLite).",
        );
        out.sample(
            "ecard_db_group_shares_total",
            &[],
            self.shares.load(Ordering::Relaxed),
        );
        out.family(
            "ecard_db_group_commits_total",
            "counter",
            "Commits of those groups: shares divided by commits is the mean group size.",
        );
        out.sample(
            "ecard_db_group_commits_total",
            &[],
            self.group_commits.load(Ordering::Relaxed),
        );
    }
}

fn seconds(nanos: u64) -> f64 {
    Duration::from_nanos(nanos).as_secs_f64()
}

/// A metrics page being written: families, each with its `HELP` and
/// `TYPE` lines, then its samples.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    /// Starts the family `name` of `kind` (`counter`, `gauge`, `histogram`).
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    /// One sample.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) {
        self.text.push_str(name);
        self.write_labels(labels, None);
        let _ = writeln!(self.text, " {value}");
    }

    /// A histogram's `_bucket` (cumulative, ending with `+Inf`), `_sum`
    /// and `_count` samples.
    pub fn histogram(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        histogram: &HistogramSnapshot,
    ) {
        let mut cumulative = 0u64;
        for (index, count) in histogram.counts.iter().enumerate() {
            cumulative += count;
            let bound = histogram
                .bounds
                .get(index)
                .map_or_else(|| "+Inf".to_owned(), f64::to_string);
            let _ = write!(self.text, "{name}_bucket");
            self.write_labels(labels, Some(&bound));
            let _ = writeln!(self.text, " {cumulative}");
        }
        let _ = write!(self.text, "{name}_sum");
        self.write_labels(labels, None);
        let _ = writeln!(self.text, " {}", seconds(histogram.sum_nanos));
        let _ = write!(self.text, "{name}_count");
        self.write_labels(labels, None);
        let _ = writeln!(self.text, " {cumulative}");
    }

    fn write_labels(&mut self, labels: &[(&str, &str)], bucket: Option<&str>) {
        let bucket = bucket.map(|bound| ("le", bound));
        let mut all = labels.iter().copied().chain(bucket).peekable();
        if all.peek().is_none() {
            return;
        }
        self.text.push('{');
        for (index, (name, value)) in all.enumerate() {
            if index > 0 {
                self.text.push(',');
            }
            let _ = write!(self.text, "{name}=\"{}\"", escape_label(value));
        }
        self.text.push('}');
    }

    /// The page.
    pub fn finish(self) -> String {
        self.text
    }
}

/// A label value escaped as the format asks: backslash, quote, line feed.
fn escape_label(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for character in value.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    /// Checks each line of a page against the text format's grammar (the
    /// parts this registry writes): comments, then `name{labels} value`.
    fn assert_well_formed(page: &str) {
        let mut families = Vec::new();
        for line in page.lines() {
            if let Some(comment) = line.strip_prefix("# ") {
                let mut words = comment.splitn(3, ' ');
                let keyword = words.next().unwrap();
                let name = words.next().unwrap();
                assert!(keyword == "HELP" || keyword == "TYPE", "{line}");
                assert!(is_metric_name(name), "{line}");
                if keyword == "TYPE" {
                    let kind = words.next().unwrap();
                    assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
                    assert!(!families.contains(&name.to_owned()), "{name} twice");
                    families.push(name.to_owned());
                }
                continue;
            }
            let (series, value) = line.rsplit_once(' ').unwrap();
            assert!(value.parse::<f64>().is_ok(), "value of {line}");
            let name = series.split('{').next().unwrap();
            assert!(is_metric_name(name), "{line}");
            let family = families.last().unwrap();
            assert!(
                name == family
                    || [
                        format!("{family}_bucket"),
                        format!("{family}_sum"),
                        format!("{family}_count")
                    ]
                    .contains(&name.to_owned()),
                "{name} outside its family {family}"
            );
            if let Some(labels) = series.strip_prefix(name).filter(|rest| !rest.is_empty()) {
                let labels = labels.strip_prefix('{').unwrap().strip_suffix('}').unwrap();
                for pair in labels.split("\",") {
                    let (label, quoted) = pair.split_once('=').unwrap();
                    assert!(is_metric_name(label), "{line}");
                    assert!(quoted.starts_with('"'), "{line}");
                }
            }
        }
    }

    fn is_metric_name(name: &str) -> bool {
        !name.is_empty()
            && !name.starts_with(|character: char| character.is_ascii_digit())
            && name
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || character == '_')
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_end_with_inf() {
        let histogram = Histogram::new(&[0.01, 0.1, 1.0]);
        histogram.observe(Duration::from_millis(5));
        histogram.observe(Duration::from_millis(50));
        histogram.observe(Duration::from_millis(60));
        histogram.observe(Duration::from_secs(3));
        let mut out = Exposition::default();
        out.family("t_seconds", "histogram", "A test.");
        out.histogram("t_seconds", &[("route", "/v1/x")], &histogram.snapshot());
        let page = out.finish();
        assert_well_formed(&page);
        let expected = "\
t_seconds_bucket{route=\"/v1/x\",le=\"0.01\"} 1
t_seconds_bucket{route=\"/v1/x\",le=\"0.1\"} 3
t_seconds_bucket{route=\"/v1/x\",le=\"1\"} 3
t_seconds_bucket{route=\"/v1/x\",le=\"+Inf\"} 4
t_seconds_sum{route=\"/v1/x\"} 3.115
t_seconds_count{route=\"/v1/x\"} 4
";
        assert!(page.ends_with(expected), "{page}");
    }

    #[test]
    fn requests_are_counted_by_template_method_and_status() {
        let metrics = Metrics::default();
        let put = Method::PUT;
        let odd = Method::from_bytes(b"BREW").unwrap();
        metrics.record(
            "/v1/cards/{id}",
            &Method::GET,
            200,
            Duration::from_millis(2),
        );
        metrics.record(
            "/v1/cards/{id}",
            &Method::GET,
            200,
            Duration::from_millis(3),
        );
        metrics.record("/v1/cards/{id}", &put, 405, Duration::from_millis(1));
        metrics.record(UNMATCHED, &odd, 404, Duration::from_micros(10));
        let in_flight = metrics.start_request();
        let mut out = Exposition::default();
        metrics.write_requests(&mut out);
        metrics.database.write(&mut out, 1);
        drop(in_flight);
        let page = out.finish();
        assert_well_formed(&page);
        for line in [
            "ecard_http_requests_total{route=\"/v1/cards/{id}\",method=\"GET\",status=\"200\"} 2",
            "ecard_http_requests_total{route=\"/v1/cards/{id}\",method=\"PUT\",status=\"405\"} 1",
            "ecard_http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 1",
            "ecard_http_request_duration_seconds_count{route=\"/v1/cards/{id}\"} 3",
            "ecard_http_requests_in_flight 1",
            "ecard_db_connections 1",
            "ecard_db_busy 0",
        ] {
            assert!(page.lines().any(|got| got == line), "{line} in\n{page}");
        }
    }

    #[test]
    fn the_database_lock_is_timed_and_counted_busy_while_held() {
        let metrics = DatabaseMetrics::default();
        let pool = crate::store::pool::Pool::sqlite(
            crate::store::db::open(std::path::Path::new(":memory:")).unwrap(),
        );
        {
            let mut guard = metrics.lock(&pool).unwrap();
            guard.transaction().unwrap();
            assert_eq!(metrics.busy.load(Ordering::Relaxed), 1);
        }
        assert_eq!(metrics.busy.load(Ordering::Relaxed), 0);
        // The connection went back: it can be taken again.
        drop(metrics.lock(&pool).unwrap());
        assert_eq!(metrics.wait.snapshot().counts.iter().sum::<u64>(), 2);
    }

    #[test]
    fn a_panic_in_a_shares_work_gives_the_connection_back_with_nothing_open() {
        let metrics = DatabaseMetrics::default();
        let pool = crate::store::pool::Pool::sqlite(
            crate::store::db::open(std::path::Path::new(":memory:")).unwrap(),
        );
        let guard = metrics.lock_share(&pool).unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            guard.transact_as_share(|tx| -> crate::store::sql::Result<()> {
                crate::store::pool::test_support::write_marker(tx)?;
                panic!("the work failed");
            })
        }));
        assert!(panicked.is_err());
        assert_eq!(metrics.busy.load(Ordering::Relaxed), 0);
        let connection = pool.take().unwrap();
        assert!(!connection.holds_open_transaction());
        assert!(!crate::store::pool::test_support::marker_was_written(
            &connection
        ));
    }

    #[test]
    fn label_values_are_escaped() {
        let mut out = Exposition::default();
        out.family("x", "gauge", "A test.");
        out.sample("x", &[("a", "q\"b\\n\nl")], 1);
        assert_eq!(
            out.finish().lines().last().unwrap(),
            "x{a=\"q\\\"b\\\\n\\nl\"} 1"
        );
    }
}
