# The third-party targets of a Windows cross build, with the names the
# Linux build gets from find_package and pkg-config. They point at the
# static libraries tools/windows/build-deps.sh installs into
# LOOPBENCH_WINDOWS_PREFIX, and at its folder of header-only libraries.
# Debian's own CMake configs of CLI11, fmt, nlohmann_json and doctest cannot
# be used here: each adds /usr/include, whose glibc headers break mingw.
if(NOT LOOPBENCH_WINDOWS_PREFIX OR NOT EXISTS "${LOOPBENCH_WINDOWS_PREFIX}/.complete")
  message(FATAL_ERROR "LOOPBENCH_WINDOWS_PREFIX must name the prefix that "
          "tools/windows/build-deps.sh prints (now '${LOOPBENCH_WINDOWS_PREFIX}')")
endif()
set(_prefix "${LOOPBENCH_WINDOWS_PREFIX}")

function(_lb_imported name)
  cmake_parse_arguments(ARG "" "" "LIBS;DEFINES" ${ARGN})
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_prefix}/include"
    INTERFACE_LINK_LIBRARIES "${ARG_LIBS}"
    INTERFACE_COMPILE_DEFINITIONS "${ARG_DEFINES}")
endfunction()

foreach(header_only CLI11::CLI11 nlohmann_json::nlohmann_json doctest::doctest)
  _lb_imported(${header_only})
endforeach()
# fmt as a header-only library: no build of its sources for the target.
_lb_imported(fmt::fmt DEFINES FMT_HEADER_ONLY)

_lb_imported(OpenSSL::Crypto LIBS "${_prefix}/lib/libcrypto.a;ws2_32;crypt32")
_lb_imported(OpenSSL::SSL LIBS "${_prefix}/lib/libssl.a;OpenSSL::Crypto")
_lb_imported(PkgConfig::LIBUV
  LIBS "${_prefix}/lib/libuv_a.a;ws2_32;psapi;iphlpapi;userenv;user32;advapi32;dbghelp;ole32;shell32")
_lb_imported(PkgConfig::LIBNGHTTP2 LIBS "${_prefix}/lib/libnghttp2.a" DEFINES NGHTTP2_STATICLIB)
_lb_imported(PkgConfig::LIBCURL
  LIBS "${_prefix}/lib/libcurl.a;PkgConfig::LIBNGHTTP2;OpenSSL::SSL;ws2_32;crypt32;bcrypt"
  DEFINES CURL_STATICLIB)
if(EXISTS "${_prefix}/lib/libwslay.a")
  set(WSLAY_INCLUDE_DIR "${_prefix}/include" CACHE PATH "")
  set(WSLAY_LIBRARY "${_prefix}/lib/libwslay.a" CACHE FILEPATH "")
endif()
set(LLHTTP_INCLUDE_DIR /usr/share/include/llhttp CACHE PATH "")
