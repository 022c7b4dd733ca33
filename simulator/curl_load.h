/* curl_load.h - libcurl, loaded when the simulator starts.
 *
 * libcurl brings about forty shared libraries with it (TLS, SSH, LDAP, Kerberos, ...);
 * linked into qftp, the dynamic loader would map and relocate all of them at every
 * start of every command, though only the simulator uses them (measured: 5 to 6 ms of
 * CPU a start, about the whole cost of a `qftp show` of a small capture). So the
 * simulator opens libcurl.so.4 itself, once, before its first libcurl call
 * (sim_curl_load), and calls it through a table of the functions it uses.
 *
 * Include this header instead of <curl/curl.h>: it keeps libcurl's types and constants
 * and turns each libcurl function the simulator calls into a call through the table, so
 * the simulator's code reads as plain libcurl. A function the simulator starts to use
 * is added to SIM_CURL_FUNCTIONS.
 */
#ifndef QFTP_CURL_LOAD_H
#define QFTP_CURL_LOAD_H

#include <curl/curl.h>
#include <stdbool.h>

/* X(name in the table, libcurl's function) */
#define SIM_CURL_FUNCTIONS(X)                                                                      \
    X(global_init, curl_global_init)                                                               \
    X(global_cleanup, curl_global_cleanup)                                                         \
    X(easy_init, curl_easy_init)                                                                   \
    X(easy_cleanup, curl_easy_cleanup)                                                             \
    X(easy_setopt, curl_easy_setopt)                                                               \
    X(easy_getinfo, curl_easy_getinfo)                                                             \
    X(easy_pause, curl_easy_pause)                                                                 \
    X(easy_strerror, curl_easy_strerror)                                                           \
    X(easy_escape, curl_easy_escape)                                                               \
    X(free, curl_free)                                                                             \
    X(multi_init, curl_multi_init)                                                                 \
    X(multi_cleanup, curl_multi_cleanup)                                                           \
    X(multi_add_handle, curl_multi_add_handle)                                                     \
    X(multi_remove_handle, curl_multi_remove_handle)                                               \
    X(multi_perform, curl_multi_perform)                                                           \
    X(multi_poll, curl_multi_poll)                                                                 \
    X(multi_info_read, curl_multi_info_read)                                                       \
    X(multi_strerror, curl_multi_strerror)                                                         \
    X(slist_append, curl_slist_append)                                                             \
    X(slist_free_all, curl_slist_free_all)

/* Each pointer has the type of libcurl's own declaration (a function-like macro such as
 * the type-checking curl_easy_setopt is not expanded without its parentheses). */
#define SIM_CURL_MEMBER(name, fn) __typeof__(fn) *name;
typedef struct {
    SIM_CURL_FUNCTIONS(SIM_CURL_MEMBER)
} sim_curl_api;
#undef SIM_CURL_MEMBER

extern sim_curl_api sim_curl;

/* Opens libcurl.so.4 and finds every function of the table; again after a success does
 * nothing. On failure returns false with *error (g_free) saying what is missing. */
bool sim_curl_load(char **error);

/* libcurl's type-checking wrappers would call the names redefined below. */
#undef curl_easy_setopt
#undef curl_easy_getinfo

#define curl_global_init sim_curl.global_init
#define curl_global_cleanup sim_curl.global_cleanup
#define curl_easy_init sim_curl.easy_init
#define curl_easy_cleanup sim_curl.easy_cleanup
#define curl_easy_setopt sim_curl.easy_setopt
#define curl_easy_getinfo sim_curl.easy_getinfo
#define curl_easy_pause sim_curl.easy_pause
#define curl_easy_strerror sim_curl.easy_strerror
#define curl_easy_escape sim_curl.easy_escape
#define curl_free sim_curl.free
#define curl_multi_init sim_curl.multi_init
#define curl_multi_cleanup sim_curl.multi_cleanup
#define curl_multi_add_handle sim_curl.multi_add_handle
#define curl_multi_remove_handle sim_curl.multi_remove_handle
#define curl_multi_perform sim_curl.multi_perform
#define curl_multi_poll sim_curl.multi_poll
#define curl_multi_info_read sim_curl.multi_info_read
#define curl_multi_strerror sim_curl.multi_strerror
#define curl_slist_append sim_curl.slist_append
#define curl_slist_free_all sim_curl.slist_free_all

#endif
