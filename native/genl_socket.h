/*
 * What the event socket and the command socket share: a libnl generic-netlink socket created
 * in a chosen network namespace, with the mptcp_pm family resolved by name.
 */
#ifndef MPTCP4J_GENL_SOCKET_H
#define MPTCP4J_GENL_SOCKET_H

#include <jni.h>
#include <stdint.h>
#include <sys/types.h>
#include <netlink/netlink.h>

/*
 * Connects a new NETLINK_GENERIC socket inside the namespace open at netns_fd (-1: the
 * caller's) and resolves mptcp_pm into *family_id. Returns NULL with a MptcpException
 * pending on failure.
 */
/* A generic-netlink socket connected in netns_fd (-1: this one); NULL with an MptcpException pending. */
struct nl_sock *genl_socket_connect(JNIEnv *env, int netns_fd);

struct nl_sock *genl_socket_open(JNIEnv *env, int netns_fd, int *family_id);

/*
 * Receives one datagram from netlink socket fd without waiting. Returns its length, 0 when
 * none is pending, -EMSGSIZE when it was cut to size, or -errno (-ENOBUFS: the kernel dropped
 * messages). *sender is the port id that sent it (0: the kernel).
 */
ssize_t genl_socket_receive(int fd, void *buf, size_t size, uint32_t *sender);

/* Sets SO_RCVBUF to bytes (forced past rmem_max when allowed); returns the size in effect. */
int genl_socket_set_receive_buffer(struct nl_sock *sk, int bytes);

#endif
