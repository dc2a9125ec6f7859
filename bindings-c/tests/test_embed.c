/*
 * Tests of the C API's onboarding, CSR, Fatoora API client and durable engine, end to end
 * against the local gateway (`qayd gateway --port 0`, started here as a child process; faults
 * injected with a raw HTTP POST to /__qayd/faults). Run from the repository root:
 *   make -C bindings-c test           (QAYD_BIN overrides target/debug/qayd)
 * The last line of the output is "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include "qayd.h"
#include "mini_json.h"
#include "support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IDENTITY_FILE "tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties"
#define SDK_KEY_FILE "tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem"
#define P256_KEY_FILE "tests/conformance/keys/p256.pem"

static int passed, failed;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (cond) {                                                       \
            passed++;                                                     \
        } else {                                                          \
            failed++;                                                     \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
            printf(__VA_ARGS__);                                          \
            printf(" (last error: %s)\n", qayd_last_error());             \
        }                                                                 \
    } while (0)

#define CHECK_STATUS(call, want) \
    do { qayd_status got_ = (call); CHECK(got_ == (want), "%s: got %s, want %s", #call, qayd_status_code(got_), qayd_status_code(want)); } while (0)

#define S(p) ((p) ? (const char *)(p) : "(null)")

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A JSON number member, or -1 when absent or not a number. */
static double num(const JsonValue *v, const char *key) {
    const JsonValue *x = json_get(v, key);
    return x && x->type == JSON_NUMBER ? x->number : -1;
}

