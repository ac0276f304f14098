#include "command_codec.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>

#include "netlink_error.h"
#include "mptcp4j/mptcp_uapi.h"

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
int command_decode_address(struct nlattr *nest, struct mptcp4j_pm_address *a)
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
int command_encode(struct nl_msg *msg, const struct mptcp4j_command_request *req, int family_id,
		   uint32_t port_id, uint32_t seq)
{
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN;
	/* Plain requests are acknowledged; a dump ends with NLMSG_DONE instead. */
	int flags = NLM_F_REQUEST | ((req->present & MPTCP4J_REQ_DUMP) ? NLM_F_DUMP : NLM_F_ACK);
	if (genlmsg_put(msg, port_id, seq, family_id, 0, flags, req->cmd, MPTCP_PM_VER) == NULL)
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

/* Copies `len` bytes of error text after `*text_used` bytes of the text buffer. */
static void put_text(struct command_replies *out, struct mptcp4j_reply_record *r, const char *text,
		     size_t len, size_t *text_used)
{
	if (len > MPTCP4J_REPLY_TEXT_SIZE - *text_used)
		len = MPTCP4J_REPLY_TEXT_SIZE - *text_used;
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	memcpy(out->texts + *text_used, text, len);
	r->text_off = (uint32_t)*text_used;
	r->text_len = (uint16_t)len;
	*text_used += len;
}

/* The extended-ack text at `tlv_off` of a final message, into the reply's text. */
static void read_extack(struct command_replies *out, struct nlmsghdr *nlh, size_t tlv_off,
			struct mptcp4j_reply_record *r, size_t *text_used)
{
	char text[512];
	size_t len = netlink_extack_text(nlh, tlv_off, text, sizeof(text));
	if (len > 0)
		put_text(out, r, text, len, text_used);
}

/* NLMSG_ERROR ends a plain request: error 0 is the acknowledgement. */
static void read_ack(struct command_replies *out, struct nlmsghdr *nlh,
		     struct mptcp4j_reply_record *r, size_t *text_used)
{
	r->kind = MPTCP4J_REPLY_ACK;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
		r->error = -EPROTO;
		put_text(out, r, "truncated acknowledgement", strlen("truncated acknowledgement"),
			 text_used);
		return;
	}
	const struct nlmsgerr *e = nlmsg_data(nlh);
	if (e->error == 0)
		return;
	r->error = -netlink_errno(e->error);
	/* With NETLINK_CAP_ACK the request is not echoed, only its header. */
	size_t tlv_off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		tlv_off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	read_extack(out, nlh, tlv_off, r, text_used);
}

/* NLMSG_DONE ends a dump; a dump that failed carries the error in it, then the extended ack. */
static void read_done(struct command_replies *out, struct nlmsghdr *nlh,
		      struct mptcp4j_reply_record *r, size_t *text_used)
{
	r->kind = MPTCP4J_REPLY_DONE;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		int error;
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
		if (error < 0) {
			r->error = -netlink_errno(error);
			read_extack(out, nlh, NLMSG_HDRLEN + sizeof(int), r, text_used);
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
	if (tb[MPTCP_PM_ATTR_ADDR] && command_decode_address(tb[MPTCP_PM_ATTR_ADDR], &r->addr) == 0)
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

int command_decode_replies(uint8_t *buf, size_t len, int family_id, uint32_t port_id,
			   struct command_replies *out)
{
	int n = 0;
	size_t text_used = 0;
	int remaining = (int)len;
	for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, remaining);
	     nlh = nlmsg_next(nlh, &remaining)) {
		if (nlh->nlmsg_pid != port_id || n >= MPTCP4J_REPLY_CAPACITY) {
			out->foreign++;
			continue;
		}
		struct mptcp4j_reply_record *r = &out->records[n];
		memset(r, 0, sizeof(*r));
		r->seq = nlh->nlmsg_seq;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			read_ack(out, nlh, r, &text_used);
		else if (nlh->nlmsg_type == NLMSG_DONE)
			read_done(out, nlh, r, &text_used);
		else if (nlh->nlmsg_type == family_id)
			read_data(nlh, r);
		else
			continue;
		n++;
	}
	return n;
}
