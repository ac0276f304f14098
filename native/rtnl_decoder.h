/*
 * A namespace's links and addresses as rtnetlink reports them, decoded without JNI so that
 * the C tests and the fuzzer link it alone; the natives are rtnl_monitor.c (changes, as event
 * records) and local_address_dump.c (the addresses there now).
 *
 * All of it comes from a namespace whose root may be hostile: an interface index is any
 * positive int it chose, a name any bytes. Memory here is bounded by the number of links
 * tracked (M4J_RTNL_LINKS_MAX), never by an index, and every message costs bounded time.
 */
#ifndef MPTCP4J_RTNL_DECODER_H
#define MPTCP4J_RTNL_DECODER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "mptcp4j/event_record.h"
#include "mptcp4j/local_address.h"

/*
 * Links a monitor tracks (state and name) at most. Beyond, a link's changes are each reported,
 * changed or not, with the name their message gives; its addresses' events carry no name.
 * Each such message is counted in m4j_rtnl_links.untracked, which Java reads as
 * RtnlMonitor.untrackedLinkMessages().
 */
#define M4J_RTNL_LINKS_MAX 4096
/* IFNAMSIZ: a name and its NUL, as in the event record's remote_addr. */
#define M4J_RTNL_NAME_SIZE 16

enum m4j_rtnl_link_state { M4J_RTNL_LINK_UNKNOWN, M4J_RTNL_LINK_DOWN, M4J_RTNL_LINK_UP };

struct m4j_rtnl_link {
	int32_t ifindex; /* 0: a free slot */
	uint8_t state;   /* enum m4j_rtnl_link_state: what the link was last reported as */
	char name[M4J_RTNL_NAME_SIZE]; /* NUL-padded; empty when the kernel's was not a valid name */
};

/* Links by ifindex: open addressing with linear probing, at most half full. A zeroed one is empty. */
struct m4j_rtnl_links {
	struct m4j_rtnl_link *slots;
	uint32_t size;  /* slots: 0, or a power of two up to 2 * M4J_RTNL_LINKS_MAX */
	uint32_t count;
	/* Events were lost since some links were last heard of: those may be gone. */
	bool stale;
	uint64_t untracked; /* link messages that found no room in the table */
};

/* The link's entry, or NULL. */
struct m4j_rtnl_link *m4j_rtnl_links_find(const struct m4j_rtnl_links *links, int32_t ifindex);

/*
 * The link's entry, a new one (state unknown, unnamed) if it had none; NULL, counted, when
 * ifindex is not positive, the table is full, or memory ran out. A full table makes room by
 * forgetting a link not heard of since events were lost.
 */
struct m4j_rtnl_link *m4j_rtnl_links_add(struct m4j_rtnl_links *links, int32_t ifindex);

void m4j_rtnl_links_remove(struct m4j_rtnl_links *links, int32_t ifindex);

void m4j_rtnl_links_free(struct m4j_rtnl_links *links);

/* Where the monitor writes its records. */
struct m4j_rtnl_records {
	struct mptcp4j_event_record *out;
	int capacity;
	int count;
};

/*
 * One message the kernel sent the monitor (nlh->nlmsg_len bytes readable): a link change
 * (RTM_NEWLINK, RTM_DELLINK) or an address change (RTM_NEWADDR, RTM_DELADDR) into at most one
 * record; anything else or malformed is skipped. seeding: an answer to the monitor's own link
 * dump, which only fills the table.
 */
void m4j_rtnl_monitor_read(struct m4j_rtnl_links *links, struct nlmsghdr *nlh, bool seeding, uint64_t rx_nanos,
			   struct m4j_rtnl_records *records);

/* The kernel dropped changes (ENOBUFS): EVENTS_LOST, and each link's next state is reported even if unchanged. */
void m4j_rtnl_monitor_lost(struct m4j_rtnl_links *links, uint64_t rx_nanos, struct m4j_rtnl_records *records);

/*
 * An RTM_NEWADDR or RTM_DELADDR message into *out: 1, or 0 when it is not an IPv4 or IPv6
 * address of an interface the kernel could have sent (prefix length within the address,
 * interface index a positive int).
 */
int m4j_rtnl_address_decode(struct nlmsghdr *nlh, struct mptcp4j_local_address *out);

#endif
