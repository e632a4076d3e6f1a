import * as assert from "node:assert/strict";
import { pluginForSuite, proto } from "../plugin-process";

const { Empty } = require("google-protobuf/google/protobuf/empty_pb.js");

describe("the Node.js language host (tools/langhost), over gRPC as the engine starts it", function () {
    this.timeout(120_000);
    const services = proto("language_grpc_pb.js");
    const messages = proto("language_pb.js");
    const host = pluginForSuite("langhost/pulumi-language-nodejs", services.LanguageRuntimeClient);

    it("answers as the @pulumi/pulumi SDK version it runs programs with", async () => {
        const info = await host().call("getPluginInfo", new Empty());
        assert.equal(info.getVersion(), require("@pulumi/pulumi/package.json").version);
    });

    it("needs no plugin downloads and reports the Node.js it runs on", async () => {
        const req = new messages.GetRequiredPluginsRequest();
        const plugins = await host().call("getRequiredPlugins", req);
        assert.deepEqual(plugins.getPluginsList(), []);
        const about = await host().call("about", new messages.AboutRequest());
        assert.match(about.getVersion(), /^v(2[2-9]|[3-9]\d)\./, "the project's Node >= 22");
    });
});
