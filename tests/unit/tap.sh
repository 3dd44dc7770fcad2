# SPDX-License-Identifier: ISC
#
# tap.sh: sourced by the shell unit tests.  "result STATUS TEXT" prints
# one TAP line ("ok" when STATUS is 0); "tap_end" prints the plan and
# returns non-zero when any check failed.
n=0
failed=0
result()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
	fi
}

tap_end()
{
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
