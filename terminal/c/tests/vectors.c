/*
 * The C test driver of the terminal SDK (scripts/test-terminal-c.sh).
 *
 *   vectors DIR        every test vector of credential/tests/vectors through
 *                      the C ABI, the restart cases, the argument checks,
 *                      status deltas, clearing between two terminals and a
 *                      region's on-behalf rules;
 *                      DIR is written by `cargo run -p ecard-terminal-c
 *                      --example prepare -- DIR`. Prints `FAIL ...` lines and
 *                      a last line `passed N failed M`; exits 1 on a failure.
 *   bench DIR          times ecard_terminal_verify (build in release).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ecard_terminal.h"

static int passed, failed;

static void check(int ok, const char *name, const char *detail) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s: %s\n", name, detail);
    }
}

static int same(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The whole file, NUL-terminated; *len gets its size. NULL on failure. */
static char *slurp(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    size_t cap = 4096, used = 0;
    char *data = malloc(cap);
    size_t got;
    while (data != NULL && (got = fread(data + used, 1, cap - used - 1, file)) > 0) {
        used += got;
        if (cap - used < 2) {
            char *bigger = realloc(data, cap * 2);
            if (bigger == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    fclose(file);
    if (data == NULL) return NULL;
    data[used] = '\0';
    if (len != NULL) *len = used;
    return data;
}

/* The value of `key` in a file of `key value` lines (a malloc'd copy). */
static char *value_of(const char *path, const char *key) {
    char *text = slurp(path, NULL);
    if (text == NULL) return NULL;
    char *found = NULL;
    size_t key_len = strlen(key);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, key, key_len) == 0 && line[key_len] == ' ') {
            found = strdup(line + key_len + 1);
            break;
        }
    }
    free(text);
    return found;
}

static char *join(const char *dir, const char *name) {
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (path != NULL) snprintf(path, size, "%s/%s", dir, name);
    return path;
}

/* Provisions a terminal at `state` from files; NULL (and a FAIL) on error. */
static EcardTerminal *provision(const char *name, const char *state, const char *trust_path,
                                const char *status_path, uint32_t purposes, int64_t max_age,
                                uint64_t provisioned_at, uint64_t now) {
    char *trust = slurp(trust_path, NULL);
    if (trust == NULL) {
        check(0, name, "cannot read the trust list");
        return NULL;
    }
    EcardTerminal *terminal = NULL;
    EcardTerminalResult result =
        ecard_terminal_provision_unsigned(state, trust, purposes, max_age, provisioned_at, &terminal);
    free(trust);
    if (!result.ok) {
        check(0, name, result.code);
        return NULL;
    }
    if (status_path != NULL && strcmp(status_path, "-") != 0) {
        size_t len = 0;
        char *bytes = slurp(status_path, &len);
        uint32_t sequence = 0;
        result = ecard_terminal_install_status_list(terminal, (const uint8_t *)bytes, len, now,
                                                    &sequence);
        free(bytes);
        if (!result.ok) {
            check(0, name, result.code);
            ecard_terminal_free(terminal);
            return NULL;
        }
    }
    return terminal;
}

