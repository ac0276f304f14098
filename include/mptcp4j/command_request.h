/*
 * A path-manager command as Java writes it into the command socket's request buffer
 * (org.mptcp4j.netlink.CommandRequest), which the Java encoders turn into a generic-netlink
 * request. The C here is the tests' reference only: src/test/c/libnl_encode.c encodes the same
 * records with libnl, and UpstreamCommandEncoderDifferentialTest compares the bytes. One layout
 * serves every MPTCP_PM_CMD_*: the presence bits say which attributes go on the wire. Host
 * byte order throughout.
 *
 * mptcp4j_pm_address (32 bytes), one MPTCP_PM_ADDR_ATTR_* nest:
 *
 *  +-------------------------------+-------------------------------+
 *  |            family             |        port (host order)      |  0
 *  +---------------+---------------+-------------------------------+
 *  |      id       |    present    |           reserved            |  4
 *  +---------------+---------------+-------------------------------+
 *  |                             flags                             |  8
 *  |                            if_idx                             | 12
 *  +---------------------------------------------------------------+
 *  |                  addr (4 bytes IPv4 or 16 IPv6)               | 16
 *  +---------------------------------------------------------------+ 32
 *
 * mptcp4j_command_request (88 bytes):
 *
 *  +---------------+---------------+-------------------------------+
 *  |      cmd      |    loc_id     |            present            |  0
 *  +---------------+---------------+-------------------------------+
 *  |                             token                             |  4
 *  |                         rcv_add_addrs                         |  8
 *  |                           subflows                            | 12
 *  +---------------------------------------------------------------+
 *  |                     addr (MPTCP_PM_ATTR_ADDR)                 | 16
 *  +---------------------------------------------------------------+
 *  |                 remote (MPTCP_PM_ATTR_ADDR_REMOTE)            | 48
 *  +---------------------------------------------------------------+
 *  |             event_flags (v0.95 SET_FILTER, MPTCPF_EVENT_*)    | 80
 *  |                           reserved                            | 84
 *  +---------------------------------------------------------------+ 88
 *
 * The remote address's id travels without MPTCP4J_ADDR_HAS_ID: upstream has no remote id on
 * the wire, v0.95's SUB_CREATE needs one (rem_id). Commands the upstream family lacks
 * (v0.95's SET_FILTER and EXIST) have no libnl reference.
 *
 * The kernel's answers are decoded in Java (ReplyDecoder).
 */
#ifndef MPTCP4J_COMMAND_REQUEST_H
#define MPTCP4J_COMMAND_REQUEST_H

#include <stdint.h>

/* mptcp4j_pm_address.present */
#define MPTCP4J_ADDR_HAS_ADDR 0x01
#define MPTCP4J_ADDR_HAS_ID 0x02
#define MPTCP4J_ADDR_HAS_PORT 0x04
#define MPTCP4J_ADDR_HAS_FLAGS 0x08
#define MPTCP4J_ADDR_HAS_IF_IDX 0x10

struct mptcp4j_pm_address {
	uint16_t family;
	uint16_t port;
	uint8_t id;
	uint8_t present;
	uint16_t reserved;
	uint32_t flags;
	int32_t if_idx;
	uint8_t addr[16];
};

/* mptcp4j_command_request.present */
#define MPTCP4J_REQ_HAS_TOKEN 0x0001
#define MPTCP4J_REQ_HAS_LOC_ID 0x0002
#define MPTCP4J_REQ_HAS_ADDR 0x0004
#define MPTCP4J_REQ_HAS_REMOTE 0x0008
#define MPTCP4J_REQ_HAS_RCV_ADD_ADDRS 0x0010
#define MPTCP4J_REQ_HAS_SUBFLOWS 0x0020
/* Ask for every entry (NLM_F_DUMP) rather than one. */
#define MPTCP4J_REQ_DUMP 0x0040
#define MPTCP4J_REQ_HAS_EVENT_FLAGS 0x0080

struct mptcp4j_command_request {
	uint8_t cmd;
	uint8_t loc_id;
	uint16_t present;
	uint32_t token;
	uint32_t rcv_add_addrs;
	uint32_t subflows;
	struct mptcp4j_pm_address addr;
	struct mptcp4j_pm_address remote;
	uint32_t event_flags;
	uint32_t reserved;
};

#define MPTCP4J_COMMAND_REQUEST_SIZE 88
_Static_assert(sizeof(struct mptcp4j_pm_address) == 32, "address size");
_Static_assert(sizeof(struct mptcp4j_command_request) == MPTCP4J_COMMAND_REQUEST_SIZE,
	       "request size");

#endif
