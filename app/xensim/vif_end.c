/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What is at the other end of a vif: echo (TX comes back on RX), sink,
 * a generator, another vif (peer) or a TAP device (its virtio-net header
 * with tap-offload=1: tap_vnet.c).
 *
 * The sink and the generator stand for a real receiver and sender in
 * benchmarks, so per frame they do the memory work those do, in a region
 * per queue larger than the L2 cache that frames rotate through, as
 * mbufs do, rather than in one buffer that stays in cache: the sink
 * copies each frame to the next 64-byte boundary of its region, the
 * generator writes each frame whole (header and every payload byte) into
 * its frame ring, which is that large, for RX to copy to the frontend.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "csum.h"
#include "gso.h"
#include "imix.h"
#include "tap_vnet.h"
#include "vif_end.h"

#define TAP_BUDGET	32	/* frames read per pass */
#define GEN_BUDGET	64
#define TAP_MAX_FRAME	XEN_NETIF_MAX_TX_SIZE
#define GEN_HDR_LEN	42	/* Ethernet + IPv4 + UDP */
#define GEN_PAYLOAD	(GEN_HDR_LEN + 4)	/* after the sequence number */
#define SINK_ALIGN	64	/* where each frame starts in the region */
#define REGION_MIN	(4u << 20)
#define L2_DEFAULT	(1L << 20)

static const char *const end_names[] = {
	[NB_END_ECHO] = "echo",
	[NB_END_SINK] = "sink",
	[NB_END_GEN] = "gen",
	[NB_END_PEER] = "peer",
	[NB_END_TAP] = "tap",
};

const char *
vif_end_name(enum nb_end end)
{
	return end_names[end];
}

int
nb_parse_dh(const char *s, domid_t *dom, unsigned int *handle)
{
	unsigned long d, h;
	char *end;

	errno = 0;
	d = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '/' || d >= DOMID_FIRST_RESERVED)
		return -1;
	s = end + 1;
	h = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || h > 255)
		return -1;
	*dom = (domid_t)d;
	*handle = (unsigned int)h;
	return 0;
}

int
vif_end_parse(struct netback *nb, const char *val, char *err, size_t len)
{
	const char *arg = strchr(val, ':');
	size_t n = arg != NULL ? (size_t)(arg - val) : strlen(val);
	unsigned int i;
	char *end;

	for (i = 0; i < sizeof(end_names) / sizeof(end_names[0]); i++)
		if (strlen(end_names[i]) == n &&
		    strncmp(val, end_names[i], n) == 0)
			break;
	nb->end = (enum nb_end)i;
	nb->end_given = true;
	switch (i) {
	case NB_END_ECHO:
	case NB_END_SINK:
		if (arg == NULL)
			return 0;
		break;
	case NB_END_GEN:
		if (arg == NULL)
			return 0;
		if (strcmp(arg + 1, "imix") == 0) {
			memcpy(nb->gen_lens, imix_lens, sizeof(imix_lens));
			nb->gen_nr = IMIX_NR;
			nb->gen_size = IMIX_MAX_LEN;
			return 0;
		}
		errno = 0;
		nb->gen_size = (unsigned int)strtoul(arg + 1, &end, 10);
		nb->gen_lens[0] = (uint16_t)nb->gen_size;
		if (errno == 0 && end != arg + 1 && *end == '\0' &&
		    nb->gen_size >= NB_GEN_MIN_SIZE &&
		    nb->gen_size <= XEN_NETIF_MAX_TX_SIZE)
			return 0;
		snprintf(err, len, "end=gen:SIZE wants imix or a size of "
			 "%u..%u bytes, not '%s'", NB_GEN_MIN_SIZE,
			 XEN_NETIF_MAX_TX_SIZE, arg + 1);
		return -1;
	case NB_END_PEER:
		if (arg != NULL && nb_parse_dh(arg + 1, &nb->peer_dom,
					    &nb->peer_handle) == 0)
			return 0;
		snprintf(err, len, "end=peer wants peer:D/H, not '%s'", val);
		return -1;
	case NB_END_TAP:
		if (arg != NULL && arg[1] != '\0') {
			const char *at = strchr(arg + 1, '@');
			size_t iflen = at ? (size_t)(at - arg - 1) :
				       strlen(arg + 1);

			if (iflen == 0 || iflen >= sizeof(nb->tap_if) ||
			    (at != NULL && (at[1] == '\0' ||
			     strlen(at + 1) >= sizeof(nb->tap_ns)))) {
				snprintf(err, len, "end=%s: bad interface or "
					 "namespace name", val);
				return -1;
			}
			memcpy(nb->tap_if, arg + 1, iflen);
			if (at != NULL)
				strcpy(nb->tap_ns, at + 1);
			return 0;
		}
		snprintf(err, len, "end=tap wants tap:IFNAME[@NETNS]");
		return -1;
	}
	snprintf(err, len, "unknown end '%s' (echo, sink, gen[:SIZE|imix], "
		 "peer:D/H, tap:IFNAME[@NETNS])", val);
	return -1;
}

