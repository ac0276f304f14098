/*
 * Natives of org.mptcp4j.netlink.SockDiag: every MPTCP connection of a network namespace and
 * every subflow, from sock_diag (what `ss -Mi` and `ss -ti` read), as diag records
 * (mptcp4j/diag_record.h). MPTCP sockets carry struct mptcp_info; their subflows are TCP
 * sockets whose ULP info names "mptcp" and holds the tokens and address ids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "diag_record.h"
#include "jni_support.h"
#include "netlink_error.h"
#include "network_namespace.h"

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

static const struct nla_policy ulp_policy[INET_ULP_INFO_MAX + 1] = {
	[INET_ULP_INFO_NAME] = {.type = NLA_STRING},
	[INET_ULP_INFO_MPTCP] = {.type = NLA_NESTED},
};

static const struct nla_policy subflow_policy[MPTCP_SUBFLOW_ATTR_MAX + 1] = {
	[MPTCP_SUBFLOW_ATTR_TOKEN_REM] = {.type = NLA_U32},
	[MPTCP_SUBFLOW_ATTR_TOKEN_LOC] = {.type = NLA_U32},
	[MPTCP_SUBFLOW_ATTR_FLAGS] = {.type = NLA_U32},
	[MPTCP_SUBFLOW_ATTR_ID_REM] = {.type = NLA_U8},
	[MPTCP_SUBFLOW_ATTR_ID_LOC] = {.type = NLA_U8},
};

/* A TCP socket's ULP info: fills the subflow's tokens and ids; 0 when it is no MPTCP subflow. */
static int read_subflow(struct nlattr *ulp, struct mptcp4j_diag_record *r)
{
	struct nlattr *tb[INET_ULP_INFO_MAX + 1];
	if (ulp == NULL || nla_parse_nested(tb, INET_ULP_INFO_MAX, ulp, ulp_policy) < 0 || tb[INET_ULP_INFO_NAME] == NULL ||
	    strcmp(nla_get_string(tb[INET_ULP_INFO_NAME]), "mptcp") != 0 || tb[INET_ULP_INFO_MPTCP] == NULL)
		return 0;
	struct nlattr *sf[MPTCP_SUBFLOW_ATTR_MAX + 1];
	if (nla_parse_nested(sf, MPTCP_SUBFLOW_ATTR_MAX, tb[INET_ULP_INFO_MPTCP], subflow_policy) < 0)
		return 0;
	r->kind = MPTCP4J_DIAG_SUBFLOW;
	if (sf[MPTCP_SUBFLOW_ATTR_TOKEN_LOC])
		r->token = nla_get_u32(sf[MPTCP_SUBFLOW_ATTR_TOKEN_LOC]);
	if (sf[MPTCP_SUBFLOW_ATTR_TOKEN_REM])
		r->remote_token = nla_get_u32(sf[MPTCP_SUBFLOW_ATTR_TOKEN_REM]);
	if (sf[MPTCP_SUBFLOW_ATTR_FLAGS])
		r->flags = nla_get_u32(sf[MPTCP_SUBFLOW_ATTR_FLAGS]);
	if (sf[MPTCP_SUBFLOW_ATTR_ID_LOC])
		r->loc_id = nla_get_u8(sf[MPTCP_SUBFLOW_ATTR_ID_LOC]);
	if (sf[MPTCP_SUBFLOW_ATTR_ID_REM])
		r->rem_id = nla_get_u8(sf[MPTCP_SUBFLOW_ATTR_ID_REM]);
	return 1;
}

