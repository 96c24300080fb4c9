/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver's xenbus side (netfront_xenbus.c) against a xenstore whose
 * every key the input writes, driven as the ethdev drives it: attach
 * (probe), start (InitWait, connect), stop (disconnect), maybe a second
 * start/stop (dev_reset), detach (close).
 *
 * Input: 4 header bytes, then lines.
 *   byte 0: bits 0-3 queues the application configures (modulo what is
 *           offered); what start asks of the backend for RX: bit 4
 *           SCATTER, bit 5 checksum offload, bit 6 LRO (with both),
 *           bit 7 all-multicast off (the filter, if offered)
 *   byte 1: bit 0 devarg split_evtchn, bit 1 timeout_ms 1 (else 0),
 *           bit 2 xenstore cannot be opened, bit 3 start twice,
 *           bits 4-6 watch events pending, bit 7 devarg trusted
 *   byte 2: the nth xenstore operation fails with EIO (0: none)
 *   byte 3: commits answered EAGAIN
 *   lines "F key=value" (device/vif/0/key), "B key=value" (key under
 *   the path F backend names), "P path=value" (any path). A key given
 *   again adds a value the next read returns (the backend changing it).
 * The backend's feature keys (xenstore.dict lists them) are taken only
 * as 0 or 1; once connected, the frontend's keys ask for what start
 * chose and no more.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <xenstore.h>

#include "xenplat.h"
#include "netfront.h"
#include "fake_xenstore.h"
#include "fuzz.h"

#define FE	"device/vif/0"
#define BE_DEFAULT	"/local/domain/0/backend/vif/1/0"

static struct {
	struct xenplat *xp;
	struct netfront_adapter ad;
	struct rte_eth_dev dev;
	struct rte_eth_dev_data data;
	void *rxqs[NETFRONT_MAX_QUEUES];
	void *txqs[NETFRONT_MAX_QUEUES];
	struct netfront_rxq rxq[NETFRONT_MAX_QUEUES];
	struct netfront_txq txq[NETFRONT_MAX_QUEUES];
} fz;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];

	fz_quiet_logs();
	fz.xp = xenplat_open("fuzz", err, sizeof(err));
	FZ_CHECK(fz.xp != NULL, "%s", err);
	return 0;
}

/* One "T key=value" line of type T into the store. */
static void
add_line(const uint8_t *l, size_t len, char type, const char *be)
{
	const uint8_t *end = l + len, *k = l + 1, *eq;
	char path[512];
	int klen;

	if (len < 2 || l[0] != type)
		return;
	if (*k == ' ')
		k++;
	eq = memchr(k, '=', end - k);
	if (eq == NULL)
		return;
	klen = eq - k;
	if (type == 'F')
		snprintf(path, sizeof(path), FE "/%.*s", klen, k);
	else if (type == 'B')
		snprintf(path, sizeof(path), "%s/%.*s", be, klen, k);
	else
		snprintf(path, sizeof(path), "%.*s", klen, k);
	fxs_add(path, eq + 1, end - (eq + 1));
}

static void
add_lines(const uint8_t *p, size_t n, char type, const char *be)
{
	while (n > 0) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n;

		add_line(p, len, type, be);
		p += len + (nl != NULL);
		n -= len + (nl != NULL);
	}
}

static void
store_fill(const uint8_t *p, size_t n)
{
	const char *be;
	char bepath[320];

	add_lines(p, n, 'F', NULL);
	add_lines(p, n, 'P', NULL);
	be = fxs_get(FE "/backend");
	snprintf(bepath, sizeof(bepath), "%s", be ? be : BE_DEFAULT);
	add_lines(p, n, 'B', bepath);
}

