/*
 * Natives of org.mptcp4j.netlink.SockDiag: every MPTCP connection of a network namespace and
 * every subflow, from sock_diag (what `ss -Mi` and `ss -ti` read), as diag records
 * (mptcp4j/diag_record.h); or chosen subflows alone, each looked up by its 4-tuple. MPTCP
 * sockets carry struct mptcp_info; their subflows are TCP sockets whose ULP info names "mptcp"
 * and holds the tokens and address ids (read in diag_message.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "diag_message.h"
#include "jni_support.h"
#include "netlink_error.h"
#include "netlink_socket.h"
#include "mptcp4j/mptcp_uapi.h"

/*
 * Lookup requests sent in one datagram: the kernel answers each into the receive buffer
 * before send() returns, one datagram each (~2 KiB of buffer), so a batch must fit there.
 */
#define LOOKUP_BATCH 64
#define LOOKUP_RCVBUF (1 << 20)

/*
 * A sock_diag socket opened once in its namespace, dumped as often as asked; and one beside it
 * for lookups, read and written directly: libnl's sequence checks would not expect its batches
 * of requests and answers.
 */
struct sock_diag {
	struct nl_sock *sk;
	struct netlink_error error;
	struct nl_sock *lookup;
	int lookup_fd; /* the lookup socket's descriptor, read and written without libnl */
	uint32_t lookup_seq;
	uint8_t requests[LOOKUP_BATCH * DIAG_MESSAGE_LOOKUP_SIZE];
	uint8_t answer[8192];
};

struct dump {
	struct mptcp4j_diag_record *out;
	int capacity;
	int count;
	int overflow;
	int protocol;
};

static int on_socket(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct mptcp4j_diag_record scratch;
	struct mptcp4j_diag_record *r = d->count < d->capacity ? &d->out[d->count] : &scratch;
	if (!diag_message_parse(nlmsg_hdr(msg), d->protocol, r))
		return NL_SKIP;
	/* Past the buffer's end: keep counting, so Java sizes the next buffer once. */
	if (d->count >= d->capacity)
		d->overflow = 1;
	d->count++;
	return NL_OK;
}

/* One dump of `protocol` sockets of `family`, all states, with their INET_DIAG_INFO. */
static int dump_family(struct nl_sock *sk, struct dump *d, int family, int protocol)
{
	struct nl_msg *msg = diag_message_request(family, protocol);
	if (msg == NULL)
		return -NLE_NOMEM;
	d->protocol = protocol;
	int rc = nl_send_auto(sk, msg);
	if (rc >= 0)
		rc = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	return rc;
}

static jlong open_sock_diag(JNIEnv *env, jclass cls, jint netns_fd)
{
	(void)cls;
	struct sock_diag *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		m4j_throw_mptcp(env, "allocate sock_diag socket", ENOMEM, NULL);
		return 0;
	}
	s->sk = netlink_socket_open(env, netns_fd, NETLINK_SOCK_DIAG, "sock_diag");
	if (s->sk == NULL) {
		free(s);
		return 0;
	}
	int nlerr = netlink_error_capture(s->sk, &s->error);
	if (nlerr < 0) {
		nl_socket_free(s->sk);
		free(s);
		m4j_throw_mptcp(env, "read errors of the sock_diag socket", 0, nl_geterror(nlerr));
		return 0;
	}
	s->lookup = netlink_socket_open(env, netns_fd, NETLINK_SOCK_DIAG, "sock_diag lookup");
	if (s->lookup == NULL) {
		nl_socket_free(s->sk);
		free(s);
		return 0;
	}
	s->lookup_fd = nl_socket_get_fd(s->lookup);
	int size = LOOKUP_RCVBUF;
	/* Beyond net.core.rmem_max with CAP_NET_ADMIN; without it, what rmem_max allows holds a batch too. */
	if (setsockopt(s->lookup_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0 &&
	    setsockopt(s->lookup_fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) != 0) {
		int err = errno;
		nl_socket_free(s->lookup);
		nl_socket_free(s->sk);
		free(s);
		m4j_throw_mptcp(env, "size sock_diag lookup socket", err, NULL);
		return 0;
	}
	return (jlong)(intptr_t)s;
}

/* Fills the buffer; returns the record count, -count when they did not all fit, or -1 with an exception. */
static jint dump_sockets(JNIEnv *env, jclass cls, jlong handle, jobject buffer)
{
	(void)cls;
	struct sock_diag *s = (struct sock_diag *)(intptr_t)handle;
	size_t capacity;
	struct mptcp4j_diag_record *out = m4j_direct_buffer(env, buffer, 0, &capacity);
	if (out == NULL)
		return -1;
	struct dump d = {.out = out, .capacity = (int)(capacity / sizeof(*out))};
	s->error.error = 0;
	int nlerr = nl_socket_modify_cb(s->sk, NL_CB_VALID, NL_CB_CUSTOM, on_socket, &d);
	/* Connections and listeners first, then the subflows that refer to them. */
	static const int families[] = {AF_INET, AF_INET6};
	for (int p = 0; p < 2 && nlerr >= 0; p++)
		for (int f = 0; f < 2 && nlerr >= 0 && s->error.error == 0; f++)
			nlerr = dump_family(s->sk, &d, families[f], p == 0 ? IPPROTO_MPTCP : IPPROTO_TCP);
	if (s->error.error != 0) {
		m4j_throw_mptcp(env, "dump sockets (SOCK_DIAG_BY_FAMILY)", s->error.error,
				s->error.message[0] ? s->error.message : NULL);
		return -1;
	}
	if (nlerr < 0) {
		m4j_throw_mptcp(env, "dump sockets (SOCK_DIAG_BY_FAMILY)", 0, nl_geterror(nlerr));
		return -1;
	}
	return d.overflow ? -d.count : d.count;
}