struct tap_open {
	struct netback *nb;
	int nsfd;
	char err[160];
};

/* In its own thread: setns() changes only the calling thread's netns,
 * and a TAP device lives in the netns it was created from. */
static void *
tap_open_thread(void *arg)
{
	struct tap_open *to = arg;
	struct netback *nb = to->nb;
	bool vnet = nb->k.v[NB_K_TAP_OFFLOAD];
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI |
				IFF_MULTI_QUEUE | (vnet ? IFF_VNET_HDR : 0) };
	unsigned int i;
	int s, le = 1;

	if (to->nsfd >= 0 && setns(to->nsfd, CLONE_NEWNET) != 0) {
		snprintf(to->err, sizeof(to->err), "cannot enter netns %s: %s",
			 nb->tap_ns, strerror(errno));
		return NULL;
	}
	memcpy(ifr.ifr_name, nb->tap_if, sizeof(nb->tap_if));
	for (i = 0; i < nb->max_queues; i++) {
		int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

		/* The header in little-endian on any host, as virtio 1. */
		if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) != 0 ||
		    (vnet && ioctl(fd, TUNSETVNETLE, &le) != 0)) {
			snprintf(to->err, sizeof(to->err), "cannot create TAP "
				 "%s: %s", nb->tap_if, strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		nb->q[i].end_fd = fd;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) != 0))
		snprintf(to->err, sizeof(to->err), "cannot bring %s up: %s",
			 nb->tap_if, strerror(errno));
	if (s >= 0)
		close(s);
	return NULL;
}

static int
tap_open(struct netback *nb, char *err, size_t len)
{
	struct tap_open to = { .nb = nb, .nsfd = -1 };
	pthread_t t;
	int rc;

	if (nb->tap_ns[0] != '\0') {
		char path[192];

		snprintf(path, sizeof(path), "%s%s",
			 strchr(nb->tap_ns, '/') ? "" : "/run/netns/",
			 nb->tap_ns);
		to.nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (to.nsfd < 0) {
			snprintf(err, len, "cannot open netns %s: %s", path,
				 strerror(errno));
			return -1;
		}
	}
	rc = pthread_create(&t, NULL, tap_open_thread, &to);
	if (rc == 0)
		pthread_join(t, NULL);
	else
		snprintf(to.err, sizeof(to.err), "no thread: %s",
			 strerror(rc));
	if (to.nsfd >= 0)
		close(to.nsfd);
	if (to.err[0] != '\0') {
		snprintf(err, len, "%s", to.err);
		return -1;
	}
	return 0;
}

/* The L2 cache's size: sysconf, else sysfs ("2048K"), else a guess. */
static long
l2_size(void)
{
	long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
	char unit = '\0';
	FILE *f;

	if (l2 > 0)
		return l2;
	f = fopen("/sys/devices/system/cpu/cpu0/cache/index2/size", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld%c", &l2, &unit) < 1)
			l2 = 0;
		fclose(f);
	}
	if (l2 <= 0)
		return L2_DEFAULT;
	return unit == 'M' ? l2 << 20 : unit == 'K' ? l2 << 10 : l2;
}

/* Twice the L2 cache: a frame's lines have left it by the time its place
 * in the region comes round again. */
static size_t
region_size(void)
{
	size_t size = (size_t)l2_size() * 2;

	return size > REGION_MIN ? size : REGION_MIN;
}

