/* The enter/leave pair of the native code that makes sockets in another namespace. */
#define _GNU_SOURCE
#include "network_namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>

int network_namespace_enter(int target_fd, int *saved_fd)
{
	*saved_fd = -1;
	if (target_fd < 0)
		return 0;
	int current = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (current < 0)
		return -errno;
	if (setns(target_fd, CLONE_NEWNET) != 0) {
		int err = errno;
		(void)close(current);
		return -err;
	}
	*saved_fd = current;
	return 0;
}

void network_namespace_leave(int saved_fd)
{
	if (saved_fd < 0)
		return;
	/*
	 * A thread that cannot return would go on creating every later socket in the wrong
	 * namespace, silently; nothing can repair that, so stop loudly.
	 */
	if (setns(saved_fd, CLONE_NEWNET) != 0) {
		fprintf(stderr, "mptcp4j: cannot return a thread to its network namespace: %s; aborting\n",
			strerror(errno));
		abort();
	}
	(void)close(saved_fd);
}
