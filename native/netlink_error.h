/*
 * The kernel's answer when a netlink request fails: the errno and the extended-ack text, read
 * from NLMSG_ERROR, for every socket of the native layer (libnl folds both into its own codes).
 */
#ifndef MPTCP4J_NETLINK_ERROR_H
#define MPTCP4J_NETLINK_ERROR_H

#include <stddef.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>

struct netlink_error {
	/* Positive errno (1..4095, see netlink_errno), 0 while the kernel reported none. */
	int error;
	char message[256];
};

/*
 * The errno an NLMSG_ERROR (or a failed dump's NLMSG_DONE) carries as -errno, made positive:
 * EPROTO when it is not one the kernel sends (-4095..-1), INT_MIN included, whose negation
 * does not fit an int.
 */
int netlink_errno(int error);

/*
 * Copies the extended-ack text of a final message whose attributes start at tlv_off into out
 * (NUL-terminated): the kernel's message, or which attribute was missing. Returns its length,
 * 0 when there is none.
 */
size_t netlink_extack_text(const struct nlmsghdr *nlh, size_t tlv_off, char *out, size_t size);

/*
 * Asks for extended acks on sk and records into *e the errno and text of any NLMSG_ERROR that
 * reaches it, so that a failure names what the kernel said. Returns 0 or a negative libnl code.
 */
int netlink_error_capture(struct nl_sock *sk, struct netlink_error *e);

#endif
