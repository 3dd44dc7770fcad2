#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# ctl-setup-tty.py CTL CONF EXPECT_WAN EXPECT_LAN TAKEN_PREFIX FREE_PREFIX:
# drive "homegwctl setup --no-start" through a pseudo-terminal as a person
# would: take the proposed WAN and LAN, answer a LAN prefix that is in use
# (and must be refused and asked again), then a free one, an upstream,
# and a password typed twice without echo (first two that differ, then
# two that match).  Prints TAP lines without a plan (ctl-setup.test numbers
# them); exits 0 when every check passed.
import io
import sys

import pexpect

ctl, conf, want_wan, want_lan, taken, free = sys.argv[1:7]
PASSWORD = "tty secret 42"
results = []


def check(ok, what):
    results.append((bool(ok), what))


log = io.StringIO()
child = pexpect.spawn(ctl, ["-c", conf, "setup", "--no-start"],
                      encoding="utf-8", timeout=20, dimensions=(40, 200))
child.logfile_read = log
try:
    child.expect(r"WAN interface \[([^\]]*)\]: ")
    check(child.match.group(1) == want_wan,
          "tty: the WAN proposed is %s (got %s)" % (want_wan,
                                                    child.match.group(1)))
    child.sendline("")
    child.expect(r"LAN interface \[([^\]]*)\]: ")
    check(child.match.group(1) == want_lan,
          "tty: the LAN proposed is %s (got %s)" % (want_lan,
                                                    child.match.group(1)))
    child.sendline("")
    child.expect(r"LAN address and prefix length \[([^\]]*)\]: ")
    proposed = child.match.group(1)
    check(proposed not in ("", taken), "tty: a LAN prefix is proposed (%s)"
          % proposed)
    child.sendline(taken)
    i = child.expect([r"overlaps [^\n]*\n", r"Upstream"])
    check(i == 0, "tty: a prefix in use on the WAN side is refused")
    child.expect(r"LAN address and prefix length \[[^\]]*\]: ")
    check(True, "tty: and the question is asked again")
    child.sendline(free)
    child.expect(r"Upstream DNS servers \[[^\]]*\]: ")
    child.sendline("203.0.113.1")
    child.expect("New password: ")
    child.sendline("first try")
    child.expect("Again: ")
    child.sendline("second try")
    child.expect("differ")
    check(True, "tty: two different passwords are refused")
    child.expect("New password: ")
    child.sendline(PASSWORD)
    child.expect("Again: ")
    child.sendline(PASSWORD)
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    text = log.getvalue()
    check(child.exitstatus == 0, "tty: setup exits 0 (status %s)"
          % child.exitstatus)
    check("Configuration written" in text, "tty: the configuration is "
          "written")
    check(PASSWORD not in text and "first try" not in text,
          "tty: the passwords were not echoed")
except (pexpect.TIMEOUT, pexpect.EOF) as e:
    check(False, "tty: the dialogue went as expected (%s)"
          % type(e).__name__)
    text = log.getvalue()

for ok, what in results:
    print("%sok - %s" % ("" if ok else "not ", what))
if not all(ok for ok, _ in results):
    sys.stdout.write("".join("# " + line + "\n"
                             for line in text.splitlines()))
    sys.exit(1)
