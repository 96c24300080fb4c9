/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe_ring.h"

/* Linux netback's XDP extra-info type (Xen 4.17's netif.h lacks it). */
#define EXTRA_TYPE_XDP	5

static netif_tx_request_t *
next_tx_req(struct fq *q)
{
	return RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt++);
}

uint16_t
put_frame_ex(struct fq *q, const uint8_t *frame, unsigned int len,
	     uint16_t flags, const struct netif_extra_info *ex,
	     unsigned int nr_ex)
{
	unsigned int off = 0, slot = 0, j, i, first = 0;

	do {
		unsigned int chunk = len - off > PAGE ? PAGE : len - off;
		netif_tx_request_t *req;

		for (j = 0; j < NR_BUFS && q->tx_busy[j]; j++)
			;
		REQUIRE(j < NR_BUFS, "out of TX buffers");
		if (slot == 0)
			first = j;
		q->tx_busy[j] = true;
		memcpy(q->txbuf + j * PAGE, frame + off, chunk);
		req = next_tx_req(q);
		req->gref = q->txrefs[j];
		req->offset = 0;
		req->id = (uint16_t)j;
		req->size = (uint16_t)(slot == 0 ? len : chunk);
		req->flags = (slot == 0 ? flags : 0) |
			     (slot == 0 && nr_ex ? NETTXF_extra_info : 0) |
			     (off + chunk < len ? NETTXF_more_data : 0);
		for (i = 0; slot == 0 && i < nr_ex; i++) {
			struct netif_extra_info *e = (void *)next_tx_req(q);

			*e = ex[i];
			e->flags = i + 1 < nr_ex ? XEN_NETIF_EXTRA_FLAG_MORE :
				   0;
		}
		off += chunk;
		slot++;
	} while (off < len);
	return (uint16_t)first;
}

uint16_t
put_frame(struct fq *q, const uint8_t *frame, unsigned int len,
	  uint16_t flags)
{
	return put_frame_ex(q, frame, len, flags, NULL, 0);
}

void
push_tx(struct fq *q)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		xenplat_evtchn_notify(q->ev[0]);
}

void
post_frame(struct fq *q, const uint8_t *frame, unsigned int len,
	   uint16_t flags)
{
	put_frame(q, frame, len, flags);
	push_tx(q);
}

/* The next TX response that is not null; false if none is there. */
static bool
take_tx_rsp(struct fq *q, netif_tx_response_t *rsp)
{
	while (RING_HAS_UNCONSUMED_RESPONSES(&q->tx)) {
		RING_COPY_RESPONSE(&q->tx, q->tx.rsp_cons, rsp);
		q->tx.rsp_cons++;
		if (rsp->status == NETIF_RSP_NULL)
			continue;
		CHECK(rsp->id < NR_BUFS && q->tx_busy[rsp->id],
		      "TX response id %u was not in flight", rsp->id);
		if (rsp->id < NR_BUFS)
			q->tx_busy[rsp->id] = false;
		return true;
	}
	return false;
}

unsigned int
reap_tx(struct fq *q)
{
	netif_tx_response_t rsp;
	unsigned int n = 0;

	while (take_tx_rsp(q, &rsp)) {
		CHECK(rsp.status == NETIF_RSP_OKAY, "TX status %d",
		      rsp.status);
		n++;
	}
	return n;
}

unsigned int
reap_tx_rsp(struct fq *q, netif_tx_response_t *rsp, unsigned int max)
{
	long end = now_ms() + WAIT_MS;
	unsigned int n = 0;

	while (n < max && now_ms() < end) {
		int work;

		RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, work);
		if (!work) {
			xenplat_evtchn_wait(q->ev[0], 50);
			continue;
		}
		if (take_tx_rsp(q, &rsp[n]))
			n++;
	}
	return n;
}

void
reap_tx_all(struct fq *q)
{
	long end = now_ms() + WAIT_MS;
	unsigned int j = 0;

	while (j < NR_BUFS && now_ms() < end) {
		reap_tx(q);
		for (j = 0; j < NR_BUFS && !q->tx_busy[j]; j++)
			;
		if (j < NR_BUFS)
			sleep_ms(2);
	}
	CHECK(j == NR_BUFS, "TX buffer %u never answered", j);
}

/* Give the backend back the page of the request at ring index idx: ids
 * were posted as 0..NR_BUFS-1 and every answered slot is reposted in
 * order, so index idx always holds id idx % NR_BUFS. */
static void
repost(struct fq *q, RING_IDX idx)
{
	netif_rx_request_t *req = RING_GET_REQUEST(&q->rx, q->rx.req_prod_pvt);
	uint16_t id = (uint16_t)(idx % NR_BUFS);
	int notify;

	q->rx.req_prod_pvt++;
	req->id = id;
	req->gref = q->rxrefs[id];
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		xenplat_evtchn_notify(fq_rx_ev(q));
}

/*
 * The extra-info slots after a first data slot, in the order of their
 * types as Linux netback sends them: a GSO one, then the XDP one that
 * answers a headroom (the headroom in its first 16 bits).
 */
