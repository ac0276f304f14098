/* What the fuzzers and the C tests share: a check that aborts, so libFuzzer keeps the input. */
#ifndef MPTCP4J_FUZZ_CHECK_H
#define MPTCP4J_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

/*
 * An exact-size heap copy of a fuzzer's input: ASan sees a read one byte past it. The code
 * under test may write nothing into it, which free_input() checks.
 */
static inline uint8_t *copy_input(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size > 0 ? size : 1);
	CHECK(buf != NULL);
	if (size > 0)
		memcpy(buf, data, size);
	return buf;
}

static inline void free_input(uint8_t *buf, const uint8_t *data, size_t size)
{
	CHECK(size == 0 || memcmp(buf, data, size) == 0);
	free(buf);
}

#endif
