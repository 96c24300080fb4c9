/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The xenbus side of the vif, through libxenstore: configuration written by
 * the toolstack, the backend's features, and the state handshake as Linux
 * xen-netfront does it (Initialising -> Connected, Closing -> Closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <xenstore.h>

#include "xenplat.h"
#include "netfront.h"

#define SYSFS_VIF	"/sys/bus/xen/drivers/vif"
/* Poll the state at least this often even without a watch event. */
#define WAIT_SLICE_MS	100
#define XS_TX_RETRIES	100

static char *
xb_read(struct netfront_adapter *ad, const char *dir, const char *key)
{
	char path[320];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_read(ad->xsh, XBT_NULL, path, &len);
}

/* 0 and *val, -ENOENT when absent, -EINVAL when not a number <= max. */
static int
xb_read_uint(struct netfront_adapter *ad, const char *dir, const char *key,
	     unsigned long max, unsigned long *val)
{
	char *s = xb_read(ad, dir, key);
	char *end;
	int rc = 0;

	if (s == NULL)
		return -ENOENT;
	errno = 0;
	*val = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    *val > max)
		rc = -EINVAL;
	free(s);
	return rc;
}

static int
xb_state(struct netfront_adapter *ad, const char *dir)
{
	unsigned long st;
	int rc = xb_read_uint(ad, dir, "state", XenbusStateReconfigured, &st);

	return rc < 0 ? XenbusStateUnknown : (int)st;
}

static int
xb_set_state(struct netfront_adapter *ad, enum xenbus_state st)
{
	char path[64], val[4];
	int n = snprintf(val, sizeof(val), "%d", st);

	snprintf(path, sizeof(path), "%s/state", ad->fe_path);
	if (!xs_write(ad->xsh, XBT_NULL, path, val, n)) {
		PMD_DRV_LOG(ERR, "vif%u: cannot write %s: %s", ad->args.vif,
			    path, strerror(errno));
		return -errno;
	}
	ad->fe_state = st;
	return 0;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until the backend's state is in mask (bits of enum xenbus_state),
 * bounded by timeout_ms. Watch events only wake us up: the state is always
 * read again, so a lost or coalesced event cannot make us miss it.
 */
static int
xb_wait_backend(struct netfront_adapter *ad, unsigned int mask)
{
	uint64_t deadline = now_ms() + ad->args.timeout_ms;
	struct pollfd pfd = { .fd = xs_fileno(ad->xsh), .events = POLLIN };
	uint64_t now;
	char **ev;
	int st;

	for (;;) {
		st = xb_state(ad, ad->be_path);
		if (mask & (1u << st))
			return st;
		now = now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		poll(&pfd, pfd.fd >= 0, RTE_MIN(deadline - now,
						(uint64_t)WAIT_SLICE_MS));
		while ((ev = xs_check_watch(ad->xsh)) != NULL)
			free(ev);
	}
}

static const char *
state_name(int st)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	return st >= 0 && st < (int)RTE_DIM(names) ? names[st] : "invalid";
}

/* Kernel xen-netfront ownership, real Xen only. */
static int
kernel_unbind(struct netfront_adapter *ad)
{
	char path[128], name[16];
	int fd, n;

	n = snprintf(name, sizeof(name), "vif-%u", ad->args.vif);
	snprintf(path, sizeof(path), SYSFS_VIF "/%s", name);
	if (access(path, F_OK) != 0)
		return 0;
	if (!ad->args.unbind) {
		PMD_DRV_LOG(ERR, "vif%u is driven by the kernel's "
			    "xen-netfront: run 'echo %s > " SYSFS_VIF
			    "/unbind' first, or pass unbind=1",
			    ad->args.vif, name);
		return -EBUSY;
	}
	fd = open(SYSFS_VIF "/unbind", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, name, n) != n) {
		PMD_DRV_LOG(ERR, "vif%u: cannot unbind %s from xen-netfront: "
			    "%s", ad->args.vif, name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	close(fd);
	ad->unbound_kernel = true;
	return 0;
}

static void
kernel_rebind(struct netfront_adapter *ad)
{
	char name[16];
	int fd, n;

	if (!ad->unbound_kernel)
		return;
	n = snprintf(name, sizeof(name), "vif-%u", ad->args.vif);
	fd = open(SYSFS_VIF "/bind", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, name, n) != n)
		PMD_DRV_LOG(WARNING, "vif%u: cannot give %s back to "
			    "xen-netfront: %s", ad->args.vif, name,
			    strerror(errno));
	if (fd >= 0)
		close(fd);
	ad->unbound_kernel = false;
}

