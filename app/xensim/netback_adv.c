/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hostile netback of one queue, driven by the ring. Legal but hostile
 * timing: TX packets are held, delayed, answered in batches or out of
 * order, RX requests are filled late; a correct frontend survives all of
 * it. With verify=1 it checks the frontend: a TX block is fingerprinted
 * when its request is taken and copied only when it is answered, so a
 * block reused before its own response, an id reused while in flight or
 * a grant ended while in use is caught, counted and logged. The other
 * knobs break the protocol: responses, producer indexes and pages are
 * mutated as a hostile backend would. None of this runs without knobs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnttab.h"
#include "netback_adv.h"

/* However hostile, a request is answered this long after it is due, so a
 * frontend waiting for its last responses gets them. */
#define LINGER_NS	2000000ull
#define LOG_MAX		10	/* logged per kind and connection */
#define ID_WORDS	((UINT16_MAX + 1) / 64)
#define RING_MASK	(NB_RING_SIZE - 1)
#define NR_GREFS	(UINT16_MAX + 1)
#define OVERSIZE_LEN	16000u	/* past any MTU a frontend may have */
#define RUNT_LEN	10u
#define EXTRA_UNKNOWN	15
#define REWRITE_NS	2000000ull	/* rsp-rewrite flips this long */
#define BUSY_NS		20000ull	/* sleep while flipping or storming */
#define PAGE_REWRITES	1024u
#define REWRITE_BYTE	0xa5

enum kind {
	V_CHANGED,
	V_ID_REUSE,
	V_GRANT_ENDED,
	V_LEAK,
	NR_KINDS
};

/* Published responses being flipped (rsp-rewrite), one range per ring. */
struct flip {
	RING_IDX from, to;
	uint64_t until;
	bool bad;			/* garbage is in place */
	uint64_t good[NB_RING_SIZE];
};

struct page_rewrite {
	grant_ref_t gref;
	uint16_t off, len;
	uint64_t due;
};

struct nb_adv {
	/* Kept across connections. */
	uint64_t *page_sum;		/* rx-leak-check: per gref, 0: none */
	struct frame_hdr *frame;	/* a frame delivered instead */
	/* Reset on connect. */
	struct nb_tx_pkt pkt[NB_RING_SIZE];
	uint16_t free_pkt[NB_RING_SIZE];
	unsigned int nr_free;
	uint16_t order[NB_RING_SIZE];	/* held packets, oldest first */
	unsigned int held;
	unsigned int due;		/* order[0..due) may be answered */
	uint64_t rng;
	RING_IDX rx_seen;		/* RX requests before it have a time */
	uint64_t rx_seen_ns[NB_RING_SIZE];
	uint16_t rx_id[NB_RING_SIZE];
	uint64_t tx_ids[ID_WORDS];	/* ids in flight */
	uint64_t rx_ids[ID_WORDS];
	unsigned int logged[NR_KINDS];
	unsigned long count[NB_K_NR];	/* responses seen per knob */
	int last_id[2];			/* [rx]: this push's last, or -1 */
	unsigned int extra_type;	/* of the extra-info slot asked for */
	bool chain;			/* rx-extra-endless under way */
	struct flip flip[2];		/* [rx] */
	struct page_rewrite pr[PAGE_REWRITES];
	unsigned int pr_head, pr_tail;
};

struct nb_adv *
nb_adv_create(const struct nb_knobs *k)
{
	struct nb_adv *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->frame = malloc(sizeof(struct frame_hdr) + OVERSIZE_LEN);
	if (k->v[NB_K_RX_LEAK_CHECK])
		a->page_sum = calloc(NR_GREFS, sizeof(uint64_t));
	if (a->frame == NULL ||
	    (k->v[NB_K_RX_LEAK_CHECK] && a->page_sum == NULL)) {
		nb_adv_destroy(a);
		return NULL;
	}
	return a;
}

void
nb_adv_destroy(struct nb_adv *a)
{
	if (a == NULL)
		return;
	free(a->page_sum);
	free(a->frame);
	free(a);
}

