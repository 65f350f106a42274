//! A gate or counter terminal around the offline verifier.
//!
//! The verifier ([`ecard_credential::Verifier`]) does no I/O. A terminal
//! also has to survive restarts without weakening: what it learnt about
//! revocations (installed status lists, so an older one is refused as a
//! rollback) and which codes it accepted (so a replay stays refused) are
//! kept in a state file ([`state_file`]). The rules:
//!
//! - A terminal starts only from a state file written by
//!   [`Terminal::provision`]. A missing, damaged or unreadable file leaves
//!   it **refusing every code** ([`VerifyError::NotProvisioned`]) until it is
//!   provisioned again; it never falls back to accepting everything.
//! - [`Terminal::open`] marks the file as in use before the first scan. If
//!   the previous process never closed it (a crash, a power loss), the
//!   accepts since its last save may be lost, so codes made before this
//!   start are refused ([`VerifyError::MadeBeforeRestart`]); a phone's next
//!   code passes. If marking the file fails (a full disk), the terminal
//!   refuses every code rather than run without that guarantee.
//! - [`Terminal::save`] writes the state (a long-running gate calls it
//!   every few seconds); [`Terminal::close`] writes it and marks it closed.
//!
//! The trust list and the verifier policy are part of the provisioned
//! state, so an operator provisions once and a restart changes nothing.
//! So is the terminal's side of clearing with its operator's other
//! terminals ([`Terminal::clearing_report`]): the accepts not yet reported
//! and the platform's cursor.

pub mod state_file;

use std::path::{Path, PathBuf};

use ecard_credential::trust::{AuthorityKey, SignedTrustList, TrustAnchor};
use ecard_credential::{
    Acceptance, Affiliation, Locale, OnBehalfPolicy, Purpose, PurposeSet, StatusListError,
    StatusPolicy, TrustList, TrustListError, VerifiedPresentation, Verifier, VerifierPolicy,
    VerifierState, VerifyError,
};
use serde::{Deserialize, Serialize};

pub use state_file::ReadProblem;

/// The state file's `format`.
pub const STATE_FORMAT: &str = "ecard-terminal-state";
const STATE_VERSION: u32 = 1;

/// Most acceptances one clearing report carries (the platform's limit for
/// `POST /v1/operator/acceptances`).
pub const MAX_REPORT_ACCEPTANCES: usize = 1_000;

/// How a terminal verifies, as an operator provisions it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalSettings {
    /// The purposes this terminal serves.
    pub purposes: Vec<Purpose>,
    /// Oldest status list a verdict may rest on, seconds; `None` checks
    /// status only where a current list is at hand (best effort, an
    /// explicit choice).
    pub status_max_age_seconds: Option<u64>,
    /// Purposes that accept a family proxy's code.
    pub proxy_purposes: Vec<Purpose>,
    /// Purposes that accept a guardian's code.
    pub guardian_purposes: Vec<Purpose>,
    /// The school this terminal belongs to (a school gate or library):
    /// campus codes must carry this affiliation. `None`, and absent from
    /// state files written before it existed: no affiliation is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<Affiliation>,
}

impl TerminalSettings {
    /// The verifier's defaults for `purposes` (a status list no older than a
    /// day, the default on-behalf policy).
    pub fn for_purposes(purposes: &[Purpose]) -> TerminalSettings {
        TerminalSettings::from_policy(purposes, &VerifierPolicy::for_purposes(purposes))
    }

    /// The settings of a verifier policy for `purposes` (a region's, for
    /// example: `RegionalRules::verifier_policy`).
    pub fn from_policy(purposes: &[Purpose], policy: &VerifierPolicy) -> TerminalSettings {
        TerminalSettings {
            purposes: purposes.to_vec(),
            status_max_age_seconds: match policy.status {
                StatusPolicy::Required { max_age_seconds } => Some(max_age_seconds),
                StatusPolicy::BestEffort => None,
            },
            proxy_purposes: policy.on_behalf.proxy.iter().collect(),
            guardian_purposes: policy.on_behalf.guardian.iter().collect(),
            affiliation: policy.affiliation,
        }
    }

