/*
 * What a process of a namespace with CAP_NET_ADMIN there (a container's root) can send to the
 * netlink sockets the daemon reads that namespace through, and the kernel never would. Run
 * inside the namespace (ip netns exec) by the Java kernel tests:
 *
 *   foreign_sender unicast PROTOCOL    to every other socket of PROTOCOL there: the forged
 *                                      messages below, then datagrams until its receive buffer
 *                                      overflows (ENOBUFS at its next read)
 *   foreign_sender multicast GROUP...  the forged messages to each rtnetlink group (1 to 32)
 *
 * Forged: an NLMSG_ERROR whose error is INT_MIN, an NLMSG_DONE, an NLMSG_OVERRUN, an
 * RTM_NEWLINK of a link FORGED_INDEX named "m4jforged" that is up, and an RTM_NEWADDR of
 * 10.66.6.6/24 on it; none asks the kernel for anything (no NLM_F_REQUEST).
 *
 * Prints a line per socket or group: "unicast PORT delivered", "multicast GROUP delivered", or
 * the errno name of the first send the kernel refused in place of "delivered". Exit status 0,
 * or 1 with the reason on stderr when it could not try.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define FORGED_INDEX 424242
/* Datagrams of each size sent to fill a socket's receive buffer, at most. */
#define FILLERS 100000

struct forged {
	struct nlmsghdr hdr;
	union {
		struct nlmsgerr error;
		int done;
		struct {
			struct ifinfomsg ifi;
			struct rtattr name_attr;
			char name[16];
		} link;
		struct {
			struct ifaddrmsg ifa;
			struct rtattr local_attr;
			struct in_addr local;
		} addr;
	} body;
};

/* The i-th forged message (0 to 4) into *f; its length. */
static uint32_t forge(int i, struct forged *f)
{
	memset(f, 0, sizeof(*f));
	size_t body;
	switch (i) {
	case 0:
		f->hdr.nlmsg_type = NLMSG_ERROR;
		f->body.error.error = INT_MIN;
		f->body.error.msg.nlmsg_len = NLMSG_HDRLEN;
		body = sizeof(f->body.error);
		break;
	case 1:
		f->hdr.nlmsg_type = NLMSG_DONE;
		f->hdr.nlmsg_flags = NLM_F_MULTI;
		body = sizeof(f->body.done);
		break;
	case 2:
		f->hdr.nlmsg_type = NLMSG_OVERRUN;
		body = 0;
		break;
	case 3:
		f->hdr.nlmsg_type = RTM_NEWLINK;
		f->body.link.ifi.ifi_index = FORGED_INDEX;
		f->body.link.ifi.ifi_flags = IFF_UP | IFF_RUNNING;
		f->body.link.name_attr.rta_type = IFLA_IFNAME;
		f->body.link.name_attr.rta_len = RTA_LENGTH(sizeof(f->body.link.name));
		strcpy(f->body.link.name, "m4jforged");
		body = sizeof(f->body.link);
		break;
	default:
		f->hdr.nlmsg_type = RTM_NEWADDR;
		f->body.addr.ifa.ifa_family = AF_INET;
		f->body.addr.ifa.ifa_prefixlen = 24;
		f->body.addr.ifa.ifa_index = FORGED_INDEX;
		f->body.addr.local_attr.rta_type = IFA_LOCAL;
		f->body.addr.local_attr.rta_len = RTA_LENGTH(sizeof(f->body.addr.local));
		f->body.addr.local.s_addr = htonl(0x0a420606); /* 10.66.6.6 */
		body = sizeof(f->body.addr);
		break;
	}
	f->hdr.nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
	return f->hdr.nlmsg_len;
}

/* Sends the forged messages to dst, one datagram each; 0, or the errno of the first refused. */
static int send_forged(int fd, const struct sockaddr_nl *dst)
{
	for (int i = 0; i < 5; i++) {
		struct forged f;
		uint32_t len = forge(i, &f);
		if (sendto(fd, &f, len, 0, (const struct sockaddr *)dst, sizeof(*dst)) < 0)
			return errno;
	}
	return 0;
}

