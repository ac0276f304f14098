/*
 * The messages of a sock_diag dump: its request, and each answer into a diag record
 * (mptcp4j/diag_record.h). Apart from sock_diag.c's socket: no JNI and no I/O, so that the
 * fuzzers, the C tests and the corpus capture tool run it alone.
 */
#ifndef MPTCP4J_DIAG_MESSAGE_H
#define MPTCP4J_DIAG_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <netlink/msg.h>

#include "mptcp4j/diag_record.h"

/*
 * Reads a SOCK_DIAG_BY_FAMILY message of a dump of `protocol` sockets (IPPROTO_MPTCP: the
 * connections and listeners, IPPROTO_TCP: the subflows among TCP sockets) into *r. Returns 1
 * for a record, 0 for a message to pass over: malformed, or a plain TCP socket.
 */
/*
 * The request for a dump of every `protocol` socket of `family` in all states, with its
 * INET_DIAG_INFO; the caller sends and frees it. NULL when out of memory.
 */
struct nl_msg *diag_message_request(int family, int protocol);

int diag_message_parse(struct nlmsghdr *nlh, int protocol, struct mptcp4j_diag_record *r);

/* The length of one lookup request (diag_message_lookup). */
#define DIAG_MESSAGE_LOOKUP_SIZE NLMSG_SPACE(sizeof(struct inet_diag_req_v2))

/*
 * A request for the one TCP socket `subflow` names (family, addresses, ports, interface, and
 * cookie: all ones when unknown), without NLM_F_DUMP: the kernel finds it in its hash table,
 * whatever else the namespace holds, and answers with it alone or with ENOENT. Written at
 * `out` with sequence number `seq`; returns its length, 0 when `room` is too small or the
 * family is neither AF_INET nor AF_INET6.
 */
size_t diag_message_lookup(const struct mptcp4j_diag_record *subflow, uint32_t seq, void *out, size_t room);

/*
 * Reads the answer to a lookup request: 1 with *r filled (an MPTCP subflow), 0 for nothing to
 * read (the socket is gone: ENOENT; or it is no MPTCP subflow; or the message is malformed),
 * -errno for another error the kernel answered with (-EPROTO for an error that is no errno).
 */
int diag_message_lookup_answer(struct nlmsghdr *nlh, struct mptcp4j_diag_record *r);

#endif
