/*
 * SPDX-License-Identifier: ISC
 *
 * rates.js: what the NAT and host pages share about current rates.  The
 * API gives rates in bytes per second; the pages show them in bit/s, as
 * link speeds are quoted.  A host's history comes as one point per 10 s
 * step that had traffic: fill() puts the zeros of the quiet steps back,
 * and sparkline() draws it small, without axes, for the top talkers.
 */
"use strict";

HGW.rates = (function () {
	var NS = "http://www.w3.org/2000/svg";

	/* Bytes per second as bit/s text: "20.0 Mbit/s". */
	function bps(bytesPerSec) {
		if (bytesPerSec === null || bytesPerSec === undefined)
			return "\u2013";
		var v = Number(bytesPerSec) * 8, i = 0;
		var u = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s"];
		while (v >= 1000 && i < u.length - 1) {
			v /= 1000;
			i++;
		}
		if (v > 0 && v < 0.05)
			return "<0.1 " + u[i];
		return (i === 0 ? Math.round(v) : v.toFixed(v < 10 ? 1 : 0)) +
		    " " + u[i];
	}

	/*
	 * Every step from since to now: [[time, out, in], ...] with zeros
	 * where the series has no point.
	 */
	function fill(series, since, step, now) {
		var at = {}, out = [], t;

		(series || []).forEach(function (p) {
			at[p[0]] = p;
		});
		for (t = since; t <= now - step; t += step)
			out.push(at[t] || [t, 0, 0]);
		return out;
	}

	/* A sparkline of out + in for a filled series, as an SVG element. */
	function sparkline(points, label) {
		var W = 120, H = 24, max = 0, s, d;

		points.forEach(function (p) {
			max = Math.max(max, p[1] + p[2]);
		});
		s = document.createElementNS(NS, "svg");
		s.setAttribute("viewBox", "0 0 " + W + " " + H);
		s.setAttribute("class", "spark");
		s.setAttribute("role", "img");
		s.setAttribute("aria-label", label + ", peak " + bps(max));
		if (points.length < 2)
			return s;
		d = points.map(function (p, k) {
			var x = k / (points.length - 1) * W;
			var y = H - 1 - (max > 0 ? (p[1] + p[2]) / max * (H - 2) :
			    0);
			return (k ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
		}).join(" ");
		var path = document.createElementNS(NS, "path");
		path.setAttribute("d", d);
		s.appendChild(path);
		return s;
	}

	return { bps: bps, fill: fill, sparkline: sparkline };
}());
