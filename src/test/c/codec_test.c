/*
 * Unit tests of the native event decoder (native/event_decoder.c) on
 * the bytes the kernel really sent (the fuzzers' seed corpus, fuzz/corpus) and on hand-built
 * ones. Run by ctest, under ASan + UBSan or valgrind (bin/native-checks).
 *
 *   codec_test CORPUS_DIR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>

#include "corpus.h"
#include "event_decoder.h"
#include "expect.h"
#include "mptcp4j/mptcp_uapi.h"

#define FAMILY_ID 0x1c /* the mptcp_pm family id when the corpus was captured */

static struct corpus events;

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
	if (load(argv[1], "event_decoder", &events) != 0)
		return 1;
	every_captured_event_decodes();
	server_side_created_event();
	every_cut_is_truncated();
	one_datagram_of_every_event();
	corpus_free(&events);
	printf("codec_test: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
