/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <sys/mman.h>

#include "frame_ring.h"

struct frame_ring *
frame_ring_create(size_t size)
{
	struct frame_ring *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	/* Anonymous memory: pages cost nothing until a burst touches them. */
	r->buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->buf == MAP_FAILED) {
		free(r);
		return NULL;
	}
	r->size = size;
	return r;
}

void
frame_ring_destroy(struct frame_ring *r)
{
	if (r == NULL)
		return;
	munmap(r->buf, r->size);
	free(r);
}
