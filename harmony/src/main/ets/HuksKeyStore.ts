/**
 * The device key store on HUKS (Universal Keystore): the `KeyStore` the
 * core asks for, with keys that never leave the secure environment.
 *
 * - signing: a key per alias, of the suite the core asks for: SM2 (国密,
 *   `HUKS_ALG_SM2` with `HUKS_DIGEST_SM3`; the default device suite on
 *   HarmonyOS, see open.ts) or ECC P-256 (ECDSA with SHA-256); Ed25519 is
 *   refused with `unsupported_suite`. HUKS answers DER signatures, which the
 *   core normalises. Signing reads the key's algorithm from HUKS, so a
 *   P-256 key made by an earlier release keeps signing until the core
 *   replaces it. The core verifies SM2 with the GM/T 0009 identifier
 *   `1234567812345678` in the digest (Z ‖ message), HUKS's default for SM2
 *   with SM3 — to be confirmed on a device against the core's verifier
 *   (the Node tests sign SM2 in JavaScript, not with HUKS);
 * - wrapping: an AES-256 key per alias, GCM with a fresh 12-byte nonce and
 *   the core's associated data; the sealed form is nonce ‖ ciphertext ‖ tag,
 *   the same layout as the core's software store.
 *
 * Every method returns a Promise: HUKS is asynchronous, and the core waits
 * for it off the UI thread (see docs/harmony.md, "Threading").
 */
import huks from '@ohos.security.huks';
import cryptoFramework from '@ohos.security.cryptoFramework';
import type { KeyStore, Suite } from 'libecard_harmony.so';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const AAD = new Uint8Array([0x65, 0x63, 0x61, 0x72, 0x64, 0x2d, 0x77, 0x72, 0x61, 0x70, 0x2d, 0x76, 0x31]); // "ecard-wrap-v1"
/** HUKS error code of a missing key. */
const ITEM_NOT_EXIST = 12000011;

interface CodedError extends Error {
  code: string;
}

function coded(message: string, code: string): CodedError {
  const error = new Error(message) as CodedError;
  error.code = code;
  return error;
}

/** HUKS failures in the codes the core understands. */
function translate(error: unknown): Error {
  const code = (error as { code?: number }).code;
  if (code === ITEM_NOT_EXIST) return coded('no such key', 'not_found');
  const message = (error as { message?: string }).message ?? 'HUKS failed';
  return new Error(`HUKS ${code ?? ''}: ${message}`);
}

/** The signing suites HUKS makes keys of here. */
type SigningSuite = 'p256' | 'sm2';

function signingProperties(suite: SigningSuite): huks.HuksParam[] {
  const purpose = {
    tag: huks.HuksTag.HUKS_TAG_PURPOSE,
    value: huks.HuksKeyPurpose.HUKS_KEY_PURPOSE_SIGN | huks.HuksKeyPurpose.HUKS_KEY_PURPOSE_VERIFY,
  };
  switch (suite) {
    case 'sm2':
      return [
        { tag: huks.HuksTag.HUKS_TAG_ALGORITHM, value: huks.HuksKeyAlg.HUKS_ALG_SM2 },
        { tag: huks.HuksTag.HUKS_TAG_KEY_SIZE, value: huks.HuksKeySize.HUKS_SM2_KEY_SIZE_256 },
        purpose,
        { tag: huks.HuksTag.HUKS_TAG_DIGEST, value: huks.HuksKeyDigest.HUKS_DIGEST_SM3 },
      ];
    case 'p256':
      return [
        { tag: huks.HuksTag.HUKS_TAG_ALGORITHM, value: huks.HuksKeyAlg.HUKS_ALG_ECC },
        { tag: huks.HuksTag.HUKS_TAG_KEY_SIZE, value: huks.HuksKeySize.HUKS_ECC_KEY_SIZE_256 },
        purpose,
        { tag: huks.HuksTag.HUKS_TAG_DIGEST, value: huks.HuksKeyDigest.HUKS_DIGEST_SHA256 },
      ];
  }
}

/** The signing suite HUKS can make for `suite`, or null. */
function signingSuite(suite: Suite): SigningSuite | null {
  switch (suite) {
    case 'sm2':
    case 'p256':
      return suite;
    case 'ed25519':
      return null;
  }
}

function aesProperties(purpose: huks.HuksKeyPurpose, nonce?: Uint8Array, tag?: Uint8Array): huks.HuksParam[] {
  const properties: huks.HuksParam[] = [
    { tag: huks.HuksTag.HUKS_TAG_ALGORITHM, value: huks.HuksKeyAlg.HUKS_ALG_AES },
    { tag: huks.HuksTag.HUKS_TAG_KEY_SIZE, value: huks.HuksKeySize.HUKS_AES_KEY_SIZE_256 },
    { tag: huks.HuksTag.HUKS_TAG_PURPOSE, value: purpose },
    { tag: huks.HuksTag.HUKS_TAG_PADDING, value: huks.HuksKeyPadding.HUKS_PADDING_NONE },
    { tag: huks.HuksTag.HUKS_TAG_BLOCK_MODE, value: huks.HuksCipherMode.HUKS_MODE_GCM },
  ];
  if (nonce !== undefined) {
    properties.push({ tag: huks.HuksTag.HUKS_TAG_NONCE, value: nonce });
    properties.push({ tag: huks.HuksTag.HUKS_TAG_ASSOCIATED_DATA, value: AAD });
  }
  if (tag !== undefined) {
    properties.push({ tag: huks.HuksTag.HUKS_TAG_AE_TAG, value: tag });
  }
  return properties;
}

