#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# dns_diff.py A B: the differential test of homegw-dnsd.  Sends the same
# queries (about 300: names of a plain, an NSEC-signed and an NSEC3
# opt-out zone, each in several types, without EDNS, with EDNS, DO, DO+CD
# and CD over UDP, without EDNS and with DO over TCP; then odd queries: EDNS version 1, other classes and opcodes,
# malformed headers and OPT records, RFC 6761 names, a 255-octet name,
# ANY, AXFR over UDP) to server A (dnsd) and server B (unbound as a pure
# forwarder to the same authority), cold and then again warm, and compares
# rcode, flags, the question, every section and the OPT record.  A
# difference passes only when it is one of ALLOWED below, each with the
# RFC that allows it.  Prints one line per unexplained difference and a
# summary; exits 1 if there was any.
import random
import socket
import struct
import sys

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset

VERBOSE = len(sys.argv) > 3 and sys.argv[3] == '-v'
# Differences that are allowed, and why.
ALLOWED = {
    'minimal': 'RFC 2181 9 and RFC 1034 4.3.2: a positive answer may leave '
               'out the NS records and glue of the zone (minimal responses)',
    'any': 'RFC 8482 4.2: ANY may be answered with one synthesized HINFO',
    'xfr-udp': 'RFC 5936 4.2: zone transfer is not offered over UDP; '
               'REFUSED and NOTIMP are both answers',
    'formerr-body': 'RFC 1035 4.1.1 and RFC 6891 7: what a FORMERR echoes '
                    'is not specified; the header alone is safest',
    'opt-overrun': 'RFC 6891 6.1.2 and 7: an OPT whose options overrun '
                   'RDLENGTH is malformed: FORMERR (unbound ignores the '
                   'OPT and answers)',
    'cookie-only': 'RFC 7873 5.4: a COOKIE-only query without a question '
                   'gets the server cookie (unbound 1.17 has server '
                   'cookies off and answers FORMERR)',
    'tc-body': 'RFC 2181 9: a truncated answer may carry what fits or '
               'nothing',
    'edns-size': 'RFC 6891 6.2.5: the advertised UDP size is each '
                 'server\'s own choice',
    'opt-cookie': 'RFC 7873 5.2: a server without cookies for clients '
                  'sends no COOKIE back',
    'notimp-ra': 'RFC 1035 4.1.1: RA says whether the server recurses, '
                 'whatever the opcode of the query it answers NOTIMP',
}

ZONES = ['example.test', 'sec.test', 'n3.test']
NAMES = {
    'example.test': [('www', 'A AAAA MX'), ('mail', 'A AAAA'),
                     ('alias', 'A AAAA'), ('chain', 'A'), ('txt', 'TXT'),
                     ('short', 'A'), ('nope', 'A TXT'), ('', 'SOA NS MX'),
                     ('longtxt', 'TXT'), ('ns1', 'A')],
    'sec.test': [('www', 'A AAAA MX'), ('alias', 'A'), ('foo.wild', 'A TXT'),
                 ('wcname', 'A'), ('nope', 'A'), ('leaf.ent', 'A'),
                 ('ent', 'A'), ('', 'SOA MX DNSKEY')],
    'n3.test': [('www', 'A MX'), ('alias', 'A'), ('foo.wild', 'A'),
                ('nope', 'A'), ('ent', 'A'), ('', 'SOA'),
                ('x.insecure', 'A')],
}
VARIANTS = ['plain', 'edns', 'do', 'docd', 'cd']


def make(name, rtype, variant, rdclass='IN'):
    use_edns = variant != 'plain'
    m = dns.message.make_query(name, rtype, rdclass, use_edns=use_edns,
                               want_dnssec=variant in ('do', 'docd'),
                               payload=1232)
    if variant in ('docd', 'cd'):
        m.flags |= dns.flags.CD
    return m.to_wire()


def raw(qd, ar, body, flags=0x0100, qid=0x4242):
    return struct.pack('!HHHHHH', qid, flags, qd, 0, 0, ar) + body


