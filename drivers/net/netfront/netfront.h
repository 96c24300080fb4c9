/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_H
#define NETFRONT_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

/* The public ring.h leaves the barriers to the includer. */
#ifndef xen_mb
#define xen_mb()	rte_smp_mb()
#define xen_rmb()	rte_smp_rmb()
#define xen_wmb()	rte_smp_wmb()
#endif
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "netfront_idpool.h"

extern int netfront_logtype;
#define PMD_DRV_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, netfront_logtype, "netfront: " fmt "\n", \
		##__VA_ARGS__)

#define NETFRONT_PAGE_SIZE	4096u
#define NETFRONT_PAGE_SHIFT	12
#define NET_TX_RING_SIZE \
	((unsigned int)__CONST_RING_SIZE(netif_tx, NETFRONT_PAGE_SIZE))
#define NET_RX_RING_SIZE \
	((unsigned int)__CONST_RING_SIZE(netif_rx, NETFRONT_PAGE_SIZE))
/*
 * TX copies into half pages, a page holds two blocks. Request id i owns
 * block i: the block is reused only when id i is, after its response.
 */
#define NETFRONT_TX_BLOCK	2048u
#define NETFRONT_TX_PAGES	(NET_TX_RING_SIZE / 2)
#define NETFRONT_MAX_QUEUES	16
#define NETFRONT_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN
/* Jumbo frames need feature-sg; 9000 keeps TX within 5 blocks. */
#define NETFRONT_MAX_MTU_SG	9000
#define NETFRONT_MAX_MTU	1500
#define NETFRONT_FRAME_OVERHEAD	(RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
/* GSO: one IP packet of at most 64 KiB, each way. */
#define NETFRONT_MAX_GSO_LEN	(XEN_NETIF_MAX_TX_SIZE + NETFRONT_FRAME_OVERHEAD)


static_assert(NET_TX_RING_SIZE <= NETFRONT_IDPOOL_MAX &&
	      NET_RX_RING_SIZE <= NETFRONT_IDPOOL_MAX, "ids fit the id pool");

struct xenplat;
struct xenplat_evtchn;
struct xs_handle;
struct netfront_rxpool;
struct rte_eth_dev;
struct rte_eth_stats;
struct rte_eth_xstat;
struct rte_eth_xstat_name;
struct rte_intr_handle;

/* Protocol violations by the backend; each stops the port. */
enum netfront_viol {
	NETFRONT_VIOL_RSP_PROD,		/* producer past our requests */
	NETFRONT_VIOL_RSP_ID,		/* id out of range/not in flight */
	NETFRONT_VIOL_RSP_SIZE,		/* empty, or outside the page */
	NETFRONT_VIOL_RSP_STATUS,	/* unknown status code */
	NETFRONT_VIOL_RSP_FLAGS,	/* extra info, slots we did not offer */
	NETFRONT_VIOL_MAX
};

struct netfront_qstats {
	uint64_t packets;
	uint64_t bytes;
	/* ERROR/DROPPED answers; RX also runts and frames over the MTU */
	uint64_t errors;
	uint64_t nombuf;	/* RX: packets dropped for want of an mbuf */
	/* RX: refills short of pages, which the application holds */
	uint64_t refill_short;
	/* TX: packets sent without a copy, from granted pages */
	uint64_t zerocopy;
	uint64_t notifies;	/* kicks the backend asked for */
	uint64_t gso;		/* RX: LRO packets; TX: TSO packets */
	uint64_t viol[NETFRONT_VIOL_MAX];
};

struct netfront_tx_slot {
	struct rte_mbuf *m;	/* zero-copy segment, held until answered */
	bool busy;		/* in flight; the id's block too if m is NULL */
	bool rx_page;		/* m's is an RX pool's page */
};

/* Granted TX copy blocks of one queue: block b is page b/2, half b%2. */
struct netfront_txblocks {
	uint8_t *base;
	uint32_t refs[NETFRONT_TX_PAGES];
};

