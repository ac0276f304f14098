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
 * A generic-netlink socket made in netns_fd (-1: this one) that hears the kernel alone
 * (netlink_socket.h); NULL with an MptcpException pending.
 */
struct nl_sock *genl_socket_connect(JNIEnv *env, int netns_fd);

/*
 * Connects a socket as genl_socket_connect does and resolves the path-manager family `family`
 * ("mptcp_pm" upstream, "mptcp" v0.95) into *family_id. NULL with an MptcpException pending.
 */
struct nl_sock *genl_socket_open(JNIEnv *env, int netns_fd, const char *family, int *family_id);

/* The multicast group `group` of `family`, or -1 with an MptcpException pending. */
int genl_socket_group(JNIEnv *env, struct nl_sock *sk, const char *family, const char *group);

/*
 * Reads a Java string into buf (size bytes, NUL-terminated). Returns 0, or -1 with an
 * exception pending when it is null or too long.
 */
int genl_socket_name(JNIEnv *env, jstring name, char *buf, size_t size);

/*
 * Receives one datagram from netlink socket fd without waiting. Returns its length, 0 when
 * none is pending, -EMSGSIZE when it was cut to size, or -errno (-ENOBUFS: the kernel dropped
 * messages; -ENOTCONN: the peer of an adopted socket pair closed). *sender is the port id
 * that sent it (0: the kernel, and the peer of a socket pair standing in for it).
 */
ssize_t genl_socket_receive(int fd, void *buf, size_t size, uint32_t *sender);

/* Sets SO_RCVBUF to bytes (forced past rmem_max when allowed); returns the size in effect. */
int genl_socket_set_receive_buffer(struct nl_sock *sk, int bytes);

#endif