int
vif_end_open(struct netback *nb, char *err, size_t len)
{
	size_t region = region_size(), ring = NB_FRAME_RING_SIZE;
	unsigned int i;

	/* A generator's frames rotate through its frame ring. */
	while (nb->end == NB_END_GEN && ring < region)
		ring <<= 1;
	nb->end_region = nb->end == NB_END_SINK ? region :
			 nb->end == NB_END_GEN ? ring : 0;
	for (i = 0; i < nb->max_queues; i++) {
		struct nb_queue *q = &nb->q[i];

		q->scratch = malloc(XEN_NETIF_MAX_TX_SIZE);
		q->seg = malloc(sizeof(*q->seg) + XEN_NETIF_MAX_TX_SIZE);
		if (q->scratch == NULL || q->seg == NULL)
			goto nomem;
		if (nb->end == NB_END_PEER)
			continue;
		if (nb->end == NB_END_SINK) {
			q->sink = aligned_alloc(SINK_ALIGN, nb->end_region);
			if (q->sink == NULL)
				goto nomem;
			continue;
		}
		q->in[0] = frame_ring_create(ring);
		if (q->in[0] == NULL)
			goto nomem;
		q->nr_in = 1;
	}
	if (nb->end == NB_END_GEN) {
		nb->gen_hdr = calloc(nb->gen_nr, GEN_HDR_LEN);
		if (nb->gen_hdr == NULL)
			goto nomem;
	}
	if (nb->k.v[NB_K_TAP_OFFLOAD] && nb->end != NB_END_TAP) {
		snprintf(err, len, "tap-offload=1 wants end=tap");
		return -1;
	}
	return nb->end == NB_END_TAP ? tap_open(nb, err, len) : 0;
nomem:
	snprintf(err, len, "out of memory");
	return -1;
}

static void
drop_rings(struct netback *nb)
{
	unsigned int i, j;

	for (i = 0; i < NB_MAX_QUEUES; i++) {
		for (j = 0; j < nb->q[i].nr_in; j++)
			frame_ring_destroy(nb->q[i].in[j]);
		nb->q[i].nr_in = 0;
	}
}

void
vif_end_close(struct netback *nb)
{
	unsigned int i;

	drop_rings(nb);
	for (i = 0; i < NB_MAX_QUEUES; i++) {
		struct nb_queue *q = &nb->q[i];

		if (q->end_fd >= 0)
			close(q->end_fd);
		q->end_fd = -1;
		free(q->scratch);
		q->scratch = NULL;
		free(q->seg);
		q->seg = NULL;
		free(q->sink);
		q->sink = NULL;
	}
	free(nb->gen_hdr);
	nb->gen_hdr = NULL;
}

/* Each queue of a gets one ring per queue of b, b's producer side. */
static int
link_rings(struct netback *a, const struct netback *b)
{
	unsigned int i, j;

	for (i = 0; i < a->max_queues; i++) {
		for (j = 0; j < b->max_queues; j++) {
			a->q[i].in[j] = frame_ring_create(NB_FRAME_RING_SIZE);
			if (a->q[i].in[j] == NULL)
				return -1;
			a->q[i].nr_in = j + 1;
		}
	}
	return 0;
}

int
vif_end_link(struct netback *nb, struct netback *all, char *err, size_t len)
{
	struct netback *p;

	if (nb->end != NB_END_PEER || nb->peer != NULL)
		return 0;
	for (p = all; p != NULL; p = p->next)
		if (p->domid == nb->peer_dom && p->handle == nb->peer_handle)
			break;
	if (p == NULL || p == nb) {
		snprintf(err, len, "end=peer:%u/%u: %s", nb->peer_dom,
			 nb->peer_handle, p ? "a vif cannot be its own peer" :
			 "no such vif");
		return -1;
	}
	if (p->end_given && (p->end != NB_END_PEER ||
			     p->peer_dom != nb->domid ||
			     p->peer_handle != nb->handle)) {
		snprintf(err, len, "end=peer:%u/%u: that vif's end is %s, "
			 "not peer:%u/%u", p->domid, p->handle,
			 vif_end_name(p->end), nb->domid, nb->handle);
		return -1;
	}
	if (!p->end_given) {
		/* p takes the other side: its echo rings go. */
		drop_rings(p);
		p->end = NB_END_PEER;
		p->peer_dom = nb->domid;
		p->peer_handle = nb->handle;
	}
	if (link_rings(nb, p) != 0 || link_rings(p, nb) != 0) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	nb->peer = p;
	p->peer = nb;
	return 0;
}

