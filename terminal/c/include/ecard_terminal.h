/*
 * ecard terminal SDK: the C ABI of ecard-terminal-c (libecard_terminal_c).
 *
 * Strings: every `const char *` returned is static, owned by the library,
 * NUL-terminated UTF-8, valid until the process ends; never free one.
 * Threads: one EcardTerminal is used by one thread at a time.
 * See docs/terminals.md, "C SDK".
 */

#ifndef ECARD_TERMINAL_H
#define ECARD_TERMINAL_H

/* Generated from terminal/c/src/lib.rs by cbindgen; do not edit.
 * Regenerate: ECARD_UPDATE_HEADER=1 cargo test -p ecard-terminal-c --test header */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

// Version of this C ABI; raised when a signature or a struct changes.
// Version 2: purposes 5–8, `EcardTerminalVerdict::affiliation` and
// `ecard_terminal_set_affiliation`.
#define ECARD_TERMINAL_ABI_VERSION 2

// Purpose bit: bus and metro gates.
#define ECARD_PURPOSE_TRANSPORT 1

// Purpose bit: hospitals and pharmacies.
#define ECARD_PURPOSE_MEDICAL 2

// Purpose bit: government, hotel and bank counters.
#define ECARD_PURPOSE_IDENTITY 4

// Purpose bit: libraries, museums, scenic spots.
#define ECARD_PURPOSE_CULTURE_TOURISM 8

// Purpose bit: school gates (campus entry; credential format version 2).
#define ECARD_PURPOSE_CAMPUS_ENTRY 16

// Purpose bit: school and university libraries (format version 2).
#define ECARD_PURPOSE_LIBRARY 32

// Purpose bit: education examinations (format version 2).
#define ECARD_PURPOSE_EDUCATION_EXAM 64

// Purpose bit: personnel examinations (format version 2).
#define ECARD_PURPOSE_PERSONNEL_EXAM 128

// `affiliation` of `ecard_terminal_set_affiliation` for a terminal of no
// school, and of a verdict that discloses none.
#define ECARD_AFFILIATION_NONE 0

// The largest school number (three bytes).
#define ECARD_AFFILIATION_MAX 16777215

// Presented by the cardholder's own device.
#define ECARD_ROLE_HOLDER 0

// Presented by a family proxy acting for an elderly relative.
#define ECARD_ROLE_PROXY 1

// Presented by the guardian of a minor.
#define ECARD_ROLE_GUARDIAN 2

// `status_max_age_seconds` for best effort: check revocation only where a
// current status list is at hand (an explicit choice of the operator).
#define ECARD_STATUS_BEST_EFFORT -1

// The default oldest status list a verdict may rest on: a day.
#define ECARD_STATUS_MAX_AGE_DEFAULT 86400

// `status_max_age_seconds` of `ecard_terminal_provision_with_rules`: the
// oldest status list the region's rules allow (`status_list_max_age_hours`).
#define ECARD_STATUS_MAX_AGE_RULES -2

// Most accepts one clearing report carries (the platform's limit;
// `ecard_terminal::MAX_REPORT_ACCEPTANCES`, a test keeps them equal).
#define ECARD_CLEARING_MAX_ACCEPTANCES 1000

// `concession` when the code's purpose does not disclose one.
#define ECARD_CONCESSION_NONE -1

// A terminal: the verifier and its state file. Opaque; made by
// `ecard_terminal_open` or `ecard_terminal_provision`, released by
// `ecard_terminal_close` or `ecard_terminal_free`.
typedef struct EcardTerminal EcardTerminal;

// The outcome of an operation (not a verdict on a code).
//
// On success `ok` is true and the three strings are NULL. On failure they
// are static strings owned by the library (never freed by the caller).
typedef struct EcardTerminalResult {
    // Whether the operation succeeded.
    bool ok;
    // The stable error code, e.g. `not_provisioned`, `status_list_rollback`.
    const char *code;
    // A message for the operator, Simplified Chinese.
    const char *message_zh;
    // The same message in English.
    const char *message_en;
} EcardTerminalResult;

// A clearing report to send as the body of
// `POST /v1/operator/acceptances` (with `Authorization: Bearer op_…` and
// `Content-Type: application/json`).
//
// `json` is allocated by the library: release it with
// `ecard_terminal_clearing_report_free` once sent (whether or not the post
// succeeded). It is NULL when there is no report (after a failure, or
// once released).
typedef struct EcardTerminalClearingReport {
    // The request body: NUL-terminated UTF-8 JSON, owned by the library.
    char *json;
    // Its length in bytes without the NUL (the `Content-Length`).
    size_t len;
    // The accepts this report carries (0 is a report too: it fetches what
    // the other terminals accepted).
    size_t acceptances;
    // Accepts waiting after these (more than `ECARD_CLEARING_MAX_ACCEPTANCES`
    // were pending): report again as soon as this one is answered.
    size_t remaining;
} EcardTerminalClearingReport;

