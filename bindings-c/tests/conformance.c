/*
 * Runs every language-neutral conformance case (the JSON files in tests/conformance/cases)
 * through the C API and compares the results exactly. A case whose operation the C binding
 * does not support fails. Operations: hash, stamp, stamp_invoice, verify, validate, qr_decode,
 * generate, csr, and engine (against `qayd gateway --port 0`, started here as a child process:
 * QAYD_BIN, default target/debug/qayd).
 *
 *   build/conformance tests/conformance        (from the repository root)
 *
 * The last line of the output is "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include "qayd.h"
#include "mini_json.h"
#include "support.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
static int compare_error(qayd_status status, const JsonValue *expected) {
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
    qayd_status status;
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

/* stamp (`input`: XML) and stamp_invoice (`input`: an invoice model's JSON form): the same
 * expectations. */
static int run_stamp(const JsonValue *c, const JsonValue *expected, int from_model) {
    static const char *const keys[] = {"invoice_hash", "uuid", "signature", "qr", "xml", "signing_time", NULL};
    const char *input = json_get_string(c, "input"), *cert_path = json_get_string(c, "certificate"),
               *key_path = json_get_string(c, "private_key"), *signing_time = json_get_string(c, "signing_time");
    Buffer xml = {NULL, 0}, cert = {NULL, 0}, key = {NULL, 0}, want_xml = {NULL, 0};
    qayd_signer *signer = NULL;
    qayd_stamped *stamped = NULL;
    qayd_status status;
    int ok = 0;
    if (!known_keys(expected, keys)) return 0;
    if (!input || !(xml = read_file(input)).data) { fail("cannot read input '%s'", input ? input : "(none)"); goto done; }
    if (!cert_path || !(cert = read_file(cert_path)).data) { fail("cannot read certificate"); goto done; }
    if (!key_path || !(key = read_file(key_path)).data) { fail("cannot read private key"); goto done; }
    status = qayd_signer_new(cert.data, cert.len, key.data, key.len, &signer);
    if (status == QAYD_STATUS_OK && from_model)
        status = qayd_stamp_invoice(signer, (const char *)xml.data, signing_time, &stamped);
    else if (status == QAYD_STATUS_OK)
        status = qayd_stamp(signer, xml.data, xml.len, signing_time, &stamped);
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
    qayd_status status;
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
    qayd_status status;
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
    qayd_status status;
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
    qayd_status status;
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
    qayd_status status;
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

/* ------------------------------------------------------------------------------------------ */
/* engine: a unit onboarded at a fresh local gateway, the case's steps, then what the store
 * holds, in the shape of core/tests/conformance.rs (engine_case). */

/* A growing text buffer for the result's JSON. */
typedef struct {
    char *text;
    size_t len, cap;
    int broken; /* out of memory */
} Text;

static void text_add(Text *t, const char *format, ...) {
    va_list args;
    int n;
    if (t->broken) return;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(args, format);
        n = vsnprintf(t->text ? t->text + t->len : NULL, t->text ? room : 0, format, args);
        va_end(args);
        if (n < 0) { t->broken = 1; return; }
        if (t->text && (size_t)n < room) { t->len += (size_t)n; return; }
        {
            size_t cap = (t->cap ? t->cap : 256) * 2 + (size_t)n;
            char *bigger = realloc(t->text, cap);
            if (!bigger) { t->broken = 1; return; }
            t->text = bigger;
            t->cap = cap;
        }
    }
}

/* A JSON string literal of `s`. */
static void text_string(Text *t, const char *s) {
    text_add(t, "\"");
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') text_add(t, "\\%c", ch);
        else if (ch < 0x20) text_add(t, "\\u%04x", ch);
        else text_add(t, "%c", ch);
    }
    text_add(t, "\"");
}

/* {"error": CODE} */
static void text_error(Text *t, qayd_status status) {
    text_add(t, "{\"error\":");
    text_string(t, qayd_status_code(status));
    text_add(t, "}");
}

/* The model JSON of a step or an entry: {"sample": [kind, type]} or {"model": path}. NULL (and
 * the case failed) when it cannot be had. Free with free(). */
static char *engine_model(const JsonValue *entry, const char *identity) {
    const JsonValue *sample = json_get(entry, "sample");
    const char *path = json_get_string(entry, "model");
    if (sample && sample->type == JSON_ARRAY && sample->count == 2 && sample->items[0]->type == JSON_STRING &&
        sample->items[1]->type == JSON_STRING) {
        char *json = NULL, *copy;
        qayd_status status = qayd_sample_invoice(identity, sample->items[0]->string, sample->items[1]->string, &json);
        if (status != QAYD_STATUS_OK) {
            fail("qayd_sample_invoice: %s: %s", qayd_status_code(status), qayd_last_error());
            return NULL;
        }
        copy = strdup(json);
        qayd_string_free(json);
        return copy;
    }
    if (path) {
        Buffer b = read_file(path);
        if (!b.data) fail("cannot read model '%s'", path);
        return (char *)b.data;
    }
    fail("an entry needs 'sample' or 'model'");
    return NULL;
}