static int
read_config(struct netfront_adapter *ad)
{
	char dom[32];
	unsigned long v;
	char *s;
	int rc, n;

	s = xb_read(ad, ad->fe_path, "backend");
	if (s == NULL || s[0] == '\0' || strlen(s) >= sizeof(ad->be_path)) {
		PMD_DRV_LOG(ERR, "vif%u: %s/backend is %s", ad->args.vif,
			    ad->fe_path, s == NULL ? "missing (no such vif?)" :
			    "malformed");
		free(s);
		return -ENODEV;
	}
	strcpy(ad->be_path, s);
	free(s);

	rc = xb_read_uint(ad, ad->fe_path, "backend-id",
			  DOMID_FIRST_RESERVED - 1, &v);
	if (rc < 0) {
		PMD_DRV_LOG(ERR, "vif%u: %s/backend-id is %s", ad->args.vif,
			    ad->fe_path, rc == -ENOENT ? "missing" :
			    "not a domain id");
		return rc;
	}
	ad->be_id = (uint16_t)v;
	/*
	 * The backend's keys lie in its own domain's tree: anywhere else
	 * (another guest's, ours) the "backend" could be anyone.
	 */
	n = snprintf(dom, sizeof(dom), "/local/domain/%u/", ad->be_id);
	if (strncmp(ad->be_path, dom, n) != 0 || ad->be_path[n] == '\0' ||
	    strstr(ad->be_path, "/..") != NULL) {
		PMD_DRV_LOG(ERR, "vif%u: %s/backend '%s' is not under %s (the "
			    "tree of backend-id %u)", ad->args.vif, ad->fe_path,
			    ad->be_path, dom, ad->be_id);
		return -EINVAL;
	}

	/* As Linux netfront: absent is trusted, the devarg can only deny. */
	rc = xb_read_uint(ad, ad->fe_path, "trusted", 1, &v);
	if (rc == -EINVAL) {
		PMD_DRV_LOG(ERR, "vif%u: %s/trusted is not 0 or 1",
			    ad->args.vif, ad->fe_path);
		return rc;
	}
	ad->trusted = ad->args.trusted && (rc == -ENOENT || v == 1);

	s = xb_read(ad, ad->fe_path, "mac");
	if (s == NULL || rte_ether_unformat_addr(s, &ad->mac) != 0 ||
	    strlen(s) != RTE_ETHER_ADDR_FMT_SIZE - 1 ||
	    !rte_is_valid_assigned_ether_addr(&ad->mac)) {
		PMD_DRV_LOG(ERR, "vif%u: %s/mac is %s", ad->args.vif,
			    ad->fe_path, s == NULL ? "missing" :
			    "not a unicast MAC address");
		free(s);
		return -EINVAL;
	}
	free(s);

	rc = xb_read_uint(ad, ad->fe_path, "mtu", NETFRONT_MAX_MTU_SG, &v);
	if (rc == -ENOENT) {
		v = RTE_ETHER_MTU;
	} else if (rc < 0 || v < RTE_ETHER_MIN_MTU) {
		PMD_DRV_LOG(ERR, "vif%u: %s/mtu is not an MTU in %u..%u",
			    ad->args.vif, ad->fe_path, RTE_ETHER_MIN_MTU,
			    NETFRONT_MAX_MTU_SG);
		return -EINVAL;
	}
	ad->mtu = (uint16_t)v;
	return 0;
}

/* An optional boolean feature key: absent is 0. */
static int
read_feature(struct netfront_adapter *ad, const char *key, unsigned long max,
	     unsigned long *val)
{
	int rc = xb_read_uint(ad, ad->be_path, key, max, val);

	if (rc == -ENOENT) {
		*val = 0;
		return 0;
	}
	if (rc < 0)
		PMD_DRV_LOG(ERR, "vif%u: backend key %s/%s is malformed",
			    ad->args.vif, ad->be_path, key);
	return rc;
}

