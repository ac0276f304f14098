/*
 * What the running kernel's mptcp_pm family offers, as native/kernel_feature_probe.c reads it from
 * CTRL_CMD_GETFAMILY (the operations) and CTRL_CMD_GETPOLICY (the attributes each accepts,
 * Linux 5.10), for org.mptcp4j.netlink.KernelFeatureProbe. One entry per operation id 0..31:
 *
 *  0 flags u32: GENL_* operation flags, plus MPTCP4J_OP_PRESENT and MPTCP4J_OP_POLICY_KNOWN
 *  4 do_attrs u32: bit n set = attribute n accepted by the "do" form
 *  8 dump_attrs u32: bit n set = attribute n accepted by the "dump" form
 * 12
 */
#ifndef MPTCP4J_KERNEL_FEATURES_H
#define MPTCP4J_KERNEL_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#define MPTCP4J_OP_PRESENT (1u << 31)
#define MPTCP4J_OP_POLICY_KNOWN (1u << 30)
#define MPTCP4J_KERNEL_OPS 32

struct mptcp4j_kernel_op {
	uint32_t flags;
	uint32_t do_attrs;
	uint32_t dump_attrs;
};

_Static_assert(sizeof(struct mptcp4j_kernel_op) == 12, "kernel op size");

#define MPTCP4J_KERNEL_FEATURES_LAYOUT                                                 \
	{                                                                              \
		sizeof(struct mptcp4j_kernel_op),                                      \
		offsetof(struct mptcp4j_kernel_op, flags),                             \
		offsetof(struct mptcp4j_kernel_op, do_attrs),                          \
		offsetof(struct mptcp4j_kernel_op, dump_attrs), MPTCP4J_KERNEL_OPS     \
	}

#endif
