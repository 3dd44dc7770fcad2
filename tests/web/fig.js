/*
 * SPDX-License-Identifier: ISC
 *
 * fig.js: the figures agree and the charts read alike, in headless
 * Chromium over a test webd (driven by fig.test).  The overview, the DNS
 * page, the API and homegwctl (its --json and text output, in the files
 * named by HGW_CTL_JSON and HGW_CTL_TEXT) must give the same DNS hit
 * ratio, query count, default route and connection count; every chart's
 * value ticks are even steps from zero, its time ticks even steps on
 * whole minutes in the browser's own time format (checked in an en-US and
 * a de-DE browser), rates in bit/s, the axes named; a lone sample is
 * drawn.  Prints TAP.
 *
 * usage: node fig.js URL PASSWORD OUTDIR
 */
"use strict";

const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [base, password, outdir] = process.argv.slice(2);
let n = 0;

function ok(cond, what) {
	n++;
	console.log((cond ? "ok " : "not ok ") + n + " - " + what);
}

function note(s) {
	console.log("# " + String(s).replace(/\n/g, "\n# "));
}

async function until(page, fn, arg, timeout) {
	const end = Date.now() + (timeout || 10000);
	for (;;) {
		if (await page.evaluate(fn, arg))
			return true;
		if (Date.now() > end)
			return false;
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function open(locale) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hgw-fig-"));
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: "/usr/bin/chromium",
		headless: true,
		locale: locale,
		timezoneId: "UTC",
		viewport: { width: 1280, height: 900 },
		args: ["--headless", "--no-sandbox", "--disable-gpu",
		    "--no-first-run", "--disable-background-networking",
		    "--disable-component-update", "--disable-sync",
		    "--ignore-certificate-errors-spki-list=" +
		    (process.env.HGW_SPKI || "")],
	});
	const page = await ctx.newPage();
	const errors = [];
	page.on("pageerror", (e) => errors.push(String(e)));
	await page.goto(base + "/login");
	await page.fill("#password", password);
	await page.click("#submit");
	await page.waitForURL((u) => !/\/login/.test(u.pathname));
	return { ctx, page, profile, errors };
}

async function close(b) {
	await b.ctx.close();
	fs.rmSync(b.profile, { recursive: true, force: true });
}

/*
 * Every chart on the page: its value ticks (data-v) and their y, its
 * time ticks (data-t) and their text, the axis labels and tick texts.
 */
function charts() {
	return Array.from(document.querySelectorAll(".chart")).map((c) => {
		const s = c.querySelector("svg");
		if (!s)
			return { id: c.id, empty: c.textContent };
		const v = Array.from(s.querySelectorAll("text.vtick"));
		const t = Array.from(s.querySelectorAll("text.ttick"));
		const y = s.querySelector("text.ylabel");
		return {
			id: c.id,
			v: v.map((e) => Number(e.getAttribute("data-v"))),
			vy: v.map((e) => Number(e.getAttribute("y"))),
			vtext: v.map((e) => e.textContent),
			t: t.map((e) => Number(e.getAttribute("data-t"))),
			tx: t.map((e) => Number(e.getAttribute("x"))),
			ttext: t.map((e) => e.textContent),
			ylabel: y ? y.textContent : null,
			paths: s.querySelectorAll("path[class^=s]").length,
			circles: s.querySelectorAll("circle").length,
		};
	});
}

function even(a) {
	if (a.length < 2)
		return false;
	const d = a[1] - a[0];
	return d > 0 && a.every((x, i) => i === 0 ||
	    Math.abs(a[i] - a[i - 1] - d) <= 1e-6 * Math.max(1, d));
}

function evenPx(a) {
	const d = a[1] - a[0];
	return a.every((x, i) => i === 0 ||
	    Math.abs(a[i] - a[i - 1] - d) < 0.6);
}

