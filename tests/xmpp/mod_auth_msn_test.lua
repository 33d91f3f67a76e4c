-- SPDX-License-Identifier: GPL-2.0-or-later
-- Test auth provider emulating Messenger XMPP's X-MESSENGER-OAUTH2: the
-- <auth> payload is the OAuth access token as is (not base64).  Accepted
-- tokens come from the token file the test OAuth endpoint writes, plus
-- fixed ones in the fixture.  Users are the fixture's users.
local json = require "util.json";
local st = require "util.stanza";
local new_sasl = require "util.sasl".new;
local register_mechanism = require "util.sasl".registerMechanism;
local sm_make_authenticated = require "core.sessionmanager".make_authenticated;

local xmlns_sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
local fixture_path = module:get_option_string("msn_fixture");

local function read_json(path)
	if not path then return nil; end
	local f = io.open(path, "r");
	if not f then return nil; end
	local data = f:read("*a");
	f:close();
	return json.decode(data);
end

-- Decoded again only when the file's text changed (see mod_msn_service).
local fixture_text, fixture_data;
local function fixture()
	local f = fixture_path and io.open(fixture_path, "r");
	if not f then return {}; end
	local data = f:read("*a");
	f:close();
	if data ~= fixture_text then
		fixture_text, fixture_data = data, json.decode(data) or {};
	end
	return fixture_data;
end

-- Which user a token belongs to, or nil (unknown or expired).
local function token_user(token)
	local fx = fixture();
	local fixed = fx.fixed_tokens and fx.fixed_tokens[token];
	if fixed then return fixed; end
	local issued = read_json(fx.tokens_file);
	local entry = issued and issued.tokens and issued.tokens[token];
	if not entry or entry.revoked then return nil; end
	if entry.expires and entry.expires < os.time() then return nil; end
	return entry.user;
end

local provider = {};
function provider.test_password() return nil, "passwords are not used"; end
function provider.set_password() return nil, "not supported"; end
function provider.create_user() return nil, "not supported"; end
function provider.delete_user() return nil, "not supported"; end
function provider.user_exists(username)
	local users = fixture().users or {};
	return users[username] ~= nil;
end
function provider.users()
	local list = {};
	for name in pairs(fixture().users or {}) do list[#list + 1] = name; end
	local i = 0;
	return function() i = i + 1; return list[i]; end
end

-- Registered only so that mod_saslauth advertises the mechanism; the
-- exchange itself is handled by the raw hook below.
register_mechanism("X-MESSENGER-OAUTH2", { "msn_token" }, function()
	return "failure", "not-authorized";
end);
-- PLAIN only for users the fixture gives a "plain_passwords" entry: the
-- reference client of bench/bench-xmpp.py --jabber (libpurple's own XMPP
-- plugin, which has no X-MESSENGER-OAUTH2).  Without such entries the
-- mechanism is not offered at all, as on Messenger's server.
local function plain_test(sasl, username, password, realm)
	local passwords = fixture().plain_passwords;
	local want = passwords and passwords[username];
	return want ~= nil and want == password, true;
end
function provider.get_sasl_handler()
	local profile = { msn_token = function() end };
	if fixture().plain_passwords then profile.plain_test = plain_test; end
	return new_sasl(module.host, profile);
end

module:provides("auth", provider);

module:hook("stanza/" .. xmlns_sasl .. ":auth", function(event)
	local session, stanza = event.origin, event.stanza;
	if session.type ~= "c2s_unauthed" or stanza.attr.mechanism ~= "X-MESSENGER-OAUTH2" then
		return;
	end
	local function failure(condition)
		session.send(st.stanza("failure", { xmlns = xmlns_sasl }):tag(condition));
		return true;
	end
	if not session.secure then return failure("encryption-required"); end
	local token = stanza:get_text() or "";
	module:log("info", "X-MESSENGER-OAUTH2 token of %d bytes", #token);
	local user = token_user(token);
	if not user then return failure("not-authorized"); end
	local ok = sm_make_authenticated(session, user);
	if not ok then return failure("not-authorized"); end
	session.sasl_handler = nil;
	session.send(st.stanza("success", { xmlns = xmlns_sasl }));
	session:reset_stream();
	return true;
end, 10);
