/*
 * SPDX-License-Identifier: ISC
 *
 * health.js: in the lab, from a LAN host's namespace, the overview's
 * health card, interfaces card and live WAN throughput chart as a browser
 * sees them, within the first minute after addrd started; and a host's
 * friendly label (UTF-8, with markup in it) shown as text on the pages.
 * Prints TAP lines (no plan: the caller counts).
 *
 * usage: node health.js URL PASSWORD OUTDIR DEADLINE_MS [LABEL_HOST [PAGES]]
 *   DEADLINE_MS: epoch milliseconds by which the chart must be drawn.
 *   PAGES: comma-separated pages to look for the label on besides
 *   /hosts, /arp and the host's own (e.g. "/nat?host=lan1,/dns").
 */
"use strict";

const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [base, password, outdir, deadline, labelHost, more] =
    process.argv.slice(2);
let failed = 0;

function ok(cond, what) {
	if (!cond)
		failed++;
	console.log((cond ? "ok" : "not ok") + " - " + what);
}

/* Poll a predicate with evaluate: the page's CSP forbids string eval. */
async function until(page, fn, arg, timeout) {
	const end = Date.now() + timeout;
	for (;;) {
		if (await page.evaluate(fn, arg))
			return true;
		if (Date.now() > end)
			return false;
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function main() {
	fs.mkdirSync(outdir, { recursive: true });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hgw-health-"));
	const args = ["--headless", "--no-sandbox", "--disable-gpu",
	    "--disable-quic", "--no-first-run",
	    "--disable-background-networking", "--disable-component-update",
	    "--disable-sync"];
	if (process.env.HGW_SPKI)
		args.push("--ignore-certificate-errors-spki-list=" +
		    process.env.HGW_SPKI);
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: "/usr/bin/chromium",
		headless: true,
		viewport: { width: 1280, height: 900 },
		args: args,
	});
	const errors = [];
	try {
		const page = await ctx.newPage();
		page.on("console", (m) => {
			if (m.type() === "error")
				errors.push(m.text());
		});
		page.on("pageerror", (e) => errors.push(String(e)));
		await page.goto(base + "/login");
		await page.fill("#password", password);
		await page.click("#submit");
		await page.waitForURL((u) => !/\/login/.test(u.pathname));
		await page.goto(base + "/");

		ok(await until(page, () => {
			const m = document.getElementById("health-mem");
			return m && / available of /.test(m.textContent);
		}, null, 30000), "health card: memory available of total");
		const card = await page.evaluate(() => ({
			load: (document.getElementById("health-load") || {})
			    .textContent,
			temp: (document.getElementById("health-temp") || {})
			    .textContent,
			up: (document.getElementById("health-uptime") || {})
			    .textContent,
			disk: (document.getElementById("health-disk") || {})
			    .textContent,
		}));
		console.log("# card: " + JSON.stringify(card));
		ok(/^\d+\.\d\d \d+\.\d\d \d+\.\d\d/.test(card.load || ""),
		    "health card: three load averages");
		ok(/°C|not reported/.test(card.temp || ""),
		    "health card: a temperature or 'not reported'");
		ok(/ free of /.test(card.disk || ""),
		    "health card: state_dir's free space");
		ok(await until(page, () => Array.from(document
		    .querySelectorAll("#ifaces tr")).some((tr) =>
		    /^wan0 WAN/.test(tr.children[0].textContent) &&
		    /up/.test(tr.children[1].textContent)), null, 20000),
		    "interfaces card: wan0, the WAN, up");

		/*
		 * The live chart: two series drawn from 10 s samples, with
		 * at least two points each, in bit/s, before the deadline.
		 */
		const drawn = await until(page, () => {
			const p = document.querySelector("#chart-wan path.s2");
			return p && (p.getAttribute("d").match(/L/g) || [])
			    .length >= 1;
		}, null, Math.max(1000, Number(deadline) - Date.now()));
		ok(drawn, "WAN throughput chart drawn within a minute of start");
		/* The page redraws every 10 s: the flow shows by the deadline. */
		await until(page, () => Array.from(document.querySelectorAll(
		    "#chart-wan svg text")).some((t) => /Mbit\/s$/.test(
		    t.textContent)), null, Math.max(1000, Number(deadline) -
		    Date.now()));
		const chart = await page.evaluate(() => {
			const s = document.querySelector("#chart-wan svg");
			if (!s)
				return null;
			return {
				points: (s.querySelector("path.s1")
				    .getAttribute("d").match(/[ML]/g) || []).length,
				ticks: Array.from(s.querySelectorAll("text"))
				    .map((t) => t.textContent),
				now: document.getElementById("wan-now-rate")
				    .textContent,
			};
		});
		console.log("# chart: " + JSON.stringify(chart));
		ok(chart && chart.points >= 2, "the chart has two or more points");
		/* Value ticks: numbers without a clock time's colon. */
		const vt = chart ? chart.ticks.filter((t) => /^\d/.test(t) &&
		    !/\d:\d/.test(t)) : [];
		ok(vt.length >= 2 && vt.every((t) => /bit\/s$/.test(t)),
		    "its value axis is in bit/s");
		ok(chart && /\d.*bit\/s.*\d.*bit\/s/.test(chart.now),
		    "the WAN-now figure shows in and out in bit/s");
		ok(chart && /Mbit\/s/.test(chart.ticks.join(" ")),
		    "the iperf3 flow's Mbit/s are on the chart within the minute");
		await page.screenshot({ path: path.join(outdir,
		    "health-overview.png"), fullPage: true });

		if (labelHost) {
			const pages = ["/hosts", "/arp", "/host?h=" + labelHost]
			    .concat(more ? more.split(",") : []);
			for (const u of pages) {
				await page.goto(base + u);
				const seen = await until(page, () => Array.from(
				    document.querySelectorAll(".hostlabel"))
				    .some((e) => e.textContent ===
				    "<script>alert(1)</script> büro-pc"),
				    null, 15000);
				ok(seen, u + ": the UTF-8 label with markup " +
				    "shown as text");
				ok(await page.evaluate(() => Array.from(document
				    .querySelectorAll(".hostlabel")).every((e) =>
				    e.children.length === 0)),
				    u + ": no element made from the label");
			}
		}
		/*
		 * A phone, dark: the cards stack, the interfaces table scrolls
		 * inside its card instead of widening the page.
		 */
		await page.setViewportSize({ width: 390, height: 844 });
		await page.emulateMedia({ colorScheme: "dark" });
		await page.goto(base + "/");
		await until(page, () => document.querySelectorAll(
		    "#ifaces tr td").length > 1, null, 15000);
		ok(await page.evaluate(() =>
		    document.documentElement.scrollWidth <= window.innerWidth),
		    "phone: the overview is no wider than the screen");
		await page.screenshot({ path: path.join(outdir,
		    "health-overview-phone-dark.png"), fullPage: true });
		await page.setViewportSize({ width: 1280, height: 900 });
		await page.emulateMedia({ colorScheme: "light" });

		/* The ARP page's WAN side: the upstream router and its MAC. */
		await page.goto(base + "/arp");
		ok(await until(page, () => Array.from(document
		    .querySelectorAll("#upstream tr")).some((tr) =>
		    tr.children.length > 2 &&
		    /upstream router/.test(tr.children[1].textContent) &&
		    /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(
		    tr.children[2].textContent)), null, 20000),
		    "ARP page: the upstream router with its MAC");
		await page.screenshot({ path: path.join(outdir,
		    "health-arp.png"), fullPage: true });

		if (labelHost) {
			/* arpd's new-station event for the host, with its address. */
			await page.goto(base + "/host?h=" + labelHost);
			ok(await until(page, () => Array.from(document
			    .querySelectorAll("#events li")).some((li) =>
			    /new station .*[0-9a-f:]{17} at \d+\.\d+\.\d+\.\d+/
			    .test(li.textContent)), null, 15000),
			    "host page: the event names its address");
		}
		ok(errors.length === 0, "no console errors");
		errors.forEach((e) => console.log("# " + e));
	} finally {
		await ctx.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
	ok(false, "browser run: " + e.message);
	process.exit(1);
});