/* What a successful probe may hand the rest of the driver. */
static void
check_config(const struct netfront_adapter *ad)
{
	const char *p = ad->be_path + strlen("/local/domain/");
	unsigned long id = 0;

	FZ_CHECK(ad->mtu >= RTE_ETHER_MIN_MTU && ad->mtu <= NETFRONT_MAX_MTU_SG,
		 "mtu %u", ad->mtu);
	FZ_CHECK(ad->be_id < DOMID_FIRST_RESERVED, "backend-id %u", ad->be_id);
	FZ_CHECK(strncmp(ad->be_path, "/local/domain/", p - ad->be_path) == 0,
		 "backend path '%s'", ad->be_path);
	/* The digits after the prefix name the backend domain. */
	while (*p >= '0' && *p <= '9' && id <= DOMID_FIRST_RESERVED)
		id = id * 10 + (*p++ - '0');
	FZ_CHECK(p > ad->be_path + strlen("/local/domain/") && *p == '/' &&
		 id == ad->be_id, "backend path '%s', backend-id %u",
		 ad->be_path, ad->be_id);
	FZ_CHECK(rte_is_valid_assigned_ether_addr(&ad->mac), "mac");
	FZ_CHECK(ad->args.trusted || !ad->trusted, "trusted against the devarg");
	FZ_CHECK(ad->feat.max_queues >= 1 &&
		 ad->feat.max_queues <= NETFRONT_MAX_QUEUES,
		 "max_queues %u", ad->feat.max_queues);
}

/* The value the driver last read of backend key, as a boolean feature. */
static bool
feature(const struct netfront_adapter *ad, const char *key)
{
	char path[320];
	const char *v;
	char *end;
	unsigned long n;

	snprintf(path, sizeof(path), "%s/%s", ad->be_path, key);
	v = fxs_last_read(path);
	if (v == NULL)
		return false;
	errno = 0;
	n = strtoul(v, &end, 10);
	FZ_CHECK(errno == 0 && end != v && *end == '\0' && v[0] != '-' &&
		 n <= 1, "%s is '%s', yet taken", key, v);
	return n;
}

/*
 * After read_features: each feature as the backend's key says. Unless a
 * read failed (the driver then takes the key as absent).
 */
static void
check_features(const struct netfront_adapter *ad)
{
	const struct netfront_backend_features *f = &ad->feat;
	static const char *const keys[] = {
		"feature-split-event-channels", "feature-sg",
		"feature-ipv6-csum-offload", "feature-gso-tcpv4",
		"feature-gso-tcpv6", "feature-multicast-control",
	};
	const bool got[RTE_DIM(keys)] = {
		f->split_evtchn, f->sg, f->ipv6_csum, f->gso_tcpv4,
		f->gso_tcpv6, f->mcast_ctrl,
	};
	unsigned int i;

	if (fxs_account()->faults != 0)
		return;
	FZ_CHECK(feature(ad, "feature-rx-copy"), "no feature-rx-copy");
	for (i = 0; i < RTE_DIM(keys); i++)
		FZ_CHECK(got[i] == feature(ad, keys[i]), "%s: %d", keys[i],
			 got[i]);
	FZ_CHECK(f->mcast_dynamic == (f->mcast_ctrl &&
		 feature(ad, "feature-dynamic-multicast-control")),
		 "feature-dynamic-multicast-control: %d", f->mcast_dynamic);
}

/* As netfront_start, from rx_offloads_choose: what RX asks for. */
static void
rx_offloads(struct netfront_adapter *ad, uint8_t conf)
{
	ad->rx_gso = conf & 0x40;
	ad->rx_sg = (conf & 0x10) || ad->rx_gso;
	ad->rx_csum = (conf & 0x20) || ad->rx_gso;
	ad->dev->data->all_multicast = !(conf & 0x80);
}

/* What queues_connect() sets up that the xenbus side publishes. */
static void
queues_up(struct netfront_adapter *ad, unsigned int n)
{
	bool split = ad->feat.split_evtchn && ad->args.split_evtchn;
	unsigned int q;

	ad->nr_queues = n;
	fz.data.nb_rx_queues = n;
	fz.data.nb_tx_queues = n;
	for (q = 0; q < n; q++) {
		/* As netfront_queues_connect: pair q is queues q. */
		ad->pair_tx[q] = &fz.txq[q];
		ad->pair_rx[q] = &fz.rxq[q];
		fz.txq[q].ring_ref = 1000 + 2 * q;
		fz.rxq[q].ring_ref = 1001 + 2 * q;
		fz.txq[q].evtchn = xenplat_evtchn_alloc(ad->xp, ad->be_id);
		fz.rxq[q].evtchn = split ?
			xenplat_evtchn_alloc(ad->xp, ad->be_id) :
			fz.txq[q].evtchn;
		FZ_CHECK(fz.txq[q].evtchn != NULL && fz.rxq[q].evtchn != NULL,
			 "no memory");
	}
}

