// @ts-check
/**
 * Shared fixtures of the Node tests of the HarmonyOS binding: the native
 * module, a platform on loopback (the one scripts/test-harmony.sh started,
 * or one started here), its operator calls (the SMS outbox, the simulated
 * face platform, new people), a JavaScript key store on node:crypto, a
 * JavaScript face check, enrolment as a person does it, and test photos.
 */
import { spawn } from 'node:child_process';
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** @type {typeof import('../index.js')} */
export const native = require(process.env.ECARD_NATIVE ?? join(here, '..', 'ecard.node'));

/** The e-card PIN every test enrolment sets (as tests/support/lib.rs). */
export const TEST_PIN = '135790';

/** A free loopback port. */
export async function freePort() {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** @type {Promise<{ url: string, token: string }> | undefined} */
let started;

/**
 * The platform: `ECARD_PLATFORM_URL` and `ECARD_ADMIN_TOKEN` when the test
 * script started one, else a fresh one on a free port for this process.
 */
export function platform() {
  const url = process.env.ECARD_PLATFORM_URL;
  const token = process.env.ECARD_ADMIN_TOKEN;
  if (url && token) return Promise.resolve({ url, token });
  started ??= (async () => {
    const port = await freePort();
    const directory = mkdtempSync(join(tmpdir(), 'ecard-platform-'));
    const binary = process.env.ECARD_BIN ?? join(here, '..', '..', 'target', 'debug', 'ecard');
    const token = 'harmony-test-token';
    const child = spawn(
      binary,
      // Every test's requests come from one address: no per-source limit.
      ['platform', 'serve', '--db', join(directory, 'platform.db'), '--addr', `127.0.0.1:${port}`,
        '--rate-limit-per-source', 'off'],
      { stdio: 'ignore', env: { ...process.env, ECARD_ADMIN_TOKEN: token } },
    );
    child.unref();
    process.on('exit', () => {
      child.kill();
      rmSync(directory, { recursive: true, force: true });
    });
    const url = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        if ((await fetch(`${url}/v1/time`)).ok) return { url, token };
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the platform did not start on ${url}`);
  })();
  return started;
}

/**
 * An operator call (`/admin/…`); throws unless it succeeds.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function admin(method, path, body) {
  const { url, token } = await platform();
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * @typedef {{ person_id: string, id_type: string, id_number: string, name: string, birth_certificate: string | null, phone: string | null, household_register?: string | null }} Person
 */

/**
 * A seeded persona: `resident` (张伟), `minor`, `newborn` (张小满), `student`
 * (张子轩, 16, with his own phone and card), `elder` (刘桂兰).
 * @param {'resident' | 'minor' | 'newborn' | 'student' | 'elder'} role
 * @returns {Promise<Person>}
 */
export async function persona(role) {
  const personas = await admin('GET', '/admin/personas');
  const found = personas.find((/** @type {any} */ entry) => entry.persona === role);
  if (!found) throw new Error(`no persona ${role}`);
  return found;
}

/**
 * The identity of a person, as an enrolment or a mandate names it.
 * @param {Person} person
 * @returns {import('../index.js').PersonIdentity}
 */
export function identityOf(person) {
  return { idType: person.id_type, idNumber: person.id_number, name: person.name };
}

/**
 * A resident ID number with its check digit (GB 11643, ISO 7064 MOD 11-2).
 * @param {string} region
 * @param {string} birth `YYYYMMDD`
 * @param {string} sequence three digits
 */
export function residentId(region, birth, sequence) {
  const body = region + birth + sequence;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * weights[index], 0);
  return body + '10X98765432'[sum % 11];
}

/**
 * A new person in the register (Nanchang), with a phone on record and, with
 * `card`, an active card.
 * @param {string} name
 * @param {{ birth?: string, card?: boolean }} [options]
 * @returns {Promise<Person>}
 */
export async function newPerson(name, options = {}) {
  const birth = options.birth ?? '19800101';
  for (let attempt = 0; attempt < 20; attempt++) {
    const idNumber = residentId('360102', birth, String(100 + Math.floor(Math.random() * 900)));
    const phone = `137${10_000_000 + Math.floor(Math.random() * 90_000_000)}`;
    /** @type {{ person_id: string } | null} */
    let added = null;
    try {
      added = await admin('POST', '/admin/people', {
        id_type: 'resident_id', id_number: idNumber, name, region: '360102', phone,
      });
    } catch {
      continue; // that number is taken: draw another
    }
    if (!added) continue;
    if (options.card ?? true) await admin('POST', `/admin/people/${added.person_id}/cards`, { bank: 'icbc' });
    return { person_id: added.person_id, id_type: 'resident_id', id_number: idNumber, name, birth_certificate: null, phone };
  }
  throw new Error('could not add a person');
}

/**
 * Texts the reference SMS gateway sent to `phone`, newest first.
 * @param {string} phone
 * @returns {Promise<{ phone: string, kind: string, body: string, sent_at: number }[]>}
 */
export async function texts(phone) {
  return await admin('GET', `/admin/sms?phone=${encodeURIComponent(phone)}`);
}

/**
 * The newest one-time code texted to `phone`, as the person reads it off their phone.
 * @param {string} phone
 * @returns {Promise<string | null>}
 */
export async function latestCode(phone) {
  for (const message of await texts(phone)) {
    const found = /验证码 (\d{6})/.exec(message.body);
    if (found) return found[1];
  }
  return null;
}

/** @typedef {'genuine' | 'impostor' | 'no_liveness' | 'cancelled'} FaceBehaviour */
/** @typedef {import('../index.js').FaceCheck} FaceCheck */

/**
 * The app's face check in JavaScript, against the reference platform's
 * simulated face platform (what a face SDK does against the real one): the
 * result is minted for the request's challenge and device binding and handed
 * back untouched, from a Promise. Records its requests.
 * @implements {FaceCheck}
 */
export class SimulatedFace {
  /** @type {import('../index.js').FaceCheckRequest[]} */
  requests = [];
  /** @param {FaceBehaviour} [behaviour] */
  constructor(behaviour = 'genuine') {
    this.behaviour = behaviour;
  }

  /** @param {import('../index.js').FaceCheckRequest} request */
  async check(request) {
    this.requests.push(request);
    if (this.behaviour === 'cancelled') throw coded('the person closed the capture', 'cancelled');
    const answer = await admin('POST', '/admin/face-platform/results', {
      id_type: request.idType,
      id_number: request.idNumber,
      challenge: request.challenge,
      device_binding: request.deviceBinding,
      live: this.behaviour !== 'no_liveness',
      matched: this.behaviour === 'genuine',
    });
    return /** @type {string} */ (answer.face_result);
  }
}

/**
 * Enrols a client for `person` as the person would: the identity, a genuine
 * face check, the code texted to the phone on record, and {@link TEST_PIN}
 * when the account needs a PIN.
 * @param {import('../index.js').EcardClient} client
 * @param {Person} person
 */
export async function enrolAs(client, person) {
  await client.beginEnrolment(identityOf(person));
  const progress = await client.confirmPresence(new SimulatedFace());
  const code = person.phone ? await latestCode(person.phone) : null;
  return await client.completeEnrolment(code, progress.pinRequired ? TEST_PIN : null);
}

/**
 * Moves the platform clock forward.
 * @param {number} days
 */
export async function advanceDays(days) {
  return await admin('POST', '/admin/clock/advance', { seconds: Math.round(days * 86_400) });
}

/**
 * A minimal JPEG of the given dimensions and size: SOI, APP0, SOF0 with the
 * dimensions, SOS, filler, EOI (what tests/support/lib.rs `jpeg()` makes).
 * @param {number} width
 * @param {number} height
 * @param {number} size
 */
export function jpeg(width, height, size) {
  const bytes = [0xff, 0xd8];
  bytes.push(0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0);
  bytes.push(0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff);
  bytes.push(0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01);
  bytes.push(0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00);
  while (bytes.length < size - 2) bytes.push(0x55);
  bytes.push(0xff, 0xd9);
  return new Uint8Array(bytes);
}

/** The national card photo: 358×441 pixels, about 12 KB. */
export function testPhoto() {
  return jpeg(358, 441, 12_000);
}

/**
 * SM2 signatures as GM/T 0009 makes them, for the test key store: SM3 over
 * Z ‖ message, where Z = SM3(bit length of the identifier ‖ identifier
 * `1234567812345678` ‖ curve a, b ‖ base point ‖ public key), then `r ‖ s`.
 * Node's `crypto.sign('sm3', …)` with an SM2-curve key makes ECDSA over SM3
 * instead (OpenSSL treats the key as a plain EC key), which no SM2 verifier
 * accepts; so the arithmetic is done here, with the curve multiplication of
 * `createECDH('SM2')`. Checked against the PyPI `gmssl` verifier.
 */
const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const SM2_CURVE = Buffer.from(
  'fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc' +
    '28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93' +
    '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7' +
    'bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0',
  'hex',
);
const SM2_ID = Buffer.from('1234567812345678');
/** SubjectPublicKeyInfo DER up to the point: id-ecPublicKey on curve 1.2.156.10197.1.301. */
const SM2_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

/** @param {Uint8Array} bytes */
const toBig = (bytes) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
/** @param {bigint} value */
const to32 = (value) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

/**
 * @param {bigint} base
 * @param {bigint} exponent
 */
function powModN(base, exponent) {
  let result = 1n;
  base %= SM2_N;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % SM2_N;
    base = (base * base) % SM2_N;
    exponent >>= 1n;
  }
  return result;
}

/** An SM2 key pair: the private scalar and the uncompressed point. */
function sm2Generate() {
  const ecdh = createECDH('SM2');
  ecdh.generateKeys();
  return { d: toBig(ecdh.getPrivateKey()), point: ecdh.getPublicKey() };
}

/**
 * @param {{ d: bigint, point: Buffer }} key
 * @param {Uint8Array} message
 */
function sm2Sign(key, message) {
  const bits = SM2_ID.length * 8;
  const z = createHash('sm3')
    .update(Buffer.concat([Buffer.from([bits >> 8, bits & 0xff]), SM2_ID, SM2_CURVE, key.point.subarray(1)]))
    .digest();
  const e = toBig(createHash('sm3').update(z).update(message).digest());
  for (;;) {
    const k = toBig(randomBytes(32)) % SM2_N;
    if (k === 0n) continue;
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(to32(k));
    const x1 = toBig(ecdh.getPublicKey().subarray(1, 33));
    const r = (e + x1) % SM2_N;
    if (r === 0n || r + k === SM2_N) continue;
    const s = (powModN(1n + key.d, SM2_N - 2n) * (((k - r * key.d) % SM2_N) + SM2_N)) % SM2_N;
    if (s === 0n) continue;
    return new Uint8Array(Buffer.concat([to32(r), to32(s)]));
  }
}

/** @typedef {import('../index.js').KeyStore} KeyStore */

/**
 * @param {string} message
 * @param {string} code
 */
function coded(message, code) {
  return Object.assign(new Error(message), { code });
}

/**
 * A key store on node:crypto, as an app implements it with HUKS: P-256
 * signing keys (ECDSA SHA-256, DER signatures), SM2 signing keys (SM3 with
 * the GM/T 0009 identifier, `r ‖ s` signatures, SubjectPublicKeyInfo with
 * the SM2 curve) and AES-256-GCM wrapping keys, never handing out private
 * key material. Ed25519 is refused with `unsupported_suite`. Some methods answer with
 * a Promise and some directly, as both are allowed. It counts its calls.
 * @implements {KeyStore}
 */
export class NodeKeyStore {
  /** @type {Map<string, import('node:crypto').KeyObject>} */
  #signing = new Map();
  /** @type {Map<string, { d: bigint, point: Buffer }>} */
  #sm2 = new Map();
  /** @type {Map<string, Buffer>} */
  #wrapping = new Map();
  /** @type {Record<string, number>} */
  calls = { generateKey: 0, publicKey: 0, sign: 0, deleteKey: 0, wrap: 0, unwrap: 0 };
  /** When set, `sign` fails with this code (e.g. `user_cancelled`). */
  /** @type {string | null} */
  failSigningWith = null;

  /**
   * @param {string} alias
   * @param {import('../index.js').Suite} suite
   */
  async generateKey(alias, suite) {
    this.calls.generateKey++;
    switch (suite) {
      case 'p256': {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        this.#sm2.delete(alias);
        this.#signing.set(alias, privateKey);
        return this.#spki(privateKey);
      }
      case 'sm2': {
        const key = sm2Generate();
        this.#signing.delete(alias);
        this.#sm2.set(alias, key);
        return new Uint8Array(Buffer.concat([SM2_SPKI_PREFIX, key.point]));
      }
      default:
        throw coded(`${suite} keys are not supported`, 'unsupported_suite');
    }
  }

  /** @param {string} alias */
  publicKey(alias) {
    this.calls.publicKey++;
    const sm2 = this.#sm2.get(alias);
    if (sm2) return new Uint8Array(Buffer.concat([SM2_SPKI_PREFIX, sm2.point]));
    const key = this.#signing.get(alias);
    return key ? this.#spki(key) : null;
  }

  /**
   * @param {string} alias
   * @param {Uint8Array} message
   */
  async sign(alias, message) {
    this.calls.sign++;
    // Like a HUKS session: the answer comes on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failSigningWith) throw coded('signing refused', this.failSigningWith);
    const sm2 = this.#sm2.get(alias);
    if (sm2) return sm2Sign(sm2, message);
    const key = this.#signing.get(alias);
    if (!key) throw coded(`no key ${alias}`, 'not_found');
    return new Uint8Array(cryptoSign('sha256', message, key));
  }

  /** @param {string} alias */
  deleteKey(alias) {
    this.calls.deleteKey++;
    this.#signing.delete(alias);
    this.#sm2.delete(alias);
  }

  /**
   * @param {string} alias
   * @param {Uint8Array} secret
   */
  async wrap(alias, secret) {
    this.calls.wrap++;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#wrappingKey(alias), iv);
    const sealed = Buffer.concat([cipher.update(secret), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, sealed, cipher.getAuthTag()]));
  }

  /**
   * @param {string} alias
   * @param {Uint8Array} wrapped
   */
  unwrap(alias, wrapped) {
    this.calls.unwrap++;
    // Never makes a key: no wrapping key is a definite `not_found`.
    const key = this.#wrapping.get(alias);
    if (!key) return Promise.reject(coded(`no wrapping key ${alias}`, 'not_found'));
    const bytes = Buffer.from(wrapped);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Promise.resolve(
      new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()])),
    );
  }

  /** @param {string} alias */
  #wrappingKey(alias) {
    let key = this.#wrapping.get(alias);
    if (!key) {
      key = randomBytes(32);
      this.#wrapping.set(alias, key);
    }
    return key;
  }

  /** @param {import('node:crypto').KeyObject} privateKey */
  #spki(privateKey) {
    return new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  }
}

/** @type {string[]} */
const directories = [];
process.on('exit', () => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A fresh data directory, removed when the process exits. */
export function dataDir() {
  const directory = mkdtempSync(join(tmpdir(), 'ecard-client-'));
  directories.push(directory);
  return directory;
}

/**
 * Opens a client on the platform with a fresh data directory.
 * @param {{ keyStore?: NodeKeyStore, directory?: string, locale?: string, platformUrl?: string, deviceName?: string, deviceSuite?: import('../index.js').Suite }} [options]
 */
export async function openClient(options = {}) {
  const keyStore = options.keyStore ?? new NodeKeyStore();
  const directory = options.directory ?? dataDir();
  const platformUrl = options.platformUrl ?? (await platform()).url;
  const client = await native.EcardClient.open(
    {
      dataDir: directory,
      platformUrl,
      locale: options.locale ?? 'zh-CN',
      deviceName: options.deviceName ?? 'node test',
      ...(options.deviceSuite ? { deviceSuite: options.deviceSuite } : {}),
    },
    keyStore,
  );
  return { client, keyStore, directory };
}

/**
 * Enrols a seeded persona on a fresh client.
 * @param {'resident' | 'minor' | 'newborn' | 'student' | 'elder'} role
 */
export async function enrolPersona(role) {
  const person = await persona(role);
  const opened = await openClient();
  const session = await enrolAs(opened.client, person);
  return { ...opened, person, session };
}

/**
 * The error a Promise rejects with.
 * @param {Promise<unknown>} promise
 * @returns {Promise<import('../index.js').EcardError>}
 */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return /** @type {import('../index.js').EcardError} */ (error);
  }
  throw new Error('expected a rejection');
}
