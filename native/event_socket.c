/*
 * Natives of org.mptcp4j.netlink.EventSocket: the socket joined to the path manager's events
 * group (mptcp_pm_events upstream, mptcp_events on v0.95), or a socket adopted from a stand-in
 * for the kernel that replays recorded events. One poll
 * call receives every pending datagram, decodes it into the records buffer and returns the
 * count; Java then reads the records in place. No call back into Java per event.
 *
 * In raw mode (pollRaw) the datagrams are received straight into a Java buffer, undecoded,
 * for the pure-Java decoder: the same socket, waiting and accounting, no parsing in C.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/socket.h>

#include "event_decoder.h"
#include "genl_socket.h"
#include "jni_support.h"
#include "mptcp4j/mptcp_uapi.h"

/* Kernel events are a few hundred bytes; a larger datagram is counted as truncated. */
#define RX_BUFFER_SIZE 32768

struct event_socket {
	struct nl_sock *sk;
	int fd;
	int wake_fd;
	/* Another socket the loop reads (the rtnetlink monitor), waited on in the same poll(2); -1 if none. */
	int attached_fd;
	int receive_buffer;
	struct event_decoder decoder;
	struct mptcp4j_event_record *records;
	int capacity;
	/* A datagram whose records did not all fit: decoded first at the next poll. */
	size_t pending_off;
	size_t pending_len;
	uint64_t pending_nanos;
	/* Raw mode: where datagrams go, and how much of it the current poll filled. */
	uint8_t *raw;
	size_t raw_capacity;
	size_t raw_used;
	uint8_t rx[RX_BUFFER_SIZE];
};

static int decode_pending(struct event_socket *s, int n)
{
	size_t consumed;
	n += event_decoder_decode(&s->decoder, s->rx + s->pending_off,
				  s->pending_len - s->pending_off, s->pending_nanos,
				  s->records + n, s->capacity - n, &consumed);
	s->pending_off += consumed;
	if (s->pending_off >= s->pending_len)
		s->pending_off = s->pending_len = 0;
	return n;
}

static void mark_events_lost(struct event_socket *s, int n)
{
	struct mptcp4j_event_record *r = &s->records[n];
	memset(r, 0, sizeof(*r));
	r->type = MPTCP4J_RECORD_EVENTS_LOST;
	r->rx_nanos = m4j_monotonic_nanos();
	s->decoder.counters[MPTCP4J_COUNTER_LOST]++;
}

/*
 * Receives one datagram into `buf`; returns its length, 0 when the socket is empty, -ENOBUFS
 * when the kernel dropped events, -1 for a datagram to skip (counted), or another -errno.
 */
static ssize_t receive_datagram(struct event_socket *s, uint8_t *buf, size_t size)
{
	uint64_t *counters = s->decoder.counters;
	uint32_t sender;
	ssize_t len = genl_socket_receive(s->fd, buf, size, &sender);
	if (len == 0 || (len < 0 && len != -EMSGSIZE))
		return len;
	counters[MPTCP4J_COUNTER_DATAGRAMS]++;
	if (len == -EMSGSIZE) {
		counters[MPTCP4J_COUNTER_TRUNCATED]++;
		return -1;
	}
	if (sender != 0) {
		counters[MPTCP4J_COUNTER_FOREIGN]++;
		return -1;
	}
	return len;
}

/*
 * Receives and decodes until the socket is empty, the records are full or `datagrams` were
 * taken; returns the records.
 */
static int drain_records(struct event_socket *s, int n, int datagrams)
{
	while (n < s->capacity && s->pending_len == 0 && datagrams-- > 0) {
		ssize_t len = receive_datagram(s, s->rx, sizeof(s->rx));
		if (len == 0)
			break;
		if (len == -1)
			continue;
		if (len == -ENOBUFS) {
			mark_events_lost(s, n++);
			continue;
		}
		if (len < 0)
			return n > 0 ? n : (int)len;
		s->pending_off = 0;
		s->pending_len = (size_t)len;
		s->pending_nanos = m4j_monotonic_nanos();
		n = decode_pending(s, n);
	}
	return n;
}

/*
 * Receives datagrams straight into the raw buffer while a whole one still fits, at most
 * `datagrams`; returns the bytes used.
 */
static int drain_raw(struct event_socket *s, int used, int datagrams)
{
	s->raw_used = (size_t)used;
	while (s->raw_capacity - s->raw_used >= MPTCP4J_RAW_HEADER_SIZE + RX_BUFFER_SIZE && datagrams-- > 0) {
		struct mptcp4j_raw_datagram *h = (struct mptcp4j_raw_datagram *)(s->raw + s->raw_used);
		ssize_t len = receive_datagram(s, s->raw + s->raw_used + MPTCP4J_RAW_HEADER_SIZE, RX_BUFFER_SIZE);
		if (len == 0)
			break;
		if (len == -1)
			continue;
		h->reserved = 0;
		h->rx_nanos = m4j_monotonic_nanos();
		if (len == -ENOBUFS) {
			h->length = MPTCP4J_RAW_EVENTS_LOST;
			s->decoder.counters[MPTCP4J_COUNTER_LOST]++;
			s->raw_used += MPTCP4J_RAW_HEADER_SIZE;
			continue;
		}
		if (len < 0)
			return s->raw_used > 0 ? (int)s->raw_used : (int)len;
		h->length = (uint32_t)len;
		s->raw_used += MPTCP4J_RAW_HEADER_SIZE + (((size_t)len + 7) & ~(size_t)7);
	}
	return (int)s->raw_used;
}

