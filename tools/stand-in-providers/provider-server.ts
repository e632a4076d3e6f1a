/**
 * A small gRPC ResourceProvider server for the stand-in providers in this folder, on the
 * SDK's generated service definitions (so the protocol is the engine's own). A provider
 * supplies the methods it implements; every other method answers UNIMPLEMENTED.
 */
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";

/* eslint-disable @typescript-eslint/no-require-imports */
const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
export const services = require(path.join(sdk, "proto/provider_grpc_pb.js"));
export const messages = require(path.join(sdk, "proto/provider_pb.js"));
export const pluginMessages = require(path.join(sdk, "proto/plugin_pb.js"));
export const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb.js");

/** Pulumi's wire signatures for secrets and for values unknown during a preview. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isSecret(v: unknown): v is { value: unknown } {
    return (
        typeof v === "object" &&
        v !== null &&
        (v as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG
    );
}
export function secret(value: unknown): Record<string, unknown> {
    return { [SPECIAL_SIG_KEY]: SECRET_SIG, value };
}
/** True when `v` holds a value not known until the update (preview). */
export function hasUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(hasUnknown);
    if (v && typeof v === "object") return Object.values(v).some(hasUnknown);
    return false;
}

export type Props = Record<string, any>;
type Unary = (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => void;

export interface StandInProvider {
    readonly version: string;
    configure?(variables: Record<string, string>, args: Props): void;
    check?(
        type: string,
        olds: Props,
        news: Props,
    ): { inputs: Props; failures?: Array<{ property: string; reason: string }> };
    diff?(type: string, olds: Props, news: Props): { changes: boolean; replaces?: string[] };
    create(
        type: string,
        urn: string,
        props: Props,
        preview: boolean,
    ): { id: string; properties: Props };
    update?(
        type: string,
        urn: string,
        id: string,
        olds: Props,
        news: Props,
        preview: boolean,
    ): Props;
    delete?(type: string, urn: string, id: string, props: Props): void;
}

const toJs = (s: any): Props => (s ? s.toJavaScript() : {});
const toStruct = (p: Props) => Struct.fromJavaScript(JSON.parse(JSON.stringify(p)));

function handle<T>(cb: grpc.sendUnaryData<any>, fn: () => T): void {
    try {
        cb(null, fn());
    } catch (e) {
        cb({ code: grpc.status.UNKNOWN, details: (e as Error).message } as grpc.ServiceError, null);
    }
}

export function serve(provider: StandInProvider): void {
    const impl: Record<string, Unary | ((call: any) => void)> = {
        getPluginInfo: (_c, cb) => {
            const r = new pluginMessages.PluginInfo();
            r.setVersion(provider.version);
            cb(null, r);
        },
        getSchema: (_c, cb) => {
            const r = new messages.GetSchemaResponse();
            r.setSchema("{}");
            cb(null, r);
        },
        checkConfig: (c, cb) =>
            handle(cb, () => {
                const r = new messages.CheckResponse();
                r.setInputs(c.request.getNews());
                return r;
            }),
        diffConfig: (c, cb) =>
            handle(cb, () => {
                const r = new messages.DiffResponse();
                const same =
                    JSON.stringify(toJs(c.request.getOlds())) ===
                    JSON.stringify(toJs(c.request.getNews()));
                r.setChanges(
                    same
                        ? messages.DiffResponse.DiffChanges.DIFF_NONE
                        : messages.DiffResponse.DiffChanges.DIFF_SOME,
                );
                return r;
            }),
        configure: (c, cb) =>
            handle(cb, () => {
                const variables: Record<string, string> = {};
                c.request.getVariablesMap().forEach((v: string, k: string) => (variables[k] = v));
                provider.configure?.(variables, toJs(c.request.getArgs()));
                const r = new messages.ConfigureResponse();
                r.setAcceptsecrets(true);
                r.setSupportspreview(true);
                return r;
            }),
        check: (c, cb) =>
            handle(cb, () => {
                const out = provider.check
                    ? provider.check(
                          c.request.getType(),
                          toJs(c.request.getOlds()),
                          toJs(c.request.getNews()),
                      )
                    : { inputs: toJs(c.request.getNews()) };
                const r = new messages.CheckResponse();
                r.setInputs(toStruct(out.inputs));
                r.setFailuresList(
                    (out.failures ?? []).map((f) => {
                        const cf = new messages.CheckFailure();
                        cf.setProperty(f.property);
                        cf.setReason(f.reason);
                        return cf;
                    }),
                );
                return r;
            }),
        diff: (c, cb) =>
            handle(cb, () => {
                const olds = toJs(c.request.getOldInputs() ?? c.request.getOlds());
                const news = toJs(c.request.getNews());
                const d = provider.diff
                    ? provider.diff(c.request.getType(), olds, news)
                    : { changes: JSON.stringify(olds) !== JSON.stringify(news) };
                const r = new messages.DiffResponse();
                r.setChanges(
                    d.changes
                        ? messages.DiffResponse.DiffChanges.DIFF_SOME
                        : messages.DiffResponse.DiffChanges.DIFF_NONE,
                );
                r.setReplacesList(d.replaces ?? []);
                return r;
            }),
        create: (c, cb) =>
            handle(cb, () => {
                const out = provider.create(
                    c.request.getType(),
                    c.request.getUrn(),
                    toJs(c.request.getProperties()),
                    c.request.getPreview(),
                );
                const r = new messages.CreateResponse();
                r.setId(out.id);
                r.setProperties(toStruct(out.properties));
                return r;
            }),
        read: (c, cb) =>
            handle(cb, () => {
                const r = new messages.ReadResponse();
                r.setId(c.request.getId());
                r.setProperties(c.request.getProperties());
                r.setInputs(c.request.getInputs());
                return r;
            }),
        update: (c, cb) =>
            handle(cb, () => {
                const news = toJs(c.request.getNews());
                const props = provider.update
                    ? provider.update(
                          c.request.getType(),
                          c.request.getUrn(),
                          c.request.getId(),
                          toJs(c.request.getOlds()),
                          news,
                          c.request.getPreview(),
                      )
                    : news;
                const r = new messages.UpdateResponse();
                r.setProperties(toStruct(props));
                return r;
            }),
        delete: (c, cb) =>
            handle(cb, () => {
                provider.delete?.(
                    c.request.getType(),
                    c.request.getUrn(),
                    c.request.getId(),
                    toJs(c.request.getProperties()),
                );
                return new Empty();
            }),
        cancel: (_c, cb) => cb(null, new Empty()),
    };
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(services.ResourceProviderService, impl as grpc.UntypedServiceImplementation);
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
            process.stderr.write(`${err.message}\n`);
            process.exit(1);
        }
        process.stdout.write(`${port}\n`);
    });
    process.on("SIGTERM", () => server.forceShutdown());
}
