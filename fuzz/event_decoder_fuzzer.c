/*
 * libFuzzer target: native/event_decoder.c on any datagram. ASan and UBSan catch bad memory
 * use and undefined behaviour; the checks below catch wrong answers, by what the event socket
 * and the Java flyweight rely on:
 *   - every record is of a wanted type, carries only event attributes, and the fields of the
 *     attributes it lacks are zero;
 *   - the counters account for every message, and the whole datagram is consumed;
 *   - decoding in batches of a few records, resumed where the last stopped (as the socket does
 *     when the records buffer is full), gives the same records and counters as one pass;
 *   - a type mask keeps exactly the records of its types.
 * The seed corpus is events captured from the kernel (fuzz/corpus/event_decoder), whose
 * mptcp_pm family id was FAMILY_ID.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "event_decoder.h"
#include "fuzz_check.h"
#include "mptcp4j/mptcp_uapi.h"

#define FAMILY_ID 0x1c
#define RX_NANOS UINT64_C(0x0123456789abcdef)
/* Every message has at least a netlink header: this many records hold any datagram fuzzed. */
#define MAX_RECORDS (65536 / 16)

/* A field of the record that only its attribute may set. */
struct field {
	int attr;
	size_t offset, size;
};

#define FIELD(attr, member)                                                                \
	{ attr, offsetof(struct mptcp4j_event_record, member),                              \
	  sizeof(((struct mptcp4j_event_record *)0)->member) }

static const struct field fields[] = {
	FIELD(MPTCP_ATTR_TOKEN, token),
	FIELD(MPTCP_ATTR_LOC_ID, loc_id),
	FIELD(MPTCP_ATTR_REM_ID, rem_id),
	FIELD(MPTCP_ATTR_SPORT, local_port),
	FIELD(MPTCP_ATTR_DPORT, remote_port),
	FIELD(MPTCP_ATTR_BACKUP, backup),
	FIELD(MPTCP_ATTR_ERROR, error),
	FIELD(MPTCP_ATTR_FLAGS, flags),
	FIELD(MPTCP_ATTR_TIMEOUT, timeout),
	FIELD(MPTCP_ATTR_IF_IDX, if_idx),
	FIELD(MPTCP_ATTR_RESET_REASON, reset_reason),
	FIELD(MPTCP_ATTR_RESET_FLAGS, reset_flags),
	FIELD(MPTCP_ATTR_SERVER_SIDE, server_side),
};

static struct mptcp4j_event_record whole[MAX_RECORDS], part[MAX_RECORDS], masked[MAX_RECORDS];

static int is_zero(const void *p, size_t size)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < size; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static int has(const struct mptcp4j_event_record *r, int attr)
{
	return (r->attrs >> attr) & 1;
}

static void check_record(const struct mptcp4j_event_record *r, uint64_t type_mask)
{
	CHECK(r->rx_nanos == RX_NANOS);
	CHECK(r->type < 64 && ((type_mask >> r->type) & 1));
	CHECK((r->attrs & ~(((UINT32_C(1) << MPTCP_ATTR_MAX) - 1) << 1)) == 0);
	CHECK(r->prefix_len == 0);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!has(r, fields[i].attr))
			CHECK(is_zero((const uint8_t *)r + fields[i].offset, fields[i].size));
	int local = has(r, MPTCP_ATTR_SADDR4) || has(r, MPTCP_ATTR_SADDR6);
	int remote = has(r, MPTCP_ATTR_DADDR4) || has(r, MPTCP_ATTR_DADDR6);
	CHECK(local || is_zero(r->local_addr, 16));
	CHECK(remote || is_zero(r->remote_addr, 16));
	/* An IPv4 address fills 4 bytes: the rest stays zero unless an IPv6 one came too. */
	if (!has(r, MPTCP_ATTR_SADDR6))
		CHECK(is_zero(r->local_addr + 4, 12));
	if (!has(r, MPTCP_ATTR_DADDR6))
		CHECK(is_zero(r->remote_addr + 4, 12));
	if (!has(r, MPTCP_ATTR_FAMILY))
		CHECK(r->family == (has(r, MPTCP_ATTR_SADDR4) || has(r, MPTCP_ATTR_DADDR4) ? AF_INET
				    : local || remote				  ? AF_INET6
										  : 0));
}

