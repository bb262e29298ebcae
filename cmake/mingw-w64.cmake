# Cross build for x86_64 Windows with Debian's mingw-w64 (posix threads, for
# std::thread), tests run under Wine. The third-party libraries come from
# tools/windows/build-deps.sh, whose prefix is LOOPBENCH_WINDOWS_PREFIX.
#
#   prefix=$(bash tools/windows/build-deps.sh | tail -1)
#   cmake -S . -B build-windows -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake \
#         -DLOOPBENCH_WINDOWS_PREFIX=$prefix
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

set(LOOPBENCH_WINDOWS_PREFIX "" CACHE PATH "Prefix of tools/windows/build-deps.sh")
# try_compile projects see the toolchain file but not the cache.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES LOOPBENCH_WINDOWS_PREFIX)

# Libraries and headers of the target only: never the build machine's
# /usr/include, whose glibc headers break mingw.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32 ${LOOPBENCH_WINDOWS_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} "${LOOPBENCH_WINDOWS_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Static executables: Wine (and a Windows machine without mingw) has no
# libstdc++, libgcc_s or libwinpthread DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Tests run under Wine, in a prefix of the build tree so nothing is
# written to $HOME.
set(CMAKE_CROSSCOMPILING_EMULATOR
    /usr/bin/env WINEDEBUG=-all WINEPREFIX=${CMAKE_BINARY_DIR}/wine-prefix
    "WINEDLLOVERRIDES=winemenubuilder.exe,mscoree,mshtml=d" /usr/bin/wine)
