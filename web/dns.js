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
	var el = HGW.el, $ = HGW.$, cursor = 0, hosts = {}, logPoll;

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
			    link ? HGW.hostLink(r[label], r.host ?
			    r.host + " (" + r[label] + ")" : r[label]) :
			    r[label]));
			box.appendChild(el("div", { class: "num" },
			    HGW.num(r.queries)));
			var fill = el("div");
			fill.style.width = (r.queries / max * 100) + "%";
			box.appendChild(el("div", { class: "track" }, fill));
		});
	}

	function figures() {
		return HGW.api("dns").then(function (d) {
			$("ratio").textContent = d.hit_ratio === null ? "–" :
			    (d.hit_ratio * 100).toFixed(1) + "%";
			$("ratio-detail").textContent = d.queries === null ?
			    "no figures from dnsd yet" :
			    HGW.num(d.cache_hits) + " of " +
			    HGW.num(d.queries) + " answered from cache";
			var dl = HGW.clear($("counters"));
			Object.keys(d.counters).forEach(function (k) {
				dl.appendChild(el("dt", null,
				    k.replace(/_/g, " ")));
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
			if (first)
				HGW.clear(tb);
			r.rows.slice().reverse().forEach(function (q) {
				var rc = DNS_RCODES[q.rcode] || String(q.rcode);
				var tr = el("tr", first ? null :
				    { class: "fresh" },
				    el("td", null, HGW.time(Math.floor(
				    q.time_ms / 1000))),
				    el("td", null, HGW.hostLink(q.client,
				    hosts[q.client] || q.client)),
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
	logPoll = HGW.poll(log, 2000);
});
