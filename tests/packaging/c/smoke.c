/*
 * Smoke test of an installed Qayd C package (bindings-c/test.sh --package builds it with
 * pkg-config and with CMake, against the shared and the static library, and runs it under
 * valgrind with no suppressions).
 *
 *   smoke REPO GATEWAY_URL
 *
 * REPO is the repository (for the shared inputs: tests/bench/, the SDK's test certificate and
 * identity), GATEWAY_URL what `qayd gateway --port 0` printed (127.0.0.1). It stamps and verifies
 * the shared 5-line invoice, then onboards through the gateway and drives an engine: the 5-line
 * invoice issued and reported, a standard invoice cleared, the audit log intact. It ends with
 * qayd_shutdown(). The last line is "N passed, M failed"; the exit status is 0 only when
 * nothing failed.
 */
#define _POSIX_C_SOURCE 200809L
#include <qayd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

#define CHECK(cond, ...)                                              \
    do {                                                              \
        int ok_ = (cond);                                             \
        if (ok_) {                                                    \
            passed++;                                                 \
            printf("ok   ");                                          \
        } else {                                                      \
            failed++;                                                 \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);               \
        }                                                             \
        printf(__VA_ARGS__);                                          \
        if (!ok_) printf(" (last error: %s)", qayd_last_error());     \
        printf("\n");                                                \
    } while (0)

#define OK(call) CHECK((call) == QAYD_STATUS_OK, "%s", #call)

typedef struct {
    char *data;
    size_t len;
} Buffer;

static Buffer read_file(const char *repo, const char *path) {
    char full[4096];
    Buffer b = {NULL, 0};
    FILE *f;
    long size;
    snprintf(full, sizeof full, "%s/%s", repo, path);
    if (!(f = fopen(full, "rb"))) return b;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (b.data = malloc((size_t)size + 1)) != NULL) {
        b.len = fread(b.data, 1, (size_t)size, f);
        b.data[b.len] = '\0';
    }
    fclose(f);
    return b;
}

/* The string value of "key": "…" in a flat JSON text (enough for the fields read here). */
static void json_string(const char *json, const char *key, char *out, size_t size) {
    char pattern[128];
    const char *at, *end;
    out[0] = '\0';
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    if (!json || !(at = strstr(json, pattern))) return;
    at += strlen(pattern);
    if (!(end = strchr(at, '"')) || (size_t)(end - at) >= size) return;
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = '\0';
}

static void stamp_and_verify(const char *repo) {
    Buffer cert = read_file(repo, "tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem");
    Buffer key = read_file(repo, "tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem");
    Buffer model = read_file(repo, "tests/bench/simplified-5-lines.json");
    Buffer xml = read_file(repo, "tests/bench/simplified-5-lines.xml");
    qayd_signer *signer = NULL;
    qayd_stamped *stamped = NULL;
    uint8_t *generated = NULL;
    size_t generated_len = 0, stamped_len = 0;
    const uint8_t *stamped_xml;
    char *hash = NULL, *report = NULL, *fields = NULL;
    bool valid = false;

    CHECK(cert.data && key.data && model.data && xml.data, "read the 5-line invoice and the SDK's test certificate");
    if (!(cert.data && key.data && model.data && xml.data)) goto done;
    OK(qayd_generate(model.data, &generated, &generated_len));
    CHECK(generated && generated_len == xml.len && memcmp(generated, xml.data, xml.len) == 0,
          "the model writer gives the shared 5-line XML byte for byte (%zu bytes)", generated_len);
    OK(qayd_signer_new((const uint8_t *)cert.data, cert.len, (const uint8_t *)key.data, key.len, &signer));
    OK(qayd_stamp(signer, (const uint8_t *)xml.data, xml.len, "2025-07-22T15:51:28", &stamped));
    if (!stamped) goto done;
    OK(qayd_invoice_hash((const uint8_t *)xml.data, xml.len, &hash));
    CHECK(hash && strcmp(hash, qayd_stamped_invoice_hash(stamped)) == 0, "invoice hash %s",
          qayd_stamped_invoice_hash(stamped));
    stamped_xml = qayd_stamped_xml(stamped, &stamped_len);
    OK(qayd_verify(stamped_xml, stamped_len, &valid, &report));
    CHECK(valid && report && strstr(report, "\"passed\":false") == NULL, "verify: every check passed");
    qayd_string_free(report);
    report = NULL;
    valid = false;
    OK(qayd_validate(stamped_xml, stamped_len, &valid, &report));
    CHECK(valid, "validate: no errors");
    OK(qayd_qr_decode(qayd_stamped_qr(stamped), &fields));
    CHECK(fields && strstr(fields, qayd_stamped_invoice_hash(stamped)) != NULL, "the QR code carries the invoice hash");

done:
    qayd_string_free(fields);
    qayd_string_free(report);
    qayd_string_free(hash);
    qayd_bytes_free(generated, generated_len);
    qayd_stamped_free(stamped);
    qayd_signer_free(signer);
    free(cert.data);
    free(key.data);
    free(model.data);
    free(xml.data);
}