void
nb_adv_reset(struct nb_queue *q)
{
	struct nb_adv *a = q->adv;
	uint64_t *page_sum = a->page_sum;
	struct frame_hdr *frame = a->frame;
	unsigned int k;

	/* Whatever was held belongs to a connection that is gone. */
	memset(a, 0, sizeof(*a));
	a->page_sum = page_sum;
	a->frame = frame;
	if (page_sum != NULL)
		memset(page_sum, 0, NR_GREFS * sizeof(uint64_t));
	for (k = 0; k < NB_RING_SIZE; k++)
		a->free_pkt[k] = (uint16_t)k;
	a->nr_free = NB_RING_SIZE;
	a->rx_seen = q->rx.req_cons;
	a->last_id[0] = a->last_id[1] = -1;
	/* Deterministic per seed and queue; xorshift needs non-zero. */
	a->rng = (q->nb->k.v[NB_K_SEED] + 1) * 0x9e3779b97f4a7c15ull ^
		 (q->idx + 1);
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

static unsigned long
knob(const struct nb_queue *q, enum nb_knob k)
{
	return q->nb->k.v[k];
}

/* Knob k's turn: its every Nth response; counted as hostile. */
static bool
fire(struct nb_queue *q, enum nb_knob k)
{
	unsigned long n = knob(q, k);

	if (n == 0 || ++q->adv->count[k] % n != 0)
		return false;
	nb_stat_add(&q->st.hostile, 1);
	return true;
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

static bool
id_test(const uint64_t *ids, uint16_t id)
{
	return ids[id / 64] & 1ull << (id % 64);
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
		[V_LEAK] = &q->st.rx_page_leaks,
	};
	unsigned int *logged = &q->adv->logged[kind];
	char msg[200];
	va_list ap;

	nb_stat_add(counter[kind], 1);
	if (kind != V_LEAK)
		nb_stat_add(&q->st.violations, 1);
	if (*logged == LOG_MAX)
		return;
	(*logged)++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xensim: vif %u/%u q%u: %s: %s%s\n",
		q->nb->domid, q->nb->handle, q->idx,
		kind == V_LEAK ? "LEAK" : "VIOLATION", msg,
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
hold_ids(struct nb_queue *q, struct nb_tx_pkt *pkt)
{
	struct netback *nb = q->nb;
	struct nb_adv *a = q->adv;
	bool verify = knob(q, NB_K_VERIFY);
	unsigned int i;

	pkt->sum_valid = 0;
	for (i = 0; i < pkt->n; i++) {
		const netif_tx_request_t *r = &pkt->txp[i];
		uint32_t len = i == 0 ? pkt->rest : r->size;

		if (id_test_and_set(a->tx_ids, r->id) && verify) {
			const netif_tx_request_t *o = held_with_id(a, r->id);

			violation(q, V_ID_REUSE, "TX id %u reused while "
				  "in flight: new request gref %u offset %u, "
				  "in flight gref %d offset %d", r->id,
				  r->gref, r->offset, o ? (int)o->gref : -1,
				  o ? o->offset : -1);
		}
		if (!verify || pkt->drop || len == 0 ||
		    gnttab_copy_from(nb->fe_gt, 0, r->gref, r->offset, len,
				     q->scratch) != GNTST_okay)
			continue;
		pkt->sum[i] = fingerprint(q->scratch, len);
		pkt->sum_valid |= 1u << i;
	}
}

void
nb_adv_tx_hold(struct nb_queue *q, const struct nb_tx_pkt *pkt)
{
	struct nb_adv *a = q->adv;
	/* Never empty: held packets keep their requests' slots, and the
	 * ring refuses more requests than slots. */
	uint16_t k = a->free_pkt[--a->nr_free];

	a->pkt[k] = *pkt;
	a->pkt[k].seen_ns = now_ns();
	hold_ids(q, &a->pkt[k]);
	a->order[a->held++] = k;
}

unsigned int
nb_adv_tx_due(struct nb_queue *q)
{
	const struct nb_knobs *c = &q->nb->k;
	uint64_t delay = c->v[NB_K_TX_DELAY_US] * 1000;
	struct nb_adv *a = q->adv;
	unsigned int due = 0, stale = 0, want;
	uint64_t now;

	if (a->held == 0)
		return 0;
	now = now_ns();
	while (due < a->held &&
	       now - a->pkt[a->order[due]].seen_ns >= delay)
		due++;
	while (stale < due &&
	       now - a->pkt[a->order[stale]].seen_ns >= delay + LINGER_NS)
		stale++;
	want = a->held > c->v[NB_K_TX_HOLD] ? a->held - c->v[NB_K_TX_HOLD] :
	       0;
	if (want > due)
		want = due;
	if (want < c->v[NB_K_TX_BATCH])
		want = 0;
	if (want < stale)
		want = stale;
	a->due = due;
	return want;
}

void
nb_adv_tx_pop(struct nb_queue *q, struct nb_tx_pkt *out, unsigned int n)
{
	struct nb_adv *a = q->adv;
	unsigned int i;

	/* Oldest first, or any of those due. */
	for (i = 0; i < n; i++) {
		unsigned int o = q->nb->k.v[NB_K_TX_REORDER] ?
				 adv_rand(a) % a->due : 0;
		uint16_t k = a->order[o];

		memmove(&a->order[o], &a->order[o + 1],
			(a->held - o - 1) * sizeof(a->order[0]));
		a->held--;
		a->due--;
		out[i] = a->pkt[k];
		a->free_pkt[a->nr_free++] = k;
	}
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

/* An id below the ring size that is not in flight, other than own. */
static int
stray_id(const uint64_t *ids, const uint16_t *pending, unsigned int n,
	 uint16_t own)
{
	uint64_t busy[NB_RING_SIZE / 64];
	unsigned int i;

	memcpy(busy, ids, sizeof(busy));
	for (i = 0; i < n; i++)
		if (pending[i] < NB_RING_SIZE)
			id_test_and_set(busy, pending[i]);
	for (i = 1; i < NB_RING_SIZE; i++) {
		uint16_t id = (own + i) % NB_RING_SIZE;

		if (!id_test(busy, id))
			return id;
	}
	return -1;
}

/* Requests posted but not taken yet: their ids are in flight too. */
static unsigned int
tx_untaken_ids(struct nb_queue *q, uint16_t *ids)
{
	RING_IDX prod = __atomic_load_n(&q->tx.sring->req_prod,
					__ATOMIC_ACQUIRE);
	RING_IDX i = q->tx.req_cons;
	unsigned int n = 0;

	for (; i != prod && n < NB_RING_SIZE; i++)
		ids[n++] = RING_GET_REQUEST(&q->tx, i)->id;
	return n;
}

/* The id mutations both rings share; own: the real id. */
static uint16_t
mutate_id(struct nb_queue *q, bool rx, uint16_t own)
{
	static const enum nb_knob range[2] = { NB_K_TX_ID_RANGE,
					       NB_K_RX_ID_RANGE };
	static const enum nb_knob stray[2] = { NB_K_TX_ID_STRAY,
					       NB_K_RX_ID_STRAY };
	static const enum nb_knob dup[2] = { NB_K_TX_ID_DUP, NB_K_RX_ID_DUP };
	struct nb_adv *a = q->adv;
	uint16_t id = own;

	if (fire(q, range[rx])) {
		id = own + NB_RING_SIZE;
	} else if (knob(q, stray[rx]) && fire(q, stray[rx])) {
		uint16_t pending[NB_RING_SIZE];
		unsigned int n = rx ? 0 : tx_untaken_ids(q, pending);
		int s = stray_id(rx ? a->rx_ids : a->tx_ids, pending, n, own);

		id = s >= 0 ? (uint16_t)s : own + NB_RING_SIZE;
	} else if (a->last_id[rx] >= 0 && fire(q, dup[rx])) {
		id = (uint16_t)a->last_id[rx];
	}
	a->last_id[rx] = own;
	return id;
}

void
nb_adv_tx_rsp(struct nb_queue *q, netif_tx_response_t *rsp)
{
	id_clear(q->adv->tx_ids, rsp->id);
	rsp->id = mutate_id(q, false, rsp->id);
	if (fire(q, NB_K_TX_STATUS_NULL))
		rsp->status = NETIF_RSP_NULL;
	else if (fire(q, NB_K_TX_STATUS_UNKNOWN))
		rsp->status = NETIF_RSP_NULL + 1;
}

static bool
page_is_zero(const uint8_t *p)
{
	unsigned int i;

	for (i = 0; i < NB_PAGE_SIZE; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* rx-leak-check: a page posted again must hold what we left in it. */
static void
leak_check(struct nb_queue *q, grant_ref_t gref)
{
	uint64_t *sum = &q->adv->page_sum[gref % NR_GREFS];

	if (*sum == 0)
		return;
	if (gnttab_copy_from(q->nb->fe_gt, 0, gref, 0, NB_PAGE_SIZE,
			     q->scratch) == GNTST_okay &&
	    (fingerprint(q->scratch, NB_PAGE_SIZE) | 1) != *sum &&
	    !page_is_zero(q->scratch))
		violation(q, V_LEAK, "RX page gref %u posted again with data "
			  "the frontend wrote into it", gref);
	*sum = 0;
}

static void
rx_see(struct nb_queue *q, RING_IDX prod)
{
	struct nb_adv *a = q->adv;
	netif_rx_request_t req;
	uint64_t now;

	/* Impossible indexes are the ring's to report. */
	if (a->rx_seen == prod || prod - q->rx.req_cons > NB_RING_SIZE)
		return;
	now = now_ns();
	for (; a->rx_seen != prod; a->rx_seen++) {
		a->rx_seen_ns[a->rx_seen & RING_MASK] = now;
		RING_COPY_REQUEST(&q->rx, a->rx_seen, &req);
		a->rx_id[a->rx_seen & RING_MASK] = req.id;
		if (id_test_and_set(a->rx_ids, req.id) &&
		    knob(q, NB_K_VERIFY))
			violation(q, V_ID_REUSE, "RX id %u reused while "
				  "in flight: new request gref %u", req.id,
				  req.gref);
		if (a->page_sum != NULL)
			leak_check(q, req.gref);
	}
}

unsigned int
nb_adv_rx_avail(struct nb_queue *q, RING_IDX prod)
{
	uint64_t delay = knob(q, NB_K_RX_DELAY_US) * 1000;
	unsigned long hold = knob(q, NB_K_RX_HOLD);
	struct nb_adv *a = q->adv;
	RING_IDX cons = q->rx.req_cons;
	unsigned int n, due = 0;
	uint64_t now;

	rx_see(q, prod);
	n = a->rx_seen - cons;
	if (n == 0 || (delay == 0 && hold == 0))
		return n;
	now = now_ns();
	while (due < n &&
	       now - a->rx_seen_ns[(cons + due) & RING_MASK] >= delay)
		due++;
	if (now - a->rx_seen_ns[cons & RING_MASK] >= delay + LINGER_NS)
		return due;
	if (n <= hold)
		return 0;
	return due < n - hold ? due : n - hold;
}

static struct frame_hdr *
substitute(struct nb_adv *a, const struct frame_hdr *h, uint32_t len)
{
	uint32_t keep = h->len < len ? h->len : len, i;
	uint8_t *p = (uint8_t *)(a->frame + 1);

	memcpy(p, h + 1, keep);
	for (i = keep; i < len; i++)
		p[i] = (uint8_t)i;
	a->frame->len = len;
	a->frame->info = (struct frame_info){ 0 };
	return a->frame;
}

struct frame_hdr *
nb_adv_rx_frame(struct nb_queue *q, struct frame_hdr *h,
		unsigned int *extra)
{
	struct nb_adv *a = q->adv;

	*extra = 0;
	if (fire(q, NB_K_RX_EXTRA_UNKNOWN)) {
		a->extra_type = EXTRA_UNKNOWN;
		*extra = 1;
	} else if (fire(q, NB_K_RX_EXTRA_ENDLESS)) {
		a->extra_type = XEN_NETIF_EXTRA_TYPE_GSO;
		a->chain = true;
		*extra = 1;
	}
	if (fire(q, NB_K_RX_RUNT))
		return substitute(a, h, RUNT_LEN);
	if (fire(q, NB_K_RX_OVERSIZE))
		return substitute(a, h, OVERSIZE_LEN);
	return h;
}

void
nb_adv_rx_extra(struct nb_queue *q, struct netif_extra_info *ex)
{
	ex->type = (uint8_t)q->adv->extra_type;
	ex->flags = q->adv->chain ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
}

bool
nb_adv_rx_chain(const struct nb_queue *q)
{
	return q->adv->chain;
}

static void
page_rewrite_add(struct nb_queue *q, grant_ref_t gref, uint16_t off,
		 uint16_t len)
{
	struct nb_adv *a = q->adv;
	unsigned int i;

	/* The page is filled again: an older rewrite would hit new data. */
	for (i = a->pr_tail; i != a->pr_head; i++)
		if (a->pr[i % PAGE_REWRITES].gref == gref)
			a->pr[i % PAGE_REWRITES].len = 0;
	if (a->pr_head - a->pr_tail == PAGE_REWRITES)
		a->pr_tail++;
	a->pr[a->pr_head++ % PAGE_REWRITES] = (struct page_rewrite){
		.gref = gref, .off = off, .len = len,
		.due = now_ns() + knob(q, NB_K_RX_PAGE_REWRITE_MS) * 1000000,
	};
}

void
nb_adv_rx_rsp(struct nb_queue *q, RING_IDX idx, grant_ref_t gref,
	      netif_rx_response_t *rsp)
{
	struct nb_adv *a = q->adv;
	uint16_t len;

	id_clear(a->rx_ids, a->rx_id[idx & RING_MASK]);
	if (rsp == NULL || rsp->status <= 0)
		return;
	len = (uint16_t)rsp->status;
	if (a->page_sum != NULL &&
	    gnttab_copy_from(q->nb->fe_gt, 0, gref, 0, NB_PAGE_SIZE,
			     q->scratch) == GNTST_okay)
		a->page_sum[gref % NR_GREFS] =
			fingerprint(q->scratch, NB_PAGE_SIZE) | 1;
	if (knob(q, NB_K_RX_PAGE_REWRITE_MS))
		page_rewrite_add(q, gref, rsp->offset, len);
	rsp->id = mutate_id(q, true, rsp->id);
	if (fire(q, NB_K_RX_STATUS_UNKNOWN)) {
		rsp->status = NETIF_RSP_DROPPED - 1;
	} else if (fire(q, NB_K_RX_OFFSET_4096)) {
		rsp->offset = NB_PAGE_SIZE;
		rsp->status = 0;
	} else if (fire(q, NB_K_RX_SIZE_PAST_PAGE)) {
		rsp->status = (int16_t)(NB_PAGE_SIZE - rsp->offset + 1);
	} else if (fire(q, NB_K_RX_OFFSET_PAST_PAGE)) {
		rsp->offset = (uint16_t)(NB_PAGE_SIZE - len + 1);
	} else if (fire(q, NB_K_RX_SIZE_ZERO)) {
		rsp->status = 0;
	}
	if (fire(q, NB_K_RX_MORE_ENDLESS))
		rsp->flags |= NETRXF_more_data;
}

static volatile uint64_t *
rsp_slot(struct nb_queue *q, bool rx, RING_IDX i)
{
	if (rx)
		return (volatile uint64_t *)RING_GET_RESPONSE(&q->rx, i);
	/* A TX response is 4 bytes of a 12-byte slot: only 4-aligned. */
	return (volatile uint64_t *)(void *)RING_GET_RESPONSE(&q->tx, i);
}

/* Swap a published response for another, unless the frontend has
 * written a request over it already. */
static void
flip_one(struct nb_queue *q, bool rx, RING_IDX i, uint64_t from, uint64_t to)
{
	volatile uint64_t *p = rsp_slot(q, rx, i);

	if (rx)
		__atomic_compare_exchange_n(p, &from, to, false,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	else {
		uint32_t f = (uint32_t)from;

		__atomic_compare_exchange_n((volatile uint32_t *)p, &f,
					    (uint32_t)to, false,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	}
}

/* Garbage for a response: id, status and offset all out of bounds. */
static uint64_t
garbage(bool rx, uint64_t good)
{
	if (!rx)	/* id | status << 16 */
		return (good ^ 0x4000) | 0x7777ull << 16;
	/* id | offset << 16 | flags << 32 | status << 48 */
	return ((good ^ 0x4000) & 0xffff) | 4000ull << 16 |
	       (good & 0xffff00000000ull) | 3000ull << 48;
}

static void
flip_range(struct nb_queue *q, bool rx, bool bad)
{
	struct flip *f = &q->adv->flip[rx];
	RING_IDX prod = rx ? q->rx.sring->req_prod : q->tx.sring->req_prod;
	RING_IDX i;

	for (i = f->from; i != f->to; i++) {
		uint64_t good = f->good[i & RING_MASK];

		/* The frontend may reuse the slot for request i + size. */
		if (prod - i >= NB_RING_SIZE)
			continue;
		flip_one(q, rx, i, bad ? good : garbage(rx, good),
			 bad ? garbage(rx, good) : good);
	}
	f->bad = bad;
}

static void
flip_start(struct nb_queue *q, bool rx, RING_IDX from, RING_IDX to)
{
	struct flip *f = &q->adv->flip[rx];
	RING_IDX i;

	if (f->bad)
		flip_range(q, rx, false);
	if (to - from > NB_RING_SIZE)
		from = to - NB_RING_SIZE;
	f->from = from;
	f->to = to;
	f->until = now_ns() + REWRITE_NS;
	for (i = from; i != to; i++)
		f->good[i & RING_MASK] = rx ? *rsp_slot(q, rx, i) :
			*(volatile uint32_t *)rsp_slot(q, rx, i);
	nb_stat_add(&q->st.hostile, to - from);
}

bool
nb_adv_pushed(struct nb_queue *q, bool rx, RING_IDX from)
{
	RING_IDX *prod = rx ? &q->rx.sring->rsp_prod : &q->tx.sring->rsp_prod;
	RING_IDX pvt = *prod;

	/* A duplicate repeats an id of the same push only: an older one
	 * may be in flight again. */
	q->adv->last_id[rx] = -1;
	if (knob(q, NB_K_RSP_REWRITE))
		flip_start(q, rx, from, pvt);
	if (fire(q, NB_K_RSP_PROD_BEYOND))
		*prod = pvt + NB_RING_SIZE + 1;
	else if (fire(q, NB_K_RSP_PROD_BACK))
		/* Behind every response the frontend may still be reading,
		 * so that it cannot pass for one not yet published. */
		*prod = from - NB_RING_SIZE - 1;
	else if (fire(q, NB_K_RSP_PROD_WRAP))
		*prod = pvt + 0x80000000u;
	else
		return false;
	return true;
}

static void
page_rewrites(struct nb_queue *q, uint64_t now)
{
	static uint8_t pattern[NB_PAGE_SIZE];
	struct nb_adv *a = q->adv;

	if (pattern[0] == 0)
		memset(pattern, REWRITE_BYTE, sizeof(pattern));
	while (a->pr_tail != a->pr_head) {
		struct page_rewrite *r = &a->pr[a->pr_tail % PAGE_REWRITES];

		if (now < r->due)
			break;
		a->pr_tail++;
		if (r->len != 0 &&
		    gnttab_copy_to(q->nb->fe_gt, 0, r->gref, r->off, r->len,
				   pattern) == GNTST_okay)
			nb_stat_add(&q->st.rx_page_rewrites, 1);
	}
}

bool
nb_adv_poll(struct nb_queue *q)
{
	struct nb_adv *a = q->adv;
	uint64_t now = now_ns();
	unsigned int rx;

	for (rx = 0; rx < 2; rx++) {
		struct flip *f = &a->flip[rx];

		if (f->from == f->to)
			continue;
		if (now < f->until) {
			flip_range(q, rx, !f->bad);
			continue;
		}
		if (f->bad)
			flip_range(q, rx, false);
		f->from = f->to;
	}
	if (a->pr_tail != a->pr_head)
		page_rewrites(q, now);
	return knob(q, NB_K_NOTIFY_STORM);
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
	struct nb_adv *a = q->adv;
	uint64_t now = now_ns(), wait = UINT64_MAX, rx;

	if (a->held != 0)
		wait = until_due(now, a->pkt[a->order[0]].seen_ns,
				 knob(q, NB_K_TX_DELAY_US) * 1000);
	/* Past lingering, RX requests are no longer held: an event will
	 * say when there are enough. */
	if (rx_waiting && a->rx_seen != q->rx.req_cons) {
		rx = until_due(now, a->rx_seen_ns[q->rx.req_cons & RING_MASK],
			       knob(q, NB_K_RX_DELAY_US) * 1000);
		if (rx != 0 && rx < wait)
			wait = rx;
	}
	if (a->pr_tail != a->pr_head) {
		uint64_t due = a->pr[a->pr_tail % PAGE_REWRITES].due;

		rx = due > now ? due - now : 1;
		if (rx < wait)
			wait = rx;
	}
	if ((knob(q, NB_K_NOTIFY_STORM) || a->flip[0].from != a->flip[0].to ||
	     a->flip[1].from != a->flip[1].to) && BUSY_NS < wait)
		wait = BUSY_NS;
	if (wait == UINT64_MAX)
		return false;
	ts->tv_sec = (time_t)(wait / 1000000000ull);
	ts->tv_nsec = (long)(wait % 1000000000ull);
	return true;
}
