/*
 * Natives of org.mptcp4j.socket.MptcpSocket and MptcpServerSocket: IPPROTO_MPTCP sockets,
 * which the JDK cannot open, created in a chosen network namespace, and getsockopt
 * MPTCP_FULL_INFO for the socket's own connection and subflows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/tcp.h>

#include "jni_support.h"
#include "mptcp4j/mptcp_uapi.h"
#include "diag_record.h"
#include "network_namespace.h"

#define MAX_SUBFLOWS 32

/* Fills a sockaddr from a 4- or 16-byte Java address; returns its length, 0 if invalid. */
static socklen_t to_sockaddr(JNIEnv *env, jbyteArray address, jint port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	jsize len = (*env)->GetArrayLength(env, address);
	if (len == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		(*env)->GetByteArrayRegion(env, address, 0, 4, (jbyte *)&sin->sin_addr);
		return sizeof(*sin);
	}
	if (len == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		(*env)->GetByteArrayRegion(env, address, 0, 16, (jbyte *)&sin6->sin6_addr);
		return sizeof(*sin6);
	}
	m4j_throw_illegal_argument(env, "address must be 4 or 16 bytes");
	return 0;
}

static jint socket_open(JNIEnv *env, jclass cls, jint netns_fd, jint family)
{
	(void)cls;
	int saved;
	int rc = network_namespace_enter(netns_fd, &saved);
	if (rc < 0) {
		m4j_throw_io(env, "enter network namespace", -rc);
		return -1;
	}
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	int err = errno;
	network_namespace_leave(saved);
	if (fd < 0) {
		m4j_throw_io(env, "socket(IPPROTO_MPTCP)", err);
		return -1;
	}
	return fd;
}

static void socket_connect(JNIEnv *env, jclass cls, jint fd, jbyteArray address, jint port)
{
	(void)cls;
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(env, address, port, &ss);
	if (len == 0)
		return;
	while (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		if (errno != EINTR) {
			m4j_throw_io(env, "connect", errno);
			return;
		}
	}
}

static void socket_bind(JNIEnv *env, jclass cls, jint fd, jbyteArray address, jint port)
{
	(void)cls;
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(env, address, port, &ss);
	if (len == 0)
		return;
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
		m4j_throw_io(env, "setsockopt(SO_REUSEADDR)", errno);
		return;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0)
		m4j_throw_io(env, "bind", errno);
}

static void socket_listen(JNIEnv *env, jclass cls, jint fd, jint backlog)
{
	(void)cls;
	if (listen(fd, backlog) != 0)
		m4j_throw_io(env, "listen", errno);
}

static jint socket_accept(JNIEnv *env, jclass cls, jint fd)
{
	(void)cls;
	for (;;) {
		int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (client >= 0)
			return client;
		if (errno != EINTR && errno != ECONNABORTED) {
			m4j_throw_io(env, "accept", errno);
			return -1;
		}
	}
}

/* The address of [position, position + length) in a direct buffer; NULL with an exception pending. */
static uint8_t *buffer_range(JNIEnv *env, jobject buffer, jint position, jint length)
{
	size_t capacity;
	uint8_t *base = m4j_direct_buffer(env, buffer, 0, &capacity);
	if (base == NULL)
		return NULL;
	if (position < 0 || length < 0 || (size_t)position + (size_t)length > capacity) {
		m4j_throw_illegal_argument(env, "range outside the buffer");
		return NULL;
	}
	return base + position;
}

static jint socket_read(JNIEnv *env, jclass cls, jint fd, jobject buffer, jint position,
			jint length)
{
	(void)cls;
	uint8_t *at = buffer_range(env, buffer, position, length);
	if (at == NULL)
		return -1;
	for (;;) {
		ssize_t n = read(fd, at, (size_t)length);
		if (n > 0)
			return (jint)n;
		if (n == 0)
			return -1;
		if (errno != EINTR) {
			m4j_throw_io(env, "read", errno);
			return -1;
		}
	}
}

static jint socket_write(JNIEnv *env, jclass cls, jint fd, jobject buffer, jint position,
			 jint length)
{
	(void)cls;
	uint8_t *at = buffer_range(env, buffer, position, length);
	if (at == NULL)
		return -1;
	for (;;) {
		ssize_t n = send(fd, at, (size_t)length, MSG_NOSIGNAL);
		if (n >= 0)
			return (jint)n;
		if (errno != EINTR) {
			m4j_throw_io(env, "write", errno);
			return -1;
		}
	}
}

static void socket_shutdown(JNIEnv *env, jclass cls, jint fd, jint how)
{
	(void)cls;
	if (shutdown(fd, how) != 0 && errno != ENOTCONN)
		m4j_throw_io(env, "shutdown", errno);
}

