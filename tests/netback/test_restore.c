/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim's restore operation (xl save + xl restore of guest dom1), as the
 * guest finds it afterwards: this program is dom1's frontend of vif 1/0
 * (simfront), other processes of dom1 holding event channels across the
 * restore, and dom0's backend side, through raw hypervisor sockets.
 *
 * usage: test_restore XENSIM_BINARY
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/grant_table.h>

#include "hyp_raw.h"
#include "simfront.h"
#include "xensim_ctl.h"

/* The value a CHECK compared, for its message. */
static long long got;
static const char *xensim;

/* A port of sock's domain offered to dom0; its number. */
static uint32_t
port_alloc(int sock)
{
	raw_req.op = XSIM_EVTCHN_ALLOC_UNBOUND;
	raw_req.u.evtchn.remote = 0;
	raw_rpc(sock);
	REQUIRE(raw_rsp.rc == 0, "alloc_unbound: %s", raw_rsp.msg);
	raw_close_fds();
	return raw_rsp.port;
}

/* dom0 binds dom1's port; its fds stay in raw_fds. */
static int
port_bind(int dom0, uint32_t port)
{
	raw_req.op = XSIM_EVTCHN_BIND_INTERDOMAIN;
	raw_req.u.evtchn.remote = 1;
	raw_req.u.evtchn.port = port;
	raw_rpc(dom0);
	return raw_rsp.rc;
}

static int
port_close(int sock, uint32_t port)
{
	raw_req.op = XSIM_EVTCHN_CLOSE;
	raw_req.u.evtchn.port = port;
	raw_rpc(sock);
	return raw_rsp.rc;
}

/*
 * The number of "key": in status.json, the first one after in (NULL: the
 * top level's), once it is want, or after WAIT_MS the last one seen (-1:
 * none).
 */
static long
status_wait(const char *in, const char *key, long want)
{
	char path[128], pat[64], buf[16384];
	long v = -1, end = now_ms() + WAIT_MS;
	const char *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/status.json", sim_run_dir());
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	do {
		/* Two refreshes at --status-ms 20: what it reads is fresh. */
		sleep_ms(50);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = in != NULL ? strstr(buf, in) : buf;
		p = p != NULL ? strstr(p, pat) : NULL;
		v = p != NULL ? strtol(p + strlen(pat), NULL, 10) : -1;
	} while (v != want && now_ms() < end);
	return v;
}

static long
dom1_status(const char *key, long want)
{
	return status_wait("\"domid\":1,", key, want);
}

/* One frame out on TX, back on RX through the echo: the vif works. */
static bool
echo_one(struct fq *q)
{
	netif_tx_request_t *req = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);
	long end = now_ms() + WAIT_MS;
	netif_rx_response_t rsp;
	int notify;

	memset(q->txbuf, 0x5a, 100);
	*req = (netif_tx_request_t){ .gref = q->txrefs[0], .size = 100 };
	q->tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		xenplat_evtchn_notify(q->ev[0]);
	while (!RING_HAS_UNCONSUMED_RESPONSES(&q->rx)) {
		if (now_ms() > end)
			return false;
		xenplat_evtchn_wait(fq_rx_ev(q), 50);
	}
	RING_COPY_RESPONSE(&q->rx, q->rx.rsp_cons, &rsp);
	q->rx.rsp_cons++;
	return rsp.status == 100 && rsp.id < NR_BUFS &&
	       q->rxbuf[rsp.id * PAGE + rsp.offset] == 0x5a;
}

/* (a) The toolstack made both vifs of dom1 anew: frontend directories at
 * Initialising without the old keys, backends at InitWait. */
static void
test_xenstore(void)
{
	static const char *const gone[] = {
		"tx-ring-ref", "rx-ring-ref", "event-channel",
		"request-rx-copy", "multi-queue-num-queues", "marker",
	};
	unsigned int h, i;
	char *v;

	printf("restore: xenstore\n");
	for (h = 0; h < 2; h++) {
		CHECK((got = be_state(h)) == XenbusStateInitWait,
		      "vif 1/%u: backend state %lld", h, got);
		v = xread("device/vif/%u/state", h);
		CHECK(v != NULL && strcmp(v, "1") == 0,
		      "vif 1/%u: frontend state %s", h, v ? v : "(none)");
		free(v);
		v = xread("device/vif/%u/backend", h);
		CHECK(v != NULL, "vif 1/%u: no backend key", h);
		free(v);
		for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
			v = xread("device/vif/%u/%s", h, gone[i]);
			CHECK(v == NULL, "vif 1/%u: old key %s = %s", h,
			      gone[i], v);
			free(v);
		}
	}
}