async function exists(alias: string): Promise<boolean> {
  try {
    return await huks.isKeyItemExist(alias, { properties: [] });
  } catch (error) {
    if ((error as { code?: number }).code === ITEM_NOT_EXIST) return false;
    throw translate(error);
  }
}

/** One HUKS operation: init a session with `properties`, finish it with `data`. */
async function run(alias: string, properties: huks.HuksParam[], data: Uint8Array): Promise<Uint8Array> {
  try {
    const session = await huks.initSession(alias, { properties });
    const result = await huks.finishSession(session.handle, { properties, inData: data });
    return result.outData ?? new Uint8Array(0);
  } catch (error) {
    throw translate(error);
  }
}

export class HuksKeyStore implements KeyStore {
  /** The suite of each signing key seen, so signing asks HUKS once per alias. */
  private readonly suites = new Map<string, SigningSuite>();

  /** The suite of the signing key under `alias`, as HUKS records its algorithm. */
  private async suiteOf(alias: string): Promise<SigningSuite> {
    const known = this.suites.get(alias);
    if (known !== undefined) return known;
    let properties: huks.HuksParam[];
    try {
      properties = (await huks.getKeyItemProperties(alias, { properties: [] })).properties ?? [];
    } catch (error) {
      throw translate(error);
    }
    const algorithm = properties.find((property) => property.tag === huks.HuksTag.HUKS_TAG_ALGORITHM);
    const suite: SigningSuite = algorithm?.value === huks.HuksKeyAlg.HUKS_ALG_SM2 ? 'sm2' : 'p256';
    this.suites.set(alias, suite);
    return suite;
  }

  async generateKey(alias: string, suite: Suite): Promise<Uint8Array> {
    const signing = signingSuite(suite);
    if (signing === null) throw coded(`HUKS makes no ${suite} keys here`, 'unsupported_suite');
    try {
      this.suites.delete(alias);
      if (await exists(alias)) await huks.deleteKeyItem(alias, { properties: [] });
      await huks.generateKeyItem(alias, { properties: signingProperties(signing) });
      this.suites.set(alias, signing);
    } catch (error) {
      throw translate(error);
    }
    const key = await this.publicKey(alias);
    if (key === null) throw new Error('HUKS lost the key it just made');
    return key;
  }

  async publicKey(alias: string): Promise<Uint8Array | null> {
    if (!(await exists(alias))) return null;
    try {
      // An X.509 SubjectPublicKeyInfo (with the SM2 curve for SM2 keys),
      // which the core reads as the configured device suite.
      const exported = await huks.exportKeyItem(alias, { properties: [] });
      return exported.outData ?? null;
    } catch (error) {
      throw translate(error);
    }
  }

  async sign(alias: string, message: Uint8Array): Promise<Uint8Array> {
    return await run(alias, signingProperties(await this.suiteOf(alias)), message);
  }

  async deleteKey(alias: string): Promise<void> {
    this.suites.delete(alias);
    if (!(await exists(alias))) return;
    try {
      await huks.deleteKeyItem(alias, { properties: [] });
    } catch (error) {
      throw translate(error);
    }
  }

  async wrap(alias: string, secret: Uint8Array): Promise<Uint8Array> {
    if (!(await exists(alias))) {
      const purpose = huks.HuksKeyPurpose.HUKS_KEY_PURPOSE_ENCRYPT | huks.HuksKeyPurpose.HUKS_KEY_PURPOSE_DECRYPT;
      try {
        await huks.generateKeyItem(alias, { properties: aesProperties(purpose) });
      } catch (error) {
        throw translate(error);
      }
    }
    const nonce = cryptoFramework.createRandom().generateRandomSync(NONCE_BYTES).data;
    const sealed = await run(alias, aesProperties(huks.HuksKeyPurpose.HUKS_KEY_PURPOSE_ENCRYPT, nonce), secret);
    const out = new Uint8Array(nonce.length + sealed.length);
    out.set(nonce, 0);
    out.set(sealed, nonce.length);
    return out;
  }

  async unwrap(alias: string, wrapped: Uint8Array): Promise<Uint8Array> {
    if (wrapped.length < NONCE_BYTES + TAG_BYTES) throw new Error('the wrapped secret is too short');
    const nonce = wrapped.slice(0, NONCE_BYTES);
    const ciphertext = wrapped.slice(NONCE_BYTES, wrapped.length - TAG_BYTES);
    const tag = wrapped.slice(wrapped.length - TAG_BYTES);
    return await run(alias, aesProperties(huks.HuksKeyPurpose.HUKS_KEY_PURPOSE_DECRYPT, nonce, tag), ciphertext);
  }
}
