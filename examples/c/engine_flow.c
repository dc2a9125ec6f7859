/*
 * Onboards an EGS unit and runs the durable engine with the C API of Qayd: onboard with an OTP,
 * store the credentials sealed, issue a simplified invoice and a batch of two (reported by
 * drain), clear a standard one, print its QR code, and print what the store holds.
 *
 *   target/debug/qayd gateway --port 0            # prints http://127.0.0.1:PORT
 *   make -C bindings-c engine-example GATEWAY=http://127.0.0.1:PORT
 *   # or: ./engine_flow <environment or URL> <csr-config.properties> <otp> <store.db>
 *
 * The master key comes from QAYD_MASTER_KEY when set; otherwise this example generates one
 * (and the store's credentials cannot be opened by the next run).
 */
#include "qayd.h"

#include <stdio.h>
#include <stdlib.h>

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)size + 1)) != NULL) {
        data[fread(data, 1, (size_t)size, f)] = '\0';
    }
    fclose(f);
    return data;
}

static void progress(void *user_data, const char *step, size_t index, size_t total) {
    (void)user_data;
    printf("  [%zu/%zu] %s\n", index, total, step);
}

/* Prints the failure of a call and returns 1. */
static int report(const char *what, qayd_status status) {
    fprintf(stderr, "%s failed: %s (HTTP %u): %s\n", what, qayd_status_code(status), qayd_last_http_status(),
            qayd_last_error());
    return 1;
}

#define TRY(call)                                  \
    do {                                           \
        qayd_status status_ = (call);              \
        if (status_ != QAYD_STATUS_OK) {           \
            rc = report(#call, status_);           \
            goto done;                             \
        }                                          \
    } while (0)

int main(int argc, char **argv) {
    char *identity = NULL, *master_key = NULL, *summary = NULL, *invoice = NULL, *text = NULL, *outcome = NULL;
    char options[2048];
    qayd_credentials *credentials = NULL;
    qayd_engine *engine = NULL;
    qayd_document *document = NULL;
    size_t len = 0;
    int rc = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: %s <environment or URL> <csr-config.properties> <otp> <store.db>\n", argv[0]);
        return 2;
    }
    if (!(identity = read_text(argv[2]))) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        return 1;
    }

    printf("onboarding against %s\n", argv[1]);
    TRY(qayd_onboard(identity, argv[3], argv[1], NULL, progress, NULL, &credentials));
    TRY(qayd_credentials_summary_json(credentials, &summary)); /* printable: no key, no secret */
    printf("credentials: %s\n", summary);

    if (getenv("QAYD_MASTER_KEY")) {
        snprintf(options, sizeof options, "{\"store\": \"%s\", \"environment\": \"%s\"}", argv[4], argv[1]);
    } else {
        TRY(qayd_generate_master_key(&master_key));
        snprintf(options, sizeof options, "{\"store\": \"%s\", \"environment\": \"%s\", \"master_key\": \"%s\"}",
                 argv[4], argv[1], master_key);
    }
    TRY(qayd_engine_open(options, &engine));
    TRY(qayd_engine_set_credentials(engine, "till-1", credentials));

    /* A simplified invoice is issued at once and reported by the outbox. */
    TRY(qayd_sample_invoice(identity, "simplified", "invoice", &invoice));
    TRY(qayd_engine_issue(engine, "till-1", invoice, &document));
    printf("issued ICV %llu, %s, %s\n", (unsigned long long)qayd_document_icv(document), qayd_document_uuid(document),
           qayd_document_status(document));
    qayd_document_free(document);
    document = NULL;

    /* A batch in one transaction: each entry is issued, or refused on its own. */
    {
        char *batch[2] = {NULL, NULL}, *refusals = NULL;
        qayd_document *issued[2] = {NULL, NULL};
        qayd_status statuses[2];
        qayd_status status = qayd_sample_invoice(identity, "simplified", "credit_note", &batch[0]);
        size_t i;
        if (status == QAYD_STATUS_OK) status = qayd_sample_invoice(identity, "simplified", "debit_note", &batch[1]);
        if (status == QAYD_STATUS_OK)
            status = qayd_engine_issue_many(engine, "till-1", (const char *const *)batch, 2, issued, statuses, &refusals);
        for (i = 0; status == QAYD_STATUS_OK && i < 2; i++) {
            if (statuses[i] == QAYD_STATUS_OK)
                printf("batch entry %zu: ICV %llu\n", i, (unsigned long long)qayd_document_icv(issued[i]));
            else
                printf("batch entry %zu refused: %s\n", i, qayd_status_code(statuses[i]));
            qayd_document_free(issued[i]);
        }
        if (status == QAYD_STATUS_OK) printf("refused entries: %s\n", refusals);
        qayd_string_free(refusals);
        qayd_string_free(batch[0]);
        qayd_string_free(batch[1]);
        TRY(status);
    }
    TRY(qayd_engine_drain(engine, &text));
    printf("drain: %s\n", text);
    qayd_string_free(text);
    text = NULL;

    /* A standard invoice is cleared before it goes to the buyer. */
    qayd_string_free(invoice);
    invoice = NULL;
    TRY(qayd_sample_invoice(identity, "standard", "invoice", &invoice));
    TRY(qayd_engine_clear(engine, "till-1", invoice, &outcome, &document));
    qayd_document_cleared_xml(document, &len);
    printf("clear: %s, ICV %llu, cleared XML of %zu bytes\n", outcome, (unsigned long long)qayd_document_icv(document),
           len);
    /* The QR code to print on it: from ZATCA's cleared XML. */
    TRY(qayd_engine_document_qr(engine, "till-1", qayd_document_icv(document), &text));
    if (text) {
        char *drawing = NULL;
        TRY(qayd_qr_text(text, &drawing));
        printf("QR code to print:\n%s\n", drawing);
        qayd_string_free(drawing);
    }
    qayd_string_free(text);
    text = NULL;

    TRY(qayd_engine_status_counts(engine, &text));
    printf("status counts: %s\n", text);
    qayd_string_free(text);
    text = NULL;
    TRY(qayd_engine_verify_audit(engine, &text));
    printf("audit: %s\n", text);

done:
    qayd_string_free(text);
    qayd_string_free(outcome);
    qayd_string_free(invoice);
    qayd_string_free(summary);
    qayd_string_free(master_key);
    qayd_document_free(document);
    qayd_engine_free(engine);
    qayd_credentials_free(credentials);
    free(identity);
    qayd_shutdown(); /* stops the library's runtime threads: nothing left running at exit */
    return rc;
}
