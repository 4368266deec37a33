import type { Lease, Node, Pod } from "../../src/api/types/index.js";

/** A Deployment replica as `kubectl get pod -o yaml` shows it (managedFields left out). */
export function samplePod(i = 0): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `web-7d9c8b6f5d-${i.toString(36).padStart(5, "x")}`,
      generateName: "web-7d9c8b6f5d-",
      namespace: "default",
      uid: "0b6e7d3a-4c1e-4f55-9d2a-6e1f0c8b9a27",
      resourceVersion: "123456",
      creationTimestamp: "2025-01-01T00:00:05Z",
      labels: { app: "web", "pod-template-hash": "7d9c8b6f5d" },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web-7d9c8b6f5d",
          uid: "5f1b2c3d-0a9e-4b8c-8d7e-6f5a4b3c2d1e",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: "web",
          image: "registry.k8s.io/pause:3.9",
          imagePullPolicy: "IfNotPresent",
          ports: [{ containerPort: 8080, protocol: "TCP" }],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
        },
      ],
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      nodeName: "node-0042",
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: {},
      serviceAccountName: "default",
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ],
    },
    status: {
      phase: "Running",
      conditions: [
        { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:06Z" },
        { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:09Z" },
        { type: "ContainersReady", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:09Z" },
        { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:05Z" },
      ],
      hostIP: "10.0.0.42",
      podIP: "10.244.42.17",
      podIPs: [{ ip: "10.244.42.17" }],
      startTime: "2025-01-01T00:00:06Z",
      qosClass: "Burstable",
      containerStatuses: [
        {
          name: "web",
          ready: true,
          restartCount: 0,
          started: true,
          image: "registry.k8s.io/pause:3.9",
          imageID: "registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097",
          containerID: "containerd://4f1c2b3a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a",
          state: { running: { startedAt: "2025-01-01T00:00:08Z" } },
        },
      ],
    },
  };
}

/** A node as `kubectl get node -o yaml` shows it (managedFields left out, five images). */
export function sampleNode(i = 42): Node {
  const name = `node-${String(i).padStart(4, "0")}`;
  const cond = (type: string, status: "True" | "False", reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: "2025-01-01T00:10:00Z",
    lastTransitionTime: "2025-01-01T00:00:00Z",
    reason,
    message,
  });
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      uid: "6a2b1c0d-9e8f-4a7b-b6c5-d4e3f2a1b0c9",
      resourceVersion: "98765",
      creationTimestamp: "2025-01-01T00:00:00Z",
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "n2-standard-4",
        "topology.kubernetes.io/region": "us-central1",
        "topology.kubernetes.io/zone": "us-central1-a",
      },
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: {
      podCIDR: "10.244.42.0/24",
      podCIDRs: ["10.244.42.0/24"],
      providerID: `gce://project/us-central1-a/${name}`,
    },
    status: {
      capacity: {
        cpu: "4",
        "ephemeral-storage": "98831908Ki",
        "hugepages-2Mi": "0",
        memory: "16393244Ki",
        pods: "110",
      },
      allocatable: {
        cpu: "3920m",
        "ephemeral-storage": "47060071478",
        "hugepages-2Mi": "0",
        memory: "13477916Ki",
        pods: "110",
      },
      conditions: [
        cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
      ],
      addresses: [
        { type: "InternalIP", address: "10.0.0.42" },
        { type: "Hostname", address: name },
      ],
      nodeInfo: {
        machineID: "3c1e2d4f5a6b7c8d9e0f1a2b3c4d5e6f",
        systemUUID: "3c1e2d4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f",
        bootID: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        kernelVersion: "6.1.0-18-cloud-amd64",
        osImage: "Debian GNU/Linux 12 (bookworm)",
        containerRuntimeVersion: "containerd://1.7.13",
        kubeletVersion: "v1.31.0",
        kubeProxyVersion: "v1.31.0",
        operatingSystem: "linux",
        architecture: "amd64",
      },
      images: [
        {
          names: [
            "registry.k8s.io/etcd@sha256:29901446ff08461789b7cd8565fc5b538134e58f81ca1f50fd65d0371cf6571e",
            "registry.k8s.io/etcd:3.5.12-0",
          ],
          sizeBytes: 57236178,
        },
        {
          names: [
            "registry.k8s.io/kube-proxy@sha256:5d8a39b5e0c5d9f1e6e0ca8ab2c8ba5c1e6f6c3e6e3f1b7e8d9f0a1b2c3d4e5f",
            "registry.k8s.io/kube-proxy:v1.31.0",
          ],
          sizeBytes: 28057290,
        },
        {
          names: [
            "docker.io/library/nginx@sha256:0f04e4f646a3f14bf31d8bc8d885b6c951fdcf42589d06845f64d18aec6a3c4d",
            "docker.io/library/nginx:1.25",
          ],
          sizeBytes: 70544635,
        },
        {
          names: [
            "registry.k8s.io/coredns/coredns@sha256:1eeb4c7316bacb1d4c8ead65571cd92dd21e27359f0d4917f1a5822a73b75db1",
            "registry.k8s.io/coredns/coredns:v1.11.1",
          ],
          sizeBytes: 18182961,
        },
        {
          names: [
            "registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097",
            "registry.k8s.io/pause:3.9",
          ],
          sizeBytes: 321520,
        },
      ],
    },
  };
}

/** A node heartbeat Lease. */
export function sampleLease(): Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: "node-0042",
      namespace: "kube-node-lease",
      uid: "1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0",
      resourceVersion: "555",
      creationTimestamp: "2025-01-01T00:00:00Z",
      ownerReferences: [
        { apiVersion: "v1", kind: "Node", name: "node-0042", uid: "6a2b1c0d-9e8f-4a7b-b6c5-d4e3f2a1b0c9" },
      ],
    },
    spec: { holderIdentity: "node-0042", leaseDurationSeconds: 40, renewTime: "2025-01-01T00:10:00.123456Z" },
  };
}
