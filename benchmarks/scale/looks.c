/*
 * How the subflow timeout watcher can ask the kernel for the subflows it watches, timed:
 *   looks WATCHED ROUNDS      (inside the namespace: ip netns exec NS looks 1000 20)
 * finds the subflows of WATCHED connections of the namespace, then looks at them ROUNDS times
 * each way (fewer once 5 s of CPU time have passed) and prints one JSON line per way with the
 * CPU time per look (kernel time included: sock_diag answers in the asking thread) and the
 * answers read:
 *   full         every MPTCP socket and every TCP socket, IPv4 and IPv6 (what the watcher did)
 *   bc-linear    TCP sockets through a bytecode filter: one test per watched local port, in a row
 *   bc-tree      the same filter as a binary decision tree over the ports (S_GE, forward jumps)
 *   exact        one request per watched subflow (its 4-tuple and cookie, no NLM_F_DUMP),
 *                batched into one sendmsg per BATCH
 * The bytecode's ports are the watched subflows' local ports: a superset (another socket may
 * share a port on another address), what the watcher would still check by cookie.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#define BATCH 256
#define MAX_BYTECODE 65000

struct subflow {
	struct inet_diag_sockid id;
	uint8_t family;
	uint32_t token;
};

static int nl;
static uint32_t seq;
static char rbuf[1 << 20];
static struct subflow *all;
static size_t n_all, cap_all;

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what)
{
	fprintf(stderr, "looks: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The MPTCP token of a TCP socket's answer, 0 when it is no MPTCP subflow. */
static uint32_t subflow_token(struct nlmsghdr *h)
{
	struct inet_diag_msg *m = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if ((a->rta_type & NLA_TYPE_MASK) != INET_DIAG_ULP_INFO)
			continue;
		int ulen = (int)RTA_PAYLOAD(a);
		for (struct rtattr *u = RTA_DATA(a); RTA_OK(u, ulen); u = RTA_NEXT(u, ulen)) {
			if ((u->rta_type & NLA_TYPE_MASK) != INET_ULP_INFO_MPTCP)
				continue;
			int slen = (int)RTA_PAYLOAD(u);
			for (struct rtattr *s = RTA_DATA(u); RTA_OK(s, slen); s = RTA_NEXT(s, slen))
				if ((s->rta_type & NLA_TYPE_MASK) == MPTCP_SUBFLOW_ATTR_TOKEN_LOC)
					return *(uint32_t *)RTA_DATA(s);
		}
	}
	return 0;
}

static void keep(struct nlmsghdr *h)
{
	uint32_t token = subflow_token(h);
	if (token == 0)
		return;
	if (n_all == cap_all) {
		cap_all = cap_all ? 2 * cap_all : 4096;
		all = realloc(all, cap_all * sizeof(*all));
		if (all == NULL)
			fail("realloc");
	}
	struct inet_diag_msg *m = NLMSG_DATA(h);
	all[n_all++] = (struct subflow){.id = m->id, .family = m->idiag_family, .token = token};
}

/* Reads answers until `expected` came (exact) or the dump's DONE (expected < 0); returns their count. */
static long receive(long expected, void (*each)(struct nlmsghdr *))
{
	long answers = 0;
	for (;;) {
		ssize_t n = recv(nl, rbuf, sizeof(rbuf), 0);
		if (n < 0)
			fail("recv");
		int len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return answers;
			if (h->nlmsg_type == NLMSG_ERROR && expected < 0) {
				errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				fail("dump");
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && each != NULL)
				each(h);
			answers++;
		}
		if (expected >= 0 && answers >= expected)
			return answers;
	}
}

static long dump(int family, int protocol, const void *bc, size_t bc_len, void (*each)(struct nlmsghdr *))
{
	static char req[MAX_BYTECODE + 256];
	struct nlmsghdr *h = (struct nlmsghdr *)req;
	memset(req, 0, NLMSG_SPACE(sizeof(struct inet_diag_req_v2)));
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = ++seq;
	struct inet_diag_req_v2 *r = NLMSG_DATA(h);
	r->sdiag_family = (uint8_t)family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	r->idiag_states = ~0u;
	size_t len = NLMSG_SPACE(sizeof(*r));
	if (protocol != IPPROTO_TCP) {
		struct rtattr *a = (struct rtattr *)(req + len);
		a->rta_type = INET_DIAG_REQ_PROTOCOL;
		a->rta_len = RTA_LENGTH(sizeof(uint32_t));
		*(uint32_t *)RTA_DATA(a) = (uint32_t)protocol;
		len += RTA_SPACE(sizeof(uint32_t));
	}
	if (bc != NULL) {
		struct rtattr *a = (struct rtattr *)(req + len);
		a->rta_type = INET_DIAG_REQ_BYTECODE;
		a->rta_len = (unsigned short)RTA_LENGTH(bc_len);
		memcpy(RTA_DATA(a), bc, bc_len);
		len += RTA_SPACE(bc_len);
	}
	h->nlmsg_len = (uint32_t)len;
	if (send(nl, req, len, 0) != (ssize_t)len)
		fail("send");
	return receive(-1, each);
}

