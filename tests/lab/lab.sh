#!/bin/sh
# SPDX-License-Identifier: ISC
#
# tests/lab/lab.sh: the network-namespace lab.  POSIX sh; sourced by the
# lab and integration tests and by scripts/demo, or run by hand:
#
#	tests/lab/lab.sh up [--no-addr] [--no-route]	prints the lab's variables
#	tests/lab/lab.sh config LAB_DIR			prints its homegw.conf
#	tests/lab/lab.sh down LAB_DIR			tears it down
#	tests/lab/lab.sh reap [PREFIX]	removes labs whose creating process is
#					gone (a test killed with SIGKILL)
#
# Topology (four namespaces, names unique per run: hgw<pid><rnd>-gw ...):
#
#   lan1 eth0 192.168.50.10 --+
#                              +-- lan1/lan2 in br-lan 192.168.50.1 [gw]
#   lan2 eth0 192.168.50.11 --+    wan0 203.0.113.2 -- eth0 203.0.113.1 [wan]
#                                  wan0 2001:db8:113::2 -- 2001:db8:113::1
#
# The wan namespace stands for the internet: nsd serving example.test, an
# HTTP server on port 80 and iperf3 on 5201, all at 203.0.113.1.  The gw
# namespace forwards (plain routing: wan routes 192.168.50.0/24 back via
# 203.0.113.2 unless --no-route) and has bridge netfilter off, as a real
# router does.  The machine's own namespace is never changed: every veth
# end is created directly inside its namespace.
#
# API for a sourcing script:
#	lab_up [--no-addr] [--no-route]	build it; sets LAB_DIR, LAB_PREFIX,
#					LAB_NS_GW/LAN1/LAN2/WAN
#	lab_down			kill everything in it, remove it (safe
#					twice, safe after a half-done lab_up)
#	lab_config			homegw.conf for the lab on stdout
#	lab_gw/lab_lan1/lab_lan2/lab_wan CMD...	run CMD in that namespace
#	lab_spawn NS NAME CMD...	background CMD in NS (gw, lan1, lan2,
#					wan or a full name), output in
#					$LAB_DIR/NAME.log, pid in $LAB_DIR/NAME.pid
#					and in $LAB_PID
#	lab_daemon NAME [ARGS...]	lab_spawn gw NAME $HGW_BUILD/daemons/NAME/
#					homegw-NAME -f -c $LAB_DIR/homegw.conf ARGS
#	lab_stop NAME			SIGTERM a spawned process, wait for it
#
# Usage in a test:
#	. "$HGW_SRC/tests/lib.sh"; . "$HGW_SRC/tests/lab/lab.sh"
#	need_root
#	trap lab_down EXIT; trap 'exit 1' INT TERM
#	lab_up || exit 1

LAB_GW_LAN=192.168.50.1
LAB_GW_WAN=203.0.113.2
LAB_LAN1=192.168.50.10
LAB_LAN2=192.168.50.11
LAB_WAN=203.0.113.1
# IPv6 on the WAN segment only (documentation prefix), as an ISP's router
# advertisements would give the gateway itself a global address.
LAB_GW_WAN6=2001:db8:113::2
LAB_WAN6=2001:db8:113::1
LAB_GW_MAC=02:00:00:00:50:01
LAB_LAN1_MAC=02:00:00:00:50:10
LAB_LAN2_MAC=02:00:00:00:50:11
LAB_GW_WAN_MAC=02:00:00:71:00:02
LAB_WAN_MAC=02:00:00:71:00:01
LAB_DEMO_PASSWORD=homegw-demo

# _lab_wait SECONDS CMD...: poll until CMD succeeds (bounded).
_lab_wait()
{
	_lw_n=$(( $1 * 10 ))
	shift
	while [ "$_lw_n" -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		_lw_n=$((_lw_n - 1))
		sleep 0.1
	done
	return 1
}

_lab_err()
{
	echo "lab: $*" >&2
}

# _lab_ns NS: a short name (gw, lan1, lan2, wan) or a full namespace name.
_lab_ns()
{
	case $1 in
	gw)	echo "$LAB_NS_GW" ;;
	lan1)	echo "$LAB_NS_LAN1" ;;
	lan2)	echo "$LAB_NS_LAN2" ;;
	wan)	echo "$LAB_NS_WAN" ;;
	*)	echo "$1" ;;
	esac
}