static void run_vectors(const char *dir, const char *state) {
    char *path = join(dir, "vectors.tsv");
    char *text = slurp(path, NULL);
    free(path);
    if (text == NULL) {
        check(0, "vectors", "cannot read vectors.tsv");
        return;
    }
    int count = 0, sm2 = 0;
    char *save_line = NULL;
    for (char *line = strtok_r(text, "\n", &save_line); line != NULL;
         line = strtok_r(NULL, "\n", &save_line)) {
        char *field[16] = {0};
        int fields = 0;
        char *save_field = NULL;
        for (char *f = strtok_r(line, "\t", &save_field); f != NULL && fields < 16;
             f = strtok_r(NULL, "\t", &save_field)) {
            field[fields++] = f;
        }
        if (fields < 10) {
            check(0, "vectors", "short line");
            continue;
        }
        const char *name = field[0], *code = field[1];
        uint64_t now = strtoull(field[4], NULL, 10);
        uint32_t mask = (uint32_t)strtoul(field[5], NULL, 10);
        int64_t max_age = strtoll(field[6], NULL, 10);
        unsigned scans = (unsigned)strtoul(field[7], NULL, 10);
        uint32_t school = (uint32_t)strtoul(field[8], NULL, 10);
        const char *expected = field[9];
        count++;
        if (strstr(name, "sm2") != NULL) sm2++;
        unlink(state);
        /* Provisioned ten minutes earlier: a fresh terminal refuses codes
         * made before its provisioning (the restart barrier). */
        EcardTerminal *terminal =
            provision(name, state, field[2], field[3], mask, max_age, now - 600, now);
        if (terminal == NULL) continue;
        if (school != ECARD_AFFILIATION_NONE &&
            !ecard_terminal_set_affiliation(terminal, school, now - 600).ok) {
            check(0, name, "set_affiliation");
            ecard_terminal_free(terminal);
            continue;
        }
        EcardTerminalVerdict verdict = {0};
        for (unsigned scan = 0; scan < (scans ? scans : 1); scan++) {
            verdict = ecard_terminal_verify(terminal, code, now);
        }
        char detail[512];
        if (strcmp(expected, "valid") == 0) {
            if (!verdict.valid) {
                snprintf(detail, sizeof detail, "expected valid, got %s", verdict.error_code);
                check(0, name, detail);
            } else if (fields < 16) {
                check(0, name, "short valid line");
            } else {
                int concession = atoi(field[12]);
                const char *handle = strcmp(field[13], "-") == 0 ? "" : field[13];
                int ok = verdict.on_behalf == strtoul(field[10], NULL, 10) &&
                         verdict.purpose == strtoul(field[11], NULL, 10) &&
                         verdict.concession == concession &&
                         (concession < 0) == (verdict.concession_name == NULL) &&
                         strcmp(verdict.handle, handle) == 0 &&
                         verdict.region == strtoul(field[14], NULL, 10) &&
                         verdict.affiliation == strtoul(field[15], NULL, 10) &&
                         verdict.error_code == NULL && verdict.counter > 0 &&
                         verdict.issued_at > 0 && verdict.credential_not_after > now;
                snprintf(detail, sizeof detail,
                         "disclosure: role %u purpose %u concession %d handle '%s' region %u "
                         "affiliation %u",
                         verdict.on_behalf, verdict.purpose, verdict.concession, verdict.handle,
                         verdict.region, verdict.affiliation);
                check(ok, name, detail);
            }
        } else {
            snprintf(detail, sizeof detail, "expected %s, got %s", expected,
                     verdict.valid ? "valid" : verdict.error_code);
            check(!verdict.valid && same(verdict.error_code, expected) &&
                      verdict.message_zh != NULL && verdict.message_en != NULL &&
                      strlen(verdict.message_zh) > 0 && strlen(verdict.message_en) > 0,
                  name, detail);
        }
        EcardTerminalResult closed = ecard_terminal_close(terminal, now);
        check(closed.ok, name, "close");
    }
    free(text);
    check(count >= 40, "vectors", "fewer than 40 vectors");
    /* Suite 3: the phones' pairs with an SM2 issuer and SM2 devices, and
     * the SM2 refusals (identifier, scalars, curve, suite confusion). */
    check(sm2 >= 35, "vectors", "fewer than 35 SM2 vectors");
    printf("vectors: %d run, %d of them SM2\n", count, sm2);
}

static const char *verdict_code(EcardTerminalVerdict verdict) {
    return verdict.valid ? "valid" : verdict.error_code;
}

static void expect_verdict(const char *name, EcardTerminalVerdict verdict, const char *code) {
    char detail[256];
    snprintf(detail, sizeof detail, "expected %s, got %s", code, verdict_code(verdict));
    check(same(verdict_code(verdict), code), name, detail);
}

