/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The netback's xenbus side, on the loop thread: feature keys, the state
 * machine that follows the frontend's state (as Linux xen-netback's
 * frontend_changed/set_backend_state do, intermediate states included),
 * and connecting the queues' rings and event channels.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <xen/io/xenbus.h>

#include "evtchn.h"
#include "gnttab.h"
#include "loop.h"
#include "netback_ring.h"
#include "netback_vif.h"
#include "netback_xenbus.h"
#include "vif_end.h"
#include "xs_store.h"
#include "xsim.h"

#define ETH_HLEN	14

static void
be_write(struct netback *nb, const char *key, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", nb->be_path, key);
	if (xs_dom0_write(nb->xs->xs, path, "%s", val) != 0)
		fprintf(stderr, "xensim: vif %u/%u: cannot write %s\n",
			nb->domid, nb->handle, path);
}

/* bad-state=N: the frontend reads N where InitWait should be. */
static void
switch_state(struct netback *nb, enum xenbus_state state)
{
	unsigned long bad = nb->k.v[NB_K_BAD_STATE];
	char val[24];

	nb->state = state;
	snprintf(val, sizeof(val), "%lu", state == XenbusStateInitWait &&
		 bad ? bad : (unsigned long)state);
	be_write(nb, "state", val);
}

static void
dev_verror(struct netback *nb, int err, const char *fmt, va_list ap)
{
	/* The guest may read why its vif failed, unlike on Linux. */
	const struct xs_permissions perms[] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = nb->domid, .perms = XS_PERM_READ },
	};
	char msg[256], path[128];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "xensim: vif %u/%u: %s\n", nb->domid, nb->handle,
		msg);
	/* be_path is /local/domain/0/backend/..., error/ goes before it. */
	snprintf(path, sizeof(path), "/local/domain/0/error%s/error",
		 nb->be_path + strlen("/local/domain/0"));
	if (xs_dom0_write(nb->xs->xs, path, "%d %s", -err, msg) != 0 ||
	    xs_dom0_set_perms(nb->xs->xs, path, perms, 2) != 0)
		fprintf(stderr, "xensim: vif %u/%u: cannot write %s\n",
			nb->domid, nb->handle, path);
}

static void set_backend_state(struct netback *nb, enum xenbus_state target);

/* Like xenbus_dev_fatal: the error, then Closing. */
static void
dev_fatal(struct netback *nb, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dev_verror(nb, err, fmt, ap);
	va_end(ap);
	set_backend_state(nb, XenbusStateClosing);
}

static int
fe_read_uint(struct netback *nb, const char *dir, const char *key,
	     unsigned long *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_dom0_read_uint(nb->xs->xs, path, val);
}

/* An optional frontend flag: absent is 0. */
static bool
fe_flag(struct netback *nb, const char *key)
{
	unsigned long v;

	return fe_read_uint(nb, nb->fe_path, key, &v) == 0 && v != 0;
}

static void
disconnect_queue(struct netback *nb, struct nb_queue *q)
{
	struct evtchn_table *et = nb->xs->evtchn;

	if (q->tx_mapped)
		gnttab_unmap(nb->fe_gt, 0, q->tx_ref);
	if (q->rx_mapped)
		gnttab_unmap(nb->fe_gt, 0, q->rx_ref);
	q->tx_mapped = false;
	q->rx_mapped = false;
	if (q->nr_ports > 0)
		evtchn_close(et, 0, q->tx_port);
	if (q->nr_ports > 1)
		evtchn_close(et, 0, q->rx_port);
	q->nr_ports = 0;
}

static void
disconnect(struct netback *nb)
{
	unsigned int i;

	if (nb->mcast_watch != NULL)
		xs_dom0_unwatch(nb->xs->xs, nb->mcast_watch);
	nb->mcast_watch = NULL;
	__atomic_store_n(&nb->nr_queues, 0, __ATOMIC_RELEASE);
	nb_threads_stop(nb);
	for (i = 0; i < nb->max_queues; i++)
		disconnect_queue(nb, &nb->q[i]);
	/* As Linux's xenvif_disconnect_data(): the next frontend starts
	 * with none. */
	mcast_clear(&nb->mcast);
}

static int
map_ring(struct netback *nb, const char *dir, const char *key,
	 grant_ref_t *ref, void **ring)
{
	unsigned long v;
	int16_t st;

	if (fe_read_uint(nb, dir, key, &v) != 0 || v > UINT32_MAX) {
		dev_fatal(nb, -EINVAL, "reading %s/%s", dir, key);
		return -1;
	}
	*ref = (grant_ref_t)v;
	st = gnttab_map(nb->fe_gt, 0, *ref, false, ring);
	if (st != GNTST_okay) {
		dev_fatal(nb, -EINVAL, "mapping %s/%s %lu: grant status %d",
			  dir, key, v, st);
		return -1;
	}
	return 0;
}