/* One document of a step: {"icv": n, "status": "…"}, or the error that refused it. */
static void text_issued(Text *t, qayd_status status, const qayd_document *document) {
    if (status != QAYD_STATUS_OK) {
        text_error(t, status);
        return;
    }
    text_add(t, "{\"icv\":%llu,\"status\":", (unsigned long long)qayd_document_icv(document));
    text_string(t, qayd_document_status(document));
    text_add(t, "}");
}

static int run_engine_step(const qayd_engine *engine, const JsonValue *step, const char *egs, const char *identity,
                           Text *t) {
    const char *what = json_get_string(step, "do");
    if (!what) return fail("a step has no 'do'");
    if (strcmp(what, "issue") == 0) {
        qayd_document *document = NULL;
        char *model = engine_model(step, identity);
        qayd_status status;
        if (!model) return 0;
        status = qayd_engine_issue(engine, egs, model, &document);
        text_issued(t, status, document);
        qayd_document_free(document);
        free(model);
    } else if (strcmp(what, "issue_many") == 0) {
        const JsonValue *entries = json_get(step, "entries");
        char **models;
        qayd_document **documents;
        qayd_status *statuses, status;
        size_t i, n;
        int ok = 1;
        if (!entries || entries->type != JSON_ARRAY) return fail("issue_many without 'entries'");
        n = entries->count;
        models = calloc(n + 1, sizeof *models);
        documents = calloc(n + 1, sizeof *documents);
        statuses = calloc(n + 1, sizeof *statuses);
        if (!models || !documents || !statuses) ok = fail("out of memory");
        for (i = 0; ok && i < n; i++) ok = (models[i] = engine_model(entries->items[i], identity)) != NULL;
        if (ok) {
            status = qayd_engine_issue_many(engine, egs, (const char *const *)models, n, documents, statuses, NULL);
            if (status != QAYD_STATUS_OK) {
                text_error(t, status);
            } else {
                text_add(t, "[");
                for (i = 0; i < n; i++) {
                    if (i) text_add(t, ",");
                    if ((statuses[i] == QAYD_STATUS_OK) != (documents[i] != NULL))
                        ok = fail("entry %zu: status %s with a document %p", i, qayd_status_code(statuses[i]),
                                  (void *)documents[i]);
                    text_issued(t, statuses[i], documents[i]);
                }
                text_add(t, "]");
            }
        }
        for (i = 0; models && documents && i < n; i++) {
            qayd_document_free(documents[i]);
            free(models[i]);
        }
        free(models);
        free(documents);
        free(statuses);
        return ok;
    } else if (strcmp(what, "drain") == 0) {
        char *report = NULL;
        qayd_status status = qayd_engine_drain(engine, &report);
        JsonValue *r = status == QAYD_STATUS_OK ? json_parse(report, strlen(report)) : NULL;
        static const char *const keys[] = {"sent", "reported", "cleared", "accepted_with_warnings", "rejected", "dead"};
        size_t i;
        if (status != QAYD_STATUS_OK) {
            text_error(t, status);
        } else if (!r) {
            qayd_string_free(report);
            return fail("the drain report is not JSON");
        } else {
            text_add(t, "{");
            for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
                const JsonValue *v = json_get(r, keys[i]);
                text_add(t, "%s\"%s\":%.0f", i ? "," : "", keys[i], v && v->type == JSON_NUMBER ? v->number : -1.0);
            }
            text_add(t, "}");
        }
        json_free(r);
        qayd_string_free(report);
    } else if (strcmp(what, "clear") == 0) {
        char *outcome = NULL, *model = engine_model(step, identity);
        qayd_document *document = NULL;
        qayd_status status;
        size_t len = 0;
        if (!model) return 0;
        status = qayd_engine_clear(engine, egs, model, &outcome, &document);
        if (status != QAYD_STATUS_OK) {
            text_error(t, status);
        } else {
            text_add(t, "{\"outcome\":");
            text_string(t, outcome);
            text_add(t, ",\"icv\":%llu,\"has_cleared_xml\":%s}", (unsigned long long)qayd_document_icv(document),
                     qayd_document_cleared_xml(document, &len) ? "true" : "false");
        }
        qayd_string_free(outcome);
        qayd_document_free(document);
        free(model);
    } else {
        return fail("unknown engine step '%s'", what);
    }
    return 1;
}

/* The documents of `egs` as the case records them: icv, status, chained (PIH = the previous
 * hash), the QR's tags and whether its tag 6 is the invoice hash. */
