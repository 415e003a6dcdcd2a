// Static checks of what runs the platform outside `npm start` (no Docker engine or cluster here).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = join(__dirname, '..');
const apps = readdirSync(join(root, 'apps')).filter((a) => !a.endsWith('-e2e'));
const base = join(root, 'k8s', 'base');

type Doc = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> } & Record<string, unknown>;
const docs: Doc[] = readdirSync(base)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(readFileSync(join(base, f), 'utf8')).map((d) => d.toJS() as Doc));

describe('Kubernetes base', () => {
  it('lists every manifest in the kustomization', () => {
    const k = parseAllDocuments(readFileSync(join(base, 'kustomization.yaml'), 'utf8'))[0].toJS() as { resources: string[] };
    const files = readdirSync(base).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...k.resources].sort()).toEqual(files.sort());
  });

  it.each(apps)('runs %s safely, with probes wired to /health and a drain-sized grace period', (app) => {
    const dep = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === app);
    expect(dep).toBeDefined();
    const pod = (dep!.spec as { template: { spec: Record<string, unknown> } }).template.spec as {
      terminationGracePeriodSeconds: number;
      securityContext: { runAsNonRoot: boolean };
      containers: { readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } }; securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean } }[];
    };
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(10);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const c = pod.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/health/live');
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(docs.some((d) => d.kind === 'Service' && d.metadata.name === app)).toBe(true);
  });

  it('references secrets and never embeds one', () => {
    expect(docs.some((d) => d.kind === 'Secret')).toBe(false);
    const text = readdirSync(base).map((f) => readFileSync(join(base, f), 'utf8')).join('\n');
    expect(text).not.toMatch(/kl_[A-Za-z0-9_-]{20,}/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

  it('uses the Node version the repository pins', () => {
    const pinned = pkg.devDependencies.node.replace(/^[^\d]*/, '');
    expect(dockerfile).toContain(`ARG NODE_VERSION=${pinned}`);
    expect(pinned.startsWith('24.')).toBe(true);
  });

  it('runs as a non-root user under tini with production dependencies only', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/HEALTHCHECK .*\n.*\/health\/live/);
  });
});
