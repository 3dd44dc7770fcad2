#!/bin/sh
# SPDX-License-Identifier: ISC
#
# generator.sh: homegw-generator writes a drop-in for every daemon that
# makes a non-default run_dir or state_dir writable under the sandbox,
# writes nothing for the defaults, for a missing or invalid config, or
# for a path a unit file would misread, and always exits 0 (a generator
# must never fail the boot).  Prints TAP.
set -u

build=${top_builddir:-.}
gen=$build/tools/homegw-generator
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/tap.sh"

if [ ! -x "$gen" ]; then
	echo "1..0 # SKIP $gen not built"
	exit 0
fi

lan='[lan]
interface = eth0
address = 192.168.1.1/24'

# run NAME CONFIG-TEXT: the generator on that config into $tmp/NAME.
run()
{
	mkdir -p "$tmp/$1"
	printf '%s\n' "$2" >"$tmp/$1.conf"
	HGW_GENERATOR_CONF=$tmp/$1.conf "$gen" "$tmp/$1" "$tmp/early" \
	    "$tmp/late" 2>"$tmp/$1.err"
}

run moved "[gateway]
state_dir = /srv/homegw
run_dir = /run/hgw
$lan"
result $? "exits 0"
c=0
for d in addrd arpd natd dnsd webd; do
	f=$tmp/moved/homegw-$d.service.d/50-homegw-dirs.conf
	grep -qx 'ReadWritePaths=-/srv/homegw' "$f" &&
	    grep -qx 'ReadWritePaths=-/run/hgw' "$f" &&
	    grep -qx 'ExecStartPre=+/usr/bin/install -d -o homegw -g homegw -m 0770 /srv/homegw' "$f" &&
	    grep -qx '\[Service\]' "$f" && c=$((c + 1))
done
result $([ $c -eq 5 ]; echo $?) "a drop-in for each of the five daemons opens both directories"
f=$tmp/moved/homegw-blocklist-update.service.d/50-homegw-dirs.conf
result $(grep -qx 'ReadWritePaths=-/srv/homegw' "$f"; echo $?) \
    "and one for the blocklist download, which writes in state_dir"

run defaults "$lan"
result $([ $? -eq 0 ] && [ -z "$(ls "$tmp/defaults")" ]; echo $?) \
    "the default directories need no drop-in"
run explicit "[gateway]
state_dir = /var/lib/homegw
run_dir = /run/homegw
$lan"
result $([ -z "$(ls "$tmp/explicit")" ]; echo $?) \
    "nor do the defaults written out"

mkdir -p "$tmp/none"
HGW_GENERATOR_CONF=$tmp/absent.conf "$gen" "$tmp/none" 2>"$tmp/none.err"
result $([ $? -eq 0 ] && [ -z "$(ls "$tmp/none")" ] && [ ! -s "$tmp/none.err" ]; echo $?) \
    "no config yet: nothing written, nothing said, exit 0"

run broken "[gateway]
state_dir = /srv/homegw
bogus = 1"
result $([ $? -eq 0 ] && [ -z "$(ls "$tmp/broken")" ]; echo $?) \
    "an invalid config: nothing written, exit 0"
result $(grep -q 'does not load' "$tmp/broken.err"; echo $?) "and it says so"

run quoted "[gateway]
state_dir = \"/srv/home gw\"
$lan"
result $([ $? -eq 0 ] && [ -z "$(ls "$tmp/quoted")" ]; echo $?) \
    "a path with a space is not written into a unit"

"$gen" >/dev/null 2>&1
result $? "no arguments: a usage line, still exit 0"

tap_end