static void run_restarts(const char *dir, const char *state) {
    char *world = join(dir, "world.txt");
    char *trust = join(dir, "world.trust.json");
    char *status = join(dir, "world.status.bin");
    char *now_text = value_of(world, "now");
    char *first = value_of(world, "first");
    char *second = value_of(world, "second");
    char *revoked = value_of(world, "revoked");
    if (now_text == NULL || first == NULL || second == NULL || revoked == NULL) {
        check(0, "restarts", "cannot read world.txt");
        goto done;
    }
    uint64_t now = strtoull(now_text, NULL, 10);
    EcardTerminal *terminal = NULL;

    /* Missing state: opens, refuses every code, creates nothing. */
    unlink(state);
    check(ecard_terminal_open(state, now, &terminal).ok, "missing state", "open");
    check(same(ecard_terminal_problem(terminal).code, "not_provisioned"), "missing state",
          "problem");
    expect_verdict("missing state", ecard_terminal_verify(terminal, first, now),
                   "not_provisioned");
    check(ecard_terminal_close(terminal, now).ok, "missing state",
          "close of an unprovisioned terminal");
    check(access(state, F_OK) != 0, "missing state", "opening created a state file");

    /* Provision, install, close; open → accept → close; open → replayed. */
    terminal = provision("restarts", state, trust, "-", ECARD_PURPOSE_TRANSPORT,
                         ECARD_STATUS_MAX_AGE_DEFAULT, now - 600, now - 600);
    if (terminal == NULL) goto done;
    check(ecard_terminal_close(terminal, now - 600).ok, "restarts", "close after provisioning");
    check(ecard_terminal_open(state, now, &terminal).ok, "restarts", "open");
    check(ecard_terminal_problem(terminal).ok, "restarts", "provisioned");
    expect_verdict("restarts: without a status list", ecard_terminal_verify(terminal, first, now),
                   "status_unavailable");
    size_t len = 0;
    char *bytes = slurp(status, &len);
    uint32_t sequence = 0;
    check(ecard_terminal_install_status_list(terminal, (const uint8_t *)bytes, len, now, &sequence)
                  .ok &&
              sequence == 5,
          "restarts", "install the status list");
    free(bytes);
    EcardTerminalVerdict verdict = ecard_terminal_verify(terminal, first, now);
    expect_verdict("restarts: first scan", verdict, "valid");
    check(verdict.status_checked && verdict.status_sequence == 5 && verdict.counter == 1 &&
              verdict.purpose == ECARD_PURPOSE_TRANSPORT && verdict.concession == 2 &&
              same(verdict.concession_name, "senior_free") && verdict.handle[0] == '\0',
          "restarts: first scan", "disclosure");
    expect_verdict("restarts: revoked", ecard_terminal_verify(terminal, revoked, now), "revoked");
    check(ecard_terminal_save(terminal, now).ok, "restarts", "save");
    check(ecard_terminal_close(terminal, now + 1).ok, "restarts", "close");

    check(ecard_terminal_open(state, now + 2, &terminal).ok, "restarts", "reopen");
    expect_verdict("restarts: replay after a clean restart",
                   ecard_terminal_verify(terminal, first, now + 2), "replayed");
    expect_verdict("restarts: revoked after a restart",
                   ecard_terminal_verify(terminal, revoked, now + 2), "revoked");
    /* Crash: the handle is dropped without closing. */
    ecard_terminal_free(terminal);

    check(ecard_terminal_open(state, now + 5, &terminal).ok, "restarts", "open after a crash");
    expect_verdict("restarts: code made before a crash",
                   ecard_terminal_verify(terminal, first, now + 5), "made_before_restart");
    expect_verdict("restarts: fresh code after a crash",
                   ecard_terminal_verify(terminal, second, now + 40), "valid");
    check(ecard_terminal_close(terminal, now + 41).ok, "restarts", "close after a crash");
    check(ecard_terminal_open(state, now + 42, &terminal).ok, "restarts", "open");
    expect_verdict("restarts: replay of the fresh code",
                   ecard_terminal_verify(terminal, second, now + 42), "replayed");

    /* A rollback to an older list and garbage are refused with codes. */
    EcardTerminalResult result =
        ecard_terminal_install_status_list(terminal, (const uint8_t *)"garbage", 7, now, NULL);
    check(!result.ok && result.code != NULL && result.message_zh != NULL &&
              result.message_en != NULL,
          "status list garbage", result.ok ? "accepted" : result.code);
    check(ecard_terminal_close(terminal, now + 43).ok, "restarts", "last close");

    /* A damaged state refuses every code. */
    FILE *file = fopen(state, "w");
    if (file != NULL) {
        fputs("{\"damaged\": true}", file);
        fclose(file);
    }
    check(ecard_terminal_open(state, now + 50, &terminal).ok, "damaged state", "open");
    expect_verdict("damaged state", ecard_terminal_verify(terminal, second, now + 50),
                   "not_provisioned");
    ecard_terminal_free(terminal);
done:
    free(world);
    free(trust);
    free(status);
    free(now_text);
    free(first);
    free(second);
    free(revoked);
}

static void run_arguments(const char *dir, const char *state) {
    EcardTerminal *terminal = NULL;
    check(same(ecard_terminal_open(NULL, 1, &terminal).code, "null_argument"), "arguments",
          "open(NULL path)");
    check(same(ecard_terminal_open(state, 1, NULL).code, "null_argument"), "arguments",
          "open(NULL out)");
    check(same(ecard_terminal_open("", 1, &terminal).code, "invalid_argument"), "arguments",
          "open(\"\")");
    check(terminal == NULL, "arguments", "out written on failure");
    expect_verdict("arguments: verify(NULL terminal)", ecard_terminal_verify(NULL, "EC1:", 1),
                   "null_argument");
    check(same(ecard_terminal_save(NULL, 1).code, "null_argument"), "arguments", "save(NULL)");
    check(same(ecard_terminal_close(NULL, 1).code, "null_argument"), "arguments", "close(NULL)");
    check(same(ecard_terminal_problem(NULL).code, "null_argument"), "arguments", "problem(NULL)");
    ecard_terminal_free(NULL);

    char *trust_path = join(dir, "world.trust.json");
    char *trust = slurp(trust_path, NULL);
    free(trust_path);
    check(same(ecard_terminal_provision_unsigned(state, NULL, 1, -1, 1, &terminal).code, "null_argument"),
          "arguments", "provision(NULL trust)");
    check(same(ecard_terminal_provision_unsigned(state, "{\"format\":", 1, -1, 1, &terminal).code,
               "malformed_trust_list"),
          "arguments", "provision(bad JSON)");
    check(same(ecard_terminal_provision_unsigned(state, "\xff\xfe", 1, -1, 1, &terminal).code,
               "invalid_utf8"),
          "arguments", "provision(invalid UTF-8)");
    check(same(ecard_terminal_provision_unsigned(state, trust, 0, -1, 1, &terminal).code,
               "invalid_argument"),
          "arguments", "provision(no purpose)");
    check(same(ecard_terminal_provision_unsigned(state, trust, 256, -1, 1, &terminal).code,
               "invalid_argument"),
          "arguments", "provision(unknown purpose bit)");
    check(same(ecard_terminal_provision_unsigned(state, trust, 1, -5, 1, &terminal).code,
               "invalid_argument"),
          "arguments", "provision(negative age)");
    check(terminal == NULL, "arguments", "out written on failure");
    EcardTerminalResult result = ecard_terminal_provision_unsigned(state, trust, 1, -1, 1, &terminal);
    check(result.ok, "arguments", "provision");
    free(trust);
    if (!result.ok) return;
    expect_verdict("arguments: verify(NULL code)", ecard_terminal_verify(terminal, NULL, 1),
                   "null_argument");
    expect_verdict("arguments: verify(invalid UTF-8)",
                   ecard_terminal_verify(terminal, "EC1:\xc3\x28", 1), "invalid_utf8");
    expect_verdict("arguments: verify(empty)", ecard_terminal_verify(terminal, "", 1),
                   "bad_prefix");
    check(same(ecard_terminal_install_status_list(terminal, NULL, 3, 1, NULL).code,
               "null_argument"),
          "arguments", "install(NULL bytes)");
    check(ecard_terminal_close(terminal, 2).ok, "arguments", "close");
    check(ecard_terminal_version() != NULL && strlen(ecard_terminal_version()) > 0, "arguments",
          "version");
}

