/*
 * netlink_probe [NETNS-PATH]: the steps mptcp4j's transports take to reach the
 * kernel, one by one, each printed with its result, so that a run under an
 * emulator (qemu-user) shows which of them the emulator passes to the kernel
 * and which it refuses.
 *
 *   namespace: (with NETNS-PATH, as -n NAME does) open, ioctl NS_GET_NSTYPE,
 *              setns(CLONE_NEWNET); the steps below then run in it
 *   rtnetlink: socket(NETLINK_ROUTE), bind, RTM_GETLINK dump (links counted)
 *   generic:   socket(NETLINK_GENERIC), bind, getsockname (port id),
 *              CTRL_CMD_GETFAMILY "mptcp_pm" (family id, event group id),
 *              NETLINK_ADD_MEMBERSHIP to mptcp_pm_events,
 *              MPTCP_PM_CMD_GET_LIMITS (the answer's two limits)
 *
 * Exit status 0 when every step succeeded, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* From linux/mptcp_pm.h (5.7), spelled here to depend on no header version. */
#define MPTCP_PM_CMD_GET_LIMITS 6
#define MPTCP_PM_ATTR_RCV_ADD_ADDRS 2
#define MPTCP_PM_ATTR_SUBFLOWS 3

static int failures;

static void step(const char *what, long result, int err)
{
    if (result < 0) {
        failures++;
        printf("FAIL %-28s errno %d (%s)\n", what, err, strerror(err));
    } else {
        printf("ok   %-28s %ld\n", what, result);
    }
}

static int open_bound(int protocol, const char *name)
{
    char what[64];
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    snprintf(what, sizeof what, "%s socket", name);
    step(what, fd, errno);
    if (fd < 0)
        return -1;
    struct sockaddr_nl local = { .nl_family = AF_NETLINK };
    int rc = bind(fd, (struct sockaddr *)&local, sizeof local);
    snprintf(what, sizeof what, "%s bind", name);
    step(what, rc, errno);
    if (rc < 0) {
        if (close(fd) < 0)
            perror("close");
        return -1;
    }
    return fd;
}

/* Sends len bytes of req to the kernel; prints and counts a failure. */
static int send_to_kernel(int fd, const void *req, size_t len, const char *what)
{
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    ssize_t n = sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof kernel);
    step(what, n, errno);
    return n < 0 ? -1 : 0;
}

static ssize_t receive(int fd, void *buf, size_t len, const char *what)
{
    ssize_t n = recv(fd, buf, len, 0);
    step(what, n, errno);
    return n;
}

static void probe_rtnetlink(void)
{
    int fd = open_bound(NETLINK_ROUTE, "rtnl");
    if (fd < 0)
        return;
    struct {
        struct nlmsghdr nh;
        struct rtgenmsg g;
    } req = {
        .nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg)),
                .nlmsg_type = RTM_GETLINK,
                .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                .nlmsg_seq = 1 },
        .g = { .rtgen_family = AF_UNSPEC },
    };
    if (send_to_kernel(fd, &req, req.nh.nlmsg_len, "rtnl RTM_GETLINK send") == 0) {
        static char buf[65536];
        long links = 0;
        int done = 0;
        while (!done) {
            ssize_t n = receive(fd, buf, sizeof buf, "rtnl RTM_GETLINK recv");
            if (n < 0)
                break;
            int len = (int)n;
            for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
                 h = NLMSG_NEXT(h, len)) {
                if (h->nlmsg_type == NLMSG_DONE) {
                    done = 1;
                } else if (h->nlmsg_type == NLMSG_ERROR) {
                    const struct nlmsgerr *e = NLMSG_DATA(h);
                    step("rtnl RTM_GETLINK answer", -1, -e->error);
                    done = 1;
                } else if (h->nlmsg_type == RTM_NEWLINK) {
                    links++;
                }
            }
        }
        step("rtnl links in namespace", links, 0);
    }
    if (close(fd) < 0)
        perror("close");
}

struct genl_request {
    struct nlmsghdr nh;
    struct genlmsghdr gh;
    char attrs[64];
};

static size_t put_attr(struct genl_request *req, size_t at, uint16_t type,
                       const void *data, uint16_t len)
{
    struct nlattr *a = (struct nlattr *)(req->attrs + at);
    a->nla_type = type;
    a->nla_len = (uint16_t)(NLA_HDRLEN + len);
    memcpy((char *)a + NLA_HDRLEN, data, len);
    return at + NLA_ALIGN(a->nla_len);
}

/* Receives the answer to one genl request; NULL (failure counted) on error. */
static struct nlmsghdr *genl_answer(int fd, char *buf, size_t len, const char *what)
{
    ssize_t n = receive(fd, buf, len, what);
    if (n < 0)
        return NULL;
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (!NLMSG_OK(h, (int)n)) {
        step(what, -1, EBADMSG);
        return NULL;
    }
    if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        step(what, -1, -e->error);
        return NULL;
    }
    return h;
}