static int
read_features(struct netfront_adapter *ad)
{
	struct netfront_backend_features *f = &ad->feat;
	unsigned long split, mq, sg, copy, v6, gso4, gso6, mc, dmc;

	if (read_feature(ad, "feature-split-event-channels", 1, &split) ||
	    read_feature(ad, "multi-queue-max-queues", 65535, &mq) ||
	    read_feature(ad, "feature-sg", 1, &sg) ||
	    read_feature(ad, "feature-rx-copy", 1, &copy) ||
	    read_feature(ad, "feature-ipv6-csum-offload", 1, &v6) ||
	    read_feature(ad, "feature-gso-tcpv4", 1, &gso4) ||
	    read_feature(ad, "feature-gso-tcpv6", 1, &gso6) ||
	    read_feature(ad, "feature-multicast-control", 1, &mc) ||
	    read_feature(ad, "feature-dynamic-multicast-control", 1, &dmc))
		return -EINVAL;
	if (!copy) {
		PMD_DRV_LOG(ERR, "vif%u: backend %s lacks feature-rx-copy, "
			    "which this driver requires", ad->args.vif,
			    ad->be_path);
		return -ENOTSUP;
	}
	f->split_evtchn = split;
	/* More than we can use only costs xenstore work (stale keys). */
	f->max_queues = RTE_MAX(RTE_MIN(mq, (unsigned long)NETFRONT_MAX_QUEUES),
				1ul);
	f->sg = sg;
	f->ipv6_csum = v6;
	f->gso_tcpv4 = gso4;
	f->gso_tcpv6 = gso6;
	f->mcast_ctrl = mc;
	f->mcast_dynamic = mc && dmc;
	return 0;
}

/* Unplugged: writing our state would create the directory again. */
static bool
frontend_gone(struct netfront_adapter *ad)
{
	char *s = xb_read(ad, ad->fe_path, "backend");

	free(s);
	return s == NULL && errno == ENOENT;
}

/*
 * Bring the connection down as xen-netfront's remove does:
 * Closing, backend Closing/Closed, Closed, backend Closed.
 */
void
netfront_xb_disconnect(struct netfront_adapter *ad)
{
	int st;

	/* Restored: the directory is the new domain's, not ours to close. */
	if (ad->restored || frontend_gone(ad) ||
	    xb_set_state(ad, XenbusStateClosing) != 0)
		return;
	st = xb_wait_backend(ad, 1u << XenbusStateClosing |
			     1u << XenbusStateClosed |
			     1u << XenbusStateUnknown);
	if (st < 0)
		PMD_DRV_LOG(WARNING, "vif%u: backend did not reach Closing "
			    "within %u ms", ad->args.vif, ad->args.timeout_ms);
	if (xb_set_state(ad, XenbusStateClosed) != 0)
		return;
	st = xb_wait_backend(ad, 1u << XenbusStateClosed |
			     1u << XenbusStateUnknown);
	if (st < 0)
		PMD_DRV_LOG(WARNING, "vif%u: backend did not reach Closed "
			    "within %u ms", ad->args.vif, ad->args.timeout_ms);
}

/* Frontend to Initialising and backend to InitWait; then its features. */
int
netfront_xb_wait_initwait(struct netfront_adapter *ad)
{
	int st = xb_state(ad, ad->fe_path);

	if (st != XenbusStateInitialising && st != XenbusStateClosed &&
	    st != XenbusStateUnknown)
		netfront_xb_disconnect(ad);
	/* Rewriting Initialising also wakes a backend left in Closed. */
	if (xb_state(ad, ad->be_path) != XenbusStateInitWait &&
	    xb_set_state(ad, XenbusStateInitialising) != 0)
		return -EIO;
	st = xb_wait_backend(ad, 1u << XenbusStateInitWait);
	if (st < 0) {
		PMD_DRV_LOG(ERR, "vif%u: backend %s did not reach InitWait "
			    "within timeout_ms=%u (it is %s)", ad->args.vif,
			    ad->be_path, ad->args.timeout_ms,
			    state_name(xb_state(ad, ad->be_path)));
		return st;
	}
	return read_features(ad);
}

