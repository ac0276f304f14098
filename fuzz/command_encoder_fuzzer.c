/*
 * libFuzzer target: command_encode() (native/command_codec.c) on any request a caller can
 * write into the request buffer (mptcp4j/command_request.h), read back the way the kernel
 * reads it. Checks that every request fits, that the header is the one asked for, and that
 * the attributes are exactly those whose presence bit is set, with their values: the address
 * nests read back through the reply decoder's command_decode_address().
 * Seeds: the requests fuzz/capture-corpus sent to the kernel (fuzz/corpus/command_encoder).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>

#include "command_codec.h"
#include "fuzz_check.h"
#include "mptcp4j/mptcp_uapi.h"

#define FAMILY_ID 0x1c
#define PORT_ID 4242
#define SEQ 77

static struct nl_msg *msg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* One message for every input, as the command socket keeps one for every request. */
	msg = nlmsg_alloc();
	CHECK(msg != NULL);
	return 0;
}

static void check_address(struct nlattr *nest, const struct mptcp4j_pm_address *want)
{
	struct mptcp4j_pm_address got;
	CHECK(command_decode_address(nest, &got) == 0);
	uint8_t kinds = MPTCP4J_ADDR_HAS_ADDR | MPTCP4J_ADDR_HAS_ID | MPTCP4J_ADDR_HAS_PORT |
			MPTCP4J_ADDR_HAS_FLAGS | MPTCP4J_ADDR_HAS_IF_IDX;
	CHECK(got.present == (want->present & kinds));
	CHECK(got.family == want->family);
	if (want->present & MPTCP4J_ADDR_HAS_ADDR) {
		size_t len = want->family == AF_INET6 ? 16 : 4;
		CHECK(memcmp(got.addr, want->addr, len) == 0);
	}
	CHECK(!(want->present & MPTCP4J_ADDR_HAS_ID) || got.id == want->id);
	CHECK(!(want->present & MPTCP4J_ADDR_HAS_PORT) || got.port == want->port);
	CHECK(!(want->present & MPTCP4J_ADDR_HAS_FLAGS) || got.flags == want->flags);
	CHECK(!(want->present & MPTCP4J_ADDR_HAS_IF_IDX) || got.if_idx == want->if_idx);
}

/* libnl drops a nest that would be empty (the kernel refuses them): nothing to encode. */
static int is_empty(const struct mptcp4j_pm_address *a)
{
	return a->family == 0 && (a->present & (MPTCP4J_ADDR_HAS_ADDR | MPTCP4J_ADDR_HAS_ID |
						 MPTCP4J_ADDR_HAS_PORT | MPTCP4J_ADDR_HAS_FLAGS |
						 MPTCP4J_ADDR_HAS_IF_IDX)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mptcp4j_command_request req;
	memset(&req, 0, sizeof(req));
	memcpy(&req, data, size < sizeof(req) ? size : sizeof(req));

	CHECK(command_encode(msg, &req, FAMILY_ID, PORT_ID, SEQ) == 0);
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	CHECK(nlh->nlmsg_type == FAMILY_ID);
	CHECK(nlh->nlmsg_pid == PORT_ID && nlh->nlmsg_seq == SEQ);
	CHECK(nlh->nlmsg_flags ==
	      (NLM_F_REQUEST | ((req.present & MPTCP4J_REQ_DUMP) ? NLM_F_DUMP : NLM_F_ACK)));
	CHECK(genlmsg_valid_hdr(nlh, 0));
	const struct genlmsghdr *gh = nlmsg_data(nlh);
	CHECK(gh->cmd == req.cmd && gh->version == MPTCP_PM_VER);

	struct nlattr *tb[MPTCP_PM_ATTR_ADDR_REMOTE + 1];
	/* No policy: any length passes here, so that a wrong one shows in the checks below. */
	CHECK(genlmsg_parse(nlh, 0, tb, MPTCP_PM_ATTR_ADDR_REMOTE, NULL) == 0);
	/* The attributes fill the message exactly. */
	int attributes = 0, rem;
	struct nlattr *nla;
	nla_for_each_attr(nla, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) attributes++;
	CHECK(rem == 0);

	static const struct {
		int attr;
		uint16_t bit;
		int len;
	} top[] = {
		{MPTCP_PM_ATTR_TOKEN, MPTCP4J_REQ_HAS_TOKEN, 4},
		{MPTCP_PM_ATTR_LOC_ID, MPTCP4J_REQ_HAS_LOC_ID, 1},
		{MPTCP_PM_ATTR_RCV_ADD_ADDRS, MPTCP4J_REQ_HAS_RCV_ADD_ADDRS, 4},
		{MPTCP_PM_ATTR_SUBFLOWS, MPTCP4J_REQ_HAS_SUBFLOWS, 4},
		{MPTCP_PM_ATTR_ADDR, MPTCP4J_REQ_HAS_ADDR, -1},
		{MPTCP_PM_ATTR_ADDR_REMOTE, MPTCP4J_REQ_HAS_REMOTE, -1},
	};
	int expected = 0;
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		int present = (req.present & top[i].bit) != 0;
		if (top[i].attr == MPTCP_PM_ATTR_ADDR)
			present = present && !is_empty(&req.addr);
		if (top[i].attr == MPTCP_PM_ATTR_ADDR_REMOTE)
			present = present && !is_empty(&req.remote);
		CHECK((tb[top[i].attr] != NULL) == present);
		expected += present;
		CHECK(!present || top[i].len < 0 || nla_len(tb[top[i].attr]) == top[i].len);
	}
	CHECK(attributes == expected);
	CHECK(!tb[MPTCP_PM_ATTR_TOKEN] || nla_get_u32(tb[MPTCP_PM_ATTR_TOKEN]) == req.token);
	CHECK(!tb[MPTCP_PM_ATTR_LOC_ID] || nla_get_u8(tb[MPTCP_PM_ATTR_LOC_ID]) == req.loc_id);
	CHECK(!tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS] ||
	      nla_get_u32(tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS]) == req.rcv_add_addrs);
	CHECK(!tb[MPTCP_PM_ATTR_SUBFLOWS] || nla_get_u32(tb[MPTCP_PM_ATTR_SUBFLOWS]) == req.subflows);
	if (tb[MPTCP_PM_ATTR_ADDR]) {
		CHECK(tb[MPTCP_PM_ATTR_ADDR]->nla_type & NLA_F_NESTED);
		check_address(tb[MPTCP_PM_ATTR_ADDR], &req.addr);
	}
	if (tb[MPTCP_PM_ATTR_ADDR_REMOTE]) {
		CHECK(tb[MPTCP_PM_ATTR_ADDR_REMOTE]->nla_type & NLA_F_NESTED);
		check_address(tb[MPTCP_PM_ATTR_ADDR_REMOTE], &req.remote);
	}
	return 0;
}
