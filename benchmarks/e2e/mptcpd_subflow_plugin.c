/*
 * The mptcpd baseline of the latency harness: an mptcpd (0.12) path-manager plugin that opens one
 * subflow, from the local address in ONE_SUBFLOW_FROM (address id 1), to the peer's address and
 * port, when a connection this host opened is ESTABLISHED. What the C listeners do, inside the
 * daemon Debian ships. Built by run-latency; run as
 *
 *   ONE_SUBFLOW_FROM=10.231.2.1 mptcpd --plugin-dir DIR --path-manager one_subflow --log stderr
 *
 * It prints "one_subflow: ready" on stderr once mptcpd has joined the events group.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h> /* mptcpd/path_manager.h uses bool without including it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mptcpd/path_manager.h>
#include <mptcpd/plugin.h>

#define LOCAL_ID 1

/* mptcpd's plugin operations take no user data: the address is set once, in init. */
static struct sockaddr_in from;

static void connection_established(mptcpd_token_t token, struct sockaddr const *laddr, struct sockaddr const *raddr,
				   bool server_side, struct mptcpd_pm *pm)
{
	(void)laddr;
	if (server_side || raddr->sa_family != AF_INET)
		return;
	/* Asynchronous: mptcpd logs the kernel's answer if it is an error ("add_subflow: ..."). */
	int rc = mptcpd_pm_add_subflow(pm, token, LOCAL_ID, 0, (struct sockaddr const *)&from, raddr, false);
	if (rc != 0)
		fprintf(stderr, "one_subflow: cannot send SUBFLOW_CREATE for token %u: %d\n", token, rc);
}

static struct mptcpd_plugin_ops const plugin_ops = {.connection_established = connection_established};

static void ready(struct mptcpd_pm *pm, void *user_data)
{
	(void)pm;
	(void)user_data;
	fprintf(stderr, "one_subflow: ready\n");
}

static struct mptcpd_pm_ops const pm_ops = {.ready = ready};

static int init(struct mptcpd_pm *pm)
{
	char const *addr = getenv("ONE_SUBFLOW_FROM");
	from.sin_family = AF_INET;
	if (addr == NULL || inet_pton(AF_INET, addr, &from.sin_addr) != 1) {
		fprintf(stderr, "one_subflow: set ONE_SUBFLOW_FROM to the IPv4 address to open the subflow from\n");
		return -1;
	}
	if (!mptcpd_plugin_register_ops("one_subflow", &plugin_ops) || !mptcpd_pm_register_ops(pm, &pm_ops, NULL)) {
		fprintf(stderr, "one_subflow: cannot register with mptcpd\n");
		return -1;
	}
	return 0;
}

MPTCPD_PLUGIN_DEFINE(one_subflow, "one subflow from ONE_SUBFLOW_FROM on ESTABLISHED", MPTCPD_PLUGIN_PRIORITY_DEFAULT,
		     init, NULL)
