/*
 * Natives of org.mptcp4j.netlink.RtnlMonitor: a namespace's local addresses appearing and
 * going, and its links going up and down (the SMAPP paper's new_local_addr / del_local_addr),
 * from the rtnetlink groups, parsed with libnl-route into event records
 * (mptcp4j/event_record.h) that the event loop dispatches with the MPTCP events. The loop
 * waits on this socket in the same poll(2) as the MPTCP events; poll() here never blocks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "jni_support.h"
#include "netlink_error.h"
#include "mptcp4j/event_record.h"
#include "network_namespace.h"

struct rtnl_monitor {
	struct nl_sock *sk;
	struct netlink_error error;
	struct mptcp4j_event_record *records;
	int capacity;
	int count;
	/* Records written while the monitor opened, handed out by the first poll. */
	int undelivered;
	/* Per ifindex, grown on demand: what each link was last seen as (0 unknown, 1 down, 2 up), and its name. */
	int links;
	uint8_t *state;
	char (*names)[IFNAMSIZ];
};

static int is_up(unsigned flags)
{
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

/* Makes room for ifindex in the link tables; 0 when memory ran out (the link then goes unnamed). */
static int track_link(struct rtnl_monitor *m, int ifindex)
{
	if (ifindex <= 0)
		return 0;
	if (ifindex < m->links)
		return 1;
	int links = m->links;
	while (links <= ifindex)
		links *= 2;
	uint8_t *state = realloc(m->state, (size_t)links);
	if (state == NULL)
		return 0;
	m->state = state;
	char(*names)[IFNAMSIZ] = realloc(m->names, (size_t)links * IFNAMSIZ);
	if (names == NULL)
		return 0;
	m->names = names;
	memset(m->state + m->links, 0, (size_t)(links - m->links));
	memset(m->names + m->links, 0, (size_t)(links - m->links) * IFNAMSIZ);
	m->links = links;
	return 1;
}

static struct mptcp4j_event_record *next_record(struct rtnl_monitor *m, uint16_t type, int ifindex)
{
	if (m->count >= m->capacity)
		return NULL;
	struct mptcp4j_event_record *r = &m->records[m->count++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->rx_nanos = m4j_monotonic_nanos();
	r->if_idx = ifindex;
	r->attrs = 1u << 15; /* MPTCP_ATTR_IF_IDX */
	if (track_link(m, ifindex))
		memcpy(r->remote_addr, m->names[ifindex], IFNAMSIZ);
	return r;
}

static void on_link(struct rtnl_monitor *m, struct rtnl_link *link, int removed, int seeding)
{
	int ifindex = rtnl_link_get_ifindex(link);
	unsigned flags = rtnl_link_get_flags(link);
	uint8_t now = (!removed && is_up(flags)) ? 2 : 1;
	if (track_link(m, ifindex)) {
		const char *name = rtnl_link_get_name(link);
		if (name != NULL)
			strncpy(m->names[ifindex], name, IFNAMSIZ - 1);
		uint8_t before = m->state[ifindex];
		m->state[ifindex] = now;
		if (seeding || before == now)
			return;
	}
	struct mptcp4j_event_record *r = next_record(m, now == 2 ? MPTCP4J_RECORD_LINK_UP : MPTCP4J_RECORD_LINK_DOWN,
						     ifindex);
	if (r != NULL) {
		r->flags = (uint16_t)flags;
		r->attrs |= 1u << 13; /* MPTCP_ATTR_FLAGS */
	}
}

static void on_address(struct rtnl_monitor *m, struct rtnl_addr *addr, int removed)
{
	struct nl_addr *local = rtnl_addr_get_local(addr);
	if (local == NULL)
		return;
	int family = rtnl_addr_get_family(addr);
	unsigned len = nl_addr_get_len(local);
	if (!((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)))
		return;
	/*
	 * An IPv6 address in duplicate address detection cannot be used yet: it is reported when
	 * the kernel announces it again without the flag; one that failed DAD never is.
	 */
	unsigned addr_flags = rtnl_addr_get_flags(addr);
	if (!removed && (addr_flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
		return;
	struct mptcp4j_event_record *r = next_record(
		m, removed ? MPTCP4J_RECORD_LOCAL_ADDRESS_REMOVED : MPTCP4J_RECORD_LOCAL_ADDRESS_ADDED,
		rtnl_addr_get_ifindex(addr));
	if (r == NULL)
		return;
	r->family = (uint16_t)family;
	memcpy(r->local_addr, nl_addr_get_binary_addr(local), len);
	r->prefix_len = (uint8_t)rtnl_addr_get_prefixlen(addr);
	r->flags = (uint16_t)rtnl_addr_get_flags(addr);
	r->attrs |= (1u << 2) | (1u << (family == AF_INET ? 5 : 6)) | (1u << 13); /* FAMILY, SADDR, FLAGS */
}

struct parse {
	struct rtnl_monitor *monitor;
	int type;
	int seeding;
};

static void on_object(struct nl_object *object, void *arg)
{
	struct parse *p = arg;
	if (p->type == RTM_NEWLINK || p->type == RTM_DELLINK)
		on_link(p->monitor, (struct rtnl_link *)object, p->type == RTM_DELLINK, p->seeding);
	else if (p->type == RTM_NEWADDR || p->type == RTM_DELADDR)
		on_address(p->monitor, (struct rtnl_addr *)object, p->type == RTM_DELADDR);
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct rtnl_monitor *m = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	/* The seed dump's answers carry its sequence number; changes multicast meanwhile carry 0. */
	struct parse p = {.monitor = m, .type = hdr->nlmsg_type, .seeding = hdr->nlmsg_seq != 0};
	/* libnl-route turns the message into an rtnl_link or rtnl_addr object. */
	if (nl_msg_parse(msg, on_object, &p) < 0)
		return NL_SKIP;
	return NL_OK;
}

/* The kernel dropped changes (ENOBUFS): say so, and report each link's next state even if unchanged. */
static void mark_lost(struct rtnl_monitor *m)
{
	if (m->count < m->capacity) {
		struct mptcp4j_event_record *r = &m->records[m->count++];
		memset(r, 0, sizeof(*r));
		r->type = MPTCP4J_RECORD_EVENTS_LOST;
		r->rx_nanos = m4j_monotonic_nanos();
	}
	memset(m->state, 0, (size_t)m->links);
}

static void free_monitor(struct rtnl_monitor *m)
{
	if (m->sk != NULL)
		nl_socket_free(m->sk);
	free(m->state);
	free(m->names);
	free(m);
}

static jlong open_monitor(JNIEnv *env, jclass cls, jint netns_fd, jobject records)
{
	(void)cls;
	size_t capacity;
	struct mptcp4j_event_record *out = m4j_direct_buffer(env, records, sizeof(*out), &capacity);
	if (out == NULL)
		return 0;
	struct rtnl_monitor *m = calloc(1, sizeof(*m));
	if (m == NULL || (m->sk = nl_socket_alloc()) == NULL) {
		free(m);
		m4j_throw_mptcp(env, "allocate rtnetlink socket", ENOMEM, NULL);
		return 0;
	}
	m->records = out;
	m->capacity = (int)(capacity / sizeof(*out));
	m->links = 1;
	if (!track_link(m, 64)) {
		free_monitor(m);
		m4j_throw_mptcp(env, "allocate rtnetlink link table", ENOMEM, NULL);
		return 0;
	}
	int saved;
	int rc = network_namespace_enter(netns_fd, &saved);
	if (rc < 0) {
		free_monitor(m);
		m4j_throw_mptcp(env, "enter network namespace", -rc, NULL);
		return 0;
	}
	int nlerr = nl_connect(m->sk, NETLINK_ROUTE);
	int connect_errno = errno;
	network_namespace_leave(saved);
	if (nlerr < 0) {
		free_monitor(m);
		m4j_throw_mptcp(env, "connect rtnetlink socket", connect_errno, nl_geterror(nlerr));
		return 0;
	}
	/*
	 * Join the groups first, then seed what each link is now: a change during the dump is
	 * reported rather than lost. Multicast changes have no sequence number: no check.
	 */
	nl_socket_disable_seq_check(m->sk);
	struct rtgenmsg request = {.rtgen_family = AF_UNSPEC};
	nlerr = netlink_error_capture(m->sk, &m->error);
	if (nlerr >= 0)
		nlerr = nl_socket_modify_cb(m->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, m);
	if (nlerr >= 0)
		nlerr = nl_socket_add_memberships(m->sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0);
	if (nlerr >= 0)
		nlerr = nl_send_simple(m->sk, RTM_GETLINK, NLM_F_DUMP, &request, sizeof(request));
	if (nlerr >= 0)
		nlerr = nl_recvmsgs_default(m->sk);
	if (nlerr >= 0)
		nlerr = nl_socket_set_nonblocking(m->sk);
	if (nlerr < 0 || m->error.error != 0) {
		if (m->error.error != 0)
			m4j_throw_mptcp(env, "listen to rtnetlink address and link changes", m->error.error,
					m->error.message[0] ? m->error.message : NULL);
		else
			m4j_throw_mptcp(env, "listen to rtnetlink address and link changes", 0, nl_geterror(nlerr));
		free_monitor(m);
		return 0;
	}
	m->undelivered = m->count;
	return (jlong)(intptr_t)m;
}

/* Reads every pending change into records; returns how many, or -errno. */
static jint poll_monitor(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct rtnl_monitor *m = (struct rtnl_monitor *)(intptr_t)handle;
	m->count = m->undelivered;
	m->undelivered = 0;
	m->error.error = 0;
	while (m->count < m->capacity) {
		int rc = nl_recvmsgs_default(m->sk);
		if (rc == -NLE_AGAIN)
			break;
		if (rc == -NLE_NOMEM) /* libnl's word for ENOBUFS */
			mark_lost(m);
		else if (rc < 0 && rc != -NLE_INTR)
			return m->count > 0 ? m->count : -(m->error.error != 0 ? m->error.error : EPROTO);
	}
	return m->count;
}

static jint monitor_fd(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return nl_socket_get_fd(((struct rtnl_monitor *)(intptr_t)handle)->sk);
}

static void close_monitor(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	free_monitor((struct rtnl_monitor *)(intptr_t)handle);
}

int m4j_register_rtnl_monitor(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"open", "(ILjava/nio/ByteBuffer;)J", (void *)open_monitor},
		{"poll", "(J)I", (void *)poll_monitor},
		{"fd", "(J)I", (void *)monitor_fd},
		{"close", "(J)V", (void *)close_monitor},
	};
	return m4j_register(env, "org/mptcp4j/netlink/RtnlMonitor", methods, M4J_ARRAY_LEN(methods));
}
