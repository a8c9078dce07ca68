// A real SMTP server on 127.0.0.1 for the mail tests (the smtp-server package): it receives what
// educred sends over a socket, optionally with STARTTLS or implicit TLS and a password, and can
// be stopped and started again on the same port to stage an outage. Received messages are read
// with a small MIME reader (multipart/alternative, quoted-printable or base64, UTF-8).
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { freePort } from './ports.js';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  /** Whether the session was encrypted (STARTTLS or implicit TLS). */
  secure: boolean;
  /** The user that authenticated, if any. */
  user: string | undefined;
  raw: string;
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtpServer {
  port: number;
  /** smtp://[user:pass@]127.0.0.1:port (smtps:// for implicit TLS). */
  url: string;
  received: ReceivedMail[];
  /** Resolves with message number `count` (1-based) once that many have been received. */
  waitForCount(count: number): Promise<ReceivedMail>;
  /** Stops listening (the port refuses connections) until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  port?: number | undefined;
  /** Offer STARTTLS with this certificate (else STARTTLS is not offered). */
  starttls?: { key: string; cert: string } | undefined;
  /** Implicit TLS from the first byte (smtps://). */
  implicitTls?: { key: string; cert: string } | undefined;
  /** Require this login. */
  auth?: { user: string; pass: string } | undefined;
  /** Answer every message with this error reply (e.g. 451, a temporary refusal). */
  refuse?: { code: number; message: string } | undefined;
}

const decodeWords = (value: string): string =>
  value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const unfolded = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < unfolded.length; i++) {
    const ch = unfolded[i] as string;
    if (ch === '=' && /^[0-9A-F]{2}$/i.test(unfolded.slice(i + 1, i + 3))) {
      bytes.push(parseInt(unfolded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function splitPart(part: string): { headers: Map<string, string>; body: string } {
  const at = part.search(/\r?\n\r?\n/);
  if (at < 0) return { headers: parseHeaders(part), body: '' };
  return { headers: parseHeaders(part.slice(0, at)), body: part.slice(at).replace(/^\r?\n\r?\n/, '') };
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** The text and HTML parts of a message (nested multiparts walked). */
export function readMime(raw: string): { headers: Map<string, string>; text: string; html: string } {
  const top = splitPart(raw);
  const found = { text: '', html: '' };
  const walk = (headers: Map<string, string>, body: string): void => {
    const type = headers.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      for (const piece of body.split(`--${boundary}`).slice(1)) {
        if (piece.startsWith('--')) break;
        const sub = splitPart(piece.replace(/^\r?\n/, ''));
        walk(sub.headers, sub.body);
      }
      return;
    }
    const decoded = decodeBody(headers, body);
    if (/^text\/html/i.test(type)) found.html = decoded;
    else if (/^text\/plain/i.test(type)) found.text = decoded;
  };
  walk(top.headers, top.body);
  return { headers: top.headers, ...found };
}

export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const port = options.port ?? (await freePort());
  const received: ReceivedMail[] = [];
  const waiting: Array<{ count: number; resolve(mail: ReceivedMail): void }> = [];
  const tls = options.implicitTls ?? options.starttls;
  const serverOptions: SMTPServerOptions = {
    logger: false,
    // Close idle client connections at once when the test stops the server.
    closeTimeout: 50,
    secure: Boolean(options.implicitTls),
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    hideSTARTTLS: !options.starttls,
    authOptional: !options.auth,
    ...(options.auth ? {} : { disabledCommands: ['AUTH'] }),
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.refuse) {
          callback(Object.assign(new Error(options.refuse.message), { responseCode: options.refuse.code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, text, html } = readMime(raw);
        const mail: ReceivedMail = {
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
          raw,
          headers,
          subject: decodeWords(headers.get('subject') ?? ''),
          text,
          html,
        };
        received.push(mail);
        for (const w of waiting.filter((w) => w.count <= received.length)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(received[w.count - 1]!);
        }
        callback();
      });
    },
  };
  let server: SMTPServer | undefined;
  const start = async (): Promise<void> => {
    server = new SMTPServer(serverOptions);
    const s = server;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await start();
  const auth = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : '';
  return {
    port,
    url: `${options.implicitTls ? 'smtps' : 'smtp'}://${auth}127.0.0.1:${port}`,
    received,
    waitForCount(count) {
      const ready = received[count - 1];
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => waiting.push({ count, resolve }));
    },
    stop,
    start,
    close: stop,
  };
}

/** The claim token in a claim URL (`.../claim/<token>`). */
export function claimTokenOf(url: string): string {
  const token = /\/claim\/([A-Za-z0-9_-]+)/.exec(url)?.[1];
  if (!token) throw new Error(`No claim token in ${url}`);
  return token;
}
