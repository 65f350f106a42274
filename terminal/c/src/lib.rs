//! The terminal SDK for gate and POS vendors: a C ABI over
//! [`ecard_terminal::Terminal`].
//!
//! The header `include/ecard_terminal.h` is generated from this file with
//! cbindgen (`tests/header.rs` fails when it is out of date;
//! `ECARD_UPDATE_HEADER=1 cargo test -p ecard-terminal-c --test header`
//! rewrites it). The contract, in short (details in `docs/terminals.md`,
//! "C SDK"):
//!
//! - **Handles.** `ecard_terminal_open` and `ecard_terminal_provision` hand
//!   out an `EcardTerminal *`; `ecard_terminal_close` (a clean stop) or
//!   `ecard_terminal_free` (as a crash would) release it. One handle is used
//!   by one thread at a time.
//! - **Strings.** Every `const char *` the library returns (error codes,
//!   messages, concession names) is a static, NUL-terminated UTF-8 string
//!   owned by the library and valid until the process ends: the caller
//!   never frees one. The one exception is the `char *json` of a clearing
//!   report, released with `ecard_terminal_clearing_report_free`.
//!   Everything else is returned by value. The caller owns every argument
//!   and may reuse it as soon as the call returns.
//! - **Clearing.** `ecard_terminal_clearing_report` writes the body of
//!   `POST /v1/operator/acceptances` and `ecard_terminal_clearing_answer`
//!   reads the platform's answer: the vendor's HTTP code posts bytes and
//!   hands back bytes, and never parses JSON.
//! - **Errors.** Operations return an [`EcardTerminalResult`], verification
//!   an [`EcardTerminalVerdict`]: a stable error code (the verifier's, the
//!   terminal's, or `null_argument`, `invalid_utf8`, `invalid_argument`,
//!   `internal`) with messages in Simplified Chinese and English.
//! - **No panic crosses the ABI.** Every entry point runs inside
//!   [`std::panic::catch_unwind`]; a panic becomes `internal`, and a
//!   terminal that panicked refuses every later code with `internal`.
//!   NULL pointers and invalid UTF-8 are typed errors, never undefined
//!   behaviour.
//!
//! This is the one crate of the workspace with `unsafe` code: reading the
//! caller's pointers. Each block says why it is sound (`// SAFETY:`), and
//! `clippy::undocumented_unsafe_blocks` holds that.

#![deny(clippy::undocumented_unsafe_blocks)]

use std::collections::BTreeMap;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use ecard_credential::{
    Acceptance, Affiliation, ConcessionClass, Disclosure, HolderRole, Locale, Purpose, StatusCheck,
    TrustList, VerifiedPresentation, VerifyError,
};
use ecard_terminal::{RulesError, Terminal, TerminalError, TerminalSettings};
use serde::{Deserialize, Serialize};

/// Version of this C ABI; raised when a signature or a struct changes.
/// Version 2: purposes 5–8, `EcardTerminalVerdict::affiliation` and
/// `ecard_terminal_set_affiliation`.
pub const ECARD_TERMINAL_ABI_VERSION: u32 = 2;

/// Purpose bit: bus and metro gates.
pub const ECARD_PURPOSE_TRANSPORT: u32 = 1;
/// Purpose bit: hospitals and pharmacies.
pub const ECARD_PURPOSE_MEDICAL: u32 = 2;
/// Purpose bit: government, hotel and bank counters.
pub const ECARD_PURPOSE_IDENTITY: u32 = 4;
/// Purpose bit: libraries, museums, scenic spots.
pub const ECARD_PURPOSE_CULTURE_TOURISM: u32 = 8;
/// Purpose bit: school gates (campus entry; credential format version 2).
pub const ECARD_PURPOSE_CAMPUS_ENTRY: u32 = 16;
/// Purpose bit: school and university libraries (format version 2).
pub const ECARD_PURPOSE_LIBRARY: u32 = 32;
/// Purpose bit: education examinations (format version 2).
pub const ECARD_PURPOSE_EDUCATION_EXAM: u32 = 64;
/// Purpose bit: personnel examinations (format version 2).
pub const ECARD_PURPOSE_PERSONNEL_EXAM: u32 = 128;

/// `affiliation` of `ecard_terminal_set_affiliation` for a terminal of no
/// school, and of a verdict that discloses none.
pub const ECARD_AFFILIATION_NONE: u32 = 0;
/// The largest school number (three bytes).
pub const ECARD_AFFILIATION_MAX: u32 = 16_777_215;

/// Presented by the cardholder's own device.
pub const ECARD_ROLE_HOLDER: u32 = 0;
/// Presented by a family proxy acting for an elderly relative.
pub const ECARD_ROLE_PROXY: u32 = 1;
/// Presented by the guardian of a minor.
pub const ECARD_ROLE_GUARDIAN: u32 = 2;

/// `status_max_age_seconds` for best effort: check revocation only where a
/// current status list is at hand (an explicit choice of the operator).
pub const ECARD_STATUS_BEST_EFFORT: i64 = -1;
/// The default oldest status list a verdict may rest on: a day.
pub const ECARD_STATUS_MAX_AGE_DEFAULT: i64 = 86_400;

/// `status_max_age_seconds` of `ecard_terminal_provision_with_rules`: the
/// oldest status list the region's rules allow (`status_list_max_age_hours`).
pub const ECARD_STATUS_MAX_AGE_RULES: i64 = -2;

/// Most accepts one clearing report carries (the platform's limit;
/// `ecard_terminal::MAX_REPORT_ACCEPTANCES`, a test keeps them equal).
pub const ECARD_CLEARING_MAX_ACCEPTANCES: usize = 1_000;

/// `concession` when the code's purpose does not disclose one.
pub const ECARD_CONCESSION_NONE: i32 = -1;

/// A terminal: the verifier and its state file. Opaque; made by
/// `ecard_terminal_open` or `ecard_terminal_provision`, released by
/// `ecard_terminal_close` or `ecard_terminal_free`.
pub struct EcardTerminal {
    terminal: Terminal,
    /// Set when a call panicked: the state may be inconsistent, so the
    /// handle refuses everything with `internal` from then on.
    poisoned: bool,
}

/// The outcome of an operation (not a verdict on a code).
///
/// On success `ok` is true and the three strings are NULL. On failure they
/// are static strings owned by the library (never freed by the caller).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EcardTerminalResult {
    /// Whether the operation succeeded.
    pub ok: bool,
    /// The stable error code, e.g. `not_provisioned`, `status_list_rollback`.
    pub code: *const c_char,
    /// A message for the operator, Simplified Chinese.
    pub message_zh: *const c_char,
    /// The same message in English.
    pub message_en: *const c_char,
}

