/*
 * SPDX-License-Identifier: ISC
 *
 * overview.js: the Overview page: what needs attention, daemon health,
 * addresses, conntrack usage, DNS cache figures, counts, and charts of
 * the last 24 hours.
 */
"use strict";

HGW.start(function () {
	var el = HGW.el;

	function daemons(list) {
		HGW.fillTable(HGW.$("daemons"), list, function (d) {
			var cls = d.running ? "ok" : d.stale ? "warn" : "";
			var what = d.running ? "running" : d.stale ?
			    "stale (no heartbeat " + HGW.ago(d.heartbeat) + ")" :
			    "not running";
			return [
				el("span", null, el("span", { class: "dot " +
				    cls }), d.name),
				{ v: what, cls: "muted" },
				{ v: d.running ? "up " + HGW.dur(d.uptime) : "",
				    cls: "num sec" }
			];
		}, "", 3);
	}

	/* Shown only when something is wrong, worst first (webd's order). */
	function alerts(list) {
		var ul = HGW.clear(HGW.$("alert-list"));
		(list || []).forEach(function (a) {
			ul.appendChild(el("li", { class: a.level },
			    el("span", { class: "dot " + a.level }), a.text));
		});
		HGW.$("alerts").classList.toggle("hidden",
		    ul.childNodes.length === 0);
		/* The card's edge takes the colour of the worst. */
		HGW.$("alerts").classList.toggle("warn", !(list || []).some(
		    function (a) { return a.level === "bad"; }));
	}

	function addresses(s) {
		var dl = HGW.clear(HGW.$("addresses"));
		var seen = {};
		(s.addresses || []).forEach(function (a) {
			seen[a.role] = true;
			dl.appendChild(el("dt", null, a.role.toUpperCase()));
			/* webd's words, as homegwctl status says them. */
			dl.appendChild(el("dd", null, (a.text || a.address +
			    "/" + a.plen + " on " + a.ifname) + " ",
			    HGW.badge(a.state, HGW.stateClass(a.state))));
		});
		var c = s.configured || {};
		if (!seen.lan && c.lan) {
			dl.appendChild(el("dt", null, "LAN"));
			dl.appendChild(el("dd", null, c.lan.address + "/" +
			    c.lan.plen + " on " + c.lan.interface + " ",
			    HGW.badge("configured")));
		}
		if (!seen.wan && c.wan && c.wan.interface) {
			dl.appendChild(el("dt", null, "WAN"));
			dl.appendChild(el("dd", null, (c.wan.address ?
			    c.wan.address + "/" + c.wan.plen : "dynamic") +
			    " on " + c.wan.interface + " ",
			    HGW.badge("configured")));
		}
	}

	function conntrack(ct) {
		HGW.$("ct-count").textContent = HGW.num(ct.count);
		var bar = HGW.$("ct-bar"), pct = 0;
		if (ct.max) {
			pct = Math.min(100, ct.count / ct.max * 100);
			HGW.$("ct-max").textContent = "of " + HGW.num(ct.max) +
			    " the kernel can track";
			HGW.$("ct-pct").textContent = pct.toFixed(1) + "%";
		} else {
			HGW.$("ct-max").textContent = "limit not known yet";
			HGW.$("ct-pct").textContent = "";
		}
		if (ct.catching_up)
			HGW.$("ct-max").textContent += "; catching up after " +
			    "a burst (natd is reading the table again)";
		bar.firstElementChild.style.width = pct + "%";
		bar.className = "bar" + (pct > 90 ? " bad" : pct > 70 ?
		    " warn" : "");
	}

	function dns(d) {
		HGW.$("dns-ratio").textContent = HGW.hitRatio(d);
		HGW.$("dns-detail").textContent = HGW.hitDetail(d);
	}

	function counts(c) {
		var dl = HGW.clear(HGW.$("counts"));
		[["Static hosts", c.hosts, "/hosts"],
		    ["Neighbours", c.neighbours, "/arp"],
		    ["Stations seen", c.stations, "/arp"],
		    ["Events (24 h)", c.events_24h, "/arp"],
		    ["DNS log entries", c.dns_log, "/dns"],
		    ["Port forwards", c.forwards, null]].forEach(function (r) {
			dl.appendChild(el("dt", null, r[0]));
			dl.appendChild(el("dd", null, r[2] ? el("a",
			    { href: r[2] }, HGW.num(r[1])) : HGW.num(r[1])));
		});
		if (c.failed_logins_1h === undefined)
			return;
		dl.appendChild(el("dt", null, "Failed logins (1 h)"));
		dl.appendChild(el("dd", { id: "failed-logins" },
		    HGW.num(c.failed_logins_1h) + (c.failed_logins_top ?
		    ", most from " + c.failed_logins_top : "")));
	}

	/* natd's input policy: whether it guards the WAN, drops by reason. */
	var reasonLabel = { policy: "Policy", lan_dst: "LAN address",
	    spoofed_src: "Spoofed source", invalid: "Invalid",
	    ping_limit: "Ping limit" };

	function wanInput(w) {
		var dl = HGW.clear(HGW.$("wan-reasons"));
		if (!w)
			return;
		HGW.$("wan-dropped").textContent = HGW.num(w.total) +
		    " dropped";
		HGW.$("wan-guard").textContent = w.guarded === true ?
		    "closed to the WAN side except what you opened" :
		    w.guarded === false ? "nothing guards the WAN side" :
		    "not known: natd has not said, or there is no WAN";
		HGW.$("wan-input").classList.toggle("bad", w.guarded === false);
		/* Most first, as in homegwctl status. */
		var d = w.dropped || {};
		Object.keys(d).sort(function (a, b) {
			return d[b] - d[a];
		}).forEach(function (k) {
			dl.appendChild(el("dt", null, reasonLabel[k] || k));
			dl.appendChild(el("dd", null, HGW.num(d[k])));
		});
	}

	function refresh() {
		return HGW.api("status").then(function (s) {
			alerts(s.alerts);
			daemons(s.daemons);
			addresses(s);
			conntrack(s.conntrack);
			ctNow = [s.now, s.conntrack.count];
			connChart();
			dns(s.dns);
			counts(s.counts);
			wanInput(s.wan_input);
			HGW.status("Updated " + HGW.time(s.now));
		});
	}

	/*
	 * Connections over time: the kernel's count at the end of each
	 * history interval, then the live count shown above it, so the
	 * line ends at that number; redrawn at every refresh.
	 */
	var ctNow = null, ctHist = null;

	function connChart() {
		if (ctHist === null)
			return;
		var iv = ctHist.interval;
		var conn = ctHist.rows.map(function (r) {
			return [r.time + iv, r.connections];
		});
		if (ctNow) {
			conn = conn.filter(function (p) {
				return p[0] < ctNow[0];
			});
			conn.push(ctNow);
		}
		HGW.chart(HGW.$("chart-conn"), [{ points: conn }],
		    { area: true, label: "connections tracked",
		    yLabel: "connections", step: iv });
	}

	/*
	 * Each history row counts its interval and is plotted at the
	 * interval's end; connections are the kernel's count at that end,
	 * the figure shown above the chart, whose live value ends the line.
	 */
	function charts() {
		var t = HGW.api("history/traffic").then(function (h) {
			var rows = h.rows.slice().reverse(), iv = h.interval;
			/* chart-wan: wanLive(), from the 10 s samples. */
			ctHist = { rows: rows, interval: iv };
			connChart();
		});
		/* dnsd's answers per minute: the same definitions as above. */
		var d = HGW.api("dns/series").then(function (h) {
			var rows = h.rows, st = h.step;
			HGW.chart(HGW.$("chart-dns"), [
			    { points: rows.map(function (r) {
				return [r.time + st, r.queries]; }) },
			    { points: [] },
			    { points: rows.map(function (r) {
				return [r.time + st, r.cache]; }) }],
			    { label: "DNS queries", yLabel: "per minute",
			    step: st });
			HGW.chart(HGW.$("chart-ratio"), [{ points:
			    rows.filter(function (r) {
				return r.cache + r.misses > 0;
			}).map(function (r) {
				return [r.time + st,
				    r.cache / (r.cache + r.misses) * 100];
			}) }], { max: 100, area: true, label: "hit ratio",
			    yLabel: "% from cache", step: st,
			    format: function (v) { return v + " %"; } });
		});
		return Promise.all([t, d]);
	}

	/*
	 * The gateway's own health and the live WAN throughput, from
	 * addrd's 10 s samples of the interface counters (GET health), so
	 * the chart has points from the first minute on.
	 */
	function bps(v) {
		if (v === null || v === undefined)
			return "\u2013";
		var u = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s"], i = 0;
		while (v >= 1000 && i < u.length - 1) {
			v /= 1000;
			i++;
		}
		return (i === 0 ? Math.round(v) : v.toFixed(v < 10 ? 1 : 0)) +
		    " " + u[i];
	}

	function kv(dl, k, v, id) {
		dl.appendChild(el("dt", null, k));
		dl.appendChild(el("dd", id ? { id: id } : null, v));
	}

	function healthCard(h, thermal) {
		var dl = HGW.clear(HGW.$("health-kv"));
		if (!h) {
			kv(dl, "Health", "no figures from addrd yet");
			return;
		}
		kv(dl, "Up", HGW.dur(h.uptime_s), "health-uptime");
		if (h.load1 !== null)
			kv(dl, "Load", h.load1.toFixed(2) + " " +
			    h.load5.toFixed(2) + " " + h.load15.toFixed(2) +
			    (h.cpus ? " (" + h.cpus + " CPU" +
			    (h.cpus === 1 ? "" : "s") + ")" : ""), "health-load");
		if (h.cpu_busy_pct !== null)
			kv(dl, "CPU busy", h.cpu_busy_pct.toFixed(0) + " %",
			    "health-cpu");
		if (h.mem_total)
			kv(dl, "Memory", HGW.bytes(h.mem_available) +
			    " available of " + HGW.bytes(h.mem_total),
			    "health-mem");
		kv(dl, "Temperature", h.temp_c === null ?
		    "not reported by this hardware" : h.temp_c.toFixed(1) +
		    " \u00b0C" + (h.temp_sensor ? " (" + h.temp_sensor + ")" :
		    ""), "health-temp");
		(thermal || []).forEach(function (z) {
			if (z.type !== h.temp_sensor)
				kv(dl, z.type, z.celsius.toFixed(1) + " \u00b0C");
		});
		if (h.throttled !== null)
			kv(dl, "Throttling", h.throttled_text ?
			    HGW.badge(h.throttled_text, h.throttled & 0xf ?
			    "bad" : "warn") : "none", "health-throttled");
		if (h.disk_total)
			kv(dl, "Storage", HGW.bytes(h.disk_free) + " free of " +
			    HGW.bytes(h.disk_total), "health-disk");
		kv(dl, "Written", h.disk_device === null ||
		    h.disk_written_hour === null ? "unknown (no block device)" :
		    HGW.bytes(h.disk_written_hour) + " per hour to " +
		    h.disk_device, "health-written");
		HGW.$("health").classList.toggle("bad", h.throttled !== null &&
		    (h.throttled & 0xf) !== 0);
	}

	function ifacesTable(list) {
		HGW.fillTable(HGW.$("ifaces"), list, function (i) {
			var up = i.operstate === "up";
			return [
				el("span", null, i.name, i.role ? " " : "",
				    i.role ? HGW.badge(i.role.toUpperCase()) :
				    ""),
				el("span", null, HGW.badge(i.operstate,
				    HGW.stateClass(i.operstate)), i.carrier ===
				    0 && !up ? " no carrier" : ""),
				i.speed_mbps ? i.speed_mbps + " Mbit/s" : "\u2013",
				{ v: i.addresses || "\u2013", cls: "small" },
				{ v: HGW.bytes(i.rx_bytes), cls: "num" },
				{ v: HGW.bytes(i.tx_bytes), cls: "num" },
				{ v: HGW.num(i.rx_errors) + " / " +
				    HGW.num(i.tx_errors), cls: "num" },
				{ v: HGW.num(i.rx_dropped) + " / " +
				    HGW.num(i.tx_dropped), cls: "num" },
				{ v: bps(i.rx_bps) + " / " + bps(i.tx_bps),
				    cls: "num" }
			];
		}, "No interfaces from addrd yet", 9);
	}

	function wanLive(w, list) {
		var now = (list || []).filter(function (i) {
			return i.role === "wan";
		})[0];
		var pts = w ? w.history : [];
		if (now && now.rx_bps !== null) {
			HGW.$("wan-now-rate").textContent = "\u2193 " +
			    bps(now.rx_bps) + "  \u2191 " + bps(now.tx_bps);
			HGW.$("wan-now-detail").textContent = "on " + now.name +
			    ", over the last 10 s";
		}
		HGW.chart(HGW.$("chart-wan"), [
		    { points: pts.map(function (p) {
			return [p.time, p.rx_bps]; }) },
		    { points: pts.map(function (p) {
			return [p.time, p.tx_bps]; }) }],
		    { format: HGW.chart.bits, label: "WAN throughput",
		    yLabel: "bit/s", step: 10,
		    empty: "The first figures come within 20 s of addrd's " +
		    "start (a [wan] interface is needed)." });
	}

	function health() {
		return HGW.api("health").then(function (h) {
			healthCard(h.health, h.thermal);
			ifacesTable(h.interfaces);
			wanLive(h.wan, h.interfaces);
		});
	}

	HGW.poll(health, 10000);
	HGW.poll(refresh, 5000);
	HGW.poll(charts, 60000);
});