static void probe_generic(void)
{
    int fd = open_bound(NETLINK_GENERIC, "genl");
    if (fd < 0)
        return;
    struct sockaddr_nl self;
    socklen_t self_len = sizeof self;
    int rc = getsockname(fd, (struct sockaddr *)&self, &self_len);
    step("genl getsockname (port id)", rc < 0 ? rc : (long)self.nl_pid, errno);

    struct genl_request req = {
        .nh = { .nlmsg_type = GENL_ID_CTRL, .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
        .gh = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 },
    };
    size_t at = put_attr(&req, 0, CTRL_ATTR_FAMILY_NAME, "mptcp_pm", sizeof "mptcp_pm");
    req.nh.nlmsg_len = (uint32_t)(NLMSG_LENGTH(GENL_HDRLEN) + at);
    static char buf[16384];
    long family = -1, events_group = -1;
    if (send_to_kernel(fd, &req, req.nh.nlmsg_len, "genl GETFAMILY send") == 0) {
        struct nlmsghdr *h = genl_answer(fd, buf, sizeof buf, "genl GETFAMILY recv");
        if (h != NULL) {
            int rem = (int)(h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
            for (struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
                 rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
                 rem -= NLA_ALIGN(a->nla_len),
                 a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
                if (a->nla_type == CTRL_ATTR_FAMILY_ID)
                    family = *(uint16_t *)((char *)a + NLA_HDRLEN);
                if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
                    continue;
                /* nest of nests: each group has a name and an id */
                int grem = a->nla_len - NLA_HDRLEN;
                for (struct nlattr *g = (struct nlattr *)((char *)a + NLA_HDRLEN);
                     grem >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN && g->nla_len <= grem;
                     grem -= NLA_ALIGN(g->nla_len),
                     g = (struct nlattr *)((char *)g + NLA_ALIGN(g->nla_len))) {
                    long id = -1;
                    int events = 0;
                    int frem = g->nla_len - NLA_HDRLEN;
                    for (struct nlattr *f = (struct nlattr *)((char *)g + NLA_HDRLEN);
                         frem >= NLA_HDRLEN && f->nla_len >= NLA_HDRLEN && f->nla_len <= frem;
                         frem -= NLA_ALIGN(f->nla_len),
                         f = (struct nlattr *)((char *)f + NLA_ALIGN(f->nla_len))) {
                        if (f->nla_type == CTRL_ATTR_MCAST_GRP_ID)
                            id = *(uint32_t *)((char *)f + NLA_HDRLEN);
                        if (f->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
                            events = strcmp((char *)f + NLA_HDRLEN, "mptcp_pm_events") == 0;
                    }
                    if (events)
                        events_group = id;
                }
            }
            step("genl mptcp_pm family id", family, ENOENT);
            step("genl mptcp_pm_events group", events_group, ENOENT);
        }
    }
    if (events_group >= 0) {
        int group = (int)events_group;
        rc = setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group);
        step("genl ADD_MEMBERSHIP events", rc, errno);
    }
    if (family >= 0) {
        struct genl_request limits = {
            .nh = { .nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN), .nlmsg_type = (uint16_t)family,
                    .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 2 },
            .gh = { .cmd = MPTCP_PM_CMD_GET_LIMITS, .version = 1 },
        };
        if (send_to_kernel(fd, &limits, limits.nh.nlmsg_len, "genl GET_LIMITS send") == 0) {
            struct nlmsghdr *h = genl_answer(fd, buf, sizeof buf, "genl GET_LIMITS recv");
            if (h != NULL) {
                long rcv_add_addrs = -1, subflows = -1;
                int rem = (int)(h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
                for (struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
                     rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
                     rem -= NLA_ALIGN(a->nla_len),
                     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
                    if (a->nla_type == MPTCP_PM_ATTR_RCV_ADD_ADDRS)
                        rcv_add_addrs = *(uint32_t *)((char *)a + NLA_HDRLEN);
                    if (a->nla_type == MPTCP_PM_ATTR_SUBFLOWS)
                        subflows = *(uint32_t *)((char *)a + NLA_HDRLEN);
                }
                step("genl limits rcv_add_addrs", rcv_add_addrs, ENOENT);
                step("genl limits subflows", subflows, ENOENT);
            }
        }
    }
    if (close(fd) < 0)
        perror("close");
}

/* Enters the network namespace at path; 0 when every step succeeded. */
static int enter_namespace(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    step("netns open", fd, errno);
    if (fd < 0)
        return -1;
    int type = ioctl(fd, NS_GET_NSTYPE);
    step("netns ioctl NS_GET_NSTYPE", type, errno);
    if (type >= 0 && type != CLONE_NEWNET)
        step("netns is a network namespace", -1, EINVAL);
    /* setns runs even when the type check failed: it says whether entering works */
    int rc = setns(fd, CLONE_NEWNET);
    step("netns setns", rc, errno);
    if (close(fd) < 0)
        perror("close");
    return type == CLONE_NEWNET && rc == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "usage: %s [NETNS-PATH]\n", argv[0]);
        return 2;
    }
    if (argc == 2 && enter_namespace(argv[1]) < 0) {
        printf("FAILED: %d step(s) failed\n", failures);
        return 1;
    }
    probe_rtnetlink();
    probe_generic();
    printf("%s: %d step(s) failed\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
