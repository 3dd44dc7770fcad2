/*
 * SPDX-License-Identifier: ISC
 *
 * charts.js: small line charts drawn as SVG, no library.  A chart is a
 * container element and up to three series of [time, value] points; it
 * redraws itself when the window is resized.
 */
"use strict";

HGW.chart = (function () {
	var NS = "http://www.w3.org/2000/svg";

	function svg(tag, attrs) {
		var e = document.createElementNS(NS, tag), k;
		for (k in attrs)
			if (Object.prototype.hasOwnProperty.call(attrs, k))
				e.setAttribute(k, attrs[k]);
		return e;
	}

	function niceMax(v) {
		if (v <= 0)
			return 1;
		var p = Math.pow(10, Math.floor(Math.log10(v)));
		var m = v / p;
		return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
	}

	function hhmm(t) {
		var d = new Date(t * 1000);
		return (d.getHours() < 10 ? "0" : "") + d.getHours() + ":" +
		    (d.getMinutes() < 10 ? "0" : "") + d.getMinutes();
	}

	function draw(box, series, opts) {
		var W = Math.max(box.clientWidth || 600, 200), H = 160;
		var L = 52, R = 8, T = 8, B = 20;
		var tmin = Infinity, tmax = -Infinity, vmax = 0;
		var s = svg("svg", { viewBox: "0 0 " + W + " " + H,
		    role: "img", "aria-label": opts.label || "chart" });
		series.forEach(function (se) {
			se.points.forEach(function (p) {
				if (p[0] < tmin) tmin = p[0];
				if (p[0] > tmax) tmax = p[0];
				if (p[1] > vmax) vmax = p[1];
			});
		});
		HGW.clear(box);
		if (!isFinite(tmin) || tmin === tmax) {
			box.appendChild(HGW.el("p", { class: "muted small" },
			    "No history yet."));
			return;
		}
		vmax = opts.max !== undefined ? opts.max : niceMax(vmax);
		function x(t) {
			return L + (t - tmin) / (tmax - tmin) * (W - L - R);
		}
		function y(v) {
			return T + (1 - v / vmax) * (H - T - B);
		}
		var i, v, fmt = opts.format || HGW.num;
		for (i = 0; i <= 4; i++) {
			v = vmax * i / 4;
			s.appendChild(svg("line", { class: i ? "grid" : "axis",
			    x1: L, x2: W - R, y1: y(v), y2: y(v) }));
			var tx = svg("text", { x: L - 4, y: y(v) + 3,
			    "text-anchor": "end" });
			tx.textContent = fmt(v);
			s.appendChild(tx);
		}
		for (i = 0; i <= 4; i++) {
			var t = tmin + (tmax - tmin) * i / 4;
			var lx = svg("text", { x: x(t), y: H - 5,
			    "text-anchor": i === 0 ? "start" : i === 4 ? "end" :
			    "middle" });
			lx.textContent = hhmm(t);
			s.appendChild(lx);
		}
		series.forEach(function (se, n) {
			if (se.points.length === 0)
				return;
			var d = se.points.map(function (p, k) {
				return (k ? "L" : "M") + x(p[0]).toFixed(1) +
				    " " + y(Math.min(p[1], vmax)).toFixed(1);
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
	return function (box, series, opts) {
		opts = opts || {};
		draw(box, series, opts);
		if (box.hgwResize)
			window.removeEventListener("resize", box.hgwResize);
		box.hgwResize = function () {
			draw(box, series, opts);
		};
		window.addEventListener("resize", box.hgwResize);
	};
}());
