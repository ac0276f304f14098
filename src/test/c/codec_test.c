/*
 * Unit tests of the native codec (native/event_decoder.c, command_codec.c,
 * netlink_error.c) on
 * the bytes the kernel really sent (the fuzzers' seed corpus, fuzz/corpus) and on hand-built
 * ones. Run by ctest, under ASan + UBSan or valgrind (bin/native-checks).
 *
 *   codec_test CORPUS_DIR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/socket.h>

#include "command_codec.h"
#include "corpus.h"
#include "event_decoder.h"
#include "expect.h"
#include "mptcp4j/mptcp_uapi.h"
#include "netlink_error.h"

#define FAMILY_ID 0x1c /* the mptcp_pm family id when the corpus was captured */

static struct corpus events, requests, replies;

static int decode(const uint8_t *data, size_t len, uint64_t *counters,
		  struct mptcp4j_event_record *out, int capacity)
{
	/* An exact-size copy, so ASan and valgrind see a read past the datagram. */
	uint8_t *buf = malloc(len + 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, len);
	struct event_decoder d = {.family_id = FAMILY_ID, .type_mask = ~UINT64_C(0), .counters = counters};
	size_t consumed;
	int n = event_decoder_decode(&d, buf, len, 0, out, capacity, &consumed);
	free(buf);
	return n;
}

static int ipv4_is(const uint8_t *addr, const char *text)
{
	struct in_addr a;
	return inet_pton(AF_INET, text, &a) == 1 && memcmp(addr, &a, 4) == 0;
}

/* The test network: 10.231.0.0/16, fd00:231::/32 and ::ffff:10.231.0.0/112, or a wildcard. */
static int in_test_network(const uint8_t *addr, int family)
{
	static const uint8_t v6[4] = {0xfd, 0x00, 0x02, 0x31};
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t zero[16];
	if (memcmp(addr, zero, family == AF_INET6 ? 16 : 4) == 0)
		return 1;
	if (family == AF_INET)
		return addr[0] == 10 && addr[1] == 231;
	return memcmp(addr, v6, 4) == 0 || (memcmp(addr, mapped, 12) == 0 && addr[12] == 10 && addr[13] == 231);
}

/* Every captured event decodes to one record, of the type its file is named after, with sane fields. */
static void every_captured_event_decodes(void)
{
	static const struct {
		const char *prefix;
		int type;
	} types[] = {
		{"created-", MPTCP_EVENT_CREATED},
		{"established-", MPTCP_EVENT_ESTABLISHED},
		{"closed-", MPTCP_EVENT_CLOSED},
		{"announced-", MPTCP_EVENT_ANNOUNCED},
		{"removed-", MPTCP_EVENT_REMOVED},
		{"sub_established-", MPTCP_EVENT_SUB_ESTABLISHED},
		{"sub_closed-", MPTCP_EVENT_SUB_CLOSED},
		{"sub_priority-", MPTCP_EVENT_SUB_PRIORITY},
		{"listener_created-", MPTCP_EVENT_LISTENER_CREATED},
		{"listener_closed-", MPTCP_EVENT_LISTENER_CLOSED},
	};
	int seen[sizeof(types) / sizeof(types[0])] = {0};
	int ipv6 = 0;
	for (size_t i = 0; i < events.count; i++) {
		const struct corpus_file *f = &events.files[i];
		uint64_t counters[MPTCP4J_COUNTER_COUNT] = {0};
		struct mptcp4j_event_record r;
		EXPECT(decode(f->data, f->len, counters, &r, 1) == 1);
		EXPECT(counters[MPTCP4J_COUNTER_MESSAGES] == 1 && counters[MPTCP4J_COUNTER_RECORDS] == 1);
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			if (strncmp(f->name, types[t].prefix, strlen(types[t].prefix)) != 0)
				continue;
			EXPECT(r.type == types[t].type);
			seen[t]++;
		}
		if (r.type != MPTCP_EVENT_CLOSED && r.type != MPTCP_EVENT_REMOVED) {
			EXPECT(r.family == AF_INET || r.family == AF_INET6);
			EXPECT(in_test_network(r.local_addr, r.family) && in_test_network(r.remote_addr, r.family));
		}
		if (r.type != MPTCP_EVENT_LISTENER_CREATED && r.type != MPTCP_EVENT_LISTENER_CLOSED)
			EXPECT(r.token != 0);
		ipv6 += r.family == AF_INET6;
	}
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		EXPECT(seen[t] > 0);
	EXPECT(ipv6 > 0);
}

