/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proof that xensim's verify=1 catches the bug this project was born
 * from, and that it does not fire on a correct frontend.
 *
 * This frontend (no DPDK) splits each granted TX page into two 2 KiB
 * blocks and pushes a load of distinct frames through an echo vif whose
 * backend holds, delays and reorders TX responses. Correct (default): a
 * request's id is its block's index and a response frees that block only.
 * --broken: the seed bug, the id is the page's grant ref and a response
 * frees every block of its page, so a block still waiting for its own
 * response is rewritten for the next frame. The test then reads what
 * xensim counted: violations in the broken run, none in the correct one,
 * where every frame must also come back intact exactly once.
 *
 * usage: proof_frontend XENSIM VIF_OPTIONS [--broken] [--queues N]
 *			 [--split] [--frames N]
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simfront.h"

#define BLOCK		2048u
#define NR_BLOCKS	(NR_BUFS * PAGE / BLOCK)
#define MAX_FRAME	5000u	/* up to three blocks, two RX pages */
#define RUN_MS		20000
#define QUIET_MS	300	/* broken run: nothing more will come */
#define ETH_TYPE	0x88b5	/* local experimental: no checksum paths */
/* Frames sent but not yet echoed, per queue: the echo's frame ring must
 * not overflow while RX is held back (it would drop, as a real one). */
#define WINDOW		64

static struct {
	bool broken;
	bool split;
	unsigned int nq;
	unsigned int frames;
} opt = { .nq = 1, .frames = 20000 };

struct pq {
	struct fq *q;
	bool busy[NR_BLOCKS];
	/* Correct frontend: when each block was posted, to see reorders. */
	uint64_t posted[NR_BLOCKS];
	uint64_t nr_posted, last_answered;
	unsigned int reordered;
	unsigned int next_seq;		/* this queue sends seq = i * nq + idx */
	unsigned int sent, echoed, bad, dups;
	uint8_t rx_frame[MAX_FRAME];	/* frame being reassembled */
	unsigned int rx_len;
	bool rx_broken;
};

static uint8_t *seen;			/* by seq: echoes received */

static unsigned int
frame_len(unsigned int seq)
{
	/* Mostly one block, every 7th spans three. */
	return seq % 7 == 3 ? 4000 + seq % 1000 : 60 + (seq * 97) % 1900;
}

static uint8_t
pattern(unsigned int seq, unsigned int i)
{
	return (uint8_t)(seq * 31 + i * 7 + (i >> 8) + (seq >> 8));
}

static void
make_frame(uint8_t *f, unsigned int seq, unsigned int len)
{
	unsigned int i;

	memset(f, 0xff, 6);
	memcpy(f + 6, (const uint8_t[]){ 0x02, 0, 0, 0, 0, 1 }, 6);
	f[12] = ETH_TYPE >> 8;
	f[13] = ETH_TYPE & 0xff;
	memcpy(f + 14, &seq, sizeof(seq));
	for (i = 18; i < len; i++)
		f[i] = pattern(seq, i);
}

/* The sequence number of an intact echo, or -1. */
static long
check_frame(const uint8_t *f, unsigned int len)
{
	unsigned int seq, i;

	if (len < 18)
		return -1;
	memcpy(&seq, f + 14, sizeof(seq));
	if (seq >= opt.frames || frame_len(seq) != len)
		return -1;
	for (i = 18; i < len; i++)
		if (f[i] != pattern(seq, i))
			return -1;
	return seq;
}

static uint8_t *
block_addr(struct fq *q, unsigned int b)
{
	return q->txbuf + b * BLOCK;
}

/* The request id for block b: the seed bug uses its page's grant ref. */
static uint16_t
block_id(struct fq *q, unsigned int b)
{
	return (uint16_t)(opt.broken ? q->txrefs[b / 2] : b);
}

static int
free_block(const struct pq *p)
{
	unsigned int b;

	for (b = 0; b < NR_BLOCKS; b++)
		if (!p->busy[b])
			return (int)b;
	return -1;
}

static unsigned int
nr_free_blocks(const struct pq *p)
{
	unsigned int b, n = 0;

	for (b = 0; b < NR_BLOCKS; b++)
		n += !p->busy[b];
	return n;
}

