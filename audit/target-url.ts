/**
 * What the audit may probe. A target file or a stack output is input like any other: a
 * base URL pointing at the cloud's metadata service (169.254.169.254 in any spelling —
 * hex, decimal, octal, IPv4-mapped IPv6 — or its host names) would make the audit fetch
 * instance credentials from inside a CI runner and print them in its report. URLs are
 * parsed and normalised by the WHATWG parser (which reads every IPv4 spelling), then
 * link-local and metadata hosts are refused unless `--allow-target <host>` names them; a
 * base URL with credentials, a query or a fragment (`…/#` would send every route to one
 * path) is refused outright. Addresses a name resolves to are checked again at connect
 * time (metadataSafeLookup), so DNS cannot route around the list.
 */
import * as dns from "node:dns";
import * as net from "node:net";

export class TargetUrlError extends Error {}

const METADATA_HOSTS = new Set([
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.internal",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.tencentyun.com",
    "metadata.oraclecloud.com",
]);

/** Link-local, metadata and unspecified addresses (v4, v6, v4-mapped v6). */
export function isForbiddenAddress(address: string): boolean {
    let a = address.replace(/^\[|\]$/g, "").toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (mapped) a = mapped[1];
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
    if (hexMapped) {
        const hi = parseInt(hexMapped[1], 16);
        const lo = parseInt(hexMapped[2], 16);
        a = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
    if (net.isIPv4(a)) {
        const [x, y] = a.split(".").map(Number);
        return (x === 169 && y === 254) || a === "100.100.100.200" || x === 0;
    }
    if (net.isIPv6(a)) return /^fe[89ab][0-9a-f]:/.test(a) || a === "fd00:ec2::254" || a === "::";
    return false;
}

/** The normalised base URL (no trailing slash), or an error naming what is wrong and the way out. */
export function checkTargetUrl(raw: string, where: string, allowed: ReadonlySet<string>): string {
    let u: URL;
    try {
        u = new URL(raw);
    } catch {
        throw new TargetUrlError(`${where}: ${JSON.stringify(raw.slice(0, 120))} is not a URL`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:")
        throw new TargetUrlError(`${where}: only http(s) targets are audited, not ${u.protocol}`);
    if (u.username || u.password)
        throw new TargetUrlError(
            `${where}: a base URL with user info (user:password@) is refused; the audit sends no credentials`,
        );
    if (u.search || u.hash || /[?#]/.test(raw))
        throw new TargetUrlError(
            `${where}: a base URL with a query or fragment (? or #) is refused: every route would be requested at the same path`,
        );
    const host = u.hostname.toLowerCase().replace(/\.$/, "");
    if (!allowed.has(host) && (METADATA_HOSTS.has(host) || isForbiddenAddress(host)))
        throw new TargetUrlError(
            `${where}: ${u.host} is a link-local or cloud metadata address; refused (pass --allow-target ${host} if you really audit a service there)`,
        );
    return u.href.replace(/\/+$/, "");
}

/** A dns.lookup for undici's connector that refuses names resolving to forbidden addresses. */
export function metadataSafeLookup(allowed: ReadonlySet<string>): net.LookupFunction {
    return (hostname, options, callback) => {
        dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
            if (err) return (callback as any)(err);
            const list = addresses as dns.LookupAddress[];
            const bad = list.find((a) => isForbiddenAddress(a.address));
            if (bad && !allowed.has(hostname.toLowerCase()) && !allowed.has(bad.address))
                return (callback as any)(
                    Object.assign(
                        new Error(
                            `${hostname} resolves to ${bad.address}, a link-local or metadata address; refused (--allow-target ${hostname})`,
                        ),
                        { code: "EFORBIDDENTARGET" },
                    ),
                );
            if ((options as dns.LookupOptions).all) return (callback as any)(null, list);
            return (callback as any)(null, list[0].address, list[0].family);
        });
    };
}