static int
bind_port(struct netback *nb, const char *dir, const char *key,
	  evtchn_port_t *port, int *wait_fd, int *notify_fd)
{
	struct evtchn_table *et = nb->xs->evtchn;
	unsigned long v;
	int rc;

	if (fe_read_uint(nb, dir, key, &v) != 0 || v > UINT32_MAX) {
		dev_fatal(nb, -EINVAL, "reading %s/%s", dir, key);
		return -1;
	}
	rc = evtchn_bind_interdomain(et, 0, nb->domid, (evtchn_port_t)v,
				     port);
	if (rc == 0)
		rc = evtchn_fds(et, 0, *port, wait_fd, notify_fd);
	if (rc != 0) {
		dev_fatal(nb, rc, "binding %s/%s %lu", dir, key, v);
		return -1;
	}
	return 0;
}

/* Attach to rings the frontend initialised; refuse impossible indexes. */
#define ATTACH_RING(nb, r, s, what) ({					\
	RING_IDX rsp = (s)->rsp_prod, req = (s)->req_prod;		\
									\
	BACK_RING_ATTACH(r, s, rsp, NB_PAGE_SIZE);			\
	if (req - rsp > RING_SIZE(r))					\
		dev_fatal(nb, -EIO, "%s ring: req_prod %u, rsp_prod "	\
			  "%u", what, req, rsp);			\
	req - rsp > RING_SIZE(r) ? -1 : 0;				\
})

static int
connect_queue(struct netback *nb, struct nb_queue *q, const char *dir)
{
	unsigned long v;
	void *tx, *rx;

	if (map_ring(nb, dir, "tx-ring-ref", &q->tx_ref, &tx) != 0)
		return -1;
	q->tx_mapped = true;
	if (map_ring(nb, dir, "rx-ring-ref", &q->rx_ref, &rx) != 0)
		return -1;
	q->rx_mapped = true;
	if (ATTACH_RING(nb, &q->tx, (netif_tx_sring_t *)tx, "TX") != 0 ||
	    ATTACH_RING(nb, &q->rx, (netif_rx_sring_t *)rx, "RX") != 0)
		return -1;
	if (fe_read_uint(nb, dir, "event-channel-tx", &v) == -ENOENT) {
		if (bind_port(nb, dir, "event-channel", &q->tx_port,
			      &q->tx_wait, &q->tx_notify) != 0)
			return -1;
		q->nr_ports = 1;
		q->rx_port = q->tx_port;
		q->rx_wait = q->tx_wait;
		q->rx_notify = q->tx_notify;
		return 0;
	}
	if (bind_port(nb, dir, "event-channel-tx", &q->tx_port, &q->tx_wait,
		      &q->tx_notify) != 0)
		return -1;
	q->nr_ports = 1;
	if (bind_port(nb, dir, "event-channel-rx", &q->rx_port, &q->rx_wait,
		      &q->rx_notify) != 0)
		return -1;
	q->nr_ports = 2;
	return 0;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	int n = 0;

	return s != NULL && sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%n",
				   &mac[0], &mac[1], &mac[2], &mac[3],
				   &mac[4], &mac[5], &n) == 6 &&
	       s[n] == '\0' ? 0 : -1;
}

/* Dynamic multicast control: the frontend may turn it on and off while
 * connected. */
static void
mcast_ctrl_changed(void *arg, const char *path)
{
	struct netback *nb = arg;

	(void)path;
	__atomic_store_n(&nb->mcast_ctrl,
			 fe_flag(nb, "request-multicast-control"),
			 __ATOMIC_RELAXED);
}