int
netfront_xb_attach(struct netfront_adapter *ad)
{
	char token[32];
	char path[320];
	int rc;

	if (ad->args.xensim[0] == '\0') {
		rc = kernel_unbind(ad);
		if (rc != 0)
			return rc;
	}
	ad->xsh = xenplat_xs_open(ad->xp);
	if (ad->xsh == NULL) {
		PMD_DRV_LOG(ERR, "vif%u: cannot open xenstore on %s: %s",
			    ad->args.vif, xenplat_name(ad->xp),
			    xenplat_strerror(ad->xp));
		rc = -EIO;
		goto fail;
	}
	snprintf(ad->fe_path, sizeof(ad->fe_path), "device/vif/%u",
		 ad->args.vif);
	ad->restored = false;
	rc = read_config(ad);
	if (rc != 0)
		goto fail;
	ad->fe_state = xb_state(ad, ad->fe_path);
	/* The whole directory: state, carrier, and its removal. */
	snprintf(path, sizeof(path), "%s", ad->be_path);
	snprintf(token, sizeof(token), "netfront-%p", (void *)ad);
	/* Creates the watch pipe first, so no event can be missed. */
	xs_fileno(ad->xsh);
	if (!xs_watch(ad->xsh, path, token)) {
		PMD_DRV_LOG(ERR, "vif%u: cannot watch %s: %s", ad->args.vif,
			    path, strerror(errno));
		rc = -EIO;
		goto fail;
	}
	rc = netfront_xb_wait_initwait(ad);
	if (rc == 0)
		return 0;
	xs_unwatch(ad->xsh, path, token);
fail:
	if (ad->xsh != NULL)
		xs_close(ad->xsh);
	ad->xsh = NULL;
	kernel_rebind(ad);
	return rc;
}

/*
 * Leave xenstore as xen-netfront's remove does; give_back hands the vif
 * to the kernel's xen-netfront again (not on a reset, which attaches
 * again at once).
 */
void
netfront_xb_detach(struct netfront_adapter *ad, bool give_back)
{
	char token[32];

	if (ad->xsh == NULL)
		return;
	if (xb_state(ad, ad->fe_path) != XenbusStateClosed)
		netfront_xb_disconnect(ad);
	/*
	 * xen-netfront's probe waits for the backend to leave Closed and is
	 * not woken when it does: hand it a backend at InitWait.
	 */
	if (give_back && ad->unbound_kernel && netfront_xb_wake(ad) &&
	    xb_wait_backend(ad, 1u << XenbusStateInitWait) < 0)
		PMD_DRV_LOG(WARNING, "vif%u: backend did not return to "
			    "InitWait: xen-netfront may wait for it",
			    ad->args.vif);
	snprintf(token, sizeof(token), "netfront-%p", (void *)ad);
	xs_unwatch(ad->xsh, ad->be_path, token);
	xs_close(ad->xsh);
	ad->xsh = NULL;
	if (give_back)
		kernel_rebind(ad);
}

int
netfront_xb_fd(struct netfront_adapter *ad)
{
	return xs_fileno(ad->xsh);
}

/*
 * After a watch event: the backend's state, XenbusStateUnknown once its
 * directory is gone. Reading the state, not the events, tells: events
 * may be coalesced.
 */
int
netfront_xb_backend_state(struct netfront_adapter *ad)
{
	char **ev;

	while ((ev = xs_check_watch(ad->xsh)) != NULL)
		free(ev);
	return xb_state(ad, ad->be_path);
}

/*
 * The backend left while we were connected: close as Linux netfront does
 * then, without waiting, so that the toolstack's detach completes.
 */
void
netfront_xb_close(struct netfront_adapter *ad)
{
	if (!frontend_gone(ad) &&
	    xb_set_state(ad, XenbusStateClosing) == 0)
		xb_set_state(ad, XenbusStateClosed);
}

/*
 * Our directory was made anew behind us. After a save/restore (or a
 * migration) the guest is a new domain, whose toolstack made a frontend
 * directory at Initialising and a new backend, on Xen under the new
 * domain id (*moved); the connection's grants and event channels died
 * with the old domain. A vif plugged again after an unplug looks the same
 * but for the backend path.
 */
static bool
renewed(struct netfront_adapter *ad, bool *moved)
{
	char *be = xb_read(ad, ad->fe_path, "backend");
	int st;

	*moved = false;
	if (be == NULL)
		return false;
	*moved = strcmp(be, ad->be_path) != 0;
	free(be);
	st = xb_state(ad, ad->fe_path);
	return *moved || (st != XenbusStateUnknown && st != ad->fe_state);
}

bool
netfront_xb_renewed(struct netfront_adapter *ad)
{
	bool moved;

	return renewed(ad, &moved);
}

