#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Receive rate of one benchmark run, from the receiving side's counters.

Waits for traffic, lets it warm up, then reads the counters at both ends
of a fixed window and prints "Mpps Gbit/s" (frame bytes without FCS).
The counters come from a DPDK process's telemetry socket (/ethdev/stats
of a port), or from xensim's status.json (frames its netback took from
the guest's TX rings); the app's own once-a-second lines are not used, as
its reporting thread shares a busy CPU and may wake late.

With --started it only waits until a DPDK process has started the port: a
server side is ready for its client then (net_memif creates its socket
when probed, but turns away, for good, a client that comes before the
port is started).
"""
import argparse
import json
import os
import socket
import sys
import time


class Telemetry:
    def __init__(self, path, port):
        self.port = port
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(5)
        self.sock.connect(path)
        info = json.loads(self.sock.recv(4096))
        self.bufsize = int(info.get("max_output_len", 16384))

    def sample(self):
        """(seconds, packets, bytes) received on the port so far."""
        t0 = time.monotonic()
        self.sock.send(b"/ethdev/stats,%d" % self.port)
        reply = json.loads(self.sock.recv(self.bufsize))
        t1 = time.monotonic()
        stats = reply.get("/ethdev/stats")
        if not isinstance(stats, dict):
            raise RuntimeError("no stats of port %d: %r" % (self.port, reply))
        return (t0 + t1) / 2, int(stats["ipackets"]), int(stats["ibytes"])

    def started(self):
        """Has the process started the port?"""
        self.sock.send(b"/ethdev/info,%d" % self.port)
        info = json.loads(self.sock.recv(self.bufsize)).get("/ethdev/info")
        return isinstance(info, dict) and info.get("dev_started") == 1


class XensimStatus:
    def __init__(self, run_dir):
        self.path = os.path.join(run_dir, "status.json")

    def sample(self):
        """(seconds, packets, bytes) the netback consumed from the guest.

        The file is replaced by rename, so one open file gives counters
        and the time they were written together.
        """
        with open(self.path) as f:
            when = os.fstat(f.fileno()).st_mtime
            status = json.load(f)
        pkts = octets = 0
        for vif in status["vifs"]:
            for q in vif["queues"]:
                pkts += q["tx_pkts"]
                octets += q["tx_bytes"]
        return when, pkts, octets


def connect(args):
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            if args.telemetry:
                return Telemetry(args.telemetry, args.port)
            src = XensimStatus(args.xensim)
            src.sample()
            return src
        except (OSError, ValueError, KeyError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--telemetry", metavar="SOCKET",
                     help="DPDK telemetry socket (dpdk_telemetry.v2)")
    src.add_argument("--xensim", metavar="RUN_DIR",
                     help="xensim run directory")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--window", type=float, default=5)
    ap.add_argument("--timeout", type=float, default=20,
                    help="seconds to wait for the source and for traffic")
    ap.add_argument("--started", action="store_true",
                    help="only wait until the port is started (telemetry)")
    args = ap.parse_args()
    if args.window <= 0 or args.warmup < 0:
        ap.error("--window must be > 0 and --warmup >= 0")
    if args.started and not args.telemetry:
        ap.error("--started needs --telemetry")

    try:
        src = connect(args)
        if args.started:
            deadline = time.monotonic() + args.timeout
            while not src.started():
                if time.monotonic() > deadline:
                    sys.exit("rx_rate: port %d not started within %g s"
                             % (args.port, args.timeout))
                time.sleep(0.05)
            return
        deadline = time.monotonic() + args.timeout
        while src.sample()[1] == 0:
            if time.monotonic() > deadline:
                sys.exit("rx_rate: no traffic within %g s" % args.timeout)
            time.sleep(0.05)
        time.sleep(args.warmup)
        t0, p0, b0 = src.sample()
        time.sleep(args.window)
        t1, p1, b1 = src.sample()
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        sys.exit("rx_rate: %s" % e)
    if t1 <= t0 or p1 <= p0:
        sys.exit("rx_rate: no traffic in the window")
    print("%.3f %.3f" % ((p1 - p0) / (t1 - t0) / 1e6,
                         (b1 - b0) * 8 / (t1 - t0) / 1e9))


if __name__ == "__main__":
    main()
