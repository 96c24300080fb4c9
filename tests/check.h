/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_TEST_CHECK_H
#define NETFRONT_TEST_CHECK_H

#include <stdio.h>

/* Count a failed expectation, say where, and go on: the test exits with
 * the count at its end. */
static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
		failures++;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ != b_) {							\
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == "	\
			"%lld\n", __FILE__, __LINE__, #a, a_, #b, b_);	\
		failures++;						\
	}								\
} while (0)

#endif
