/*
 * SPDX-License-Identifier: ISC
 *
 * common.js: what every page shares.  Loaded in <head> so the theme is
 * set before the first paint; the rest waits for the DOM.  Owns the API
 * calls (session, CSRF token, redirect to the login page on 401), the
 * theme switch, polling that pauses while the tab is hidden, and small
 * formatting and DOM helpers.  Data is always put into the page with
 * textContent, never as HTML.
 */
"use strict";

var HGW = (function () {
	var theme = null;
	try {
		theme = localStorage.getItem("hgw-theme");
	} catch (e) {
		theme = null;
	}
	if (theme === "dark" || theme === "light")
		document.documentElement.dataset.theme = theme;

	var session = null;

	function el(tag, attrs) {
		var e = document.createElement(tag), i, c, k;
		if (attrs) {
			for (k in attrs) {
				if (!Object.prototype.hasOwnProperty.call(attrs, k))
					continue;
				if (k === "text")
					e.textContent = attrs[k];
				else if (k === "class")
					e.className = attrs[k];
				else if (k === "title")
					e.title = attrs[k];
				else
					e.setAttribute(k, attrs[k]);
			}
		}
		for (i = 2; i < arguments.length; i++) {
			c = arguments[i];
			if (c === null || c === undefined)
				continue;
			if (typeof c === "string" || typeof c === "number")
				c = document.createTextNode(String(c));
			e.appendChild(c);
		}
		return e;
	}

	function $(id) {
		return document.getElementById(id);
	}

	function clear(node) {
		while (node.firstChild)
			node.removeChild(node.firstChild);
		return node;
	}

	function loginRedirect() {
		var next = location.pathname + location.search;
		location.href = "/login?next=" + encodeURIComponent(next);
	}

	function api(path, opts) {
		opts = opts || {};
		var init = { credentials: "same-origin", headers: {} };
		if (opts.method === "POST") {
			init.method = "POST";
			init.headers["Content-Type"] = "application/json";
			init.headers["X-CSRF-Token"] =
			    session && session.csrf ? session.csrf : "";
			init.body = JSON.stringify(opts.body || {});
		}
		return fetch("/api/v1/" + path, init).then(function (r) {
			if (r.status === 401 && !opts.noRedirect) {
				loginRedirect();
				throw new Error("login required");
			}
			return r.json().then(function (j) {
				if (!r.ok) {
					var err = new Error(j.error || r.statusText);
					err.status = r.status;
					err.retryAfter = j.retry_after;
					throw err;
				}
				return j;
			});
		});
	}

	function loadSession() {
		return api("session", { noRedirect: true }).then(function (s) {
			session = s;
			return s;
		});
	}

	function logout() {
		api("logout", { method: "POST" }).then(function () {
			location.href = "/login";
		}, function () {
			location.href = "/login";
		});
	}

	function setTheme(t) {
		var root = document.documentElement;
		if (t === "dark" || t === "light")
			root.dataset.theme = t;
		else
			delete root.dataset.theme;
		try {
			if (t)
				localStorage.setItem("hgw-theme", t);
			else
				localStorage.removeItem("hgw-theme");
		} catch (e) {
			/* Private mode: the choice lasts for this page only. */
		}
		themeLabel();
	}

	function currentTheme() {
		var t = document.documentElement.dataset.theme;
		if (t)
			return t;
		return window.matchMedia &&
		    window.matchMedia("(prefers-color-scheme: dark)").matches ?
		    "dark" : "light";
	}

	function themeLabel() {
		var b = $("theme");
		if (b)
			b.textContent = currentTheme() === "dark" ?
			    "\u263C Light" : "\u263E Dark";
	}

	/*
	 * Run fn now and every ms while the page is visible; a hidden tab
	 * stops polling and catches up at once when shown again.
	 */
	function poll(fn, ms) {
		var timer = null, busy = false, stopped = false;
		function tick() {
			timer = null;
			if (document.hidden || stopped)
				return;
			if (busy) {
				schedule();
				return;
			}
			busy = true;
			Promise.resolve().then(fn).catch(function (e) {
				status("Update failed: " + e.message, true);
			}).then(function () {
				busy = false;
				schedule();
			});
		}
		function schedule() {
			if (timer === null && !document.hidden && !stopped)
				timer = setTimeout(tick, ms);
		}
		document.addEventListener("visibilitychange", function () {
			if (document.hidden) {
				if (timer !== null)
					clearTimeout(timer);
				timer = null;
			} else if (timer === null) {
				tick();
			}
		});
		tick();
		return {
			stop: function () {
				stopped = true;
				if (timer !== null)
					clearTimeout(timer);
				timer = null;
			},
			start: function () {
				stopped = false;
				if (timer === null)
					tick();
			},
			now: function () {
				if (timer !== null)
					clearTimeout(timer);
				timer = null;
				tick();
			}
		};
	}

	function status(msg, bad) {
		var s = $("status");
		if (!s)
			return;
		s.textContent = msg || "";
		s.className = "small " + (bad ? "error" : "muted");
	}

	function bytes(n) {
		if (n === null || n === undefined)
			return "\u2013";
		var u = ["B", "KB", "MB", "GB", "TB"], i = 0;
		n = Number(n);
		while (Math.abs(n) >= 1000 && i < u.length - 1) {
			n /= 1000;
			i++;
		}
		return (i === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) +
		    " " + u[i];
	}

	function num(n) {
		if (n === null || n === undefined)
			return "\u2013";
		return Number(n).toLocaleString("en-US");
	}

	function dur(s) {
		if (s === null || s === undefined)
			return "\u2013";
		s = Math.max(0, Math.floor(s));
		if (s < 60)
			return s + "s";
		if (s < 3600)
			return Math.floor(s / 60) + "m " + (s % 60) + "s";
		if (s < 86400)
			return Math.floor(s / 3600) + "h " +
			    Math.floor(s % 3600 / 60) + "m";
		return Math.floor(s / 86400) + "d " +
		    Math.floor(s % 86400 / 3600) + "h";
	}

	function pad(n) {
		return n < 10 ? "0" + n : String(n);
	}

	/*
	 * One time format on every page: the browser's locale, so 24-hour
	 * where the locale uses it ("20:45:41", "8:45:41 PM" in en-US),
	 * with the date in front when it is not today.  Charts use clock().
	 */
	var fmtTime = new Intl.DateTimeFormat(undefined, { hour: "2-digit",
	    minute: "2-digit", second: "2-digit" });
	var fmtClock = new Intl.DateTimeFormat(undefined, { hour: "2-digit",
	    minute: "2-digit" });
	var fmtDate = new Intl.DateTimeFormat(undefined, { year: "numeric",
	    month: "2-digit", day: "2-digit" });

	function time(t) {
		if (!t)
			return "\u2013";
		var d = new Date(t * 1000), now = new Date();
		if (d.toDateString() === now.toDateString())
			return fmtTime.format(d);
		return fmtDate.format(d) + " " + fmtTime.format(d);
	}

	function clock(t) {
		return fmtClock.format(new Date(t * 1000));
	}

	/*
	 * The DNS hit ratio as webd defines it (common/figures.c, the same
	 * as homegwctl status): of the queries for names outside the LAN,
	 * the share answered from the cache.
	 */
	function hitRatio(d) {
		if (!d || d.hit_ratio === null || d.hit_ratio === undefined)
			return "\u2013";
		return (d.hit_ratio * 100).toFixed(1) + " %";
	}

	function hitDetail(d) {
		if (!d || d.queries === null || d.queries === undefined)
			return "no figures from dnsd yet";
		return "answered from the cache: " + num(d.cache_hits) +
		    " of " + num(d.lookups) + " queries for names outside " +
		    "the LAN (" + num(d.queries) + " queries in all)";
	}

	function ago(t) {
		if (!t)
			return "\u2013";
		return dur(Date.now() / 1000 - t) + " ago";
	}

	/* A link to the host page for a name or an address. */
	function hostLink(key, label) {
		if (!key)
			return document.createTextNode("\u2013");
		return el("a", { href: "/host?h=" + encodeURIComponent(key),
		    class: "hostlink" }, label || key);
	}

	function endpoint(addr, port) {
		if (!port)
			return addr;
		return (addr.indexOf(":") >= 0 ? "[" + addr + "]" : addr) +
		    ":" + port;
	}

	function badge(text, cls) {
		return el("span", { class: "badge " + (cls || "") }, text);
	}

	function stateClass(s) {
		s = String(s || "").toUpperCase();
		if (s === "ESTABLISHED" || s === "REACHABLE" ||
		    s === "PERMANENT" || s === "UP" || s === "ACTIVE")
			return "ok";
		if (s === "TIME_WAIT" || s === "STALE" || s === "DELAY" ||
		    s === "PROBE" || s === "FIN_WAIT" || s === "CLOSE_WAIT" ||
		    s === "LAST_ACK" || s === "PROBING" || s === "WAITING")
			return "warn";
		if (s === "FAILED" || s === "CLOSE" || s === "DOWN" ||
		    s === "CONFLICT" || s === "INCOMPLETE")
			return "bad";
		return "";
	}

	/*
	 * The name the LAN host looked up for a flow's destination (dnsd's
	 * answers), as a table cell; a dash when it asked none.
	 */
	function dstName(c) {
		return c.dst_name ? { v: c.dst_name, cls: "dname",
		    title: c.dst_name } : { v: "\u2013", cls: "dname muted" };
	}

	/* Fill a tbody from rows; cells(row) returns an array of cells. */
	function fillTable(tbody, rows, cells, empty, ncols) {
		clear(tbody);
		if (!rows || rows.length === 0) {
			tbody.appendChild(el("tr", null, el("td", {
			    class: "empty", colspan: String(ncols || 1) },
			    empty || "Nothing here yet")));
			return;
		}
		rows.forEach(function (r) {
			var tr = el("tr");
			cells(r).forEach(function (c) {
				var td;
				if (c instanceof Node) {
					td = el("td", null, c);
				} else if (c && typeof c === "object" &&
				    "v" in c) {
					td = el("td", { class: c.cls || "" });
					if (c.v instanceof Node)
						td.appendChild(c.v);
					else
						td.textContent = c.v === null ||
						    c.v === undefined ?
						    "\u2013" : String(c.v);
					if (c.title)
						td.title = c.title;
				} else {
					td = el("td", null, c === null ||
					    c === undefined ? "\u2013" :
					    String(c));
				}
				tr.appendChild(td);
			});
			tbody.appendChild(tr);
		});
	}

	function query(name) {
		return new URLSearchParams(location.search).get(name);
	}

	/*
	 * Page start: mark the current tab, wire the header buttons, make
	 * sure we are logged in, then run the page's own init.
	 */
	function start(init) {
		document.addEventListener("DOMContentLoaded", function () {
			var path = location.pathname.replace(/\.html$/, "");
			if (path === "/index" )
				path = "/";
			document.querySelectorAll("nav.tabs a").forEach(
			    function (a) {
				if (a.getAttribute("href") === path)
					a.classList.add("active");
			});
			var t = $("theme");
			if (t) {
				themeLabel();
				t.addEventListener("click", function () {
					setTheme(currentTheme() === "dark" ?
					    "light" : "dark");
				});
				t.addEventListener("contextmenu", function (ev) {
					ev.preventDefault();
					setTheme(null);
				});
			}
			var lo = $("logout");
			loadSession().then(function (s) {
				if (s.password && !s.authenticated) {
					loginRedirect();
					return;
				}
				if (lo) {
					if (s.password)
						lo.addEventListener("click",
						    logout);
					else
						lo.classList.add("hidden");
				}
				var g = $("gwname");
				if (g && s.gateway)
					g.textContent = s.gateway;
				init();
			}, function (e) {
				status("Cannot reach the gateway: " + e.message,
				    true);
			});
		});
	}

	return {
		el: el, $: $, clear: clear, api: api, poll: poll,
		status: status, bytes: bytes, num: num, dur: dur, time: time,
		clock: clock, hitRatio: hitRatio, hitDetail: hitDetail,
		ago: ago, hostLink: hostLink, endpoint: endpoint, badge: badge,
		stateClass: stateClass, fillTable: fillTable, query: query,
		start: start, loadSession: loadSession, setTheme: setTheme,
		session: function () { return session; },
		dstName: dstName
	};
}());

/*
 * The owner's friendly label of a host ([host] label), as a span after
 * its name; text only, so any markup in it shows as typed.  Nothing
 * when the host has none.
 */
HGW.label = function (text) {
	if (!text)
		return null;
	return HGW.el("span", { class: "hostlabel" }, text);
};

/* A host link followed by its label, in one cell. */
HGW.hostCell = function (key, label, text) {
	return HGW.el("span", null, HGW.hostLink(key, text), label ? " " : null,
	    HGW.label(label));
};