static JsonValue *parse(const char *text) {
    return text ? json_parse(text, strlen(text)) : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The gateway child process and its admin endpoint */

static char base_url[256];
static int gateway_port;

/* The shared start (support.h), and the port the fault injection needs. */
static int start_embed_gateway(void) {
    char *colon;
    if (!start_gateway(base_url, sizeof base_url)) return 0;
    colon = strrchr(base_url, ':');
    gateway_port = colon ? atoi(colon + 1) : 0;
    return gateway_port > 0;
}

/* POSTs `body` to /__qayd/faults; 1 when the gateway answered 2xx. */
static int inject(const char *body) {
    struct sockaddr_in addr;
    char request[1024], answer[256] = "";
    size_t got = 0;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    if (fd < 0) return 0;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)gateway_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(request, sizeof request,
             "POST /__qayd/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
             strlen(body), body);
    ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
         write(fd, request, strlen(request)) == (ssize_t)strlen(request);
    while (ok && got < sizeof answer - 1 && (n = read(fd, answer + got, sizeof answer - 1 - got)) > 0) got += (size_t)n;
    close(fd);
    answer[got] = '\0';
    ok = ok && strncmp(answer, "HTTP/1.1 2", 10) == 0;
    CHECK(ok, "fault %s not accepted: %.60s", body, answer);
    return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* Without the network: keys, identities, CSRs, samples, options */

static char *identity_text;

static void test_keys_identity_csr(void) {
    char *key = NULL, *id_json = NULL, *again = NULL, *csr = NULL, *csr2 = NULL, *sample = NULL, *master = NULL;
    char *sdk_key = read_text(SDK_KEY_FILE), *p256 = read_text(P256_KEY_FILE);
    const char bad_utf8[] = {'\xff', '\xfe', 'A', '\0'};
    uint8_t *xml = NULL;
    size_t xml_len = 0;
    JsonValue *id = NULL, *c = NULL;

    CHECK_STATUS(qayd_generate_private_key_pem(&key), QAYD_STATUS_OK);
    CHECK(key && strstr(key, "-----BEGIN EC PRIVATE KEY-----"), "key %.40s", S(key));
    CHECK_STATUS(qayd_generate_master_key(&master), QAYD_STATUS_OK);
    CHECK(master && strlen(master) == 44, "master key of %zu chars", master ? strlen(master) : 0);

    CHECK_STATUS(qayd_identity_from_text(identity_text, &id_json), QAYD_STATUS_OK);
    id = parse(id_json);
    CHECK(id && strcmp(S(json_get_string(id, "common_name")), "TST-886431145-399999999900003") == 0 &&
              strcmp(S(json_get_string(id, "organization_identifier")), "399999999900003") == 0,
          "identity %s", S(id_json));
    /* The JSON form reads back to itself, and both forms build the same CSR. */
    CHECK_STATUS(qayd_identity_from_text(id_json, &again), QAYD_STATUS_OK);
    CHECK(again && id_json && strcmp(again, id_json) == 0, "round trip %s", S(again));
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)sdk_key, strlen(S(sdk_key)), "simulation", &csr), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_build_csr(id_json, (const uint8_t *)sdk_key, strlen(S(sdk_key)), "simulation", &csr2), QAYD_STATUS_OK);
    CHECK(csr && csr2 && strcmp(csr, csr2) == 0, "the two forms differ");
    c = parse(csr);
    CHECK(c && strncmp(S(json_get_string(c, "pem")), "-----BEGIN CERTIFICATE REQUEST-----", 35) == 0 &&
              strlen(S(json_get_string(c, "base64"))) > 100,
          "csr %s", S(csr));
    qayd_string_free(csr2);
    csr2 = NULL;
    /* A freshly generated key builds a CSR too. */
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)key, strlen(S(key)), "core", &csr2), QAYD_STATUS_OK);

    /* Sample invoices are models qayd_generate takes. */
    CHECK_STATUS(qayd_sample_invoice(identity_text, "simplified", "credit_note", &sample), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_generate(sample, &xml, &xml_len), QAYD_STATUS_OK);
    CHECK(xml && xml_len > 1000 && strstr(sample, "399999999900003"), "sample %.80s", S(sample));

    /* Bad input: a clear status, outputs reset, never a crash. */
    qayd_string_free(csr2);
    qayd_string_free(again);
    csr2 = again = NULL;
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)"not a key", 9, "core", &csr2), QAYD_STATUS_INVALID_KEY);
    CHECK(csr2 == NULL, "output not reset");
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)p256, strlen(S(p256)), "core", &csr2), QAYD_STATUS_INVALID_KEY);
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)sdk_key, strlen(S(sdk_key)), "mars", &csr2), QAYD_STATUS_INVALID_INPUT);
    CHECK(strstr(qayd_last_error(), "mars") != NULL, "message %s", qayd_last_error());
    CHECK_STATUS(qayd_build_csr("{", (const uint8_t *)sdk_key, strlen(S(sdk_key)), "core", &csr2), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_build_csr("{\"common_name\": 5}", (const uint8_t *)sdk_key, 10, "core", &csr2), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_build_csr(NULL, (const uint8_t *)sdk_key, 10, "core", &csr2), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_build_csr(identity_text, NULL, 0, "core", &csr2), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)sdk_key, 10, NULL, &csr2), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)sdk_key, 10, "core", NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)sdk_key, 10, bad_utf8, &csr2), QAYD_STATUS_INVALID_UTF8);
    CHECK_STATUS(qayd_identity_from_text("csr.common.name=x", &again), QAYD_STATUS_INVALID_INPUT);
    CHECK(again == NULL, "output not reset");
    CHECK_STATUS(qayd_identity_from_text(bad_utf8, &again), QAYD_STATUS_INVALID_UTF8);
    CHECK_STATUS(qayd_sample_invoice(identity_text, "weird", "invoice", &again), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_sample_invoice(identity_text, "standard", "receipt", &again), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_sample_invoice(identity_text, NULL, "invoice", &again), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_generate_private_key_pem(NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_generate_master_key(NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(qayd_last_http_status() == 0, "no HTTP status without an answer");

    json_free(id);
    json_free(c);
    qayd_bytes_free(xml, xml_len);
    qayd_string_free(key);
    qayd_string_free(master);
    qayd_string_free(id_json);
    qayd_string_free(again);
    qayd_string_free(csr);
    qayd_string_free(csr2);
    qayd_string_free(sample);
    free(sdk_key);
    free(p256);
}

static void test_bad_options(void) {
    qayd_engine *engine = (qayd_engine *)&passed;
    qayd_api_client *client = (qayd_api_client *)&passed;
    qayd_credentials *credentials = (qayd_credentials *)&passed;
    qayd_document *document = (qayd_document *)&passed;
    char *text = NULL, *sample = NULL;
    bool flag = true;
    size_t count = 9;

    CHECK_STATUS(qayd_engine_open("{\"store\": \":memory:\", \"colour\": \"red\"}", &engine), QAYD_STATUS_INVALID_INPUT);
    CHECK(engine == NULL && strstr(qayd_last_error(), "colour"), "engine %p, message %s", (void *)engine, qayd_last_error());
    CHECK_STATUS(qayd_engine_open("{\"store\": \":memory:\", \"environment\": \"mars\"}", &engine), QAYD_STATUS_INVALID_INPUT);
    CHECK(strstr(qayd_last_error(), "mars") != NULL, "message %s", qayd_last_error());
    CHECK_STATUS(qayd_engine_open("{\"store\": \":memory:\", \"master_key\": \"short\"}", &engine), QAYD_STATUS_SECRET);
    CHECK_STATUS(qayd_engine_open("{\"store\": 7}", &engine), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_engine_open("not json", &engine), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_engine_open(NULL, &engine), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_engine_open("{\"store\": \":memory:\"}", NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_api_client_new("ftp://x", NULL, &client), QAYD_STATUS_INVALID_INPUT);
    CHECK(client == NULL, "client not reset");
    CHECK_STATUS(qayd_api_client_new("simulation", "{\"timeout\": 5}", &client), QAYD_STATUS_INVALID_INPUT);
    CHECK(strstr(qayd_last_error(), "timeout") != NULL, "message %s", qayd_last_error());
    CHECK_STATUS(qayd_api_client_new("simulation", "[", &client), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_credentials_from_json("{}", &credentials), QAYD_STATUS_INVALID_INPUT);
    CHECK(credentials == NULL, "credentials not reset");
    CHECK_STATUS(qayd_credentials_from_json(NULL, &credentials), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_credentials_to_json(NULL, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_onboard(identity_text, "123456", "mars", NULL, NULL, NULL, &credentials), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_onboard(identity_text, NULL, "core", NULL, NULL, NULL, &credentials), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_onboard(identity_text, "123456", "core", "{\"x\":1}", NULL, NULL, &credentials), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_renew(NULL, "123456", NULL, NULL, NULL, &credentials), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_api_reporting(NULL, "t", "s", (const uint8_t *)"x", 1, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(qayd_credentials_certificate_expiry(NULL) == 0, "expiry of NULL");

    /* An engine without environment or master key issues nothing and cannot start a worker. */
    unsetenv("QAYD_MASTER_KEY");
    CHECK_STATUS(qayd_engine_open("{\"store\": \":memory:\"}", &engine), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_sample_invoice(identity_text, "standard", "invoice", &sample), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(engine, "nobody", sample, &document), QAYD_STATUS_INVALID_INPUT);
    CHECK(document == NULL, "document not reset");
    CHECK(qayd_engine_start(engine) != QAYD_STATUS_OK, "a worker without an environment");
    CHECK(!qayd_engine_is_running(engine) && !qayd_engine_is_running(NULL), "running");
    CHECK_STATUS(qayd_engine_documents_by_status(engine, "lost", 10, &text), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_engine_register_egs(engine, "till-0"), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_events(engine, 0, 10, &text), QAYD_STATUS_OK);
    CHECK(text && strcmp(text, "[]") == 0, "events %s", S(text));
    qayd_string_free(text);
    text = NULL;
    CHECK_STATUS(qayd_engine_document(engine, "till-0", 1, &document), QAYD_STATUS_OK);
    CHECK(document == NULL, "a document that does not exist");
    CHECK_STATUS(qayd_engine_document_by_uuid(engine, "no-such-uuid", &document), QAYD_STATUS_OK);
    CHECK(document == NULL, "a uuid that does not exist");
    CHECK_STATUS(qayd_engine_requeue(engine, "till-0", 1, &flag), QAYD_STATUS_OK);
    CHECK(!flag, "requeued a document that does not exist");
    CHECK_STATUS(qayd_engine_recover(engine, &count), QAYD_STATUS_OK);
    CHECK(count == 0, "recovered %zu", count);
    CHECK_STATUS(qayd_engine_egs_units(engine, &text), QAYD_STATUS_OK);
    CHECK(text && strstr(text, "\"egs_id\":\"till-0\"") && strstr(text, "\"has_credentials\":false"), "units %s", S(text));
    qayd_string_free(text);
    text = NULL;
    CHECK_STATUS(qayd_engine_status_counts(NULL, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_engine_status_counts(engine, NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_engine_drain(engine, &text), QAYD_STATUS_INVALID_INPUT);
    CHECK(text == NULL && strstr(qayd_last_error(), "not connected"), "message %s", qayd_last_error());
    CHECK_STATUS(qayd_engine_stop(engine), QAYD_STATUS_OK);
    qayd_string_free(sample);
    qayd_engine_free(engine);

    /* Freeing NULL is harmless. */
    qayd_engine_free(NULL);
    qayd_api_client_free(NULL);
    qayd_credentials_free(NULL);
    qayd_document_free(NULL);
    CHECK(qayd_document_xml(NULL, &count) == NULL && count == 0 && qayd_document_uuid(NULL) == NULL, "getters on NULL");
}

/* ------------------------------------------------------------------------------------------ */
/* Against the gateway */

typedef struct {
    int calls, last_index, total, in_order, same_thread;
    char first[64], last[64];
    pthread_t caller;
} Progress;

static void on_progress(void *user_data, const char *step, size_t index, size_t total) {
    Progress *p = user_data;
    if (p->calls == 0) snprintf(p->first, sizeof p->first, "%s", step);
    snprintf(p->last, sizeof p->last, "%s", step);
    if ((int)index != p->last_index + 1) p->in_order = 0;
    if (!pthread_equal(pthread_self(), p->caller)) p->same_thread = 0;
    p->last_index = (int)index;
    p->total = (int)total;
    p->calls++;
}

static qayd_credentials *onboarded(const char *identity, const char *otp) {
    qayd_credentials *credentials = NULL;
    Progress progress = {0, 0, 0, 1, 1, "", "", pthread_self()};
    CHECK_STATUS(qayd_onboard(identity, otp, base_url, "{\"timeout_ms\": 20000}", on_progress, &progress, &credentials),
                 QAYD_STATUS_OK);
    CHECK(strcmp(progress.first, "generate key") == 0 && strcmp(progress.last, "production CSID") == 0, "steps %s .. %s",
          progress.first, progress.last);
    CHECK(progress.calls == progress.total && progress.in_order && progress.calls >= 5, "%d calls of %d, in order %d",
          progress.calls, progress.total, progress.in_order);
    CHECK(progress.same_thread, "the progress callback ran on another thread");
    return credentials;
}

static void test_onboarding(qayd_credentials *credentials, char **out_secret, char **out_token) {
    char *text = NULL, *summary = NULL, *again = NULL;
    qayd_credentials *copy = NULL, *renewed = NULL;
    JsonValue *c = NULL, *r = NULL;
    const char *secret, *token;

    CHECK_STATUS(qayd_credentials_to_json(credentials, &text), QAYD_STATUS_OK);
    c = parse(text);
    secret = json_get_string(json_get(c, "production"), "secret");
    token = json_get_string(json_get(c, "production"), "binary_security_token");
    CHECK(secret && token && strstr(S(json_get_string(c, "private_key")), "PRIVATE KEY"), "credentials JSON");
    *out_secret = strdup(S(secret));
    *out_token = strdup(S(token));
    CHECK(qayd_credentials_certificate_expiry(credentials) == (int64_t)num(c, "certificate_expiry") &&
              qayd_credentials_certificate_expiry(credentials) > (int64_t)time(NULL),
          "expiry %lld", (long long)qayd_credentials_certificate_expiry(credentials));
    /* The printable summary holds no secret. */
    CHECK_STATUS(qayd_credentials_summary_json(credentials, &summary), QAYD_STATUS_OK);
    CHECK(summary && strstr(summary, "399999999900003") && !strstr(summary, *out_secret) &&
              !strstr(summary, "PRIVATE KEY") && !strstr(summary, *out_token),
          "summary %s", S(summary));
    /* The JSON form reads back to the same credentials. */
    CHECK_STATUS(qayd_credentials_from_json(text, &copy), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_credentials_to_json(copy, &again), QAYD_STATUS_OK);
    CHECK(again && text && strcmp(again, text) == 0, "round trip differs");
    qayd_string_free(again);
    again = NULL;

    /* A wrong OTP: the platform refuses it with 400. */
    {
        qayd_credentials *refused = (qayd_credentials *)&passed;
        CHECK_STATUS(qayd_onboard(identity_text, "000000", base_url, NULL, NULL, NULL, &refused), QAYD_STATUS_API_REJECTED);
        CHECK(refused == NULL && qayd_last_http_status() == 400, "http status %u", qayd_last_http_status());
        CHECK(strstr(qayd_last_error(), "OTP") != NULL, "message %s", qayd_last_error());
    }
    /* Renewal: a new production CSID, the same identity; NULL progress is allowed. */
    CHECK_STATUS(qayd_renew(copy, "123456", NULL, NULL, NULL, &renewed), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_credentials_to_json(renewed, &again), QAYD_STATUS_OK);
    r = parse(again);
    CHECK(r && strcmp(S(json_get_string(json_get(r, "production"), "binary_security_token")), *out_token) != 0 &&
              strcmp(S(json_get_string(json_get(r, "identity"), "common_name")), "TST-886431145-399999999900003") == 0,
          "renewal did not issue a new CSID");

    json_free(c);
    json_free(r);
    qayd_string_free(text);
    qayd_string_free(summary);
    qayd_string_free(again);
    qayd_credentials_free(copy);
    qayd_credentials_free(renewed);
}

/* Drains until a pass sends something; the report of that pass (caller frees). */
static JsonValue *drain_until_sent(qayd_engine *engine) {
    double deadline = now_s() + 30;
    while (now_s() < deadline) {
        char *text = NULL;
        JsonValue *report;
        if (qayd_engine_drain(engine, &text) != QAYD_STATUS_OK) return NULL;
        report = parse(text);
        qayd_string_free(text);
        if (num(report, "sent") > 0) return report;
        json_free(report);
        sleep_ms(50);
    }
    return NULL;
}

typedef struct {
    qayd_engine *engine;
    int ok;
    char error[256];
} IssueJob;

static void *issue_job(void *arg) {
    IssueJob *job = arg;
    int i;
    job->ok = 1;
    for (i = 0; i < 3; i++) {
        qayd_document *document = NULL;
        char *invoice = NULL;
        qayd_status status = qayd_sample_invoice(identity_text, "simplified", "invoice", &invoice);
        if (status == QAYD_STATUS_OK) status = qayd_engine_issue(job->engine, "till-1", invoice, &document);
        qayd_string_free(invoice);
        if (status != QAYD_STATUS_OK && job->ok) {
            job->ok = 0;
            snprintf(job->error, sizeof job->error, "%s: %s", qayd_status_code(status), qayd_last_error());
        }
        qayd_document_free(document);
    }
    return NULL;
}

static void test_engine(qayd_credentials *credentials, const char *master_key, const char *store, const char *secret) {
    char options[1024], *simplified = NULL, *standard = NULL, *text = NULL, *outcome = NULL, *hash = NULL;
    qayd_engine *engine = NULL;
    qayd_document *issued = NULL, *cleared = NULL, *found = NULL;
    JsonValue *report = NULL, *info = NULL, *list = NULL;
    const uint8_t *xml, *cleared_xml;
    size_t len = 0, cleared_len = 0, found_len = 0, i;
    bool valid = false;
    long long last_seq = 0;

    snprintf(options, sizeof options,
             "{\"store\": \"%s\", \"environment\": \"%s\", \"master_key\": \"%s\", \"retry_base_ms\": 10, "
             "\"retry_cap_ms\": 20, \"clear_wait_ms\": 20000, \"poll_interval_ms\": 50, \"timeout_ms\": 20000}",
             store, base_url, master_key);
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    if (!engine) return;
    CHECK_STATUS(qayd_engine_set_credentials(engine, "till-1", credentials), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_set_credentials(engine, "till-1", NULL), QAYD_STATUS_NULL_ARGUMENT);

    /* Issue: stamped, chained to the genesis PIH, pending; never waits for the network. */
    CHECK_STATUS(qayd_sample_invoice(identity_text, "simplified", "invoice", &simplified), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(engine, "till-1", simplified, &issued), QAYD_STATUS_OK);
    if (!issued) goto done;
    info = parse(qayd_document_info_json(issued));
    CHECK(qayd_document_icv(issued) == 1 && strcmp(qayd_document_status(issued), "pending") == 0 &&
              strcmp(S(json_get_string(info, "pih")), qayd_genesis_pih()) == 0 && num(info, "icv") == 1,
          "issued %s", qayd_document_info_json(issued));
    xml = qayd_document_xml(issued, &len);
    CHECK_STATUS(qayd_verify(xml, len, &valid, NULL), QAYD_STATUS_OK);
    CHECK(valid, "the issued document does not verify");
    CHECK_STATUS(qayd_invoice_hash(xml, len, &hash), QAYD_STATUS_OK);
    CHECK(hash && strcmp(hash, qayd_document_invoice_hash(issued)) == 0, "hash %s", S(hash));
    CHECK(qayd_document_cleared_xml(issued, &cleared_len) == NULL && cleared_len == 0, "cleared xml of a pending document");
    CHECK(strcmp(S(qayd_document_findings_json(issued)), "[]") == 0, "findings %s", S(qayd_document_findings_json(issued)));
    CHECK(qayd_document_findings_json(NULL) == NULL, "findings of NULL");

    /* An outage on the first report: retry scheduled, then reported by a later pass. */
    inject("{\"status\": 503}");
    CHECK_STATUS(qayd_engine_drain(engine, &text), QAYD_STATUS_OK);
    report = parse(text);
    CHECK(num(report, "sent") == 1 && num(report, "retry_scheduled") == 1, "first pass %s", S(text));
    qayd_string_free(text);
    text = NULL;
    json_free(report);
    report = drain_until_sent(engine);
    CHECK(report && num(report, "sent") == 1 && num(report, "reported") == 1, "the retry never reported");
    json_free(report);
    report = NULL;

    /* Clearance: blocks until cleared; the cleared XML is ZATCA's, with the same hash. */
    CHECK_STATUS(qayd_sample_invoice(identity_text, "standard", "invoice", &standard), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_clear(engine, "till-1", standard, &outcome, &cleared), QAYD_STATUS_OK);
    CHECK(outcome && strcmp(outcome, "cleared") == 0 && qayd_document_icv(cleared) == 2, "outcome %s", S(outcome));
    json_free(info);
    info = parse(qayd_document_info_json(cleared));
    CHECK(strcmp(S(json_get_string(info, "pih")), qayd_document_invoice_hash(issued)) == 0, "the chain is broken");
    cleared_xml = qayd_document_cleared_xml(cleared, &cleared_len);
    CHECK(cleared_xml && cleared_len > 1000, "no cleared xml");
    qayd_string_free(hash);
    hash = NULL;
    if (cleared_xml) {
        CHECK_STATUS(qayd_invoice_hash(cleared_xml, cleared_len, &hash), QAYD_STATUS_OK);
        CHECK(hash && strcmp(hash, qayd_document_invoice_hash(cleared)) == 0, "cleared hash %s", S(hash));
    }

    /* What the store says now. */
    CHECK_STATUS(qayd_engine_status_counts(engine, &text), QAYD_STATUS_OK);
    report = parse(text);
    CHECK(num(report, "reported") == 1 && num(report, "cleared") == 1, "counts %s", S(text));
    json_free(report);
    report = NULL;
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_egs_units(engine, &text), QAYD_STATUS_OK);
    list = parse(text);
    CHECK(list && list->type == JSON_ARRAY && list->count == 1 && num(list->items[0], "next_icv") == 3 &&
              num(list->items[0], "certificate_expiry") == (double)qayd_credentials_certificate_expiry(credentials) &&
              strcmp(S(json_get_string(list->items[0], "last_hash")), qayd_document_invoice_hash(cleared)) == 0,
          "units %s", S(text));
    json_free(list);
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_documents(engine, "till-1", &text), QAYD_STATUS_OK);
    list = parse(text);
    CHECK(list && list->count == 2 && strcmp(S(json_get_string(list->items[0], "status")), "reported") == 0 &&
              strcmp(S(json_get_string(list->items[1], "status")), "cleared") == 0,
          "documents %s", S(text));
    json_free(list);
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_documents_by_status(engine, "reported", 10, &text), QAYD_STATUS_OK);
    CHECK(text && strstr(text, qayd_document_uuid(issued)), "by status %s", S(text));
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_document_by_uuid(engine, qayd_document_uuid(issued), &found), QAYD_STATUS_OK);
    xml = qayd_document_xml(found, &found_len);
    CHECK(found && found_len == len && memcmp(xml, qayd_document_xml(issued, &len), len) == 0 &&
              strcmp(qayd_document_status(found), "reported") == 0,
          "by uuid");
    qayd_document_free(found);
    CHECK_STATUS(qayd_engine_document(engine, "till-1", 2, &found), QAYD_STATUS_OK);
    CHECK(found && qayd_document_cleared_xml(found, &found_len) && found_len == cleared_len, "document 2");
    qayd_document_free(found);
    found = NULL;

    /* The audit log: 503, report, clearance, each sent then answered; intact; no secret in it. */
    CHECK_STATUS(qayd_engine_verify_audit(engine, &text), QAYD_STATUS_OK);
    report = parse(text);
    CHECK(report && json_get(report, "intact") && json_get(report, "intact")->boolean && num(report, "rows") == 6,
          "audit %s", S(text));
    json_free(report);
    report = NULL;
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_export_audit(engine, &text), QAYD_STATUS_OK);
    {
        size_t lines = 0;
        const char *p;
        for (p = text; p && *p; p++) lines += *p == '\n';
        CHECK(lines == 6 && !strstr(text, secret), "audit export of %zu lines", lines);
    }
    qayd_string_free(text);
    text = NULL;

    /* A simplified invoice cannot be cleared. */
    qayd_string_free(outcome);
    outcome = NULL;
    CHECK_STATUS(qayd_engine_clear(engine, "till-1", simplified, &outcome, &found), QAYD_STATUS_INVALID_INPUT);
    CHECK(outcome == NULL && found == NULL, "outputs not reset");

    /* A 401: the unit stops sending and an event says so; resumed, it reports. */
    qayd_string_free(simplified); /* a sample carries its UUID: one sample per document */
    simplified = NULL;
    CHECK_STATUS(qayd_sample_invoice(identity_text, "simplified", "debit_note", &simplified), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(engine, "till-1", simplified, &found), QAYD_STATUS_OK);
    inject("{\"status\": 401}");
    CHECK(qayd_document_icv(found) == 3, "icv %llu", (unsigned long long)qayd_document_icv(found));
    qayd_document_free(found);
    found = NULL;
    CHECK_STATUS(qayd_engine_drain(engine, &text), QAYD_STATUS_OK);
    CHECK(text && strstr(text, "\"stopped_units\":[\"till-1\"]"), "401 pass %s", S(text));
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_egs_units(engine, &text), QAYD_STATUS_OK);
    list = parse(text);
    CHECK(list && list->count == 1 && json_get_string(list->items[0], "stopped") != NULL, "units %s", S(text));
    json_free(list);
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_events(engine, 0, 100, &text), QAYD_STATUS_OK);
    list = parse(text);
    CHECK(list && list->type == JSON_ARRAY && list->count >= 1, "events %s", S(text));
    for (i = 0; list && i < list->count; i++) {
        CHECK(num(list->items[i], "seq") > (double)last_seq, "events out of order");
        last_seq = (long long)num(list->items[i], "seq");
    }
    CHECK(text && strstr(text, "\"kind\":\"unauthorized\"") && strstr(text, "\"egs_id\":\"till-1\""), "events %s", S(text));
    json_free(list);
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_events(engine, last_seq, 100, &text), QAYD_STATUS_OK);
    CHECK(text && strcmp(text, "[]") == 0, "events after the last %s", S(text));
    qayd_string_free(text);
    CHECK_STATUS(qayd_engine_resume_egs(engine, "till-1"), QAYD_STATUS_OK);
    report = drain_until_sent(engine);
    CHECK(report && num(report, "reported") == 1, "not reported after resuming");
    json_free(report);
    report = NULL;
    text = NULL;

    /* One handle, four threads issuing for the same unit: the chain stays gapless. */
    {
        pthread_t threads[4];
        IssueJob jobs[4];
        for (i = 0; i < 4; i++) {
            jobs[i].engine = engine;
            pthread_create(&threads[i], NULL, issue_job, &jobs[i]);
        }
        for (i = 0; i < 4; i++) {
            pthread_join(threads[i], NULL);
            CHECK(jobs[i].ok, "thread %zu failed to issue: %s", i, jobs[i].error);
        }
        CHECK_STATUS(qayd_engine_documents(engine, "till-1", &text), QAYD_STATUS_OK);
        list = parse(text);
        CHECK(list && list->count == 15, "%zu documents", list ? list->count : 0);
        for (i = 1; list && i < list->count; i++) {
            CHECK(num(list->items[i], "icv") == (double)(i + 1) &&
                      strcmp(S(json_get_string(list->items[i], "pih")), S(json_get_string(list->items[i - 1], "invoice_hash"))) == 0,
                  "chain broken at %zu", i);
        }
        json_free(list);
        qayd_string_free(text);
        text = NULL;
    }

    /* The background worker reports everything pending, then stops gracefully. */
    CHECK_STATUS(qayd_engine_start(engine), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_start(engine), QAYD_STATUS_OK);
    CHECK(qayd_engine_is_running(engine), "the worker does not run");
    {
        double deadline = now_s() + 60;
        int done = 0;
        while (!done && now_s() < deadline) {
            CHECK_STATUS(qayd_engine_document(engine, "till-1", 15, &found), QAYD_STATUS_OK);
            done = found && strcmp(qayd_document_status(found), "reported") == 0;
            qayd_document_free(found);
            found = NULL;
            if (!done) sleep_ms(50);
        }
        CHECK(done, "the worker did not report document 15");
    }
    CHECK_STATUS(qayd_engine_stop(engine), QAYD_STATUS_OK);
    CHECK(!qayd_engine_is_running(engine), "the worker still runs");
    CHECK_STATUS(qayd_engine_stop(engine), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_status_counts(engine, &text), QAYD_STATUS_OK);
    report = parse(text);
    CHECK(num(report, "reported") == 14 && num(report, "cleared") == 1, "counts %s", S(text));

done:
    json_free(report);
    json_free(info);
    qayd_string_free(text);
    qayd_string_free(hash);
    qayd_string_free(outcome);
    qayd_string_free(simplified);
    qayd_string_free(standard);
    qayd_document_free(issued);
    qayd_document_free(cleared);
    qayd_engine_free(engine);
}