// What `ecard_terminal_clearing_answer` found in the platform's answer.
typedef struct EcardTerminalClearingAnswer {
    // Accepts of the operator's other terminals now refused here as
    // `replayed` (the answer's `recent`).
    size_t recent;
    // Codes accepted at two or more of the operator's terminals (the
    // answer's `duplicates`): the back office's clearing report, read from
    // the answer's JSON by whoever wants it.
    size_t duplicates;
    // The answer's cursor, kept in the state and sent as `after` next time.
    uint64_t cursor;
} EcardTerminalClearingAnswer;

// The verdict on one code.
//
// When `valid` is false, `error_code`, `message_zh` and `message_en` say
// why (static strings owned by the library) and the other fields are zero
// (`concession` is `ECARD_CONCESSION_NONE`).
// When it is true those three are NULL and the rest describes the code.
typedef struct EcardTerminalVerdict {
    // Whether the code is accepted.
    bool valid;
    // The stable error code of a refusal, e.g. `replayed`, `revoked`.
    const char *error_code;
    // A message for the person at the terminal, Simplified Chinese.
    const char *message_zh;
    // The same message in English.
    const char *message_en;
    // The code's purpose, one `ECARD_PURPOSE_*` bit.
    uint32_t purpose;
    // Who presented it: `ECARD_ROLE_HOLDER`, `_PROXY` or `_GUARDIAN`.
    uint32_t on_behalf;
    // When the code was made, Unix seconds.
    uint64_t issued_at;
    // The device counter.
    uint32_t counter;
    // When the credential expires, Unix seconds.
    uint64_t credential_not_after;
    // Disclosed fare or admission class (transport, culture and tourism,
    // campus entry, library):
    // 0 standard, 1 senior, 2 senior_free, 3 student, 4 disability,
    // 5 entitled, 6 child; `ECARD_CONCESSION_NONE` when not disclosed.
    int32_t concession;
    // The same class by name (`senior_free`), NULL when not disclosed.
    const char *concession_name;
    // Disclosed pseudonymous handle (medical, identity, library,
    // examinations): 16 lowercase hex
    // digits and a NUL; an empty string when not disclosed.
    char handle[17];
    // Disclosed six-digit region code (medical, identity, examinations);
    // 0 when none.
    uint32_t region;
    // Disclosed school number (campus entry, library);
    // `ECARD_AFFILIATION_NONE` when none.
    uint32_t affiliation;
    // Whether revocation was checked against a status list.
    bool status_checked;
    // The sequence of that status list (0 when unchecked).
    uint32_t status_sequence;
    // Whether the credential came from the verified-credential cache.
    bool credential_cached;
} EcardTerminalVerdict;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// The version of this library, e.g. `0.1.0` (a static string).
const char *ecard_terminal_version(void);

// Opens the terminal whose state file is `state_path`, at Unix time `now`,
// and stores the handle in `*out`.
//
// Succeeds whenever the arguments are usable: a missing, damaged or
// unwritable state gives a handle that refuses every code with
// `not_provisioned` (`ecard_terminal_problem` says so). If the last process
// did not close the state (a crash), codes made before `now` are refused
// with `made_before_restart`.
//
// # Safety
// `state_path` is NULL or a NUL-terminated string; `out` is NULL or valid
// for writing one pointer. `*out` is written only on success.
struct EcardTerminalResult ecard_terminal_open(const char *state_path,
                                               uint64_t now,
                                               struct EcardTerminal **out);

// Provisions a terminal at `state_path` and stores the open handle in
// `*out`, replacing any state there (installed status lists and remembered
// codes are dropped, so codes made before `now` are refused).
//
// `trust_list_json` is the trust list as the platform serves it (the signed
// `ecard-signed-trust-list` envelope); `authority_keys` the authority keys
// to pin (the JSON of `GET /admin/trust/authority-keys`, or `suite:key` /
// bare base64url keys, one per line): the list must be signed by one of
// them, and later lists only ever move forward;
// `purposes` a mask of `ECARD_PURPOSE_*` bits (at least one);
// `status_max_age_seconds` the oldest status list a verdict may rest on
// (`ECARD_STATUS_MAX_AGE_DEFAULT` is a day) or `ECARD_STATUS_BEST_EFFORT`.
// Codes shown on someone's behalf follow the default policy (a family proxy
// for medical and culture/tourism, a guardian for every purpose);
// [`ecard_terminal_provision_with_rules`] applies a region's rules instead.
//
// # Safety
// `state_path`, `trust_list_json` and `authority_keys` are NULL or
// NUL-terminated strings;
// `out` is NULL or valid for writing one pointer. `*out` is written only on
// success.
struct EcardTerminalResult ecard_terminal_provision(const char *state_path,
                                                    const char *trust_list_json,
                                                    const char *authority_keys,
                                                    uint32_t purposes,
                                                    int64_t status_max_age_seconds,
                                                    uint64_t now,
                                                    struct EcardTerminal **out);

