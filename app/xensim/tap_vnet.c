/* SPDX-License-Identifier: BSD-3-Clause */
#include <endian.h>
#include <string.h>
#include <linux/if_tun.h>

#include "csum.h"
#include "gso.h"
#include "tap_vnet.h"

unsigned int
tap_vnet_offloads(const struct netback *nb)
{
	/* IPv6 blank checksums come too when the frontend takes only
	 * IPv4's: there is one TUN_F_CSUM; RX completes them. */
	return (nb_fe_csum_blank_ok(nb, false) ? TUN_F_CSUM : 0) |
	       (nb_fe_gso_ok(nb, XEN_NETIF_GSO_TYPE_TCPV4) ? TUN_F_TSO4 : 0) |
	       (nb_fe_gso_ok(nb, XEN_NETIF_GSO_TYPE_TCPV6) ? TUN_F_TSO6 : 0);
}

/*
 * A checksum the kernel left to fill at start + off: csum_blank if it is
 * the TCP or UDP one netif knows; any other is filled here, as Linux's
 * skb_checksum_help() fills it before a vif that cannot (no flag then).
 */
static int
csum_in(uint8_t *frame, uint32_t len, uint32_t start, uint32_t off,
	uint32_t *flags)
{
	uint32_t l4, l4_off;

	if (csum_l4_field(frame, len, &l4, &l4_off) == 0 && start == l4 &&
	    off == l4_off) {
		*flags = NETRXF_csum_blank | NETRXF_data_validated;
		return 0;
	}
	*flags = 0;
	return csum_fill(frame, len, start, off);
}

int
tap_vnet_in(const struct virtio_net_hdr *vh, uint8_t *frame, uint32_t len,
	    struct frame_info *info)
{
	uint8_t type = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	bool ipv6 = type == VIRTIO_NET_HDR_GSO_TCPV6;
	struct gso g;

	*info = (struct frame_info){ 0 };
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    csum_in(frame, len, le16toh(vh->csum_start),
		    le16toh(vh->csum_offset), &info->flags) != 0)
		return -1;
	if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	/* ECN is left to the TCP flags, as netif has no word for it. */
	if (type != VIRTIO_NET_HDR_GSO_TCPV4 && !ipv6)
		return -1;
	info->gso_size = le16toh(vh->gso_size);
	info->gso_type = ipv6 ? XEN_NETIF_GSO_TYPE_TCPV6 :
				XEN_NETIF_GSO_TYPE_TCPV4;
	/* GSO needs the blank TCP checksum, which Linux always gives. */
	if (!(info->flags & NETRXF_csum_blank) ||
	    gso_parse(&g, frame, len, info->gso_size, ipv6) != 0)
		return -1;
	return 0;
}

void
tap_vnet_out(struct virtio_net_hdr *vh, const uint8_t *frame, uint32_t len,
	     const struct frame_info *info)
{
	bool ipv6 = info->gso_type == XEN_NETIF_GSO_TYPE_TCPV6;
	uint32_t start, off;
	struct gso g;

	memset(vh, 0, sizeof(*vh));
	if (info->gso_size != 0 &&
	    gso_parse(&g, frame, len, info->gso_size, ipv6) == 0) {
		vh->gso_type = ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
				      VIRTIO_NET_HDR_GSO_TCPV4;
		vh->gso_size = htole16(info->gso_size);
		vh->hdr_len = htole16((uint16_t)g.hdr_len);
	}
	/* A blank checksum that is not TCP's or UDP's goes as it is, as
	 * it does to a TAP without offloads. */
	if ((info->flags & NETRXF_csum_blank) &&
	    csum_l4_field(frame, len, &start, &off) == 0) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = htole16((uint16_t)start);
		vh->csum_offset = htole16((uint16_t)off);
	}
}
