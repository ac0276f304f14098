/*
 * What the kernel answers to path-manager commands, as native code decodes it for
 * org.mptcp4j.netlink.ReplyRecord: one record per netlink message that carries our port id.
 * A request ends with exactly one final record: an ACK (error 0 or -errno) for a plain request,
 * DONE (or an ACK carrying an error) for a dump. DATA records come before it: one address
 * (GET_ADDR) or the limits (GET_LIMITS). Host byte order.
 *
 *  +---------------------------------------------------------------+
 *  |                              seq                              |  0
 *  +---------------+---------------+-------------------------------+
 *  |     kind      |    present    |           text_len            |  4
 *  +---------------+---------------+-------------------------------+
 *  |              error (ACK: 0 or -errno)                         |  8
 *  |       text_off (ACK: extended-ack text in the text buffer)    | 12
 *  |                     rcv_add_addrs (DATA)                      | 16
 *  |                        subflows (DATA)                        | 20
 *  +---------------------------------------------------------------+
 *  |         addr (DATA): struct mptcp4j_pm_address, 32 bytes      | 24
 *  +---------------------------------------------------------------+ 56
 */
#ifndef MPTCP4J_COMMAND_REPLY_H
#define MPTCP4J_COMMAND_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "mptcp4j/command_request.h"

#define MPTCP4J_REPLY_ACK 1
#define MPTCP4J_REPLY_DATA 2
#define MPTCP4J_REPLY_DONE 3

/* mptcp4j_reply_record.present */
#define MPTCP4J_REPLY_HAS_ADDR 0x1
#define MPTCP4J_REPLY_HAS_RCV_ADD_ADDRS 0x2
#define MPTCP4J_REPLY_HAS_SUBFLOWS 0x4

struct mptcp4j_reply_record {
	uint32_t seq;
	uint8_t kind;
	uint8_t present;
	uint16_t text_len;
	int32_t error;
	uint32_t text_off;
	uint32_t rcv_add_addrs;
	uint32_t subflows;
	struct mptcp4j_pm_address addr;
};

#define MPTCP4J_REPLY_RECORD_SIZE 56
_Static_assert(sizeof(struct mptcp4j_reply_record) == MPTCP4J_REPLY_RECORD_SIZE, "reply size");

/*
 * One receive reads one datagram of at most 32 KiB (the kernel's largest netlink reply);
 * every message is at least a netlink header, so this many records always suffice.
 */
#define MPTCP4J_REPLY_DATAGRAM_MAX 32768
#define MPTCP4J_REPLY_CAPACITY (MPTCP4J_REPLY_DATAGRAM_MAX / 16)
/* Texts of one datagram's errors cannot outgrow the datagram. */
#define MPTCP4J_REPLY_TEXT_SIZE MPTCP4J_REPLY_DATAGRAM_MAX

#define MPTCP4J_COMMAND_REPLY_LAYOUT                                                   \
	{                                                                              \
		sizeof(struct mptcp4j_reply_record),                                   \
		offsetof(struct mptcp4j_reply_record, seq),                            \
		offsetof(struct mptcp4j_reply_record, kind),                           \
		offsetof(struct mptcp4j_reply_record, present),                        \
		offsetof(struct mptcp4j_reply_record, text_len),                       \
		offsetof(struct mptcp4j_reply_record, error),                          \
		offsetof(struct mptcp4j_reply_record, text_off),                       \
		offsetof(struct mptcp4j_reply_record, rcv_add_addrs),                  \
		offsetof(struct mptcp4j_reply_record, subflows),                       \
		offsetof(struct mptcp4j_reply_record, addr),                           \
		MPTCP4J_REPLY_CAPACITY, MPTCP4J_REPLY_TEXT_SIZE                        \
	}

#endif
