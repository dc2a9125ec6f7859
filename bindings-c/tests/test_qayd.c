/*
 * Tests of the C API (include/qayd.h). Run from the repository root:
 *   make -C bindings-c test
 * The last line of the output is "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include "qayd.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SAMPLES "tests/vectors/sdk-R3.4.8/Data/Samples"
#define CERTS "tests/vectors/sdk-R3.4.8/Data/Certificates"
#define SIGNING_TIME "2025-07-22T15:51:28"

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

typedef struct {
    unsigned char *data;
    size_t len;
} Buffer;

static Buffer read_file(const char *path) {
    Buffer b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    long size;
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

/* The text between `open` and `close` after `from`, copied into `out`; 0 when absent. */
static int between(const char *text, const char *from, const char *open, const char *close, char *out, size_t cap) {
    const char *start = strstr(text, from), *end;
    if (!start || !(start = strstr(start, open))) return 0;
    start += strlen(open);
    if (!(end = strstr(start, close)) || (size_t)(end - start) >= cap) return 0;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return 1;
}

/* ------------------------------------------------------------------------------------------ */

static int sample_count;

static void hash_sample(const char *path) {
    Buffer xml = read_file(path);
    char declared[128];
    char *hash = NULL;
    CHECK(xml.data != NULL, "cannot read %s", path);
    if (!xml.data) return;
    CHECK(between((char *)xml.data, "<ds:Reference Id=\"invoiceSignedData\"", "<ds:DigestValue>", "</ds:DigestValue>",
                  declared, sizeof declared),
          "%s has no invoiceSignedData digest", path);
    CHECK_STATUS(qayd_invoice_hash(xml.data, xml.len, &hash), QAYD_STATUS_OK);
    CHECK(hash && strcmp(hash, declared) == 0, "%s: hash %s, DigestValue %s", path, hash ? hash : "(null)", declared);
    qayd_string_free(hash);
    free(xml.data);
    sample_count++;
}

static void walk(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *entry;
    CHECK(d != NULL, "cannot open %s (run from the repository root)", dir);
    if (!d) return;
    while ((entry = readdir(d)) != NULL) {
        char path[1024];
        struct stat st;
        size_t n = strlen(entry->d_name);
        if (entry->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) walk(path);
        else if (n > 4 && strcmp(entry->d_name + n - 4, ".xml") == 0) hash_sample(path);
    }
    closedir(d);
}

static void test_info(void) {
    CHECK(strlen(qayd_version()) > 0, "empty version");
    CHECK(strcmp(qayd_genesis_pih(),
                 "NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==") == 0,
          "genesis PIH %s", qayd_genesis_pih());
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_OK), "OK") == 0, "OK code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_INVALID_XML), "INVALID_XML") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_KEY_MISMATCH), "KEY_MISMATCH") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_INVALID_INPUT), "INVALID_INPUT") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_NETWORK), "NETWORK") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_UNEXPECTED_RESPONSE), "UNEXPECTED_RESPONSE") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_STORAGE), "STORAGE") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_SECRET), "SECRET") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_OTHER), "OTHER") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_NULL_ARGUMENT), "NULL_ARGUMENT") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_INVALID_UTF8), "INVALID_UTF8") == 0, "code");
    CHECK(strcmp(qayd_status_code(QAYD_STATUS_PANIC), "PANIC") == 0, "code");
    CHECK(strcmp(qayd_status_code(12345), "UNKNOWN") == 0, "unknown code");
}

static void test_hash_samples(void) {
    walk(SAMPLES);
    CHECK(sample_count == 19, "expected the 19 SDK samples, hashed %d", sample_count);
}

static qayd_signer *sdk_signer(void) {
    Buffer cert = read_file(CERTS "/cert.pem"), key = read_file(CERTS "/ec-secp256k1-priv-key.pem");
    qayd_signer *signer = NULL;
    CHECK(cert.data && key.data, "cannot read the SDK certificate and key");
    CHECK_STATUS(qayd_signer_new(cert.data, cert.len, key.data, key.len, &signer), QAYD_STATUS_OK);
    free(cert.data);
    free(key.data);
    return signer;
}