struct netfront_txq {
	netif_tx_front_ring_t ring;
	struct netfront_idpool ids;
	struct netfront_txblocks blk;
	struct netfront_adapter *ad;
	struct xenplat_evtchn *evtchn;
	/* The last region found granted to our backend, by its serial. */
	const struct netfront_region *zc_reg;
	uint64_t zc_serial;
	RING_IDX pushed;		/* req_prod as the backend sees it */
	uint16_t zc_held;		/* RX pool pages in flight in place */
	/* Extra-info slots not answered yet: ring slots without an id. */
	uint16_t extras;
	uint16_t qid;
	bool violated;
	struct netfront_qstats st;
	struct netfront_tx_slot slot[NET_TX_RING_SIZE];
	uint32_t ring_ref;
} __rte_cache_aligned;

#define NETFRONT_NO_PAGE	UINT16_MAX
#define NETFRONT_RX_STASH	64

struct netfront_rxq {
	netif_rx_front_ring_t ring;
	struct netfront_idpool ids;
	struct netfront_adapter *ad;
	/*
	 * With more TX than RX queues, the RX rings of the pairs past
	 * nb_rx_queues this queue polls too (the driver's, while started),
	 * and the ring its next burst starts at, for fairness.
	 */
	struct netfront_rxq *next;
	struct netfront_rxq *turn;
	struct rte_mempool *mp;		/* the application's */
	struct netfront_rxpool *pool;	/* granted pages, while started */
	struct xenplat_evtchn *evtchn;	/* == txq's when not split */
	/* A packet whose more_data slots have not all arrived yet. */
	struct rte_mbuf *head;
	struct rte_mbuf *tail;
	uint16_t nslots;		/* slots of it taken, dropped or not */
	bool discard;			/* rest of a dropped packet */
	bool more;			/* its last data slot had more_data */
	bool extra_next;		/* the next slot is an extra-info one */
	uint8_t extras_seen;		/* its extra types, as bits */
	uint16_t gso_size;		/* its MSS, from a GSO extra, or 0 */
	uint16_t qid;
	bool violated;
	uint16_t nstash;
	struct netfront_qstats st;
	/* mbufs of mp taken in bulk, handed out one per segment */
	struct rte_mbuf *stash[NETFRONT_RX_STASH];
	/* The page request id i was posted with, or NETFRONT_NO_PAGE. */
	uint16_t page[NET_RX_RING_SIZE];
	/*
	 * The id posted at each ring slot: its response must carry it, and
	 * an extra-info slot, which has no id, uses up that request.
	 */
	uint16_t posted[NET_RX_RING_SIZE];
	uint32_t ring_ref;
} __rte_cache_aligned;

struct netfront_args {
	unsigned int vif;
	unsigned int queues;		/* 0: what the backend offers */
	char xensim[256];		/* empty: real Xen */
	bool unbind;
	bool split_evtchn;		/* use split channels when offered */
	unsigned int timeout_ms;
	unsigned int rx_pages;		/* 0: as many as the grants allow */
	bool trusted;			/* 0: never trust the backend */
};

struct netfront_backend_features {
	bool split_evtchn;
	bool sg;
	bool ipv6_csum;		/* takes csum_blank for IPv6 too */
	bool gso_tcpv4;
	bool gso_tcpv6;
	bool mcast_ctrl;	/* filters multicast by our list */
	bool mcast_dynamic;	/* ... and may be told so while connected */
	unsigned int max_queues;
};

/* What Linux netback keeps (XEN_NETBK_MCAST_MAX); more fail to add. */
#define NETFRONT_MAX_MCAST	64

/*
 * The multicast list: the application's, changed by control calls, and
 * the backend's, changed only by queue 0's TX path (and by dev_start,
 * before bursts run), which sends MCAST_ADD/DEL requests to match.
 */