static void
take_extras(struct fe *fe, struct fq *q, struct rx_info *ri)
{
	struct netif_extra_info ex;
	bool more = true, xdp = false;

	while (more) {
		CHECK(q->rx.rsp_cons != q->rx.sring->rsp_prod,
		      "extra-info slot not pushed with its packet");
		if (q->rx.rsp_cons == q->rx.sring->rsp_prod)
			break;
		memcpy(&ex, RING_GET_RESPONSE(&q->rx, q->rx.rsp_cons),
		       sizeof(ex));
		repost(q, q->rx.rsp_cons);
		q->rx.rsp_cons++;
		more = ex.flags & XEN_NETIF_EXTRA_FLAG_MORE;
		if (ex.type == XEN_NETIF_EXTRA_TYPE_GSO && !xdp &&
		    ri->gso.type == XEN_NETIF_EXTRA_TYPE_NONE) {
			ri->gso = ex;
		} else if (ex.type == EXTRA_TYPE_XDP && !xdp) {
			xdp = true;
			CHECK(ex.u.pad[0] == fe->headroom,
			      "XDP extra slot says headroom %u, not %u",
			      ex.u.pad[0], fe->headroom);
		} else {
			CHECK(false, "extra slot of type %u (flags %u) out of "
			      "place", ex.type, ex.flags);
		}
	}
	CHECK(xdp == (fe->headroom != 0), "XDP extra slot %s with headroom "
	      "%u", xdp ? "sent" : "missing", fe->headroom);
}

int
recv_frame_info(struct fe *fe, struct fq *q, uint8_t *out, size_t max,
		struct rx_info *ri)
{
	long end = now_ms() + WAIT_MS;
	struct rx_info dummy;
	unsigned int len = 0;
	bool more = true;

	if (ri == NULL)
		ri = &dummy;
	memset(ri, 0, sizeof(*ri));
	while (more) {
		netif_rx_response_t rsp;
		int work;

		RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, work);
		if (!work) {
			if (now_ms() > end)
				return -1;
			xenplat_evtchn_wait(fq_rx_ev(q), 50);
			continue;
		}
		RING_COPY_RESPONSE(&q->rx, q->rx.rsp_cons, &rsp);
		CHECK(rsp.id == q->rx.rsp_cons % NR_BUFS,
		      "RX id %u at index %u", rsp.id, q->rx.rsp_cons);
		q->rx.rsp_cons++;
		CHECK(rsp.id < NR_BUFS, "RX id %u never posted", rsp.id);
		CHECK(rsp.status > 0 && rsp.offset + (unsigned int)rsp.status <=
		      PAGE,
		      "RX response offset %u status %d", rsp.offset,
		      rsp.status);
		/* Linux: data at the headroom, which the size counts in. */
		CHECK(rsp.offset == 0 && rsp.status > (int)fe->headroom,
		      "RX slot %u at offset %u, size %d, headroom %u",
		      ri->slots, rsp.offset, rsp.status, fe->headroom);
		if (rsp.id >= NR_BUFS || rsp.status <= (int)fe->headroom ||
		    len + rsp.status - fe->headroom > max ||
		    rsp.offset + (unsigned int)rsp.status > PAGE)
			return -1;
		memcpy(out + len, q->rxbuf + rsp.id * PAGE + fe->headroom,
		       rsp.status - fe->headroom);
		len += rsp.status - fe->headroom;
		more = rsp.flags & NETRXF_more_data;
		if (ri->slots == 0)
			ri->flags = rsp.flags;
		/* Extra-info slots follow the first data slot only; with a
		 * headroom there is always one. */
		CHECK(ri->slots == 0 ? fe->headroom == 0 ||
		      (rsp.flags & NETRXF_extra_info) :
		      !(rsp.flags & NETRXF_extra_info),
		      "RX slot %u flags %#x with headroom %u", ri->slots,
		      rsp.flags, fe->headroom);
		/* Repost the page right away, same id. */
		repost(q, q->rx.rsp_cons - 1);
		if (ri->slots++ == 0 && (rsp.flags & NETRXF_extra_info))
			take_extras(fe, q, ri);
	}
	return (int)len;
}

int
recv_frame(struct fe *fe, struct fq *q, uint8_t *out, size_t max)
{
	return recv_frame_info(fe, q, out, max, NULL);
}

long
status_value(unsigned int h, const char *key)
{
	static char buf[65536];
	char path[128], pat[64];
	const char *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/status.json", sim_run_dir());
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	snprintf(pat, sizeof(pat), "\"vif\":\"1/%u\"", h);
	p = strstr(buf, pat);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = p ? strstr(p, pat) : NULL;
	if (p == NULL)
		return -1;
	p += strlen(pat);
	/* A flag counts as 0 or 1. */
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0)
		return *p == 't';
	return strtol(p, NULL, 10);
}

long
status_await(unsigned int h, const char *key, long want)
{
	long end = now_ms() + WAIT_MS, v;

	while ((v = status_value(h, key)) != want && now_ms() < end)
		sleep_ms(20);
	return v;
}

void
fe_up(struct fe *fe)
{
	REQUIRE(wait_be_state(fe->handle, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(fe->handle));
	fe_connect(fe, false, 1);
	REQUIRE(wait_be_state(fe->handle, XenbusStateConnected),
		"backend not Connected (%d)", be_state(fe->handle));
}

void
fe_close(struct fe *fe)
{
	fe_state(fe, XenbusStateClosing);
	CHECK(wait_be_state(fe->handle, XenbusStateClosing),
	      "backend not Closing (%d)", be_state(fe->handle));
	fe_state(fe, XenbusStateClosed);
	CHECK(wait_be_state(fe->handle, XenbusStateClosed),
	      "backend not Closed (%d)", be_state(fe->handle));
	fe_release(fe);
	fe_state(fe, XenbusStateInitialising);
	CHECK(wait_be_state(fe->handle, XenbusStateInitWait),
	      "backend not back to InitWait (%d)", be_state(fe->handle));
}
