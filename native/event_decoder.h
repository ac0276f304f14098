/*
 * The native decoder of path-manager events (upstream mptcp_pm and v0.95 mptcp), for
 * EventDecoding.NATIVE; the default, JAVA, is org.mptcp4j.netlink.JavaEventDecoder, which
 * writes the same records. Raw netlink bytes in, fixed-layout records out (mptcp4j/event_record.h). Validates every header and attribute; a message that fails is
 * counted and skipped, never trusted.
 */
#ifndef MPTCP4J_EVENT_DECODER_H
#define MPTCP4J_EVENT_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mptcp4j/event_record.h"

struct event_decoder {
	uint16_t family_id;
	/* v0.95 sends ports as host-order u16s; upstream in network order. */
	bool host_order_ports;
	/* bit n set: deliver events of type n; other types are counted as filtered. */
	uint64_t type_mask;
	uint64_t *counters; /* MPTCP4J_COUNTER_COUNT entries */
};

/*
 * Decodes the messages of one datagram (buf, len) into at most `capacity` records.
 * Returns the number written; *consumed tells how many bytes were used, less than len only
 * when the records ran out.
 */
int event_decoder_decode(const struct event_decoder *decoder, uint8_t *buf, size_t len,
			 uint64_t rx_nanos, struct mptcp4j_event_record *out, int capacity,
			 size_t *consumed);

#endif
