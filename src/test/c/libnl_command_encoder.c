/*
 * libnl's encoding of path-manager commands, for the Java tests to compare the Java encoder
 * with (UpstreamCommandEncoderDifferentialTest), byte for byte:
 *
 *   libnl_command_encoder FAMILY_ID PORT_ID
 *
 * reads on stdin records of a sequence number (uint32) followed by a request
 * (struct mptcp4j_command_request) and writes on stdout, for each, the length of the message
 * libnl encodes (int32; -errno when it does not encode) followed by the message. Host byte
 * order. Exit status 0 at the end of the input, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "libnl_encode.h"

static int fail(const char *what)
{
	fprintf(stderr, "libnl_command_encoder: %s\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return fail("usage: libnl_command_encoder FAMILY_ID PORT_ID");
	char *end;
	long family_id = strtol(argv[1], &end, 0);
	if (*end != '\0' || family_id < 0 || family_id > 0xffff)
		return fail("FAMILY_ID: a number from 0 to 65535");
	unsigned long port_id = strtoul(argv[2], &end, 0);
	if (*end != '\0' || port_id > UINT32_MAX)
		return fail("PORT_ID: a 32-bit number");
	struct nl_msg *msg = nlmsg_alloc();
	if (msg == NULL)
		return fail("allocate message");
	int status = 0;
	for (;;) {
		uint32_t seq;
		struct mptcp4j_command_request req;
		size_t got = fread(&seq, 1, sizeof(seq), stdin);
		if (got == 0 && feof(stdin))
			break;
		if (got != sizeof(seq) || fread(&req, 1, sizeof(req), stdin) != sizeof(req)) {
			status = fail("a record cut short on stdin");
			break;
		}
		int32_t length = libnl_encode_command(msg, &req, (int)family_id, (uint32_t)port_id, seq);
		struct nlmsghdr *nlh = nlmsg_hdr(msg);
		if (length == 0)
			length = (int32_t)nlh->nlmsg_len;
		if (fwrite(&length, 1, sizeof(length), stdout) != sizeof(length) ||
		    (length > 0 && fwrite(nlh, 1, (size_t)length, stdout) != (size_t)length)) {
			status = fail("write stdout");
			break;
		}
	}
	nlmsg_free(msg);
	if (status == 0 && (ferror(stdin) || fflush(stdout) != 0))
		status = fail("read stdin or write stdout");
	return status;
}
