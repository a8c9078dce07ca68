// Baking Open Badges into PNG images (Open Badges 3.0 §5.3.1 "PNG"): the credential goes into
// one iTXt chunk (PNG 1.2 §11.3.4.5) with the keyword `openbadgecredential`, uncompressed
// (compression flag 0), empty language tag and translated keyword; its text is the credential
// JSON or, for a JWT-secured badge, the compact JWT. A PNG carries at most one such chunk.
// The picture itself is the badge's SVG drawn by resvg (no browser, no network).
import { crc32 } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { JsonTextError, parseJson } from '../http/body.js';
import { BakingError, type Extracted } from './baking.js';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const OB_PNG_KEYWORD = 'openbadgecredential';

interface Chunk {
  type: string;
  data: Buffer;
  /** Offset of the chunk's length field in the file. */
  at: number;
}

export const looksLikePng = (bytes: Uint8Array): boolean => bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(PNG_SIGNATURE);

function chunksOf(png: Buffer): Chunk[] {
  if (!looksLikePng(png)) throw new BakingError('Not a PNG image: the PNG signature is missing');
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    if (at + 12 > png.length) throw new BakingError('The PNG is truncated (a chunk header runs past the end)');
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > png.length) throw new BakingError(`The PNG is truncated (chunk ${type} runs past the end)`);
    const data = png.subarray(at + 8, at + 8 + length);
    if (png.readUInt32BE(at + 8 + length) !== crc32(png.subarray(at + 4, at + 8 + length))) throw new BakingError(`The PNG's ${type} chunk fails its CRC`);
    chunks.push({ type, data, at });
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (chunks.at(-1)?.type !== 'IEND') throw new BakingError('The PNG has no IEND chunk');
  return chunks;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** The keyword of an iTXt chunk (the Latin-1 text before its first NUL). */
const keywordOf = (data: Buffer): string => data.toString('latin1', 0, Math.max(0, data.indexOf(0)));

/** The credential baked into a PNG, or undefined when it carries none. */
export function extractFromPng(png: Buffer): Extracted | undefined {
  const baked = chunksOf(png).filter((c) => c.type === 'iTXt' && keywordOf(c.data) === OB_PNG_KEYWORD);
  if (baked.length === 0) return undefined;
  if (baked.length > 1) throw new BakingError(`The PNG carries ${baked.length} openbadgecredential chunks; Open Badges 3.0 (§5.3.1) allows only one`);
  const data = baked[0]!.data;
  // keyword NUL, compression flag, compression method, language tag NUL, translated keyword NUL, text
  let at = OB_PNG_KEYWORD.length + 1;
  const compressed = data[at];
  at += 2;
  if (compressed !== 0) throw new BakingError('The openbadgecredential chunk is compressed; Open Badges 3.0 (§5.3.1) bakes it uncompressed');
  const language = data.indexOf(0, at);
  const translated = language === -1 ? -1 : data.indexOf(0, language + 1);
  if (translated === -1) throw new BakingError('The openbadgecredential chunk is malformed (iTXt fields missing)');
  const text = data.toString('utf8', translated + 1).trim();
  if (!text.startsWith('{')) return { kind: 'jwt', jwt: text };
  try {
    return { kind: 'json', credential: parseJson(text, { what: "The PNG's openbadgecredential chunk" }) };
  } catch (error) {
    if (error instanceof JsonTextError) throw new BakingError(error.message.replace('is not valid JSON', 'does not hold JSON'));
    throw error;
  }
}

/** Bakes a credential (JSON object, or a compact JWT) into a PNG, before its IEND chunk. */
export function bakePng(png: Buffer, credential: Record<string, unknown> | string): Buffer {
  if (extractFromPng(png) !== undefined) throw new BakingError('The PNG already carries a credential');
  const end = chunksOf(png).at(-1)!;
  const text = typeof credential === 'string' ? credential : JSON.stringify(credential);
  const data = Buffer.concat([Buffer.from(`${OB_PNG_KEYWORD}\0`, 'latin1'), Buffer.from([0, 0]), Buffer.from('\0\0', 'latin1'), Buffer.from(text, 'utf8')]);
  const baked = Buffer.concat([png.subarray(0, end.at), chunk('iTXt', data), png.subarray(end.at)]);
  const back = extractFromPng(baked);
  const same = back?.kind === 'jwt' ? back.jwt === text : back?.kind === 'json' && JSON.stringify(back.credential) === text;
  if (!same) throw new BakingError('The baked PNG does not read back as the credential');
  return baked;
}

/** The badge SVG drawn as a PNG (resvg: no fonts or images are fetched). */
export function svgToPng(svg: string, width = 600): Buffer {
  return Buffer.from(new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: true } }).render().asPng());
}
