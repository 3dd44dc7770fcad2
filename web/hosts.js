/*
 * SPDX-License-Identifier: ISC
 *
 * hosts.js: the Hosts page: the static host table with what ARP sees for
 * each host, the free addresses of the LAN, and a ready [host] section
 * for the next free one.
 */
"use strict";

HGW.start(function () {
	var el = HGW.el, $ = HGW.$;

	function load() {
		return HGW.api("hosts").then(function (r) {
			$("lan").textContent = "LAN " + r.lan.address + "/" +
			    r.lan.plen;
			HGW.fillTable($("hosts"), r.hosts, function (h) {
				return [
					HGW.hostCell(h.name, h.label),
					HGW.hostLink(h.address),
					{ v: h.mac, cls: "mono sec" },
					h.state ? HGW.badge(h.state,
					    HGW.stateClass(h.state)) :
					    HGW.badge("not seen"),
					{ v: h.pin_arp ? "yes" : "no",
					    cls: "sec" },
					{ v: h.mac_mismatch ? el("span", null,
					    HGW.badge("different MAC", "bad"),
					    " " + h.seen_mac) : h.seen_mac ||
					    "", cls: "sec mono" }
				];
			}, "No [host] sections in the config", 6);
			var free = HGW.clear($("free"));
			r.free.forEach(function (a) {
				free.appendChild(el("span", { class: "chip mono" },
				    a));
			});
			$("free-count").textContent = HGW.num(r.free_count) +
			    " free" + (r.free_count > r.free.length ?
			    ", first " + r.free.length + " shown" : "");
			$("snippet").textContent = r.snippet ||
			    "# no free address left in the LAN";
		});
	}

	$("copy").addEventListener("click", function () {
		var text = $("snippet").textContent;
		var done = function () {
			$("copied").textContent = "Copied.";
		};
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(text).then(done,
			    function () {
				$("copied").textContent = "Select and copy " +
				    "the text above.";
			});
		} else {
			var r = document.createRange();
			r.selectNodeContents($("snippet"));
			var s = window.getSelection();
			s.removeAllRanges();
			s.addRange(r);
			$("copied").textContent = "Selected: press Ctrl+C.";
		}
	});
	HGW.poll(load, 15000);
});