/// The verdict on one code.
///
/// When `valid` is false, `error_code`, `message_zh` and `message_en` say
/// why (static strings owned by the library) and the other fields are zero
/// (`concession` is `ECARD_CONCESSION_NONE`).
/// When it is true those three are NULL and the rest describes the code.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EcardTerminalVerdict {
    /// Whether the code is accepted.
    pub valid: bool,
    /// The stable error code of a refusal, e.g. `replayed`, `revoked`.
    pub error_code: *const c_char,
    /// A message for the person at the terminal, Simplified Chinese.
    pub message_zh: *const c_char,
    /// The same message in English.
    pub message_en: *const c_char,
    /// The code's purpose, one `ECARD_PURPOSE_*` bit.
    pub purpose: u32,
    /// Who presented it: `ECARD_ROLE_HOLDER`, `_PROXY` or `_GUARDIAN`.
    pub on_behalf: u32,
    /// When the code was made, Unix seconds.
    pub issued_at: u64,
    /// The device counter.
    pub counter: u32,
    /// When the credential expires, Unix seconds.
    pub credential_not_after: u64,
    /// Disclosed fare or admission class (transport, culture and tourism,
    /// campus entry, library):
    /// 0 standard, 1 senior, 2 senior_free, 3 student, 4 disability,
    /// 5 entitled, 6 child; `ECARD_CONCESSION_NONE` when not disclosed.
    pub concession: i32,
    /// The same class by name (`senior_free`), NULL when not disclosed.
    pub concession_name: *const c_char,
    /// Disclosed pseudonymous handle (medical, identity, library,
    /// examinations): 16 lowercase hex
    /// digits and a NUL; an empty string when not disclosed.
    pub handle: [c_char; 17],
    /// Disclosed six-digit region code (medical, identity, examinations);
    /// 0 when none.
    pub region: u32,
    /// Disclosed school number (campus entry, library);
    /// `ECARD_AFFILIATION_NONE` when none.
    pub affiliation: u32,
    /// Whether revocation was checked against a status list.
    pub status_checked: bool,
    /// The sequence of that status list (0 when unchecked).
    pub status_sequence: u32,
    /// Whether the credential came from the verified-credential cache.
    pub credential_cached: bool,
}

/// A clearing report to send as the body of
/// `POST /v1/operator/acceptances` (with `Authorization: Bearer op_…` and
/// `Content-Type: application/json`).
///
/// `json` is allocated by the library: release it with
/// `ecard_terminal_clearing_report_free` once sent (whether or not the post
/// succeeded). It is NULL when there is no report (after a failure, or
/// once released).
#[repr(C)]
#[derive(Debug)]
pub struct EcardTerminalClearingReport {
    /// The request body: NUL-terminated UTF-8 JSON, owned by the library.
    pub json: *mut c_char,
    /// Its length in bytes without the NUL (the `Content-Length`).
    pub len: usize,
    /// The accepts this report carries (0 is a report too: it fetches what
    /// the other terminals accepted).
    pub acceptances: usize,
    /// Accepts waiting after these (more than `ECARD_CLEARING_MAX_ACCEPTANCES`
    /// were pending): report again as soon as this one is answered.
    pub remaining: usize,
}

/// What `ecard_terminal_clearing_answer` found in the platform's answer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct EcardTerminalClearingAnswer {
    /// Accepts of the operator's other terminals now refused here as
    /// `replayed` (the answer's `recent`).
    pub recent: usize,
    /// Codes accepted at two or more of the operator's terminals (the
    /// answer's `duplicates`): the back office's clearing report, read from
    /// the answer's JSON by whoever wants it.
    pub duplicates: usize,
    /// The answer's cursor, kept in the state and sent as `after` next time.
    pub cursor: u64,
}

const NO_REPORT: EcardTerminalClearingReport = EcardTerminalClearingReport {
    json: std::ptr::null_mut(),
    len: 0,
    acceptances: 0,
    remaining: 0,
};

/// The body of `POST /v1/operator/acceptances` (`ecard_api::clearing::AcceptanceReport`).
#[derive(Serialize)]
struct ReportBody<'a> {
    terminal_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<u64>,
    acceptances: &'a [Acceptance],
}

/// The platform's answer (`ecard_api::clearing::ClearingAnswer`); the
/// duplicates are only counted.
#[derive(Deserialize)]
struct AnswerBody {
    duplicates: Vec<serde::de::IgnoredAny>,
    recent: Vec<Acceptance>,
    cursor: u64,
}