lab_gw()   { ip netns exec "$LAB_NS_GW" "$@"; }
lab_lan1() { ip netns exec "$LAB_NS_LAN1" "$@"; }
lab_lan2() { ip netns exec "$LAB_NS_LAN2" "$@"; }
lab_wan()  { ip netns exec "$LAB_NS_WAN" "$@"; }

# lab_spawn NS NAME CMD...: start CMD in the background inside NS.
lab_spawn()
{
	_ls_ns=$(_lab_ns "$1")
	_ls_name=$2
	shift 2
	ip netns exec "$_ls_ns" "$@" >"$LAB_DIR/$_ls_name.log" 2>&1 </dev/null &
	LAB_PID=$!
	echo "$LAB_PID" >"$LAB_DIR/$_ls_name.pid"
}

# lab_daemon NAME [ARGS...]: start homegw-NAME in the gateway namespace.
lab_daemon()
{
	_ld_name=$1
	shift
	_ld_bin=$HGW_BUILD/daemons/$_ld_name/homegw-$_ld_name
	if [ ! -x "$_ld_bin" ]; then
		_lab_err "no $_ld_bin"
		return 1
	fi
	[ -s "$LAB_DIR/homegw.conf" ] || lab_config >"$LAB_DIR/homegw.conf"
	lab_spawn gw "$_ld_name" "$_ld_bin" -f -c "$LAB_DIR/homegw.conf" "$@"
}

# lab_stop NAME: SIGTERM a process started by lab_spawn and wait (bounded)
# for it to exit; returns its exit status when it was our child.
lab_stop()
{
	[ -s "$LAB_DIR/$1.pid" ] || return 1
	_lst_pid=$(cat "$LAB_DIR/$1.pid")
	kill -TERM "$_lst_pid" 2>/dev/null || return 0
	if _lab_wait 10 _lab_gone "$_lst_pid"; then
		_lst_rc=0
		wait "$_lst_pid" 2>/dev/null || _lst_rc=$?
		return "$_lst_rc"
	fi
	kill -KILL "$_lst_pid" 2>/dev/null || :
	wait "$_lst_pid" 2>/dev/null || :
	return 1
}

_lab_gone()
{
	! kill -0 "$1" 2>/dev/null && return 0
	# A zombie child counts as gone.
	[ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = Z ]
}

# _lab_sysctl NS KEY VALUE: write a sysctl inside NS.
_lab_sysctl()
{
	ip netns exec "$1" sh -c "echo $3 > /proc/sys/$(echo "$2" | tr . /)"
}

# _lab_zone: the example.test zone file.
_lab_zone()
{
	cat <<'EOF'
$ORIGIN example.test.
$TTL 300
@	IN SOA	ns1 hostmaster 1 3600 600 86400 60
@	IN NS	ns1
@	IN MX	10 mail
@	IN TXT	"v=spf1 -all"
ns1	IN A	203.0.113.1
www	IN A	203.0.113.1
www	IN AAAA	2001:db8::1
mail	IN A	203.0.113.25
mail	IN AAAA	2001:db8::25
alias	IN CNAME www
chain	IN CNAME alias
txt	IN TXT	"hello from the lab"
short 5	IN A	203.0.113.5
EOF
	# longtxt: one TXT answer of about 800 bytes (over 512: a client
	# without EDNS gets TC and must retry over TCP).
	_lz_s=$(printf '%0200d' 0 | tr 0 x)
	printf 'longtxt\tIN TXT\t"%s" "%s" "%s" "%s"\n' \
	    "$_lz_s" "$_lz_s" "$_lz_s" "$_lz_s"
	# many: 120 A records, about 1.9 KB, over any UDP size nsd offers
	# (EDNS 1232), so it always needs TCP.
	_lz_i=1
	while [ "$_lz_i" -le 120 ]; do
		printf 'many\tIN A\t198.51.100.%d\n' "$_lz_i"
		_lz_i=$((_lz_i + 1))
	done
}

