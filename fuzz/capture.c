/*
 * mptcp4j-capture: records what the kernel sends, byte for byte, as seed corpus for the
 * fuzzers. fuzz/capture-corpus runs it in network namespaces of its own (fuzz/README.md).
 *
 *   mptcp4j-capture events DIR     every mptcp_pm event datagram, until SIGINT or SIGTERM
 *   mptcp4j-capture diag DIR       one sock_diag dump of the MPTCP and the TCP sockets
 *   mptcp4j-capture rtnl DIR       a dump of the links, then every link and address change
 *                                  datagram, until SIGINT or SIGTERM
 *   mptcp4j-capture command REQUEST_DIR REPLY_DIR NAME CMD [KEY=VALUE | dump]...
 *                                  one path-manager command, encoded by libnl as the
 *                                  Java encoder encodes it (src/test/c/libnl_encode.c):
 *                                  its request (mptcp4j/command_request.h) and every
 *                                  datagram of the answer
 *
 * A file is named after what it holds and a hash of its bytes: capturing the same bytes again
 * writes the same file, and different bytes never overwrite each other.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "libnl_encode.h"
#include "mptcp4j/mptcp_uapi.h"

/* The kernel's largest netlink datagram for these families. */
#define DATAGRAM_MAX 32768

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "mptcp4j-capture: %s: %s\n", what, strerror(err));
	return 1;
}

/* The same for libnl's negative codes. */
static int fail_nl(const char *what, int rc)
{
	fprintf(stderr, "mptcp4j-capture: %s: %s\n", what, nl_geterror(rc));
	return 1;
}

/* FNV-1a, 64 bits: names files by content, nothing more. */
static uint64_t hash(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}

/* Writes DIR/NAME-HASH; returns 0 or an errno. */
static int save(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s-%016llx", dir, name, (unsigned long long)hash(data, len)) >=
	    (int)sizeof(path))
		return ENAMETOOLONG;
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return errno;
	int err = fwrite(data, 1, len, f) == len ? 0 : EIO;
	if (fclose(f) != 0 && err == 0)
		err = errno;
	return err;
}

/* A connected generic-netlink socket and the mptcp_pm family id; NULL after saying why. */
static struct nl_sock *open_genl(int *family_id)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk == NULL) {
		fail("allocate socket", ENOMEM);
		return NULL;
	}
	int rc = genl_connect(sk);
	if (rc >= 0)
		rc = genl_ctrl_resolve(sk, MPTCP_PM_NAME);
	if (rc < 0) {
		fail_nl("resolve " MPTCP_PM_NAME, rc);
		nl_socket_free(sk);
		return NULL;
	}
	*family_id = rc;
	return sk;
}

static const char *event_name(int type)
{
	static const char *const names[] = {
		[MPTCP_EVENT_CREATED] = "created",
		[MPTCP_EVENT_ESTABLISHED] = "established",
		[MPTCP_EVENT_CLOSED] = "closed",
		[MPTCP_EVENT_ANNOUNCED] = "announced",
		[MPTCP_EVENT_REMOVED] = "removed",
		[MPTCP_EVENT_SUB_ESTABLISHED] = "sub_established",
		[MPTCP_EVENT_SUB_CLOSED] = "sub_closed",
		[MPTCP_EVENT_SUB_PRIORITY] = "sub_priority",
		[MPTCP_EVENT_LISTENER_CREATED] = "listener_created",
		[MPTCP_EVENT_LISTENER_CLOSED] = "listener_closed",
	};
	if (type >= 0 && type < (int)(sizeof(names) / sizeof(names[0])) && names[type] != NULL)
		return names[type];
	return "unknown";
}

static const char *event_file_name(const struct nlmsghdr *nlh)
{
	return event_name(((const struct genlmsghdr *)nlmsg_data(nlh))->cmd);
}

/*
 * Saves every datagram of at least min_len bytes received on fd as DIR/NAME-HASH, named after
 * its first message, until SIGINT or SIGTERM. Returns 0 or 1 after saying why.
 */
static int save_until_signal(int fd, const char *dir, size_t min_len, const char *(*name)(const struct nlmsghdr *))
{
	/* Without SA_RESTART the signal ends the blocking recv(). */
	struct sigaction sa = {.sa_handler = on_signal};
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return fail("sigaction", errno);
	static uint8_t buf[DATAGRAM_MAX];
	int saved = 0, status = 0;
	while (!stopping) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			status = fail("receive", errno);
			break;
		}
		if ((size_t)len < min_len)
			continue;
		int err = save(dir, name((const struct nlmsghdr *)buf), buf, (size_t)len);
		if (err != 0) {
			status = fail("write", err);
			break;
		}
		saved++;
	}
	fprintf(stderr, "mptcp4j-capture: %d datagrams\n", saved);
	return status;
}

