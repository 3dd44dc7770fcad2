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
			ctHist = { rows: rows, interval: iv };
			connChart();
			HGW.chart(HGW.$("chart-wan"), [
			    { points: HGW.chart.rate(rows, "bytes_in", iv) },
			    { points: HGW.chart.rate(rows, "bytes_out", iv) }],
			    { format: HGW.chart.bits, label: "WAN throughput",
			    yLabel: "bit/s", step: iv,
			    empty: "The first figures come at the end of the " +
			    "first interval (" + HGW.dur(iv) + ")." });
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

	HGW.poll(refresh, 5000);
	HGW.poll(charts, 60000);
});
