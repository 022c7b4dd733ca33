/* json.h - a small streaming JSON writer for the tool's --json outputs. */
#ifndef QFTPTOOL_JSON_H
#define QFTPTOOL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    int depth;
    bool first[64]; /* per nesting level: no element written yet */
    bool after_key;
    bool pretty;
    /* what a call writes, gathered and handed to f in one piece at its end: nothing
     * stays here between calls, so other writes to f keep their order */
    size_t n;
    char buf[1024];
} json_w;

void json_init(json_w *w, FILE *f, bool pretty);
void json_begin_obj(json_w *w);
void json_end_obj(json_w *w);
void json_begin_arr(json_w *w);
void json_end_arr(json_w *w);
void json_key(json_w *w, const char *key);
void json_str(json_w *w, const char *s); /* NULL writes null */
void json_strn(json_w *w, const char *s, size_t n);
void json_int(json_w *w, int64_t v);
void json_num(json_w *w, double v, int decimals);
void json_bool(json_w *w, bool v);
void json_null(json_w *w);
void json_end(json_w *w); /* final newline */

#endif