static int bytes_contain(const uint8_t *bytes, size_t len, const char *needle);

/* A batch in one call (a refused entry carries its own error and takes no ICV), the QR to print
 * for a stored document (from the cleared XML once cleared), and the lifecycle events. A unit of
 * its own (another serial number: the gateway chains per unit). */
static void test_issue_many_qr_events(const char *master_key) {
    char options[1024], *models[3] = {NULL, NULL, NULL}, *refusals = NULL, *qr = NULL, *fields = NULL, *text = NULL;
    char *standard = NULL, *outcome = NULL, tag6[128] = "";
    qayd_engine *engine = NULL;
    qayd_document *documents[3] = {NULL, NULL, NULL}, *cleared = NULL;
    qayd_status statuses[3] = {QAYD_STATUS_PANIC, QAYD_STATUS_PANIC, QAYD_STATUS_PANIC};
    JsonValue *list = NULL, *info = NULL;
    const uint8_t *cleared_xml;
    size_t cleared_len = 0, i, n;
    char want_rule[64] = "";
    /* The earlier names still build and link. */
    QaydStatus old_status;
    QaydDocument *old_document = NULL;
    qayd_credentials *credentials = NULL;
    char *identity = NULL, *serial;

    CHECK_STATUS(qayd_identity_from_text(identity_text, &identity), QAYD_STATUS_OK);
    serial = identity ? strstr(identity, "ed22f1d8") : NULL;
    CHECK(serial != NULL, "no serial number in %s", S(identity));
    if (!serial) goto done;
    serial[7] = '7';
    credentials = onboarded(identity, "123456");
    if (!credentials) goto done;
    snprintf(options, sizeof options, "{\"store\": \":memory:\", \"environment\": \"%s\", \"master_key\": \"%s\"}",
             base_url, master_key);
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    if (!engine) goto done;
    CHECK_STATUS(qayd_engine_set_credentials(engine, "till-m", credentials), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_sample_invoice(identity_text, "simplified", "invoice", &models[0]), QAYD_STATUS_OK);
    models[1] = read_text("tests/conformance/inputs/model-bad-vat.json");
    old_status = qayd_sample_invoice_json(identity_text, "simplified", "credit_note", &models[2]);
    CHECK(old_status == QAYD_STATUS_OK, "qayd_sample_invoice_json: %s", qayd_status_code(old_status));
    if (!models[0] || !models[1] || !models[2]) goto done;

    /* The rule the bad model breaks, as a single issue reports it. */
    CHECK_STATUS(qayd_engine_issue(engine, "till-m", models[1], &old_document), QAYD_STATUS_INVALID_MODEL);
    snprintf(want_rule, sizeof want_rule, "%s", qayd_last_error_rule());
    CHECK(strncmp(want_rule, "BR-", 3) == 0 && old_document == NULL, "rule '%s' of %s", want_rule, qayd_last_error());

    CHECK_STATUS(qayd_engine_issue_many(engine, "till-m", (const char *const *)models, 3, documents, statuses, &refusals),
                 QAYD_STATUS_OK);
    CHECK(strcmp(qayd_last_error(), "") == 0 && strcmp(qayd_last_error_rule(), "") == 0,
          "an entry's error leaked into the call's: %s", qayd_last_error_rule());
    CHECK(statuses[0] == QAYD_STATUS_OK && statuses[1] == QAYD_STATUS_INVALID_MODEL && statuses[2] == QAYD_STATUS_OK,
          "statuses %s %s %s", qayd_status_code(statuses[0]), qayd_status_code(statuses[1]), qayd_status_code(statuses[2]));
    CHECK(documents[0] && !documents[1] && documents[2], "documents %p %p %p", (void *)documents[0],
          (void *)documents[1], (void *)documents[2]);
    if (!documents[0] || !documents[2]) goto done;
    CHECK(qayd_document_icv(documents[0]) == 1 && qayd_document_icv(documents[2]) == 2, "the refused entry took an ICV");
    info = parse(qayd_document_info_json(documents[2]));
    CHECK(strcmp(S(json_get_string(info, "pih")), qayd_document_invoice_hash(documents[0])) == 0, "the batch is not chained");
    list = parse(refusals);
    CHECK(list && list->type == JSON_ARRAY && list->count == 1 && num(list->items[0], "index") == 1 &&
              strcmp(S(json_get_string(list->items[0], "code")), "INVALID_MODEL") == 0 &&
              strcmp(S(json_get_string(list->items[0], "rule")), want_rule) == 0 &&
              strstr(S(json_get_string(list->items[0], "message")), want_rule),
          "refusals %s (rule %s)", S(refusals), want_rule);
    json_free(list);
    list = NULL;
    qayd_string_free(refusals);
    refusals = NULL;

    /* A failing call issues nothing: every slot is NULL, every status the call's. */
    {
        const char *with_null[2];
        qayd_document *none[2] = {(qayd_document *)1, (qayd_document *)1};
        qayd_status why[2] = {QAYD_STATUS_OK, QAYD_STATUS_OK};
        with_null[0] = models[0];
        with_null[1] = NULL;
        CHECK_STATUS(qayd_engine_issue_many(engine, "till-m", with_null, 2, none, why, &refusals),
                     QAYD_STATUS_NULL_ARGUMENT);
        CHECK(!none[0] && !none[1] && why[0] == QAYD_STATUS_NULL_ARGUMENT && why[1] == QAYD_STATUS_NULL_ARGUMENT &&
                  refusals == NULL && strstr(qayd_last_error(), "invoices_json[1]"),
              "a failed batch left outputs: %s", qayd_last_error());
        none[0] = (qayd_document *)1;
        CHECK_STATUS(qayd_engine_issue_many(engine, "till-m", with_null, 1, none, NULL, NULL), QAYD_STATUS_NULL_ARGUMENT);
        CHECK(none[0] == NULL, "document slot not reset");
        CHECK_STATUS(qayd_engine_issue_many(engine, "till-m", with_null, 1, NULL, why, NULL), QAYD_STATUS_NULL_ARGUMENT);
        CHECK_STATUS(qayd_engine_issue_many(NULL, "till-m", with_null, 1, none, why, NULL), QAYD_STATUS_NULL_ARGUMENT);
        CHECK_STATUS(qayd_engine_issue_many(engine, "till-m", NULL, 1, none, why, NULL), QAYD_STATUS_NULL_ARGUMENT);
        /* An empty batch. */
        CHECK_STATUS(qayd_engine_issue_many(engine, "till-m", NULL, 0, none, why, &refusals), QAYD_STATUS_OK);
        CHECK(refusals && strcmp(refusals, "[]") == 0, "refusals of nothing %s", S(refusals));
        qayd_string_free(refusals);
        refusals = NULL;
        /* A unit without credentials: the whole call fails. */
        CHECK_STATUS(qayd_engine_issue_many(engine, "till-none", with_null, 1, none, why, NULL), QAYD_STATUS_INVALID_INPUT);
        CHECK(none[0] == NULL && why[0] == QAYD_STATUS_INVALID_INPUT, "outputs of a refused unit");
    }
    CHECK_STATUS(qayd_engine_document_qr(engine, "till-m", 3, &qr), QAYD_STATUS_OK);
    CHECK(qr == NULL, "nothing was issued by the failed calls, yet document 3 has a QR");

    /* The QR of a stored document: the one stamped into it, tag 6 its hash. */
    CHECK_STATUS(qayd_engine_document_qr(engine, "till-m", 1, &qr), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_qr_decode(S(qr), &fields), QAYD_STATUS_OK);
    list = parse(fields);
    for (i = 0; list && list->type == JSON_ARRAY && i < list->count; i++)
        if (num(list->items[i], "tag") == 6) snprintf(tag6, sizeof tag6, "%s", S(json_get_string(list->items[i], "value")));
    CHECK(strcmp(tag6, qayd_document_invoice_hash(documents[0])) == 0, "QR tag 6 %s", tag6);
    {
        size_t len = 0;
        const uint8_t *xml = qayd_document_xml(documents[0], &len);
        CHECK(qr && bytes_contain(xml, len, qr), "the QR is not the stamped document's");
    }
    json_free(list);
    list = NULL;
    qayd_string_free(fields);
    fields = NULL;
    qayd_string_free(qr);
    qr = (char *)1;
    CHECK_STATUS(qayd_engine_document_qr(engine, "till-m", 99, &qr), QAYD_STATUS_OK);
    CHECK(qr == NULL, "a QR for a document that does not exist");
    qr = (char *)1;
    CHECK_STATUS(qayd_engine_document_qr(NULL, "till-m", 1, &qr), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(qr == NULL, "output not reset");
    CHECK_STATUS(qayd_engine_document_qr(engine, NULL, 1, &qr), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_engine_document_qr(engine, "till-m", 1, NULL), QAYD_STATUS_NULL_ARGUMENT);

    /* Reported, then a standard invoice cleared: the QR to print is the cleared document's. */
    CHECK_STATUS(qayd_engine_drain(engine, &text), QAYD_STATUS_OK);
    qayd_string_free(text);
    text = NULL;
    CHECK_STATUS(qayd_sample_invoice(identity_text, "standard", "invoice", &standard), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_clear(engine, "till-m", S(standard), &outcome, &cleared), QAYD_STATUS_OK);
    CHECK(outcome && strcmp(outcome, "cleared") == 0 && qayd_document_icv(cleared) == 3, "outcome %s", S(outcome));
    cleared_xml = qayd_document_cleared_xml(cleared, &cleared_len);
    CHECK_STATUS(qayd_engine_document_qr(engine, "till-m", 3, &qr), QAYD_STATUS_OK);
    CHECK(qr && cleared_xml && bytes_contain(cleared_xml, cleared_len, qr), "the QR is not the cleared document's: %s", S(qr));

    /* What monitoring scrapes (the CLI's /metrics text). */
    CHECK_STATUS(qayd_engine_metrics(engine, &text), QAYD_STATUS_OK);
    CHECK(text && strstr(text, "\nqayd_documents{status=\"cleared\"} 1\n"), "metrics %s", S(text));
    qayd_string_free(text);
    text = (char *)1;
    CHECK_STATUS(qayd_engine_metrics(NULL, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(text == NULL, "output not reset");
    CHECK_STATUS(qayd_engine_metrics(engine, NULL), QAYD_STATUS_NULL_ARGUMENT);

    /* The lifecycle events, in order, through qayd_engine_events. */
    CHECK_STATUS(qayd_engine_events(engine, 0, 100, &text), QAYD_STATUS_OK);
    list = parse(text);
    {
        static const char *const want_kinds[] = {"document_reported", "document_reported", "document_cleared"};
        static const double want_icvs[] = {1, 2, 3};
        n = 0;
        for (i = 0; list && list->type == JSON_ARRAY && i < list->count; i++) {
            const char *kind = json_get_string(list->items[i], "kind");
            if (!kind || (strncmp(kind, "document_", 9) != 0 && strcmp(kind, "dead_letter") != 0)) continue;
            CHECK(n < 3 && strcmp(kind, want_kinds[n]) == 0 && num(list->items[i], "icv") == want_icvs[n] &&
                      strcmp(S(json_get_string(list->items[i], "egs_id")), "till-m") == 0,
                  "event %zu: %s", n, S(text));
            n++;
        }
        CHECK(n == 3, "%zu lifecycle events: %s", n, S(text));
    }

done:
    json_free(list);
    json_free(info);
    qayd_string_free(text);
    qayd_string_free(fields);
    qayd_string_free(standard);
    qayd_string_free(outcome);
    qayd_string_free(refusals);
    if (qr != (char *)1) qayd_string_free(qr);
    qayd_document_free(cleared);
    qayd_document_free(old_document);
    for (i = 0; i < 3; i++) qayd_document_free(documents[i]);
    qayd_string_free(models[0]);
    free(models[1]);
    qayd_string_free(models[2]);
    qayd_engine_free(engine);
    qayd_credentials_free(credentials);
    qayd_string_free(identity);
}

/* An issued document carries what local validation said: a simplified invoice issued three days
 * ago breaks BR-KSA-98 (reported late: a warning), which refuse_on_warnings refuses. */
static void test_validation_findings(qayd_credentials *credentials, const char *master_key) {
    char options[1024], date[16], *sample = NULL, *at;
    qayd_engine *engine = NULL;
    qayd_document *document = NULL;
    JsonValue *findings = NULL;
    time_t then = time(NULL) - 3 * 86400;
    struct tm tm;
    gmtime_r(&then, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    CHECK_STATUS(qayd_sample_invoice(identity_text, "simplified", "invoice", &sample), QAYD_STATUS_OK);
    at = sample ? strstr(sample, "\"issue_date\":\"") : NULL;
    CHECK(at != NULL, "no issue date in %s", S(sample));
    if (!at) goto done;
    memcpy(at + strlen("\"issue_date\":\""), date, 10);
    snprintf(options, sizeof options, "{\"store\": \":memory:\", \"master_key\": \"%s\"}", master_key);
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_set_credentials(engine, "till-1", credentials), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(engine, "till-1", sample, &document), QAYD_STATUS_OK);
    findings = parse(document ? qayd_document_findings_json(document) : NULL);
    CHECK(findings && findings->type == JSON_ARRAY && findings->count == 1 &&
              strcmp(S(json_get_string(findings->items[0], "rule")), "BR-KSA-98") == 0 &&
              strcmp(S(json_get_string(findings->items[0], "severity")), "warning") == 0,
          "findings %s", document ? qayd_document_findings_json(document) : "(no document)");
    qayd_document_free(document);
    document = NULL;
    qayd_engine_free(engine);
    engine = NULL;
    snprintf(options, sizeof options, "{\"store\": \":memory:\", \"master_key\": \"%s\", \"validation\": \"refuse_on_warnings\"}",
             master_key);
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_set_credentials(engine, "till-1", credentials), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(engine, "till-1", sample, &document), QAYD_STATUS_INVALID_MODEL);
    CHECK(document == NULL && strstr(qayd_last_error(), "BR-KSA-98"), "refusal %s", qayd_last_error());
done:
    json_free(findings);
    qayd_document_free(document);
    qayd_engine_free(engine);
    qayd_string_free(sample);
}

static int bytes_contain(const uint8_t *bytes, size_t len, const char *needle) {
    size_t n = strlen(needle), i;
    for (i = 0; bytes && i + n <= len; i++)
        if (memcmp(bytes + i, needle, n) == 0) return 1;
    return 0;
}

/* The engine renews a stored unit with only an OTP (the store holds its identity); a refused
 * OTP changes nothing; the chain continues under the new certificate. A unit of its own: the
 * gateway keeps one chain per EGS serial. */
static void test_renewal(const char *master_key) {
    char options[1024], needle[128], *identity = NULL, *sample = NULL, *text = NULL, *at;
    qayd_credentials *credentials = NULL;
    qayd_engine *engine = NULL;
    qayd_document *first = NULL, *next = NULL;
    JsonValue *outcome = NULL, *units = NULL, *report = NULL, *events = NULL;
    const uint8_t *xml;
    size_t len = 0, i, renewed = 0;
    double expiry;

    identity = strdup(identity_text);
    at = identity ? strstr(identity, "|3-ed22f1d8") : NULL;
    CHECK(at != NULL, "no EGS serial in the identity");
    if (!at) goto done;
    memcpy(at + 3, "c0ffee01", 8);
    credentials = onboarded(identity, "123456");
    if (!credentials) goto done;
    snprintf(options, sizeof options,
             "{\"store\": \":memory:\", \"environment\": \"%s\", \"master_key\": \"%s\", \"timeout_ms\": 20000}", base_url,
             master_key);
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    if (!engine) goto done;
    CHECK_STATUS(qayd_engine_set_credentials(engine, "till-1", credentials), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_sample_invoice(identity, "simplified", "invoice", &sample), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_egs_units(engine, &text), QAYD_STATUS_OK);
    units = parse(text);
    qayd_string_free(text);
    text = NULL;
    expiry = units && units->type == JSON_ARRAY && units->count == 1 ? num(units->items[0], "certificate_expiry") : 0;

    CHECK_STATUS(qayd_engine_renew_egs(engine, "till-1", "000000", &text), QAYD_STATUS_API_REJECTED);
    CHECK(text == NULL && strstr(qayd_last_error(), "Invalid-OTP"), "refused OTP: %s", qayd_last_error());
    CHECK_STATUS(qayd_engine_renew_egs(engine, "till-1", NULL, &text), QAYD_STATUS_NULL_ARGUMENT);
    /* Queued when the renewal starts: sent first, under the CSID that signed it. */
    CHECK_STATUS(qayd_engine_issue(engine, "till-1", sample, &first), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_renew_egs(engine, "till-1", "123456", &text), QAYD_STATUS_OK);
    outcome = parse(text);
    CHECK(outcome && strcmp(S(json_get_string(outcome, "egs_id")), "till-1") == 0 &&
              num(outcome, "sent_before_renewal") == 1 && num(outcome, "previous_not_after") == expiry &&
              num(outcome, "not_after") > (double)time(NULL) && json_get_string(outcome, "certificate_serial"),
          "outcome %s (expiry before %.0f)", S(text), expiry);
    qayd_string_free(text);
    text = NULL;
    if (!outcome || !json_get_string(outcome, "certificate_serial")) goto done;
    CHECK_STATUS(qayd_engine_events(engine, 0, 100, &text), QAYD_STATUS_OK);
    events = parse(text);
    for (i = 0; events && events->type == JSON_ARRAY && i < events->count; i++)
        if (strcmp(S(json_get_string(events->items[i], "kind")), "certificate_renewed") == 0) renewed++;
    CHECK(renewed == 1, "certificate_renewed events: %zu in %s", renewed, S(text));
    qayd_string_free(text);
    text = NULL;

    qayd_string_free(sample);
    sample = NULL;
    CHECK_STATUS(qayd_sample_invoice(identity, "simplified", "invoice", &sample), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(engine, "till-1", sample, &next), QAYD_STATUS_OK);
    if (!next || !first) goto done;
    snprintf(needle, sizeof needle, "<ds:X509SerialNumber>%s<", json_get_string(outcome, "certificate_serial"));
    xml = qayd_document_xml(next, &len);
    CHECK(qayd_document_icv(next) == 2 && bytes_contain(xml, len, qayd_document_invoice_hash(first)) &&
              bytes_contain(xml, len, needle),
          "after the renewal: ICV %llu, PIH or certificate wrong", (unsigned long long)qayd_document_icv(next));
    CHECK_STATUS(qayd_engine_drain(engine, &text), QAYD_STATUS_OK);
    report = parse(text);
    CHECK(report && num(report, "reported") == 1 && num(report, "rejected") == 0, "drain %s", S(text));
done:
    qayd_string_free(text);
    json_free(outcome);
    json_free(units);
    json_free(report);
    json_free(events);
    qayd_document_free(first);
    qayd_document_free(next);
    qayd_engine_free(engine);
    qayd_credentials_free(credentials);
    qayd_string_free(sample);
    free(identity);
}

/* The sealed credentials open with the right master key only. */
static void test_master_keys(qayd_credentials *credentials, const char *store) {
    char options[1024], *other = NULL, *sample = NULL;
    qayd_engine *engine = NULL;
    qayd_document *document = NULL;
    CHECK_STATUS(qayd_generate_master_key(&other), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_sample_invoice(identity_text, "simplified", "invoice", &sample), QAYD_STATUS_OK);
    snprintf(options, sizeof options, "{\"store\": \"%s\", \"master_key\": \"%s\"}", store, S(other));
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(engine, "till-1", sample, &document), QAYD_STATUS_SECRET);
    CHECK(document == NULL && strlen(qayd_last_error()) > 0, "issued with a wrong master key");
    qayd_engine_free(engine);
    engine = NULL;

    /* The background worker keeps running with a wrong master key and says why in its health. */
    snprintf(options, sizeof options,
             "{\"store\": \"%s\", \"master_key\": \"%s\", \"environment\": \"%s\", \"poll_interval_ms\": 20}",
             store, S(other), base_url);
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    {
        char *health_text = NULL;
        JsonValue *health = NULL;
        const JsonValue *error;
        double deadline = now_s() + 10;
        CHECK_STATUS(qayd_engine_start(engine), QAYD_STATUS_OK);
        for (;;) {
            json_free(health);
            qayd_string_free(health_text);
            health_text = NULL;
            CHECK_STATUS(qayd_engine_worker_health(engine, &health_text), QAYD_STATUS_OK);
            health = parse(health_text);
            if (num(health, "consecutive_failures") >= 2 || now_s() > deadline) break;
            sleep_ms(20);
        }
        CHECK(num(health, "consecutive_failures") >= 2, "no failed passes: %s", S(health_text));
        CHECK(qayd_engine_is_running(engine), "a failed pass stopped the worker");
        error = json_get(health, "last_error");
        CHECK(error && json_get_string(error, "code") && strcmp(json_get_string(error, "code"), "SECRET") == 0 &&
                  json_get_string(error, "egs_id") && strcmp(json_get_string(error, "egs_id"), "till-1") == 0,
              "last error %s", S(health_text));
        CHECK_STATUS(qayd_engine_worker_health(engine, NULL), QAYD_STATUS_NULL_ARGUMENT);
        json_free(health);
        qayd_string_free(health_text);
    }
    qayd_engine_free(engine);
    engine = NULL;
    snprintf(options, sizeof options, "{\"store\": \"%s\"}", store);
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_set_credentials(engine, "till-2", credentials), QAYD_STATUS_SECRET);
    CHECK(strstr(qayd_last_error(), "QAYD_MASTER_KEY") || strstr(qayd_last_error(), "master key"), "message %s",
          qayd_last_error());
    qayd_engine_free(engine);
    qayd_string_free(other);
    qayd_string_free(sample);
}