/* Installs a status list or delta file; the result, the sequence in *sequence. */
static EcardTerminalResult install_file(EcardTerminal *terminal, const char *path, int delta,
                                        uint64_t now, uint32_t *sequence) {
    size_t len = 0;
    char *bytes = slurp(path, &len);
    if (bytes == NULL) {
        EcardTerminalResult missing = {false, "cannot read the file", "", ""};
        return missing;
    }
    EcardTerminalResult result =
        delta ? ecard_terminal_install_status_delta(terminal, (const uint8_t *)bytes, len, now,
                                                    sequence)
              : ecard_terminal_install_status_list(terminal, (const uint8_t *)bytes, len, now,
                                                   sequence);
    free(bytes);
    return result;
}

static void expect_result(const char *name, EcardTerminalResult result, const char *code) {
    char detail[256];
    const char *got = result.ok ? "ok" : result.code;
    snprintf(detail, sizeof detail, "expected %s, got %s", code, got);
    int ok = same(got, code);
    if (!result.ok) {
        ok = ok && result.message_zh != NULL && result.message_en != NULL &&
             strlen(result.message_zh) > 0 && strlen(result.message_en) > 0;
    } else {
        ok = ok && result.code == NULL && result.message_zh == NULL && result.message_en == NULL;
    }
    check(ok, name, detail);
}

/* Status deltas: the wrong base, malformed bytes, a rollback, and a delta
 * that survives a restart. */
static void run_deltas(const char *dir, const char *state) {
    char *world = join(dir, "world.txt");
    char *trust = join(dir, "world.trust.json");
    char *status = join(dir, "world.status.bin");
    char *delta6 = join(dir, "world.delta-6.bin");
    char *delta7 = join(dir, "world.delta-7.bin");
    char *now_text = value_of(world, "now");
    char *first = value_of(world, "first");
    char *later = value_of(world, "later");
    if (now_text == NULL || first == NULL || later == NULL) {
        check(0, "deltas", "cannot read world.txt");
        goto done;
    }
    uint64_t now = strtoull(now_text, NULL, 10);
    unlink(state);
    EcardTerminal *terminal = provision("deltas", state, trust, "-", ECARD_PURPOSE_TRANSPORT,
                                        ECARD_STATUS_MAX_AGE_DEFAULT, now - 600, now - 600);
    if (terminal == NULL) goto done;
    uint32_t sequence = 0;
    expect_result("deltas: a delta before any list", install_file(terminal, delta6, 1, now, &sequence),
                  "status_delta_base_missing");
    expect_result("deltas: the full list", install_file(terminal, status, 0, now, &sequence), "ok");
    check(sequence == 5, "deltas", "full list sequence");
    expect_result("deltas: wrong base (holds 5, delta 6 to 7)",
                  install_file(terminal, delta7, 1, now, &sequence), "status_delta_base_missing");
    expect_result("deltas: garbage",
                  ecard_terminal_install_status_delta(terminal, (const uint8_t *)"ECSDgarbage", 11,
                                                      now, NULL),
                  "status_list_malformed");
    expect_result("deltas: empty",
                  ecard_terminal_install_status_delta(terminal, (const uint8_t *)"", 0, now, NULL),
                  "status_list_malformed");
    size_t len = 0;
    char *bytes = slurp(delta6, &len);
    if (bytes != NULL) {
        EcardTerminalResult truncated =
            ecard_terminal_install_status_delta(terminal, (const uint8_t *)bytes, len / 2, now, NULL);
        check(!truncated.ok && truncated.code != NULL, "deltas: truncated",
              truncated.ok ? "accepted" : truncated.code);
        /* A full list given to the delta call, and a delta to the list call. */
        EcardTerminalResult swapped =
            ecard_terminal_install_status_list(terminal, (const uint8_t *)bytes, len, now, NULL);
        check(!swapped.ok, "deltas: a delta as a full list", swapped.ok ? "accepted" : swapped.code);
        free(bytes);
    }
    expect_result("deltas: NULL bytes", ecard_terminal_install_status_delta(terminal, NULL, 4, now, NULL),
                  "null_argument");
    expect_result("deltas: NULL terminal",
                  ecard_terminal_install_status_delta(NULL, (const uint8_t *)"x", 1, now, NULL),
                  "null_argument");
    expect_verdict("deltas: still edition 5", ecard_terminal_verify(terminal, first, now), "valid");
    sequence = 0;
    expect_result("deltas: 5 to 6", install_file(terminal, delta6, 1, now, &sequence), "ok");
    check(sequence == 6, "deltas", "delta sequence");
    check(ecard_terminal_save(terminal, now).ok, "deltas", "save");
    check(ecard_terminal_close(terminal, now + 1).ok, "deltas", "close");

    /* Restart: the delta's revocation and edition are kept. */
    check(ecard_terminal_open(state, now + 2, &terminal).ok, "deltas", "reopen");
    expect_verdict("deltas: revoked by the delta after a restart",
                   ecard_terminal_verify(terminal, later, now + 2), "revoked");
    expect_verdict("deltas: replay after a restart", ecard_terminal_verify(terminal, first, now + 2),
                   "replayed");
    expect_result("deltas: 6 to 7 after a restart", install_file(terminal, delta7, 1, now + 2, &sequence),
                  "ok");
    check(sequence == 7, "deltas", "second delta sequence");
    expect_result("deltas: the same delta again", install_file(terminal, delta7, 1, now + 2, &sequence),
                  "ok");
    expect_result("deltas: an older delta", install_file(terminal, delta6, 1, now + 2, NULL),
                  "status_list_rollback");
    expect_result("deltas: the older full list", install_file(terminal, status, 0, now + 2, NULL),
                  "status_list_rollback");
    check(ecard_terminal_close(terminal, now + 3).ok, "deltas", "last close");
done:
    free(world);
    free(trust);
    free(status);
    free(delta6);
    free(delta7);
    free(now_text);
    free(first);
    free(later);
}

