/*
 * libFuzzer target: diag_message_parse() (native/diag_message.c), which reads each message of
 * a sock_diag dump (struct inet_diag_msg, INET_DIAG_INFO's tcp_info or mptcp_info, the ULP
 * info of MPTCP subflows), on any datagram, as a dump of MPTCP sockets and as one of TCP
 * sockets; and diag_message_lookup_answer(), which reads the answer to one subflow's lookup
 * (the same, or an error). Checks that a record is of the kind the dump gives and names the
 * message's family, and that an error is a negative errno.
 * Seeds: dumps captured from the kernel (fuzz/corpus/sock_diag).
 */
#include <stdlib.h>
#include <string.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include "diag_message.h"
#include "fuzz_check.h"
#include "mptcp4j/mptcp_uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	uint8_t *buf = copy_input(data, size);
	int remaining = (int)size;
	for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, remaining);
	     nlh = nlmsg_next(nlh, &remaining)) {
		struct mptcp4j_diag_record r;
		if (diag_message_parse(nlh, IPPROTO_MPTCP, &r)) {
			CHECK(r.kind == MPTCP4J_DIAG_CONNECTION || r.kind == MPTCP4J_DIAG_LISTENER);
			CHECK(r.family == ((const struct inet_diag_msg *)NLMSG_DATA(nlh))->idiag_family);
		}
		if (diag_message_parse(nlh, IPPROTO_TCP, &r)) {
			CHECK(r.kind == MPTCP4J_DIAG_SUBFLOW);
			CHECK(r.family == ((const struct inet_diag_msg *)NLMSG_DATA(nlh))->idiag_family);
		}
		int answer = diag_message_lookup_answer(nlh, &r);
		CHECK(answer <= 1 && answer > -4096);
		if (answer == 1)
			CHECK(r.kind == MPTCP4J_DIAG_SUBFLOW);
	}
	free_input(buf, data, size);
	return 0;
}
