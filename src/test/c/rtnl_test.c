/*
 * Unit tests of native/rtnl_decoder.c on hand-built rtnetlink messages, as a namespace's root
 * could make the kernel send them (indices up to INT32_MAX, names of 15 bytes) and as no
 * kernel would (names without a NUL, prefixes longer than the address, indices beyond an
 * int). Each message sits in a heap block of exactly its size, so ASan and valgrind see a
 * read past it. Run by ctest, under ASan + UBSan or valgrind (bin/native-checks).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "expect.h"
#include "rtnl_decoder.h"

struct attr {
	uint16_t type;
	const void *data;
	size_t len;
};

/* A message of type with the family header and attributes given; free() it. The last attribute is not padded. */
static struct nlmsghdr *message(uint16_t type, const void *header, size_t header_len, const struct attr *attrs, int n)
{
	size_t len = NLMSG_HDRLEN + NLMSG_ALIGN(header_len);
	for (int i = 0; i < n; i++)
		len += (i + 1 < n ? NLA_ALIGN(NLA_HDRLEN + attrs[i].len) : NLA_HDRLEN + attrs[i].len);
	struct nlmsghdr *nlh = calloc(1, len);
	if (nlh == NULL)
		abort();
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = type;
	uint8_t *at = (uint8_t *)nlh + NLMSG_HDRLEN;
	memcpy(at, header, header_len);
	at += NLMSG_ALIGN(header_len);
	for (int i = 0; i < n; i++) {
		struct nlattr *nla = (struct nlattr *)at;
		nla->nla_type = attrs[i].type;
		nla->nla_len = (uint16_t)(NLA_HDRLEN + attrs[i].len);
		memcpy(at + NLA_HDRLEN, attrs[i].data, attrs[i].len);
		at += NLA_ALIGN(NLA_HDRLEN + attrs[i].len);
	}
	return nlh;
}

/* RTM_NEWLINK / RTM_DELLINK; name_len bytes of name as IFLA_IFNAME (none when name is NULL). */
static struct nlmsghdr *link_message(uint16_t type, int32_t ifindex, unsigned flags, const char *name, size_t name_len)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = flags};
	struct attr a = {IFLA_IFNAME, name, name_len};
	return message(type, &ifi, sizeof(ifi), &a, name != NULL ? 1 : 0);
}

static struct nlmsghdr *address_message(uint16_t type, int family, const char *text, uint8_t prefix, uint32_t ifindex,
					uint32_t flags)
{
	struct ifaddrmsg ifa = {.ifa_family = (uint8_t)family, .ifa_prefixlen = prefix, .ifa_index = ifindex};
	uint8_t addr[16];
	if (inet_pton(family, text, addr) != 1)
		abort();
	struct attr a[] = {{IFA_ADDRESS, addr, family == AF_INET ? 4 : 16}, {IFA_FLAGS, &flags, sizeof(flags)}};
	return message(type, &ifa, sizeof(ifa), a, 2);
}

#define UP (IFF_UP | IFF_RUNNING)

static struct mptcp4j_event_record out[64];
static struct m4j_rtnl_records records = {.out = out, .capacity = 64};

/* Reads one message (then frees it); the number of records it wrote. */
static int read_one(struct m4j_rtnl_links *links, struct nlmsghdr *nlh, bool seeding)
{
	int before = records.count;
	m4j_rtnl_monitor_read(links, nlh, seeding, 7, &records);
	free(nlh);
	return records.count - before;
}

static const struct mptcp4j_event_record *last(void)
{
	return &out[records.count - 1];
}

static int named(const struct mptcp4j_event_record *r, const char *name)
{
	char padded[M4J_RTNL_NAME_SIZE] = {0};
	memcpy(padded, name, strlen(name));
	return memcmp(r->remote_addr, padded, M4J_RTNL_NAME_SIZE) == 0;
}

