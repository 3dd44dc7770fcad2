/*
 * SPDX-License-Identifier: ISC
 *
 * charts.js: small line charts drawn as SVG, no library.  A chart is a
 * container element and up to six series of [time, value] points; it
 * redraws itself when the window is resized.
 *
 * Every chart reads the same way: value ticks at even steps of 1, 2, 2.5
 * or 5 times a power of ten, starting at zero; time ticks on whole local
 * minutes or hours at an even step, labelled in the browser's own time
 * format (HGW.clock); the value axis named with its unit (opts.yLabel),
 * rates always in bit/s (HGW.chart.bits).  A single point is drawn as a
 * point, so a chart shows something from the first sample on.
 *
 * opts: label (accessible name), yLabel (the value axis' name and unit),
 * format (tick text; default a plain number), max (fixed top), area
 * (fill under the first series), step (seconds one point stands for:
 * the span drawn around a lone point), legend (names of the series),
 * empty (what to say with no points at all).
 */
"use strict";

HGW.chart = (function () {
	var NS = "http://www.w3.org/2000/svg";
	/* Time steps, seconds: each a whole number of minutes or hours. */
	var TSTEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
	    43200, 86400];

	function svg(tag, attrs) {
		var e = document.createElementNS(NS, tag), k;
		for (k in attrs)
			if (Object.prototype.hasOwnProperty.call(attrs, k))
				e.setAttribute(k, attrs[k]);
		return e;
	}

	/* The smallest of 1, 2, 2.5, 5 x 10^n at least v. */
	function niceStep(v) {
		if (!(v > 0))
			return 1;
		var p = Math.pow(10, Math.floor(Math.log10(v)));
		var m = v / p;
		return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 :
		    10) * p;
	}

	/*
	 * Even value ticks from 0 to the top: at most five steps.  Returns
	 * { step, top, ticks }.
	 */
	function valueTicks(vmax, fixed) {
		var top = fixed !== undefined ? fixed : vmax > 0 ? vmax : 1;
		var step = niceStep(top / 4), ticks = [], i;
		if (fixed === undefined)
			top = Math.ceil(top / step - 1e-9) * step;
		else
			while (top / step > 5 + 1e-9)
				step = niceStep(step * 1.01);
		for (i = 0; i * step <= top + step * 1e-9; i++)
			ticks.push(Number((i * step).toPrecision(12)));
		return { step: step, top: top, ticks: ticks };
	}

	/* Seconds east of UTC at time t (the browser's zone). */
	function tzoff(t) {
		return -new Date(t * 1000).getTimezoneOffset() * 60;
	}

	/* Time ticks on whole local minutes/hours, at most n of them. */
	function timeTicks(tmin, tmax, n) {
		var span = tmax - tmin, step = TSTEPS[TSTEPS.length - 1], i;
		var out = [], t;
		for (i = 0; i < TSTEPS.length; i++)
			if (span / TSTEPS[i] <= n) {
				step = TSTEPS[i];
				break;
			}
		t = Math.ceil((tmin + tzoff(tmin)) / step) * step - tzoff(tmin);
		for (; t <= tmax; t += step)
			out.push(t);
		return { step: step, ticks: out };
	}

	function legend(box, names) {
		var d = HGW.el("div", { class: "legend" });
		names.forEach(function (n, i) {
			if (n)
				d.appendChild(HGW.el("span", null,
				    HGW.el("i", { class: "k" + (i + 1) }), n));
		});
		box.appendChild(d);
	}

	function draw(box, series, opts) {
		var W = Math.max(box.clientWidth || 600, 200), H = 170;
		var L = 64, R = 10, T = 8, B = 30;
		var tmin = Infinity, tmax = -Infinity, vmax = 0, npts = 0;
		var s = svg("svg", { viewBox: "0 0 " + W + " " + H,
		    role: "img", "aria-label": opts.label || "chart" });
		series.forEach(function (se) {
			se.points.forEach(function (p) {
				if (p[0] < tmin) tmin = p[0];
				if (p[0] > tmax) tmax = p[0];
				if (p[1] > vmax) vmax = p[1];
				npts++;
			});
		});
		HGW.clear(box);
		if (opts.legend)
			legend(box, opts.legend);
		if (npts === 0) {
			box.appendChild(HGW.el("p",
			    { class: "muted small empty" },
			    opts.empty || "No figures yet."));
			return;
		}
		/* A lone point: the span it stands for, ending at it. */
		if (tmin === tmax)
			tmin = tmax - (opts.step || 300);
		var vt = valueTicks(vmax, opts.max), vtop = vt.top;
		var tt = timeTicks(tmin, tmax, Math.max(2,
		    Math.min(6, Math.floor((W - L - R) / 70))));
		function x(t) {
			return L + (t - tmin) / (tmax - tmin) * (W - L - R);
		}
		function y(v) {
			return T + (1 - v / vtop) * (H - T - B);
		}
		var fmt = opts.format || HGW.num;
		s.setAttribute("data-vstep", vt.step);
		s.setAttribute("data-tstep", tt.step);
		vt.ticks.forEach(function (v, i) {
			s.appendChild(svg("line", { class: i ? "grid" : "axis",
			    x1: L, x2: W - R, y1: y(v), y2: y(v) }));
			var tx = svg("text", { x: L - 4, y: y(v) + 3,
			    "text-anchor": "end", class: "vtick",
			    "data-v": v });
			tx.textContent = fmt(v);
			s.appendChild(tx);
		});
		tt.ticks.forEach(function (t) {
			s.appendChild(svg("line", { class: "grid",
			    x1: x(t), x2: x(t), y1: T, y2: H - B }));
			var lx = svg("text", { x: x(t), y: H - B + 12,
			    "text-anchor": "middle", class: "ttick",
			    "data-t": t });
			lx.textContent = HGW.clock(t);
			s.appendChild(lx);
		});
		/* The axes' names: the value's unit, and whose clock. */
		if (opts.yLabel) {
			var yl = svg("text", { class: "ylabel", x: 0, y: 0,
			    transform: "translate(10 " + (T + (H - T - B) / 2) +
			    ") rotate(-90)", "text-anchor": "middle" });
			yl.textContent = opts.yLabel;
			s.appendChild(yl);
		}
		var xl = svg("text", { class: "xlabel", x: W - R, y: H - 3,
		    "text-anchor": "end" });
		xl.textContent = "time (this browser's clock)";
		s.appendChild(xl);
		series.forEach(function (se, n) {
			if (se.points.length === 0)
				return;
			if (se.points.length === 1) {
				var p0 = se.points[0];
				s.appendChild(svg("circle", {
				    class: "p" + (n + 1),
				    cx: x(p0[0]).toFixed(1),
				    cy: y(Math.min(p0[1], vtop)).toFixed(1),
				    r: 3 }));
				return;
			}
			var d = se.points.map(function (p, k) {
				return (k ? "L" : "M") + x(p[0]).toFixed(1) +
				    " " + y(Math.min(p[1], vtop)).toFixed(1);
			}).join(" ");
			if (n === 0 && opts.area) {
				var first = se.points[0][0];
				var last = se.points[se.points.length - 1][0];
				s.appendChild(svg("path", { class: "a1",
				    d: d + " L" + x(last).toFixed(1) + " " +
				    y(0) + " L" + x(first).toFixed(1) + " " +
				    y(0) + " Z" }));
			}
			s.appendChild(svg("path", { class: "s" + (n + 1),
			    d: d }));
		});
		box.appendChild(s);
	}

	/* Draw series into box now and again on every resize. */
	function chart(box, series, opts) {
		opts = opts || {};
		draw(box, series, opts);
		if (box.hgwResize)
			window.removeEventListener("resize", box.hgwResize);
		box.hgwResize = function () {
			draw(box, series, opts);
		};
		window.addEventListener("resize", box.hgwResize);
	}

	/* A rate in bits per second, the one unit of every rate chart. */
	chart.bits = function (v) {
		var u = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
		var i = 0;
		v = Number(v);
		while (Math.abs(v) >= 1000 && i < u.length - 1) {
			v /= 1000;
			i++;
		}
		return Number(v.toPrecision(3)) + " " + u[i];
	};

	/*
	 * Rows counting bytes per interval (history/traffic) as bit/s,
	 * each plotted at its interval's end: rows oldest first, key the
	 * byte column, interval the seconds a row covers.
	 */
	chart.rate = function (rows, key, interval) {
		return rows.map(function (r) {
			return [r.time + interval, r[key] * 8 / interval];
		});
	};

	chart.niceStep = niceStep;
	return chart;
}());