/*
 * Renewed by a restore: the backend moved (a new domain id), or we never
 * left (xensim keeps the domain id). A vif plugged again comes only after
 * we closed, as libxl waits for the backend to close and netback for us;
 * its old channels are ours to unbind.
 */
bool
netfront_xb_restored(struct netfront_adapter *ad)
{
	bool moved;

	return renewed(ad, &moved) && (moved || !ad->gone);
}

/*
 * The backend closed after it left: unless the toolstack is taking the
 * vif away (online 0), ask it back (Initialising wakes a Closed netback
 * to InitWait), so that a restarted backend can be reset to. True when
 * asked.
 */
bool
netfront_xb_wake(struct netfront_adapter *ad)
{
	unsigned long online;
	int rc = xb_read_uint(ad, ad->be_path, "online", 1, &online);

	if ((rc == 0 && online == 0) || rc == -EINVAL ||
	    xb_state(ad, ad->fe_path) != XenbusStateClosed)
		return false;
	return xb_set_state(ad, XenbusStateInitialising) == 0;
}

static bool
xb_printf(struct netfront_adapter *ad, xs_transaction_t t, const char *dir,
	  const char *key, unsigned int val)
{
	char path[320], buf[16];
	int n = snprintf(buf, sizeof(buf), "%u", val);

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (xs_write(ad->xsh, t, path, buf, n))
		return true;
	PMD_DRV_LOG(ERR, "vif%u: cannot write %s: %s", ad->args.vif, path,
		    strerror(errno));
	return false;
}

/* Remove a key of the layout we are not using; absent is fine. */
static bool
xb_rm(struct netfront_adapter *ad, xs_transaction_t t, const char *dir,
      const char *key)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_rm(ad->xsh, t, path) || errno == ENOENT;
}

static bool
write_queue(struct netfront_adapter *ad, xs_transaction_t t, unsigned int q)
{
	struct netfront_txq *txq = ad->pair_tx[q];
	struct netfront_rxq *rxq = ad->pair_rx[q];
	char dir[64];

	if (ad->nr_queues == 1)
		snprintf(dir, sizeof(dir), "%s", ad->fe_path);
	else
		snprintf(dir, sizeof(dir), "%s/queue-%u", ad->fe_path, q);
	if (!xb_printf(ad, t, dir, "tx-ring-ref", txq->ring_ref) ||
	    !xb_printf(ad, t, dir, "rx-ring-ref", rxq->ring_ref))
		return false;
	if (rxq->evtchn != txq->evtchn)
		return xb_printf(ad, t, dir, "event-channel-tx",
				 xenplat_evtchn_port(txq->evtchn)) &&
		       xb_printf(ad, t, dir, "event-channel-rx",
				 xenplat_evtchn_port(rxq->evtchn)) &&
		       xb_rm(ad, t, dir, "event-channel");
	/* A stale split pair would be preferred by the backend. */
	return xb_printf(ad, t, dir, "event-channel",
			 xenplat_evtchn_port(txq->evtchn)) &&
	       xb_rm(ad, t, dir, "event-channel-tx") &&
	       xb_rm(ad, t, dir, "event-channel-rx");
}

/*
 * Keys a previous frontend (the kernel's xen-netfront, or this driver with
 * other settings) may have left that the backend would act on: offloads,
 * which write_keys() sets again as this start asks, and the layout of
 * another queue count.
 */
static bool
remove_stale_keys(struct netfront_adapter *ad, xs_transaction_t t)
{
	static const char *const offloads[] = {
		"feature-gso-tcpv4", "feature-gso-tcpv6",
		"feature-ipv6-csum-offload", "xdp-headroom",
		"request-multicast-control", "multi-queue-num-queues",
	};
	static const char *const flat[] = {
		"tx-ring-ref", "rx-ring-ref", "event-channel",
		"event-channel-tx", "event-channel-rx",
	};
	const char *fe = ad->fe_path;
	char queue[32];
	unsigned int i;

	for (i = 0; i < RTE_DIM(offloads); i++)
		if (!xb_rm(ad, t, fe, offloads[i]))
			return false;
	for (i = 0; ad->nr_queues > 1 && i < RTE_DIM(flat); i++)
		if (!xb_rm(ad, t, fe, flat[i]))
			return false;
	for (i = ad->nr_queues > 1 ? ad->nr_queues : 0;
	     i < ad->feat.max_queues; i++) {
		snprintf(queue, sizeof(queue), "queue-%u", i);
		if (!xb_rm(ad, t, fe, queue))
			return false;
	}
	return true;
}

