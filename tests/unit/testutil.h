/* testutil.h - helpers shared by the unit tests. */
#ifndef QFTP_TESTUTIL_H
#define QFTP_TESTUTIL_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a whole file (path relative to the source tree); aborts the test on failure. */
GBytes *tu_read_src_file(const char *relpath);

/* Calls feed(user, chunk, len, chunk_index) for the input split in every way the parser
 * tests need: whole; one byte at a time; and cut in two at every offset. `run` is
 * called before each way (reset state there) and `check` after it (assert there). */
typedef void (*tu_reset_fn)(void *user, const char *how);
typedef void (*tu_feed_fn)(void *user, const uint8_t *chunk, size_t len, size_t chunk_index);
typedef void (*tu_check_fn)(void *user, const char *how);
void tu_for_each_split(const uint8_t *input, size_t len, tu_reset_fn reset, tu_feed_fn feed,
                       tu_check_fn check, void *user);

#endif
