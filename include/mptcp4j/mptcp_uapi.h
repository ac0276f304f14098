/*
 * The kernel's MPTCP interface as mptcp4j uses it: generic-netlink family `mptcp_pm`,
 * its commands, events and attributes, and the MPTCP socket options.
 *
 * Defined here rather than taken from <linux/mptcp.h> because the build machine's UAPI
 * headers may predate the running kernel (Debian 12 ships 6.1 headers). This header
 * replaces <linux/mptcp.h>: never include both. Values are the kernel's; the comment on
 * each newer item names the kernel version that introduced it.
 */
#ifndef MPTCP4J_MPTCP_UAPI_H
#define MPTCP4J_MPTCP_UAPI_H

#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262 /* 5.6 */
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284 /* 5.16 */
#endif

#define MPTCP_PM_NAME "mptcp_pm"               /* 5.7 */
#define MPTCP_PM_VER 1
#define MPTCP_PM_EV_GRP_NAME "mptcp_pm_events" /* 5.12 */

/* Commands: MPTCP_PM_CMD_*. */
enum {
	MPTCP_PM_CMD_ADD_ADDR = 1,        /* 5.7 */
	MPTCP_PM_CMD_DEL_ADDR = 2,        /* 5.7 */
	MPTCP_PM_CMD_GET_ADDR = 3,        /* 5.7; with TOKEN 6.9 */
	MPTCP_PM_CMD_FLUSH_ADDRS = 4,     /* 5.7 */
	MPTCP_PM_CMD_SET_LIMITS = 5,      /* 5.7 */
	MPTCP_PM_CMD_GET_LIMITS = 6,      /* 5.7 */
	MPTCP_PM_CMD_SET_FLAGS = 7,       /* 5.12; with TOKEN ~6.0 */
	MPTCP_PM_CMD_ANNOUNCE = 8,        /* 5.19 */
	MPTCP_PM_CMD_REMOVE = 9,          /* 5.19 */
	MPTCP_PM_CMD_SUBFLOW_CREATE = 10, /* 5.19 */
	MPTCP_PM_CMD_SUBFLOW_DESTROY = 11 /* 5.19 */
};

/* Top-level command attributes: MPTCP_PM_ATTR_*. */
enum {
	MPTCP_PM_ATTR_ADDR = 1,          /* nest of MPTCP_PM_ADDR_ATTR_* */
	MPTCP_PM_ATTR_RCV_ADD_ADDRS = 2, /* u32 */
	MPTCP_PM_ATTR_SUBFLOWS = 3,      /* u32 */
	MPTCP_PM_ATTR_TOKEN = 4,         /* u32, 5.19 */
	MPTCP_PM_ATTR_LOC_ID = 5,        /* u8, 5.19 */
	MPTCP_PM_ATTR_ADDR_REMOTE = 6    /* nest, 5.19 */
};

/* Address nest: MPTCP_PM_ADDR_ATTR_*. */
enum {
	MPTCP_PM_ADDR_ATTR_FAMILY = 1, /* u16 */
	MPTCP_PM_ADDR_ATTR_ID = 2,     /* u8 */
	MPTCP_PM_ADDR_ATTR_ADDR4 = 3,  /* struct in_addr */
	MPTCP_PM_ADDR_ATTR_ADDR6 = 4,  /* struct in6_addr */
	MPTCP_PM_ADDR_ATTR_PORT = 5,   /* u16, host order */
	MPTCP_PM_ADDR_ATTR_FLAGS = 6,  /* u32 */
	MPTCP_PM_ADDR_ATTR_IF_IDX = 7  /* s32 */
};

#define MPTCP_PM_ADDR_FLAG_SIGNAL (1u << 0)
#define MPTCP_PM_ADDR_FLAG_SUBFLOW (1u << 1)
#define MPTCP_PM_ADDR_FLAG_BACKUP (1u << 2)
#define MPTCP_PM_ADDR_FLAG_FULLMESH (1u << 3) /* 5.15 */
#define MPTCP_PM_ADDR_FLAG_IMPLICIT (1u << 4) /* 5.18 */
#define MPTCP_PM_ADDR_FLAG_LAMINAR (1u << 5)  /* 6.18 */

/* Events: the genl header's cmd. Gaps keep the numbering of the out-of-tree family. */
enum {
	MPTCP_EVENT_CREATED = 1,
	MPTCP_EVENT_ESTABLISHED = 2,
	MPTCP_EVENT_CLOSED = 3,
	MPTCP_EVENT_ANNOUNCED = 6,
	MPTCP_EVENT_REMOVED = 7,
	MPTCP_EVENT_SUB_ESTABLISHED = 10,
	MPTCP_EVENT_SUB_CLOSED = 11,
	MPTCP_EVENT_SUB_PRIORITY = 13,
	MPTCP_EVENT_LISTENER_CREATED = 15, /* 6.2 */
	MPTCP_EVENT_LISTENER_CLOSED = 16   /* 6.2 */
};