void
vif_end_unlink(struct netback *nb)
{
	if (nb->peer != NULL)
		nb->peer->peer = NULL;
	nb->peer = NULL;
}

/* An Ethernet/IPv4/UDP frame to the frontend's MAC from Linux netback's
 * fe:ff:ff:ff:ff:ff, discard port, valid IP checksum, no UDP checksum. */
/*
 * The kernel spreads a multi-queue TAP's frames over its attached queues:
 * attach one per connected queue, detach the rest, whose frames nobody
 * would read. With offloads, the kernel may hand over what this
 * frontend takes as it is (frames queued before still may not: RX
 * completes and segments for a frontend that does not take them).
 */
static void
tap_connect(struct netback *nb)
{
	unsigned int i;

	for (i = 0; i < nb->max_queues; i++) {
		struct ifreq ifr = {
			.ifr_flags = i < nb->nr_queues ? IFF_ATTACH_QUEUE :
							 IFF_DETACH_QUEUE,
		};

		/* EINVAL: already in that state. */
		if (ioctl(nb->q[i].end_fd, TUNSETQUEUE, &ifr) != 0 &&
		    errno != EINVAL)
			fprintf(stderr, "xensim: %s queue %u: TUNSETQUEUE: "
				"%s\n", nb->tap_if, i, strerror(errno));
	}
	if (!nb->k.v[NB_K_TAP_OFFLOAD])
		return;
	/* Queue 0 is attached: a detached queue's fd has no device. */
	nb->tap_offloads = tap_vnet_offloads(nb);
	if (ioctl(nb->q[0].end_fd, TUNSETOFFLOAD,
		  (unsigned long)nb->tap_offloads) != 0)
		fprintf(stderr, "xensim: %s: TUNSETOFFLOAD %#x: %s\n",
			nb->tap_if, nb->tap_offloads, strerror(errno));
}

/* The header of a frame the generator sends: UDP to the discard port of
 * the frontend. */
static void
gen_hdr_build(const struct netback *nb, uint8_t *f, uint16_t size)
{
	static const uint8_t be_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff,
					   0xff };
	uint16_t ip_len = (uint16_t)(size - 14);
	uint16_t udp_len = (uint16_t)(ip_len - 20);

	memcpy(f, nb->fe_mac, 6);
	memcpy(f + 6, be_mac, 6);
	f[12] = 0x08;				/* IPv4 */
	f[13] = 0x00;
	f[14] = 0x45;
	f[16] = ip_len >> 8;
	f[17] = ip_len & 0xff;
	f[20] = 0x40;				/* DF */
	f[22] = 64;				/* TTL */
	f[23] = 17;				/* UDP */
	memcpy(f + 26, (const uint8_t[]){ 192, 0, 2, 1, 192, 0, 2, 2 }, 8);
	csum_ip4_header(f + 14);
	f[35] = 9;				/* discard */
	f[37] = 9;
	f[38] = udp_len >> 8;
	f[39] = udp_len & 0xff;
}

void
vif_end_connect(struct netback *nb)
{
	unsigned int i;

	for (i = 0; nb->end == NB_END_GEN && i < nb->gen_nr; i++)
		gen_hdr_build(nb, nb->gen_hdr + i * GEN_HDR_LEN,
			      nb->gen_lens[i]);
	if (nb->end == NB_END_TAP)
		tap_connect(nb);
}

/* Where the sink takes a frame of len bytes: the next 64-byte boundary
 * of its region, or the region's start if the frame does not fit. */
static void *
sink_reserve(struct nb_queue *q, uint32_t len)
{
	size_t off = q->sink_off;

	if (off + len > q->nb->end_region) {
		off = 0;
		nb_stat_add(&q->st.sink_wraps, 1);
	}
	q->sink_off = (off + len + SINK_ALIGN - 1) & ~(size_t)(SINK_ALIGN - 1);
	return q->sink + off;
}