/* A created event on the server: server side in both the attribute and the flags, port 5201. */
static void server_side_created_event(void)
{
	int found = 0;
	for (size_t i = 0; i < events.count; i++) {
		const struct corpus_file *f = &events.files[i];
		uint64_t counters[MPTCP4J_COUNTER_COUNT] = {0};
		struct mptcp4j_event_record r;
		if (decode(f->data, f->len, counters, &r, 1) != 1 || r.type != MPTCP_EVENT_CREATED ||
		    r.family != AF_INET || !r.server_side)
			continue;
		found++;
		EXPECT(r.flags & 0x2);
		EXPECT(r.local_port == 5201);
		EXPECT(ipv4_is(r.local_addr, "10.231.1.2") || ipv4_is(r.local_addr, "10.231.2.2"));
		EXPECT(r.attrs & (UINT32_C(1) << MPTCP_ATTR_SERVER_SIDE));
	}
	EXPECT(found > 0);
}

/* Each captured event cut short anywhere is counted truncated, never decoded. */
static void every_cut_is_truncated(void)
{
	for (size_t i = 0; i < events.count; i++) {
		const struct corpus_file *f = &events.files[i];
		for (size_t len = 0; len < f->len; len++) {
			uint64_t counters[MPTCP4J_COUNTER_COUNT] = {0};
			struct mptcp4j_event_record r;
			int n = decode(f->data, len, counters, &r, 1);
			EXPECT(n == 0);
			/* A header cut short is the datagram's; a whole header with the rest cut, the message's. */
			EXPECT(len == 0 ? counters[MPTCP4J_COUNTER_TRUNCATED] == 0
					: counters[MPTCP4J_COUNTER_TRUNCATED] == 1);
		}
	}
}

/* All captured events in one datagram: all records, in order, in batches of three. */
static void one_datagram_of_every_event(void)
{
	size_t total = 0;
	for (size_t i = 0; i < events.count; i++)
		total += NLMSG_ALIGN(events.files[i].len);
	uint8_t *all = calloc(1, total + 1);
	struct mptcp4j_event_record *out = calloc(events.count, sizeof(*out));
	if (all == NULL || out == NULL)
		abort();
	size_t off = 0;
	for (size_t i = 0; i < events.count; i++) {
		memcpy(all + off, events.files[i].data, events.files[i].len);
		off += NLMSG_ALIGN(events.files[i].len);
	}
	uint64_t counters[MPTCP4J_COUNTER_COUNT] = {0};
	struct event_decoder d = {.family_id = FAMILY_ID, .type_mask = ~UINT64_C(0), .counters = counters};
	size_t done = 0;
	int n = 0;
	while (done < total) {
		size_t consumed;
		int got = event_decoder_decode(&d, all + done, total - done, 0, out + n, 3, &consumed);
		n += got;
		done += consumed;
		if (got == 0)
			break;
	}
	EXPECT((size_t)n == events.count);
	for (size_t i = 0; i < events.count && i < (size_t)n; i++) {
		const struct genlmsghdr *gh = nlmsg_data((struct nlmsghdr *)events.files[i].data);
		EXPECT(out[i].type == gh->cmd);
	}
	EXPECT(counters[MPTCP4J_COUNTER_RECORDS] == events.count && counters[MPTCP4J_COUNTER_TRUNCATED] == 0);
	free(out);
	free(all);
}

