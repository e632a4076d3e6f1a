import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { pluginForSuite, proto, TOOLS } from "../plugin-process";

const { Empty } = require("google-protobuf/google/protobuf/empty_pb.js");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js");
const TYPE = "random:index/randomPassword:RandomPassword";
const URN = `urn:pulumi:test::p::${TYPE}::db`;
// Pulumi's wire form of a secret value.
const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

describe("the RandomPassword stand-in (tools/stand-in-providers), over gRPC as the engine starts it", function () {
    this.timeout(120_000);
    const services = proto("provider_grpc_pb.js");
    const messages = proto("provider_pb.js");
    const provider = pluginForSuite(
        "stand-in-providers/pulumi-resource-random",
        services.ResourceProviderClient,
    );

    it("answers as the random version tools/versions.env pins", async () => {
        const pinned = /^PULUMI_RANDOM_VERSION=(\S+)$/m.exec(
            fs.readFileSync(path.join(TOOLS, "versions.env"), "utf8"),
        )![1];
        const info = await provider().call("getPluginInfo", new Empty());
        assert.equal(info.getVersion(), pinned);
    });

    it("checks inputs, then creates a secret password of the asked length", async () => {
        const check = new messages.CheckRequest();
        check.setUrn(URN);
        check.setType(TYPE);
        check.setOlds(Struct.fromJavaScript({}));
        check.setNews(Struct.fromJavaScript({ length: 24, special: false }));
        const checked = await provider().call("check", check);
        assert.deepEqual(checked.getFailuresList(), []);
        const create = new messages.CreateRequest();
        create.setUrn(URN);
        create.setType(TYPE);
        create.setProperties(checked.getInputs());
        const created = (await provider().call("create", create)).getProperties().toJavaScript();
        // Returned as a Pulumi secret (the wire signature), never as a plain string.
        assert.equal(created.result[SECRET_KEY], SECRET_SIG);
        assert.match(created.result.value, /^[A-Za-z0-9]{24}$/);
    });

    it("refuses a password without a positive length, naming the property", async () => {
        const check = new messages.CheckRequest();
        check.setUrn(URN);
        check.setType(TYPE);
        check.setOlds(Struct.fromJavaScript({}));
        check.setNews(Struct.fromJavaScript({ length: 0 }));
        const failures = (await provider().call("check", check)).getFailuresList();
        assert.deepEqual(
            failures.map((f: any) => [f.getProperty(), f.getReason()]),
            [["length", "length is required and must be positive"]],
        );
    });
});
