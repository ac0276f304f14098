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
#include <time.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "jni_support.h"
#include "mptcp4j/event_record.h"
#include "network_namespace.h"

/* Links with a larger ifindex are reported on every change, not only on up/down. */
#define MONITORED_LINKS 4096

struct rtnl_monitor {
	struct nl_sock *sk;
	struct mptcp4j_event_record *records;
	int capacity;
	int count;
	/* What each link was last seen as: 0 unknown, 1 down, 2 up; and its name. */
	uint8_t state[MONITORED_LINKS];
	char names[MONITORED_LINKS][IFNAMSIZ];
};

static uint64_t monotonic_nanos(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int is_up(unsigned flags)
{
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

static struct mptcp4j_event_record *next_record(struct rtnl_monitor *m, uint16_t type, int ifindex)
{
	if (m->count >= m->capacity)
		return NULL;
	struct mptcp4j_event_record *r = &m->records[m->count++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->rx_nanos = monotonic_nanos();
	r->if_idx = ifindex;
	r->attrs = 1u << 15; /* MPTCP_ATTR_IF_IDX */
	if (ifindex > 0 && ifindex < MONITORED_LINKS)
		memcpy(r->remote_addr, m->names[ifindex], IFNAMSIZ);
	return r;
}

static void on_link(struct rtnl_monitor *m, struct rtnl_link *link, int removed, int seeding)
{
	int ifindex = rtnl_link_get_ifindex(link);
	unsigned flags = rtnl_link_get_flags(link);
	uint8_t now = (!removed && is_up(flags)) ? 2 : 1;
	if (ifindex > 0 && ifindex < MONITORED_LINKS) {
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
	else if (!p->seeding)
		on_address(p->monitor, (struct rtnl_addr *)object, p->type == RTM_DELADDR);
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct parse *p = arg;
	p->type = nlmsg_hdr(msg)->nlmsg_type;
	/* libnl-route turns the message into an rtnl_link or rtnl_addr object. */
	if (nl_msg_parse(msg, on_object, p) < 0)
		return NL_SKIP;
	return NL_OK;
}

static void free_monitor(struct rtnl_monitor *m)
{
	if (m->sk != NULL)
		nl_socket_free(m->sk);
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
	/* Seed what each link is now, so that only changes are reported. */
	struct parse seed = {.monitor = m, .seeding = 1};
	struct rtgenmsg request = {.rtgen_family = AF_UNSPEC};
	nlerr = nl_socket_modify_cb(m->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, &seed);
	if (nlerr >= 0)
		nlerr = nl_send_simple(m->sk, RTM_GETLINK, NLM_F_DUMP, &request, sizeof(request));
	if (nlerr >= 0)
		nlerr = nl_recvmsgs_default(m->sk);
	if (nlerr >= 0)
		nlerr = nl_socket_add_memberships(m->sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0);
	if (nlerr >= 0)
		nlerr = nl_socket_set_nonblocking(m->sk);
	if (nlerr < 0) {
		free_monitor(m);
		m4j_throw_mptcp(env, "listen to rtnetlink address and link changes", 0, nl_geterror(nlerr));
		return 0;
	}
	nl_socket_disable_seq_check(m->sk);
	m->count = 0;
	return (jlong)(intptr_t)m;
}

/* Reads every pending change into records; returns how many, or -errno. */
static jint poll_monitor(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct rtnl_monitor *m = (struct rtnl_monitor *)(intptr_t)handle;
	struct parse p = {.monitor = m};
	m->count = 0;
	if (nl_socket_modify_cb(m->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, &p) < 0)
		return -ENOMEM;
	while (m->count < m->capacity) {
		int rc = nl_recvmsgs_default(m->sk);
		if (rc == -NLE_AGAIN)
			break;
		if (rc < 0 && rc != -NLE_INTR)
			return m->count > 0 ? m->count : -EPROTO;
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
