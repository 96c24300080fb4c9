/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "stats.h"

/* Per port id: rx counted at the rx port, tx at the tx port. */
static void
port_sums(const struct fwd *f, struct stream_stats *sums)
{
	unsigned int i;

	memset(sums, 0, RTE_MAX_ETHPORTS * sizeof(*sums));
	for (i = 0; i < f->nb_streams; i++) {
		const struct stream *s = &f->streams[i];
		struct stream_stats *rx = &sums[s->rx_port];
		struct stream_stats *tx = &sums[s->tx_port];

		rx->rx_pkts += ctr_read(&s->st.rx_pkts);
		rx->rx_bytes += ctr_read(&s->st.rx_bytes);
		tx->tx_pkts += ctr_read(&s->st.tx_pkts);
		tx->tx_bytes += ctr_read(&s->st.tx_bytes);
		tx->tx_drop += ctr_read(&s->st.tx_drop);
		rx->rx_sum += ctr_read(&s->st.rx_sum);
	}
}

static double
mpps(uint64_t pkts, double secs)
{
	return secs > 0 ? pkts / secs / 1e6 : 0;
}

/* L2 bits: Ethernet header to end of payload, no FCS or preamble. */
static double
gbps(uint64_t bytes, double secs)
{
	return secs > 0 ? bytes * 8.0 / secs / 1e9 : 0;
}

void
live_start(struct live *l)
{
	memset(l, 0, sizeof(*l));
	l->tsc = rte_get_timer_cycles();
}

void
live_print(struct live *l, const struct fwd *f, double elapsed)
{
	struct stream_stats now[RTE_MAX_ETHPORTS];
	uint64_t tsc = rte_get_timer_cycles();
	double dt = (double)(tsc - l->tsc) / rte_get_timer_hz();
	struct rte_eth_stats eth;
	uint16_t i;

	port_sums(f, now);
	for (i = 0; i < f->nb_ports; i++) {
		uint16_t p = f->ports[i];
		const struct stream_stats *a = &l->last[p], *b = &now[p];

		if (rte_eth_stats_get(p, &eth) != 0)
			memset(&eth, 0, sizeof(eth));
		printf("[%7.1fs] port %u: rx %9.4f Mpps %7.3f Gbit/s  "
		       "tx %9.4f Mpps %7.3f Gbit/s  drops %" PRIu64
		       "  errors %" PRIu64 "\n", elapsed, p,
		       mpps(b->rx_pkts - a->rx_pkts, dt),
		       gbps(b->rx_bytes - a->rx_bytes, dt),
		       mpps(b->tx_pkts - a->tx_pkts, dt),
		       gbps(b->tx_bytes - a->tx_bytes, dt),
		       b->tx_drop + eth.imissed + eth.rx_nombuf,
		       eth.ierrors + eth.oerrors);
	}
	fflush(stdout);
	memcpy(l->last, now, sizeof(now));
	l->tsc = tsc;
}

static int
collect_xstats(struct port_report *pr)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *vals;
	int n, i, ret = 0;

	n = rte_eth_xstats_get_names(pr->port, NULL, 0);
	if (n <= 0)
		return 0;
	names = calloc(n, sizeof(*names));
	vals = calloc(n, sizeof(*vals));
	pr->hits = calloc(n, sizeof(*pr->hits));
	if (names == NULL || vals == NULL || pr->hits == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	if (rte_eth_xstats_get_names(pr->port, names, n) != n ||
	    rte_eth_xstats_get(pr->port, vals, n) != n) {
		printf("warning: port %u: xstats changed while read\n",
		       pr->port);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *name;

		if (vals[i].id >= (uint64_t)n)
			continue;
		name = names[vals[i].id].name;
		if (strcasestr(name, "violation") == NULL &&
		    strcasestr(name, "protocol") == NULL)
			continue;
		memcpy(pr->hits[pr->nb_hits].name, name, sizeof(names->name));
		pr->hits[pr->nb_hits++].value = vals[i].value;
		pr->violations += vals[i].value;
	}
out:
	free(names);
	free(vals);
	return ret;
}