static long look_full(void)
{
	long n = 0;
	n += dump(AF_INET, IPPROTO_MPTCP, NULL, 0, NULL);
	n += dump(AF_INET6, IPPROTO_MPTCP, NULL, 0, NULL);
	n += dump(AF_INET, IPPROTO_TCP, NULL, 0, NULL);
	n += dump(AF_INET6, IPPROTO_TCP, NULL, 0, NULL);
	return n;
}

static struct subflow *watched;
static size_t n_watched, n_tokens;
static uint16_t *ports;
static size_t n_ports;
static char linear[MAX_BYTECODE], tree[MAX_BYTECODE];
static size_t linear_len, tree_len;

static void op(char *bc, size_t at, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op o = {.code = code, .yes = yes, .no = no};
	memcpy(bc + at, &o, sizeof(o));
}

/* A port comparison: the op, and the port in a second op's `no`. */
static void port_op(char *bc, size_t at, uint8_t code, uint16_t port, uint16_t no)
{
	op(bc, at, code, 8, no);
	op(bc, at + 4, 0, 0, port);
}

/*
 * Jumps are relative to the op: `no` = len + 4 goes past the end (reject), `no` = len to the
 * end exactly (accept), len being the bytes from the op to the end. Every `yes` goes to the
 * next op, so that each op is on the chain inet_diag_bc_audit walks (a `no` must land there).
 */
#define LEAF 20
static size_t leaf(char *bc, size_t at, uint16_t port, size_t total)
{
	port_op(bc, at, INET_DIAG_BC_S_GE, port, (uint16_t)(total - at + 4));
	port_op(bc, at + 8, INET_DIAG_BC_S_LE, port, (uint16_t)(total - at - 8 + 4));
	op(bc, at + 16, INET_DIAG_BC_JMP, 4, (uint16_t)(total - at - 16));
	return at + LEAF;
}

static size_t tree_size(size_t n)
{
	return n == 1 ? LEAF : 8 + tree_size(n - n / 2) + tree_size(n / 2);
}

/* Preorder: the node, the subtree of ports >= the pivot (yes), then the lower one (no). */
static size_t emit_tree(char *bc, size_t at, const uint16_t *p, size_t n, size_t total)
{
	if (n == 1)
		return leaf(bc, at, p[0], total);
	size_t low = n / 2;
	size_t high_size = tree_size(n - low);
	port_op(bc, at, INET_DIAG_BC_S_GE, p[low], (uint16_t)(8 + high_size));
	at = emit_tree(bc, at + 8, p + low, n - low, total);
	return emit_tree(bc, at, p, low, total);
}

static int by_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static long look_bc(const char *bc, size_t len)
{
	return dump(AF_INET, IPPROTO_TCP, bc, len, NULL) + dump(AF_INET6, IPPROTO_TCP, bc, len, NULL);
}

static long look_exact(void)
{
	static char req[BATCH * NLMSG_SPACE(sizeof(struct inet_diag_req_v2))];
	long answers = 0;
	for (size_t first = 0; first < n_watched; first += BATCH) {
		size_t n = n_watched - first < BATCH ? n_watched - first : BATCH;
		size_t len = 0;
		for (size_t i = 0; i < n; i++) {
			struct nlmsghdr *h = (struct nlmsghdr *)(req + len);
			memset(h, 0, NLMSG_SPACE(sizeof(struct inet_diag_req_v2)));
			h->nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_req_v2));
			h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
			h->nlmsg_flags = NLM_F_REQUEST;
			h->nlmsg_seq = ++seq;
			struct inet_diag_req_v2 *r = NLMSG_DATA(h);
			r->sdiag_family = watched[first + i].family;
			r->sdiag_protocol = IPPROTO_TCP;
			r->idiag_ext = 1 << (INET_DIAG_INFO - 1);
			r->idiag_states = ~0u;
			r->id = watched[first + i].id;
			len += NLMSG_SPACE(sizeof(*r));
		}
		if (send(nl, req, len, 0) != (ssize_t)len)
			fail("send");
		answers += receive((long)n, NULL);
	}
	return answers;
}