static void
queues_down(struct netfront_adapter *ad)
{
	unsigned int q;

	for (q = 0; q < ad->nr_queues; q++) {
		if (fz.rxq[q].evtchn != fz.txq[q].evtchn)
			xenplat_evtchn_free(fz.rxq[q].evtchn);
		xenplat_evtchn_free(fz.txq[q].evtchn);
		fz.rxq[q].evtchn = NULL;
		fz.txq[q].evtchn = NULL;
	}
	ad->nr_queues = 0;
}

static const char *
fe_key(const char *dir, const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), FE "%s/%s", dir, key);
	return fxs_get(path);
}

static void
check_key(const char *dir, const char *key, uint32_t want)
{
	const char *v = fe_key(dir, key);

	FZ_CHECK(v != NULL && strtoul(v, NULL, 10) == want,
		 FE "%s/%s is %s, not %u", dir, key, v ? v : "absent", want);
}

/* A key the frontend writes only when on: no stale one is left. */
static void
check_opt_key(const char *key, uint32_t want)
{
	if (want != 0)
		check_key("", key, want);
	else
		FZ_CHECK(fe_key("", key) == NULL, FE "/%s is %s, not absent",
			 key, fe_key("", key));
}

/*
 * After a successful connect the frontend's keys are the layout of
 * nr_queues (netif.h) and nothing a backend would take for another one.
 */
static void
check_connected(const struct netfront_adapter *ad)
{
	bool split = ad->feat.split_evtchn && ad->args.split_evtchn;
	unsigned int q, n = ad->nr_queues;
	char dir[32];

	FZ_CHECK(fe_key("", "state") != NULL &&
		 strcmp(fe_key("", "state"), "4") == 0, "not Connected");
	check_key("", "request-rx-copy", 1);
	check_key("", "feature-sg", ad->rx_sg);
	check_key("", "feature-no-csum-offload", !ad->rx_csum);
	check_opt_key("feature-ipv6-csum-offload", ad->rx_csum);
	check_opt_key("feature-gso-tcpv4", ad->rx_gso);
	check_opt_key("feature-gso-tcpv6", ad->rx_gso);
	/* Never asked for: a previous frontend's is removed. */
	check_opt_key("xdp-headroom", 0);
	check_opt_key("request-multicast-control",
		      netfront_mcast_filtering(ad));
	if (n > 1)
		check_key("", "multi-queue-num-queues", n);
	else if (fe_key("", "multi-queue-num-queues") != NULL)
		check_key("", "multi-queue-num-queues", 1);
	for (q = n > 1 ? n : 0; q < ad->feat.max_queues; q++) {
		snprintf(dir, sizeof(dir), "/queue-%u", q);
		FZ_CHECK(fe_key(dir, "tx-ring-ref") == NULL &&
			 fe_key(dir, "event-channel") == NULL &&
			 fe_key(dir, "event-channel-tx") == NULL,
			 "stale queue-%u", q);
	}
	for (q = 0; q < n; q++) {
		if (n == 1)
			dir[0] = '\0';
		else
			snprintf(dir, sizeof(dir), "/queue-%u", q);
		check_key(dir, "tx-ring-ref", fz.txq[q].ring_ref);
		check_key(dir, "rx-ring-ref", fz.rxq[q].ring_ref);
		if (split) {
			check_key(dir, "event-channel-tx",
				  xenplat_evtchn_port(fz.txq[q].evtchn));
			check_key(dir, "event-channel-rx",
				  xenplat_evtchn_port(fz.rxq[q].evtchn));
			FZ_CHECK(fe_key(dir, "event-channel") == NULL,
				 "event-channel beside a split pair");
		} else {
			check_key(dir, "event-channel",
				  xenplat_evtchn_port(fz.txq[q].evtchn));
			FZ_CHECK(fe_key(dir, "event-channel-tx") == NULL &&
				 fe_key(dir, "event-channel-rx") == NULL,
				 "a stale split pair");
		}
	}
	if (n > 1)
		FZ_CHECK(fe_key("", "tx-ring-ref") == NULL &&
			 fe_key("", "event-channel") == NULL,
			 "single-queue keys beside queue-N");
}

