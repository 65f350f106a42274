//! Contract tests of the platform over real HTTP: placeholder until the
//! full suite lands (see below).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
