/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_HYP_SERVER_H
#define XENSIM_HYP_SERVER_H

struct xsim;
struct xsim_domain;

/*
 * Serve domain d's hypervisor socket at sock_path (wire format in
 * lib/xenplat/xensim_proto.h) from xs->loop: each connection shares pages
 * and opens event channels as d, the way a guest process uses gntalloc and
 * evtchn, and can grant-copy or map as d, the way a backend does. What a
 * connection created is released when it closes. Next to the socket,
 * links the client module (xensim_proto.h's XSIM_CLIENT_MODULE); whoever
 * removes the socket removes that too. 0 or -errno.
 */
int hyp_server_listen(struct xsim *xs, struct xsim_domain *d,
		      const char *sock_path);

#endif
