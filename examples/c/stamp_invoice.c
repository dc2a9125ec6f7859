/*
 * Stamps a ZATCA invoice with the C API of Qayd, verifies the result and writes it out.
 *
 *   make -C bindings-c example
 *   # or, by hand, against an installed library:
 *   cc -std=c11 stamp_invoice.c $(pkg-config --cflags --libs qayd) -o stamp_invoice
 *   ./stamp_invoice invoice.xml cert.pem key.pem stamped.xml [YYYY-MM-DDTHH:MM:SS]
 */
#include "qayd.h"

#include <stdio.h>
#include <stdlib.h>

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long size;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)size + 1)) != NULL) {
        *len = fread(data, 1, (size_t)size, f);
    }
    fclose(f);
    return data;
}

/* Prints the failure of a call and returns 1. */
static int report(const char *what, qayd_status status) {
    fprintf(stderr, "%s failed: %s: %s\n", what, qayd_status_code(status), qayd_last_error());
    return 1;
}

int main(int argc, char **argv) {
    size_t xml_len = 0, cert_len = 0, key_len = 0, out_len = 0;
    unsigned char *xml, *cert, *key;
    const uint8_t *out;
    qayd_signer *signer = NULL;
    qayd_stamped *stamped = NULL;
    qayd_status status;
    bool valid = false;
    FILE *f;
    int rc = 1;

    if (argc < 5) {
        fprintf(stderr, "usage: %s invoice.xml cert.pem key.pem stamped.xml [signing-time]\n", argv[0]);
        return 2;
    }
    xml = read_all(argv[1], &xml_len);
    cert = read_all(argv[2], &cert_len);
    key = read_all(argv[3], &key_len);
    if (!xml || !cert || !key) {
        fprintf(stderr, "cannot read the invoice, certificate or key\n");
        goto done;
    }

    printf("qayd %s\n", qayd_version());
    if ((status = qayd_signer_new(cert, cert_len, key, key_len, &signer)) != QAYD_STATUS_OK) {
        rc = report("qayd_signer_new", status);
        goto done;
    }
    /* NULL signing time = now (Riyadh time). */
    status = qayd_stamp(signer, xml, xml_len, argc > 5 ? argv[5] : NULL, &stamped);
    if (status != QAYD_STATUS_OK) {
        rc = report("qayd_stamp", status);
        goto done;
    }
    out = qayd_stamped_xml(stamped, &out_len);
    printf("uuid:         %s\n", qayd_stamped_uuid(stamped));
    printf("invoice hash: %s\n", qayd_stamped_invoice_hash(stamped));
    printf("signing time: %s\n", qayd_stamped_signing_time(stamped));
    printf("qr:           %.40s...\n", qayd_stamped_qr(stamped));

    if ((status = qayd_verify(out, out_len, &valid, NULL)) != QAYD_STATUS_OK) {
        rc = report("qayd_verify", status);
        goto done;
    }
    printf("verifies:     %s\n", valid ? "yes" : "NO");

    if (!(f = fopen(argv[4], "wb")) || fwrite(out, 1, out_len, f) != out_len) {
        fprintf(stderr, "cannot write %s\n", argv[4]);
        if (f) fclose(f);
        goto done;
    }
    fclose(f);
    printf("wrote %s (%zu bytes)\n", argv[4], out_len);
    rc = valid ? 0 : 1;

done:
    qayd_stamped_free(stamped);
    qayd_signer_free(signer);
    free(xml);
    free(cert);
    free(key);
    return rc;
}