/// Whether `terminal_id` is 1–64 characters of `A-Z a-z 0-9 . _ -` (as the
/// platform requires).
fn terminal_id_is_well_formed(terminal_id: &str) -> bool {
    (1..=64).contains(&terminal_id.len())
        && terminal_id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

/// Static, NUL-terminated copies of up to three strings, made once per set
/// and kept for the life of the process (the set of strings is fixed: codes
/// and messages are `&'static str` in the Rust crates). One lookup per
/// error, keyed by where its strings live. A B-tree, not a hash map: its
/// nodes are referenced from their start, so leak checkers see the strings
/// as reachable, not "possibly lost".
fn c_texts<const N: usize>(texts: [&'static str; N]) -> [*const c_char; N] {
    type Key = [(usize, usize); 3];
    static TABLE: OnceLock<Mutex<BTreeMap<Key, [&'static CStr; 3]>>> = OnceLock::new();
    let mut key: Key = [(0, 0); 3];
    for (slot, text) in key.iter_mut().zip(texts) {
        *slot = (text.as_ptr() as usize, text.len());
    }
    let table = TABLE.get_or_init(Default::default);
    // A panic while holding the lock cannot leave the map half-written in
    // a harmful way (insert is the only write), so a poisoned lock is used.
    let mut table = table
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let copies = table.entry(key).or_insert_with(|| {
        std::array::from_fn(|index| {
            let text = texts.get(index).copied().unwrap_or_default();
            let owned = CString::new(text)
                .unwrap_or_else(|_| CString::new(text.replace('\0', "")).unwrap_or_default());
            let leaked: &'static CStr = Box::leak(owned.into_boxed_c_str());
            leaked
        })
    });
    std::array::from_fn(|index| copies[index].as_ptr())
}

fn c_text(text: &'static str) -> *const c_char {
    let [pointer] = c_texts([text]);
    pointer
}

/// An error of the C layer itself, or one carried up from the crates.
#[derive(Clone, Copy)]
struct Failure {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
}

impl Failure {
    const INTERNAL: Failure = Failure {
        code: "internal",
        zh: "验码设备内部错误，请重启设备；如仍出现，请联系设备厂商。",
        en: "Internal error in the scanner. Restart it; if this persists, contact the vendor.",
    };
    const NULL_ARGUMENT: Failure = Failure {
        code: "null_argument",
        zh: "调用参数为空指针（NULL）。",
        en: "A required argument is a NULL pointer.",
    };
    const INVALID_UTF8: Failure = Failure {
        code: "invalid_utf8",
        zh: "文本参数不是有效的 UTF-8。",
        en: "A text argument is not valid UTF-8.",
    };
    const INVALID_ARGUMENT: Failure = Failure {
        code: "invalid_argument",
        zh: "调用参数取值无效（用途、状态名单时限、终端编号或学校编号）。",
        en: "An argument has an invalid value (purposes, status-list age, terminal id or school number).",
    };
    const MALFORMED_CLEARING_ANSWER: Failure = Failure {
        code: "malformed_clearing_answer",
        zh: "平台的清分应答无法读取，本次未处理；请重新上报。",
        en: "The platform's clearing answer cannot be read and was not applied. Report again.",
    };

    fn of_rules(error: &RulesError) -> Failure {
        Failure {
            code: error.code(),
            zh: error.message(Locale::ZhCn),
            en: error.message(Locale::En),
        }
    }

    fn of_verify(error: VerifyError) -> Failure {
        Failure {
            code: error.code(),
            zh: error.message(Locale::ZhCn),
            en: error.message(Locale::En),
        }
    }

    fn of_terminal(error: &TerminalError) -> Failure {
        Failure {
            code: error.code(),
            zh: error.message(Locale::ZhCn),
            en: error.message(Locale::En),
        }
    }

    fn result(self) -> EcardTerminalResult {
        let [code, message_zh, message_en] = c_texts([self.code, self.zh, self.en]);
        EcardTerminalResult {
            ok: false,
            code,
            message_zh,
            message_en,
        }
    }

    fn verdict(self) -> EcardTerminalVerdict {
        let [error_code, message_zh, message_en] = c_texts([self.code, self.zh, self.en]);
        EcardTerminalVerdict {
            error_code,
            message_zh,
            message_en,
            ..EMPTY_VERDICT
        }
    }
}

const OK: EcardTerminalResult = EcardTerminalResult {
    ok: true,
    code: std::ptr::null(),
    message_zh: std::ptr::null(),
    message_en: std::ptr::null(),
};

const EMPTY_VERDICT: EcardTerminalVerdict = EcardTerminalVerdict {
    valid: false,
    error_code: std::ptr::null(),
    message_zh: std::ptr::null(),
    message_en: std::ptr::null(),
    purpose: 0,
    on_behalf: 0,
    issued_at: 0,
    counter: 0,
    credential_not_after: 0,
    concession: ECARD_CONCESSION_NONE,
    concession_name: std::ptr::null(),
    handle: [0; 17],
    region: 0,
    affiliation: ECARD_AFFILIATION_NONE,
    status_checked: false,
    status_sequence: 0,
    credential_cached: false,
};

fn to_result(outcome: Result<(), Failure>) -> EcardTerminalResult {
    match outcome {
        Ok(()) => OK,
        Err(failure) => failure.result(),
    }
}

/// Runs `body`, turning a panic into `on_panic()`.
fn guard<T>(on_panic: impl FnOnce() -> T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| on_panic())
}

fn purpose_bit(purpose: Purpose) -> u32 {
    1 << (purpose.id() - 1)
}

fn purposes_of_mask(mask: u32) -> Result<Vec<Purpose>, Failure> {
    let all = Purpose::ALL
        .iter()
        .fold(0, |bits, &p| bits | purpose_bit(p));
    if mask == 0 || mask & !all != 0 {
        return Err(Failure::INVALID_ARGUMENT);
    }
    Ok(Purpose::ALL
        .into_iter()
        .filter(|&purpose| mask & purpose_bit(purpose) != 0)
        .collect())
}

fn role_id(role: HolderRole) -> u32 {
    match role {
        HolderRole::Holder => ECARD_ROLE_HOLDER,
        HolderRole::Proxy => ECARD_ROLE_PROXY,
        HolderRole::Guardian => ECARD_ROLE_GUARDIAN,
    }
}

/// [`ConcessionClass::name`] as a C literal (no allocation per verdict);
/// a test keeps the two in step.
fn concession_name(class: ConcessionClass) -> &'static CStr {
    match class {
        ConcessionClass::Standard => c"standard",
        ConcessionClass::Senior => c"senior",
        ConcessionClass::SeniorFree => c"senior_free",
        ConcessionClass::Student => c"student",
        ConcessionClass::Disability => c"disability",
        ConcessionClass::Entitled => c"entitled",
        ConcessionClass::Child => c"child",
    }
}

fn accepted(verified: &VerifiedPresentation) -> EcardTerminalVerdict {
    let mut verdict = EcardTerminalVerdict {
        valid: true,
        purpose: purpose_bit(verified.purpose),
        on_behalf: role_id(verified.on_behalf),
        issued_at: verified.issued_at,
        counter: verified.counter,
        credential_not_after: verified.credential_not_after,
        credential_cached: verified.credential_cached,
        ..EMPTY_VERDICT
    };
    if let StatusCheck::Checked { sequence } = verified.status {
        verdict.status_checked = true;
        verdict.status_sequence = sequence;
    }
    let (concession, handle, region, affiliation) = match &verified.disclosure {
        Disclosure::Transport { concession } | Disclosure::CultureTourism { concession } => {
            (Some(*concession), None, None, None)
        }
        Disclosure::Medical { handle, region }
        | Disclosure::Identity { handle, region }
        | Disclosure::EducationExam { handle, region }
        | Disclosure::PersonnelExam { handle, region } => (None, Some(*handle), *region, None),
        Disclosure::CampusEntry {
            concession,
            affiliation,
        } => (Some(*concession), None, None, *affiliation),
        Disclosure::Library {
            handle,
            concession,
            affiliation,
        } => (Some(*concession), Some(*handle), None, *affiliation),
    };
    if let Some(concession) = concession {
        verdict.concession = i32::from(concession.id());
        verdict.concession_name = concession_name(concession).as_ptr();
    }
    if let Some(handle) = handle {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (index, byte) in handle.0.iter().enumerate() {
            verdict.handle[2 * index] = HEX[usize::from(byte >> 4)] as c_char;
            verdict.handle[2 * index + 1] = HEX[usize::from(byte & 0x0f)] as c_char;
        }
    }
    verdict.region = region.map_or(0, |region| region.get());
    verdict.affiliation = affiliation.map_or(ECARD_AFFILIATION_NONE, Affiliation::get);
    verdict
}

/// Reads a NUL-terminated argument.
///
/// # Safety
/// `text` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
unsafe fn arg_text<'a>(text: *const c_char) -> Result<&'a str, Failure> {
    if text.is_null() {
        return Err(Failure::NULL_ARGUMENT);
    }
    // SAFETY: not NULL, and the caller promises a NUL-terminated string
    // valid for 'a.
    let text = unsafe { CStr::from_ptr(text) };
    text.to_str().map_err(|_| Failure::INVALID_UTF8)
}

/// Reads a path argument: bytes on Unix (any file name), UTF-8 elsewhere.
///
/// # Safety
/// As [`arg_text`].
unsafe fn arg_path(path: *const c_char) -> Result<PathBuf, Failure> {
    if path.is_null() {
        return Err(Failure::NULL_ARGUMENT);
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        // SAFETY: not NULL, and the caller promises a NUL-terminated string
        // valid during the call.
        let bytes = unsafe { CStr::from_ptr(path) }.to_bytes();
        if bytes.is_empty() {
            return Err(Failure::INVALID_ARGUMENT);
        }
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        // SAFETY: as above.
        let text = unsafe { arg_text(path) }?;
        if text.is_empty() {
            return Err(Failure::INVALID_ARGUMENT);
        }
        Ok(PathBuf::from(text))
    }
}

/// Stores a new handle in `*out`.
///
/// # Safety
/// `out` is valid for a write of one pointer (checked for NULL before).
unsafe fn hand_out(out: *mut *mut EcardTerminal, terminal: Terminal) {
    let handle = Box::into_raw(Box::new(EcardTerminal {
        terminal,
        poisoned: false,
    }));
    // SAFETY: the caller checked `out` for NULL and promises it is writable.
    unsafe { out.write(handle) };
}

/// Runs `body` on the terminal behind `terminal`; a panic poisons it.
///
/// # Safety
/// `terminal` is NULL or a live handle of this library, used by no other
/// thread during the call.
unsafe fn with_terminal<T>(
    terminal: *mut EcardTerminal,
    failed: impl Fn(Failure) -> T,
    body: impl FnOnce(&mut Terminal) -> T,
) -> T {
    // SAFETY: the caller promises a live handle not used elsewhere now, so
    // a unique reference is sound; NULL gives None.
    let Some(handle) = (unsafe { terminal.as_mut() }) else {
        return failed(Failure::NULL_ARGUMENT);
    };
    if handle.poisoned {
        return failed(Failure::INTERNAL);
    }
    match catch_unwind(AssertUnwindSafe(|| body(&mut handle.terminal))) {
        Ok(value) => value,
        Err(_) => {
            handle.poisoned = true;
            failed(Failure::INTERNAL)
        }
    }
}

/// The version of this library, e.g. `0.1.0` (a static string).
#[unsafe(no_mangle)]
pub extern "C" fn ecard_terminal_version() -> *const c_char {
    guard(std::ptr::null, || c_text(env!("CARGO_PKG_VERSION")))
}

/// Opens the terminal whose state file is `state_path`, at Unix time `now`,
/// and stores the handle in `*out`.
///
/// Succeeds whenever the arguments are usable: a missing, damaged or
/// unwritable state gives a handle that refuses every code with
/// `not_provisioned` (`ecard_terminal_problem` says so). If the last process
/// did not close the state (a crash), codes made before `now` are refused
/// with `made_before_restart`.
///
/// # Safety
/// `state_path` is NULL or a NUL-terminated string; `out` is NULL or valid
/// for writing one pointer. `*out` is written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_open(
    state_path: *const c_char,
    now: u64,
    out: *mut *mut EcardTerminal,
) -> EcardTerminalResult {
    guard(
        || Failure::INTERNAL.result(),
        || {
            to_result((|| {
                if out.is_null() {
                    return Err(Failure::NULL_ARGUMENT);
                }
                // SAFETY: the caller promises a NUL-terminated string or NULL.
                let path = unsafe { arg_path(state_path) }?;
                let terminal = Terminal::open(&path, now);
                // SAFETY: `out` is not NULL and the caller promises it is
                // writable.
                unsafe { hand_out(out, terminal) };
                Ok(())
            })())
        },
    )
}