static void
add_port(struct port_report *t, const struct port_report *p)
{
	t->st.rx_pkts += p->st.rx_pkts;
	t->st.rx_bytes += p->st.rx_bytes;
	t->st.tx_pkts += p->st.tx_pkts;
	t->st.tx_bytes += p->st.tx_bytes;
	t->st.tx_drop += p->st.tx_drop;
	t->st.rx_sum += p->st.rx_sum;
	t->v.good += p->v.good;
	t->v.corrupt += p->v.corrupt;
	t->v.dup += p->v.dup;
	t->v.ooo += p->v.ooo;
	t->v.other += p->v.other;
	t->lost += p->lost;
	t->eth.imissed += p->eth.imissed;
	t->eth.ierrors += p->eth.ierrors;
	t->eth.oerrors += p->eth.oerrors;
	t->eth.rx_nombuf += p->eth.rx_nombuf;
	t->violations += p->violations;
}

static void
add_verify(struct verify_counters *t, const struct verify_counters *c)
{
	t->good += c->good;
	t->corrupt += c->corrupt;
	t->dup += c->dup;
	t->ooo += c->ooo;
	t->other += c->other;
}

/* lost = frames a flow sent that no rx queue counted as good */
static void
collect_verify(struct report *r, const struct fwd *f, const uint16_t *idx)
{
	unsigned int i, j;

	for (i = 0; i < f->nb_streams; i++) {
		const struct stream *s = &f->streams[i];
		uint64_t good = 0;

		add_verify(&r->ports[idx[s->rx_port]].v, &s->vrx.cnt);
		if (f->mode != FWD_VERIFY)
			continue;
		for (j = 0; j < f->nb_streams; j++)
			good += verify_flow_good(&f->streams[j].vrx,
						 s->tx_port, s->tx_queue);
		if (s->st.tx_pkts > good)
			r->ports[idx[s->tx_port]].lost +=
				s->st.tx_pkts - good;
	}
}

int
report_collect(struct report *r, const struct fwd *f, double seconds)
{
	struct stream_stats sums[RTE_MAX_ETHPORTS];
	uint16_t idx[RTE_MAX_ETHPORTS] = { 0 };
	uint16_t i;

	memset(r, 0, sizeof(*r));
	r->mode = config_mode_name(f->mode);
	r->seconds = seconds;
	r->nb_ports = f->nb_ports;
	r->nb_queues = f->nb_queues;
	r->rx_sum = f->rx_sum;
	port_sums(f, sums);
	for (i = 0; i < f->nb_ports; i++) {
		struct port_report *pr = &r->ports[i];

		idx[f->ports[i]] = i;
		pr->port = f->ports[i];
		pr->st = sums[pr->port];
		if (rte_eth_stats_get(pr->port, &pr->eth) != 0)
			memset(&pr->eth, 0, sizeof(pr->eth));
		if (collect_xstats(pr) < 0)
			return -ENOMEM;
	}
	collect_verify(r, f, idx);
	for (i = 0; i < f->nb_ports; i++)
		add_port(&r->total, &r->ports[i]);
	return 0;
}

void
report_free(struct report *r)
{
	uint16_t i;

	for (i = 0; i < r->nb_ports; i++) {
		free(r->ports[i].hits);
		r->ports[i].hits = NULL;
	}
}

/* The driver's own per-queue counters: did every queue carry traffic? */
static void
print_queues(const struct port_report *p, uint16_t nb_queues)
{
	uint16_t q;

	for (q = 0; q < RTE_MIN(nb_queues, RTE_ETHDEV_QUEUE_STAT_CNTRS); q++)
		printf("  queue %u: rx %" PRIu64 " tx %" PRIu64 "\n", q,
		       p->eth.q_ipackets[q], p->eth.q_opackets[q]);
}

/* nb_queues > 1: with the driver's per-queue counters. */
static void
print_port(const char *label, const struct port_report *p, double secs,
	   bool verify, bool rx_sum, uint16_t nb_queues)
{
	unsigned int i;

	printf("%s\n"
	       "  rx %" PRIu64 " pkts %" PRIu64 " bytes  %.3f Mpps %.3f "
	       "Gbit/s\n"
	       "  tx %" PRIu64 " pkts %" PRIu64 " bytes  %.3f Mpps %.3f "
	       "Gbit/s  tx_dropped %" PRIu64 "\n"
	       "  imissed %" PRIu64 " ierrors %" PRIu64 " oerrors %" PRIu64
	       " rx_nombuf %" PRIu64 "\n", label,
	       p->st.rx_pkts, p->st.rx_bytes, mpps(p->st.rx_pkts, secs),
	       gbps(p->st.rx_bytes, secs), p->st.tx_pkts, p->st.tx_bytes,
	       mpps(p->st.tx_pkts, secs), gbps(p->st.tx_bytes, secs),
	       p->st.tx_drop, p->eth.imissed, p->eth.ierrors,
	       p->eth.oerrors, p->eth.rx_nombuf);
	if (verify)
		printf("  verify: good %" PRIu64 " corrupt %" PRIu64
		       " duplicate %" PRIu64 " out_of_order %" PRIu64
		       " lost %" PRIu64 " other %" PRIu64 "\n",
		       p->v.good, p->v.corrupt, p->v.dup, p->v.ooo, p->lost,
		       p->v.other);
	if (rx_sum)
		printf("  rx_sum 0x%016" PRIx64 "\n", p->st.rx_sum);
	if (nb_queues > 1)
		print_queues(p, nb_queues);
	/* Each counter only when one of them counted something. */
	if (p->violations == 0 && p->nb_hits > 0)
		printf("  *_violation_* xstats: %u, all 0\n", p->nb_hits);
	for (i = 0; p->violations != 0 && i < p->nb_hits; i++)
		printf("  %s %" PRIu64 "\n", p->hits[i].name,
		       p->hits[i].value);
	printf("  protocol_violations %" PRIu64 "\n", p->violations);
}

