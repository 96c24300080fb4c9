/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adversarial netback. Legal but hostile timing: TX packets are held,
 * delayed, answered in batches or out of order, RX requests are filled
 * late; a correct frontend survives all of it. With verify=1 it also
 * checks the frontend: a TX block is fingerprinted when its request is
 * taken and copied only when it is answered, so a block reused before its
 * own response, an id reused while in flight or a grant ended while in
 * use is caught, counted and logged. None of this runs without options.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnttab.h"
#include "netback_priv.h"

/* However hostile, a request is answered this long after it is due, so a
 * frontend waiting for its last responses gets them. */
#define LINGER_NS	2000000ull
#define MAX_DELAY_US	10000000ul
#define LOG_MAX		10	/* logged per kind and connection */
#define ID_WORDS	((UINT16_MAX + 1) / 64)
#define RING_MASK	(NB_RING_SIZE - 1)

enum kind {
	V_CHANGED,
	V_ID_REUSE,
	V_GRANT_ENDED,
	NR_KINDS
};

struct nb_adv {
	struct nb_tx_pkt pkt[NB_RING_SIZE];
	uint16_t free_pkt[NB_RING_SIZE];
	unsigned int nr_free;
	uint16_t order[NB_RING_SIZE];	/* held packets, oldest first */
	unsigned int held;
	uint64_t rng;
	RING_IDX rx_seen;		/* RX requests before it have a time */
	uint64_t rx_seen_ns[NB_RING_SIZE];
	uint16_t rx_id[NB_RING_SIZE];
	uint64_t tx_ids[ID_WORDS];	/* verify: ids in flight */
	uint64_t rx_ids[ID_WORDS];
	unsigned int logged[NR_KINDS];
};

enum {
	OPT_TX_HOLD,
	OPT_TX_DELAY,
	OPT_TX_BATCH,
	OPT_TX_REORDER,
	OPT_RX_HOLD,
	OPT_RX_DELAY,
	OPT_VERIFY,
	OPT_SEED,
};

static const struct {
	const char *key;
	unsigned long min, max;
} opts[] = {
	[OPT_TX_HOLD] = { "tx-hold", 0, NB_RING_SIZE },
	[OPT_TX_DELAY] = { "tx-delay-us", 0, MAX_DELAY_US },
	[OPT_TX_BATCH] = { "tx-batch", 1, NB_RING_SIZE },
	[OPT_TX_REORDER] = { "tx-reorder", 0, 1 },
	[OPT_RX_HOLD] = { "rx-hold", 0, NB_RING_SIZE },
	[OPT_RX_DELAY] = { "rx-delay-us", 0, MAX_DELAY_US },
	[OPT_VERIFY] = { "verify", 0, 1 },
	[OPT_SEED] = { "seed", 0, UINT32_MAX },
};

int
nb_adv_parse(struct netback *nb, const char *key, const char *val,
	     char *err, size_t len)
{
	struct nb_adv_cfg *c = &nb->adv;
	unsigned long v;
	unsigned int i;
	char *end;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(key, opts[i].key) == 0)
			break;
	if (i == sizeof(opts) / sizeof(opts[0]))
		return 1;
	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno != 0 || end == val || *end != '\0' || val[0] == '-' ||
	    v < opts[i].min || v > opts[i].max) {
		snprintf(err, len, "%s=%s: %lu..%lu", key, val, opts[i].min,
			 opts[i].max);
		return -1;
	}
	switch (i) {
	case OPT_TX_HOLD:
		c->tx_hold = (unsigned int)v;
		break;
	case OPT_TX_DELAY:
		c->tx_delay_ns = v * 1000;
		break;
	case OPT_TX_BATCH:
		c->tx_batch = v > 1 ? (unsigned int)v : 0;
		break;
	case OPT_TX_REORDER:
		c->tx_reorder = v != 0;
		break;
	case OPT_RX_HOLD:
		c->rx_hold = (unsigned int)v;
		break;
	case OPT_RX_DELAY:
		c->rx_delay_ns = v * 1000;
		break;
	case OPT_VERIFY:
		c->verify = v != 0;
		break;
	case OPT_SEED:
		c->seed = v;
		break;
	}
	return 0;
}

