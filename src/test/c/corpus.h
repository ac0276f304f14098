/* The fuzzers' seed corpus (fuzz/corpus/NAME/) loaded into memory, for the C tests. */
#ifndef MPTCP4J_TEST_CORPUS_H
#define MPTCP4J_TEST_CORPUS_H

#include <stddef.h>
#include <stdint.h>

struct corpus_file {
	char name[256];
	uint8_t *data;
	size_t len;
};

struct corpus {
	struct corpus_file *files; /* sorted by name */
	size_t count;
};

/* Loads every file of `dir`; returns 0, or an errno with what failed printed. */
int corpus_load(const char *dir, struct corpus *c);

void corpus_free(struct corpus *c);

/* The first capture named `name` (files are NAME-HASH, the hash 16 hex digits), or NULL. */
const struct corpus_file *corpus_find(const struct corpus *c, const char *name);

#endif