// As [`ecard_terminal_provision`], under a region's rules: `rules_json` is
// the rules document the platform serves (`GET /v1/rules/{region}`, UTF-8
// JSON). Its `on_behalf` section decides at which purposes a family
// proxy's or a guardian's code is accepted (a code shown for someone at a
// purpose the rules do not allow is refused with `on_behalf_refused`);
// without the section the default policy applies. With
// `status_max_age_seconds` = `ECARD_STATUS_MAX_AGE_RULES` the oldest status
// list is the rules' `status_list_max_age_hours`; any other value (a
// number of seconds, `ECARD_STATUS_BEST_EFFORT`) overrides it. The rules
// are kept in the state file with the other settings; a region's new rules
// take effect by provisioning again. A document that cannot be read is
// `malformed_rules`.
//
// # Safety
// `state_path`, `trust_list_json`, `authority_keys` and `rules_json` are
// NULL or NUL-terminated strings; `out` is NULL or valid for writing one
// pointer. `*out` is written only on success.
struct EcardTerminalResult ecard_terminal_provision_with_rules(const char *state_path,
                                                               const char *trust_list_json,
                                                               const char *authority_keys,
                                                               const char *rules_json,
                                                               uint32_t purposes,
                                                               int64_t status_max_age_seconds,
                                                               uint64_t now,
                                                               struct EcardTerminal **out);

// Provisions a terminal at `state_path` and stores the open handle in
// `*out`, replacing any state there (installed status lists and remembered
// codes are dropped, so codes made before `now` are refused).
//
// For development and the test vectors only: `trust_list_json` is an
// unsigned trust list (`ecard-trust-list` JSON), trusted as it is, so
// whoever can write it decides who is an issuer. Terminals in service use
// [`ecard_terminal_provision`] with a signed list and pinned keys.
// `trust_list_json` is the issuer's trust list (`ecard-trust-list` JSON);
// `purposes` a mask of `ECARD_PURPOSE_*` bits (at least one);
// `status_max_age_seconds` the oldest status list a verdict may rest on
// (`ECARD_STATUS_MAX_AGE_DEFAULT` is a day) or `ECARD_STATUS_BEST_EFFORT`.
// Codes shown on someone's behalf follow the default policy (a family proxy
// for medical and culture/tourism, a guardian for every purpose).
//
// # Safety
// `state_path` and `trust_list_json` are NULL or NUL-terminated strings;
// `out` is NULL or valid for writing one pointer. `*out` is written only on
// success.
struct EcardTerminalResult ecard_terminal_provision_unsigned(const char *state_path,
                                                             const char *trust_list_json,
                                                             uint32_t purposes,
                                                             int64_t status_max_age_seconds,
                                                             uint64_t now,
                                                             struct EcardTerminal **out);

// Why the terminal refuses every code: `ok` when it is provisioned,
// otherwise `not_provisioned` (or `null_argument`, `internal`).
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile.
struct EcardTerminalResult ecard_terminal_problem(struct EcardTerminal *terminal);

// Installs a signed status list (`len` bytes at `bytes`, as served by
// `GET /v1/status-lists/{n}`) at Unix time `now` and saves the state. On
// success stores its sequence in `*sequence` unless that is NULL.
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile;
// `bytes` is NULL or valid for reading `len` bytes; `sequence` is NULL or
// valid for writing a `uint32_t`.
struct EcardTerminalResult ecard_terminal_install_status_list(struct EcardTerminal *terminal,
                                                              const uint8_t *bytes,
                                                              size_t len,
                                                              uint64_t now,
                                                              uint32_t *sequence);

// Installs a signed status list **delta** (`len` bytes at `bytes`: the
// changes from an edition the terminal holds to the next, ECSD format) at
// Unix time `now` and saves the state; on success stores the new edition's
// sequence in `*sequence` unless that is NULL. A delta passes the same
// checks as a full list (signature, issue time, validity, no rollback).
// One whose base edition the terminal does not hold is refused with
// `status_delta_base_missing`: install the full list
// (`ecard_terminal_install_status_list`) instead. Malformed bytes are
// `status_list_malformed`. A delta already installed installs again
// without change.
//
// # Safety
// As [`ecard_terminal_install_status_list`].
struct EcardTerminalResult ecard_terminal_install_status_delta(struct EcardTerminal *terminal,
                                                               const uint8_t *bytes,
                                                               size_t len,
                                                               uint64_t now,
                                                               uint32_t *sequence);