    /// The settings for `purposes` under a region's rules document (the
    /// JSON of `GET /v1/rules/{region}`): its on-behalf rules (who may
    /// present for whom, per purpose) and the oldest status list it rests a
    /// verdict on, as `RegionalRules::verifier_policy` of `ecard-api` reads
    /// them. A document without an `on_behalf` section gets the verifier's
    /// default policy, one without `status_list_max_age_hours` a day.
    pub fn from_rules_json(
        purposes: &[Purpose],
        rules_json: &str,
    ) -> Result<TerminalSettings, RulesError> {
        let rules: TerminalRules =
            serde_json::from_str(rules_json).map_err(|error| RulesError(error.to_string()))?;
        let mut policy = VerifierPolicy::for_purposes(purposes);
        if let Some(on_behalf) = rules.on_behalf {
            policy.on_behalf = OnBehalfPolicy {
                proxy: PurposeSet::of(&on_behalf.proxy),
                guardian: PurposeSet::of(&on_behalf.guardian),
            };
        }
        policy.status = StatusPolicy::Required {
            max_age_seconds: u64::from(rules.status_list_max_age_hours) * 3_600,
        };
        Ok(TerminalSettings::from_policy(purposes, &policy))
    }

    /// The verifier policy these settings give.
    pub fn policy(&self) -> VerifierPolicy {
        let mut policy = VerifierPolicy::for_purposes(&self.purposes);
        policy.status = match self.status_max_age_seconds {
            Some(max_age_seconds) => StatusPolicy::Required { max_age_seconds },
            None => StatusPolicy::BestEffort,
        };
        policy.on_behalf = OnBehalfPolicy {
            proxy: PurposeSet::of(&self.proxy_purposes),
            guardian: PurposeSet::of(&self.guardian_purposes),
        };
        policy.affiliation = self.affiliation;
        policy
    }
}

/// The part of a region's rules document a terminal applies (the document
/// is `ecard_api::rules::RegionalRules`; the other settings are ignored).
#[derive(Deserialize)]
struct TerminalRules {
    /// Present in every rules document: an object without it is not one.
    #[allow(dead_code, reason = "read only to recognise a rules document")]
    region: String,
    #[serde(default)]
    on_behalf: Option<OnBehalfSection>,
    #[serde(default = "default_status_list_max_age_hours")]
    status_list_max_age_hours: u32,
}

#[derive(Deserialize)]
struct OnBehalfSection {
    proxy: Vec<Purpose>,
    guardian: Vec<Purpose>,
    #[allow(dead_code, reason = "required by the document; for auditors")]
    source: String,
}

fn default_status_list_max_age_hours() -> u32 {
    24
}

/// A regional rules document that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a regional rules document: {0}")]
pub struct RulesError(pub String);

impl RulesError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        "malformed_rules"
    }

    /// A plain-language message for the terminal's operator.
    pub fn message(&self, locale: Locale) -> &'static str {
        locale.pick(
            "地区规则文件无法读取（不是有效的地区规则），请从平台重新获取。",
            "The regional rules cannot be read (not a valid rules document). Fetch them again from the platform.",
        )
    }
}

/// The terminal's side of clearing, kept in the state file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct ClearingState {
    /// The cursor of the platform's last answer (`after` of the next report).
    after: Option<u64>,
    /// Accepts taken for a report and not yet answered, oldest first.
    unanswered: Vec<Acceptance>,
}

/// What the next clearing report (`POST /v1/operator/acceptances`) carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClearingReport {
    /// The cursor of the last answer; `None` before the first one.
    pub after: Option<u64>,
    /// The oldest accepts not yet answered, at most
    /// [`MAX_REPORT_ACCEPTANCES`].
    pub acceptances: Vec<Acceptance>,
    /// Accepts waiting after these: report again once this one is answered.
    pub remaining: usize,
}

/// The state file's contents.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct StateFile {
    format: String,
    version: u32,
    /// When it was written (terminal clock, Unix seconds).
    saved_at: u64,
    /// Whether a process has the terminal open (not closed since).
    open: bool,
    trust_list: TrustList,
    /// The pinned authority keys and the installed list's sequence, when
    /// provisioned with a signed trust list (so later lists are verified
    /// and never roll back, across restarts too).
    #[serde(default)]
    trust_anchor: Option<TrustAnchor>,
    settings: TerminalSettings,
    verifier: VerifierState,
    /// Clearing: accepts not yet reported, and the platform's cursor.
    #[serde(default)]
    clearing: ClearingState,
}

/// Why a terminal refuses every code until it is provisioned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unprovisioned {
    /// The state file could not be read or is damaged.
    #[error(transparent)]
    State(#[from] ReadProblem),
    /// The state file reads, but its contents are not a usable state.
    #[error("the state file is not a usable terminal state: {0}")]
    Unusable(String),
    /// The state file could not be marked as in use (a full or read-only
    /// disk), so a crash could not be told apart from a clean stop.
    #[error("the state file cannot be written: {0}")]
    NotWritable(String),
}

