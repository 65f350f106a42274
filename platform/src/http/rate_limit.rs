//! Request rate limits per source address and per device, in memory, one
//! set per platform instance: a flood from one host or one device id is
//! refused with `429 Too Many Requests` before it reaches the database, so
//! the one connection keeps serving everyone else.
//!
//! Token buckets: each key holds up to `burst` tokens that refill at
//! `per_second`; a request spends one, and a request that finds none is
//! refused with `Retry-After` saying when the next token comes. Buckets
//! that have refilled are forgotten and the number of keys is capped, so a
//! caller inventing addresses or device ids cannot grow the map without
//! bound.
//!
//! The device header is not authenticated at this layer (the signature is
//! checked later, under the database lock): it is only a key. A forged id
//! spends that id's tokens, and the source limit still applies to the host
//! sending it.
//!
//! The source address is derived here once ([`RateLimits::source`]), for
//! these limits and for the per-source limits of identity attempts: the TCP
//! peer, or behind a trusted reverse proxy the address the proxies report in
//! `X-Forwarded-For`.
//!
//! This module does not see the platform's shared state: the state holds
//! it, and its middleware runs with only the limits.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ecard_api::auth::DEVICE_HEADER;
use ecard_api::problem::ProblemCode;

use crate::error::ApiError;

/// A sustained rate with a burst allowance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Requests a second, sustained (tokens added per second).
    pub per_second: f64,
    /// Requests allowed at once after a quiet period (the bucket's size).
    pub burst: u32,
}

impl RateLimit {
    /// The default per source address: far above what one person's phone
    /// sends, yet a single host cannot take the platform for itself. Many
    /// phones can share one address behind a carrier's NAT, hence the room.
    pub const PER_SOURCE: RateLimit = RateLimit {
        per_second: 50.0,
        burst: 100,
    };
    /// The default per device id: an app sends a few requests at a time,
    /// and a few dozen when it flushes its outbox or pages through records.
    pub const PER_DEVICE: RateLimit = RateLimit {
        per_second: 20.0,
        burst: 100,
    };
}

/// How many keys each limit tracks at most; past that, idle keys and then
/// the least recently seen are forgotten (a forgotten key starts with a
/// full bucket again).
pub const MAX_TRACKED_KEYS: usize = 100_000;

/// Device ids longer than this share one bucket: real ids are short, and a
/// long forged header must not cost memory per request.
const MAX_DEVICE_KEY_BYTES: usize = 128;

/// Which limit refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// The per-source-address limit.
    Source,
    /// The per-device limit.
    Device,
}

impl LimitKind {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Source => "source",
            LimitKind::Device => "device",
        }
    }
}

/// One bucket: tokens left at `updated`.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets by key, bounded in number.
#[derive(Debug)]
pub struct TokenBuckets<K> {
    limit: RateLimit,
    max_keys: usize,
    state: Mutex<BucketMap<K>>,
}

#[derive(Debug)]
struct BucketMap<K> {
    buckets: HashMap<K, Bucket>,
    last_sweep: Option<Instant>,
}

impl<K: Hash + Eq> TokenBuckets<K> {
    /// Buckets of `limit`, tracking at most `max_keys` keys.
    pub fn new(limit: RateLimit, max_keys: usize) -> TokenBuckets<K> {
        TokenBuckets {
            limit: RateLimit {
                per_second: limit.per_second.max(f64::MIN_POSITIVE),
                burst: limit.burst.max(1),
            },
            max_keys: max_keys.max(1),
            state: Mutex::new(BucketMap {
                buckets: HashMap::new(),
                last_sweep: None,
            }),
        }
    }