/* Event attributes: MPTCP_ATTR_*. */
enum {
	MPTCP_ATTR_TOKEN = 1,         /* u32, host order */
	MPTCP_ATTR_FAMILY = 2,        /* u16 */
	MPTCP_ATTR_LOC_ID = 3,        /* u8 */
	MPTCP_ATTR_REM_ID = 4,        /* u8 */
	MPTCP_ATTR_SADDR4 = 5,        /* be32 */
	MPTCP_ATTR_SADDR6 = 6,        /* struct in6_addr */
	MPTCP_ATTR_DADDR4 = 7,        /* be32 */
	MPTCP_ATTR_DADDR6 = 8,        /* struct in6_addr */
	MPTCP_ATTR_SPORT = 9,         /* be16, network order */
	MPTCP_ATTR_DPORT = 10,        /* be16, network order */
	MPTCP_ATTR_BACKUP = 11,       /* u8 */
	MPTCP_ATTR_ERROR = 12,        /* u8 */
	MPTCP_ATTR_FLAGS = 13,        /* u16 */
	MPTCP_ATTR_TIMEOUT = 14,      /* u32 */
	MPTCP_ATTR_IF_IDX = 15,       /* s32 */
	MPTCP_ATTR_RESET_REASON = 16, /* u32, 5.13 */
	MPTCP_ATTR_RESET_FLAGS = 17,  /* u32, 5.13 */
	MPTCP_ATTR_SERVER_SIDE = 18   /* u8, 5.19; deprecated 6.18 */
};
#define MPTCP_ATTR_MAX MPTCP_ATTR_SERVER_SIDE

#define MPTCP_PM_EV_FLAG_DENY_JOIN_ID0 (1u << 0) /* 6.17 */
#define MPTCP_PM_EV_FLAG_SERVER_SIDE (1u << 1)   /* 6.18 */

/* A subflow's ULP info in sock_diag (INET_DIAG_ULP_INFO / INET_ULP_INFO_MPTCP), 5.7. */
enum {
	MPTCP_SUBFLOW_ATTR_TOKEN_REM = 1,     /* u32 */
	MPTCP_SUBFLOW_ATTR_TOKEN_LOC = 2,     /* u32 */
	MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ = 3,  /* u32 */
	MPTCP_SUBFLOW_ATTR_MAP_SEQ = 4,       /* u64 */
	MPTCP_SUBFLOW_ATTR_MAP_SFSEQ = 5,     /* u32 */
	MPTCP_SUBFLOW_ATTR_SSN_OFFSET = 6,    /* u32 */
	MPTCP_SUBFLOW_ATTR_MAP_DATALEN = 7,   /* u16 */
	MPTCP_SUBFLOW_ATTR_FLAGS = 8,         /* u32 */
	MPTCP_SUBFLOW_ATTR_ID_REM = 9,        /* u8 */
	MPTCP_SUBFLOW_ATTR_ID_LOC = 10,       /* u8 */
	MPTCP_SUBFLOW_ATTR_PAD = 11
};
#define MPTCP_SUBFLOW_ATTR_MAX MPTCP_SUBFLOW_ATTR_ID_LOC

#define MPTCP_SUBFLOW_FLAG_BKUP_REM (1u << 4)
#define MPTCP_SUBFLOW_FLAG_BKUP_LOC (1u << 5)

/* MPTCP socket options (SOL_MPTCP). */
#define MPTCP_INFO 1          /* 5.16 */
#define MPTCP_TCPINFO 2       /* 5.16 */
#define MPTCP_SUBFLOW_ADDRS 3 /* 5.16 */
#define MPTCP_FULL_INFO 4     /* 6.5 */

/* struct mptcp_info as of 6.10; older kernels return a prefix of it (length tells). */
struct mptcp_info {
	uint8_t mptcpi_subflows;
	uint8_t mptcpi_add_addr_signal;
	uint8_t mptcpi_add_addr_accepted;
	uint8_t mptcpi_subflows_max;
	uint8_t mptcpi_add_addr_signal_max;
	uint8_t mptcpi_add_addr_accepted_max;
	uint32_t mptcpi_flags;
	uint32_t mptcpi_token;
	uint64_t mptcpi_write_seq;
	uint64_t mptcpi_snd_una;
	uint64_t mptcpi_rcv_nxt;
	uint8_t mptcpi_local_addr_used;
	uint8_t mptcpi_local_addr_max;
	uint8_t mptcpi_csum_enabled;
	uint32_t mptcpi_retransmits;      /* 6.5 */
	uint64_t mptcpi_bytes_retrans;    /* 6.5 */
	uint64_t mptcpi_bytes_sent;       /* 6.5 */
	uint64_t mptcpi_bytes_received;   /* 6.5 */
	uint64_t mptcpi_bytes_acked;      /* 6.5 */
	uint8_t mptcpi_subflows_total;    /* 6.7 */
	uint8_t mptcpi_reserved[3];
	uint32_t mptcpi_last_data_sent;   /* 6.10 */
	uint32_t mptcpi_last_data_recv;   /* 6.10 */
	uint32_t mptcpi_last_ack_recv;    /* 6.10 */
};

struct mptcp_subflow_data {
	uint32_t size_subflow_data;
	uint32_t num_subflows;
	uint32_t size_kernel;
	uint32_t size_user;
} __attribute__((aligned(8)));

struct mptcp_subflow_addrs {
	union {
		sa_family_t sa_family;
		struct sockaddr sa_local;
		struct sockaddr_in sin_local;
		struct sockaddr_in6 sin6_local;
		struct sockaddr_storage ss_local;
	};
	union {
		struct sockaddr sa_remote;
		struct sockaddr_in sin_remote;
		struct sockaddr_in6 sin6_remote;
		struct sockaddr_storage ss_remote;
	};
};

/* 6.5 */
struct mptcp_subflow_info {
	uint32_t id;
	struct mptcp_subflow_addrs addrs;
};

/* 6.5 */
struct mptcp_full_info {
	uint32_t size_tcpinfo_kernel;
	uint32_t size_tcpinfo_user;
	uint32_t size_sfinfo_kernel;
	uint32_t size_sfinfo_user;
	uint32_t num_subflows;
	uint32_t size_arrays_user;
	uint64_t subflow_info __attribute__((aligned(8)));
	uint64_t tcp_info __attribute__((aligned(8)));
	struct mptcp_info mptcp_info;
};

#endif