/// What went wrong with a terminal operation (not a verdict on a code).
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    /// The terminal is not provisioned.
    #[error("the terminal is not provisioned: {0}")]
    Unprovisioned(Unprovisioned),
    /// A status list was refused.
    #[error(transparent)]
    StatusList(#[from] StatusListError),
    /// The terminal was provisioned with an unsigned trust list, so it
    /// cannot verify a new one: provision it again.
    #[error("the terminal holds no pinned authority key")]
    NotAnchored,
    /// The trust list cannot be used.
    #[error(transparent)]
    Trust(#[from] ecard_credential::TrustListError),
    /// Writing the state file failed.
    #[error("the state file cannot be written: {0}")]
    Write(#[from] std::io::Error),
}

impl TerminalError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            TerminalError::Unprovisioned(_) => "not_provisioned",
            TerminalError::StatusList(error) => error.code(),
            TerminalError::NotAnchored => "not_anchored",
            TerminalError::Trust(error) => error.code(),
            TerminalError::Write(_) => "state_not_writable",
        }
    }

    /// A plain-language message for the terminal's operator.
    pub fn message(&self, locale: Locale) -> &'static str {
        match self {
            TerminalError::Unprovisioned(_) => VerifyError::NotProvisioned.message(locale),
            TerminalError::StatusList(error) => error.message(locale),
            TerminalError::NotAnchored => locale.pick(
                "验码设备未固定信任根密钥，无法更新信任名单，请重新配置验码设备。",
                "This scanner pins no authority key and cannot update its trust list. Set it up again.",
            ),
            TerminalError::Trust(error) => error.message(locale),
            TerminalError::Write(_) => locale.pick(
                "验码设备无法保存状态（存储空间已满或不可写），暂停验码。",
                "The scanner cannot save its state (storage full or read-only) and has stopped checking codes.",
            ),
        }
    }
}

struct Provisioned {
    trust_list: TrustList,
    trust_anchor: Option<TrustAnchor>,
    settings: TerminalSettings,
    verifier: Verifier,
    clearing: ClearingState,
    /// How many of `clearing.unanswered` the last report built carried.
    in_flight: usize,
}

/// A terminal: a verifier whose state lives in a file.
pub struct Terminal {
    path: PathBuf,
    state: Result<Provisioned, Unprovisioned>,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Terminal")
            .field("path", &self.path)
            .field("provisioned", &self.state.is_ok())
            .finish_non_exhaustive()
    }
}

impl Terminal {
    /// Provisions a terminal at `path` with a trust list and settings. When
    /// it replaces a state there, the installed status lists and remembered
    /// codes are dropped, so codes made before now are refused. The terminal
    /// is open; [`Terminal::close`] it when done.
    pub fn provision(
        path: &Path,
        trust_list: TrustList,
        settings: TerminalSettings,
        now: u64,
    ) -> Result<Terminal, TerminalError> {
        Terminal::provision_state(path, trust_list, None, settings, now)
    }

    /// Provisions a terminal with a trust anchor: the pinned authority keys
    /// and the signed trust list installed through them
    /// ([`TrustAnchor::install`]). Later lists go through
    /// [`Terminal::install_trust_list`] and never roll back.
    pub fn provision_anchored(
        path: &Path,
        anchor: TrustAnchor,
        settings: TerminalSettings,
        now: u64,
    ) -> Result<Terminal, TerminalError> {
        let trust_list = anchor
            .trust_list()
            .cloned()
            .ok_or(TerminalError::Trust(TrustListError::Unsigned))?;
        Terminal::provision_state(path, trust_list, Some(anchor), settings, now)
    }

    /// Provisions a terminal from the trust list as the platform serves it
    /// (the signed envelope, `GET /v1/trust-list`) and the authority keys
    /// to pin (`AuthorityKey::parse_pins` text: the JSON of
    /// `GET /admin/trust/authority-keys`, `suite:key` or a bare base64url
    /// key, one per line). An unsigned list is refused (`unsigned_trust_list`).
    pub fn provision_signed(
        path: &Path,
        signed_trust_list_json: &str,
        authority_keys: &str,
        settings: TerminalSettings,
        now: u64,
    ) -> Result<Terminal, TerminalError> {
        let signed = SignedTrustList::from_json(signed_trust_list_json)?;
        let pins = AuthorityKey::parse_pins(authority_keys)?;
        if pins.is_empty() {
            return Err(TerminalError::NotAnchored);
        }
        let mut anchor = TrustAnchor::new(pins);
        anchor.install(&signed, now)?;
        Terminal::provision_anchored(path, anchor, settings, now)
    }

