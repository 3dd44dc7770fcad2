/*
 * SPDX-License-Identifier: ISC
 *
 * browser.js: drive Debian's Chromium (headless, through playwright-core)
 * over the status page served by a test webd: log in, open every page,
 * sort and filter the NAT table, follow a host link, switch to dark mode,
 * check there are no console errors, and save screenshots at desktop and
 * phone widths.  Prints TAP.
 *
 * usage: node browser.js URL PASSWORD OUTDIR
 */
"use strict";

const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [base, password, outdir] = process.argv.slice(2);
let n = 0, failed = 0;

/*
 * Chromium trusts webd's certificate only through its CA's public key
 * (base64 SHA-256 of the SubjectPublicKeyInfo, given in HGW_SPKI): no
 * blanket ignoring of certificate errors, so a certificate that does not
 * chain to that CA fails the run.
 */
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
	n++;
	if (!cond)
		failed++;
	console.log((cond ? "ok " : "not ok ") + n + " - " + what);
}

function note(s) {
	console.log("# " + String(s).replace(/\n/g, "\n# "));
}

const pages = [
	["overview", "/", "#daemons tr"],
	["nat", "/nat", "#rows tr"],
	["arp", "/arp", "#neigh tr"],
	["hosts", "/hosts", "#hosts tr"],
	["dns", "/dns", "#log tr"],
	["host", "/host?h=lan1", "#conns tr"],
	["blocking", "/blocking", "#lists tr"],
	["trace", "/trace", "#traces tr"],
];

/*
 * page.waitForFunction evaluates its predicate from a string, which the
 * page's Content-Security-Policy (rightly) forbids; poll with evaluate.
 */
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

async function watch(page, errors) {
	page.on("console", (m) => {
		if (m.type() === "error")
			errors.push(m.text());
	});
	page.on("pageerror", (e) => errors.push(String(e)));
}

