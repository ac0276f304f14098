#define _GNU_SOURCE
#include "jni_support.h"

#include <errno.h>
#include <sys/socket.h>
#include <time.h>

#include <stdio.h>
#include <string.h>

int m4j_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int count)
{
	jclass cls = (*env)->FindClass(env, class_name);
	if (cls == NULL)
		return -1;
	jint rc = (*env)->RegisterNatives(env, cls, methods, count);
	(*env)->DeleteLocalRef(env, cls);
	return rc == JNI_OK ? 0 : -1;
}

const char *m4j_errno_name(int err)
{
	const char *name = strerrorname_np(err);
	return name != NULL ? name : "E?";
}

void m4j_throw_mptcp(JNIEnv *env, const char *operation, int err, const char *detail)
{
	jclass cls = (*env)->FindClass(env, "org/mptcp4j/protocol/MptcpException");
	if (cls == NULL)
		return;
	jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>",
					     "(Ljava/lang/String;ILjava/lang/String;)V");
	if (ctor == NULL)
		return;
	jstring jop = (*env)->NewStringUTF(env, operation);
	if (jop == NULL)
		return;
	jstring jdetail = NULL;
	if (detail != NULL) {
		jdetail = (*env)->NewStringUTF(env, detail);
		if (jdetail == NULL)
			return;
	}
	jobject ex = (*env)->NewObject(env, cls, ctor, jop, (jint)err, jdetail);
	if (ex != NULL)
		(*env)->Throw(env, (jthrowable)ex);
}

void m4j_throw_io(JNIEnv *env, const char *operation, int err)
{
	char message[256];
	char text[128];
	/* GNU strerror_r returns the message, possibly not in `text`. */
	const char *reason = strerror_r(err, text, sizeof(text));
	if (snprintf(message, sizeof(message), "%s: %s (%s)", operation, reason,
		     m4j_errno_name(err)) < 0)
		message[0] = '\0';
	jclass cls = (*env)->FindClass(env, "java/io/IOException");
	if (cls != NULL)
		(*env)->ThrowNew(env, cls, message);
}

void m4j_throw_illegal_argument(JNIEnv *env, const char *message)
{
	jclass cls = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
	if (cls != NULL)
		(*env)->ThrowNew(env, cls, message);
}

int m4j_channel_fd(JNIEnv *env, jobject channel)
{
	jclass type = (*env)->GetObjectClass(env, channel);
	if (type == NULL)
		return -1;
	jfieldID field = (*env)->GetFieldID(env, type, "fdVal", "I");
	(*env)->DeleteLocalRef(env, type);
	if (field == NULL) {
		(*env)->ExceptionClear(env);
		m4j_throw_illegal_argument(env, "not a JDK socket channel (no fdVal field)");
		return -1;
	}
	return (*env)->GetIntField(env, channel, field);
}

void *m4j_direct_buffer(JNIEnv *env, jobject buffer, size_t min_size, size_t *capacity)
{
	if (buffer == NULL) {
		m4j_throw_illegal_argument(env, "buffer is null");
		return NULL;
	}
	void *address = (*env)->GetDirectBufferAddress(env, buffer);
	jlong size = (*env)->GetDirectBufferCapacity(env, buffer);
	if (address == NULL || size < 0) {
		m4j_throw_illegal_argument(env, "buffer is not a direct buffer");
		return NULL;
	}
	if ((size_t)size < min_size) {
		m4j_throw_illegal_argument(env, "buffer is too small");
		return NULL;
	}
	if (capacity != NULL)
		*capacity = (size_t)size;
	return address;
}

int m4j_send(int fd, const void *buf, size_t len, int flags)
{
	while (send(fd, buf, len, flags) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

uint64_t m4j_monotonic_nanos(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
