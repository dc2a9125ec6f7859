/*
 * mini_json.h: a tiny JSON reader for the C tests (the conformance cases and the JSON that
 * qayd_verify / qayd_qr_decode return). Header-only, no dependencies, C11.
 *
 *   JsonValue *v = json_parse(text, &error);   // NULL on malformed input
 *   const JsonValue *x = json_get(v, "key");   // object member or NULL
 *   json_free(v);
 *   json_equal(a, b, where, sizeof where);     // deep equality; `where` names the first difference
 *
 * Strings are decoded to UTF-8 (including \uXXXX escapes and surrogate pairs) and kept
 * NUL-terminated; `len` holds their byte length.
 */
#ifndef MINI_JSON_H
#define MINI_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } JsonType;

typedef struct JsonValue {
    JsonType type;
    int boolean;
    double number;
    char *string; /* JSON_STRING */
    size_t len;
    struct JsonValue **items; /* JSON_ARRAY items, JSON_OBJECT values */
    char **keys;              /* JSON_OBJECT keys */
    size_t count;
} JsonValue;

typedef struct {
    const char *p;
    const char *end;
    int depth;
} JsonCursor;

static void json_free(JsonValue *v) {
    size_t i;
    if (!v) return;
    for (i = 0; i < v->count; i++) {
        json_free(v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    free(v);
}

static void json_skip_ws(JsonCursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int json_hex4(JsonCursor *c, unsigned *out) {
    unsigned v = 0;
    int i;
    if (c->end - c->p < 4) return 0;
    for (i = 0; i < 4; i++) {
        char h = *c->p++;
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* Parses a string at c->p (which is at the opening quote) into a new NUL-terminated buffer. */
static char *json_parse_string(JsonCursor *c, size_t *out_len) {
    size_t cap = 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    c->p++; /* opening quote */
    while (c->p < c->end && *c->p != '"') {
        unsigned cp;
        char tmp[4];
        size_t k, tn = 0;
        if ((unsigned char)*c->p < 0x20) goto fail;
        if (*c->p != '\\') {
            tmp[tn++] = *c->p++;
        } else {
            c->p++;
            if (c->p >= c->end) goto fail;
            switch (*c->p++) {
            case '"': tmp[tn++] = '"'; break;
            case '\\': tmp[tn++] = '\\'; break;
            case '/': tmp[tn++] = '/'; break;
            case 'b': tmp[tn++] = '\b'; break;
            case 'f': tmp[tn++] = '\f'; break;
            case 'n': tmp[tn++] = '\n'; break;
            case 'r': tmp[tn++] = '\r'; break;
            case 't': tmp[tn++] = '\t'; break;
            case 'u':
                if (!json_hex4(c, &cp)) goto fail;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u') goto fail;
                    c->p += 2;
                    if (!json_hex4(c, &lo) || lo < 0xDC00 || lo > 0xDFFF) goto fail;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (cp < 0x80) {
                    tmp[tn++] = (char)cp;
                } else if (cp < 0x800) {
                    tmp[tn++] = (char)(0xC0 | (cp >> 6));
                    tmp[tn++] = (char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    tmp[tn++] = (char)(0xE0 | (cp >> 12));
                    tmp[tn++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    tmp[tn++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    tmp[tn++] = (char)(0xF0 | (cp >> 18));
                    tmp[tn++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    tmp[tn++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    tmp[tn++] = (char)(0x80 | (cp & 0x3F));
                }
                break;
            default: goto fail;
            }
        }
        for (k = 0; k < tn; k++) {
            if (n + 2 > cap) {
                char *bigger = realloc(buf, cap * 2);
                if (!bigger) goto fail;
                buf = bigger;
                cap *= 2;
            }
            buf[n++] = tmp[k];
        }
    }
    if (c->p >= c->end) goto fail;
    c->p++; /* closing quote */
    buf[n] = '\0';
    *out_len = n;
    return buf;
fail:
    free(buf);
    return NULL;
}

static JsonValue *json_parse_value(JsonCursor *c);

static int json_push(JsonValue *v, char *key, JsonValue *item) {
    JsonValue **items = realloc(v->items, (v->count + 1) * sizeof *items);
    if (!items) return 0;
    v->items = items;
    if (v->type == JSON_OBJECT) {
        char **keys = realloc(v->keys, (v->count + 1) * sizeof *keys);
        if (!keys) return 0;
        v->keys = keys;
        v->keys[v->count] = key;
    }
    v->items[v->count++] = item;
    return 1;
}

static JsonValue *json_parse_value(JsonCursor *c) {
    JsonValue *v;
    json_skip_ws(c);
    if (c->p >= c->end || ++c->depth > 64) return NULL;
    v = calloc(1, sizeof *v);
    if (!v) return NULL;
    if (*c->p == '{' || *c->p == '[') {
        char close = *c->p == '{' ? '}' : ']';
        v->type = *c->p == '{' ? JSON_OBJECT : JSON_ARRAY;
        c->p++;
        json_skip_ws(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
        } else {
            for (;;) {
                char *key = NULL;
                JsonValue *item;
                json_skip_ws(c);
                if (v->type == JSON_OBJECT) {
                    size_t klen;
                    if (c->p >= c->end || *c->p != '"') goto fail;
                    key = json_parse_string(c, &klen);
                    if (!key) goto fail;
                    json_skip_ws(c);
                    if (c->p >= c->end || *c->p != ':') { free(key); goto fail; }
                    c->p++;
                }
                item = json_parse_value(c);
                if (!item || !json_push(v, key, item)) { free(key); json_free(item); goto fail; }
                json_skip_ws(c);
                if (c->p < c->end && *c->p == ',') { c->p++; continue; }
                if (c->p < c->end && *c->p == close) { c->p++; break; }
                goto fail;
            }
        }
    } else if (*c->p == '"') {
        v->type = JSON_STRING;
        v->string = json_parse_string(c, &v->len);
        if (!v->string) goto fail;
    } else if (c->end - c->p >= 4 && memcmp(c->p, "true", 4) == 0) {
        v->type = JSON_BOOL; v->boolean = 1; c->p += 4;
    } else if (c->end - c->p >= 5 && memcmp(c->p, "false", 5) == 0) {
        v->type = JSON_BOOL; c->p += 5;
    } else if (c->end - c->p >= 4 && memcmp(c->p, "null", 4) == 0) {
        v->type = JSON_NULL; c->p += 4;
    } else {
        char buf[64];
        size_t n = 0;
        char *endp;
        while (c->p < c->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", *c->p)) buf[n++] = *c->p++;
        buf[n] = '\0';
        if (n == 0) goto fail;
        v->type = JSON_NUMBER;
        v->number = strtod(buf, &endp);
        if (*endp != '\0') goto fail;
    }
    c->depth--;
    return v;
fail:
    json_free(v);
    return NULL;
}

/* Parses `len` bytes of JSON text; NULL when malformed. */
static JsonValue *json_parse(const char *text, size_t len) {
    JsonCursor c;
    JsonValue *v;
    c.p = text;
    c.end = text + len;
    c.depth = 0;
    v = json_parse_value(&c);
    json_skip_ws(&c);
    if (v && c.p != c.end) {
        json_free(v);
        return NULL;
    }
    return v;
}

/* The member `key` of an object, or NULL. */
static const JsonValue *json_get(const JsonValue *v, const char *key) {
    size_t i;
    if (!v || v->type != JSON_OBJECT) return NULL;
    for (i = 0; i < v->count; i++)
        if (strcmp(v->keys[i], key) == 0) return v->items[i];
    return NULL;
}

/* The string member `key` of an object, or NULL when absent or not a string. */
static const char *json_get_string(const JsonValue *v, const char *key) {
    const JsonValue *s = json_get(v, key);
    return s && s->type == JSON_STRING ? s->string : NULL;
}

/* Appends to `path` (of `size` bytes) without overflowing it. */
static inline void json_path_append(char *path, size_t size, const char *part) {
    size_t n = strlen(path);
    if (n + 1 < size) strncat(path, part, size - n - 1);
}

/* Deep equality, as serde_json's Value compares: objects by their members whatever their order,
 * arrays item by item, numbers by value. On a difference `path` (if not NULL) names where, from
 * the root ("$"), e.g. "$.steps[1][2].icv". */
static inline int json_equal(const JsonValue *a, const JsonValue *b, char *path, size_t size) {
    size_t i, j;
    char part[256];
    if (path && !path[0]) json_path_append(path, size, "$");
    if (!a || !b) return a == b;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case JSON_NULL: return 1;
    case JSON_BOOL: return (a->boolean != 0) == (b->boolean != 0);
    case JSON_NUMBER: return a->number == b->number;
    case JSON_STRING: return a->len == b->len && memcmp(a->string, b->string, a->len) == 0;
    case JSON_ARRAY:
        if (a->count != b->count) {
            if (path) json_path_append(path, size, " (lengths differ)");
            return 0;
        }
        for (i = 0; i < a->count; i++) {
            size_t at = path ? strlen(path) : 0;
            snprintf(part, sizeof part, "[%zu]", i);
            if (path) json_path_append(path, size, part);
            if (!json_equal(a->items[i], b->items[i], path, size)) return 0;
            if (path) path[at] = '\0';
        }
        return 1;
    case JSON_OBJECT:
        for (i = 0; i < b->count; i++)
            if (!json_get(a, b->keys[i])) {
                if (path) {
                    snprintf(part, sizeof part, ".%s (missing)", b->keys[i]);
                    json_path_append(path, size, part);
                }
                return 0;
            }
        for (i = 0; i < a->count; i++) {
            size_t at = path ? strlen(path) : 0;
            const JsonValue *other = NULL;
            for (j = 0; j < b->count && !other; j++)
                if (strcmp(a->keys[i], b->keys[j]) == 0) other = b->items[j];
            if (path) {
                snprintf(part, sizeof part, ".%s", a->keys[i]);
                json_path_append(path, size, part);
            }
            if (!other) {
                if (path) json_path_append(path, size, " (not expected)");
                return 0;
            }
            if (!json_equal(a->items[i], other, path, size)) return 0;
            if (path) path[at] = '\0';
        }
        return 1;
    }
    return 0;
}

#endif /* MINI_JSON_H */
