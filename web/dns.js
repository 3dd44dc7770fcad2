/*
 * SPDX-License-Identifier: ISC
 *
 * dns.js: the DNS page: counters, upstream health, top clients and
 * names, and the live query log (polled with a cursor, filtered by
 * webd).
 */
"use strict";

var DNS_TYPES = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR",
    15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 64: "SVCB", 65: "HTTPS",
    255: "ANY" };
var DNS_RCODES = { 0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL",
    3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED" };

HGW.start(function () {
	var el = HGW.el, $ = HGW.$, cursor = 0, hosts = {}, labels = {}, logPoll;

	function hbars(box, list, label, link) {
		HGW.clear(box);
		if (!list.length) {
			box.appendChild(el("p", { class: "muted small" },
			    "No queries logged yet."));
			return;
		}
		var max = list[0].queries || 1;
		list.forEach(function (r) {
			box.appendChild(el("div", { class: "label" },
			    link ? HGW.hostCell(r[label], r.label, r.host ?
			    r.host + " (" + r[label] + ")" : r[label]) :
			    r[label]));
			box.appendChild(el("div", { class: "num" },
			    HGW.num(r.queries)));
			var fill = el("div");
			fill.style.width = (r.queries / max * 100) + "%";
			box.appendChild(el("div", { class: "track" }, fill));
		});
	}

	/*
	 * dnsd's counters in words, grouped: how answers were made, what
	 * failed, what was dropped and why; the raw names stay a click
	 * away (the "Raw counters" list).
	 */
	var GROUPS = [
		["How answers were made", [
			["queries", "Queries received"],
			["cache_hits", "Answered from the cache"],
			["local", "Answered by the gateway itself (LAN " +
			    "names, refusals)"],
			["upstream_answers", "Answered by an upstream server"],
			["stale", "Answered from an expired cache entry " +
			    "while the upstreams failed"],
			["block_blocked", "Blocked by a blocklist"],
			["deduplicated", "Waited for the same question " +
			    "already on its way"],
			["forwarded", "Questions sent to upstream servers"],
			["prefetch", "Popular names refreshed before they " +
			    "expired"]]],
		["What failed", [
			["servfail", "Answered SERVFAIL (no upstream " +
			    "could answer)"],
			["nxdomain", "Names that do not exist (NXDOMAIN)"],
			["upstream_malformed", "Malformed replies from " +
			    "upstreams"],
			["truncated", "Answers too long for UDP (the client " +
			    "retries over TCP)"]]],
		["What was dropped, and why", [
			["dropped_malformed", "Malformed queries from clients"],
			["ratelimited", "Over a client's rate limit"],
			["overload", "Refused: too many questions in flight"],
			["rebind_blocked", "Answers pointing into the LAN, " +
			    "refused (DNS rebinding guard)"],
			["dropped_unwanted", "Replies that matched no " +
			    "question"],
			["query_log_lost", "Query log entries lost (the " +
			    "log could not keep up)"]]]
	];

	function counterGroups(c) {
		var box = HGW.clear($("counter-groups"));
		GROUPS.forEach(function (g) {
			var dl = el("dl", { class: "kv" });
			g[1].forEach(function (k) {
				if (c[k[0]] === undefined)
					return;
				dl.appendChild(el("dt", { title: k[0] }, k[1]));
				dl.appendChild(el("dd", { class: "num",
				    "data-counter": k[0] }, HGW.num(c[k[0]])));
			});
			if (!dl.firstChild)
				return;
			box.appendChild(el("h3", { class: "small" }, g[0]));
			box.appendChild(dl);
		});
		if (!box.firstChild)
			box.appendChild(el("p", { class: "muted small" },
			    "Nothing yet: is dnsd running?"));
	}

	/* dnsd's answers per minute (dns/series), each at its minute's end. */
	var SERIES = [["queries", "queries"], ["cache", "from the cache"],
	    ["local", "local"], ["upstream", "from upstream"],
	    ["failed", "failed"], ["blocked", "blocked"]];

	function series() {
		var range = Number($("f-range").value) || 21600;
		var since = Math.floor(Date.now() / 1000) - range;
		return HGW.api("dns/series?since=" + since).then(function (h) {
			var st = h.step;
			HGW.chart($("chart-series"), SERIES.map(function (k) {
				return { points: h.rows.map(function (r) {
					return [r.time + st, r[k[0]]];
				}) };
			}), { label: "DNS queries over time",
			    yLabel: "per minute", step: st,
			    legend: SERIES.map(function (k) { return k[1]; }),
			    empty: "No figures from dnsd yet: the first " +
			    "minute's come within a few seconds of its " +
			    "start." });
		});
	}

	function figures() {
		return HGW.api("dns").then(function (d) {
			$("ratio").textContent = HGW.hitRatio(d);
			$("ratio-detail").textContent = HGW.hitDetail(d);
			counterGroups(d.counters);
			var dl = HGW.clear($("counters"));
			Object.keys(d.counters).forEach(function (k) {
				dl.appendChild(el("dt", { class: "mono" }, k));
				dl.appendChild(el("dd", { class: "num" },
				    HGW.num(d.counters[k])));
			});
			if (!dl.firstChild)
				dl.appendChild(el("dd", { class: "muted" },
				    "Nothing yet: is dnsd running?"));
			HGW.fillTable($("upstreams"), d.upstreams,
			    function (u) {
				return [
					{ v: u.address, cls: "mono" },
					HGW.badge(u.state,
					    HGW.stateClass(u.state)),
					{ v: HGW.num(u.queries), cls: "num" },
					{ v: HGW.num(u.timeouts),
					    cls: "num sec" },
					{ v: u.latency_ms === null ? "–" :
					    u.latency_ms.toFixed(1) + " ms",
					    cls: "num" }
				];
			}, "No upstreams reported", 5);
			hbars($("top-clients"), d.top_clients, "client", true);
			hbars($("top-names"), d.top_names, "name", false);
		});
	}

	function logUrl() {
		var p = new URLSearchParams();
		p.set("since", cursor);
		p.set("limit", cursor ? 200 : 100);
		["client", "name", "source"].forEach(function (f) {
			var v = $("f-" + f).value.trim();
			if (v)
				p.set(f, v);
		});
		return "dns/log?" + p.toString();
	}

	function log() {
		var first = cursor === 0;
		return HGW.api(logUrl()).then(function (r) {
			var tb = $("log");
			hosts = r.hosts || hosts;
			labels = r.labels || labels;
			if (first)
				HGW.clear(tb);
			r.rows.slice().reverse().forEach(function (q) {
				var rc = DNS_RCODES[q.rcode] || String(q.rcode);
				var tr = el("tr", first ? null :
				    { class: "fresh" },
				    el("td", null, HGW.time(Math.floor(
				    q.time_ms / 1000))),
				    el("td", null, HGW.hostCell(q.client,
				    labels[q.client], hosts[q.client] ||
				    q.client)),
				    el("td", { class: "mono" }, q.name),
				    el("td", null, DNS_TYPES[q.qtype] ||
				    String(q.qtype)),
				    el("td", null, HGW.badge(rc, q.rcode === 0 ?
				    "ok" : q.rcode === 3 ? "warn" : "bad")),
				    el("td", { class: "sec" }, q.blocked_by ?
				    "blocked by " + q.blocked_by : q.source),
				    el("td", { class: "num sec" },
				    (q.latency_us / 1000).toFixed(1) + " ms"));
				tb.insertBefore(tr, tb.firstChild);
			});
			while (tb.children.length > 300)
				tb.removeChild(tb.lastChild);
			if (!tb.children.length)
				tb.appendChild(el("tr", null, el("td",
				    { class: "empty", colspan: "7" },
				    "No queries match")));
			else if (tb.children.length > 1 &&
			    tb.lastChild.firstChild.className === "empty")
				tb.removeChild(tb.lastChild);
			cursor = r.cursor;
		});
	}

	var typing = null;
	$("filters").addEventListener("input", function () {
		if (typing)
			clearTimeout(typing);
		typing = setTimeout(function () {
			cursor = 0;
			logPoll.now();
		}, 300);
	});
	$("filters").addEventListener("submit", function (ev) {
		ev.preventDefault();
	});
	$("live").addEventListener("change", function () {
		if ($("live").checked)
			logPoll.start();
		else
			logPoll.stop();
	});
	HGW.poll(figures, 10000);
	var seriesPoll = HGW.poll(series, 15000);
	$("f-range").addEventListener("change", function () {
		seriesPoll.now();
	});
	$("series-range").addEventListener("submit", function (ev) {
		ev.preventDefault();
	});
	logPoll = HGW.poll(log, 2000);
});