/* The flat API client classifies the platform's answers. */
static void test_api_client(const char *master_key) {
    char options[512], *simplified = NULL, *standard = NULL, *answer = NULL, *key = NULL, *csr = NULL;
    char *second = NULL, *second_json = NULL, *serial;
    qayd_credentials *credentials = NULL;
    qayd_engine *offline = NULL;
    qayd_api_client *client = NULL;
    qayd_document *report_doc = NULL, *clear_doc = NULL;
    JsonValue *a = NULL, *c = NULL, *creds = NULL;
    const char *token, *secret;
    const uint8_t *xml;
    uint8_t *cleared = (uint8_t *)&passed;
    size_t len = 0, cleared_len = 99;

    /* A second EGS unit (another serial number: the gateway chains per unit). */
    CHECK_STATUS(qayd_identity_from_text(identity_text, &second), QAYD_STATUS_OK);
    serial = second ? strstr(second, "ed22f1d8") : NULL;
    CHECK(serial != NULL, "no serial number in %s", S(second));
    if (!serial) return;
    serial[7] = '9';
    credentials = onboarded(second, "123456");
    CHECK_STATUS(qayd_credentials_to_json(credentials, &second_json), QAYD_STATUS_OK);
    creds = parse(second_json);
    token = json_get_string(json_get(creds, "production"), "binary_security_token");
    secret = json_get_string(json_get(creds, "production"), "secret");
    if (!token || !secret) goto done;

    /* An engine without environment stamps with the production credentials; this client sends. */
    snprintf(options, sizeof options, "{\"store\": \":memory:\", \"master_key\": \"%s\"}", master_key);
    CHECK_STATUS(qayd_engine_open(options, &offline), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_set_credentials(offline, "till-9", credentials), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_sample_invoice(identity_text, "simplified", "invoice", &simplified), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_sample_invoice(identity_text, "standard", "debit_note", &standard), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(offline, "till-9", simplified, &report_doc), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(offline, "till-9", standard, &clear_doc), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_api_client_new(base_url, "{\"timeout_ms\": 20000}", &client), QAYD_STATUS_OK);
    if (!client || !report_doc || !clear_doc) goto done;
    xml = qayd_document_xml(report_doc, &len);

    inject("{\"status\": 429, \"retry_after\": 7}");
    CHECK_STATUS(qayd_api_reporting(client, token, secret, xml, len, &answer), QAYD_STATUS_OK);
    a = parse(answer);
    CHECK(strcmp(S(json_get_string(a, "outcome")), "retryable") == 0 && num(a, "http_status") == 429 &&
              num(a, "retry_after_ms") == 7000,
          "rate limited %s", S(answer));
    json_free(a);
    qayd_string_free(answer);
    CHECK_STATUS(qayd_api_reporting(client, token, secret, xml, len, &answer), QAYD_STATUS_OK);
    a = parse(answer);
    CHECK(strcmp(S(json_get_string(a, "outcome")), "accepted") == 0 && num(a, "http_status") == 200, "reported %s", S(answer));
    json_free(a);
    qayd_string_free(answer);
    CHECK_STATUS(qayd_api_reporting(client, token, secret, xml, len, &answer), QAYD_STATUS_OK);
    a = parse(answer);
    CHECK(strcmp(S(json_get_string(a, "outcome")), "duplicate") == 0, "again %s", S(answer));
    json_free(a);
    qayd_string_free(answer);
    CHECK_STATUS(qayd_api_reporting(client, token, "wrong secret", xml, len, &answer), QAYD_STATUS_OK);
    a = parse(answer);
    CHECK(strcmp(S(json_get_string(a, "outcome")), "unauthorized") == 0 && num(a, "http_status") == 401,
          "wrong secret %s", S(answer));
    CHECK(!strstr(answer, secret), "the answer echoes the secret");
    json_free(a);
    qayd_string_free(answer);
    answer = NULL;
    CHECK_STATUS(qayd_api_reporting(client, token, secret, (const uint8_t *)"<a/>", 4, &answer), QAYD_STATUS_INVALID_DOCUMENT);
    CHECK(answer == NULL, "answer not reset");

    /* Clearance hands back ZATCA's cleared document, with the stamped hash. */
    xml = qayd_document_xml(clear_doc, &len);
    CHECK_STATUS(qayd_api_clearance(client, token, secret, xml, len, &answer, &cleared, &cleared_len), QAYD_STATUS_OK);
    a = parse(answer);
    CHECK(strcmp(S(json_get_string(a, "outcome")), "accepted") == 0 && cleared && cleared_len > 1000, "cleared %s",
          S(answer));
    if (cleared && cleared_len > 0) {
        char *hash = NULL;
        CHECK_STATUS(qayd_invoice_hash(cleared, cleared_len, &hash), QAYD_STATUS_OK);
        CHECK(hash && strcmp(hash, qayd_document_invoice_hash(clear_doc)) == 0, "cleared hash %s", S(hash));
        qayd_string_free(hash);
    }
    json_free(a);
    a = NULL;
    qayd_string_free(answer);
    answer = NULL;
    qayd_bytes_free(cleared, cleared_len);
    cleared = NULL;
    CHECK_STATUS(qayd_api_clearance(client, token, secret, xml, len, &answer, &cleared, NULL), QAYD_STATUS_NULL_ARGUMENT);

    /* A wrong OTP is an error with the HTTP status; a fresh CSR with the right one is accepted. */
    CHECK_STATUS(qayd_api_compliance_csid(client, "bm90IGEgQ1NS", "000000", &answer), QAYD_STATUS_API_REJECTED);
    CHECK(qayd_last_http_status() == 400 && strstr(qayd_last_error(), "Invalid-OTP"), "status %u, message %s",
          qayd_last_http_status(), qayd_last_error());
    CHECK_STATUS(qayd_generate_private_key_pem(&key), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_build_csr(identity_text, (const uint8_t *)S(key), strlen(S(key)), base_url, &csr), QAYD_STATUS_OK);
    c = parse(csr);
    CHECK_STATUS(qayd_api_compliance_csid(client, S(json_get_string(c, "base64")), "123456", &answer), QAYD_STATUS_OK);
    CHECK(qayd_last_http_status() == 0, "a success leaves no HTTP status");
    a = parse(answer);
    CHECK(strcmp(S(json_get_string(a, "outcome")), "accepted") == 0 &&
              json_get_string(json_get(a, "response"), "binarySecurityToken") != NULL,
          "compliance CSID %s", S(answer));
    /* The compliance CSID submits a compliance sample. */
    {
        char *sample_answer = NULL;
        const JsonValue *response = json_get(a, "response");
        CHECK_STATUS(qayd_api_compliance_invoice(client, S(json_get_string(response, "binarySecurityToken")),
                                                 S(json_get_string(response, "secret")), xml, len, &sample_answer, NULL, NULL),
                     QAYD_STATUS_OK);
        CHECK(sample_answer && strstr(sample_answer, "\"outcome\":"), "compliance invoice %s", S(sample_answer));
        qayd_string_free(sample_answer);
    }

done:
    json_free(a);
    json_free(c);
    json_free(creds);
    qayd_string_free(second);
    qayd_string_free(second_json);
    qayd_credentials_free(credentials);
    qayd_string_free(answer);
    qayd_string_free(key);
    qayd_string_free(csr);
    qayd_string_free(simplified);
    qayd_string_free(standard);
    qayd_document_free(report_doc);
    qayd_document_free(clear_doc);
    qayd_api_client_free(client);
    qayd_engine_free(offline);
}