_lab_nsd_conf()
{
	cat <<EOF
server:
	ip-address: $LAB_WAN@53
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$LAB_DIR/nsd"
	database: ""
	pidfile: "$LAB_DIR/nsd/nsd.pid"
	xfrdfile: "$LAB_DIR/nsd/xfrd.state"
	xfrdir: "$LAB_DIR/nsd"
	zonelistfile: "$LAB_DIR/nsd/zone.list"
	logfile: "$LAB_DIR/nsd/nsd.log"
	server-count: 1
	tcp-count: 64
	verbosity: 1
	hide-version: yes
	refuse-any: no
	# The lab's upstream stands for an ISP's resolver, which does not
	# rate-limit one home: nsd's response rate limiting (200 a second
	# from a /24 by default) dropped half of a DNS flood's answers.
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: example.test
	zonefile: example.test.zone
EOF
}

_lab_dns_ok()
{
	lab_wan dig +short +time=1 +tries=1 "@$LAB_WAN" www.example.test A |
	    grep -qx "$LAB_WAN"
}

_lab_http_ok()
{
	lab_wan curl -sf -m 2 -o /dev/null "http://$LAB_WAN/index.html"
}

_lab_iperf_ok()
{
	lab_wan ss -Hltn "sport = :5201" | grep -q LISTEN
}

_lab_python()
{
	if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else
		command -v python3; fi
}

# lab_up [--no-addr] [--no-route]: build the lab.
lab_up()
{
	_lu_addr=1
	_lu_route=1
	for _lu_a in "$@"; do
		case $_lu_a in
		--no-addr)	_lu_addr=0 ;;
		--no-route)	_lu_route=0 ;;
		*)	_lab_err "lab_up: unknown option $_lu_a"; return 2 ;;
		esac
	done
	if [ -n "${LAB_NS_GW:-}" ]; then
		_lab_err "lab_up: a lab is already up ($LAB_PREFIX)"
		return 1
	fi
	_lu_rnd=$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
	# The owner's pid is in the name so that lab_reap can tell labs whose
	# owner died: the sourcing shell, or the caller of "lab.sh up".
	LAB_PREFIX=hgw${_LAB_OWNER:-$$}$_lu_rnd
	# Not $TMPDIR: the daemons run as user homegw and must reach it.
	LAB_DIR=$(mktemp -d "${LAB_TMP:-/tmp}/$LAB_PREFIX.XXXXXX") || return 1
	# The daemons drop to user homegw: they must reach the lab directory.
	chmod 755 "$LAB_DIR"
	LAB_NS_GW=$LAB_PREFIX-gw
	LAB_NS_LAN1=$LAB_PREFIX-lan1
	LAB_NS_LAN2=$LAB_PREFIX-lan2
	LAB_NS_WAN=$LAB_PREFIX-wan
	export LAB_PREFIX LAB_DIR LAB_NS_GW LAB_NS_LAN1 LAB_NS_LAN2 LAB_NS_WAN
	cat >"$LAB_DIR/lab.env" <<EOF
