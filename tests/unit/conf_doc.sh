#!/bin/sh
# SPDX-License-Identifier: ISC
#
# conf_doc.sh: every key in the parser's table (common/conf.c keys[]) is
# documented in homegw.conf(5) and shown in the example etc/homegw.conf,
# each under its own section; and neither documents a key the parser does
# not know.  Prints TAP.
set -u

src=${top_srcdir:-$(dirname "$0")/../..}
conf_c=$src/common/conf.c
man=$src/etc/homegw.conf.5
example=$src/etc/homegw.conf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/tap.sh"

# "section.key" for each row of keys[]: rows name SEC_X, then "key".
sed -n 's/.*SEC_\([A-Z]*\), "\([a-z_]*\)".*/\1.\2/p' "$conf_c" |
    tr 'A-Z' 'a-z' | sort -u >"$tmp/keys"
# The man page: ".Ss [section ..." then ".It Ic key".
awk '/^\.Ss \[/ { s = $2; sub(/^\[/, "", s); sub(/\]$/, "", s) }
    /^\.It Ic [a-z_]+/ && s != "" { print s "." $3 }' "$man" |
    sort -u >"$tmp/man"
# The example: "[section]" or "#[section name]", then "key =" or "#key =".
awk '/^#?\[[a-z]+[] ]/ { s = $0; sub(/^#?\[/, "", s); sub(/[] ].*/, "", s) }
    /^#?[a-z_]+ =/ && s != "" { k = $1; sub(/^#/, "", k); print s "." k }' \
    "$example" | sort -u >"$tmp/example"

count=$(wc -l <"$tmp/keys")
result $([ "$count" -ge 40 ]; echo $?) "conf.c has $count keys (at least 40)"
while read -r key; do
	grep -qx "$key" "$tmp/man"
	result $? "$key documented in homegw.conf.5"
	grep -qx "$key" "$tmp/example"
	result $? "$key shown in etc/homegw.conf"
done <"$tmp/keys"
for f in man example; do
	extra=$(comm -13 "$tmp/keys" "$tmp/$f" | tr '\n' ' ')
	result $([ -z "$extra" ]; echo $?) "$f names no unknown key ${extra:+($extra)}"
done

tap_end
