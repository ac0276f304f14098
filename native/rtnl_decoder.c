/* The rtnetlink decoder and link table (rtnl_decoder.h). No JNI here. */
#include "rtnl_decoder.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

_Static_assert(IFNAMSIZ == M4J_RTNL_NAME_SIZE, "interface name size");
_Static_assert(sizeof(((struct mptcp4j_event_record *)0)->remote_addr) == M4J_RTNL_NAME_SIZE, "name in the record");

#define MIN_SLOTS 64u
#define MAX_SLOTS (2u * M4J_RTNL_LINKS_MAX)

/* Indices are chosen by whoever creates a link: mixed (murmur3's finalizer), so that close ones spread. */
static uint32_t home_of(int32_t ifindex, uint32_t size)
{
	uint32_t h = (uint32_t)ifindex;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h & (size - 1);
}

struct m4j_rtnl_link *m4j_rtnl_links_find(const struct m4j_rtnl_links *links, int32_t ifindex)
{
	if (links->size == 0 || ifindex <= 0)
		return NULL;
	uint32_t mask = links->size - 1;
	/* Ends: the table is never more than half full. */
	for (uint32_t i = home_of(ifindex, links->size);; i = (i + 1) & mask) {
		struct m4j_rtnl_link *slot = &links->slots[i];
		if (slot->ifindex == ifindex)
			return slot;
		if (slot->ifindex == 0)
			return NULL;
	}
}

static struct m4j_rtnl_link *insert(struct m4j_rtnl_link *slots, uint32_t size, int32_t ifindex)
{
	uint32_t i = home_of(ifindex, size);
	while (slots[i].ifindex != 0)
		i = (i + 1) & (size - 1);
	slots[i].ifindex = ifindex;
	return &slots[i];
}

static bool grow(struct m4j_rtnl_links *links)
{
	uint32_t size = links->size == 0 ? MIN_SLOTS : links->size * 2;
	struct m4j_rtnl_link *slots = calloc(size, sizeof(*slots));
	if (slots == NULL)
		return false;
	for (uint32_t i = 0; i < links->size; i++) {
		if (links->slots[i].ifindex != 0)
			*insert(slots, size, links->slots[i].ifindex) = links->slots[i];
	}
	free(links->slots);
	links->slots = slots;
	links->size = size;
	return true;
}

/* Removes a link not heard of since events were lost, if there is one: it may be gone. */
static bool forget_stale(struct m4j_rtnl_links *links)
{
	if (!links->stale)
		return false;
	for (uint32_t i = 0; i < links->size; i++) {
		if (links->slots[i].ifindex != 0 && links->slots[i].state == M4J_RTNL_LINK_UNKNOWN) {
			m4j_rtnl_links_remove(links, links->slots[i].ifindex);
			return true;
		}
	}
	links->stale = false;
	return false;
}

struct m4j_rtnl_link *m4j_rtnl_links_add(struct m4j_rtnl_links *links, int32_t ifindex)
{
	struct m4j_rtnl_link *found = m4j_rtnl_links_find(links, ifindex);
	if (found != NULL)
		return found;
	if (ifindex <= 0 || (links->count >= M4J_RTNL_LINKS_MAX && !forget_stale(links)) ||
	    ((links->count + 1) * 2 > links->size && !grow(links))) {
		links->untracked++;
		return NULL;
	}
	links->count++;
	return insert(links->slots, links->size, ifindex);
}

void m4j_rtnl_links_remove(struct m4j_rtnl_links *links, int32_t ifindex)
{
	struct m4j_rtnl_link *slot = m4j_rtnl_links_find(links, ifindex);
	if (slot == NULL)
		return;
	/* Backward shift: each later link of the run moves into the hole unless that would put it before its home. */
	uint32_t mask = links->size - 1;
	uint32_t hole = (uint32_t)(slot - links->slots);
	for (uint32_t i = (hole + 1) & mask; links->slots[i].ifindex != 0; i = (i + 1) & mask) {
		uint32_t home = home_of(links->slots[i].ifindex, links->size);
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			links->slots[hole] = links->slots[i];
			hole = i;
		}
	}
	memset(&links->slots[hole], 0, sizeof(links->slots[hole]));
	links->count--;
}

