/*
 * What the kernel tells about MPTCP connections and their subflows, in one fixed layout for
 * both sources: a socket's own getsockopt(MPTCP_FULL_INFO) (native/mptcp_socket.c) and the
 * namespace-wide sock_diag dumps (native/sock_diag.c). Java reads it with one reader,
 * org.mptcp4j.netlink.DiagRecord. Host byte order; addresses raw (IPv4 in the first 4 bytes).
 *
 *  +---------------+---------------+-------------------------------+
 *  |     kind      |  tcp state    |            family             |   0
 *  +---------------+---------------+-------------------------------+
 *  |          local_port           |          remote_port          |   4
 *  +-------------------------------+-------------------------------+
 *  |     token (connection; a subflow's connection's local token)  |   8
 *  |            remote_token (subflow: the peer's token)           |  12
 *  |  flags (connection: MPTCP_INFO_FLAG_*, subflow: _SUBFLOW_FLAG_)|  16
 *  +---------------+---------------+---------------+---------------+
 *  |    loc_id     |    rem_id     |   subflows    |subflows_total |  20
 *  +---------------+---------------+---------------+---------------+
 *  |add_addr_signal|add_addr_accptd|local_addr_used|    backoff    |  24
 *  +---------------+---------------+---------------+---------------+
 *  |          retransmits | rtt_us | rttvar_us | rto_us            |  28..43
 *  |          total_retrans | snd_cwnd | lost | if_index           |  44..59
 *  |  rto_timeouts (subflow: tcpi_total_rto, Linux 6.7; else 0)    |  60
 *  |  bytes_sent | bytes_received | bytes_acked | bytes_retrans    |  64..95 (u64 each)
 *  |  delivery_rate (bytes/s) | cookie (sock_diag's socket id)     |  96..111
 *  |  local_addr[16] | remote_addr[16]                             | 112..143
 *  +---------------------------------------------------------------+ 144
 */
#ifndef MPTCP4J_DIAG_RECORD_H
#define MPTCP4J_DIAG_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define MPTCP4J_DIAG_CONNECTION 1
#define MPTCP4J_DIAG_SUBFLOW 2
/* A listening MPTCP socket: tells which connections are this host's server side. */
#define MPTCP4J_DIAG_LISTENER 3

struct mptcp4j_diag_record {
	uint8_t kind;
	uint8_t state;
	uint16_t family;
	uint16_t local_port;
	uint16_t remote_port;
	uint32_t token;
	uint32_t remote_token;
	uint32_t flags;
	uint8_t loc_id;
	uint8_t rem_id;
	uint8_t subflows;
	uint8_t subflows_total;
	uint8_t add_addr_signal;
	uint8_t add_addr_accepted;
	uint8_t local_addr_used;
	uint8_t backoff;
	uint32_t retransmits;
	uint32_t rtt_us;
	uint32_t rttvar_us;
	uint32_t rto_us;
	uint32_t total_retrans;
	uint32_t snd_cwnd;
	uint32_t lost;
	uint32_t if_index;
	uint32_t rto_timeouts;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t bytes_acked;
	uint64_t bytes_retrans;
	uint64_t delivery_rate;
	uint64_t cookie;
	uint8_t local_addr[16];
	uint8_t remote_addr[16];
};

#define MPTCP4J_DIAG_RECORD_SIZE 144
_Static_assert(sizeof(struct mptcp4j_diag_record) == MPTCP4J_DIAG_RECORD_SIZE, "diag record size");

#define MPTCP4J_DIAG_RECORD_LAYOUT                                                     \
	{                                                                              \
		sizeof(struct mptcp4j_diag_record),                                    \
		offsetof(struct mptcp4j_diag_record, kind),                            \
		offsetof(struct mptcp4j_diag_record, state),                           \
		offsetof(struct mptcp4j_diag_record, family),                          \
		offsetof(struct mptcp4j_diag_record, local_port),                      \
		offsetof(struct mptcp4j_diag_record, remote_port),                     \
		offsetof(struct mptcp4j_diag_record, token),                           \
		offsetof(struct mptcp4j_diag_record, remote_token),                    \
		offsetof(struct mptcp4j_diag_record, flags),                           \
		offsetof(struct mptcp4j_diag_record, loc_id),                          \
		offsetof(struct mptcp4j_diag_record, rem_id),                          \
		offsetof(struct mptcp4j_diag_record, subflows),                        \
		offsetof(struct mptcp4j_diag_record, subflows_total),                  \
		offsetof(struct mptcp4j_diag_record, add_addr_signal),                 \
		offsetof(struct mptcp4j_diag_record, add_addr_accepted),               \
		offsetof(struct mptcp4j_diag_record, local_addr_used),                 \
		offsetof(struct mptcp4j_diag_record, backoff),                         \
		offsetof(struct mptcp4j_diag_record, retransmits),                     \
		offsetof(struct mptcp4j_diag_record, rtt_us),                          \
		offsetof(struct mptcp4j_diag_record, rttvar_us),                       \
		offsetof(struct mptcp4j_diag_record, rto_us),                          \
		offsetof(struct mptcp4j_diag_record, total_retrans),                   \
		offsetof(struct mptcp4j_diag_record, snd_cwnd),                        \
		offsetof(struct mptcp4j_diag_record, lost),                            \
		offsetof(struct mptcp4j_diag_record, if_index),                        \
		offsetof(struct mptcp4j_diag_record, rto_timeouts),                    \
		offsetof(struct mptcp4j_diag_record, bytes_sent),                      \
		offsetof(struct mptcp4j_diag_record, bytes_received),                  \
		offsetof(struct mptcp4j_diag_record, bytes_acked),                     \
		offsetof(struct mptcp4j_diag_record, bytes_retrans),                   \
		offsetof(struct mptcp4j_diag_record, delivery_rate),                   \
		offsetof(struct mptcp4j_diag_record, cookie),                          \
		offsetof(struct mptcp4j_diag_record, local_addr),                      \
		offsetof(struct mptcp4j_diag_record, remote_addr)                      \
	}

#endif