/* The frontend's global keys. */
static int
read_vif_flags(struct netback *nb)
{
	unsigned long v;
	char path[128], *mac;
	int rc;

	if (!fe_flag(nb, "request-rx-copy")) {
		dev_fatal(nb, -EOPNOTSUPP, "%s/request-rx-copy must be 1",
			  nb->fe_path);
		return -1;
	}
	if (!fe_flag(nb, "feature-rx-notify")) {
		dev_fatal(nb, -EINVAL, "feature-rx-notify is mandatory");
		return -1;
	}
	nb->fe_sg = fe_flag(nb, "feature-sg");
	nb->fe_no_csum = fe_flag(nb, "feature-no-csum-offload");
	nb->fe_ipv6_csum = fe_flag(nb, "feature-ipv6-csum-offload");
	nb->fe_gso = (fe_flag(nb, "feature-gso-tcpv4") ?
		      1u << XEN_NETIF_GSO_TYPE_TCPV4 : 0) |
		     (fe_flag(nb, "feature-gso-tcpv6") ?
		      1u << XEN_NETIF_GSO_TYPE_TCPV6 : 0);
	mcast_ctrl_changed(nb, NULL);
	rc = fe_read_uint(nb, nb->fe_path, "xdp-headroom", &v);
	if (rc == -ENOENT)
		v = 0;
	else if (rc != 0 || v > NB_PAGE_SIZE - ETH_HLEN) {
		dev_fatal(nb, -ERANGE, "%s/xdp-headroom must be 0..%u",
			  nb->fe_path, NB_PAGE_SIZE - ETH_HLEN);
		return -1;
	}
	nb->headroom = (unsigned int)v;
	if (nb->end != NB_END_GEN)
		return 0;
	snprintf(path, sizeof(path), "%s/mac", nb->fe_path);
	mac = xs_dom0_read(nb->xs->xs, path);
	rc = parse_mac(mac, nb->fe_mac);
	free(mac);
	if (rc != 0) {
		dev_fatal(nb, -EINVAL, "reading %s", path);
		return -1;
	}
	return 0;
}

