#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the committed seed corpus, tests/fuzz/corpus/<target>/<name>:
a few well-formed and a few hostile inputs per target, in the formats the
fuzz_*.c headers describe. Run it again after changing a format."""
import os
import struct

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')

# fq_cfg_parse flags
TRUSTED, RX_SG, SG, SMALL, WRAP, POOL = 1, 2, 4, 8, 0x10, 0x40
# and its offloads byte, after flags with OFFL
OFFL = 0x80
RX_CSUM, RX_IP_CSUM, LRO, XDP = 1, 2, 4, 8
GSO4, GSO6, V6_CSUM, MCAST = 0x10, 0x20, 0x40, 0x80


def hdr(flags, mtu=1500, offl=None, lro=0):
    # mtu is taken modulo the allowed range starting at 68; offloads and
    # max_lro_pkt_size (0: what start takes) follow with OFFL
    b = bytes([flags | (OFFL if offl is not None else 0)]) + \
        struct.pack('<H', mtu - 68)
    if offl is not None:
        b += bytes([offl]) + struct.pack('<H', lro)
    return b


# a frame header in the data: IPv4, VLAN-tagged, wrong sum; IHL index
IP4, VLAN, BAD_SUM = 8, 0x10, 0x20
IHL5, IHL4, IHL15, IHL6 = 0, 0x40, 0x80, 0xc0


def rx_slot(offset, flags, status, raw_id=None, nodata=False, frame=0):
    sc = (1 if raw_id is not None else 0) | (2 if nodata else 0) | frame
    b = bytes([sc])
    if raw_id is not None:
        b += struct.pack('<H', raw_id)
    return b + struct.pack('<HHh', offset, flags, status)


GSO_EXTRA, XDP_EXTRA, HASH_EXTRA, EXTRA_MORE = 1, 5, 4, 1
TCPV4, TCPV6 = 1, 2


def rx_extra(etype, flags=0, size=0, gso_type=TCPV4, raw=None):
    # an extra-info slot: type, flags, 6 bytes of the union (GSO: size,
    # type, pad, features; XDP: headroom)
    u = raw if raw is not None else struct.pack('<HBBH', size, gso_type,
                                                0, 0)
    return bytes([4, etype, flags]) + u


def rx_step(slots, burst=32, hold=False, noburst=False, rewrite=False,
            prod=None):
    ctl = (burst - 1) | (0x20 if hold else 0) | (0x40 if noburst else 0) | \
        (0x80 if rewrite else 0)
    b = bytes([len(slots), ctl])
    b += bytes([0]) if prod is None else bytes([0xff]) + struct.pack('<I', prod)
    return b + b''.join(slots)


MORE, EXTRA, VALID = 4, 8, 1


def rx_seeds():
    one = [rx_slot(0, VALID, 60), rx_slot(0, 0, 1514), rx_slot(100, 0, 200)]
    chain = [rx_slot(0, MORE, 4096), rx_slot(0, MORE, 4096),
             rx_slot(0, 0, 818)]
    return {
        'trusted': hdr(TRUSTED) + rx_step(one),
        'untrusted-rewrite': hdr(0) + rx_step(one, rewrite=True),
        'trusted-hold-wrap': hdr(TRUSTED | WRAP | POOL) +
            rx_step(one * 4, hold=True) + rx_step(one * 4, hold=True),
        'sg-chain': hdr(TRUSTED | RX_SG | SG, 9000) + rx_step(chain),
        'sg-chain-small': hdr(RX_SG | SG | SMALL, 9000) +
            rx_step(chain, rewrite=True),
        'runt-error-long': hdr(0) + rx_step([
            rx_slot(0, 0, 10), rx_slot(0, 0, -1), rx_slot(0, 0, 2000)]),
        'offset-4096': hdr(TRUSTED) + rx_step([rx_slot(4096, 0, 0)]),
        'offset-past-page': hdr(0) + rx_step([rx_slot(4000, 0, 200)]),
        'extra-info': hdr(TRUSTED) + rx_step([rx_slot(0, EXTRA, 100)]),
        'more-data-no-sg': hdr(0) + rx_step([rx_slot(0, MORE, 100),
                                             rx_slot(0, 0, 100)]),
        'endless-more-data': hdr(TRUSTED | RX_SG | SG, 9000) +
            rx_step([rx_slot(0, MORE, 100)] * 20),
        'id-duplicate': hdr(TRUSTED) + rx_step([
            rx_slot(0, 0, 100, raw_id=0), rx_slot(0, 0, 100, raw_id=0)]),
        'id-out-of-range': hdr(0) + rx_step([rx_slot(0, 0, 100, raw_id=300)]),
        'prod-beyond': hdr(TRUSTED) + rx_step([], prod=1000),
        'prod-wrap': hdr(TRUSTED | WRAP) + rx_step(one) +
            rx_step([], prod=0x7fffffff),
        'burst-after-stop': hdr(TRUSTED) + rx_step([rx_slot(0, EXTRA, 1)]) +
            rx_step(one),
        # LRO: a GSO extra after the first slot; 9 KB over a 1500 MTU
        'gso-extra': hdr(TRUSTED | SG, 1500, LRO) + rx_step([
            rx_slot(0, EXTRA | MORE | VALID, 4096),
            rx_extra(GSO_EXTRA, size=1448), rx_slot(0, MORE, 4096),
            rx_slot(0, 0, 1000)] + one),
        'gso-extra-untrusted': hdr(SG | SMALL, 1500, LRO | RX_IP_CSUM) +
            rx_step([rx_slot(0, EXTRA | MORE, 4096, frame=IP4),
                     rx_extra(GSO_EXTRA, size=1440, gso_type=TCPV6),
                     rx_slot(0, 0, 3000)], rewrite=True),
        # with max_lro_pkt_size 2000 the packet is over it: dropped
        'gso-extra-over-max': hdr(TRUSTED | SG, 1500, LRO, 2000) + rx_step([
            rx_slot(0, EXTRA | MORE, 4096), rx_extra(GSO_EXTRA, size=1448),
            rx_slot(0, 0, 100)] + one),
        # xdp-headroom: data after 128 bytes that the status counts
        'xdp-extra': hdr(TRUSTED, 1500, XDP) + rx_step([
            rx_slot(0, EXTRA, 128 + 60), rx_extra(XDP_EXTRA, raw=b'\x80' +
                                                  bytes(5)),
            rx_slot(0, 0, 128 + 1514)], hold=True),
        'gso-xdp-chain': hdr(TRUSTED | SG, 1500, LRO | XDP) + rx_step([
            rx_slot(0, EXTRA | MORE, 4096),
            rx_extra(GSO_EXTRA, EXTRA_MORE, size=1448),
            rx_extra(XDP_EXTRA, raw=b'\x80' + bytes(5)),
            rx_slot(0, 0, 2000)]),
        'extra-duplicate': hdr(TRUSTED | SG, 1500, LRO) + rx_step([
            rx_slot(0, EXTRA, 1000),
            rx_extra(GSO_EXTRA, EXTRA_MORE, size=1448),
            rx_extra(GSO_EXTRA, size=1448)]) + rx_step(one),
        # extra_info on a packet's second slot
        'extra-later-slot': hdr(TRUSTED | SG, 1500, LRO) + rx_step([
            rx_slot(0, MORE, 1000), rx_slot(0, EXTRA, 1000),
            rx_extra(GSO_EXTRA, size=1448)]),
        'extra-not-offered': hdr(TRUSTED, 1500, XDP) + rx_step([
            rx_slot(0, EXTRA, 1000), rx_extra(GSO_EXTRA, size=1448)]),
        'extra-gso-size-0': hdr(SG, 1500, LRO) + rx_step([
            rx_slot(0, EXTRA, 1000), rx_extra(GSO_EXTRA, size=0)]),
        'extra-hash': hdr(SG, 1500, LRO) + rx_step([
            rx_slot(0, EXTRA, 1000), rx_extra(HASH_EXTRA)]),
        # endless: every slot one more extra
        'extra-endless': hdr(TRUSTED | SG, 1500, LRO | XDP) + rx_step([
            rx_slot(0, EXTRA, 1000)] +
            [rx_extra(XDP_EXTRA, EXTRA_MORE, raw=bytes(6))] * 20),
        # IPv4 header sums the driver checks: good, bad, VLAN, short IHL,
        # IHL longer than the frame
        'ipv4-csum': hdr(0, 1500, RX_IP_CSUM) + rx_step([
            rx_slot(0, 0, 60, frame=IP4), rx_slot(0, 0, 60, frame=IP4 |
                                                  BAD_SUM),
            rx_slot(0, 0, 100, frame=IP4 | VLAN),
            rx_slot(0, 0, 100, frame=IP4 | IHL4),
            rx_slot(0, 0, 40, frame=IP4 | IHL15), rx_slot(0, 0, 20,
                                                          frame=IP4)]),
        'ipv4-csum-trusted-chain': hdr(TRUSTED | RX_SG | SG, 9000,
                                       RX_IP_CSUM) + rx_step([
            rx_slot(0, MORE, 20, frame=IP4 | IHL6),
            rx_slot(0, 0, 100, frame=IP4)]),
    }


# TX offload flags of a packet to send
IPV4, IPV6, IP_CKSUM, L4_TCP, L4_SCTP, L4_UDP, TCP_SEG = \
    1, 2, 4, 1 << 3, 2 << 3, 3 << 3, 0x20
LONG, GARBAGE = 0x40, 0x80


def tx_pkt(length, segs=1, ol=None, l2=14, l3=20, l4=20, mss=1448,
           garbage=None, raw=False):
    # offloaded with ol: the length may be up to 64 KiB + 81; raw: the IP
    # header's version, IHL and protocol as the pattern has them
    if ol is None:
        return struct.pack('<HB', length, segs - 1)
    ol |= (LONG if length > 0xffff else 0) | \
        (GARBAGE if garbage is not None else 0)
    b = struct.pack('<HBB', length & 0xffff, 0x80 | (segs - 1), ol)
    if garbage is not None:
        b += bytes([garbage])
    return b + struct.pack('<BHBH', l2 | (0x80 if raw else 0), l3, l4, mss)


def tx_send(pkts):
    # each a (length, segments) pair or a tx_pkt()
    return bytes([0, len(pkts) - 1]) + \
        b''.join(p if isinstance(p, bytes) else tx_pkt(*p) for p in pkts)


def tx_forward(n, length):
    return bytes([1, n - 1]) + struct.pack('<H', length - 14)


def tx_answer(slots, prod=None):
    b = bytes([2, len(slots)])
    b += bytes([0]) if prod is None else bytes([0xff]) + struct.pack('<I', prod)
    # pick: the nth request in flight, or ('id', raw id);
    # status: a status byte, or (raw s16,)
    for pick, status in slots:
        b += bytes([pick << 1]) if isinstance(pick, int) \
            else bytes([1]) + struct.pack('<H', pick[1])
        b += bytes([status]) if isinstance(status, int) \
            else bytes([0xff]) + struct.pack('<h', status[0])
    return b


TX_RECLAIM = bytes([3])
TX_CLEANUP = bytes([5])
OK, ERROR, DROPPED, NULL = 0, 0xf0, 0xf1, 0xf2


def tx_mcast(picks):
    # 01:00:5e:00:00:x each, but 0xfe a unicast, 0xff broadcast
    return bytes([4, len(picks)]) + bytes(picks)


def tx_answer_all(n, extras):
    # n requests in flight, then the NULL of each extra-info slot
    b = b''
    while n + extras > 0:
        k = min(n, 31)
        slots = [(0, OK)] * k + [(0, NULL)] * min(extras, 31 - k)
        extras -= len(slots) - k
        n -= k
        b += tx_answer(slots)
    return b + TX_RECLAIM


def tx_seeds():
    pkts = [(60, 1), (1514, 1), (1000, 2), (200, 3)]
    # one request each at mtu 1500
    return {
        'copy': hdr(0) + tx_send(pkts) + tx_answer([(0, OK)] * 4) +
            TX_RECLAIM,
        'copy-reorder': hdr(RX_SG | SG, 9000) + tx_send([(9018, 1), (100, 1)]) +
            tx_answer([(3, OK), (1, ERROR), (0, DROPPED), (2, OK),
                       (1, OK), (0, OK)]) +
            TX_RECLAIM,
        'zerocopy': hdr(TRUSTED) + tx_forward(8, 1000) +
            tx_answer([(0, OK)] * 8) +
            TX_RECLAIM + tx_forward(4, 60),
        'zerocopy-wrap': hdr(TRUSTED | WRAP) + tx_forward(16, 1514) +
            tx_send(pkts) + tx_answer([(0, OK)] * 20) + TX_RECLAIM,
        'untrusted-forward': hdr(0) + tx_forward(8, 1514) +
            tx_answer([(0, OK)] * 8),
        'full-ring': hdr(0) + tx_send([(1514, 1)] * 16) * 17 +
            tx_answer([(0, OK)] * 31) + tx_send([(60, 1)] * 16),
        'rsp-null': hdr(0) + tx_send(pkts) + tx_answer([(0, NULL)]) +
            TX_RECLAIM + tx_send(pkts),
        'rsp-status-unknown': hdr(0) + tx_send(pkts) +
            tx_answer([(0, (7,))]) + TX_RECLAIM,
        'id-duplicate': hdr(0) + tx_send(pkts) +
            tx_answer([(('id', 0), OK), (('id', 0), OK)]) + TX_RECLAIM,
        'id-not-in-flight': hdr(0) + tx_send([(60, 1)]) +
            tx_answer([(('id', 200), OK)]) + TX_RECLAIM,
        'prod-beyond': hdr(0) + tx_send(pkts) + tx_answer([], prod=100) +
            TX_RECLAIM,
        'bad-lengths': hdr(0) + tx_send([(0, 1), (1, 1), (1600, 1)]) +
            tx_answer([(0, OK)]) + TX_RECLAIM,
        # IPv4 header sum and L4 checksums left to the backend
        'csum': hdr(0, 1500, 0) + tx_send([
            tx_pkt(1000, 2, IPV4 | IP_CKSUM | L4_TCP),
            tx_pkt(60, 1, IPV4 | IP_CKSUM),
            tx_pkt(300, 3, IPV6 | L4_UDP, l3=40),
            tx_pkt(1514, 1, IPV4 | L4_UDP, l2=18)]) +
            tx_answer_all(4, 0),
        # a 60000-byte TSO packet: two parts (19 and 13 slots)
        'tso-v4': hdr(RX_SG | SG, 1500, GSO4 | GSO6 | V6_CSUM) +
            tx_send([tx_pkt(60000, 1, IPV4 | IP_CKSUM | L4_TCP | TCP_SEG)]) +
            tx_answer_all(30, 2),
        # the largest: 64 KiB of IP packet
        'tso-v6-max': hdr(SG, 9000, GSO6 | V6_CSUM) +
            tx_send([tx_pkt(65553, 3, IPV6 | L4_TCP | TCP_SEG, l3=40,
                            mss=8940)]) + tx_answer_all(33, 2),
        # no more than one segment: a plain packet, csum_blank
        'tso-one-segment': hdr(SG, 1500, GSO4) +
            tx_send([tx_pkt(1000, 1, IPV4 | L4_TCP | TCP_SEG),
                     tx_pkt(1502, 2, IPV4 | L4_TCP | TCP_SEG)]) +
            tx_answer_all(2, 0),
        # refused: no MSS, short TCP header, not offered, IPv6 header
        # length, over 64 KiB, SCTP, IPv6 IP_CKSUM, headers past it
        'tso-bad': hdr(SG, 1500, GSO4) + tx_send([
            tx_pkt(3000, 1, IPV4 | L4_TCP | TCP_SEG, mss=0),
            tx_pkt(3000, 1, IPV4 | L4_TCP | TCP_SEG, l4=19),
            tx_pkt(3000, 1, IPV6 | L4_TCP | TCP_SEG, l3=40),
            tx_pkt(3000, 1, IPV6 | L4_TCP | TCP_SEG, l3=20),
            tx_pkt(65554, 1, IPV4 | L4_TCP | TCP_SEG),
            tx_pkt(1000, 1, IPV4 | L4_SCTP),
            tx_pkt(1000, 1, IPV6 | IP_CKSUM),
            tx_pkt(40, 1, IPV4 | IP_CKSUM, l2=30, l3=20)]) +
            tx_send([(60, 1)]) + tx_answer_all(1, 0),
        # flags the driver does not act on: VLAN insertion, UDP
        # segmentation, outer IPv6
        'garbage-flags': hdr(SG, 1500, GSO4) + tx_send([
            tx_pkt(500, 1, 0, garbage=57),
            tx_pkt(500, 2, IPV4 | IP_CKSUM, garbage=42),
            tx_pkt(500, 1, 0, garbage=60)]) + tx_answer_all(3, 0),
        # odd header lengths the driver still takes, raw IP headers
        'tso-odd-headers': hdr(SG, 1500, GSO4 | GSO6) + tx_send([
            tx_pkt(5000, 2, IPV4 | L4_TCP | TCP_SEG, l2=0, l3=0, l4=255,
                   mss=100, raw=True),
            tx_pkt(40000, 3, IPV4 | L4_UDP | TCP_SEG, l2=127, l3=511,
                   l4=20, mss=1),
            tx_pkt(9000, 1, IPV4 | IPV6 | L4_TCP | TCP_SEG, l3=40,
                   garbage=42)]) + tx_answer_all(28, 4),
        # NULL answers: one per extra-info slot, then one too many; a
        # NULL where none is pending
        'rsp-null-extra': hdr(SG, 1500, GSO4) +
            tx_send([tx_pkt(4000, 1, IPV4 | L4_TCP | TCP_SEG)]) +
            tx_answer([(0, NULL), (0, OK), (0, OK), (0, NULL)]) +
            TX_RECLAIM,
        'rsp-null-first': hdr(SG, 1500, GSO4) +
            tx_send([tx_pkt(4000, 1, IPV4 | L4_TCP | TCP_SEG)]) +
            tx_answer([(0, NULL)]) + TX_RECLAIM +
            tx_send([tx_pkt(60, 1)]) + tx_answer_all(3, 0),
        # multicast list: set, synced by a burst, changed, synced by
        # tx_done_cleanup; refused lists leave it
        'mcast': hdr(0, 1500, MCAST) + tx_mcast([1, 2, 3, 3]) +
            tx_send([(60, 1)]) + tx_answer_all(4, 3) +
            tx_mcast([3, 4]) + TX_CLEANUP + tx_answer_all(3, 3) +
            tx_mcast([4, 0xff]) + tx_mcast(list(range(65))) +
            tx_mcast([]) + TX_CLEANUP + tx_answer_all(2, 2),
        'mcast-full-ring': hdr(0, 1500, MCAST) + tx_send([(60, 1)] * 16) *
            15 + tx_mcast(list(range(64))) + tx_send([(60, 1)]) +
            tx_answer_all(31, 0) + TX_CLEANUP + tx_answer_all(31, 16),
        'mcast-not-offered': hdr(0) + tx_mcast([1]) + tx_send([(60, 1)]) +
            TX_CLEANUP,
    }


def fe(key, val):
    return b'F %s=%s\n' % (key.encode(), val.encode())


def be(key, val):
    return b'B %s=%s\n' % (key.encode(), val.encode())


BACKEND = '/local/domain/0/backend/vif/1/0'


def xs_seeds():
    base = fe('backend', BACKEND) + fe('backend-id', '0') + \
        fe('mac', '00:16:3e:00:00:01') + fe('mtu', '1500')
    # state reads: attach x2, start x2, connect, link, Closing, Closed
    life = b''.join(be('state', s) for s in '22224456')
    left = b''.join(be('state', s) for s in '222244656')
    feats = be('feature-rx-copy', '1') + be('feature-sg', '1')
    mq = be('multi-queue-max-queues', '4') + \
        be('feature-split-event-channels', '1')
    offers = b''.join(be(k, '1') for k in (
        'feature-ipv6-csum-offload', 'feature-gso-tcpv4', 'feature-gso-tcpv6',
        'feature-xdp-headroom', 'feature-multicast-control',
        'feature-dynamic-multicast-control'))
    # header: queues (low 4 bits) and RX offloads (0x10 SCATTER, 0x20
    # checksums, 0x40 LRO, 0x80 all-multicast off), flags (1 split,
    # 2 timeout 1 ms, 4 no xenstore, 8 start twice, 0x80 trusted),
    # failing op, conflicts
    SCATTER, CSUM, LRO_ON, FILTER = 0x10, 0x20, 0x40, 0x80
    return {
        'connect': bytes([0, 0x82, 0, 0]) + base + feats + life,
        'connect-mq-split': bytes([3, 0x83, 0, 2]) + base + feats + mq + life,
        'restart': bytes([1, 0x8a, 0, 0]) + base + feats + mq + life +
            b''.join(be('state', s) for s in '224456'),
        'stale-keys': bytes([0, 0x82, 0, 0]) + base + feats + life +
            fe('queue-3/tx-ring-ref', '9') + fe('event-channel-tx', '5') +
            be('multi-queue-max-queues', '65535'),
        'untrusted': bytes([0, 0x82, 0, 0]) + base + fe('trusted', '0') +
            feats + life,
        'bad-path': bytes([0, 0x82, 0, 0]) +
            fe('backend', '/local/domain/1/../0/backend') +
            fe('backend-id', '0') + fe('mac', '00:16:3e:00:00:01') + life,
        'bad-values': bytes([0, 0x82, 0, 0]) + base + fe('mtu', '65536') +
            fe('trusted', '2') + be('feature-sg', 'yes') + life,
        'backend-id-huge': bytes([0, 0x82, 0, 0]) +
            fe('backend', '/local/domain/40000/backend/vif/1/0') +
            fe('backend-id', '40000') + fe('mac', '00:16:3e:00:00:01'),
        'state-garbage': bytes([0, 0x82, 0, 0]) + base + feats +
            be('state', '99') + be('state', '-1') + be('state', '2'),
        'xs-fail': bytes([0, 0x82, 12, 0]) + base + feats + life,
        'xs-no-open': bytes([0, 0x86, 0, 0]) + base,
        'tx-conflicts': bytes([0, 0xf2, 0, 200]) + base + feats + life,
        # after the link read, a watch event finds the backend Closed:
        # close, then ask it back unless it is going offline
        'backend-left': bytes([0, 0x82, 0, 0]) + base + feats + left,
        'backend-left-offline': bytes([0, 0x82, 0, 0]) + base + feats +
            be('online', '0') + left,
        'backend-left-online-garbage': bytes([0, 0x82, 0, 0]) + base +
            feats + be('online', 'yes') + left,
        # every offload offered and asked for: the keys start writes
        'offloads': bytes([LRO_ON | FILTER, 0x8a, 0, 0]) + base + feats +
            offers + life + b''.join(be('state', s) for s in '224456'),
        'offloads-csum-only': bytes([CSUM, 0x82, 0, 0]) + base + feats +
            offers + life,
        # a previous frontend's offload keys, not asked for this time
        'offloads-stale': bytes([SCATTER, 0x82, 0, 0]) + base + feats +
            be('feature-multicast-control', '1') +
            fe('feature-gso-tcpv4', '1') + fe('feature-gso-tcpv6', '1') +
            fe('feature-ipv6-csum-offload', '1') +
            fe('xdp-headroom', '128') +
            fe('request-multicast-control', '1') + life,
        # refused, each as the first read and as a later change
        'offloads-malformed': bytes([0, 0x82, 0, 0]) + base + feats +
            be('feature-gso-tcpv4', '2') + life,
        'offloads-malformed-later': bytes([LRO_ON, 0x8a, 0, 0]) + base +
            feats + be('feature-xdp-headroom', '1') +
            be('feature-xdp-headroom', 'yes') +
            be('feature-multicast-control', '-1') + life,
    }


def main():
    for target, seeds in (('rx', rx_seeds()), ('tx', tx_seeds()),
                          ('xenstore', xs_seeds())):
        d = os.path.join(CORPUS, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