int
nb_adv_open(struct netback *nb)
{
	const struct nb_adv_cfg *c = &nb->adv;
	unsigned int i;

	nb->adv_on = c->tx_hold || c->tx_delay_ns || c->tx_batch ||
		     c->tx_reorder || c->rx_hold || c->rx_delay_ns ||
		     c->verify;
	for (i = 0; nb->adv_on && i < nb->max_queues; i++) {
		nb->q[i].adv = calloc(1, sizeof(struct nb_adv));
		if (nb->q[i].adv == NULL)
			return -1;
	}
	return 0;
}

void
nb_adv_close(struct netback *nb)
{
	unsigned int i;

	for (i = 0; i < NB_MAX_QUEUES; i++) {
		free(nb->q[i].adv);
		nb->q[i].adv = NULL;
	}
}

void
nb_adv_reset(struct netback *nb)
{
	unsigned int i, k;

	for (i = 0; nb->adv_on && i < nb->max_queues; i++) {
		struct nb_queue *q = &nb->q[i];
		struct nb_adv *a = q->adv;

		/* Whatever was held belongs to a connection that is gone. */
		memset(a, 0, sizeof(*a));
		for (k = 0; k < NB_RING_SIZE; k++)
			a->free_pkt[k] = (uint16_t)k;
		a->nr_free = NB_RING_SIZE;
		a->rx_seen = q->rx.req_cons;
		/* Deterministic per seed and queue; xorshift needs non-zero. */
		a->rng = (nb->adv.seed + 1) * 0x9e3779b97f4a7c15ull ^
			 (i + 1);
	}
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t
adv_rand(struct nb_adv *a)
{
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return (uint32_t)((a->rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* Not cryptographic: two different blocks of one packet stream will not
 * collide by chance, and nobody crafts collisions against a test. */
static uint64_t
fingerprint(const uint8_t *p, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ len, w;
	uint32_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, sizeof(w));
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Set the bit of id; true if it was already set. */
static bool
id_test_and_set(uint64_t *ids, uint16_t id)
{
	uint64_t bit = 1ull << (id % 64);
	bool was = ids[id / 64] & bit;

	ids[id / 64] |= bit;
	return was;
}

static void
id_clear(uint64_t *ids, uint16_t id)
{
	ids[id / 64] &= ~(1ull << (id % 64));
}

static void __attribute__((format(printf, 3, 4)))
violation(struct nb_queue *q, enum kind kind, const char *fmt, ...)
{
	uint64_t *const counter[NR_KINDS] = {
		[V_CHANGED] = &q->st.v_changed,
		[V_ID_REUSE] = &q->st.v_id_reuse,
		[V_GRANT_ENDED] = &q->st.v_grant_ended,
	};
	unsigned int *logged = &q->adv->logged[kind];
	char msg[200];
	va_list ap;

	nb_stat_add(counter[kind], 1);
	nb_stat_add(&q->st.violations, 1);
	if (*logged == LOG_MAX)
		return;
	(*logged)++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xensim: vif %u/%u q%u: VIOLATION: %s%s\n",
		q->nb->domid, q->nb->handle, q->idx, msg,
		*logged == LOG_MAX ? " (no more of this kind are logged)" :
		"");
}

/* The held request that carries id, for the log; NULL if none. */
static const netif_tx_request_t *
held_with_id(const struct nb_adv *a, uint16_t id)
{
	unsigned int i, s;

	for (i = 0; i < a->held; i++) {
		const struct nb_tx_pkt *p = &a->pkt[a->order[i]];

		for (s = 0; s < p->n; s++)
			if (p->txp[s].id == id)
				return &p->txp[s];
	}
	return NULL;
}

static void
take_verify(struct nb_queue *q, struct nb_tx_pkt *pkt)
{
	struct netback *nb = q->nb;
	struct nb_adv *a = q->adv;
	unsigned int i;

	pkt->sum_valid = 0;
	for (i = 0; i < pkt->n; i++) {
		const netif_tx_request_t *r = &pkt->txp[i];
		uint32_t len = i == 0 ? pkt->rest : r->size;

		if (id_test_and_set(a->tx_ids, r->id)) {
			const netif_tx_request_t *o = held_with_id(a, r->id);

			violation(q, V_ID_REUSE, "TX id %u reused while "
				  "in flight: new request gref %u offset %u, "
				  "in flight gref %d offset %d", r->id,
				  r->gref, r->offset, o ? (int)o->gref : -1,
				  o ? o->offset : -1);
		}
		if (pkt->drop || len == 0 ||
		    gnttab_copy_from(nb->fe_gt, 0, r->gref, r->offset, len,
				     q->scratch) != GNTST_okay)
			continue;
		pkt->sum[i] = fingerprint(q->scratch, len);
		pkt->sum_valid |= 1u << i;
	}
}

int
nb_adv_tx_take(struct nb_queue *q, RING_IDX prod)
{
	struct nb_adv *a = q->adv;
	struct nb_tx_pkt *pkt;
	uint16_t k;

	/* Each packet holds a ring slot: the overflow check bounds them. */
	if (a->nr_free == 0) {
		nb_queue_fatal(q, "More TX packets in flight than ring slots");
		return -1;
	}
	k = a->free_pkt[--a->nr_free];
	pkt = &a->pkt[k];
	if (nb_tx_take(q, prod, pkt) != 0) {
		a->nr_free++;
		return -1;
	}
	pkt->seen_ns = now_ns();
	if (q->nb->adv.verify)
		take_verify(q, pkt);
	a->order[a->held++] = k;
	return 0;
}

/* Answer the held packet at order[i]. */
static void
release(struct nb_queue *q, unsigned int i)
{
	struct nb_adv *a = q->adv;
	uint16_t k = a->order[i];
	struct nb_tx_pkt *pkt = &a->pkt[k];
	unsigned int s;

	memmove(&a->order[i], &a->order[i + 1],
		(a->held - i - 1) * sizeof(a->order[0]));
	a->held--;
	nb_tx_answer(q, pkt);
	if (q->nb->adv.verify)
		for (s = 0; s < pkt->n; s++)
			id_clear(a->tx_ids, pkt->txp[s].id);
	a->free_pkt[a->nr_free++] = k;
}

unsigned int
nb_adv_tx_release(struct nb_queue *q)
{
	const struct nb_adv_cfg *c = &q->nb->adv;
	struct nb_adv *a = q->adv;
	unsigned int due = 0, stale = 0, want, n;
	uint64_t now;

	if (a->held == 0)
		return 0;
	now = now_ns();
	while (due < a->held &&
	       now - a->pkt[a->order[due]].seen_ns >= c->tx_delay_ns)
		due++;
	while (stale < due && now - a->pkt[a->order[stale]].seen_ns >=
	       c->tx_delay_ns + LINGER_NS)
		stale++;
	want = a->held > c->tx_hold ? a->held - c->tx_hold : 0;
	if (want > due)
		want = due;
	if (want < c->tx_batch)
		want = 0;
	if (want < stale)
		want = stale;
	/* Oldest first, or any of those due. */
	for (n = 0; n < want; n++)
		release(q, c->tx_reorder ? adv_rand(a) % (due - n) : 0);
	return want;
}

void
nb_adv_tx_check(struct nb_queue *q, const struct nb_tx_pkt *pkt,
		unsigned int slot, int16_t rc, const uint8_t *data,
		uint32_t len)
{
	const netif_tx_request_t *r = &pkt->txp[slot];

	if (!(pkt->sum_valid & 1u << slot))
		return;
	if (rc != GNTST_okay)
		violation(q, V_GRANT_ENDED, "grant ended while in use: "
			  "TX id %u gref %u offset %u size %u, copy refused "
			  "(%d)", r->id, r->gref, r->offset, len, rc);
	else if (fingerprint(data, len) != pkt->sum[slot])
		violation(q, V_CHANGED, "block changed before its "
			  "response: TX id %u gref %u offset %u size %u, "
			  "%llu us after its request was taken", r->id,
			  r->gref, r->offset, len, (unsigned long long)
			  ((now_ns() - pkt->seen_ns) / 1000));
}

void
nb_adv_rx_see(struct nb_queue *q, RING_IDX prod)
{
	struct nb_adv *a = q->adv;
	netif_rx_request_t req;
	uint64_t now;

	/* Impossible indexes are rx_process()'s to report. */
	if (a->rx_seen == prod || prod - q->rx.req_cons > NB_RING_SIZE)
		return;
	now = now_ns();
	for (; a->rx_seen != prod; a->rx_seen++) {
		a->rx_seen_ns[a->rx_seen & RING_MASK] = now;
		if (!q->nb->adv.verify)
			continue;
		RING_COPY_REQUEST(&q->rx, a->rx_seen, &req);
		a->rx_id[a->rx_seen & RING_MASK] = req.id;
		if (id_test_and_set(a->rx_ids, req.id))
			violation(q, V_ID_REUSE, "RX id %u reused while "
				  "in flight: new request gref %u", req.id,
				  req.gref);
	}
}

unsigned int
nb_adv_rx_usable(struct nb_queue *q)
{
	const struct nb_adv_cfg *c = &q->nb->adv;
	struct nb_adv *a = q->adv;
	RING_IDX cons = q->rx.req_cons;
	unsigned int n = a->rx_seen - cons, due = 0;
	uint64_t now;

	if (n == 0)
		return 0;
	now = now_ns();
	while (due < n && now - a->rx_seen_ns[(cons + due) & RING_MASK] >=
	       c->rx_delay_ns)
		due++;
	if (now - a->rx_seen_ns[cons & RING_MASK] >=
	    c->rx_delay_ns + LINGER_NS)
		return due;
	if (n <= c->rx_hold)
		return 0;
	return due < n - c->rx_hold ? due : n - c->rx_hold;
}

void
nb_adv_rx_done(struct nb_queue *q, RING_IDX idx)
{
	struct nb_adv *a = q->adv;

	if (q->nb->adv.verify)
		id_clear(a->rx_ids, a->rx_id[idx & RING_MASK]);
}

/* Time from now until seen + delay, or else until it lingered; 0: past. */
static uint64_t
until_due(uint64_t now, uint64_t seen, uint64_t delay)
{
	if (now - seen < delay)
		return seen + delay - now;
	if (now - seen < delay + LINGER_NS)
		return seen + delay + LINGER_NS - now;
	return 0;
}

bool
nb_adv_timeout(struct nb_queue *q, bool rx_waiting, struct timespec *ts)
{
	const struct nb_adv_cfg *c = &q->nb->adv;
	struct nb_adv *a = q->adv;
	uint64_t now = now_ns(), wait = UINT64_MAX, rx;

	if (a->held != 0)
		wait = until_due(now, a->pkt[a->order[0]].seen_ns,
				 c->tx_delay_ns);
	/* Past lingering, RX requests are no longer held: an event will
	 * say when there are enough. */
	if (rx_waiting && a->rx_seen != q->rx.req_cons) {
		rx = until_due(now, a->rx_seen_ns[q->rx.req_cons & RING_MASK],
			       c->rx_delay_ns);
		if (rx != 0 && rx < wait)
			wait = rx;
	}
	if (wait == UINT64_MAX)
		return false;
	ts->tv_sec = (time_t)(wait / 1000000000ull);
	ts->tv_nsec = (long)(wait % 1000000000ull);
	return true;
}

void
nb_adv_report(struct netback *nb)
{
	unsigned int i;

	if (!nb->adv.verify)
		return;
	for (i = 0; i < nb->max_queues; i++) {
		const struct nb_stats *s = &nb->q[i].st;
		uint64_t v = nb_stat_get(&s->violations);

		fprintf(v ? stderr : stdout, "xensim: vif %u/%u q%u: %llu "
			"violations (changed %llu, id reuse %llu, grant "
			"ended %llu)\n", nb->domid, nb->handle, i,
			(unsigned long long)v,
			(unsigned long long)nb_stat_get(&s->v_changed),
			(unsigned long long)nb_stat_get(&s->v_id_reuse),
			(unsigned long long)nb_stat_get(&s->v_grant_ended));
	}
}