static int capture_events(const char *dir)
{
	int family_id;
	struct nl_sock *sk = open_genl(&family_id);
	if (sk == NULL)
		return 1;
	int fd = nl_socket_get_fd(sk);
	int group = genl_ctrl_resolve_grp(sk, MPTCP_PM_NAME, MPTCP_PM_EV_GRP_NAME);
	int bytes = 4 << 20;
	if (group < 0 || setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
		nl_socket_free(sk);
		return fail("join mptcp_pm_events", group < 0 ? ENOENT : errno);
	}
	fprintf(stderr, "mptcp4j-capture: listening (family %d)\n", family_id);
	int status = save_until_signal(fd, dir, NLMSG_HDRLEN + GENL_HDRLEN, event_file_name);
	nl_socket_free(sk);
	return status;
}

/*
 * Receives the answer to the request with sequence `seq` on fd, saving each datagram as
 * DIR/NAME-HASH, until its final message (NLMSG_ERROR or NLMSG_DONE). Returns 0 or an errno.
 */
static int save_answer(int fd, uint32_t seq, const char *dir, const char *name)
{
	static uint8_t buf[DATAGRAM_MAX];
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		int err = save(dir, name, buf, (size_t)len);
		if (err != 0)
			return err;
		int remaining = (int)len;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, remaining);
		     nlh = nlmsg_next(nlh, &remaining))
			if (nlh->nlmsg_seq == seq && (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE))
				return 0;
	}
}

/* A dump of every socket of the family and protocol, with INET_DIAG_INFO; NULL when out of memory. */
static struct nl_msg *diag_request(int family, int protocol)
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

static int capture_diag(const char *dir)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk == NULL)
		return fail("allocate socket", ENOMEM);
	int rc = nl_connect(sk, NETLINK_SOCK_DIAG);
	if (rc < 0) {
		nl_socket_free(sk);
		return fail_nl("connect sock_diag socket", rc);
	}
	static const struct {
		int family, protocol;
		const char *name;
	} dumps[] = {
		{AF_INET, IPPROTO_MPTCP, "mptcp4"},
		{AF_INET6, IPPROTO_MPTCP, "mptcp6"},
		{AF_INET, IPPROTO_TCP, "tcp4"},
		{AF_INET6, IPPROTO_TCP, "tcp6"},
	};
	int status = 0;
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]) && status == 0; i++) {
		struct nl_msg *msg = diag_request(dumps[i].family, dumps[i].protocol);
		if (msg == NULL) {
			status = fail("build request", ENOMEM);
			break;
		}
		rc = nl_send_auto(sk, msg);
		uint32_t seq = nlmsg_hdr(msg)->nlmsg_seq;
		nlmsg_free(msg);
		if (rc < 0) {
			status = fail_nl("send dump request", rc);
			break;
		}
		int err = save_answer(nl_socket_get_fd(sk), seq, dir, dumps[i].name);
		if (err != 0)
			status = fail("dump", err);
	}
	nl_socket_free(sk);
	return status;
}

static const char *rtnl_name(const struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		return "newlink";
	case RTM_DELLINK:
		return "dellink";
	case RTM_NEWADDR:
		return "newaddr";
	case RTM_DELADDR:
		return "deladdr";
	default:
		return "other";
	}
}

static int capture_rtnl(const char *dir)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk == NULL)
		return fail("allocate socket", ENOMEM);
	struct rtgenmsg request = {.rtgen_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	int rc = msg == NULL ? -NLE_NOMEM : nlmsg_append(msg, &request, sizeof(request), NLMSG_ALIGNTO);
	if (rc >= 0)
		rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc >= 0)
		rc = nl_socket_add_memberships(sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0);
	if (rc >= 0)
		rc = nl_send_auto(sk, msg);
	uint32_t seq = msg == NULL ? 0 : nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (rc < 0) {
		nl_socket_free(sk);
		return fail_nl("dump links and join the link and address groups", rc);
	}
	/* As the monitor opens: the dump's answers first, the changes after. */
	int err = save_answer(nl_socket_get_fd(sk), seq, dir, "dump");
	if (err != 0) {
		nl_socket_free(sk);
		return fail("dump links", err);
	}
	fprintf(stderr, "mptcp4j-capture: listening (rtnetlink)\n");
	int status = save_until_signal(nl_socket_get_fd(sk), dir, NLMSG_HDRLEN, rtnl_name);
	nl_socket_free(sk);
	return status;
}

