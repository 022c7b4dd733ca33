/* testutil.c - helpers shared by the unit tests. */
#include "testutil.h"

GBytes *tu_read_src_file(const char *relpath)
{
    gchar *path = g_build_filename(QFTP_SRCDIR, relpath, NULL);
    gchar *contents = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &contents, &len, &err))
        g_error("cannot read %s: %s", path, err->message);
    g_free(path);
    return g_bytes_new_take(contents, len);
}

void tu_for_each_split(const uint8_t *input, size_t len, tu_reset_fn reset, tu_feed_fn feed,
                       tu_check_fn check, void *user)
{
    reset(user, "whole");
    feed(user, input, len, 0);
    check(user, "whole");

    reset(user, "bytewise");
    for (size_t i = 0; i < len; i++)
        feed(user, input + i, 1, i);
    check(user, "bytewise");

    for (size_t cut = 1; cut < len; cut++) {
        char how[64];
        g_snprintf(how, sizeof how, "split at %zu", cut);
        reset(user, how);
        feed(user, input, cut, 0);
        feed(user, input + cut, len - cut, 1);
        check(user, how);
    }
}
