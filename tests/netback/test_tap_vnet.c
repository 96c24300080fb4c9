/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A TAP end with offloads (tap-offload=1) in a network namespace made
 * here, judged by a packet socket with virtio-net headers on the TAP:
 * - frontend to kernel: GSO packets (IPv4 up to 64 KiB, IPv6) and blank
 *   TCP and UDP checksums reach the stack whole and byte for byte, with
 *   the header that says so; a complete frame with none;
 * - kernel to frontend: TUNSETOFFLOAD follows the frontend's features
 *   (status.json tap_offloads), and what the kernel's TCP sends, a GSO
 *   packet or the segments it made itself, reaches the frontend byte for
 *   byte (with a GSO extra-info slot, csum_blank, or complete checksums),
 *   IPv4 and IPv6; a checksum the kernel leaves to fill that is not TCP's
 *   or UDP's is filled by xensim.
 *
 * usage: test_tap_vnet XENSIM_BINARY
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "fe_ring.h"
#include "netns.h"
#include "tcpip.h"

#define VIF	0
#define MSS4	1448
#define MSS6	1428

static uint8_t frame[65536], got[65536], seen[65536];
static const char *ns;
static char tap[IFNAMSIZ];
/* tcp_frame()'s source MAC; the TAP's, set here. */
static const uint8_t fe_mac[6] = { 0x00, 0x16, 0x3e, 0, 0, 2 };
static const uint8_t ns_mac[6] = { 0x02, 0, 0, 0, 0x23, 0x01 };

static void
fe_offloads(int gso, int no_csum)
{
	xwrite("device/vif/0/feature-gso-tcpv4", "%d", gso);
	xwrite("device/vif/0/feature-gso-tcpv6", "%d", gso);
	xwrite("device/vif/0/feature-no-csum-offload", "%d", no_csum);
	xwrite("device/vif/0/feature-ipv6-csum-offload", "1");
}

/* The stack's copy of a frame the frontend sent: the same bytes, and a
 * header with want's GSO and checksum fields. */
static void
expect_in(int fd, const char *what, unsigned int len,
	  const struct virtio_net_hdr *want)
{
	struct virtio_net_hdr vh;
	int n = netns_packet_recv(fd, false, fe_mac, &vh, got, sizeof(got));

	CHECK(n == (int)len && memcmp(got, frame, len) == 0,
	      "%s: the stack got %d bytes, not the %u sent", what, n, len);
	CHECK(vh.flags == want->flags && vh.gso_type == want->gso_type &&
	      vh.gso_size == want->gso_size &&
	      vh.csum_start == want->csum_start &&
	      vh.csum_offset == want->csum_offset,
	      "%s: header flags %u gso %u/%u csum %u+%u, not %u gso %u/%u "
	      "csum %u+%u", what, vh.flags, vh.gso_type, vh.gso_size,
	      vh.csum_start, vh.csum_offset, want->flags, want->gso_type,
	      want->gso_size, want->csum_start, want->csum_offset);
}

