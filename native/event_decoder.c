/*
 * The decoder the event socket runs. No JNI here, so that the fuzzers and the C tests link it
 * alone; the natives of org.mptcp4j.netlink.NativeEventDecoder are in event_decoder_jni.c.
 */
#include "event_decoder.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "mptcp4j/mptcp_uapi.h"

/* Exact sizes: a longer fixed-size attribute is as wrong as a shorter one. */
static const struct nla_policy event_policy[MPTCP_ATTR_MAX + 1] = {
	[MPTCP_ATTR_TOKEN] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_ATTR_FAMILY] = {.type = NLA_U16, .maxlen = 2},
	[MPTCP_ATTR_LOC_ID] = {.type = NLA_U8, .maxlen = 1},
	[MPTCP_ATTR_REM_ID] = {.type = NLA_U8, .maxlen = 1},
	[MPTCP_ATTR_SADDR4] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_ATTR_SADDR6] = {.minlen = 16, .maxlen = 16},
	[MPTCP_ATTR_DADDR4] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_ATTR_DADDR6] = {.minlen = 16, .maxlen = 16},
	[MPTCP_ATTR_SPORT] = {.type = NLA_U16, .maxlen = 2},
	[MPTCP_ATTR_DPORT] = {.type = NLA_U16, .maxlen = 2},
	[MPTCP_ATTR_BACKUP] = {.type = NLA_U8, .maxlen = 1},
	[MPTCP_ATTR_ERROR] = {.type = NLA_U8, .maxlen = 1},
	[MPTCP_ATTR_FLAGS] = {.type = NLA_U16, .maxlen = 2},
	[MPTCP_ATTR_TIMEOUT] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_ATTR_IF_IDX] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_ATTR_RESET_REASON] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_ATTR_RESET_FLAGS] = {.type = NLA_U32, .maxlen = 4},
	[MPTCP_ATTR_SERVER_SIDE] = {.type = NLA_U8, .maxlen = 1},
};

/* Bytes after the last whole attribute mean the message was cut inside one. */
static int has_trailing_bytes(struct genlmsghdr *gh, int attrlen)
{
	struct nlattr *nla;
	int rem;
	nla_for_each_attr(nla, genlmsg_attrdata(gh, 0), attrlen, rem) {
	}
	return rem > 0;
}

static uint16_t port(const struct event_decoder *d, struct nlattr *a)
{
	uint16_t value = nla_get_u16(a);
	return d->host_order_ports ? value : ntohs(value);
}