/*
 * Reads every answer the kernel queued for the batch of `asked` requests numbered from
 * `first_seq` (all of them by now: it answers within send()); returns the records written after
 * `count`, or -errno. A datagram of another sequence number (left by a failed batch) is passed
 * over; one too big for the buffer counts as an answer with nothing to read.
 */
static int read_answers(struct sock_diag *s, struct mptcp4j_diag_record *out, int capacity, int count,
			uint32_t first_seq, int asked)
{
	for (int answered = 0; answered < asked;) {
		ssize_t len = recv(s->lookup_fd, s->answer, sizeof(s->answer), MSG_DONTWAIT | MSG_TRUNC);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			/* EAGAIN: answers missing, dropped when the buffer was full (ENOBUFS says so first). */
			return errno == EAGAIN ? -ENOBUFS : -errno;
		if ((size_t)len > sizeof(s->answer)) {
			answered++;
			continue;
		}
		int remaining = (int)len;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)s->answer; nlmsg_ok(nlh, remaining);
		     nlh = nlmsg_next(nlh, &remaining)) {
			if (nlh->nlmsg_seq - first_seq >= (uint32_t)asked)
				continue;
			answered++;
			struct mptcp4j_diag_record scratch;
			int rc = diag_message_lookup_answer(nlh, count < capacity ? &out[count] : &scratch);
			if (rc < 0)
				return rc;
			if (rc > 0 && count < capacity)
				count++;
		}
	}
	return count;
}

/*
 * After a failed batch: reads what is left, so that the kernel, which drops every answer to a
 * socket it found full until that socket's queue is empty again, answers the next batch.
 */
static void drain_answers(struct sock_diag *s)
{
	while (recv(s->lookup_fd, s->answer, sizeof(s->answer), MSG_DONTWAIT | MSG_TRUNC) >= 0 || errno == EINTR)
		;
}

/*
 * Looks up each of the `asked` subflow records in `asks` (their tuples and cookies), writes
 * the answers of those still open into `buffer`; returns their count, or -1 with an exception.
 */
static jint lookup_subflows(JNIEnv *env, jclass cls, jlong handle, jobject asks, jint asked, jobject buffer)
{
	(void)cls;
	struct sock_diag *s = (struct sock_diag *)(intptr_t)handle;
	size_t capacity;
	const struct mptcp4j_diag_record *in = m4j_direct_buffer(env, asks, (size_t)asked * sizeof(*in), NULL);
	struct mptcp4j_diag_record *out = in == NULL ? NULL : m4j_direct_buffer(env, buffer, 0, &capacity);
	if (out == NULL)
		return -1;
	int count = 0;
	for (int first = 0; first < asked;) {
		size_t len = 0;
		int batch = 0;
		uint32_t first_seq = s->lookup_seq + 1;
		for (; batch < LOOKUP_BATCH && first + batch < asked; batch++) {
			size_t n = diag_message_lookup(&in[first + batch], ++s->lookup_seq, s->requests + len,
						       sizeof(s->requests) - len);
			if (n == 0) {
				m4j_throw_illegal_argument(env, "subflow to look up: not an AF_INET or AF_INET6 record");
				return -1;
			}
			len += n;
		}
		int rc = m4j_send(s->lookup_fd, s->requests, len, 0);
		if (rc == 0)
			rc = read_answers(s, out, (int)(capacity / sizeof(*out)), count, first_seq, batch);
		if (rc < 0) {
			drain_answers(s);
			m4j_throw_mptcp(env, "look up subflows (SOCK_DIAG_BY_FAMILY)", -rc, NULL);
			return -1;
		}
		count = rc;
		first += batch;
	}
	return count;
}

static void close_sock_diag(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	struct sock_diag *s = (struct sock_diag *)(intptr_t)handle;
	nl_socket_free(s->lookup);
	nl_socket_free(s->sk);
	free(s);
}

int m4j_register_sock_diag(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"open", "(I)J", (void *)open_sock_diag},
		{"dump", "(JLjava/nio/ByteBuffer;)I", (void *)dump_sockets},
		{"lookup", "(JLjava/nio/ByteBuffer;ILjava/nio/ByteBuffer;)I", (void *)lookup_subflows},
		{"close", "(J)V", (void *)close_sock_diag},
	};
	return m4j_register(env, "org/mptcp4j/netlink/SockDiag", methods, M4J_ARRAY_LEN(methods));
}
