/*
 * SPDX-License-Identifier: ISC
 *
 * host.js: one device's journey: its ARP entry and station history,
 * the names it looked up, its connections through NAT with their TCP
 * states, and its traffic.  Reached with /host?h=NAME-ADDRESS-OR-MAC.
 * Its bandwidth: the current rate and the last hour at natd's 10 s step,
 * drawn in bit/s.
 */
"use strict";

HGW.start(function () {
	var el = HGW.el, $ = HGW.$, key = HGW.query("h") || "";
	var types = { 1: "A", 5: "CNAME", 12: "PTR", 15: "MX", 16: "TXT",
	    28: "AAAA", 33: "SRV", 65: "HTTPS" };
	var rcodes = { 0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN",
	    5: "REFUSED" };

	if (!key) {
		$("title").textContent = "No host given";
		return;
	}

	function ident(r) {
		var dl = HGW.clear($("ident"));
		[["Name", r.name || "not in the host table"],
		    ["Label", r.label ? HGW.label(r.label) : null],
		    ["Address", r.address], ["MAC", r.mac],
		    ["Pinned ARP", r.host ? (r.host.pin_arp ? "yes" : "no") :
		    null]].forEach(function (x) {
			if (x[1] === null || x[1] === undefined)
				return;
			dl.appendChild(el("dt", null, x[0]));
			dl.appendChild(el("dd", { class: x[0] === "MAC" ?
			    "mono" : "" }, x[1]));
		});
	}

	/*
	 * A connection's current rate, both ways; the title splits it, up
	 * being what this host sends (the reply side when it was the one
	 * connected to, as through a port forward).
	 */
	function rateCell(c, address) {
		var R = HGW.rates, up = c.orig_src === address ?
		    c.rate_orig : c.rate_reply, down = c.orig_src === address ?
		    c.rate_reply : c.rate_orig;
		return { v: R.bps(c.rate), cls: "num",
		    title: "up " + R.bps(up) + ", down " + R.bps(down) };
	}

	function load() {
		return HGW.api("host/" + encodeURIComponent(key)).then(
		    function (r) {
			$("title").textContent = (r.label ? r.label + " \u2014 " :
			    "") + (r.name ? r.name + " (" + (r.address ||
			    r.mac) + ")" : r.address || r.mac || key);
			document.title = $("title").textContent + " · homegw";
			ident(r);
			bandwidth(r);
			HGW.fillTable($("neigh"), r.neighbours, function (n) {
				return [n.address, { v: n.mac, cls: "mono" },
				    HGW.badge(n.state, HGW.stateClass(n.state)),
				    { v: n.ifname, cls: "sec" },
				    HGW.ago(n.updated)];
			}, "Not in the neighbour table right now", 5);
			HGW.fillTable($("stations"), r.stations, function (s) {
				return [{ v: s.mac, cls: "mono" }, s.address,
				    { v: s.ifname, cls: "sec" },
				    HGW.time(s.first_seen),
				    HGW.time(s.last_seen)];
			}, "Never seen by arpd", 5);
			var ul = HGW.clear($("events"));
			r.events.slice(0, 20).forEach(function (e) {
				ul.appendChild(el("li", null, el("span",
				    { class: "when" }, HGW.time(e.time)),
				    HGW.badge(e.kind.replace(/_/g, " ")), " ",
				    e.mac_old ? e.mac_old + " \u2192 " : "",
				    e.mac_new || "", e.address ? " at " +
				    e.address : "", e.detail ? el("span",
				    { class: "muted" }, " " + e.detail) : ""));
			});
			HGW.fillTable($("dns"), r.dns, function (q) {
				return [HGW.time(Math.floor(q.time_ms / 1000)),
				    { v: q.name, cls: "mono" },
				    types[q.qtype] || q.qtype,
				    HGW.badge(rcodes[q.rcode] || q.rcode,
				    q.rcode === 0 ? "ok" : "warn"),
				    { v: q.source, cls: "sec" },
				    { v: (q.latency_us / 1000).toFixed(1) +
				    " ms", cls: "num sec" }];
			}, "No lookups logged", 6);
			var states = {};
			r.connections.forEach(function (c) {
				var s = c.tcp_state || c.proto.toUpperCase();
				states[s] = (states[s] || 0) + 1;
			});
			var chips = HGW.clear($("states"));
			Object.keys(states).sort().forEach(function (s) {
				chips.appendChild(HGW.badge(s + " " + states[s],
				    HGW.stateClass(s)));
			});
			$("conn-count").textContent =
			    HGW.num(r.connection_count) + " open";
			HGW.fillTable($("conns"), r.connections, function (c) {
				return [c.proto,
				    { v: HGW.endpoint(c.orig_src, c.orig_sport),
				    cls: "mono" },
				    { v: HGW.endpoint(c.orig_dst, c.orig_dport),
				    cls: "mono" },
				    HGW.dstName(c),
				    c.reply_dst !== c.orig_src ||
				    c.reply_dport !== c.orig_sport ?
				    { v: HGW.endpoint(c.reply_dst,
				    c.reply_dport), cls: "mono sec" } :
				    { v: "not translated", cls: "muted sec" },
				    c.tcp_state ? HGW.badge(c.tcp_state,
				    HGW.stateClass(c.tcp_state)) : "",
				    { v: HGW.dur(c.age), cls: "num sec" },
				    rateCell(c, r.address),
				    { v: HGW.bytes(c.orig_bytes), cls: "num" },
				    { v: HGW.bytes(c.reply_bytes),
				    cls: "num" }];
			}, "No connections", 10);
			if (r.address)
				$("nat-link").href = "/nat?host=" +
				    encodeURIComponent(r.address);
			/* In bit/s like every rate chart (charts.js). */
			var rows = r.traffic.slice().reverse();
			var iv = r.traffic_interval || 300;
			HGW.chart($("chart"), [
			    { points: HGW.chart.rate(rows, "bytes_in", iv) },
			    { points: HGW.chart.rate(rows, "bytes_out", iv) }],
			    { format: HGW.chart.bits, label: "traffic",
			    yLabel: "bit/s", step: iv });
		}, function (e) {
			$("title").textContent = e.status === 404 ?
			    "No such host: " + key : "Error: " + e.message;
		});
	}

	/*
	 * "Watch live": start a trace of this device (webd records who
	 * asked) and open the trace view, whose address can be shared.
	 */
	function watch() {
		$("watch").disabled = true;
		HGW.api("trace", { method: "POST", body: { host: key,
		    seconds: 60 } }).then(function (t) {
			location.href = "/trace?id=" + encodeURIComponent(t.id);
		}, function (e) {
			$("watch").disabled = false;
			$("watch-error").textContent = "Cannot start a trace: " +
			    e.message;
			$("watch-error").classList.remove("hidden");
		});
	}
	$("watch").addEventListener("click", watch);

	/* The live bandwidth chart from host/KEY's rates, in bit/s. */
	function bandwidth(r) {
		var R = HGW.rates, b = r.rates;

		if (!b) {
			$("bw-now").textContent = "";
			HGW.chart($("bw-chart"), [], { label: "bandwidth" });
			return;
		}
		$("bw-now").textContent = "now " + R.bps(b.rate) + " (up " +
		    R.bps(b.rate_out) + ", down " + R.bps(b.rate_in) + ")";
		var pts = R.fill(b.series, b.since, b.step,
		    Math.floor(Date.now() / 1000));
		HGW.chart($("bw-chart"), [
		    { points: pts.map(function (p) { return [p[0], p[2] * 8]; }) },
		    { points: pts.map(function (p) { return [p[0], p[1] * 8]; }) }],
		    { format: HGW.chart.bits, yLabel: "bit/s", step: b.step,
		    label: "bandwidth in bit/s, last hour, 10 s steps" });
	}

	HGW.poll(load, 5000);
});
