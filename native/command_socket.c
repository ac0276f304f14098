/*
 * Natives of org.mptcp4j.netlink.CommandSocket: a socket of its own for path-manager
 * commands, apart from the event socket. Java encodes every request (both families);
 * sendMessage() stamps it with the next sequence number and this socket's port id and sends
 * it without waiting, so requests can be pipelined; encode() is libnl's encoding of a request
 * (mptcp4j/command_request.h), kept as the reference the Java encoder is checked against;
 * receive() reads one datagram of answers and decodes every message addressed to this socket
 * into reply records (mptcp4j/command_reply.h) that Java matches to requests by sequence number.
 * The encoding and decoding themselves are in command_codec.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "command_codec.h"
#include "genl_socket.h"
#include "jni_support.h"
#include "mptcp4j/command_reply.h"
#include "mptcp4j/command_request.h"

/* Room for the acknowledgements of a full window of pipelined requests. */
#define RECEIVE_BUFFER_BYTES (4 << 20)

struct command_socket {
	struct nl_sock *sk;
	int fd;
	int family_id;
	uint32_t port_id;
	uint32_t seq;
	struct nl_msg *msg; /* reused for every request */
	const struct mptcp4j_command_request *request;
	struct command_replies replies;
	uint8_t rx[MPTCP4J_REPLY_DATAGRAM_MAX];
	size_t rx_len; /* the kernel's last datagram in rx, for a recording of the traffic */
};

/* The next sequence number: they go back to Java as positive ints. */
static uint32_t next_seq(struct command_socket *s)
{
	if (++s->seq > INT32_MAX)
		s->seq = 1;
	return s->seq;
}

/* Encodes the request under the next sequence number. */
static int encode(struct command_socket *s)
{
	return command_encode(s->msg, s->request, s->family_id, s->port_id, next_seq(s));
}

/*
 * Sends the `length` bytes of a message Java encoded (a v0.95 command) under the next sequence
 * number and this socket's port id; returns the sequence number (> 0) or -errno.
 */
static jint send_message(JNIEnv *env, jclass cls, jlong handle, jobject message, jint length)
{
	(void)cls;
	if (length < (jint)NLMSG_HDRLEN)
		return -EINVAL;
	struct nlmsghdr *nlh = m4j_direct_buffer(env, message, (size_t)length, NULL);
	if (nlh == NULL)
		return -EINVAL;
	struct command_socket *s = (struct command_socket *)(intptr_t)handle;
	nlh->nlmsg_seq = next_seq(s);
	nlh->nlmsg_pid = s->port_id;
	int rc = m4j_send(s->fd, nlh, (size_t)length, 0);
	return rc < 0 ? rc : (jint)s->seq;
}

/* Encodes the request into `out` without sending it: for comparing encoders. Returns the length or -errno. */
static jint encode_request(JNIEnv *env, jclass cls, jlong handle, jobject out)
{
	(void)cls;
	size_t capacity;
	uint8_t *dst = m4j_direct_buffer(env, out, 0, &capacity);
	if (dst == NULL)
		return -EINVAL;
	struct command_socket *s = (struct command_socket *)(intptr_t)handle;
	int rc = encode(s);
	if (rc < 0)
		return rc;
	struct nlmsghdr *nlh = nlmsg_hdr(s->msg);
	if (nlh->nlmsg_len > capacity)
		return -EMSGSIZE;
	memcpy(dst, nlh, nlh->nlmsg_len);
	return (jint)nlh->nlmsg_len;
}

/*
 * Waits up to timeout_millis (-1: no limit, 0: not at all) for a datagram, reads it and
 * decodes its messages for this socket into reply records. Returns the number of records,
 * 0 when nothing came, or -errno (-ENOBUFS: answers were lost).
 */
static jint receive_replies(JNIEnv *env, jclass cls, jlong handle, jint timeout_millis)
{
	(void)env;
	(void)cls;
	struct command_socket *s = (struct command_socket *)(intptr_t)handle;
	if (timeout_millis != 0) {
		struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
		int rc = poll(&pfd, 1, timeout_millis);
		if (rc < 0)
			return errno == EINTR ? 0 : -errno;
		if (rc == 0)
			return 0;
	}
	uint32_t sender;
	ssize_t len = genl_socket_receive(s->fd, s->rx, sizeof(s->rx), &sender);
	if (len <= 0)
		return (int)len;
	if (sender != 0) {
		s->replies.foreign++;
		return 0;
	}
	s->rx_len = (size_t)len;
	return command_decode_replies(s->rx, (size_t)len, s->family_id, s->port_id, &s->replies);
}

/* Copies `length` bytes of `src` into the direct buffer `out`: the length, or -errno. */
static jint copy_out(JNIEnv *env, jobject out, const void *src, size_t length)
{
	size_t capacity;
	uint8_t *dst = m4j_direct_buffer(env, out, 0, &capacity);
	if (dst == NULL)
		return -EINVAL;
	if (length > capacity)
		return -EMSGSIZE;
	memcpy(dst, src, length);
	return (jint)length;
}

