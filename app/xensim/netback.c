/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A vif's backend: its spec, its lifetime and its status. The xenbus side
 * is in netback_xenbus.c, the data path in netback_ring.c and the vif's
 * other end in vif_end.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <xen/io/xenbus.h>

#include "netback_ring.h"
#include "netback_vif.h"
#include "netback_xenbus.h"
#include "vif_end.h"
#include "xs_store.h"
#include "xsim.h"

/* Loop thread only: every netback, so that peers can find each other. */
static struct netback *all_netbacks;

static int
parse_option(struct netback *nb, char *opt, char *err, size_t len)
{
	char *val = strchr(opt, '=');
	unsigned long n;
	char *end;
	int rc;

	if (val == NULL) {
		snprintf(err, len, "option '%s' is not key=value", opt);
		return -1;
	}
	*val++ = '\0';
	if (strcmp(opt, "end") == 0)
		return vif_end_parse(nb, val, err, len);
	if (strcmp(opt, "mode") == 0) {
		if (strcmp(val, "poll") == 0 || strcmp(val, "event") == 0) {
			nb->poll_mode = val[0] == 'p';
			return 0;
		}
		snprintf(err, len, "mode=%s: poll or event", val);
		return -1;
	}
	if (strcmp(opt, "queues") == 0) {
		errno = 0;
		n = strtoul(val, &end, 10);
		if (errno == 0 && end != val && *end == '\0' && n >= 1 &&
		    n <= NB_MAX_QUEUES) {
			nb->max_queues = (unsigned int)n;
			return 0;
		}
		snprintf(err, len, "queues=%s: 1..%d", val, NB_MAX_QUEUES);
		return -1;
	}
	rc = nb_knob_parse(&nb->k, opt, val, err, len);
	if (rc <= 0)
		return rc;
	if (strcmp(opt, "omit") == 0) {
		if (val[0] != '\0' && strchr(val, '/') == NULL &&
		    strlen(val) < sizeof(nb->omit)) {
			strcpy(nb->omit, val);
			return 0;
		}
		snprintf(err, len, "omit=%s: a backend key name", val);
		return -1;
	}
	snprintf(err, len, "unknown option '%s' (end, mode, queues, omit, "
		 "or a knob: xensim --help)", opt);
	return -1;
}

static int
parse_spec(struct netback *nb, const char *spec, char *err, size_t len)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	int rc = 0;

	if (copy == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	tok = strtok_r(copy, ",", &save);
	if (tok == NULL || nb_parse_dh(tok, &nb->domid, &nb->handle) != 0) {
		snprintf(err, len, "'%s' does not start with DOMID/HANDLE",
			 spec);
		rc = -1;
	}
	while (rc == 0 && (tok = strtok_r(NULL, ",", &save)) != NULL)
		rc = parse_option(nb, tok, err, len);
	free(copy);
	return rc;
}

static struct netback *
nb_alloc(struct xsim *xs)
{
	struct netback *nb = calloc(1, sizeof(*nb));
	unsigned int i;

	if (nb == NULL)
		return NULL;
	nb->xs = xs;
	nb->fatal_fd = -1;
	nb->max_queues = NB_DEFAULT_QUEUES;
	nb->gen_size = NB_GEN_DEFAULT_SIZE;
	nb->gen_lens[0] = NB_GEN_DEFAULT_SIZE;
	nb->gen_nr = 1;
	nb_knobs_init(&nb->k);
	mcast_init(&nb->mcast);
	for (i = 0; i < NB_MAX_QUEUES; i++) {
		nb->q[i].nb = nb;
		nb->q[i].idx = i;
		nb->q[i].end_fd = -1;
		nb->q[i].kick_fd = -1;
	}
	return nb;
}

static void
nb_free(struct netback *nb)
{
	unsigned int i;

	vif_end_close(nb);
	nb_ring_close(nb);
	for (i = 0; i < NB_MAX_QUEUES; i++)
		if (nb->q[i].kick_fd >= 0)
			close(nb->q[i].kick_fd);
	if (nb->fatal_fd >= 0)
		close(nb->fatal_fd);
	mcast_fini(&nb->mcast);
	free(nb);
}

