/*
 * Load for the scale benchmark: many concurrent MPTCP connections, held open.
 *   scale server ADDR PORT
 *     accepts every MPTCP connection, echoes what it reads, closes on the peer's close;
 *     prints "ready" once listening.
 *   scale client ADDR PORT SOURCES RATE
 *     connects to ADDR:PORT from the comma-separated SOURCES addresses in turn, at most RATE
 *     new connections a second; each counts once one byte went there and back (so that it is
 *     fully established: the path managers open its subflows then). One that fell back to TCP
 *     (the kernel's MPTCP token table full, or its MP_CAPABLE SYN dropped too often) or failed
 *     is counted and another opened in its place; after 1000 in a row it stops. Reads one
 *     command a line on stdin and answers one line on stdout:
 *       open N    open connections until N are held        -> "held N failed F fallbacks B seconds S"
 *       drop M    close the M opened last, at RATE a second   -> "held N"
 *       close     close every held connection, the same way -> "held 0"
 * One thread, non-blocking sockets and epoll; the descriptor limit (ulimit -n) must allow
 * every connection.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef TCP_IS_MPTCP
#define TCP_IS_MPTCP 43
#endif

/* Handshakes in flight at most: enough to keep RATE, few enough not to flood the listener. */
#define WINDOW 256
#define MAX_SOURCES 64
#define EVENTS 256

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	fprintf(stderr, "scale: %s: %s\n", what, strerror(errno));
	return 1;
}

static int add(int ep, int fd, uint32_t events)
{
	struct epoll_event e = {.events = events, .data.fd = fd};
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int serve(const char *addr, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1)
		return 2;
	int one = 1;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_MPTCP);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 65535) != 0)
		return die("listen");
	int ep = epoll_create1(0);
	if (ep < 0 || add(ep, l, EPOLLIN) != 0)
		return die("epoll");
	printf("ready\n");
	fflush(stdout);
	struct epoll_event ev[EVENTS];
	char buf[4096];
	for (;;) {
		int n = epoll_wait(ep, ev, EVENTS, -1);
		if (n < 0 && errno != EINTR)
			return die("epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			if (fd == l) {
				int c;
				while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0)
					if (add(ep, c, EPOLLIN) != 0)
						return die("epoll_ctl");
				if (errno != EAGAIN && errno != ECONNABORTED)
					return die("accept");
				continue;
			}
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r > 0) {
				if (write(fd, buf, (size_t)r) != r)
					close(fd); /* a peer that does not read is not held */
			} else if (r == 0 || errno != EAGAIN) {
				close(fd);
			}
		}
	}
}

struct client {
	struct sockaddr_in target;
	struct sockaddr_in sources[MAX_SOURCES];
	int n_sources;
	int next_source;
	double rate;
	int ep;
	int *held;
	int n_held;
	int capacity;
	int in_flight;
	long failed;
	long fallbacks;
};

/* Starts one connection; 0 when it is on its way, -1 when it failed at once (counted). */
static int start_one(struct client *c)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_MPTCP);
	if (fd < 0) {
		c->failed++;
		return -1;
	}
	struct sockaddr_in *src = &c->sources[c->next_source];
	c->next_source = (c->next_source + 1) % c->n_sources;
	int one = 1;
	/* The port is picked at connect(), by the whole 4-tuple, when the kernel supports it here. */
	(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)src, sizeof(*src)) != 0 ||
	    (connect(fd, (struct sockaddr *)&c->target, sizeof(c->target)) != 0 && errno != EINPROGRESS) ||
	    add(c->ep, fd, EPOLLOUT) != 0) {
		close(fd);
		c->failed++;
		return -1;
	}
	c->in_flight++;
	return 0;
}

/* Counts a connection that failed, as fallback to TCP or error; whether 1000 failed in a row. */
static int failed(struct client *c, int fallback, long *in_a_row)
{
	if (fallback)
		c->fallbacks++;
	else
		c->failed++;
	return ++*in_a_row >= 1000;
}

/*
 * Opens and holds up to `count` connections at the client's rate. After 1000 failures in a row
 * (the kernel's MPTCP token table full: every new connection falls back to TCP) it stops
 * starting new ones, says why on stderr, and keeps those already on their way that succeed.
 */