/// Provisions a terminal at `state_path` and stores the open handle in
/// `*out`, replacing any state there (installed status lists and remembered
/// codes are dropped, so codes made before `now` are refused).
///
/// `trust_list_json` is the trust list as the platform serves it (the signed
/// `ecard-signed-trust-list` envelope); `authority_keys` the authority keys
/// to pin (the JSON of `GET /admin/trust/authority-keys`, or `suite:key` /
/// bare base64url keys, one per line): the list must be signed by one of
/// them, and later lists only ever move forward;
/// `purposes` a mask of `ECARD_PURPOSE_*` bits (at least one);
/// `status_max_age_seconds` the oldest status list a verdict may rest on
/// (`ECARD_STATUS_MAX_AGE_DEFAULT` is a day) or `ECARD_STATUS_BEST_EFFORT`.
/// Codes shown on someone's behalf follow the default policy (a family proxy
/// for medical and culture/tourism, a guardian for every purpose);
/// [`ecard_terminal_provision_with_rules`] applies a region's rules instead.
///
/// # Safety
/// `state_path`, `trust_list_json` and `authority_keys` are NULL or
/// NUL-terminated strings;
/// `out` is NULL or valid for writing one pointer. `*out` is written only on
/// success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_provision(
    state_path: *const c_char,
    trust_list_json: *const c_char,
    authority_keys: *const c_char,
    purposes: u32,
    status_max_age_seconds: i64,
    now: u64,
    out: *mut *mut EcardTerminal,
) -> EcardTerminalResult {
    // SAFETY: the caller promises a NUL-terminated string or NULL.
    let provision = unsafe { signed_provisioner(authority_keys, now) };
    // SAFETY: the caller's promises, passed on.
    unsafe {
        provision_with(
            (state_path, trust_list_json),
            (purposes, status_max_age_seconds),
            None,
            out,
            provision,
        )
    }
}

/// As [`ecard_terminal_provision`], under a region's rules: `rules_json` is
/// the rules document the platform serves (`GET /v1/rules/{region}`, UTF-8
/// JSON). Its `on_behalf` section decides at which purposes a family
/// proxy's or a guardian's code is accepted (a code shown for someone at a
/// purpose the rules do not allow is refused with `on_behalf_refused`);
/// without the section the default policy applies. With
/// `status_max_age_seconds` = `ECARD_STATUS_MAX_AGE_RULES` the oldest status
/// list is the rules' `status_list_max_age_hours`; any other value (a
/// number of seconds, `ECARD_STATUS_BEST_EFFORT`) overrides it. The rules
/// are kept in the state file with the other settings; a region's new rules
/// take effect by provisioning again. A document that cannot be read is
/// `malformed_rules`.
///
/// # Safety
/// `state_path`, `trust_list_json`, `authority_keys` and `rules_json` are
/// NULL or NUL-terminated strings; `out` is NULL or valid for writing one
/// pointer. `*out` is written only on success.
#[unsafe(no_mangle)]
#[allow(
    clippy::too_many_arguments,
    reason = "a C function: one argument per setting"
)]
pub unsafe extern "C" fn ecard_terminal_provision_with_rules(
    state_path: *const c_char,
    trust_list_json: *const c_char,
    authority_keys: *const c_char,
    rules_json: *const c_char,
    purposes: u32,
    status_max_age_seconds: i64,
    now: u64,
    out: *mut *mut EcardTerminal,
) -> EcardTerminalResult {
    // SAFETY: the caller promises a NUL-terminated string or NULL.
    let provision = unsafe { signed_provisioner(authority_keys, now) };
    // SAFETY: the caller's promises, passed on.
    unsafe {
        provision_with(
            (state_path, trust_list_json),
            (purposes, status_max_age_seconds),
            Some(rules_json),
            out,
            provision,
        )
    }
}

/// Provisions a terminal at `state_path` and stores the open handle in
/// `*out`, replacing any state there (installed status lists and remembered
/// codes are dropped, so codes made before `now` are refused).
///
/// For development and the test vectors only: `trust_list_json` is an
/// unsigned trust list (`ecard-trust-list` JSON), trusted as it is, so
/// whoever can write it decides who is an issuer. Terminals in service use
/// [`ecard_terminal_provision`] with a signed list and pinned keys.
/// `trust_list_json` is the issuer's trust list (`ecard-trust-list` JSON);
/// `purposes` a mask of `ECARD_PURPOSE_*` bits (at least one);
/// `status_max_age_seconds` the oldest status list a verdict may rest on
/// (`ECARD_STATUS_MAX_AGE_DEFAULT` is a day) or `ECARD_STATUS_BEST_EFFORT`.
/// Codes shown on someone's behalf follow the default policy (a family proxy
/// for medical and culture/tourism, a guardian for every purpose).
///
/// # Safety
/// `state_path` and `trust_list_json` are NULL or NUL-terminated strings;
/// `out` is NULL or valid for writing one pointer. `*out` is written only on
/// success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_provision_unsigned(
    state_path: *const c_char,
    trust_list_json: *const c_char,
    purposes: u32,
    status_max_age_seconds: i64,
    now: u64,
    out: *mut *mut EcardTerminal,
) -> EcardTerminalResult {
    // SAFETY: the caller's promises, passed on.
    unsafe {
        provision_with(
            (state_path, trust_list_json),
            (purposes, status_max_age_seconds),
            None,
            out,
            |path, json, settings| {
                let trust = TrustList::from_json(json)
                    .map_err(|error| Failure::of_terminal(&TerminalError::Trust(error)))?;
                Terminal::provision(path, trust, settings, now)
                    .map_err(|error| Failure::of_terminal(&error))
            },
        )
    }
}

/// Provisioning from a signed trust list under the pinned `authority_keys`.
///
/// # Safety
/// `authority_keys` is NULL or a NUL-terminated string that stays valid
/// while the returned closure runs.
unsafe fn signed_provisioner(
    authority_keys: *const c_char,
    now: u64,
) -> impl FnOnce(&Path, &str, TerminalSettings) -> Result<Terminal, Failure> {
    move |path, json, settings| {
        // SAFETY: the caller promises a NUL-terminated string or NULL.
        let pins = unsafe { arg_text(authority_keys) }?;
        Terminal::provision_signed(path, json, pins, settings, now)
            .map_err(|error| Failure::of_terminal(&error))
    }
}

