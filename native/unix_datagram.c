/*
 * Natives of org.mptcp4j.natives.UnixDatagram: a Unix datagram socket, bound or not, that sends
 * to a path or an abstract address (the service manager's NOTIFY_SOCKET, the journal's socket,
 * /dev/log) and receives. The JDK before 22 has no Unix datagram channel. Each call returns its
 * result or -errno, as the FFM transport's LinuxCalls do: Java says what failed.
 *
 * An address crosses as sun_path's bytes, without a terminating NUL: a leading NUL names the
 * abstract namespace, whose address is exactly those bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "jni_support.h"

static jint open_socket(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return fd >= 0 ? fd : -errno;
}

/* Fills *address from the Java bytes; its length, or -errno. */
static int unix_address(JNIEnv *env, jbyteArray bytes, struct sockaddr_un *address)
{
	jsize n = (*env)->GetArrayLength(env, bytes);
	memset(address, 0, sizeof(*address));
	address->sun_family = AF_UNIX;
	if (n < 1 || (size_t)n >= sizeof(address->sun_path))
		return -ENAMETOOLONG;
	(*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *)address->sun_path);
	if ((*env)->ExceptionCheck(env))
		return -EINVAL;
	/* A path's terminating NUL is counted, as sd_notify does; an abstract name has none. */
	return (int)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + (address->sun_path[0] != 0 ? 1 : 0));
}

static jint bind_unix(JNIEnv *env, jclass cls, jint fd, jbyteArray bytes)
{
	(void)cls;
	struct sockaddr_un address;
	int length = unix_address(env, bytes, &address);
	if (length < 0)
		return length;
	return bind(fd, (struct sockaddr *)&address, (socklen_t)length) == 0 ? 0 : -errno;
}

static jint send_to(JNIEnv *env, jclass cls, jint fd, jbyteArray bytes, jobject buffer, jint length)
{
	(void)cls;
	struct sockaddr_un address;
	int address_length = unix_address(env, bytes, &address);
	if (address_length < 0)
		return address_length;
	if (length < 0)
		return -EINVAL;
	void *data = m4j_direct_buffer(env, buffer, (size_t)length, NULL);
	if (data == NULL)
		return -EINVAL;
	for (;;) {
		/* Never waits: a reader that stopped (a hung journal) must not hang who logs. */
		ssize_t sent = sendto(fd, data, (size_t)length, MSG_NOSIGNAL | MSG_DONTWAIT,
				      (struct sockaddr *)&address, (socklen_t)address_length);
		if (sent >= 0)
			return (jint)sent;
		if (errno != EINTR)
			return -errno;
	}
}

/* One datagram into the buffer's first length bytes, waiting up to timeout_millis: its length, -EAGAIN on timeout. */
static jint receive(JNIEnv *env, jclass cls, jint fd, jobject buffer, jint length, jint timeout_millis)
{
	(void)cls;
	if (length < 0)
		return -EINVAL;
	void *data = m4j_direct_buffer(env, buffer, (size_t)length, NULL);
	if (data == NULL)
		return -EINVAL;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int ready = poll(&p, 1, timeout_millis);
	if (ready < 0)
		return -errno;
	if (ready == 0)
		return -EAGAIN;
	ssize_t received = recv(fd, data, (size_t)length, MSG_DONTWAIT);
	return received >= 0 ? (jint)received : -errno;
}

static jint close_socket(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	return close(fd) == 0 ? 0 : -errno;
}

static const JNINativeMethod methods[] = {
	{"openSocket", "()I", (void *)open_socket},
	{"bindUnix", "(I[B)I", (void *)bind_unix},
	{"sendTo", "(I[BLjava/nio/ByteBuffer;I)I", (void *)send_to},
	{"receive", "(ILjava/nio/ByteBuffer;II)I", (void *)receive},
	{"closeSocket", "(I)I", (void *)close_socket},
};

int m4j_register_unix_datagram(JNIEnv *env)
{
	return m4j_register(env, "org/mptcp4j/natives/UnixDatagram", methods, M4J_ARRAY_LEN(methods));
}
