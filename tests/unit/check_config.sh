#!/bin/sh
# SPDX-License-Identifier: ISC
#
# check_config.sh: "homegwctl check-config" accepts the shipped example and
# the golden configs, prints a canonical config that reads back with -v,
# and on a broken file exits 1 listing every error.  Prints TAP.
set -u

src=${top_srcdir:-$(dirname "$0")/../..}
build=${top_builddir:-.}
ctl=$build/tools/homegwctl
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/tap.sh"

if [ ! -x "$ctl" ]; then
	echo "1..0 # SKIP $ctl not built"
	exit 0
fi

out=$("$ctl" check-config "$src/etc/homegw.conf" 2>"$tmp/warn")
result $? "the shipped etc/homegw.conf is OK"
result $([ "$out" = "configuration OK" ]; echo $?) "it prints \"configuration OK\""
grep -q 'no \[web\] password_hash.*set one with: homegwctl passwd$' "$tmp/warn"
result $? "without a password it warns that webd will not start"
printf '[lan]\ninterface = eth0\naddress = 192.168.1.1/24\n[web]\nopen_access = yes\n' \
    >"$tmp/open.conf"
"$ctl" check-config "$tmp/open.conf" >/dev/null 2>"$tmp/warn"
result $([ $? -eq 0 ] && [ ! -s "$tmp/warn" ]; echo $?) \
    "with open_access = yes it does not warn"

out=$("$ctl" -c "$src/etc/homegw.conf" check-config 2>&1)
result $? "the -c path is the default file"

for f in "$src"/tests/unit/conf/*.in; do
	"$ctl" check-config -v "$f" >"$tmp/1.conf" 2>"$tmp/err"
	result $? "check-config -v $(basename "$f")"
	"$ctl" check-config --print "$tmp/1.conf" >"$tmp/2.conf" 2>/dev/null
	cmp -s "$tmp/1.conf" "$tmp/2.conf"
	result $? "the printed $(basename "$f") reads back to the same text"
	grep -qx "configuration OK" "$tmp/err"
	result $? "with -v, \"configuration OK\" goes to stderr"
done

cat >"$tmp/bad.conf" <<'CONF'
[lan]
interface = eth0
address = 192.168.1.1/24
[dns]
cache_size = many
[host nas]
mac = 02:00:00:00:00:01
address = 10.0.0.5
[shop]
CONF
"$ctl" check-config "$tmp/bad.conf" >"$tmp/out" 2>"$tmp/err"
result $([ $? -eq 1 ]; echo $?) "a broken file exits 1"
result $([ "$(wc -l <"$tmp/err")" -eq 3 ]; echo $?) "all three errors are printed"
grep -q "^$tmp/bad.conf:5: expected a number from 0 to 1000000 after \"cache_size\", got \"many\"$" "$tmp/err"
result $? "an error names file:line, what was expected and what was found"
result $([ ! -s "$tmp/out" ]; echo $?) "nothing on stdout"

"$ctl" check-config "$tmp/missing.conf" 2>"$tmp/err"
result $([ $? -eq 1 ]; echo $?) "a missing file exits 1"
grep -q "No such file" "$tmp/err"
result $? "and says why"

"$ctl" check-config -x >/dev/null 2>&1
result $([ $? -eq 2 ]; echo $?) "a bad option is a usage error"

tap_end
