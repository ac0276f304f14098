/*
 * The command socket's codec, apart from its socket: a request (mptcp4j/command_request.h) into
 * a generic-netlink message, and a datagram of the kernel's answers into reply records
 * (mptcp4j/command_reply.h). No JNI and no I/O, so that the fuzzers and the C tests run it alone.
 */
#ifndef MPTCP4J_COMMAND_CODEC_H
#define MPTCP4J_COMMAND_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "mptcp4j/command_reply.h"
#include "mptcp4j/command_request.h"

/* Where the replies of one datagram go. */
struct command_replies {
	struct mptcp4j_reply_record *records; /* MPTCP4J_REPLY_CAPACITY of them */
	char *texts;                          /* MPTCP4J_REPLY_TEXT_SIZE bytes of error texts */
	uint64_t foreign;                     /* messages not for this socket, or not from the kernel */
};

/*
 * Replaces what msg holds with `req`, as a request of family_id from port_id with sequence
 * number seq. Returns 0, or -EMSGSIZE when msg has no room.
 */
int command_encode(struct nl_msg *msg, const struct mptcp4j_command_request *req, int family_id,
		   uint32_t port_id, uint32_t seq);

/* Reads an MPTCP_PM_ADDR_ATTR_* nest into *a; returns 0, or -1 when an attribute is malformed. */
int command_decode_address(struct nlattr *nest, struct mptcp4j_pm_address *a);

/*
 * Decodes the messages of one datagram from the kernel, (buf, len), into reply records: those
 * addressed to port_id, one record each, up to MPTCP4J_REPLY_CAPACITY; the others are counted
 * as foreign. Returns the number of records.
 */
int command_decode_replies(uint8_t *buf, size_t len, int family_id, uint32_t port_id,
			   struct command_replies *out);

#endif