LAB_PREFIX=$LAB_PREFIX
LAB_DIR=$LAB_DIR
LAB_NS_GW=$LAB_NS_GW
LAB_NS_LAN1=$LAB_NS_LAN1
LAB_NS_LAN2=$LAB_NS_LAN2
LAB_NS_WAN=$LAB_NS_WAN
EOF
	mkdir -p "$LAB_DIR/run" "$LAB_DIR/state" "$LAB_DIR/nsd" \
	    "$LAB_DIR/www" "$LAB_DIR/web" || return 1
	# The status page's files, where webd (user homegw) can read them
	# even when the source tree is private.
	if [ -n "${HGW_SRC:-}" ] && [ -d "$HGW_SRC/web" ]; then
		cp -R "$HGW_SRC/web/." "$LAB_DIR/web/" || return 1
		chmod -R a+rX "$LAB_DIR/web"
	fi
	if id homegw >/dev/null 2>&1; then
		chown homegw:homegw "$LAB_DIR/run" "$LAB_DIR/state"
		chmod 2770 "$LAB_DIR/run" "$LAB_DIR/state"
	else
		chmod 1777 "$LAB_DIR/run" "$LAB_DIR/state"
	fi

	for _lu_ns in "$LAB_NS_GW" "$LAB_NS_LAN1" "$LAB_NS_LAN2" \
	    "$LAB_NS_WAN"; do
		ip netns add "$_lu_ns" || return 1
		ip -n "$_lu_ns" link set lo up || return 1
	done

	# Every veth end is born inside its namespace.
	ip -n "$LAB_NS_GW" link add br-lan address "$LAB_GW_MAC" \
	    type bridge || return 1
	ip -n "$LAB_NS_GW" link add wan0 address "$LAB_GW_WAN_MAC" type veth \
	    peer name eth0 netns "$LAB_NS_WAN" address "$LAB_WAN_MAC" ||
	    return 1
	for _lu_h in lan1 lan2; do
		_lu_ns=$(_lab_ns "$_lu_h")
		if [ "$_lu_h" = lan1 ]; then _lu_mac=$LAB_LAN1_MAC; else
			_lu_mac=$LAB_LAN2_MAC; fi
		ip -n "$LAB_NS_GW" link add "$_lu_h" type veth \
		    peer name eth0 netns "$_lu_ns" address "$_lu_mac" ||
		    return 1
		ip -n "$LAB_NS_GW" link set "$_lu_h" master br-lan up ||
		    return 1
	done

	# The gateway: a router, so bridged frames skip iptables/arptables.
	for _lu_k in iptables ip6tables arptables; do
		_lab_sysctl "$LAB_NS_GW" "net.bridge.bridge-nf-call-$_lu_k" 0 ||
		    return 1
	done
	_lab_sysctl "$LAB_NS_GW" net.ipv4.ip_forward 1 || return 1
	_lab_sysctl "$LAB_NS_GW" net.ipv6.conf.all.accept_dad 0
	_lab_sysctl "$LAB_NS_GW" net.ipv6.conf.default.accept_dad 0
	ip -n "$LAB_NS_GW" link set br-lan up || return 1
	ip -n "$LAB_NS_GW" link set wan0 up || return 1
	_lab_sysctl "$LAB_NS_GW" net.ipv4.neigh.br-lan.proxy_delay 0 ||
	    return 1
	if [ "$_lu_addr" = 1 ]; then
		ip -n "$LAB_NS_GW" addr add "$LAB_GW_LAN/24" dev br-lan ||
		    return 1
		ip -n "$LAB_NS_GW" addr add "$LAB_GW_WAN/24" dev wan0 ||
		    return 1
		ip -n "$LAB_NS_GW" route add default via "$LAB_WAN" ||
		    return 1
		ip -n "$LAB_NS_GW" addr add "$LAB_GW_WAN6/64" dev wan0 nodad ||
		    return 1
		ip -n "$LAB_NS_GW" -6 route add default via "$LAB_WAN6" ||
		    return 1
	fi

	for _lu_h in lan1 lan2 wan; do
		_lu_ns=$(_lab_ns "$_lu_h")
		_lab_sysctl "$_lu_ns" net.ipv6.conf.all.accept_dad 0
		_lab_sysctl "$_lu_ns" net.ipv6.conf.default.accept_dad 0
		ip -n "$_lu_ns" link set eth0 up || return 1
	done
	ip -n "$LAB_NS_LAN1" addr add "$LAB_LAN1/24" dev eth0 || return 1
	ip -n "$LAB_NS_LAN2" addr add "$LAB_LAN2/24" dev eth0 || return 1
	ip -n "$LAB_NS_LAN1" route add default via "$LAB_GW_LAN" || return 1
	ip -n "$LAB_NS_LAN2" route add default via "$LAB_GW_LAN" || return 1
	ip -n "$LAB_NS_WAN" addr add "$LAB_WAN/24" dev eth0 || return 1
	ip -n "$LAB_NS_WAN" addr add "$LAB_WAN6/64" dev eth0 nodad || return 1
	if [ "$_lu_route" = 1 ]; then
		ip -n "$LAB_NS_WAN" route add 192.168.50.0/24 \
		    via "$LAB_GW_WAN" || return 1
	fi

	# The internet: DNS, HTTP, iperf3.
	_lab_zone >"$LAB_DIR/nsd/example.test.zone" || return 1
	_lab_nsd_conf >"$LAB_DIR/nsd/nsd.conf" || return 1
	if ! nsd-checkconf "$LAB_DIR/nsd/nsd.conf" >&2; then
		_lab_err "bad nsd config"
		return 1
	fi
	lab_spawn wan nsd nsd -d -c "$LAB_DIR/nsd/nsd.conf"
	echo '<!doctype html><title>lab</title><p>hello from the lab' \
	    >"$LAB_DIR/www/index.html"
	echo small >"$LAB_DIR/www/small.txt"
	head -c 1048576 /dev/urandom >"$LAB_DIR/www/1M.bin" || return 1
	lab_spawn wan http "$(_lab_python)" -m http.server --bind "$LAB_WAN" \
	    --directory "$LAB_DIR/www" 80
	lab_spawn wan iperf3 iperf3 -s -B "$LAB_WAN" -p 5201

	if ! _lab_wait 15 _lab_dns_ok; then
		_lab_err "nsd does not answer; log:"
		cat "$LAB_DIR/nsd.log" "$LAB_DIR/nsd/nsd.log" >&2 2>/dev/null
		return 1
	fi
	if ! _lab_wait 15 _lab_http_ok; then
		_lab_err "HTTP server does not answer; log:"
		cat "$LAB_DIR/http.log" >&2
		return 1
	fi
	if ! _lab_wait 15 _lab_iperf_ok; then
		_lab_err "iperf3 does not listen; log:"
		cat "$LAB_DIR/iperf3.log" >&2
		return 1
	fi
	return 0
}

