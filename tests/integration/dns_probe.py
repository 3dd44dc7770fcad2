#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# dns_probe.py: send one hand-made (often malformed) query to a server and
# print what came back as "rcode=N qd=N an=N ns=N ar=N ext=N ver=N
# cookie=HEX", or "silence".  The kinds of query are those dig cannot
# make: see KINDS.
import socket
import struct
import sys

Q = b'\x03www\x07example\x04test\x00\x00\x01\x00\x01'
COOKIE = b'\x00\x0a\x00\x08' + b'clientck'


def hdr(qd, ar, flags=0x0100, an=0):
    return struct.pack('!HHHHHH', 0x4242, flags, qd, an, 0, ar)


def opt(rdata, ttl=0):
    return b'\x00' + struct.pack('!HHIH', 41, 1232, ttl, len(rdata)) + rdata


KINDS = {
    'qd0': hdr(0, 0),
    'qd2': hdr(2, 0) + Q + Q,
    'cookie-only': hdr(0, 1) + opt(COOKIE),
    'cookie-bad-len': hdr(0, 1) + opt(b'\x00\x0a\x00\x05abcde'),
    'opt-overrun': hdr(1, 1) + Q + opt(b'\x00\x0a\x00\x08abcd'),
    'opt-short': hdr(1, 1) + Q + opt(b'\x00\x0a\x00'),
    'short-question': hdr(1, 0) + Q[:-2],
    'with-answer': hdr(1, 0, an=1) + Q,
    'response': hdr(1, 0, flags=0x8180) + Q,
    'tiny': b'\x42\x42\x01\x00\x00\x01\x00',
    'edns1': hdr(1, 1) + Q + opt(b'', ttl=1 << 16),
}


def main():
    kind, server = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(KINDS[kind], (server, 53))
    try:
        r = s.recv(65535)
    except socket.timeout:
        print('silence')
        return 0
    _, flags, qd, an, ns, ar = struct.unpack('!HHHHHH', r[:12])
    ext = ver = -1
    cookie = ''
    # Only the shapes answered here: find the OPT as the last record.
    i = r.rfind(b'\x00\x00\x29')
    if ar and i >= 12:
        ext, ver = r[i + 5], r[i + 6]
        rdlen = struct.unpack('!H', r[i + 9:i + 11])[0]
        o = r[i + 11:i + 11 + rdlen]
        while len(o) >= 4:
            code, ln = struct.unpack('!HH', o[:4])
            if code == 10:
                cookie = o[4:4 + ln].hex()
            o = o[4 + ln:]
    print('rcode=%d qd=%d an=%d ns=%d ar=%d ext=%d ver=%d cookie=%s' %
          (flags & 15, qd, an, ns, ar, ext, ver, cookie))
    return 0


if __name__ == '__main__':
    sys.exit(main())