/* The kernel's datagram of answers receive() read last, into `out`: its length, or -errno. */
static jint last_answer(JNIEnv *env, jclass cls, jlong handle, jobject out)
{
	(void)cls;
	struct command_socket *s = (struct command_socket *)(intptr_t)handle;
	return copy_out(env, out, s->rx, s->rx_len);
}

static void free_socket(struct command_socket *s)
{
	if (s->msg != NULL)
		nlmsg_free(s->msg);
	if (s->sk != NULL)
		nl_socket_free(s->sk);
	else if (s->fd >= 0)
		(void)close(s->fd);
	free(s);
}

/* What both ways of opening share: the buffers Java gave and the reused message. NULL with an exception pending. */
static struct command_socket *alloc_socket(JNIEnv *env, jobject request, jobject replies, jobject texts)
{
	const struct mptcp4j_command_request *req =
		m4j_direct_buffer(env, request, sizeof(struct mptcp4j_command_request), NULL);
	if (req == NULL)
		return NULL;
	struct mptcp4j_reply_record *rep = m4j_direct_buffer(
		env, replies, MPTCP4J_REPLY_CAPACITY * sizeof(struct mptcp4j_reply_record), NULL);
	if (rep == NULL)
		return NULL;
	char *text = m4j_direct_buffer(env, texts, MPTCP4J_REPLY_TEXT_SIZE, NULL);
	if (text == NULL)
		return NULL;
	struct command_socket *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		m4j_throw_mptcp(env, "allocate command socket", ENOMEM, NULL);
		return NULL;
	}
	s->fd = -1;
	s->request = req;
	s->replies.records = rep;
	s->replies.texts = text;
	s->msg = nlmsg_alloc();
	if (s->msg == NULL) {
		m4j_throw_mptcp(env, "allocate netlink message", ENOMEM, NULL);
		free_socket(s);
		return NULL;
	}
	return s;
}

/* A socket in netns_fd for the commands of generic-netlink family `family_name`. */
static jlong open_socket(JNIEnv *env, jclass cls, jint netns_fd, jstring family_name, jobject request,
			 jobject replies, jobject texts)
{
	(void)cls;
	char family[GENL_NAMSIZ];
	if (genl_socket_name(env, family_name, family, sizeof(family)) < 0)
		return 0;
	struct command_socket *s = alloc_socket(env, request, replies, texts);
	if (s == NULL)
		return 0;
	s->sk = genl_socket_open(env, netns_fd, family, &s->family_id);
	if (s->sk == NULL) {
		free_socket(s);
		return 0;
	}
	s->fd = nl_socket_get_fd(s->sk);
	s->port_id = nl_socket_get_local_port(s->sk);
	int one = 1;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) != 0 ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) != 0 ||
	    genl_socket_set_receive_buffer(s->sk, RECEIVE_BUFFER_BYTES) < 0) {
		m4j_throw_mptcp(env, "configure command socket", errno, NULL);
		free_socket(s);
		return 0;
	}
	return (jlong)(intptr_t)s;
}

/*
 * A socket over `fd`, a connected datagram socket whose peer answers in the kernel's place (a
 * replay of recorded traffic) as family family_id, to requests from port_id. Owns fd from now on.
 */
static jlong adopt_socket(JNIEnv *env, jclass cls, jint fd, jint family_id, jint port_id, jobject request,
			  jobject replies, jobject texts)
{
	(void)cls;
	struct command_socket *s = alloc_socket(env, request, replies, texts);
	if (s == NULL) {
		(void)close(fd);
		return 0;
	}
	s->fd = fd;
	s->family_id = family_id;
	s->port_id = (uint32_t)port_id;
	return (jlong)(intptr_t)s;
}

static jint port_id(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return (jint)((struct command_socket *)(intptr_t)handle)->port_id;
}

static jint family_id(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return (jint)((struct command_socket *)(intptr_t)handle)->family_id;
}

static jlong foreign_messages(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return (jlong)((struct command_socket *)(intptr_t)handle)->replies.foreign;
}

static void close_socket(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	free_socket((struct command_socket *)(intptr_t)handle);
}

int m4j_register_command_socket(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"open", "(ILjava/lang/String;Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)J",
		 (void *)open_socket},
		{"adopt", "(IIILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)J",
		 (void *)adopt_socket},
		{"sendMessage", "(JLjava/nio/ByteBuffer;I)I", (void *)send_message},
		{"encode", "(JLjava/nio/ByteBuffer;)I", (void *)encode_request},
		{"receive", "(JI)I", (void *)receive_replies},
		{"lastAnswer", "(JLjava/nio/ByteBuffer;)I", (void *)last_answer},
		{"portId", "(J)I", (void *)port_id},
		{"familyId", "(J)I", (void *)family_id},
		{"foreignMessages", "(J)J", (void *)foreign_messages},
		{"close", "(J)V", (void *)close_socket},
	};
	return m4j_register(env, "org/mptcp4j/netlink/CommandSocket", methods,
			    M4J_ARRAY_LEN(methods));
}
