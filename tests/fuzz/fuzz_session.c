/* fuzz_session.c - the transaction model fed both directions of a stream cut anywhere.
 *
 * Input: one options byte (bit 0-1: dialect unknown/GSM/BG96, bit 2: redact, bit 3: a
 * small line cap, bit 4: an item callback, bit 5: streamed to a sink that frees each
 * transaction after judging it with qftp/verdict.h, as show and report do), then chunks: a control
 * byte (bit 0: the direction, bits 1-7: the length, 0 = the rest) and its bytes. Times advance by
 * the control byte's value in milliseconds, so guard times and timeouts come into play. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "qftp/context.h"
#include "qftp/session.h"
#include "qftp/verdict.h"

static size_t items;
static qftp_verdict *verdict; /* bit 5 */

static void sink_txn(void *user, const qftp_txn *t)
{
    (void)user;
    const qftp_txn_verdict *tv = qftp_verdict_txn(verdict, t);
    items += strlen(tv->operation) + strlen(tv->outcome) + tv->payload_len;
}

static void sink_unsol(void *user, const qftp_unsolicited *u)
{
    (void)user;
    qftp_verdict_unsolicited(verdict, u);
}

static void sink_transition(void *user, const qftp_transition *tr)
{
    (void)user;
    qftp_verdict_transition(verdict, tr);
}

static void on_item(void *user, const qftp_event *ev, const qftp_txn *txn, uint64_t frame)
{
    (void)user, (void)frame;
    /* a front end reads every span it is handed */
    uint8_t sum = 0;
    for (size_t i = 0; i < ev->len; i++)
        sum ^= ev->data[i];
    if (txn && txn->line)
        sum ^= (uint8_t)strlen(txn->line);
    items += sum ? 1 : 2;
    if (verdict && ev->kind == QFTP_EV_DATA && txn)
        qftp_verdict_data(verdict, txn, ev->data, ev->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    o.dialect = (opt & 3) == 1   ? QFTP_DIALECT_GSM
                : (opt & 3) == 2 ? QFTP_DIALECT_BG96
                                 : QFTP_DIALECT_UNKNOWN;
    o.redact = (opt & 4) != 0;
    if (opt & 8)
        o.line_cap = 64;
    if (opt & 16)
        o.on_item = on_item;
    if (opt & 32) {
        o.on_item = on_item;
        o.sink = (qftp_session_sink){sink_txn, sink_unsol, NULL, sink_transition, NULL, true};
    }
    char err[QFTP_ERRBUF_SIZE];
    qftp_session *s = qftp_session_new(&o, err);
    if (!s)
        return 0;
    verdict = (opt & 32) ? qftp_verdict_new(s, NULL) : NULL;
    qftp_ts now = 1000 * QFTP_NS_PER_SEC;
    uint64_t frame = 0;
    size_t i = 1;
    while (i < size) {
        uint8_t c = data[i++];
        size_t n = c >> 1;
        if (n == 0 || n > size - i)
            n = size - i;
        now += (qftp_ts)c * QFTP_NS_PER_MS;
        if (verdict)
            qftp_verdict_traffic(verdict, now, false, NULL);
        /* each chunk in a heap block of its own size, freed after the feed: a read past
         * the chunk's bytes, or of them after the feed (the session keeps copies), is
         * an ASan report (in libFuzzer's buffer it would read the next chunk) */
        uint8_t *chunk = malloc(n);
        if (!chunk)
            break;
        memcpy(chunk, data + i, n);
        qftp_session_feed(s, (c & 1) ? QFTP_DIR_RX : QFTP_DIR_TX, chunk, n, now, ++frame);
        free(chunk);
        i += n;
    }
    qftp_session_finish(s, now + 200 * QFTP_NS_PER_SEC);
    /* read back everything a front end reads */
    for (size_t k = 0; k < qftp_session_txn_count(s); k++) {
        const qftp_txn *t = qftp_session_txn(s, k);
        if (!t)
            continue;
        char words[256];
        qftp_describe_result(t->err, t->protocol_error, t->has_pe, words, sizeof words);
        for (size_t j = 0; j < t->n_info; j++) {
            qftp_context cx;
            qftp_context_decode(t->info[j], strlen(t->info[j]), &cx);
        }
    }
    for (size_t k = 0; k < qftp_session_unsolicited_count(s); k++) {
        const qftp_unsolicited *u = qftp_session_unsolicited(s, k);
        qftp_context cx;
        qftp_context_decode(u->line, strlen(u->line), &cx);
    }
    for (size_t k = 0; k < qftp_session_note_count(s); k++)
        (void)qftp_session_note(s, k)[0].text;
    if (verdict) {
        /* the verdict at the end, in words, as a report writes it */
        char buf[1024];
        for (size_t k = 0; k < qftp_verdict_failure_count(verdict); k++) {
            const qftp_failure *f = qftp_verdict_failure(verdict, k);
            qftp_failure_headline(verdict, f, buf, sizeof buf);
            for (size_t j = 0; j < f->v.n_links; j++)
                qftp_link_sentence(verdict, &f->v, &f->v.links[j], buf, sizeof buf);
        }
        qftp_verdict_free(verdict);
        verdict = NULL;
    }
    qftp_session_free(s);
    return 0;
}