static void test_stamp_verify_tamper(void) {
    qayd_signer *signer = sdk_signer();
    Buffer xml = read_file(SAMPLES "/Simplified/Invoice/Simplified_Invoice.xml");
    qayd_stamped *stamped = NULL, *again = NULL;
    const uint8_t *out, *out2;
    size_t out_len = 0, out2_len = 0;
    bool valid = false;
    char *report = NULL, *hash = NULL, *fields = NULL, *svg = NULL;
    uint8_t *png = NULL;
    size_t png_len = 0;

    CHECK_STATUS(qayd_stamp(signer, xml.data, xml.len, SIGNING_TIME, &stamped), QAYD_STATUS_OK);
    if (!stamped) goto done;
    out = qayd_stamped_xml(stamped, &out_len);
    CHECK(out != NULL && out_len > xml.len / 2, "stamped xml of %zu bytes", out_len);
    CHECK(strlen(qayd_stamped_invoice_hash(stamped)) == 44, "hash %s", qayd_stamped_invoice_hash(stamped));
    CHECK(strcmp(qayd_stamped_uuid(stamped), "8e6000cf-1a98-4174-b3e7-b5d5954bc10d") == 0, "uuid %s",
          qayd_stamped_uuid(stamped));
    CHECK(strlen(qayd_stamped_signature(stamped)) > 60, "signature %s", qayd_stamped_signature(stamped));
    CHECK(strcmp(qayd_stamped_signing_time(stamped), SIGNING_TIME) == 0, "signing time %s",
          qayd_stamped_signing_time(stamped));

    /* The hash of the stamped bytes is the stamped hash, and the stamp verifies. */
    CHECK_STATUS(qayd_invoice_hash(out, out_len, &hash), QAYD_STATUS_OK);
    CHECK(hash && strcmp(hash, qayd_stamped_invoice_hash(stamped)) == 0, "re-hash %s", hash ? hash : "(null)");
    CHECK_STATUS(qayd_verify(out, out_len, &valid, &report), QAYD_STATUS_OK);
    CHECK(valid, "stamped document does not verify: %s", report ? report : "(null)");
    CHECK(report && strstr(report, "\"valid\":true") && strstr(report, "\"checks\":["), "report %s",
          report ? report : "(null)");
    qayd_string_free(report);
    report = NULL;
    /* The report is optional. */
    CHECK_STATUS(qayd_verify(out, out_len, &valid, NULL), QAYD_STATUS_OK);
    CHECK(valid, "valid without report");

    /* Deterministic (RFC 6979): the same input and time give the same bytes. */
    CHECK_STATUS(qayd_stamp(signer, xml.data, xml.len, SIGNING_TIME, &again), QAYD_STATUS_OK);
    out2 = qayd_stamped_xml(again, &out2_len);
    CHECK(out2 && out2_len == out_len && memcmp(out, out2, out_len) == 0, "stamping is not deterministic");
    qayd_stamped_free(again);
    again = NULL;
    /* NULL signing time = now. */
    CHECK_STATUS(qayd_stamp(signer, xml.data, xml.len, NULL, &again), QAYD_STATUS_OK);
    CHECK(again && strlen(qayd_stamped_signing_time(again)) == 19, "signing time now");
    qayd_stamped_free(again);

    /* QR: decode, SVG, PNG. */
    CHECK_STATUS(qayd_qr_decode(qayd_stamped_qr(stamped), &fields), QAYD_STATUS_OK);
    CHECK(fields && strstr(fields, "\"tag\":6") && strstr(fields, qayd_stamped_invoice_hash(stamped)) &&
              strstr(fields, "\"name\":\"certificate_signature\""),
          "qr fields %s", fields ? fields : "(null)");
    CHECK_STATUS(qayd_qr_svg(qayd_stamped_qr(stamped), &svg), QAYD_STATUS_OK);
    CHECK(svg && strstr(svg, "<svg"), "svg");
    CHECK_STATUS(qayd_qr_png(qayd_stamped_qr(stamped), 2, &png, &png_len), QAYD_STATUS_OK);
    CHECK(png && png_len > 8 && memcmp(png, "\x89PNG", 4) == 0, "png of %zu bytes", png_len);

    /* Tamper: change the payable amount after stamping. */
    {
        unsigned char *copy = malloc(out_len + 1);
        char *amount;
        memcpy(copy, out, out_len);
        copy[out_len] = '\0';
        amount = strstr((char *)copy, "<cbc:PayableAmount currencyID=\"SAR\">");
        CHECK(amount != NULL, "no PayableAmount");
        if (amount) {
            amount = strchr(amount, '>') + 1;
            *amount = *amount == '9' ? '8' : '9';
            CHECK_STATUS(qayd_verify(copy, out_len, &valid, &report), QAYD_STATUS_OK);
            CHECK(!valid, "tampered document verifies");
            CHECK(report && strstr(report, "\"name\":\"invoice_hash\",\"passed\":false"), "report %s",
                  report ? report : "(null)");
            qayd_string_free(report);
            report = NULL;
        }
        free(copy);
    }

done:
    qayd_string_free(hash);
    qayd_string_free(fields);
    qayd_string_free(svg);
    qayd_bytes_free(png, png_len);
    qayd_stamped_free(stamped);
    qayd_signer_free(signer);
    free(xml.data);
}