static int decode_message(const struct event_decoder *d, struct nlmsghdr *nlh,
			  uint64_t rx_nanos, struct mptcp4j_event_record *r)
{
	uint64_t *counters = d->counters;
	if (nlh->nlmsg_type != d->family_id) {
		counters[MPTCP4J_COUNTER_FOREIGN]++;
		return 0;
	}
	if (!genlmsg_valid_hdr(nlh, 0)) {
		counters[MPTCP4J_COUNTER_MALFORMED]++;
		return 0;
	}
	struct genlmsghdr *gh = nlmsg_data(nlh);
	if (gh->cmd >= 64 || !(d->type_mask & (UINT64_C(1) << gh->cmd))) {
		counters[MPTCP4J_COUNTER_FILTERED]++;
		return 0;
	}
	struct nlattr *tb[MPTCP_ATTR_MAX + 1];
	if (genlmsg_parse(nlh, 0, tb, MPTCP_ATTR_MAX, event_policy) < 0) {
		counters[MPTCP4J_COUNTER_MALFORMED]++;
		return 0;
	}
	if (has_trailing_bytes(gh, genlmsg_attrlen(gh, 0))) {
		counters[MPTCP4J_COUNTER_TRUNCATED]++;
		return 0;
	}

	memset(r, 0, sizeof(*r));
	r->rx_nanos = rx_nanos;
	r->type = gh->cmd;
	for (int i = 1; i <= MPTCP_ATTR_MAX; i++)
		if (tb[i] != NULL)
			r->attrs |= UINT32_C(1) << i;
	if (tb[MPTCP_ATTR_TOKEN])
		r->token = nla_get_u32(tb[MPTCP_ATTR_TOKEN]);
	if (tb[MPTCP_ATTR_FAMILY])
		r->family = nla_get_u16(tb[MPTCP_ATTR_FAMILY]);
	else if (tb[MPTCP_ATTR_SADDR4] || tb[MPTCP_ATTR_DADDR4])
		r->family = AF_INET;
	else if (tb[MPTCP_ATTR_SADDR6] || tb[MPTCP_ATTR_DADDR6])
		r->family = AF_INET6;
	if (tb[MPTCP_ATTR_LOC_ID])
		r->loc_id = nla_get_u8(tb[MPTCP_ATTR_LOC_ID]);
	if (tb[MPTCP_ATTR_REM_ID])
		r->rem_id = nla_get_u8(tb[MPTCP_ATTR_REM_ID]);
	if (tb[MPTCP_ATTR_SADDR4])
		memcpy(r->local_addr, nla_data(tb[MPTCP_ATTR_SADDR4]), 4);
	if (tb[MPTCP_ATTR_SADDR6])
		memcpy(r->local_addr, nla_data(tb[MPTCP_ATTR_SADDR6]), 16);
	if (tb[MPTCP_ATTR_DADDR4])
		memcpy(r->remote_addr, nla_data(tb[MPTCP_ATTR_DADDR4]), 4);
	if (tb[MPTCP_ATTR_DADDR6])
		memcpy(r->remote_addr, nla_data(tb[MPTCP_ATTR_DADDR6]), 16);
	/* Upstream event ports travel in network order, unlike its command ports; v0.95's in host order. */
	if (tb[MPTCP_ATTR_SPORT])
		r->local_port = port(d, tb[MPTCP_ATTR_SPORT]);
	if (tb[MPTCP_ATTR_DPORT])
		r->remote_port = port(d, tb[MPTCP_ATTR_DPORT]);
	if (tb[MPTCP_ATTR_BACKUP])
		r->backup = nla_get_u8(tb[MPTCP_ATTR_BACKUP]);
	if (tb[MPTCP_ATTR_ERROR])
		r->error = nla_get_u8(tb[MPTCP_ATTR_ERROR]);
	if (tb[MPTCP_ATTR_FLAGS])
		r->flags = nla_get_u16(tb[MPTCP_ATTR_FLAGS]);
	if (tb[MPTCP_ATTR_TIMEOUT])
		r->timeout = nla_get_u32(tb[MPTCP_ATTR_TIMEOUT]);
	if (tb[MPTCP_ATTR_IF_IDX])
		r->if_idx = (int32_t)nla_get_u32(tb[MPTCP_ATTR_IF_IDX]);
	if (tb[MPTCP_ATTR_RESET_REASON])
		r->reset_reason = nla_get_u32(tb[MPTCP_ATTR_RESET_REASON]);
	if (tb[MPTCP_ATTR_RESET_FLAGS])
		r->reset_flags = nla_get_u32(tb[MPTCP_ATTR_RESET_FLAGS]);
	if (tb[MPTCP_ATTR_SERVER_SIDE])
		r->server_side = nla_get_u8(tb[MPTCP_ATTR_SERVER_SIDE]);
	counters[MPTCP4J_COUNTER_RECORDS]++;
	return 1;
}

int event_decoder_decode(const struct event_decoder *decoder, uint8_t *buf, size_t len,
			 uint64_t rx_nanos, struct mptcp4j_event_record *out, int capacity,
			 size_t *consumed)
{
	size_t off = 0;
	int n = 0;
	while (off < len && n < capacity) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off);
		int remaining = (int)(len - off);
		if (!nlmsg_ok(nlh, remaining)) {
			decoder->counters[MPTCP4J_COUNTER_TRUNCATED]++;
			off = len;
			break;
		}
		decoder->counters[MPTCP4J_COUNTER_MESSAGES]++;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (off > len)
			off = len;
		n += decode_message(decoder, nlh, rx_nanos, &out[n]);
	}
	*consumed = off;
	return n;
}