# _lab_hash: a yescrypt crypt(3) hash of the demo password, fresh salt.
_lab_hash()
{
	if command -v mkpasswd >/dev/null 2>&1; then
		echo "$LAB_DEMO_PASSWORD" | mkpasswd -m yescrypt -s && return 0
	fi
	_lh_salt=$(head -c 1024 /dev/urandom | tr -dc './0-9A-Za-z' | cut -c1-16)
	perl -e 'print crypt($ARGV[0], $ARGV[1]), "\n"' \
	    "$LAB_DEMO_PASSWORD" "\$y\$j9T\$$_lh_salt"
}

# lab_config: homegw.conf for this lab on stdout.
lab_config()
{
	cat <<EOF
# homegw.conf for the lab $LAB_PREFIX (written by tests/lab/lab.sh)
[gateway]
name = gw
domain = home.arpa
state_dir = $LAB_DIR/state
run_dir = $LAB_DIR/run

[lan]
interface = br-lan
address = $LAB_GW_LAN/24

[wan]
interface = wan0
address = $LAB_GW_WAN/24
gateway = $LAB_WAN

[host lan1]
mac = $LAB_LAN1_MAC
address = $LAB_LAN1

[host lan2]
mac = $LAB_LAN2_MAC
address = $LAB_LAN2

[dns]
listen = $LAB_GW_LAN:53
upstream = $LAB_WAN:53

[nat]
masquerade = yes
flow_offload = no

[web]
listen = $LAB_GW_LAN:80
password_hash = $(_lab_hash)
assets_dir = $LAB_DIR/web
EOF
}

# _lab_kill_ns NS SIGNAL: signal every process in NS.
_lab_kill_ns()
{
	_lk_pids=$(ip netns pids "$1" 2>/dev/null)
	[ -n "$_lk_pids" ] || return 0
	# shellcheck disable=SC2086
	kill "-$2" $_lk_pids 2>/dev/null
	return 0
}

_lab_ns_empty()
{
	[ -z "$(ip netns pids "$1" 2>/dev/null)" ]
}

