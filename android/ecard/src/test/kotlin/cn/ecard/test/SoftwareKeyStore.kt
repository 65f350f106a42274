// A software implementation of the PlatformKeyStore foreign trait with
// the JDK's own crypto: what AndroidKeyStoreBacked does in hardware, done in
// memory, so the JVM tests exercise the same callback path.
package cn.ecard.test

import cn.ecard.ffi.KeyStoreFailure
import cn.ecard.ffi.PlatformKeyStore
import cn.ecard.ffi.Suite
import java.security.GeneralSecurityException
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.SecureRandom
import java.security.Signature
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * EC P-256 signing keys (KeyPairGenerator "EC" on secp256r1, SHA256withECDSA,
 * DER signatures, SubjectPublicKeyInfo public keys) and AES-256-GCM wrapping
 * keys (a 12-byte nonce in front of the ciphertext), all in memory.
 */
open class SoftwareKeyStore : PlatformKeyStore {
    private val signing = ConcurrentHashMap<String, KeyPair>()
    private val wrapping = ConcurrentHashMap<String, SecretKey>()
    private val random = SecureRandom()

    /** Signatures made (the core signs requests and codes through here). */
    val signatures = AtomicInteger()

    /** Names of the threads the library called us on. */
    val callerThreads: MutableSet<String> = ConcurrentHashMap.newKeySet()

    private fun noted() {
        callerThreads.add(Thread.currentThread().name)
    }

    override fun generateKey(alias: String, suite: Suite): ByteArray {
        noted()
        when (suite) {
            Suite.ECDSA_P256 -> Unit
            // Android Keystore has neither: refused as AndroidHardwareKeyStore refuses them.
            Suite.ED25519, Suite.SM2 -> throw KeyStoreFailure.UnsupportedSuite()
        }
        val generator = KeyPairGenerator.getInstance("EC")
        generator.initialize(ECGenParameterSpec("secp256r1"), random)
        val pair = generator.generateKeyPair()
        signing[alias] = pair
        return pair.public.encoded
    }

    override fun publicKey(alias: String): ByteArray {
        noted()
        return signing[alias]?.public?.encoded ?: throw KeyStoreFailure.NotFound(alias)
    }

    override fun sign(alias: String, message: ByteArray): ByteArray {
        noted()
        val pair = signing[alias] ?: throw KeyStoreFailure.NotFound(alias)
        signatures.incrementAndGet()
        return Signature.getInstance("SHA256withECDSA").run {
            initSign(pair.private)
            update(message)
            sign()
        }
    }

    override fun deleteKey(alias: String) {
        noted()
        signing.remove(alias)
    }

    override fun wrap(alias: String, secret: ByteArray): ByteArray {
        noted()
        val key = wrapping.computeIfAbsent(alias) {
            KeyGenerator.getInstance("AES").apply { init(256, random) }.generateKey()
        }
        val nonce = ByteArray(12).also(random::nextBytes)
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, key, GCMParameterSpec(128, nonce))
        return nonce + cipher.doFinal(secret)
    }

    override fun unwrap(alias: String, wrapped: ByteArray): ByteArray {
        noted()
        val key = wrapping[alias] ?: throw KeyStoreFailure.NotFound(alias)
        if (wrapped.size < 12 + 16) throw KeyStoreFailure.Backend("wrapped secret too short")
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped.copyOfRange(0, 12)))
        return try {
            cipher.doFinal(wrapped, 12, wrapped.size - 12)
        } catch (error: GeneralSecurityException) {
            throw KeyStoreFailure.Backend("the wrapped secret does not open")
        }
    }
}
