/*
 * SPDX-License-Identifier: ISC
 *
 * login.js: the login form.  Fetches a pre-login CSRF token (also set as
 * a cookie by webd), posts the password as JSON with it, then goes to the
 * page the user wanted.
 */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
	var form = HGW.$("login"), err = HGW.$("error"), btn = HGW.$("submit");

	function next() {
		var n = HGW.query("next");
		/* Only our own pages: never an absolute or protocol URL. */
		if (n && /^\/[A-Za-z0-9_\-\/?=&%.]*$/.test(n) &&
		    n.indexOf("//") !== 0)
			return n;
		return "/";
	}

	HGW.loadSession().then(function (s) {
		if (!s.password || s.authenticated)
			location.replace(next());
	}, function (e) {
		err.textContent = "Cannot reach the gateway: " + e.message;
	});

	form.addEventListener("submit", function (ev) {
		ev.preventDefault();
		btn.disabled = true;
		err.textContent = "";
		HGW.api("login", { method: "POST", noRedirect: true,
		    body: { password: HGW.$("password").value } }).then(
		    function () {
			location.replace(next());
		}, function (e) {
			btn.disabled = false;
			if (e.status === 429)
				err.textContent = "Too many attempts: try " +
				    "again in " + (e.retryAfter > 0 ?
				    e.retryAfter + " s" : "a minute") + ".";
			else if (e.status === 403)
				err.textContent = "The form expired: reload " +
				    "the page.";
			else
				err.textContent = e.status === 401 ?
				    "Wrong password." : e.message;
			HGW.loadSession();
			HGW.$("password").select();
		});
	});
});