/// The shared part of the two provisioning calls: arguments checked, the
/// settings built, the handle handed out.
///
/// # Safety
/// As for [`ecard_terminal_provision`].
unsafe fn provision_with(
    (state_path, trust_list_json): (*const c_char, *const c_char),
    (purposes, status_max_age_seconds): (u32, i64),
    rules_json: Option<*const c_char>,
    out: *mut *mut EcardTerminal,
    provision: impl FnOnce(&Path, &str, TerminalSettings) -> Result<Terminal, Failure>,
) -> EcardTerminalResult {
    guard(
        || Failure::INTERNAL.result(),
        || {
            to_result((|| {
                if out.is_null() {
                    return Err(Failure::NULL_ARGUMENT);
                }
                // SAFETY: the caller promises NUL-terminated strings or NULL.
                let path = unsafe { arg_path(state_path) }?;
                // SAFETY: as above.
                let json = unsafe { arg_text(trust_list_json) }?;
                let purposes = purposes_of_mask(purposes)?;
                let mut settings = match rules_json {
                    None => TerminalSettings::for_purposes(&purposes),
                    Some(rules) => {
                        // SAFETY: as above.
                        let rules = unsafe { arg_text(rules) }?;
                        TerminalSettings::from_rules_json(&purposes, rules)
                            .map_err(|error| Failure::of_rules(&error))?
                    }
                };
                settings.status_max_age_seconds = match status_max_age_seconds {
                    ECARD_STATUS_BEST_EFFORT => None,
                    ECARD_STATUS_MAX_AGE_RULES if rules_json.is_some() => {
                        settings.status_max_age_seconds
                    }
                    age => Some(u64::try_from(age).map_err(|_| Failure::INVALID_ARGUMENT)?),
                };
                let terminal = provision(&path, json, settings)?;
                // SAFETY: `out` is not NULL and the caller promises it is
                // writable.
                unsafe { hand_out(out, terminal) };
                Ok(())
            })())
        },
    )
}

/// Why the terminal refuses every code: `ok` when it is provisioned,
/// otherwise `not_provisioned` (or `null_argument`, `internal`).
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_problem(
    terminal: *mut EcardTerminal,
) -> EcardTerminalResult {
    guard(
        || Failure::INTERNAL.result(),
        || {
            // SAFETY: the caller promises a live handle or NULL.
            unsafe {
                with_terminal(terminal, Failure::result, |terminal| {
                    if terminal.problem().is_some() {
                        Failure::of_verify(VerifyError::NotProvisioned).result()
                    } else {
                        OK
                    }
                })
            }
        },
    )
}

/// Installs a signed status list (`len` bytes at `bytes`, as served by
/// `GET /v1/status-lists/{n}`) at Unix time `now` and saves the state. On
/// success stores its sequence in `*sequence` unless that is NULL.
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile;
/// `bytes` is NULL or valid for reading `len` bytes; `sequence` is NULL or
/// valid for writing a `uint32_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_install_status_list(
    terminal: *mut EcardTerminal,
    bytes: *const u8,
    len: usize,
    now: u64,
    sequence: *mut u32,
) -> EcardTerminalResult {
    // SAFETY: the caller's promises, passed on.
    unsafe {
        install_with(
            terminal,
            (bytes, len),
            sequence,
            Terminal::install_status_list,
            now,
        )
    }
}

/// Installs a signed status list **delta** (`len` bytes at `bytes`: the
/// changes from an edition the terminal holds to the next, ECSD format) at
/// Unix time `now` and saves the state; on success stores the new edition's
/// sequence in `*sequence` unless that is NULL. A delta passes the same
/// checks as a full list (signature, issue time, validity, no rollback).
/// One whose base edition the terminal does not hold is refused with
/// `status_delta_base_missing`: install the full list
/// (`ecard_terminal_install_status_list`) instead. Malformed bytes are
/// `status_list_malformed`. A delta already installed installs again
/// without change.
///
/// # Safety
/// As [`ecard_terminal_install_status_list`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_install_status_delta(
    terminal: *mut EcardTerminal,
    bytes: *const u8,
    len: usize,
    now: u64,
    sequence: *mut u32,
) -> EcardTerminalResult {
    // SAFETY: the caller's promises, passed on.
    unsafe {
        install_with(
            terminal,
            (bytes, len),
            sequence,
            Terminal::install_status_delta,
            now,
        )
    }
}

/// The caller's input buffer as a slice: NULL is `NULL_ARGUMENT`, a length
/// no Rust slice may have is `INVALID_ARGUMENT`.
///
/// # Safety
/// `bytes` is NULL or points to `len` readable bytes that stay unchanged
/// for the returned lifetime (the call).
unsafe fn input_bytes<'a>(bytes: *const u8, len: usize) -> Result<&'a [u8], Failure> {
    if bytes.is_null() {
        return Err(Failure::NULL_ARGUMENT);
    }
    if len > isize::MAX as usize {
        return Err(Failure::INVALID_ARGUMENT);
    }
    // SAFETY: not NULL, no longer than a Rust slice may be, and the caller
    // promises `len` readable bytes, unchanged during the call.
    Ok(unsafe { std::slice::from_raw_parts(bytes, len) })
}

/// The shared part of the two status installs.
///
/// # Safety
/// As [`ecard_terminal_install_status_list`].
unsafe fn install_with(
    terminal: *mut EcardTerminal,
    (bytes, len): (*const u8, usize),
    sequence: *mut u32,
    install: fn(&mut Terminal, &[u8], u64) -> Result<u32, TerminalError>,
    now: u64,
) -> EcardTerminalResult {
    guard(
        || Failure::INTERNAL.result(),
        || {
            // SAFETY: the caller promises `len` readable bytes or NULL.
            let bytes = match unsafe { input_bytes(bytes, len) } {
                Ok(bytes) => bytes,
                Err(failure) => return failure.result(),
            };
            // SAFETY: the caller promises NULL or a writable `uint32_t`.
            let sequence = unsafe { sequence.as_mut() };
            // SAFETY: the caller promises a live handle or NULL.
            unsafe {
                with_terminal(terminal, Failure::result, |terminal| {
                    match install(terminal, bytes, now) {
                        Ok(installed) => {
                            if let Some(out) = sequence {
                                *out = installed;
                            }
                            OK
                        }
                        Err(error) => Failure::of_terminal(&error).result(),
                    }
                })
            }
        },
    )
}

