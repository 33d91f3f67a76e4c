-- SPDX-License-Identifier: GPL-2.0-or-later
-- What Messenger XMPP did that Prosody does not: see-other-host (before
-- TLS, after TLS or after auth, on the first c2s port only), the JID lookup
-- iq, XEP-0136 archive retrieval (last 10 messages), read-only vCards from
-- the fixture, rosters seeded from the fixture, and the service's rules:
-- chat messages only, adding is the only roster change.
local json = require "util.json";
local st = require "util.stanza";
local jid_split = require "util.jid".split;
local jid_bare = require "util.jid".bare;
local datetime = require "util.datetime";
local sha1 = require "util.hashes".sha1;
local b64decode = require "util.encodings".base64.decode;
local rostermanager = require "core.rostermanager";

local fixture_path = module:get_option_string("msn_fixture");
local xmlns_streams = "urn:ietf:params:xml:ns:xmpp-streams";

-- Re-read on every use (tests change it live), decoded again only when the
-- text changed: with a 1,000-contact roster (bench/bench-xmpp.py) decoding
-- it per stanza made Prosody the bottleneck.  Callers must not modify it.
local fixture_text, fixture_data;
local function fixture()
	local f = io.open(fixture_path, "r");
	if not f then return {}; end
	local data = f:read("*a");
	f:close();
	if data ~= fixture_text then
		fixture_text, fixture_data = data, json.decode(data) or {};
	end
	return fixture_data;
end

-- see-other-host ---------------------------------------------------------
module:hook("stream-features", function(event)
	local session = event.origin;
	local soh = fixture().see_other_host;
	if not soh or not session.conn then return; end
	if tostring(session.conn:serverport()) ~= tostring(soh.port) then return; end
	local stage = "pre-tls";
	if session.username then stage = "post-auth";
	elseif session.secure then stage = "post-tls"; end
	if stage ~= soh.stage then return; end
	module:log("info", "see-other-host %s at stage %s", soh.target, stage);
	session:close(st.stanza("stream:error")
		:tag("see-other-host", { xmlns = xmlns_streams }):text(soh.target));
	return true;
end, 1000);

-- rosters seeded from the fixture ------------------------------------------
local seeded = {};
module:hook("roster-load", function(event)
	local user = (fixture().users or {})[event.username];
	if seeded[event.username] or not user or not user.roster then return; end
	seeded[event.username] = true;
	for _, item in ipairs(user.roster) do
		if not event.roster[item.jid] then
			local groups = {};
			for _, g in ipairs(item.groups or {}) do groups[g] = true; end
			event.roster[item.jid] = { subscription = item.subscription or "both",
				name = item.name, groups = groups };
		end
	end
	rostermanager.save_roster(event.username, event.host, event.roster);
end);

-- vCards: read-only, from the fixture ---------------------------------------
local function vcard_for(username)
	local user = (fixture().users or {})[username];
	if not user then return nil; end
	local vc = st.stanza("vCard", { xmlns = "vcard-temp" });
	if user.nick then vc:text_tag("NICKNAME", user.nick); end
	if user.fn then vc:text_tag("FN", user.fn); end
	if user.photo then
		vc:tag("PHOTO"):text_tag("TYPE", "image/png"):text_tag("BINVAL", user.photo):up();
	end
	return vc;
end

module:hook("iq/bare/vcard-temp:vCard", function(event)
	local origin, stanza = event.origin, event.stanza;
	if stanza.attr.type ~= "get" then
		origin.send(st.error_reply(stanza, "cancel", "not-allowed"));
		return true;
	end
	local node = stanza.attr.to and jid_split(stanza.attr.to) or origin.username;
	local vc = vcard_for(node);
	if not vc then
		origin.send(st.error_reply(stanza, "cancel", "item-not-found"));
	else
		origin.send(st.reply(stanza):add_child(vc));
	end
	return true;
end, 10);

-- A photo hash in presence (vcard-temp:x:update), as the service sent.
module:hook("pre-presence/bare", function(event)
	local origin, stanza = event.origin, event.stanza;
	if origin.type ~= "c2s" or stanza.attr.type then return; end
	local user = (fixture().users or {})[origin.username];
	if user and user.photo and not stanza:get_child("x", "vcard-temp:x:update") then
		stanza:tag("x", { xmlns = "vcard-temp:x:update" })
			:text_tag("photo", sha1(b64decode(user.photo), true)):up();
	end
end, 10);
module:hook("pre-presence/host", function(event)
	local origin, stanza = event.origin, event.stanza;
	if origin.type ~= "c2s" or stanza.attr.type then return; end
	local user = (fixture().users or {})[origin.username];
	if user and user.photo and not stanza:get_child("x", "vcard-temp:x:update") then
		stanza:tag("x", { xmlns = "vcard-temp:x:update" })
			:text_tag("photo", sha1(b64decode(user.photo), true)):up();
	end
end, 10);