/* Frontend to kernel: what the frontend sent, whole, header included. */
static void
test_to_stack(int fd)
{
	static const struct tcp_spec v4_max = {
		.tcp_opt = 12, .payload = 65535 - 14 - 20 - 32,
		.flags = TCP_ACK | TCP_PSH | TCP_CWR, .ip_id = 7, .seq = 9,
	};
	static const struct tcp_spec v6 = {
		.ipv6 = true, .tcp_opt = 12, .payload = 30000,
		.flags = TCP_ACK, .seq = 5,
	};
	static const struct tcp_spec small = { .payload = 1000 };
	static const struct tcp_spec udp6 = { .ipv6 = true, .proto = 17,
					      .payload = 700 };
	const struct tcp_spec *gso[2] = { &v4_max, &v6 };
	struct fe fe = { .handle = VIF, .nq = 1 };
	struct netif_extra_info ex = { .type = XEN_NETIF_EXTRA_TYPE_GSO };
	struct tcp_layout lo;
	struct virtio_net_hdr want;
	unsigned int i;

	printf("frontend to the stack, with virtio-net headers\n");
	fe_offloads(1, 0);
	fe_up(&fe);
	for (i = 0; i < 2; i++) {
		lo = tcp_frame(frame, gso[i], i);
		ex.u.gso.size = i ? MSS6 : MSS4;
		ex.u.gso.type = i ? XEN_NETIF_GSO_TYPE_TCPV6 :
				    XEN_NETIF_GSO_TYPE_TCPV4;
		put_frame_ex(&fe.q[0], frame, lo.len, NETTXF_csum_blank |
			     NETTXF_data_validated, &ex, 1);
		push_tx(&fe.q[0]);
		want = (struct virtio_net_hdr){
			.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.gso_type = i ? VIRTIO_NET_HDR_GSO_TCPV6 :
					VIRTIO_NET_HDR_GSO_TCPV4,
			.gso_size = ex.u.gso.size, .csum_start = lo.l4,
			.csum_offset = 16 };
		expect_in(fd, i ? "GSO, IPv6" : "GSO, IPv4", lo.len, &want);
		reap_tx_all(&fe.q[0]);
	}
	lo = tcp_frame(frame, &small, 3);
	post_frame(&fe.q[0], frame, lo.len, NETTXF_csum_blank |
		   NETTXF_data_validated);
	want = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = lo.l4, .csum_offset = 16 };
	expect_in(fd, "blank TCP, IPv4", lo.len, &want);
	lo = tcp_frame(frame, &udp6, 4);
	post_frame(&fe.q[0], frame, lo.len, NETTXF_csum_blank |
		   NETTXF_data_validated);
	want.csum_start = lo.l4;
	want.csum_offset = 6;
	expect_in(fd, "blank UDP, IPv6", lo.len, &want);
	lo = tcp_frame(frame, &small, 5);
	post_frame(&fe.q[0], frame, lo.len, 0);
	want = (struct virtio_net_hdr){ 0 };
	expect_in(fd, "complete TCP", lo.len, &want);
	reap_tx_all(&fe.q[0]);
	CHECK(status_value(VIF, "gso_segs") == 0,
	      "xensim segmented %ld frames for a TAP with offloads",
	      status_value(VIF, "gso_segs"));
	fe_close(&fe);
}

/*
 * Kernel to frontend: a TCP server in the namespace, which the frontend
 * connects to (SYN with an MSS option, ACK), and which sends W bytes.
 */
struct server {
	bool ipv6;
	uint16_t port;
	uint8_t data[8 * MSS4];
	unsigned int len;
	int listening, done;		/* atomic */
	int err;
};

