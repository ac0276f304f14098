/*
 * What an application learns about its own MPTCP socket (getsockopt MPTCP_FULL_INFO), as
 * native code writes it for org.mptcp4j.socket.MptcpSocket: one connection record followed by
 * one subflow record per subflow. Host byte order; addresses raw (IPv4 in the first 4 bytes).
 *
 * mptcp4j_connection_info (48 bytes):
 *  0 token u32 | 4 flags u32 | 8 subflows u8 (extra subflows, MPTCP_INFO) | 9 subflows_total u8
 *  10 reserved u16 | 12 retransmits u32 | 16 bytes_sent u64 | 24 bytes_received u64
 *  32 bytes_acked u64 | 40 bytes_retrans u64
 *
 * mptcp4j_subflow_info (96 bytes):
 *  0 id u32 | 4 family u16 | 6 local_port u16 | 8 remote_port u16 | 10 state u8 | 11 ca_state u8
 *  12 rtt_us u32 | 16 rto_us u32 | 20 backoff u8 | 21 retransmits u8 | 22 reserved u16
 *  24 total_retrans u32 | 28 reserved u32 | 32 bytes_sent u64 | 40 bytes_acked u64
 *  48 bytes_received u64 | 56 delivery_rate u64 (bytes/s) | 64 local_addr[16] | 80 remote_addr[16]
 */
#ifndef MPTCP4J_SOCKET_INFO_H
#define MPTCP4J_SOCKET_INFO_H

#include <stddef.h>
#include <stdint.h>

struct mptcp4j_connection_info {
	uint32_t token;
	uint32_t flags;
	uint8_t subflows;
	uint8_t subflows_total;
	uint16_t reserved;
	uint32_t retransmits;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t bytes_acked;
	uint64_t bytes_retrans;
};

struct mptcp4j_subflow_info {
	uint32_t id;
	uint16_t family;
	uint16_t local_port;
	uint16_t remote_port;
	uint8_t state;
	uint8_t ca_state;
	uint32_t rtt_us;
	uint32_t rto_us;
	uint8_t backoff;
	uint8_t retransmits;
	uint16_t reserved;
	uint32_t total_retrans;
	uint32_t reserved2;
	uint64_t bytes_sent;
	uint64_t bytes_acked;
	uint64_t bytes_received;
	uint64_t delivery_rate;
	uint8_t local_addr[16];
	uint8_t remote_addr[16];
};

_Static_assert(sizeof(struct mptcp4j_connection_info) == 48, "connection info size");
_Static_assert(sizeof(struct mptcp4j_subflow_info) == 96, "subflow info size");

/* Offsets in the order org.mptcp4j.socket.SocketInfoLayout lists them, sizes first. */
#define MPTCP4J_SOCKET_INFO_LAYOUT                                                     \
	{                                                                              \
		sizeof(struct mptcp4j_connection_info),                                \
		sizeof(struct mptcp4j_subflow_info),                                   \
		offsetof(struct mptcp4j_connection_info, token),                       \
		offsetof(struct mptcp4j_connection_info, flags),                       \
		offsetof(struct mptcp4j_connection_info, subflows),                    \
		offsetof(struct mptcp4j_connection_info, subflows_total),              \
		offsetof(struct mptcp4j_connection_info, retransmits),                 \
		offsetof(struct mptcp4j_connection_info, bytes_sent),                  \
		offsetof(struct mptcp4j_connection_info, bytes_received),              \
		offsetof(struct mptcp4j_connection_info, bytes_acked),                 \
		offsetof(struct mptcp4j_connection_info, bytes_retrans),               \
		offsetof(struct mptcp4j_subflow_info, id),                             \
		offsetof(struct mptcp4j_subflow_info, family),                         \
		offsetof(struct mptcp4j_subflow_info, local_port),                     \
		offsetof(struct mptcp4j_subflow_info, remote_port),                    \
		offsetof(struct mptcp4j_subflow_info, state),                          \
		offsetof(struct mptcp4j_subflow_info, rtt_us),                         \
		offsetof(struct mptcp4j_subflow_info, rto_us),                         \
		offsetof(struct mptcp4j_subflow_info, backoff),                        \
		offsetof(struct mptcp4j_subflow_info, retransmits),                    \
		offsetof(struct mptcp4j_subflow_info, total_retrans),                  \
		offsetof(struct mptcp4j_subflow_info, bytes_sent),                     \
		offsetof(struct mptcp4j_subflow_info, bytes_acked),                    \
		offsetof(struct mptcp4j_subflow_info, bytes_received),                 \
		offsetof(struct mptcp4j_subflow_info, delivery_rate),                  \
		offsetof(struct mptcp4j_subflow_info, local_addr),                     \
		offsetof(struct mptcp4j_subflow_info, remote_addr)                     \
	}

#endif
