// Stands in, inside the bundled commands, for undici's index. The index loads all of undici
// at start (fetch, WebSocket, caches with node:sqlite, mocks, proxies): ~70 ms of a command's
// start, while the commands use an Agent and request() only. This is those, from the same
// modules the index takes them from, with the request API installed on dispatchers as the
// index installs it. Everything else is absent from the bundles (tests, unbundled, use all of it).
"use strict";
const Dispatcher = require("undici/lib/dispatcher/dispatcher");
const Agent = require("undici/lib/dispatcher/agent");
const api = require("undici/lib/api");
const errors = require("undici/lib/core/errors");
const { getGlobalDispatcher, setGlobalDispatcher } = require("undici/lib/global");

Object.assign(Dispatcher.prototype, api);

/** undici's request(url, options): the dispatcher's own request(), given origin and path. */
function request(url, options = {}) {
    const u = url instanceof URL ? url : new URL(String(url));
    const { dispatcher = getGlobalDispatcher(), ...rest } = options;
    return dispatcher.request({
        ...rest,
        origin: u.origin,
        path: `${u.pathname}${u.search}`,
        method: rest.method || (rest.body ? "PUT" : "GET"),
    });
}

module.exports = { Agent, Dispatcher, errors, getGlobalDispatcher, request, setGlobalDispatcher };
