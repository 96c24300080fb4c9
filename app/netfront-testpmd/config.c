/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line options of netfront-testpmd (after EAL's "--"). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "imix.h"

static const char *const mode_names[] = {
	[FWD_IO] = "io",
	[FWD_MACSWAP] = "macswap",
	[FWD_TXONLY] = "txonly",
	[FWD_RXONLY] = "rxonly",
	[FWD_VERIFY] = "verify",
};

const char *
config_mode_name(enum fwd_mode mode)
{
	return mode_names[mode];
}

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [options]\n"
	       "  --mode MODE          io|macswap|txonly|rxonly|verify (io)\n"
	       "  --burst N            packets per burst, 1-%d (32)\n"
	       "  --queues N           rx = tx queues per port (1)\n"
	       "  --rxd N / --txd N    ring descriptors per queue (1024)\n"
	       "  --pkt-size SPEC      N | MIN-MAX | imix (64): frame bytes\n"
	       "                       without FCS; imix is 7:4:1 of 64/570/\n"
	       "                       1518 on the wire. The largest size\n"
	       "                       sets the MTU, in every mode\n"
	       "  --pkt-order ORDER    cycle|random for a MIN-MAX range\n"
	       "  --duration S         run S seconds (until signal)\n"
	       "  --count N            per port: frames sent (txonly, verify)\n"
	       "                       or received (io, macswap, rxonly)\n"
	       "  --max-lost N         verify: fail when more than N frames\n"
	       "                       are lost (default: what may still be\n"
	       "                       in flight, window + burst per queue\n"
	       "                       and port, rxd + txd without window)\n"
	       "  --window N           verify: at most N frames per queue in\n"
	       "                       flight (sent, not received), 0 off (256)\n"
	       "  --drain S            receive S seconds after tx stops (0.5)\n"
	       "  --link-wait S        wait up to S seconds for link up (5)\n"
	       "  --stats-period S     live line every S seconds, 0 off (1)\n"
	       "  --json FILE          write the summary as JSON\n"
	       "  --rx-intr            io, macswap, rxonly: an idle lcore\n"
	       "                       sleeps until an RX interrupt\n"
	       "  --offloads           io: RX checksums + LRO and TX\n"
	       "                       checksums + TSO where the ports have\n"
	       "                       them; what RX left undone the other\n"
	       "                       port's TX does\n"
	       "  --tx-retry N         io, macswap: offer what the TX queue\n"
	       "                       refused again, up to N times 1 us\n"
	       "                       apart, before dropping it (0)\n"
	       "  --record-core-cycles the summary's busy: line, the share of\n"
	       "                       the forwarding lcores' cycles spent in\n"
	       "                       polls that received packets\n"
	       "  --rx-sum             rxonly, txonly: read every byte of\n"
	       "                       every frame received (all segments),\n"
	       "                       as an application using the data\n"
	       "                       would; the summary prints their sum\n"
	       "                       in 8-byte words per port (rx_sum)\n"
	       "  --tx-pool            txonly, verify: build frames in a pool\n"
	       "                       granted to each port's backend, sent\n"
	       "                       without a copy (net_netfront ports:\n"
	       "                       rte_pmd_netfront_tx_pool_create)\n"
	       "  --help\n", prog, NFT_MAX_BURST);
}

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max,
	  uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s == '-' || *s == '\0')
		goto bad;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "error: --%s '%s': expected an integer in "
		"[%" PRIu64 ", %" PRIu64 "]\n", opt, s, min, max);
	return -1;
}

static int
parse_u16(const char *opt, const char *s, uint16_t min, uint16_t max,
	  uint16_t *out)
{
	uint64_t v;

	if (parse_u64(opt, s, min, max, &v) < 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int
parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) ||
	    v < 0 || v > 1e7) {
		fprintf(stderr, "error: --%s '%s': expected seconds >= 0\n",
			opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_mode(const char *s, enum fwd_mode *mode)
{
	unsigned int i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*mode = i;
			return 0;
		}
	}
	fprintf(stderr, "error: --mode '%s': expected io, macswap, txonly, "
		"rxonly or verify\n", s);
	return -1;
}

