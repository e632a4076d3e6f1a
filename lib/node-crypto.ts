/**
 * node:crypto, loaded on first use. A command that decrypts and hashes nothing (check:config
 * --no-decrypt, a stack without secrets) then never pays its load, ~15 ms of a ~200 ms start.
 */
import type * as Crypto from "node:crypto";

let loaded: typeof Crypto | undefined;

export function nodeCrypto(): typeof Crypto {
    return (loaded ??= require("node:crypto") as typeof Crypto);
}
