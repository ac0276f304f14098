/*
 * libFuzzer target: the rtnetlink decoder (native/rtnl_decoder.c) as the monitor runs it, on
 * any datagram: each message through m4j_rtnl_monitor_read() with one link table (an answer of
 * the seed dump when its sequence number is not 0, as the monitor decides), and through
 * m4j_rtnl_address_decode(). An NLMSG_NOOP message stands for an ENOBUFS report
 * (m4j_rtnl_monitor_lost). Checks that records are of the monitor's kinds, with a positive
 * interface index, a NUL-padded name, a prefix within the address; that the table holds at
 * most M4J_RTNL_LINKS_MAX links, at most half full, each found where it is. Seeds: datagrams
 * captured from the kernel (fuzz/corpus/rtnl).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/msg.h>

#include "fuzz_check.h"
#include "rtnl_decoder.h"

#define CAPACITY 8

static void check_name(const uint8_t *name)
{
	size_t len = 0;
	while (len < M4J_RTNL_NAME_SIZE && name[len] != 0)
		len++;
	CHECK(len < M4J_RTNL_NAME_SIZE);
	for (size_t i = len; i < M4J_RTNL_NAME_SIZE; i++)
		CHECK(name[i] == 0);
}

static void check_address(uint8_t family, uint8_t prefix_len, const uint8_t *addr)
{
	CHECK(family == AF_INET || family == AF_INET6);
	CHECK(prefix_len <= (family == AF_INET ? 32 : 128));
	if (family == AF_INET)
		for (int i = 4; i < 16; i++)
			CHECK(addr[i] == 0);
}

static void check_record(const struct mptcp4j_event_record *r)
{
	if (r->type == MPTCP4J_RECORD_EVENTS_LOST)
		return;
	CHECK(r->type == MPTCP4J_RECORD_LINK_UP || r->type == MPTCP4J_RECORD_LINK_DOWN ||
	      r->type == MPTCP4J_RECORD_LOCAL_ADDRESS_ADDED || r->type == MPTCP4J_RECORD_LOCAL_ADDRESS_REMOVED);
	CHECK(r->if_idx > 0);
	check_name(r->remote_addr);
	if (r->type == MPTCP4J_RECORD_LOCAL_ADDRESS_ADDED || r->type == MPTCP4J_RECORD_LOCAL_ADDRESS_REMOVED)
		check_address((uint8_t)r->family, r->prefix_len, r->local_addr);
	else
		CHECK(r->family == 0 && r->prefix_len == 0);
}

static void check_links(const struct m4j_rtnl_links *links)
{
	CHECK(links->count <= M4J_RTNL_LINKS_MAX);
	CHECK(links->size == 0 || links->count * 2 <= links->size);
	uint32_t used = 0;
	for (uint32_t i = 0; i < links->size; i++) {
		const struct m4j_rtnl_link *l = &links->slots[i];
		if (l->ifindex == 0)
			continue;
		used++;
		CHECK(l->ifindex > 0 && l->state <= M4J_RTNL_LINK_UP);
		CHECK(m4j_rtnl_links_find(links, l->ifindex) == l);
		check_name((const uint8_t *)l->name);
	}
	CHECK(used == links->count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	uint8_t *buf = copy_input(data, size);
	struct mptcp4j_event_record out[CAPACITY];
	struct m4j_rtnl_records records = {.out = out, .capacity = CAPACITY};
	struct m4j_rtnl_links links = {0};
	int remaining = (int)size;
	for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, remaining);
	     nlh = nlmsg_next(nlh, &remaining)) {
		if (records.count == CAPACITY)
			records.count = 0;
		if (nlh->nlmsg_type == NLMSG_NOOP)
			m4j_rtnl_monitor_lost(&links, 1, &records);
		else
			m4j_rtnl_monitor_read(&links, nlh, nlh->nlmsg_seq != 0, 1, &records);
		CHECK(records.count <= CAPACITY);
		for (int i = 0; i < records.count; i++)
			check_record(&out[i]);
		check_links(&links);
		struct mptcp4j_local_address a;
		if (m4j_rtnl_address_decode(nlh, &a)) {
			check_address(a.family, a.prefix_len, a.addr);
			CHECK(a.if_index > 0 && a.if_index <= INT32_MAX);
		}
	}
	m4j_rtnl_links_free(&links);
	free_input(buf, data, size);
	return 0;
}