    fn provision_state(
        path: &Path,
        trust_list: TrustList,
        trust_anchor: Option<TrustAnchor>,
        settings: TerminalSettings,
        now: u64,
    ) -> Result<Terminal, TerminalError> {
        let mut verifier = Verifier::new(&trust_list, settings.policy())?;
        if path.exists() {
            // A state replaced: the codes it had accepted are forgotten.
            verifier.refuse_codes_made_before(now);
        }
        let mut terminal = Terminal {
            path: path.to_owned(),
            state: Ok(Provisioned {
                trust_list,
                trust_anchor,
                settings,
                verifier,
                clearing: ClearingState::default(),
                in_flight: 0,
            }),
        };
        terminal.write(now, true)?;
        Ok(terminal)
    }

    /// Verifies a new signed trust list against the pinned authority keys
    /// (no rollback, rotation with overlap), switches to it and saves the
    /// state. Status lists whose keys it still holds stay installed.
    pub fn install_trust_list(
        &mut self,
        signed: &SignedTrustList,
        now: u64,
    ) -> Result<u64, TerminalError> {
        let state = self.provisioned()?;
        let anchor = state
            .trust_anchor
            .as_mut()
            .ok_or(TerminalError::NotAnchored)?;
        let mut next = anchor.clone();
        let list = next.install(signed, now)?.clone();
        state.verifier = state.verifier.with_trust_list(&list, now)?;
        *anchor = next;
        let sequence = list.sequence;
        state.trust_list = list;
        self.write(now, true)?;
        Ok(sequence)
    }

    /// Opens the terminal whose state is at `path`. Never fails: a missing,
    /// damaged or unwritable state leaves a terminal that refuses every
    /// code ([`Terminal::problem`] says why).
    pub fn open(path: &Path, now: u64) -> Terminal {
        let mut terminal = Terminal {
            path: path.to_owned(),
            state: Terminal::load(path, now),
        };
        if terminal.state.is_ok()
            && let Err(error) = terminal.write(now, true)
        {
            terminal.state = Err(Unprovisioned::NotWritable(error.to_string()));
        }
        terminal
    }

    fn load(path: &Path, now: u64) -> Result<Provisioned, Unprovisioned> {
        let body = state_file::read(path)?;
        let file: StateFile = serde_json::from_slice(&body)
            .map_err(|error| Unprovisioned::Unusable(error.to_string()))?;
        if file.format != STATE_FORMAT || file.version != STATE_VERSION {
            return Err(Unprovisioned::Unusable(format!(
                "{} version {}",
                file.format, file.version
            )));
        }
        let mut verifier = Verifier::restore(
            &file.trust_list,
            file.settings.policy(),
            &file.verifier,
            now,
        )
        .map_err(|error| Unprovisioned::Unusable(error.to_string()))?;
        if file.open {
            // The last process stopped without closing: its last accepts
            // may be lost.
            verifier.refuse_codes_made_before(now);
        }
        Ok(Provisioned {
            trust_list: file.trust_list,
            trust_anchor: file.trust_anchor,
            settings: file.settings,
            verifier,
            clearing: file.clearing,
            in_flight: 0,
        })
    }

    /// Why the terminal refuses every code, if it does.
    pub fn problem(&self) -> Option<&Unprovisioned> {
        self.state.as_ref().err()
    }

    /// The settings it was provisioned with.
    pub fn settings(&self) -> Option<&TerminalSettings> {
        self.state.as_ref().ok().map(|state| &state.settings)
    }

    /// Makes this a terminal of the school `affiliation` (or, with `None`,
    /// of none) and saves the state: from the next scan, a campus code
    /// (campus entry, library) passes only with this affiliation
    /// (`wrong_affiliation`). Kept in the state file with the other
    /// settings.
    pub fn set_affiliation(
        &mut self,
        affiliation: Option<Affiliation>,
        now: u64,
    ) -> Result<(), TerminalError> {
        let state = self.provisioned()?;
        state.settings.affiliation = affiliation;
        state.verifier.set_affiliation(affiliation);
        self.write(now, true)
    }

    /// Verifies a code at `now`.
    pub fn verify(&mut self, code: &str, now: u64) -> Result<VerifiedPresentation, VerifyError> {
        match &mut self.state {
            Ok(state) => state.verifier.verify(code, now),
            Err(_) => Err(VerifyError::NotProvisioned),
        }
    }

