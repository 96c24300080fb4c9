/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RTE_PMD_NETFRONT_H
#define RTE_PMD_NETFRONT_H

/**
 * @file
 * net_netfront's own functions.
 */

#include <stdint.h>

#include <rte_compat.h>
#include <rte_mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of each buffer of a TX pool, headroom included. */
#define RTE_PMD_NETFRONT_TX_BUF_SIZE	2048

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Create a pool of packet mbufs whose data buffers lie in pages granted
 * read-only to the backend of a net_netfront port, for an application
 * that builds the frames it sends: the port posts them in place, without
 * a copy, and each mbuf returns to the pool only once the backend has
 * answered the request that carried it.
 *
 * Each buffer holds RTE_PMD_NETFRONT_TX_BUF_SIZE bytes (two to a page);
 * larger frames are chains, which need the backend's feature-sg. The
 * mbufs themselves (and their private area) stay in ordinary memory, but
 * the backend may read any buffer of the pool at any time: build in it
 * only frames meant for this port. Mbufs of the pool sent on another
 * port, or with TX offload flags, are copied as any other.
 *
 * The port must trust its backend (devarg trusted=1, the default): with
 * trusted=0 the driver shares no application memory. The pool's pages
 * (n / 2) count toward gntalloc's limit, which is one number for the
 * whole guest.
 *
 * @param port_id
 *   A net_netfront port, probed (it need not be started).
 * @param name, n, cache_size, priv_size, socket_id
 *   As for rte_pktmbuf_pool_create().
 * @return
 *   The pool, or NULL with rte_errno set: EINVAL (not a net_netfront
 *   port, or n is 0), EPERM (trusted=0), ENOSPC (over gntalloc's limit;
 *   the log names the limit to set), ENOMEM, or EEXIST.
 */
__rte_experimental
struct rte_mempool *
rte_pmd_netfront_tx_pool_create(uint16_t port_id, const char *name,
				unsigned int n, unsigned int cache_size,
				uint16_t priv_size, int socket_id);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Free a pool made by rte_pmd_netfront_tx_pool_create() and end its
 * grants, once every mbuf is back in it.
 *
 * @return
 *   0; -EBUSY while some mbuf is out (held by the application, or sent
 *   and not answered yet), and the pool is kept; -EINVAL if mp is no
 *   such pool.
 */
__rte_experimental
int
rte_pmd_netfront_tx_pool_free(struct rte_mempool *mp);

#ifdef __cplusplus
}
#endif

#endif
