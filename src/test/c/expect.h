/* What the C tests share: an expectation that counts a failure and goes on, so one run lists every failure. */
#ifndef MPTCP4J_EXPECT_H
#define MPTCP4J_EXPECT_H

#include <stdio.h>

/* One test program is one translation unit: its own counts. */
static int passed, failed;

#define EXPECT(cond)                                                                       \
	do {                                                                               \
		if (cond) {                                                                \
			passed++;                                                          \
		} else {                                                                   \
			failed++;                                                          \
			fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);  \
		}                                                                          \
	} while (0)

#endif
