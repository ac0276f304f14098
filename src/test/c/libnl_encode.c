#include "libnl_encode.h"

#include <errno.h>
#include <sys/socket.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "mptcp4j/mptcp_uapi.h"

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
	/* libnl takes an empty nest back out. */
	return nla_nest_end(msg, nest);
}

int libnl_encode_command(struct nl_msg *msg, const struct mptcp4j_command_request *req, int family_id,
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