/* Post the queue's next frame if blocks and ring slots allow. */
static bool
send_one(struct pq *p, unsigned int qi)
{
	struct fq *q = p->q;
	unsigned int seq = p->next_seq * opt.nq + qi, len, off = 0, slot = 0;
	uint8_t frame[MAX_FRAME];

	if (seq >= opt.frames ||
	    p->sent - (p->echoed + p->bad + p->dups) >= WINDOW)
		return false;
	len = frame_len(seq);
	if (nr_free_blocks(p) < (len + BLOCK - 1) / BLOCK ||
	    RING_FREE_REQUESTS(&q->tx) < (len + BLOCK - 1) / BLOCK)
		return false;
	make_frame(frame, seq, len);
	do {
		unsigned int chunk = len - off > BLOCK ? BLOCK : len - off;
		int b = free_block(p);
		netif_tx_request_t *req;

		p->busy[b] = true;
		p->posted[b] = ++p->nr_posted;
		memcpy(block_addr(q, b), frame + off, chunk);
		req = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);
		q->tx.req_prod_pvt++;
		req->gref = q->txrefs[b / 2];
		req->offset = (uint16_t)(b % 2 * BLOCK);
		req->id = block_id(q, b);
		req->size = (uint16_t)(slot == 0 ? len : chunk);
		req->flags = off + chunk < len ? NETTXF_more_data : 0;
		off += chunk;
		slot++;
	} while (off < len);
	p->next_seq++;
	p->sent++;
	return true;
}

static unsigned int
reap_tx(struct pq *p)
{
	struct fq *q = p->q;
	unsigned int n = 0, b;

	while (RING_HAS_UNCONSUMED_RESPONSES(&q->tx)) {
		netif_tx_response_t rsp;

		RING_COPY_RESPONSE(&q->tx, q->tx.rsp_cons, &rsp);
		q->tx.rsp_cons++;
		n++;
		CHECK(rsp.status == NETIF_RSP_OKAY, "TX status %d for id %u",
		      rsp.status, rsp.id);
		if (!opt.broken) {
			CHECK(rsp.id < NR_BLOCKS && p->busy[rsp.id],
			      "TX response id %u was not in flight", rsp.id);
			if (rsp.id >= NR_BLOCKS)
				continue;
			p->busy[rsp.id] = false;
			if (p->posted[rsp.id] < p->last_answered)
				p->reordered++;
			else
				p->last_answered = p->posted[rsp.id];
			continue;
		}
		/* The seed bug: the page's response frees all its blocks. */
		for (b = 0; b < NR_BLOCKS; b++)
			if (q->txrefs[b / 2] == rsp.id)
				p->busy[b] = false;
	}
	return n;
}

static void
got_frame(struct pq *p)
{
	long seq = p->rx_broken ? -1 : check_frame(p->rx_frame, p->rx_len);

	if (seq < 0) {
		p->bad++;
		if (!opt.broken)
			CHECK(false, "echo of %u bytes corrupted", p->rx_len);
	} else if (seen[seq]++) {
		p->dups++;
		if (!opt.broken)
			CHECK(false, "frame %ld echoed twice", seq);
	} else {
		p->echoed++;
	}
	p->rx_len = 0;
	p->rx_broken = false;
}

