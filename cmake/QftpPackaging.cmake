# Debian package of qftp: `cpack -G DEB` in the build folder, or
# `cmake --build <build> --target package`, makes qftp_<version>_<arch>.deb with
#  - the qftp command (usr/bin/qftp) and whatever else `cmake --install` installs
#    (man pages, completion, ... as the parts add their install rules);
#  - the Wireshark plugin in Wireshark's system plugin folder, pkg-config's plugindir
#    (usr/lib/<multiarch>/wireshark/plugins/<major.minor>/epan/qftp.so), which every
#    user's Wireshark, root's included, loads; dissector/CMakeLists.txt installs it
#    there whenever DESTDIR is set, as cpack does here;
#  - qftp-extcap, the capture interfaces qftp-relay and qftp-sim, in Wireshark's system
#    extcap folder (usr/lib/<multiarch>/wireshark/extcap up to 4.4, usr/libexec/wireshark/
#    extcap from 4.6), where every user's Wireshark runs it; extcap/CMakeLists.txt
#    installs it there whenever DESTDIR is set, as cpack does here;
#  - the docs in usr/share/doc/qftp;
#  - a dependency on the libwireshark package the plugin was built against, within
#    its major.minor (Wireshark loads a plugin only into the minor version it was
#    built for), found with dpkg at configure time, and on the package of libcurl.so.4
#    (the simulator opens it at run time); the other dependencies come from
#    dpkg-shlibdeps.
include(GNUInstallDirs)

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB _qftp_docs ${CMAKE_SOURCE_DIR}/docs/*.md ${CMAKE_SOURCE_DIR}/docs/*.png)
install(FILES ${_qftp_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Wireshark's folders, relative to the install prefix when they lie under it (a
# package installs into /usr, where pkg-config puts Wireshark on Debian).
pkg_check_modules(QFTP_PKG_WS QUIET wireshark)
pkg_get_variable(_qftp_ws_libdir wireshark libdir)
string(REGEX MATCH "^[0-9]+\\.[0-9]+" _qftp_ws_mm "${QFTP_PKG_WS_VERSION}")

set(CPACK_PACKAGE_NAME qftp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the qftp authors")
set(CPACK_PACKAGE_CONTACT "qftp maintainers <qftp@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Analyzer and test harness for the FTP AT commands of Quectel modules")
set(CPACK_PACKAGE_DESCRIPTION
    "qftp decodes, explains and tests the FTP AT commands of Quectel cellular modules
 (GSM M-series and the BG96 family): a Wireshark plugin, a command-line tool that
 imports terminal logs, prints transcripts, replays recorded sessions against a
 module and simulates one.")
set(CPACK_GENERATOR DEB)
set(CPACK_SET_DESTDIR ON) # install rules with absolute folders (the plugin) land in the package
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # qftp_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tshark | wireshark")
set(CPACK_RESOURCE_FILE_README ${CMAKE_SOURCE_DIR}/README.md)

find_program(QFTP_DPKG_QUERY dpkg-query)
find_program(QFTP_DPKG dpkg)
if(QFTP_DPKG_QUERY AND QFTP_DPKG)
  execute_process(COMMAND ${QFTP_DPKG} --print-architecture
                  OUTPUT_VARIABLE CPACK_DEBIAN_PACKAGE_ARCHITECTURE
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  # The package that ships the libwireshark.so.N the plugin links.
  file(GLOB _qftp_libws "${_qftp_ws_libdir}/libwireshark.so.[0-9]*")
  list(FILTER _qftp_libws INCLUDE REGEX "libwireshark\\.so\\.[0-9]+$")
  if(_qftp_libws)
    list(GET _qftp_libws 0 _qftp_libws)
    execute_process(COMMAND ${QFTP_DPKG_QUERY} -S ${_qftp_libws}
                    OUTPUT_VARIABLE _qftp_owner OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE _qftp_rc ERROR_QUIET)
    if(_qftp_rc EQUAL 0)
      string(REGEX REPLACE "[:,].*" "" _qftp_pkg "${_qftp_owner}")
      execute_process(COMMAND ${QFTP_DPKG_QUERY} -W -f=\${Version} ${_qftp_pkg}
                      OUTPUT_VARIABLE _qftp_pkgver OUTPUT_STRIP_TRAILING_WHITESPACE)
      string(REGEX MATCH "^[0-9]+\\.([0-9]+)" _qftp_mm "${_qftp_ws_mm}")
      math(EXPR _qftp_next "${CMAKE_MATCH_1} + 1")
      string(REGEX REPLACE "\\.[0-9]+$" ".${_qftp_next}" _qftp_next_mm "${_qftp_ws_mm}")
      list(APPEND _qftp_depends
           "${_qftp_pkg} (>= ${_qftp_pkgver}), ${_qftp_pkg} (<< ${_qftp_next_mm}~)")
    endif()
  endif()
  # The simulator opens libcurl.so.4 itself (simulator/curl_load.h), which
  # dpkg-shlibdeps cannot see: the package that ships it (libcurl4, libcurl4t64 from
  # trixie on), from 7.66.0 (curl_multi_poll).
  pkg_get_variable(_qftp_curl_libdir libcurl libdir)
  if(EXISTS "${_qftp_curl_libdir}/libcurl.so.4")
    file(REAL_PATH "${_qftp_curl_libdir}/libcurl.so.4" _qftp_curl_so)
    execute_process(COMMAND ${QFTP_DPKG_QUERY} -S ${_qftp_curl_so}
                    OUTPUT_VARIABLE _qftp_owner OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE _qftp_rc ERROR_QUIET)
    if(_qftp_rc EQUAL 0)
      string(REGEX REPLACE "[:,].*" "" _qftp_pkg "${_qftp_owner}")
      list(APPEND _qftp_depends "${_qftp_pkg} (>= 7.66.0)")
    endif()
  endif()
  list(JOIN _qftp_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
endif()

include(CPack)
