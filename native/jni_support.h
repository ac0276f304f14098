/*
 * Helpers every native file uses: registering natives, throwing IllegalArgumentException,
 * reading direct buffers. Nothing here keeps state.
 */
#ifndef MPTCP4J_JNI_SUPPORT_H
#define MPTCP4J_JNI_SUPPORT_H

#include <jni.h>
#include <stddef.h>
#include <stdint.h>

#define M4J_ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Binds `methods` to the Java class `class_name`; returns 0 or -1 with an exception pending. */
int m4j_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int count);

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

/* Registration functions, one per Java class with natives (see jni_onload.c). */
int m4j_register_native_library(JNIEnv *env);
int m4j_register_record_layouts(JNIEnv *env);
int m4j_register_event_decoder(JNIEnv *env);
int m4j_register_native_linux_calls(JNIEnv *env);

#endif
