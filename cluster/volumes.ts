/**
 * Storage for the real node: a StorageClass (the cluster's default) and a pool of hostPath
 * PersistentVolumes in the cluster's folder, because no dynamic provisioner builds here
 * (kube-controller-manager's own hostPath provisioner makes root-only folders in /tmp, which
 * a non-root database cannot use). A volume whose claim was deleted (Released) is emptied and
 * offered again at the next cluster:up, which is what a Delete reclaim policy would do.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { KubeApi } from "./kube-api";

export const LOCAL_STORAGE_CLASS = "keybuzz-local-disk";
const POOL = 8;

export async function ensureVolumes(api: KubeApi, clusterDir: string): Promise<void> {
    await api.ensure("/apis/storage.k8s.io/v1/storageclasses", {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: {
            name: LOCAL_STORAGE_CLASS,
            annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "kubernetes.io/no-provisioner",
        volumeBindingMode: "WaitForFirstConsumer",
        reclaimPolicy: "Retain",
    });
    for (let i = 0; i < POOL; i++) {
        const name = `keybuzz-local-pv-${i}`;
        const dir = path.join(clusterDir, "volumes", name);
        const current = await api.call("GET", `/api/v1/persistentvolumes/${name}`);
        if (current.status === 200 && current.json?.status?.phase !== "Released") continue;
        if (current.status === 200) {
            // Released: its claim is gone. Empty it and make it Available again.
            fs.rmSync(dir, { recursive: true, force: true });
            await api.call("DELETE", `/api/v1/persistentvolumes/${name}`);
            for (
                let t = 0;
                t < 50 &&
                (await api.call("GET", `/api/v1/persistentvolumes/${name}`)).status === 200;
                t++
            )
                await new Promise((r) => setTimeout(r, 100));
        }
        fs.mkdirSync(dir, { recursive: true });
        // Any uid may write: the database runs as 999, the services as 10001.
        fs.chmodSync(dir, 0o777);
        await api.ensure("/api/v1/persistentvolumes", {
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name, labels: { "keybuzz.io/pool": "local" } },
            spec: {
                capacity: { storage: "10Gi" },
                accessModes: ["ReadWriteOnce"],
                persistentVolumeReclaimPolicy: "Retain",
                storageClassName: LOCAL_STORAGE_CLASS,
                hostPath: { path: dir, type: "Directory" },
            },
        });
    }
}