Q = b'\x03www\x07example\x04test\x00\x00\x01\x00\x01'


def opt(rdata, ttl=0):
    return b'\x00' + struct.pack('!HHIH', 41, 1232, ttl, len(rdata)) + rdata


def cases():
    out = []
    for zone in ZONES:
        for label, types in NAMES[zone]:
            name = label + '.' + zone + '.' if label else zone + '.'
            for t in types.split():
                for v in VARIANTS:
                    out.append(('%s %s %s' % (name, t, v), make(name, t, v),
                                None))
                # Over TCP too (RFC 7766), where nothing is truncated.
                for v in ('plain', 'do'):
                    out.append(('%s %s %s tcp' % (name, t, v),
                                make(name, t, v), 'tcp'))
    out += [
        ('wWw.ExAmPlE.tEsT A', make('wWw.ExAmPlE.tEsT.', 'A', 'edns'), None),
        ('edns version 1', make('www.example.test.', 'A', 'edns')[:-6] +
         struct.pack('!IH', 1 << 16, 0), None),
        ('class CH', make('www.example.test.', 'A', 'edns', 'CH'), None),
        ('class NONE', make('www.example.test.', 'A', 'edns', 'NONE'), None),
        ('class 42', make('www.example.test.', 'A', 'edns', 42), None),
        ('opcode STATUS', raw(1, 0, Q, flags=0x1100), 'notimp-ra'),
        ('opcode 3', raw(1, 0, Q, flags=0x1900), 'notimp-ra'),
        ('qdcount 0', raw(0, 0, b''), 'formerr-body'),
        ('qdcount 2', raw(2, 0, Q + Q), 'formerr-body'),
        ('cut question', raw(1, 0, Q[:-2]), 'formerr-body'),
        ('opt overrun', raw(1, 1, Q + opt(b'\x00\x0a\x00\x08abcd')),
         'opt-overrun'),
        ('cookie only', raw(0, 1, opt(b'\x00\x0a\x00\x08clientck')),
         'cookie-only'),
        ('localhost A', make('localhost.', 'A', 'edns'), None),
        ('localhost AAAA', make('localhost.', 'AAAA', 'edns'), None),
        ('a.b.localhost A', make('a.b.localhost.', 'A', 'edns'), None),
        ('x.invalid A', make('x.invalid.', 'A', 'edns'), None),
        ('255 octets', make('.'.join(['a' * 63] * 3 + ['b' * 48]) +
                            '.example.test.', 'A', 'edns'), None),
        ('ANY', make('www.example.test.', 'ANY', 'edns'), 'any'),
        ('AXFR over UDP', make('example.test.', 'AXFR', 'edns'), 'xfr-udp'),
        ('IXFR over UDP', make('example.test.', 'IXFR', 'edns'), 'xfr-udp'),
        ('type 65', make('www.example.test.', 'TYPE65', 'edns'), None),
        ('type 4242', make('www.example.test.', 'TYPE4242', 'do'), None),
    ]
    return out


def ask_tcp(host, port, wire):
    s = socket.create_connection((host, int(port)), timeout=3)
    try:
        s.sendall(struct.pack('!H', len(wire)) + wire)
        buf = b''
        while len(buf) < 2 or len(buf) < 2 + struct.unpack('!H',
                                                           buf[:2])[0]:
            chunk = s.recv(65535)
            if not chunk:
                return None
            buf += chunk
        return buf[2:]
    except OSError:
        return None
    finally:
        s.close()


def ask(server, wire, tcp=False):
    host, port = server.rsplit(':', 1)
    qid = random.randrange(65536)
    wire = struct.pack('!H', qid) + wire[2:]
    if tcp:
        return ask_tcp(host, port, wire)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    try:
        s.sendto(wire, (host, int(port)))
        while True:
            r = s.recv(65535)
            if r[:2] == wire[:2]:
                return r
    except socket.timeout:
        return None
    finally:
        s.close()


