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

#include "netback_priv.h"
#include "xs_store.h"
#include "xsim.h"

static const char *const misbehave_names[] = {
	[NB_MIS_NONE] = "none",
	[NB_MIS_NO_INITWAIT] = "no-initwait",
	[NB_MIS_NO_CONNECT] = "no-connect",
	[NB_MIS_BAD_RSP_ID] = "bad-rsp-id",
	[NB_MIS_BAD_RSP_PROD] = "bad-rsp-prod",
	[NB_MIS_BAD_RX_SIZE] = "bad-rx-size",
	[NB_MIS_BAD_RX_OFFSET] = "bad-rx-offset",
	[NB_MIS_BAD_STATUS] = "bad-status",
};

/* Loop thread only: every netback, so that peers can find each other. */
static struct netback *all_netbacks;

static int
parse_option(struct netback *nb, char *opt, char *err, size_t len)
{
	char *val = strchr(opt, '=');
	unsigned long n;
	unsigned int i;
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
	if (strcmp(opt, "misbehave") == 0) {
		for (i = 1; i < sizeof(misbehave_names) /
			     sizeof(misbehave_names[0]); i++) {
			if (strcmp(val, misbehave_names[i]) == 0) {
				nb->misbehave = (enum nb_misbehave)i;
				return 0;
			}
		}
		snprintf(err, len, "misbehave=%s: unknown (no-initwait, "
			 "no-connect, bad-rsp-id, bad-rsp-prod, bad-rx-size, "
			 "bad-rx-offset, bad-status)", val);
		return -1;
	}
	rc = nb_adv_parse(nb, opt, val, err, len);
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
	snprintf(err, len, "unknown option '%s' (end, mode, queues, "
		 "misbehave, omit, tx-hold, tx-delay-us, tx-batch, "
		 "tx-reorder, rx-hold, rx-delay-us, verify, seed)", opt);
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
	nb_adv_close(nb);
	for (i = 0; i < NB_MAX_QUEUES; i++)
		if (nb->q[i].kick_fd >= 0)
			close(nb->q[i].kick_fd);
	if (nb->fatal_fd >= 0)
		close(nb->fatal_fd);
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
	if (nb_adv_open(nb) != 0) {
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

void
netback_destroy(struct netback *nb)
{
	struct netback **p;

	for (p = &all_netbacks; *p != NULL; p = &(*p)->next) {
		if (*p == nb) {
			*p = nb->next;
			break;
		}
	}
	nb_xenbus_stop(nb);
	vif_end_unlink(nb);
	nb_adv_report(nb);
	nb_free(nb);
}

void
netback_status_json(struct netback *nb, FILE *f)
{
	unsigned int i;

	fprintf(f, "{\"vif\":\"%u/%u\",\"state\":%d,\"end\":\"%s\","
		"\"mode\":\"%s\",\"verify\":%s,\"queues\":[", nb->domid,
		nb->handle, nb->state, vif_end_name(nb->end),
		nb->poll_mode ? "poll" : "event",
		nb->adv.verify ? "true" : "false");
	for (i = 0; i < nb->max_queues; i++) {
		const struct nb_stats *s = &nb->q[i].st;

		fprintf(f, "%s{\"tx_pkts\":%llu,\"tx_bytes\":%llu,"
			"\"rx_pkts\":%llu,\"rx_bytes\":%llu,"
			"\"rx_drops\":%llu,\"tx_errors\":%llu,\"fatal\":%llu,"
			"\"notify_in\":%llu,\"notify_out\":%llu,"
			"\"violations\":%llu,\"v_changed\":%llu,"
			"\"v_id_reuse\":%llu,\"v_grant_ended\":%llu}",
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
			(unsigned long long)nb_stat_get(&s->violations),
			(unsigned long long)nb_stat_get(&s->v_changed),
			(unsigned long long)nb_stat_get(&s->v_id_reuse),
			(unsigned long long)nb_stat_get(&s->v_grant_ended));
	}
	fprintf(f, "]}");
}
