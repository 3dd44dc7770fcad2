#!/bin/sh
# SPDX-License-Identifier: ISC
#
# man_lint.sh: every manual page the build installs reads cleanly:
# mandoc's linter finds nothing at warning level or worse (a macro name
# taken for a word, an empty macro, sections or cross-references out of
# the conventional order), and groff renders it without a warning, as man(1)
# on a user's machine does.  Prints TAP.
set -u

src=${top_srcdir:-$(dirname "$0")/../..}
pages="etc/homegw.conf.5 tools/homegwctl.8 daemons/addrd/homegw-addrd.8
    daemons/arpd/homegw-arpd.8 daemons/dnsd/homegw-dnsd.8
    daemons/natd/homegw-natd.8 daemons/webd/homegw-webd.8"

if ! command -v mandoc >/dev/null 2>&1 || ! command -v groff >/dev/null 2>&1
then
	echo "1..0 # SKIP needs mandoc and groff (scripts/install-deps)"
	exit 0
fi

n=0
failed=0
for p in $pages; do
	n=$((n + 1))
	out=$(mandoc -T lint -W warning "$src/$p" 2>&1)
	if [ -n "$out" ]; then
		failed=$((failed + 1))
		echo "not ok $n - $p: mandoc -T lint"
		echo "$out" | sed 's/^/# /'
	else
		echo "ok $n - $p: mandoc -T lint"
	fi
	n=$((n + 1))
	out=$(LC_ALL=C.UTF-8 groff -mandoc -Tutf8 -ww -z "$src/$p" 2>&1)
	if [ -n "$out" ]; then
		failed=$((failed + 1))
		echo "not ok $n - $p: groff -ww"
		echo "$out" | sed 's/^/# /'
	else
		echo "ok $n - $p: groff -ww"
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
