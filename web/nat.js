/*
 * SPDX-License-Identifier: ISC
 *
 * nat.js: the NAT page: the conntrack mirror, filtered, sorted and paged
 * by webd (never the whole table), refreshed every few seconds while
 * "Live" is on and the tab is visible.  Filters live in the URL, so a
 * view can be linked (the host page links here with ?host=).
 */
"use strict";

HGW.start(function () {
	var el = HGW.el, $ = HGW.$;
	var st = { sort: "bytes", order: "desc", offset: 0 };
	var fields = ["host", "proto", "port", "state", "q", "name"];
	var params = new URLSearchParams(location.search), poller;

	fields.forEach(function (f) {
		if (params.get(f))
			$("f-" + f).value = params.get(f);
	});
	if (params.get("sort"))
		st.sort = params.get("sort");
	if (params.get("order") === "asc")
		st.order = "asc";
	if (params.get("limit"))
		$("f-limit").value = params.get("limit");

	function url() {
		var p = new URLSearchParams();
		fields.forEach(function (f) {
			var v = $("f-" + f).value.trim();
			if (v)
				p.set(f, v);
		});
		p.set("sort", st.sort);
		p.set("order", st.order);
		p.set("limit", $("f-limit").value);
		var shown = p.toString();
		history.replaceState(null, "", "/nat?" + shown);
		p.set("offset", st.offset);
		return "conntrack?" + p.toString();
	}

	function headers() {
		document.querySelectorAll("#ct th.sort").forEach(function (th) {
			th.classList.remove("asc", "desc");
			if (th.dataset.sort === st.sort)
				th.classList.add(st.order);
		});
	}

	/* The reply goes to another address or port: the flow was NATed. */
	function natted(c) {
		return c.reply_dst !== c.orig_src ||
		    c.reply_dport !== c.orig_sport;
	}

	function load() {
		return HGW.api(url()).then(function (r) {
			HGW.fillTable($("rows"), r.rows, function (c) {
				var host = c.host ? HGW.hostCell(c.host,
				    c.label) : HGW.hostLink(c.orig_src);
				return [
					host,
					{ v: c.proto, cls: "sec" },
					{ v: el("span", { class: "mono" },
					    HGW.endpoint(c.orig_src,
					    c.orig_sport)), cls: "sec" },
					{ v: el("span", { class: "mono" },
					    HGW.endpoint(c.orig_dst,
					    c.orig_dport)) },
					HGW.dstName(c),
					{ v: natted(c) ? HGW.endpoint(c.reply_dst,
					    c.reply_dport) : "not translated",
					    cls: natted(c) ? "mono sec" :
					    "muted sec" },
					c.tcp_state ? HGW.badge(c.tcp_state,
					    HGW.stateClass(c.tcp_state)) :
					    el("span", { class: "muted small" },
					    c.proto),
					{ v: HGW.dur(c.age), cls: "num sec" },
					{ v: HGW.bytes(c.orig_bytes),
					    cls: "num sec" },
					{ v: HGW.bytes(c.reply_bytes),
					    cls: "num sec" },
					{ v: HGW.num(c.orig_packets) + " / " +
					    HGW.num(c.reply_packets),
					    cls: "num sec" }
				];
			}, r.total ? "" : "No connections match", 11);
			var end = r.offset + r.count;
			$("range").textContent = r.total ? (r.offset + 1) +
			    "–" + end + " of " + HGW.num(r.total) :
			    "0 of 0";
			$("prev").disabled = r.offset === 0;
			$("next").disabled = end >= r.total;
			$("summary").textContent = HGW.num(r.table_rows) +
			    " tracked" + (r.max ? " of " + HGW.num(r.max) : "");
			/* natd's mirror is full: say the list is not all. */
			$("incomplete").classList.toggle("hidden",
			    !r.incomplete && !r.catching_up);
			$("incomplete-text").textContent = r.incomplete ?
			    "This table is incomplete: the NAT mirror is full " +
			    "(max_flows " + HGW.num(r.mirror_max) + ")" +
			    (r.not_shown ? ", " + HGW.num(r.not_shown) +
			    " connections are not shown" : "") +
			    ". The kernel still handles them all." :
			    catchingUp(r);
			headers();
			HGW.status("Updated " + HGW.time(Date.now() / 1000));
		});
	}

	/* natd lost events in a burst and is reading the table again. */
	function catchingUp(r) {
		return r.catching_up ? "Catching up: a burst of new " +
		    "connections came faster than natd could follow; it is " +
		    "reading the kernel's table again, so this list may be " +
		    "short for a second or two." : "";
	}

	document.querySelectorAll("#ct th.sort").forEach(function (th) {
		th.addEventListener("click", function () {
			var k = th.dataset.sort;
			if (st.sort === k)
				st.order = st.order === "desc" ? "asc" : "desc";
			else {
				st.sort = k;
				st.order = k === "host" || k === "proto" ||
				    k === "src" || k === "dst" ||
				    k === "state" || k === "nat" ? "asc" :
				    "desc";
			}
			st.offset = 0;
			poller.now();
		});
	});
	var typing = null;
	$("filters").addEventListener("input", function () {
		if (typing)
			clearTimeout(typing);
		typing = setTimeout(function () {
			st.offset = 0;
			poller.now();
		}, 300);
	});
	$("filters").addEventListener("submit", function (ev) {
		ev.preventDefault();
	});
	$("prev").addEventListener("click", function () {
		st.offset = Math.max(0, st.offset - Number($("f-limit").value));
		poller.now();
	});
	$("next").addEventListener("click", function () {
		st.offset += Number($("f-limit").value);
		poller.now();
	});
	$("live").addEventListener("change", function () {
		if ($("live").checked)
			poller.start();
		else
			poller.stop();
	});
	headers();
	poller = HGW.poll(load, 3000);
});
