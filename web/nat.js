/*
 * SPDX-License-Identifier: ISC
 *
 * nat.js: the NAT page: the conntrack mirror, filtered, sorted and paged
 * by webd (never the whole table), refreshed every few seconds while
 * "Live" is on and the tab is visible.  Filters live in the URL, so a
 * view can be linked (the host page links here with ?host=).  Above it,
 * the top talkers: LAN hosts by current rate with their last hour.  The
 * gateway's own connections (its page, its DNS...) are left out unless
 * asked for, and go by the gateway's name.  The sorted column is marked
 * (arrow, aria-sort) and stays visible on a phone, where a select and an
 * order button sort as the headers do.
 */
"use strict";

HGW.start(function () {
	var el = HGW.el, $ = HGW.$;
	var st = { sort: "bytes", order: "desc", offset: 0, gateway: false };
	var R = HGW.rates, gwName = "gateway";
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
	if (params.get("gateway") === "all")
		st.gateway = true;
	$("f-gateway").checked = st.gateway;
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
		if (st.gateway)
			p.set("gateway", "all");
		var shown = p.toString();
		if (!st.gateway)
			p.set("gateway", "no");
		history.replaceState(null, "", "/nat?" + shown);
		p.set("offset", st.offset);
		return "conntrack?" + p.toString();
	}

	/*
	 * Mark the sorted column: its header's arrow and aria-sort, the
	 * phone's select and order button, and its cells, which stay
	 * visible on a narrow screen (class "sorted").
	 */
	function headers() {
		var col = -1;
		document.querySelectorAll("#ct th.sort").forEach(function (th,
		    k) {
			var on = th.dataset.sort === st.sort;
			th.classList.remove("asc", "desc", "sorted");
			th.setAttribute("aria-sort", on ? (st.order === "asc" ?
			    "ascending" : "descending") : "none");
			if (on) {
				th.classList.add(st.order, "sorted");
				col = k;
			}
		});
		$("f-sort").value = st.sort;
		$("f-order").textContent = st.order === "asc" ?
		    "\u25B2 ascending" : "\u25BC descending";
		document.querySelectorAll("#rows tr").forEach(function (tr) {
			var td = tr.children[col];
			if (td && tr.children.length > 1)
				td.classList.add("sorted");
		});
	}

	/* The reply goes to another address or port: the flow was NATed. */
	function natted(c) {
		return c.reply_dst !== c.orig_src ||
		    c.reply_dport !== c.orig_sport;
	}

	/*
	 * An endpoint; the gateway's own side of its own connections goes
	 * by the gateway's name (its address in the tooltip).
	 */
	function side(c, addr, port, isGateway) {
		if (isGateway)
			return el("span", { class: "gwname", title:
			    HGW.endpoint(addr, port) }, gwName +
			    (port && c.proto !== "icmp" ? ":" + port : ""));
		return el("span", { class: "mono" }, HGW.endpoint(addr, port));
	}

	/* Which side of a gateway connection is the gateway: 1 src, 2 dst. */
	function gatewaySide(c) {
		if (!c.gateway)
			return 0;
		return c.lan_addr && c.orig_src === c.lan_addr ? 2 : 1;
	}

	function rateCell(c) {
		return { v: R.bps(c.rate), cls: "num", title: "up " +
		    R.bps(c.lan_addr && c.orig_src !== c.lan_addr ?
		    c.rate_reply : c.rate_orig) + ", down " +
		    R.bps(c.lan_addr && c.orig_src !== c.lan_addr ?
		    c.rate_orig : c.rate_reply) };
	}

	function loadTable() {
		return HGW.api(url()).then(function (r) {
			if (r.gateway_name)
				gwName = r.gateway_name;
			HGW.fillTable($("rows"), r.rows, function (c) {
				var gs = gatewaySide(c);
				var host = c.host ? HGW.hostCell(c.host,
				    c.label) : HGW.hostLink(c.orig_src);
				return [
					host,
					{ v: c.proto, cls: "sec" },
					{ v: side(c, c.orig_src, c.orig_sport,
					    gs === 1), cls: "sec" },
					{ v: side(c, c.orig_dst, c.orig_dport,
					    gs === 2) },
					/* On a phone the rate and total win. */
					secondary(HGW.dstName(c)),
					{ v: natted(c) ? HGW.endpoint(c.reply_dst,
					    c.reply_dport) : c.gateway ?
					    "the gateway's own" : "not translated",
					    cls: natted(c) ? "mono sec" :
					    "muted sec" },
					{ v: c.tcp_state ? HGW.badge(c.tcp_state,
					    HGW.stateClass(c.tcp_state)) :
					    el("span", { class: "muted small" },
					    c.proto), cls: "sec" },
					{ v: HGW.dur(c.age), cls: "num sec" },
					{ v: HGW.bytes(c.orig_bytes),
					    cls: "num sec" },
					{ v: HGW.bytes(c.reply_bytes),
					    cls: "num sec" },
					rateCell(c),
					{ v: HGW.bytes(c.bytes), cls: "num" },
					{ v: HGW.num(c.orig_packets) + " / " +
					    HGW.num(c.reply_packets),
					    cls: "num sec" }
				];
			}, r.total ? "" : "No connections match", 13);
			$("gw-label").textContent = "Show the gateway's own (" +
			    HGW.num(r.gateway_rows || 0) + ")";
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
		});
	}

	function secondary(cell) {
		cell.cls += " sec";
		return cell;
	}

	/* natd lost events in a burst and is reading the table again. */
	function catchingUp(r) {
		return r.catching_up ? "Catching up: a burst of new " +
		    "connections came faster than natd could follow; it is " +
		    "reading the kernel's table again, so this list may be " +
		    "short for a second or two." : "";
	}

	/* The top talkers: hosts by current rate, each with its last hour. */
	function loadTop() {
		return HGW.api("top?limit=5").then(function (t) {
			$("top-total").textContent = "all hosts: " +
			    R.bps(t.rate) + " (up " + R.bps(t.rate_out) +
			    ", down " + R.bps(t.rate_in) + ")";
			HGW.fillTable($("top-rows"), t.rows, function (h) {
				var pts = R.fill(h.series, t.since, t.step,
				    t.now);
				return [
					HGW.hostLink(h.host || h.address),
					{ v: R.bps(h.rate), cls: "num" },
					{ v: R.bps(h.rate_out), cls: "num sec" },
					{ v: R.bps(h.rate_in), cls: "num sec" },
					{ v: HGW.num(h.flows), cls: "num sec" },
					R.sparkline(pts, (h.host || h.address) +
					    ", last hour")
				];
			}, "No LAN host has a connection open", 6);
		});
	}

	function load() {
		return Promise.all([loadTable(), loadTop()]).then(function () {
			HGW.status("Updated " + HGW.time(Date.now() / 1000));
		});
	}

	/* Sort by key k: again on the same key turns the order round. */
	function sortBy(k) {
		if (st.sort === k)
			st.order = st.order === "desc" ? "asc" : "desc";
		else {
			st.sort = k;
			st.order = k === "host" || k === "proto" ||
			    k === "src" || k === "dst" ||
			    k === "state" || k === "nat" ? "asc" : "desc";
		}
		st.offset = 0;
		headers();
		poller.now();
	}

	document.querySelectorAll("#ct th.sort").forEach(function (th) {
		th.addEventListener("click", function () {
			sortBy(th.dataset.sort);
		});
		th.addEventListener("keydown", function (ev) {
			if (ev.key === "Enter" || ev.key === " ") {
				ev.preventDefault();
				sortBy(th.dataset.sort);
			}
		});
	});
	$("f-sort").addEventListener("change", function (ev) {
		ev.stopPropagation();
		if ($("f-sort").value !== st.sort)
			sortBy($("f-sort").value);
	});
	$("f-order").addEventListener("click", function () {
		sortBy(st.sort);
	});
	$("f-gateway").addEventListener("change", function (ev) {
		ev.stopPropagation();
		st.gateway = $("f-gateway").checked;
		st.offset = 0;
		poller.now();
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