static bool
write_keys(struct netfront_adapter *ad, xs_transaction_t t)
{
	const char *fe = ad->fe_path;
	unsigned int q;

	if (!remove_stale_keys(ad, t))
		return false;
	if (ad->feat.max_queues > 1 &&
	    !xb_printf(ad, t, fe, "multi-queue-num-queues", ad->nr_queues))
		return false;
	for (q = 0; q < ad->nr_queues; q++)
		if (!write_queue(ad, t, q))
			return false;
	/*
	 * What RX takes, as start chose it from the offloads: blank L4
	 * checksums only when the application asked for RX checksum
	 * offload, multi-slot packets only when it takes chains, GSO ones
	 * only with LRO. remove_stale_keys() took the rest away.
	 */
	if (!xb_printf(ad, t, fe, "request-rx-copy", 1) ||
	    !xb_printf(ad, t, fe, "feature-rx-notify", 1) ||
	    !xb_printf(ad, t, fe, "feature-sg", ad->rx_sg) ||
	    !xb_printf(ad, t, fe, "feature-no-csum-offload", !ad->rx_csum))
		return false;
	if (ad->rx_csum &&
	    !xb_printf(ad, t, fe, "feature-ipv6-csum-offload", 1))
		return false;
	if (ad->rx_gso &&
	    (!xb_printf(ad, t, fe, "feature-gso-tcpv4", 1) ||
	     !xb_printf(ad, t, fe, "feature-gso-tcpv6", 1)))
		return false;
	return !netfront_mcast_filtering(ad) ||
	       xb_printf(ad, t, fe, "request-multicast-control", 1);
}

/* Rings and channels of every queue are set up: publish and connect. */
int
netfront_xb_connect(struct netfront_adapter *ad)
{
	unsigned int tries;
	xs_transaction_t t;
	int st;

	for (tries = 0; tries < XS_TX_RETRIES; tries++) {
		t = xs_transaction_start(ad->xsh);
		if (t == XBT_NULL) {
			PMD_DRV_LOG(ERR, "vif%u: cannot start a xenstore "
				    "transaction: %s", ad->args.vif,
				    strerror(errno));
			return -EIO;
		}
		if (!write_keys(ad, t)) {
			xs_transaction_end(ad->xsh, t, true);
			return -EIO;
		}
		if (xs_transaction_end(ad->xsh, t, false))
			break;
		if (errno != EAGAIN) {
			PMD_DRV_LOG(ERR, "vif%u: xenstore transaction failed: "
				    "%s", ad->args.vif, strerror(errno));
			return -EIO;
		}
	}
	if (tries == XS_TX_RETRIES) {
		PMD_DRV_LOG(ERR, "vif%u: xenstore transaction kept conflicting",
			    ad->args.vif);
		return -EAGAIN;
	}
	if (xb_set_state(ad, XenbusStateConnected) != 0)
		return -EIO;
	st = xb_wait_backend(ad, 1u << XenbusStateConnected |
			     1u << XenbusStateClosing |
			     1u << XenbusStateClosed);
	if (st != XenbusStateConnected) {
		PMD_DRV_LOG(ERR, "vif%u: backend %s did not connect within "
			    "timeout_ms=%u (it is %s)", ad->args.vif,
			    ad->be_path, ad->args.timeout_ms,
			    state_name(xb_state(ad, ad->be_path)));
		return st < 0 ? st : -ECONNREFUSED;
	}
	return 0;
}

/* While connected, with feature-dynamic-multicast-control. */
int
netfront_xb_mcast_filter(struct netfront_adapter *ad, bool on)
{
	if (!xb_printf(ad, XBT_NULL, ad->fe_path, "request-multicast-control",
		       on))
		return -EIO;
	return 0;
}

/* The backend's carrier key: absent is up, anything but 0 or 1 down. */
bool
netfront_xb_carrier(struct netfront_adapter *ad)
{
	unsigned long carrier;
	int rc = xb_read_uint(ad, ad->be_path, "carrier", 1, &carrier);

	return rc == -ENOENT || (rc == 0 && carrier == 1);
}
