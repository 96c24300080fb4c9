/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verify frames: Ethernet header (type VERIFY_ETHER_TYPE), struct
 * verify_hdr, a fixed payload pattern, and an 8-byte trailer repeating the
 * sequence number (catches a tail taken from another frame).
 *
 * csum = CRC32C over the payload (pattern, between header and trailer),
 * continued over flow, seq and len. The pattern is the same for every frame,
 * so the sender takes the payload part from a prefix table and only hashes
 * the 16 header bytes; the receiver hashes the whole payload it got.
 */
#ifndef NFT_VERIFY_H
#define NFT_VERIFY_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#define VERIFY_ETHER_TYPE	0x88B5	/* IEEE 802 local experimental */
#define VERIFY_MAGIC		0x5654464eu	/* "NFTV" */
#define VERIFY_HDR_OFF		RTE_ETHER_HDR_LEN
#define VERIFY_TRAILER_LEN	8
#define VERIFY_MIN_LEN	(VERIFY_HDR_OFF + sizeof(struct verify_hdr) + \
			 VERIFY_TRAILER_LEN)
/* Sequence numbers a flow remembers for duplicate detection. */
#define VERIFY_WINDOW		4096

struct verify_hdr {
	uint32_t magic;
	uint32_t flow;		/* tx port << 16 | tx queue */
	uint64_t seq;
	uint32_t len;		/* whole frame, Ethernet header included */
	uint32_t csum;
} __rte_packed;

/* A frame of max_len bytes with the header magic and the payload pattern
 * in place; the sender copies a prefix and patches the variable fields.
 */
struct verify_tpl {
	uint8_t *frame;
	uint32_t *pcrc;		/* pcrc[n] = CRC32C of n pattern bytes */
	uint32_t max_len;
};

enum verify_result {
	VERIFY_GOOD,
	VERIFY_LATE,		/* good, but behind a newer one of its flow */
	VERIFY_DUP,
	VERIFY_CORRUPT,
	VERIFY_STALE,		/* too old to tell late from duplicate */
	VERIFY_OTHER,		/* not a verify frame */
};

struct verify_counters {
	uint64_t good;		/* includes late ones */
	uint64_t corrupt;
	uint64_t dup;
	uint64_t ooo;		/* late + stale */
	uint64_t other;
};

struct verify_flow {
	uint64_t next;		/* highest seq seen + 1 */
	uint64_t good;
	uint64_t seen[VERIFY_WINDOW / 64];	/* bit seq % WINDOW */
};

/* Receive-side state of one rx queue: one entry per possible flow. */
struct verify_rx {
	uint16_t nb_ports;
	uint16_t nb_queues;
	struct verify_flow *flows;
	struct verify_counters cnt;
};

static inline uint32_t
verify_flow_id(uint16_t port, uint16_t queue)
{
	return (uint32_t)port << 16 | queue;
}

static inline uint64_t
verify_trailer(uint64_t seq)
{
	return rte_cpu_to_le_64(seq);
}

int verify_tpl_init(struct verify_tpl *t, uint32_t max_len);
void verify_tpl_free(struct verify_tpl *t);

/* Fill the header of a frame of len bytes whose payload is the template's;
 * its trailer must hold verify_trailer(seq).
 */
void verify_hdr_fill(const struct verify_tpl *t, struct verify_hdr *h,
		     uint32_t flow, uint64_t seq, uint32_t len);

/* Flows of ports [0, nb_ports) and queues [0, nb_queues). */
int verify_rx_init(struct verify_rx *rx, uint16_t nb_ports,
		   uint16_t nb_queues);
void verify_rx_free(struct verify_rx *rx);

/* Check one received frame (any segmentation) and count it. */
enum verify_result verify_check(struct verify_rx *rx,
				const struct rte_mbuf *m);

/* Good frames of a flow seen by this rx queue. */
uint64_t verify_flow_good(const struct verify_rx *rx, uint16_t port,
			  uint16_t queue);

#endif