/*
 * Takes what is pending; when nothing is and timeout_millis is not 0, waits in poll(2) for an
 * event or a wake-up first, then takes one datagram: the event that woke the loop goes to the
 * handler without a receive that finds nothing before it (the next call takes the rest). Shared
 * by both modes; `drain` says what receiving means.
 */
static int wait_and_drain(struct event_socket *s, int timeout_millis, int (*drain)(struct event_socket *, int, int),
			  int n)
{
	n = drain(s, n, INT_MAX);
	if (n != 0 || timeout_millis == 0)
		return n;
	struct pollfd fds[3] = {
		{.fd = s->fd, .events = POLLIN},
		{.fd = s->wake_fd, .events = POLLIN},
		{.fd = s->attached_fd, .events = POLLIN},
	};
	int rc = poll(fds, s->attached_fd >= 0 ? 3 : 2, timeout_millis);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (fds[1].revents & POLLIN) {
		uint64_t value;
		if (read(s->wake_fd, &value, sizeof(value)) < 0 && errno != EAGAIN)
			return -errno;
	}
	if (fds[0].revents & (POLLIN | POLLERR))
		n = drain(s, 0, 1);
	return n;
}

static jint poll_events(JNIEnv *env, jclass cls, jlong handle, jint timeout_millis)
{
	(void)env;
	(void)cls;
	struct event_socket *s = (struct event_socket *)(intptr_t)handle;
	int n = s->pending_len != 0 ? decode_pending(s, 0) : 0;
	if (n >= s->capacity)
		return n;
	return wait_and_drain(s, timeout_millis, drain_records, n);
}

/* Raw mode: fills the raw buffer from its start; returns the bytes used, or -errno. */
static jint poll_raw(JNIEnv *env, jclass cls, jlong handle, jint timeout_millis)
{
	(void)env;
	(void)cls;
	struct event_socket *s = (struct event_socket *)(intptr_t)handle;
	return wait_and_drain(s, timeout_millis, drain_raw, 0);
}

/*
 * Whether events wait: a datagram received but not all decoded, or anything queued in the
 * socket, an ENOBUFS report included (poll(2) without waiting). A failed look says yes, so
 * that a caller waiting for the socket to drain is not misled.
 */
static jboolean pending(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct event_socket *s = (struct event_socket *)(intptr_t)handle;
	if (s->pending_len != 0)
		return JNI_TRUE;
	struct pollfd fd = {.fd = s->fd, .events = POLLIN};
	if (poll(&fd, 1, 0) < 0)
		return JNI_TRUE;
	return (fd.revents & (POLLIN | POLLERR)) != 0 ? JNI_TRUE : JNI_FALSE;
}

static void wakeup(JNIEnv *env, jclass cls, jlong handle)
{
	(void)cls;
	struct event_socket *s = (struct event_socket *)(intptr_t)handle;
	uint64_t one = 1;
	if (write(s->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		m4j_throw_io(env, "wake event loop", errno);
}

static void free_socket(struct event_socket *s)
{
	if (s->sk != NULL)
		nl_socket_free(s->sk);
	else if (s->fd >= 0)
		(void)close(s->fd);
	if (s->wake_fd >= 0)
		(void)close(s->wake_fd);
	free(s);
}

/* What both ways of opening share: the buffers Java gave and the wake-up eventfd. NULL with an exception pending. */
static struct event_socket *alloc_socket(JNIEnv *env, jobject records, jobject counters, jobject raw)
{
	size_t raw_capacity = 0;
	uint8_t *raw_address = NULL;
	if (raw != NULL) {
		raw_address = m4j_direct_buffer(env, raw, MPTCP4J_RAW_HEADER_SIZE + RX_BUFFER_SIZE, &raw_capacity);
		if (raw_address == NULL)
			return NULL;
	}
	size_t records_size;
	void *records_address = m4j_direct_buffer(env, records,
						  sizeof(struct mptcp4j_event_record),
						  &records_size);
	if (records_address == NULL)
		return NULL;
	uint64_t *counters_address = m4j_direct_buffer(
		env, counters, MPTCP4J_COUNTER_COUNT * sizeof(uint64_t), NULL);
	if (counters_address == NULL)
		return NULL;

	struct event_socket *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		m4j_throw_mptcp(env, "allocate event socket", ENOMEM, NULL);
		return NULL;
	}
	s->fd = -1;
	s->attached_fd = -1;
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0) {
		m4j_throw_mptcp(env, "create eventfd", errno, NULL);
		free_socket(s);
		return NULL;
	}
	s->decoder.type_mask = ~UINT64_C(0);
	s->decoder.counters = counters_address;
	s->records = records_address;
	s->capacity = (int)(records_size / sizeof(struct mptcp4j_event_record));
	s->raw = raw_address;
	s->raw_capacity = raw_capacity;
	return s;
}

