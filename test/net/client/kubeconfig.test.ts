// HttpClient connection settings from a kubeconfig, field by field as kubectl reads them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionFromKubeconfig, connectionFromKubeconfigFile, KubeconfigError } from '../../../src/net/client/kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'cox-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, extra = ''): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'main',
    clusters: [{ name: 'c', cluster }, { name: 'other', cluster: { server: 'https://other:6443' } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'main', context: { cluster: 'c', user: 'u' } }, { name: 'second', context: { cluster: 'other', user: 'u' } }],
  }) + extra;
}

test('reads the current context: server, CA and client certificate data, tls-server-name, a token', () => {
  const text = kubeconfig(
    { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA PEM'), 'tls-server-name': 'api.example' },
    { 'client-certificate-data': b64('CERT PEM'), 'client-key-data': b64('KEY PEM'), token: 'abc' },
  );
  const c = connectionFromKubeconfig(text, dir);
  assert.equal(c.url, 'https://127.0.0.1:6443');
  assert.deepEqual(c.tls, { ca: Buffer.from('CA PEM'), cert: Buffer.from('CERT PEM'), key: Buffer.from('KEY PEM'), servername: 'api.example' });
  assert.deepEqual(c.headers, { Authorization: 'Bearer abc' });
});

test('file fields resolve against the kubeconfig\'s folder; a named context wins over current-context', () => {
  writeFileSync(join(dir, 'ca.crt'), 'CA FROM FILE');
  writeFileSync(join(dir, 'token'), 'tok-from-file\n');
  const path = join(dir, 'config');
  writeFileSync(path, kubeconfig({ server: 'https://127.0.0.1:6443', 'certificate-authority': 'ca.crt' }, { tokenFile: 'token' }));
  const c = connectionFromKubeconfigFile(path);
  assert.deepEqual(c.tls, { ca: Buffer.from('CA FROM FILE') });
  assert.deepEqual(c.headers, { Authorization: 'Bearer tok-from-file' });
  assert.equal(connectionFromKubeconfigFile(path, 'second').url, 'https://other:6443');
});

test('insecure-skip-tls-verify and basic auth; a plain http server gets no TLS settings', () => {
  const insecure = connectionFromKubeconfig(kubeconfig({ server: 'https://h:1', 'insecure-skip-tls-verify': true }, { username: 'admin', password: 'pw' }), dir);
  assert.deepEqual(insecure.tls, { rejectUnauthorized: false });
  assert.deepEqual(insecure.headers, { Authorization: `Basic ${b64('admin:pw')}` });
  const plain = connectionFromKubeconfig(kubeconfig({ server: 'http://127.0.0.1:6443', 'certificate-authority-data': b64('x') }, {}), dir);
  assert.deepEqual(plain, { url: 'http://127.0.0.1:6443' });
});

test('says what is wrong: unknown context, no current-context, no server, exec plugins, unreadable files', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => connectionFromKubeconfig(kubeconfig({ server: 'http://h' }, {}), dir, 'nope'), /context "nope" not found in the kubeconfig/],
    [() => connectionFromKubeconfig(JSON.stringify({ clusters: [] }), dir), /no current-context/],
    [() => connectionFromKubeconfig(kubeconfig({}, {}), dir), /cluster "c" has no server/],
    [() => connectionFromKubeconfig(kubeconfig({ server: 'https://h' }, { exec: { command: 'aws' } }), dir), /user "u" uses exec, which this client does not run/],
    [() => connectionFromKubeconfig(kubeconfig({ server: 'https://h', 'certificate-authority': 'missing.crt' }, {}), dir), /cluster "c": cannot read certificate-authority .*missing\.crt/],
    [() => connectionFromKubeconfigFile(join(dir, 'absent')), /cannot read kubeconfig/],
    [() => connectionFromKubeconfig('a: [', dir), /invalid kubeconfig/],
  ];
  for (const [run, message] of cases) assert.throws(run, (e: unknown) => e instanceof KubeconfigError && message.test(e.message), String(message));
});
