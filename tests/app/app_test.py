#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end checks of netfront-testpmd over DPDK's software ports.

usage: app_test.py APP CASE   (CASE: ring-verify, vhost-io,
                               vhost-macswap, lost, bad-options, signal)
"""
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

COUNT = 20000


def drop_eal_files(prefix):
    """The EAL's runtime files of a prefix: root's, or another user's."""
    for top in ('/var/run', os.environ.get('XDG_RUNTIME_DIR', '/tmp')):
        shutil.rmtree(os.path.join(top, 'dpdk', prefix), ignore_errors=True)


def eal(tag, *vdevs, lcores='0-1', main='0'):
    prefix = 'nft-%s-%d' % (tag, os.getpid())
    atexit.register(drop_eal_files, prefix)
    args = ['-l', lcores, '--main-lcore', main, '--no-huge', '-m', '256', '--no-pci',
            '--file-prefix', prefix,
            '--log-level', 'lib.eal:warning']
    for v in vdevs:
        args += ['--vdev', v]
    return args


def run(app, args, timeout=60):
    p = subprocess.run([app] + args, capture_output=True, text=True,
                       timeout=timeout)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    return p


def load(path):
    with open(path) as f:
        return json.load(f)


def expect(cond, what):
    if not cond:
        print('FAIL: ' + what)
        sys.exit(1)


def case_ring_verify(app, tmp):
    """Two loopback rings, jumbo chains included: every frame good."""
    out = os.path.join(tmp, 'sum.json')
    p = run(app, eal('ring', 'net_ring0', 'net_ring1') +
            ['--', '--mode', 'verify', '--count', str(COUNT),
             '--pkt-size', '60-9000', '--queues', '2', '--max-lost', '0',
             '--json', out])
    expect(p.returncode == 0, 'exit status %d' % p.returncode)
    s = load(out)
    expect(s['exit_status'] == 0, 'exit_status in JSON')
    for port in s['ports']:
        v = port['verify']
        expect(v['good'] == COUNT, 'port %d good %d != %d' %
               (port['port'], v['good'], COUNT))
        expect(port['tx_packets'] == COUNT, 'tx_packets')
        expect(v['corrupt'] == 0 and v['duplicate'] == 0 and
               v['lost'] == 0, 'verify counters %r' % v)
    expect(s['total']['verify']['good'] == 2 * COUNT, 'total good')


def case_vhost_io(app, tmp, mode='io'):
    """A verify client (virtio-user) against a forwarding server (vhost,
    one port echoes to itself): proves the forwarding frame by frame.
    vhost, not memif: DPDK 22.11's memif can crash when the peer leaves
    while a lcore polls, vhost stops its queues first."""
    sock = os.path.join(tmp, 'vhost.sock')
    srv_json = os.path.join(tmp, 'srv.json')
    cli_json = os.path.join(tmp, 'cli.json')
    srv = subprocess.Popen(
        # forwarding on CPU 0, the client's on CPU 1: no time slicing
        [app] + eal('srv', 'net_vhost0,iface=%s,queues=1' % sock,
                    main='1') +
        ['--', '--mode', mode, '--duration', '40', '--stats-period', '0',
         '--drain', '0', '--link-wait', '30', '--json', srv_json],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        expect(os.path.exists(sock), 'vhost server socket never appeared')
        cli = run(app, eal('cli', 'net_virtio_user0,path=%s,queues=1' %
                           sock) +
                  # fewer frames in flight than a virtio ring holds:
                  # a slow forwarder delays them but drops none
                  ['--', '--mode', 'verify', '--count', str(COUNT),
                   '--pkt-size', 'imix', '--max-lost', '0', '--window',
                   '64', '--link-wait', '10', '--json', cli_json])
    finally:
        srv.send_signal(signal.SIGINT)
        out, _ = srv.communicate(timeout=30)
        sys.stdout.write(out)
    expect(cli.returncode == 0, 'client exit status %d' % cli.returncode)
    expect(srv.returncode == 0, 'server exit status %d' % srv.returncode)
    v = load(cli_json)['ports'][0]['verify']
    expect(v['good'] == COUNT, 'client good %d != %d' % (v['good'], COUNT))
    p = load(srv_json)['ports'][0]
    expect(p['rx_packets'] >= COUNT and p['tx_packets'] >= COUNT,
           'server forwarded %d/%d' % (p['rx_packets'], p['tx_packets']))


def case_lost(app, tmp):
    """A port that never receives: every frame is lost. Without --max-lost
    that fails (more than the window of 256 + a burst could be in flight);
    --max-lost N fails above N only."""
    out = os.path.join(tmp, 'sum.json')
    args = eal('lost', 'net_null0,no-rx=1') + \
        ['--', '--mode', 'verify', '--count', '1000', '--drain', '0.1',
         '--json', out]
    p = run(app, args)
    expect(p.returncode != 0, 'all 1000 frames lost, no --max-lost: passed')
    expect(load(out)['ports'][0]['verify']['lost'] == 1000, 'lost count')
    expect(load(out)['exit_status'] != 0, 'exit_status in JSON')
    p = run(app, args + ['--max-lost', '1000'])
    expect(p.returncode == 0, '--max-lost 1000 with 1000 lost failed')
    p = run(app, args + ['--max-lost', '999'])
    expect(p.returncode != 0, '--max-lost 999 with 1000 lost passed')
    expect(load(out)['exit_status'] != 0, 'exit_status in JSON')


def case_bad_options(app, tmp):
    """Bad options and setups: a clear error and a non-zero exit."""
    ring = eal('bad', 'net_ring0')
    cases = [
        (ring + ['--', '--mode', 'bogus'], '--mode'),
        (ring + ['--', '--burst', '0'], '--burst'),
        (ring + ['--', '--pkt-size', '59'], '--pkt-size'),
        (ring + ['--', '--pkt-size', '9000-60'], '--pkt-size'),
        (ring + ['--', '--count', '-5'], '--count'),
        (ring + ['--', '--duration', 'soon'], '--duration'),
        (ring + ['--', '--no-such-option'], 'unknown option'),
        (ring + ['--', '--burst'], 'missing argument'),
        (ring + ['--', '--queues', '64'], 'queues'),
        (ring + ['--', '--mode', 'macswap', '--offloads'], '--offloads'),
        (eal('bad', 'net_ring0', lcores='0') + ['--', '--mode', 'io'],
         'lcore'),
        (eal('bad') + ['--', '--mode', 'io'], 'no ports'),
    ]
    for args, needle in cases:
        p = run(app, args, timeout=30)
        expect(p.returncode != 0, '%r exited 0' % args)
        expect(needle in p.stderr and 'error' in p.stderr,
               '%r: no clear error mentioning %r' % (args, needle))


def case_signal(app, tmp):
    """SIGINT stops an unbounded run, which still prints its summary."""
    p = subprocess.Popen([app] + eal('sig', 'net_ring0') +
                         ['--', '--mode', 'txonly', '--stats-period',
                          '0.2'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    time.sleep(2)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=30)
    sys.stdout.write(out)
    expect(p.returncode == 0, 'exit status %d' % p.returncode)
    expect('==== summary' in out, 'no summary')
    expect('Mpps' in out.split('==== summary')[0], 'no live line')


CASES = {
    'ring-verify': case_ring_verify,
    'vhost-io': case_vhost_io,
    'vhost-macswap': lambda app, tmp: case_vhost_io(app, tmp, 'macswap'),
    'lost': case_lost,
    'bad-options': case_bad_options,
    'signal': case_signal,
}

if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        CASES[sys.argv[2]](sys.argv[1], tmp)
    print('ok')
