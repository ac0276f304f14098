/*
 * Natives of org.mptcp4j.socket.MptcpChannels: the socket under a JDK channel replaced by an
 * IPPROTO_MPTCP one (which the JDK cannot open), made in a chosen network namespace, and
 * getsockopt MPTCP_FULL_INFO for the socket's own connection and subflows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/tcp.h>

#include "jni_support.h"
#include "mptcp4j/mptcp_uapi.h"
#include "diag_record.h"
#include "network_namespace.h"

#define MAX_SUBFLOWS 32

/* The descriptor under a JDK channel (see m4j_channel_fd). */
static jint channels_fd(JNIEnv *env, jclass cls, jobject channel)
{
	(void)cls;
	return m4j_channel_fd(env, channel);
}

/* An int socket option of fd, or -1 with errno set. */
static int int_option(int fd, int level, int name)
{
	int value = 0;
	socklen_t len = sizeof(value);
	if (getsockopt(fd, level, name, &value, &len) != 0)
		return -1;
	return value;
}

/*
 * Puts a new socket of the same family, with protocol (IPPROTO_MPTCP or IPPROTO_TCP), made in
 * the namespace netns_fd (-1: this one), where fd was: same descriptor number, same blocking
 * mode, IPV6_V6ONLY and SO_REUSEADDR as the JDK set them. The channel never sees the change:
 * dup3 closes its old socket and puts the new one under the same number at once.
 */
static void channels_replace(JNIEnv *env, jclass cls, jint fd, jint netns_fd, jint protocol)
{
	(void)cls;
	int family = int_option(fd, SOL_SOCKET, SO_DOMAIN);
	int reuse = int_option(fd, SOL_SOCKET, SO_REUSEADDR);
	int v6only = family == AF_INET6 ? int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY) : 0;
	int flags = fcntl(fd, F_GETFL);
	if (family < 0 || reuse < 0 || v6only < 0 || flags < 0) {
		m4j_throw_io(env, "read the channel's socket options", errno);
		return;
	}
	int saved;
	int rc = network_namespace_enter(netns_fd, &saved);
	if (rc < 0) {
		m4j_throw_io(env, "enter network namespace", -rc);
		return;
	}
	int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, protocol);
	int err = errno;
	network_namespace_leave(saved);
	if (s < 0) {
		m4j_throw_io(env, protocol == IPPROTO_MPTCP ? "socket(IPPROTO_MPTCP)" : "socket(IPPROTO_TCP)", err);
		return;
	}
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)) != 0 ||
	    (family == AF_INET6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) != 0) ||
	    fcntl(s, F_SETFL, flags & O_NONBLOCK) != 0 || dup3(s, fd, O_CLOEXEC) < 0) {
		err = errno;
		close(s);
		m4j_throw_io(env, "put the new socket under the channel", err);
		return;
	}
	if (close(s) != 0 && errno != EINTR)
		m4j_throw_io(env, "close the spare descriptor", errno);
}

/* An int socket option the Java side asks for (SO_PROTOCOL, TCP_IS_MPTCP); -1 with an IOException. */
static jint channels_option(JNIEnv *env, jclass cls, jint fd, jint level, jint name)
{
	(void)cls;
	int value = int_option(fd, level, name);
	if (value < 0)
		m4j_throw_io(env, "getsockopt", errno);
	return value;
}

/*
 * The connection and its subflows as diag records (mptcp4j/diag_record.h): the connection
 * first, then one per subflow. Returns the number of records.
 */
static jint channels_info(JNIEnv *env, jclass cls, jint fd, jobject buffer)
{
	(void)cls;
	size_t capacity;
	struct mptcp4j_diag_record *out = m4j_direct_buffer(env, buffer, sizeof(struct mptcp4j_diag_record), &capacity);
	if (out == NULL)
		return -1;
	struct mptcp_subflow_info subflows[MAX_SUBFLOWS];
	/* Raw, longer than the build machine's struct tcp_info: diag_record_tcp reads the newer fields. */
	_Alignas(8) uint8_t tcp[MAX_SUBFLOWS][TCPI_FULL_INFO_REQUEST];
	memset(subflows, 0, sizeof(subflows));
	memset(tcp, 0, sizeof(tcp));
	struct mptcp_full_info full;
	memset(&full, 0, sizeof(full));
	full.size_tcpinfo_user = TCPI_FULL_INFO_REQUEST;
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
	size_t tcp_len = full.size_tcpinfo_kernel < TCPI_FULL_INFO_REQUEST ? full.size_tcpinfo_kernel : TCPI_FULL_INFO_REQUEST;
	for (uint32_t i = 0; i < count; i++) {
		struct mptcp4j_diag_record *r = &out[1 + i];
		memset(r, 0, sizeof(*r));
		r->kind = MPTCP4J_DIAG_SUBFLOW;
		r->token = out->token;
		r->family = subflows[i].addrs.sa_family;
		r->local_port = diag_record_address(r->local_addr, &subflows[i].addrs.sa_local);
		r->remote_port = diag_record_address(r->remote_addr, &subflows[i].addrs.sa_remote);
		diag_record_tcp(r, tcp[i], tcp_len);
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
	{"fd", "(Ljava/lang/Object;)I", (void *)channels_fd},
	{"replace", "(III)V", (void *)channels_replace},
	{"option", "(III)I", (void *)channels_option},
	{"info", "(ILjava/nio/ByteBuffer;)I", (void *)channels_info},
};

int m4j_register_mptcp_channels(JNIEnv *env)
{
	return m4j_register(env, "org/mptcp4j/socket/MptcpChannels", methods,
			    M4J_ARRAY_LEN(methods));
}