/* The answer a platform gives terminal B after terminal A reported `report`:
 * A's acceptances as `recent` (a malloc'd string; NULL on failure). */
static char *answer_with_recent(const char *report, unsigned cursor) {
    const char *key = strstr(report, "\"acceptances\":");
    if (key == NULL) return NULL;
    const char *open = strchr(key, '[');
    const char *close = strrchr(report, ']');
    if (open == NULL || close == NULL || close < open) return NULL;
    size_t size = (size_t)(close - open + 1) + 64;
    char *answer = malloc(size);
    if (answer != NULL) {
        snprintf(answer, size, "{\"duplicates\":[],\"recent\":%.*s,\"cursor\":%u}",
                 (int)(close - open + 1), open, cursor);
    }
    return answer;
}

/* Two terminals of one operator clear their accepts through the platform's
 * JSON, with restarts in between. */
static void run_clearing(const char *dir, const char *state_a, const char *state_b) {
    char *world = join(dir, "world.txt");
    char *trust = join(dir, "world.trust.json");
    char *status = join(dir, "world.status.bin");
    char *now_text = value_of(world, "now");
    char *cleared = value_of(world, "cleared");
    char *report_a = NULL;
    if (now_text == NULL || cleared == NULL) {
        check(0, "clearing", "cannot read world.txt");
        goto done;
    }
    uint64_t now = strtoull(now_text, NULL, 10);
    const char *states[2] = {state_a, state_b};
    for (int i = 0; i < 2; i++) {
        unlink(states[i]);
        EcardTerminal *terminal = provision("clearing", states[i], trust, status,
                                            ECARD_PURPOSE_TRANSPORT, ECARD_STATUS_MAX_AGE_DEFAULT,
                                            now - 600, now - 600);
        if (terminal == NULL) goto done;
        check(ecard_terminal_close(terminal, now - 600).ok, "clearing", "close after provisioning");
    }

    /* Gate A accepts the code; its first report carries it, with no cursor. */
    EcardTerminal *a = NULL;
    check(ecard_terminal_open(state_a, now, &a).ok, "clearing", "open A");
    expect_verdict("clearing: A accepts", ecard_terminal_verify(a, cleared, now), "valid");
    EcardTerminalClearingReport report;
    memset(&report, 0xab, sizeof report);
    expect_result("clearing: A's report", ecard_terminal_clearing_report(a, "line1-gate-01", &report),
                  "ok");
    check(report.json != NULL && report.len == strlen(report.json) && report.acceptances == 1 &&
              report.remaining == 0,
          "clearing: A's report", "shape");
    check(report.json != NULL && strstr(report.json, "\"terminal_id\":\"line1-gate-01\"") != NULL &&
              strstr(report.json, "\"handle\":\"0400000405060708\"") != NULL &&
              strstr(report.json, "\"counter\":1") != NULL &&
              strstr(report.json, "\"purpose\":\"transport\"") != NULL &&
              strstr(report.json, "\"after\"") == NULL,
          "clearing: A's report", report.json == NULL ? "NULL" : report.json);
    ecard_terminal_clearing_report_free(&report);
    check(report.json == NULL && report.len == 0, "clearing", "free clears the report");
    ecard_terminal_clearing_report_free(&report); /* a second release does nothing */
    ecard_terminal_clearing_report_free(NULL);

    /* No answer came (the post failed); A restarts and reports the same again. */
    check(ecard_terminal_save(a, now).ok, "clearing", "save A");
    check(ecard_terminal_close(a, now + 1).ok, "clearing", "close A");
    check(ecard_terminal_open(state_a, now + 2, &a).ok, "clearing", "reopen A");
    expect_result("clearing: A's report after a restart",
                  ecard_terminal_clearing_report(a, "line1-gate-01", &report), "ok");
    check(report.acceptances == 1 && report.json != NULL &&
              strstr(report.json, "\"handle\":\"0400000405060708\"") != NULL,
          "clearing: unanswered accepts survive a restart", report.json == NULL ? "NULL" : report.json);
    if (report.json != NULL) report_a = strdup(report.json);
    ecard_terminal_clearing_report_free(&report);
    const char *answer = "{\"duplicates\":[],\"recent\":[],\"cursor\":7}";
    EcardTerminalClearingAnswer taken = {99, 99, 99};
    expect_result("clearing: A takes its answer",
                  ecard_terminal_clearing_answer(a, (const uint8_t *)answer, strlen(answer), now + 2,
                                                 &taken),
                  "ok");
    check(taken.recent == 0 && taken.duplicates == 0 && taken.cursor == 7, "clearing",
          "A's answer counts");
    expect_result("clearing: A's next report",
                  ecard_terminal_clearing_report(a, "line1-gate-01", &report), "ok");
    check(report.acceptances == 0 && report.json != NULL &&
              strstr(report.json, "\"after\":7") != NULL &&
              strstr(report.json, "\"acceptances\":[]") != NULL,
          "clearing: answered accepts are forgotten, the cursor kept",
          report.json == NULL ? "NULL" : report.json);
    ecard_terminal_clearing_report_free(&report);

    /* Errors, with A open. */
    memset(&report, 0xab, sizeof report);
    expect_result("clearing: report(NULL terminal)",
                  ecard_terminal_clearing_report(NULL, "gate", &report), "null_argument");
    check(report.json == NULL, "clearing", "the report is empty after a failure");
    ecard_terminal_clearing_report_free(&report);
    expect_result("clearing: report(NULL id)", ecard_terminal_clearing_report(a, NULL, &report),
                  "null_argument");
    expect_result("clearing: report(NULL out)", ecard_terminal_clearing_report(a, "gate", NULL),
                  "null_argument");
    expect_result("clearing: report(\"gate 7\")",
                  ecard_terminal_clearing_report(a, "gate 7", &report), "invalid_argument");
    expect_result("clearing: report(\"\")", ecard_terminal_clearing_report(a, "", &report),
                  "invalid_argument");
    expect_result("clearing: report(invalid UTF-8)",
                  ecard_terminal_clearing_report(a, "gate\xff", &report), "invalid_utf8");
    expect_result("clearing: answer(NULL json)",
                  ecard_terminal_clearing_answer(a, NULL, 3, now, &taken), "null_argument");
    expect_result("clearing: answer(NULL terminal)",
                  ecard_terminal_clearing_answer(NULL, (const uint8_t *)answer, strlen(answer), now,
                                                 &taken),
                  "null_argument");
    const char *bad[] = {
        "{",
        "",
        "{\"recent\":[],\"cursor\":1}",
        "{\"duplicates\":[],\"recent\":[{\"handle\":\"XYZ\",\"counter\":1,\"purpose\":"
        "\"transport\",\"issued_at\":1,\"accepted_at\":1}],\"cursor\":1}",
        "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401}",
        "\xff\xfe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_result("clearing: malformed answer",
                      ecard_terminal_clearing_answer(a, (const uint8_t *)bad[i], strlen(bad[i]), now,
                                                     NULL),
                      "malformed_clearing_answer");
    }
    check(ecard_terminal_close(a, now + 3).ok, "clearing", "close A again");

    /* Gate B gets A's accept in `recent`, restarts, and refuses the code. */
    char *answer_b = report_a == NULL ? NULL : answer_with_recent(report_a, 8);
    check(answer_b != NULL, "clearing", "building B's answer");
    if (answer_b != NULL) {
        EcardTerminal *b = NULL;
        check(ecard_terminal_open(state_b, now + 3, &b).ok, "clearing", "open B");
        taken.recent = 0;
        expect_result("clearing: B takes the answer",
                      ecard_terminal_clearing_answer(b, (const uint8_t *)answer_b, strlen(answer_b),
                                                     now + 3, &taken),
                      "ok");
        check(taken.recent == 1 && taken.cursor == 8, "clearing", "B's answer counts");
        check(ecard_terminal_save(b, now + 3).ok, "clearing", "save B");
        check(ecard_terminal_close(b, now + 4).ok, "clearing", "close B");
        check(ecard_terminal_open(state_b, now + 5, &b).ok, "clearing", "reopen B");
        expect_verdict("clearing: B refuses the code A accepted",
                       ecard_terminal_verify(b, cleared, now + 5), "replayed");
        expect_result("clearing: B's report", ecard_terminal_clearing_report(b, "line1-gate-02", &report),
                      "ok");
        check(report.acceptances == 0 && report.json != NULL &&
                  strstr(report.json, "\"after\":8") != NULL,
              "clearing: B's report", report.json == NULL ? "NULL" : report.json);
        ecard_terminal_clearing_report_free(&report);
        check(ecard_terminal_close(b, now + 6).ok, "clearing", "close B again");
        free(answer_b);
    }

    /* An unprovisioned terminal has nothing to report. */
    unlink(state_b);
    EcardTerminal *missing = NULL;
    check(ecard_terminal_open(state_b, now, &missing).ok, "clearing", "open missing");
    expect_result("clearing: report of an unprovisioned terminal",
                  ecard_terminal_clearing_report(missing, "gate", &report), "not_provisioned");
    expect_result("clearing: answer to an unprovisioned terminal",
                  ecard_terminal_clearing_answer(missing, (const uint8_t *)answer, strlen(answer),
                                                 now, NULL),
                  "not_provisioned");
    ecard_terminal_free(missing);
