#include "diag_message.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "diag_record.h"

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

struct nl_msg *diag_message_request(int family, int protocol)
{
	struct inet_diag_req_v2 req;
	memset(&req, 0, sizeof(req));
	req.sdiag_family = (uint8_t)family;
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_ext = 1 << (INET_DIAG_INFO - 1);
	req.idiag_states = ~0u;
	struct nl_msg *msg = nlmsg_alloc_simple(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP);
	if (msg == NULL)
		return NULL;
	int rc = nlmsg_append(msg, &req, sizeof(req), NLMSG_ALIGNTO);
	/* IPPROTO_MPTCP does not fit the u8 sdiag_protocol: it goes in an attribute (5.9). */
	if (rc >= 0 && protocol != IPPROTO_TCP)
		rc = nla_put_u32(msg, INET_DIAG_REQ_PROTOCOL, (uint32_t)protocol);
	if (rc < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int diag_message_parse(struct nlmsghdr *nlh, int protocol, struct mptcp4j_diag_record *r)
{
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || !nlmsg_valid_hdr(nlh, sizeof(struct inet_diag_msg)))
		return 0;
	const struct inet_diag_msg *m = nlmsg_data(nlh);
	struct nlattr *tb[INET_DIAG_MAX + 1];
	if (nlmsg_parse(nlh, sizeof(*m), tb, INET_DIAG_MAX, NULL) < 0)
		return 0;
	memset(r, 0, sizeof(*r));
	if (protocol == IPPROTO_TCP) {
		if (!read_subflow(tb[INET_DIAG_ULP_INFO], r))
			return 0; /* a plain TCP socket */
		if (tb[INET_DIAG_INFO])
			diag_record_tcp(r, nla_data(tb[INET_DIAG_INFO]), (size_t)nla_len(tb[INET_DIAG_INFO]));
	} else {
		r->kind = m->idiag_state == 10 /* TCP_LISTEN */ ? MPTCP4J_DIAG_LISTENER : MPTCP4J_DIAG_CONNECTION;
		if (tb[INET_DIAG_INFO])
			diag_record_mptcp(r, nla_data(tb[INET_DIAG_INFO]), (size_t)nla_len(tb[INET_DIAG_INFO]));
	}
	read_id(r, m);
	return 1;
}

size_t diag_message_lookup(const struct mptcp4j_diag_record *subflow, uint32_t seq, void *out, size_t room)
{
	if (room < DIAG_MESSAGE_LOOKUP_SIZE || (subflow->family != AF_INET && subflow->family != AF_INET6))
		return 0;
	memset(out, 0, DIAG_MESSAGE_LOOKUP_SIZE);
	struct nlmsghdr *nlh = out;
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_req_v2));
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	struct inet_diag_req_v2 *req = NLMSG_DATA(nlh);
	req->sdiag_family = (uint8_t)subflow->family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	req->idiag_states = ~0u;
	req->id.idiag_sport = htons(subflow->local_port);
	req->id.idiag_dport = htons(subflow->remote_port);
	/* Raw addresses of either family: IPv4 in the first 4 bytes, the rest zero in both. */
	memcpy(req->id.idiag_src, subflow->local_addr, sizeof(req->id.idiag_src));
	memcpy(req->id.idiag_dst, subflow->remote_addr, sizeof(req->id.idiag_dst));
	req->id.idiag_if = subflow->if_index;
	memcpy(req->id.idiag_cookie, &subflow->cookie, sizeof(req->id.idiag_cookie));
	return DIAG_MESSAGE_LOOKUP_SIZE;
}

int diag_message_lookup_answer(struct nlmsghdr *nlh, struct mptcp4j_diag_record *r)
{
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (!nlmsg_valid_hdr(nlh, sizeof(struct nlmsgerr)))
			return 0;
		int error = ((const struct nlmsgerr *)nlmsg_data(nlh))->error;
		/* A socket that closed since it was asked for is no error. */
		if (error == -ENOENT || error == 0)
			return 0;
		return error < 0 && error > -4096 ? error : -EPROTO; /* an errno, or an answer that makes no sense */
	}
	return diag_message_parse(nlh, IPPROTO_TCP, r);
}
