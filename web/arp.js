/*
 * SPDX-License-Identifier: ISC
 *
 * arp.js: the ARP page: the neighbour table with host names and station
 * history, and the event feed, polled with a cursor so each poll brings
 * only new events.
 */
"use strict";

HGW.start(function () {
	var el = HGW.el, $ = HGW.$, cursor = 0, shown = 0, polls = [];
	var kinds = {
		new_station: ["New station", "ok"],
		changed_mac: ["Changed MAC", "warn"],
		flip_flop: ["Flip-flop", "bad"],
		conflict: ["Conflict", "bad"],
		storm: ["ARP storm", "bad"],
		bogon: ["Bogon address", "warn"],
		reserved: ["Reserved address", "warn"]
	};

	/*
	 * Last seen from real activity (the kernel's confirmation or use
	 * of the entry, or traffic natd saw), the station history's time
	 * only when neither is known.
	 */
	function lastSeen(n) {
		var t = n.last_active || n.last_seen || n.updated;
		return { v: HGW.ago(t), cls: "last-seen", title: n.last_active ?
		    "last activity" : "station history" };
	}

	/* The WAN side's neighbours: the upstream router with its MAC. */
	function upstream(list) {
		HGW.fillTable($("upstream"), list, function (u) {
			return [
				{ v: u.address, cls: "mono" },
				u.router ? HGW.badge("upstream router", "ok") :
				    HGW.badge("WAN neighbour"),
				{ v: u.mac, cls: "mono" },
				HGW.badge(u.state, HGW.stateClass(u.state)),
				{ v: u.ifname, cls: "sec" },
				HGW.ago(u.last_active || u.updated)
			];
		}, "No neighbour on the WAN side yet", 6);
	}

	function neighbours() {
		return HGW.api("neighbours").then(function (r) {
			HGW.fillTable($("neigh"), r.neighbours, function (n) {
				return [
					HGW.hostLink(n.address),
					n.host ? HGW.hostCell(n.host, n.label) :
					    "",
					{ v: n.mac, cls: "mono" },
					HGW.badge(n.state,
					    HGW.stateClass(n.state)),
					{ v: n.ifname, cls: "sec" },
					!n.lan ? HGW.badge("not LAN") :
					    n.known ? HGW.badge("known", "ok") :
					    n.host ? HGW.badge("mismatch",
					    "bad") : HGW.badge("unknown",
					    "warn"),
					{ v: HGW.time(n.first_seen),
					    cls: "sec" },
					lastSeen(n)
				];
			}, "No neighbours yet: is arpd running?", 8);
			$("summary").textContent = r.count + " neighbours";
			upstream(r.upstream);
		});
	}

	function events() {
		var first = cursor === 0;
		return HGW.api("events?limit=100&since=" + cursor).then(
		    function (r) {
			var ul = $("events");
			if (first)
				HGW.clear(ul);
			/* Newest first: insert the batch above the old ones. */
			r.events.slice().reverse().forEach(function (e) {
				var k = kinds[e.kind] || [e.kind, ""];
				var li = el("li", first ? null :
				    { class: "fresh" },
				    el("span", { class: "when" },
				    HGW.time(e.time)),
				    HGW.badge(k[0], k[1]), " ",
				    e.address ? HGW.hostLink(e.address) : "",
				    e.mac_old || e.mac_new ? el("span",
				    { class: "mono small" }, " " +
				    (e.mac_old ? e.mac_old + " \u2192 " : "") +
				    (e.mac_new || "")) : "",
				    e.detail ? el("span", { class: "muted" },
				    " " + e.detail) : "");
				ul.insertBefore(li, ul.firstChild);
				shown++;
			});
			while (ul.children.length > 200)
				ul.removeChild(ul.lastChild);
			if (ul.children.length === 0)
				ul.appendChild(el("li", { class: "muted" },
				    "No events yet."));
			cursor = r.cursor;
			$("ev-count").textContent = shown ? shown +
			    " shown" : "";
		});
	}

	polls.push(HGW.poll(neighbours, 5000));
	polls.push(HGW.poll(events, 5000));
	$("live").addEventListener("change", function () {
		polls.forEach(function (p) {
			if ($("live").checked)
				p.start();
			else
				p.stop();
		});
	});
});
