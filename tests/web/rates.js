/*
 * SPDX-License-Identifier: ISC
 *
 * rates.js: the NAT page's rates, sorting and the gateway's own
 * connections in Debian's Chromium (headless, through playwright-core),
 * over the fixture rates.test prepared; also the host page's bandwidth
 * chart.  Desktop (1280 px) and phone (390 px) widths; screenshots into
 * OUTDIR.  Prints TAP.
 *
 * usage: node rates.js URL PASSWORD OUTDIR
 */
"use strict";

const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [base, password, outdir] = process.argv.slice(2);
let n = 0, failed = 0;

function ok(cond, what) {
	n++;
	if (!cond)
		failed++;
	console.log((cond ? "ok " : "not ok ") + n + " - " + what);
}

function note(s) {
	console.log("# " + String(s).replace(/\n/g, "\n# "));
}

/* The page's CSP forbids string predicates: poll with evaluate. */
async function until(page, fn, arg, timeout) {
	const end = Date.now() + (timeout || 10000);
	for (;;) {
		if (await page.evaluate(fn, arg))
			return;
		if (Date.now() > end)
			throw new Error("timed out waiting for " +
			    fn.toString().slice(0, 80));
		await new Promise((r) => setTimeout(r, 100));
	}
}

/* aria-sort of every sortable header, "key=value ...". */
function ariaSorts(page) {
	return page.evaluate(() => Array.from(
	    document.querySelectorAll("#ct th.sort")).filter((th) =>
	    th.getAttribute("aria-sort") !== "none").map((th) =>
	    th.dataset.sort + "=" + th.getAttribute("aria-sort") +
	    (th.classList.contains("asc") || th.classList.contains("desc") ?
	    "+arrow" : "")).join(" "));
}

/* Is the element shown, and inside the viewport's width? */
function onScreen(page, sel) {
	return page.$eval(sel, (e) => {
		const r = e.getBoundingClientRect();
		return getComputedStyle(e).display !== "none" &&
		    r.width > 0 && r.left >= 0 && r.right <= window.innerWidth;
	});
}

/* The rows' cells under the header with data-sort key, as text. */
function column(page, key) {
	return page.evaluate((k) => {
		const ths = Array.from(document.querySelectorAll("#ct th"));
		const i = ths.findIndex((th) => th.dataset.sort === k);
		return Array.from(document.querySelectorAll("#rows tr")).map(
		    (tr) => tr.children[i] ? tr.children[i].textContent : "");
	}, key);
}