static unsigned int
reap_rx(struct pq *p)
{
	struct fq *q = p->q;
	unsigned int n = 0;
	int notify;

	while (RING_HAS_UNCONSUMED_RESPONSES(&q->rx)) {
		netif_rx_response_t rsp;
		netif_rx_request_t *req;

		RING_COPY_RESPONSE(&q->rx, q->rx.rsp_cons, &rsp);
		q->rx.rsp_cons++;
		n++;
		if (rsp.id >= NR_BUFS || rsp.status <= 0 ||
		    rsp.offset + (unsigned int)rsp.status > PAGE ||
		    p->rx_len + rsp.status > MAX_FRAME) {
			CHECK(false, "RX response id %u offset %u status %d",
			      rsp.id, rsp.offset, rsp.status);
			p->rx_broken = true;
		} else {
			memcpy(p->rx_frame + p->rx_len,
			       q->rxbuf + rsp.id * PAGE + rsp.offset,
			       rsp.status);
			p->rx_len += rsp.status;
		}
		if (!(rsp.flags & NETRXF_more_data))
			got_frame(p);
		/* Repost the page, same id: it is no longer in flight. */
		if (rsp.id >= NR_BUFS)
			continue;
		req = RING_GET_REQUEST(&q->rx, q->rx.req_prod_pvt);
		q->rx.req_prod_pvt++;
		req->id = rsp.id;
		req->gref = q->rxrefs[rsp.id];
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		xenplat_evtchn_notify(fq_rx_ev(q));
	return n;
}

static unsigned int
pump(struct pq *p, unsigned int qi)
{
	struct fq *q = p->q;
	unsigned int work = reap_tx(p) + reap_rx(p);
	int notify;

	while (send_one(p, qi))
		work++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		xenplat_evtchn_notify(q->ev[0]);
	return work;
}

/* No work: ask for events, then sleep until one (or a short while). */
static void
wait_events(struct pq *pq)
{
	struct pollfd pfd[4];
	unsigned int i, n = 0;
	int more = 0, m;

	for (i = 0; i < opt.nq; i++) {
		struct fq *q = pq[i].q;

		RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, m);
		more |= m;
		RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, m);
		more |= m;
		pfd[n++] = (struct pollfd){ .fd = xenplat_evtchn_fd(q->ev[0]),
					    .events = POLLIN };
		if (q->ev[1] != NULL)
			pfd[n++] = (struct pollfd){
				.fd = xenplat_evtchn_fd(q->ev[1]),
				.events = POLLIN };
	}
	if (!more)
		poll(pfd, n, 5);
	for (i = 0; i < opt.nq; i++) {
		xenplat_evtchn_wait(pq[i].q->ev[0], 0);
		if (pq[i].q->ev[1] != NULL)
			xenplat_evtchn_wait(pq[i].q->ev[1], 0);
	}
}

static bool
all_done(const struct pq *pq)
{
	unsigned int i, sent = 0, got = 0;

	for (i = 0; i < opt.nq; i++) {
		const struct fq *q = pq[i].q;

		if (q->tx.req_prod_pvt != q->tx.rsp_cons)
			return false;
		sent += pq[i].sent;
		got += pq[i].echoed + pq[i].bad + pq[i].dups;
	}
	return sent == opt.frames && got >= sent;
}

static void
run_load(struct fe *fe, struct pq *pq, bool reorder)
{
	long end = now_ms() + RUN_MS, quiet = now_ms();
	unsigned int i, sent = 0, echoed = 0, bad = 0, dups = 0, reordered = 0;

	for (i = 0; i < opt.nq; i++)
		pq[i].q = &fe->q[i];
	while (!all_done(pq) && now_ms() < end) {
		unsigned int work = 0;

		for (i = 0; i < opt.nq; i++)
			work += pump(&pq[i], i);
		if (work != 0) {
			quiet = now_ms();
			continue;
		}
		/* A broken frontend loses frames: stop once all is quiet. */
		if (opt.broken && now_ms() - quiet > QUIET_MS)
			break;
		wait_events(pq);
	}
	for (i = 0; i < opt.nq; i++) {
		sent += pq[i].sent;
		echoed += pq[i].echoed;
		bad += pq[i].bad;
		dups += pq[i].dups;
		reordered += pq[i].reordered;
	}
	printf("%s frontend: %u frames sent, %u echoed intact, %u corrupted, "
	       "%u duplicated\n", opt.broken ? "broken" : "correct", sent,
	       echoed, bad, dups);
	if (opt.broken)
		return;
	printf("%u TX responses came out of order\n", reordered);
	/* The adversary was really there. */
	CHECK(!reorder || reordered > 0, "tx-reorder=1 but every TX response "
	      "came in order");
	CHECK(sent == opt.frames, "sent only %u of %u frames in %d ms",
	      sent, opt.frames, RUN_MS);
	CHECK(echoed == opt.frames, "%u of %u frames echoed intact", echoed,
	      opt.frames);
	for (i = 0; i < opt.nq; i++)
		CHECK(pq[i].q->tx.req_prod_pvt == pq[i].q->tx.rsp_cons,
		      "queue %u: %u TX requests never answered", i,
		      pq[i].q->tx.req_prod_pvt - pq[i].q->tx.rsp_cons);
}

/* The sum over the vif's queues of "key":N in status.json. */
static unsigned long long
status_sum(const char *json, const char *key)
{
	char pat[64];
	const char *p = json;
	unsigned long long sum = 0;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	while ((p = strstr(p, pat)) != NULL) {
		p += strlen(pat);
		sum += strtoull(p, NULL, 10);
	}
	return sum;
}

