/* fuzz.h - what the harnesses share (tests/fuzz/README.md). Each harness defines
 * LLVMFuzzerTestOneInput; built with libFuzzer (clang -fsanitize=fuzzer) it is a fuzzer,
 * linked with driver.c it replays files (the suite's regression inputs and seeds). */
#ifndef QFTP_FUZZ_H
#define QFTP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path that reads as the bytes given (a memfd), for the APIs that open a path;
 * fuzz_path_done closes it. */
const char *fuzz_path(const uint8_t *data, size_t size, int *fd);
void fuzz_path_done(int fd);

#endif
