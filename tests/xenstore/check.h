/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XS_TEST_CHECK_H
#define XS_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/* Stop the test at the first failed expectation, saying where. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		exit(1);						\
	}								\
} while (0)

#endif