void
report_print(const struct report *r)
{
	bool verify = strcmp(r->mode, config_mode_name(FWD_VERIFY)) == 0;
	char label[32];
	uint16_t i;

	printf("==== summary: mode %s, %.3f s ====\n", r->mode, r->seconds);
	for (i = 0; i < r->nb_ports; i++) {
		snprintf(label, sizeof(label), "port %u:", r->ports[i].port);
		print_port(label, &r->ports[i], r->seconds, verify,
			   r->rx_sum, r->nb_queues);
	}
	print_port("total:", &r->total, r->seconds, verify, r->rx_sum, 0);
	fflush(stdout);
}

static void
json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\u%04x", *s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

static void
json_port(FILE *fp, const struct port_report *p, double secs)
{
	unsigned int i;

	fprintf(fp, "\"rx_packets\": %" PRIu64 ", \"rx_bytes\": %" PRIu64
		", \"tx_packets\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
		", \"tx_dropped\": %" PRIu64 ", \"rx_mpps\": %.6f"
		", \"tx_mpps\": %.6f, \"rx_gbps\": %.6f, \"tx_gbps\": %.6f"
		", \"imissed\": %" PRIu64 ", \"ierrors\": %" PRIu64
		", \"oerrors\": %" PRIu64 ", \"rx_nombuf\": %" PRIu64,
		p->st.rx_pkts, p->st.rx_bytes, p->st.tx_pkts, p->st.tx_bytes,
		p->st.tx_drop, mpps(p->st.rx_pkts, secs),
		mpps(p->st.tx_pkts, secs), gbps(p->st.rx_bytes, secs),
		gbps(p->st.tx_bytes, secs), p->eth.imissed, p->eth.ierrors,
		p->eth.oerrors, p->eth.rx_nombuf);
	fprintf(fp, ", \"verify\": {\"good\": %" PRIu64 ", \"corrupt\": %"
		PRIu64 ", \"duplicate\": %" PRIu64 ", \"out_of_order\": %"
		PRIu64 ", \"lost\": %" PRIu64 ", \"other\": %" PRIu64 "}",
		p->v.good, p->v.corrupt, p->v.dup, p->v.ooo, p->lost,
		p->v.other);
	fprintf(fp, ", \"xstats\": {");
	for (i = 0; i < p->nb_hits; i++) {
		fprintf(fp, "%s", i > 0 ? ", " : "");
		json_string(fp, p->hits[i].name);
		fprintf(fp, ": %" PRIu64, p->hits[i].value);
	}
	fprintf(fp, "}, \"protocol_violations\": %" PRIu64, p->violations);
}

int
report_json(const struct report *r, const char *path, int status)
{
	FILE *fp = fopen(path, "w");
	uint16_t i;

	if (fp == NULL) {
		fprintf(stderr, "error: --json %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	fprintf(fp, "{\"mode\": \"%s\", \"seconds\": %.6f, "
		"\"exit_status\": %d,\n \"ports\": [", r->mode, r->seconds,
		status);
	for (i = 0; i < r->nb_ports; i++) {
		fprintf(fp, "%s\n  {\"port\": %u, ", i > 0 ? "," : "",
			r->ports[i].port);
		json_port(fp, &r->ports[i], r->seconds);
		fprintf(fp, "}");
	}
	fprintf(fp, "],\n \"total\": {");
	json_port(fp, &r->total, r->seconds);
	fprintf(fp, "}}\n");
	if (fclose(fp) != 0) {
		fprintf(stderr, "error: --json %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}
