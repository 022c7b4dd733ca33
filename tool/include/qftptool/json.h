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
    /* what is written, handed to f when full and by json_end / json_flush: whoever
     * writes to f otherwise, or calls json_init on a writer in use, calls json_flush
     * first */
    size_t n;
    char buf[8192];
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
void json_end(json_w *w);   /* final newline, and everything handed to the stream */
void json_flush(json_w *w); /* everything written so far handed to the stream */

#endif
