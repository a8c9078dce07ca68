// PNG baking (OB 3.0 §5.3.1): GET /credentials/:id/badge.png carries the credential in one
// uncompressed iTXt chunk `openbadgecredential` (read here byte by byte, not with our reader),
// the image renders, and the verify page and the CLI unbake it (JSON and JWT). Refusals: a
// second bake, a compressed chunk, a broken CRC, a PNG without a credential.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakePng, extractFromPng, OB_PNG_KEYWORD } from '../../src/badges/pngBaking.js';
import { readVerifiable } from '../../src/cli/verify.js';
import { issuerJwtSigner, signJwtCredential } from '../../src/credentials/jwtCredential.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
let t: TestInstance;
let awarded: Json;
let png: Buffer;
beforeAll(async () => {
  t = await createTestInstance();
  awarded = (await (await postJson(t.app, '/awards', awardBody())).json()) as Json;
  const res = await t.app.request(`/credentials/${awarded.credential.id.split('/').pop()}/badge.png`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  png = Buffer.from(await res.arrayBuffer());
});
afterAll(async () => t.close());

/** Every chunk, read straight from the bytes (PNG 1.2 §5.3). */
function chunks(bytes: Buffer): Array<{ type: string; data: Buffer }> {
  const out = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    out.push({ type: bytes.toString('latin1', at + 4, at + 8), data: bytes.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

describe('baked PNG badges', () => {
  it('carries the credential in one uncompressed iTXt chunk keyed openbadgecredential, before IEND', () => {
    const all = chunks(png);
    expect(all[0]!.type).toBe('IHDR');
    expect(all.at(-1)!.type).toBe('IEND');
    const baked = all.filter((c) => c.type === 'iTXt' && c.data.toString('latin1').startsWith(`${OB_PNG_KEYWORD}\0`));
    expect(baked).toHaveLength(1);
    const data = baked[0]!.data;
    expect(data[OB_PNG_KEYWORD.length + 1]).toBe(0); // compression flag
    expect(data[OB_PNG_KEYWORD.length + 2]).toBe(0); // compression method
    const text = data.subarray(OB_PNG_KEYWORD.length + 5).toString('utf8');
    expect(JSON.parse(text)).toEqual(awarded.credential);
    // The picture is a real image: width 600.
    expect(all[0]!.data.readUInt32BE(0)).toBe(600);
  });

  it('is unbaked and verified by the verify page (upload) and read by the CLI, JSON and JWT alike', async () => {
    const form = new FormData();
    form.set('file', new File([new Uint8Array(png)], 'badge.png', { type: 'image/png' }));
    const res = await t.app.request('/verify', { method: 'POST', body: form, headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Signature valid/);

    const dir = mkdtempSync(path.join(tmpdir(), 'educred-png-'));
    writeFileSync(path.join(dir, 'badge.png'), png);
    expect(readVerifiable(path.join(dir, 'badge.png'))).toEqual(awarded.credential);
    const { proof: _p, ...unsigned } = awarded.credential;
    const jwt = await signJwtCredential(unsigned, issuerJwtSigner(t.runtime.issuer));
    const plain = bakePng(stripBaked(png), jwt);
    writeFileSync(path.join(dir, 'jwt.png'), plain);
    expect(readVerifiable(path.join(dir, 'jwt.png'))).toBe(jwt);
    const verified = await postJson(t.app, '/credentials/verify', { verifiableCredential: readVerifiable(path.join(dir, 'jwt.png')) }, { Authorization: '' });
    expect(((await verified.json()) as Json).verified).toBe(true);
  });

  it('refuses a second bake, a compressed chunk, a broken CRC, and reports a PNG without a credential', () => {
    expect(() => bakePng(png, { a: 1 })).toThrow(/already carries/);
    const bare = stripBaked(png);
    expect(extractFromPng(bare)).toBeUndefined();
    const compressed = withChunk(bare, 'iTXt', Buffer.concat([Buffer.from(`${OB_PNG_KEYWORD}\0`), Buffer.from([1, 0, 0, 0]), deflateSync('{}')]));
    expect(() => extractFromPng(compressed)).toThrow(/compressed/);
    const broken = Buffer.from(png);
    broken[20] = broken[20]! ^ 0xff;
    expect(() => extractFromPng(broken)).toThrow(/CRC/);
  });
});

/** The PNG without its openbadgecredential chunk. */
function stripBaked(bytes: Buffer): Buffer {
  const parts = [bytes.subarray(0, 8)];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const whole = bytes.subarray(at, at + 12 + length);
    if (!(whole.toString('latin1', 4, 8) === 'iTXt' && whole.toString('latin1', 8, 8 + OB_PNG_KEYWORD.length) === OB_PNG_KEYWORD)) parts.push(whole);
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

/** Inserts a chunk before IEND (with a correct CRC). */
function withChunk(bytes: Buffer, type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([bytes.subarray(0, bytes.length - 12), head, data, crc, bytes.subarray(bytes.length - 12)]);
}
