//! A verifier for Android POS terminals and counters: a thin wrapper of
//! [`ecard_terminal::Terminal`] (provisioning, a state file that survives
//! restarts, refuse-until-provisioned). The rules are the terminal crate's
//! (`docs/terminals.md`); nothing is decided here.
//!
//! A refusal is a verdict ([`TerminalVerdict::Refused`] with the stable
//! code and both messages), not an exception; [`TerminalVerifierError`] is
//! for operations that fail (a status list refused, a state that cannot be
//! written, a closed verifier). Calls are sync and do file I/O only when the
//! state is written (provision, a status list, save, close); call them off
//! the main thread on a busy gate. One verifier serialises its calls.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Arc, Mutex};

use ecard_credential::{
    ConcessionClass, Disclosure, HolderRole, Locale, Purpose, StatusCheck, VerifiedPresentation,
};
use ecard_terminal::{Terminal, TerminalError, TerminalSettings};

/// An operation of a [`TerminalVerifier`] failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TerminalVerifierError {
    /// The terminal is not provisioned (`not_provisioned`): provision it.
    #[error("not provisioned: {code}")]
    NotProvisioned {
        /// Stable code.
        code: String,
        /// For the operator, Simplified Chinese.
        message_zh: String,
        /// For the operator, English.
        message_en: String,
    },
    /// A status list was refused (`status_list_rollback`, a bad signature, …).
    #[error("status list refused: {code}")]
    StatusListRefused {
        /// Stable code.
        code: String,
        /// For the operator, Simplified Chinese.
        message_zh: String,
        /// For the operator, English.
        message_en: String,
    },
    /// The trust list or the settings cannot be used
    /// (`malformed_trust_list` and the other trust-list codes, `invalid_argument`).
    #[error("invalid input: {code}")]
    InvalidInput {
        /// Stable code.
        code: String,
        /// For the operator, Simplified Chinese.
        message_zh: String,
        /// For the operator, English.
        message_en: String,
    },
    /// The state file cannot be written (`state_not_writable`).
    #[error("state not writable: {code}")]
    StateNotWritable {
        /// Stable code.
        code: String,
        /// For the operator, Simplified Chinese.
        message_zh: String,
        /// For the operator, English.
        message_en: String,
    },
    /// The verifier was closed (`closed`) or a call panicked (`internal`).
    #[error("internal: {code}")]
    Internal {
        /// Stable code.
        code: String,
        /// For the operator, Simplified Chinese.
        message_zh: String,
        /// For the operator, English.
        message_en: String,
    },
}

impl TerminalVerifierError {
    fn from_terminal(error: &TerminalError) -> TerminalVerifierError {
        let code = error.code().to_owned();
        let message_zh = error.message(Locale::ZhCn).to_owned();
        let message_en = error.message(Locale::En).to_owned();
        match error {
            TerminalError::Unprovisioned(_) => TerminalVerifierError::NotProvisioned {
                code,
                message_zh,
                message_en,
            },
            TerminalError::StatusList(_) => TerminalVerifierError::StatusListRefused {
                code,
                message_zh,
                message_en,
            },
            TerminalError::Trust(_) | TerminalError::NotAnchored => {
                TerminalVerifierError::InvalidInput {
                    code,
                    message_zh,
                    message_en,
                }
            }
            TerminalError::Write(_) => TerminalVerifierError::StateNotWritable {
                code,
                message_zh,
                message_en,
            },
        }
    }

    fn internal(code: &str) -> TerminalVerifierError {
        TerminalVerifierError::Internal {
            code: code.to_owned(),
            message_zh: "验码设备内部错误，请重启设备；如仍出现，请联系设备厂商。".to_owned(),
            message_en:
                "Internal error in the scanner. Restart it; if this persists, contact the vendor."
                    .to_owned(),
        }
    }
}

