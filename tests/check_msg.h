/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_TEST_CHECK_MSG_H
#define NETFRONT_TEST_CHECK_MSG_H

#include <stdio.h>

/* Count a failed expectation with a printf-style message and go on; the
 * program defines failures and exits with it at its end. */
extern int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failures++;						\
	}								\
} while (0)

#endif