-- JID lookup: <iq to='e-mail address'><getjid/></iq> ------------------------
module:hook("route/remote", function(event)
	local origin, stanza = event.origin, event.stanza;
	if stanza.name ~= "iq" or stanza.attr.type ~= "get"
		or not stanza:get_child("getjid", "http://messenger.live.com/xmpp/jidlookup") then
		return;
	end
	local email = jid_bare(stanza.attr.to);
	for name, user in pairs(fixture().users or {}) do
		if user.email == email then
			origin.send(st.reply(stanza)
				:tag("getjid", { xmlns = "http://messenger.live.com/xmpp/jidlookup" })
				:text_tag("jid", name .. "@" .. module.host));
			return true;
		end
	end
	origin.send(st.error_reply(stanza, "cancel", "item-not-found"));
	return true;
end, 10);

-- XEP-0136 archive ------------------------------------------------------------
local archive = {};  -- "a@h|b@h" (sorted) → { {from=, body=, time=} … }
local function pair_key(a, b)
	if a < b then return a .. "|" .. b; end
	return b .. "|" .. a;
end

local function remember(from, to, body, when)
	local key = pair_key(from, to);
	local list = archive[key] or {};
	archive[key] = list;
	list[#list + 1] = { from = from, body = body, time = when };
	if #list > 10 then table.remove(list, 1); end
end

local seeded_archive = false;
local function seed_archive()
	if seeded_archive then return; end
	seeded_archive = true;
	for _, m in ipairs(fixture().archive or {}) do
		remember(m.from, m.to, m.body, os.time() - (m.ago or 60));
	end
end

local function record(event)
	local origin, stanza = event.origin, event.stanza;
	if origin.type ~= "c2s" or stanza.attr.type ~= "chat" then return; end
	local body = stanza:get_child_text("body");
	if not body or not stanza.attr.to then return; end
	seed_archive();
	remember(jid_bare(origin.full_jid), jid_bare(stanza.attr.to), body, os.time());
end
module:hook("pre-message/bare", record, 5);
module:hook("pre-message/full", record, 5);

module:hook("iq/self/urn:xmpp:archive:retrieve", function(event)
	local origin, stanza = event.origin, event.stanza;
	local retrieve = stanza.tags[1];
	local with = retrieve.attr.with and jid_bare(retrieve.attr.with);
	if stanza.attr.type ~= "get" or not with then
		origin.send(st.error_reply(stanza, "modify", "bad-request"));
		return true;
	end
	seed_archive();
	-- fault knobs: a server that never answers, or one that answers with
	-- a chat it says is with someone else
	if fixture().archive_silent then return true; end
	local me = jid_bare(origin.full_jid);
	local list = archive[pair_key(me, with)] or {};
	local reply = st.reply(stanza);
	with = fixture().archive_with or with;
	if #list > 0 then
		-- start is the earliest line (secs are never negative); the lines
		-- go out in the order they were stored, which need not be by time
		local start = list[1].time;
		for _, m in ipairs(list) do
			if m.time < start then start = m.time; end
		end
		reply:tag("chat", { xmlns = "urn:xmpp:archive", with = with,
			start = datetime.datetime(start) });
		for _, m in ipairs(list) do
			reply:tag(m.from == me and "to" or "from", { secs = tostring(m.time - start) })
				:text_tag("body", m.body):up();
		end
	end
	origin.send(reply);
	return true;
end);

-- The service's rules ---------------------------------------------------------
local function only_chat(event)
	local origin, stanza = event.origin, event.stanza;
	local t = stanza.attr.type or "normal";
	if origin.type == "c2s" and t ~= "chat" and t ~= "error" then
		origin.send(st.error_reply(stanza, "cancel", "not-acceptable",
			"Chat is the only supported message type"));
		return true;
	end
end
module:hook("pre-message/bare", only_chat, 20);
module:hook("pre-message/full", only_chat, 20);

-- (No rule against client presence probes: Prosody routes its own
-- initial-presence probes through the same events with the client's
-- session as origin, so they cannot be told apart here.  The plugin never
-- sends probes.)

module:hook("iq-set/self/jabber:iq:roster:query", function(event)
	local origin, stanza = event.origin, event.stanza;
	local item = stanza.tags[1]:get_child("item");
	if not item then return; end
	local roster = origin.roster or {};
	if item.attr.subscription == "remove" or roster[item.attr.jid] then
		origin.send(st.error_reply(stanza, "cancel", "not-allowed",
			"Adding a contact is the only roster change allowed"));
		return true;
	end
end, 10);
