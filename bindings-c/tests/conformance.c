/*
 * Runs every language-neutral conformance case (the JSON files in tests/conformance/cases)
 * through the C API and compares the results exactly. A case whose operation the C binding
 * does not support fails. Operations: hash, stamp, verify, validate, qr_decode, generate, csr.
 *
 *   build/conformance tests/conformance        (from the repository root)
 *
 * The last line of the output is "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include "qayd.h"
#include "mini_json.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned char *data;
    size_t len;
} Buffer;

static const char *root; /* tests/conformance */

static Buffer read_file(const char *relative) {
    Buffer b = {NULL, 0};
    char path[2048];
    FILE *f;
    long size;
    snprintf(path, sizeof path, "%s/%s", root, relative);
    f = fopen(path, "rb");
    if (!f) return b;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        b.data = malloc((size_t)size + 1);
        if (b.data && fread(b.data, 1, (size_t)size, f) == (size_t)size) {
            b.len = (size_t)size;
            b.data[b.len] = '\0';
        } else {
            free(b.data);
            b.data = NULL;
        }
    }
    fclose(f);
    return b;
}

/* The reason a case failed (first one wins). */
static char reason[4096];

static int fail(const char *format, ...) {
    va_list args;
    if (reason[0]) return 0;
    va_start(args, format);
    vsnprintf(reason, sizeof reason, format, args);
    va_end(args);
    return 0;
}

static int same_string(const char *what, const char *got, const char *want) {
    if (!want) return fail("expected.%s is not a string", what);
    if (!got || strcmp(got, want) != 0) return fail("%s: got '%s', want '%s'", what, got ? got : "(null)", want);
    return 1;
}

/* Compares a failed call with the expectation: {"error": CODE} must be expected. */
static int compare_error(QaydStatus status, const JsonValue *expected) {
    const char *want = json_get_string(expected, "error");
    if (!want) return fail("unexpected error %s: %s", qayd_status_code(status), qayd_last_error());
    return same_string("error", qayd_status_code(status), want);
}

/* A success where an error was expected. */
static int expected_error(const JsonValue *expected) {
    const char *want = json_get_string(expected, "error");
    if (want) return fail("expected error %s, but the call succeeded", want);
    return 1;
}

/* Every key of `expected` must be one this operation knows. */
static int known_keys(const JsonValue *expected, const char *const *keys) {
    size_t i;
    if (!expected || expected->type != JSON_OBJECT) return fail("'expected' is not an object");
    for (i = 0; i < expected->count; i++) {
        const char *const *k;
        int found = strcmp(expected->keys[i], "error") == 0;
        for (k = keys; *k && !found; k++) found = strcmp(*k, expected->keys[i]) == 0;
        if (!found) return fail("unsupported expectation '%s'", expected->keys[i]);
    }
    return 1;
}

static int run_hash(const JsonValue *c, const JsonValue *expected) {
    static const char *const keys[] = {"invoice_hash", NULL};
    const char *input = json_get_string(c, "input");
    Buffer xml;
    char *hash = NULL;
    QaydStatus status;
    int ok;
    if (!known_keys(expected, keys)) return 0;
    if (!input || !(xml = read_file(input)).data) return fail("cannot read input '%s'", input ? input : "(none)");
    status = qayd_invoice_hash(xml.data, xml.len, &hash);
    if (status != QAYD_STATUS_OK) ok = compare_error(status, expected);
    else ok = expected_error(expected) && same_string("invoice_hash", hash, json_get_string(expected, "invoice_hash"));
    qayd_string_free(hash);
    free(xml.data);
    return ok;
}

