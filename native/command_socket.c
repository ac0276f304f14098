/*
 * Natives of org.mptcp4j.netlink.CommandSocket: a socket of its own for path-manager
 * commands, apart from the event socket. Java writes a request (mptcp4j/command_request.h);
 * send() encodes it with libnl and sends it without waiting, so requests can be pipelined;
 * receive() reads one datagram of answers and decodes every message addressed to this socket
 * into reply records (mptcp4j/command_reply.h) that Java matches to requests by sequence number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "genl_socket.h"
#include "jni_support.h"
#include "netlink_error.h"
#include "mptcp4j/command_reply.h"
#include "mptcp4j/command_request.h"
#include "mptcp4j/mptcp_uapi.h"

/* Room for the acknowledgements of a full window of pipelined requests. */
#define RECEIVE_BUFFER_BYTES (4 << 20)

struct command_socket {
	struct nl_sock *sk;
	int fd;
	int family_id;
	uint32_t port_id;
	uint32_t seq;
	struct nl_msg *msg; /* reused for every request */
	const struct mptcp4j_command_request *request;
	struct mptcp4j_reply_record *replies;
	char *texts;
	uint64_t foreign; /* messages not for this socket, or not from the kernel */
	uint8_t rx[MPTCP4J_REPLY_DATAGRAM_MAX];
};

static const struct nla_policy address_policy[MPTCP_PM_ADDR_ATTR_IF_IDX + 1] = {
	[MPTCP_PM_ADDR_ATTR_FAMILY] = {.type = NLA_U16, .maxlen = 2},
	[MPTCP_PM_ADDR_ATTR_ID] = {.type = NLA_U8, .maxlen = 1},
	[MPTCP_PM_ADDR_ATTR_ADDR4] = {.minlen = 4, .maxlen = 4},
	[MPTCP_PM_ADDR_ATTR_ADDR6] = {.minlen = 16, .maxlen = 16},
	[MPTCP_PM_ADDR_ATTR_PORT] = {.type = NLA_U16, .maxlen = 2},
	[MPTCP_PM_ADDR_ATTR_FLAGS] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_PM_ADDR_ATTR_IF_IDX] = {.type = NLA_U32, .maxlen = 4},
};

static const struct nla_policy reply_policy[MPTCP_PM_ATTR_ADDR_REMOTE + 1] = {
	[MPTCP_PM_ATTR_ADDR] = {.type = NLA_NESTED},
	[MPTCP_PM_ATTR_RCV_ADD_ADDRS] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_PM_ATTR_SUBFLOWS] = {.type = NLA_U32, .maxlen = 4},
};

static int put_address(struct nl_msg *msg, int type, const struct mptcp4j_pm_address *a)
{
	struct nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);
	if (nest == NULL)
		return -1;
	int rc = 0;
	if (a->family != 0)
		rc |= nla_put_u16(msg, MPTCP_PM_ADDR_ATTR_FAMILY, a->family);
	if (a->present & MPTCP4J_ADDR_HAS_ID)
		rc |= nla_put_u8(msg, MPTCP_PM_ADDR_ATTR_ID, a->id);
	if (a->present & MPTCP4J_ADDR_HAS_ADDR) {
		if (a->family == AF_INET6)
			rc |= nla_put(msg, MPTCP_PM_ADDR_ATTR_ADDR6, 16, a->addr);
		else
			rc |= nla_put(msg, MPTCP_PM_ADDR_ATTR_ADDR4, 4, a->addr);
	}
	/* Command ports are host order, unlike event ports. */
	if (a->present & MPTCP4J_ADDR_HAS_PORT)
		rc |= nla_put_u16(msg, MPTCP_PM_ADDR_ATTR_PORT, a->port);
	if (a->present & MPTCP4J_ADDR_HAS_FLAGS)
		rc |= nla_put_u32(msg, MPTCP_PM_ADDR_ATTR_FLAGS, a->flags);
	if (a->present & MPTCP4J_ADDR_HAS_IF_IDX)
		rc |= nla_put_s32(msg, MPTCP_PM_ADDR_ATTR_IF_IDX, a->if_idx);
	if (rc != 0)
		return -1;
	return nla_nest_end(msg, nest);
}

