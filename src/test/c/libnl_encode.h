/*
 * libnl's encoding of a path-manager command (mptcp4j/command_request.h) into an upstream
 * mptcp_pm request: the reference the Java encoder (org.mptcp4j.netlink.UpstreamCommandEncoder)
 * is checked against byte for byte, and the encoder of the corpus capture tool. Test-only.
 */
#ifndef MPTCP4J_LIBNL_ENCODE_H
#define MPTCP4J_LIBNL_ENCODE_H

#include <stdint.h>
#include <netlink/msg.h>

#include "mptcp4j/command_request.h"

/*
 * Replaces what msg holds with `req`, as a request of family_id from port_id with sequence
 * number seq. Returns 0, or -EMSGSIZE when msg has no room.
 */
int libnl_encode_command(struct nl_msg *msg, const struct mptcp4j_command_request *req, int family_id,
			 uint32_t port_id, uint32_t seq);

#endif
