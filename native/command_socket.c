/*
 * Natives of org.mptcp4j.netlink.CommandSocket: a socket of its own for path-manager
 * commands, apart from the event socket. Java writes a request (mptcp4j/command_request.h);
 * execute() encodes it with libnl, sends it, and waits for the kernel's acknowledgement,
 * matched by sequence number and port id. The kernel's errno and extended-ack text come
 * back in the reply buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "genl_socket.h"
#include "jni_support.h"
#include "mptcp4j/command_request.h"
#include "mptcp4j/mptcp_uapi.h"

#define RX_BUFFER_SIZE 16384
/* The kernel answers at once; silence this long means something is badly wrong. */
#define REPLY_TIMEOUT_SECONDS 10

struct command_socket {
	struct nl_sock *sk;
	int fd;
	int family_id;
	uint32_t port_id;
	uint32_t seq;
	struct nl_msg *msg; /* reused for every request */
	const struct mptcp4j_command_request *request;
	struct mptcp4j_command_reply *reply;
	uint8_t rx[RX_BUFFER_SIZE];
};

static int put_address(struct nl_msg *msg, int type, const struct mptcp4j_pm_address *a)
{
	struct nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);
	if (nest == NULL)
		return -NLE_NOMEM;
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
		return -NLE_NOMEM;
	return nla_nest_end(msg, nest);
}

/* The one encoder: request struct -> generic-netlink message. */
static int encode(struct command_socket *s)
{
	const struct mptcp4j_command_request *req = s->request;
	struct nl_msg *msg = s->msg;
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN;
	if (genlmsg_put(msg, s->port_id, ++s->seq, s->family_id, 0, NLM_F_REQUEST | NLM_F_ACK,
			req->cmd, MPTCP_PM_VER) == NULL)
		return -ENOMEM;
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

static void set_reply(struct command_socket *s, int error, const char *text, size_t len)
{
	if (len > MPTCP4J_EXTACK_MAX)
		len = MPTCP4J_EXTACK_MAX;
	s->reply->error = error;
	s->reply->extack_len = (uint16_t)len;
	if (len != 0)
		memcpy(s->reply->extack, text, len);
}

static void set_reply_text(struct command_socket *s, int error, const char *text)
{
	set_reply(s, error, text, strlen(text));
}

/* Reads the error and the extended-ack message of an NLMSG_ERROR. */
static int read_ack(struct command_socket *s, struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
		set_reply_text(s, -EPROTO, "truncated acknowledgement");
		return -EPROTO;
	}
	const struct nlmsgerr *e = nlmsg_data(nlh);
	int error = e->error;
	const char *text = NULL;
	size_t text_len = 0;
	char missing[48];
	if (error != 0 && (nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
		/* With NETLINK_CAP_ACK the request is not echoed, only its header. */
		size_t tlv_off = NLMSG_HDRLEN + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			tlv_off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
		if (tlv_off < nlh->nlmsg_len) {
			struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
			if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((uint8_t *)nlh + tlv_off),
				      (int)(nlh->nlmsg_len - tlv_off), NULL) == 0) {
				if (tb[NLMSGERR_ATTR_MSG] != NULL) {
					text = nla_data(tb[NLMSGERR_ATTR_MSG]);
					text_len = strnlen(text, (size_t)nla_len(tb[NLMSGERR_ATTR_MSG]));
				} else if (tb[NLMSGERR_ATTR_MISS_TYPE] != NULL &&
					   nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4) {
					int len = snprintf(missing, sizeof(missing),
							   "missing attribute %u",
							   nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
					if (len > 0) {
						text = missing;
						text_len = (size_t)len;
					}
				}
			}
		}
	}
	set_reply(s, error, text, text_len);
	return error;
}

static int await_ack(struct command_socket *s)
{
	for (;;) {
		ssize_t len = recv(s->fd, s->rx, sizeof(s->rx), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			int err = (errno == EAGAIN || errno == EWOULDBLOCK) ? ETIMEDOUT : errno;
			set_reply(s, -err, NULL, 0);
			return -err;
		}
		struct nlmsghdr *nlh = (struct nlmsghdr *)s->rx;
		int remaining = (int)len;
		for (; nlmsg_ok(nlh, remaining); nlh = nlmsg_next(nlh, &remaining)) {
			/* Anything else is a late answer to a request that timed out. */
			if (nlh->nlmsg_seq != s->seq || nlh->nlmsg_pid != s->port_id)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return read_ack(s, nlh);
		}
	}
}

static jint execute(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct command_socket *s = (struct command_socket *)(intptr_t)handle;
	int rc = encode(s);
	if (rc < 0) {
		set_reply_text(s, rc, "request does not fit in a netlink message");
		return rc;
	}
	struct nlmsghdr *nlh = nlmsg_hdr(s->msg);
	for (;;) {
		if (send(s->fd, nlh, nlh->nlmsg_len, 0) >= 0)
			break;
		if (errno != EINTR) {
			rc = -errno;
			set_reply(s, rc, NULL, 0);
			return rc;
		}
	}
	return await_ack(s);
}

static void free_socket(struct command_socket *s)
{
	if (s->msg != NULL)
		nlmsg_free(s->msg);
	if (s->sk != NULL)
		nl_socket_free(s->sk);
	free(s);
}

static jlong open_socket(JNIEnv *env, jclass cls, jint netns_fd, jobject request, jobject reply)
{
	(void)cls;
	const struct mptcp4j_command_request *req =
		m4j_direct_buffer(env, request, sizeof(struct mptcp4j_command_request), NULL);
	if (req == NULL)
		return 0;
	struct mptcp4j_command_reply *rep =
		m4j_direct_buffer(env, reply, MPTCP4J_COMMAND_REPLY_SIZE, NULL);
	if (rep == NULL)
		return 0;
	struct command_socket *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		m4j_throw_mptcp(env, "allocate command socket", ENOMEM, NULL);
		return 0;
	}
	s->request = req;
	s->reply = rep;
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
	struct timeval timeout = {.tv_sec = REPLY_TIMEOUT_SECONDS};
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) != 0 ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) != 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
		m4j_throw_mptcp(env, "configure command socket", errno, NULL);
		free_socket(s);
		return 0;
	}
	return (jlong)(intptr_t)s;
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
		{"open", "(ILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)J", (void *)open_socket},
		{"execute", "(J)I", (void *)execute},
		{"close", "(J)V", (void *)close_socket},
	};
	return m4j_register(env, "org/mptcp4j/netlink/CommandSocket", methods,
			    M4J_ARRAY_LEN(methods));
}
