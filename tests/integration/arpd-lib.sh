# SPDX-License-Identifier: ISC
#
# tests/integration/arpd-lib.sh: helpers shared by the arpd-*.test scripts,
# sourced after tests/lib.sh and tests/lab/lab.sh.

# arpd_config [EXTRA]: the lab's homegw.conf plus a pinned host and an
# [arp] section holding EXTRA (default: storm_threshold = 5).
arpd_config()
{
	lab_config
	cat <<EOC

[host pinned]
mac = 02:00:00:00:50:60
address = 192.168.50.60
pin_arp = yes

[arp]
${1:-storm_threshold = 5}
EOC
}

# arpd_start NAME: start homegw-arpd (verbose) and wait for its heartbeat.
arpd_start()
{
	lab_spawn gw "$1" "$HGW_BUILD/daemons/arpd/homegw-arpd" -f -v \
	    -c "$LAB_DIR/homegw.conf"
	wait_for 20 arpd_running
}

arpd_running()
{
	[ "$(arpd_live "SELECT count(*) FROM daemons WHERE name = 'arpd'")" \
	    = 1 ]
}

arpd_live()
{
	sqlite3 -readonly "$LAB_DIR/run/live.db" "$1" 2>/dev/null
}

arpd_persist()
{
	sqlite3 -readonly "$LAB_DIR/state/homegw.db" "$1" 2>/dev/null
}

arpd_ctl()
{
	"$HGW_BUILD/tools/homegwctl" -c "$LAB_DIR/homegw.conf" "$@"
}

# arpd_neigh ADDRESS MAC: the mirror holds ADDRESS at MAC.
arpd_neigh()
{
	[ "$(arpd_live "SELECT count(*) FROM neighbours WHERE address = '$1'
	    AND mac = '$2'")" = 1 ]
}

# arpd_event KIND ADDRESS [MAC_NEW [MAC_OLD]]: such an event was recorded.
arpd_event()
{
	_ae_sql="SELECT count(*) FROM events WHERE daemon = 'arpd' AND
	    kind = '$1' AND address = '$2'"
	[ -z "${3:-}" ] || _ae_sql="$_ae_sql AND mac_new = '$3'"
	[ -z "${4:-}" ] || _ae_sql="$_ae_sql AND mac_old = '$4'"
	[ "$(arpd_persist "$_ae_sql")" -ge 1 ] 2>/dev/null
}

# arpd_metric NAME: arpd's metric value as an integer.
arpd_metric()
{
	arpd_live "SELECT CAST(value AS INTEGER) FROM metrics WHERE
	    daemon = 'arpd' AND name = '$1'"
}

arpd_metric_ge()
{
	_am_v=$(arpd_metric "$1")
	[ -n "$_am_v" ] && [ "$_am_v" -ge "$2" ]
}

# arpd_kernel_neigh ADDRESS PATTERN: gw's neighbour table line matches.
arpd_kernel_neigh()
{
	lab_gw ip neigh show "$1" dev br-lan | grep -q "$2"
}

# arpd_cleanup: stop arpd under the sanitizers, show its log on failure.
arpd_cleanup()
{
	if [ "$TAP_FAILED" -gt 0 ] && [ -n "${LAB_DIR:-}" ]; then
		for _ac_f in "$LAB_DIR"/arpd*.log; do
			[ -f "$_ac_f" ] && sed 's/^/# /' "$_ac_f" | tail -40
		done
	fi
	lab_down
}
