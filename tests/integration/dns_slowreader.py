#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# dns_slowreader.py SERVER NAME LIVE_DB N: one TCP client that pipelines
# N queries for NAME without reading the answers, then reads them all.
# While it does not read, dnsd must stop taking its queries once a bounded
# amount of answers waits for it; once it reads, every answer must come.
# Prints "processed-while-stalled P answers A"; P is read from dnsd's
# queries_tcp counter in LIVE_DB (written about once a second).
import select
import socket
import sqlite3
import struct
import sys
import time

server, name, live, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def tcp_metric():
    try:
        db = sqlite3.connect("file:%s?mode=ro" % live, uri=True, timeout=2)
        r = db.execute("SELECT CAST(value AS INTEGER) FROM metrics WHERE "
                       "daemon = 'dnsd' AND name = 'queries_tcp'").fetchone()
        db.close()
        return r[0] if r else 0
    except sqlite3.Error:
        return None


def query(i):
    q = struct.pack(">HHHHHH", i & 0xffff, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    return struct.pack(">H", len(q)) + q


def stable_metric():
    # The counter is flushed about once a second: wait until two readings
    # more than a flush apart agree.
    last, deadline = None, time.time() + 10
    while time.time() < deadline:
        v = tcp_metric()
        if v is not None and v == last:
            return v
        last = v
        time.sleep(1.2)
    return last if last is not None else 0


before = stable_metric()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
s.connect((server, 53))
s.setblocking(False)
data = b"".join(query(i) for i in range(n))
off = 0
# Phase 1: send without reading until everything is out or the server
# stops taking queries for a second.
idle_since = time.time()
while off < len(data) and time.time() - idle_since < 1.0:
    _, w, _ = select.select([], [s], [], 0.2)
    if w:
        try:
            k = s.send(data[off:off + 65536])
        except BlockingIOError:
            k = 0
        if k > 0:
            off += k
            idle_since = time.time()
stalled = stable_metric() - before
# Phase 2: read everything (and send the rest) within a bound.
got, buf, deadline = 0, b"", time.time() + 60
while got < n and time.time() < deadline:
    want_w = [s] if off < len(data) else []
    r, w, _ = select.select([s], want_w, [], 1.0)
    if w:
        try:
            off += s.send(data[off:off + 65536])
        except BlockingIOError:
            pass
    if r:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 2:
            ln = struct.unpack(">H", buf[:2])[0]
            if len(buf) < 2 + ln:
                break
            buf = buf[2 + ln:]
            got += 1
s.close()
print("processed-while-stalled %d answers %d" % (stalled, got))
