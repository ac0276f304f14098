/*
 * The leak check: the native event decoder over at least 100 000 event datagrams, the captured
 * corpus (fuzz/corpus) replayed and then mutated (a few bytes changed at random, reproducibly).
 * Each input is an exact-size heap copy, so a read past it shows. Run under valgrind (which also
 * sees inside libnl, compiled without ASan) or LeakSanitizer by ctest: any leak or memory error
 * fails it.
 *
 *   leak_check CORPUS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/msg.h>

#include "corpus.h"
#include "event_decoder.h"
#include "mptcp4j/mptcp_uapi.h"

#define FAMILY_ID 0x1c
#define INPUTS 100000

static uint64_t state = UINT64_C(0x9e3779b97f4a7c15);

/* xorshift64: the same mutations on every run. */
static uint64_t next_random(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

/* Input i: the corpus file i % count, as captured in the first round, then with bytes changed. */
static uint8_t *input(const struct corpus *c, long i, size_t *len)
{
	const struct corpus_file *f = &c->files[(size_t)i % c->count];
	*len = f->len;
	uint8_t *buf = malloc(f->len + 1);
	if (buf == NULL) {
		perror("leak_check");
		exit(1);
	}
	memcpy(buf, f->data, f->len);
	if ((size_t)i >= c->count && f->len > 0)
		for (int m = (int)(next_random() % 4); m >= 0; m--)
			buf[next_random() % f->len] = (uint8_t)next_random();
	return buf;
}

static long check_events(const struct corpus *c)
{
	static struct mptcp4j_event_record records[64];
	uint64_t counters[MPTCP4J_COUNTER_COUNT] = {0};
	struct event_decoder d = {.family_id = FAMILY_ID, .type_mask = ~UINT64_C(0), .counters = counters};
	long decoded = 0;
	for (long i = 0; i < INPUTS; i++) {
		size_t len, consumed;
		uint8_t *buf = input(c, i, &len);
		decoded += event_decoder_decode(&d, buf, len, (uint64_t)i, records, 64, &consumed);
		free(buf);
	}
	return decoded;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: leak_check CORPUS_DIR\n");
		return 2;
	}
	char dir[4096];
	struct corpus events;
	if (snprintf(dir, sizeof(dir), "%s/event_decoder", argv[1]) >= (int)sizeof(dir) ||
	    corpus_load(dir, &events) != 0)
		return 1;
	if (events.count == 0) {
		fprintf(stderr, "leak_check: %s is empty\n", dir);
		corpus_free(&events);
		return 1;
	}
	long records = check_events(&events);
	corpus_free(&events);
	printf("leak_check: %d event datagrams (%ld records)\n", INPUTS, records);
	return 0;
}