/* (b) Old refs grant nothing, yet the guest still holds them: new shares
 * get other refs, and unsharing the old ones finds nothing busy. */
static void
test_grants(struct fe *fe, int dom0)
{
	struct fq *q = &fe->q[0];
	uint32_t nref;
	unsigned int i;
	void *np;

	printf("restore: grants\n");
	CHECK((got = copy_from(dom0, 1, q->txrefs[0], 0, 64, NULL)) ==
	      GNTST_bad_gntref,
	      "copy of an old TX page: status %lld", got);
	CHECK((got = copy_from(dom0, 1, q->rxrefs[0], 0, 64, NULL)) ==
	      GNTST_bad_gntref,
	      "copy of an old RX page: status %lld", got);
	set_gref(XSIM_GNT_MAP, 1, q->tx_ref, 0, 0);
	raw_rpc(dom0);
	CHECK((got = raw_rsp.status) == GNTST_bad_gntref,
	      "map of the old TX ring: status %lld", got);
	raw_close_fds();
	CHECK((got = dom1_status("grants_active", 0)) == 0,
	      "dom1 grants active after its restore: %lld", got);

	np = xenplat_share(xp, 0, 1, true, &nref);
	REQUIRE(np != NULL, "share: %s", xenplat_strerror(xp));
	CHECK(nref != q->tx_ref && nref != q->rx_ref,
	      "new share got old ring ref %u", nref);
	for (i = 0; i < NR_BUFS; i++)
		CHECK(nref != q->txrefs[i] && nref != q->rxrefs[i],
		      "new share got old page ref %u", nref);
	CHECK((got = copy_from(dom0, 1, nref, 0, 64, NULL)) == GNTST_okay,
	      "copy of a new share: status %lld", got);
	CHECK((got = xenplat_unshare(xp, np, 1)) == 0, "got %lld", got);

	CHECK((got = xenplat_unshare(xp, q->txs, 1)) == 0, "got %lld", got);
	CHECK((got = xenplat_unshare(xp, q->rxs, 1)) == 0, "got %lld", got);
	CHECK((got = xenplat_unshare(xp, q->txbuf, NR_BUFS)) == 0,
	      "got %lld", got);
	CHECK((got = xenplat_unshare(xp, q->rxbuf, NR_BUFS)) == 0,
	      "got %lld", got);
	/* Counted once: by the restore, not again by the unshares. */
	CHECK((got = dom1_status("grants_active", 0)) == 0,
	      "dom1 grants active after the unshares: %lld", got);
	CHECK((got = dom1_status("grant_end_busy", 0)) == 0,
	      "dom1 grant_end_busy %lld", got);
	/* Its ports died with the old domain: left alone, as on Linux. */
	xenplat_evtchn_abandon(q->ev[0]);
}

/*
 * (c) A process unbinds its port of before: refused, counted, and the
 * new port that got its number meanwhile is not touched.
 */
static void
test_stale_close(int hold, uint32_t stale, int dom0)
{
	struct xenplat_evtchn *ch;
	uint64_t one = 1, n;
	uint32_t p0;
	int w0, n0;

	printf("restore: a stale port unbound\n");
	ch = xenplat_evtchn_alloc(xp, 0);
	REQUIRE(ch != NULL, "evtchn: %s", xenplat_strerror(xp));
	REQUIRE(xenplat_evtchn_port(ch) == stale,
		"new port %u, not the stale one's number %u",
		xenplat_evtchn_port(ch), stale);
	REQUIRE(port_bind(dom0, stale) == 0 && raw_nfds == 2,
		"dom0 cannot bind the new port: %s", raw_rsp.msg);
	p0 = raw_rsp.port;
	w0 = raw_fds[0];
	n0 = raw_fds[1];
	raw_nfds = 0;

	CHECK((got = port_close(hold, stale)) == -ESTALE, "got %lld", got);
	CHECK(strstr(raw_rsp.msg, "restore") != NULL &&
	      strstr(raw_rsp.msg, "BUG") != NULL,
	      "message: %s", raw_rsp.msg);
	CHECK((got = port_close(hold, stale)) == -EINVAL,
	      "the stale record is still there: %lld", got);
	CHECK((got = status_wait(NULL, "stale_evtchn_closes", 1)) == 1,
	      "stale_evtchn_closes %lld", got);

	/* The new port: still bound both ways, still in the table. */
	CHECK(xenplat_evtchn_notify(ch) == 0 && readable(w0, 2000),
	      "guest -> dom0 lost");
	CHECK(read(w0, &n, sizeof(n)) == (ssize_t)sizeof(n));
	CHECK(write(n0, &one, sizeof(one)) == (ssize_t)sizeof(one));
	CHECK((got = xenplat_evtchn_wait(ch, 2000)) == 1, "got %lld", got);
	close(w0);
	close(n0);
	CHECK((got = port_close(dom0, p0)) == 0, "got %lld", got);
	CHECK((got = port_bind(dom0, stale)) == 0,
	      "dom1's new port %u left the table: %lld", stale, got);
	raw_close_fds();
	CHECK((got = port_close(dom0, raw_rsp.port)) == 0, "got %lld", got);
	xenplat_evtchn_free(ch);
}

