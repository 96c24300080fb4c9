/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TESTS_NETBACK_NETNS_H
#define TESTS_NETBACK_NETNS_H

/*
 * A network namespace of the test's own for xensim's TAP ends (removed
 * at exit), and packet sockets on a TAP in it. setns() moves only the
 * calling thread: what is made inside runs in a thread of its own, and a
 * socket made there stays in the namespace.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Create the namespace "<prefix><pid>" before xensim starts; its name. */
const char *netns_add(const char *prefix);
/* Move the calling thread into the namespace; 0 or -1. */
int netns_enter(const char *ns);
/* Run "ip -n NS ARGS" (printf-style); false if it failed. */
bool netns_ip(const char *ns, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A packet socket on ifname in ns, with a 4 MiB receive buffer; vnet:
 * each frame comes and goes after a struct virtio_net_hdr
 * (PACKET_VNET_HDR). -1 if none. */
int netns_packet_socket(const char *ns, const char *ifname, bool vnet);
/*
 * The next frame the socket sees that the stack got from MAC mac
 * (outgoing false) or sent to it (true); its length, or -1 after
 * WAIT_MS. vh: room for the socket's virtio_net_hdr, or NULL without.
 */
int netns_packet_recv(int fd, bool outgoing, const uint8_t mac[6], void *vh,
		      uint8_t *buf, size_t max);

#endif
