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


def hdr(flags, mtu=1500):
    # mtu is taken modulo the allowed range starting at 68
    return bytes([flags]) + struct.pack('<H', mtu - 68)


def rx_slot(offset, flags, status, raw_id=None, nodata=False):
    sc = (1 if raw_id is not None else 0) | (2 if nodata else 0)
    b = bytes([sc])
    if raw_id is not None:
        b += struct.pack('<H', raw_id)
    return b + struct.pack('<HHh', offset, flags, status)


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
    }


def tx_send(pkts):
    return bytes([0, len(pkts) - 1]) + \
        b''.join(struct.pack('<HB', ln, segs - 1) for ln, segs in pkts)


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
OK, ERROR, DROPPED, NULL = 0, 0xf0, 0xf1, 0xf2


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
    # header: queues, flags (1 split, 2 timeout 1 ms, 4 no xenstore,
    # 8 start twice, 0x80 trusted), failing op, conflicts
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
