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
# silent WHAT OUTPUT: one TAP line, passing when the tool said nothing.
silent()
{
	n=$((n + 1))
	if [ -n "$2" ]; then
		failed=$((failed + 1))
		echo "not ok $n - $1"
		echo "$2" | sed 's/^/# /'
	else
		echo "ok $n - $1"
	fi
}
for p in $pages; do
	silent "$p: mandoc -T lint" \
	    "$(mandoc -T lint -W warning "$src/$p" 2>&1)"
	silent "$p: groff -ww" \
	    "$(LC_ALL=C.UTF-8 groff -mandoc -Tutf8 -ww -z "$src/$p" 2>&1)"
done
echo "1..$n"
[ "$failed" -eq 0 ]
