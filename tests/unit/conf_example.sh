#!/bin/sh
# SPDX-License-Identifier: ISC
#
# conf_example.sh: the shipped etc/homegw.conf is true to the defaults.
# Every key it shows commented as "#key = value" in a section that is not
# itself commented out must read back, from "homegwctl check-config -v"
# on that very file, with the same value; examples that are not defaults
# are indented ("#   key = value") and are not checked.  assets_dir
# depends on the build's prefix: the example shows the package's /usr.
# Prints TAP.
set -u

src=${top_srcdir:-$(dirname "$0")/../..}
build=${top_builddir:-.}
ctl=$build/tools/homegwctl
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$ctl" ]; then
	echo "1..0 # SKIP $ctl not built"
	exit 0
fi

. "$(dirname "$0")/tap.sh"

"$ctl" check-config -v "$src/etc/homegw.conf" >"$tmp/effective" 2>/dev/null
result $? "check-config -v reads the example"

# section<TAB>key<TAB>value, from the example's "#key = value" lines.
awk '
/^\[[a-z]+\]/		{ sec = substr($0, 2, index($0, "]") - 2); next }
/^\[/ || /^#\[/		{ sec = ""; next }
sec != "" && /^#[a-z_]+ =/ {
	line = substr($0, 2)
	k = line; sub(/ *=.*/, "", k)
	v = line; sub(/^[a-z_]+ *= */, "", v)
	printf "%s\t%s\t%s\n", sec, k, v
}' "$src/etc/homegw.conf" >"$tmp/shown"
# Keys the example sets (required ones, which have no default).
awk '
/^\[[a-z]+\]/		{ sec = substr($0, 2, index($0, "]") - 2); next }
/^\[/			{ sec = ""; next }
sec != "" && /^[a-z_]+ =/ { k = $0; sub(/ *=.*/, "", k); print sec "\t" k }
' "$src/etc/homegw.conf" >"$tmp/set"
awk '
/^\[[a-z]+\]/	{ sec = substr($0, 2, index($0, "]") - 2); next }
/^\[/		{ sec = ""; next }
sec != "" && /^[a-z_]+ =/ {
	k = $0; sub(/ *=.*/, "", k)
	v = $0; sub(/^[a-z_]+ *= */, "", v)
	printf "%s\t%s\t%s\n", sec, k, v
}' "$tmp/effective" >"$tmp/eff"
result $([ "$(wc -l <"$tmp/shown")" -ge 35 ]; echo $?) \
    "the example shows at least 35 defaults ($(wc -l <"$tmp/shown"))"

while IFS="$(printf '\t')" read -r sec key shown; do
	eff=$(awk -F '\t' -v s="$sec" -v k="$key" \
	    '$1 == s && $2 == k { print $3; exit }' "$tmp/eff")
	if [ "$key" = assets_dir ]; then
		shown=${shown#/usr}
		eff=${eff#"${eff%/share/homegw/web}"}
	fi
	if [ "$shown" = "$eff" ]; then
		result 0 "[$sec] $key = $shown"
	else
		result 1 "[$sec] $key: the example shows \"$shown\", the \
default is \"$eff\""
	fi
done <"$tmp/shown"

# Every key check-config prints is shown in the example (or set there),
# so none is missing from the file that says it shows them all.
while IFS="$(printf '\t')" read -r sec key eff; do
	grep -q "^$sec	$key	" "$tmp/shown" || grep -qx "$sec	$key" "$tmp/set"
	result $? "[$sec] $key is in the example"
done <"$tmp/eff"

tap_end
