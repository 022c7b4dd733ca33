/* fuzz_util.c - helpers of the harnesses (fuzz.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

const char *fuzz_path(const uint8_t *data, size_t size, int *fd)
{
    static char path[64];
    *fd = memfd_create("qftp-fuzz", MFD_CLOEXEC);
    if (*fd < 0)
        return NULL;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(*fd, data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", *fd);
    return path;
}

void fuzz_path_done(int fd)
{
    if (fd >= 0)
        close(fd);
}
