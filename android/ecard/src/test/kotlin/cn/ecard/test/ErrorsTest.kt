// Typed errors as Kotlin sees them: the six categories with stable codes,
// fields and plain messages in the client's language; a stopped platform;
// failures of the app's own key store; panics that never crash the JVM.
package cn.ecard.test

import cn.ecard.ffi.EcardException
import cn.ecard.ffi.InternalException
import cn.ecard.ffi.KeyStoreFailure
import cn.ecard.ffi.Language
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.SearchQuery
import cn.ecard.ffi.Suite
import cn.ecard.ffi.debugPanic
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
            val error = assertFailsWith<EcardException.InvalidInput> { client.enrol(badId, "13900139000") }
            assertEquals("id_number", error.fieldName)
            assertTrue(error.userMessage.hasChinese(), error.userMessage)
            assertTrue(error.code.isNotEmpty(), "ErrorsTest.kt:41")

            val badPhone = assertFailsWith<EcardException.InvalidInput> { client.enrol(elder.identity(), "12345") }
            assertEquals("phone", badPhone.fieldName)

            val wrongName = assertFailsWith<EcardException.InvalidInput> { client.enrol(elder.identity().copy(name = "王五"), "13900139000") }
            assertEquals("identity_not_verified", wrongName.code)
            assertTrue("不一致" in wrongName.userMessage, wrongName.userMessage)

            val notEnrolled = assertFailsWith<EcardException.NotAllowed> { client.currentCode(null, Purpose.TRANSPORT) }
            assertEquals("not_enrolled", notEnrolled.code)
            assertFalse(client.snapshot().enrolled)
        }
        openClient("errors-en", language = Language.EN).use { client ->
            val badId = elder.identity().copy(idNumber = badNumber(elder["id_number"] as String))
            val error = assertFailsWith<EcardException.InvalidInput> { client.enrol(badId, "13900139000") }
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
                client.enrol(elder.identity(), "13900139000")
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
            client.enrol(elder.identity(), "13900139000")
            val error = assertFailsWith<EcardException.NotFound> { client.application("application-does-not-exist") }
            assertTrue(error.userMessage.hasChinese(), "ErrorsTest.kt:91")
        }
    }

    /** Refuses to make keys, as a cancelled biometric prompt would. */
    class CancellingKeyStore : SoftwareKeyStore() {
        override fun generateKey(alias: String, suite: Suite): ByteArray = throw KeyStoreFailure.UserCancelled()
    }

    /** Fails with an exception the trait does not declare. */
    class BrokenKeyStore : SoftwareKeyStore() {
        override fun generateKey(alias: String, suite: Suite): ByteArray = throw IllegalStateException("hardware on fire")
    }

    @Test
    fun `the app's key store failures come back typed`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        openClient("cancelled-key", keyStore = CancellingKeyStore()).use { client ->
            val error = assertFailsWith<EcardException.NotAllowed> { client.enrol(elder.identity(), "13900139000") }
            assertEquals("user_cancelled", error.code)
        }
        openClient("broken-key", keyStore = BrokenKeyStore()).use { client ->
            val error = assertFailsWith<EcardException.Internal> { client.enrol(elder.identity(), "13900139000") }
            assertEquals("key_store", error.code)
            assertTrue(error.userMessage.hasChinese(), "ErrorsTest.kt:115")
        }
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
