/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_TEST_HYP_RAW_H
#define NETFRONT_TEST_HYP_RAW_H

/*
 * A raw process on xensim's hypervisor socket (xensim_proto.h), for tests
 * that must send what the real platform library never would. One request
 * at a time: fill raw_req, call raw_rpc, read raw_rsp and the fds it
 * carried in raw_fds. A failed connect, send or receive stops the test
 * (REQUIRE of check.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xensim_proto.h"

extern struct xsim_req raw_req;
extern struct xsim_rsp raw_rsp;
/* The last answer's fds, the caller's to close. */
extern int raw_fds[2];
extern unsigned int raw_nfds;

/* A connection to RUN/domN/hypervisor: one more process of domain dom. */
int raw_open(const char *run, unsigned int dom);
/* Send len bytes of msg, as they are; the answer lands in raw_rsp. */
void raw_send(int sock, const void *msg, size_t len);
/* Send raw_req, then clear it for the next one. */
void raw_rpc(int sock);
void raw_close_fds(void);

/* Fill raw_req.u.gref for op on dom's grant ref. */
void set_gref(uint32_t op, unsigned int dom, uint32_t ref, unsigned int off,
	      unsigned int len);
/* Copy from or to dom's grant ref; the GNTST_ status. dst may be NULL. */
int16_t copy_from(int sock, unsigned int dom, uint32_t ref, unsigned int off,
		  unsigned int len, void *dst);
int16_t copy_to(int sock, unsigned int dom, uint32_t ref, unsigned int off,
		unsigned int len, const void *src);

/* Whether fd turns readable within timeout_ms. */
bool readable(int fd, int timeout_ms);

#endif
