/**
 * Opens the core on a HarmonyOS device: the native library and the HUKS
 * key store. The only file of the wrapper that loads either.
 */
import { EcardClient } from 'libecard_harmony.so';
import type { FieldCipher } from 'libecard_harmony.so';
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
}

export async function openEcard(options: OpenOptions): Promise<Ecard> {
  const client = await EcardClient.open(
    {
      dataDir: `${options.filesDir}/ecard`,
      platformUrl: options.platformUrl,
      locale: options.locale ?? 'zh-CN',
      deviceName: options.deviceName ?? 'HarmonyOS',
      deviceSuite: 'p256',
      ...(options.fieldCipher === undefined ? {} : { fieldCipher: options.fieldCipher }),
    },
    new HuksKeyStore(),
  );
  return new Ecard(client);
}
