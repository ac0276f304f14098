/*
 * Natives of org.mptcp4j.netlink.LocalAddressDump: the addresses of a network namespace from
 * an rtnetlink RTM_GETADDR dump, made inside that namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "jni_support.h"
#include "mptcp4j/local_address.h"
#include "network_namespace.h"

struct dump {
	struct mptcp4j_local_address *out;
	int capacity;
	int count;
};

static const struct nla_policy address_policy[IFA_MAX + 1] = {
	[IFA_ADDRESS] = {.minlen = 4, .maxlen = 16},
	[IFA_LOCAL] = {.minlen = 4, .maxlen = 16},
	[IFA_FLAGS] = {.type = NLA_U32},
};

static int on_address(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	if (nlh->nlmsg_type != RTM_NEWADDR || d->count >= d->capacity)
		return NL_OK;
	if (!nlmsg_valid_hdr(nlh, sizeof(struct ifaddrmsg)))
		return NL_SKIP;
	struct ifaddrmsg *ifa = nlmsg_data(nlh);
	struct nlattr *tb[IFA_MAX + 1];
	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, address_policy) < 0)
		return NL_SKIP;
	/* IFA_LOCAL is this host's address on point-to-point links; IFA_ADDRESS elsewhere. */
	struct nlattr *addr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	int len = ifa->ifa_family == AF_INET ? 4 : ifa->ifa_family == AF_INET6 ? 16 : 0;
	if (addr == NULL || len == 0 || nla_len(addr) != len)
		return NL_SKIP;
	struct mptcp4j_local_address *r = &d->out[d->count++];
	memset(r, 0, sizeof(*r));
	r->family = ifa->ifa_family;
	r->prefix_len = ifa->ifa_prefixlen;
	r->scope = ifa->ifa_scope;
	r->flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	r->if_index = ifa->ifa_index;
	memcpy(r->addr, nla_data(addr), (size_t)len);
	return NL_OK;
}

static jint dump_addresses(JNIEnv *env, jclass cls, jint netns_fd, jobject buffer)
{
	(void)cls;
	size_t capacity;
	struct mptcp4j_local_address *out = m4j_direct_buffer(env, buffer, 0, &capacity);
	if (out == NULL)
		return -1;
	struct dump d = {.out = out, .capacity = (int)(capacity / sizeof(*out))};
	struct nl_sock *sk = nl_socket_alloc();
	if (sk == NULL) {
		m4j_throw_mptcp(env, "allocate rtnetlink socket", ENOMEM, NULL);
		return -1;
	}
	int saved;
	int rc = network_namespace_enter(netns_fd, &saved);
	if (rc < 0) {
		nl_socket_free(sk);
		m4j_throw_mptcp(env, "enter network namespace", -rc, NULL);
		return -1;
	}
	int nlerr = nl_connect(sk, NETLINK_ROUTE);
	int connect_errno = errno;
	network_namespace_leave(saved);
	if (nlerr < 0) {
		nl_socket_free(sk);
		m4j_throw_mptcp(env, "connect rtnetlink socket", connect_errno, nl_geterror(nlerr));
		return -1;
	}
	struct ifaddrmsg request = {.ifa_family = AF_UNSPEC};
	nlerr = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_address, &d);
	if (nlerr >= 0)
		nlerr = nl_send_simple(sk, RTM_GETADDR, NLM_F_DUMP, &request, sizeof(request));
	if (nlerr >= 0)
		nlerr = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (nlerr < 0) {
		m4j_throw_mptcp(env, "dump local addresses (RTM_GETADDR)", 0, nl_geterror(nlerr));
		return -1;
	}
	return d.count;
}

int m4j_register_local_address_dump(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"dump", "(ILjava/nio/ByteBuffer;)I", (void *)dump_addresses},
	};
	return m4j_register(env, "org/mptcp4j/netlink/LocalAddressDump", methods,
			    M4J_ARRAY_LEN(methods));
}
