/*
 * Natives of org.mptcp4j.netlink.SockDiag: every MPTCP connection of a network namespace and
 * every subflow, from sock_diag (what `ss -Mi` and `ss -ti` read), as diag records
 * (mptcp4j/diag_record.h). MPTCP sockets carry struct mptcp_info; their subflows are TCP
 * sockets whose ULP info names "mptcp" and holds the tokens and address ids (read in
 * diag_message.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "diag_message.h"
#include "jni_support.h"
#include "netlink_error.h"
#include "netlink_socket.h"
#include "mptcp4j/mptcp_uapi.h"

/* A sock_diag socket opened once in its namespace, dumped as often as asked. */
struct sock_diag {
	struct nl_sock *sk;
	struct netlink_error error;
};

struct dump {
	struct mptcp4j_diag_record *out;
	int capacity;
	int count;
	int overflow;
	int protocol;
};

static int on_socket(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct mptcp4j_diag_record scratch;
	struct mptcp4j_diag_record *r = d->count < d->capacity ? &d->out[d->count] : &scratch;
	if (!diag_message_parse(nlmsg_hdr(msg), d->protocol, r))
		return NL_SKIP;
	/* Past the buffer's end: keep counting, so Java sizes the next buffer once. */
	if (d->count >= d->capacity)
		d->overflow = 1;
	d->count++;
	return NL_OK;
}

/* One dump of `protocol` sockets of `family`, all states, with their INET_DIAG_INFO. */
static int dump_family(struct nl_sock *sk, struct dump *d, int family, int protocol)
{
	struct nl_msg *msg = diag_message_request(family, protocol);
	if (msg == NULL)
		return -NLE_NOMEM;
	d->protocol = protocol;
	int rc = nl_send_auto(sk, msg);
	if (rc >= 0)
		rc = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	return rc;
}

static jlong open_sock_diag(JNIEnv *env, jclass cls, jint netns_fd)
{
	(void)cls;
	struct sock_diag *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		m4j_throw_mptcp(env, "allocate sock_diag socket", ENOMEM, NULL);
		return 0;
	}
	s->sk = netlink_socket_open(env, netns_fd, NETLINK_SOCK_DIAG, "sock_diag");
	if (s->sk == NULL) {
		free(s);
		return 0;
	}
	int nlerr = netlink_error_capture(s->sk, &s->error);
	if (nlerr < 0) {
		nl_socket_free(s->sk);
		free(s);
		m4j_throw_mptcp(env, "read errors of the sock_diag socket", 0, nl_geterror(nlerr));
		return 0;
	}
	return (jlong)(intptr_t)s;
}

/* Fills the buffer; returns the record count, -count when they did not all fit, or -1 with an exception. */
static jint dump_sockets(JNIEnv *env, jclass cls, jlong handle, jobject buffer)
{
	(void)cls;
	struct sock_diag *s = (struct sock_diag *)(intptr_t)handle;
	size_t capacity;
	struct mptcp4j_diag_record *out = m4j_direct_buffer(env, buffer, 0, &capacity);
	if (out == NULL)
		return -1;
	struct dump d = {.out = out, .capacity = (int)(capacity / sizeof(*out))};
	s->error.error = 0;
	int nlerr = nl_socket_modify_cb(s->sk, NL_CB_VALID, NL_CB_CUSTOM, on_socket, &d);
	/* Connections and listeners first, then the subflows that refer to them. */
	static const int families[] = {AF_INET, AF_INET6};
	for (int p = 0; p < 2 && nlerr >= 0; p++)
		for (int f = 0; f < 2 && nlerr >= 0 && s->error.error == 0; f++)
			nlerr = dump_family(s->sk, &d, families[f], p == 0 ? IPPROTO_MPTCP : IPPROTO_TCP);
	if (s->error.error != 0) {
		m4j_throw_mptcp(env, "dump sockets (SOCK_DIAG_BY_FAMILY)", s->error.error,
				s->error.message[0] ? s->error.message : NULL);
		return -1;
	}
	if (nlerr < 0) {
		m4j_throw_mptcp(env, "dump sockets (SOCK_DIAG_BY_FAMILY)", 0, nl_geterror(nlerr));
		return -1;
	}
	return d.overflow ? -d.count : d.count;
}

static void close_sock_diag(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct sock_diag *s = (struct sock_diag *)(intptr_t)handle;
	nl_socket_free(s->sk);
	free(s);
}

int m4j_register_sock_diag(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"open", "(I)J", (void *)open_sock_diag},
		{"dump", "(JLjava/nio/ByteBuffer;)I", (void *)dump_sockets},
		{"close", "(J)V", (void *)close_sock_diag},
	};
	return m4j_register(env, "org/mptcp4j/netlink/SockDiag", methods, M4J_ARRAY_LEN(methods));
}