static char *
read_file(const char *name)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", sim_run_dir(), name);
	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
check_verdict(void)
{
	unsigned long long v, changed, reuse, ended, tx, drops;
	char *json, *log, line[64];

	/* Two refreshes at --status-ms 20: the counters are final. */
	sleep_ms(100);
	json = read_file("status.json");
	REQUIRE(json != NULL, "no status.json in %s", sim_run_dir());
	REQUIRE(strstr(json, "\"verify\":true") != NULL,
		"xensim does not verify this vif: %s", json);
	v = status_sum(json, "violations");
	changed = status_sum(json, "v_changed");
	reuse = status_sum(json, "v_id_reuse");
	ended = status_sum(json, "v_grant_ended");
	tx = status_sum(json, "tx_pkts");
	drops = status_sum(json, "rx_drops");
	free(json);
	printf("xensim counted %llu violations: %llu blocks changed before "
	       "their response, %llu ids reused in flight, %llu grants "
	       "ended in use; %llu frames taken, %llu dropped\n", v, changed,
	       reuse, ended, tx, drops);
	CHECK(v == changed + reuse + ended, "violations %llu are not the "
	      "sum of their kinds", v);
	if (opt.broken) {
		CHECK(changed > 0, "the seed bug went unnoticed: no block "
		      "changed before its response");
		CHECK(reuse > 0, "the seed bug went unnoticed: no id reused "
		      "while in flight");
	} else {
		CHECK(v == 0, "a correct frontend got %llu violations", v);
		CHECK(tx == opt.frames, "xensim passed on %llu frames, not %u",
		      tx, opt.frames);
	}

	/* And xensim says so itself on its way out. */
	stop_xensim();
	log = read_file("xensim.log");
	REQUIRE(log != NULL, "no xensim.log");
	snprintf(line, sizeof(line), "xensim: vif 1/0 q0: %s",
		 opt.broken ? "" : "0 violations");
	CHECK(strstr(log, line) != NULL, "xensim did not report \"%s\"",
	      line);
	if (opt.broken)
		CHECK(strstr(log, "VIOLATION: block changed before its "
			     "response") != NULL,
		      "xensim logged no changed block");
	else
		CHECK(strstr(log, "VIOLATION") == NULL,
		      "xensim logged a violation");
	free(log);
}

static void
parse_args(int argc, char **argv)
{
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s XENSIM VIF_OPTIONS [--broken] "
			"[--queues 1|2] [--split] [--frames N]\n", argv[0]);
		exit(2);
	}
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--broken") == 0) {
			opt.broken = true;
		} else if (strcmp(argv[i], "--split") == 0) {
			opt.split = true;
		} else if (strcmp(argv[i], "--queues") == 0 && i + 1 < argc) {
			opt.nq = (unsigned int)atoi(argv[++i]);
		} else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc) {
			opt.frames = (unsigned int)atoi(argv[++i]);
		} else {
			fprintf(stderr, "%s: unknown argument '%s'\n",
				argv[0], argv[i]);
			exit(2);
		}
	}
	if (opt.nq < 1 || opt.nq > 2 || opt.frames == 0) {
		fprintf(stderr, "%s: --queues 1..2, --frames > 0\n", argv[0]);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	struct fe fe = { .handle = 0 };
	static struct pq pq[2];
	char spec[256];
	const char *args[] = { "--guests", "1", "--status-ms", "20",
			       "--vif", spec, NULL };

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IONBF, 0);
	seen = calloc(opt.frames, 1);
	if (seen == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	fe.nq = opt.nq;
	snprintf(spec, sizeof(spec), "1/0,end=echo,queues=%u,verify=1,%s",
		 opt.nq, argv[2]);
	printf("%s frontend, %u queue(s), %u frames against --vif %s\n",
	       opt.broken ? "broken (ids = grant refs)" : "correct",
	       opt.nq, opt.frames, spec);
	start_xensim(argv[1], args, "xensim.log");
	REQUIRE(wait_be_state(0, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(0));
	fe_connect(&fe, opt.split, 1);
	REQUIRE(wait_be_state(0, XenbusStateConnected),
		"backend not Connected (%d): see the log", be_state(0));
	run_load(&fe, pq, strstr(argv[2], "tx-reorder=1") != NULL);
	check_verdict();
	free(seen);
	finish();
}