static int engine_documents(const qayd_engine *engine, const char *egs, Text *t) {
    char *list_text = NULL;
    JsonValue *list = NULL;
    const char *previous = qayd_genesis_pih();
    size_t i, k;
    int ok = 1;
    qayd_status status = qayd_engine_documents(engine, egs, &list_text);
    if (status != QAYD_STATUS_OK) return fail("qayd_engine_documents: %s", qayd_last_error());
    list = json_parse(list_text, strlen(list_text));
    if (!list || list->type != JSON_ARRAY) ok = fail("qayd_engine_documents did not return an array");
    text_add(t, "[");
    for (i = 0; ok && i < list->count; i++) {
        const JsonValue *info = list->items[i], *icv = json_get(info, "icv");
        const char *pih = json_get_string(info, "pih"), *hash = json_get_string(info, "invoice_hash");
        char *qr = NULL, *fields_text = NULL;
        JsonValue *fields = NULL;
        const char *tag6 = NULL;
        if (!icv || icv->type != JSON_NUMBER || !pih || !hash) { ok = fail("a document summary lacks icv/pih/hash"); break; }
        status = qayd_engine_document_qr(engine, egs, (uint64_t)icv->number, &qr);
        if (status != QAYD_STATUS_OK || !qr) ok = fail("qayd_engine_document_qr(%s, %.0f): %s", egs, icv->number, qayd_last_error());
        else if ((status = qayd_qr_decode(qr, &fields_text)) != QAYD_STATUS_OK) ok = fail("qayd_qr_decode: %s", qayd_last_error());
        else if (!(fields = json_parse(fields_text, strlen(fields_text))) || fields->type != JSON_ARRAY) ok = fail("QR fields are not an array");
        if (ok) {
            text_add(t, "%s{\"icv\":%.0f,\"status\":", i ? "," : "", icv->number);
            text_string(t, json_get_string(info, "status"));
            text_add(t, ",\"chained\":%s,\"qr_tags\":[", strcmp(pih, previous) == 0 ? "true" : "false");
            for (k = 0; k < fields->count; k++) {
                const JsonValue *tag = json_get(fields->items[k], "tag");
                double number = tag && tag->type == JSON_NUMBER ? tag->number : -1;
                text_add(t, "%s%.0f", k ? "," : "", number);
                if (number == 6 && !tag6) tag6 = json_get_string(fields->items[k], "value");
            }
            text_add(t, "],\"qr_hash_matches\":%s}", tag6 && strcmp(tag6, hash) == 0 ? "true" : "false");
            previous = hash; /* lives in `list` until it is freed below */
        }
        json_free(fields);
        qayd_string_free(fields_text);
        qayd_string_free(qr);
    }
    text_add(t, "]");
    json_free(list);
    qayd_string_free(list_text);
    return ok;
}

/* The lifecycle events (document_*, dead_letter) as [kind, egs, icv]. */
static int engine_events(const qayd_engine *engine, Text *t) {
    char *text = NULL;
    JsonValue *events = NULL;
    size_t i, n = 0;
    int ok = 1;
    if (qayd_engine_events(engine, 0, 1000, &text) != QAYD_STATUS_OK) return fail("qayd_engine_events: %s", qayd_last_error());
    events = json_parse(text, strlen(text));
    if (!events || events->type != JSON_ARRAY) ok = fail("qayd_engine_events did not return an array");
    text_add(t, "[");
    for (i = 0; ok && i < events->count; i++) {
        const JsonValue *e = events->items[i], *icv = json_get(e, "icv");
        const char *kind = json_get_string(e, "kind");
        if (!kind) { ok = fail("an event without a kind"); break; }
        if (strncmp(kind, "document_", 9) != 0 && strcmp(kind, "dead_letter") != 0) continue;
        text_add(t, "%s[", n++ ? "," : "");
        text_string(t, kind);
        text_add(t, ",");
        text_string(t, json_get_string(e, "egs_id"));
        if (icv && icv->type == JSON_NUMBER) text_add(t, ",%.0f]", icv->number);
        else text_add(t, ",null]");
    }
    text_add(t, "]");
    json_free(events);
    qayd_string_free(text);
    return ok;
}

