/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_FUZZ_H
#define NETFRONT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * An invariant the sanitizers cannot see: say which and abort, so that
 * libFuzzer saves the input as a crash.
 */
#define FZ_CHECK(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant %s broken: " fmt "\n",	\
			__FILE__, __LINE__, #cond, ##__VA_ARGS__);	\
		abort();						\
	}								\
} while (0)

/*
 * For the harnesses' loops over packet bytes: a coverage trace per byte
 * compared would cost more than the rest of a run and tells nothing.
 */
#define FZ_NO_COVERAGE	__attribute__((no_sanitize("coverage")))

/* The input, consumed from the front; reads past its end give zeros. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t
fz_u8(struct fz_in *in)
{
	uint8_t v = 0;

	if (in->n > 0) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline uint16_t
fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return lo | (uint16_t)fz_u8(in) << 8;
}

static inline uint32_t
fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

/*
 * The driver's logs cost more than a run of it and tell nothing a crash
 * report does not: quiet unless NETFRONT_FUZZ_LOG is set.
 */
void fz_quiet_logs(void);
/* EAL without hugepages, PCI or shared files; aborts on failure. */
void fz_eal_init(const char *prog);

#endif
