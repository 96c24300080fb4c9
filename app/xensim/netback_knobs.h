/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_NETBACK_KNOBS_H
#define XENSIM_NETBACK_KNOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A vif's knobs: one table (netback_knobs.c) of names, ranges and help.
 * The hostile ones are zero when off. Timing knobs are legal (a correct
 * frontend survives them); the others break the protocol on purpose. A
 * response knob's value N mutates every Nth response (1: every one). The
 * last ones shape the honest netback, with defaults of their own.
 */
enum nb_knob {
	/* legal timing and checks, netback_adv.c */
	NB_K_TX_HOLD,
	NB_K_TX_DELAY_US,
	NB_K_TX_BATCH,
	NB_K_TX_REORDER,
	NB_K_RX_HOLD,
	NB_K_RX_DELAY_US,
	NB_K_VERIFY,
	NB_K_SEED,
	/* TX responses */
	NB_K_TX_ID_RANGE,
	NB_K_TX_ID_STRAY,
	NB_K_TX_ID_DUP,
	NB_K_TX_STATUS_NULL,
	NB_K_TX_STATUS_UNKNOWN,
	/* RX responses */
	NB_K_RX_ID_RANGE,
	NB_K_RX_ID_STRAY,
	NB_K_RX_ID_DUP,
	NB_K_RX_STATUS_UNKNOWN,
	NB_K_RX_OFFSET_4096,
	NB_K_RX_SIZE_PAST_PAGE,
	NB_K_RX_OFFSET_PAST_PAGE,
	NB_K_RX_SIZE_ZERO,
	NB_K_RX_MORE_ENDLESS,
	NB_K_RX_EXTRA_UNKNOWN,
	NB_K_RX_EXTRA_ENDLESS,
	NB_K_RX_RUNT,
	NB_K_RX_OVERSIZE,
	/* both rings' rsp_prod */
	NB_K_RSP_PROD_BEYOND,
	NB_K_RSP_PROD_BACK,
	NB_K_RSP_PROD_WRAP,
	/* after publishing */
	NB_K_RSP_REWRITE,
	NB_K_RX_PAGE_REWRITE_MS,
	NB_K_RX_LEAK_CHECK,
	NB_K_NOTIFY_STORM,
	/* xenbus side, netback_xenbus.c; from here on no queue needs
	 * the adversary */
	NB_K_NO_INITWAIT,
	NB_K_NO_CONNECT,
	NB_K_NEVER_CLOSE,
	NB_K_BAD_STATE,
	/* the honest netback, netback_ring.c */
	NB_K_TX_LATE,
	/* the vif's end, vif_end.c */
	NB_K_TAP_OFFLOAD,
	NB_K_NR
};

#define NB_KNOB_SET_LEN	128
#define NB_KNOB_SET_MAX	8

struct nb_knobs {
	unsigned long v[NB_K_NR];
	/* set=KEY:VALUE, backend keys written before InitWait: garbage, or
	 * keys Linux netback writes that xensim does not act on */
	struct {
		char key[64];
		char val[NB_KNOB_SET_LEN];
	} set[NB_KNOB_SET_MAX];
	unsigned int nr_set;
};

/* Every knob at its default. */
void nb_knobs_init(struct nb_knobs *k);
/*
 * key=val of a vif spec, misbehave=KNOB (KNOB=1) included. 1: not a
 * knob; 0: taken; -1: bad value, err says why.
 */
int nb_knob_parse(struct nb_knobs *k, const char *key, const char *val,
		  char *err, size_t len);
/* Does any knob need the queues' adversary (netback_adv.c)? */
bool nb_knobs_adversary(const struct nb_knobs *k);
/* The table, for xensim --help. */
void nb_knobs_help(FILE *f);

#endif