/* The one address decoder for replies: an MPTCP_PM_ADDR_ATTR_* nest into the shared struct. */
static int get_address(struct nlattr *nest, struct mptcp4j_pm_address *a)
{
	struct nlattr *tb[MPTCP_PM_ADDR_ATTR_IF_IDX + 1];
	if (nla_parse_nested(tb, MPTCP_PM_ADDR_ATTR_IF_IDX, nest, address_policy) < 0)
		return -1;
	memset(a, 0, sizeof(*a));
	if (tb[MPTCP_PM_ADDR_ATTR_FAMILY])
		a->family = nla_get_u16(tb[MPTCP_PM_ADDR_ATTR_FAMILY]);
	if (tb[MPTCP_PM_ADDR_ATTR_ADDR4]) {
		memcpy(a->addr, nla_data(tb[MPTCP_PM_ADDR_ATTR_ADDR4]), 4);
		a->present |= MPTCP4J_ADDR_HAS_ADDR;
	} else if (tb[MPTCP_PM_ADDR_ATTR_ADDR6]) {
		memcpy(a->addr, nla_data(tb[MPTCP_PM_ADDR_ATTR_ADDR6]), 16);
		a->present |= MPTCP4J_ADDR_HAS_ADDR;
	}
	if (tb[MPTCP_PM_ADDR_ATTR_ID]) {
		a->id = nla_get_u8(tb[MPTCP_PM_ADDR_ATTR_ID]);
		a->present |= MPTCP4J_ADDR_HAS_ID;
	}
	if (tb[MPTCP_PM_ADDR_ATTR_PORT]) {
		a->port = nla_get_u16(tb[MPTCP_PM_ADDR_ATTR_PORT]);
		a->present |= MPTCP4J_ADDR_HAS_PORT;
	}
	if (tb[MPTCP_PM_ADDR_ATTR_FLAGS]) {
		a->flags = nla_get_u32(tb[MPTCP_PM_ADDR_ATTR_FLAGS]);
		a->present |= MPTCP4J_ADDR_HAS_FLAGS;
	}
	if (tb[MPTCP_PM_ADDR_ATTR_IF_IDX]) {
		a->if_idx = (int32_t)nla_get_u32(tb[MPTCP_PM_ADDR_ATTR_IF_IDX]);
		a->present |= MPTCP4J_ADDR_HAS_IF_IDX;
	}
	return 0;
}

/* The one encoder: request struct -> generic-netlink message. */
static int encode(struct command_socket *s)
{
	const struct mptcp4j_command_request *req = s->request;
	struct nl_msg *msg = s->msg;
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN;
	/* Plain requests are acknowledged; a dump ends with NLMSG_DONE instead. */
	int flags = NLM_F_REQUEST | ((req->present & MPTCP4J_REQ_DUMP) ? NLM_F_DUMP : NLM_F_ACK);
	/* Sequence numbers go back to Java as positive ints. */
	if (++s->seq > INT32_MAX)
		s->seq = 1;
	if (genlmsg_put(msg, s->port_id, s->seq, s->family_id, 0, flags, req->cmd, MPTCP_PM_VER) == NULL)
		return -EMSGSIZE;
	int rc = 0;
	if (req->present & MPTCP4J_REQ_HAS_TOKEN)
		rc |= nla_put_u32(msg, MPTCP_PM_ATTR_TOKEN, req->token);
	if (req->present & MPTCP4J_REQ_HAS_LOC_ID)
		rc |= nla_put_u8(msg, MPTCP_PM_ATTR_LOC_ID, req->loc_id);
	if (req->present & MPTCP4J_REQ_HAS_RCV_ADD_ADDRS)
		rc |= nla_put_u32(msg, MPTCP_PM_ATTR_RCV_ADD_ADDRS, req->rcv_add_addrs);
	if (req->present & MPTCP4J_REQ_HAS_SUBFLOWS)
		rc |= nla_put_u32(msg, MPTCP_PM_ATTR_SUBFLOWS, req->subflows);
	if (req->present & MPTCP4J_REQ_HAS_ADDR)
		rc |= put_address(msg, MPTCP_PM_ATTR_ADDR, &req->addr);
	if (req->present & MPTCP4J_REQ_HAS_REMOTE)
		rc |= put_address(msg, MPTCP_PM_ATTR_ADDR_REMOTE, &req->remote);
	return rc == 0 ? 0 : -EMSGSIZE;
}

