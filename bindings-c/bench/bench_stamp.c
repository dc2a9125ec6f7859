/* Stamping the shared 5-line invoice (tests/bench/) through the C API, to compare with the Rust
 * core's criterion figures: the XML (`stamp/bench-5-lines-xml`), and the model through the fast
 * path, qayd_stamp_invoice (written, judged and stamped in one call). Build and run from the
 * repository root:
 *   make -C bindings-c bench PROFILE=release
 * Prints the best of 5 rounds in microseconds per document. */
#define _POSIX_C_SOURCE 199309L
#include <qayd.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The file's bytes, NUL-terminated (the model is a C string). */
static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) { perror(path); exit(2); }
    fclose(f);
    data[size] = '\0';
    *len = (size_t)size;
    return data;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void) {
    size_t cert_len, key_len, xml_len;
    unsigned char *cert = slurp("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem", &cert_len);
    unsigned char *key = slurp("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem", &key_len);
    unsigned char *xml = slurp("tests/bench/simplified-5-lines.xml", &xml_len);
    size_t model_len;
    unsigned char *model = slurp("tests/bench/simplified-5-lines.json", &model_len);
    qayd_signer *signer = NULL;
    if (qayd_signer_new(cert, cert_len, key, key_len, &signer) != QAYD_STATUS_OK) {
        fprintf(stderr, "%s\n", qayd_last_error());
        return 1;
    }
    const int rounds = 5, n = 2000;
    for (int fast = 0; fast < 2; fast++) {
        double best = 1e9;
        for (int r = 0; r < rounds; r++) {
            double start = now();
            for (int i = 0; i < n; i++) {
                qayd_stamped *stamped = NULL;
                qayd_status status =
                    fast ? qayd_stamp_invoice(signer, (const char *)model, "2025-07-22T15:51:28", &stamped)
                         : qayd_stamp(signer, xml, xml_len, "2025-07-22T15:51:28", &stamped);
                if (status != QAYD_STATUS_OK) {
                    fprintf(stderr, "%s\n", qayd_last_error());
                    return 1;
                }
                qayd_stamped_free(stamped);
            }
            double per = (now() - start) / n * 1e6;
            if (per < best) best = per;
        }
        printf("c %s: %.1f us per document (best of %d x %d)\n",
               fast ? "stamp_invoice/bench-5-lines-model" : "stamp/bench-5-lines-xml", best, rounds, n);
    }
    qayd_signer_free(signer);
    free(cert);
    free(key);
    free(xml);
    free(model);
    return 0;
}
