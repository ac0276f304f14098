/*
 * Filling mptcp4j_diag_record (mptcp4j/diag_record.h) from what the kernel hands out, shared by
 * the socket's own info (mptcp_channels.c) and the sock_diag dumps (sock_diag.c).
 */
#ifndef MPTCP4J_DIAG_RECORD_FILL_H
#define MPTCP4J_DIAG_RECORD_FILL_H

#include <stddef.h>
#include <sys/socket.h>

#include "mptcp4j/diag_record.h"
#include "mptcp4j/mptcp_uapi.h"

/*
 * The fields of a struct tcp_info a path manager reads; `len` is what the kernel filled (older
 * kernels fill less). Untyped: libnl's headers bring glibc's tcp.h, which clashes with the
 * kernel's, so only diag_record.c sees struct tcp_info.
 */
void diag_record_tcp(struct mptcp4j_diag_record *r, const void *info, size_t len);

/* The mptcp_info fields; `len` as above. */
void diag_record_mptcp(struct mptcp4j_diag_record *r, const struct mptcp_info *info, size_t len);

/* Copies a socket address's IP into out[16]; returns its port, host order. */
uint16_t diag_record_address(uint8_t out[16], const struct sockaddr *sa);

#endif