struct netfront_mcast {
	rte_spinlock_t lock;		/* app[] and gen */
	uint32_t gen;			/* bumped by each change of app[] */
	uint32_t synced;		/* the gen the backend's list matches */
	unsigned int nb_app;
	unsigned int nb_backend;
	struct rte_ether_addr app[NETFRONT_MAX_MCAST];
	struct rte_ether_addr backend[NETFRONT_MAX_MCAST];
};

struct netfront_adapter {
	struct netfront_args args;
	struct rte_eth_dev *dev;
	struct xenplat *xp;
	struct xs_handle *xsh;
	char fe_path[32];		/* device/vif/N, domain relative */
	char be_path[256];
	uint16_t be_id;
	uint16_t mtu;			/* from xenstore */
	struct rte_ether_addr mac;
	struct netfront_backend_features feat;
	unsigned int max_queues;	/* offered to the application */
	unsigned int nr_queues;		/* connected */
	/*
	 * Pair q's rings: the application's queues q, and past nb_rx_queues
	 * or nb_tx_queues the driver's own (netfront_queue.c).
	 */
	struct netfront_txq *pair_tx[NETFRONT_MAX_QUEUES];
	struct netfront_rxq *pair_rx[NETFRONT_MAX_QUEUES];
	/*
	 * The devarg and the toolstack's trusted key: RX pages reach the
	 * application without a copy, TX sends them back in place.
	 */
	bool trusted;
	/* What start asked of the backend for RX, from the offloads. */
	bool rx_sg;			/* feature-sg: SCATTER or LRO on */
	bool rx_csum;			/* no feature-no-csum-offload */
	bool rx_ip_csum;		/* IPv4 headers checked on RX */
	bool rx_gso;			/* feature-gso-tcpv4/v6: LRO on */
	uint32_t max_lro_len;		/* of an RX packet with a GSO extra */
	unsigned int rx_pages;		/* trusted RX pool size, per queue */
	unsigned int grant_limit;	/* gntalloc's, at the last start */
	bool link_reported;		/* last state link_report reported */
	bool unbound_kernel;		/* rebind xen-netfront on close */
	/* The backend left while started; we asked it back once it closed;
	 * its directory is gone; it came back (InitWait). */
	bool gone;
	bool woken;
	bool removed;
	bool back;
	struct netfront_mcast mc;
	/* The domain was restored: the connection's channels are dead. */
	bool restored;
	int fe_state;			/* the frontend state last written */
	struct rte_intr_handle *xs_intr;	/* the watch fd, while started */
	/* A queue saw a violation, or the backend left: bursts do nothing. */
	volatile bool failed;
	/* The data path stopped the port: the ethdev layer reports it. */
	void (*link_lost)(struct netfront_adapter *ad);
};

/* netfront_xenbus.c */
int netfront_xb_attach(struct netfront_adapter *ad);
int netfront_xb_wait_initwait(struct netfront_adapter *ad);
int netfront_xb_connect(struct netfront_adapter *ad);
void netfront_xb_disconnect(struct netfront_adapter *ad);
void netfront_xb_detach(struct netfront_adapter *ad, bool give_back);
bool netfront_xb_carrier(struct netfront_adapter *ad);
/* The xenstore watch's fd, readable when the backend's keys changed. */
int netfront_xb_fd(struct netfront_adapter *ad);
int netfront_xb_backend_state(struct netfront_adapter *ad);
void netfront_xb_close(struct netfront_adapter *ad);
/* Our directory was made anew: restored, or the vif plugged again. */
bool netfront_xb_renewed(struct netfront_adapter *ad);
bool netfront_xb_restored(struct netfront_adapter *ad);
bool netfront_xb_wake(struct netfront_adapter *ad);
int netfront_xb_mcast_filter(struct netfront_adapter *ad, bool on);

/* netfront_mcast.c */
/* With the feature, and all-multicast off: the backend filters. */
bool netfront_mcast_filtering(const struct netfront_adapter *ad);
/* With say, logs what is missing when it is not. */
bool netfront_mcast_offered(const struct netfront_adapter *ad, bool say);
int netfront_mcast_set(struct rte_eth_dev *dev, struct rte_ether_addr *addrs,
		       uint32_t n);