async function main() {
	fs.mkdirSync(outdir, { recursive: true });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hgw-chromium-"));
	/*
	 * A persistent context is how playwright passes --user-data-dir:
	 * a fresh profile directory for every run.
	 */
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: "/usr/bin/chromium",
		headless: true,
		viewport: { width: 1280, height: 900 },
		args: chromeArgs(process.env.HGW_SPKI),
	});
	const errors = [];
	if (base.startsWith("https:")) {
		/* Without the CA's key, Chromium must refuse the page. */
		const p2 = fs.mkdtempSync(path.join(os.tmpdir(), "hgw-chromium-"));
		const bare = await chromium.launchPersistentContext(p2, {
			executablePath: "/usr/bin/chromium", headless: true,
			args: chromeArgs(""),
		});
		let refused = "";
		try {
			await (await bare.newPage()).goto(base + "/login");
		} catch (e) {
			refused = e.message;
		}
		await bare.close();
		fs.rmSync(p2, { recursive: true, force: true });
		ok(/ERR_CERT/.test(refused), "without the CA Chromium refuses " +
		    "the certificate (" + refused.split("\n")[0] + ")");
	}
	try {
		const page = await ctx.newPage();
		await watch(page, errors);

		/* Log in. */
		await page.goto(base + "/nat");
		await page.waitForURL(/\/login/);
		ok(true, "a page without a session goes to the login page");
		await page.fill("#password", "wrong-password");
		await page.click("#submit");
		await until(page, () =>
		    document.getElementById("error").textContent !== "");
		ok((await page.textContent("#error")).includes("Wrong"),
		    "a wrong password is refused");
		/* The 401 above is an expected console error; start over. */
		errors.length = 0;
		await page.fill("#password", password);
		await page.click("#submit");
		await page.waitForURL(/\/nat/);
		ok(true, "login returns to the page asked for");
		ok(!base.startsWith("https:") || await page.evaluate(() =>
		    location.protocol === "https:" && window.isSecureContext),
		    "the page is HTTPS, a secure context, with no certificate " +
		    "error");

		/* Every page, desktop width. */
		for (const [name, url, sel] of pages) {
			await page.goto(base + url);
			await page.waitForSelector(sel);
			await page.waitForTimeout(300);
			const rows = await page.locator(sel).count();
			ok(rows > 0, name + " page shows data (" + rows +
			    " rows)");
			await page.screenshot({ path: path.join(outdir,
			    "desktop-" + name + ".png"), fullPage: true });
		}

		/*
		 * The fixture's natd has been silent for a quarter of an
		 * hour: the overview says so above everything else.
		 */
		await page.goto(base + "/");
		await page.waitForSelector("#alert-list li");
		const alert = await page.textContent("#alert-list");
		ok(await page.isVisible("#alerts") &&
		    alert.includes("homegw-natd has not answered"),
		    "the overview shows what needs attention (" + alert + ")");

		/* natd's input policy: its drops by reason, in a card. */
		await page.waitForSelector("#wan-reasons dt");
		const wan = await page.textContent("#wan-input");
		ok(/1[,.\u202f\u00a0 ]?234 dropped/.test(wan) &&
		    wan.includes("LAN address") && wan.includes("Spoofed source"),
		    "the overview shows the WAN input drops (" + wan + ")");

		/* DNS: a new query shows up in the live log by itself. */
		if (process.env.HGW_INSERT_DNS) {
			await page.goto(base + "/dns");
			await page.waitForSelector("#log tr td a");
			await page.waitForTimeout(500);
			require("child_process").execFileSync("sh",
			    ["-c", process.env.HGW_INSERT_DNS]);
			const live = await until(page, () => Array.from(
			    document.querySelectorAll("#log tr td"))
			    .some((td) => td.textContent ===
			    "live-check.example.test"), null, 15000)
			    .then(() => true, () => false);
			ok(live, "a new DNS query appears in the live log");
			await page.fill("#f-name", "live-check");
			const filtered = await until(page, () => {
				const r = document.querySelectorAll("#log tr");
				return r.length === 1 && r[0].textContent
				    .includes("live-check.example.test");
			}, null, 10000).then(() => true, () => false);
			ok(filtered, "the query log filters by name");
		}

		/* NAT: sort by source, ascending. */
		await page.goto(base + "/nat");
		await page.waitForSelector("#rows tr td a");
		await page.click("th[data-sort=src]");
		await page.waitForSelector("th[data-sort=src].asc");
		await until(page, () =>
		    /sort=src/.test(location.search));
		await page.waitForTimeout(500);
		const srcs = await page.$$eval("#rows tr td:nth-child(3)",
		    (tds) => tds.map((t) => t.textContent.replace(/:\d+$/, "")));
		const sorted = srcs.slice().sort();
		ok(srcs.length > 0 && JSON.stringify(srcs) ===
		    JSON.stringify(sorted), "NAT sorted by source ascending");
		await page.click("th[data-sort=src]");
		await page.waitForSelector("th[data-sort=src].desc");
		ok(true, "a second click sorts descending");

		/* NAT: filter by host and protocol. */
		await page.fill("#f-host", "lan1");
		await page.selectOption("#f-proto", "tcp");
		await until(page, () =>
		    /host=lan1/.test(location.search) &&
		    /proto=tcp/.test(location.search));
		await until(page, () => {
			const r = document.querySelectorAll("#rows tr");
			return r.length > 0 && Array.from(r).every((tr) =>
			    tr.children[0].textContent === "lan1" &&
			    tr.children[1].textContent === "tcp");
		}, null, 10000);
		const range = await page.textContent("#range");
		ok(/of [0-9,]+$/.test(range) && !/50,000/.test(range),
		    "NAT filtered to lan1 tcp (" + range + ")");
		await page.screenshot({ path: path.join(outdir,
		    "desktop-nat-filtered.png") });

		/*
		 * NAT: while natd's mirror holds every connection there is no
		 * banner; once it is full, the page says the table is
		 * incomplete, with the count.
		 */
		ok(!(await page.isVisible("#incomplete")),
		    "no 'incomplete' banner while the mirror holds everything");
		if (process.env.HGW_MIRROR_FULL) {
			const filtered = page.url();

			require("child_process").execFileSync("sh",
			    ["-c", process.env.HGW_MIRROR_FULL]);
			await page.goto(filtered);
			await page.waitForSelector("#incomplete:not(.hidden)",
			    { timeout: 10000 });
			const banner = await page.textContent("#incomplete");
			ok(/incomplete/.test(banner) &&
			    /max_flows 50,000/.test(banner) &&
			    /10,000 connections are not shown/.test(banner),
			    "the NAT page says the table is incomplete (" +
			    banner.trim() + ")");
			await page.screenshot({ path: path.join(outdir,
			    "desktop-nat-incomplete.png") });
			await page.waitForSelector("#rows tr td a");
		}

		/*
		 * Live polling stops while the tab is hidden and resumes when
		 * it is shown.  The page polls every 3 s: none in 7 s hidden.
		 */
		let polls = 0;
		const count = (r) => {
			if (r.url().includes("/api/v1/conntrack"))
				polls++;
		};
		page.on("request", count);
		const setHidden = (h) => page.evaluate((hidden) => {
			Object.defineProperty(document, "hidden",
			    { value: hidden, configurable: true });
			document.dispatchEvent(new Event("visibilitychange"));
		}, h);
		await setHidden(true);
		await page.waitForTimeout(500);
		polls = 0;
		await page.waitForTimeout(7000);
		const hiddenPolls = polls;
		await setHidden(false);
		const resumed = await until(page, () => true, null, 100)
		    .then(async () => {
			const end = Date.now() + 5000;
			while (polls === hiddenPolls && Date.now() < end)
				await new Promise((r) => setTimeout(r, 100));
			return polls > hiddenPolls;
		});
		page.off("request", count);
		ok(hiddenPolls === 0 && resumed, "polling pauses while hidden (" +
		    hiddenPolls + " polls) and resumes when shown");

		/* Follow a host link to the host page. */
		await page.click("#rows tr:first-child td:first-child a");
		await page.waitForURL(/\/host\?h=lan1/);
		await until(page, () =>
		    document.getElementById("title").textContent
		    .includes("lan1"));
		ok(true, "a host link opens that host's page");
		const conns = await page.locator("#conns tr").count();
		const dnsRows = await page.locator("#dns tr").count();
		ok(conns > 0 && dnsRows > 0, "host page shows connections (" +
		    conns + ") and DNS lookups (" + dnsRows + ")");

		/* Dark mode switch, kept across pages. */
		await page.click("#theme");
		const theme = await page.evaluate(() =>
		    document.documentElement.dataset.theme);
		await page.goto(base + "/");
		await page.waitForSelector("#daemons tr");
		await page.waitForTimeout(300);
		const theme2 = await page.evaluate(() =>
		    document.documentElement.dataset.theme);
		ok(theme === "dark" && theme2 === "dark",
		    "dark mode switch is remembered");
		await page.screenshot({ path: path.join(outdir,
		    "desktop-overview-dark.png"), fullPage: true });

		/* Phone width, same session. */
		const pp = await ctx.newPage();
		await pp.setViewportSize({ width: 390, height: 844 });
		await watch(pp, errors);
		for (const [name, url, sel] of pages) {
			await pp.goto(base + url);
			await pp.waitForSelector(sel);
			await pp.waitForTimeout(300);
			await pp.screenshot({ path: path.join(outdir,
			    "phone-" + name + ".png"), fullPage: true });
		}
		await pp.goto(base + "/nat");
		await pp.waitForSelector("#rows tr td a");
		const hidden = await pp.$eval("th[data-sort=nat]",
		    (th) => getComputedStyle(th).display);
		ok(hidden === "none", "secondary columns hidden on a phone");
		const overflow = await pp.evaluate(() =>
		    document.documentElement.scrollWidth <= window.innerWidth + 1);
		ok(overflow, "the page itself does not scroll sideways on a phone");

		/*
		 * Every page in both themes at both widths, kept as artifacts:
		 * the loops above took desktop light and phone dark.
		 */
		for (const [pg, theme, width] of [[page, "dark", "desktop"],
		    [pp, "light", "phone"]]) {
			await pg.evaluate((t) => localStorage.setItem("hgw-theme",
			    t), theme);
			let right = 0;
			for (const [name, url, sel] of pages) {
				await pg.goto(base + url);
				await pg.waitForSelector(sel);
				await pg.waitForTimeout(200);
				if (await pg.evaluate(() =>
				    document.documentElement.dataset.theme) === theme)
					right++;
				await pg.screenshot({ path: path.join(outdir,
				    width + "-" + name + "-" + theme + ".png"),
				    fullPage: true });
			}
			ok(right === pages.length, "every page in " + theme +
			    " at " + width + " width (" + right + " of " +
			    pages.length + ")");
		}
		await pp.close();

		/* Logout ends the session. */
		await page.click("#logout");
		await page.waitForURL(/\/login/);
		const s = await page.evaluate(() => fetch("/api/v1/status")
		    .then((r) => r.status));
		ok(s === 401, "after logout the API answers 401");
		/* That 401 was asked for. */
		const real = errors.filter((e) => !/401/.test(e));
		ok(real.length === 0, "no console errors");
		real.forEach(note);
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
