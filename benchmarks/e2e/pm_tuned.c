/*
 * The tuned C baseline of the latency harness: pm_listener's work (SUBFLOW_CREATE from LOCAL_ADDR,
 * id LOCAL_ID, for every ESTABLISHED event of a connection this host opened, waiting for the
 * acknowledgement) with the least a C program can do per event. libnl only resolves the family
 * and the events group at start; then one recv() per datagram into a buffer allocated once (libnl
 * peeks at each datagram's size first, a second recvmsg, and allocates a buffer and a message),
 * the attributes read in place, the command built on the stack and sent with one send(), its
 * acknowledgement capped to the header (NETLINK_CAP_ACK) and read with one recv().
 *
 *   pm_tuned LOCAL_ADDR LOCAL_ID [--poll]    (run inside the client's network namespace)
 *
 * --poll receives as mptcp4j's blocking loop does: poll() until the socket is readable, then
 * non-blocking receives until one finds nothing (three system calls a wake-up instead of one),
 * to measure what that pattern costs on its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "mptcp4j/mptcp_uapi.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct listener {
	int events, commands;
	uint16_t family;
	struct in_addr local_addr;
	uint8_t local_id;
	uint32_t seq;
};

/* Appends attribute TYPE with LEN bytes of DATA at *at; returns the attribute for nesting. */
static struct nlattr *put(char **at, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)*at;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len > 0)
		memcpy(*at + NLA_HDRLEN, data, len);
	memset(*at + a->nla_len, 0, NLA_ALIGN(a->nla_len) - a->nla_len);
	*at += NLA_ALIGN(a->nla_len);
	return a;
}

static void end_nest(struct nlattr *nest, const char *at)
{
	nest->nla_len = (uint16_t)(at - (const char *)nest);
}

/* The attributes from p to the end of message h, by type into tb[0..max]; others are skipped. */
static void parse(const struct nlmsghdr *h, const char *p, const struct nlattr **tb, int max)
{
	int left = (int)h->nlmsg_len - (int)(p - (const char *)h);
	while (left >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > left)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
		left -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
}

/* Whether attribute a is there with at least len bytes of payload. */
static int has(const struct nlattr *a, int len)
{
	return a != NULL && a->nla_len >= NLA_HDRLEN + len;
}

/* Prints the kernel's error for the command and its extended-ack text, if any. */
static void report(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {0};
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) /* with NETLINK_CAP_ACK they follow the request's header alone */
		parse(h, (const char *)&e->msg + sizeof(e->msg), tb, NLMSGERR_ATTR_MAX);
	const char *text = has(tb[NLMSGERR_ATTR_MSG], 1) ? (const char *)tb[NLMSGERR_ATTR_MSG] + NLA_HDRLEN : "";
	fprintf(stderr, "pm_tuned: SUBFLOW_CREATE: %s%s%s\n", strerror(-e->error), *text ? ": " : "", text);
}

static void create_subflow(struct listener *l, uint32_t token, const void *daddr4, uint16_t dport_be)
{
	_Alignas(struct nlmsghdr) char buf[256];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	*h = (struct nlmsghdr){.nlmsg_type = l->family, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = ++l->seq};
	struct genlmsghdr *g = NLMSG_DATA(h);
	*g = (struct genlmsghdr){.cmd = MPTCP_PM_CMD_SUBFLOW_CREATE, .version = MPTCP_PM_VER};
	char *at = (char *)g + GENL_HDRLEN;
	uint16_t inet = AF_INET, port = ntohs(dport_be);
	put(&at, MPTCP_PM_ATTR_TOKEN, &token, 4);
	struct nlattr *local = put(&at, MPTCP_PM_ATTR_ADDR | NLA_F_NESTED, NULL, 0);
	put(&at, MPTCP_PM_ADDR_ATTR_FAMILY, &inet, 2);
	put(&at, MPTCP_PM_ADDR_ATTR_ID, &l->local_id, 1);
	put(&at, MPTCP_PM_ADDR_ATTR_ADDR4, &l->local_addr, 4);
	end_nest(local, at);
	struct nlattr *remote = put(&at, MPTCP_PM_ATTR_ADDR_REMOTE | NLA_F_NESTED, NULL, 0);
	put(&at, MPTCP_PM_ADDR_ATTR_FAMILY, &inet, 2);
	put(&at, MPTCP_PM_ADDR_ATTR_ADDR4, daddr4, 4);
	put(&at, MPTCP_PM_ADDR_ATTR_PORT, &port, 2);
	end_nest(remote, at);
	h->nlmsg_len = (uint32_t)(at - buf);
	if (send(l->commands, buf, h->nlmsg_len, 0) < 0) {
		perror("pm_tuned: send");
		return;
	}
	for (;;) { /* the acknowledgement of this command; an earlier one's late answer is skipped */
		_Alignas(struct nlmsghdr) char ack[1024];
		ssize_t n = recv(l->commands, ack, sizeof(ack), 0);
		if (n < 0) {
			perror("pm_tuned: receive acknowledgement");
			return;
		}
		for (struct nlmsghdr *r = (struct nlmsghdr *)ack; NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_type != NLMSG_ERROR || r->nlmsg_seq != l->seq)
				continue;
			if (((const struct nlmsgerr *)NLMSG_DATA(r))->error != 0)
				report(r);
			return;
		}
	}
}

