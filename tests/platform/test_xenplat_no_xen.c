/* SPDX-License-Identifier: BSD-3-Clause */
/* Without /dev/xen, the xen platform says so instead of failing later. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xenplat.h"

int
main(void)
{
	char err[256] = "";
	struct xenplat *xp;

	if (access("/dev/xen/gntalloc", F_OK) == 0 &&
	    access("/dev/xen/evtchn", F_OK) == 0) {
		printf("this is a Xen guest: nothing to check\n");
		return 77;
	}
	xp = xenplat_open(NULL, err, sizeof(err));
	if (xp != NULL) {
		fprintf(stderr, "xenplat_open(NULL) succeeded without Xen\n");
		xenplat_close(xp);
		return 1;
	}
	printf("xenplat_open(NULL): %s\n", err);
	if (strncmp(err, "no Xen here: /dev/xen/", 22) != 0 ||
	    strstr(err, " missing (not a Xen guest, or modprobe "
		   "xen-gntalloc xen-evtchn)") == NULL) {
		fprintf(stderr, "unexpected message\n");
		return 1;
	}
	return 0;
}
