/*
 * One local address of a network namespace as the rtnetlink dump reports it, written by
 * native/local_address_dump.c and read by org.mptcp4j.netlink.LocalAddressDump.
 *
 *  0 family u8 | 1 prefix_len u8 | 2 scope u8 (RT_SCOPE_*) | 3 reserved u8
 *  4 flags u32 (IFA_F_*) | 8 if_index u32 | 12 addr[16] (IPv4 in the first 4 bytes) | 28
 */
#ifndef MPTCP4J_LOCAL_ADDRESS_H
#define MPTCP4J_LOCAL_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

struct mptcp4j_local_address {
	uint8_t family;
	uint8_t prefix_len;
	uint8_t scope;
	uint8_t reserved;
	uint32_t flags;
	uint32_t if_index;
	uint8_t addr[16];
};

_Static_assert(sizeof(struct mptcp4j_local_address) == 28, "local address size");

#define MPTCP4J_LOCAL_ADDRESS_LAYOUT                                                   \
	{                                                                              \
		sizeof(struct mptcp4j_local_address),                                  \
		offsetof(struct mptcp4j_local_address, family),                        \
		offsetof(struct mptcp4j_local_address, prefix_len),                    \
		offsetof(struct mptcp4j_local_address, scope),                         \
		offsetof(struct mptcp4j_local_address, flags),                         \
		offsetof(struct mptcp4j_local_address, if_index),                      \
		offsetof(struct mptcp4j_local_address, addr)                           \
	}

#endif
