/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_TEST_XENSIM_CTL_H
#define NETFRONT_TEST_XENSIM_CTL_H

/*
 * `xensim RUN --ctl CMD` against the xensim serving RUN: its one-line
 * answer must contain expect, or the test stops (REQUIRE).
 */
void xensim_ctl(const char *xensim, const char *run, const char *cmd,
		const char *expect);

#endif
