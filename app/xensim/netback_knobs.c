/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The knobs of a vif: one table, one parser. Each hostile knob is off at
 * 0 and costs the honest path nothing then.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/netif.h>

#include "netback_knobs.h"

#define RING		__CONST_RING_SIZE(netif_tx, 4096)
#define MAX_US		10000000ul
#define EVERY		0, UINT32_MAX	/* mutate every Nth response */

static const struct {
	const char *name;
	const char *alias;	/* the older misbehave= spelling */
	unsigned long min, max;
	const char *help;
	unsigned long def;	/* 0 unless given */
} knobs[NB_K_NR] = {
	[NB_K_TX_HOLD] = { "tx-hold", NULL, 0, RING,
		"keep up to N TX packets taken but unanswered" },
	[NB_K_TX_DELAY_US] = { "tx-delay-us", NULL, 0, MAX_US,
		"answer a TX packet no earlier than US after taking it" },
	[NB_K_TX_BATCH] = { "tx-batch", NULL, 1, RING,
		"answer TX packets N at a time" },
	[NB_K_TX_REORDER] = { "tx-reorder", NULL, 0, 1,
		"answer held TX packets in a shuffled order (seed)" },
	[NB_K_RX_HOLD] = { "rx-hold", NULL, 0, RING,
		"leave up to N posted RX requests unfilled" },
	[NB_K_RX_DELAY_US] = { "rx-delay-us", NULL, 0, MAX_US,
		"fill an RX request no earlier than US after seeing it" },
	[NB_K_VERIFY] = { "verify", NULL, 0, 1,
		"count frontend violations: a TX block changed before its "
		"response, an id reused in flight, a grant ended in use" },
	[NB_K_SEED] = { "seed", NULL, 0, UINT32_MAX,
		"seed of tx-reorder" },
	[NB_K_TX_ID_RANGE] = { "tx-id-range", "bad-rsp-id", EVERY,
		"TX response id >= ring size" },
	[NB_K_TX_ID_STRAY] = { "tx-id-stray", NULL, EVERY,
		"TX response id in range but not in flight" },
	[NB_K_TX_ID_DUP] = { "tx-id-dup", NULL, EVERY,
		"TX response repeats the id of the one before it" },
	[NB_K_TX_STATUS_NULL] = { "tx-status-null", NULL, EVERY,
		"TX response status NETIF_RSP_NULL" },
	[NB_K_TX_STATUS_UNKNOWN] = { "tx-status-unknown", "bad-status",
		EVERY, "TX response status 2 (no NETIF_RSP_ has it)" },
	[NB_K_RX_ID_RANGE] = { "rx-id-range", NULL, EVERY,
		"RX response id >= ring size" },
	[NB_K_RX_ID_STRAY] = { "rx-id-stray", NULL, EVERY,
		"RX response id in range but not posted" },
	[NB_K_RX_ID_DUP] = { "rx-id-dup", NULL, EVERY,
		"RX response repeats the id of the one before it" },
	[NB_K_RX_STATUS_UNKNOWN] = { "rx-status-unknown", NULL, EVERY,
		"RX response status -3" },
	[NB_K_RX_OFFSET_4096] = { "rx-offset-4096", NULL, EVERY,
		"RX response status 0 at offset 4096" },
	[NB_K_RX_SIZE_PAST_PAGE] = { "rx-size-past-page", "bad-rx-size",
		EVERY, "RX response size ends past its page" },
	[NB_K_RX_OFFSET_PAST_PAGE] = { "rx-offset-past-page",
		"bad-rx-offset", EVERY,
		"RX response offset puts its data past the page" },
	[NB_K_RX_SIZE_ZERO] = { "rx-size-zero", NULL, EVERY,
		"RX data slot of size 0" },
	[NB_K_RX_MORE_ENDLESS] = { "rx-more-endless", NULL, EVERY,
		"RX packets whose slots never end (more_data on all)" },
	[NB_K_RX_EXTRA_UNKNOWN] = { "rx-extra-unknown", NULL, EVERY,
		"RX packet with an extra-info slot of type 15" },
	[NB_K_RX_EXTRA_ENDLESS] = { "rx-extra-endless", NULL, EVERY,
		"RX extra-info chain that never ends (FLAG_MORE forever)" },
	[NB_K_RX_RUNT] = { "rx-runt", NULL, EVERY,
		"RX frame cut to 10 bytes" },
	[NB_K_RX_OVERSIZE] = { "rx-oversize", NULL, EVERY,
		"RX frame padded to 16000 bytes, past any MTU" },
	[NB_K_RSP_PROD_BEYOND] = { "rsp-prod-beyond", "bad-rsp-prod",
		EVERY, "rsp_prod a ring past req_prod (both rings)" },
	[NB_K_RSP_PROD_BACK] = { "rsp-prod-back", NULL, EVERY,
		"rsp_prod a ring behind the one published before" },
	[NB_K_RSP_PROD_WRAP] = { "rsp-prod-wrap", NULL, EVERY,
		"rsp_prod 2^31 past the responses" },
	[NB_K_RSP_REWRITE] = { "rsp-rewrite", NULL, 0, 1,
		"flip published responses between good and garbage for "
		"2 ms (double fetch)" },
	[NB_K_RX_PAGE_REWRITE_MS] = { "rx-page-rewrite-ms", NULL, 1, 10000,
		"MS after an RX response, rewrite its data through the grant" },
	[NB_K_RX_LEAK_CHECK] = { "rx-leak-check", NULL, 0, 1,
		"a reposted RX page must hold what we wrote, or zeros: "
		"count rx_page_leaks" },
	[NB_K_NOTIFY_STORM] = { "notify-storm", NULL, 0, 1,
		"notify the frontend's event channels without end" },
	[NB_K_NO_INITWAIT] = { "no-initwait", NULL, 0, 1,
		"stay Initialising" },
	[NB_K_NO_CONNECT] = { "no-connect", NULL, 0, 1,
		"stay InitWait when the frontend connects" },
	[NB_K_NEVER_CLOSE] = { "never-close", NULL, 0, 1,
		"stay Connected when the frontend closes" },
	[NB_K_BAD_STATE] = { "bad-state", NULL, 9, 65535,
		"write this state where InitWait belongs" },
	[NB_K_TX_LATE] = { "tx-late", NULL, 0, 1,
		"answer TX frames over 128 bytes a pass late, out of order, "
		"as Linux netback answers a frame it grant-maps once dom0 "
		"frees it (0: all at once, in order)", .def = 1 },
	[NB_K_TAP_OFFLOAD] = { "tap-offload", NULL, 0, 1,
		"end=tap: a virtio-net header on every frame (IFF_VNET_HDR), "
		"so GSO packets and blank checksums cross the TAP whole; the "
		"kernel sends those the frontend takes (TUNSETOFFLOAD)" },
};

