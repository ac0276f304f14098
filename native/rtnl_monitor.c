/*
 * Natives of org.mptcp4j.netlink.RtnlMonitor: a namespace's local addresses appearing and
 * going, and its links going up and down (the SMAPP paper's new_local_addr / del_local_addr),
 * from the rtnetlink groups, decoded by rtnl_decoder.c into event records
 * (mptcp4j/event_record.h) that the event loop dispatches with the MPTCP events. The loop
 * waits on this socket in the same poll(2) as the MPTCP events; poll() here never blocks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "jni_support.h"
#include "netlink_error.h"
#include "netlink_socket.h"
#include "rtnl_decoder.h"

struct m4j_rtnl_monitor {
	struct nl_sock *sk;
	struct netlink_error error;
	struct m4j_rtnl_records records;
	/* Records written while the monitor opened, handed out by the first poll. */
	int undelivered;
	/* What each link was last seen as, and its name (rtnl_decoder.h). */
	struct m4j_rtnl_links links;
	/* Java's copy of links.untracked, brought up to date when open and poll return. */
	uint64_t *untracked;
};

/* Only the kernel's messages come this far (netlink_socket.h). */
static int on_message(struct nl_msg *msg, void *arg)
{
	struct m4j_rtnl_monitor *m = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	/* The seed dump's answers carry its sequence number; changes multicast meanwhile carry 0. */
	m4j_rtnl_monitor_read(&m->links, hdr, hdr->nlmsg_seq != 0, m4j_monotonic_nanos(), &m->records);
	return NL_OK;
}

static void free_monitor(struct m4j_rtnl_monitor *m)
{
	if (m->sk != NULL)
		nl_socket_free(m->sk);
	m4j_rtnl_links_free(&m->links);
	free(m);
}

static jlong open_monitor(JNIEnv *env, jclass cls, jint netns_fd, jobject records, jobject counters)
{
	(void)cls;
	size_t capacity;
	struct mptcp4j_event_record *out = m4j_direct_buffer(env, records, sizeof(*out), &capacity);
	if (out == NULL)
		return 0;
	uint64_t *untracked = m4j_direct_buffer(env, counters, sizeof(*untracked), NULL);
	if (untracked == NULL)
		return 0;
	struct m4j_rtnl_monitor *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		m4j_throw_mptcp(env, "allocate rtnetlink monitor", ENOMEM, NULL);
		return 0;
	}
	m->records.out = out;
	m->records.capacity = (int)(capacity / sizeof(*out));
	m->untracked = untracked;
	m->sk = netlink_socket_open(env, netns_fd, NETLINK_ROUTE, "rtnetlink");
	if (m->sk == NULL) {
		free_monitor(m);
		return 0;
	}
	/*
	 * Join the groups first, then seed what each link is now: a change during the dump is
	 * reported rather than lost. Multicast changes have no sequence number: no check.
	 */
	nl_socket_disable_seq_check(m->sk);
	struct rtgenmsg request = {.rtgen_family = AF_UNSPEC};
	int nlerr = netlink_error_capture(m->sk, &m->error);
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
	m->undelivered = m->records.count;
	*m->untracked = m->links.untracked;
	return (jlong)(intptr_t)m;
}

/* Reads every pending change into records; returns how many, or -errno. */
static jint poll_monitor(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct m4j_rtnl_monitor *m = (struct m4j_rtnl_monitor *)(intptr_t)handle;
	struct m4j_rtnl_records *records = &m->records;
	records->count = m->undelivered;
	m->undelivered = 0;
	m->error.error = 0;
	int failed = 0;
	while (records->count < records->capacity) {
		int rc = nl_recvmsgs_default(m->sk);
		if (rc == -NLE_AGAIN)
			break;
		if (rc == -NLE_NOMEM) { /* libnl's word for ENOBUFS */
			m4j_rtnl_monitor_lost(&m->links, m4j_monotonic_nanos(), records);
		} else if (rc < 0 && rc != -NLE_INTR) {
			/* The records read before go out first; the error (1..4095, netlink_error.h) when none were. */
			if (records->count == 0)
				failed = m->error.error != 0 ? m->error.error : EPROTO;
			break;
		}
	}
	*m->untracked = m->links.untracked;
	return failed != 0 ? -failed : records->count;
}

static jint monitor_fd(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return nl_socket_get_fd(((struct m4j_rtnl_monitor *)(intptr_t)handle)->sk);
}

static void close_monitor(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	free_monitor((struct m4j_rtnl_monitor *)(intptr_t)handle);
}

int m4j_register_rtnl_monitor(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"open", "(ILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)J", (void *)open_monitor},
		{"poll", "(J)I", (void *)poll_monitor},
		{"fd", "(J)I", (void *)monitor_fd},
		{"close", "(J)V", (void *)close_monitor},
	};
	return m4j_register(env, "org/mptcp4j/netlink/RtnlMonitor", methods, M4J_ARRAY_LEN(methods));
}