/// An accepted code: what the terminal may know.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedCode {
    /// The code's purpose.
    pub purpose: Purpose,
    /// Who presented it.
    pub on_behalf: HolderRole,
    /// When the code was made, Unix seconds.
    pub issued_at: u64,
    /// The device counter.
    pub counter: u32,
    /// When the credential expires, Unix seconds.
    pub credential_not_after: u64,
    /// Fare or admission class (transport, culture and tourism), e.g.
    /// `senior_free`.
    pub concession: Option<String>,
    /// Pseudonymous handle, 16 hex digits (medical, identity).
    pub handle: Option<String>,
    /// Six-digit region code (medical, identity), when carried.
    pub region: Option<u32>,
    /// The school the holder is enrolled at (campus entry, library), when
    /// the credential carries it: a school gate compares it with its own.
    pub affiliation: Option<u32>,
    /// The status list edition checked; null when unchecked (best effort).
    pub status_sequence: Option<u32>,
}

/// The verdict on one code.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum TerminalVerdict {
    /// Let the person through.
    Accepted {
        /// What the code discloses.
        verified: VerifiedCode,
    },
    /// Refuse, and show the message.
    Refused {
        /// The stable code (`replayed`, `revoked`, `made_before_restart`, …).
        code: String,
        /// For the person at the terminal, Simplified Chinese.
        message_zh: String,
        /// For the person at the terminal, English.
        message_en: String,
    },
}

impl From<VerifiedPresentation> for VerifiedCode {
    fn from(verified: VerifiedPresentation) -> VerifiedCode {
        let (concession, handle, region, affiliation) = match verified.disclosure {
            Disclosure::Transport { concession } | Disclosure::CultureTourism { concession } => (
                Some(ConcessionClass::name(concession).to_owned()),
                None,
                None,
                None,
            ),
            Disclosure::Medical { handle, region }
            | Disclosure::Identity { handle, region }
            | Disclosure::EducationExam { handle, region }
            | Disclosure::PersonnelExam { handle, region } => (
                None,
                Some(handle.to_string()),
                region.map(|region| region.get()),
                None,
            ),
            Disclosure::CampusEntry {
                concession,
                affiliation,
            } => (
                Some(ConcessionClass::name(concession).to_owned()),
                None,
                None,
                affiliation.map(|affiliation| affiliation.get()),
            ),
            Disclosure::Library {
                handle,
                concession,
                affiliation,
            } => (
                Some(ConcessionClass::name(concession).to_owned()),
                Some(handle.to_string()),
                None,
                affiliation.map(|affiliation| affiliation.get()),
            ),
        };
        VerifiedCode {
            purpose: verified.purpose,
            on_behalf: verified.on_behalf,
            issued_at: verified.issued_at,
            counter: verified.counter,
            credential_not_after: verified.credential_not_after,
            concession,
            handle,
            region,
            affiliation,
            status_sequence: match verified.status {
                StatusCheck::Checked { sequence } => Some(sequence),
                StatusCheck::Unchecked => None,
            },
        }
    }
}

/// A gate or counter terminal: the offline verifier and its state file.
///
/// Provision once ([`TerminalVerifier::provision`]), then open the same
/// state at every start ([`TerminalVerifier::open`]); install each status
/// list as it arrives, save every few seconds, close when stopping. A
/// verifier dropped without `close` behaves as after a crash: the next open
/// refuses codes made before it (`made_before_restart`).
#[derive(Debug, uniffi::Object)]
pub struct TerminalVerifier {
    terminal: Mutex<Option<Terminal>>,
}

type Outcome<T> = Result<T, TerminalVerifierError>;

impl TerminalVerifier {
    fn wrap(terminal: Terminal) -> Arc<TerminalVerifier> {
        Arc::new(TerminalVerifier {
            terminal: Mutex::new(Some(terminal)),
        })
    }

    /// Runs `work` on the open terminal; a panic or a poisoned lock is
    /// `internal`, a closed verifier `closed`.
    fn with<T>(&self, work: impl FnOnce(&mut Terminal) -> Outcome<T>) -> Outcome<T> {
        let mut guard = self
            .terminal
            .lock()
            .map_err(|_| TerminalVerifierError::internal("internal"))?;
        let terminal = guard
            .as_mut()
            .ok_or_else(|| TerminalVerifierError::internal("closed"))?;
        catch_unwind(AssertUnwindSafe(|| work(terminal)))
            .unwrap_or_else(|_| Err(TerminalVerifierError::internal("internal")))
    }
}