static void socket_close(JNIEnv *env, jclass cls, jint fd)
{
	(void)cls;
	if (close(fd) != 0 && errno != EINTR)
		m4j_throw_io(env, "close", errno);
}

/* Local (or peer) address into out[16]; returns family << 16 | port. */
static jint socket_address(JNIEnv *env, jclass cls, jint fd, jboolean peer, jbyteArray out)
{
	(void)cls;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		      : getsockname(fd, (struct sockaddr *)&ss, &len);
	if (rc != 0) {
		m4j_throw_io(env, peer ? "getpeername" : "getsockname", errno);
		return -1;
	}
	uint8_t addr[16];
	uint16_t port = diag_record_address(addr, (const struct sockaddr *)&ss);
	(*env)->SetByteArrayRegion(env, out, 0, 16, (const jbyte *)addr);
	return (jint)(((uint32_t)ss.ss_family << 16) | port);
}

/*
 * The connection and its subflows as diag records (mptcp4j/diag_record.h): the connection
 * first, then one per subflow. Returns the number of records.
 */
static jint socket_info(JNIEnv *env, jclass cls, jint fd, jobject buffer)
{
	(void)cls;
	size_t capacity;
	struct mptcp4j_diag_record *out = m4j_direct_buffer(env, buffer, sizeof(struct mptcp4j_diag_record), &capacity);
	if (out == NULL)
		return -1;
	struct mptcp_subflow_info subflows[MAX_SUBFLOWS];
	struct tcp_info tcp[MAX_SUBFLOWS];
	memset(subflows, 0, sizeof(subflows));
	memset(tcp, 0, sizeof(tcp));
	struct mptcp_full_info full;
	memset(&full, 0, sizeof(full));
	full.size_tcpinfo_user = sizeof(struct tcp_info);
	full.size_sfinfo_user = sizeof(struct mptcp_subflow_info);
	full.size_arrays_user = MAX_SUBFLOWS;
	full.subflow_info = (uintptr_t)subflows;
	full.tcp_info = (uintptr_t)tcp;
	socklen_t len = sizeof(full);
	if (getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, &full, &len) != 0) {
		m4j_throw_io(env, "getsockopt(MPTCP_FULL_INFO)", errno);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->kind = MPTCP4J_DIAG_CONNECTION;
	diag_record_mptcp(out, &full.mptcp_info, sizeof(full.mptcp_info));
	uint32_t count = full.num_subflows < MAX_SUBFLOWS ? full.num_subflows : MAX_SUBFLOWS;
	size_t room = capacity / sizeof(*out) - 1;
	if (count > room)
		count = (uint32_t)room;
	size_t tcp_len = full.size_tcpinfo_kernel < sizeof(struct tcp_info) ? full.size_tcpinfo_kernel : sizeof(struct tcp_info);
	for (uint32_t i = 0; i < count; i++) {
		struct mptcp4j_diag_record *r = &out[1 + i];
		memset(r, 0, sizeof(*r));
		r->kind = MPTCP4J_DIAG_SUBFLOW;
		r->token = out->token;
		r->family = subflows[i].addrs.sa_family;
		r->local_port = diag_record_address(r->local_addr, &subflows[i].addrs.sa_local);
		r->remote_port = diag_record_address(r->remote_addr, &subflows[i].addrs.sa_remote);
		diag_record_tcp(r, &tcp[i], tcp_len);
	}
	if (count > 0) {
		/* The connection's addresses are its first subflow's. */
		out->family = out[1].family;
		out->local_port = out[1].local_port;
		out->remote_port = out[1].remote_port;
		memcpy(out->local_addr, out[1].local_addr, 16);
		memcpy(out->remote_addr, out[1].remote_addr, 16);
	}
	return (jint)(count + 1);
}

static const JNINativeMethod methods[] = {
	{"open", "(II)I", (void *)socket_open},
	{"connect", "(I[BI)V", (void *)socket_connect},
	{"bind", "(I[BI)V", (void *)socket_bind},
	{"listen", "(II)V", (void *)socket_listen},
	{"accept", "(I)I", (void *)socket_accept},
	{"read", "(ILjava/nio/ByteBuffer;II)I", (void *)socket_read},
	{"write", "(ILjava/nio/ByteBuffer;II)I", (void *)socket_write},
	{"shutdown", "(II)V", (void *)socket_shutdown},
	{"close", "(I)V", (void *)socket_close},
	{"address", "(IZ[B)I", (void *)socket_address},
	{"info", "(ILjava/nio/ByteBuffer;)I", (void *)socket_info},
};

int m4j_register_mptcp_socket(JNIEnv *env)
{
	return m4j_register(env, "org/mptcp4j/socket/MptcpSocket", methods,
			    M4J_ARRAY_LEN(methods));
}
