/* fuzz_capture.c - the capture reader (classic pcap of our link types read by capture.c,
 * pcapng and other forms through libpcap, the exported-PDU tags and RTAC headers decoded
 * here) on any bytes, from a file and from a stream that is not one; what it reads goes
 * into a session, as `qftp show` does, with the direction guess for frames that carry
 * none. */
#include "fuzz.h"
#include "qftp/capture.h"
#include "qftp/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd;
    const char *path = fuzz_path(data, size, &fd);
    if (!path)
        return 0;
    char err[QFTP_ERRBUF_SIZE];
    /* inputs of odd size through a stream that is not a regular file (as a pipe is: the
     * reader takes record by record), the others from their file (large reads) */
    FILE *mem = size & 1 ? fmemopen((void *)data, size, "rb") : NULL;
    qftp_capture_reader *r = mem ? qftp_capr_fopen(mem, err) : qftp_capr_open(path, err);
    if (r) {
        qftp_session_opts so;
        qftp_session_opts_init(&so);
        qftp_session *s = qftp_session_new(&so, err);
        qftp_frame f;
        qftp_ts last = 0;
        int n = 0;
        while (qftp_capr_next(r, &f, err) == 1 && n++ < 100000) {
            qftp_ts ts = f.ts < last ? last : f.ts;
            last = ts;
            qftp_session_feed(s, f.dir_known ? f.dir : QFTP_DIR_RX, f.data, f.len, ts, f.frame_no);
        }
        qftp_session_finish(s, last);
        qftp_session_free(s);
        qftp_capr_close(r);
    }
    fuzz_path_done(fd);
    return 0;
}
