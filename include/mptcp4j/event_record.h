/*
 * The decoded form of one MPTCP event, as native code writes it into the records buffer and
 * the Java flyweight org.mptcp4j.netlink.EventRecord reads it. This file is the one source
 * of truth for the layout: the library checks the Java offsets against
 * mptcp4j_event_record_layout() when it loads, and a unit test does the same.
 *
 * All fields are in host byte order, ports included (the kernel sends event ports in network
 * order; the decoder swaps them). Addresses are raw: 4 bytes for IPv4 then zeros, 16 for IPv6.
 *
 *   0               1               2               3
 *   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 *  +---------------------------------------------------------------+
 *  |              rx_nanos (CLOCK_MONOTONIC, datagram received)    |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |           attrs: bit n set = MPTCP_ATTR n was present         |  8
 *  +-------------------------------+-------------------------------+
 *  |             type              |            family             | 12
 *  +-------------------------------+-------------------------------+
 *  |                             token                             | 16
 *  +---------------+---------------+---------------+---------------+
 *  |    loc_id     |    rem_id     |    backup     |     error     | 20
 *  +---------------+---------------+---------------+---------------+
 *  |          local_port           |          remote_port          | 24
 *  +-------------------------------+---------------+---------------+
 *  |             flags             |  server_side  |  prefix_len   | 28
 *  +-------------------------------+---------------+---------------+
 *  |                            if_idx                             | 32
 *  |                            timeout                            | 36
 *  |                         reset_reason                          | 40
 *  |                          reset_flags                          | 44
 *  +---------------------------------------------------------------+
 *  |                 local_addr (16 bytes: saddr4 / saddr6)        | 48
 *  +---------------------------------------------------------------+
 *  |                remote_addr (16 bytes: daddr4 / daddr6)        | 64
 *  +---------------------------------------------------------------+ 80
 */
#ifndef MPTCP4J_EVENT_RECORD_H
#define MPTCP4J_EVENT_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct mptcp4j_event_record {
	uint64_t rx_nanos;
	uint32_t attrs;
	uint16_t type;
	/* MPTCP_ATTR_FAMILY, or derived from which address attribute came (ANNOUNCED has none). */
	uint16_t family;
	uint32_t token;
	uint8_t loc_id;
	uint8_t rem_id;
	uint8_t backup;
	uint8_t error;
	uint16_t local_port;
	uint16_t remote_port;
	uint16_t flags;
	uint8_t server_side;
	/* Local address events: the address's prefix length. */
	uint8_t prefix_len;
	int32_t if_idx;
	uint32_t timeout;
	uint32_t reset_reason;
	uint32_t reset_flags;
	uint8_t local_addr[16];
	uint8_t remote_addr[16];
};

#define MPTCP4J_EVENT_RECORD_SIZE 80
_Static_assert(sizeof(struct mptcp4j_event_record) == MPTCP4J_EVENT_RECORD_SIZE,
	       "event record size");

/*
 * Record types beyond the kernel's event ids. EVENTS_LOST marks the place in the stream
 * where the kernel reported ENOBUFS: events were dropped there, how many is unknown.
 * The rtnetlink monitor (RtnlDecoder, in Java) writes the local address and link records:
 * family, local_addr, prefix_len, if_idx, flags (IFA_F_* or IFF_*, low 16 bits), and the
 * interface's name NUL-padded in remote_addr. Java writes the SUBFLOW_TIMEOUT records
 * (0x8020) from sock_diag.
 */
#define MPTCP4J_RECORD_EVENTS_LOST 0x8001
#define MPTCP4J_RECORD_LOCAL_ADDRESS_ADDED 0x8010
#define MPTCP4J_RECORD_LOCAL_ADDRESS_REMOVED 0x8011
#define MPTCP4J_RECORD_LINK_UP 0x8012
#define MPTCP4J_RECORD_LINK_DOWN 0x8013