/* A progress callback that tries to shut the runtime down from inside a blocking call. */
static void shutdown_in_progress(void *user_data, const char *step, size_t index, size_t total) {
    qayd_status *status = user_data;
    (void)step, (void)index, (void)total;
    if (*status == QAYD_STATUS_OK) *status = qayd_shutdown();
}

/* Last: qayd_shutdown stops the shared runtime (refused inside a callback; cancels a running
 * worker; idempotent); afterwards network calls fail cleanly and offline calls still work. */
static void test_shutdown(qayd_credentials *credentials, const char *master_key, const char *store) {
    char options[1024], *sample = NULL, *text = NULL, *key = NULL;
    qayd_credentials *again = NULL;
    qayd_engine *engine = NULL;
    qayd_document *document = NULL;
    qayd_status inside = QAYD_STATUS_OK;

    CHECK_STATUS(qayd_onboard(identity_text, "123456", base_url, NULL, shutdown_in_progress, &inside, &again),
                 QAYD_STATUS_OK);
    CHECK(inside == QAYD_STATUS_INVALID_INPUT, "qayd_shutdown from a progress callback: %s", qayd_status_code(inside));
    qayd_credentials_free(again);
    again = NULL;

    snprintf(options, sizeof options,
             "{\"store\": \"%s\", \"environment\": \"%s\", \"master_key\": \"%s\", \"poll_interval_ms\": 50}", store,
             base_url, master_key);
    CHECK_STATUS(qayd_engine_open(options, &engine), QAYD_STATUS_OK);
    if (!engine) return;
    CHECK_STATUS(qayd_engine_set_credentials(engine, "till-s", credentials), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_start(engine), QAYD_STATUS_OK);
    CHECK(qayd_engine_is_running(engine), "the worker does not run");

    CHECK_STATUS(qayd_shutdown(), QAYD_STATUS_OK);
    CHECK(!qayd_engine_is_running(engine), "the worker survived qayd_shutdown");
    CHECK_STATUS(qayd_shutdown(), QAYD_STATUS_OK);

    CHECK_STATUS(qayd_onboard(identity_text, "123456", base_url, NULL, NULL, NULL, &again), QAYD_STATUS_INVALID_INPUT);
    CHECK(strstr(qayd_last_error(), "shut down") != NULL && again == NULL, "after shutdown: %s", qayd_last_error());
    CHECK_STATUS(qayd_engine_drain(engine, &text), QAYD_STATUS_INVALID_INPUT);
    CHECK(text == NULL, "a drain report after shutdown");
    CHECK_STATUS(qayd_engine_start(engine), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_engine_stop(engine), QAYD_STATUS_INVALID_INPUT);
    /* Offline work goes on. */
    CHECK_STATUS(qayd_sample_invoice(identity_text, "simplified", "invoice", &sample), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_engine_issue(engine, "till-s", sample, &document), QAYD_STATUS_OK);
    CHECK(document && strcmp(qayd_document_status(document), "pending") == 0, "issued after shutdown");
    CHECK_STATUS(qayd_generate_private_key_pem(&key), QAYD_STATUS_OK);
    qayd_document_free(document);
    qayd_engine_free(engine);
    qayd_string_free(sample);
    qayd_string_free(key);
}

