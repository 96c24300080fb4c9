/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_FRAME_RING_H
#define XENSIM_FRAME_RING_H

#include <stddef.h>
#include <stdint.h>

/*
 * A bounded FIFO of variable-size frames in one contiguous byte buffer,
 * lock-free for one producer thread and one consumer thread. A frame is
 * reserved (contiguous space to copy into), then committed with its real
 * length; nothing is allocated per frame. When the space left before the
 * end of the buffer is too short, a wrap marker sends the consumer back
 * to the start.
 */

/* How a frame is to reach the frontend. */
struct frame_info {
	uint32_t flags;		/* NETRXF_ flags to deliver it with */
	/* A TCP GSO frame (gso_parse() takes it): its MSS and its
	 * XEN_NETIF_GSO_TYPE_; gso_size 0: an ordinary frame. */
	uint16_t gso_size;
	uint16_t gso_type;
};

/* Aligned so that the data after it is, for the copies in and out. */
struct __attribute__((aligned(8))) frame_hdr {
	uint32_t len;		/* FRAME_WRAP: skip to the buffer's start */
	struct frame_info info;
};

#define FRAME_WRAP	UINT32_MAX

struct frame_ring {
	uint64_t head;		/* producer's position */
	uint8_t pad0[56];	/* keep the two indexes on their own lines */
	uint64_t tail;		/* consumer's position */
	uint8_t pad1[56];
	uint64_t resv;		/* producer only: where the reservation is */
	uint64_t size;		/* a power of two */
	uint8_t *buf;
};

/* size: a power of two, larger than the largest frame. NULL if no memory. */
struct frame_ring *frame_ring_create(size_t size);
void frame_ring_destroy(struct frame_ring *r);

static inline uint64_t
frame_space(uint32_t len)
{
	return (sizeof(struct frame_hdr) + len + 7) & ~(uint64_t)7;
}

/* Producer: room for len bytes, or NULL when the ring is full. */
static inline void *
frame_reserve(struct frame_ring *r, uint32_t len)
{
	uint64_t need = frame_space(len);
	uint64_t head = r->head;
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	uint64_t pos = head & (r->size - 1);
	uint64_t room = r->size - pos;

	if (room < need) {
		if (head + room + need - tail > r->size)
			return NULL;
		((struct frame_hdr *)(r->buf + pos))->len = FRAME_WRAP;
		head += room;
		pos = 0;
	} else if (head + need - tail > r->size) {
		return NULL;
	}
	r->resv = head;
	return r->buf + pos + sizeof(struct frame_hdr);
}

/* Producer: publish the reserved frame, len no more than reserved. */
static inline void
frame_commit(struct frame_ring *r, uint32_t len, const struct frame_info *info)
{
	struct frame_hdr *h = (struct frame_hdr *)
		(r->buf + (r->resv & (r->size - 1)));

	h->len = len;
	h->info = *info;
	__atomic_store_n(&r->head, r->resv + frame_space(len),
			 __ATOMIC_RELEASE);
}

/* Consumer: the oldest frame (data follows the header), or NULL. */
static inline struct frame_hdr *
frame_peek(struct frame_ring *r)
{
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	while (r->tail != head) {
		uint64_t pos = r->tail & (r->size - 1);
		struct frame_hdr *h = (struct frame_hdr *)(r->buf + pos);

		if (h->len != FRAME_WRAP)
			return h;
		__atomic_store_n(&r->tail, r->tail + r->size - pos,
				 __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Consumer: release the frame frame_peek() returned. */
static inline void
frame_pop(struct frame_ring *r, const struct frame_hdr *h)
{
	__atomic_store_n(&r->tail, r->tail + frame_space(h->len),
			 __ATOMIC_RELEASE);
}

/* Consumer: drop everything queued so far. */
static inline void
frame_flush(struct frame_ring *r)
{
	__atomic_store_n(&r->tail, __atomic_load_n(&r->head, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
}

#endif