static void read_id(struct mptcp4j_diag_record *r, const struct inet_diag_msg *m)
{
	r->family = m->idiag_family;
	r->local_port = ntohs(m->id.idiag_sport);
	r->remote_port = ntohs(m->id.idiag_dport);
	memcpy(r->local_addr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	memcpy(r->remote_addr, m->id.idiag_dst, m->idiag_family == AF_INET ? 4 : 16);
	r->if_index = m->id.idiag_if;
	memcpy(&r->cookie, m->id.idiag_cookie, sizeof(r->cookie));
	r->state = m->idiag_state;
}

static int on_socket(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || !nlmsg_valid_hdr(nlh, sizeof(struct inet_diag_msg)))
		return NL_SKIP;
	const struct inet_diag_msg *m = nlmsg_data(nlh);
	struct nlattr *tb[INET_DIAG_MAX + 1];
	if (nlmsg_parse(nlh, sizeof(*m), tb, INET_DIAG_MAX, NULL) < 0)
		return NL_SKIP;
	struct mptcp4j_diag_record scratch;
	struct mptcp4j_diag_record *r = d->count < d->capacity ? &d->out[d->count] : &scratch;
	memset(r, 0, sizeof(*r));
	if (d->protocol == IPPROTO_TCP) {
		if (!read_subflow(tb[INET_DIAG_ULP_INFO], r))
			return NL_OK; /* a plain TCP socket */
		if (tb[INET_DIAG_INFO])
			diag_record_tcp(r, nla_data(tb[INET_DIAG_INFO]), (size_t)nla_len(tb[INET_DIAG_INFO]));
		read_id(r, m);
	} else {
		r->kind = m->idiag_state == 10 /* TCP_LISTEN */ ? MPTCP4J_DIAG_LISTENER : MPTCP4J_DIAG_CONNECTION;
		if (tb[INET_DIAG_INFO])
			diag_record_mptcp(r, nla_data(tb[INET_DIAG_INFO]), (size_t)nla_len(tb[INET_DIAG_INFO]));
		read_id(r, m);
	}
	/* Past the buffer's end: keep counting, so Java sizes the next buffer once. */
	if (d->count >= d->capacity)
		d->overflow = 1;
	d->count++;
	return NL_OK;
}

/* One dump of `protocol` sockets of `family`, all states, with their INET_DIAG_INFO. */
static int dump_family(struct nl_sock *sk, struct dump *d, int family, int protocol)
{
	struct inet_diag_req_v2 req;
	memset(&req, 0, sizeof(req));
	req.sdiag_family = (uint8_t)family;
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_ext = 1 << (INET_DIAG_INFO - 1);
	req.idiag_states = ~0u;
	struct nl_msg *msg = nlmsg_alloc_simple(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP);
	if (msg == NULL)
		return -NLE_NOMEM;
	int rc = nlmsg_append(msg, &req, sizeof(req), NLMSG_ALIGNTO);
	/* IPPROTO_MPTCP does not fit the u8 sdiag_protocol: it goes in an attribute (5.9). */
	if (rc >= 0 && protocol != IPPROTO_TCP)
		rc = nla_put_u32(msg, INET_DIAG_REQ_PROTOCOL, (uint32_t)protocol);
	d->protocol = protocol;
	if (rc >= 0)
		rc = nl_send_auto(sk, msg);
	if (rc >= 0)
		rc = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	return rc;
}

static jlong open_sock_diag(JNIEnv *env, jclass cls, jint netns_fd)
{
	(void)cls;
	struct sock_diag *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->sk = nl_socket_alloc()) == NULL) {
		free(s);
		m4j_throw_mptcp(env, "allocate sock_diag socket", ENOMEM, NULL);
		return 0;
	}
	int saved;
	int rc = network_namespace_enter(netns_fd, &saved);
	if (rc < 0) {
		nl_socket_free(s->sk);
		free(s);
		m4j_throw_mptcp(env, "enter network namespace", -rc, NULL);
		return 0;
	}
	int nlerr = nl_connect(s->sk, NETLINK_SOCK_DIAG);
	int connect_errno = errno;
	network_namespace_leave(saved);
	if (nlerr >= 0)
		nlerr = netlink_error_capture(s->sk, &s->error);
	if (nlerr < 0) {
		nl_socket_free(s->sk);
		free(s);
		m4j_throw_mptcp(env, "connect sock_diag socket", connect_errno, nl_geterror(nlerr));
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
