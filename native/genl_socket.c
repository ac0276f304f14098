#define _GNU_SOURCE
#include "genl_socket.h"

#include <errno.h>
#include <stdio.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include "jni_support.h"
#include "mptcp4j/mptcp_uapi.h"
#include "netlink_socket.h"

struct nl_sock *genl_socket_connect(JNIEnv *env, int netns_fd)
{
	return netlink_socket_open(env, netns_fd, NETLINK_GENERIC, "generic netlink");
}

struct nl_sock *genl_socket_open(JNIEnv *env, int netns_fd, const char *family, int *family_id)
{
	struct nl_sock *sk = genl_socket_connect(env, netns_fd);
	if (sk == NULL)
		return NULL;
	int id = genl_ctrl_resolve(sk, family);
	if (id < 0) {
		char what[96];
		snprintf(what, sizeof(what), "resolve generic netlink family %s", family);
		nl_socket_free(sk);
		if (id == -NLE_OBJ_NOTFOUND)
			m4j_throw_mptcp(env, what, ENOENT, NULL);
		else
			m4j_throw_mptcp(env, what, 0, nl_geterror(id));
		return NULL;
	}
	*family_id = id;
	return sk;
}

int genl_socket_group(JNIEnv *env, struct nl_sock *sk, const char *family, const char *group)
{
	int id = genl_ctrl_resolve_grp(sk, family, group);
	if (id < 0) {
		char what[96];
		snprintf(what, sizeof(what), "resolve multicast group %s", group);
		if (id == -NLE_OBJ_NOTFOUND)
			m4j_throw_mptcp(env, what, ENOENT, NULL);
		else
			m4j_throw_mptcp(env, what, 0, nl_geterror(id));
		return -1;
	}
	return id;
}

int genl_socket_name(JNIEnv *env, jstring name, char *buf, size_t size)
{
	if (name == NULL) {
		m4j_throw_mptcp(env, "resolve generic netlink family", EINVAL, "no name given");
		return -1;
	}
	jsize length = (*env)->GetStringUTFLength(env, name);
	if ((size_t)length >= size) {
		m4j_throw_mptcp(env, "resolve generic netlink family", ENAMETOOLONG, NULL);
		return -1;
	}
	(*env)->GetStringUTFRegion(env, name, 0, (*env)->GetStringLength(env, name), buf);
	buf[length] = '\0';
	return (*env)->ExceptionCheck(env) ? -1 : 0;
}

int genl_socket_set_receive_buffer(struct nl_sock *sk, int bytes)
{
	int fd = nl_socket_get_fd(sk);
	/* SO_RCVBUFFORCE needs CAP_NET_ADMIN, which a path manager has; else rmem_max caps. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) != 0)
		return -errno;
	int actual = 0;
	socklen_t len = sizeof(actual);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &actual, &len) != 0)
		return -errno;
	return actual;
}

ssize_t genl_socket_receive(int fd, void *buf, size_t size, uint32_t *sender)
{
	struct sockaddr_nl from = {0};
	struct iovec iov = {.iov_base = buf, .iov_len = size};
	struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t len;
	while ((len = recvmsg(fd, &mh, MSG_DONTWAIT)) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
	/* An adopted socket pair (no peer address) reads 0 bytes once its peer closed. */
	if (len == 0 && mh.msg_namelen == 0)
		return -ENOTCONN;
	*sender = from.nl_family == AF_NETLINK ? from.nl_pid : 0;
	return (mh.msg_flags & MSG_TRUNC) ? -EMSGSIZE : len;
}
