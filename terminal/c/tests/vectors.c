/*
 * The C test driver of the terminal SDK (scripts/test-terminal-c.sh).
 *
 *   vectors DIR        every test vector of credential/tests/vectors through
 *                      the C ABI, the restart cases and the argument checks;
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
    int count = 0;
    char *save_line = NULL;
    for (char *line = strtok_r(text, "\n", &save_line); line != NULL;
         line = strtok_r(NULL, "\n", &save_line)) {
        char *field[15] = {0};
        int fields = 0;
        char *save_field = NULL;
        for (char *f = strtok_r(line, "\t", &save_field); f != NULL && fields < 15;
             f = strtok_r(NULL, "\t", &save_field)) {
            field[fields++] = f;
        }
        if (fields < 9) {
            check(0, "vectors", "short line");
            continue;
        }
        const char *name = field[0], *code = field[1];
        uint64_t now = strtoull(field[4], NULL, 10);
        uint32_t mask = (uint32_t)strtoul(field[5], NULL, 10);
        int64_t max_age = strtoll(field[6], NULL, 10);
        unsigned scans = (unsigned)strtoul(field[7], NULL, 10);
        const char *expected = field[8];
        count++;
        unlink(state);
        /* Provisioned ten minutes earlier: a fresh terminal refuses codes
         * made before its provisioning (the restart barrier). */
        EcardTerminal *terminal =
            provision(name, state, field[2], field[3], mask, max_age, now - 600, now);
        if (terminal == NULL) continue;
        EcardTerminalVerdict verdict = {0};
        for (unsigned scan = 0; scan < (scans ? scans : 1); scan++) {
            verdict = ecard_terminal_verify(terminal, code, now);
        }
        char detail[512];
        if (strcmp(expected, "valid") == 0) {
            if (!verdict.valid) {
                snprintf(detail, sizeof detail, "expected valid, got %s", verdict.error_code);
                check(0, name, detail);
            } else if (fields < 14) {
                check(0, name, "short valid line");
            } else {
                int concession = atoi(field[11]);
                const char *handle = strcmp(field[12], "-") == 0 ? "" : field[12];
                int ok = verdict.on_behalf == strtoul(field[9], NULL, 10) &&
                         verdict.purpose == strtoul(field[10], NULL, 10) &&
                         verdict.concession == concession &&
                         (concession < 0) == (verdict.concession_name == NULL) &&
                         strcmp(verdict.handle, handle) == 0 &&
                         verdict.region == strtoul(field[13], NULL, 10) &&
                         verdict.error_code == NULL && verdict.counter > 0 &&
                         verdict.issued_at > 0 && verdict.credential_not_after > now;
                snprintf(detail, sizeof detail,
                         "disclosure: role %u purpose %u concession %d handle '%s' region %u",
                         verdict.on_behalf, verdict.purpose, verdict.concession, verdict.handle,
                         verdict.region);
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
    printf("vectors: %d run\n", count);
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
    check(same(ecard_terminal_provision_unsigned(state, trust, 32, -1, 1, &terminal).code,
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
    run_vectors(dir, state);
    run_restarts(dir, state);
    run_arguments(dir, state);
    unlink(state);
    free(state);
    printf("passed %d failed %d\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