void m4j_rtnl_links_free(struct m4j_rtnl_links *links)
{
	free(links->slots);
	memset(links, 0, sizeof(*links));
}

static struct mptcp4j_event_record *next_record(struct m4j_rtnl_records *records, uint16_t type, int32_t ifindex,
						const struct m4j_rtnl_link *link, uint64_t rx_nanos)
{
	if (records->count >= records->capacity)
		return NULL;
	struct mptcp4j_event_record *r = &records->out[records->count++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->rx_nanos = rx_nanos;
	r->if_idx = ifindex;
	r->attrs = 1u << 15; /* MPTCP_ATTR_IF_IDX */
	if (link != NULL)
		memcpy(r->remote_addr, link->name, M4J_RTNL_NAME_SIZE);
	return r;
}

/*
 * IFLA_IFNAME into name, if the message has one: NUL-padded when it is a name the kernel
 * allows (1 to 15 bytes, then a NUL within the attribute), else empty.
 */
static bool read_name(struct nlmsghdr *nlh, char name[M4J_RTNL_NAME_SIZE])
{
	struct nlattr *attr = nlmsg_find_attr(nlh, sizeof(struct ifinfomsg), IFLA_IFNAME);
	if (attr == NULL)
		return false;
	size_t room = (size_t)nla_len(attr) < M4J_RTNL_NAME_SIZE ? (size_t)nla_len(attr) : M4J_RTNL_NAME_SIZE;
	const char *nul = memchr(nla_data(attr), 0, room);
	memset(name, 0, M4J_RTNL_NAME_SIZE);
	if (nul != NULL && nul != nla_data(attr))
		memcpy(name, nla_data(attr), (size_t)(nul - (const char *)nla_data(attr)));
	return true;
}

static void read_link(struct m4j_rtnl_links *links, struct nlmsghdr *nlh, bool seeding, uint64_t rx_nanos,
		      struct m4j_rtnl_records *records)
{
	if (!nlmsg_valid_hdr(nlh, sizeof(struct ifinfomsg)))
		return;
	const struct ifinfomsg *ifi = nlmsg_data(nlh);
	if (ifi->ifi_index <= 0)
		return;
	bool removed = nlh->nlmsg_type == RTM_DELLINK;
	unsigned flags = ifi->ifi_flags;
	uint8_t now = !removed && (flags & IFF_UP) && (flags & IFF_RUNNING) ? M4J_RTNL_LINK_UP : M4J_RTNL_LINK_DOWN;
	/* What this message says of the link; the table's entry keeps it when there is one. */
	struct m4j_rtnl_link seen = {.ifindex = ifi->ifi_index};
	bool named = read_name(nlh, seen.name);
	struct m4j_rtnl_link *link =
		removed ? m4j_rtnl_links_find(links, ifi->ifi_index) : m4j_rtnl_links_add(links, ifi->ifi_index);
	bool report = !seeding;
	if (link != NULL) {
		if (named) /* a rename comes as RTM_NEWLINK */
			memcpy(link->name, seen.name, M4J_RTNL_NAME_SIZE);
		report = report && link->state != now;
		link->state = now;
	}
	struct mptcp4j_event_record *r =
		report ? next_record(records, now == M4J_RTNL_LINK_UP ? MPTCP4J_RECORD_LINK_UP : MPTCP4J_RECORD_LINK_DOWN,
				     ifi->ifi_index, link != NULL ? link : &seen, rx_nanos)
		       : NULL;
	if (r != NULL) {
		r->flags = (uint16_t)flags;
		r->attrs |= 1u << 13; /* MPTCP_ATTR_FLAGS */
	}
	if (removed && link != NULL)
		m4j_rtnl_links_remove(links, ifi->ifi_index);
}

static void read_address(struct m4j_rtnl_links *links, struct nlmsghdr *nlh, uint64_t rx_nanos,
			 struct m4j_rtnl_records *records)
{
	struct mptcp4j_local_address a;
	if (!m4j_rtnl_address_decode(nlh, &a))
		return;
	bool removed = nlh->nlmsg_type == RTM_DELADDR;
	/*
	 * An IPv6 address in duplicate address detection cannot be used yet: it is reported when
	 * the kernel announces it again without the flag; one that failed DAD never is.
	 */
	if (!removed && (a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
		return;
	int32_t ifindex = (int32_t)a.if_index;
	struct mptcp4j_event_record *r =
		next_record(records, removed ? MPTCP4J_RECORD_LOCAL_ADDRESS_REMOVED : MPTCP4J_RECORD_LOCAL_ADDRESS_ADDED,
			    ifindex, m4j_rtnl_links_find(links, ifindex), rx_nanos);
	if (r == NULL)
		return;
	r->family = a.family;
	memcpy(r->local_addr, a.addr, sizeof(a.addr));
	r->prefix_len = a.prefix_len;
	r->flags = (uint16_t)a.flags;
	r->attrs |= (1u << 2) | (1u << (a.family == AF_INET ? 5 : 6)) | (1u << 13); /* FAMILY, SADDR, FLAGS */
}

void m4j_rtnl_monitor_read(struct m4j_rtnl_links *links, struct nlmsghdr *nlh, bool seeding, uint64_t rx_nanos,
			   struct m4j_rtnl_records *records)
{
	if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK)
		read_link(links, nlh, seeding, rx_nanos, records);
	else if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR)
		read_address(links, nlh, rx_nanos, records);
}

void m4j_rtnl_monitor_lost(struct m4j_rtnl_links *links, uint64_t rx_nanos, struct m4j_rtnl_records *records)
{
	if (records->count < records->capacity) {
		struct mptcp4j_event_record *r = &records->out[records->count++];
		memset(r, 0, sizeof(*r));
		r->type = MPTCP4J_RECORD_EVENTS_LOST;
		r->rx_nanos = rx_nanos;
	}
	for (uint32_t i = 0; i < links->size; i++)
		links->slots[i].state = M4J_RTNL_LINK_UNKNOWN;
	links->stale = links->count > 0;
}

static const struct nla_policy address_policy[IFA_MAX + 1] = {
	[IFA_ADDRESS] = {.minlen = 4, .maxlen = 16},
	[IFA_LOCAL] = {.minlen = 4, .maxlen = 16},
	[IFA_FLAGS] = {.type = NLA_U32},
};

int m4j_rtnl_address_decode(struct nlmsghdr *nlh, struct mptcp4j_local_address *out)
{
	if (!nlmsg_valid_hdr(nlh, sizeof(struct ifaddrmsg)))
		return 0;
	const struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1];
	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, address_policy) < 0)
		return 0;
	/* IFA_LOCAL is this host's address on point-to-point links; IFA_ADDRESS elsewhere. */
	struct nlattr *addr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	int len = ifa->ifa_family == AF_INET ? 4 : ifa->ifa_family == AF_INET6 ? 16 : 0;
	if (addr == NULL || len == 0 || nla_len(addr) != len || ifa->ifa_prefixlen > len * 8 || ifa->ifa_index == 0 ||
	    ifa->ifa_index > INT32_MAX)
		return 0;
	memset(out, 0, sizeof(*out));
	out->family = ifa->ifa_family;
	out->prefix_len = ifa->ifa_prefixlen;
	out->scope = ifa->ifa_scope;
	out->flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	out->if_index = ifa->ifa_index;
	memcpy(out->addr, nla_data(addr), (size_t)len);
	return 1;
}
