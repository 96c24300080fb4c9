/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_IMIX_H
#define NETFRONT_IMIX_H

#include <stdint.h>

/*
 * IMIX as netfront-testpmd and xensim's generator send it: 7:4:1 of
 * 64/570/1518-byte frames on the wire, interleaved. Lengths exclude the
 * FCS, so a 1500 MTU carries them all.
 */
static const uint16_t imix_lens[] = {
	60, 566, 60, 60, 1514, 60, 566, 60, 60, 566, 60, 566,
};

#define IMIX_NR		(sizeof(imix_lens) / sizeof(imix_lens[0]))
#define IMIX_MIN_LEN	60u
#define IMIX_MAX_LEN	1514u

#endif