void
nb_knobs_init(struct nb_knobs *k)
{
	int i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < NB_K_NR; i++)
		k->v[i] = knobs[i].def;
}

static int
parse_set(struct nb_knobs *k, const char *val, char *err, size_t len)
{
	const char *colon = strchr(val, ':');
	size_t klen = colon != NULL ? (size_t)(colon - val) : 0;

	if (klen == 0 || klen >= sizeof(k->set[0].key) ||
	    memchr(val, '/', klen) != NULL ||
	    strlen(colon + 1) >= sizeof(k->set[0].val)) {
		snprintf(err, len, "set=%s: KEY:VALUE, KEY a backend key "
			 "name", val);
		return -1;
	}
	if (k->nr_set == NB_KNOB_SET_MAX) {
		snprintf(err, len, "set=%s: at most %d set= per vif", val,
			 NB_KNOB_SET_MAX);
		return -1;
	}
	memcpy(k->set[k->nr_set].key, val, klen);
	k->set[k->nr_set].key[klen] = '\0';
	strcpy(k->set[k->nr_set].val, colon + 1);
	k->nr_set++;
	return 0;
}

static int
find(const char *name)
{
	int i;

	for (i = 0; i < NB_K_NR; i++)
		if (strcmp(name, knobs[i].name) == 0 ||
		    (knobs[i].alias && strcmp(name, knobs[i].alias) == 0))
			return i;
	return -1;
}

int
nb_knob_parse(struct nb_knobs *k, const char *key, const char *val,
	      char *err, size_t len)
{
	unsigned long v;
	char *end;
	int i;

	if (strcmp(key, "set") == 0)
		return parse_set(k, val, err, len);
	if (strcmp(key, "misbehave") == 0) {
		i = find(val);
		if (i < 0 || knobs[i].min > 1 || knobs[i].max < 1) {
			snprintf(err, len, "misbehave=%s: not a knob that "
				 "takes 1 (xensim --help)", val);
			return -1;
		}
		k->v[i] = 1;
		return 0;
	}
	i = find(key);
	if (i < 0)
		return 1;
	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno != 0 || end == val || *end != '\0' || val[0] == '-' ||
	    v < knobs[i].min || v > knobs[i].max) {
		snprintf(err, len, "%s=%s: %lu..%lu", key, val, knobs[i].min,
			 knobs[i].max);
		return -1;
	}
	k->v[i] = v;
	return 0;
}

bool
nb_knobs_adversary(const struct nb_knobs *k)
{
	int i;

	for (i = 0; i < NB_K_NO_INITWAIT; i++)
		if (k->v[i] != 0 && i != NB_K_SEED)
			return true;
	return false;
}

void
nb_knobs_help(FILE *f)
{
	int i;

	fprintf(f, "  vif knobs (KNOB=N; a hostile one is off at 0; "
		"misbehave=KNOB is KNOB=1;\n  N of a response knob: every "
		"Nth response):\n");
	for (i = 0; i < NB_K_NR; i++) {
		char range[32];

		if (knobs[i].max == UINT32_MAX)
			snprintf(range, sizeof(range), "N");
		else
			snprintf(range, sizeof(range), "%lu..%lu",
				 knobs[i].min, knobs[i].max);
		fprintf(f, "    %-20s %s%s%s%s: %s", knobs[i].name, range,
			knobs[i].alias ? " (was " : "",
			knobs[i].alias ? knobs[i].alias : "",
			knobs[i].alias ? ")" : "", knobs[i].help);
		if (knobs[i].def != 0)
			fprintf(f, "; default %lu", knobs[i].def);
		fputc('\n', f);
	}
	fprintf(f, "    %-20s write backend key KEY=VALUE before InitWait "
		"(up to %d)\n", "set=KEY:VALUE", NB_KNOB_SET_MAX);
}