/* Sends the request; returns its sequence number (> 0) or -errno. */
static jint send_request(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct command_socket *s = (struct command_socket *)(intptr_t)handle;
	int rc = encode(s);
	if (rc < 0)
		return rc;
	struct nlmsghdr *nlh = nlmsg_hdr(s->msg);
	while (send(s->fd, nlh, nlh->nlmsg_len, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return (jint)s->seq;
}

/* Encodes the request into `out` without sending it: for comparing encoders. Returns the length or -errno. */
static jint encode_request(JNIEnv *env, jclass cls, jlong handle, jobject out)
{
	(void)cls;
	size_t capacity;
	uint8_t *dst = m4j_direct_buffer(env, out, 0, &capacity);
	if (dst == NULL)
		return -EINVAL;
	struct command_socket *s = (struct command_socket *)(intptr_t)handle;
	int rc = encode(s);
	if (rc < 0)
		return rc;
	struct nlmsghdr *nlh = nlmsg_hdr(s->msg);
	if (nlh->nlmsg_len > capacity)
		return -EMSGSIZE;
	memcpy(dst, nlh, nlh->nlmsg_len);
	return (jint)nlh->nlmsg_len;
}

/* Copies `len` bytes of error text after `*text_used` bytes of the text buffer. */
static void put_text(struct command_socket *s, struct mptcp4j_reply_record *r, const char *text,
		     size_t len, size_t *text_used)
{
	if (len > MPTCP4J_REPLY_TEXT_SIZE - *text_used)
		len = MPTCP4J_REPLY_TEXT_SIZE - *text_used;
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	memcpy(s->texts + *text_used, text, len);
	r->text_off = (uint32_t)*text_used;
	r->text_len = (uint16_t)len;
	*text_used += len;
}

/* The extended-ack text at `tlv_off` of a final message, into the reply's text. */
static void read_extack(struct command_socket *s, struct nlmsghdr *nlh, size_t tlv_off,
			struct mptcp4j_reply_record *r, size_t *text_used)
{
	char text[512];
	size_t len = netlink_extack_text(nlh, tlv_off, text, sizeof(text));
	if (len > 0)
		put_text(s, r, text, len, text_used);
}

/* NLMSG_ERROR ends a plain request: error 0 is the acknowledgement. */
static void read_ack(struct command_socket *s, struct nlmsghdr *nlh, struct mptcp4j_reply_record *r,
		     size_t *text_used)
{
	r->kind = MPTCP4J_REPLY_ACK;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
		r->error = -EPROTO;
		put_text(s, r, "truncated acknowledgement", strlen("truncated acknowledgement"), text_used);
		return;
	}
	const struct nlmsgerr *e = nlmsg_data(nlh);
	r->error = e->error;
	if (e->error == 0)
		return;
	/* With NETLINK_CAP_ACK the request is not echoed, only its header. */
	size_t tlv_off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		tlv_off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	read_extack(s, nlh, tlv_off, r, text_used);
}

/* NLMSG_DONE ends a dump; a dump that failed carries the error in it, then the extended ack. */
static void read_done(struct command_socket *s, struct nlmsghdr *nlh, struct mptcp4j_reply_record *r,
		      size_t *text_used)
{
	r->kind = MPTCP4J_REPLY_DONE;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		int error;
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
		if (error < 0) {
			r->error = error;
			read_extack(s, nlh, NLMSG_HDRLEN + sizeof(int), r, text_used);
		}
	}
}

/* A reply carrying data: GET_ADDR's address, GET_LIMITS's limits. */
static void read_data(struct nlmsghdr *nlh, struct mptcp4j_reply_record *r)
{
	r->kind = MPTCP4J_REPLY_DATA;
	struct nlattr *tb[MPTCP_PM_ATTR_ADDR_REMOTE + 1];
	if (!genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, tb, MPTCP_PM_ATTR_ADDR_REMOTE, reply_policy) < 0) {
		r->kind = MPTCP4J_REPLY_ACK;
		r->error = -EPROTO;
		return;
	}
	r->present = 0;
	if (tb[MPTCP_PM_ATTR_ADDR] && get_address(tb[MPTCP_PM_ATTR_ADDR], &r->addr) == 0)
		r->present |= MPTCP4J_REPLY_HAS_ADDR;
	if (tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS]) {
		r->rcv_add_addrs = nla_get_u32(tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS]);
		r->present |= MPTCP4J_REPLY_HAS_RCV_ADD_ADDRS;
	}
	if (tb[MPTCP_PM_ATTR_SUBFLOWS]) {
		r->subflows = nla_get_u32(tb[MPTCP_PM_ATTR_SUBFLOWS]);
		r->present |= MPTCP4J_REPLY_HAS_SUBFLOWS;
	}
}

/*
 * Waits up to timeout_millis (-1: no limit, 0: not at all) for a datagram, reads it and
 * decodes its messages for this socket into reply records. Returns the number of records,
 * 0 when nothing came, or -errno (-ENOBUFS: answers were lost).
 */