static double started;

/* Prints how long a part took (to stderr: stdout's last line is the verdict). */
static void lap(const char *what) {
    double now = now_s();
    fprintf(stderr, "  %-22s %6.2f s\n", what, now - started);
    started = now;
}

int main(void) {
    char dir[] = "/tmp/qayd-c-XXXXXX", store[256], *master_key = NULL, *secret = NULL, *token = NULL;
    qayd_credentials *credentials = NULL;

    /* Fork before the library starts any thread. */
    if (!start_embed_gateway()) {
        printf("cannot start the gateway (build it with `cargo build -p qayd-cli`; QAYD_BIN overrides)\n");
        stop_gateway();
        printf("0 passed, 1 failed\n");
        return 1;
    }
    identity_text = read_text(IDENTITY_FILE);
    CHECK(identity_text != NULL, "cannot read %s (run from the repository root)", IDENTITY_FILE);
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(store, sizeof store, "%s/qayd.db", dir);

    started = now_s();
    test_keys_identity_csr();
    test_bad_options();
    lap("offline");
    credentials = onboarded(identity_text, "123456");
    lap("onboard");
    CHECK_STATUS(qayd_generate_master_key(&master_key), QAYD_STATUS_OK);
    if (credentials && master_key) {
        test_onboarding(credentials, &secret, &token);
        lap("credentials, renewal");
        test_engine(credentials, master_key, store, secret);
        lap("engine");
        test_master_keys(credentials, store);
        test_validation_findings(credentials, master_key);
        test_issue_many_qr_events(master_key);
        lap("issue_many, qr, events");
        test_renewal(master_key);
        lap("engine renewal");
        test_api_client(master_key);
        lap("api client");
        test_shutdown(credentials, master_key, store);
        lap("shutdown");
    }
    CHECK_STATUS(qayd_shutdown(), QAYD_STATUS_OK);

    qayd_credentials_free(credentials);
    qayd_string_free(master_key);
    free(secret);
    free(token);
    free(identity_text);
    stop_gateway();
    {
        static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
        char path[300];
        size_t i;
        for (i = 0; i < 4; i++) {
            snprintf(path, sizeof path, "%s%s", store, suffixes[i]);
            unlink(path);
        }
        CHECK(rmdir(dir) == 0, "the store left files behind in %s", dir);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