def rrsets(section):
    out = set()
    for rrset in section:
        for rd in rrset:
            out.add((rrset.name.to_text().lower(), rrset.rdclass,
                     rrset.rdtype, rd.to_text().lower()))
    return out


def describe(r):
    if r is None:
        return None
    d = {'len': len(r)}
    try:
        m = dns.message.from_wire(r, ignore_trailing=True)
    except Exception as e:      # header-only or odd answers
        flags, qd, an, ns, ar = struct.unpack('!HHHHH', r[2:12])
        d.update(rcode=flags & 15, flags=flags & 0x87f0, qd=qd,
                 raw=(an, ns, ar), parse=str(e))
        return d
    d['rcode'] = m.rcode()
    d['flags'] = m.flags & 0x87f0
    d['question'] = set((q.name.to_text().lower(), q.rdclass, q.rdtype)
                        for q in m.question)
    d['answer'] = rrsets(m.answer)
    d['authority'] = rrsets(m.authority)
    d['additional'] = rrsets(m.additional)
    d['edns'] = (m.edns, m.ednsflags & 0x8000) if m.edns >= 0 else None
    d['options'] = sorted(o.otype for o in m.options)
    return d


def explain(key, a, b):
    """Which allowed difference covers key, or None."""
    if a.get('flags', 0) & 0x0200 and b.get('flags', 0) & 0x0200 and \
       key in ('answer', 'authority', 'additional', 'len'):
        return 'tc-body'
    if key == 'options':
        return 'opt-cookie'
    if key in ('authority', 'additional') and a.get('answer') and \
       a.get('rcode') == 0:
        extra = (a[key] ^ b[key])
        if all(t in (dns.rdatatype.NS, dns.rdatatype.A, dns.rdatatype.AAAA,
                     dns.rdatatype.RRSIG) and
               (t != dns.rdatatype.RRSIG or 'NS' in rd.upper().split()[:1])
               for _, _, t, rd in extra):
            return 'minimal'
    if key == 'len':
        return 'minimal'
    return None


def main():
    a_srv, b_srv = sys.argv[1], sys.argv[2]
    all_cases = cases()
    bad = 0
    allowed = {}
    total = 0
    for rnd in ('cold', 'warm'):
        for label, wire, rule in all_cases:
            total += 1
            tcp = rule == 'tcp'
            if tcp:
                rule = None
            ra = describe(ask(a_srv, wire, tcp))
            rb = describe(ask(b_srv, wire, tcp))
            if ra is None and rb is None:
                continue
            if ra is None or rb is None:
                if rule is not None:
                    allowed[rule] = allowed.get(rule, 0) + 1
                    continue
                print('DIFF %s %s: %s answered, %s did not' %
                      (rnd, label, 'dnsd' if ra else 'unbound',
                       'unbound' if ra else 'dnsd'))
                bad += 1
                continue
            keys = sorted(set(ra) | set(rb))
            for k in keys:
                if ra.get(k) == rb.get(k):
                    continue
                why = rule if rule is not None and k != 'rcode' or \
                    rule in ('cookie-only', 'xfr-udp', 'any',
                             'opt-overrun') else None
                if why is None and k == 'edns' and ra.get(k) and rb.get(k):
                    why = 'edns-size'
                if why is None:
                    why = explain(k, ra, rb)
                if why is not None:
                    allowed[why] = allowed.get(why, 0) + 1
                    if VERBOSE:
                        print('allowed %s %s %s: %s: dnsd %r, unbound %r' %
                              (why, rnd, label, k, ra.get(k), rb.get(k)))
                    continue
                print('DIFF %s %s: %s: dnsd %r, unbound %r' %
                      (rnd, label, k, ra.get(k), rb.get(k)))
                bad += 1
    for rule, n in sorted(allowed.items()):
        print('allowed %-12s %4d  (%s)' % (rule, n, ALLOWED[rule]))
    print('queries %d, unexplained differences %d' % (total, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
