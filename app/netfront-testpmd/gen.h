/* SPDX-License-Identifier: BSD-3-Clause */
/* Verify-frame generator of one tx stream (txonly and verify modes). */
#ifndef NFT_GEN_H
#define NFT_GEN_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "config.h"
#include "verify.h"

#define GEN_MAX_SEGS	16

struct gen {
	const struct verify_tpl *tpl;
	struct rte_mempool *mp;
	struct rte_ether_hdr eth;
	uint32_t flow;
	uint64_t seq;		/* of the next frame built */
	uint32_t seg_room;
	enum size_mode mode;
	uint32_t min;
	uint32_t max;
	uint32_t cur;		/* cycle: next size; imix: table index */
};

/* 0, or -EINVAL when the largest frame needs more than GEN_MAX_SEGS mbufs
 * of mp or exceeds the template.
 */
int gen_init(struct gen *g, const struct verify_tpl *tpl,
	     struct rte_mempool *mp, const struct app_config *cfg,
	     const struct rte_ether_addr *src,
	     const struct rte_ether_addr *dst, uint32_t flow);

/* Build up to n frames with consecutive sequence numbers; returns how many
 * (fewer when the pool runs dry).
 */
uint16_t gen_burst(struct gen *g, struct rte_mbuf **pkts, uint16_t n);

#endif