/* A SUBFLOW_CREATE request, byte for byte as the kernel expects it. */
static void subflow_create_encodes_exactly(void)
{
	struct mptcp4j_command_request req;
	memset(&req, 0, sizeof(req));
	req.cmd = MPTCP_PM_CMD_SUBFLOW_CREATE;
	req.present = MPTCP4J_REQ_HAS_TOKEN | MPTCP4J_REQ_HAS_ADDR | MPTCP4J_REQ_HAS_REMOTE;
	req.token = 0x1c0ffee5;
	req.addr.family = AF_INET;
	req.addr.present = MPTCP4J_ADDR_HAS_ADDR | MPTCP4J_ADDR_HAS_ID;
	req.addr.id = 2;
	memcpy(req.addr.addr, (uint8_t[]){10, 0, 2, 1}, 4);
	req.remote.family = AF_INET;
	req.remote.present = MPTCP4J_ADDR_HAS_ADDR | MPTCP4J_ADDR_HAS_PORT;
	req.remote.port = 5201;
	memcpy(req.remote.addr, (uint8_t[]){10, 0, 1, 2}, 4);
	/* Little-endian host: the fixed-size integers as x86-64 lays them out. */
	static const uint8_t expected[] = {
		0x54, 0, 0, 0, FAMILY_ID, 0, 0x05, 0, 7, 0, 0, 0, 42, 0, 0, 0, /* nlmsghdr: REQUEST|ACK */
		10, 1, 0, 0,                                                     /* genl: cmd, version */
		8, 0, 4, 0, 0xe5, 0xfe, 0x0f, 0x1c,                              /* TOKEN */
		28, 0, 1, 0x80,                                                  /* ADDR, nested */
		6, 0, 1, 0, 2, 0, 0, 0, 5, 0, 2, 0, 2, 0, 0, 0, 8, 0, 3, 0, 10, 0, 2, 1,
		28, 0, 6, 0x80,                                                  /* ADDR_REMOTE, nested */
		6, 0, 1, 0, 2, 0, 0, 0, 8, 0, 3, 0, 10, 0, 1, 2, 6, 0, 5, 0, 0x51, 0x14, 0, 0,
	};
	struct nl_msg *msg = nlmsg_alloc();
	if (msg == NULL)
		abort();
	EXPECT(command_encode(msg, &req, FAMILY_ID, 42, 7) == 0);
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	EXPECT(nlh->nlmsg_len == sizeof(expected) && memcmp(nlh, expected, sizeof(expected)) == 0);
	/* The message is reused: a second request replaces the first. */
	req.present = MPTCP4J_REQ_DUMP;
	req.cmd = MPTCP_PM_CMD_GET_ADDR;
	EXPECT(command_encode(msg, &req, FAMILY_ID, 42, 8) == 0);
	EXPECT(nlh->nlmsg_len == NLMSG_HDRLEN + GENL_HDRLEN && nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
	nlmsg_free(msg);
}

/* Every request the capture sent encodes again, as the command it names. */
static void every_captured_request_encodes(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	if (msg == NULL)
		abort();
	for (size_t i = 0; i < requests.count; i++) {
		struct mptcp4j_command_request req;
		EXPECT(requests.files[i].len == sizeof(req));
		memcpy(&req, requests.files[i].data, sizeof(req));
		EXPECT(command_encode(msg, &req, FAMILY_ID, 1, 1) == 0);
		const struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
		EXPECT(gh->cmd == req.cmd && req.cmd >= MPTCP_PM_CMD_ADD_ADDR && req.cmd <= MPTCP_PM_CMD_SUBFLOW_DESTROY);
	}
	EXPECT(requests.count > 0);
	nlmsg_free(msg);
}

static struct mptcp4j_reply_record records[MPTCP4J_REPLY_CAPACITY];
static char texts[MPTCP4J_REPLY_TEXT_SIZE];

/* Decodes a captured answer; returns its record count (-1: no answer). */
static int decode_answer(const struct corpus_file *f, uint64_t *foreign)
{
	EXPECT(f != NULL);
	if (f == NULL || f->len < NLMSG_HDRLEN)
		return -1;
	uint8_t *buf = malloc(f->len);
	if (buf == NULL)
		abort();
	memcpy(buf, f->data, f->len);
	struct command_replies out = {.records = records, .texts = texts};
	int n = command_decode_replies(buf, f->len, FAMILY_ID, ((struct nlmsghdr *)buf)->nlmsg_pid, &out);
	free(buf);
	*foreign = out.foreign;
	return n;
}

/* An error and its extended-ack text, as the kernel answered the command `name`. */
static void expect_error(const char *name, int error, const char *text)
{
	uint64_t foreign;
	EXPECT(decode_answer(corpus_find(&replies, name), &foreign) == 1);
	EXPECT(records[0].kind == MPTCP4J_REPLY_ACK && records[0].error == error);
	EXPECT(records[0].text_len == strlen(text) && memcmp(texts + records[0].text_off, text, strlen(text)) == 0);
	EXPECT(foreign == 0);
}

static void captured_answers_decode(void)
{
	expect_error("bad-token", -EINVAL, "invalid token");
	expect_error("destroy4-none", -ESRCH, "subflow not found");
	expect_error("limits-too-high", -EINVAL, "limit greater than maximum (8)");
	expect_error("missing-addr", -EINVAL, "missing attribute 1");
	expect_error("remove-unknown", -EINVAL, "address with id 99 not found");
	expect_error("announce4", 0, "");

	uint64_t foreign;
	/* GET_LIMITS answers with its data, then the acknowledgement: two datagrams. */
	const struct corpus_file *limits = NULL;
	for (size_t i = 0; i < replies.count; i++)
		if (strncmp(replies.files[i].name, "get-limits-", 11) == 0 &&
		    ((struct nlmsghdr *)replies.files[i].data)->nlmsg_type == FAMILY_ID)
			limits = &replies.files[i];
	EXPECT(limits != NULL);
	if (limits != NULL) {
		EXPECT(decode_answer(limits, &foreign) == 1);
		EXPECT(records[0].kind == MPTCP4J_REPLY_DATA && records[0].seq == 1);
		EXPECT(records[0].present == (MPTCP4J_REPLY_HAS_RCV_ADD_ADDRS | MPTCP4J_REPLY_HAS_SUBFLOWS));
		EXPECT(records[0].subflows == 4 && records[0].rcv_add_addrs == 4);
	}
	/* The endpoint dump: one datagram of addresses, the IPv6 one with its port. */
	int found = 0;
	for (size_t i = 0; i < replies.count; i++) {
		if (strncmp(replies.files[i].name, "endpoints-", 10) != 0 ||
		    ((struct nlmsghdr *)replies.files[i].data)->nlmsg_type != FAMILY_ID)
			continue;
		int n = decode_answer(&replies.files[i], &foreign);
		EXPECT(n == 2);
		for (int r = 0; r < n; r++) {
			EXPECT(records[r].kind == MPTCP4J_REPLY_DATA && (records[r].present & MPTCP4J_REPLY_HAS_ADDR));
			if (records[r].addr.family == AF_INET6) {
				found++;
				EXPECT(records[r].addr.port == 7000 && records[r].addr.id == 8);
			} else {
				EXPECT(records[r].addr.id == 7 && ipv4_is(records[r].addr.addr, "10.231.2.1"));
			}
		}
	}
	EXPECT(found == 1);
	/* Answers for another socket are foreign. */
	const struct corpus_file *f = corpus_find(&replies, "bad-token");
	if (f != NULL) {
		uint8_t *buf = malloc(f->len);
		if (buf == NULL)
			abort();
		memcpy(buf, f->data, f->len);
		struct command_replies out = {.records = records, .texts = texts};
		EXPECT(command_decode_replies(buf, f->len, FAMILY_ID, 1, &out) == 0 && out.foreign == 1);
		free(buf);
	}
}

/* The error the next datagram libnl reads carries (error_datagram). */
static int datagram_error;

/* Stands in for libnl's recvmsg: one datagram of an NLMSG_ERROR carrying datagram_error, from the kernel. */
static int error_datagram(struct nl_sock *sk, struct sockaddr_nl *from, unsigned char **buf, struct ucred **creds)
{
	(void)sk;
	(void)creds;
	struct nlmsghdr *nlh = calloc(1, NLMSG_SPACE(sizeof(struct nlmsgerr)));
	if (nlh == NULL)
		abort();
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
	nlh->nlmsg_type = NLMSG_ERROR;
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	e->error = datagram_error;
	e->msg.nlmsg_len = NLMSG_HDRLEN;
	memset(from, 0, sizeof(*from));
	from->nl_family = AF_NETLINK;
	*buf = (unsigned char *)nlh;
	return (int)nlh->nlmsg_len;
}

/*
 * An error the kernel never sends (it sends -4095..-1) is EPROTO, INT_MIN among them, whose
 * negation does not fit an int: as netlink_error_capture's handler reads it from libnl, and as
 * the command socket decodes an NLMSG_ERROR or a failed dump's NLMSG_DONE.
 */
static void errors_no_kernel_sends_are_eproto(void)
{
	static const int cases[][2] = {
		{-1, 1}, {-EINVAL, EINVAL}, {-4095, 4095}, {-4096, EPROTO}, {INT_MIN, EPROTO}, {1, EPROTO}, {INT_MAX, EPROTO},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int error = cases[i][0], expected = cases[i][1];
		EXPECT(netlink_errno(error) == expected);

		struct nl_sock *sk = nl_socket_alloc();
		struct nl_cb *cb = sk != NULL ? nl_socket_get_cb(sk) : NULL;
		if (cb == NULL)
			abort();
		struct netlink_error captured;
		EXPECT(netlink_error_capture(sk, &captured) == 0);
		nl_cb_overwrite_recv(cb, error_datagram);
		nl_cb_put(cb);
		nl_socket_disable_seq_check(sk);
		datagram_error = error;
		EXPECT(nl_recvmsgs_default(sk) < 0);
		EXPECT(captured.error == expected);
		nl_socket_free(sk);

		uint8_t buf[NLMSG_SPACE(sizeof(struct nlmsgerr))];
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		memset(buf, 0, sizeof(buf));
		nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
		nlh->nlmsg_type = NLMSG_ERROR;
		nlh->nlmsg_pid = 7;
		struct nlmsgerr *e = NLMSG_DATA(nlh);
		e->error = error;
		e->msg.nlmsg_len = NLMSG_HDRLEN;
		struct command_replies out = {.records = records, .texts = texts};
		EXPECT(command_decode_replies(buf, nlh->nlmsg_len, FAMILY_ID, 7, &out) == 1);
		EXPECT(records[0].kind == MPTCP4J_REPLY_ACK && records[0].error == -expected);

		nlh->nlmsg_len = NLMSG_LENGTH(sizeof(int));
		nlh->nlmsg_type = NLMSG_DONE;
		memcpy(NLMSG_DATA(nlh), &error, sizeof(error));
		EXPECT(command_decode_replies(buf, nlh->nlmsg_len, FAMILY_ID, 7, &out) == 1);
		EXPECT(records[0].kind == MPTCP4J_REPLY_DONE && records[0].error == (error < 0 ? -expected : 0));
	}
}

static int load(const char *root, const char *name, struct corpus *c)
{
	char dir[4096];
	if (snprintf(dir, sizeof(dir), "%s/%s", root, name) >= (int)sizeof(dir))
		return ENAMETOOLONG;
	return corpus_load(dir, c);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: codec_test CORPUS_DIR\n");
		return 2;
	}
	if (load(argv[1], "event_decoder", &events) != 0 || load(argv[1], "command_encoder", &requests) != 0 ||
	    load(argv[1], "command_reply", &replies) != 0)
		return 1;
	every_captured_event_decodes();
	server_side_created_event();
	every_cut_is_truncated();
	one_datagram_of_every_event();
	subflow_create_encodes_exactly();
	every_captured_request_encodes();
	captured_answers_decode();
	errors_no_kernel_sends_are_eproto();
	corpus_free(&events);
	corpus_free(&requests);
	corpus_free(&replies);
	printf("codec_test: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
