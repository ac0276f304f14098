#define _GNU_SOURCE
#include "netlink_error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

size_t netlink_extack_text(const struct nlmsghdr *nlh, size_t tlv_off, char *out, size_t size)
{
	if (size == 0)
		return 0;
	out[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || tlv_off >= nlh->nlmsg_len)
		return 0;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((uint8_t *)nlh + tlv_off), (int)(nlh->nlmsg_len - tlv_off),
		      NULL) != 0)
		return 0;
	int len = 0;
	if (tb[NLMSGERR_ATTR_MSG] != NULL) {
		const char *text = nla_data(tb[NLMSGERR_ATTR_MSG]);
		len = snprintf(out, size, "%.*s", (int)strnlen(text, (size_t)nla_len(tb[NLMSGERR_ATTR_MSG])), text);
	} else if (tb[NLMSGERR_ATTR_MISS_TYPE] != NULL && nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4) {
		len = snprintf(out, size, "missing attribute %u%s", nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]),
			       tb[NLMSGERR_ATTR_MISS_NEST] ? " in a nested address" : "");
	}
	if (len < 0)
		return 0;
	return (size_t)len < size ? (size_t)len : size - 1;
}

int netlink_errno(int error)
{
	/* MAX_ERRNO: the kernel's errors are the last 4095 values below 0. */
	return error < 0 && error >= -4095 ? -error : EPROTO;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	(void)who;
	struct netlink_error *e = arg;
	e->error = netlink_errno(err->error);
	/* The NLMSG_ERROR header sits just before its payload. */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const uint8_t *)err - NLMSG_HDRLEN);
	size_t tlv_off = NLMSG_HDRLEN + sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		tlv_off += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
	netlink_extack_text(nlh, tlv_off, e->message, sizeof(e->message));
	return NL_STOP;
}

int netlink_error_capture(struct nl_sock *sk, struct netlink_error *e)
{
	memset(e, 0, sizeof(*e));
	int one = 1;
	/* Without extended acks the errno alone still comes: not worth failing for. */
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	struct nl_cb *cb = nl_socket_get_cb(sk);
	if (cb == NULL)
		return -NLE_NOMEM;
	int rc = nl_cb_err(cb, NL_CB_CUSTOM, on_error, e);
	nl_cb_put(cb);
	return rc;
}