// Builds the next clearing report of this terminal, named `terminal_id` by
// its operator (1–64 characters of `A-Z a-z 0-9 . _ -`), into `*out`: the
// body of `POST /v1/operator/acceptances`, exactly as the platform reads
// it (`{"terminal_id", "after", "acceptances": [{"handle", "counter",
// "purpose", "issued_at", "accepted_at"}]}`).
//
// It carries the accepts not yet answered (an earlier report's that got
// no answer first, then those since), at most
// `ECARD_CLEARING_MAX_ACCEPTANCES`, and the cursor of the last answer.
// Nothing is forgotten until `ecard_terminal_clearing_answer` takes the
// answer to this report: after a failed post, build the report again and
// send that (the platform stores each accept once). One report is in
// flight at a time: hand the answer of the last report built. The
// unanswered accepts and the cursor are kept in the state file
// (`ecard_terminal_save`), so a restart loses neither.
//
// Release `out->json` with `ecard_terminal_clearing_report_free`. On a
// failure `*out` is the empty report (`json` NULL), so releasing it is
// harmless. Errors: `null_argument`, `invalid_utf8`, `invalid_argument` (a
// malformed terminal id), `not_provisioned`, `internal`.
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile;
// `terminal_id` is NULL or a NUL-terminated string; `out` is NULL or valid
// for writing an `EcardTerminalClearingReport`.
struct EcardTerminalResult ecard_terminal_clearing_report(struct EcardTerminal *terminal,
                                                          const char *terminal_id,
                                                          struct EcardTerminalClearingReport *out);

// Releases the JSON of a clearing report and sets `report->json` to NULL
// (and `len` to 0), so a second call does nothing. NULL is ignored.
//
// # Safety
// `report` is NULL or points to a report filled by
// `ecard_terminal_clearing_report` (or the empty report), whose `json` was
// not changed by the caller.
void ecard_terminal_clearing_report_free(struct EcardTerminalClearingReport *report);

// Takes the platform's answer to the last clearing report (`len` bytes of
// JSON at `json`: the body of a `200` answer to
// `POST /v1/operator/acceptances`) at Unix time `now`: the report's accepts
// are forgotten, the cursor is kept for the next report, each of `recent`
// (a code another terminal of the operator accepted) is refused here from
// now on as `replayed`, and the state is saved. Unless `out` is NULL it
// receives the counts and the cursor.
//
// Hand only a successful answer: after a failed post, or an answer that is
// `malformed_clearing_answer` (nothing is applied then), report again.
// Errors: `null_argument`, `malformed_clearing_answer`, `not_provisioned`,
// `state_not_writable`, `internal`.
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile;
// `json` is NULL or valid for reading `len` bytes; `out` is NULL or valid
// for writing an `EcardTerminalClearingAnswer`.
struct EcardTerminalResult ecard_terminal_clearing_answer(struct EcardTerminal *terminal,
                                                          const uint8_t *json,
                                                          size_t len,
                                                          uint64_t now,
                                                          struct EcardTerminalClearingAnswer *out);

// Verifies the code text `code` (the QR content, NUL-terminated) at Unix
// time `now`.
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile;
// `code` is NULL or a NUL-terminated string.
struct EcardTerminalVerdict ecard_terminal_verify(struct EcardTerminal *terminal,
                                                  const char *code,
                                                  uint64_t now);

// Makes the terminal one of the school `affiliation` (its platform-registered
// number, 1 to `ECARD_AFFILIATION_MAX`) and saves the state: a campus code
// (`ECARD_PURPOSE_CAMPUS_ENTRY`, `ECARD_PURPOSE_LIBRARY`) then passes only
// with this affiliation, and is refused with `wrong_affiliation` when it
// names another school or none. `ECARD_AFFILIATION_NONE` checks no
// affiliation again. The setting is kept in the state file; call it once
// after provisioning. A number above `ECARD_AFFILIATION_MAX` is
// `invalid_argument`.
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile.
struct EcardTerminalResult ecard_terminal_set_affiliation(struct EcardTerminal *terminal,
                                                          uint32_t affiliation,
                                                          uint64_t now);

// Writes the state file (the terminal stays open). A long-running gate
// calls it every few seconds.
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile.
struct EcardTerminalResult ecard_terminal_save(struct EcardTerminal *terminal, uint64_t now);

// Writes the state, marks it closed and releases the handle, which must
// not be used again whatever the result. NULL is `null_argument`.
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile.
struct EcardTerminalResult ecard_terminal_close(struct EcardTerminal *terminal, uint64_t now);

// Releases the handle without closing the state, as a crash would: the
// accepts since the last save are not written, and the next open refuses
// codes made before it. NULL is ignored.
//
// # Safety
// `terminal` is NULL or a live handle, used by no other thread meanwhile;
// it must not be used again.
void ecard_terminal_free(struct EcardTerminal *terminal);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* ECARD_TERMINAL_H */
