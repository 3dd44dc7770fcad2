/*
 * SPDX-License-Identifier: ISC
 *
 * trace.js: the trace view in Chromium over a real trace (driven by
 * trace.test in the lab).  Logs in, presses "Watch live" on a host's
 * page, writes the trace's id to DIR/trace-id for the shell to make the
 * traffic, and checks what the view tells: every step kind, in time
 * order, with its explanation; the layer filter; the shared URL; a phone
 * width.  Prints TAP lines (no plan: the caller counts).
 *
 * usage: node trace.js URL PASSWORD HOST DIR OUTDIR
 */
"use strict";

const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [base, password, host, dir, outdir] = process.argv.slice(2);
let failed = 0;

function chromeArgs(spki) {
	const a = ["--headless", "--no-sandbox", "--disable-gpu",
	    "--disable-quic", "--no-first-run",
	    "--disable-background-networking",
	    "--disable-component-update", "--disable-sync"];
	if (spki)
		a.push("--ignore-certificate-errors-spki-list=" + spki);
	return a;
}

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

/* The words of every step shown, in page order. */
function texts(page) {
	return page.$$eval("#timeline details.step .what",
	    (l) => l.map((e) => e.textContent));
}

async function main() {
	fs.mkdirSync(outdir, { recursive: true });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hgw-trace-"));
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: "/usr/bin/chromium",
		headless: true,
		viewport: { width: 1280, height: 900 },
		colorScheme: "light",
		args: chromeArgs(process.env.HGW_SPKI),
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

		await page.goto(base + "/host?h=" + host);
		await page.waitForSelector("#watch");
		ok(await page.isVisible("#watch"), "the host page has Watch live");
		ok(await page.$$eval("nav.tabs a", (l) => l.some((a) =>
		    a.getAttribute("href") === "/trace")),
		    "the nav links to the trace page");
		await page.click("#watch");
		await page.waitForURL((u) => u.pathname.replace(/\.html$/,
		    "") === "/trace" && u.searchParams.get("id"),
		    { timeout: 15000 });
		const id = new URL(page.url()).searchParams.get("id");
		ok(/^[0-9]+$/.test(id), "Watch live opened the trace view (id " +
		    id + ")");
		fs.writeFileSync(path.join(dir, "trace-id"), id + "\n");
		ok(await until(page, (h) => document.getElementById("title")
		    .textContent.indexOf(h) >= 0, host, 10000),
		    "the view names the traced host");
		ok(await until(page, () => /recording/.test(document
		    .getElementById("ident").textContent), null, 10000),
		    "it says the trace is recording");

		/* The story, live, as the shell makes the traffic. */
		const want = [
		    ["an ARP step: lan1 asked for its gateway, who answered",
			/asked who has 192\.168\.50\.1; the gateway answered/],
		    ["the DNS question and its answer from upstream",
			/asked for www\.example\.test \(A\); answered from upstream 203\.0\.113\.1 in [0-9.]+ ms: 203\.0\.113\.1/],
		    ["the TCP connection with its name and NAT mapping",
			/opened TCP to 203\.0\.113\.1:80 \(www\.example\.test\); NAT maps it to 203\.0\.113\.2:[0-9]+/],
		    ["the handshake", /handshake complete after .*ESTABLISHED/],
		    ["its closing, and who sent the first FIN",
			/the connection closed \((lan1|www\.example\.test) sent the first FIN\): [A-Z_]+/],
		];
		const seen = await until(page, (res) => {
			const t = Array.from(document.querySelectorAll(
			    "#timeline .what")).map((e) => e.textContent);
			return res.every((r) => t.some((x) =>
			    new RegExp(r).test(x)));
		}, want.map((w) => w[1].source), 45000);
		const all = await texts(page);
		for (const [what, re] of want)
			ok(all.some((t) => re.test(t)), "the view shows " + what);
		if (!seen)
			all.forEach((t) => console.log("# step: " + t));
		ok(fs.existsSync(path.join(dir, "traffic-done")),
		    "the shell made its traffic");
		ok(!all.some((t) => /192\.168\.50\.11\b/.test(t)),
		    "lan2's traffic appears nowhere in lan1's trace");

		/* Top-level items in time order; a connection's steps too. */
		const order = await page.$$eval("#timeline > li", (l) =>
		    l.map((li) => Date.parse(li.querySelector("time")
		    .getAttribute("datetime"))));
		ok(order.length > 0 && order.every((t, i) => i === 0 ||
		    order[i - 1] <= t), "steps are in time order (" +
		    order.length + " items)");
		const group = await page.$$eval("#timeline li.group", (l) =>
		    l.map((g) => ({ head: g.querySelector(".group-head")
		    .textContent, n: g.querySelectorAll("details").length })));
		ok(group.some((g) => /^TCP 192\.168\.50\.10:[0-9]+ \u2192 203\.0\.113\.1:80 \u00b7 www\.example\.test$/.test(g.head) && g.n >= 3),
		    "the connection's steps are grouped under it");
		ok(await page.$$eval("#timeline .delta", (l) => l.some((e) =>
		    /^\+/.test(e.textContent))), "each step shows the time " +
		    "since the previous one");

		/* The explanation is a click away. */
		const arp = page.locator("#timeline li:not(.group)[data-layer=arp]", {
		    hasText: "the gateway answered" }).first();
		ok(!(await arp.locator(".explain").isVisible()),
		    "explanations are closed at first");
		await arp.locator("summary").click();
		const ex = arp.locator(".explain");
		ok(await ex.isVisible() && /ARP/.test(await ex.textContent()) &&
		    /MAC/.test(await ex.textContent()),
		    "a click on the ARP step explains ARP");
		const dns = page.locator("#timeline li:not(.group)[data-layer=dns]", {
		    hasText: "www.example.test" }).first();
		await dns.locator("summary").click();
		ok(/DNS/.test(await dns.locator(".explain").textContent()) &&
		    /upstream/.test(await dns.locator(".explain")
		    .textContent()), "the DNS step explains forwarding");
		const tcp = page.locator("#timeline li:not(.group)[data-layer=tcp]", {
		    hasText: "handshake complete" }).first();
		await tcp.locator("summary").click();
		ok(/three-way handshake/.test(await tcp.locator(".explain")
		    .textContent()), "the handshake step explains it");
		/* A live re-render keeps an opened explanation open. */
		await page.waitForTimeout(1500);
		ok(await arp.locator(".explain").isVisible(),
		    "explanations stay open while the view updates");
		await page.evaluate(() => window.scrollTo(0, 0));
		await page.screenshot({ path: path.join(outdir,
		    "trace.png"), fullPage: true });
		fs.copyFileSync(path.join(outdir, "trace.png"),
		    path.join(outdir, "trace-readme.png"));

		/* The layer filter hides a lane and brings it back. */
		const count = (l) => page.locator("#timeline li[data-layer=" +
		    l + "]").count();
		const dnsBefore = await count("dns");
		await page.click("#layers button[data-layer=dns]");
		ok(await count("dns") === 0 && await count("tcp") > 0 &&
		    await page.getAttribute("#layers button[data-layer=dns]",
		    "aria-pressed") === "false",
		    "the DNS filter hides the DNS lane only");
		await page.click("#layers button[data-layer=dns]");
		ok(await count("dns") === dnsBefore, "and shows it again");
		await page.uncheck("#group");
		ok(await page.locator("#timeline li.group").count() === 0 &&
		    await count("tcp") >= 3, "ungrouped, the connection's " +
		    "steps stand in the timeline itself");
		await page.check("#group");

		/* The URL is shareable: a fresh page shows the same story. */
		const p2 = await ctx.newPage();
		await p2.goto(base + "/trace?id=" + id);
		ok(await until(p2, (n) => document.querySelectorAll(
		    "#timeline details").length >= n, all.length, 15000),
		    "the trace's own URL shows the same steps");
		await p2.goto(base + "/trace");
		ok(await until(p2, (i) => Array.from(document.querySelectorAll(
		    "#traces a")).some((a) => a.textContent === "#" + i), id,
		    10000), "the trace page lists the trace");

		/* The names behind addresses on the NAT and host pages. */
		await p2.goto(base + "/nat?host=" + host + "&name=EXAMPLE");
		ok(await until(p2, () => Array.from(document.querySelectorAll(
		    "#rows tr")).some((tr) => tr.children.length > 4 &&
		    /^203\.0\.113\.1:80$/.test(tr.children[3].textContent) &&
		    tr.children[4].textContent === "www.example.test"), null,
		    15000), "the NAT page's Name column and filter name the " +
		    "flow www.example.test");
		ok(await p2.$eval("#f-name", (i) => i.value) === "EXAMPLE",
		    "the name filter is in the NAT page's URL");
		await p2.goto(base + "/host?h=" + host);
		ok(await until(p2, () => Array.from(document.querySelectorAll(
		    "#conns tr")).some((tr) => tr.children.length > 3 &&
		    tr.children[3].textContent === "www.example.test"), null,
		    15000), "the host page names the flow too");
		await p2.close();

		/* A phone: nothing wider than the screen, the words readable. */
		await page.setViewportSize({ width: 390, height: 844 });
		await page.goto(base + "/trace?id=" + id);
		await until(page, () => document.querySelectorAll(
		    "#timeline details").length > 0, null, 15000);
		const fit = await page.evaluate(() => ({
			w: document.documentElement.scrollWidth,
			font: parseFloat(getComputedStyle(document
			    .querySelector("#timeline .what")).fontSize),
			right: Math.max.apply(null, Array.from(document
			    .querySelectorAll("#timeline .what")).map((e) =>
			    e.getBoundingClientRect().right)),
		}));
		ok(fit.w <= 390 && fit.right <= 390 && fit.font >= 12,
		    "readable on a 390 px phone (page " + fit.w + " px, " +
		    "text to " + Math.round(fit.right) + " px, " + fit.font +
		    " px)");
		await page.screenshot({ path: path.join(outdir,
		    "trace-phone.png"), fullPage: true });
		await page.emulateMedia({ colorScheme: "dark" });
		await page.screenshot({ path: path.join(outdir,
		    "trace-phone-dark.png"), fullPage: false });
		ok(await page.evaluate(() => getComputedStyle(document.body)
		    .backgroundColor !== "rgb(244, 246, 248)"),
		    "dark mode follows the system as the other pages do");
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