static void test_errors(void) {
    Buffer cert = read_file(CERTS "/cert.pem"), key = read_file(CERTS "/ec-secp256k1-priv-key.pem");
    Buffer other = read_file("tests/conformance/keys/other-secp256k1.pem");
    Buffer p256 = read_file("tests/conformance/keys/p256.pem");
    Buffer xml = read_file(SAMPLES "/Standard/Invoice/Standard_Invoice.xml");
    qayd_signer *signer = NULL, *scratch = (qayd_signer *)&cert; /* must be reset to NULL on failure */
    qayd_stamped *stamped = NULL;
    char *text = (char *)&cert;
    bool valid = true;
    uint8_t *png = (uint8_t *)&cert;
    size_t png_len = 99;
    const uint8_t garbage[] = "this is not a key";
    const char not_xml[] = "not xml at all";
    const char not_invoice[] = "<a/>";
    const char bad_utf8[] = {'\xff', '\xfe', 'A', '\0'};

    /* Core errors map to their own status, with a message. */
    CHECK_STATUS(qayd_signer_new(cert.data, cert.len, garbage, sizeof garbage - 1, &scratch), QAYD_STATUS_INVALID_KEY);
    CHECK(scratch == NULL, "out-pointer not reset on failure");
    CHECK(strlen(qayd_last_error()) > 0, "no message for INVALID_KEY");
    CHECK_STATUS(qayd_signer_new(garbage, sizeof garbage - 1, key.data, key.len, &scratch), QAYD_STATUS_INVALID_CERTIFICATE);
    CHECK_STATUS(qayd_signer_new(cert.data, cert.len, other.data, other.len, &scratch), QAYD_STATUS_KEY_MISMATCH);
    CHECK_STATUS(qayd_signer_new(cert.data, cert.len, p256.data, p256.len, &scratch), QAYD_STATUS_INVALID_KEY);
    CHECK_STATUS(qayd_invoice_hash((const uint8_t *)not_xml, strlen(not_xml), &text), QAYD_STATUS_INVALID_XML);
    CHECK(text == NULL, "out string not reset");
    CHECK_STATUS(qayd_invoice_hash((const uint8_t *)not_invoice, strlen(not_invoice), &text), QAYD_STATUS_INVALID_DOCUMENT);
    CHECK_STATUS(qayd_verify((const uint8_t *)not_xml, strlen(not_xml), &valid, &text), QAYD_STATUS_INVALID_XML);
    CHECK(!valid && text == NULL, "verify outputs not reset");
    CHECK_STATUS(qayd_qr_decode("***", &text), QAYD_STATUS_INVALID_QR);
    CHECK_STATUS(qayd_qr_decode("AQVhYg==", &text), QAYD_STATUS_INVALID_QR);
    CHECK(strstr(qayd_last_error(), "QR") != NULL, "message %s", qayd_last_error());
    CHECK_STATUS(qayd_signer_new(cert.data, cert.len, key.data, key.len, &signer), QAYD_STATUS_OK);
    CHECK(strcmp(qayd_last_error(), "") == 0, "last error not cleared by a success");
    CHECK_STATUS(qayd_stamp(signer, xml.data, xml.len, "22/07/2025 15:51", &stamped), QAYD_STATUS_INVALID_INPUT);
    CHECK(stamped == NULL, "stamped not NULL");

    /* NULL arguments. */
    CHECK_STATUS(qayd_invoice_hash(NULL, 0, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(strstr(qayd_last_error(), "xml") != NULL, "message %s", qayd_last_error());
    CHECK_STATUS(qayd_invoice_hash(xml.data, xml.len, NULL), QAYD_STATUS_NULL_ARGUMENT);
    scratch = (qayd_signer *)&cert;
    CHECK_STATUS(qayd_signer_new(NULL, 0, key.data, key.len, &scratch), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(scratch == NULL, "signer not reset");
    CHECK_STATUS(qayd_signer_new(cert.data, cert.len, NULL, 0, &scratch), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_signer_new(cert.data, cert.len, key.data, key.len, NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_stamp(NULL, xml.data, xml.len, SIGNING_TIME, &stamped), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(strstr(qayd_last_error(), "signer") != NULL, "message %s", qayd_last_error());
    CHECK_STATUS(qayd_verify(NULL, 0, &valid, NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_verify(xml.data, xml.len, NULL, NULL), QAYD_STATUS_NULL_ARGUMENT);
    text = (char *)&cert;
    CHECK_STATUS(qayd_verify(xml.data, xml.len, NULL, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(text == NULL, "report not reset when out_valid is NULL");
    CHECK_STATUS(qayd_qr_decode(NULL, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_qr_decode("AQVhYg==", NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_qr_svg(NULL, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_qr_png("x", 2, &png, NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(png == NULL, "png not reset");
    CHECK_STATUS(qayd_qr_png(NULL, 2, &png, &png_len), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(png == NULL && png_len == 0, "png outputs not reset");
    png_len = 99;
    CHECK_STATUS(qayd_qr_png("x", 2, NULL, &png_len), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(png_len == 0, "png length not reset when out_png is NULL");
    CHECK(qayd_stamped_xml(NULL, &png_len) == NULL && png_len == 0, "stamped_xml(NULL)");
    CHECK(qayd_stamped_invoice_hash(NULL) == NULL && qayd_stamped_qr(NULL) == NULL, "getters on NULL");

    /* Strings that are not UTF-8. */
    CHECK_STATUS(qayd_qr_decode(bad_utf8, &text), QAYD_STATUS_INVALID_UTF8);
    CHECK_STATUS(qayd_qr_svg(bad_utf8, &text), QAYD_STATUS_INVALID_UTF8);
    CHECK_STATUS(qayd_stamp(signer, xml.data, xml.len, bad_utf8, &stamped), QAYD_STATUS_INVALID_UTF8);
    CHECK(strstr(qayd_last_error(), "UTF-8") != NULL, "message %s", qayd_last_error());

    /* Freeing NULL is harmless. */
    qayd_string_free(NULL);
    qayd_bytes_free(NULL, 0);
    qayd_bytes_free(NULL, 10);
    qayd_signer_free(NULL);
    qayd_stamped_free(NULL);
    passed++;

    qayd_signer_free(signer);
    free(cert.data);
    free(key.data);
    free(other.data);
    free(p256.data);
    free(xml.data);
}

/* Invoice model (JSON) -> unsigned UBL -> stamp -> verify. */
static void test_generate(void) {
    Buffer model = read_file("core/tests/fixtures/models/simplified_invoice.json");
    qayd_signer *signer = sdk_signer();
    qayd_stamped *stamped = NULL;
    uint8_t *xml = NULL, *again = NULL;
    size_t len = 0, again_len = 0, out_len = 0;
    const uint8_t *out;
    bool valid = false;
    char *hash = NULL;
    CHECK(model.data != NULL, "cannot read the model fixture");
    if (!model.data) goto done;
    CHECK_STATUS(qayd_generate((const char *)model.data, &xml, &len), QAYD_STATUS_OK);
    CHECK(xml && len > 100 && memcmp(xml, "<?xml", 5) == 0, "generated %zu bytes", len);
    CHECK_STATUS(qayd_generate((const char *)model.data, &again, &again_len), QAYD_STATUS_OK);
    CHECK(again_len == len && again && memcmp(xml, again, len) == 0, "generation is not deterministic");
    qayd_bytes_free(again, again_len);
    again = NULL;
    CHECK_STATUS(qayd_invoice_hash(xml, len, &hash), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_stamp(signer, xml, len, SIGNING_TIME, &stamped), QAYD_STATUS_OK);
    out = qayd_stamped_xml(stamped, &out_len);
    CHECK_STATUS(qayd_verify(out, out_len, &valid, NULL), QAYD_STATUS_OK);
    CHECK(valid, "a stamped generated invoice does not verify");
    CHECK(hash && strcmp(hash, qayd_stamped_invoice_hash(stamped)) == 0, "stamping changed the hash");
    CHECK_STATUS(qayd_generate("{\"not\": \"a model\"}", &again, &again_len), QAYD_STATUS_INVALID_INPUT);
    CHECK(again == NULL && again_len == 0, "outputs not reset");
    CHECK_STATUS(qayd_generate("{", &again, &again_len), QAYD_STATUS_INVALID_INPUT);
    CHECK_STATUS(qayd_generate(NULL, &again, &again_len), QAYD_STATUS_NULL_ARGUMENT);
done:
    qayd_string_free(hash);
    qayd_bytes_free(xml, len);
    qayd_stamped_free(stamped);
    qayd_signer_free(signer);
    free(model.data);
}

/* The fast path: model -> stamped in one call, the same bytes as generate + stamp; a refused
 * model names its rule as a field; the signer's certificate; QR as terminal text. */
static void test_stamp_invoice(void) {
    Buffer model = read_file("core/tests/fixtures/models/simplified_invoice.json");
    Buffer bad = read_file("tests/conformance/inputs/model-bad-vat.json");
    Buffer cert = read_file(CERTS "/cert.pem");
    qayd_signer *signer = sdk_signer();
    qayd_stamped *fast = NULL, *slow = NULL, *now = NULL;
    uint8_t *xml = NULL;
    size_t len = 0, fast_len = 0, slow_len = 0;
    const uint8_t *fast_xml, *slow_xml;
    char *certificate = NULL, *fields = NULL, *text = NULL, tag8[256] = "", base64[2048] = "";
    bool valid = false;
    const char bad_utf8[] = {'{', (char)0xC3, (char)0x28, '}', 0};
    CHECK(model.data && bad.data && cert.data, "cannot read the model fixtures and certificate");
    if (!model.data || !bad.data || !cert.data || !signer) goto done;

    CHECK_STATUS(qayd_stamp_invoice(signer, (const char *)model.data, SIGNING_TIME, &fast), QAYD_STATUS_OK);
    CHECK(strcmp(qayd_last_error_rule(), "") == 0, "a rule after a success: %s", qayd_last_error_rule());
    CHECK_STATUS(qayd_generate((const char *)model.data, &xml, &len), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_stamp(signer, xml, len, SIGNING_TIME, &slow), QAYD_STATUS_OK);
    if (!fast || !slow) goto done;
    fast_xml = qayd_stamped_xml(fast, &fast_len);
    slow_xml = qayd_stamped_xml(slow, &slow_len);
    CHECK(fast_len == slow_len && memcmp(fast_xml, slow_xml, fast_len) == 0,
          "stamp_invoice (%zu bytes) differs from generate + stamp (%zu bytes)", fast_len, slow_len);
    CHECK(strcmp(qayd_stamped_invoice_hash(fast), qayd_stamped_invoice_hash(slow)) == 0, "hash");
    CHECK(strcmp(qayd_stamped_qr(fast), qayd_stamped_qr(slow)) == 0, "qr");
    CHECK(strcmp(qayd_stamped_signing_time(fast), SIGNING_TIME) == 0, "signing time %s", qayd_stamped_signing_time(fast));
    CHECK_STATUS(qayd_verify(fast_xml, fast_len, &valid, NULL), QAYD_STATUS_OK);
    CHECK(valid, "the fast path's document does not verify");
    CHECK_STATUS(qayd_stamp_invoice(signer, (const char *)model.data, NULL, &now), QAYD_STATUS_OK);
    CHECK(now && strlen(qayd_stamped_signing_time(now)) == 19, "signing time now");

    /* A model that breaks a rule: INVALID_MODEL, the rule id as a field, outputs reset. */
    qayd_stamped_free(now);
    now = (qayd_stamped *)1;
    CHECK_STATUS(qayd_stamp_invoice(signer, (const char *)bad.data, SIGNING_TIME, &now), QAYD_STATUS_INVALID_MODEL);
    CHECK(now == NULL, "output not reset");
    CHECK(strncmp(qayd_last_error_rule(), "BR-", 3) == 0, "rule '%s'", qayd_last_error_rule());
    CHECK(strstr(qayd_last_error(), qayd_last_error_rule()) != NULL, "the message names no rule: %s", qayd_last_error());
    /* The next call, failing without a rule, clears it. */
    CHECK_STATUS(qayd_stamp_invoice(signer, "{", SIGNING_TIME, &now), QAYD_STATUS_INVALID_INPUT);
    CHECK(strcmp(qayd_last_error_rule(), "") == 0, "a stale rule: %s", qayd_last_error_rule());
    CHECK_STATUS(qayd_stamp_invoice(NULL, (const char *)model.data, SIGNING_TIME, &now), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_stamp_invoice(signer, NULL, SIGNING_TIME, &now), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_stamp_invoice(signer, (const char *)model.data, SIGNING_TIME, NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_stamp_invoice(signer, bad_utf8, SIGNING_TIME, &now), QAYD_STATUS_INVALID_UTF8);
    CHECK_STATUS(qayd_stamp_invoice(signer, (const char *)model.data, "22/07/2025 15:51", &now), QAYD_STATUS_INVALID_INPUT);
    CHECK(now == NULL, "output not reset");

    /* The certificate: what the SDK's cert.pem holds (bare base64 of the DER), and the public key
     * the QR's tag 8 carries. */
    CHECK_STATUS(qayd_signer_certificate_json(signer, &certificate), QAYD_STATUS_OK);
    CHECK(certificate && strstr(certificate, "\"issuer_name\":\"") && strstr(certificate, "\"serial_number\":\"") &&
              strstr(certificate, "\"not_before_unix\":") && strstr(certificate, "\"not_after_unix\":"),
          "certificate %s", certificate ? certificate : "(null)");
    CHECK(certificate && !strstr(certificate, "PRIVATE"), "a key in the certificate JSON");
    {
        size_t n = 0, i;
        for (i = 0; i < cert.len && n + 1 < sizeof base64; i++)
            if (cert.data[i] != '\n' && cert.data[i] != '\r' && cert.data[i] != ' ') base64[n++] = (char)cert.data[i];
        base64[n] = '\0';
        const char *field = certificate ? strstr(certificate, "\"base64\":\"") : NULL;
        CHECK(n > 100 && field && strncmp(field + 10, base64, n) == 0 && field[10 + n] == '"',
              "the certificate's base64 is not cert.pem's: %s", certificate ? certificate : "(null)");
    }
    CHECK_STATUS(qayd_qr_decode(qayd_stamped_qr(slow), &fields), QAYD_STATUS_OK);
    CHECK(fields && between(fields, "\"tag\":8", "\"value\":\"", "\"", tag8, sizeof tag8), "no tag 8 in %s",
          fields ? fields : "(null)");
    CHECK(certificate && strstr(certificate, "\"public_key\":\"") &&
              strncmp(strstr(certificate, "\"public_key\":\"") + 14, tag8, strlen(tag8)) == 0,
          "public_key is not the QR's tag 8 (%s): %s", tag8, certificate ? certificate : "(null)");
    qayd_string_free(certificate);
    certificate = (char *)1;
    CHECK_STATUS(qayd_signer_certificate_json(NULL, &certificate), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(certificate == NULL, "output not reset");
    CHECK_STATUS(qayd_signer_certificate_json(signer, NULL), QAYD_STATUS_NULL_ARGUMENT);

    /* QR as terminal text: half blocks, one line per two rows of modules. */
    CHECK_STATUS(qayd_qr_text(qayd_stamped_qr(slow), &text), QAYD_STATUS_OK);
    CHECK(text && strchr(text, '\n') && (strstr(text, "\xe2\x96\x80") || strstr(text, "\xe2\x96\x84") ||
                                         strstr(text, "\xe2\x96\x88")),
          "qr text %s", text ? text : "(null)");
    qayd_string_free(text);
    text = (char *)1;
    CHECK_STATUS(qayd_qr_text(NULL, &text), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(text == NULL, "output not reset");
    CHECK_STATUS(qayd_qr_text("x", NULL), QAYD_STATUS_NULL_ARGUMENT);
    text = NULL;

done:
    qayd_string_free(fields);
    qayd_bytes_free(xml, len);
    qayd_stamped_free(fast);
    qayd_stamped_free(slow);
    qayd_signer_free(signer);
    free(model.data);
    free(bad.data);
    free(cert.data);
}

/* Whether `needle` occurs in the byte range (PDFs hold NUL bytes: no strstr). */
static int bytes_contain(const uint8_t *data, size_t len, const char *needle) {
    size_t n = strlen(needle), i;
    for (i = 0; data && n <= len && i <= len - n; i++) {
        if (memcmp(data + i, needle, n) == 0) return 1;
    }
    return 0;
}

/* Stamped invoice -> PDF/A-3b with the XML embedded; logo and footer; errors. */
static void test_pdf(void) {
    qayd_signer *signer = sdk_signer();
    Buffer xml = read_file(SAMPLES "/Simplified/Invoice/Simplified_Invoice.xml");
    Buffer unsigned_xml = read_file("tests/conformance/inputs/simplified-invoice.unsigned.xml");
    qayd_stamped *stamped = NULL;
    const uint8_t *out;
    size_t out_len = 0, pdf_len = 0, again_len = 0, styled_len = 0, png_len = 0;
    uint8_t *pdf = NULL, *again = NULL, *styled = NULL, *png = NULL;
    char number[64], attachment[80];
    static const uint8_t gif[] = "GIF89a";

    CHECK_STATUS(qayd_stamp(signer, xml.data, xml.len, SIGNING_TIME, &stamped), QAYD_STATUS_OK);
    if (!stamped) goto done;
    out = qayd_stamped_xml(stamped, &out_len);
    CHECK(between((const char *)xml.data, "<cbc:ProfileID>", "<cbc:ID>", "</cbc:ID>", number, sizeof number),
          "no cbc:ID");
    snprintf(attachment, sizeof attachment, "%s.xml", number);

    CHECK_STATUS(qayd_pdf(out, out_len, NULL, 0, NULL, &pdf, &pdf_len), QAYD_STATUS_OK);
    CHECK(pdf && pdf_len > 1000 && memcmp(pdf, "%PDF-", 5) == 0, "pdf of %zu bytes", pdf_len);
    CHECK(bytes_contain(pdf, pdf_len, "/AFRelationship"), "no associated file");
    CHECK(bytes_contain(pdf, pdf_len, attachment), "no embedded %s", attachment);
    CHECK_STATUS(qayd_pdf(out, out_len, NULL, 0, NULL, &again, &again_len), QAYD_STATUS_OK);
    CHECK(again && again_len == pdf_len && memcmp(pdf, again, pdf_len) == 0, "the PDF is not deterministic");

    /* A logo (a PNG) and a footer change the page. */
    CHECK_STATUS(qayd_qr_png("logo", 4, &png, &png_len), QAYD_STATUS_OK);
    CHECK_STATUS(qayd_pdf(out, out_len, png, png_len, "IBAN SA03 8000 0000 6080 1016 7519", &styled, &styled_len),
                 QAYD_STATUS_OK);
    CHECK(styled && memcmp(styled, "%PDF-", 5) == 0 && (styled_len != pdf_len || memcmp(styled, pdf, pdf_len) != 0),
          "logo and footer made no difference");

    /* Errors: every output reset, the core's code as the status. */
    qayd_bytes_free(again, again_len);
    again = (uint8_t *)&xml;
    again_len = 99;
    CHECK_STATUS(qayd_pdf((const uint8_t *)"not xml", 7, NULL, 0, NULL, &again, &again_len), QAYD_STATUS_INVALID_XML);
    CHECK(again == NULL && again_len == 0, "outputs not reset");
    CHECK_STATUS(qayd_pdf(unsigned_xml.data, unsigned_xml.len, NULL, 0, NULL, &again, &again_len),
                 QAYD_STATUS_INVALID_DOCUMENT);
    CHECK(strstr(qayd_last_error(), "no QR code") != NULL, "message %s", qayd_last_error());
    CHECK_STATUS(qayd_pdf(out, out_len, gif, sizeof gif - 1, NULL, &again, &again_len), QAYD_STATUS_INVALID_INPUT);
    CHECK(strstr(qayd_last_error(), "logo") != NULL, "message %s", qayd_last_error());
    CHECK_STATUS(qayd_pdf(out, out_len, NULL, 0, "\xff\xfe", &again, &again_len), QAYD_STATUS_INVALID_UTF8);
    CHECK_STATUS(qayd_pdf(NULL, 0, NULL, 0, NULL, &again, &again_len), QAYD_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(qayd_pdf(out, out_len, NULL, 0, NULL, NULL, &again_len), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(again_len == 0, "length not reset when out_pdf is NULL");
    CHECK_STATUS(qayd_pdf(out, out_len, NULL, 0, NULL, &again, NULL), QAYD_STATUS_NULL_ARGUMENT);
    CHECK(again == NULL, "pdf not reset when out_len is NULL");

done:
    qayd_bytes_free(pdf, pdf_len);
    qayd_bytes_free(styled, styled_len);
    qayd_bytes_free(png, png_len);
    qayd_stamped_free(stamped);
    qayd_signer_free(signer);
    free(xml.data);
    free(unsigned_xml.data);
}

/* One signer shared by several threads; qayd_last_error is per thread. */
typedef struct {
    const qayd_signer *signer;
    const Buffer *xml;
    int ok;
} Job;

static void *stamp_job(void *arg) {
    Job *job = arg;
    int i;
    char *text = NULL;
    job->ok = 1;
    for (i = 0; i < 3; i++) {
        qayd_stamped *stamped = NULL;
        const uint8_t *out;
        size_t len = 0;
        bool valid = false;
        if (qayd_stamp(job->signer, job->xml->data, job->xml->len, SIGNING_TIME, &stamped) != QAYD_STATUS_OK) job->ok = 0;
        out = qayd_stamped_xml(stamped, &len);
        if (qayd_verify(out, len, &valid, NULL) != QAYD_STATUS_OK || !valid) job->ok = 0;
        qayd_stamped_free(stamped);
    }
    if (qayd_qr_decode("***", &text) != QAYD_STATUS_INVALID_QR || strstr(qayd_last_error(), "QR") == NULL) job->ok = 0;
    return NULL;
}

static void test_threads(void) {
    qayd_signer *signer = sdk_signer();
    Buffer xml = read_file(SAMPLES "/Standard/Invoice/Standard_Invoice.xml");
    pthread_t threads[4];
    Job jobs[4];
    int i;
    char *text = NULL;
    CHECK_STATUS(qayd_invoice_hash(NULL, 0, &text), QAYD_STATUS_NULL_ARGUMENT);
    for (i = 0; i < 4; i++) {
        jobs[i].signer = signer;
        jobs[i].xml = &xml;
        jobs[i].ok = 0;
        pthread_create(&threads[i], NULL, stamp_job, &jobs[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(jobs[i].ok, "thread %d", i);
    }
    /* The other threads' failures did not touch this thread's last error. */
    CHECK(strstr(qayd_last_error(), "NULL") != NULL, "main thread's last error: %s", qayd_last_error());
    qayd_signer_free(signer);
    free(xml.data);
}

int main(void) {
    test_info();
    test_hash_samples();
    test_stamp_verify_tamper();
    test_errors();
    test_generate();
    test_stamp_invoice();
    test_pdf();
    test_threads();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
