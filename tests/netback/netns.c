/* SPDX-License-Identifier: BSD-3-Clause */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "netns.h"
#include "simfront.h"

static char ns_name[32];

static void
netns_del(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "ip netns del %s", ns_name);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove netns %s\n", ns_name);
}

const char *
netns_add(const char *prefix)
{
	char cmd[64];

	snprintf(ns_name, sizeof(ns_name), "%s%d", prefix, (int)getpid());
	snprintf(cmd, sizeof(cmd), "ip netns add %s", ns_name);
	REQUIRE(system(cmd) == 0, "cannot create netns %s", ns_name);
	atexit(netns_del);
	return ns_name;
}

int
netns_enter(const char *ns)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

bool
netns_ip(const char *ns, const char *fmt, ...)
{
	char cmd[256];
	int n;
	va_list ap;

	n = snprintf(cmd, sizeof(cmd), "ip -n %s ", ns);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	return system(cmd) == 0;
}

struct sock_req {
	const char *ns, *ifname;
	bool vnet;
	int fd;
};

static void *
socket_thread(void *arg)
{
	struct sock_req *r = arg;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int size = 1 << 22, on = 1, fd;

	if (netns_enter(r->ns) != 0)
		return NULL;
	sll.sll_ifindex = (int)if_nametoindex(r->ifname);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return NULL;
	if (sll.sll_ifindex == 0 ||
	    (r->vnet && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &on,
				   sizeof(on)) != 0) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) != 0) {
		close(fd);
		return NULL;
	}
	r->fd = fd;
	return NULL;
}

int
netns_packet_socket(const char *ns, const char *ifname, bool vnet)
{
	struct sock_req r = { .ns = ns, .ifname = ifname, .vnet = vnet,
			      .fd = -1 };
	pthread_t t;

	if (pthread_create(&t, NULL, socket_thread, &r) != 0)
		return -1;
	pthread_join(t, NULL);
	return r.fd;
}

int
netns_packet_recv(int fd, bool outgoing, const uint8_t mac[6], void *vh,
		  uint8_t *buf, size_t max)
{
	long end = now_ms() + WAIT_MS;
	struct virtio_net_hdr dummy;
	struct iovec iov[2] = {
		{ .iov_base = vh ? vh : &dummy, .iov_len = sizeof(dummy) },
		{ .iov_base = buf, .iov_len = max },
	};
	struct sockaddr_ll sll;
	struct msghdr msg = { .msg_name = &sll,
			      .msg_iov = vh ? iov : iov + 1,
			      .msg_iovlen = vh ? 2 : 1 };
	ssize_t n;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = end - now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		msg.msg_namelen = sizeof(sll);
		n = recvmsg(fd, &msg, 0);
		if (vh != NULL)
			n -= (ssize_t)sizeof(dummy);
		if (n < ETH_HLEN)
			continue;
		if ((sll.sll_pkttype == PACKET_OUTGOING) == outgoing &&
		    memcmp(buf + (outgoing ? 0 : 6), mac, 6) == 0)
			return (int)n;
	}
}
