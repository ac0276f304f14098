/*
 * The netlink sockets the native layer reads a namespace through (rtnetlink, generic netlink,
 * sock_diag). Each is made inside the namespace it serves, where any process with CAP_NET_ADMIN
 * there (a container's root) can send to the socket's port id and to the multicast groups it
 * joined: none of that is the kernel's word. So each socket hears the kernel alone. Connected
 * to port id 0, it has every other sender's unicast refused by the kernel (ECONNREFUSED)
 * before the datagram takes room in its receive buffer; multicast, which no socket can refuse,
 * is dropped by libnl's first handler (NL_CB_MSG_IN), before libnl acts on an NLMSG_ERROR,
 * NLMSG_DONE or NLMSG_OVERRUN of its own accord. A flood of multicast can still fill the
 * buffer: the kernel then drops its own news too and says so (ENOBUFS, EVENTS_LOST).
 */
#ifndef MPTCP4J_NETLINK_SOCKET_H
#define MPTCP4J_NETLINK_SOCKET_H

#include <jni.h>
#include <netlink/netlink.h>

/*
 * A libnl socket of `protocol` (NETLINK_ROUTE, NETLINK_GENERIC, NETLINK_SOCK_DIAG) made in the
 * namespace open at netns_fd (-1: the caller's), connected to the kernel and reading only its
 * messages; `what` names the socket in errors ("rtnetlink"). NULL with an MptcpException pending.
 */
struct nl_sock *netlink_socket_open(JNIEnv *env, int netns_fd, int protocol, const char *what);

#endif
