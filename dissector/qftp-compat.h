/* qftp-compat.h - everything in the plugin that depends on the Wireshark version.
 *
 * Built and tested on Wireshark 4.0 (Debian 12), 4.4 (Debian 13) and 4.6 (sid); see
 * docs/wireshark.md. Each difference is decided by a feature test (a header, a macro,
 * the type of an API), never by a version number, so a release in between (4.2) or
 * after gets the right branch by construction. The plugin's sources use only the
 * names defined here for these:
 *  - plugin_describe(): 4.4 and later declare WS_PLUGIN_DESC_DISSECTOR in
 *    <wsutil/plugins.h>; Debian's 4.0 -dev package does not ship that header.
 *  - qftp_heur_bool: what a heuristic dissector returns (gboolean until C99 bool).
 *  - qftp_pref_bool: the variable behind a boolean preference (gboolean, then bool).
 *  - tvb_get_uint8(): the C99 name of tvb_get_guint8(), which 4.4 deprecates.
 * USB needs nothing here: the structures the USB dissector hands its sub-dissectors
 * changed in 4.4 (urb_info_t), so qftp-usb.c reads none of them (packet_info and the
 * frames' own descriptor bytes tell it all).
 */
#ifndef QFTP_COMPAT_H
#define QFTP_COMPAT_H

#include <wireshark.h>

#include <epan/packet.h>
#include <epan/prefs.h>

#if defined(__has_include)
#if __has_include(<wsutil/plugins.h>)
#include <wsutil/plugins.h>
#endif
#endif

#ifdef WS_PLUGIN_DESC_DISSECTOR
#define QFTP_PLUGIN_DESCRIBE                                                                       \
    WS_DLL_PUBLIC uint32_t plugin_describe(void);                                                  \
    uint32_t plugin_describe(void)                                                                 \
    {                                                                                              \
        return WS_PLUGIN_DESC_DISSECTOR;                                                           \
    }
#else
#define QFTP_PLUGIN_DESCRIBE
#endif

/* The exported symbols Wireshark's plugin loader looks for (unchanged 4.0 to 4.6). */
#define QFTP_PLUGIN_EXPORTS(ver)                                                                   \
    WS_DLL_PUBLIC_DEF const char plugin_version[] = ver;                                           \
    WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;                       \
    WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;                       \
    QFTP_PLUGIN_DESCRIBE                                                                           \
    WS_DLL_PUBLIC void plugin_register(void)

/* The return type of heur_dissector_t, read from the type itself (typeof of a call is
 * not evaluated). */
typedef __typeof__(((heur_dissector_t)0)(NULL, NULL, NULL, NULL)) qftp_heur_bool;

/* The pointer prefs_register_bool_preference() takes: bool * once the function is
 * declared with it, gboolean * before. _Generic picks by the function's type. */
typedef void (*qftp_bool_pref_fn)(module_t *, const char *, const char *, const char *, bool *);
typedef __typeof__(_Generic(prefs_register_bool_preference, qftp_bool_pref_fn
                            : (bool)0, default
                            : (gboolean)0)) qftp_pref_bool;

/* tvbuff.h renamed its accessors to C99 names in one sweep; its host-order macro
 * tvb_get_h_uint16 (tvb_get_h_guint16 before) tells which names a version has. */
#ifndef tvb_get_h_uint16
#define tvb_get_uint8 tvb_get_guint8
#endif

#endif
