/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_TOOLSTACK_H
#define XENSIM_TOOLSTACK_H

#include <stdint.h>

/*
 * What a Xen toolstack (libxl) writes to xenstore when it creates a domain
 * and gives it a vif: the domain's home with name and domid, and the
 * frontend (device/vif/H) and backend (backend/vif/D/H) directories with
 * their keys and permissions, both in state Initialising.
 */

struct xsim;

int toolstack_add_domain(struct xsim *xs, unsigned int domid,
			 const char *name);
/* The vif's MAC is 00:16:3e:00:DOMID:HANDLE. */
int toolstack_add_vif(struct xsim *xs, unsigned int domid,
		      unsigned int handle);
/* xl network-detach, first step: the backend offline and Closing. */
int toolstack_detach_vif(struct xsim *xs, unsigned int domid,
			 unsigned int handle);
/* Last step, once the backend closed or the wait timed out. */
void toolstack_remove_vif(struct xsim *xs, unsigned int domid,
			  unsigned int handle);

#endif
