/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The xenstore side of creating domains and vifs, as libxl lays it out.
 * Keys are written after their directory's permissions are set, so that
 * they inherit them.
 */
#include <errno.h>
#include <stdio.h>

#include "toolstack.h"
#include "xs_store.h"
#include "xsim.h"

int
toolstack_add_domain(struct xsim *xs, unsigned int domid, const char *name)
{
	/* The guest may read, not change, its own name and id. */
	const struct xs_permissions ro[] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = domid, .perms = XS_PERM_READ },
	};
	/* dom0 is its own owner: one entry says it all. */
	unsigned int n = domid != 0 ? 2 : 1;
	char path[64];
	int rc;

	rc = xs_store_introduce(xs->xs, domid);
	if (rc != 0)
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	rc = xs_dom0_write(xs->xs, path, "%s", name);
	if (rc == 0)
		rc = xs_dom0_set_perms(xs->xs, path, ro, n);
	if (rc != 0)
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%u/domid", domid);
	rc = xs_dom0_write(xs->xs, path, "%u", domid);
	if (rc == 0)
		rc = xs_dom0_set_perms(xs->xs, path, ro, n);
	return rc;
}

/* Make dir with perms, then write its keys (NULL-terminated pairs). */
static int
write_dir(struct xsim *xs, const char *dir, const struct xs_permissions *p,
	  const char *const *kv)
{
	char path[128];
	int rc;

	rc = xs_dom0_mkdir(xs->xs, dir);
	if (rc == 0)
		rc = xs_dom0_set_perms(xs->xs, dir, p, 2);
	for (; rc == 0 && kv[0] != NULL; kv += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, kv[0]);
		rc = xs_dom0_write(xs->xs, path, "%s", kv[1]);
	}
	return rc;
}

static void
vif_paths(unsigned int domid, unsigned int handle, char *fe, char *be,
	  size_t len)
{
	snprintf(fe, len, "/local/domain/%u/device/vif/%u", domid, handle);
	snprintf(be, len, "/local/domain/0/backend/vif/%u/%u", domid,
		 handle);
}

int
toolstack_add_vif(struct xsim *xs, unsigned int domid, unsigned int handle)
{
	const struct xs_permissions fe_perms[] = {
		{ .id = domid, .perms = XS_PERM_NONE },
		{ .id = 0, .perms = XS_PERM_READ },
	};
	const struct xs_permissions be_perms[] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = domid, .perms = XS_PERM_READ },
	};
	char fe[64], be[64], dom[12], h[12], macs[18];
	int rc;

	if (domid == 0 || domid > 255 || handle > 255) {
		fprintf(stderr, "xensim: a vif needs a guest domain\n");
		return -EINVAL;
	}
	vif_paths(domid, handle, fe, be, sizeof(fe));
	snprintf(dom, sizeof(dom), "%u", domid);
	snprintf(h, sizeof(h), "%u", handle);
	snprintf(macs, sizeof(macs), "00:16:3e:00:%02x:%02x", domid, handle);

	rc = write_dir(xs, fe, fe_perms, (const char *const[]){
		"backend", be, "backend-id", "0", "handle", h, "mac", macs,
		"trusted", "1", "state", "1", NULL });
	/* libxl writes the MTU as dom0's, read-only to the guest. */
	if (rc == 0) {
		char mtu[80];

		snprintf(mtu, sizeof(mtu), "%s/mtu", fe);
		rc = xs_dom0_write(xs->xs, mtu, "%u", xs->vif_mtu);
		if (rc == 0)
			rc = xs_dom0_set_perms(xs->xs, mtu, be_perms, 2);
	}
	if (rc == 0)
		rc = write_dir(xs, be, be_perms, (const char *const[]){
			"frontend", fe, "frontend-id", dom, "online", "1",
			"state", "1", "script", "/etc/xen/scripts/vif-bridge",
			"mac", macs, "bridge", "xenbr0", "handle", h,
			"type", "vif", NULL });
	return rc;
}

int
toolstack_detach_vif(struct xsim *xs, unsigned int domid, unsigned int handle)
{
	char fe[64], be[64], path[80];
	int rc;

	vif_paths(domid, handle, fe, be, sizeof(fe));
	snprintf(path, sizeof(path), "%s/online", be);
	rc = xs_dom0_write(xs->xs, path, "0");
	snprintf(path, sizeof(path), "%s/state", be);
	if (rc == 0)
		rc = xs_dom0_write(xs->xs, path, "5");
	return rc;
}

void
toolstack_remove_vif(struct xsim *xs, unsigned int domid, unsigned int handle)
{
	char fe[64], be[64];

	vif_paths(domid, handle, fe, be, sizeof(fe));
	xs_dom0_rm(xs->xs, fe);
	xs_dom0_rm(xs->xs, be);
}
