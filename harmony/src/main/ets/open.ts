/**
 * Opens the core on a HarmonyOS device: the native library and the HUKS
 * key store. The only file of the wrapper that loads either.
 */
import { EcardClient } from 'libecard_harmony.so';
import type { FieldCipher, Suite } from 'libecard_harmony.so';
import { Ecard } from './Ecard';
import { HuksKeyStore } from './HuksKeyStore';

export interface OpenOptions {
  /** The ability's `context.filesDir`; the core keeps its database under it. */
  filesDir: string;
  /** The card-service platform. */
  platformUrl: string;
  /** `zh-CN` (default) or `en`. */
  locale?: string;
  /** A name the resident recognises for this phone. */
  deviceName?: string;
  /**
   * The deployment's cipher for personal data at rest (default
   * `aes-256-gcm`). Fixed per deployment: a database sealed with the other
   * cipher is refused (`field_cipher_mismatch`).
   */
  fieldCipher?: FieldCipher;
  /**
   * The device key's suite. Default `sm2` (国密): HUKS makes SM2 keys, and
   * HarmonyOS is the one phone platform that can; the core's own default
   * (Android, iOS) stays `p256`. A phone enrolled with a P-256 key keeps it
   * until it enrols again, when the core makes a key of this suite.
   */
  deviceSuite?: Suite;
}

export async function openEcard(options: OpenOptions): Promise<Ecard> {
  const client = await EcardClient.open(
    {
      dataDir: `${options.filesDir}/ecard`,
      platformUrl: options.platformUrl,
      locale: options.locale ?? 'zh-CN',
      deviceName: options.deviceName ?? 'HarmonyOS',
      deviceSuite: options.deviceSuite ?? 'sm2',
      ...(options.fieldCipher === undefined ? {} : { fieldCipher: options.fieldCipher }),
    },
    new HuksKeyStore(),
  );
  return new Ecard(client);
}
