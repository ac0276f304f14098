/*
 * Creating sockets inside another network namespace: the calling thread enters it, creates
 * the socket, and comes back. A socket keeps the namespace it was created in, so no thread
 * stays in a foreign namespace.
 */
#ifndef MPTCP4J_NETWORK_NAMESPACE_H
#define MPTCP4J_NETWORK_NAMESPACE_H

/*
 * Moves the calling thread into the namespace open at target_fd (nothing when target_fd < 0).
 * On success *saved_fd holds the namespace to return to (or -1) and 0 is returned; else -errno.
 */
int network_namespace_enter(int target_fd, int *saved_fd);

/* Returns the calling thread to saved_fd and closes it; 0, or the process aborts (see .c). */
void network_namespace_leave(int saved_fd);

#endif