static void on_event(struct listener *l, const struct nlmsghdr *h)
{
	const struct genlmsghdr *g = NLMSG_DATA(h);
	if (h->nlmsg_type != l->family || g->cmd != MPTCP_EVENT_ESTABLISHED)
		return;
	const struct nlattr *tb[MPTCP_ATTR_MAX + 1] = {0};
	parse(h, (const char *)g + GENL_HDRLEN, tb, MPTCP_ATTR_MAX);
	uint8_t server_side = 0;
	uint16_t flags = 0;
	if (has(tb[MPTCP_ATTR_SERVER_SIDE], 1))
		memcpy(&server_side, (const char *)tb[MPTCP_ATTR_SERVER_SIDE] + NLA_HDRLEN, 1);
	if (has(tb[MPTCP_ATTR_FLAGS], 2))
		memcpy(&flags, (const char *)tb[MPTCP_ATTR_FLAGS] + NLA_HDRLEN, 2);
	if (server_side || (flags & MPTCP_PM_EV_FLAG_SERVER_SIDE) || !has(tb[MPTCP_ATTR_TOKEN], 4) ||
	    !has(tb[MPTCP_ATTR_DADDR4], 4) || !has(tb[MPTCP_ATTR_DPORT], 2))
		return;
	uint32_t token;
	uint16_t dport_be;
	memcpy(&token, (const char *)tb[MPTCP_ATTR_TOKEN] + NLA_HDRLEN, 4);
	memcpy(&dport_be, (const char *)tb[MPTCP_ATTR_DPORT] + NLA_HDRLEN, 2);
	create_subflow(l, token, (const char *)tb[MPTCP_ATTR_DADDR4] + NLA_HDRLEN, dport_be);
}

/* A generic netlink socket bound to the kernel, as both of ours are. */
static int genl_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), one = 1;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	if (fd < 0 || setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    connect(fd, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		perror("pm_tuned: netlink socket");
		exit(1);
	}
	return fd;
}

/* The family's id and its events group's, resolved once with libnl. */
static void resolve(struct listener *l, int *group)
{
	struct nl_sock *s = nl_socket_alloc();
	if (s == NULL || genl_connect(s) < 0) {
		fprintf(stderr, "pm_tuned: cannot open a generic netlink socket\n");
		exit(1);
	}
	int family = genl_ctrl_resolve(s, MPTCP_PM_NAME);
	*group = genl_ctrl_resolve_grp(s, MPTCP_PM_NAME, MPTCP_PM_EV_GRP_NAME);
	nl_socket_free(s);
	if (family < 0 || *group < 0) {
		fprintf(stderr, "pm_tuned: no mptcp_pm family or events group\n");
		exit(1);
	}
	l->family = (uint16_t)family;
}

int main(int argc, char **argv)
{
	struct listener l = {0};
	bool poll_first = argc == 4 && strcmp(argv[3], "--poll") == 0;
	if ((argc != 3 && !poll_first) || inet_pton(AF_INET, argv[1], &l.local_addr) != 1) {
		fprintf(stderr, "usage: pm_tuned LOCAL_IPV4 LOCAL_ID [--poll]\n");
		return 2;
	}
	l.local_id = (uint8_t)atoi(argv[2]);
	int group;
	resolve(&l, &group);
	l.events = genl_socket();
	l.commands = genl_socket();
	if (setsockopt(l.events, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
		perror("pm_tuned: join the events group (root needed)");
		return 1;
	}
	enum { SIZE = 65536 }; /* one datagram; events are a few hundred bytes */
	char *buf = malloc(SIZE);
	if (buf == NULL) {
		fprintf(stderr, "pm_tuned: out of memory\n");
		return 1;
	}
	fprintf(stderr, "pm_tuned: ready\n");
	for (;;) {
		if (poll_first) {
			struct pollfd readable = {.fd = l.events, .events = POLLIN};
			if (poll(&readable, 1, -1) < 0 && errno != EINTR)
				perror("pm_tuned: poll");
		}
		/* with --poll, receive until a receive finds nothing, then poll again */
		for (;;) {
			ssize_t n = recv(l.events, buf, SIZE, poll_first ? MSG_DONTWAIT : 0);
			if (n < 0) {
				if (errno != EINTR && errno != EAGAIN)
					perror("pm_tuned: receive"); /* ENOBUFS: events lost, the next ones still come */
				break;
			}
			for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
				if (h->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN))
					on_event(&l, h);
			if (!poll_first)
				break;
		}
	}
}