static void huge_indices_take_a_few_slots(void)
{
	struct m4j_rtnl_links links = {0};
	records.count = 0;
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 1 << 30, UP, "huge", 5), true) == 0);
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 100000000, UP, "near", 5), true) == 0);
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, INT32_MAX, 0, "largest", 8), true) == 0);
	EXPECT(links.count == 3 && links.size == 64);
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, INT32_MAX, UP, "largest", 8), false) == 1);
	EXPECT(last()->type == MPTCP4J_RECORD_LINK_UP && last()->if_idx == INT32_MAX && named(last(), "largest"));
	EXPECT(last()->rx_nanos == 7 && last()->flags == UP && last()->attrs == ((1u << 15) | (1u << 13)));
	/* Unchanged: nothing to say. */
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 1 << 30, UP, "huge", 5), false) == 0);
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 1 << 30, IFF_UP, "huge", 5), false) == 1);
	EXPECT(last()->type == MPTCP4J_RECORD_LINK_DOWN && last()->if_idx == 1 << 30 && named(last(), "huge"));
	/* An address on it carries the link's name. */
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET, "10.77.0.1", 24, 100000000, IFA_F_PERMANENT), false) == 1);
	EXPECT(last()->type == MPTCP4J_RECORD_LOCAL_ADDRESS_ADDED && last()->if_idx == 100000000 && named(last(), "near"));
	EXPECT(last()->family == AF_INET && last()->prefix_len == 24 && memcmp(last()->local_addr, "\x0a\x4d\x00\x01", 4) == 0);
	/* Removed: reported with its name, then forgotten. */
	EXPECT(read_one(&links, link_message(RTM_DELLINK, 100000000, UP, "near", 5), false) == 1);
	EXPECT(last()->type == MPTCP4J_RECORD_LINK_DOWN && named(last(), "near"));
	EXPECT(m4j_rtnl_links_find(&links, 100000000) == NULL && links.count == 2);
	/* No index of zero or below. */
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 0, UP, "zero", 5), false) == 0);
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, -5, UP, "minus", 6), false) == 0);
	EXPECT(links.count == 2 && links.untracked == 0);
	m4j_rtnl_links_free(&links);
}

static void names_are_taken_only_as_the_kernel_makes_them(void)
{
	struct m4j_rtnl_links links = {0};
	records.count = 0;
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 3, UP, "m4j-longest-115", 16), false) == 1);
	EXPECT(named(last(), "m4j-longest-115"));
	/* 16 bytes and no NUL: no name, and no read past it. */
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 4, UP, "abcdefghijklmnop", 16), false) == 1);
	EXPECT(named(last(), ""));
	/* Longer than a name can be. */
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 5, UP, "abcdefghijklmnopqrstuvwxyz", 27), false) == 1);
	EXPECT(named(last(), ""));
	/* Cut before its NUL, or empty. */
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 6, UP, "abc", 3), false) == 1);
	EXPECT(named(last(), ""));
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 7, UP, "", 1), false) == 1);
	EXPECT(named(last(), ""));
	/* A rename is taken; a message without a name keeps the one known. */
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 3, 0, "renamed", 8), false) == 1);
	EXPECT(named(last(), "renamed"));
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 3, UP, NULL, 0), false) == 1);
	EXPECT(named(last(), "renamed"));
	/* Bytes after the NUL are not the name's. */
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 8, UP, "eth\0junk", 8), false) == 1);
	EXPECT(named(last(), "eth"));
	/* Headers cut short. */
	struct nlmsghdr *cut = link_message(RTM_NEWLINK, 9, UP, "cut", 4);
	cut->nlmsg_len = NLMSG_HDRLEN + 4;
	EXPECT(read_one(&links, cut, false) == 0);
	m4j_rtnl_links_free(&links);
}

static void addresses_the_kernel_could_not_send_are_skipped(void)
{
	struct m4j_rtnl_links links = {0};
	records.count = 0;
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET, "10.0.0.1", 32, 2, 0), false) == 1);
	EXPECT(last()->prefix_len == 32 && named(last(), "") && last()->if_idx == 2);
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET, "10.0.0.1", 33, 2, 0), false) == 0);
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET, "10.0.0.1", 255, 2, 0), false) == 0);
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET6, "fd00::1", 128, 2, 0), false) == 1);
	EXPECT(last()->family == AF_INET6 && last()->prefix_len == 128);
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET6, "fd00::1", 129, 2, 0), false) == 0);
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET, "10.0.0.1", 24, 0, 0), false) == 0);
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET, "10.0.0.1", 24, UINT32_C(0x80000000), 0), false) == 0);
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET, "10.0.0.1", 24, INT32_MAX, 0), false) == 1);
	EXPECT(last()->if_idx == INT32_MAX);
	/* In duplicate address detection: not yet; its removal is said. */
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET6, "fd00::2", 64, 2, IFA_F_TENTATIVE), false) == 0);
	EXPECT(read_one(&links, address_message(RTM_DELADDR, AF_INET6, "fd00::2", 64, 2, IFA_F_TENTATIVE), false) == 1);
	EXPECT(last()->type == MPTCP4J_RECORD_LOCAL_ADDRESS_REMOVED);
	/* An address of the wrong length for its family. */
	struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 2};
	struct attr six = {IFA_LOCAL, "0123456789abcdef", 16};
	EXPECT(read_one(&links, message(RTM_NEWADDR, &ifa, sizeof(ifa), &six, 1), false) == 0);
	EXPECT(links.count == 0);

	struct mptcp4j_local_address a;
	struct nlmsghdr *nlh = address_message(RTM_NEWADDR, AF_INET6, "fd00::9", 64, 1 << 30, IFA_F_NODAD);
	EXPECT(m4j_rtnl_address_decode(nlh, &a) == 1);
	EXPECT(a.family == AF_INET6 && a.prefix_len == 64 && a.if_index == 1u << 30 && a.flags == IFA_F_NODAD);
	free(nlh);
	m4j_rtnl_links_free(&links);
}

