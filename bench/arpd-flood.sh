#!/bin/sh
# SPDX-License-Identifier: ISC
#
# bench/arpd-flood.sh: CPU per ARP frame of homegw-arpd under a flood in
# the lab.  lan1 sends COUNT (default 200000) ARP requests from STATIONS
# (default 200) (MAC, address) pairs of the LAN, for an address nobody
# has, as fast as a raw socket allows.  Prints the frames arpd saw (its
# arp_frames metric; the rest are lost on the way, mostly in the veth
# backlog, or counted in dropped_queue_full when arpd's own socket queue
# was full) and the CPU time it spent (utime + stime from /proc) per
# frame seen.  Build without sanitizers for meaningful figures:
#	HGW_BUILD=/path/to/plain/build sh bench/arpd-flood.sh
set -u
HGW_SRC=${HGW_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
. "$HGW_SRC/tests/lib.sh"
. "$HGW_SRC/tests/lab/lab.sh"
. "$HGW_SRC/tests/integration/arpd-lib.sh"
COUNT=${COUNT:-200000}
STATIONS=${STATIONS:-200}
need_root
trap '[ -f "${LAB_DIR:-/nonexistent}/arpd.log" ] && tail -5 "$LAB_DIR/arpd.log" >&2; lab_down' EXIT
trap 'exit 1' INT TERM

cpu_ticks()
{
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

flood()
{
	lab_lan1 python3 - "$COUNT" "$STATIONS" <<'PY'
import socket, struct, sys
count, stations = int(sys.argv[1]), int(sys.argv[2])
frames = []
for i in range(stations):
    mac = bytes([2, 0, 0, 0xbb, i >> 8, i & 0xff])
    spa = socket.inet_aton("192.168.50.%d" % (20 + i % 200))
    frames.append(b"\xff" * 6 + mac + b"\x08\x06" +
        struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + spa +
        b"\x00" * 6 + socket.inet_aton("192.168.50.250"))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for i in range(count):
    s.send(frames[i % stations])
PY
}

# run NAME PID: flood while PID watches, print its CPU per frame.
report()
{
	awk -v n="$1" -v t="$2" -v c="$COUNT" -v hz="$(getconf CLK_TCK)" \
	    -v seen="$3" 'BEGIN { printf "%-11s frames sent %d, seen %d, " \
	    "CPU %.2f s, %.2f us per frame seen\n", n, c, seen, t / hz, \
	    t / hz * 1e6 / seen }'
}

lab_up >/dev/null || exit 1
arpd_config "storm_threshold = 0" >"$LAB_DIR/homegw.conf"

# homegw-arpd
arpd_start arpd || { echo "arpd did not start" >&2; exit 1; }
pid=$(pgrep -n -f "homegw-arpd -f -v -c $LAB_DIR/homegw.conf")
t0=$(cpu_ticks "$pid")
flood
wait_for 10 sh -c "[ \"\$(sqlite3 -readonly '$LAB_DIR/run/live.db' \
    \"SELECT CAST(value AS INTEGER) FROM metrics WHERE daemon = 'arpd' \
    AND name = 'arp_frames'\")\" -ge $COUNT ]"
t1=$(cpu_ticks "$pid")
report homegw-arpd $((t1 - t0)) "$(arpd_metric arp_frames)"
echo "homegw-arpd queue drops (socket full): $(arpd_metric dropped_queue_full)," \
    "stations $(arpd_metric stations)," \
    "$(awk '/^VmRSS/ { print "RSS " $2 " kB" }' "/proc/$pid/status")"
lab_stop arpd