static int run_engine(const JsonValue *c, const JsonValue *expected) {
    static const char *const keys[] = {"steps", "documents", "events", "status_counts", NULL};
    const char *identity_path = json_get_string(c, "identity"), *otp = json_get_string(c, "otp");
    const JsonValue *steps = json_get(c, "steps");
    Buffer identity = {NULL, 0};
    char url[256] = "", options[1024], *master_key = NULL, *units_text = NULL, *counts = NULL;
    const char *units[32];
    size_t unit_count = 0, i, j;
    qayd_credentials *credentials = NULL;
    qayd_engine *engine = NULL;
    qayd_status status;
    Text t = {NULL, 0, 0, 0};
    JsonValue *got = NULL;
    int ok = 0;
    if (!known_keys(expected, keys)) return 0;
    if (!otp || !steps || steps->type != JSON_ARRAY) return fail("the case needs 'otp' and 'steps'");
    if (!identity_path || !(identity = read_file(identity_path)).data) return fail("cannot read the identity");
    if (!start_gateway(url, sizeof url)) {
        fail("cannot start the gateway (cargo build -p qayd-cli; QAYD_BIN overrides target/debug/qayd)");
        goto done;
    }
    status = qayd_onboard((const char *)identity.data, otp, url, NULL, NULL, NULL, &credentials);
    if (status != QAYD_STATUS_OK) { fail("qayd_onboard: %s: %s", qayd_status_code(status), qayd_last_error()); goto done; }
    if (qayd_generate_master_key(&master_key) != QAYD_STATUS_OK) { fail("qayd_generate_master_key"); goto done; }
    snprintf(options, sizeof options, "{\"store\":\":memory:\",\"environment\":\"%s\",\"master_key\":\"%s\"}", url,
             master_key);
    status = qayd_engine_open(options, &engine);
    if (status != QAYD_STATUS_OK) { fail("qayd_engine_open: %s", qayd_last_error()); goto done; }

    text_add(&t, "{\"steps\":[");
    for (i = 0; i < steps->count; i++) {
        const JsonValue *step = steps->items[i];
        const char *egs = json_get_string(step, "egs");
        int known = 0;
        if (!egs) egs = "";
        for (j = 0; j < unit_count; j++) known = known || strcmp(units[j], egs) == 0;
        if (egs[0] && !known) {
            if (unit_count == sizeof units / sizeof units[0]) { fail("too many units"); goto done; }
            units[unit_count++] = egs;
        }
        /* The first unit is the onboarded one; any other has no credentials. */
        if (unit_count == 1 && strcmp(egs, units[0]) == 0) {
            JsonValue *listed;
            int empty;
            if (qayd_engine_egs_units(engine, &units_text) != QAYD_STATUS_OK) { fail("qayd_engine_egs_units: %s", qayd_last_error()); goto done; }
            listed = json_parse(units_text, strlen(units_text));
            empty = listed && listed->type == JSON_ARRAY && listed->count == 0;
            json_free(listed);
            qayd_string_free(units_text);
            units_text = NULL;
            if (empty && qayd_engine_set_credentials(engine, egs, credentials) != QAYD_STATUS_OK) {
                fail("qayd_engine_set_credentials: %s", qayd_last_error());
                goto done;
            }
        }
        if (i) text_add(&t, ",");
        if (!run_engine_step(engine, step, egs, (const char *)identity.data, &t)) goto done;
    }
    text_add(&t, "],\"documents\":{");
    for (i = 0; i < unit_count; i++) {
        text_add(&t, "%s", i ? "," : "");
        text_string(&t, units[i]);
        text_add(&t, ":");
        if (!engine_documents(engine, units[i], &t)) goto done;
    }
    text_add(&t, "},\"events\":");
    if (!engine_events(engine, &t)) goto done;
    if (qayd_engine_status_counts(engine, &counts) != QAYD_STATUS_OK) { fail("qayd_engine_status_counts: %s", qayd_last_error()); goto done; }
    text_add(&t, ",\"status_counts\":%s}", counts);
    if (t.broken) { fail("out of memory"); goto done; }
    got = json_parse(t.text, t.len);
    if (!got) { fail("the result is not JSON: %s", t.text); goto done; }
    if (json_get(expected, "error")) { fail("expected an error, the case ran: %s", t.text); goto done; }
    {
        char where[512] = "";
        ok = json_equal(got, expected, where, sizeof where);
        if (!ok) fail("differs at %s; got %s", where, t.text);
    }
done:
    json_free(got);
    free(t.text);
    qayd_string_free(counts);
    qayd_string_free(units_text);
    qayd_engine_free(engine);
    qayd_credentials_free(credentials);
    qayd_string_free(master_key);
    free(identity.data);
    stop_gateway();
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
    else if (strcmp(operation, "stamp") == 0) ok = run_stamp(c, expected, 0);
    else if (strcmp(operation, "stamp_invoice") == 0) ok = run_stamp(c, expected, 1);
    else if (strcmp(operation, "engine") == 0) ok = run_engine(c, expected);
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
    /* The engine case used the library's shared runtime: stop its threads (valgrind). */
    if (qayd_shutdown() != QAYD_STATUS_OK) {
        printf("qayd_shutdown: %s\n", qayd_last_error());
        failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
