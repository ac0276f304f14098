/* Netlink sockets that hear the kernel alone (netlink_socket.h). */
#define _GNU_SOURCE
#include "netlink_socket.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "jni_support.h"
#include "network_namespace.h"

/* Every message of a datagram another port sent, multicast to a group the socket joined, is skipped. */
static int from_kernel_only(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return nlmsg_get_src(msg)->nl_pid == 0 ? NL_OK : NL_SKIP;
}

/* Frees sk (NULL: none) and throws "VERB WHAT socketTAIL". NULL. */
static struct nl_sock *fail(JNIEnv *env, struct nl_sock *sk, const char *verb, const char *what, const char *tail,
			    int err, const char *detail)
{
	char operation[96];
	snprintf(operation, sizeof(operation), "%s %s socket%s", verb, what, tail);
	nl_socket_free(sk);
	m4j_throw_mptcp(env, operation, err, detail);
	return NULL;
}

struct nl_sock *netlink_socket_open(JNIEnv *env, int netns_fd, int protocol, const char *what)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk == NULL)
		return fail(env, NULL, "allocate", what, "", ENOMEM, NULL);
	int saved;
	int rc = network_namespace_enter(netns_fd, &saved);
	if (rc < 0) {
		nl_socket_free(sk);
		m4j_throw_mptcp(env, "enter network namespace", -rc, NULL);
		return NULL;
	}
	int nlerr = nl_connect(sk, protocol);
	int connect_errno = errno;
	network_namespace_leave(saved);
	if (nlerr < 0)
		return fail(env, sk, "connect", what, "", connect_errno, nl_geterror(nlerr));
	/* libnl sends to port 0 already; being connected is what makes the kernel refuse the others. */
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	if (connect(nl_socket_get_fd(sk), (struct sockaddr *)&kernel, sizeof(kernel)) != 0)
		return fail(env, sk, "connect", what, " to the kernel", errno, NULL);
	nlerr = nl_socket_modify_cb(sk, NL_CB_MSG_IN, NL_CB_CUSTOM, from_kernel_only, NULL);
	if (nlerr < 0)
		return fail(env, sk, "filter", what, "", 0, nl_geterror(nlerr));
	return sk;
}
