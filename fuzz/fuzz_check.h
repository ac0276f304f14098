/* What the fuzzers and the C tests share: a check that aborts, so libFuzzer keeps the input. */
#ifndef MPTCP4J_FUZZ_CHECK_H
#define MPTCP4J_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

#endif