/// Builds the next clearing report of this terminal, named `terminal_id` by
/// its operator (1–64 characters of `A-Z a-z 0-9 . _ -`), into `*out`: the
/// body of `POST /v1/operator/acceptances`, exactly as the platform reads
/// it (`{"terminal_id", "after", "acceptances": [{"handle", "counter",
/// "purpose", "issued_at", "accepted_at"}]}`).
///
/// It carries the accepts not yet answered (an earlier report's that got
/// no answer first, then those since), at most
/// `ECARD_CLEARING_MAX_ACCEPTANCES`, and the cursor of the last answer.
/// Nothing is forgotten until `ecard_terminal_clearing_answer` takes the
/// answer to this report: after a failed post, build the report again and
/// send that (the platform stores each accept once). One report is in
/// flight at a time: hand the answer of the last report built. The
/// unanswered accepts and the cursor are kept in the state file
/// (`ecard_terminal_save`), so a restart loses neither.
///
/// Release `out->json` with `ecard_terminal_clearing_report_free`. On a
/// failure `*out` is the empty report (`json` NULL), so releasing it is
/// harmless. Errors: `null_argument`, `invalid_utf8`, `invalid_argument` (a
/// malformed terminal id), `not_provisioned`, `internal`.
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile;
/// `terminal_id` is NULL or a NUL-terminated string; `out` is NULL or valid
/// for writing an `EcardTerminalClearingReport`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_clearing_report(
    terminal: *mut EcardTerminal,
    terminal_id: *const c_char,
    out: *mut EcardTerminalClearingReport,
) -> EcardTerminalResult {
    if out.is_null() {
        return guard(
            || Failure::INTERNAL.result(),
            || Failure::NULL_ARGUMENT.result(),
        );
    }
    // SAFETY: not NULL, and the caller promises it is writable; the empty
    // report holds nothing to release.
    unsafe { out.write(NO_REPORT) };
    guard(
        || Failure::INTERNAL.result(),
        || {
            // SAFETY: the caller promises a NUL-terminated string or NULL.
            let terminal_id = match unsafe { arg_text(terminal_id) } {
                Ok(id) if terminal_id_is_well_formed(id) => id,
                Ok(_) => return Failure::INVALID_ARGUMENT.result(),
                Err(failure) => return failure.result(),
            };
            // SAFETY: the caller promises a live handle or NULL.
            let built = unsafe {
                with_terminal(terminal, Err, |terminal| {
                    let report = terminal
                        .clearing_report()
                        .map_err(|error| Failure::of_terminal(&error))?;
                    let body = serde_json::to_string(&ReportBody {
                        terminal_id,
                        after: report.after,
                        acceptances: &report.acceptances,
                    })
                    .map_err(|_| Failure::INTERNAL)?;
                    let json = CString::new(body).map_err(|_| Failure::INTERNAL)?;
                    let len = json.as_bytes().len();
                    Ok(EcardTerminalClearingReport {
                        json: json.into_raw(),
                        len,
                        acceptances: report.acceptances.len(),
                        remaining: report.remaining,
                    })
                })
            };
            match built {
                Ok(report) => {
                    // SAFETY: checked above: not NULL and writable.
                    unsafe { out.write(report) };
                    OK
                }
                Err(failure) => failure.result(),
            }
        },
    )
}

/// Releases the JSON of a clearing report and sets `report->json` to NULL
/// (and `len` to 0), so a second call does nothing. NULL is ignored.
///
/// # Safety
/// `report` is NULL or points to a report filled by
/// `ecard_terminal_clearing_report` (or the empty report), whose `json` was
/// not changed by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_clearing_report_free(
    report: *mut EcardTerminalClearingReport,
) {
    guard(
        || (),
        || {
            // SAFETY: the caller promises NULL or a valid report.
            let Some(report) = (unsafe { report.as_mut() }) else {
                return;
            };
            let json = std::mem::replace(&mut report.json, std::ptr::null_mut());
            report.len = 0;
            if !json.is_null() {
                // SAFETY: made by CString::into_raw in
                // `ecard_terminal_clearing_report` and not released since
                // (the pointer is cleared on release).
                drop(unsafe { CString::from_raw(json) });
            }
        },
    )
}

/// Takes the platform's answer to the last clearing report (`len` bytes of
/// JSON at `json`: the body of a `200` answer to
/// `POST /v1/operator/acceptances`) at Unix time `now`: the report's accepts
/// are forgotten, the cursor is kept for the next report, each of `recent`
/// (a code another terminal of the operator accepted) is refused here from
/// now on as `replayed`, and the state is saved. Unless `out` is NULL it
/// receives the counts and the cursor.
///
/// Hand only a successful answer: after a failed post, or an answer that is
/// `malformed_clearing_answer` (nothing is applied then), report again.
/// Errors: `null_argument`, `malformed_clearing_answer`, `not_provisioned`,
/// `state_not_writable`, `internal`.
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile;
/// `json` is NULL or valid for reading `len` bytes; `out` is NULL or valid
/// for writing an `EcardTerminalClearingAnswer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_clearing_answer(
    terminal: *mut EcardTerminal,
    json: *const u8,
    len: usize,
    now: u64,
    out: *mut EcardTerminalClearingAnswer,
) -> EcardTerminalResult {
    guard(
        || Failure::INTERNAL.result(),
        || {
            // SAFETY: the caller promises `len` readable bytes or NULL.
            let json = match unsafe { input_bytes(json, len) } {
                Ok(json) => json,
                Err(failure) => return failure.result(),
            };
            // SAFETY: the caller promises NULL or a writable answer.
            let out = unsafe { out.as_mut() };
            // SAFETY: the caller promises a live handle or NULL.
            unsafe {
                with_terminal(terminal, Failure::result, |terminal| {
                    let answer: AnswerBody = match serde_json::from_slice(json) {
                        Ok(answer) => answer,
                        Err(_) => return Failure::MALFORMED_CLEARING_ANSWER.result(),
                    };
                    match terminal.clearing_answered(answer.cursor, &answer.recent, now) {
                        Ok(()) => {
                            if let Some(out) = out {
                                *out = EcardTerminalClearingAnswer {
                                    recent: answer.recent.len(),
                                    duplicates: answer.duplicates.len(),
                                    cursor: answer.cursor,
                                };
                            }
                            OK
                        }
                        Err(error) => Failure::of_terminal(&error).result(),
                    }
                })
            }
        },
    )
}

/// Verifies the code text `code` (the QR content, NUL-terminated) at Unix
/// time `now`.
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile;
/// `code` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_verify(
    terminal: *mut EcardTerminal,
    code: *const c_char,
    now: u64,
) -> EcardTerminalVerdict {
    guard(
        || Failure::INTERNAL.verdict(),
        || {
            // SAFETY: the caller promises a NUL-terminated string or NULL.
            let code = match unsafe { arg_text(code) } {
                Ok(code) => code,
                Err(failure) => return failure.verdict(),
            };
            // SAFETY: the caller promises a live handle or NULL.
            unsafe {
                with_terminal(terminal, Failure::verdict, |terminal| {
                    match terminal.verify(code, now) {
                        Ok(verified) => accepted(&verified),
                        Err(error) => Failure::of_verify(error).verdict(),
                    }
                })
            }
        },
    )
}

/// Makes the terminal one of the school `affiliation` (its platform-registered
/// number, 1 to `ECARD_AFFILIATION_MAX`) and saves the state: a campus code
/// (`ECARD_PURPOSE_CAMPUS_ENTRY`, `ECARD_PURPOSE_LIBRARY`) then passes only
/// with this affiliation, and is refused with `wrong_affiliation` when it
/// names another school or none. `ECARD_AFFILIATION_NONE` checks no
/// affiliation again. The setting is kept in the state file; call it once
/// after provisioning. A number above `ECARD_AFFILIATION_MAX` is
/// `invalid_argument`.
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_set_affiliation(
    terminal: *mut EcardTerminal,
    affiliation: u32,
    now: u64,
) -> EcardTerminalResult {
    guard(
        || Failure::INTERNAL.result(),
        || {
            // SAFETY: the caller promises a live handle or NULL.
            unsafe {
                with_terminal(terminal, Failure::result, |terminal| {
                    to_result((|| {
                        let affiliation = match affiliation {
                            ECARD_AFFILIATION_NONE => None,
                            number => {
                                Some(Affiliation::new(number).ok_or(Failure::INVALID_ARGUMENT)?)
                            }
                        };
                        terminal
                            .set_affiliation(affiliation, now)
                            .map_err(|error| Failure::of_terminal(&error))
                    })())
                })
            }
        },
    )
}