static void *
server_main(void *arg)
{
	struct server *sv = arg;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(sv->port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(sv->port) };
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
	struct linger lg = { .l_onoff = 1 };
	int fd, c = -1, on = 1;

	inet_pton(AF_INET6, "fd00:232::1", &a6.sin6_addr);
	inet_pton(AF_INET, "10.232.0.1", &a4.sin_addr);
	if (netns_enter(ns) != 0 ||
	    (fd = socket(sv->ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0)) < 0) {
		sv->err = errno;
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if ((sv->ipv6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
	     bind(fd, (struct sockaddr *)&a4, sizeof(a4))) != 0 ||
	    listen(fd, 1) != 0) {
		sv->err = errno;
		close(fd);
		return NULL;
	}
	__atomic_store_n(&sv->listening, 1, __ATOMIC_RELEASE);
	c = accept(fd, NULL, NULL);
	if (c < 0 || write(c, sv->data, sv->len) != (ssize_t)sv->len)
		sv->err = errno ? errno : EIO;
	while (!__atomic_load_n(&sv->done, __ATOMIC_ACQUIRE))
		sleep_ms(5);
	/* A reset, not a FIN the frontend would not answer. */
	if (c >= 0) {
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
	}
	close(fd);
	return NULL;
}

/* A frame of the frontend's end of the connection, checksums complete. */
static unsigned int
fe_segment(const struct server *sv, uint16_t sport, uint8_t flags,
	   uint32_t seq, uint32_t ack)
{
	struct tcp_layout lo = { .l3 = 14, .l4 = sv->ipv6 ? 54 : 34 };
	uint8_t *ip = frame + lo.l3, *th = frame + lo.l4;
	bool syn = flags & 0x02;
	uint32_t sum;

	lo.hdr_len = lo.l4 + (syn ? 24 : 20);
	lo.len = lo.hdr_len;
	memset(frame, 0, lo.len);
	memcpy(frame, ns_mac, 6);
	memcpy(frame + 6, fe_mac, 6);
	if (sv->ipv6) {
		put16(frame + 12, 0x86dd);
		ip[0] = 0x60;
		put16(ip + 4, lo.len - lo.l4);
		ip[6] = 6;
		ip[7] = 64;
		inet_pton(AF_INET6, "fd00:232::2", ip + 8);
		inet_pton(AF_INET6, "fd00:232::1", ip + 24);
	} else {
		put16(frame + 12, 0x0800);
		ip[0] = 0x45;
		put16(ip + 2, lo.len - lo.l3);
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		inet_pton(AF_INET, "10.232.0.2", ip + 12);
		inet_pton(AF_INET, "10.232.0.1", ip + 16);
		put16(ip + 10, (uint16_t)~inet_fold(inet_add(0, ip, 20)));
	}
	put16(th, sport);
	put16(th + 2, sv->port);
	put32(th + 4, seq);
	put32(th + 8, ack);
	th[12] = (uint8_t)((lo.hdr_len - lo.l4) / 4 << 4);
	th[13] = flags;
	put16(th + 14, 65535);
	if (syn) {
		th[20] = 2;			/* MSS */
		th[21] = 4;
		put16(th + 22, sv->ipv6 ? MSS6 : MSS4);
	}
	sum = inet_add(tcp_pseudo(frame, &lo, lo.len, sv->ipv6), th,
		       lo.len - lo.l4);
	put16(th + 16, (uint16_t)~inet_fold(sum));
	return lo.len;
}

/* Is f a frame of this connection, from the server? Where its TCP
 * header is. */
static unsigned int
of_flow(const uint8_t *f, int len, const struct server *sv, uint16_t sport)
{
	unsigned int l4 = sv->ipv6 ? 54 : 34;

	if (len < (int)l4 + 20 ||
	    get16(f + 12) != (sv->ipv6 ? 0x86dd : 0x0800) ||
	    f[sv->ipv6 ? 20 : 23] != 6 || get16(f + l4) != sv->port ||
	    get16(f + l4 + 2) != sport)
		return 0;
	return l4;
}

struct rx_case {
	const char *what;
	int gso, no_csum;
	unsigned int offloads;		/* TUN_F_ xensim must set */
};

/*
 * The next frame of the connection on both sides: what the kernel gave
 * the TAP (the packet socket's copy, with its header) and what reached
 * the frontend. Compared byte for byte; the TCP header's offset, its
 * length in len, GSO frames counted in *gso.
 */
static unsigned int
next_pair(struct fe *fe, int fd, const struct rx_case *c,
	  const struct server *sv, uint16_t sport, int *len,
	  unsigned int *gso)
{
	struct virtio_net_hdr vh;
	struct rx_info ri;
	unsigned int l4;
	int n, m;

	do {
		n = netns_packet_recv(fd, true, fe_mac, &vh, seen,
				      sizeof(seen));
		REQUIRE(n > 0, "%s: the kernel sent nothing more", c->what);
	} while (of_flow(seen, n, sv, sport) == 0);
	do {
		m = recv_frame_info(fe, &fe->q[0], got, sizeof(got), &ri);
		REQUIRE(m > 0, "%s: no frame reached the frontend", c->what);
		l4 = of_flow(got, m, sv, sport);
	} while (l4 == 0);
	CHECK(m == n && memcmp(got, seen, n) == 0,
	      "%s: the frontend got %d bytes, not the %d the kernel sent",
	      c->what, m, n);
	CHECK((vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) ==
	      (ri.gso.type == XEN_NETIF_EXTRA_TYPE_GSO),
	      "%s: GSO type %u in the header, extra type %u", c->what,
	      vh.gso_type, ri.gso.type);
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		CHECK(ri.gso.u.gso.size == vh.gso_size &&
		      ri.gso.u.gso.type == (sv->ipv6 ?
		      XEN_NETIF_GSO_TYPE_TCPV6 : XEN_NETIF_GSO_TYPE_TCPV4),
		      "%s: GSO extra size %u type %u for %u type %u",
		      c->what, ri.gso.u.gso.size, ri.gso.u.gso.type,
		      vh.gso_size, vh.gso_type);
		++*gso;
	}
	CHECK(!(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ==
	      !(ri.flags & NETRXF_csum_blank),
	      "%s: header flags %u, frontend flags %#x", c->what, vh.flags,
	      ri.flags);
	if (!(ri.flags & NETRXF_csum_blank)) {
		struct tcp_layout lo = { .len = (unsigned int)m,
					 .l3 = 14, .l4 = l4 };

		CHECK(tcp_csum_ok(got, &lo, lo.len, sv->ipv6, false),
		      "%s: TCP checksum not complete", c->what);
	}
	*len = m;
	return l4;
}

/* One connection: the kernel's frames reach the frontend as they are,
 * and its data is what the server wrote. */
static void
rx_flow(struct fe *fe, const struct rx_case *c, bool ipv6, uint16_t port)
{
	struct server sv = { .ipv6 = ipv6, .port = port };
	uint16_t sport = (uint16_t)(port + 1000);
	unsigned int i, l4, hl, got_bytes = 0, gso = 0;
	uint32_t isn;
	pthread_t t;
	int fd, len;

	sv.len = 8 * (ipv6 ? MSS6 : MSS4);
	for (i = 0; i < sv.len; i++)
		sv.data[i] = (uint8_t)(i * 13 + (i >> 8) + port);
	fd = netns_packet_socket(ns, tap, true);
	REQUIRE(fd >= 0, "no packet socket on %s", tap);
	REQUIRE(pthread_create(&t, NULL, server_main, &sv) == 0, "thread");
	for (i = 0; i < WAIT_MS && !__atomic_load_n(&sv.listening,
						     __ATOMIC_ACQUIRE); i++)
		sleep_ms(1);
	REQUIRE(sv.listening, "%s: no server (%s)", c->what,
		strerror(sv.err));
	post_frame(&fe->q[0], frame, fe_segment(&sv, sport, 0x02, 100, 0),
		   0);
	l4 = next_pair(fe, fd, c, &sv, sport, &len, &gso);
	REQUIRE(got[l4 + 13] == 0x12, "%s: flags %#x, not a SYN-ACK",
		c->what, got[l4 + 13]);
	isn = get32(got + l4 + 4);
	post_frame(&fe->q[0], frame, fe_segment(&sv, sport, 0x10, 101,
						isn + 1), 0);
	while (got_bytes < sv.len) {
		l4 = next_pair(fe, fd, c, &sv, sport, &len, &gso);
		hl = l4 + (got[l4 + 12] >> 4) * 4u;
		i = get32(got + l4 + 4) - isn - 1;
		if ((unsigned int)len == hl)
			continue;
		REQUIRE(i + (len - hl) <= sv.len, "%s: data past the end",
			c->what);
		CHECK(memcmp(got + hl, sv.data + i, len - hl) == 0,
		      "%s: data at %u differs", c->what, i);
		got_bytes += len - hl;
	}
	CHECK(c->gso ? gso > 0 : gso == 0, "%s, IPv%d: %u GSO frames",
	      c->what, ipv6 ? 6 : 4, gso);
	printf("  IPv%d: %u bytes in frames as the kernel sent them, %u "
	       "GSO\n", ipv6 ? 6 : 4, got_bytes, gso);
	__atomic_store_n(&sv.done, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	CHECK(sv.err == 0, "%s: server: %s", c->what, strerror(sv.err));
	reap_tx_all(&fe->q[0]);
	close(fd);
}

static void
test_from_stack(const struct rx_case *c, uint16_t port)
{
	struct fe fe = { .handle = VIF, .nq = 1 };

	printf("the stack to the frontend: %s\n", c->what);
	fe_offloads(c->gso, c->no_csum);
	fe_up(&fe);
	CHECK(status_await(VIF, "tap_offloads", c->offloads) == c->offloads,
	      "%s: TAP offloads %ld, not %u", c->what,
	      status_value(VIF, "tap_offloads"), c->offloads);
	rx_flow(&fe, c, false, port);
	rx_flow(&fe, c, true, port + 1);
	fe_close(&fe);
}

/* A checksum to fill that is not TCP's or UDP's (ICMP's, through a
 * packet socket): xensim fills it, and the frontend gets no flag. */
static void
test_generic_csum(void)
{
	struct fe fe = { .handle = VIF, .nq = 1 };
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .csum_start = 34, .csum_offset = 2 };
	static const struct tcp_spec icmp = { .proto = 1, .payload = 100 };
	struct tcp_layout lo;
	struct rx_info ri;
	struct iovec iov[2];
	int fd, n;

	printf("a checksum other than TCP's or UDP's, filled by xensim\n");
	fe_offloads(1, 0);
	fe_up(&fe);
	lo = tcp_frame(frame, &icmp, 6);
	memcpy(frame, fe_mac, 6);		/* to the frontend */
	memcpy(frame + 6, ns_mac, 6);
	put16(frame + lo.l4 + 2, 0);
	fd = netns_packet_socket(ns, tap, true);
	REQUIRE(fd >= 0, "no packet socket on %s", tap);
	iov[0] = (struct iovec){ .iov_base = &vh, .iov_len = sizeof(vh) };
	iov[1] = (struct iovec){ .iov_base = frame, .iov_len = lo.len };
	REQUIRE(writev(fd, iov, 2) == (ssize_t)(sizeof(vh) + lo.len),
		"packet socket write: %s", strerror(errno));
	do {
		n = recv_frame_info(&fe, &fe.q[0], got, sizeof(got), &ri);
		REQUIRE(n > 0, "the ICMP frame did not come");
	} while (n != (int)lo.len || got[23] != 1);
	CHECK(!(ri.flags & NETRXF_csum_blank), "flags %#x", ri.flags);
	CHECK(inet_fold(inet_add(0, got + lo.l4, lo.len - lo.l4)) == 0xffff,
	      "ICMP checksum %#x not filled", get16(got + lo.l4 + 2));
	put16(got + lo.l4 + 2, 0);
	CHECK(memcmp(got, frame, lo.len) == 0, "more than the checksum "
	      "changed");
	close(fd);
	fe_close(&fe);
}

int
main(int argc, char **argv)
{
	static const struct rx_case cases[] = {
		{ "GSO and blank checksums", 1, 0,
		  TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 },
		{ "blank checksums, no GSO", 0, 0, TUN_F_CSUM },
		{ "neither", 0, 1, 0 },
	};
	char spec[96];
	const char *args[] = { "--guests", "1", "--vif", spec,
			       "--status-ms", "50", NULL };
	unsigned int i;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s XENSIM_BINARY\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	ns = netns_add("nbvnet");
	snprintf(tap, sizeof(tap), "nbv%d", (int)getpid());
	snprintf(spec, sizeof(spec), "%u/%u,end=tap:%s@%s,queues=1,"
		 "tap-offload=1", 1, VIF, tap, ns);
	start_xensim(argv[1], args, "xensim.log");
	/* The kernel talks to the frontend's addresses without ARP or ND,
	 * from a MAC of ours. */
	REQUIRE(netns_ip(ns, "link set %s address 02:00:00:00:23:01", tap) &&
		netns_ip(ns, "addr add 10.232.0.1/24 dev %s", tap) &&
		netns_ip(ns, "addr add fd00:232::1/64 dev %s nodad", tap) &&
		netns_ip(ns, "neigh add 10.232.0.2 lladdr 00:16:3e:00:00:02 "
			 "dev %s", tap) &&
		netns_ip(ns, "neigh add fd00:232::2 lladdr 00:16:3e:00:00:02 "
			 "dev %s", tap), "cannot configure %s in %s", tap, ns);
	fd = netns_packet_socket(ns, tap, true);
	REQUIRE(fd >= 0, "no packet socket on %s in %s", tap, ns);
	test_to_stack(fd);
	close(fd);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_from_stack(&cases[i], (uint16_t)(5000 + 10 * i));
	test_generic_csum();
	finish();
}
