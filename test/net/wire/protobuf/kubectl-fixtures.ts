// Captured by scripts/capture-protobuf-bodies.mjs from kubectl v1.32.4-dispatcher: the protobuf body each
// command sent (base64) and the JSON the same command prints with `-o json --dry-run=client`.

export interface KubectlFixture {
  readonly name: string;
  readonly command: string;
  readonly path: string;
  readonly body: string;
  /** Undefined where kubectl has no client dry run (create token). */
  readonly json: unknown;
}

export const kubectlFixtures: readonly KubectlFixture[] = [
  {
    name: "create configmap",
    command: "kubectl create configmap x --from-literal=a=b",
    path: "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEhsKEQoBeBIAGgAiACoAMgA4AEIAEgYKAWESAWIaACIA",
    json: {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null},"data":{"a":"b"}},
  },
  {
    name: "create configmap from files",
    command: "kubectl create configmap files --from-file=app.properties --from-file=blob=blob.bin --from-literal=mode=fast",
    path: "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEl8KFQoFZmlsZXMSABoAIgAqADIAOABCABIoCg5hcHAucHJvcGVydGllcxIWY29sb3I9Ymx1ZQpzaXplPWxhcmdlChIMCgRtb2RlEgRmYXN0Gg4KBGJsb2ISBgD//oABAhoAIgA=",
    json: {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"files","creationTimestamp":null},"data":{"app.properties":"color=blue\nsize=large\n","mode":"fast"},"binaryData":{"blob":"AP/+gAEC"}},
  },
  {
    name: "create secret generic",
    command: "kubectl create secret generic creds --from-literal=user=admin --from-literal=password=s3cr3t!",
    path: "/api/v1/namespaces/default/secrets?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0Ej0KFQoFY3JlZHMSABoAIgAqADIAOABCABITCghwYXNzd29yZBIHczNjcjN0IRINCgR1c2VyEgVhZG1pbhoAGgAiAA==",
    json: {"kind":"Secret","apiVersion":"v1","metadata":{"name":"creds","creationTimestamp":null},"data":{"password":"czNjcjN0IQ==","user":"YWRtaW4="}},
  },
  {
    name: "create secret docker-registry",
    command: "kubectl create secret docker-registry reg --docker-server=r.example.com --docker-username=u --docker-password=p",
    path: "/api/v1/namespaces/default/secrets?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0EpUBChMKA3JlZxIAGgAiACoAMgA4AEIAEl4KES5kb2NrZXJjb25maWdqc29uEkl7ImF1dGhzIjp7InIuZXhhbXBsZS5jb20iOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiYXV0aCI6ImRUcHcifX19Gh5rdWJlcm5ldGVzLmlvL2RvY2tlcmNvbmZpZ2pzb24aACIA",
    json: {"kind":"Secret","apiVersion":"v1","metadata":{"name":"reg","creationTimestamp":null},"data":{".dockerconfigjson":"eyJhdXRocyI6eyJyLmV4YW1wbGUuY29tIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ=="},"type":"kubernetes.io/dockerconfigjson"},
  },
  {
    name: "create deployment",
    command: "kubectl create deployment nginx --image=nginx --replicas=2 --port=80",
    path: "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsABCiMKBW5naW54EgAaACIAKgAyADgAQgBaDAoDYXBwEgVuZ2lueBKKAQgCEg4KDAoDYXBwEgVuZ2lueBpuCh4KABIAGgAiACoAMgA4AEIAWgwKA2FwcBIFbmdpbngSTBIuCgVuZ2lueBIFbmdpbngqADIKCgAQABhQIgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==",
    json: {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"nginx","creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}},
  },
  {
    name: "create service clusterip",
    command: "kubectl create service clusterip svc --tcp=80:8080",
    path: "/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJpCh8KA3N2YxIAGgAiACoAMgA4AEIAWgoKA2FwcBIDc3ZjEkIKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoABIKCgNhcHASA3N2YxoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==",
    json: {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc","creationTimestamp":null,"labels":{"app":"svc"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"svc"},"type":"ClusterIP"},"status":{"loadBalancer":{}}},
  },
  {
    name: "create service nodeport",
    command: "kubectl create service nodeport np --tcp=80:http --node-port=30080",
    path: "/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJqCh0KAm5wEgAaACIAKgAyADgAQgBaCQoDYXBwEgJucBJFCiAKBzgwLWh0dHASA1RDUBhQIgoIARAAGgRodHRwKIDrARIJCgNhcHASAm5wGgAiCE5vZGVQb3J0OgBCAFIAWgBgAGgAGgIKABoAIgA=",
    json: {"kind":"Service","apiVersion":"v1","metadata":{"name":"np","creationTimestamp":null,"labels":{"app":"np"}},"spec":{"ports":[{"name":"80-http","protocol":"TCP","port":80,"targetPort":"http","nodePort":30080}],"selector":{"app":"np"},"type":"NodePort"},"status":{"loadBalancer":{}}},
  },
  {
    name: "create service externalname",
    command: "kubectl create service externalname ext --external-name=example.com",
    path: "/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJaCh8KA2V4dBIAGgAiACoAMgA4AEIAWgoKA2FwcBIDZXh0EjMSCgoDYXBwEgNleHQaACIMRXh0ZXJuYWxOYW1lOgBCAFILZXhhbXBsZS5jb21aAGAAaAAaAgoAGgAiAA==",
    json: {"kind":"Service","apiVersion":"v1","metadata":{"name":"ext","creationTimestamp":null,"labels":{"app":"ext"}},"spec":{"selector":{"app":"ext"},"type":"ExternalName","externalName":"example.com"},"status":{"loadBalancer":{}}},
  },
  {
    name: "create job",
    command: "kubectl create job hello --image=busybox -- echo hi",
    path: "/apis/batch/v1/namespaces/default/jobs?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCghiYXRjaC92MRIDSm9iEooBChUKBWhlbGxvEgAaACIAKgAyADgAQgASZzJlChAKABIAGgAiACoAMgA4AEIAElESLgoFaGVsbG8SB2J1c3lib3gaBGVjaG8aAmhpKgBCAGoAcgCAAQCIAQCQAQCiAQAaBU5ldmVyMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAaCCAAKAAwADoAGgAiAA==",
    json: {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"hello","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"hello","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"Never"}}},"status":{}},
  },
  {
    name: "create cronjob",
    command: "kubectl create cronjob tick --image=busybox --schedule=*/5 * * * * -- date",
    path: "/apis/batch/v1/namespaces/default/cronjobs?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKqAQoUCgR0aWNrEgAaACIAKgAyADgAQgASjwEKCyovNSAqICogKiAqGgAqfgoUCgR0aWNrEgAaACIAKgAyADgAQgASZjJkChAKABIAGgAiACoAMgA4AEIAElASKQoEdGljaxIHYnVzeWJveBoEZGF0ZSoAQgBqAHIAgAEAiAEAkAEAogEAGglPbkZhaWx1cmUyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoAGgAiAA==",
    json: {"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"tick","creationTimestamp":null},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"metadata":{"name":"tick","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"tick","image":"busybox","command":["date"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}},
  },
  {
    name: "create namespace",
    command: "kubectl create namespace team-a",
    path: "/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEh4KFgoGdGVhbS1hEgAaACIAKgAyADgAQgASABoCCgAaACIA",
    json: {"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team-a","creationTimestamp":null},"spec":{},"status":{}},
  },
  {
    name: "create serviceaccount",
    command: "kubectl create serviceaccount bot",
    path: "/api/v1/namespaces/default/serviceaccounts?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFQoTCgNib3QSABoAIgAqADIAOABCABoAIgA=",
    json: {"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"bot","creationTimestamp":null}},
  },
  {
    name: "create priorityclass",
    command: "kubectl create priorityclass high --value=1000 --description=important --preemption-policy=Never",
    path: "/apis/scheduling.k8s.io/v1/priorityclasses?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxItChQKBGhpZ2gSABoAIgAqADIAOABCABDoBxgAIglpbXBvcnRhbnQqBU5ldmVyGgAiAA==",
    json: {"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"high","creationTimestamp":null},"value":1000,"description":"important","preemptionPolicy":"Never"},
  },
  {
    name: "create ingress",
    command: "kubectl create ingress web --class=nginx --rule=foo.com/bar*=svc1:8080 --annotation=a=b",
    path: "/apis/networking.k8s.io/v1/namespaces/default/ingresses?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAofChRuZXR3b3JraW5nLms4cy5pby92MRIHSW5ncmVzcxJaChsKA3dlYhIAGgAiACoAMgA4AEIAYgYKAWESAWISNxouCgdmb28uY29tEiMKIQofCgQvYmFyEg8iDQoEc3ZjMRIFCgAQkD8aBlByZWZpeCIFbmdpbngaAgoAGgAiAA==",
    json: {"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"web","creationTimestamp":null,"annotations":{"a":"b"}},"spec":{"ingressClassName":"nginx","rules":[{"host":"foo.com","http":{"paths":[{"path":"/bar","pathType":"Prefix","backend":{"service":{"name":"svc1","port":{"number":8080}}}}]}}]},"status":{"loadBalancer":{}}},
  },
  {
    name: "create poddisruptionbudget",
    command: "kubectl create poddisruptionbudget pdb --selector=app=web --min-available=50%",
    path: "/apis/policy/v1/namespaces/default/poddisruptionbudgets?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSPAoTCgNwZGISABoAIgAqADIAOABCABIZCgkIARAAGgM1MCUSDAoKCgNhcHASA3dlYhoKCAAYACAAKAAwABoAIgA=",
    json: {"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"pdb","creationTimestamp":null},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}},
  },
  {
    name: "create token",
    command: "kubectl create token robot --audience=api --duration=10m",
    path: "/api/v1/namespaces/default/serviceaccounts/robot/token",
    body: "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIiChAKABIAGgAiACoAMgA4AEIAEggKA2FwaSDYBBoECgASABoAIgA=",
    json: undefined,
  },
  {
    name: "debug node",
    command: "kubectl debug node/n1 --image=busybox --profile=general",
    path: "/api/v1/namespaces/default/pods",
    body: "azhzAAoJCgJ2MRIDUG9kEswBCiYKFm5vZGUtZGVidWdnZXItbjEtdzlwbjUSABoAIgAqADIAOABCABKPAQoSCglob3N0LXJvb3QSBQoDCgEvEkUKCGRlYnVnZ2VyEgdidXN5Ym94KgBCAEoYCglob3N0LXJvb3QQABoFL2hvc3QiADIAagByAIABAIgBAJABAKIBBEZpbGUaBU5ldmVyMgBCAEoAUgJuMVgBYAFoAYIBAIoBAJoBALIBDgoAEgZFeGlzdHMaACIAwgEAGhAKABoAIgAqADIASgBaAHIAGgAiAA==",
    json: undefined,
  },
  {
    name: "debug copy pod",
    command: "kubectl debug pinned --copy-to=pinned-copy --image=busybox --container=dbg --share-processes",
    path: "/api/v1/namespaces/default/pods",
    body: "azhzAAoJCgJ2MRIDUG9kEtgFCt4CCgtwaW5uZWQtY29weRIAGgdkZWZhdWx0IgAqADIAOABCAGK5Agowa3ViZWN0bC5rdWJlcm5ldGVzLmlvL2xhc3QtYXBwbGllZC1jb25maWd1cmF0aW9uEoQCeyJhcGlWZXJzaW9uIjoidjEiLCJraW5kIjoiUG9kIiwibWV0YWRhdGEiOnsiYW5ub3RhdGlvbnMiOnt9LCJsYWJlbHMiOnsiYXBwIjoicGlubmVkIn0sIm5hbWUiOiJwaW5uZWQiLCJuYW1lc3BhY2UiOiJkZWZhdWx0In0sInNwZWMiOnsiY29udGFpbmVycyI6W3siZW52IjpbeyJuYW1lIjoiQSIsInZhbHVlIjoiMSJ9XSwiaW1hZ2UiOiJuZ2lueCIsIm5hbWUiOiJjIiwicG9ydHMiOlt7ImNvbnRhaW5lclBvcnQiOjgwfV19XSwibm9kZU5hbWUiOiJuMSJ9fQoS4gISUwoBYxIFbmdpbngqADINCgAQABhQIgNUQ1AqADoGCgFBEgExQgBqFC9kZXYvdGVybWluYXRpb24tbG9ncgZBbHdheXOAAQCIAQCQAQCiAQRGaWxlEiYKA2RiZxIHYnVzeWJveCoAQgBqAHIAgAEAiAEAkAEAogEERmlsZRoGQWx3YXlzIB4yDENsdXN0ZXJGaXJzdEIHZGVmYXVsdEoHZGVmYXVsdFIAWABgAGgAcgCCAQCKAQCaARFkZWZhdWx0LXNjaGVkdWxlcrIBNgocbm9kZS5rdWJlcm5ldGVzLmlvL25vdC1yZWFkeRIGRXhpc3RzGgAiCU5vRXhlY3V0ZSisArIBOAoebm9kZS5rdWJlcm5ldGVzLmlvL3VucmVhY2hhYmxlEgZFeGlzdHMaACIJTm9FeGVjdXRlKKwCwgEAyAEA2AEB8AEB+gEUUHJlZW1wdExvd2VyUHJpb3JpdHkaEAoAGgAiACoAMgBKAFoAcgAaACIA",
    json: undefined,
  },
];
