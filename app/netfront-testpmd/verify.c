/* SPDX-License-Identifier: BSD-3-Clause */
/* Verify frame format and the receive-side checker. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>

#include "verify.h"

#define CRC_SEED	0xffffffffu
/* flow, seq and len are contiguous in the header and hashed as one. */
#define HDR_CRC_OFF	offsetof(struct verify_hdr, flow)
#define HDR_CRC_LEN	(offsetof(struct verify_hdr, csum) - HDR_CRC_OFF)

int
verify_tpl_init(struct verify_tpl *t, uint32_t max_len)
{
	struct rte_ether_hdr *eh;
	struct verify_hdr *h;
	uint32_t i, n, x = 0x9e3779b9;

	if (max_len < VERIFY_MIN_LEN)
		return -EINVAL;
	n = max_len - VERIFY_MIN_LEN;
	t->frame = calloc(1, max_len);
	t->pcrc = malloc((n + 1) * sizeof(*t->pcrc));
	if (t->frame == NULL || t->pcrc == NULL) {
		verify_tpl_free(t);
		return -ENOMEM;
	}
	t->max_len = max_len;
	eh = (struct rte_ether_hdr *)t->frame;
	eh->ether_type = rte_cpu_to_be_16(VERIFY_ETHER_TYPE);
	h = (struct verify_hdr *)(t->frame + VERIFY_HDR_OFF);
	h->magic = rte_cpu_to_le_32(VERIFY_MAGIC);
	/* xorshift bytes: no period a stuck or shifted copy could hide in */
	t->pcrc[0] = CRC_SEED;
	for (i = 0; i < n; i++) {
		uint8_t *p = t->frame + VERIFY_HDR_OFF + sizeof(*h) + i;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		*p = (uint8_t)x;
		t->pcrc[i + 1] = rte_hash_crc_1byte(*p, t->pcrc[i]);
	}
	return 0;
}

void
verify_tpl_free(struct verify_tpl *t)
{
	free(t->frame);
	free(t->pcrc);
	t->frame = NULL;
	t->pcrc = NULL;
}

/*
 * rte_hash_crc() of frame bytes at any alignment: DPDK's loads them as
 * uint64_t in place, which UBSan rightly calls undefined.
 */
static uint32_t
crc_bytes(const uint8_t *p, uint32_t n, uint32_t crc)
{
	uint64_t w;

	for (; n >= sizeof(w); n -= sizeof(w), p += sizeof(w)) {
		memcpy(&w, p, sizeof(w));
		crc = rte_hash_crc_8byte(w, crc);
	}
	for (; n > 0; n--)
		crc = rte_hash_crc_1byte(*p++, crc);
	return crc;
}

void
verify_hdr_fill(const struct verify_tpl *t, struct verify_hdr *h,
		uint32_t flow, uint64_t seq, uint32_t len)
{
	uint32_t crc;

	h->magic = rte_cpu_to_le_32(VERIFY_MAGIC);
	h->flow = rte_cpu_to_le_32(flow);
	h->seq = rte_cpu_to_le_64(seq);
	h->len = rte_cpu_to_le_32(len);
	crc = crc_bytes((const uint8_t *)h + HDR_CRC_OFF, HDR_CRC_LEN,
			t->pcrc[len - VERIFY_MIN_LEN]);
	h->csum = rte_cpu_to_le_32(crc);
}

int
verify_rx_init(struct verify_rx *rx, uint16_t nb_ports, uint16_t nb_queues)
{
	memset(rx, 0, sizeof(*rx));
	rx->flows = calloc((size_t)nb_ports * nb_queues, sizeof(*rx->flows));
	if (rx->flows == NULL)
		return -ENOMEM;
	rx->nb_ports = nb_ports;
	rx->nb_queues = nb_queues;
	return 0;
}

void
verify_rx_free(struct verify_rx *rx)
{
	free(rx->flows);
	rx->flows = NULL;
}

static uint32_t
chain_crc(const struct rte_mbuf *m, uint32_t off, uint32_t n, uint32_t crc)
{
	for (; m != NULL && n > 0; m = m->next) {
		uint32_t k;

		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		k = RTE_MIN((uint32_t)m->data_len - off, n);
		crc = crc_bytes(rte_pktmbuf_mtod_offset(m, const uint8_t *,
							off), k, crc);
		n -= k;
		off = 0;
	}
	return crc;
}

