/**
 * A PostgreSQL role and database on an existing server, as a Pulumi dynamic resource.
 * Replacing the role or database name replaces the resource; a password change updates it.
 */
import * as pulumi from "@pulumi/pulumi";
import { AdminConnection, dropRoleDatabase, ensureRoleDatabase } from "./postgres-admin";

interface Inputs {
    admin: AdminConnection;
    role: string;
    password: string;
    database: string;
    /** Drop the database on delete; long-lived environments keep their data. */
    dropOnDelete: boolean;
}

const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Inputs) {
        await ensureRoleDatabase(inputs.admin, {
            role: inputs.role,
            password: inputs.password,
            database: inputs.database,
        });
        return { id: `${inputs.admin.host}:${inputs.admin.port}/${inputs.database}`, outs: inputs };
    },
    async diff(_id: string, olds: Inputs, news: Inputs) {
        const replaces = ["role", "database"].filter(
            (k) => olds[k as keyof Inputs] !== news[k as keyof Inputs],
        );
        if (olds.admin.host !== news.admin.host || olds.admin.port !== news.admin.port)
            replaces.push("admin");
        const changes =
            replaces.length > 0 ||
            olds.password !== news.password ||
            olds.dropOnDelete !== news.dropOnDelete;
        return { changes, replaces, deleteBeforeReplace: false };
    },
    async update(_id: string, _olds: Inputs, news: Inputs) {
        await ensureRoleDatabase(news.admin, {
            role: news.role,
            password: news.password,
            database: news.database,
        });
        return { outs: news };
    },
    async delete(_id: string, props: Inputs) {
        if (!props.dropOnDelete) return;
        await dropRoleDatabase(props.admin, { role: props.role, database: props.database });
    },
};

export interface RoleDatabaseArgs {
    readonly admin: pulumi.Input<AdminConnection>;
    readonly role: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
    readonly database: pulumi.Input<string>;
    readonly dropOnDelete: pulumi.Input<boolean>;
}

export class RoleDatabase extends pulumi.dynamic.Resource {
    constructor(name: string, args: RoleDatabaseArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            args,
            { ...opts, additionalSecretOutputs: ["password", "admin"] },
            "keybuzz",
            "RoleDatabase",
        );
    }
}