void *
vif_end_tx_reserve(struct nb_queue *q, uint32_t len, struct frame_ring **ring)
{
	struct netback *nb = q->nb;
	struct netback *p = nb->peer;
	struct nb_queue *dq = q;
	unsigned int n;
	void *data;

	*ring = NULL;
	if (nb->end == NB_END_SINK)
		return sink_reserve(q, len);
	if (nb->end == NB_END_ECHO) {
		*ring = q->in[0];
	} else if (nb->end == NB_END_PEER && p != NULL) {
		n = __atomic_load_n(&p->nr_queues, __ATOMIC_ACQUIRE);
		dq = &p->q[q->idx % (n != 0 ? n : p->max_queues)];
		if (n != 0) {
			*ring = dq->in[q->idx];
			q->peer_fed |= 1u << dq->idx;
		}
	} else {
		return NULL;
	}
	data = *ring != NULL ? frame_reserve(*ring, len) : NULL;
	if (data == NULL) {
		/* Full, or the peer is down: the frame is lost there. */
		__atomic_fetch_add(&dq->st.rx_drops, 1, __ATOMIC_RELAXED);
		*ring = NULL;
	}
	return data;
}

static void
tap_write(struct nb_queue *q, const void *data, uint32_t len)
{
	if (write(q->end_fd, data, len) != (ssize_t)len)
		__atomic_fetch_add(&q->st.rx_drops, 1, __ATOMIC_RELAXED);
}

/* With offloads: the frame as the frontend sent it, GSO or blank
 * checksum included, after its header. */
static void
tap_write_vnet(struct nb_queue *q, const void *data, uint32_t len,
	       const struct frame_info *info)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2] = {
		{ .iov_base = &vh, .iov_len = sizeof(vh) },
		{ .iov_base = (void *)data, .iov_len = len },
	};

	tap_vnet_out(&vh, data, len, info);
	if (writev(q->end_fd, iov, 2) != (ssize_t)(sizeof(vh) + len))
		__atomic_fetch_add(&q->st.rx_drops, 1, __ATOMIC_RELAXED);
}

/* A TAP without a vnet header takes neither GSO frames nor blank
 * checksums: the stack segments and completes them, as Linux does, and
 * drops a frame of one segment (see rx_need()). */
static void
tap_write_gso(struct nb_queue *q, const uint8_t *data, uint32_t len,
	      const struct frame_info *info)
{
	uint8_t *seg = (uint8_t *)(q->seg + 1);
	struct gso g;
	unsigned int i;

	/* The ring parsed it already. */
	gso_parse(&g, data, len, info->gso_size,
		  info->gso_type == XEN_NETIF_GSO_TYPE_TCPV6);
	if (g.nr_segs == 1) {
		__atomic_fetch_add(&q->st.rx_drops, 1, __ATOMIC_RELAXED);
		return;
	}
	for (i = 0; i < g.nr_segs; i++)
		tap_write(q, seg, gso_segment(&g, i, seg, false));
	nb_stat_add(&q->st.gso_segs, g.nr_segs);
}

void
vif_end_tx_done(struct nb_queue *q, struct frame_ring *ring, void *data,
		uint32_t len, const struct frame_info *info)
{
	if (ring != NULL) {
		frame_commit(ring, len, info);
		return;
	}
	if (q->nb->end != NB_END_TAP)
		return;
	if (q->nb->k.v[NB_K_TAP_OFFLOAD]) {
		tap_write_vnet(q, data, len, info);
		return;
	}
	if (info->gso_size != 0) {
		tap_write_gso(q, data, len, info);
		return;
	}
	if (info->flags & NETRXF_csum_blank)
		csum_complete(data, len);
	tap_write(q, data, len);
}

