/*
 * libFuzzer target: command_decode_replies() (native/command_codec.c), which reads the
 * kernel's answers to path-manager commands (acknowledgements with their extended-ack text,
 * dump ends, GET_ADDR and GET_LIMITS data), on any datagram. Checks that every message is a
 * record or counted foreign, that records are of a known kind with an errno Java can name
 * (-4095..0, whatever the message carried), and that error texts lie inside the text buffer,
 * one after another, without NULs.
 * Seeds: answers captured from the kernel (fuzz/corpus/command_reply); the socket's port id
 * is taken from the first message, as the captures were made by sockets of their own.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "command_codec.h"
#include "fuzz_check.h"

#define FAMILY_ID 0x1c

static struct mptcp4j_reply_record records[MPTCP4J_REPLY_CAPACITY];
static char texts[MPTCP4J_REPLY_TEXT_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MPTCP4J_REPLY_DATAGRAM_MAX)
		return 0;
	uint8_t *buf = copy_input(data, size);
	uint32_t port_id = 0;
	if (size >= NLMSG_HDRLEN)
		port_id = ((const struct nlmsghdr *)buf)->nlmsg_pid;

	struct command_replies out = {.records = records, .texts = texts};
	int n = command_decode_replies(buf, size, FAMILY_ID, port_id, &out);
	CHECK(n >= 0 && n <= MPTCP4J_REPLY_CAPACITY);

	int messages = 0, remaining = (int)size;
	for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, remaining);
	     nlh = nlmsg_next(nlh, &remaining))
		messages++;
	/* Messages of other types for this socket are neither. */
	CHECK((uint64_t)n + out.foreign <= (uint64_t)messages);

	size_t text_end = 0;
	for (int i = 0; i < n; i++) {
		const struct mptcp4j_reply_record *r = &records[i];
		CHECK(r->kind == MPTCP4J_REPLY_ACK || r->kind == MPTCP4J_REPLY_DATA ||
		      r->kind == MPTCP4J_REPLY_DONE);
		CHECK(r->kind != MPTCP4J_REPLY_DATA || r->error == 0);
		CHECK(r->error <= 0 && r->error >= -4095);
		CHECK((r->present & ~(MPTCP4J_REPLY_HAS_ADDR | MPTCP4J_REPLY_HAS_RCV_ADD_ADDRS |
				      MPTCP4J_REPLY_HAS_SUBFLOWS)) == 0);
		if (r->text_len == 0)
			continue;
		CHECK(r->text_off == text_end);
		CHECK((size_t)r->text_off + r->text_len <= MPTCP4J_REPLY_TEXT_SIZE);
		CHECK(memchr(texts + r->text_off, '\0', r->text_len) == NULL);
		text_end = r->text_off + r->text_len;
	}
	free_input(buf, data, size);
	return 0;
}