static int parse_address(const char *text, struct mptcp4j_pm_address *a)
{
	if (inet_pton(AF_INET, text, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, text, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -1;
	a->present |= MPTCP4J_ADDR_HAS_ADDR;
	return 0;
}

/* One KEY=VALUE or `dump` argument into the request; -1 when it is not one. */
static int parse_argument(const char *arg, struct mptcp4j_command_request *req)
{
	if (strcmp(arg, "dump") == 0) {
		req->present |= MPTCP4J_REQ_DUMP;
		return 0;
	}
	const char *eq = strchr(arg, '=');
	if (eq == NULL)
		return -1;
	const char *v = eq + 1;
	size_t k = (size_t)(eq - arg);
	unsigned long n = strtoul(v, NULL, 0);
#define KEY(name) (k == strlen(name) && strncmp(arg, name, k) == 0)
	if (KEY("token")) {
		req->token = (uint32_t)strtoul(v, NULL, 16);
		req->present |= MPTCP4J_REQ_HAS_TOKEN;
	} else if (KEY("loc_id")) {
		req->loc_id = (uint8_t)n;
		req->present |= MPTCP4J_REQ_HAS_LOC_ID;
	} else if (KEY("rcv_add_addrs")) {
		req->rcv_add_addrs = (uint32_t)n;
		req->present |= MPTCP4J_REQ_HAS_RCV_ADD_ADDRS;
	} else if (KEY("subflows")) {
		req->subflows = (uint32_t)n;
		req->present |= MPTCP4J_REQ_HAS_SUBFLOWS;
	} else if (KEY("addr")) {
		req->present |= MPTCP4J_REQ_HAS_ADDR;
		return parse_address(v, &req->addr);
	} else if (KEY("id")) {
		req->addr.id = (uint8_t)n;
		req->addr.present |= MPTCP4J_ADDR_HAS_ID;
		req->present |= MPTCP4J_REQ_HAS_ADDR;
	} else if (KEY("port")) {
		req->addr.port = (uint16_t)n;
		req->addr.present |= MPTCP4J_ADDR_HAS_PORT;
	} else if (KEY("flags")) {
		req->addr.flags = (uint32_t)n;
		req->addr.present |= MPTCP4J_ADDR_HAS_FLAGS;
		req->present |= MPTCP4J_REQ_HAS_ADDR;
	} else if (KEY("if_idx")) {
		req->addr.if_idx = (int32_t)n;
		req->addr.present |= MPTCP4J_ADDR_HAS_IF_IDX;
	} else if (KEY("raddr")) {
		req->present |= MPTCP4J_REQ_HAS_REMOTE;
		return parse_address(v, &req->remote);
	} else if (KEY("rport")) {
		req->remote.port = (uint16_t)n;
		req->remote.present |= MPTCP4J_ADDR_HAS_PORT;
	} else {
		return -1;
	}
#undef KEY
	return 0;
}

static int capture_command(const char *request_dir, const char *reply_dir, const char *name,
			   int argc, char **argv)
{
	static const char *const commands[] = {
		[MPTCP_PM_CMD_ADD_ADDR] = "add_addr",
		[MPTCP_PM_CMD_DEL_ADDR] = "del_addr",
		[MPTCP_PM_CMD_GET_ADDR] = "get_addr",
		[MPTCP_PM_CMD_FLUSH_ADDRS] = "flush_addrs",
		[MPTCP_PM_CMD_SET_LIMITS] = "set_limits",
		[MPTCP_PM_CMD_GET_LIMITS] = "get_limits",
		[MPTCP_PM_CMD_SET_FLAGS] = "set_flags",
		[MPTCP_PM_CMD_ANNOUNCE] = "announce",
		[MPTCP_PM_CMD_REMOVE] = "remove",
		[MPTCP_PM_CMD_SUBFLOW_CREATE] = "subflow_create",
		[MPTCP_PM_CMD_SUBFLOW_DESTROY] = "subflow_destroy",
	};
	struct mptcp4j_command_request req;
	memset(&req, 0, sizeof(req));
	for (int c = 1; c < (int)(sizeof(commands) / sizeof(commands[0])); c++)
		if (strcmp(argv[0], commands[c]) == 0)
			req.cmd = (uint8_t)c;
	if (req.cmd == 0) {
		fprintf(stderr, "mptcp4j-capture: unknown command %s\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (parse_argument(argv[i], &req) < 0) {
			fprintf(stderr, "mptcp4j-capture: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	int family_id;
	struct nl_sock *sk = open_genl(&family_id);
	if (sk == NULL)
		return 1;
	int fd = nl_socket_get_fd(sk);
	int one = 1;
	/* As the command socket asks, so the answers look like the ones it decodes. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) != 0) {
		nl_socket_free(sk);
		return fail("configure socket", errno);
	}
	struct nl_msg *msg = nlmsg_alloc();
	if (msg == NULL) {
		nl_socket_free(sk);
		return fail("allocate message", ENOMEM);
	}
	int err = -libnl_encode_command(msg, &req, family_id, nl_socket_get_local_port(sk), 1);
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	if (err == 0 && send(fd, nlh, nlh->nlmsg_len, 0) < 0)
		err = errno;
	if (err == 0)
		err = save(request_dir, name, &req, sizeof(req));
	if (err == 0)
		err = save_answer(fd, 1, reply_dir, name);
	nlmsg_free(msg);
	nl_socket_free(sk);
	return err == 0 ? 0 : fail(name, err);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "events") == 0)
		return capture_events(argv[2]);
	if (argc == 3 && strcmp(argv[1], "diag") == 0)
		return capture_diag(argv[2]);
	if (argc == 3 && strcmp(argv[1], "rtnl") == 0)
		return capture_rtnl(argv[2]);
	if (argc >= 6 && strcmp(argv[1], "command") == 0)
		return capture_command(argv[2], argv[3], argv[4], argc - 5, argv + 5);
	fprintf(stderr, "usage: mptcp4j-capture events DIR | diag DIR | rtnl DIR |"
			" command REQUEST_DIR REPLY_DIR NAME CMD [KEY=VALUE | dump]...\n");
	return 2;
}