/*
 * Sends NLMSG_NOOP datagrams to dst without waiting, smaller and smaller, each size until the
 * kernel says there is no room for it (EAGAIN): the receive buffer is left too full for any
 * message the kernel sends next, which it drops and reports as ENOBUFS. 0 or errno.
 */
static int fill(int fd, const struct sockaddr_nl *dst)
{
	static const size_t sizes[] = {16384, 4096, 1024, 256, NLMSG_HDRLEN};
	struct nlmsghdr *noop = calloc(1, sizes[0]);
	if (noop == NULL)
		return ENOMEM;
	noop->nlmsg_type = NLMSG_NOOP;
	int err = 0;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]) && err == 0; s++) {
		noop->nlmsg_len = (uint32_t)sizes[s];
		for (int i = 0; i < FILLERS && err == 0; i++) {
			if (sendto(fd, noop, sizes[s], MSG_DONTWAIT, (const struct sockaddr *)dst, sizeof(*dst)) < 0)
				err = errno;
		}
		if (err == EAGAIN)
			err = 0;
		else if (err == 0)
			err = ENOSPC; /* never full */
	}
	free(noop);
	return err;
}

static const char *outcome(int err)
{
	if (err == 0)
		return "delivered";
	const char *name = strerrorname_np(err);
	return name != NULL ? name : "E?";
}

/* Every other socket of `protocol` in this namespace, from /proc/net/netlink. */
static int unicast(int fd, int protocol, uint32_t self)
{
	FILE *table = fopen("/proc/net/netlink", "r");
	if (table == NULL) {
		perror("foreign_sender: /proc/net/netlink");
		return 1;
	}
	char line[512];
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode: the header first. */
	if (fgets(line, sizeof(line), table) == NULL) {
		fprintf(stderr, "foreign_sender: /proc/net/netlink is empty\n");
		(void)fclose(table);
		return 1;
	}
	int status = 0;
	while (fgets(line, sizeof(line), table) != NULL) {
		int eth;
		unsigned port;
		if (sscanf(line, "%*s %d %u", &eth, &port) != 2) {
			fprintf(stderr, "foreign_sender: cannot read %s", line);
			status = 1;
			break;
		}
		if (eth != protocol || port == 0 || port == self)
			continue;
		struct sockaddr_nl dst = {.nl_family = AF_NETLINK, .nl_pid = port};
		int err = send_forged(fd, &dst);
		if (err == 0)
			err = fill(fd, &dst);
		printf("unicast %u %s\n", port, outcome(err));
	}
	if (fclose(table) != 0) {
		perror("foreign_sender: /proc/net/netlink");
		status = 1;
	}
	return status;
}

static int multicast(int fd, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		int group = atoi(argv[i]);
		if (group < 1 || group > 32) {
			fprintf(stderr, "foreign_sender: group %s is not 1 to 32\n", argv[i]);
			return 1;
		}
		/* Port 0 with a group: to the group's members, and to the kernel, which ignores what is not a request. */
		struct sockaddr_nl dst = {.nl_family = AF_NETLINK, .nl_groups = 1u << (group - 1)};
		printf("multicast %d %s\n", group, outcome(send_forged(fd, &dst)));
	}
	return 0;
}

int main(int argc, char **argv)
{
	int is_unicast = argc == 3 && strcmp(argv[1], "unicast") == 0;
	if (!is_unicast && !(argc >= 3 && strcmp(argv[1], "multicast") == 0)) {
		fprintf(stderr, "usage: foreign_sender unicast PROTOCOL | foreign_sender multicast GROUP...\n");
		return 1;
	}
	int protocol = is_unicast ? atoi(argv[2]) : NETLINK_ROUTE;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	struct sockaddr_nl self = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(self);
	if (fd < 0 || bind(fd, (struct sockaddr *)&self, sizeof(self)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&self, &len) != 0) {
		perror("foreign_sender: netlink socket");
		return 1;
	}
	int status = is_unicast ? unicast(fd, protocol, self.nl_pid) : multicast(fd, argc, argv);
	if (fflush(stdout) != 0) {
		perror("foreign_sender: stdout");
		status = 1;
	}
	return status;
}