done:
    free(report_a);
    free(world);
    free(trust);
    free(status);
    free(now_text);
    free(cleared);
}

/* A region's rules decide who may present for whom: a family proxy's
 * culture and tourism code at a museum of Jiangxi (360000: a proxy only at
 * medical purposes) and of Guangdong (440000: also culture and tourism). */
static void run_rules(const char *dir, const char *state) {
    char *world = join(dir, "world.txt");
    char *trust_path = join(dir, "world.signed-trust.json");
    char *authority_path = join(dir, "world.authority.json");
    char *jiangxi_path = join(dir, "rules-360000.json");
    char *guangdong_path = join(dir, "rules-440000.json");
    char *trust = slurp(trust_path, NULL);
    char *authority = slurp(authority_path, NULL);
    char *jiangxi = slurp(jiangxi_path, NULL);
    char *guangdong = slurp(guangdong_path, NULL);
    char *now_text = value_of(world, "now");
    char *proxy = value_of(world, "proxy");
    if (trust == NULL || authority == NULL || jiangxi == NULL || guangdong == NULL ||
        now_text == NULL || proxy == NULL) {
        check(0, "rules", "cannot read the inputs");
        goto done;
    }
    uint64_t now = strtoull(now_text, NULL, 10);
    const uint32_t museum = ECARD_PURPOSE_CULTURE_TOURISM;
    EcardTerminal *terminal = NULL;

    unlink(state);
    expect_result("rules: provision in Jiangxi",
                  ecard_terminal_provision_with_rules(state, trust, authority, jiangxi, museum,
                                                      ECARD_STATUS_BEST_EFFORT, now - 600, &terminal),
                  "ok");
    if (terminal != NULL) {
        expect_verdict("rules: a proxy's code where the rules forbid it",
                       ecard_terminal_verify(terminal, proxy, now), "on_behalf_refused");
        check(ecard_terminal_close(terminal, now).ok, "rules", "close");
        terminal = NULL;
        check(ecard_terminal_open(state, now + 1, &terminal).ok, "rules", "reopen");
        expect_verdict("rules: still refused after a restart",
                       ecard_terminal_verify(terminal, proxy, now + 1), "on_behalf_refused");
        check(ecard_terminal_close(terminal, now + 1).ok, "rules", "close again");
        terminal = NULL;
    }

    unlink(state);
    expect_result("rules: provision in Guangdong",
                  ecard_terminal_provision_with_rules(state, trust, authority, guangdong, museum,
                                                      ECARD_STATUS_BEST_EFFORT, now - 600, &terminal),
                  "ok");
    if (terminal != NULL) {
        EcardTerminalVerdict verdict = ecard_terminal_verify(terminal, proxy, now);
        expect_verdict("rules: a proxy's code where the rules allow it", verdict, "valid");
        check(verdict.on_behalf == ECARD_ROLE_PROXY && verdict.purpose == museum, "rules",
              "the verdict names the proxy");
        check(ecard_terminal_close(terminal, now).ok, "rules", "close");
        terminal = NULL;
    }

    /* The rules' status-list age: a list is then required. */
    unlink(state);
    expect_result("rules: the rules' status age",
                  ecard_terminal_provision_with_rules(state, trust, authority, guangdong, museum,
                                                      ECARD_STATUS_MAX_AGE_RULES, now - 600,
                                                      &terminal),
                  "ok");
    if (terminal != NULL) {
        expect_verdict("rules: no status list under the rules' age",
                       ecard_terminal_verify(terminal, proxy, now), "status_unavailable");
        check(ecard_terminal_close(terminal, now).ok, "rules", "close");
        terminal = NULL;
    }

    /* Errors: *out is left alone. */
    unlink(state);
    expect_result("rules: NULL rules",
                  ecard_terminal_provision_with_rules(state, trust, authority, NULL, museum,
                                                      ECARD_STATUS_BEST_EFFORT, now, &terminal),
                  "null_argument");
    const char *bad[] = {"{", "{}", "[]", "",
                         "{\"region\":\"360000\",\"on_behalf\":{\"proxy\":[\"flying\"],"
                         "\"guardian\":[],\"source\":\"x\"}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_result("rules: malformed rules",
                      ecard_terminal_provision_with_rules(state, trust, authority, bad[i], museum,
                                                          ECARD_STATUS_BEST_EFFORT, now, &terminal),
                      "malformed_rules");
    }
    expect_result("rules: invalid UTF-8",
                  ecard_terminal_provision_with_rules(state, trust, authority, "{\"\xff\":1}", museum,
                                                      ECARD_STATUS_BEST_EFFORT, now, &terminal),
                  "invalid_utf8");
    expect_result("rules: NULL out",
                  ecard_terminal_provision_with_rules(state, trust, authority, jiangxi, museum,
                                                      ECARD_STATUS_BEST_EFFORT, now, NULL),
                  "null_argument");
    expect_result("rules: the rules' age without rules",
                  ecard_terminal_provision(state, trust, authority, museum,
                                           ECARD_STATUS_MAX_AGE_RULES, now, &terminal),
                  "invalid_argument");
    check(terminal == NULL, "rules", "out written on failure");
    check(access(state, F_OK) != 0, "rules", "a failed provisioning wrote a state");