static int run(struct client *c, long count)
{
	long started = 0, done = 0, in_a_row = 0;
	int giving_up = 0;
	double start = now_s();
	struct epoll_event ev[EVENTS];
	while (giving_up ? c->in_flight > 0 : done < count) {
		/* As many new ones as the rate allows by now, within the window. */
		long due = (long)((now_s() - start) * c->rate) + 1;
		while (!giving_up && started < count && started < due && c->in_flight < WINDOW) {
			if (start_one(c) == 0)
				started++;
			else
				giving_up = failed(c, 0, &in_a_row);
		}
		int n = epoll_wait(c->ep, ev, EVENTS, 1);
		if (n < 0 && errno != EINTR)
			return die("epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			char byte = 'x';
			int fallback = 0;
			if (ev[i].events & EPOLLOUT) {
				/* Connected (or failed): send the byte, then wait for it back. */
				struct epoll_event in = {.events = EPOLLIN, .data.fd = fd};
				int err = 0, mptcp = 1;
				socklen_t len = sizeof(err), mptcp_len = sizeof(mptcp);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 &&
				    getsockopt(fd, IPPROTO_TCP, TCP_IS_MPTCP, &mptcp, &mptcp_len) == 0 && mptcp == 1 &&
				    write(fd, &byte, 1) == 1 && epoll_ctl(c->ep, EPOLL_CTL_MOD, fd, &in) == 0)
					continue;
				fallback = err == 0 && mptcp == 0;
			} else if (read(fd, &byte, 1) == 1) {
				epoll_ctl(c->ep, EPOLL_CTL_DEL, fd, NULL);
				c->in_flight--;
				done++;
				in_a_row = 0;
				c->held[c->n_held++] = fd;
				continue;
			}
			/* Failed: closed, and another started in its place. */
			close(fd);
			c->in_flight--;
			started--;
			giving_up |= failed(c, fallback, &in_a_row);
		}
	}
	if (giving_up)
		fprintf(stderr, "scale: 1000 connections failed in a row (%ld fell back to TCP, %ld failed otherwise"
				" so far): stopped at %d held\n", c->fallbacks, c->failed, c->n_held);
	return 0;
}

static int client(char **argv)
{
	static struct client c;
	c.target.sin_family = AF_INET;
	c.target.sin_port = htons((uint16_t)atoi(argv[1]));
	if (inet_pton(AF_INET, argv[0], &c.target.sin_addr) != 1)
		return 2;
	for (char *save = NULL, *s = strtok_r(argv[2], ",", &save); s != NULL && c.n_sources < MAX_SOURCES;
	     s = strtok_r(NULL, ",", &save)) {
		struct sockaddr_in *src = &c.sources[c.n_sources++];
		src->sin_family = AF_INET;
		if (inet_pton(AF_INET, s, &src->sin_addr) != 1)
			return 2;
	}
	c.rate = atof(argv[3]);
	if (c.n_sources == 0 || c.rate <= 0)
		return 2;
	if ((c.ep = epoll_create1(0)) < 0)
		return die("epoll");
	char line[128];
	while (fgets(line, sizeof(line), stdin) != NULL) {
		long n = 0;
		double start = now_s();
		long failed_before = c.failed, fallbacks_before = c.fallbacks;
		if (sscanf(line, "open %ld", &n) == 1) {
			if (n > c.capacity) {
				int *held = realloc(c.held, (size_t)n * sizeof(*held));
				if (held == NULL)
					return die("realloc");
				c.held = held;
				c.capacity = (int)n;
			}
			if (n > c.n_held && run(&c, n - c.n_held) != 0)
				return 1;
			printf("held %d failed %ld fallbacks %ld seconds %.3f\n", c.n_held, c.failed - failed_before,
			       c.fallbacks - fallbacks_before, now_s() - start);
		} else if (sscanf(line, "drop %ld", &n) == 1 || strncmp(line, "close", 5) == 0) {
			if (line[0] == 'c' || n > c.n_held)
				n = c.n_held;
			/* Paced as opening is: the path managers hear of each close, a burst would overflow them. */
			for (long i = 0; i < n; i++) {
				double wait = start + (double)(i + 1) / c.rate - now_s();
				if (wait > 0) {
					struct timespec ts = {.tv_sec = (time_t)wait, .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9)};
					nanosleep(&ts, NULL);
				}
				close(c.held[--c.n_held]);
			}
			printf("held %d\n", c.n_held);
		} else {
			fprintf(stderr, "scale: unknown command: %s", line);
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "server") == 0)
		return serve(argv[2], atoi(argv[3]));
	if (argc == 6 && strcmp(argv[1], "client") == 0)
		return client(argv + 2);
	fprintf(stderr, "usage: scale server ADDR PORT | scale client ADDR PORT SOURCES RATE\n");
	return 2;
}
