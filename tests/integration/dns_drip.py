#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# dns_drip.py SERVER COUNT SECONDS [SOURCE...]: open COUNT TCP
# connections (spread over the SOURCE addresses, if given) to
# SERVER:53 and keep each in the middle of a query for SECONDS, sending
# one more byte of an unfinished frame every second (each connection's
# frame is longer than what it sends).  Prints "ready" once all are open
# or refused, then at the end "open N closed M" and how many connections
# the server closed before the end.
import select
import socket
import sys
import time


def main():
    server, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sources = sys.argv[4:]
    conns = []
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            if sources:
                s.bind((sources[i % len(sources)], 0))
            s.connect((server, 53))
            s.send(b'\x01')     # a frame of 256+ bytes, never finished
            s.setblocking(False)
            conns.append(s)
        except OSError:
            s.close()
    print('ready %d' % len(conns), flush=True)
    closed = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in conns:
            if s in closed:
                continue
            try:
                s.send(b'\x00')
            except OSError:
                closed.add(s)
        r, _, _ = select.select([s for s in conns if s not in closed], [],
                                [], 1.0)
        for s in r:
            try:
                if s.recv(64) == b'':
                    closed.add(s)
            except OSError:
                closed.add(s)
    print('open %d closed %d' % (len(conns) - len(closed), len(closed)),
          flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
