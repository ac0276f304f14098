/*
 * Natives of org.mptcp4j.netlink.LocalAddressDump: the addresses of a network namespace from
 * an rtnetlink RTM_GETADDR dump, made inside that namespace, decoded by rtnl_decoder.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "jni_support.h"
#include "netlink_socket.h"
#include "rtnl_decoder.h"

/* A Java array holds at most INT32_MAX bytes. */
#define MAX_LIMIT ((jint)(INT32_MAX / sizeof(struct mptcp4j_local_address)) - 1)
/* A dump the namespace's changes interrupted is made again, this many times at most. */
#define DUMP_ATTEMPTS 3

/*
 * The addresses, up to one past the limit the caller set: the array doubles as they come, 28
 * bytes each, so memory follows the addresses read, never what a namespace's root configured.
 */
struct dump {
	struct mptcp4j_local_address *out;
	size_t capacity;
	size_t count;
	size_t limit; /* addresses read at most: the caller's bound, plus one that says there were more */
	int error;    /* ENOMEM: the dump stopped there */
};

static bool make_room(struct dump *d)
{
	if (d->count < d->capacity)
		return true;
	size_t capacity = d->capacity == 0 ? 64 : d->capacity * 2;
	if (capacity > d->limit)
		capacity = d->limit;
	struct mptcp4j_local_address *out = realloc(d->out, capacity * sizeof(*out));
	if (out == NULL) {
		d->error = ENOMEM;
		return false;
	}
	d->out = out;
	d->capacity = capacity;
	return true;
}

/* Only the kernel's answers come this far (netlink_socket.h). */
static int on_address(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	if (nlh->nlmsg_type != RTM_NEWADDR)
		return NL_OK;
	if (!make_room(d))
		return NL_STOP;
	if (m4j_rtnl_address_decode(nlh, &d->out[d->count]))
		d->count++;
	/* The rest of the dump is left unread: it goes with the socket. */
	return d->count < d->limit ? NL_OK : NL_STOP;
}

/* The dump into d; 0 or a libnl error. */
static int dump_into(struct nl_sock *sk, struct dump *d)
{
	struct ifaddrmsg request = {.ifa_family = AF_UNSPEC};
	int nlerr = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_address, d);
	for (int attempt = 0; nlerr >= 0 && attempt < DUMP_ATTEMPTS; attempt++) {
		d->count = 0;
		nlerr = nl_send_simple(sk, RTM_GETADDR, NLM_F_DUMP, &request, sizeof(request));
		if (nlerr >= 0)
			nlerr = nl_recvmsgs_default(sk);
		/*
		 * libnl read an interrupted dump to its end, which leaves the socket ready for another;
		 * one stopped at the limit was not read to its end, and is not made again.
		 */
		if (nlerr != -NLE_DUMP_INTR || d->count == d->limit)
			break;
	}
	return d->count == d->limit ? 0 : nlerr;
}

static jbyteArray dump_addresses(JNIEnv *env, jclass cls, jint netns_fd, jint max)
{
	(void)cls;
	if (max < 1 || max > MAX_LIMIT) {
		m4j_throw_illegal_argument(env, "address limit out of range");
		return NULL;
	}
	struct nl_sock *sk = netlink_socket_open(env, netns_fd, NETLINK_ROUTE, "rtnetlink");
	if (sk == NULL)
		return NULL;
	struct dump d = {.limit = (size_t)max + 1};
	int nlerr = dump_into(sk, &d);
	nl_socket_free(sk);
	jbyteArray addresses = NULL;
	if (d.error != 0)
		m4j_throw_mptcp(env, "dump local addresses (RTM_GETADDR)", d.error, NULL);
	else if (nlerr < 0)
		m4j_throw_mptcp(env, "dump local addresses (RTM_GETADDR)", 0, nl_geterror(nlerr));
	else if ((addresses = (*env)->NewByteArray(env, (jsize)(d.count * sizeof(*d.out)))) != NULL)
		(*env)->SetByteArrayRegion(env, addresses, 0, (jsize)(d.count * sizeof(*d.out)), (const jbyte *)d.out);
	free(d.out);
	return addresses;
}

int m4j_register_local_address_dump(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"dumpRecords", "(II)[B", (void *)dump_addresses},
	};
	return m4j_register(env, "org/mptcp4j/netlink/LocalAddressDump", methods,
			    M4J_ARRAY_LEN(methods));
}
