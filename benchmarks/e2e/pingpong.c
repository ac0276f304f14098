/*
 * The latency harness's workload, the same for every path manager measured:
 *   pingpong server PORT               MPTCP echo server: one byte back per byte, until EOF
 *   pingpong client ADDR PORT COUNT HOLD_MS GAP_MS [JOIN_WAIT_MS]
 *       COUNT connections one after another: connect, one byte there and back (the peer's
 *       DATA_ACK makes the connection ESTABLISHED), hold it HOLD_MS for the join, close, wait GAP_MS.
 *       With JOIN_WAIT_MS, a connection whose path manager has not yet added a subflow is held
 *       up to JOIN_WAIT_MS more, so that a late path manager shows as a long delay rather than as
 *       a join refused for a closed connection.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/mptcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/*
 * Whether a path manager has added a subflow: the connection lists it once its MP_JOIN SYN is sent.
 * (MPTCP_INFO's mptcpi_subflows is no sign: the kernel counts a subflow before it connects it.)
 */
static int joined(int fd)
{
	struct mptcp_subflow_data data = {.size_subflow_data = sizeof(data),
					  .size_user = sizeof(struct mptcp_subflow_addrs)};
	socklen_t len = sizeof(data);
	return getsockopt(fd, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, &data, &len) == 0 && data.num_subflows > 1;
}

static void *echo(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char c;
	while (read(fd, &c, 1) == 1 && write(fd, &c, 1) == 1) {
	}
	close(fd);
	return NULL;
}

static int server(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP), one = 1;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 128) < 0) {
		perror("pingpong server");
		return 1;
	}
	for (;;) {
		int c = accept(fd, NULL, NULL);
		pthread_t t;
		if (c >= 0 && pthread_create(&t, NULL, echo, (void *)(intptr_t)c) == 0)
			pthread_detach(t);
	}
}

static int client(const char *addr, int port, int count, int hold_ms, int gap_ms, int join_wait_ms)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return 2;
	for (int i = 0; i < count; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
		char c = 'x';
		if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || write(fd, &c, 1) != 1 ||
		    read(fd, &c, 1) != 1) {
			perror("pingpong client");
			return 1;
		}
		sleep_ms(hold_ms);
		for (int waited = 0; waited < join_wait_ms && !joined(fd); waited++)
			sleep_ms(1);
		close(fd);
		sleep_ms(gap_ms);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "server") == 0)
		return server(atoi(argv[2]));
	if ((argc == 7 || argc == 8) && strcmp(argv[1], "client") == 0)
		return client(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), argc == 8 ? atoi(argv[7]) : 0);
	fprintf(stderr, "usage: pingpong server PORT | pingpong client ADDR PORT COUNT HOLD_MS GAP_MS [JOIN_WAIT_MS]\n");
	return 2;
}