/* A socket joined to `group` of `family` in netns_fd: the kernel's events. */
static jlong open_socket(JNIEnv *env, jclass cls, jint netns_fd, jstring family_name, jstring group_name,
			 jboolean host_order_ports, jint receive_buffer, jobject records, jobject counters,
			 jobject raw)
{
	(void)cls;
	char family[GENL_NAMSIZ], group_text[GENL_NAMSIZ];
	if (genl_socket_name(env, family_name, family, sizeof(family)) < 0 ||
	    genl_socket_name(env, group_name, group_text, sizeof(group_text)) < 0)
		return 0;
	struct event_socket *s = alloc_socket(env, records, counters, raw);
	if (s == NULL)
		return 0;
	int family_id;
	s->sk = genl_socket_open(env, netns_fd, family, &family_id);
	if (s->sk == NULL) {
		free_socket(s);
		return 0;
	}
	s->fd = nl_socket_get_fd(s->sk);
	int group = genl_socket_group(env, s->sk, family, group_text);
	if (group < 0) {
		free_socket(s);
		return 0;
	}
	s->receive_buffer = genl_socket_set_receive_buffer(s->sk, receive_buffer);
	if (s->receive_buffer < 0) {
		m4j_throw_mptcp(env, "set event socket receive buffer", -s->receive_buffer, NULL);
		free_socket(s);
		return 0;
	}
	/* setsockopt directly rather than through libnl, which folds errno into its own codes. */
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) != 0) {
		char what[96];
		snprintf(what, sizeof(what), "join multicast group %s", group_text);
		m4j_throw_mptcp(env, what, errno, NULL);
		free_socket(s);
		return 0;
	}
	s->decoder.family_id = (uint16_t)family_id;
	s->decoder.host_order_ports = host_order_ports;
	return (jlong)(intptr_t)s;
}

/*
 * A socket over `fd`, a connected datagram socket whose peer writes event messages of family
 * family_id in the kernel's place (a replay of recorded traffic). The socket owns fd from now on.
 */
static jlong adopt_socket(JNIEnv *env, jclass cls, jint fd, jint family_id, jboolean host_order_ports,
			  jobject records, jobject counters, jobject raw)
{
	(void)cls;
	struct event_socket *s = alloc_socket(env, records, counters, raw);
	if (s == NULL) {
		(void)close(fd);
		return 0;
	}
	s->fd = fd;
	s->decoder.family_id = (uint16_t)family_id;
	s->decoder.host_order_ports = host_order_ports;
	int size = 0;
	socklen_t len = sizeof(size);
	s->receive_buffer = getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len) == 0 ? size : 0;
	return (jlong)(intptr_t)s;
}

static void set_type_mask(JNIEnv *env, jclass cls, jlong handle, jlong mask)
{
	(void)env;
	(void)cls;
	((struct event_socket *)(intptr_t)handle)->decoder.type_mask = (uint64_t)mask;
}

/* The loop's poll also returns when `fd` is readable (-1: stop watching it). */
static void attach(JNIEnv *env, jclass cls, jlong handle, jint fd)
{
	(void)env;
	(void)cls;
	((struct event_socket *)(intptr_t)handle)->attached_fd = fd;
}

static jint receive_buffer_size(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return ((struct event_socket *)(intptr_t)handle)->receive_buffer;
}

static jint family_id(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return ((struct event_socket *)(intptr_t)handle)->decoder.family_id;
}

static void close_socket(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	free_socket((struct event_socket *)(intptr_t)handle);
}

int m4j_register_event_socket(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"open", "(ILjava/lang/String;Ljava/lang/String;ZILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)J",
		 (void *)open_socket},
		{"adopt", "(IIZLjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)J",
		 (void *)adopt_socket},
		{"poll", "(JI)I", (void *)poll_events},
		{"pollRaw", "(JI)I", (void *)poll_raw},
		{"pending", "(J)Z", (void *)pending},
		{"wakeup", "(J)V", (void *)wakeup},
		{"setTypeMask", "(JJ)V", (void *)set_type_mask},
		{"attach", "(JI)V", (void *)attach},
		{"receiveBufferSize", "(J)I", (void *)receive_buffer_size},
		{"familyId", "(J)I", (void *)family_id},
		{"close", "(J)V", (void *)close_socket},
	};
	return m4j_register(env, "org/mptcp4j/netlink/EventSocket", methods,
			    M4J_ARRAY_LEN(methods));
}