static void records_stop_at_capacity(void)
{
	struct m4j_rtnl_links links = {0};
	records.count = records.capacity - 1;
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 2, UP, "a", 2), false) == 1);
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 2, 0, "a", 2), false) == 0);
	m4j_rtnl_monitor_lost(&links, 7, &records);
	EXPECT(records.count == records.capacity);
	m4j_rtnl_links_free(&links);
}

/* Every link the table holds is found; those it does not, are not. */
static int consistent(const struct m4j_rtnl_links *links, const uint8_t *present, int32_t n)
{
	for (int32_t i = 1; i <= n; i++) {
		struct m4j_rtnl_link *l = m4j_rtnl_links_find(links, i * 7919);
		if ((l != NULL) != present[i] || (l != NULL && l->ifindex != i * 7919))
			return 0;
	}
	return 1;
}

static void the_table_holds_its_bound_and_stays_consistent(void)
{
	struct m4j_rtnl_links links = {0};
	enum { N = M4J_RTNL_LINKS_MAX + 100 };
	static uint8_t present[N + 1];
	memset(present, 0, sizeof(present));
	for (int32_t i = 1; i <= M4J_RTNL_LINKS_MAX; i++) {
		if (m4j_rtnl_links_add(&links, i * 7919) == NULL)
			break;
		present[i] = 1;
	}
	EXPECT(links.count == M4J_RTNL_LINKS_MAX && links.size == 2 * M4J_RTNL_LINKS_MAX && links.untracked == 0);
	/* Full: one more goes untracked, counted. */
	EXPECT(m4j_rtnl_links_add(&links, (M4J_RTNL_LINKS_MAX + 1) * 7919) == NULL && links.untracked == 1);
	EXPECT(m4j_rtnl_links_find(&links, 2 * 7919) == m4j_rtnl_links_add(&links, 2 * 7919));
	/* Its link changes carry the name their message gives, each reported; its addresses none. */
	records.count = 0;
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 1 << 30, UP, "beyond", 7), false) == 1);
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 1 << 30, UP, "beyond", 7), false) == 1);
	EXPECT(named(last(), "beyond") && last()->type == MPTCP4J_RECORD_LINK_UP && links.untracked == 3);
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 1 << 30, UP, "beyond", 7), true) == 0);
	EXPECT(read_one(&links, address_message(RTM_NEWADDR, AF_INET, "10.0.0.1", 24, 1 << 30, 0), false) == 1);
	EXPECT(named(last(), "") && last()->if_idx == 1 << 30);
	/* Removals in a random order keep every other link reachable (linear probing's backward shift). */
	srand(15);
	for (int k = 0; k < 3000; k++) {
		int32_t i = 1 + rand() % M4J_RTNL_LINKS_MAX;
		m4j_rtnl_links_remove(&links, i * 7919);
		present[i] = 0;
	}
	EXPECT(consistent(&links, present, N));
	for (int k = 0; k < 3000; k++) {
		int32_t i = 1 + rand() % N;
		if (m4j_rtnl_links_add(&links, i * 7919) != NULL)
			present[i] = 1;
	}
	EXPECT(consistent(&links, present, N));
	EXPECT(links.count <= M4J_RTNL_LINKS_MAX && links.size == 2 * M4J_RTNL_LINKS_MAX);

	/* After lost events, a full table makes room by forgetting a link not heard of since. */
	for (int32_t i = 1; i <= N && links.count < M4J_RTNL_LINKS_MAX; i++) {
		if (m4j_rtnl_links_add(&links, i * 7919) != NULL)
			present[i] = 1;
	}
	EXPECT(links.count == M4J_RTNL_LINKS_MAX);
	uint64_t untracked = links.untracked;
	records.count = 0;
	m4j_rtnl_monitor_lost(&links, 7, &records);
	EXPECT(records.count == 1 && out[0].type == MPTCP4J_RECORD_EVENTS_LOST);
	records.count = 0;
	EXPECT(read_one(&links, link_message(RTM_NEWLINK, 1 << 30, UP, "new", 4), false) == 1);
	EXPECT(named(last(), "new") && links.count == M4J_RTNL_LINKS_MAX && links.untracked == untracked);
	m4j_rtnl_links_free(&links);
	EXPECT(links.slots == NULL && links.count == 0);
}

int main(void)
{
	huge_indices_take_a_few_slots();
	names_are_taken_only_as_the_kernel_makes_them();
	addresses_the_kernel_could_not_send_are_skipped();
	records_stop_at_capacity();
	the_table_holds_its_bound_and_stays_consistent();
	printf("rtnl_test: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
