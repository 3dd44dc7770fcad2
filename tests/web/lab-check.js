/*
 * SPDX-License-Identifier: ISC
 *
 * lab-check.js: in the lab, from a LAN host's namespace, log in to the
 * real status page and check that a given flow shows on the NAT page and
 * on its host's page.  Prints TAP lines (no plan: the caller counts).
 *
 * usage: node lab-check.js URL PASSWORD HOST DEST OUTDIR
 *   DEST is "address:port" as the NAT table prints it.
 */
"use strict";

const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [base, password, host, dest, outdir] = process.argv.slice(2);
let failed = 0;

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
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hgw-lab-"));
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: "/usr/bin/chromium",
		headless: true,
		viewport: { width: 1280, height: 900 },
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
		ok(true, "browser in the LAN logs in to the status page");
		ok(await page.evaluate(() => location.protocol === "https:"),
		    "over HTTPS, the certificate trusted through the CA's key");
		/* Every page loads with no certificate error. */
		for (const u of ["/", "/nat", "/arp", "/hosts", "/dns",
		    "/host?h=" + host]) {
			const r = await page.goto(base + u);
			ok(r !== null && r.ok() && await page.evaluate(() =>
			    window.isSecureContext), "page " + u + " loads " +
			    "over HTTPS without a certificate error");
		}

		await page.goto(base + "/nat?host=" + host);
		const onNat = await until(page, (d) => Array.from(
		    document.querySelectorAll("#rows tr")).some((tr) =>
		    tr.children.length > 3 &&
		    tr.children[3].textContent === d), dest, 20000);
		ok(onNat, "the flow to " + dest + " is on the NAT page");
		await page.screenshot({ path: path.join(outdir,
		    "lab-nat.png"), fullPage: true });

		await page.goto(base + "/host?h=" + host);
		const onHost = await until(page, (d) => Array.from(
		    document.querySelectorAll("#conns tr")).some((tr) =>
		    tr.children.length > 5 &&
		    tr.children[2].textContent === d &&
		    tr.children[5].textContent !== ""), dest, 20000);
		ok(onHost, "the flow to " + dest + " and its TCP state are on " +
		    host + "'s page");
		await page.screenshot({ path: path.join(outdir,
		    "lab-host.png"), fullPage: true });
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
