#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# dns_upstream.py: a scriptable upstream for the dnsd lab tests.  Answers
# every A query with one address (--answer), except names starting with
# "rebind." (answered with 10.0.0.1, a private address) and names outside
# example.test (NXDOMAIN).  Each query's name is appended to --log.  With
# --forge it first sends three forged replies carrying 6.6.6.6: one with a
# wrong ID, one with the right ID but another question, and one from a
# different source port; then, after a short pause, the real reply.  A
# query with the DO bit gets an RRSIG over the answer and the AD bit, as
# from a validating resolver.  With --refuse every query is answered
# REFUSED.  --delay MS holds every reply that long (without blocking
# other queries); --first-only answers only the first query for a name
# and ignores its retries; with --silent, names starting with "silent"
# never get an answer.  --cookie answers DNS cookies (RFC 7873) with a
# server cookie; --lower spells the name in lower case in replies, as
# servers that do not keep case do; --attack plays an off-path attacker
# who knows dnsd's source port: before the real reply to a name starting
# with "race" it sends forged replies (no cookie, the name in lower case,
# 6.6.6.6 for a day) for every one of the 65,536 IDs, the right one last.
import argparse
import hashlib
import heapq
import select
import socket
import struct
import sys
import time

POISON = bytes([6, 6, 6, 6])


def qname_of(pkt):
    pos, labels = 12, []
    while pkt[pos] != 0:
        n = pkt[pos]
        labels.append(pkt[pos + 1:pos + 1 + n].decode('ascii', 'replace'))
        pos += 1 + n
    return '.'.join(labels), pos + 1 + 4


def rrsig(ttl):
    signer = b'\x07example\x04test\x00'
    rdata = struct.pack('!HBBIIIH', 1, 13, 3, ttl, 2000000000, 1700000000,
                        4242) + signer + bytes(range(64))
    return struct.pack('!HHHIH', 0xc00c, 46, 1, ttl, len(rdata)) + rdata


def reply(qid, question, addr, ttl, rcode=0, dnssec=False, opt=b''):
    flags = 0x8180 | rcode | (0x0020 if dnssec else 0)
    n = 0 if rcode else (2 if dnssec else 1)
    hdr = struct.pack('!HHHHHH', qid, flags, 1, n, 0, 1 if opt else 0)
    body = question
    if not rcode:
        body += struct.pack('!HHHIH', 0xc00c, 1, 1, ttl, 4) + addr
        if dnssec:
            body += rrsig(ttl)
    return hdr + body + opt


def client_cookie(pkt, qend):
    # The COOKIE option of the query's OPT record, client part, or None.
    if len(pkt) < qend + 11 or pkt[qend] != 0:
        return None
    rdlen = struct.unpack('!H', pkt[qend + 9:qend + 11])[0]
    o = pkt[qend + 11:qend + 11 + rdlen]
    while len(o) >= 4:
        code, ln = struct.unpack('!HH', o[:4])
        if code == 10 and ln >= 8:
            return o[4:12]
        o = o[4 + ln:]
    return None


def opt_cookie(client):
    server = b'\x01\x00\x00\x00' + hashlib.sha256(b'lab' +
                                                  client).digest()[:12]
    data = client + server
    return (b'\x00' + struct.pack('!HHIH', 41, 1232, 0, 4 + len(data)) +
            struct.pack('!HH', 10, len(data)) + data)


def attack(sock, qid, question, peer):
    low = question[:-4].lower() + question[-4:]
    rest = reply(0, low, POISON, 86400)[2:]
    for i in range(65536):
        if i != qid:
            sock.sendto(struct.pack('!H', i) + rest, peer)
    time.sleep(0.05)
    sock.sendto(struct.pack('!H', qid) + rest, peer)
    time.sleep(0.05)


def has_do(pkt, qend):
    # The OPT record: root name, type 41, class, TTL whose low 16 bits
    # hold the DO flag.
    if len(pkt) < qend + 11 or pkt[qend] != 0:
        return False
    rtype, _, ttl = struct.unpack('!HHI', pkt[qend + 1:qend + 9])
    return rtype == 41 and bool(ttl & 0x8000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--addr', required=True)
    ap.add_argument('--port', type=int, default=53)
    ap.add_argument('--answer', required=True)
    ap.add_argument('--ttl', type=int, default=300)
    ap.add_argument('--log', required=True)
    ap.add_argument('--forge', action='store_true')
    ap.add_argument('--refuse', action='store_true')
    ap.add_argument('--delay', type=int, default=0)
    ap.add_argument('--first-only', action='store_true')
    ap.add_argument('--silent', action='store_true')
    ap.add_argument('--cookie', action='store_true')
    ap.add_argument('--lower', action='store_true')
    ap.add_argument('--attack', action='store_true')
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.addr, a.port))
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind((a.addr, 0))
    answer = socket.inet_aton(a.answer)
    print('ready', flush=True)
    held, seen, seq = [], set(), 0

    class Late:
        # A socket stand-in: replies go to the heap, due after --delay.
        def sendto(self, data, peer):
            nonlocal seq
            seq += 1
            heapq.heappush(held, (time.monotonic() + a.delay / 1000.0,
                                  seq, data, peer))
    late = Late() if a.delay else s
    real = s
    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, _, data, peer = heapq.heappop(held)
            real.sendto(data, peer)
        wait = max(0.0, held[0][0] - now) if held else None
        if not select.select([real], [], [], wait)[0]:
            continue
        pkt, peer = real.recvfrom(4096)
        s = late
        if len(pkt) < 17:
            continue
        qid = struct.unpack('!H', pkt[:2])[0]
        name, qend = qname_of(pkt)
        question = pkt[12:qend]
        with open(a.log, 'a') as f:
            f.write(name + '\n')
        lname = name.lower()
        if a.silent and lname.startswith('silent'):
            continue
        if a.first_only:
            if lname in seen:
                continue
            seen.add(lname)
        if a.refuse:
            s.sendto(reply(qid, question, answer, a.ttl, 5), peer)
            continue
        if not (lname == 'example.test' or lname.endswith('.example.test')):
            s.sendto(reply(qid, question, answer, a.ttl, 3), peer)
            continue
        addr = answer
        opt = b''
        if a.cookie and client_cookie(pkt, qend) is not None:
            opt = opt_cookie(client_cookie(pkt, qend))
        if a.lower:
            question = question[:-4].lower() + question[-4:]
        if a.attack and lname.startswith('race'):
            attack(real, qid, question, peer)
        if lname.startswith('rebind.'):
            addr = socket.inet_aton('10.0.0.1')
        if a.forge:
            s.sendto(reply(qid ^ 0x5a5a, question, POISON, 86400), peer)
            wrong = b'\x05other' + question[question[0] + 1:]
            s.sendto(reply(qid, wrong, POISON, 86400), peer)
            other.sendto(reply(qid, question, POISON, 86400), peer)
            time.sleep(0.05)
        s.sendto(reply(qid, question, addr, a.ttl,
                       dnssec=has_do(pkt, qend), opt=opt), peer)


if __name__ == '__main__':
    sys.exit(main())
