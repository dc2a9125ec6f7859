/*
 * The C column of the naming table (tests/conformance/surface.json, rendered from
 * core/src/embed/surface.rs) against what the C API offers: every non-null name of an operation
 * must be a function declared in include/qayd.h and exported by every library whose symbol
 * list (`nm` output) is given; every non-null name of a type must be a typedef of the header.
 * Also: every core error code of the table has a qayd_status whose qayd_status_code is that
 * code, and every document status of the table is one qayd_engine_documents_by_status takes.
 * Fails naming what is missing.
 *
 *   build/surface tests/conformance/surface.json bindings-c/include/qayd.h \
 *       build/symbols-static.txt build/symbols-shared.txt      (from the repository root)
 *
 * The last line of the output is "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include "qayd.h"
#include "mini_json.h"
#include "support.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_ident(char ch) {
    return isalnum((unsigned char)ch) || ch == '_';
}

/* Whether `name` occurs in `text` as a whole identifier followed (after blanks) by `next`, and,
 * when `line_start` is not NULL, on a line that starts with it (a declaration, not a mention in
 * a comment). */
static int declared(const char *text, const char *name, const char *next, const char *line_start) {
    size_t n = strlen(name);
    const char *p;
    for (p = strstr(text, name); p; p = strstr(p + 1, name)) {
        const char *after = p + n, *line = p;
        if ((p > text && is_ident(p[-1])) || is_ident(*after)) continue;
        while (*after == ' ') after++;
        if (strncmp(after, next, strlen(next)) != 0) continue;
        while (line > text && line[-1] != '\n') line--;
        if (line_start && strncmp(line, line_start, strlen(line_start)) != 0) continue;
        if (!line_start && (strncmp(line, " *", 2) == 0 || strncmp(line, "/*", 2) == 0)) continue;
        return 1;
    }
    return 0;
}

/* Whether an `nm` listing has `name` as a defined text symbol ("… T name"). */
static int exported(const char *symbols, const char *name) {
    size_t n = strlen(name);
    const char *p;
    for (p = strstr(symbols, name); p; p = strstr(p + 1, name)) {
        if (p - symbols < 3 || strncmp(p - 3, " T ", 3) != 0) continue;
        if (p[n] == '\n' || p[n] == '\0' || p[n] == '@') return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    char *surface_text, *header;
    char *symbols[8] = {NULL};
    JsonValue *surface;
    const JsonValue *operations, *types, *codes, *statuses;
    qayd_engine *engine = NULL;
    char missing[8192] = "";
    int passed = 0, failed = 0, libraries = argc - 3, i;
    size_t k;
    if (argc < 3 || libraries > 8) {
        printf("usage: surface SURFACE.json qayd.h [SYMBOLS.txt …]\n0 passed, 1 failed\n");
        return 2;
    }
    surface_text = read_text(argv[1]);
    header = read_text(argv[2]);
    for (i = 0; i < libraries; i++) symbols[i] = read_text(argv[3 + i]);
    surface = surface_text ? json_parse(surface_text, strlen(surface_text)) : NULL;
    operations = json_get(surface, "operations");
    types = json_get(surface, "types");
    codes = json_get(surface, "error_codes");
    statuses = json_get(surface, "document_statuses");
    if (!surface || !header || !operations || operations->type != JSON_ARRAY || !types || types->type != JSON_ARRAY ||
        !codes || codes->type != JSON_ARRAY || !statuses || statuses->type != JSON_ARRAY) {
        printf("cannot read %s and %s\n0 passed, 1 failed\n", argv[1], argv[2]);
        return 1;
    }
    for (i = 0; i < libraries; i++)
        if (!symbols[i]) {
            printf("cannot read %s\n0 passed, 1 failed\n", argv[3 + i]);
            return 1;
        }

#define MISSING(...)                                                                             \
    do {                                                                                         \
        char line_[512];                                                                         \
        snprintf(line_, sizeof line_, __VA_ARGS__);                                              \
        strncat(missing, line_, sizeof missing - strlen(missing) - 1);                           \
        failed++;                                                                                \
    } while (0)

    for (k = 0; k < operations->count; k++) {
        const char *name = json_get_string(operations->items[k], "c");
        const char *what = json_get_string(operations->items[k], "what");
        int ok = 1;
        if (!name) continue; /* null: C does not need it (the note says why) */
        if (!declared(header, name, "(", NULL)) {
            MISSING("  operation %s (%s): not declared in %s\n", name, what ? what : "?", argv[2]);
            ok = 0;
        }
        for (i = 0; i < libraries; i++)
            if (!exported(symbols[i], name)) {
                MISSING("  operation %s (%s): not exported (%s)\n", name, what ? what : "?", argv[3 + i]);
                ok = 0;
            }
        passed += ok;
    }
    for (k = 0; k < types->count; k++) {
        const char *name = json_get_string(types->items[k], "c");
        const char *what = json_get_string(types->items[k], "what");
        if (!name) continue; /* null: a record C hands over as JSON text */
        /* `typedef struct name name;` or `} name;` closing a typedef. */
        if (declared(header, name, ";", "typedef") || declared(header, name, ";", "}")) {
            passed++;
        } else {
            MISSING("  type %s (%s): no typedef in %s\n", name, what ? what : "?", argv[2]);
        }
    }
    for (k = 0; k < codes->count; k++) {
        const char *code = codes->items[k]->type == JSON_STRING ? codes->items[k]->string : "?";
        int status, found = 0;
        for (status = 1; status < 256 && !found; status++) found = strcmp(qayd_status_code(status), code) == 0;
        if (found) passed++;
        else MISSING("  error code %s: no qayd_status has it (qayd_status_code)\n", code);
    }
    if (qayd_engine_open("{\"store\": \":memory:\"}", &engine) != QAYD_STATUS_OK) {
        MISSING("  qayd_engine_open(:memory:): %s\n", qayd_last_error());
    } else {
        char *listed = NULL;
        for (k = 0; k < statuses->count; k++) {
            const char *status = statuses->items[k]->type == JSON_STRING ? statuses->items[k]->string : "?";
            if (qayd_engine_documents_by_status(engine, status, 1, &listed) == QAYD_STATUS_OK) passed++;
            else MISSING("  document status %s: refused by qayd_engine_documents_by_status\n", status);
            qayd_string_free(listed);
            listed = NULL;
        }
        if (qayd_engine_documents_by_status(engine, "no-such-status", 1, &listed) == QAYD_STATUS_INVALID_INPUT) passed++;
        else MISSING("  qayd_engine_documents_by_status takes an unknown status\n");
        qayd_string_free(listed);
        qayd_engine_free(engine);
    }
    qayd_shutdown(); /* qayd_engine_free started the shared runtime: stop its threads */
    if (failed) printf("missing from the C API (the C column of %s):\n%s", argv[1], missing);

    json_free(surface);
    free(surface_text);
    free(header);
    for (i = 0; i < libraries; i++) free(symbols[i]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
