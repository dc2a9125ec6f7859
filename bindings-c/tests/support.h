/* What the C test programs share: reading a file whole, and the local gateway
 * (`qayd gateway --port 0`, 127.0.0.1) as a child process. Header-only, functions static inline
 * (a program that uses only some of them compiles warning-free). Include after qayd.h with
 * _POSIX_C_SOURCE defined. */
#ifndef QAYD_TEST_SUPPORT_H
#define QAYD_TEST_SUPPORT_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The whole file as a NUL-terminated string, or NULL. Free with free(). */
static inline char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)size + 1)) != NULL) {
        size_t n = fread(data, 1, (size_t)size, f);
        data[n] = '\0';
    }
    fclose(f);
    return data;
}

static pid_t gateway_pid = -1;
static FILE *gateway_out; /* kept open until stop_gateway: the gateway's stdout */

/* Starts `$QAYD_BIN gateway --port 0` (default target/debug/qayd) and reads its base URL, the
 * first line it prints, into `url`. 1 when it is a loopback URL. */
static inline int start_gateway(char *url, size_t size) {
    const char *bin = getenv("QAYD_BIN") ? getenv("QAYD_BIN") : "target/debug/qayd";
    int fds[2];
    url[0] = '\0';
    if (pipe(fds) != 0) return 0;
    gateway_pid = fork();
    if (gateway_pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(fds[1], STDOUT_FILENO);
        if (devnull >= 0) dup2(devnull, STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(bin, "qayd", "gateway", "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    if (gateway_pid < 0) {
        close(fds[0]);
        return 0;
    }
    gateway_out = fdopen(fds[0], "r");
    if (!gateway_out) {
        close(fds[0]);
        return 0;
    }
    if (!fgets(url, (int)size, gateway_out)) url[0] = '\0';
    url[strcspn(url, "\r\n")] = '\0';
    return strncmp(url, "http://127.0.0.1:", 17) == 0;
}

/* Stops the gateway and waits for it. */
static inline void stop_gateway(void) {
    int status;
    if (gateway_pid > 0) {
        kill(gateway_pid, SIGTERM);
        waitpid(gateway_pid, &status, 0);
    }
    gateway_pid = -1;
    if (gateway_out) fclose(gateway_out);
    gateway_out = NULL;
}

#endif
