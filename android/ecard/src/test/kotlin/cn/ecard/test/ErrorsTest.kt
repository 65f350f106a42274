// Typed errors as Kotlin sees them: the six categories with stable codes,
// fields and plain messages in the client's language; a stopped platform;
// failures of the app's own key store; panics that never crash the JVM.
package cn.ecard.test

import cn.ecard.ffi.EcardClient
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.InternalException
import cn.ecard.ffi.KeyStoreFailure
import cn.ecard.ffi.Language
import cn.ecard.ffi.PinAction
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.SearchQuery
import cn.ecard.ffi.Suite
import cn.ecard.ffi.debugPanic
import cn.ecard.ffi.defaultConfig
import cn.ecard.ffi.debugPanicAsync
import cn.ecard.ffi.libraryVersion
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class ErrorsTest {
    private val admin = Admin(Env.platformUrl)

    /** The elder's number with a wrong check digit. */
    private fun badNumber(number: String): String {
        val last = number.last()
        val wrong = if (last == '0') '1' else '0'
        return number.dropLast(1) + wrong
    }

    @Test
    fun `bad input is invalid_input naming the field, in Chinese or English`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        openClient("errors-zh").use { client ->
            val badId = elder.identity().copy(idNumber = badNumber(elder["id_number"] as String))
            val error = assertFailsWith<EcardException.InvalidInput> { client.beginEnrolment(badId) }
            assertEquals("id_number", error.fieldName)
            assertTrue(error.userMessage.hasChinese(), error.userMessage)
            assertTrue(error.code.isNotEmpty(), "ErrorsTest.kt:41")

            val badPhone = assertFailsWith<EcardException.InvalidInput> { client.changePhone("12345", SimulatedFace(admin), TEST_PIN) }
            assertEquals("new_phone", badPhone.fieldName)
            val shortPin = assertFailsWith<EcardException.InvalidInput> { client.pinGrant("1234", PinAction.RELEASE_LOSS) }
            assertEquals("pin", shortPin.fieldName)

            // A wrong name starts like any other enrolment (the answer says
            // nothing), and the face check of the real person then fails.
            client.beginEnrolment(elder.identity().copy(name = "王五"))
            val wrongName = assertFailsWith<EcardException.InvalidInput> { client.confirmPresence(SimulatedFace(admin)) }
            assertEquals("identity_not_verified", wrongName.code)
            assertTrue("身份核验" in wrongName.userMessage, wrongName.userMessage)

            val notEnrolled = assertFailsWith<EcardException.NotAllowed> { client.currentCode(null, Purpose.TRANSPORT) }
            assertEquals("not_enrolled", notEnrolled.code)
            assertFalse(client.snapshot().enrolled)
        }
        openClient("errors-en", language = Language.EN).use { client ->
            val badId = elder.identity().copy(idNumber = badNumber(elder["id_number"] as String))
            val error = assertFailsWith<EcardException.InvalidInput> { client.beginEnrolment(badId) }
            assertEquals("id_number", error.fieldName)
            assertFalse(error.userMessage.hasChinese(), error.userMessage)
            assertEquals(Language.EN, client.language())
        }
    }

    @Test
    fun `a stopped platform is a network error, and codes keep working offline`(): Unit = runBlocking {
        PrivatePlatform().use { platform ->
            val elder = platform.admin.persona("elder")
            openClient("offline", platformUrl = platform.url).use { client ->
                client.enrolAs(elder, platform.admin)
                client.syncCatalogue()
                assertTrue(client.snapshot().online, "ErrorsTest.kt:70")
                platform.stop()
                val error = assertFailsWith<EcardException.Network> { client.syncCatalogue() }
                assertTrue(error.code in setOf("offline", "timeout"), error.code)
                assertTrue(error.userMessage.hasChinese(), "ErrorsTest.kt:74")
                assertFalse(client.snapshot().online)
                // Offline: search and codes still work.
                assertTrue(client.search(SearchQuery(text = "社保卡")).isNotEmpty(), "ErrorsTest.kt:77")
                assertTrue(client.currentCode(null, Purpose.MEDICAL).text.startsWith("EC1:"), "ErrorsTest.kt:78")
                val notFound = assertFailsWith<EcardException.Network> { client.refreshProfile() }
                assertTrue(notFound.code in setOf("offline", "timeout"), "ErrorsTest.kt:80")
            }
        }
    }

    @Test
    fun `an unknown application is not_found`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        openClient("not-found").use { client ->
            client.enrolAs(elder)
            val error = assertFailsWith<EcardException.NotFound> { client.application("application-does-not-exist") }
            assertTrue(error.userMessage.hasChinese(), "ErrorsTest.kt:91")
        }
    }

    /** Refuses to make keys, as a cancelled biometric prompt would. */
    class CancellingKeyStore : SoftwareKeyStore() {
        override fun generateKey(alias: String, suite: Suite): ByteArray = throw KeyStoreFailure.UserCancelled()
    }

    /** Locked, as a phone before its first unlock. */
    class LockedKeyStore : SoftwareKeyStore() {
        override fun generateKey(alias: String, suite: Suite): ByteArray = throw KeyStoreFailure.Locked()
    }

    /** Fails with an exception the trait does not declare. */
    class BrokenKeyStore : SoftwareKeyStore() {
        override fun generateKey(alias: String, suite: Suite): ByteArray = throw IllegalStateException("hardware on fire")
    }

    @Test
    fun `the app's key store failures come back typed`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        openClient("cancelled-key", keyStore = CancellingKeyStore()).use { client ->
            val error = assertFailsWith<EcardException.NotAllowed> { client.beginEnrolment(elder.identity()) }
            assertEquals("user_cancelled", error.code)
        }
        openClient("locked-key", keyStore = LockedKeyStore()).use { client ->
            val error = assertFailsWith<EcardException.NotAllowed> { client.beginEnrolment(elder.identity()) }
            assertEquals("key_store_locked", error.code)
        }
        openClient("broken-key", keyStore = BrokenKeyStore()).use { client ->
            val error = assertFailsWith<EcardException.Internal> { client.beginEnrolment(elder.identity()) }
            assertEquals("key_store", error.code)
            assertTrue(error.userMessage.hasChinese(), "ErrorsTest.kt:115")
        }
    }

    @Test
    fun `an SM2 device key is refused as Android Keystore refuses it`(): Unit = runBlocking {
        // The test store refuses every suite but P-256, as AndroidHardwareKeyStore does.
        assertFailsWith<KeyStoreFailure.UnsupportedSuite> { SoftwareKeyStore().generateKey("ecard-device", Suite.SM2) }
        val elder = admin.persona("elder")
        val config = defaultConfig(Env.dataDir("sm2-key"), Env.platformUrl).copy(deviceSuite = Suite.SM2)
        EcardClient.open(config, SoftwareKeyStore()).use { client ->
            val error = assertFailsWith<EcardException.NotAllowed> { client.beginEnrolment(elder.identity()) }
            assertEquals("unsupported_suite", error.code)
            assertTrue(error.userMessage.hasChinese(), "ErrorsTest.kt: unsupported suite in Chinese")
            assertFalse(client.snapshot().enrolled)
        }
        // The default stays P-256 on Android and iOS.
        assertEquals(Suite.ECDSA_P256, defaultConfig(Env.dataDir("sm2-default"), Env.platformUrl).deviceSuite)
    }

    @Test
    fun `panics become typed errors and the library keeps working`(): Unit = runBlocking {
        val guarded = assertFailsWith<EcardException.Internal> { debugPanic(true) }
        assertEquals("panic", guarded.code)
        // Without the library's guard, UniFFI's own turns it into an exception too.
        assertFailsWith<InternalException> { debugPanic(false) }
        val async = assertFailsWith<EcardException.Internal> { debugPanicAsync() }
        assertEquals("panic", async.code)
        assertTrue(libraryVersion().isNotEmpty(), "ErrorsTest.kt:127")
        openClient("after-panic").use { client -> assertFalse(client.snapshot().enrolled) }
    }
}
