// HttpClient options from a kubeconfig, as kubectl reads one: the context's cluster (server, CA,
// tls-server-name, insecure-skip-tls-verify) and user (client certificate and key, bearer token,
// basic auth). `*-data` fields are base64; file fields are relative to the kubeconfig's folder.
// Exec plugins and auth providers run code or talk to a cloud: refused with a clear message.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { HttpClientOptions, HttpClientTlsOptions } from './http-client.js';

/** The connection part of HttpClientOptions a kubeconfig gives. */
export type KubeconfigConnection = Pick<HttpClientOptions, 'url' | 'tls' | 'headers'>;

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

/** Reads the kubeconfig at `path`; `context` defaults to its current-context. */
export function connectionFromKubeconfigFile(path: string, context?: string): KubeconfigConnection {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(e as Error).message}`);
  }
  return connectionFromKubeconfig(text, dirname(path), context);
}

/** A kubeconfig's text; file fields resolve against `baseDir`. */
export function connectionFromKubeconfig(text: string, baseDir: string, context?: string): KubeconfigConnection {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new KubeconfigError(`invalid kubeconfig: ${(e as Error).message}`);
  }
  const root = record(doc, 'kubeconfig');
  const contextName = context ?? stringField(root, 'current-context', 'kubeconfig');
  if (contextName === undefined || contextName === '') {
    throw new KubeconfigError('the kubeconfig has no current-context; name a context');
  }
  const ctx = named(root, 'contexts', 'context', contextName);
  const clusterName = stringField(ctx, 'cluster', `context "${contextName}"`);
  if (clusterName === undefined) throw new KubeconfigError(`context "${contextName}" names no cluster`);
  const cluster = named(root, 'clusters', 'cluster', clusterName);
  const userName = stringField(ctx, 'user', `context "${contextName}"`);
  const user = userName === undefined || userName === '' ? {} : named(root, 'users', 'user', userName);

  const what = `cluster "${clusterName}"`;
  const server = stringField(cluster, 'server', what);
  if (server === undefined || server === '') throw new KubeconfigError(`${what} has no server`);
  const readFile = (fileKey: string, owner: Record<string, unknown>, ownerName: string): Buffer | undefined => {
    const file = stringField(owner, fileKey, ownerName);
    if (file === undefined) return undefined;
    const path = isAbsolute(file) ? file : join(baseDir, file);
    try {
      return readFileSync(path);
    } catch (e) {
      throw new KubeconfigError(`${ownerName}: cannot read ${fileKey} ${path}: ${(e as Error).message}`);
    }
  };
  /** `<x>-data` (base64) wins over the file `<x>`, as in kubectl. */
  const read = (dataKey: string, fileKey: string, owner: Record<string, unknown>, ownerName: string): Buffer | undefined => {
    const data = stringField(owner, dataKey, ownerName);
    return data !== undefined ? Buffer.from(data, 'base64') : readFile(fileKey, owner, ownerName);
  };

  const who = `user "${userName ?? ''}"`;
  for (const unsupported of ['exec', 'auth-provider'] as const) {
    if (user[unsupported] !== undefined) {
      throw new KubeconfigError(`${who} uses ${unsupported}, which this client does not run; use a token or a client certificate`);
    }
  }
  const tls: { -readonly [K in keyof HttpClientTlsOptions]: HttpClientTlsOptions[K] } = {};
  const ca = read('certificate-authority-data', 'certificate-authority', cluster, what);
  if (ca !== undefined) tls.ca = ca;
  const cert = read('client-certificate-data', 'client-certificate', user, who);
  if (cert !== undefined) tls.cert = cert;
  const key = read('client-key-data', 'client-key', user, who);
  if (key !== undefined) tls.key = key;
  const serverName = stringField(cluster, 'tls-server-name', what);
  if (serverName !== undefined && serverName !== '') tls.servername = serverName;
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;

  const headers: Record<string, string> = {};
  let token = stringField(user, 'token', who);
  if (token === undefined || token === '') token = readFile('tokenFile', user, who)?.toString('utf8').trim();
  const username = stringField(user, 'username', who);
  if (token !== undefined && token !== '') {
    headers['Authorization'] = `Bearer ${token}`;
  } else if (username !== undefined && username !== '') {
    const password = stringField(user, 'password', who) ?? '';
    headers['Authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  return {
    url: server,
    ...(server.startsWith('https:') && Object.keys(tls).length > 0 ? { tls } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KubeconfigError(`${what} is not a mapping`);
  }
  return value as Record<string, unknown>;
}

function stringField(owner: Record<string, unknown>, key: string, what: string): string | undefined {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new KubeconfigError(`${what}: ${key} is not a string`);
  return value;
}

/** The `field` of the entry named `name` in the list `listKey` (kubeconfig's named lists). */
function named(root: Record<string, unknown>, listKey: string, field: string, name: string): Record<string, unknown> {
  const list = root[listKey];
  if (Array.isArray(list)) {
    for (const item of list) {
      const entry = record(item, `an entry of ${listKey}`);
      if (entry['name'] === name) return record(entry[field] ?? {}, `${field} "${name}"`);
    }
  }
  throw new KubeconfigError(`${field} "${name}" not found in the kubeconfig`);
}