static enum verify_result
flow_account(struct verify_flow *f, uint64_t seq)
{
	uint64_t bit = UINT64_C(1) << (seq % 64);
	uint64_t *word = &f->seen[seq % VERIFY_WINDOW / 64];
	uint64_t s;

	if (seq >= f->next) {
		/* slots the window slides over belong to unseen seqs now */
		if (seq - f->next >= VERIFY_WINDOW)
			memset(f->seen, 0, sizeof(f->seen));
		else
			for (s = f->next; s < seq; s++)
				f->seen[s % VERIFY_WINDOW / 64] &=
					~(UINT64_C(1) << (s % 64));
		*word |= bit;
		f->next = seq + 1;
		f->good++;
		return VERIFY_GOOD;
	}
	if (f->next - seq > VERIFY_WINDOW)
		return VERIFY_STALE;
	if (*word & bit)
		return VERIFY_DUP;
	*word |= bit;
	f->good++;
	return VERIFY_LATE;
}

static enum verify_result
classify(struct verify_rx *rx, const struct rte_mbuf *m)
{
	const uint32_t len = rte_pktmbuf_pkt_len(m);
	const struct rte_ether_hdr *eh;
	const struct verify_hdr *h;
	struct rte_ether_hdr ebuf;
	struct verify_hdr hbuf;
	uint64_t tbuf, seq, trailer = 0;
	const void *tr;
	uint32_t flow, crc;
	uint16_t port, queue;

	eh = rte_pktmbuf_read(m, 0, sizeof(*eh), &ebuf);
	if (eh == NULL ||
	    eh->ether_type != rte_cpu_to_be_16(VERIFY_ETHER_TYPE))
		return VERIFY_OTHER;
	if (len < VERIFY_MIN_LEN)
		return VERIFY_CORRUPT;
	h = rte_pktmbuf_read(m, VERIFY_HDR_OFF, sizeof(*h), &hbuf);
	tr = rte_pktmbuf_read(m, len - VERIFY_TRAILER_LEN, sizeof(trailer),
			      &tbuf);
	/* The trailer sits wherever the frame's length puts it. */
	if (tr != NULL)
		memcpy(&trailer, tr, sizeof(trailer));
	if (h == NULL || tr == NULL ||
	    h->magic != rte_cpu_to_le_32(VERIFY_MAGIC) ||
	    rte_le_to_cpu_32(h->len) != len || trailer != h->seq)
		return VERIFY_CORRUPT;
	crc = chain_crc(m, VERIFY_HDR_OFF + sizeof(*h),
			len - VERIFY_MIN_LEN, CRC_SEED);
	crc = crc_bytes((const uint8_t *)h + HDR_CRC_OFF, HDR_CRC_LEN, crc);
	if (crc != rte_le_to_cpu_32(h->csum))
		return VERIFY_CORRUPT;
	flow = rte_le_to_cpu_32(h->flow);
	port = flow >> 16;
	queue = flow & 0xffff;
	/* intact but not from a flow of this run */
	if (port >= rx->nb_ports || queue >= rx->nb_queues)
		return VERIFY_OTHER;
	seq = rte_le_to_cpu_64(h->seq);
	return flow_account(&rx->flows[port * rx->nb_queues + queue], seq);
}

enum verify_result
verify_check(struct verify_rx *rx, const struct rte_mbuf *m)
{
	enum verify_result r = classify(rx, m);

	switch (r) {
	case VERIFY_GOOD:
		rx->cnt.good++;
		break;
	case VERIFY_LATE:
		rx->cnt.good++;
		rx->cnt.ooo++;
		break;
	case VERIFY_DUP:
		rx->cnt.dup++;
		break;
	case VERIFY_CORRUPT:
		rx->cnt.corrupt++;
		break;
	case VERIFY_STALE:
		rx->cnt.ooo++;
		break;
	case VERIFY_OTHER:
		rx->cnt.other++;
		break;
	}
	return r;
}

uint64_t
verify_flow_good(const struct verify_rx *rx, uint16_t port, uint16_t queue)
{
	if (port >= rx->nb_ports || queue >= rx->nb_queues)
		return 0;
	return rx->flows[port * rx->nb_queues + queue].good;
}
