// The PlatformKeyStore of Android: keys in Android Keystore, in StrongBox
// when the device has one.
//
// Signing keys are EC P-256 key pairs made inside the keystore. Android
// Keystore has no Ed25519 and no SM2 (国密): `generateKey` refuses both with
// `KeyStoreFailure.UnsupportedSuite` (the app sees `NotAllowed` with code
// `unsupported_suite`), so the device suite on Android stays P-256 — the
// platform may still sign credentials with SM2 while the phone key is P-256.
// The key pairs come from KeyGenParameterSpec (PURPOSE_SIGN, SHA-256); the private key never
// leaves it. `sign` returns the DER signature of SHA256withECDSA, which the
// core normalises; public keys are handed out as SubjectPublicKeyInfo DER.
// Wrapping keys are AES-256-GCM keys made inside the keystore; the output
// is the keystore-chosen 12-byte IV followed by the ciphertext and tag.
//
// The core calls every method on a background thread, never the main one,
// so a method may block (e.g. on a BiometricPrompt when a key requires user
// authentication; this class does not require it by default, since a code
// must appear at a bus gate at once).
package cn.ecard.android

import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import android.security.keystore.UserNotAuthenticatedException
import cn.ecard.ffi.KeyStoreFailure
import cn.ecard.ffi.PlatformKeyStore
import cn.ecard.ffi.Suite
import java.security.GeneralSecurityException
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.Signature
import java.security.spec.ECGenParameterSpec
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

class AndroidHardwareKeyStore(context: Context, private val preferStrongBox: Boolean = true) : PlatformKeyStore {
    private val keyStore: KeyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }
    private val hasStrongBox: Boolean =
        Build.VERSION.SDK_INT >= Build.VERSION_CODES.P &&
            context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)

    private fun signing(alias: String) = "ecard.sign.$alias"
    private fun wrapping(alias: String) = "ecard.wrap.$alias"

    /** Runs a keystore operation, mapping its failures to the trait's errors. */
    private inline fun <T> keystore(what: String, block: () -> T): T = try {
        block()
    } catch (failure: KeyStoreFailure) {
        throw failure
    } catch (error: UserNotAuthenticatedException) {
        // The keys are there; the store wants the person to unlock first.
        throw KeyStoreFailure.Locked()
    } catch (error: GeneralSecurityException) {
        throw KeyStoreFailure.Backend("$what: ${error.javaClass.simpleName}")
    } catch (error: RuntimeException) {
        throw KeyStoreFailure.Backend("$what: ${error.javaClass.simpleName}")
    }

    /** Makes a key in StrongBox when possible, else in the TEE. */
    private fun <T> strongBoxFirst(make: (strongBox: Boolean) -> T): T {
        if (preferStrongBox && hasStrongBox) {
            try {
                return make(true)
            } catch (_: StrongBoxUnavailableException) {
                // Falls back to the TEE below.
            }
        }
        return make(false)
    }

    @Synchronized
    override fun generateKey(alias: String, suite: Suite): ByteArray = keystore("generate") {
        when (suite) {
            Suite.ECDSA_P256 -> Unit
            Suite.ED25519, Suite.SM2 -> throw KeyStoreFailure.UnsupportedSuite()
        }
        if (keyStore.containsAlias(signing(alias))) keyStore.deleteEntry(signing(alias))
        strongBoxFirst { strongBox ->
            val spec = KeyGenParameterSpec.Builder(signing(alias), KeyProperties.PURPOSE_SIGN)
                .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
                .setDigests(KeyProperties.DIGEST_SHA256)
                .apply { if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) setIsStrongBoxBacked(strongBox) }
                .build()
            KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, PROVIDER)
                .apply { initialize(spec) }
                .generateKeyPair()
                .public
                .encoded
        }
    }

    override fun publicKey(alias: String): ByteArray = keystore("public key") {
        keyStore.getCertificate(signing(alias))?.publicKey?.encoded ?: throw KeyStoreFailure.NotFound(alias)
    }

    override fun sign(alias: String, message: ByteArray): ByteArray = keystore("sign") {
        val entry = keyStore.getEntry(signing(alias), null) as? KeyStore.PrivateKeyEntry
            ?: throw KeyStoreFailure.NotFound(alias)
        Signature.getInstance("SHA256withECDSA").run {
            initSign(entry.privateKey)
            update(message)
            sign()
        }
    }

    @Synchronized
    override fun deleteKey(alias: String) = keystore("delete") {
        if (keyStore.containsAlias(signing(alias))) keyStore.deleteEntry(signing(alias))
    }

    @Synchronized
    private fun wrappingKey(alias: String, create: Boolean): SecretKey? {
        (keyStore.getKey(wrapping(alias), null) as? SecretKey)?.let { return it }
        if (!create) return null
        return strongBoxFirst { strongBox ->
            val spec = KeyGenParameterSpec.Builder(wrapping(alias), KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .apply { if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) setIsStrongBoxBacked(strongBox) }
                .build()
            KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, PROVIDER).apply { init(spec) }.generateKey()
        }
    }

    override fun wrap(alias: String, secret: ByteArray): ByteArray = keystore("wrap") {
        val key = wrappingKey(alias, create = true) ?: throw KeyStoreFailure.Backend("no wrapping key")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key) // the keystore picks a fresh random IV
        cipher.iv + cipher.doFinal(secret)
    }

    override fun unwrap(alias: String, wrapped: ByteArray): ByteArray = keystore("unwrap") {
        val key = wrappingKey(alias, create = false) ?: throw KeyStoreFailure.NotFound(alias)
        if (wrapped.size < IV_BYTES + TAG_BITS / 8) throw KeyStoreFailure.Backend("wrapped secret too short")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BITS, wrapped, 0, IV_BYTES))
        cipher.doFinal(wrapped, IV_BYTES, wrapped.size - IV_BYTES)
    }

    private companion object {
        const val PROVIDER = "AndroidKeyStore"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BITS = 128
    }
}
