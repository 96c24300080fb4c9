/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_NETBACK_VIF_H
#define XENSIM_NETBACK_VIF_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <net/if.h>

/* ring.h leaves the barriers to its user. */
#define mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/io/netif.h>

#include "frame_ring.h"
#include "mcast.h"
#include "netback.h"
#include "netback_knobs.h"

/*
 * One vif's backend state, shared by its layers: netback.c (spec,
 * lifetime, status) -> netback_xenbus.c (state machine, loop thread) ->
 * netback_ring.c (per-queue data threads) -> vif_end.c (the other end);
 * the ring alone calls netback_adv.c (the hostile knobs).
 */

#define NB_PAGE_SIZE		4096u
#define NB_MAX_QUEUES		8
#define NB_DEFAULT_QUEUES	2
#define NB_FRAME_RING_SIZE	(1u << 20)
#define NB_GEN_DEFAULT_SIZE	64u
#define NB_GEN_MIN_SIZE		60u
#define NB_GEN_MAX_LENS		16u
#define NB_RING_SIZE		__CONST_RING_SIZE(netif_tx, NB_PAGE_SIZE)

/* An empty frame ring takes the largest frame (a 64 KiB GSO one) even
 * when it must wrap, wasting up to a frame's room at its end. */
_Static_assert(NB_FRAME_RING_SIZE >= 2 * (sizeof(struct frame_hdr) +
					  XEN_NETIF_MAX_TX_SIZE + 8),
	       "frame rings too small for a GSO frame");

enum nb_end {
	NB_END_ECHO,
	NB_END_SINK,
	NB_END_GEN,
	NB_END_PEER,
	NB_END_TAP,
};

/*
 * Written by the queue thread only (relaxed stores), read by the loop
 * thread; rx_drops is also bumped by a peer's thread, atomically.
 */
struct nb_stats {
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t rx_drops;
	uint64_t tx_errors;
	uint64_t fatal;
	uint64_t notify_in;
	uint64_t notify_out;
	/* Ring slots consumed: TX requests (extra-info ones included), RX
	 * requests filled (data, extra-info and the adversary's). */
	uint64_t tx_reqs;
	uint64_t rx_reqs;
	/* The frontend broke the protocol: verify=1 (netback_adv.c), or
	 * more requests than the ring holds (netback_ring.c). */
	uint64_t violations;
	uint64_t v_changed;
	uint64_t v_id_reuse;
	uint64_t v_grant_ended;
	uint64_t v_ring_overflow;
	/* Hostile knobs: responses and indexes mutated, pages rewritten,
	 * reposted RX pages holding what the frontend wrote. */
	uint64_t hostile;
	uint64_t rx_page_rewrites;
	uint64_t rx_page_leaks;
	uint64_t tx_late;		/* TX responses deferred (tx-late) */
	/* GSO: packets the frontend sent (tx_gso), those without
	 * csum_blank given the pseudo-header sum (as Linux's
	 * rx_gso_checksum_fixup), those dropped as not TCP over their IP
	 * version; frames delivered with a GSO extra-info slot; segments
	 * made in software, toward a TAP or a frontend without GSO. */
	uint64_t tx_gso;
	uint64_t tx_gso_csum_fixup;
	uint64_t tx_gso_bad;
	uint64_t rx_gso;
	uint64_t gso_segs;
	/* Multicast control: requests taken, frames filtered out. */
	uint64_t mcast_adds;
	uint64_t mcast_dels;
	uint64_t rx_mcast_filtered;
	uint64_t sink_wraps;		/* the sink's region started over */
};

/* One TX packet's requests, taken off the ring. */
struct nb_tx_pkt {
	netif_tx_request_t txp[XEN_NETIF_NR_SLOTS_MIN];
	unsigned int n;			/* data slots */
	unsigned int nr_extra;
	uint32_t rest;			/* bytes in the first slot */
	bool drop;			/* answer with errors, deliver nothing */
	bool mcast;			/* MCAST_ADD/DEL: status[0] is set */
	bool late;			/* delivered: answer a pass late */
	uint16_t gso_size;		/* from a GSO extra, or 0 */
	uint16_t gso_type;
	int16_t status[XEN_NETIF_NR_SLOTS_MIN];	/* per slot, once copied */
	/* Adversary only: when taken, and each slot's fingerprint. */
	uint64_t seen_ns;
	uint32_t sum_valid;		/* bit i: sum[i] was taken */
	uint64_t sum[XEN_NETIF_NR_SLOTS_MIN];
};

struct nb_adv;

struct netback;

struct nb_queue {
	struct netback *nb;
	unsigned int idx;

	/* Connection, set up by the loop thread before the thread runs. */
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	grant_ref_t tx_ref, rx_ref;
	bool tx_mapped, rx_mapped;
	evtchn_port_t tx_port, rx_port;	/* equal with a shared channel */
	int nr_ports;			/* 0, 1 (shared) or 2 (split) */
	int tx_wait, tx_notify, rx_wait, rx_notify;

	pthread_t thread;
	bool running;
	int stop;			/* atomic */
	int sleeping;			/* atomic: event mode, about to poll */
	int kick_fd;			/* eventfd: stop and peer wake-ups */
	int end_fd;			/* the tap queue's fd, or -1 */

