/*
 * Helpers every native file uses: registering natives, throwing Java exceptions, reading
 * direct buffers. Nothing here keeps state.
 */
#ifndef MPTCP4J_JNI_SUPPORT_H
#define MPTCP4J_JNI_SUPPORT_H

#include <jni.h>
#include <stddef.h>
#include <stdint.h>

#define M4J_ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Binds `methods` to the Java class `class_name`; returns 0 or -1 with an exception pending. */
int m4j_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int count);

/* Throws org.mptcp4j.protocol.MptcpException(operation, errno, detail); detail may be NULL. */
void m4j_throw_mptcp(JNIEnv *env, const char *operation, int err, const char *detail);

/* Throws java.io.IOException "operation: strerror (ENAME)". */
void m4j_throw_io(JNIEnv *env, const char *operation, int err);

void m4j_throw_illegal_argument(JNIEnv *env, const char *message);

/*
 * The address of a direct buffer that holds at least min_size bytes; NULL with an
 * IllegalArgumentException pending otherwise. *capacity receives its size when not NULL.
 */
void *m4j_direct_buffer(JNIEnv *env, jobject buffer, size_t min_size, size_t *capacity);

/*
 * The descriptor under a JDK channel: sun.nio.ch.SocketChannelImpl and ServerSocketChannelImpl
 * keep it in "int fdVal" (JDK 17 to 25). JNI reads it past the module boundary; -1 with an
 * exception pending when the class has no such field.
 */
int m4j_channel_fd(JNIEnv *env, jobject channel);

/* Sends `len` bytes from buf on fd as one datagram, again after EINTR; 0 or -errno. */
int m4j_send(int fd, const void *buf, size_t len, int flags);

/* CLOCK_MONOTONIC in nanoseconds, as System.nanoTime() reads it; 0 if the clock fails. */
uint64_t m4j_monotonic_nanos(void);

/* "ENAME" for an errno value, or "E?" when the C library has no name for it. */
const char *m4j_errno_name(int err);

/* Registration functions, one per Java class with natives (see jni_onload.c). */
int m4j_register_native_library(JNIEnv *env);
int m4j_register_record_layouts(JNIEnv *env);
int m4j_register_event_decoder(JNIEnv *env);
int m4j_register_native_linux_calls(JNIEnv *env);

#endif