static int
parse_size(const char *arg, struct app_config *cfg)
{
	const char *s = arg;
	unsigned long lo, hi;
	char *end;

	if (strcmp(arg, "imix") == 0) {
		cfg->size_mode = SIZE_IMIX;
		cfg->pkt_min = IMIX_MIN_LEN;
		cfg->pkt_max = IMIX_MAX_LEN;
		return 0;
	}
	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	lo = strtoul(s, &end, 10);
	hi = lo;
	if (*end == '-') {
		s = end + 1;
		if (*s < '0' || *s > '9')
			goto bad;
		hi = strtoul(s, &end, 10);
	}
	if (errno != 0 || *end != '\0' || lo > hi)
		goto bad;
	if (lo < NFT_MIN_PKT || hi > NFT_MAX_PKT)
		goto bad;
	cfg->pkt_min = lo;
	cfg->pkt_max = hi;
	cfg->size_mode = lo == hi ? SIZE_FIXED : SIZE_CYCLE;
	return 0;
bad:
	fprintf(stderr, "error: --pkt-size '%s': expected N, MIN-MAX or imix "
		"with sizes in [%d, %d]\n", arg, NFT_MIN_PKT, NFT_MAX_PKT);
	return -1;
}

enum {
	OPT_MODE = 256, OPT_BURST, OPT_QUEUES, OPT_RXD, OPT_TXD,
	OPT_PKT_SIZE, OPT_PKT_ORDER, OPT_DURATION, OPT_COUNT, OPT_MAX_LOST, OPT_WINDOW,
	OPT_DRAIN, OPT_LINK_WAIT, OPT_STATS_PERIOD, OPT_JSON, OPT_RX_INTR,
	OPT_OFFLOADS, OPT_TX_RETRY, OPT_CORE_CYCLES, OPT_RX_SUM, OPT_TX_POOL,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "forward-mode", required_argument, NULL, OPT_MODE },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "pkt-size", required_argument, NULL, OPT_PKT_SIZE },
	{ "pkt-order", required_argument, NULL, OPT_PKT_ORDER },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "max-lost", required_argument, NULL, OPT_MAX_LOST },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "link-wait", required_argument, NULL, OPT_LINK_WAIT },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "rx-intr", no_argument, NULL, OPT_RX_INTR },
	{ "offloads", no_argument, NULL, OPT_OFFLOADS },
	{ "tx-retry", required_argument, NULL, OPT_TX_RETRY },
	{ "record-core-cycles", no_argument, NULL, OPT_CORE_CYCLES },
	{ "rx-sum", no_argument, NULL, OPT_RX_SUM },
	{ "tx-pool", no_argument, NULL, OPT_TX_POOL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int
parse_one(int opt, const char *arg, struct app_config *cfg, bool *random)
{
	const char *name = NULL;
	const struct option *o;
	uint64_t v;

	for (o = long_opts; o->name != NULL; o++)
		if (o->val == opt)
			name = o->name;
	switch (opt) {
	case OPT_MODE:
		return parse_mode(arg, &cfg->mode);
	case OPT_BURST:
		return parse_u16(name, arg, 1, NFT_MAX_BURST, &cfg->burst);
	case OPT_QUEUES:
		return parse_u16(name, arg, 1, NFT_MAX_QUEUES,
				 &cfg->nb_queues);
	case OPT_RXD:
		return parse_u16(name, arg, 1, UINT16_MAX, &cfg->nb_rxd);
	case OPT_TXD:
		return parse_u16(name, arg, 1, UINT16_MAX, &cfg->nb_txd);
	case OPT_PKT_SIZE:
		return parse_size(arg, cfg);
	case OPT_PKT_ORDER:
		if (strcmp(arg, "cycle") != 0 && strcmp(arg, "random") != 0) {
			fprintf(stderr, "error: --pkt-order '%s': expected "
				"cycle or random\n", arg);
			return -1;
		}
		*random = strcmp(arg, "random") == 0;
		return 0;
	case OPT_DURATION:
		return parse_seconds(name, arg, &cfg->duration);
	case OPT_COUNT:
		return parse_u64(name, arg, 1, UINT64_MAX / 2, &cfg->count);
	case OPT_MAX_LOST:
		return parse_u64(name, arg, 0, UINT64_MAX - 1,
				 &cfg->max_lost);
	case OPT_WINDOW:
		if (parse_u64(name, arg, 0, UINT32_MAX, &v) < 0)
			return -1;
		cfg->window = (uint32_t)v;
		return 0;
	case OPT_DRAIN:
		return parse_seconds(name, arg, &cfg->drain);
	case OPT_LINK_WAIT:
		return parse_seconds(name, arg, &cfg->link_wait);
	case OPT_STATS_PERIOD:
		return parse_seconds(name, arg, &cfg->stats_period);
	case OPT_JSON:
		cfg->json_path = arg;
		return 0;
	case OPT_RX_INTR:
		cfg->rx_intr = true;
		return 0;
	case OPT_OFFLOADS:
		cfg->offloads = true;
		return 0;
	case OPT_TX_RETRY:
		if (parse_u64(name, arg, 0, 1000000, &v) < 0)
			return -1;
		cfg->tx_retry = (uint32_t)v;
		return 0;
	case OPT_CORE_CYCLES:
		cfg->core_cycles = true;
		return 0;
	case OPT_RX_SUM:
		cfg->rx_sum = true;
		return 0;
	case OPT_TX_POOL:
		cfg->tx_pool = true;
		return 0;
	}
	return -1;
}

int
config_parse(struct app_config *cfg, int argc, char **argv)
{
	bool random = false;
	int opt;

	*cfg = (struct app_config){
		.mode = FWD_IO,
		.size_mode = SIZE_FIXED,
		.burst = 32,
		.nb_queues = 1,
		.nb_rxd = 1024,
		.nb_txd = 1024,
		.window = 256,
		.pkt_min = 64,
		.pkt_max = 64,
		.max_lost = NFT_MAX_LOST_AUTO,
		.stats_period = 1.0,
		.drain = 0.5,
		.link_wait = 5.0,
	};
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			usage(argv[0]);
			return 1;
		}
		if (opt == '?' || opt == ':') {
			fprintf(stderr, "error: unknown option or missing "
				"argument: '%s' (see --help)\n",
				argv[optind - 1]);
			return -1;
		}
		if (parse_one(opt, optarg, cfg, &random) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "error: unexpected argument '%s' "
			"(see --help)\n", argv[optind]);
		return -1;
	}
	if (random && cfg->size_mode == SIZE_CYCLE)
		cfg->size_mode = SIZE_RANDOM;
	else if (random)
		fprintf(stderr, "warning: --pkt-order random needs a "
			"--pkt-size MIN-MAX range; ignored\n");
	if (cfg->rx_intr && config_mode_generates(cfg->mode)) {
		fprintf(stderr, "error: --rx-intr needs a mode that only "
			"receives or forwards (io, macswap, rxonly)\n");
		return -1;
	}
	if (cfg->offloads && cfg->mode != FWD_IO) {
		fprintf(stderr, "error: --offloads needs --mode io (frames "
			"forwarded as they came)\n");
		return -1;
	}
	if (cfg->rx_sum && cfg->mode != FWD_RXONLY &&
	    cfg->mode != FWD_TXONLY) {
		fprintf(stderr, "error: --rx-sum needs --mode rxonly or txonly "
			"(the modes that receive and drop)\n");
		return -1;
	}
	if (cfg->tx_pool && !config_mode_generates(cfg->mode)) {
		fprintf(stderr, "error: --tx-pool needs a mode that builds "
			"frames (txonly, verify)\n");
		return -1;
	}
	if (cfg->max_lost != NFT_MAX_LOST_AUTO && cfg->mode != FWD_VERIFY) {
		fprintf(stderr, "error: --max-lost only applies to "
			"--mode verify\n");
		return -1;
	}
	return 0;
}
