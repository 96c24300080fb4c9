/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_PROTO_H
#define XENSIM_PROTO_H

#include <stdint.h>

/*
 * The wire format of xensim's hypervisor socket, RUN/domN/hypervisor: a
 * unix SOCK_SEQPACKET socket where each connection acts as domain N, the
 * way one process holds /dev/xen/gntalloc and /dev/xen/evtchn open. One
 * request, one reply, both fixed-size structs; file descriptors travel as
 * SCM_RIGHTS next to the reply. Everything a connection created is
 * released when it closes.
 *
 * Next to the socket, RUN/domN/xenplat-sim.so links to the client side of
 * this protocol as the serving xensim was built with it (xenplat_sim.c,
 * see xenplat_ops.h), which lib/xenplat loads for xenplat_open(RUN/domN).
 */
#define XSIM_CLIENT_MODULE	"xenplat-sim.so"

#define XSIM_PAGE_SIZE		4096u
/* Pages per GNT_SHARE: one gntalloc default limit's worth. */
#define XSIM_SHARE_MAX		1024u

enum xsim_op {
	XSIM_GNT_SHARE = 1,	/* share -> refs, handle; fd: memfd */
	XSIM_GNT_UNSHARE,	/* unshare */
	XSIM_EVTCHN_ALLOC_UNBOUND, /* alloc -> port; fds: wait, notify */
	XSIM_EVTCHN_BIND_INTERDOMAIN, /* bind -> port; fds: wait, notify */
	XSIM_EVTCHN_CLOSE,	/* close */
	/* Backend side: this connection's domain copies or maps grants. */
	XSIM_GNT_COPY_FROM,	/* gref -> data */
	XSIM_GNT_COPY_TO,	/* gref + data */
	XSIM_GNT_MAP,		/* gref -> offset; fd: memfd */
	XSIM_GNT_UNMAP,		/* gref */
	XSIM_GNT_LIMIT,		/* -> limit (0: unlimited) */
};

struct xsim_req {
	uint32_t op;
	uint32_t pad;
	union {
		struct {
			uint16_t grantee;
			uint16_t writable;
			uint32_t count;
		} share;
		struct {
			uint64_t handle;
		} unshare;
		struct {
			uint16_t remote;
			uint16_t pad;
			uint32_t port;	/* bind: remote's port; close: own */
		} evtchn;
		struct {
			uint16_t domid;	/* the granting domain */
			uint16_t readonly; /* map only */
			uint32_t ref;
			uint32_t off;	/* copy only */
			uint32_t len;	/* copy only */
		} gref;
	} u;
	uint8_t data[XSIM_PAGE_SIZE];	/* GNT_COPY_TO */
};

struct xsim_rsp {
	int32_t rc;		/* 0 or -errno */
	int16_t status;		/* GNTST_ code of copy and map */
	uint16_t nr_fds;	/* fds attached with SCM_RIGHTS */
	uint32_t port;		/* evtchn alloc/bind */
	uint32_t limit;		/* GNT_LIMIT, -ENOSPC on share: pages allowed */
	uint64_t handle;	/* share */
	uint64_t offset;	/* map: the page's offset in the memfd */
	char msg[128];		/* why, when rc != 0 */
	union {
		uint32_t refs[XSIM_SHARE_MAX];	/* share */
		uint8_t data[XSIM_PAGE_SIZE];	/* copy from */
	} u;
};

#endif