/* A new connection: the backend's list is empty. */
void netfront_mcast_reset(struct netfront_adapter *ad);
/* Queue 0: bring the backend's list to the application's. */
void netfront_mcast_sync(struct netfront_txq *txq);

/* netfront_pool.c */
/*
 * Pages granted to one backend, whose mbufs TX may post in place: a
 * trusted RX pool's, or a TX pool's (rte_pmd_netfront_tx_pool_create).
 */
struct netfront_region {
	uint8_t *base;
	const uint32_t *refs;		/* a grant ref per page */
	uint64_t serial;		/* unique for the process's life */
	unsigned int npages;
	uint16_t backend;
	bool rx_pool;			/* RX wants its pages back soon */
	char domain[sizeof(((struct netfront_args *)0)->xensim)];
};

/*
 * RX pages granted writable to the backend. Trusted: rx_pages pages that
 * travel to the application attached to its mbufs and come back when it
 * frees them. Untrusted: one page per request id, never handed out.
 */
struct netfront_rxpool {
	struct netfront_region reg;
	rte_iova_t iova;		/* of reg.base, or RTE_BAD_IOVA */
	struct xenplat *xp;
	struct rte_ring *free;		/* trusted: pages nobody holds */
	struct rte_mbuf_ext_shared_info *shinfo;	/* trusted: per page */
	bool close_xp;			/* the last retired pool closes xp */
	uint32_t refs[];
};

struct netfront_rxpool *netfront_rxpool_create(struct netfront_adapter *ad,
					       uint16_t qid, int socket);
/* Revoke its grants, or once the application frees the pages it holds. */
void netfront_rxpool_destroy(struct netfront_rxpool *pool);
/* Free the retired pools whose pages have all come back. */
void netfront_rxpool_reap(void);
/* True if a retired pool still needs xp: it then closes xp itself. */
bool netfront_rxpool_adopt_xp(struct xenplat *xp);
/* Trusted: page pg's data, lent to the application as m's buffer. */
void netfront_rxpool_attach(struct netfront_rxpool *p, uint16_t pg,
			    struct rte_mbuf *m);
/* Trusted: give back a page that is not attached to an mbuf. */
void netfront_rxpool_put(struct netfront_rxpool *p, uint16_t pg);
/* The free callback of a trusted RX page lent as an external buffer. */
void netfront_rxpage_free(void *addr, void *opaque);
/* A new serial, and the backend and domain of ad; base is the caller's. */
void netfront_region_init(struct netfront_region *r,
			  const struct netfront_adapter *ad,
			  unsigned int npages, const uint32_t *refs);

/* The pool m's buffer is a page of, or NULL. */
static inline const struct netfront_rxpool *
netfront_rxpool_of(const struct rte_mbuf *m)
{
	if (!RTE_MBUF_HAS_EXTBUF(m) ||
	    m->shinfo->free_cb != netfront_rxpage_free)
		return NULL;
	return m->shinfo->fcb_opaque;
}

/* True when the segment's data lies in one page of region r. */
static inline bool
netfront_region_holds(const struct netfront_region *r,
		      const struct rte_mbuf *m)
{
	uintptr_t off = rte_pktmbuf_mtod(m, uintptr_t) - (uintptr_t)r->base;

	return off < (uintptr_t)r->npages * NETFRONT_PAGE_SIZE &&
	       (off & (NETFRONT_PAGE_SIZE - 1)) + m->data_len <=
	       NETFRONT_PAGE_SIZE;
}

static inline uint8_t *
netfront_rxpool_page(const struct netfront_rxpool *p, uint16_t pg)
{
	return p->reg.base + ((size_t)pg << NETFRONT_PAGE_SHIFT);
}

/* netfront_txpool.c */
/*
 * The TX pools' registry: slot i's mempool and region. Slots are never
 * freed: TX reads a region only after finding its mempool in the slot,
 * and a reused slot's region has a new serial (see tx_zc_region).
 */
