/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_IDPOOL_H
#define NETFRONT_IDPOOL_H

#include <stdint.h>

/*
 * A free list of request ids as an array stack. Each ring owns its own
 * and only its polling lcore touches it, so it needs no atomics. An id
 * goes back only when the response carrying it has been consumed, which
 * is what keeps in-flight ids unique.
 */

#define NETFRONT_IDPOOL_MAX 256

struct netfront_idpool {
	uint16_t top;			/* number of free entries */
	uint16_t free[NETFRONT_IDPOOL_MAX];
};

static inline void
netfront_idpool_init(struct netfront_idpool *p, uint16_t n)
{
	uint16_t i;

	/* Pushed in reverse so that id 0 is handed out first. */
	for (i = 0; i < n; i++)
		p->free[i] = n - 1 - i;
	p->top = n;
}

static inline uint16_t
netfront_idpool_avail(const struct netfront_idpool *p)
{
	return p->top;
}

/* The caller checks availability first. */
static inline uint16_t
netfront_idpool_get(struct netfront_idpool *p)
{
	return p->free[--p->top];
}

static inline void
netfront_idpool_put(struct netfront_idpool *p, uint16_t id)
{
	p->free[p->top++] = id;
}

#endif
