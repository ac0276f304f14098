# Cross build of libmptcp4j.so for linux-aarch_64 on a Debian host with arm64 as a foreign
# architecture: gcc-aarch64-linux-gnu, and libnl-3-dev:arm64 + libnl-genl-3-dev:arm64 from
# Debian's multiarch packages (their .pc files in /usr/lib/aarch64-linux-gnu/pkgconfig).
# JNI's headers come from the host's JDK: jni_md.h is the same on every 64-bit Linux.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config reads the arm64 .pc files only, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
