#include "diag_record.h"

#include <arpa/inet.h>
#include <string.h>
#include <linux/tcp.h>


void diag_record_tcp(struct mptcp4j_diag_record *r, const void *info, size_t len)
{
	struct tcp_info ti;
	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, info, len < sizeof(ti) ? len : sizeof(ti));
	r->state = ti.tcpi_state;
	r->backoff = ti.tcpi_backoff;
	r->retransmits = ti.tcpi_retransmits;
	r->rtt_us = ti.tcpi_rtt;
	r->rttvar_us = ti.tcpi_rttvar;
	r->rto_us = ti.tcpi_rto;
	r->total_retrans = ti.tcpi_total_retrans;
	r->snd_cwnd = ti.tcpi_snd_cwnd;
	r->lost = ti.tcpi_lost;
	r->bytes_acked = ti.tcpi_bytes_acked;
	r->bytes_received = ti.tcpi_bytes_received;
	/* Fields past what an older kernel sent stay 0: the copy above is cut to its length. */
	r->bytes_sent = ti.tcpi_bytes_sent;
	r->bytes_retrans = ti.tcpi_bytes_retrans;
	r->delivery_rate = ti.tcpi_delivery_rate;
	/* Newer than the build machine's struct tcp_info: read at its offset when the kernel sent it. */
	if (len >= TCPI_TOTAL_RTO_OFFSET + sizeof(uint16_t)) {
		uint16_t total_rto;
		memcpy(&total_rto, (const uint8_t *)info + TCPI_TOTAL_RTO_OFFSET, sizeof(total_rto));
		r->rto_timeouts = total_rto;
	}
}

void diag_record_mptcp(struct mptcp4j_diag_record *r, const struct mptcp_info *info, size_t len)
{
	struct mptcp_info mi;
	memset(&mi, 0, sizeof(mi));
	memcpy(&mi, info, len < sizeof(mi) ? len : sizeof(mi));
	r->token = mi.mptcpi_token;
	r->flags = mi.mptcpi_flags;
	r->subflows = mi.mptcpi_subflows;
	r->subflows_total = mi.mptcpi_subflows_total;
	r->add_addr_signal = mi.mptcpi_add_addr_signal;
	r->add_addr_accepted = mi.mptcpi_add_addr_accepted;
	r->local_addr_used = mi.mptcpi_local_addr_used;
	r->retransmits = mi.mptcpi_retransmits;
	r->bytes_sent = mi.mptcpi_bytes_sent;
	r->bytes_received = mi.mptcpi_bytes_received;
	r->bytes_acked = mi.mptcpi_bytes_acked;
	r->bytes_retrans = mi.mptcpi_bytes_retrans;
}

uint16_t diag_record_address(uint8_t out[16], const struct sockaddr *sa)
{
	memset(out, 0, 16);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		memcpy(out, &sin->sin_addr, 4);
		return ntohs(sin->sin_port);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		memcpy(out, &sin6->sin6_addr, 16);
		return ntohs(sin6->sin6_port);
	}
	return 0;
}
