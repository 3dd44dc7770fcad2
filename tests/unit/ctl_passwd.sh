#!/bin/sh
# SPDX-License-Identifier: ISC
#
# ctl_passwd.sh: "homegwctl passwd" writes a yescrypt hash of the password
# read from standard input into [web] password_hash, keeps every other
# line (comments included), keeps the file's mode, replaces an existing
# hash, adds a [web] section when there is none, and leaves an invalid
# file alone.  Prints TAP.
set -u

src=${top_srcdir:-$(dirname "$0")/../..}
build=${top_builddir:-.}
ctl=$build/tools/homegwctl
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/tap.sh"
check()
{
	d=$1
	shift
	if "$@"; then result 0 "$d"; else result 1 "$d"; fi
}

if [ ! -x "$ctl" ]; then
	echo "1..0 # SKIP $ctl not built"
	exit 0
fi

# verify HASH PASSWORD: crypt(3) of the password with the hash as setting.
verify()
{
	python3 -c 'import crypt, sys
sys.exit(0 if crypt.crypt(sys.argv[2], sys.argv[1]) == sys.argv[1] else 1)' \
	    "$1" "$2" 2>/dev/null
}
hash_of() { sed -n 's/^password_hash = //p' "$1"; }

conf=$tmp/homegw.conf
cp "$src/etc/homegw.conf" "$conf"
chmod 640 "$conf"
check "passwd from standard input" sh -c \
    "echo 'pass word 1' | '$ctl' -c '$conf' passwd >/dev/null"
h=$(hash_of "$conf")
check "a yescrypt hash is written" sh -c "echo '$h' | grep -q '^\$y\\$'"
check "the hash matches the password" verify "$h" "pass word 1"
check "only that line was added" sh -c \
    "diff '$src/etc/homegw.conf' '$conf' | grep -c '^[<>]' | grep -qx 1"
check "comments kept" grep -q '^#password_hash =' "$conf"
check "mode kept" sh -c "[ \"\$(stat -c %a '$conf')\" = 640 ]"
check "check-config accepts the result" "$ctl" check-config "$conf"
check "no temporary file left" sh -c "[ \$(ls '$tmp' | wc -l) -eq 1 ]"

check "a second passwd replaces the hash" sh -c \
    "printf 'other\n' | '$ctl' -c '$conf' passwd >/dev/null"
h2=$(hash_of "$conf")
check "exactly one password_hash line" sh -c \
    "[ \$(grep -c '^password_hash' '$conf') -eq 1 ]"
check "the new hash matches the new password" verify "$h2" other
check "and not the old one" sh -c "! python3 -c 'import crypt,sys; sys.exit(crypt.crypt(\"pass word 1\", \"$h2\") != \"$h2\")' 2>/dev/null"

printf '[gateway]\nname = gw\n\n[lan]\ninterface = eth0\naddress = 192.168.1.1/24\n' > "$tmp/min.conf"
check "a config without [web] gets one" sh -c \
    "echo pw | '$ctl' -c '$tmp/min.conf' passwd >/dev/null"
check "with the hash" sh -c "grep -A1 '^\[web\]' '$tmp/min.conf' | grep -q '^password_hash = '"
check "and still parses" "$ctl" check-config "$tmp/min.conf"

printf '[lan]\naddress = not-an-address\n' > "$tmp/bad.conf"
cp "$tmp/bad.conf" "$tmp/bad.orig"
check "an invalid config is refused" sh -c \
    "! echo pw | '$ctl' -c '$tmp/bad.conf' passwd >/dev/null 2>&1"
check "and left as it was" cmp -s "$tmp/bad.conf" "$tmp/bad.orig"
check "an empty password is refused" sh -c \
    "! echo | '$ctl' -c '$conf' passwd >/dev/null 2>&1"
check "a missing file is an error" sh -c \
    "! echo pw | '$ctl' -c '$tmp/none.conf' passwd >/dev/null 2>&1"

# A world-readable file loses the bits for other users: the hash is secret.
mkdir "$tmp/perm"
cp "$conf" "$tmp/perm/open.conf"
chmod 644 "$tmp/perm/open.conf"
echo "another secret" | "$ctl" -c "$tmp/perm/open.conf" passwd >/dev/null 2>&1
check "a 0644 file becomes 0640" sh -c "[ \"\$(stat -c %a '$tmp/perm/open.conf')\" = 640 ]"
if [ "$(id -u)" -eq 0 ] && getent group homegw >/dev/null 2>&1; then
	chgrp root "$tmp/perm/open.conf"
	chmod 644 "$tmp/perm/open.conf"
	echo "a third secret" | "$ctl" -c "$tmp/perm/open.conf" passwd >/dev/null 2>&1
	check "as root, a 0644 root:root file becomes 0640 root:homegw" \
	    sh -c "[ \"\$(stat -c %a:%U:%G '$tmp/perm/open.conf')\" = 640:root:homegw ]"
else
	result 0 "0644 root:root becomes root:homegw # SKIP needs root and the homegw group"
fi

tap_end
