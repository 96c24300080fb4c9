/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "evtchn.h"

#define NR_PORTS	EVTCHN_2L_NR_CHANNELS

/* The two directions of a channel; outlives one closed end because a
 * netback thread may still poll its fd. */
struct chan {
	int fd[2];		/* fd[i]: pending count of side i's port */
	unsigned int refs;	/* ports using it */
};

enum port_state {
	PORT_UNBOUND = 1,
	PORT_INTERDOMAIN,
};

struct port {
	enum port_state state;
	unsigned int side;		/* this port waits on ch->fd[side] */
	domid_t remote_dom;		/* may bind (unbound) or bound to */
	evtchn_port_t remote_port;	/* bound only */
	struct chan *ch;
};

struct dom_ports {
	struct dom_ports *next;
	domid_t dom;
	struct port *port[NR_PORTS];	/* port 0 is never used, as on Xen */
};

struct evtchn_table {
	struct dom_ports *doms;
};

struct evtchn_table *
evtchn_table_create(void)
{
	return calloc(1, sizeof(struct evtchn_table));
}

static void
chan_put(struct chan *ch)
{
	unsigned int i;

	if (--ch->refs > 0)
		return;
	for (i = 0; i < 2; i++)
		if (ch->fd[i] >= 0)
			close(ch->fd[i]);
	free(ch);
}

void
evtchn_table_destroy(struct evtchn_table *et)
{
	unsigned int i;

	if (et == NULL)
		return;
	while (et->doms != NULL) {
		struct dom_ports *d = et->doms;

		et->doms = d->next;
		for (i = 0; i < NR_PORTS; i++)
			if (d->port[i] != NULL) {
				chan_put(d->port[i]->ch);
				free(d->port[i]);
			}
		free(d);
	}
	free(et);
}

static struct dom_ports *
dom_ports(struct evtchn_table *et, domid_t dom, bool create)
{
	struct dom_ports *d;

	for (d = et->doms; d != NULL; d = d->next)
		if (d->dom == dom)
			return d;
	if (!create)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->dom = dom;
	d->next = et->doms;
	et->doms = d;
	return d;
}

static struct port *
port_get(struct evtchn_table *et, domid_t dom, evtchn_port_t port)
{
	struct dom_ports *d = dom_ports(et, dom, false);

	if (d == NULL || port == 0 || port >= NR_PORTS)
		return NULL;
	return d->port[port];
}

/* Lowest free port of dom, bound to ch on side; ch gains a reference. */
static int
port_new(struct evtchn_table *et, domid_t dom, struct chan *ch,
	 unsigned int side, struct port **pp, evtchn_port_t *port)
{
	struct dom_ports *d = dom_ports(et, dom, true);
	struct port *p;
	evtchn_port_t i;

	if (d == NULL)
		return -ENOMEM;
	for (i = 1; i < NR_PORTS && d->port[i] != NULL; i++)
		;
	if (i == NR_PORTS)
		return -ENOSPC;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->side = side;
	p->ch = ch;
	ch->refs++;
	d->port[i] = p;
	*pp = p;
	*port = i;
	return 0;
}

int
evtchn_alloc_unbound(struct evtchn_table *et, domid_t dom, domid_t remote,
		     evtchn_port_t *port)
{
	struct chan *ch = calloc(1, sizeof(*ch));
	struct port *p;
	int rc;

	if (ch == NULL)
		return -ENOMEM;
	ch->refs = 1;	/* ours until the port holds it */
	ch->fd[0] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ch->fd[1] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ch->fd[0] < 0 || ch->fd[1] < 0)
		rc = -errno;
	else
		rc = port_new(et, dom, ch, 0, &p, port);
	if (rc == 0) {
		p->state = PORT_UNBOUND;
		p->remote_dom = remote == DOMID_SELF ? dom : remote;
	}
	chan_put(ch);
	return rc;
}

int
evtchn_bind_interdomain(struct evtchn_table *et, domid_t dom,
			domid_t remote, evtchn_port_t rport,
			evtchn_port_t *port)
{
	struct port *rp, *p;
	int rc;

	if (remote == DOMID_SELF)
		remote = dom;
	rp = port_get(et, remote, rport);
	if (rp == NULL || rp->state != PORT_UNBOUND)
		return -EINVAL;
	if (rp->remote_dom != dom)
		return -EACCES;
	rc = port_new(et, dom, rp->ch, !rp->side, &p, port);
	if (rc != 0)
		return rc;
	p->state = PORT_INTERDOMAIN;
	p->remote_dom = remote;
	p->remote_port = rport;
	rp->state = PORT_INTERDOMAIN;
	rp->remote_port = *port;
	return 0;
}

int
evtchn_fds(struct evtchn_table *et, domid_t dom, evtchn_port_t port,
	   int *wait_fd, int *notify_fd)
{
	struct port *p = port_get(et, dom, port);

	if (p == NULL)
		return -EINVAL;
	*wait_fd = p->ch->fd[p->side];
	*notify_fd = p->ch->fd[!p->side];
	return 0;
}

int
evtchn_notify(struct evtchn_table *et, domid_t dom, evtchn_port_t port)
{
	struct port *p = port_get(et, dom, port);
	uint64_t one = 1;

	if (p == NULL)
		return -EINVAL;
	if (p->state != PORT_INTERDOMAIN)
		return -ENOTCONN;
	/* EAGAIN only when the counter is saturated: still pending. */
	if (write(p->ch->fd[!p->side], &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		return -errno;
	return 0;
}

int
evtchn_close(struct evtchn_table *et, domid_t dom, evtchn_port_t port)
{
	struct port *p = port_get(et, dom, port);

	if (p == NULL)
		return -EINVAL;
	if (p->state == PORT_INTERDOMAIN) {
		struct port *rp = port_get(et, p->remote_dom,
					   p->remote_port);

		rp->state = PORT_UNBOUND;
		rp->remote_dom = dom;
	}
	dom_ports(et, dom, false)->port[port] = NULL;
	chan_put(p->ch);
	free(p);
	return 0;
}

void
evtchn_close_domain(struct evtchn_table *et, domid_t dom)
{
	struct dom_ports *d = dom_ports(et, dom, false);
	evtchn_port_t port;

	for (port = 1; d != NULL && port < NR_PORTS; port++)
		if (d->port[port] != NULL)
			evtchn_close(et, dom, port);
}

unsigned int
evtchn_open_ports(struct evtchn_table *et, domid_t dom)
{
	struct dom_ports *d = dom_ports(et, dom, false);
	unsigned int n = 0;
	evtchn_port_t port;

	for (port = 1; d != NULL && port < NR_PORTS; port++)
		n += d->port[port] != NULL;
	return n;
}