static void through_gateway(const char *repo, const char *url) {
    Buffer identity = read_file(repo, "tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties");
    Buffer model = read_file(repo, "tests/bench/simplified-5-lines.json");
    char dir[] = "/tmp/qayd-c-smoke-XXXXXX", store[256], options[1024], vat[64], *at;
    char *summary = NULL, *master_key = NULL, *report = NULL, *standard = NULL, *outcome = NULL, *audit = NULL;
    qayd_credentials *credentials = NULL;
    qayd_engine *engine = NULL;
    qayd_document *issued = NULL, *cleared = NULL;
    const uint8_t *xml;
    size_t len = 0;
    bool valid = false;

    CHECK(identity.data && model.data, "read the SDK's identity and the 5-line model");
    CHECK(strncmp(url, "http://127.0.0.1:", 17) == 0, "local gateway at %s", url);
    if (!identity.data || !model.data || !mkdtemp(dir)) goto done;
    snprintf(store, sizeof store, "%s/qayd.db", dir);

    OK(qayd_onboard(identity.data, "123456", url, "{\"timeout_ms\": 20000}", NULL, NULL, &credentials));
    if (!credentials) goto done;
    OK(qayd_credentials_summary_json(credentials, &summary));
    json_string(summary, "vat_number", vat, sizeof vat);
    CHECK(strlen(vat) == 15, "onboarded, VAT number %s", vat);
    /* The invoice's seller is the unit's own VAT number (same length: replaced in place). */
    at = strstr(model.data, "\"vat_number\": \"");
    if (!at || strlen(vat) != 15) goto done;
    memcpy(at + strlen("\"vat_number\": \""), vat, 15);

    OK(qayd_generate_master_key(&master_key));
    snprintf(options, sizeof options,
             "{\"store\": \"%s\", \"environment\": \"%s\", \"master_key\": \"%s\", \"retry_base_ms\": 10, "
             "\"retry_cap_ms\": 20, \"clear_wait_ms\": 10000, \"timeout_ms\": 20000}",
             store, url, master_key);
    OK(qayd_engine_open(options, &engine));
    if (!engine) goto done;
    OK(qayd_engine_set_credentials(engine, "till-1", credentials));

    OK(qayd_engine_issue(engine, "till-1", model.data, &issued));
    if (!issued) goto done;
    xml = qayd_document_xml(issued, &len);
    OK(qayd_verify(xml, len, &valid, NULL));
    CHECK(qayd_document_icv(issued) == 1 && valid, "the engine issued the 5-line invoice as ICV %llu, stamped, valid",
          (unsigned long long)qayd_document_icv(issued));
    OK(qayd_engine_drain(engine, &report));
    CHECK(report && strstr(report, "\"reported\":1") != NULL, "drain reported it: %s", report ? report : "(null)");

    OK(qayd_sample_invoice(identity.data, "standard", "invoice", &standard));
    OK(qayd_engine_clear(engine, "till-1", standard, &outcome, &cleared));
    xml = cleared ? qayd_document_cleared_xml(cleared, &len) : NULL;
    CHECK(outcome && strcmp(outcome, "cleared") == 0 && xml && len > 0, "clear: %s, %zu bytes back",
          outcome ? outcome : "(null)", xml ? len : (size_t)0);
    valid = false;
    if (xml) OK(qayd_verify(xml, len, &valid, NULL));
    CHECK(valid, "the cleared document verifies");
    OK(qayd_engine_verify_audit(engine, &audit));
    CHECK(audit && strstr(audit, "\"intact\":true") != NULL, "audit log: %s", audit ? audit : "(null)");

done:
    qayd_string_free(audit);
    qayd_string_free(outcome);
    qayd_string_free(standard);
    qayd_string_free(report);
    qayd_string_free(master_key);
    qayd_string_free(summary);
    qayd_document_free(cleared);
    qayd_document_free(issued);
    qayd_engine_free(engine);
    qayd_credentials_free(credentials);
    free(identity.data);
    free(model.data);
    {
        static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
        char path[300];
        size_t i;
        for (i = 0; i < 4; i++) {
            snprintf(path, sizeof path, "%s%s", store, suffixes[i]);
            unlink(path);
        }
        rmdir(dir);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s REPO GATEWAY_URL\n", argv[0]);
        return 2;
    }
    printf("qayd %s\n", qayd_version());
    stamp_and_verify(argv[1]);
    through_gateway(argv[1], argv[2]);
    OK(qayd_shutdown());
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