static void time_it(const char *way, long (*look)(void), int rounds)
{
	long answers = 0;
	double start = cpu_s();
	int i = 0;
	/* ROUNDS looks, fewer for a way that takes seconds each (a walk of a big table). */
	while (i < rounds && (i == 0 || cpu_s() - start < 5)) {
		answers += look();
		i++;
	}
	rounds = i;
	double cpu = cpu_s() - start;
	printf("{\"way\":\"%s\",\"watched_connections\":%zu,\"watched_subflows\":%zu,\"subflows_in_namespace\":%zu,"
	       "\"cpu_us_per_look\":%.1f,\"answers_per_look\":%ld}\n",
	       way, n_tokens, n_watched, n_all, cpu / rounds * 1e6, answers / rounds);
}

static long look_linear(void)
{
	return look_bc(linear, linear_len);
}

static long look_tree(void)
{
	return look_bc(tree, tree_len);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: looks WATCHED ROUNDS\n");
		return 2;
	}
	size_t want = (size_t)atol(argv[1]);
	int rounds = atoi(argv[2]);
	int size = 8 << 20;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		fail("socket");
	/* Room for a batch of exact answers (each its own datagram); beyond rmem_max needs root. */
	if (setsockopt(nl, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
		(void)setsockopt(nl, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	dump(AF_INET, IPPROTO_TCP, NULL, 0, keep);
	dump(AF_INET6, IPPROTO_TCP, NULL, 0, keep);
	/* The subflows of the first `want` connections met. */
	watched = calloc(n_all + 1, sizeof(*watched));
	uint32_t *tokens = calloc(want + 1, sizeof(*tokens));
	if (watched == NULL || tokens == NULL)
		fail("calloc");
	for (size_t i = 0; i < n_all; i++) {
		size_t t = 0;
		while (t < n_tokens && tokens[t] != all[i].token)
			t++;
		if (t == n_tokens && n_tokens < want)
			tokens[n_tokens++] = all[i].token;
		if (t < n_tokens)
			watched[n_watched++] = all[i];
	}
	ports = calloc(n_watched + 1, sizeof(*ports));
	if (ports == NULL)
		fail("calloc");
	for (size_t i = 0; i < n_watched; i++)
		ports[i] = ntohs(watched[i].id.idiag_sport);
	qsort(ports, n_watched, sizeof(*ports), by_port);
	for (size_t i = 0; i < n_watched; i++)
		if (n_ports == 0 || ports[n_ports - 1] != ports[i])
			ports[n_ports++] = ports[i];
	if (n_ports == 0 || n_ports * LEAF > MAX_BYTECODE || tree_size(n_ports) > MAX_BYTECODE) {
		fprintf(stderr, "looks: %zu ports: no bytecode of at most %d bytes holds them\n", n_ports, MAX_BYTECODE);
		return 1;
	}
	/* In a row: port i's test, a `no` to port i + 1's. */
	linear_len = n_ports * LEAF;
	for (size_t i = 0; i < n_ports; i++) {
		size_t at = i * LEAF;
		uint16_t next = (uint16_t)(i + 1 < n_ports ? LEAF : linear_len - at + 4);
		port_op(linear, at, INET_DIAG_BC_S_GE, ports[i], next);
		port_op(linear, at + 8, INET_DIAG_BC_S_LE, ports[i], (uint16_t)(next - 8));
		op(linear, at + 16, INET_DIAG_BC_JMP, 4, (uint16_t)(linear_len - at - 16));
	}
	tree_len = tree_size(n_ports);
	emit_tree(tree, 0, ports, n_ports, tree_len);
	fprintf(stderr, "looks: %zu connections, %zu subflows watched of %zu, %zu ports, bytecode %zu / %zu bytes\n",
		n_tokens, n_watched, n_all, n_ports, linear_len, tree_len);
	time_it("full", look_full, rounds);
	time_it("bc-linear", look_linear, rounds);
	time_it("bc-tree", look_tree, rounds);
	time_it("exact", look_exact, rounds);
	return 0;
}
