#!/bin/sh
# SPDX-License-Identifier: ISC
#
# exit_config.sh: a daemon that cannot start because of its configuration
# exits 78 (EX_CONFIG), which the systemd units exempt from restarts
# (RestartPreventExitStatus=78), after one line that names the fix: an
# invalid file, an unreadable one, and homegw-webd without a password.
# Prints TAP.
set -u

build=${top_builddir:-.}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/tap.sh"

printf '[lan]\ninterface = eth0\naddress = 192.168.1.1/24\n[dns]\ncache_size = lots\n' \
    >"$tmp/bad.conf"
for d in addrd arpd natd dnsd webd; do
	bin=$build/daemons/$d/homegw-$d
	if [ ! -x "$bin" ]; then
		result 0 "homegw-$d # SKIP not built"
		continue
	fi
	HGW_LOG_STDERR=1 "$bin" -f -c "$tmp/bad.conf" >/dev/null 2>"$tmp/err"
	rc=$?
	result $([ $rc -eq 78 ]; echo $?) "homegw-$d: an invalid file exits 78 (got $rc)"
	grep -q "bad.conf:5: .*cache_size" "$tmp/err" &&
	    grep -q 'is invalid: fix the lines above, check with "homegwctl check-config", then restart' "$tmp/err"
	result $? "homegw-$d: names file:line, then the fix"
done

bin=$build/daemons/dnsd/homegw-dnsd
HGW_LOG_STDERR=1 "$bin" -f -c "$tmp/missing.conf" >/dev/null 2>"$tmp/err"
rc=$?
result $([ $rc -eq 78 ]; echo $?) "a missing file exits 78 (got $rc)"
grep -q "cannot read $tmp/missing.conf: No such file or directory" "$tmp/err"
result $? "and says which file and why"

bin=$build/daemons/webd/homegw-webd
printf '[lan]\ninterface = eth0\naddress = 192.168.1.1/24\n' >"$tmp/nopw.conf"
HGW_LOG_STDERR=1 "$bin" -f -c "$tmp/nopw.conf" >/dev/null 2>"$tmp/err"
rc=$?
result $([ $rc -eq 78 ]; echo $?) "homegw-webd without a password exits 78 (got $rc)"
grep -q 'set one with: homegwctl passwd' "$tmp/err"
result $? "with the line naming homegwctl passwd"
result $([ "$(grep -c . "$tmp/err")" -eq 1 ]; echo $?) "in one line"

tap_end
