/*
 * Load for the churn benchmarks: short MPTCP connections at a set rate.
 *   churn ADDR PORT RATE SECONDS THREADS [hold]
 * Each connection: connect, one byte there and back (so it becomes ESTABLISHED), close.
 * Stops after SECONDS, or sooner once RATE * SECONDS connections are made; prints the
 * connections made and failed and the seconds it really took. With `hold` the connections stay
 * open: after printing, it waits to be killed, and they close with it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static struct sockaddr_in target;
static double interval_ns;
static double seconds;
static atomic_long made, failed;
static int hold;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *worker(void *arg)
{
	(void)arg;
	double start = now_ns(), next = start;
	while (next - start < seconds * 1e9 && now_ns() - start < seconds * 1e9) {
		int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
		char c = 'x';
		if (fd >= 0 && connect(fd, (struct sockaddr *)&target, sizeof(target)) == 0 && write(fd, &c, 1) == 1 &&
		    read(fd, &c, 1) == 1)
			atomic_fetch_add(&made, 1);
		else
			atomic_fetch_add(&failed, 1);
		if (fd >= 0 && !hold)
			close(fd);
		next += interval_ns;
		double wait = next - now_ns();
		if (wait > 0) {
			struct timespec ts = {.tv_sec = (time_t)(wait / 1e9), .tv_nsec = (long)((long long)wait % 1000000000LL)};
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 6 && !(argc == 7 && strcmp(argv[6], "hold") == 0)) {
		fprintf(stderr, "usage: churn ADDR PORT RATE SECONDS THREADS [hold]\n");
		return 2;
	}
	hold = argc == 7;
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1)
		return 2;
	double rate = atof(argv[3]);
	seconds = atof(argv[4]);
	int threads = atoi(argv[5]);
	interval_ns = 1e9 * threads / rate;
	pthread_t t[256];
	double start = now_ns();
	for (int i = 0; i < threads && i < 256; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < threads && i < 256; i++)
		pthread_join(t[i], NULL);
	printf("{\"made\":%ld,\"failed\":%ld,\"seconds\":%.3f}\n", atomic_load(&made), atomic_load(&failed),
	       (now_ns() - start) / 1e9);
	if (fflush(stdout) != 0)
		return 1;
	while (hold)
		pause();
	return 0;
}
