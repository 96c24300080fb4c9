/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_FUZZ_FAKE_XENSTORE_H
#define NETFRONT_FUZZ_FAKE_XENSTORE_H

/*
 * libxenstore's client calls the driver makes, over an in-memory table that
 * a fuzz input fills, with the faults a hostile or failing xenstore can
 * produce, and an account of what the driver left open.
 */

#include <stdbool.h>
#include <stddef.h>

/* What the driver holds, and protocol misuse seen by the store. */
struct fxs_account {
	unsigned int handles;		/* open xs_handles */
	unsigned int transactions;	/* started, not ended */
	unsigned int watches;		/* registered, not removed */
	unsigned int misuse;		/* unknown handle/transaction/watch */
	unsigned int faults;		/* injected failures that fired */
};

/* Empty store, no faults, nothing open. */
void fxs_reset(void);
/*
 * Add a value for path. A path given several values answers each read
 * with the next one and keeps the last: the backend changes it between
 * reads. A write by the driver replaces them all.
 */
void fxs_add(const char *path, const void *val, size_t len);
/* The current value of path (NUL-terminated), or NULL. */
const char *fxs_get(const char *path);
/* The value the last read of path returned, or NULL (none, or absent). */
const char *fxs_last_read(const char *path);
/* The nth store operation from now on (1: the next) fails with EIO. */
void fxs_fail_op(unsigned int nth);
/* xenplat_xs_open() fails. */
void fxs_fail_open(void);
/* The next n commits fail with EAGAIN (a conflicting writer). */
void fxs_conflicts(unsigned int n);
/* Watch events xs_check_watch() hands out before it runs dry. */
void fxs_watch_events(unsigned int n);
const struct fxs_account *fxs_account(void);

#endif