    /// Installs a signed status list and saves the state.
    pub fn install_status_list(&mut self, bytes: &[u8], now: u64) -> Result<u32, TerminalError> {
        let sequence = self
            .provisioned()?
            .verifier
            .install_status_list(bytes, now)?;
        self.write(now, true)?;
        Ok(sequence)
    }

    /// Applies a signed status list delta to the installed edition it starts
    /// from and saves the state. Without that edition it is refused
    /// (`status_delta_base_missing`): install the full list instead. A delta
    /// may grow the list (credentials allocated since the base); one with no
    /// changes to the installed sequence renews its validity.
    pub fn install_status_delta(&mut self, bytes: &[u8], now: u64) -> Result<u32, TerminalError> {
        let sequence = self
            .provisioned()?
            .verifier
            .install_status_delta(bytes, now)?;
        self.write(now, true)?;
        Ok(sequence)
    }

    /// The codes accepted since the last call, to report to the operator.
    pub fn take_acceptances(&mut self) -> Vec<Acceptance> {
        self.state
            .as_mut()
            .map(|state| state.verifier.take_acceptances())
            .unwrap_or_default()
    }

    /// Records a code another terminal of the operator accepted.
    pub fn note_accepted_elsewhere(&mut self, accepted: &Acceptance, now: u64) {
        if let Ok(state) = &mut self.state {
            state.verifier.note_accepted_elsewhere(accepted, now);
        }
    }

    /// The next report to the operator's platform: the accepts not yet
    /// answered (those taken for an earlier report that got no answer
    /// first, then those since), at most [`MAX_REPORT_ACCEPTANCES`], with
    /// the cursor of the last answer. Nothing is forgotten until
    /// [`Terminal::clearing_answered`] is called with the answer to this
    /// report: build the report again and resend it after a failed post
    /// (the platform stores each accept once). The unanswered accepts are
    /// kept in the state file at the next save.
    pub fn clearing_report(&mut self) -> Result<ClearingReport, TerminalError> {
        let state = self.provisioned()?;
        let taken = state.verifier.take_acceptances();
        state.clearing.unanswered.extend(taken);
        let count = state.clearing.unanswered.len().min(MAX_REPORT_ACCEPTANCES);
        state.in_flight = count;
        Ok(ClearingReport {
            after: state.clearing.after,
            acceptances: state.clearing.unanswered[..count].to_vec(),
            remaining: state.clearing.unanswered.len() - count,
        })
    }

    /// Takes the platform's answer to the last report built
    /// ([`Terminal::clearing_report`]): forgets the accepts it carried,
    /// keeps `cursor` for the next report, records each of `recent` (the
    /// accepts of the operator's other terminals) so those codes are
    /// refused here as replayed, and saves the state.
    pub fn clearing_answered(
        &mut self,
        cursor: u64,
        recent: &[Acceptance],
        now: u64,
    ) -> Result<(), TerminalError> {
        let state = self.provisioned()?;
        let answered = std::mem::take(&mut state.in_flight).min(state.clearing.unanswered.len());
        state.clearing.unanswered.drain(..answered);
        state.clearing.after = Some(cursor);
        for accepted in recent {
            state.verifier.note_accepted_elsewhere(accepted, now);
        }
        self.write(now, true)
    }

    /// Writes the state (the terminal stays open).
    pub fn save(&mut self, now: u64) -> Result<(), TerminalError> {
        self.write(now, true)
    }

    /// Writes the state and marks it closed: the next [`Terminal::open`]
    /// trusts it completely.
    pub fn close(mut self, now: u64) -> Result<(), TerminalError> {
        if self.state.is_ok() {
            self.write(now, false)?;
        }
        Ok(())
    }

    fn provisioned(&mut self) -> Result<&mut Provisioned, TerminalError> {
        self.state
            .as_mut()
            .map_err(|problem| TerminalError::Unprovisioned(problem.clone()))
    }

    fn write(&mut self, now: u64, open: bool) -> Result<(), TerminalError> {
        let state = self.provisioned()?;
        let file = StateFile {
            format: STATE_FORMAT.to_owned(),
            version: STATE_VERSION,
            saved_at: now,
            open,
            trust_list: state.trust_list.clone(),
            trust_anchor: state.trust_anchor.clone(),
            settings: state.settings.clone(),
            verifier: state.verifier.state(now),
            clearing: state.clearing.clone(),
        };
        let body = serde_json::to_vec_pretty(&file)
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        state_file::write(&self.path, &body)?;
        Ok(())
    }
}