static int
vif_connect(struct netback *nb)
{
	char path[128];
	unsigned long nq, ref;
	unsigned int i;
	int rc;

	rc = fe_read_uint(nb, nb->fe_path, "multi-queue-num-queues", &nq);
	if (rc == -ENOENT) {
		nq = 1;
	} else if (rc != 0 || nq == 0 || nq > nb->max_queues) {
		dev_fatal(nb, -EINVAL, "guest requested %s queues, exceeding "
			  "the maximum of %u", rc != 0 ? "unreadable" :
			  nq == 0 ? "0" : "too many", nb->max_queues);
		return -1;
	}
	if (read_vif_flags(nb) != 0)
		return -1;
	/* Offered as Linux offers it; a frontend that takes it is refused
	 * loudly rather than served a ring no one reads. */
	if (fe_read_uint(nb, nb->fe_path, "ctrl-ring-ref", &ref) != -ENOENT) {
		dev_fatal(nb, -EOPNOTSUPP, "%s/ctrl-ring-ref: xensim models "
			  "no control ring (Linux netback maps it)",
			  nb->fe_path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/request-multicast-control",
		 nb->fe_path);
	nb->mcast_watch = xs_dom0_watch(nb->xs->xs, path, mcast_ctrl_changed,
					nb);
	if (nb->mcast_watch == NULL) {
		dev_fatal(nb, -ENOMEM, "watching %s", path);
		return -1;
	}
	for (i = 0; i < nq; i++) {
		char dir[96];

		if (nq > 1)
			snprintf(dir, sizeof(dir), "%s/queue-%u", nb->fe_path,
				 i);
		else
			snprintf(dir, sizeof(dir), "%s", nb->fe_path);
		if (connect_queue(nb, &nb->q[i], dir) != 0) {
			disconnect(nb);
			return -1;
		}
	}
	nb_ring_reset(nb);
	nb->nr_queues = (unsigned int)nq;
	vif_end_connect(nb);
	nb->disabled = 0;
	rc = nb_threads_start(nb);
	if (rc != 0) {
		disconnect(nb);
		dev_fatal(nb, rc, "starting the queue threads");
		return -1;
	}
	return 0;
}

/*
 * Walk from the current state to target through the states a Linux
 * netback passes by; a failed connect leaves us Closing.
 */
static void
set_backend_state(struct netback *nb, enum xenbus_state target)
{
	while (nb->state != (int)target) {
		switch (nb->state) {
		case XenbusStateInitialising:
			switch_state(nb, target == XenbusStateClosed ?
				     XenbusStateClosed : XenbusStateInitWait);
			break;
		case XenbusStateClosed:
			switch_state(nb, target == XenbusStateClosing ?
				     XenbusStateClosing : XenbusStateInitWait);
			break;
		case XenbusStateInitWait:
			if (target != XenbusStateConnected) {
				switch_state(nb, XenbusStateClosing);
				break;
			}
			if (nb->k.v[NB_K_NO_CONNECT])
				return;
			if (vif_connect(nb) != 0)
				return;
			switch_state(nb, XenbusStateConnected);
			break;
		case XenbusStateConnected:
			disconnect(nb);
			switch_state(nb, XenbusStateClosing);
			break;
		case XenbusStateClosing:
			switch_state(nb, XenbusStateClosed);
			break;
		default:
			switch_state(nb, XenbusStateClosed);
			break;
		}
	}
}

static void reprobe(void *arg);

static void
frontend_changed(void *arg, const char *path)
{
	struct netback *nb = arg;
	unsigned long fs;
	int rc;

	if (nb->k.v[NB_K_NO_INITWAIT])
		return;
	rc = fe_read_uint(nb, nb->fe_path, "state", &fs);
	if (rc == -ENOENT)
		fs = XenbusStateUnknown;
	else if (rc != 0)
		fs = ~0ul;
	if (nb->restarting) {
		/* Not from inside this watch's own callback. */
		if (fs != XenbusStateConnected &&
		    loop_defer(nb->xs->loop, reprobe, nb) == 0)
			nb->restarting = false;
		return;
	}
	switch (fs) {
	case XenbusStateInitialising:
		set_backend_state(nb, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
		break;
	case XenbusStateConnected:
		set_backend_state(nb, XenbusStateConnected);
		break;
	case XenbusStateClosing:
		if (!nb->k.v[NB_K_NEVER_CLOSE])
			set_backend_state(nb, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		if (!nb->k.v[NB_K_NEVER_CLOSE])
			set_backend_state(nb, XenbusStateClosed);
		break;
	default:
		if (nb->state != XenbusStateClosing &&
		    nb->state != XenbusStateClosed)
			dev_fatal(nb, -EINVAL, "saw state %ld at frontend",
				  (long)fs);
		break;
	}
}

/* A queue thread disabled the vif: report it as xenbus_dev_fatal would. */
static void
on_fatal(void *arg, int fd, unsigned int events)
{
	struct netback *nb = arg;
	unsigned int i;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return;
	for (i = 0; i < nb->max_queues; i++) {
		struct nb_queue *q = &nb->q[i];
		uint64_t f = __atomic_load_n(&q->st.fatal, __ATOMIC_ACQUIRE);

		if (f == q->fatal_seen)
			continue;
		q->fatal_seen = f;
		if (nb->state == XenbusStateConnected)
			dev_fatal(nb, -EIO, "queue %u: %s", i, q->fatal_msg);
	}
}

int
nb_xenbus_start(struct netback *nb)
{
	static const char *const keys[][2] = {
		{ "feature-sg", "1" },
		{ "feature-rx-copy", "1" },
		{ "feature-rx-flip", "0" },
		{ "feature-split-event-channels", "1" },
		{ "feature-xdp-headroom", "1" },
		/* TX csum_blank frames get their checksum completed, GSO
		 * ones segmented where they must. */
		{ "feature-ipv6-csum-offload", "1" },
		{ "feature-gso-tcpv4", "1" },
		{ "feature-gso-tcpv6", "1" },
		{ "feature-multicast-control", "1" },
		{ "feature-dynamic-multicast-control", "1" },
		{ "feature-ctrl-ring", "1" },
		{ "hotplug-status", "connected" },
	};
	char path[160], val[12];
	unsigned int i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		be_write(nb, keys[i][0], keys[i][1]);
	snprintf(val, sizeof(val), "%u", nb->max_queues);
	be_write(nb, "multi-queue-max-queues", val);
	if (nb->omit[0] != '\0') {
		snprintf(path, sizeof(path), "%s/%s", nb->be_path, nb->omit);
		xs_dom0_rm(nb->xs->xs, path);
	}
	/* Keys over our own, for the frontend to find at InitWait. */
	for (i = 0; i < nb->k.nr_set; i++)
		be_write(nb, nb->k.set[i].key, nb->k.set[i].val);
	nb->state = XenbusStateInitialising;
	if (!nb->k.v[NB_K_NO_INITWAIT])
		switch_state(nb, XenbusStateInitWait);
	if (loop_add_fd(nb->xs->loop, nb->fatal_fd, EPOLLIN, on_fatal,
			nb) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/state", nb->fe_path);
	nb->watch = xs_dom0_watch(nb->xs->xs, path, frontend_changed, nb);
	if (nb->watch == NULL) {
		loop_del_fd(nb->xs->loop, nb->fatal_fd);
		return -1;
	}
	return 0;
}

void
nb_xenbus_stop(struct netback *nb)
{
	if (nb->watch == NULL)
		return;
	xs_dom0_unwatch(nb->xs->xs, nb->watch);
	nb->watch = NULL;
	loop_del_fd(nb->xs->loop, nb->fatal_fd);
	disconnect(nb);
}

/*
 * The backend's driver restarts (a driver domain's netback reloaded):
 * Closed at once, whatever the frontend does, then probed anew once the
 * frontend let go of its rings (a Connected one would be taken up again
 * where it stood, as Linux netback does).
 */
void
nb_xenbus_restart(struct netback *nb)
{
	set_backend_state(nb, XenbusStateClosed);
	nb->restarting = true;
}

static void
reprobe(void *arg)
{
	struct netback *nb = arg;

	nb_xenbus_stop(nb);
	if (nb_xenbus_start(nb) != 0)
		fprintf(stderr, "xensim: vif %u/%u: cannot restart its "
			"backend\n", nb->domid, nb->handle);
}
