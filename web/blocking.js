/*
 * SPDX-License-Identifier: ISC
 *
 * blocking.js: the Blocking page: whether blocking is on or paused (with
 * the time left, counted down between polls), pause and resume, the
 * lists with their last update and error, the owner's own allow and
 * deny entries (added and removed here, through POSTs that carry the
 * CSRF token), what was blocked most and for whom, and the blocked
 * share over time.
 */
"use strict";

HGW.start(function () {
	var el = HGW.el, $ = HGW.$, until = 0, skew = 0, figPoll;

	/* The gateway's clock, not the browser's: remaining is the truth. */
	function remaining() {
		return Math.max(0, Math.round(until - Date.now() / 1000 - skew));
	}

	function showPause() {
		var left = remaining();
		$("state").textContent = left > 0 ? "Paused" : "On";
		$("state").className = "big " + (left > 0 ? "warn" : "ok");
		$("state-detail").textContent = left > 0 ?
		    "Blocking resumes in " + HGW.dur(left) + ", at " +
		    HGW.time(until) + " (the gateway's clock)." :
		    "Names on the lists are answered with 0.0.0.0 / ::.";
		$("resume").classList.toggle("hidden", left === 0);
	}

	function setPause(r) {
		until = r.paused_until;
		/* paused_until - remaining is the gateway's "now". */
		skew = r.paused_until > 0 ?
		    (r.paused_until - r.remaining) - Date.now() / 1000 : 0;
		showPause();
	}

	function hbars(box, list, label, link, empty) {
		HGW.clear(box);
		if (!list || !list.length) {
			box.appendChild(el("p", { class: "muted small" }, empty));
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

	function ownRows(d) {
		var rows = (d.own || []).map(function (o) {
			return { name: o.name, kind: o.kind, mine: true };
		});
		(d.config_deny || []).forEach(function (n) {
			rows.push({ name: n, kind: "deny", mine: false });
		});
		(d.config_allow || []).forEach(function (n) {
			rows.push({ name: n, kind: "allow", mine: false });
		});
		HGW.fillTable($("own"), rows, function (o) {
			var rm = o.mine ? el("button", { type: "button",
			    class: "remove", "data-name": o.name,
			    "aria-label": "Remove " + o.name }, "Remove") :
			    el("span", { class: "muted small" },
			    "in homegw.conf");
			return [
				{ v: o.name, cls: "mono" },
				HGW.badge(o.kind === "allow" ? "allowed" :
				    "blocked", o.kind === "allow" ? "ok" :
				    "bad"),
				rm
			];
		}, "No entries of your own yet", 3);
	}

	function figures() {
		return HGW.api("block").then(function (d) {
			setPause(d);
			var lg = d.logged || {};
			$("share").textContent = lg.queries ?
			    (lg.blocked / lg.queries * 100).toFixed(1) + "%" :
			    "–";
			$("share-detail").textContent = lg.queries ?
			    HGW.num(lg.blocked) + " of " + HGW.num(lg.queries) +
			    " logged queries blocked" :
			    "No queries logged yet.";
			if (d.index && d.index.ready === false)
				$("share-detail").textContent +=
				    " The lists are still being loaded: " +
				    "names are answered unblocked meanwhile.";
			HGW.fillTable($("lists"), d.lists, function (l) {
				return [
					{ v: l.name + (l.enabled ? "" :
					    " (off)"), title: l.source },
					{ v: l.source, cls: "mono sec" },
					{ v: HGW.num(l.entries), cls: "num" },
					{ v: l.updated ? HGW.ago(l.updated) :
					    "never", title: (l.updated ?
					    HGW.time(l.updated) : "") +
					    (l.checked ? ", last checked " +
					    HGW.time(l.checked) : "") },
					l.error ? { v: l.error, cls: "error" } :
					    { v: "none", cls: "muted" }
				];
			}, "No [blocklist] in homegw.conf", 5);
			ownRows(d);
			hbars($("top-names"), d.top_names, "name", false,
			    "Nothing blocked yet.");
			hbars($("top-clients"), d.top_clients, "client", true,
			    "Nothing blocked yet.");
			var pts = (d.history || []).filter(function (h) {
				return h.queries > 0;
			}).map(function (h) {
				return [h.time, h.blocked / h.queries * 100];
			});
			HGW.chart($("chart"), [{ points: pts }], { area: true,
			    label: "share of queries blocked, percent",
			    format: function (v) { return v.toFixed(0) + "%"; } });
			$("chart-note").textContent = d.history_source ===
			    "query_log" ? "From the recent query log, in " +
			    "ten-minute steps." : "";
			HGW.status("");
		});
	}

	/* A POST; its failure is said on the page, and resolves to null. */
	function post(path, body) {
		return HGW.api(path, { method: "POST", body: body }).catch(
		    function (e) {
			HGW.status(e.message, true);
			return null;
		});
	}

	$("pause-buttons").addEventListener("click", function (ev) {
		var b = ev.target.closest("button");
		if (!b)
			return;
		if (b.id === "resume") {
			post("block/resume", {}).then(function (r) {
				if (r)
					setPause(r);
			});
			return;
		}
		if (b.dataset.pause)
			post("block/pause", { duration: b.dataset.pause }).then(
			    function (r) {
				if (r)
					setPause(r);
			});
	});

	function own(action) {
		var name = $("own-name").value.trim();
		if (!name) {
			HGW.status("Type a domain name first.", true);
			return;
		}
		post("block/own", { action: action, name: name }).then(
		    function (r) {
			if (!r)
				return;
			/* Keep what was typed meanwhile. */
			if ($("own-name").value.trim() === name)
				$("own-name").value = "";
			ownRows(r);
			HGW.status(r.changed ? (action === "allow" ?
			    name + " is allowed." : name + " is blocked.") :
			    name + " was already there.");
		});
	}

	$("own-form").addEventListener("submit", function (ev) {
		ev.preventDefault();
		own("deny");
	});
	$("own-allow").addEventListener("click", function () {
		own("allow");
	});
	$("own").addEventListener("click", function (ev) {
		var b = ev.target.closest("button.remove");
		if (!b)
			return;
		post("block/own", { action: "remove",
		    name: b.dataset.name }).then(function (r) {
			if (!r)
				return;
			ownRows(r);
			HGW.status(b.dataset.name + " removed.");
		});
	});

	/* The countdown ticks every second; the figures every 10 s. */
	setInterval(showPause, 1000);
	figPoll = HGW.poll(figures, 10000);
	return figPoll;
});