struct netback *
netback_create(struct xsim *xs, const char *spec, char *err, size_t len)
{
	struct netback *nb = nb_alloc(xs);
	struct xsim_domain *dom;
	unsigned int i;
	char *state;

	if (nb == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	if (parse_spec(nb, spec, err, len) != 0)
		goto fail;
	dom = xsim_domain(xs, nb->domid);
	if (nb->domid == 0 || dom == NULL) {
		snprintf(err, len, "domain %u is not a guest", nb->domid);
		goto fail;
	}
	nb->fe_gt = dom->gnttab;
	snprintf(nb->be_path, sizeof(nb->be_path),
		 "/local/domain/0/backend/vif/%u/%u", nb->domid, nb->handle);
	snprintf(nb->fe_path, sizeof(nb->fe_path),
		 "/local/domain/%u/device/vif/%u", nb->domid, nb->handle);
	snprintf(err, len, "%s/state", nb->be_path);
	state = xs_dom0_read(xs->xs, err);
	if (state == NULL) {
		snprintf(err, len, "no backend directory %s (toolstack?)",
			 nb->be_path);
		goto fail;
	}
	free(state);
	for (i = 0; i < NB_MAX_QUEUES; i++) {
		nb->q[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (nb->q[i].kick_fd < 0)
			break;
	}
	nb->fatal_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (i < NB_MAX_QUEUES || nb->fatal_fd < 0) {
		snprintf(err, len, "eventfd: %s", strerror(errno));
		goto fail;
	}
	if (vif_end_open(nb, err, len) != 0)
		goto fail;
	if (nb_ring_open(nb) != 0) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	if (nb_xenbus_start(nb) != 0) {
		snprintf(err, len, "cannot watch %s/state", nb->fe_path);
		goto fail;
	}
	nb->next = all_netbacks;
	all_netbacks = nb;
	return nb;
fail:
	nb_free(nb);
	return NULL;
}

int
netback_link(struct netback *nb, char *err, size_t len)
{
	return vif_end_link(nb, all_netbacks, err, len);
}

/* At exit: what the frontend did wrong, if anyone looked or it did. */
static void
report(const struct netback *nb)
{
	unsigned int i;

	for (i = 0; i < nb->max_queues; i++) {
		const struct nb_stats *s = &nb->q[i].st;
		uint64_t v = nb_stat_get(&s->violations);
		uint64_t leaks = nb_stat_get(&s->rx_page_leaks);

		if (v == 0 && leaks == 0 && !nb->k.v[NB_K_VERIFY] &&
		    !nb->k.v[NB_K_RX_LEAK_CHECK])
			continue;
		fprintf(v || leaks ? stderr : stdout, "xensim: vif %u/%u "
			"q%u: %llu violations (changed %llu, id reuse %llu, "
			"grant ended %llu, ring overflow %llu), %llu RX page "
			"leaks\n", nb->domid, nb->handle, i,
			(unsigned long long)v,
			(unsigned long long)nb_stat_get(&s->v_changed),
			(unsigned long long)nb_stat_get(&s->v_id_reuse),
			(unsigned long long)nb_stat_get(&s->v_grant_ended),
			(unsigned long long)nb_stat_get(&s->v_ring_overflow),
			(unsigned long long)leaks);
	}
}

void
netback_destroy(struct netback *nb)
{
	struct netback **pp, *p = nb->peer;

	for (pp = &all_netbacks; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == nb) {
			*pp = nb->next;
			break;
		}
	}
	nb_xenbus_stop(nb);
	/* The peer's threads may be writing into nb's rings. */
	if (p != NULL)
		nb_threads_stop(p);
	vif_end_unlink(nb);
	if (p != NULL && p->nr_queues != 0 && nb_threads_start(p) != 0)
		fprintf(stderr, "xensim: vif %u/%u: cannot restart its "
			"queues\n", p->domid, p->handle);
	report(nb);
	nb_free(nb);
}

void
netback_status_json(struct netback *nb, FILE *f)
{
	unsigned int i;

	fprintf(f, "{\"vif\":\"%u/%u\",\"state\":%d,\"end\":\"%s\","
		"\"end_region\":%zu,\"tap_offloads\":%u,"
		"\"mode\":\"%s\",\"verify\":%s,\"mcast_ctrl\":%s,"
		"\"mcast_addrs\":%u,\"queues\":[", nb->domid, nb->handle,
		nb->state, vif_end_name(nb->end), nb->end_region,
		nb->tap_offloads,
		nb->poll_mode ? "poll" : "event",
		nb->k.v[NB_K_VERIFY] ? "true" : "false",
		__atomic_load_n(&nb->mcast_ctrl, __ATOMIC_RELAXED) ?
		"true" : "false", mcast_count(&nb->mcast));
	for (i = 0; i < nb->max_queues; i++) {
		const struct nb_stats *s = &nb->q[i].st;

		fprintf(f, "%s{\"tx_pkts\":%llu,\"tx_bytes\":%llu,"
			"\"rx_pkts\":%llu,\"rx_bytes\":%llu,"
			"\"rx_drops\":%llu,\"tx_errors\":%llu,\"fatal\":%llu,"
			"\"notify_in\":%llu,\"notify_out\":%llu,"
			"\"tx_reqs\":%llu,\"rx_reqs\":%llu,"
			"\"violations\":%llu,\"v_changed\":%llu,"
			"\"v_id_reuse\":%llu,\"v_grant_ended\":%llu,"
			"\"v_ring_overflow\":%llu,\"hostile\":%llu,"
			"\"rx_page_rewrites\":%llu,\"rx_page_leaks\":%llu,"
			"\"tx_late\":%llu,\"tx_gso\":%llu,"
			"\"tx_gso_csum_fixup\":%llu,\"tx_gso_bad\":%llu,"
			"\"rx_gso\":%llu,\"gso_segs\":%llu,"
			"\"mcast_adds\":%llu,\"mcast_dels\":%llu,"
			"\"rx_mcast_filtered\":%llu,\"sink_wraps\":%llu}",
			i ? "," : "",
			(unsigned long long)nb_stat_get(&s->tx_pkts),
			(unsigned long long)nb_stat_get(&s->tx_bytes),
			(unsigned long long)nb_stat_get(&s->rx_pkts),
			(unsigned long long)nb_stat_get(&s->rx_bytes),
			(unsigned long long)nb_stat_get(&s->rx_drops),
			(unsigned long long)nb_stat_get(&s->tx_errors),
			(unsigned long long)nb_stat_get(&s->fatal),
			(unsigned long long)nb_stat_get(&s->notify_in),
			(unsigned long long)nb_stat_get(&s->notify_out),
			(unsigned long long)nb_stat_get(&s->tx_reqs),
			(unsigned long long)nb_stat_get(&s->rx_reqs),
			(unsigned long long)nb_stat_get(&s->violations),
			(unsigned long long)nb_stat_get(&s->v_changed),
			(unsigned long long)nb_stat_get(&s->v_id_reuse),
			(unsigned long long)nb_stat_get(&s->v_grant_ended),
			(unsigned long long)nb_stat_get(&s->v_ring_overflow),
			(unsigned long long)nb_stat_get(&s->hostile),
			(unsigned long long)nb_stat_get(&s->rx_page_rewrites),
			(unsigned long long)nb_stat_get(&s->rx_page_leaks),
			(unsigned long long)nb_stat_get(&s->tx_late),
			(unsigned long long)nb_stat_get(&s->tx_gso),
			(unsigned long long)nb_stat_get(&s->tx_gso_csum_fixup),
			(unsigned long long)nb_stat_get(&s->tx_gso_bad),
			(unsigned long long)nb_stat_get(&s->rx_gso),
			(unsigned long long)nb_stat_get(&s->gso_segs),
			(unsigned long long)nb_stat_get(&s->mcast_adds),
			(unsigned long long)nb_stat_get(&s->mcast_dels),
			(unsigned long long)nb_stat_get(&s->rx_mcast_filtered),
			(unsigned long long)nb_stat_get(&s->sink_wraps));
	}
	fprintf(f, "]}");
}

struct netback *
netback_find(unsigned int domid, unsigned int handle)
{
	struct netback *nb;

	for (nb = all_netbacks; nb != NULL; nb = nb->next)
		if (nb->domid == domid && nb->handle == handle)
			return nb;
	return NULL;
}

int
netback_state(const struct netback *nb)
{
	return nb->state;
}

bool
netback_plugged(const struct netback *nb)
{
	return nb->watch != NULL;
}

void
netback_unplug(struct netback *nb)
{
	nb_xenbus_stop(nb);
	nb->state = XenbusStateClosed;
}

int
netback_plug(struct netback *nb)
{
	return nb_xenbus_start(nb);
}

void
netback_restart(struct netback *nb)
{
	nb_xenbus_restart(nb);
}