    /// Spends a token of `key` at `now`; `Err` is how long until one is
    /// available.
    pub fn take(&self, key: K, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(self.limit.burst);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let refill_time = seconds(capacity / self.limit.per_second);
        if state
            .last_sweep
            .is_none_or(|last| now.saturating_duration_since(last) >= refill_time)
        {
            self.forget_full(&mut state.buckets, now);
            state.last_sweep = Some(now);
        }
        if !state.buckets.contains_key(&key) && state.buckets.len() >= self.max_keys {
            self.make_room(&mut state.buckets, now);
        }
        let bucket = state.buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let tokens = self.refilled(bucket, now);
        bucket.updated = now.max(bucket.updated);
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            Ok(())
        } else {
            bucket.tokens = tokens;
            Err(seconds((1.0 - tokens) / self.limit.per_second))
        }
    }

    /// How many keys are tracked.
    pub fn tracked_keys(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .buckets
            .len()
    }

    fn refilled(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        (bucket.tokens + elapsed * self.limit.per_second).min(f64::from(self.limit.burst))
    }

    /// Drops the buckets that have refilled: an absent key starts full.
    fn forget_full(&self, buckets: &mut HashMap<K, Bucket>, now: Instant) {
        let capacity = f64::from(self.limit.burst);
        buckets.retain(|_, bucket| self.refilled(bucket, now) < capacity);
    }

    /// Brings the map under its cap: idle keys first, then the eighth seen
    /// least recently (amortised: this runs once per eighth of the cap).
    fn make_room(&self, buckets: &mut HashMap<K, Bucket>, now: Instant) {
        self.forget_full(buckets, now);
        if buckets.len() < self.max_keys {
            return;
        }
        let mut seen: Vec<Instant> = buckets.values().map(|bucket| bucket.updated).collect();
        let oldest = (seen.len() / 8).max(1) - 1;
        let (_, cut, _) = seen.select_nth_unstable(oldest);
        let cut = *cut;
        buckets.retain(|_, bucket| bucket.updated > cut);
    }
}

/// A duration of `value` seconds, saturating (a tiny rate makes long waits).
fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or(Duration::MAX)
}

/// A source address as a rate-limit key: IPv4 addresses one by one, IPv6
/// addresses by their /64 (one subscriber's network: a host can pick any
/// address in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceKey(IpAddr);

impl SourceKey {
    /// The key of `address`.
    pub fn of(address: IpAddr) -> SourceKey {
        match address.to_canonical() {
            IpAddr::V4(v4) => SourceKey(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                SourceKey(IpAddr::V6(Ipv6Addr::from(network)))
            }
        }
    }
}

/// A device id as a rate-limit key (over-long ids share one key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeviceKey(Box<str>);

impl DeviceKey {
    /// The key of the device header's value.
    pub fn of(value: &HeaderValue) -> DeviceKey {
        match value.to_str() {
            Ok(id) if id.len() <= MAX_DEVICE_KEY_BYTES => DeviceKey(id.into()),
            _ => DeviceKey("(unreadable or over-long)".into()),
        }
    }
}

/// The rate limits of one platform instance, the source derivation they
/// share with the identity-attempt limits, and their refusal counts.
#[derive(Debug)]
pub struct RateLimits {
    trusted_proxies: Vec<IpAddr>,
    by_source: Option<TokenBuckets<SourceKey>>,
    by_device: Option<TokenBuckets<DeviceKey>>,
    source_refusals: AtomicU64,
    device_refusals: AtomicU64,
}

impl RateLimits {
    /// Limits per source and per device (`None`: that limit is off), with
    /// the reverse proxies whose `X-Forwarded-For` is believed.
    pub fn new(
        by_source: Option<RateLimit>,
        by_device: Option<RateLimit>,
        trusted_proxies: Vec<IpAddr>,
    ) -> RateLimits {
        RateLimits {
            trusted_proxies: trusted_proxies
                .into_iter()
                .map(|address| address.to_canonical())
                .collect(),
            by_source: by_source.map(|limit| TokenBuckets::new(limit, MAX_TRACKED_KEYS)),
            by_device: by_device.map(|limit| TokenBuckets::new(limit, MAX_TRACKED_KEYS)),
            source_refusals: AtomicU64::new(0),
            device_refusals: AtomicU64::new(0),
        }
    }

    /// The address a request comes from: the TCP peer (from axum's
    /// `ConnectInfo<SocketAddr>`), or, when the peer is a trusted proxy, the
    /// right-most `X-Forwarded-For` entry that is not itself one. `None`
    /// when the peer is not known (a router called without connection
    /// info).
    pub fn source(
        &self,
        extensions: &axum::http::Extensions,
        headers: &HeaderMap,
    ) -> Option<IpAddr> {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        source_address(peer, headers, &self.trusted_proxies)
    }

    /// Spends the tokens of a request from `source` naming `device`;
    /// `Err` says which limit refused and when to try again.
    pub fn admit(
        &self,
        source: Option<IpAddr>,
        device: Option<&HeaderValue>,
        now: Instant,
    ) -> Result<(), (LimitKind, Duration)> {
        if let (Some(buckets), Some(source)) = (&self.by_source, source) {
            buckets.take(SourceKey::of(source), now).map_err(|wait| {
                self.source_refusals.fetch_add(1, Ordering::Relaxed);
                (LimitKind::Source, wait)
            })?;
        }
        if let (Some(buckets), Some(device)) = (&self.by_device, device) {
            buckets.take(DeviceKey::of(device), now).map_err(|wait| {
                self.device_refusals.fetch_add(1, Ordering::Relaxed);
                (LimitKind::Device, wait)
            })?;
        }
        Ok(())
    }

