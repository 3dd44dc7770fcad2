/*
 * SPDX-License-Identifier: ISC
 *
 * trace.js: the trace view, one device's journey told step by step.
 * /trace?id=N shows trace N (a link to share); /trace alone lists the
 * traces and starts one.  The events the daemons recorded (arpd: ARP,
 * dnsd: queries and answers, natd: each connection's conntrack events)
 * come from /api/v1/trace/N, fetched again with ?after=cursor every
 * second while the trace runs.  They become steps: an ARP request and
 * its reply are one step, a DNS query and its answer one, a connection's
 * closing states and its end one; the steps of one connection are
 * grouped under it.  Each step is one line in plain words with its time
 * and the time since the step before, in the lane of its layer, and
 * opens on a click to say what that step is and why it happens.  All
 * text goes in with textContent.
 */
"use strict";

HGW.start(function () {
	var el = HGW.el, $ = HGW.$;
	var id = HGW.query("id");
	var LAYERS = ["arp", "dns", "tcp", "udp", "icmp"];
	var CLOSING = { FIN_WAIT: 1, CLOSE_WAIT: 1, LAST_ACK: 1,
	    TIME_WAIT: 1, CLOSE: 1 };
	var shown = { arp: true, dns: true, tcp: true, udp: true, icmp: true };
	var events = [], seen = {}, cursor = 0, trace = null, running = false;
	var open = {}, poller = null, gwName = "", gwMacs = {};

	/*
	 * What each kind of step is, in a networking textbook's words.  Keys
	 * are the "explain" of a step.
	 */
	var EXPLAIN = {
		"arp": "ARP, the link layer's address book (RFC 826). Before a " +
		    "device can send an IP packet to a neighbour on the same " +
		    "network, such as its gateway, it needs that neighbour's " +
		    "hardware (MAC) address, because Ethernet and Wi-Fi " +
		    "deliver frames by MAC, not by IP. So it broadcasts " +
		    "\"who has this IP address?\" to every device on the " +
		    "LAN, and the owner of the address replies directly with " +
		    "its MAC. Both sides cache the answer for a while, which " +
		    "is why this step appears only now and then, not before " +
		    "every packet.",
		"arp-proxy": "ARP, at the link layer: proxy ARP. The gateway answered an ARP question " +
		    "for an address that is not its own, giving its own MAC: " +
		    "it was configured to stand in for that address ([arp] " +
		    "proxy), so frames for it come to the gateway, which " +
		    "forwards them on. The asker cannot tell the difference.",
		"arp-none": "ARP, at the link layer: a question nobody answered " +
		    "(yet). The asking " +
		    "device repeats it a few times; if no one owns the address " +
		    "the kernel gives up and marks the neighbour FAILED, and " +
		    "packets for it are dropped.",
		"dns-upstream": "DNS, the Internet's directory at the " +
		    "application layer (RFC 1035). " +
		    "Programs connect to addresses, but people use names, so " +
		    "before opening a connection the device asks its DNS " +
		    "server, the gateway, which address a name has. The " +
		    "gateway did not have the answer in its cache, so it " +
		    "forwarded the question to its upstream resolver, waited " +
		    "for the reply, gave it to the device and kept a copy for " +
		    "as long as the answer's time to live (TTL) allows.",
		"dns-cache": "DNS, at the application layer: an answer from the " +
		    "gateway's cache. Someone on " +
		    "the LAN (perhaps this device) asked the same question " +
		    "recently, and the answer's time to live has not run out, " +
		    "so the gateway answered at once without asking the " +
		    "Internet. Caching is why most lookups take well under a " +
		    "millisecond.",
		"dns-local": "DNS, at the application layer: an answer from the " +
		    "gateway's own host table. " +
		    "Names of devices on the LAN (and the gateway's own name) " +
		    "are answered by the gateway itself from its " +
		    "configuration; such questions never leave the house.",
		"dns-stale": "DNS, at the application layer: a stale answer " +
		    "(RFC 8767). The cached answer's " +
		    "time to live had run out and the upstream resolver did " +
		    "not answer in time, so rather than failing the gateway " +
		    "served the expired answer with a short TTL: addresses " +
		    "rarely change, and a slightly old answer beats none.",
		"dns-blocked": "DNS, at the application layer: a blocked " +
		    "answer. The name is on a " +
		    "blocklist the owner enabled (ads, trackers, malware), so " +
		    "the gateway answered as if the name had no address, and " +
		    "the device never connects to it.",
		"dns-error": "DNS, at the application layer: a question that " +
		    "failed. The name may not " +
		    "exist (NXDOMAIN), or the upstream resolver failed or did " +
		    "not answer (SERVFAIL). The device gets no address and " +
		    "cannot connect by that name.",
		"dns-pending": "DNS, at the application layer: a question the " +
		    "gateway has not answered " +
		    "(yet). It is waiting for the upstream resolver, or the " +
		    "answer came after the trace stopped.",
		"tcp-new": "TCP, at the transport layer: a new connection, a " +
		    "reliable byte stream. The device sent a SYN segment, the " +
		    "first step of TCP's three-way handshake (SYN, SYN-ACK, " +
		    "ACK), and the gateway's connection tracking saw it and " +
		    "started following the connection. Because the device " +
		    "has a private address (RFC 1918) that means nothing on " +
		    "the Internet, the gateway rewrote the source to its own " +
		    "public address and a free port (source NAT, or " +
		    "masquerading) and remembers the mapping, so that the " +
		    "replies find their way back to the right device.",
		"udp-new": "UDP, at the transport layer: a new flow. UDP sends " +
		    "single datagrams with no " +
		    "handshake and no connection, but the gateway's connection " +
		    "tracking still pairs each datagram with its replies, and " +
		    "source NAT gives the flow the gateway's public address and " +
		    "a port, so that answers (a DNS reply, a game's or a video " +
		    "call's packets) come back to the right device.",
		"icmp-new": "ICMP, at the network layer: a new exchange, such as " +
		    "a ping (echo request " +
		    "and reply). ICMP is IP's own control protocol; it has no " +
		    "ports, so connection tracking and NAT follow it by its " +
		    "identifier instead.",
		"nat-none": "Connection tracking and NAT, at the network " +
		    "layer. The gateway follows every connection and flow " +
		    "through it, even one that needs no translation, as this " +
		    "one: the connection is not translated: it stays inside " +
		    "(to the gateway itself, or between LAN devices), so no " +
		    "address needs rewriting.",
		"SYN_SENT": "TCP, at the transport layer. SYN_SENT: the device asked to open the connection " +
		    "and waits for the other side's SYN-ACK. If none comes " +
		    "(nothing listens, or a firewall drops it) the device " +
		    "retries and eventually gives up.",
		"SYN_RECV": "TCP, at the transport layer. SYN_RECV: the other " +
		    "side answered the SYN with a " +
		    "SYN-ACK, agreeing to the connection; only the device's " +
		    "final ACK is missing. The time from SYN to SYN-ACK is one " +
		    "round trip to the server.",
		"ESTABLISHED": "TCP, at the transport layer. ESTABLISHED: the " +
		    "three-way handshake is " +
		    "complete. Both sides know each other's starting sequence " +
		    "numbers, and data (a web page, a video) can flow both " +
		    "ways. Most of a connection's life is spent here.",
		"closing": "TCP, at the transport layer: closing a connection " +
		    "takes a FIN from each side, " +
		    "each acknowledged: FIN_WAIT after the first FIN, " +
		    "CLOSE_WAIT and LAST_ACK while the other side finishes, " +
		    "then TIME_WAIT. The side that closed first stays in " +
		    "TIME_WAIT for a while (two minutes in Linux connection " +
		    "tracking) so that late duplicate packets of this " +
		    "connection cannot be mistaken for a new one using the " +
		    "same ports. A reset (RST) skips all this and goes " +
		    "straight to CLOSE. When the timer ends the gateway " +
		    "forgets the connection and frees its NAT port.",
		"destroy": "Connection tracking, at the network layer: the " +
		    "gateway forgot the connection; its tracking " +
		    "timeout ran out (for UDP and ICMP, some time without " +
		    "packets; for TCP, after closing) and the NAT mapping and " +
		    "port were released. The byte counts are the whole " +
		    "connection's, each way.",
		"state": "Connection tracking, at the network layer: a change " +
		    "in the connection's state as the gateway's " +
		    "connection tracking follows it."
	};

	var LANE = { arp: "arp", dns: "dns", tcp: "conn", udp: "conn",
	    icmp: "conn" };

	function pad(n, w) {
		n = String(n);
		while (n.length < (w || 2))
			n = "0" + n;
		return n;
	}

	function clock(ms) {
		var d = new Date(ms);
		return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" +
		    pad(d.getSeconds()) + "." + pad(d.getMilliseconds(), 3);
	}

	function span(ms) {
		if (ms < 1)
			return "<1 ms";
		if (ms < 1000)
			return Math.round(ms) + " ms";
		if (ms < 600000)
			return (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + " s";
		return Math.floor(ms / 60000) + " min " +
		    Math.round(ms % 60000 / 1000) + " s";
	}

	function latency(ms) {
		if (ms === null || ms === undefined)
			return "";
		ms = Number(ms);
		return " in " + (ms < 10 ? ms.toFixed(1) : Math.round(ms)) +
		    " ms";
	}

	/* The traced device by name, the gateway as such, else the address. */
	function who(ip) {
		var addrs = trace && trace.addrs ? String(trace.addrs).split(",") :
		    [];
		if (ip && addrs.indexOf(ip) >= 0)
			return trace.name || trace.host || ip;
		return ip || "someone";
	}

	/* ICMP has no ports: conntrack's are its type and id. */
	function endpoint(a, p, proto) {
		return p && proto !== "icmp" && proto !== "icmpv6" ?
		    HGW.endpoint(a, p) : a;
	}

	function noPort(s) {
		/* "198.51.100.53:53" -> the address; "[2001:db8::1]:53" too. */
		var m = /^\[(.*)\]:\d+$/.exec(s || "") ||
		    /^([^:]*):\d+$/.exec(s || "");
		return m ? m[1] : s;
	}

	/* Events -> steps (see the file's comment). */
	function steps() {
		var out = [], arpq = {}, arpr = {}, dnsq = {}, flows = {};
		var names = {}, last = null;

		gwMacs = {};
		events.forEach(function (e) {
			if (e.layer === "arp" && e.event === "reply" &&
			    e.by === "gateway")
				gwMacs[e.sender_mac] = true;
		});

		events.forEach(function (e) {
			var s, g, k;
			switch (e.layer) {
			case "arp":
				/*
				 * One frame seen twice at once (on the bridge
				 * and on its port) is one step.
				 */
				if (last && last.event === e.event &&
				    last.sender_ip === e.sender_ip &&
				    last.target_ip === e.target_ip &&
				    Math.abs(e.t - last.t) <= 2)
					return;
				last = e;
				if (e.event === "reply" && (s = arpq[e.sender_ip]) &&
				    !s.reply && e.t - s.t < 3000) {
					s.reply = e;
					return;
				}
				/*
				 * Sent and received frames are stamped apart:
				 * an answer may come out a millisecond before
				 * its question.  Pair them all the same.
				 */
				if (e.event === "request" &&
				    (s = arpr[e.target_ip]) && !s.paired &&
				    s.e.target_ip === e.sender_ip &&
				    e.t - s.t <= 50) {
					s.paired = true;
					s.reply = s.e;
					s.e = e;
					s.kind = "arp-request";
					return;
				}
				s = { t: e.t, id: e.id, layer: "arp", kind:
				    e.event === "reply" ? "arp-reply" :
				    "arp-request", e: e };
				if (e.event === "reply")
					arpr[e.sender_ip] = s;
				else
					arpq[e.target_ip] = s;
				out.push(s);
				return;
			case "dns":
				k = e.client + "|" + e.name + "|" + e.qtype;
				/*
				 * The names behind addresses as this trace saw
				 * them: natd may record a connection before
				 * dnsd's batch has published the name it read.
				 */
				if (e.event === "answer")
					(e.answers || []).forEach(function (a) {
						names[e.client + "|" + a] = e.name;
					});
				if (e.event === "answer" && (s = dnsq[k]) &&
				    !s.answer) {
					s.answer = e;
					return;
				}
				s = { t: e.t, id: e.id, layer: "dns", kind: "dns",
				    e: e };
				if (e.event === "answer")
					s.answer = e;
				else
					dnsq[k] = s;
				out.push(s);
				return;
			default:
				k = e.flow || "#" + e.id;
				if (!(g = flows[k])) {
					g = flows[k] = { t: e.t, id: e.id,
					    layer: e.layer, group: true,
					    flow: k, steps: [], first: e };
					out.push(g);
				}
				if (e.event === "new") {
					g.first = e;
					g.name = e.dst_name ||
					    names[e.orig_src + "|" + e.orig_dst] ||
					    names[e.nat_src + "|" + e.orig_dst];
					g.steps.push({ t: e.t, id: e.id,
					    layer: e.layer, kind: "new", e: e,
					    g: g });
				} else if (e.event === "state" &&
				    CLOSING[e.state] && !g.closing) {
					g.closing = { t: e.t, id: e.id,
					    layer: e.layer, kind: "closing",
					    states: [e], g: g };
					g.steps.push(g.closing);
				} else if (e.event === "state" && g.closing &&
				    !g.closing.destroy) {
					g.closing.states.push(e);
				} else if (e.event === "destroy" && g.closing &&
				    !g.closing.destroy) {
					g.closing.destroy = e;
				} else {
					g.steps.push({ t: e.t, id: e.id,
					    layer: e.layer, kind: e.event, e: e,
					    g: g });
				}
			}
		});
		return out;
	}

	function arpText(s) {
		var e = s.e, r = s.reply, t;
		if (s.kind === "arp-reply") {
			s.explain = e.by === "proxy" ? "arp-proxy" : "arp";
			return (e.by === "gateway" || e.by === "proxy" ?
			    "the gateway" : who(e.sender_ip)) + " told " +
			    who(e.target_ip) + " that " + e.sender_ip +
			    " is at " + e.sender_mac + (e.by === "proxy" ?
			    " (proxy ARP)" : "");
		}
		t = (e.sender_ip === "0.0.0.0" ? "a device" :
		    gwMacs[e.sender_mac] ? "the gateway" : who(e.sender_ip)) +
		    " asked who has " + e.target_ip + (who(e.target_ip) !==
		    e.target_ip ? " (" + who(e.target_ip) + ")" : "");
		if (!r) {
			s.explain = "arp-none";
			return t + (running ? "; no answer yet" :
			    "; nobody answered");
		}
		s.explain = r.by === "proxy" ? "arp-proxy" : "arp";
		return t + "; " + (r.by === "gateway" ? "the gateway" :
		    r.by === "proxy" ? "the gateway (proxy ARP)" :
		    who(r.sender_ip)) + " answered " + r.sender_mac +
		    " after " + span(r.t - e.t);
	}

	function dnsText(s) {
		var q = s.e, a = s.answer, t, src, ans;
		t = who(q.client) + " asked for " + q.name + " (" +
		    (q.qtype || "?") + ")";
		if (!a) {
			s.explain = "dns-pending";
			return t + (running ? "; waiting for the answer" :
			    "; no answer recorded");
		}
		src = a.source;
		s.explain = src === "cache" ? "dns-cache" : src === "local" ?
		    "dns-local" : src === "stale" ? "dns-stale" :
		    src === "blocked" ? "dns-blocked" : src === "error" ||
		    (a.rcode && a.rcode !== "NOERROR") ? "dns-error" :
		    "dns-upstream";
		t += "; " + (src === "cache" ? "answered from the cache" :
		    src === "local" ? "answered from the host table" :
		    src === "stale" ? "answered from an expired cache entry" :
		    src === "blocked" ? "blocked" :
		    src === "error" ? "failed" :
		    "answered from upstream " + (noPort(a.upstream) ||
		    "?")) + latency(a.latency_ms);
		ans = a.answers && a.answers.length ? a.answers.join(", ") : "";
		if (a.rcode && a.rcode !== "NOERROR")
			return t + ": " + a.rcode + (a.rcode === "NXDOMAIN" ?
			    " (no such name)" : "");
		return t + ": " + (ans || "no address of that type");
	}

	function groupTitle(g) {
		var e = g.first;
		if (e.event !== "new")
			return g.layer.toUpperCase() +
			    " connection already open when the trace began";
		return e.proto.toUpperCase() + " " +
		    endpoint(e.orig_src, e.orig_sport, e.proto) + " \u2192 " +
		    endpoint(e.orig_dst, e.orig_dport, e.proto) +
		    (g.name ? " \u00b7 " + g.name : "");
	}

	function connText(s) {
		var e = s.e, g = s.g, t, verb, nat, first = g.first;
		if (s.kind === "new") {
			verb = e.proto === "tcp" ? "opened TCP to " :
			    e.proto === "udp" ? "sent UDP to " :
			    "sent " + String(e.proto).toUpperCase() + " to ";
			s.explain = (e.proto === "tcp" || e.proto === "udp" ||
			    e.proto === "icmp" ? e.proto : "udp") + "-new";
			t = who(e.orig_src) + " " + verb +
			    endpoint(e.orig_dst, e.orig_dport, e.proto) +
			    (g.name ? " (" + (gwName && (g.name === gwName ||
			    g.name.indexOf(gwName + ".") === 0) ?
			    "the gateway itself" : g.name) + ")" : "");
			nat = e.nat_src && (e.nat_src !== e.orig_src ||
			    (e.nat_sport && e.nat_sport !== e.orig_sport));
			if (!nat)
				s.explain = "nat-none";
			return t + (nat ? "; NAT maps it to " +
			    endpoint(e.nat_src, e.nat_sport, e.proto) :
			    "; not translated");
		}
		if (s.kind === "closing") {
			s.explain = "closing";
			t = "the connection closed" + closer(s.states[0], first,
			    g) + ": " + s.states.map(function (x) {
				return x.state;
			}).join(", then ");
			if (s.destroy) {
				t += "; forgotten after " + span(s.destroy.t -
				    s.states[s.states.length - 1].t) + "; " +
				    traffic(s.destroy, first);
			} else if (running)
				t += "; still remembered";
			return t;
		}
		if (s.kind === "destroy") {
			s.explain = "destroy";
			return "forgotten" + (e.duration_ms !== undefined ?
			    " after " + span(e.duration_ms) + " in all" : "") +
			    "; " + traffic(e, first);
		}
		if (s.kind === "state") {
			s.explain = EXPLAIN[e.state] ? e.state : "state";
			if (e.state === "ESTABLISHED" && first.event === "new")
				return "handshake complete after " +
				    span(e.t - first.t) + ": ESTABLISHED";
			if (e.state === "SYN_RECV" && first.event === "new")
				return "the other side answered (SYN-ACK) after " +
				    span(e.t - first.t) + ": SYN_RECV";
			return "now " + e.state + (e.from ? " (was " + e.from +
			    ")" : "");
		}
		s.explain = "state";
		return e.event;
	}

	/*
	 * Who closed first, from conntrack's first closing state: a FIN in
	 * the original direction takes an established connection to
	 * FIN_WAIT, one in the reply direction to CLOSE_WAIT, and a reset
	 * to CLOSE.  Said only when the state before was ESTABLISHED.
	 */
	function closer(e, first, g) {
		var opener, other;
		if (!e || e.from !== "ESTABLISHED")
			return "";
		opener = first.event === "new" ? who(first.orig_src) :
		    "the side that opened it";
		other = first.event === "new" ? (g.name ||
		    who(first.orig_dst)) : "the other side";
		if (e.state === "FIN_WAIT")
			return " (" + opener + " sent the first FIN)";
		if (e.state === "CLOSE_WAIT")
			return " (" + other + " sent the first FIN)";
		if (e.state === "CLOSE")
			return " (reset: RST)";
		return "";
	}

	/* "2.2 KB out, 1.1 MB in", out being what the device sent. */
	function traffic(d, first) {
		var outb = d.orig_bytes, inb = d.reply_bytes;
		if (first && first.event === "new" &&
		    who(first.orig_src) === first.orig_src &&
		    who(first.orig_dst) !== first.orig_dst) {
			outb = d.reply_bytes;
			inb = d.orig_bytes;
		}
		return HGW.bytes(outb || 0) + " out, " + HGW.bytes(inb || 0) +
		    " in";
	}

	function text(s) {
		if (s.layer === "arp")
			return arpText(s);
		if (s.layer === "dns")
			return dnsText(s);
		return connText(s);
	}

	/* One step as a list item: lanes, time, delta, words, explanation. */
	function stepItem(s, prev) {
		var words = text(s), key = String(s.id);
		var det = el("details", { class: "step" });
		var sum = el("summary", null,
		    el("span", { class: "lanes", "aria-hidden": "true" },
			el("i", { class: "lane-arp" + (LANE[s.layer] === "arp" ?
			    " on" : "") }),
			el("i", { class: "lane-dns" + (LANE[s.layer] === "dns" ?
			    " on" : "") }),
			el("i", { class: "lane-conn" + (LANE[s.layer] ===
			    "conn" ? " on" : "") })),
		    el("span", { class: "when" },
			el("time", { class: "mono", datetime:
			    new Date(s.t).toISOString() }, clock(s.t)),
			el("span", { class: "delta mono muted" },
			    prev === null ? "" : "+" + span(s.t - prev))),
		    el("span", { class: "what" },
			el("span", { class: "layer " + s.layer },
			    s.layer.toUpperCase()), " ", words));
		det.appendChild(sum);
		det.appendChild(el("p", { class: "explain" },
		    EXPLAIN[s.explain] || EXPLAIN.state));
		if (open[key])
			det.open = true;
		det.addEventListener("toggle", function () {
			if (det.open)
				open[key] = true;
			else
				delete open[key];
		});
		return el("li", { class: "lane-" + LANE[s.layer], "data-layer":
		    s.layer, "data-kind": s.explain || s.kind }, det);
	}

	function render() {
		var list = HGW.clear($("timeline")), prev = null, n = 0;
		var grouped = $("group").checked, all = steps(), flat = [];

		if (!grouped) {
			all.forEach(function (s) {
				if (s.group)
					flat = flat.concat(s.steps);
				else
					flat.push(s);
			});
			flat.sort(function (a, b) {
				return a.t - b.t || a.id - b.id;
			});
			all = flat;
		}
		all.forEach(function (s) {
			if (!shown[s.layer])
				return;
			if (!s.group) {
				list.appendChild(stepItem(s, prev));
				prev = s.t;
				n++;
				return;
			}
			var inner = el("ol", { class: "steps-of" }), p = prev;
			s.steps.forEach(function (x) {
				inner.appendChild(stepItem(x, p));
				p = x.t;
				n++;
			});
			list.appendChild(el("li", { class: "group lane-conn",
			    "data-layer": s.layer, "data-flow": s.flow },
			    el("div", { class: "group-head mono" },
			    groupTitle(s)), inner));
			prev = s.t;
		});
		$("empty").classList.toggle("hidden", n > 0);
		$("empty").textContent = events.length ?
		    "No steps of the layers chosen." : running ?
		    "Nothing recorded yet. Use the device: open a web page " +
		    "on it, for example." : "Nothing was recorded.";
	}

	function ident() {
		var dl = HGW.clear($("ident")), left;
		left = Math.max(0, Math.round((trace.until_ms - Date.now()) /
		    1000));
		[["Device", (trace.name || trace.host) + (trace.addrs ?
		    " (" + trace.addrs + ")" : "")],
		    ["MAC", trace.mac],
		    ["Started", clock(trace.started_ms)],
		    ["Length", span(trace.until_ms - trace.started_ms)],
		    ["State", running ? "recording, " + left + " s left" :
		    "finished"],
		    ["Events", String(events.length)]].forEach(
		    function (x) {
			if (!x[1])
				return;
			dl.appendChild(el("dt", null, x[0]));
			dl.appendChild(el("dd", { class: x[0] === "MAC" ?
			    "mono" : "", id: "id-" + x[0].toLowerCase() },
			    x[1]));
		});
	}

	/*
	 * One poll: the events after the cursor, page after page (webd sends
	 * at most PAGE at once).  The daemons write their last batch a
	 * moment after the trace ends, so polling goes on for GRACE_MS past
	 * the end, until a poll brings nothing new.
	 */
	var PAGE = 2000, GRACE_MS = 5000, drawn = -1, was = null;
	function load() {
		return HGW.api("trace/" + encodeURIComponent(id) + "?after=" +
		    cursor).then(function (r) {
			var fresh = 0, done;
			trace = r.trace;
			running = !!r.running;
			(r.events || []).forEach(function (e) {
				if (seen[e.id])
					return;
				seen[e.id] = true;
				events.push(e);
				fresh++;
			});
			if (r.cursor > cursor)
				cursor = r.cursor;
			if ((r.events || []).length >= PAGE)
				return load();
			events.sort(function (a, b) {
				return a.t - b.t || a.id - b.id;
			});
			$("title").textContent = "Trace of " + (trace.name ||
			    trace.host);
			document.title = $("title").textContent + " · homegw";
			ident();
			/* Redraw only for news: opened steps stay as they are. */
			if (events.length !== drawn || running !== was) {
				render();
				drawn = events.length;
				was = running;
			}
			done = !running && fresh === 0 &&
			    Date.now() > trace.until_ms + GRACE_MS;
			HGW.status(running ? "Live: updated " +
			    new Date().toLocaleTimeString() : done ?
			    "Trace finished" : "Finishing: collecting the " +
			    "last events");
			if (done && poller)
				poller.stop();
		}, function (e) {
			$("title").textContent = e.status === 404 ?
			    "No such trace: " + id : "Error: " + e.message;
			if (e.status === 404 && poller)
				poller.stop();
		});
	}

	function layerChips() {
		var box = HGW.clear($("layers"));
		LAYERS.forEach(function (l) {
			var b = el("button", { type: "button", class: "chip layer " +
			    l, "aria-pressed": "true", "data-layer": l },
			    l.toUpperCase());
			b.addEventListener("click", function () {
				shown[l] = !shown[l];
				b.setAttribute("aria-pressed", String(shown[l]));
				render();
			});
			box.appendChild(b);
		});
	}

	/* Start a trace of host for seconds and open its view. */
	function watch(host, seconds, note) {
		if (!host)
			return;
		HGW.api("trace", { method: "POST", body: { host: host,
		    seconds: seconds } }).then(function (t) {
			location.href = "/trace?id=" + encodeURIComponent(t.id);
		}, function (e) {
			note.textContent = "Cannot start a trace: " + e.message;
			note.classList.remove("hidden");
		});
	}

	function startPage() {
		$("start-card").classList.remove("hidden");
		$("title").textContent = "Trace";
		if (HGW.query("host"))
			$("start-host").value = HGW.query("host");
		$("start").addEventListener("submit", function (ev) {
			ev.preventDefault();
			watch($("start-host").value.trim(),
			    Number($("start-seconds").value), $("start-error"));
		});
		HGW.api("traces").then(function (r) {
			HGW.fillTable($("traces"), r.rows, function (t) {
				return [el("a", { href: "/trace?id=" + t.id },
				    "#" + t.id), t.name || t.host,
				    HGW.time(Math.floor(t.started_ms / 1000)),
				    { v: HGW.num(t.events), cls: "num" },
				    t.running ? HGW.badge("recording", "ok") :
				    "finished"];
			}, "No traces yet", 5);
		}, function (e) {
			HGW.status("Cannot list traces: " + e.message, true);
		});
	}

	gwName = (HGW.session() && HGW.session().gateway) || "";
	if (!id) {
		startPage();
		return;
	}
	$("trace-card").classList.remove("hidden");
	layerChips();
	$("group").addEventListener("change", render);
	poller = HGW.poll(load, 1000);
});
