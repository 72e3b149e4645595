import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAppRequest, readRendererFile } from './app-protocol';
import { CONTENT_SECURITY_POLICY } from './csp';

let base: string;
let renderer: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'app-protocol-'));
  renderer = join(base, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(renderer, 'assets', 'index-abc.js'), 'export {};');
  writeFileSync(join(base, 'secret.js'), 'the private key');
  writeFileSync(join(base, 'renderer-evil.js'), 'sibling with a shared prefix');
  symlinkSync(join(base, 'secret.js'), join(renderer, 'assets', 'link.js'));
  mkdirSync(join(renderer, 'dir.js'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const request = (url: string, method = 'GET') => handleAppRequest(renderer, new Request(url, { method }));

describe('app:// protocol', () => {
  it('serves the renderer’s files with the CSP and no sniffing or caching', async () => {
    const index = await request('app://vault-ceremony/');
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>app</title>');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('cache-control')).toBe('no-store');

    const script = await request('app://vault-ceremony/assets/index-abc.js?v=1#x');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('export {};');
  });

  it('never serves a file outside the renderer directory', async () => {
    const escapes = [
      '/../secret.js',
      '/assets/../../secret.js',
      '/%2e%2e/secret.js',
      '/assets/%2E%2E%2F%2E%2E%2Fsecret.js',
      '/..%2fsecret.js',
      '/assets/..%5c..%5csecret.js',
      '/assets/link.js',
      '/../renderer-evil.js',
      '/%00index.html',
      '/index.html%00.js',
      '/%E0%A4%A.js',
    ];
    for (const path of escapes) {
      const result = await readRendererFile(renderer, path);
      expect(result.ok, path).toBe(false);
    }
    for (const url of ['app://vault-ceremony/../secret.js', 'app://vault-ceremony/assets/link.js']) {
      const response = await request(url);
      expect(response.status, url).not.toBe(200);
      expect(await response.text()).not.toContain('private key');
    }
  });

  it('refuses other hosts, other methods, unknown file types, directories and missing files', async () => {
    expect((await request('app://other-host/index.html')).status).toBe(403);
    expect((await request('app://vault-ceremony/index.html', 'POST')).status).toBe(405);
    expect((await request('app://vault-ceremony/index.html', 'HEAD')).status).toBe(200);
    expect((await request('app://vault-ceremony/assets/data.json')).status).toBe(403);
    expect((await request('app://vault-ceremony/dir.js')).status).toBe(404);
    expect((await request('app://vault-ceremony/assets/missing.js')).status).toBe(404);
    expect((await request('app://vault-ceremony/%E0%A4%A.js')).status).toBe(400);
  });
});
