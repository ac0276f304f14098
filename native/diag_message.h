/*
 * The messages of a sock_diag dump: its request, and each answer into a diag record
 * (mptcp4j/diag_record.h). Apart from sock_diag.c's socket: no JNI and no I/O, so that the
 * fuzzers, the C tests and the corpus capture tool run it alone.
 */
#ifndef MPTCP4J_DIAG_MESSAGE_H
#define MPTCP4J_DIAG_MESSAGE_H

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

#endif