void
vif_end_tx_flush(struct nb_queue *q)
{
	struct netback *p = q->nb->peer;
	uint64_t one = 1;

	while (q->peer_fed != 0) {
		struct nb_queue *dq = &p->q[__builtin_ctz(q->peer_fed)];

		q->peer_fed &= q->peer_fed - 1;
		/* Pairs with queue_sleep(): frames visible, then the flag. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_exchange_n(&dq->sleeping, 0, __ATOMIC_SEQ_CST) &&
		    write(dq->kick_fd, &one, sizeof(one)) != sizeof(one))
			fprintf(stderr, "xensim: cannot wake a peer queue\n");
	}
}

bool
vif_end_can_input(struct nb_queue *q)
{
	return frame_reserve(q->in[0], TAP_MAX_FRAME) != NULL;
}

/*
 * One frame from the TAP into data (room for TAP_MAX_FRAME), and how it
 * is to reach the frontend; its length, 0 for a frame dropped, or -1
 * when there is none.
 */
static ssize_t
tap_read(struct nb_queue *q, uint8_t *data, struct frame_info *info)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2] = {
		{ .iov_base = &vh, .iov_len = sizeof(vh) },
		{ .iov_base = data, .iov_len = TAP_MAX_FRAME },
	};
	ssize_t len;

	*info = (struct frame_info){ 0 };
	if (!q->nb->k.v[NB_K_TAP_OFFLOAD]) {
		len = read(q->end_fd, data, TAP_MAX_FRAME);
		return len > 0 ? len : -1;
	}
	len = readv(q->end_fd, iov, 2);
	if (len <= 0)
		return -1;
	len -= (ssize_t)sizeof(vh);
	if (len <= 0 || tap_vnet_in(&vh, data, (uint32_t)len, info) != 0) {
		__atomic_fetch_add(&q->st.rx_drops, 1, __ATOMIC_RELAXED);
		return 0;
	}
	return len;
}

static unsigned int
tap_input(struct nb_queue *q)
{
	unsigned int n;

	for (n = 0; n < TAP_BUDGET; n++) {
		void *data = frame_reserve(q->in[0], TAP_MAX_FRAME);
		struct frame_info info;
		ssize_t len;

		if (data == NULL)
			break;
		len = tap_read(q, data, &info);
		if (len < 0)
			break;
		if (len > 0)
			frame_commit(q->in[0], (uint32_t)len, &info);
	}
	return n;
}

/*
 * Write a generated frame of size bytes at f (8-byte aligned), as a sender
 * producing data does, every byte stored: the header, the sequence number
 * (big-endian) at GEN_HDR_LEN, then from GEN_PAYLOAD on byte j is byte
 * j % 8 of the big-endian word seq << 32 | ~seq, so aligned 8-byte stores.
 */
static void
gen_write(const struct netback *nb, uint8_t *f, unsigned int i, uint32_t seq)
{
	uint64_t w = htobe64((uint64_t)seq << 32 | (uint32_t)~seq);
	uint32_t size = nb->gen_lens[i], be = htonl(seq), j;

	memcpy(f, nb->gen_hdr + i * GEN_HDR_LEN, GEN_HDR_LEN);
	memcpy(f + GEN_HDR_LEN, &be, sizeof(be));
	memcpy(f + GEN_PAYLOAD, (const uint8_t *)&w + GEN_PAYLOAD % 8,
	       8 - GEN_PAYLOAD % 8);
	for (j = (GEN_PAYLOAD + 7) & ~7u; j + 8 <= size; j += 8)
		memcpy(f + j, &w, 8);
	memcpy(f + j, &w, size - j);
}

/* As fast as RX requests allow: one batch once the last is delivered,
 * each frame written where it is queued. */
static unsigned int
gen_input(struct nb_queue *q, unsigned int rx_slots)
{
	struct netback *nb = q->nb;
	unsigned int n, max = rx_slots / nb_rx_slots(nb, nb->gen_size);

	if (frame_peek(q->in[0]) != NULL)
		return 0;
	for (n = 0; n < max && n < GEN_BUDGET; n++) {
		unsigned int i = q->gen_next;
		uint16_t size = nb->gen_lens[i];
		uint8_t *f = frame_reserve(q->in[0], size);

		if (f == NULL)
			break;
		gen_write(nb, f, i, q->gen_seq++);
		frame_commit(q->in[0], size, &(struct frame_info){
			.flags = NETRXF_data_validated });
		q->gen_next = i + 1 == nb->gen_nr ? 0 : i + 1;
	}
	return n;
}

unsigned int
vif_end_input(struct nb_queue *q, unsigned int rx_slots)
{
	switch (q->nb->end) {
	case NB_END_TAP:
		return tap_input(q);
	case NB_END_GEN:
		return gen_input(q, rx_slots);
	default:
		return 0;
	}
}