done:
    free(world);
    free(trust_path);
    free(authority_path);
    free(jiangxi_path);
    free(guangdong_path);
    free(trust);
    free(authority);
    free(jiangxi);
    free(guangdong);
    free(now_text);
    free(proxy);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int run_bench(const char *dir, const char *state) {
    char *path = join(dir, "bench.txt");
    char *text = slurp(path, NULL);
    free(path);
    char *trust = join(dir, "world.trust.json");
    char *status = join(dir, "world.status.bin");
    if (text == NULL) return 1;
    uint64_t now = 0;
    unsigned passes = 0, per_pass = 0, cheap = 0;
    const char *warm_up = NULL;
    size_t cap = 16384, count = 0;
    const char **codes = malloc(cap * sizeof *codes);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "now ", 4) == 0) now = strtoull(line + 4, NULL, 10);
        else if (strncmp(line, "passes ", 7) == 0) passes = (unsigned)atoi(line + 7);
        else if (strncmp(line, "codes ", 6) == 0) per_pass = (unsigned)atoi(line + 6);
        else if (strncmp(line, "cheap ", 6) == 0) cheap = (unsigned)atoi(line + 6);
        else if (strncmp(line, "warmup ", 7) == 0) warm_up = line + 7;
        else if (strncmp(line, "code ", 5) == 0 && count < cap) codes[count++] = line + 5;
    }
    unlink(state);
    EcardTerminal *terminal = provision("bench", state, trust, status, ECARD_PURPOSE_TRANSPORT,
                                        ECARD_STATUS_MAX_AGE_DEFAULT, now - 600, now);
    if (terminal == NULL || warm_up == NULL || count < (size_t)passes * per_pass) return 1;
    if (!ecard_terminal_verify(terminal, warm_up, now).valid) return 1;
    double best = 1e18;
    for (unsigned pass = 0; pass < passes; pass++) {
        double started = now_ns();
        for (unsigned i = 0; i < per_pass; i++) {
            EcardTerminalVerdict verdict =
                ecard_terminal_verify(terminal, codes[pass * per_pass + i], now);
            if (!verdict.valid) {
                printf("bench: refused %s\n", verdict.error_code);
                return 1;
            }
        }
        double each = (now_ns() - started) / per_pass;
        if (each < best) best = each;
    }
    double best_cheap = 1e18;
    for (int round = 0; round < 3; round++) {
        double started = now_ns();
        for (unsigned i = 0; i < cheap; i++) {
            EcardTerminalVerdict verdict = ecard_terminal_verify(terminal, "XX1:not a code", now);
            if (verdict.valid) return 1;
        }
        double each = (now_ns() - started) / cheap;
        if (each < best_cheap) best_cheap = each;
    }
    printf("c: repeat presentation %.0f ns/verify, refusal (bad_prefix) %.1f ns/verify\n", best,
           best_cheap);
    ecard_terminal_close(terminal, now);
    free(codes);
    free(text);
    free(trust);
    free(status);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s vectors|bench DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[2];
    char *state = join(dir, "c-driver-state.json");
    if (strcmp(argv[1], "bench") == 0) {
        int status = run_bench(dir, state);
        unlink(state);
        free(state);
        return status;
    }
    char *state_b = join(dir, "c-driver-state-b.json");
    run_vectors(dir, state);
    run_restarts(dir, state);
    run_arguments(dir, state);
    run_deltas(dir, state);
    run_clearing(dir, state, state_b);
    run_rules(dir, state);
    unlink(state);
    unlink(state_b);
    free(state);
    free(state_b);
    printf("passed %d failed %d\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
