/*
 * The C baseline of the latency harness: a minimal userspace path manager on libnl-genl-3.
 * It joins mptcp_pm_events and, for every ESTABLISHED event of a connection this host opened,
 * sends SUBFLOW_CREATE from LOCAL_ADDR (id LOCAL_ID) to the connection's remote address and
 * port, waiting for the acknowledgement. What a C daemon such as mptcpd does, without the rest.
 *
 *   pm_listener LOCAL_ADDR LOCAL_ID [trace]     (run inside the client's network namespace)
 *
 * With "trace", prints for each connection its source port, CLOCK_MONOTONIC when the event was
 * handed to the callback and when SUBFLOW_CREATE was acknowledged, and first the offset from
 * CLOCK_MONOTONIC to CLOCK_REALTIME (what tcpdump stamps with), for benchmarks/e2e/breakdown.py.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "mptcp4j/mptcp_uapi.h"

static struct nl_sock *commands;
static int family;
static struct in_addr local_addr;
static uint8_t local_id;
static int trace;

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int create_subflow(uint32_t token, const void *daddr4, uint16_t dport_be)
{
	struct nl_msg *msg = nlmsg_alloc();
	if (msg == NULL)
		return -NLE_NOMEM;
	int rc = -NLE_NOMEM;
	if (genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, MPTCP_PM_CMD_SUBFLOW_CREATE, MPTCP_PM_VER) == NULL ||
	    nla_put_u32(msg, MPTCP_PM_ATTR_TOKEN, token) < 0)
		goto out;
	struct nlattr *local = nla_nest_start(msg, MPTCP_PM_ATTR_ADDR | NLA_F_NESTED);
	if (local == NULL || nla_put_u16(msg, MPTCP_PM_ADDR_ATTR_FAMILY, AF_INET) < 0 ||
	    nla_put_u8(msg, MPTCP_PM_ADDR_ATTR_ID, local_id) < 0 ||
	    nla_put(msg, MPTCP_PM_ADDR_ATTR_ADDR4, 4, &local_addr) < 0)
		goto out;
	nla_nest_end(msg, local);
	struct nlattr *remote = nla_nest_start(msg, MPTCP_PM_ATTR_ADDR_REMOTE | NLA_F_NESTED);
	if (remote == NULL || nla_put_u16(msg, MPTCP_PM_ADDR_ATTR_FAMILY, AF_INET) < 0 ||
	    nla_put(msg, MPTCP_PM_ADDR_ATTR_ADDR4, 4, daddr4) < 0 ||
	    nla_put_u16(msg, MPTCP_PM_ADDR_ATTR_PORT, ntohs(dport_be)) < 0)
		goto out;
	nla_nest_end(msg, remote);
	rc = nl_send_auto(commands, msg);
	if (rc >= 0)
		rc = nl_wait_for_ack(commands);
out:
	nlmsg_free(msg);
	return rc;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	(void)arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[MPTCP_ATTR_MAX + 1];
	if (gh->cmd != MPTCP_EVENT_ESTABLISHED || genlmsg_parse(nlmsg_hdr(msg), 0, tb, MPTCP_ATTR_MAX, NULL) < 0)
		return NL_OK;
	int server = (tb[MPTCP_ATTR_SERVER_SIDE] && nla_get_u8(tb[MPTCP_ATTR_SERVER_SIDE])) ||
		     (tb[MPTCP_ATTR_FLAGS] && (nla_get_u16(tb[MPTCP_ATTR_FLAGS]) & MPTCP_PM_EV_FLAG_SERVER_SIDE));
	if (server || !tb[MPTCP_ATTR_TOKEN] || !tb[MPTCP_ATTR_DADDR4] || !tb[MPTCP_ATTR_DPORT])
		return NL_OK;
	long long received = trace ? clock_ns(CLOCK_MONOTONIC) : 0;
	int rc = create_subflow(nla_get_u32(tb[MPTCP_ATTR_TOKEN]), nla_data(tb[MPTCP_ATTR_DADDR4]),
				nla_get_u16(tb[MPTCP_ATTR_DPORT]));
	if (rc < 0)
		fprintf(stderr, "pm_listener: SUBFLOW_CREATE: %s\n", nl_geterror(rc));
	if (trace && tb[MPTCP_ATTR_SPORT])
		printf("event %u %lld %lld %lld\n", ntohs(nla_get_u16(tb[MPTCP_ATTR_SPORT])), received, received,
		       clock_ns(CLOCK_MONOTONIC));
	return NL_OK;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4 || inet_pton(AF_INET, argv[1], &local_addr) != 1) {
		fprintf(stderr, "usage: pm_listener LOCAL_IPV4 LOCAL_ID [trace]\n");
		return 2;
	}
	trace = argc == 4 && strcmp(argv[3], "trace") == 0;
	if (trace) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		printf("offset %lld\n", clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
	}
	local_id = (uint8_t)atoi(argv[2]);
	struct nl_sock *events = nl_socket_alloc();
	commands = nl_socket_alloc();
	if (events == NULL || commands == NULL || genl_connect(events) < 0 || genl_connect(commands) < 0) {
		fprintf(stderr, "pm_listener: cannot open generic netlink sockets\n");
		return 1;
	}
	family = genl_ctrl_resolve(events, MPTCP_PM_NAME);
	int group = genl_ctrl_resolve_grp(events, MPTCP_PM_NAME, MPTCP_PM_EV_GRP_NAME);
	if (family < 0 || group < 0 || nl_socket_add_membership(events, group) < 0) {
		fprintf(stderr, "pm_listener: no mptcp_pm family or events group (root needed)\n");
		return 1;
	}
	nl_socket_disable_seq_check(events);
	nl_socket_modify_cb(events, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	fprintf(stderr, "pm_listener: ready\n");
	for (;;) {
		int rc = nl_recvmsgs_default(events);
		if (rc < 0 && rc != -NLE_INTR)
			fprintf(stderr, "pm_listener: receive: %s\n", nl_geterror(rc));
	}
}