    /// Requests refused so far by `kind`.
    pub fn refusals(&self, kind: LimitKind) -> u64 {
        match kind {
            LimitKind::Source => self.source_refusals.load(Ordering::Relaxed),
            LimitKind::Device => self.device_refusals.load(Ordering::Relaxed),
        }
    }

    /// Keys tracked by `kind`'s limit (0 when it is off).
    pub fn tracked_keys(&self, kind: LimitKind) -> usize {
        match kind {
            LimitKind::Source => self
                .by_source
                .as_ref()
                .map_or(0, TokenBuckets::tracked_keys),
            LimitKind::Device => self
                .by_device
                .as_ref()
                .map_or(0, TokenBuckets::tracked_keys),
        }
    }
}

/// The source of a request whose TCP peer is `peer`: the peer itself
/// unless it is one of `trusted_proxies`; then the right-most
/// `X-Forwarded-For` entry that is not a trusted proxy (each proxy appends
/// the address it received from, so entries left of the first untrusted one
/// are whatever the client wrote). An unreadable entry stops the walk at the
/// last trusted hop.
pub fn source_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted_proxies: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let mut source = peer;
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("").split(','))
        .collect();
    for entry in entries.iter().rev() {
        let Some(address) = forwarded_address(entry) else {
            return Some(source);
        };
        if !trusted_proxies.contains(&address) {
            return Some(address);
        }
        source = address;
    }
    Some(source)
}

/// One `X-Forwarded-For` entry: an address, possibly with a port.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .map(|address| address.to_canonical())
}

/// The middleware: refuses a request over its source's or its device's
/// limit with `429` and `Retry-After`, before any other work.
pub async fn limit(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let source = limits.source(request.extensions(), request.headers());
    let device = request.headers().get(DEVICE_HEADER);
    match limits.admit(source, device, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err((kind, wait)) => too_many_requests(kind, wait),
    }
}

