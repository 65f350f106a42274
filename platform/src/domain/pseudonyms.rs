//! Pseudonyms that let a party count a resident without identifying them.
//!
//! A library counting loans, a transit operator counting a yearly ride
//! quota or a website keeping an account needs the same name for the same
//! resident every time, and must not be able to link that name with what
//! another party sees. Each party gets its own pseudonym of a person:
//! HMAC-SHA256 over the party and the person under one platform secret,
//! truncated to 128 bits. It is stable across codes, credentials, devices
//! and card replacements (it hangs on the person, not the card), differs
//! between parties, and without the secret two parties cannot tell whether
//! their pseudonyms name the same person.
//!
//! This module owns the `pseudonym_secret` table.

use crate::store::sql::{OptionalExtension, Transaction, params};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::problem::ProblemCode;
use ring::hmac;

use crate::error::{ApiError, ApiResult};

/// Domain separation for pseudonym derivation.
const CONTEXT: &[u8] = b"ecard-pseudonym-v1";

/// Who a pseudonym is for. Terminals of one organisation share its
/// pseudonyms; a relying party's are its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party<'a> {
    /// A service-point organisation (hospital, library, school, transit
    /// operator), by its operator id.
    Operator(&'a str),
    /// A relying party of scan-to-login, by its client id.
    RelyingParty(&'a str),
}

impl Party<'_> {
    fn kind(self) -> &'static [u8] {
        match self {
            Party::Operator(_) => b"operator",
            Party::RelyingParty(_) => b"relying-party",
        }
    }
}

/// The platform's pseudonym secret, made on first use.
fn secret(tx: &Transaction<'_>, now: u64) -> ApiResult<hmac::Key> {
    let existing: Option<Vec<u8>> = tx
        .query_row(
            "SELECT secret FROM pseudonym_secret WHERE singleton = 1",
            [],
            |row| row.get(0),
        )
        .optional()?;
    let bytes = match existing {
        Some(bytes) => bytes,
        None => {
            let mut bytes = vec![0u8; 32];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
                .map_err(|_| ApiError::new(ProblemCode::Internal, "no randomness"))?;
            tx.execute(
                "INSERT INTO pseudonym_secret (singleton, secret, created_at) VALUES (1, ?1, ?2)",
                params![bytes, now],
            )?;
            bytes
        }
    };
    Ok(hmac::Key::new(hmac::HMAC_SHA256, &bytes))
}

/// `party`'s pseudonym of `person_id`: 22 characters of base64url.
pub fn pseudonym(
    tx: &Transaction<'_>,
    party: Party<'_>,
    person_id: &str,
    now: u64,
) -> ApiResult<String> {
    let key = secret(tx, now)?;
    let party_id = match party {
        Party::Operator(id) | Party::RelyingParty(id) => id,
    };
    let mut context = hmac::Context::with_key(&key);
    // Every field is length-prefixed, so no two inputs share a message.
    for field in [
        CONTEXT,
        party.kind(),
        party_id.as_bytes(),
        person_id.as_bytes(),
    ] {
        context.update(&(field.len() as u64).to_be_bytes());
        context.update(field);
    }
    let tag = context.sign();
    Ok(URL_SAFE_NO_PAD.encode(&tag.as_ref()[..16]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use crate::store::db;

    #[test]
    fn a_party_sees_one_stable_pseudonym_and_parties_see_different_ones() {
        let mut connection = db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let library = pseudonym(&tx, Party::Operator("op-library"), "person-1", 1).unwrap();
        assert_eq!(library.len(), 22);
        assert_eq!(
            pseudonym(&tx, Party::Operator("op-library"), "person-1", 2).unwrap(),
            library,
            "stable for one party"
        );
        let bus = pseudonym(&tx, Party::Operator("op-bus"), "person-1", 3).unwrap();
        assert_ne!(bus, library, "different between parties");
        assert_ne!(
            pseudonym(&tx, Party::RelyingParty("op-library"), "person-1", 4).unwrap(),
            library,
            "an operator and a relying party with the same id are different parties"
        );
        assert_ne!(
            pseudonym(&tx, Party::Operator("op-library"), "person-2", 5).unwrap(),
            library,
            "different between people"
        );
        // Length prefixes: ("op-a", "b…") and ("op-ab", "…") do not collide.
        assert_ne!(
            pseudonym(&tx, Party::Operator("op-a"), "bperson", 6).unwrap(),
            pseudonym(&tx, Party::Operator("op-ab"), "person", 6).unwrap(),
        );
        tx.commit().unwrap();
    }
}
