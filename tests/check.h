/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_TEST_CHECK_H
#define NETFRONT_TEST_CHECK_H

/*
 * The tests' one assertion style:
 *   CHECK(cond, fmt, ...)    count a failure, say where and why, go on;
 *   REQUIRE(cond, fmt, ...)  the same, then exit(1): for what later steps
 *                            cannot do without (a handle, a setup step).
 * Without fmt the condition is the message. Each test program defines
 * `int failures;` once and exits non-zero when it is not 0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

extern int failures;

/* fmt is ": " followed by the caller's format, so that it is never empty. */
static inline void __attribute__((format(printf, 4, 5)))
check_report(const char *file, int line, const char *cond,
	     const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: ", file, line);
	if (fmt[2] == '\0') {
		fputs(cond, stderr);
	} else {
		va_start(ap, fmt);
		vfprintf(stderr, fmt + 2, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	failures++;
}

#define CHECK(cond, ...) do {						\
	if (!(cond))							\
		check_report(__FILE__, __LINE__, #cond, ": " __VA_ARGS__); \
} while (0)

#define REQUIRE(cond, ...) do {						\
	if (!(cond)) {							\
		check_report(__FILE__, __LINE__, #cond, ": " __VA_ARGS__); \
		exit(1);						\
	}								\
} while (0)

#endif