/// Writes the state file (the terminal stays open). A long-running gate
/// calls it every few seconds.
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_save(
    terminal: *mut EcardTerminal,
    now: u64,
) -> EcardTerminalResult {
    guard(
        || Failure::INTERNAL.result(),
        || {
            // SAFETY: the caller promises a live handle or NULL.
            unsafe {
                with_terminal(terminal, Failure::result, |terminal| {
                    to_result(
                        terminal
                            .save(now)
                            .map_err(|error| Failure::of_terminal(&error)),
                    )
                })
            }
        },
    )
}

/// Writes the state, marks it closed and releases the handle, which must
/// not be used again whatever the result. NULL is `null_argument`.
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_close(
    terminal: *mut EcardTerminal,
    now: u64,
) -> EcardTerminalResult {
    guard(
        || Failure::INTERNAL.result(),
        || {
            if terminal.is_null() {
                return Failure::NULL_ARGUMENT.result();
            }
            // SAFETY: a live handle made by `hand_out` (Box::into_raw), not
            // used elsewhere: ownership comes back exactly once.
            let handle = unsafe { Box::from_raw(terminal) };
            if handle.poisoned {
                return Failure::INTERNAL.result();
            }
            to_result(
                handle
                    .terminal
                    .close(now)
                    .map_err(|error| Failure::of_terminal(&error)),
            )
        },
    )
}

