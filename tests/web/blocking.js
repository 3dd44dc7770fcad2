/*
 * SPDX-License-Identifier: ISC
 *
 * blocking.js: drive Debian's Chromium (headless, through playwright-core)
 * over the Blocking page of a test webd (see blocking.test): the lists
 * with entries, last update and error; top blocked names and clients;
 * own entries added (Enter and the buttons), refused when malformed,
 * removed; pause with the remaining time counting down, a POST without
 * the CSRF token refused, resume.  Prints TAP.
 *
 * usage: node blocking.js URL PASSWORD OUTDIR
 * env: HGW_SPKI (webd's CA key), HGW_OWN_FILE, HGW_PAUSE_FILE
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

/* The page's CSP forbids waitForFunction's string eval: poll instead. */
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

function text(page, sel) {
	return page.evaluate((s) => {
		const e = document.querySelector(s);
		return e ? e.textContent : "";
	}, sel);
}

function ownText(page) {
	return text(page, "#own");
}

async function addOwn(page, name, how) {
	await page.fill("#own-name", name);
	if (how === "enter")
		await page.press("#own-name", "Enter");
	else
		await page.click(how === "allow" ? "#own-allow" : "#own-deny");
}

async function main() {
	fs.mkdirSync(outdir, { recursive: true });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hgw-chromium-"));
	const args = ["--headless", "--no-sandbox", "--disable-gpu",
	    "--disable-quic", "--no-first-run",
	    "--disable-background-networking", "--disable-component-update",
	    "--disable-sync"];
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

		await page.goto(base + "/blocking");
		await page.waitForURL(/\/login/);
		await page.fill("#password", password);
		await page.click("#submit");
		await page.waitForURL(/\/blocking/);
		ok(true, "login returns to the Blocking page");
		ok(await page.locator('nav.tabs a[href="/blocking"].active')
		    .count() === 1, "the nav marks Blocking as the current page");

		/* The lists. */
		ok(await until(page, () => document.querySelectorAll(
		    "#lists tr").length === 2 && !document.querySelector(
		    "#lists td.empty")), "both lists are shown");
		const lists = await text(page, "#lists");
		ok(/ads.*lists\.example\.test\/ads\.txt.*123,456/.test(lists),
		    "the ads list shows its source and 123,456 entries");
		ok(/malware.*777.*HTTP 503/.test(lists),
		    "the malware list shows its last error (HTTP 503)");
		ok(await until(page, () => document.getElementById(
		    "top-names").textContent.includes(
		    "ads.tracker.example.test")),
		    "top blocked names lists ads.tracker.example.test");
		const top = await text(page, "#top-names");
		ok(/ads\.tracker\.example\.test5/.test(top),
		    "... with its 5 blocked queries (" + top + ")");
		ok((await text(page, "#top-clients")).includes("lan1"),
		    "top blocked clients names the host lan1");
		ok(/%/.test(await text(page, "#share")),
		    "the blocked share is shown (" +
		    await text(page, "#share") + ")");

		/* Own entries. */
		await addOwn(page, "gone.example.test", "enter");
		ok(await until(page, () => document.getElementById("own")
		    .textContent.includes("gone.example.test")),
		    "an own deny entry added with Enter appears");
		await addOwn(page, "Keep.Example.Test", "deny");
		await until(page, () => document.getElementById("own")
		    .textContent.includes("keep.example.test"));
		await addOwn(page, "good.example.test", "allow");
		ok(await until(page, () => /good\.example\.testallowed/.test(
		    document.getElementById("own").textContent)),
		    "an allow entry appears as allowed");
		ok(/keep\.example\.testblocked/.test(await ownText(page)),
		    "a deny entry appears as blocked, in lower case");
		const own = fs.readFileSync(process.env.HGW_OWN_FILE, "utf8");
		ok(own.includes("||keep.example.test^\n") &&
		    own.includes("@@||good.example.test^\n"),
		    "the entries are in the own list on disk");
		await addOwn(page, "bad name!", "deny");
		ok(await until(page, () => /domain name/.test(
		    document.getElementById("status").textContent)),
		    "a malformed name is refused with a message (" +
		    await text(page, "#status") + ")");
		await page.click('#own button[data-name="gone.example.test"]');
		ok(await until(page, () => !document.getElementById("own")
		    .textContent.includes("gone.example.test")),
		    "Remove takes an entry away");

		/* Pause, with the time left counting down. */
		const t0 = Date.now() / 1000;
		await page.click('button[data-pause="5m"]');
		ok(await until(page, () => document.getElementById("state")
		    .textContent === "Paused"), "Pause 5 min: the page says " +
		    "Paused");
		const d1 = await text(page, "#state-detail");
		ok(/resumes in (4m 5\ds|5m 0s)/.test(d1),
		    "the remaining time is shown (" + d1 + ")");
		const until1 = Number(fs.readFileSync(
		    process.env.HGW_PAUSE_FILE, "utf8"));
		ok(until1 >= t0 + 295 && until1 <= t0 + 305,
		    "the pause file holds the end, 5 min ahead");
		ok(await page.isVisible("#resume"), "Resume now is offered");
		await page.screenshot({ path: path.join(outdir,
		    "desktop-blocking.png"), fullPage: true });
		ok(await until(page, (d) => document.getElementById(
		    "state-detail").textContent !== d, d1, 4000),
		    "the remaining time counts down (" +
		    await text(page, "#state-detail") + ")");

		/* Another site's page cannot post: no token, no change. */
		const forged = await page.evaluate(() => fetch(
		    "/api/v1/block/resume", { method: "POST",
		    headers: { "Content-Type": "application/json" },
		    body: "{}" }).then((r) => r.status));
		ok(forged === 403, "a POST without the CSRF token is refused " +
		    "(" + forged + ")");
		ok(Number(fs.readFileSync(process.env.HGW_PAUSE_FILE,
		    "utf8")) === until1, "... and the pause stays");
		const bad = await page.evaluate(() => {
			return fetch("/api/v1/session").then((r) => r.json())
			    .then((s) => fetch("/api/v1/block/pause", {
			    method: "POST", headers: { "Content-Type":
			    "application/json", "X-CSRF-Token": s.csrf },
			    body: JSON.stringify({ duration: "8d" }) }))
			    .then((r) => r.json().then((j) => [r.status,
			    j.error, j.status]));
		});
		ok(bad[0] === 400 && bad[2] === 400 && /duration/.test(bad[1]),
		    "a pause of 8 days is refused: 400 {error, status}");

		await page.click("#resume");
		ok(await until(page, () => document.getElementById("state")
		    .textContent === "On"), "Resume now: the page says On");
		ok(!(await page.isVisible("#resume")),
		    "Resume now is gone");

		/* Phone width: nothing scrolls sideways. */
		await page.setViewportSize({ width: 390, height: 844 });
		await page.reload();
		await until(page, () => document.querySelectorAll("#lists tr")
		    .length === 2);
		ok(await page.evaluate(() =>
		    document.documentElement.scrollWidth <=
		    window.innerWidth + 1), "no sideways scroll on a phone");
		await page.screenshot({ path: path.join(outdir,
		    "phone-blocking.png"), fullPage: true });

		/* The 403 and the 400 above were asked for. */
		const real = errors.filter((e) => !/40[03]/.test(e));
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
