/* qftp-compat.h - everything in the plugin that depends on the Wireshark version.
 *
 * The plugin targets Wireshark 4.0 (Debian 12's wireshark-dev 4.0.17). A port to
 * 4.2 / 4.4 changes this file only:
 *  - 4.0 and 4.2 export plugin_version / plugin_want_major / plugin_want_minor and
 *    call plugin_register(); 4.4 adds plugin_describe() and WS_PLUGIN_DESC_DISSECTOR.
 *  - 4.0 and 4.2 initialise hf_/ett_/ei_ ids to -1 (README.dissector of 4.0);
 *    4.4 expects them zero-initialised.
 *  - 4.0 tap callbacks take a tap_flags_t argument (unchanged in 4.2 / 4.4).
 *  - 4.4 renames the conversation types (CONVERSATION_* since 4.0 already).
 */
#ifndef QFTP_COMPAT_H
#define QFTP_COMPAT_H

#include <wireshark.h>

#if WIRESHARK_VERSION_MAJOR != 4 || WIRESHARK_VERSION_MINOR > 4
#error "qftp-compat.h knows Wireshark 4.0 to 4.4"
#endif

#if WIRESHARK_VERSION_MINOR >= 4
#define QFTP_ID_INIT /* zero */
#else
#define QFTP_ID_INIT = -1
#endif

#if WIRESHARK_VERSION_MINOR >= 4
#define QFTP_PLUGIN_DESCRIBE                                                                       \
    WS_DLL_PUBLIC uint32_t plugin_describe(void);                                                  \
    uint32_t plugin_describe(void)                                                                 \
    {                                                                                              \
        return WS_PLUGIN_DESC_DISSECTOR;                                                           \
    }
#else
#define QFTP_PLUGIN_DESCRIBE
#endif

/* The exported symbols Wireshark's plugin loader looks for. */
#define QFTP_PLUGIN_EXPORTS(ver)                                                                   \
    WS_DLL_PUBLIC_DEF const gchar plugin_version[] = ver;                                          \
    WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;                       \
    WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;                       \
    QFTP_PLUGIN_DESCRIBE                                                                           \
    WS_DLL_PUBLIC void plugin_register(void)

#endif