fn guarded<T>(work: impl FnOnce() -> Outcome<T>) -> Outcome<T> {
    catch_unwind(AssertUnwindSafe(work))
        .unwrap_or_else(|_| Err(TerminalVerifierError::internal("internal")))
}

#[uniffi::export]
impl TerminalVerifier {
    /// Opens the terminal whose state file is `state_path` at Unix time
    /// `now`. Never fails: a missing or damaged state gives a verifier that
    /// refuses every code with `not_provisioned` (see `is_provisioned`).
    #[uniffi::constructor]
    pub fn open(state_path: String, now: u64) -> Arc<TerminalVerifier> {
        TerminalVerifier::wrap(Terminal::open(Path::new(&state_path), now))
    }

    /// Provisions a terminal at `state_path`, replacing any state there, for
    /// `purposes`, with the trust list as the platform serves it (the signed
    /// envelope of `GET /v1/trust-list`) and the authority keys to pin (the
    /// JSON of `GET /admin/trust/authority-keys`, or `suite:key` lines).
    /// `status_max_age_seconds`: the oldest status list a verdict may rest
    /// on (86,400 is the default); null for best effort.
    #[uniffi::constructor]
    pub fn provision(
        state_path: String,
        trust_list_json: String,
        authority_keys: String,
        purposes: Vec<Purpose>,
        status_max_age_seconds: Option<u64>,
        now: u64,
    ) -> Outcome<Arc<TerminalVerifier>> {
        guarded(|| {
            if purposes.is_empty() {
                return Err(TerminalVerifierError::InvalidInput {
                    code: "invalid_argument".to_owned(),
                    message_zh: "至少须选择一种用途。".to_owned(),
                    message_en: "Choose at least one purpose.".to_owned(),
                });
            }
            let mut settings = TerminalSettings::for_purposes(&purposes);
            settings.status_max_age_seconds = status_max_age_seconds;
            let terminal = Terminal::provision_signed(
                Path::new(&state_path),
                &trust_list_json,
                &authority_keys,
                settings,
                now,
            )
            .map_err(|error| TerminalVerifierError::from_terminal(&error))?;
            Ok(TerminalVerifier::wrap(terminal))
        })
    }

    /// Whether the terminal is provisioned (false: it refuses every code).
    pub fn is_provisioned(&self) -> bool {
        self.with(|terminal| Ok(terminal.problem().is_none()))
            .unwrap_or(false)
    }

    /// Installs a signed status list (`GET /v1/status-lists/{n}`) and saves
    /// the state; returns its sequence.
    pub fn install_status_list(&self, bytes: Vec<u8>, now: u64) -> Outcome<u32> {
        self.with(|terminal| {
            terminal
                .install_status_list(&bytes, now)
                .map_err(|error| TerminalVerifierError::from_terminal(&error))
        })
    }

    /// Verifies a code's text at Unix time `now`.
    pub fn verify(&self, code: String, now: u64) -> Outcome<TerminalVerdict> {
        self.with(|terminal| {
            Ok(match terminal.verify(&code, now) {
                Ok(verified) => TerminalVerdict::Accepted {
                    verified: verified.into(),
                },
                Err(error) => TerminalVerdict::Refused {
                    code: error.code().to_owned(),
                    message_zh: error.message(Locale::ZhCn).to_owned(),
                    message_en: error.message(Locale::En).to_owned(),
                },
            })
        })
    }

    /// Writes the state (the verifier stays open).
    pub fn save(&self, now: u64) -> Outcome<()> {
        self.with(|terminal| {
            terminal
                .save(now)
                .map_err(|error| TerminalVerifierError::from_terminal(&error))
        })
    }

    /// Writes the state and marks it closed; later calls fail with `closed`.
    /// Closing twice is a no-op.
    pub fn close(&self, now: u64) -> Outcome<()> {
        guarded(|| {
            let taken = self
                .terminal
                .lock()
                .map_err(|_| TerminalVerifierError::internal("internal"))?
                .take();
            match taken {
                Some(terminal) => terminal
                    .close(now)
                    .map_err(|error| TerminalVerifierError::from_terminal(&error)),
                None => Ok(()),
            }
        })
    }
}
