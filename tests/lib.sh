# SPDX-License-Identifier: ISC
#
# tests/lib.sh: helpers for the lab and integration tests, sourced by each
# *.test script.  Tests print TAP ("ok N - what", "not ok N - what",
# "ok N - what # SKIP why") and end with tap_done, which prints the plan
# and sets the exit status.

TAP_N=0
TAP_FAILED=0

# ok COND-EXIT-STATUS DESCRIPTION: record one result.
tap_ok()
{
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $2"
	fi
}

# check DESCRIPTION COMMAND...: run a command, record whether it succeeded.
check()
{
	_desc=$1
	shift
	if "$@"; then tap_ok 0 "$_desc"; else tap_ok 1 "$_desc"; fi
}

# skip DESCRIPTION REASON
tap_skip()
{
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# diag TEXT...: a TAP comment.
diag()
{
	echo "$*" | sed 's/^/# /'
}

tap_done()
{
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds or
# SECONDS pass.  Never a bare sleep: tests wait for conditions.
wait_for()
{
	_limit=$1
	shift
	_end=$(( $(date +%s%N) / 1000000 + _limit * 1000 ))
	while :; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		[ $(( $(date +%s%N) / 1000000 )) -lt "$_end" ] || return 1
		sleep 0.1
	done
}

# need_root: skip the whole script (exit 0 with a skip) when not root.
need_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP needs root for network namespaces"
		exit 0
	fi
}

# Where the built programs are: $HGW_BUILD (set by tests/run), else ./.
HGW_BUILD=${HGW_BUILD:-$(pwd)}
HGW_SRC=${HGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