#define NETFRONT_MAX_TXPOOLS	16
extern const struct rte_mempool *netfront_txpool_mp[NETFRONT_MAX_TXPOOLS];
extern struct netfront_region netfront_txpool_reg[NETFRONT_MAX_TXPOOLS];

/* The TX pool region of mempool mp, or NULL. */
static inline const struct netfront_region *
netfront_txpool_region(const struct rte_mempool *mp)
{
	unsigned int i;

	for (i = 0; i < NETFRONT_MAX_TXPOOLS; i++)
		if (__atomic_load_n(&netfront_txpool_mp[i],
				    __ATOMIC_ACQUIRE) == mp)
			return &netfront_txpool_reg[i];
	return NULL;
}

/* The granted region m's data lies in, RX pool or TX pool, or NULL. */
static inline const struct netfront_region *
netfront_region_of(const struct rte_mbuf *m)
{
	const struct netfront_rxpool *p;

	if (!RTE_MBUF_HAS_EXTBUF(m))
		return NULL;
	if (RTE_MBUF_HAS_PINNED_EXTBUF(m))
		return netfront_txpool_region(m->pool);
	p = netfront_rxpool_of(m);
	return p != NULL ? &p->reg : NULL;
}

/* rte_pmd_netfront_tx_pool_create() for an adapter. */
struct rte_mempool *netfront_txpool_create(const struct netfront_adapter *ad,
					   const char *name, unsigned int n,
					   unsigned int cache_size,
					   uint16_t priv_size, int socket_id);
/* Pages all TX pools of the process hold granted. */
unsigned int netfront_txpool_pages(void);
int netfront_txblocks_create(struct netfront_adapter *ad,
			     struct netfront_txblocks *blk);
void netfront_txblocks_destroy(struct netfront_adapter *ad,
			       struct netfront_txblocks *blk);

/* netfront_queue.c */
/* A netif queue is a TX/RX ring pair: as many as the larger count. */
unsigned int netfront_pairs(const struct rte_eth_dev *dev);
/* Grants of nq queue pairs with rx RX pages each, ntx of them with TX
 * blocks (the TX rings past the TX queues send nothing and have none). */
unsigned int netfront_grants_need(unsigned int nq, unsigned int ntx,
				  unsigned int rx);
/* The adapter of a net_netfront port, or NULL. */
struct netfront_adapter *netfront_adapter_of(uint16_t port_id);
/* Grants a started port's queue pairs hold; 0 when stopped. */
unsigned int netfront_port_grants(const struct netfront_adapter *ad);
/* Grants the queue pairs of the process's started ports but except's
 * hold: gntalloc's limit counts them all. */
unsigned int netfront_queues_grants(const struct netfront_adapter *except);
int netfront_queues_connect(struct netfront_adapter *ad);
void netfront_queues_disconnect(struct netfront_adapter *ad);
void netfront_qstats_add(struct netfront_qstats *sum,
			 const struct netfront_qstats *st);

/* netfront_stats.c */
int netfront_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);
int netfront_stats_reset(struct rte_eth_dev *dev);
int netfront_xstats_get_names(struct rte_eth_dev *dev,
			      struct rte_eth_xstat_name *names,
			      unsigned int size);
int netfront_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
			unsigned int size);
/* A queue's counters, zero before its setup; an RX queue's are those of
 * every ring it polls. */
void netfront_queue_stats(const struct rte_eth_dev *dev, bool rx,
			  unsigned int qid, struct netfront_qstats *st);

/* netfront_rxtx.c */
uint16_t netfront_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
uint16_t netfront_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
/* The number of requests whose response was consumed. */
unsigned int netfront_tx_reclaim(struct netfront_txq *txq);
void netfront_rx_refill(struct netfront_rxq *rxq);
/* A dummy request carrying an MCAST_ADD/DEL extra; false: no room. */
bool netfront_tx_mcast(struct netfront_txq *txq,
		       const struct rte_ether_addr *addr, bool add);

#endif