/* netfront_start() then netfront_stop(); false if start failed early. */
static bool
start_stop(struct netfront_adapter *ad, uint8_t conf)
{
	unsigned int n;
	int rc;

	if (netfront_xb_wait_initwait(ad) != 0)
		return false;
	check_features(ad);
	rx_offloads(ad, conf);
	/* As netfront_start: the queues fit what InitWait offered. */
	n = 1 + (conf & 15) % ad->feat.max_queues;
	check_config(ad);
	queues_up(ad, RTE_MIN(n, NETFRONT_MAX_QUEUES));
	rc = netfront_xb_connect(ad);
	if (rc == 0) {
		if (fxs_account()->faults == 0)
			check_connected(ad);
		netfront_xb_carrier(ad);
		/* What a watch event makes the driver read and write: a
		 * restored domain's directory is not ours to write. */
		if (!netfront_xb_restored(ad) &&
		    netfront_xb_backend_state(ad) != XenbusStateConnected) {
			netfront_xb_close(ad);
			netfront_xb_wake(ad);
		}
	}
	netfront_xb_disconnect(ad);
	if (fxs_account()->faults == 0)
		FZ_CHECK(fe_key("", "state") != NULL &&
			 strcmp(fe_key("", "state"), "6") == 0,
			 "not Closed after stop");
	queues_down(ad);
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netfront_adapter *ad = &fz.ad;
	const struct fxs_account *acct = fxs_account();
	uint8_t conf, flags;
	unsigned int q;

	if (size < 4)
		return 0;
	conf = data[0];
	flags = data[1];
	fxs_reset();
	fxs_fail_op(data[2]);
	fxs_conflicts(data[3]);
	fxs_watch_events((flags >> 4) & 7);
	if (flags & 4)
		fxs_fail_open();
	store_fill(data + 4, size - 4);

	memset(ad, 0, sizeof(*ad));
	memset(&fz.data, 0, sizeof(fz.data));
	for (q = 0; q < NETFRONT_MAX_QUEUES; q++) {
		fz.rxqs[q] = &fz.rxq[q];
		fz.txqs[q] = &fz.txq[q];
	}
	fz.dev.data = &fz.data;
	fz.data.rx_queues = fz.rxqs;
	fz.data.tx_queues = fz.txqs;
	fz.data.dev_private = ad;
	ad->dev = &fz.dev;
	ad->xp = fz.xp;
	/* Not empty: no kernel xen-netfront to unbind in sysfs. */
	snprintf(ad->args.xensim, sizeof(ad->args.xensim), "fuzz");
	ad->args.split_evtchn = flags & 1;
	ad->args.timeout_ms = (flags >> 1) & 1;
	ad->args.trusted = flags >> 7;

	if (netfront_xb_attach(ad) == 0) {
		check_config(ad);
		check_features(ad);
		if (start_stop(ad, conf) && (flags & 8))
			start_stop(ad, conf);
		netfront_xb_detach(ad, true);
	}
	FZ_CHECK(acct->handles == 0, "%u xenstore handles left open",
		 acct->handles);
	FZ_CHECK(acct->transactions == 0, "%u transactions never ended",
		 acct->transactions);
	FZ_CHECK(acct->watches == 0, "%u watches left", acct->watches);
	FZ_CHECK(acct->misuse == 0, "unknown handle, transaction or watch");
	fxs_reset();
	return 0;
}