# lab_down: kill every process in the lab's namespaces, delete them and
# $LAB_DIR.  Idempotent; works on a half-built lab.
lab_down()
{
	for _ld_ns in ${LAB_NS_GW:-} ${LAB_NS_LAN1:-} ${LAB_NS_LAN2:-} \
	    ${LAB_NS_WAN:-}; do
		[ -e "/run/netns/$_ld_ns" ] || continue
		_lab_kill_ns "$_ld_ns" TERM
	done
	for _ld_ns in ${LAB_NS_GW:-} ${LAB_NS_LAN1:-} ${LAB_NS_LAN2:-} \
	    ${LAB_NS_WAN:-}; do
		[ -e "/run/netns/$_ld_ns" ] || continue
		if ! _lab_wait 5 _lab_ns_empty "$_ld_ns"; then
			_lab_kill_ns "$_ld_ns" KILL
			_lab_wait 5 _lab_ns_empty "$_ld_ns"
		fi
		ip netns del "$_ld_ns" 2>/dev/null || :
	done
	# Reap the processes lab_spawn started (our children) quietly.
	if [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ]; then
		for _ld_p in "$LAB_DIR"/*.pid; do
			[ -s "$_ld_p" ] || continue
			wait "$(cat "$_ld_p")" 2>/dev/null || :
		done
	fi
	if [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ] &&
	    [ -e "$LAB_DIR/lab.env" ]; then
		rm -rf "$LAB_DIR"
	fi
	unset LAB_NS_GW LAB_NS_LAN1 LAB_NS_LAN2 LAB_NS_WAN LAB_DIR
	return 0
}

# _lab_load LAB_DIR: pick up a lab built by "lab.sh up".
_lab_load()
{
	if [ ! -r "$1/lab.env" ]; then
		_lab_err "no lab in $1"
		return 1
	fi
	. "$1/lab.env"
}

# lab_reap [PREFIX]: tear down every lab (or the one named PREFIX) whose
# creating process no longer exists: namespaces hgw<pid><4 hex>-<role>.
lab_reap()
{
	for _lr_p in $(ip netns list | sed -n \
	    's/^\(hgw[0-9]*[0-9a-f]\{4\}\)-\(gw\|lan1\|lan2\|wan\)\( .*\)\{0,1\}$/\1/p' |
	    sort -u); do
		[ -z "${1:-}" ] || [ "$_lr_p" = "$1" ] || continue
		_lr_pid=$(echo "$_lr_p" | sed 's/^hgw\([0-9]*\)[0-9a-f]\{4\}$/\1/')
		[ -n "$_lr_pid" ] || continue
		if kill -0 "$_lr_pid" 2>/dev/null; then continue; fi
		echo "lab: reaping $_lr_p" >&2
		(
			LAB_PREFIX=$_lr_p
			LAB_NS_GW=$_lr_p-gw LAB_NS_LAN1=$_lr_p-lan1
			LAB_NS_LAN2=$_lr_p-lan2 LAB_NS_WAN=$_lr_p-wan
			LAB_DIR=""
			lab_down
			for _lr_d in "${LAB_TMP:-/tmp}/$_lr_p".*; do
				[ -e "$_lr_d/lab.env" ] && rm -rf "$_lr_d"
			done
		)
	done
	return 0
}

_lab_main()
{
	HGW_SRC=${HGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
	_lm_cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $_lm_cmd in
	up)
		_LAB_OWNER=$PPID
		if ! lab_up "$@"; then
			lab_down
			exit 1
		fi
		cat "$LAB_DIR/lab.env"
		echo "# tear down with: $0 down $LAB_DIR" ;;
	down)
		[ $# -eq 1 ] || { echo "usage: $0 down LAB_DIR" >&2; exit 2; }
		_lab_load "$1" || exit 1
		lab_down ;;
	reap)
		lab_reap "$@" ;;
	config)
		[ $# -eq 1 ] || { echo "usage: $0 config LAB_DIR" >&2; exit 2; }
		_lab_load "$1" || exit 1
		lab_config ;;
	*)
		echo "usage: $0 up [--no-addr] [--no-route] | down LAB_DIR |" \
		    "config LAB_DIR | reap [PREFIX]" >&2
		exit 2 ;;
	esac
}

case ${0##*/} in
lab.sh)	_lab_main "$@" ;;
esac
