/**
 * Real HTTP servers on 127.0.0.1 for the audit tests: one behaving like the PROD the PH28.1
 * audit found, one healthy, and misbehaving endpoints (slow, hanging, resetting, oversized).
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface RunningServer {
    readonly url: string;
    close(): Promise<void>;
}

export async function serve(handler: Handler): Promise<RunningServer> {
    const sockets = new Set<import("node:net").Socket>();
    const server = http.createServer(handler);
    server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((r) => {
                for (const s of sockets) s.destroy();
                server.close(() => r());
            }),
    };
}

function send(
    res: http.ServerResponse,
    status: number,
    body = "",
    headers: Record<string, string> = {},
) {
    res.writeHead(status, { "content-type": "text/plain", ...headers });
    res.end(body);
}

const API_ROUTES = [
    "/conversations",
    "/messages",
    "/attachments",
    "/dashboard",
    "/stats",
    "/webhooks",
    "/auth/login",
    "/auth/signup",
];

/** The API: broken = the audit's v0.9.29 (most routes 404); healthy = every route exists. */
export function apiHandler(mode: "broken" | "healthy", image: string): Handler {
    return (req, res) => {
        const path = req.url ?? "/";
        if (path === "/health" || path === "/tenants") return send(res, 200, "ok");
        if (path === "/auth/me") return send(res, 401, "unauthorized");
        if (mode === "broken") return send(res, 404, "Not Found");
        if (API_ROUTES.includes(path)) return send(res, 401, "unauthorized");
        if (path === "/debug/version")
            return send(res, 200, JSON.stringify({ image }), {
                "content-type": "application/json",
            });
        return send(res, 404, "Not Found");
    };
}

/** The client: its login page loads a script into which the build inlined `backendUrl`. */
export function clientHandler(backendUrl: string): Handler {
    return (req, res) => {
        const path = req.url ?? "/";
        if (path === "/" || path === "/dashboard" || path === "/inbox")
            return send(res, 307, "", { location: "/login" });
        if (path === "/login" || path === "/signup") {
            return send(
                res,
                200,
                `<html><head><script src="/_next/static/chunks/main-abc123.js"></script></head><body>login</body></html>`,
                { "content-type": "text/html" },
            );
        }
        if (path === "/_next/static/chunks/main-abc123.js")
            return send(
                res,
                200,
                `const e={backend:"${backendUrl}"};fetch(e.backend+"/auth/me");`,
                { "content-type": "application/javascript" },
            );
        return send(res, 404, "Not Found");
    };
}

export function websiteHandler(): Handler {
    return (req, res) =>
        ["/", "/pricing", "/contact", "/features"].includes(req.url ?? "")
            ? send(res, 200, "<html>KeyBuzz</html>", { "content-type": "text/html" })
            : send(res, 404);
}