/*
 * Counters the decoder keeps for one event socket, in a buffer Java reads directly.
 * Each is a uint64_t at index * 8.
 */
enum mptcp4j_event_counter {
	MPTCP4J_COUNTER_DATAGRAMS,  /* datagrams received */
	MPTCP4J_COUNTER_MESSAGES,   /* netlink messages seen */
	MPTCP4J_COUNTER_RECORDS,    /* records written */
	MPTCP4J_COUNTER_TRUNCATED,  /* datagrams or messages cut short; skipped */
	MPTCP4J_COUNTER_MALFORMED,  /* bad genl header or attribute; skipped */
	MPTCP4J_COUNTER_FOREIGN,    /* not from the kernel, or not of the mptcp_pm family */
	MPTCP4J_COUNTER_FILTERED,   /* event types nobody asked for, unknown types included */
	MPTCP4J_COUNTER_LOST,       /* ENOBUFS reports: the kernel dropped events */
	MPTCP4J_COUNTER_COUNT
};

/*
 * The event socket's raw buffer: the datagrams as received, each behind this header and padded
 * to 8 bytes, for whichever decoder reads them. A header whose length
 * is MPTCP4J_RAW_EVENTS_LOST carries no bytes: the kernel reported ENOBUFS there.
 */
struct mptcp4j_raw_datagram {
	uint32_t length;
	uint32_t reserved;
	uint64_t rx_nanos;
};

#define MPTCP4J_RAW_HEADER_SIZE 16
#define MPTCP4J_RAW_EVENTS_LOST 0xffffffffu
_Static_assert(sizeof(struct mptcp4j_raw_datagram) == MPTCP4J_RAW_HEADER_SIZE, "raw header size");

/* Offsets in the order org.mptcp4j.netlink.EventRecord lists them, size first. */
#define MPTCP4J_EVENT_RECORD_LAYOUT                                                    \
	{                                                                              \
		sizeof(struct mptcp4j_event_record),                                   \
		offsetof(struct mptcp4j_event_record, rx_nanos),                       \
		offsetof(struct mptcp4j_event_record, attrs),                          \
		offsetof(struct mptcp4j_event_record, type),                           \
		offsetof(struct mptcp4j_event_record, family),                         \
		offsetof(struct mptcp4j_event_record, token),                          \
		offsetof(struct mptcp4j_event_record, loc_id),                         \
		offsetof(struct mptcp4j_event_record, rem_id),                         \
		offsetof(struct mptcp4j_event_record, backup),                         \
		offsetof(struct mptcp4j_event_record, error),                          \
		offsetof(struct mptcp4j_event_record, local_port),                     \
		offsetof(struct mptcp4j_event_record, remote_port),                    \
		offsetof(struct mptcp4j_event_record, flags),                          \
		offsetof(struct mptcp4j_event_record, server_side),                    \
		offsetof(struct mptcp4j_event_record, prefix_len),                     \
		offsetof(struct mptcp4j_event_record, if_idx),                         \
		offsetof(struct mptcp4j_event_record, timeout),                        \
		offsetof(struct mptcp4j_event_record, reset_reason),                   \
		offsetof(struct mptcp4j_event_record, reset_flags),                    \
		offsetof(struct mptcp4j_event_record, local_addr),                     \
		offsetof(struct mptcp4j_event_record, remote_addr),                    \
		MPTCP4J_COUNTER_COUNT, MPTCP4J_RECORD_EVENTS_LOST,                     \
		MPTCP4J_RECORD_LOCAL_ADDRESS_ADDED, MPTCP4J_RECORD_LOCAL_ADDRESS_REMOVED, \
		MPTCP4J_RECORD_LINK_UP, MPTCP4J_RECORD_LINK_DOWN,                      \
		MPTCP4J_RAW_HEADER_SIZE, (int32_t)MPTCP4J_RAW_EVENTS_LOST              \
	}

#endif