/// The refusal: problem+json `rate_limited` with `Retry-After` in whole
/// seconds (at least one). It names neither the address nor the device.
fn too_many_requests(kind: LimitKind, wait: Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let detail = match kind {
        LimitKind::Source => "too many requests from this network address",
        LimitKind::Device => "too many requests from this device",
    };
    let mut response = ApiError::new(
        ProblemCode::RateLimited,
        format!("{detail}; retry in {seconds} s"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn limit(per_second: f64, burst: u32) -> RateLimit {
        RateLimit { per_second, burst }
    }

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_until_it_refills() {
        let buckets = TokenBuckets::new(limit(2.0, 3), 10);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(buckets.take("a", start).is_ok());
        }
        let wait = buckets.take("a", start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9, "{wait:?}");
        // Another key is untouched.
        assert!(buckets.take("b", start).is_ok());
        // Half a second later one token is back, not two.
        let later = start + Duration::from_millis(500);
        assert!(buckets.take("a", later).is_ok());
        assert!(buckets.take("a", later).is_err());
        // Long after, the bucket holds its burst and no more.
        let much_later = later + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(buckets.take("a", much_later).is_ok());
        }
        assert!(buckets.take("a", much_later).is_err());
    }

    #[test]
    fn refilled_buckets_are_forgotten_and_the_keys_are_capped() {
        let buckets = TokenBuckets::new(limit(1.0, 2), 16);
        let start = Instant::now();
        for key in 0..16 {
            assert!(buckets.take(key, start).is_ok());
        }
        assert_eq!(buckets.tracked_keys(), 16);
        // A new key at the cap, everyone still active: the least recently
        // seen go, and the map stays within the cap.
        let soon = start + Duration::from_millis(10);
        for key in 100..200 {
            assert!(buckets.take(key, soon).is_ok());
            assert!(buckets.tracked_keys() <= 16);
        }
        // Once every bucket has refilled, the next sweep forgets them.
        let idle = soon + Duration::from_secs(10);
        assert!(buckets.take(1000, idle).is_ok());
        assert_eq!(buckets.tracked_keys(), 1);
    }

    #[test]
    fn a_forgotten_key_starts_with_a_full_bucket_not_a_refusal() {
        let buckets = TokenBuckets::new(limit(1.0, 1), 1);
        let start = Instant::now();
        assert!(buckets.take("a", start).is_ok());
        assert!(buckets.take("b", start).is_ok());
        assert_eq!(buckets.tracked_keys(), 1);
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
        let headers = forwarded("203.0.113.9");
        assert_eq!(
            source_address(Some(ip("198.51.100.7")), &headers, &[ip("10.0.0.1")]),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            source_address(Some(ip("198.51.100.7")), &headers, &[]),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(source_address(None, &headers, &[]), None);
    }

    #[test]
    fn behind_a_chain_of_proxies_the_right_most_untrusted_entry_is_the_source() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // client wrote a fake entry; the edge proxy 10.0.0.2 appended the
        // client's real address; the inner proxy 10.0.0.1 appended 10.0.0.2.
        let headers = forwarded("1.2.3.4, 203.0.113.9, 10.0.0.2");
        assert_eq!(
            source_address(Some(ip("10.0.0.1")), &headers, &proxies),
            Some(ip("203.0.113.9"))
        );
        // The same over several header lines.
        let mut split = HeaderMap::new();
        split.append("x-forwarded-for", HeaderValue::from_static("1.2.3.4"));
        split.append(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9:5555"),
        );
        split.append("x-forwarded-for", HeaderValue::from_static("10.0.0.2"));
        assert_eq!(
            source_address(Some(ip("10.0.0.1")), &split, &proxies),
            Some(ip("203.0.113.9"))
        );
        // No header: the proxy itself.
        assert_eq!(
            source_address(Some(ip("10.0.0.1")), &HeaderMap::new(), &proxies),
            Some(ip("10.0.0.1"))
        );
        // Garbage where the proxy's entry should be: the last trusted hop.
        let garbage = forwarded("203.0.113.9, not-an-address, 10.0.0.2");
        assert_eq!(
            source_address(Some(ip("10.0.0.1")), &garbage, &proxies),
            Some(ip("10.0.0.2"))
        );
        // An IPv4 peer seen as IPv6-mapped is the same proxy.
        assert_eq!(
            source_address(Some(ip("::ffff:10.0.0.1")), &headers, &proxies),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn ipv6_sources_share_a_bucket_per_64_and_device_keys_are_bounded() {
        assert_eq!(
            SourceKey::of(ip("2001:db8:1:2::1")),
            SourceKey::of(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            SourceKey::of(ip("2001:db8:1:2::1")),
            SourceKey::of(ip("2001:db8:1:3::1"))
        );
        let long = HeaderValue::from_str(&"d".repeat(4096)).unwrap();
        let other = HeaderValue::from_str(&"e".repeat(4096)).unwrap();
        assert_eq!(DeviceKey::of(&long), DeviceKey::of(&other));
        assert_eq!(
            DeviceKey::of(&long).0.len(),
            "(unreadable or over-long)".len()
        );
    }

    #[test]
    fn limits_count_refusals_by_kind_and_can_be_off() {
        let limits = RateLimits::new(Some(limit(1.0, 1)), Some(limit(1.0, 1)), Vec::new());
        let now = Instant::now();
        let device = HeaderValue::from_static("dev-1");
        assert!(
            limits
                .admit(Some(ip("192.0.2.1")), Some(&device), now)
                .is_ok()
        );
        assert_eq!(
            limits
                .admit(Some(ip("192.0.2.1")), None, now)
                .unwrap_err()
                .0,
            LimitKind::Source
        );
        assert_eq!(
            limits
                .admit(Some(ip("192.0.2.2")), Some(&device), now)
                .unwrap_err()
                .0,
            LimitKind::Device
        );
        assert_eq!(limits.refusals(LimitKind::Source), 1);
        assert_eq!(limits.refusals(LimitKind::Device), 1);
        let off = RateLimits::new(None, None, Vec::new());
        for _ in 0..1000 {
            assert!(off.admit(Some(ip("192.0.2.1")), Some(&device), now).is_ok());
        }
        assert_eq!(off.tracked_keys(LimitKind::Source), 0);
    }

    #[test]
    fn the_refusal_is_a_problem_with_retry_after_in_whole_seconds() {
        let response = too_many_requests(LimitKind::Source, Duration::from_millis(1200));
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            ecard_api::PROBLEM_JSON
        );
        let short = too_many_requests(LimitKind::Device, Duration::from_millis(5));
        assert_eq!(short.headers()[header::RETRY_AFTER], "1");
    }
}
