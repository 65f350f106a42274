/**
 * The slice of the OpenHarmony SDK that the wrapper uses, declared for the
 * type check on this machine (the SDK itself ships with DevEco Studio).
 * Names and shapes follow the SDK's `@ohos.security.huks` (API 9+) and
 * `@ohos.security.cryptoFramework`; DevEco checks the real ones.
 */
declare module '@ohos.security.huks' {
  namespace huks {
    enum HuksTag {
      HUKS_TAG_ALGORITHM,
      HUKS_TAG_PURPOSE,
      HUKS_TAG_KEY_SIZE,
      HUKS_TAG_DIGEST,
      HUKS_TAG_PADDING,
      HUKS_TAG_BLOCK_MODE,
      HUKS_TAG_ASSOCIATED_DATA,
      HUKS_TAG_NONCE,
      HUKS_TAG_AE_TAG,
    }
    enum HuksKeyAlg {
      HUKS_ALG_ECC,
      HUKS_ALG_AES,
      HUKS_ALG_SM2,
    }
    enum HuksKeySize {
      HUKS_ECC_KEY_SIZE_256,
      HUKS_AES_KEY_SIZE_256,
      HUKS_SM2_KEY_SIZE_256,
    }
    enum HuksKeyPurpose {
      HUKS_KEY_PURPOSE_ENCRYPT = 1,
      HUKS_KEY_PURPOSE_DECRYPT = 2,
      HUKS_KEY_PURPOSE_SIGN = 4,
      HUKS_KEY_PURPOSE_VERIFY = 8,
    }
    enum HuksKeyDigest {
      HUKS_DIGEST_SHA256,
      HUKS_DIGEST_SM3,
    }
    enum HuksKeyPadding {
      HUKS_PADDING_NONE,
    }
    enum HuksCipherMode {
      HUKS_MODE_GCM,
    }
    interface HuksParam {
      tag: HuksTag;
      value: boolean | number | bigint | Uint8Array;
    }
    interface HuksOptions {
      properties?: Array<HuksParam>;
      inData?: Uint8Array;
    }
    interface HuksReturnResult {
      outData?: Uint8Array;
      properties?: Array<HuksParam>;
    }
    interface HuksSessionHandle {
      handle: number;
      challenge?: Uint8Array;
    }
    function generateKeyItem(keyAlias: string, options: HuksOptions): Promise<void>;
    function deleteKeyItem(keyAlias: string, options: HuksOptions): Promise<void>;
    function exportKeyItem(keyAlias: string, options: HuksOptions): Promise<HuksReturnResult>;
    function getKeyItemProperties(keyAlias: string, options: HuksOptions): Promise<HuksReturnResult>;
    function isKeyItemExist(keyAlias: string, options: HuksOptions): Promise<boolean>;
    function initSession(keyAlias: string, options: HuksOptions): Promise<HuksSessionHandle>;
    function finishSession(handle: number, options: HuksOptions): Promise<HuksReturnResult>;
  }
  export default huks;
}

declare module '@ohos.security.cryptoFramework' {
  namespace cryptoFramework {
    interface DataBlob {
      data: Uint8Array;
    }
    interface Random {
      generateRandomSync(len: number): DataBlob;
    }
    function createRandom(): Random;
  }
  export default cryptoFramework;
}