static jint receive_replies(JNIEnv *env, jclass cls, jlong handle, jint timeout_millis)
{
	(void)env;
	(void)cls;
	struct command_socket *s = (struct command_socket *)(intptr_t)handle;
	if (timeout_millis != 0) {
		struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
		int rc = poll(&pfd, 1, timeout_millis);
		if (rc < 0)
			return errno == EINTR ? 0 : -errno;
		if (rc == 0)
			return 0;
	}
	uint32_t sender;
	ssize_t len = genl_socket_receive(s->fd, s->rx, sizeof(s->rx), &sender);
	if (len <= 0)
		return (int)len;
	if (sender != 0) {
		s->foreign++;
		return 0;
	}
	int n = 0;
	size_t text_used = 0;
	int remaining = (int)len;
	for (struct nlmsghdr *nlh = (struct nlmsghdr *)s->rx; nlmsg_ok(nlh, remaining);
	     nlh = nlmsg_next(nlh, &remaining)) {
		if (nlh->nlmsg_pid != s->port_id || n >= MPTCP4J_REPLY_CAPACITY) {
			s->foreign++;
			continue;
		}
		struct mptcp4j_reply_record *r = &s->replies[n];
		memset(r, 0, sizeof(*r));
		r->seq = nlh->nlmsg_seq;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			read_ack(s, nlh, r, &text_used);
		else if (nlh->nlmsg_type == NLMSG_DONE)
			read_done(s, nlh, r, &text_used);
		else if (nlh->nlmsg_type == s->family_id)
			read_data(nlh, r);
		else
			continue;
		n++;
	}
	return n;
}

static void free_socket(struct command_socket *s)
{
	if (s->msg != NULL)
		nlmsg_free(s->msg);
	if (s->sk != NULL)
		nl_socket_free(s->sk);
	free(s);
}

static jlong open_socket(JNIEnv *env, jclass cls, jint netns_fd, jobject request, jobject replies,
			 jobject texts)
{
	(void)cls;
	const struct mptcp4j_command_request *req =
		m4j_direct_buffer(env, request, sizeof(struct mptcp4j_command_request), NULL);
	if (req == NULL)
		return 0;
	struct mptcp4j_reply_record *rep = m4j_direct_buffer(
		env, replies, MPTCP4J_REPLY_CAPACITY * sizeof(struct mptcp4j_reply_record), NULL);
	if (rep == NULL)
		return 0;
	char *text = m4j_direct_buffer(env, texts, MPTCP4J_REPLY_TEXT_SIZE, NULL);
	if (text == NULL)
		return 0;
	struct command_socket *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		m4j_throw_mptcp(env, "allocate command socket", ENOMEM, NULL);
		return 0;
	}
	s->request = req;
	s->replies = rep;
	s->texts = text;
	s->msg = nlmsg_alloc();
	if (s->msg == NULL) {
		m4j_throw_mptcp(env, "allocate netlink message", ENOMEM, NULL);
		free_socket(s);
		return 0;
	}
	s->sk = genl_socket_open(env, netns_fd, &s->family_id);
	if (s->sk == NULL) {
		free_socket(s);
		return 0;
	}
	s->fd = nl_socket_get_fd(s->sk);
	s->port_id = nl_socket_get_local_port(s->sk);
	int one = 1;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) != 0 ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) != 0 ||
	    genl_socket_set_receive_buffer(s->sk, RECEIVE_BUFFER_BYTES) < 0) {
		m4j_throw_mptcp(env, "configure command socket", errno, NULL);
		free_socket(s);
		return 0;
	}
	return (jlong)(intptr_t)s;
}

static jint port_id(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return (jint)((struct command_socket *)(intptr_t)handle)->port_id;
}

static jlong foreign_messages(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return (jlong)((struct command_socket *)(intptr_t)handle)->foreign;
}

static void close_socket(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	free_socket((struct command_socket *)(intptr_t)handle);
}

int m4j_register_command_socket(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"open", "(ILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)J",
		 (void *)open_socket},
		{"send", "(J)I", (void *)send_request},
		{"encode", "(JLjava/nio/ByteBuffer;)I", (void *)encode_request},
		{"receive", "(JI)I", (void *)receive_replies},
		{"portId", "(J)I", (void *)port_id},
		{"foreignMessages", "(J)J", (void *)foreign_messages},
		{"close", "(J)V", (void *)close_socket},
	};
	return m4j_register(env, "org/mptcp4j/netlink/CommandSocket", methods,
			    M4J_ARRAY_LEN(methods));
}
