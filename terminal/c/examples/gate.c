/*
 * A transport gate in a few lines: the terminal SDK as a vendor uses it.
 *
 *   gate TRUST.json AUTHORITY.json STATUS.bin NOW CODES.txt [DELTA.bin]
 *
 * Provisions a terminal in a fresh temporary directory with the issuer's
 * signed trust list and the authority key to pin (transport purpose, a
 * status list no older than a day), installs the signed status list, then
 * the status delta to its next edition if one is given (the cheap refresh),
 * verifies each line of CODES.txt (one QR text a line) at Unix time NOW,
 * prints the verdicts, prints the clearing report it would post to the
 * platform, and closes the terminal. A real gate provisions once, then
 * opens the same state file at every start (ecard_terminal_open), installs
 * each new status list or delta as it arrives, calls ecard_terminal_save
 * every few seconds, reports its accepts every few seconds while online
 * (ecard_terminal_clearing_report, then ecard_terminal_clearing_answer with
 * the platform's answer) and calls ecard_terminal_close when it stops.
 *
 * Build (see docs/terminals.md, "C SDK"):
 *   cargo build --release -p ecard-terminal-c
 *   gcc -std=c11 -Iterminal/c/include terminal/c/examples/gate.c \
 *       -Ltarget/release -lecard_terminal_c -o gate
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecard_terminal.h"

/* Reads a whole file; the caller frees it. */
static char *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    char *data = NULL;
    long size = -1;
    if (fseek(file, 0, SEEK_END) == 0) size = ftell(file);
    if (size >= 0 && fseek(file, 0, SEEK_SET) == 0) data = malloc((size_t)size + 1);
    if (data != NULL && fread(data, 1, (size_t)size, file) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(file);
    if (data == NULL) return NULL;
    data[size] = '\0';
    if (len != NULL) *len = (size_t)size;
    return data;
}

static void print_verdict(const char *code, EcardTerminalVerdict verdict) {
    printf("%.24s... ", code);
    if (!verdict.valid) {
        /* Show the person the message in their language; log the code. */
        printf("REFUSED %s\n    %s\n    %s\n", verdict.error_code, verdict.message_zh,
               verdict.message_en);
        return;
    }
    const char *role = verdict.on_behalf == ECARD_ROLE_PROXY      ? " (shown by a family proxy)"
                       : verdict.on_behalf == ECARD_ROLE_GUARDIAN ? " (shown by a guardian)"
                                                                  : "";
    printf("OPEN GATE counter %u%s", verdict.counter, role);
    if (verdict.concession != ECARD_CONCESSION_NONE) printf(", fare class %s", verdict.concession_name);
    if (verdict.handle[0] != '\0') printf(", handle %s region %06u", verdict.handle, verdict.region);
    if (verdict.status_checked) printf(", status list %u\n", verdict.status_sequence);
    else printf(", status unchecked\n");
}

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s TRUST.json AUTHORITY.json STATUS.bin NOW CODES.txt [DELTA.bin]\n",
                argv[0]);
        return 2;
    }
    uint64_t now = strtoull(argv[4], NULL, 10);
    char *trust = read_file(argv[1], NULL);
    char *authority = read_file(argv[2], NULL);
    size_t status_len = 0;
    char *status = read_file(argv[3], &status_len);
    char *codes = read_file(argv[5], NULL);
    char directory[] = "/tmp/ecard-gate-XXXXXX";
    if (trust == NULL || authority == NULL || status == NULL || codes == NULL ||
        mkdtemp(directory) == NULL) {
        fprintf(stderr, "cannot read the inputs\n");
        return 1;
    }
    char state[64];
    snprintf(state, sizeof state, "%s/terminal.json", directory);
    printf("ecard terminal SDK %s\n", ecard_terminal_version());

    /* 1. Provision (once per device) with the signed trust list the platform
     *    serves and the province's authority key to pin. Provisioned a little
     *    before the first code here: a terminal refuses codes made before its
     *    provisioning. */
    EcardTerminal *terminal = NULL;
    EcardTerminalResult result =
        ecard_terminal_provision(state, trust, authority, ECARD_PURPOSE_TRANSPORT,
                                 ECARD_STATUS_MAX_AGE_DEFAULT, now - 600, &terminal);
    if (!result.ok) {
        fprintf(stderr, "provisioning failed: %s (%s)\n", result.code, result.message_en);
        return 1;
    }

    /* 2. Install the current status list (saves the state). */
    uint32_t sequence = 0;
    result = ecard_terminal_install_status_list(terminal, (const uint8_t *)status, status_len,
                                                now, &sequence);
    if (!result.ok) {
        fprintf(stderr, "status list refused: %s (%s)\n", result.code, result.message_en);
        ecard_terminal_free(terminal);
        return 1;
    }
    printf("status list %u installed\n", sequence);

    /* 2b. Refresh: a terminal that holds an edition may install a delta to
     *     the next one instead of the whole list. If it does not hold the
     *     delta's base (status_delta_base_missing), fetch the full list. */
    if (argc == 7) {
        size_t delta_len = 0;
        char *delta = read_file(argv[6], &delta_len);
        result = delta == NULL ? result
                               : ecard_terminal_install_status_delta(
                                     terminal, (const uint8_t *)delta, delta_len, now, &sequence);
        free(delta);
        if (delta == NULL || !result.ok) {
            fprintf(stderr, "status delta refused: %s\n", delta == NULL ? "unreadable" : result.code);
            ecard_terminal_free(terminal);
            return 1;
        }
        printf("status list %u installed from a delta\n", sequence);
    }

    /* 3. Verify what the scanner reads. */
    int exit_code = 0;
    for (char *line = strtok(codes, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        print_verdict(line, ecard_terminal_verify(terminal, line, now));
    }

    /* 4. Clearing: the body to POST to /v1/operator/acceptances (with the
     *    operator's bearer token). A real gate posts it and hands the 200
     *    answer's body to ecard_terminal_clearing_answer; after a failed
     *    post it builds the report again later (nothing is lost). */
    EcardTerminalClearingReport report;
    result = ecard_terminal_clearing_report(terminal, "line1-gate-07", &report);
    if (result.ok) {
        printf("clearing report (%zu accepts, %zu bytes): %s\n", report.acceptances, report.len,
               report.json);
    } else {
        fprintf(stderr, "clearing report failed: %s\n", result.code);
        exit_code = 1;
    }
    ecard_terminal_clearing_report_free(&report);

    /* 5. Stop cleanly: the next start trusts the state completely. */
    result = ecard_terminal_close(terminal, now);
    if (!result.ok) {
        fprintf(stderr, "close failed: %s\n", result.code);
        exit_code = 1;
    }
    unlink(state);
    rmdir(directory);
    free(trust);
    free(authority);
    free(status);
    free(codes);
    return exit_code;
}