/* (d) A process that exits holding ports of before: counted, its live
 * port closed as usual. */
static void
test_stale_at_exit(int quit)
{
	printf("restore: stale ports held at exit\n");
	port_alloc(quit);
	close(quit);
	CHECK((got = status_wait(NULL, "stale_evtchn_at_exit", 2)) == 2,
	      "stale_evtchn_at_exit %lld", got);
	CHECK((got = status_wait(NULL, "stale_evtchn_closes", 1)) == 1,
	      "stale_evtchn_closes %lld", got);
}

/* The restored vif connects anew and works. */
static void
test_reconnect(void)
{
	struct fe fe = { .handle = 0, .nq = 1 };

	printf("restore: connect anew\n");
	fe_connect(&fe, true, 1);
	REQUIRE(wait_be_state(0, XenbusStateConnected),
		"backend not Connected (%d)", be_state(0));
	CHECK(echo_one(&fe.q[0]), "no echo after the restore");
	fe_state(&fe, XenbusStateClosing);
	CHECK(wait_be_state(0, XenbusStateClosing),
	      "backend not Closing (%d)", be_state(0));
	fe_state(&fe, XenbusStateClosed);
	CHECK(wait_be_state(0, XenbusStateClosed),
	      "backend not Closed (%d)", be_state(0));
	fe_release(&fe);
	CHECK((got = status_wait(NULL, "stale_evtchn_closes", 1)) == 1,
	      "stale_evtchn_closes %lld", got);
}

int
main(int argc, char **argv)
{
	static const char *const args[] = {
		"--guests", "1",
		"--vif", "1/0,end=echo,queues=1",
		"--vif", "1/1",
		"--status-ms", "20",
		NULL
	};
	struct fe fe = { .handle = 0, .nq = 1 };
	int hold, quit, dom0;
	uint32_t stale;

	if (argc != 2) {
		fprintf(stderr, "usage: %s XENSIM_BINARY\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	xensim = argv[1];
	start_xensim(xensim, args, "xensim.log");
	/* Other processes of dom1: the first port is hold's. */
	hold = raw_open(sim_run_dir(), 1);
	stale = port_alloc(hold);
	quit = raw_open(sim_run_dir(), 1);
	port_alloc(quit);
	port_alloc(quit);
	dom0 = raw_open(sim_run_dir(), 0);

	REQUIRE(wait_be_state(0, XenbusStateInitWait) &&
		wait_be_state(1, XenbusStateInitWait), "backends not InitWait");
	fe_connect(&fe, false, 1);
	REQUIRE(wait_be_state(0, XenbusStateConnected),
		"backend not Connected (%d)", be_state(0));
	REQUIRE(echo_one(&fe.q[0]), "no echo before the restore");
	REQUIRE(copy_from(dom0, 1, fe.q[0].txrefs[0], 0, 64, NULL) ==
		GNTST_okay,
		"a TX page not granted to dom0 before the restore");
	xwrite("device/vif/1/marker", "1");

	xensim_ctl(xensim, sim_run_dir(), "restore 1/0", "ok restored 1/0");
	test_xenstore();
	test_grants(&fe, dom0);
	test_stale_close(hold, stale, dom0);
	test_stale_at_exit(quit);
	test_reconnect();
	close(hold);
	close(dom0);
	finish();
}