static int run_stamp(const JsonValue *c, const JsonValue *expected) {
    static const char *const keys[] = {"invoice_hash", "uuid", "signature", "qr", "xml", "signing_time", NULL};
    const char *input = json_get_string(c, "input"), *cert_path = json_get_string(c, "certificate"),
               *key_path = json_get_string(c, "private_key"), *signing_time = json_get_string(c, "signing_time");
    Buffer xml = {NULL, 0}, cert = {NULL, 0}, key = {NULL, 0}, want_xml = {NULL, 0};
    QaydSigner *signer = NULL;
    QaydStamped *stamped = NULL;
    QaydStatus status;
    int ok = 0;
    if (!known_keys(expected, keys)) return 0;
    if (!input || !(xml = read_file(input)).data) { fail("cannot read input '%s'", input ? input : "(none)"); goto done; }
    if (!cert_path || !(cert = read_file(cert_path)).data) { fail("cannot read certificate"); goto done; }
    if (!key_path || !(key = read_file(key_path)).data) { fail("cannot read private key"); goto done; }
    status = qayd_signer_new(cert.data, cert.len, key.data, key.len, &signer);
    if (status == QAYD_STATUS_OK) status = qayd_stamp(signer, xml.data, xml.len, signing_time, &stamped);
    if (status != QAYD_STATUS_OK) {
        ok = compare_error(status, expected);
        goto done;
    }
    ok = expected_error(expected);
    if (json_get(expected, "invoice_hash"))
        ok = ok && same_string("invoice_hash", qayd_stamped_invoice_hash(stamped), json_get_string(expected, "invoice_hash"));
    if (json_get(expected, "uuid"))
        ok = ok && same_string("uuid", qayd_stamped_uuid(stamped), json_get_string(expected, "uuid"));
    if (json_get(expected, "signature"))
        ok = ok && same_string("signature", qayd_stamped_signature(stamped), json_get_string(expected, "signature"));
    if (json_get(expected, "qr"))
        ok = ok && same_string("qr", qayd_stamped_qr(stamped), json_get_string(expected, "qr"));
    if (json_get(expected, "signing_time"))
        ok = ok && same_string("signing_time", qayd_stamped_signing_time(stamped), json_get_string(expected, "signing_time"));
    if (ok && json_get(expected, "xml")) {
        const char *path = json_get_string(expected, "xml");
        size_t len = 0;
        const uint8_t *got = qayd_stamped_xml(stamped, &len);
        if (!path || !(want_xml = read_file(path)).data) ok = fail("cannot read expected xml '%s'", path ? path : "(none)");
        else if (len != want_xml.len || memcmp(got, want_xml.data, len) != 0) {
            size_t at = 0;
            while (at < len && at < want_xml.len && got[at] == want_xml.data[at]) at++;
            ok = fail("stamped xml differs from %s at byte %zu (got %zu bytes, want %zu)", path, at, len, want_xml.len);
        }
    }
done:
    qayd_stamped_free(stamped);
    qayd_signer_free(signer);
    free(xml.data);
    free(cert.data);
    free(key.data);
    free(want_xml.data);
    return ok;
}

