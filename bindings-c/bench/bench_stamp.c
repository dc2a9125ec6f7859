/* Stamping the shared 5-line invoice (tests/bench/) through the C API, to compare with the Rust
 * core's `stamp/bench-5-lines-xml` criterion figure. Build and run from the repository root:
 *   make -C bindings-c bench PROFILE=release
 * Prints the best of 5 rounds in microseconds per document. */
#define _POSIX_C_SOURCE 199309L
#include <qayd.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)size);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) { perror(path); exit(2); }
    fclose(f);
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
    QaydSigner *signer = NULL;
    if (qayd_signer_new(cert, cert_len, key, key_len, &signer) != QAYD_STATUS_OK) {
        fprintf(stderr, "%s\n", qayd_last_error());
        return 1;
    }
    const int rounds = 5, n = 2000;
    double best = 1e9;
    for (int r = 0; r < rounds; r++) {
        double start = now();
        for (int i = 0; i < n; i++) {
            QaydStamped *stamped = NULL;
            if (qayd_stamp(signer, xml, xml_len, "2025-07-22T15:51:28", &stamped) != QAYD_STATUS_OK) {
                fprintf(stderr, "%s\n", qayd_last_error());
                return 1;
            }
            qayd_stamped_free(stamped);
        }
        double per = (now() - start) / n * 1e6;
        if (per < best) best = per;
    }
    printf("c stamp/bench-5-lines-xml: %.1f us per document (best of %d x %d)\n", best, rounds, n);
    qayd_signer_free(signer);
    free(cert);
    free(key);
    free(xml);
    return 0;
}
