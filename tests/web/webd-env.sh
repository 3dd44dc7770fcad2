# SPDX-License-Identifier: ISC
#
# tests/web/webd-env.sh: sourced by the webd tests.  webd_env_up builds a
# fixture (webd-fixture: 50,000 flows and the rest), writes a config with
# a password, and starts homegw-webd on 127.0.0.1 at a free high port
# (HTTPS, with its plain HTTP redirect on a second one).  No namespaces
# are needed: webd only listens on loopback here.  Sets WEBD_URL (https),
# WEBD_HTTP_URL (the redirect), WEBD_CA (webd's CA certificate, exported
# as CURL_CA_BUNDLE so that every curl trusts it), WEBD_PASSWORD,
# WEBD_DIR, WEBD_PID; webd_env_down stops webd and removes everything
# (call it from the test's EXIT trap).

WEBD_PASSWORD=correct-horse-battery
WEBD_DIR=
WEBD_PID=
WEBD_HOLDERS=

webd_free_port()
{
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

webd_hash()
{
	if command -v mkpasswd >/dev/null 2>&1; then
		mkpasswd -m yescrypt "$1"
	else
		python3 -c 'import crypt, sys
print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$1"
	fi
}

# webd_env_up [EXTRA-WEB-CONFIG-LINES]
webd_env_up()
{
	WEBD_DIR=$(mktemp -d /tmp/hgw-webd.XXXXXX)
	mkdir -p "$WEBD_DIR/run" "$WEBD_DIR/state"
	"$HGW_BUILD/tests/web/webd-fixture" "$WEBD_DIR/run" "$WEBD_DIR/state" \
	    50000 || return 1
	WEBD_PORT=$(webd_free_port)
	WEBD_HTTP_PORT=$(webd_free_port)
	WEBD_URL=https://127.0.0.1:$WEBD_PORT
	WEBD_HTTP_URL=http://127.0.0.1:$WEBD_HTTP_PORT
	WEBD_CA=$WEBD_DIR/state/tls/ca.crt
	export CURL_CA_BUNDLE=$WEBD_CA
	cat >"$WEBD_DIR/homegw.conf" <<CONF
[gateway]
name = testgw
state_dir = $WEBD_DIR/state
run_dir = $WEBD_DIR/run

[lan]
interface = br-lan
address = 192.168.50.1/24

[wan]
interface = wan0

[host lan1]
mac = 02:00:00:00:50:10
address = 192.168.50.10

[host lan2]
mac = 02:00:00:00:50:11
address = 192.168.50.11

[web]
listen = 127.0.0.1:$WEBD_PORT
http_listen = 127.0.0.1:$WEBD_HTTP_PORT
password_hash = $(webd_hash "$WEBD_PASSWORD")
assets_dir = $HGW_SRC/web
max_clients = 64
max_clients_per_ip = 32
${1:-}
CONF
	# The fixture's daemons "run": a daemon is alive when its pid file
	# is locked (see homegwctl(8)), so processes hold those locks.
	for _wd in addrd arpd natd dnsd; do
		python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
time.sleep(3600)' "$WEBD_DIR/run/$_wd.pid" </dev/null >/dev/null 2>&1 &
		WEBD_HOLDERS="$WEBD_HOLDERS $!"
	done
	# webd drops to the homegw user when started as root.
	if [ "$(id -u)" -eq 0 ] && id homegw >/dev/null 2>&1; then
		chown -R homegw:homegw "$WEBD_DIR/run" "$WEBD_DIR/state"
		chmod 755 "$WEBD_DIR"
	fi
	"$HGW_BUILD/daemons/webd/homegw-webd" -f -v -c "$WEBD_DIR/homegw.conf" \
	    >"$WEBD_DIR/webd.log" 2>&1 &
	WEBD_PID=$!
	wait_for 20 curl -sf -o /dev/null "$WEBD_URL/login"
}

# webd_spki CA-FILE: base64 SHA-256 of the CA's public key, for
# Chromium's --ignore-certificate-errors-spki-list.
webd_spki()
{
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform der |
	    openssl dgst -sha256 -binary | base64
}

webd_env_down()
{
	if [ -n "$WEBD_PID" ] && kill -0 "$WEBD_PID" 2>/dev/null; then
		kill "$WEBD_PID"
		wait "$WEBD_PID" 2>/dev/null
	fi
	WEBD_PID=
	for _wh in $WEBD_HOLDERS; do
		kill "$_wh" 2>/dev/null
		wait "$_wh" 2>/dev/null
	done
	WEBD_HOLDERS=
	if [ -n "$WEBD_DIR" ] && [ -d "$WEBD_DIR" ]; then
		if [ -s "$WEBD_DIR/webd.log" ]; then
			echo "# webd log:"
			sed 's/^/#   /' "$WEBD_DIR/webd.log" | tail -30
		fi
		rm -rf "$WEBD_DIR"
	fi
}