static int run_generate(const JsonValue *c, const JsonValue *expected) {
    static const char *const keys[] = {"xml", NULL};
    const char *input = json_get_string(c, "input"), *want_path = json_get_string(expected, "xml");
    Buffer model, want = {NULL, 0};
    uint8_t *xml = NULL;
    size_t len = 0;
    QaydStatus status;
    int ok;
    if (!known_keys(expected, keys)) return 0;
    if (!input || !(model = read_file(input)).data) return fail("cannot read input '%s'", input ? input : "(none)");
    status = qayd_generate((const char *)model.data, &xml, &len);
    if (status != QAYD_STATUS_OK) {
        ok = compare_error(status, expected);
    } else if (!(ok = expected_error(expected))) {
        /* already failed */
    } else if (!want_path || !(want = read_file(want_path)).data) {
        ok = fail("cannot read expected xml '%s'", want_path ? want_path : "(none)");
    } else if (len != want.len || memcmp(xml, want.data, len) != 0) {
        size_t at = 0;
        while (at < len && at < want.len && xml[at] == want.data[at]) at++;
        ok = fail("generated xml differs from %s at byte %zu (got %zu bytes, want %zu)", want_path, at, len, want.len);
    }
    qayd_bytes_free(xml, len);
    free(model.data);
    free(want.data);
    return ok;
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int run_verify(const JsonValue *c, const JsonValue *expected) {
    static const char *const keys[] = {"valid", "failed_checks", NULL};
    const char *input = json_get_string(c, "input");
    const JsonValue *want_valid = json_get(expected, "valid"), *want_failed = json_get(expected, "failed_checks");
    Buffer xml;
    char *report_text = NULL;
    JsonValue *report = NULL;
    bool valid = false;
    QaydStatus status;
    int ok = 0;
    if (!known_keys(expected, keys)) return 0;
    if (!input || !(xml = read_file(input)).data) return fail("cannot read input '%s'", input ? input : "(none)");
    status = qayd_verify(xml.data, xml.len, &valid, &report_text);
    if (status != QAYD_STATUS_OK) {
        ok = compare_error(status, expected);
        goto done;
    }
    if (!expected_error(expected)) goto done;
    report = json_parse(report_text, strlen(report_text));
    if (!report) { fail("the report is not JSON: %s", report_text); goto done; }
    ok = 1;
    if (want_valid) {
        if (want_valid->type != JSON_BOOL) ok = fail("expected.valid is not a boolean");
        else if (valid != (want_valid->boolean != 0)) ok = fail("valid: got %d, want %d", valid, want_valid->boolean);
    }
    if (ok && want_failed) {
        const JsonValue *checks = json_get(report, "checks");
        const char *names[64];
        const char *wants[64];
        size_t n = 0, w = 0, i;
        if (want_failed->type != JSON_ARRAY || want_failed->count > 64) { ok = fail("expected.failed_checks is not an array"); goto done; }
        if (!checks || checks->type != JSON_ARRAY) { ok = fail("the report has no checks"); goto done; }
        for (i = 0; i < checks->count && n < 64; i++) {
            const JsonValue *passed = json_get(checks->items[i], "passed");
            if (passed && passed->type == JSON_BOOL && !passed->boolean) names[n++] = json_get_string(checks->items[i], "name");
        }
        for (i = 0; i < want_failed->count; i++) {
            if (want_failed->items[i]->type != JSON_STRING) { ok = fail("failed_checks holds a non-string"); goto done; }
            wants[w++] = want_failed->items[i]->string;
        }
        qsort(names, n, sizeof names[0], compare_strings);
        qsort(wants, w, sizeof wants[0], compare_strings);
        if (n != w) ok = 0;
        for (i = 0; ok && i < n; i++) ok = strcmp(names[i], wants[i]) == 0;
        if (!ok) {
            char got[1024] = "";
            for (i = 0; i < n; i++) {
                strncat(got, names[i], sizeof got - strlen(got) - 2);
                strncat(got, " ", sizeof got - strlen(got) - 1);
            }
            fail("failed checks: got [ %s], want %zu names", got, w);
        }
    }
done:
    json_free(report);
    qayd_string_free(report_text);
    free(xml.data);
    return ok;
}

/* Whether the distinct rule ids of the findings with `severity` are exactly the strings of the
 * array `want` (both compared sorted). */
static int same_rules(const JsonValue *findings, const char *severity, const JsonValue *want) {
    const char *got[256];
    const char *wants[256];
    size_t n = 0, w = 0, i;
    if (!want || want->type != JSON_ARRAY || want->count > 256) return fail("expected.%ss is not an array", severity);
    for (i = 0; i < findings->count && n < 256; i++) {
        const char *rule = json_get_string(findings->items[i], "rule");
        const char *level = json_get_string(findings->items[i], "severity");
        if (rule && level && strcmp(level, severity) == 0) got[n++] = rule;
    }
    qsort(got, n, sizeof got[0], compare_strings);
    {   /* drop repeats: one rule may fire on several elements */
        size_t kept = 0;
        for (i = 0; i < n; i++)
            if (kept == 0 || strcmp(got[kept - 1], got[i]) != 0) got[kept++] = got[i];
        n = kept;
    }
    for (i = 0; i < want->count; i++) {
        if (want->items[i]->type != JSON_STRING) return fail("expected.%ss holds a non-string", severity);
        wants[w++] = want->items[i]->string;
    }
    qsort(wants, w, sizeof wants[0], compare_strings);
    if (n == w) {
        for (i = 0; i < n && strcmp(got[i], wants[i]) == 0; i++) {}
        if (i == n) return 1;
    }
    {
        char text[2048] = "";
        for (i = 0; i < n; i++) {
            strncat(text, got[i], sizeof text - strlen(text) - 2);
            strncat(text, " ", sizeof text - strlen(text) - 1);
        }
        return fail("%ss: got [ %s], want %zu ids", severity, text, w);
    }
}

static int run_validate(const JsonValue *c, const JsonValue *expected) {
    static const char *const keys[] = {"valid", "errors", "warnings", NULL};
    const char *input = json_get_string(c, "input");
    const JsonValue *want_valid = json_get(expected, "valid");
    Buffer xml;
    char *report_text = NULL;
    JsonValue *report = NULL;
    const JsonValue *findings;
    bool valid = false;
    QaydStatus status;
    int ok = 0;
    if (!known_keys(expected, keys)) return 0;
    if (!input || !(xml = read_file(input)).data) return fail("cannot read input '%s'", input ? input : "(none)");
    status = qayd_validate(xml.data, xml.len, &valid, &report_text);
    if (status != QAYD_STATUS_OK) {
        ok = compare_error(status, expected);
        goto done;
    }
    if (!expected_error(expected)) goto done;
    report = json_parse(report_text, strlen(report_text));
    findings = report ? json_get(report, "findings") : NULL;
    if (!findings || findings->type != JSON_ARRAY) { fail("the report has no findings: %s", report_text); goto done; }
    if (!want_valid || want_valid->type != JSON_BOOL) { fail("expected.valid is not a boolean"); goto done; }
    if (valid != (want_valid->boolean != 0)) { fail("valid: got %d, want %d", valid, want_valid->boolean); goto done; }
    ok = same_rules(findings, "error", json_get(expected, "errors")) &&
         same_rules(findings, "warning", json_get(expected, "warnings"));
done:
    json_free(report);
    qayd_string_free(report_text);
    free(xml.data);
    return ok;
}

static int run_qr_decode(const JsonValue *c, const JsonValue *expected) {
    static const char *const keys[] = {"fields", NULL};
    const char *qr = json_get_string(c, "qr");
    const JsonValue *want = json_get(expected, "fields");
    char *text = NULL;
    JsonValue *got = NULL;
    QaydStatus status;
    size_t i;
    int ok = 0;
    if (!known_keys(expected, keys)) return 0;
    if (!qr) return fail("the case has no 'qr' text");
    status = qayd_qr_decode(qr, &text);
    if (status != QAYD_STATUS_OK) return compare_error(status, expected);
    if (!expected_error(expected)) goto done;
    got = json_parse(text, strlen(text));
    if (!got || got->type != JSON_ARRAY) { fail("qayd_qr_decode did not return a JSON array: %s", text); goto done; }
    if (!want || want->type != JSON_ARRAY) { fail("expected.fields is not an array"); goto done; }
    if (got->count != want->count) { fail("got %zu fields, want %zu", got->count, want->count); goto done; }
    ok = 1;
    for (i = 0; ok && i < got->count; i++) {
        const JsonValue *g = got->items[i], *w = want->items[i];
        const JsonValue *gt = json_get(g, "tag"), *wt = json_get(w, "tag");
        if (!gt || !wt || gt->type != JSON_NUMBER || wt->type != JSON_NUMBER || gt->number != wt->number)
            ok = fail("field %zu: tag differs", i);
        ok = ok && same_string("name", json_get_string(g, "name"), json_get_string(w, "name"));
        ok = ok && same_string("value", json_get_string(g, "value"), json_get_string(w, "value"));
    }
done:
    json_free(got);
    qayd_string_free(text);
    return ok;
}

/* csr: `identity` (a .properties file), `private_key` (a file), `environment` -> {pem, base64}. */
static int run_csr(const JsonValue *c, const JsonValue *expected) {
    static const char *const keys[] = {"pem", "base64", NULL};
    const char *identity_path = json_get_string(c, "identity"), *key_path = json_get_string(c, "private_key");
    const char *environment = json_get_string(c, "environment");
    Buffer identity = {NULL, 0}, key = {NULL, 0};
    char *text = NULL;
    JsonValue *got = NULL;
    QaydStatus status;
    int ok = 0;
    if (!known_keys(expected, keys)) return 0;
    if (!environment) return fail("the case has no 'environment'");
    if (!identity_path || !(identity = read_file(identity_path)).data) { fail("cannot read identity"); goto done; }
    if (!key_path || !(key = read_file(key_path)).data) { fail("cannot read private key"); goto done; }
    status = qayd_build_csr((const char *)identity.data, key.data, key.len, environment, &text);
    if (status != QAYD_STATUS_OK) {
        ok = compare_error(status, expected);
        goto done;
    }
    if (!expected_error(expected)) goto done;
    got = json_parse(text, strlen(text));
    if (!got || got->type != JSON_OBJECT) { fail("qayd_build_csr did not return a JSON object: %s", text); goto done; }
    ok = same_string("pem", json_get_string(got, "pem"), json_get_string(expected, "pem")) &&
         same_string("base64", json_get_string(got, "base64"), json_get_string(expected, "base64"));
done:
    json_free(got);
    qayd_string_free(text);
    free(identity.data);
    free(key.data);
    return ok;
}

static int run_case(const char *file) {
    Buffer text;
    JsonValue *c;
    const char *operation;
    const JsonValue *expected;
    char relative[1024];
    int ok;
    snprintf(relative, sizeof relative, "cases/%s", file);
    text = read_file(relative);
    if (!text.data) return fail("cannot read the case");
    c = json_parse((const char *)text.data, text.len);
    free(text.data);
    if (!c) return fail("the case is not valid JSON");
    operation = json_get_string(c, "operation");
    expected = json_get(c, "expected");
    if (!operation) ok = fail("the case has no operation");
    else if (!expected) ok = fail("the case has no expectation");
    else if (strcmp(operation, "hash") == 0) ok = run_hash(c, expected);
    else if (strcmp(operation, "stamp") == 0) ok = run_stamp(c, expected);
    else if (strcmp(operation, "verify") == 0) ok = run_verify(c, expected);
    else if (strcmp(operation, "validate") == 0) ok = run_validate(c, expected);
    else if (strcmp(operation, "qr_decode") == 0) ok = run_qr_decode(c, expected);
    else if (strcmp(operation, "generate") == 0) ok = run_generate(c, expected);
    else if (strcmp(operation, "csr") == 0) ok = run_csr(c, expected);
    else ok = fail("operation '%s' is not supported by the C binding", operation);
    json_free(c);
    return ok;
}

int main(int argc, char **argv) {
    char cases_dir[2048];
    DIR *d;
    struct dirent *entry;
    char **names = NULL;
    size_t count = 0, i;
    int passed = 0, failed = 0;
    root = argc > 1 ? argv[1] : "tests/conformance";
    snprintf(cases_dir, sizeof cases_dir, "%s/cases", root);
    d = opendir(cases_dir);
    if (!d) {
        printf("cannot open %s\n0 passed, 1 failed\n", cases_dir);
        return 1;
    }
    while ((entry = readdir(d)) != NULL) {
        size_t n = strlen(entry->d_name);
        char **more;
        if (n < 6 || strcmp(entry->d_name + n - 5, ".json") != 0) continue;
        more = realloc(names, (count + 1) * sizeof *names);
        if (!more) break;
        names = more;
        names[count++] = strdup(entry->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof *names, compare_strings);
    for (i = 0; i < count; i++) {
        reason[0] = '\0';
        if (run_case(names[i])) {
            passed++;
        } else {
            failed++;
            printf("FAIL %s: %s\n", names[i], reason[0] ? reason : "mismatch");
        }
        free(names[i]);
    }
    free(names);
    if (count == 0) {
        printf("no cases in %s\n", cases_dir);
        failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