static int decode(uint8_t *buf, size_t len, uint64_t type_mask, uint64_t *counters,
		  struct mptcp4j_event_record *out, int capacity, size_t *consumed)
{
	struct event_decoder d = {.family_id = FAMILY_ID, .type_mask = type_mask, .counters = counters};
	int n = event_decoder_decode(&d, buf, len, RX_NANOS, out, capacity, consumed);
	CHECK(n >= 0 && n <= capacity);
	CHECK(*consumed <= len);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	uint8_t *buf = copy_input(data, size);

	uint64_t counters[MPTCP4J_COUNTER_COUNT] = {0};
	size_t consumed;
	int n = decode(buf, size, ~UINT64_C(0), counters, whole, MAX_RECORDS, &consumed);
	CHECK(consumed == size);
	CHECK(counters[MPTCP4J_COUNTER_RECORDS] == (uint64_t)n);
	uint64_t skipped = counters[MPTCP4J_COUNTER_MALFORMED] + counters[MPTCP4J_COUNTER_FOREIGN] +
			   counters[MPTCP4J_COUNTER_FILTERED] + counters[MPTCP4J_COUNTER_TRUNCATED];
	/* Each message is a record or skipped; a cut last header is truncated without being one. */
	uint64_t messages = counters[MPTCP4J_COUNTER_MESSAGES];
	CHECK(n + skipped == messages || n + skipped == messages + 1);
	for (int i = 0; i < n; i++)
		check_record(&whole[i], ~UINT64_C(0));

	/* In batches of 1..4 records, resumed at what each batch consumed. */
	int batch = 1 + (int)(size % 4);
	uint64_t resumed[MPTCP4J_COUNTER_COUNT] = {0};
	int total = 0;
	size_t off = 0;
	while (off < size) {
		int got = decode(buf + off, size - off, ~UINT64_C(0), resumed, part + total, batch, &consumed);
		CHECK(got > 0 || consumed == size - off);
		total += got;
		off += consumed;
	}
	CHECK(total == n);
	CHECK(memcmp(part, whole, (size_t)n * sizeof(whole[0])) == 0);
	CHECK(memcmp(resumed, counters, sizeof(counters)) == 0);

	/* A mask from the first bytes: exactly the records of its types, in order. */
	uint64_t mask = 0;
	memcpy(&mask, data, size < sizeof(mask) ? size : sizeof(mask));
	uint64_t filtered[MPTCP4J_COUNTER_COUNT] = {0};
	int kept = decode(buf, size, mask, filtered, masked, MAX_RECORDS, &consumed);
	int expected = 0;
	for (int i = 0; i < n; i++) {
		if (!((mask >> whole[i].type) & 1))
			continue;
		CHECK(expected < kept);
		CHECK(memcmp(&masked[expected], &whole[i], sizeof(whole[i])) == 0);
		expected++;
	}
	CHECK(kept == expected);
	/* The mask is applied before the attributes are read: a malformed message of a type it
	 * drops counts as filtered, so only the totals match. */
	CHECK(filtered[MPTCP4J_COUNTER_MESSAGES] == messages);
	CHECK(filtered[MPTCP4J_COUNTER_FILTERED] >= counters[MPTCP4J_COUNTER_FILTERED] + (uint64_t)(n - kept));
	CHECK(kept + filtered[MPTCP4J_COUNTER_MALFORMED] + filtered[MPTCP4J_COUNTER_FOREIGN] +
		      filtered[MPTCP4J_COUNTER_FILTERED] + filtered[MPTCP4J_COUNTER_TRUNCATED] ==
	      n + skipped);

	free_input(buf, data, size);
	return 0;
}