	/* Frames waiting for RX slots: [0] from a local end, one per peer
	 * queue otherwise. Each is single-producer single-consumer. */
	struct frame_ring *in[NB_MAX_QUEUES];
	unsigned int nr_in;
	unsigned int next_in;		/* round robin over in[] */
	uint8_t *scratch;		/* a whole TX frame that goes nowhere */
	uint8_t *sink;			/* the sink's region (end_region) */
	size_t sink_off;		/* where its next frame may start */
	/* A segment of a GSO frame, on its way to a TAP or to RX; for RX,
	 * the next segment of the frame at the head of in[next_in]. */
	struct frame_hdr *seg;
	unsigned int seg_next;
	uint32_t peer_fed;		/* peer queues fed by this TX batch */
	/* RX responses of this pass, not yet on the ring. At most one per
	 * request, so never more than the ring holds. */
	netif_rx_response_t rx_stage[__CONST_RING_SIZE(netif_rx, NB_PAGE_SIZE)];
	unsigned int nr_rx_stage;
	/* TX responses deferred by tx-late, for the next pass. One per
	 * consumed unanswered request, so never more than the ring holds. */
	netif_tx_response_t tx_late[NB_RING_SIZE];
	unsigned int nr_tx_late;
	uint32_t gen_seq;
	unsigned int gen_next;		/* index into gen_lens */
	struct nb_adv *adv;		/* NULL unless the spec asks for it */

	struct nb_stats st;
	char fatal_msg[160];		/* set before st.fatal */
	uint64_t fatal_seen;		/* loop thread: st.fatal reported */
	bool want_tx_notify, want_rx_notify;
};

struct netback {
	struct netback *next;		/* every netback, for peer links */
	struct xsim *xs;
	struct gnttab *fe_gt;		/* the frontend domain's grants */
	domid_t domid;
	unsigned int handle;
	char be_path[64];
	char fe_path[64];

	enum nb_end end;
	bool end_given;
	unsigned int gen_size;		/* largest frame */
	unsigned int gen_nr;		/* frame lengths, sent in turn */
	uint16_t gen_lens[NB_GEN_MAX_LENS];
	uint8_t *gen_hdr;		/* gen_nr frame headers, one a length */
	/* Bytes a sink queue's frames or a generator queue's frame ring
	 * rotate through (vif_end.c), 0 for the other ends. */
	size_t end_region;
	domid_t peer_dom;
	unsigned int peer_handle;
	struct netback *peer;
	char tap_if[IFNAMSIZ];
	char tap_ns[128];
	unsigned int tap_offloads;	/* TUN_F_ set at connect (tap-offload) */
	bool poll_mode;
	unsigned int max_queues;
	char omit[64];
	struct nb_knobs k;

	int state;			/* enum xenbus_state we last wrote */
	bool restarting;		/* Closed, to be probed again */
	struct xs_iwatch *watch;
	int fatal_fd;			/* eventfd: a queue hit a fatal error */

	/* Frontend's choices, read at connect. */
	unsigned int nr_queues;		/* atomic for peers: 0 if down */
	bool fe_sg;
	bool fe_no_csum;		/* feature-no-csum-offload */
	bool fe_ipv6_csum;		/* feature-ipv6-csum-offload */
	unsigned int fe_gso;		/* bit XEN_NETIF_GSO_TYPE_: takes it */
	unsigned int headroom;		/* xdp-headroom: where RX slots' data starts */
	uint8_t fe_mac[6];
	int disabled;			/* atomic: a fatal error stopped I/O */
	/* request-multicast-control, followed while connected (atomic):
	 * frames to multicast addresses not in mcast are dropped. */
	int mcast_ctrl;
	struct xs_iwatch *mcast_watch;
	struct mcast mcast;

	struct nb_queue q[NB_MAX_QUEUES];
};

/* May the frontend get a frame with its L4 checksum left blank? As
 * Linux's vif: not with feature-no-csum-offload, IPv6 only with
 * feature-ipv6-csum-offload. */
static inline bool
nb_fe_csum_blank_ok(const struct netback *nb, bool ipv6)
{
	return !nb->fe_no_csum && (nb->fe_ipv6_csum || !ipv6);
}

/* May it get GSO frames of XEN_NETIF_GSO_TYPE_ type whole? As Linux's
 * vif has TSO (TSO6) only with feature-gso-tcpv4 (v6), SG and the
 * checksum offload of that IP version (netdev_fix_features). */
static inline bool
nb_fe_gso_ok(const struct netback *nb, unsigned int type)
{
	return nb->fe_sg && (nb->fe_gso & 1u << type) &&
	       nb_fe_csum_blank_ok(nb, type == XEN_NETIF_GSO_TYPE_TCPV6);
}

/* RX slots a frame of len bytes fills with data: each starts at the
 * headroom, as in Linux's xenvif_rx_data_slot(). */
static inline unsigned int
nb_rx_data_slots(const struct netback *nb, uint32_t len)
{
	uint32_t room = NB_PAGE_SIZE - nb->headroom;

	return len <= room ? 1 : (len + room - 1) / room;
}

/* The RX requests it takes: a headroom also costs an XDP extra-info
 * slot. */
static inline unsigned int
nb_rx_slots(const struct netback *nb, uint32_t len)
{
	return nb_rx_data_slots(nb, len) + (nb->headroom != 0);
}

static inline void
nb_stat_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline uint64_t
nb_stat_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif
