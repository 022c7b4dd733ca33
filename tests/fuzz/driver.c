/* driver.c - runs a harness over files without libFuzzer: each argument is a file or a
 * folder of files (the regression inputs under tests/fuzz/regress/, the seeds). A crash
 * or a sanitizer report fails the run, as it fails the fuzzer. */
#include <dirent.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    gchar *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &data, &n, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, n);
    g_free(data);
    return 1;
}

int main(int argc, char **argv)
{
    long files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue; /* a harness with no regression input yet: git keeps no empty folder */
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) < 0)
                return 2;
            files++;
            continue;
        }
        GDir *d = g_dir_open(argv[i], 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            if (name[0] == '.')
                continue;
            char *p = g_build_filename(argv[i], name, NULL);
            if (run_file(p) < 0)
                return 2;
            files++;
            g_free(p);
        }
        if (d)
            g_dir_close(d);
    }
    printf("%ld inputs, no crash\n", files);
    return 0;
}