/// Releases the handle without closing the state, as a crash would: the
/// accepts since the last save are not written, and the next open refuses
/// codes made before it. NULL is ignored.
///
/// # Safety
/// `terminal` is NULL or a live handle, used by no other thread meanwhile;
/// it must not be used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecard_terminal_free(terminal: *mut EcardTerminal) {
    guard(
        || (),
        || {
            if !terminal.is_null() {
                // SAFETY: a live handle made by `hand_out`, not used
                // elsewhere: ownership comes back exactly once.
                drop(unsafe { Box::from_raw(terminal) });
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concession_names_are_the_credential_crates() {
        for id in 0..=u8::MAX {
            if let Ok(class) = ConcessionClass::from_id(id) {
                assert_eq!(concession_name(class).to_str().unwrap(), class.name());
            }
        }
    }

    fn text(pointer: *const c_char) -> &'static str {
        assert!(!pointer.is_null());
        // SAFETY: the library's static strings.
        unsafe { CStr::from_ptr(pointer) }.to_str().unwrap()
    }

    #[test]
    fn a_panic_becomes_internal_and_poisons_the_terminal() {
        let directory = tempfile::tempdir().unwrap();
        let path = CString::new(directory.path().join("t.json").to_str().unwrap()).unwrap();
        let mut handle = std::ptr::null_mut();
        // SAFETY: valid arguments.
        let opened = unsafe { ecard_terminal_open(path.as_ptr(), 1, &mut handle) };
        assert!(opened.ok);
        // SAFETY: a live handle.
        let result: EcardTerminalResult = unsafe {
            with_terminal(handle, Failure::result, |_| -> EcardTerminalResult {
                panic!("on purpose")
            })
        };
        assert_eq!(text(result.code), "internal");
        let code = CString::new("EC1:X").unwrap();
        // SAFETY: a live handle and a string.
        let verdict = unsafe { ecard_terminal_verify(handle, code.as_ptr(), 1) };
        assert!(!verdict.valid);
        assert_eq!(text(verdict.error_code), "internal");
        // SAFETY: a live handle, released once.
        let closed = unsafe { ecard_terminal_close(handle, 1) };
        assert_eq!(text(closed.code), "internal");
        let panicked = guard(|| Failure::INTERNAL.verdict(), || panic!("on purpose"));
        assert_eq!(text(panicked.error_code), "internal");
        assert_eq!(
            text(panicked.message_en),
            "Internal error in the scanner. Restart it; if this persists, contact the vendor."
        );
    }

    #[test]
    fn null_and_invalid_arguments_are_typed_errors() {
        let mut handle = std::ptr::null_mut();
        // SAFETY: NULL is allowed for every pointer.
        unsafe {
            let result = ecard_terminal_open(std::ptr::null(), 1, &mut handle);
            assert_eq!(text(result.code), "null_argument");
            let verdict = ecard_terminal_verify(std::ptr::null_mut(), std::ptr::null(), 1);
            assert_eq!(text(verdict.error_code), "null_argument");
            let code = CString::new("EC1:X").unwrap();
            let verdict = ecard_terminal_verify(std::ptr::null_mut(), code.as_ptr(), 1);
            assert_eq!(text(verdict.error_code), "null_argument");
            ecard_terminal_free(std::ptr::null_mut());
            assert_eq!(
                text(ecard_terminal_close(std::ptr::null_mut(), 1).code),
                "null_argument"
            );
        }
        let directory = tempfile::tempdir().unwrap();
        let path = CString::new(directory.path().join("t.json").to_str().unwrap()).unwrap();
        let bad = CString::new(vec![b'E', 0xff, b'1']).unwrap();
        // SAFETY: valid strings and a writable out pointer.
        unsafe {
            let result = ecard_terminal_provision_unsigned(
                path.as_ptr(),
                bad.as_ptr(),
                1,
                -1,
                1,
                &mut handle,
            );
            assert_eq!(text(result.code), "invalid_utf8");
            let json = CString::new("{}").unwrap();
            for (mask, age) in [(0, -1), (256, -1), (1, -2)] {
                let result = ecard_terminal_provision_unsigned(
                    path.as_ptr(),
                    json.as_ptr(),
                    mask,
                    age,
                    1,
                    &mut handle,
                );
                assert_eq!(text(result.code), "invalid_argument");
            }
            let result = ecard_terminal_provision_unsigned(
                path.as_ptr(),
                json.as_ptr(),
                1,
                -1,
                1,
                &mut handle,
            );
            assert_eq!(text(result.code), "malformed_trust_list");
            assert!(handle.is_null());
            assert!(ecard_terminal_open(path.as_ptr(), 1, &mut handle).ok);
            assert_eq!(text(ecard_terminal_problem(handle).code), "not_provisioned");
            let verdict = ecard_terminal_verify(handle, bad.as_ptr(), 1);
            assert_eq!(text(verdict.error_code), "invalid_utf8");
            let result = ecard_terminal_install_status_list(
                handle,
                std::ptr::null(),
                0,
                1,
                std::ptr::null_mut(),
            );
            assert_eq!(text(result.code), "null_argument");
            ecard_terminal_free(handle);
        }
    }

    #[test]
    fn strings_are_interned_once() {
        let first = c_text(VerifyError::Replayed.code());
        let second = c_text(VerifyError::Replayed.code());
        assert_eq!(first, second);
        assert_eq!(text(first), "replayed");
    }

    #[test]
    fn the_purpose_bits_are_the_credential_crates() {
        let constants = [
            ECARD_PURPOSE_TRANSPORT,
            ECARD_PURPOSE_MEDICAL,
            ECARD_PURPOSE_IDENTITY,
            ECARD_PURPOSE_CULTURE_TOURISM,
            ECARD_PURPOSE_CAMPUS_ENTRY,
            ECARD_PURPOSE_LIBRARY,
            ECARD_PURPOSE_EDUCATION_EXAM,
            ECARD_PURPOSE_PERSONNEL_EXAM,
        ];
        assert_eq!(constants.len(), Purpose::ALL.len());
        for (constant, purpose) in constants.into_iter().zip(Purpose::ALL) {
            assert_eq!(constant, purpose_bit(purpose), "{purpose:?}");
            assert_eq!(constant, u32::from(purpose.bit()));
        }
        assert_eq!(
            purposes_of_mask(0xFF).ok(),
            Some(Purpose::ALL.to_vec()),
            "every purpose"
        );
        assert!(purposes_of_mask(0x100).is_err());
        assert_eq!(
            Some(ECARD_AFFILIATION_MAX),
            Affiliation::new(ECARD_AFFILIATION_MAX).map(Affiliation::get)
        );
    }

    #[test]
    fn a_school_number_out_of_range_is_an_invalid_argument() {
        let directory = tempfile::tempdir().unwrap();
        let path = CString::new(directory.path().join("t.json").to_str().unwrap()).unwrap();
        let mut handle = std::ptr::null_mut();
        // SAFETY: valid arguments.
        unsafe {
            assert!(ecard_terminal_open(path.as_ptr(), 1, &mut handle).ok);
            let result = ecard_terminal_set_affiliation(handle, ECARD_AFFILIATION_MAX + 1, 1);
            assert_eq!(text(result.code), "invalid_argument");
            // Not provisioned: no setting to change.
            let result = ecard_terminal_set_affiliation(handle, 4_207, 1);
            assert_eq!(text(result.code), "not_provisioned");
            let result = ecard_terminal_set_affiliation(std::ptr::null_mut(), 4_207, 1);
            assert_eq!(text(result.code), "null_argument");
            ecard_terminal_free(handle);
        }
    }

    #[test]
    fn the_limits_and_terminal_ids_are_the_platforms() {
        assert_eq!(
            ECARD_CLEARING_MAX_ACCEPTANCES,
            ecard_api::clearing::MAX_ACCEPTANCES_PER_REPORT
        );
        assert_eq!(
            ecard_terminal::MAX_REPORT_ACCEPTANCES,
            ecard_api::clearing::MAX_ACCEPTANCES_PER_REPORT
        );
        let long = "a".repeat(64);
        let longer = "a".repeat(65);
        for id in [
            "gate-07.line_2",
            &long,
            &longer,
            "",
            "gate 7",
            "闸机7",
            "a/b",
        ] {
            assert_eq!(
                terminal_id_is_well_formed(id),
                ecard_api::clearing::terminal_id_is_well_formed(id),
                "{id}"
            );
        }
    }

    #[test]
    fn the_rules_are_read_as_the_platform_serves_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("../../platform/data/rules.json")).unwrap();
        let documents: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert!(!documents.is_empty());
        for document in documents {
            let json = document.to_string();
            let rules: ecard_api::rules::RegionalRules = serde_json::from_str(&json).unwrap();
            for purposes in [
                &Purpose::ALL[..],
                &[Purpose::CultureTourism],
                &[Purpose::Medical],
            ] {
                assert_eq!(
                    TerminalSettings::from_rules_json(purposes, &json).unwrap(),
                    TerminalSettings::from_policy(purposes, &rules.verifier_policy(purposes)),
                    "{}",
                    rules.region
                );
            }
        }
    }

    #[test]
    fn clearing_json_is_the_platforms_wire_form() {
        use ecard_api::clearing::{AcceptanceReport, ClearingAnswer};
        use ecard_test_vectors::world::{Edition, World, claims, transport};
        const NOW: u64 = 1_780_000_000;
        let directory = tempfile::tempdir().unwrap();
        let world = World::new(
            ecard_credential::Suite::Ed25519,
            ecard_credential::Suite::Ed25519,
            NOW,
        );
        let (a, b) = (
            directory.path().join("a.json"),
            directory.path().join("b.json"),
        );
        let mut terminals = [&a, &b].map(|path| {
            let mut terminal = Terminal::provision(
                path,
                world.trust.clone(),
                TerminalSettings::for_purposes(&[Purpose::Transport]),
                NOW - 600,
            )
            .unwrap();
            terminal
                .install_status_list(&world.status_list(&Edition::day(5, NOW - 3_600, &[])), NOW)
                .unwrap();
            Box::into_raw(Box::new(EcardTerminal {
                terminal,
                poisoned: false,
            }))
        });
        let credential = world.credential(&claims(transport(), 3, NOW));
        let code = CString::new(world.show(&credential, Purpose::Transport, 1, NOW)).unwrap();
        let id = CString::new("line1-gate-07").unwrap();
        let mut report = NO_REPORT;
        // SAFETY: live handles, valid strings and out pointers.
        unsafe {
            assert!(ecard_terminal_verify(terminals[0], code.as_ptr(), NOW).valid);
            assert!(ecard_terminal_clearing_report(terminals[0], id.as_ptr(), &mut report).ok);
            let json = CStr::from_ptr(report.json).to_str().unwrap().to_owned();
            assert_eq!(json.len(), report.len);
            assert_eq!((report.acceptances, report.remaining), (1, 0));
            ecard_terminal_clearing_report_free(&mut report);
            ecard_terminal_clearing_report_free(&mut report);
            assert!(report.json.is_null());
            // What the platform reads: the same accept, no cursor yet.
            let parsed: AcceptanceReport = serde_json::from_str(&json).unwrap();
            assert_eq!(parsed.terminal_id, "line1-gate-07");
            assert_eq!(parsed.after, None);
            assert!(!json.contains("after"));
            assert_eq!(parsed.acceptances[0].handle.to_string(), "0300000405060708");
            assert!(json.contains(r#""handle":"0300000405060708""#));
            // The platform's answer, as it writes it, for terminal B.
            let answer = serde_json::to_vec(&ClearingAnswer {
                duplicates: Vec::new(),
                recent: parsed.acceptances.clone(),
                cursor: 41,
            })
            .unwrap();
            let mut taken = EcardTerminalClearingAnswer::default();
            let result = ecard_terminal_clearing_answer(
                terminals[1],
                answer.as_ptr(),
                answer.len(),
                NOW + 1,
                &mut taken,
            );
            assert!(result.ok);
            assert_eq!((taken.recent, taken.duplicates, taken.cursor), (1, 0, 41));
            let verdict = ecard_terminal_verify(terminals[1], code.as_ptr(), NOW + 1);
            assert_eq!(text(verdict.error_code), "replayed");
            // The next report of B carries the cursor.
            assert!(ecard_terminal_clearing_report(terminals[1], id.as_ptr(), &mut report).ok);
            let parsed: AcceptanceReport =
                serde_json::from_str(CStr::from_ptr(report.json).to_str().unwrap()).unwrap();
            assert_eq!(parsed.after, Some(41));
            ecard_terminal_clearing_report_free(&mut report);
            for bad in [
                &b"{"[..],
                br#"{"recent":[],"cursor":1}"#,
                br#"{"duplicates":[],"recent":[{"handle":"XYZ","counter":1,"purpose":"transport","issued_at":1,"accepted_at":1}],"cursor":1}"#,
                br#"{"type":"about:blank","status":401}"#,
            ] {
                let result =
                    ecard_terminal_clearing_answer(terminals[1], bad.as_ptr(), bad.len(), NOW, &mut taken);
                assert_eq!(text(result.code), "malformed_clearing_answer");
            }
            for terminal in &mut terminals {
                assert!(ecard_terminal_close(*terminal, NOW + 2).ok);
            }
        }
    }
}
