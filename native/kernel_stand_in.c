/*
 * Natives of org.mptcp4j.standin.KernelStandIn: a connected pair of AF_UNIX SOCK_SEQPACKET
 * sockets. One end is adopted by an EventSocket or CommandSocket in place of a netlink socket;
 * the other is read and written by Java standing in for the kernel, so recorded kernel
 * messages go through the same receive, decode and answer-matching code as live ones.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jni_support.h"

/* Two connected sockets, packed as (first << 32) | second, or -errno. */
static jlong socket_pair(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	int fds[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
		return -errno;
	return ((jlong)fds[0] << 32) | (jlong)(uint32_t)fds[1];
}

/* Sends the first `length` bytes of `buffer` as one datagram; 0 or -errno. */
static jint send_datagram(JNIEnv *env, jclass cls, jint fd, jobject buffer, jint length)
{
	(void)cls;
	if (length < 0)
		return -EINVAL;
	const void *bytes = m4j_direct_buffer(env, buffer, (size_t)length, NULL);
	return bytes == NULL ? -EINVAL : m4j_send(fd, bytes, (size_t)length, MSG_NOSIGNAL);
}

/*
 * Waits up to timeout_millis (-1: no limit) for a datagram and reads it into `buffer`. Returns
 * its length, 0 when none came, -EMSGSIZE when it did not fit, or -errno.
 */
static jint receive_datagram(JNIEnv *env, jclass cls, jint fd, jobject buffer, jint timeout_millis)
{
	(void)cls;
	size_t capacity;
	uint8_t *bytes = m4j_direct_buffer(env, buffer, 0, &capacity);
	if (bytes == NULL)
		return -EINVAL;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int rc;
	while ((rc = poll(&pfd, 1, timeout_millis)) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (rc == 0)
		return 0;
	ssize_t len;
	while ((len = recv(fd, bytes, capacity, MSG_DONTWAIT | MSG_TRUNC)) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
	if (len == 0 && (pfd.revents & POLLHUP))
		return -ENOTCONN;
	return (size_t)len > capacity ? -EMSGSIZE : (jint)len;
}

static void close_fd(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	(void)close(fd);
}

/*
 * Bound by its name when KernelStandIn initializes, unlike the natives JNI_OnLoad binds: a
 * process that never stands in for the kernel binds none of the stand-in's. An exception is
 * pending when binding fails (RegisterNatives throws NoSuchMethodError).
 */
JNIEXPORT void JNICALL Java_org_mptcp4j_standin_KernelStandIn_registerNatives(JNIEnv *env, jclass cls)
{
	static const JNINativeMethod methods[] = {
		{"socketPair", "()J", (void *)socket_pair},
		{"send", "(ILjava/nio/ByteBuffer;I)I", (void *)send_datagram},
		{"receive", "(ILjava/nio/ByteBuffer;I)I", (void *)receive_datagram},
		{"close", "(I)V", (void *)close_fd},
	};
	if ((*env)->RegisterNatives(env, cls, methods, M4J_ARRAY_LEN(methods)) != JNI_OK &&
	    !(*env)->ExceptionCheck(env))
		m4j_throw_illegal_argument(env, "bind the natives of KernelStandIn");
}