async function main() {
	fs.mkdirSync(outdir, { recursive: true });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hgw-chromium-"));
	const args = ["--headless", "--no-sandbox", "--disable-gpu",
	    "--disable-quic", "--no-first-run", "--disable-background-networking",
	    "--disable-component-update", "--disable-sync"];
	if (process.env.HGW_SPKI)
		args.push("--ignore-certificate-errors-spki-list=" +
		    process.env.HGW_SPKI);
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: "/usr/bin/chromium", headless: true,
		viewport: { width: 1280, height: 900 }, args: args,
	});
	const errors = [];
	try {
		const page = await ctx.newPage();
		page.on("console", (m) => {
			if (m.type() === "error")
				errors.push(m.text());
		});
		page.on("pageerror", (e) => errors.push(String(e)));

		await page.goto(base + "/nat");
		await page.waitForURL(/\/login/);
		await page.fill("#password", password);
		await page.click("#submit");
		await page.waitForURL(/\/nat/);
		await page.waitForSelector("#rows tr td a");
		await page.waitForSelector("#top-rows tr td a");

		/* The gateway's own: hidden by default, behind a toggle. */
		ok(!(await page.isChecked("#f-gateway")) &&
		    await page.locator("#rows .gwname").count() === 0,
		    "the gateway's own connections are hidden by default");
		const label = await page.textContent("#gw-label");
		ok(/\(2\)/.test(label), "the toggle says how many there are (" +
		    label + ")");
		/* The default sort: total bytes, marked, its value shown. */
		let marks = await ariaSorts(page);
		ok(marks === "bytes=descending+arrow", "the sorted column is " +
		    "marked with an arrow and aria-sort (" + marks + ")");
		const totals = await column(page, "bytes");
		ok(totals.length > 0 && totals.every((t) => /\d ?[KMGT]?B$/.test(t)),
		    "the Total column shows each row's bytes (" +
		    totals.slice(0, 3).join(", ") + ")");
		await page.check("#f-gateway");
		await until(page, () =>
		    document.querySelectorAll("#rows .gwname").length >= 2);
		const gw = await page.$$eval("#rows .gwname",
		    (e) => e.map((x) => x.textContent + "|" + x.title));
		ok(gw.some((g) => g.startsWith("testgw:443|192.168.50.1:443")) &&
		    gw.some((g) => g.startsWith("testgw:40000|203.0.113.2")),
		    "shown, they lead by bytes and go by the gateway's name (" +
		    gw.join(", ") + ")");
		ok(/gateway=all/.test(page.url()), "the toggle is in the URL");
		await page.screenshot({ path: path.join(outdir,
		    "desktop-nat-gateway.png"), fullPage: true });
		await page.uncheck("#f-gateway");
		await until(page, () =>
		    document.querySelectorAll("#rows .gwname").length === 0);

		/* Sort by rate with the header. */
		await Promise.all([page.waitForResponse((r) =>
		    /conntrack\?.*sort=rate/.test(r.url())),
		    page.click("#ct th[data-sort=rate]")]);
		await page.waitForTimeout(300);
		marks = await ariaSorts(page);
		ok(marks === "rate=descending+arrow",
		    "clicking Rate marks it instead (" + marks + ")");
		const rates = await column(page, "rate");
		ok(rates[0] === "20 Mbit/s", "the busiest flow leads, in " +
		    "bit/s (" + rates.slice(0, 3).join(", ") + ")");
		await page.focus("#ct th[data-sort=rate]");
		await page.keyboard.press("Enter");
		await until(page, () => /order=asc/.test(location.search));
		marks = await ariaSorts(page);
		ok(marks === "rate=ascending+arrow",
		    "Enter on the header turns the order (" + marks + ")");

		/* Top talkers. */
		const top = await page.$$eval("#top-rows tr", (trs) =>
		    trs.map((tr) => Array.from(tr.children).slice(0, 2).map(
		    (td) => td.textContent).join(" ")));
		ok(top[0] === "lan1 20 Mbit/s" && /^lan2 /.test(top[1]),
		    "top talkers: hosts by current rate (" + top.join("; ") +
		    ")");
		const spark = await page.$$eval("#top-rows svg.spark",
		    (s) => s.map((x) => [x.getAttribute("aria-label"),
		    x.querySelector("path") ?
		    x.querySelector("path").getAttribute("d").split("L").length :
		    0]));
		ok(spark.length === 2 && spark.every((s) => s[1] >= 300) &&
		    /peak 17 Mbit\/s/.test(spark[0][0]),
		    "each with a sparkline of its last hour (" +
		    spark.map((s) => s[0] + ", " + s[1] + " points").join("; ") +
		    ")");
		ok(/all hosts: 21 Mbit\/s/.test(
		    await page.textContent("#top-total")),
		    "and the total of all hosts");
		await page.screenshot({ path: path.join(outdir,
		    "desktop-nat-rates.png"), fullPage: true });

		/* The host page's bandwidth chart. */
		await page.goto(base + "/host?h=lan1");
		await page.waitForSelector("#bw-chart svg");
		const bw = await page.evaluate(() => ({
			now: document.getElementById("bw-now").textContent,
			label: document.querySelector("#bw-chart svg")
			    .getAttribute("aria-label"),
			ticks: Array.from(document.querySelectorAll(
			    "#bw-chart svg text")).map((t) => t.textContent),
			paths: document.querySelectorAll("#bw-chart path").length,
		}));
		ok(/now 20 Mbit\/s/.test(bw.now) && /bit\/s/.test(bw.label) &&
		    bw.ticks.some((t) => /Mbit\/s$/.test(t)) && bw.paths >= 2,
		    "host page: live bandwidth chart in bit/s, labelled (" +
		    bw.now + "; " + bw.ticks.slice(0, 5).join(", ") + ")");
		/* Its connections, each with its rate: up and down apart. */
		await until(page, () => document.querySelectorAll("#conns tr td")
		    .length > 1, null, 10000);
		const hostRates = await page.evaluate(() => {
			const head = [...document.getElementById("conns")
			    .closest("table").querySelectorAll("thead th")]
			    .map((t) => t.textContent);
			const k = head.indexOf("Rate");
			return [...document.querySelectorAll("#conns tr")]
			    .map((tr) => tr.children[k])
			    .filter((td) => td && td.textContent === "20 Mbit/s")
			    .map((td) => td.title);
		});
		ok(hostRates.length === 1 &&
		    hostRates[0] === "up 19 Mbit/s, down 800 kbit/s",
		    "host page: the busiest connection at 20 Mbit/s, up and " +
		    "down in its title (" + hostRates.join("; ") + ")");
		await page.screenshot({ path: path.join(outdir,
		    "desktop-host-bandwidth.png"), fullPage: true });

		/* Phone width. */
		const pp = await ctx.newPage();
		pp.on("pageerror", (e) => errors.push(String(e)));
		await pp.setViewportSize({ width: 390, height: 844 });
		await pp.goto(base + "/nat");
		await pp.waitForSelector("#rows tr td a");
		await pp.waitForSelector("#top-rows svg.spark");
		ok(await onScreen(pp, "#top-rows tr:first-child td:nth-child(2)") &&
		    await onScreen(pp, "#top-rows tr:first-child svg.spark"),
		    "on a phone the top talkers show rate and sparkline");
		ok(await onScreen(pp, "#f-sort") && await onScreen(pp, "#f-order"),
		    "on a phone the sort control is there");
		ok(await onScreen(pp, "#ct th[data-sort=rate]") &&
		    await onScreen(pp, "#ct th[data-sort=bytes]") &&
		    await onScreen(pp, "#rows tr td.sorted"),
		    "on a phone the rate and total columns are on screen");
		await Promise.all([pp.waitForResponse((r) =>
		    /conntrack\?.*sort=age/.test(r.url())),
		    pp.selectOption("#f-sort", "age")]);
		await pp.waitForTimeout(300);
		marks = await ariaSorts(pp);
		const ages = await column(pp, "age");
		note("phone columns: " + await pp.evaluate(() => Array.from(
		    document.querySelectorAll("#ct th")).filter((th) =>
		    getComputedStyle(th).display !== "none").map((th) => {
			const r = th.getBoundingClientRect();
			return th.dataset.sort + " " + Math.round(r.left) + "-" +
			    Math.round(r.right);
		    }).join(", ")));
		ok(marks === "age=descending+arrow" &&
		    await onScreen(pp, "#ct th[data-sort=age]") &&
		    await onScreen(pp, "#ct th[data-sort=rate]") &&
		    await onScreen(pp, "#ct th[data-sort=bytes]") &&
		    /\d[smhd]$/.test(ages[0]),
		    "sorting by a hidden column there shows it, marked, with " +
		    "rate and total still on screen (" +
		    marks + ", " + ages.slice(0, 2).join(", ") + ")");
		await pp.click("#f-order");
		await until(pp, () => /order=asc/.test(location.search));
		marks = await ariaSorts(pp);
		ok(marks === "age=ascending+arrow", "the order button turns " +
		    "the order (" + marks + ")");
		ok(await pp.evaluate(() => document.documentElement.scrollWidth <=
		    window.innerWidth + 1),
		    "the page itself does not scroll sideways on a phone");
		await pp.screenshot({ path: path.join(outdir,
		    "phone-nat-rates.png"), fullPage: true });
		await pp.goto(base + "/host?h=lan1");
		await pp.waitForSelector("#bw-chart svg");
		await pp.screenshot({ path: path.join(outdir,
		    "phone-host-bandwidth.png"), fullPage: true });
		await pp.close();
		ok(errors.length === 0, "no console errors");
		errors.forEach(note);
	} finally {
		await ctx.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

main().then(() => {
	console.log("1.." + n);
	process.exit(failed ? 1 : 0);
}, (e) => {
	ok(false, "browser run: " + e.message);
	console.log("1.." + n);
	process.exit(1);
});
