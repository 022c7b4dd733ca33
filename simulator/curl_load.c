/* curl_load.c - libcurl opened at the simulator's start (curl_load.h says why). */
#include "curl_load.h"

#include <dlfcn.h>
#include <glib.h>

sim_curl_api sim_curl;

/* The library's name with its ABI version: the one Debian's libcurl4 (and libcurl4t64)
 * ships, the one the headers we build against describe. */
#define SIM_CURL_SONAME "libcurl.so.4"

bool sim_curl_load(char **error)
{
    static void *lib;
    if (lib)
        return true;
    void *h = dlopen(SIM_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        *error =
            g_strdup_printf("the simulator needs libcurl (%s): %s", SIM_CURL_SONAME, dlerror());
        return false;
    }
    sim_curl_api api;
#define SIM_CURL_FIND(name, fn)                                                                    \
    if (!(*(void **)&api.name = dlsym(h, #fn))) {                                                  \
        *error = g_strdup_printf("%s has no %s: %s", SIM_CURL_SONAME, #fn, dlerror());             \
        dlclose(h);                                                                                \
        return false;                                                                              \
    }
    SIM_CURL_FUNCTIONS(SIM_CURL_FIND)
#undef SIM_CURL_FIND
    sim_curl = api;
    lib = h;
    return true;
}
