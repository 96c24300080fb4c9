/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_EVTCHN_H
#define XENSIM_EVTCHN_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

/*
 * Interdomain event channels. Each channel is two eventfds, one per
 * direction; an eventfd's counter is the receiving port's pending bit, so
 * a notify to a port whose owner has it masked (is not reading it) stays
 * pending and is delivered on unmask, as on Xen. Ports are per domain,
 * allocated from 1. Loop thread only; the fds may be used from any thread.
 */

struct evtchn_table;

struct evtchn_table *evtchn_table_create(void);
void evtchn_table_destroy(struct evtchn_table *et);

/* EVTCHNOP_alloc_unbound: dom offers a port that remote may bind. */
int evtchn_alloc_unbound(struct evtchn_table *et, domid_t dom,
			 domid_t remote, evtchn_port_t *port);
/* EVTCHNOP_bind_interdomain: dom binds to remote's unbound port. -EINVAL
 * if rport is not unbound, -EACCES if it was not offered to dom. */
int evtchn_bind_interdomain(struct evtchn_table *et, domid_t dom,
			    domid_t remote, evtchn_port_t rport,
			    evtchn_port_t *port);
/*
 * The fds of a port of dom: wait_fd becomes readable while the port is
 * pending (read it to clear); writing a 1 to notify_fd notifies the remote
 * end. Both exist from alloc_unbound on; they stay owned by the table.
 */
int evtchn_fds(struct evtchn_table *et, domid_t dom, evtchn_port_t port,
	       int *wait_fd, int *notify_fd);
/* EVTCHNOP_send. -ENOTCONN if the port is not bound. */
int evtchn_notify(struct evtchn_table *et, domid_t dom, evtchn_port_t port);
/* EVTCHNOP_close: the remote end, if any, becomes unbound. */
int evtchn_close(struct evtchn_table *et, domid_t dom, evtchn_port_t port);
/* dom died (restored as a new domain): every port of it closes. */
void evtchn_close_domain(struct evtchn_table *et, domid_t dom);
/* How many ports dom has open, unbound or bound. */
unsigned int evtchn_open_ports(struct evtchn_table *et, domid_t dom);

#endif