function checkCharts(list, where) {
	for (const c of list) {
		if (c.v === undefined) {
			ok(false, where + " " + c.id + " drawn (" + c.empty +
			    ")");
			continue;
		}
		const m = c.v.length > 1 ? c.v[1] - c.v[0] : 0;
		const p = m / Math.pow(10, Math.floor(Math.log10(m)));
		ok(c.v[0] === 0 && even(c.v) && evenPx(c.vy) &&
		    [1, 2, 2.5, 5].some((k) => Math.abs(p - k) < 1e-9),
		    where + " " + c.id + ": value ticks " + c.vtext.join(", ") +
		    " are even steps of 1/2/2.5/5 x 10^n from 0");
		ok(c.t.length >= 2 && even(c.t) && evenPx(c.tx) &&
		    c.t.every((t) => t % 60 === 0),
		    where + " " + c.id + ": time ticks " + c.ttext.join(", ") +
		    " are even steps on whole minutes");
		ok(!!c.ylabel, where + " " + c.id + ": value axis named (" +
		    c.ylabel + ")");
	}
}

async function main() {
	fs.mkdirSync(outdir, { recursive: true });
	const ctlJson = JSON.parse(fs.readFileSync(process.env.HGW_CTL_JSON,
	    "utf8"));
	const ctlText = fs.readFileSync(process.env.HGW_CTL_TEXT, "utf8");
	let b = await open("en-US");
	try {
		const page = b.page;
		const api = await page.evaluate(() => fetch("/api/v1/status")
		    .then((r) => r.json()));
		const dnsApi = await page.evaluate(() => fetch("/api/v1/dns")
		    .then((r) => r.json()));

		/* One hit ratio: the API, homegwctl (both outputs), 2 pages. */
		const pct = (api.dns.hit_ratio * 100).toFixed(1) + " %";
		await page.goto(base + "/");
		await until(page, () => document.getElementById("dns-ratio")
		    .textContent !== "\u2013");
		const ov = await page.textContent("#dns-ratio");
		const ovDetail = await page.textContent("#dns-detail");
		await page.goto(base + "/dns");
		await until(page, () => document.getElementById("ratio")
		    .textContent !== "\u2013");
		const dp = await page.textContent("#ratio");
		const dpDetail = await page.textContent("#ratio-detail");
		note("API " + pct + ", overview " + ov + ", DNS page " + dp +
		    ", homegwctl --json " + ctlJson.dns.hit_ratio);
		ok(ov === pct && dp === pct && ctlJson.dns.hit_ratio ===
		    api.dns.hit_ratio &&
		    dnsApi.hit_ratio === api.dns.hit_ratio &&
		    ctlText.includes("DNS: " + pct +
		    " answered from the cache"),
		    "the DNS hit ratio is the same everywhere (" + pct + ")");
		ok(Math.abs(api.dns.hit_ratio - api.dns.cache_hits /
		    (api.dns.cache_hits + api.dns.cache_misses)) < 1e-6 &&
		    api.dns.lookups === api.dns.cache_hits +
		    api.dns.cache_misses, "and it is hits / (hits + misses)");
		ok(ovDetail === dpDetail && ovDetail.includes(
		    "answered from the cache") && ovDetail.includes(
		    "names outside the LAN"), "both pages say what it means (" +
		    ovDetail + ")");
		const fmt = (x) => Number(x).toLocaleString("en-US");
		ok(ovDetail.includes(fmt(api.dns.queries) +
		    " queries in all") &&
		    ctlJson.dns.queries === api.dns.queries &&
		    ctlText.includes(api.dns.queries + " queries)"),
		    "the query count agrees (" + api.dns.queries + ")");
		/* The raw counters are a click away, the words in front. */
		const raw = await page.isVisible("#counters");
		await page.click("details.raw summary");
		const rawQ = await page.evaluate(() => Array.from(document
		    .querySelectorAll("#counters dt")).find((d) =>
		    d.textContent === "queries").nextSibling.textContent);
		const words = await page.textContent("#counter-groups");
		ok(!raw && rawQ === fmt(dnsApi.counters.queries) &&
		    words.includes("How answers were made") &&
		    words.includes("What failed") &&
		    words.includes("What was dropped, and why") &&
		    words.includes("Answered from the cache"),
		    "DNS counters grouped in words, raw ones behind a click");
		await until(page, () => !!document.querySelector(
		    "#chart-series svg"));
		const series = await page.evaluate(charts);
		const sc = series.find((c) => c.id === "chart-series");
		ok(sc && sc.paths === 6 && (await page.textContent(
		    "#chart-series .legend")).includes("from the cache"),
		    "the DNS page charts six series of queries over time");
		checkCharts(series, "DNS page");
		await page.screenshot({ path: path.join(outdir,
		    "fig-dns.png"), fullPage: true });

		/* The route in words, as homegwctl says it. */
		await page.goto(base + "/");
		await page.waitForSelector("#addresses dd");
		const addrs = await page.textContent("#addresses");
		const route = api.addresses.find((a) => a.role === "route");
		ok(route && route.text === "default via 203.0.113.1 on wan0" &&
		    addrs.includes(route.text) && !addrs.includes("/0") &&
		    ctlText.includes(route.text) && ctlJson.addresses.some(
		    (a) => a.role === "route" && a.text === route.text),
		    "the default route reads \"" + (route && route.text) +
		    "\" on the overview, in the API and in homegwctl status");

		/* Connections: the number and the end of its chart agree. */
		const ct = await page.textContent("#ct-count");
		ok(ct === fmt(api.conntrack.count), "connections: overview " +
		    ct + " = API " + api.conntrack.count);
		await until(page, () => document.querySelectorAll(
		    ".chart svg").length >= 4, null, 15000);
		const last = await page.evaluate(() => {
			const s = document.querySelector("#chart-conn svg");
			const v = Array.from(s.querySelectorAll("text.vtick"));
			const d = s.querySelector("path.s1").getAttribute("d");
			const m = d.match(/([\d.]+) ([\d.]+)$/);
			/* Each tick's text sits 3 px below its grid line. */
			const v0 = Number(v[0].getAttribute("data-v"));
			const y0 = Number(v[0].getAttribute("y")) - 3;
			const v1 = Number(v[1].getAttribute("data-v"));
			const y1 = Number(v[1].getAttribute("y")) - 3;
			return v0 + (Number(m[2]) - y0) * (v1 - v0) / (y1 - y0);
		});
		ok(Math.abs(last - api.conntrack.count) <=
		    api.conntrack.count * 0.01 + 1, "the connections chart " +
		    "ends at that number (" + Math.round(last) + ")");
		const ov2 = await page.evaluate(charts);
		checkCharts(ov2, "overview");
		const wan = ov2.find((c) => c.id === "chart-wan");
		ok(wan && wan.ylabel === "bit/s" && wan.vtext.slice(1).every(
		    (t) => / [kMGT]?bit\/s$/.test(t)), "WAN throughput in " +
		    "bit/s (" + (wan ? wan.vtext.join(", ") : "") + ")");
		await page.screenshot({ path: path.join(outdir,
		    "fig-overview.png"), fullPage: true });

		/* The host page's traffic: a rate too, in the same unit. */
		await page.goto(base + "/host?h=lan1");
		await until(page, () => !!document.querySelector(
		    "#chart svg"), null, 10000);
		const host = (await page.evaluate(charts))
		    .find((c) => c.id === "chart");
		ok(host && host.ylabel === "bit/s" && host.vtext.slice(1)
		    .every((t) => / [kMGT]?bit\/s$/.test(t)),
		    "the host page's traffic is in bit/s too (" +
		    (host ? host.vtext.join(", ") : "") + ")");

		/* natd lost events and is resyncing: the NAT page says so. */
		const ctApi = await page.evaluate(() => fetch(
		    "/api/v1/conntrack?limit=1").then((r) => r.json()));
		await page.goto(base + "/nat");
		const banner = await until(page, () => /Catching up/.test(
		    document.getElementById("incomplete-text").textContent) &&
		    !document.getElementById("incomplete").classList
		    .contains("hidden"), null, 10000);
		ok(ctApi.catching_up === true && api.conntrack.catching_up ===
		    true && banner, "natd catching up after a burst: the API " +
		    "and the NAT page say so");
		await page.goto(base + "/host?h=lan1");

		/* A lone sample: drawn, not "No history yet". */
		const lone = await page.evaluate(() => {
			const d = document.createElement("div");
			d.className = "chart";
			document.body.appendChild(d);
			HGW.chart(d, [{ points: [[1700000400, 5e6]] }],
			    { format: HGW.chart.bits, yLabel: "bit/s",
			    step: 300 });
			return { c: d.querySelectorAll("circle").length,
			    t: d.textContent };
		});
		ok(lone.c === 1 && !/No/.test(lone.t),
		    "a single sample is drawn as a point");

		/* en-US: 12-hour clock in charts, times and the log. */
		const us = ov2.find((c) => c.id === "chart-wan").ttext;
		ok(us.every((t) => /^\d\d:\d\d [AP]M$/.test(t)),
		    "en-US charts label time in its 12-hour format (" +
		    us.join(", ") + ")");
		await page.goto(base + "/dns");
		await page.waitForSelector("#log tr td");
		const logT = await page.textContent("#log tr td");
		ok(/^\d\d:\d\d:\d\d [AP]M$/.test(logT) ||
		    /^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d [AP]M$/.test(logT),
		    "and its DNS log times alike (" + logT + ")");
		/* Phone width, light and dark: the charts fit, artifacts. */
		await page.setViewportSize({ width: 390, height: 844 });
		for (const scheme of ["light", "dark"]) {
			await page.emulateMedia({ colorScheme: scheme });
			for (const [name, url] of [["overview", "/"],
			    ["dns", "/dns"]]) {
				await page.goto(base + url);
				await until(page, () => document
				    .querySelectorAll(".chart svg").length >=
				    1, null, 10000);
				const wide = await page.evaluate(() =>
				    Array.from(document.querySelectorAll(
				    ".chart svg")).every((s) =>
				    s.getBoundingClientRect().right <=
				    window.innerWidth + 1));
				ok(wide, "phone " + scheme + " " + name +
				    ": every chart fits the width");
				await page.screenshot({ path: path.join(
				    outdir, "fig-phone-" + scheme + "-" +
				    name + ".png"), fullPage: true });
			}
		}
		await page.setViewportSize({ width: 1280, height: 900 });
		await page.emulateMedia({ colorScheme: "dark" });
		await page.goto(base + "/dns");
		await until(page, () => !!document.querySelector(
		    "#chart-series svg"), null, 10000);
		await page.screenshot({ path: path.join(outdir,
		    "fig-dark-dns.png"), fullPage: true });
		ok(b.errors.length === 0, "no page errors (" +
		    b.errors.join("; ") + ")");
	} finally {
		await close(b);
	}

	/* de-DE: the same pages in 24-hour time. */
	b = await open("de-DE");
	try {
		const page = b.page;
		await page.goto(base + "/");
		await until(page, () => document.querySelectorAll(
		    ".chart svg").length >= 4, null, 15000);
		const de = (await page.evaluate(charts)).find((c) =>
		    c.id === "chart-wan").ttext;
		ok(de.every((t) => /^\d\d:\d\d$/.test(t)),
		    "de-DE charts label time in 24-hour time (" +
		    de.join(", ") + ")");
		const upd = await page.textContent("#status");
		ok(/Updated \d\d:\d\d:\d\d$/.test(upd), "and the page's " +
		    "update time alike (" + upd + ")");
		await page.goto(base + "/nat");
		await until(page, () => /Updated/.test(document
		    .getElementById("status").textContent), null, 10000);
		const nat = await page.textContent("#status");
		ok(/Updated \d\d:\d\d:\d\d$/.test(nat),
		    "the NAT page uses the same format (" + nat + ")");
	} finally {
		await close(b);
	}
	console.log("1.." + n);
}

main().catch((e) => {
	ok(false, "fig.js ran: " + e.stack);
	console.log("1.." + n);
});
