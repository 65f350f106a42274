// Concurrent calls from coroutines, cancellation of an in-flight call, and
// the lifecycle of library objects: close(), use after close, events,
// background work, the masking logger, and the live-object counters.
package cn.ecard.test

import cn.ecard.ffi.DraftForm
import cn.ecard.ffi.Delivery
import cn.ecard.ffi.EcardEvent
import cn.ecard.ffi.EventListener
import cn.ecard.ffi.LogLevel
import cn.ecard.ffi.PlatformLogger
import cn.ecard.ffi.NewCardForm
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.SearchQuery
import cn.ecard.ffi.liveObjects
import cn.ecard.ffi.maskPersonalData
import cn.ecard.ffi.setLogger
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.Test
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** A loopback server that accepts connections and never answers. */
class BlackHole : AutoCloseable {
    private val server = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
    val accepted = CopyOnWriteArrayList<Socket>()
    val url = "http://127.0.0.1:${server.localPort}"

    init {
        Thread {
            while (!server.isClosed) {
                try {
                    accepted.add(server.accept())
                } catch (_: Exception) {
                    return@Thread
                }
            }
        }.apply { isDaemon = true }.start()
    }

    /** Whether the client closed every connection it opened here. */
    fun allClosedByPeer(): Boolean = accepted.isNotEmpty() && accepted.all { socket ->
        socket.soTimeout = 50
        try {
            socket.getInputStream().let { input -> while (input.read() >= 0) Unit }
            true
        } catch (_: java.net.SocketTimeoutException) {
            false
        } catch (_: java.io.IOException) {
            true
        }
    }

    override fun close() {
        server.close()
        accepted.forEach { it.close() }
    }
}

class ConcurrencyTest {
    private val admin = Admin(Env.platformUrl)

    @Test
    fun `twenty searches and twenty code refreshes run in parallel`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        val keyStore = SoftwareKeyStore()
        val testThread = Thread.currentThread().name
        openClient("parallel", keyStore = keyStore).use { client ->
            client.enrolAs(elder)
            client.syncCatalogue()
            val before = liveObjects().callsInFlight
            withContext(Dispatchers.Default) {
                val searches = (1..20).map { index ->
                    async { client.search(SearchQuery(text = if (index % 2 == 0) "社保卡" else "sbk", limit = 5u)) }
                }
                val codes = (1..20).map { async { client.currentCode(null, Purpose.TRANSPORT) } }
                assertTrue(searches.awaitAll().all { it.isNotEmpty() }, "ConcurrencyTest.kt:92")
                val made = codes.awaitAll()
                assertEquals(20, made.map { it.counter }.toSet().size, "every code has its own counter")
                assertTrue(made.all { it.text.startsWith("EC1:") }, "ConcurrencyTest.kt:95")
            }
            assertTrue(eventually { liveObjects().callsInFlight <= before }, "ConcurrencyTest.kt:97")
            // The app's key store is called on library threads (attached to the
            // JVM by JNA as Thread-N), never on the callers' threads.
            assertTrue(keyStore.signatures.get() >= 20, "ConcurrencyTest.kt:100")
            val callers = setOf(testThread) + keyStore.callerThreads.filter { it.startsWith("DefaultDispatcher") }
            assertEquals(setOf(testThread), callers, keyStore.callerThreads.toString())
        }
    }

    @Test
    fun `cancelling a call drops the Rust future and the client keeps working`(): Unit = runBlocking {
        BlackHole().use { hole ->
            openClient("cancel", platformUrl = hole.url).use { client ->
                val before = liveObjects().callsInFlight
                val call = launch(Dispatchers.Default) { client.syncCatalogue() }
                assertTrue(eventually { hole.accepted.isNotEmpty() }, "the call reached the server")
                assertTrue(call.isActive, "ConcurrencyTest.kt:113")
                assertEquals(before + 1u, liveObjects().callsInFlight)
                val started = System.nanoTime()
                call.cancel()
                withTimeout(2_000) { call.join() }
                assertTrue(System.nanoTime() - started < 2_000_000_000L, "ConcurrencyTest.kt:118")
                assertTrue(eventually { liveObjects().callsInFlight == before }, "the Rust task was aborted")
                assertTrue(eventually { hole.allClosedByPeer() }, "the connection was dropped")
                // A timeout is a cancellation too.
                assertNull(withTimeoutOrNull(300) { client.syncCatalogue() })
                assertTrue(eventually { liveObjects().callsInFlight == before }, "ConcurrencyTest.kt:123")

                // The same client still works, sync and async.
                assertFalse(client.snapshot().enrolled)
                val form = DraftForm.NewCard(NewCardForm(null, testPhoto(), "icbc", "13800138000", Delivery.Pickup("outlet-1")))
                val draftId = client.saveDraft(null, form)
                assertEquals(listOf(draftId), client.drafts().map { it.draftId })
                client.deleteDraft(draftId)
                assertTrue(client.drafts().isEmpty(), "ConcurrencyTest.kt:131")
            }
        }
    }

    @Test
    fun `closed objects refuse use, events stop on cancel, nothing stays alive`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        val baseline = liveObjects()
        val events = ConcurrentLinkedQueue<EcardEvent>()
        val client = openClient("lifecycle")
        val subscription = client.subscribe(object : EventListener {
            override fun onEvent(event: EcardEvent) {
                events.add(event)
            }
        })
        val background = client.startBackground(3600u)
        assertEquals(baseline.clients + 1u, liveObjects().clients)
        assertEquals(baseline.subscriptions + 1u, liveObjects().subscriptions)
        assertEquals(baseline.backgroundTasks + 1u, liveObjects().backgroundTasks)
        assertTrue(subscription.isActive(), "ConcurrencyTest.kt:151")
        assertTrue(background.isRunning(), "ConcurrencyTest.kt:152")

        client.enrolAs(elder)
        client.syncCatalogue()
        assertTrue(eventually { events.any { it is EcardEvent.CatalogueSynced } }, events.toString())
        assertTrue(events.any { it == EcardEvent.ProfileChanged }, "ConcurrencyTest.kt:157")

        subscription.cancel()
        assertTrue(eventually { !subscription.isActive() }, "ConcurrencyTest.kt:160")
        Thread.sleep(100) // a delivery already running when cancel() was called may finish
        val seen = events.size
        client.syncCatalogue()
        Thread.sleep(200)
        assertEquals(seen, events.size, "no events after cancel")
        background.stop()
        assertFalse(background.isRunning())

        subscription.close()
        background.close()
        client.close()
        assertFailsWith<IllegalStateException> { client.snapshot() }
        assertFailsWith<IllegalStateException> { client.currentCode(null, Purpose.TRANSPORT) }
        assertFailsWith<IllegalStateException> { subscription.isActive() }
        client.close() // closing twice is harmless
        assertTrue(eventually { liveObjects() == baseline }, "${liveObjects()} vs $baseline")
    }

    @Test
    fun `objects never closed are freed by the cleaner`(): Unit = runBlocking {
        val baseline = liveObjects()
        openAndForget()
        assertEquals(baseline.clients + 1u, liveObjects().clients)
        // The coroutine machinery keeps the value of the last resumed call
        // reachable until the coroutine suspends again.
        delay(10)
        assertTrue(
            eventually(20) {
                System.gc()
                liveObjects() == baseline
            },
            "${liveObjects()} vs $baseline",
        )
    }

    /** Opens a client and a subscription and drops both without closing. */
    private suspend fun openAndForget() {
        val client = openClient("forgotten")
        client.subscribe(object : EventListener {
            override fun onEvent(event: EcardEvent) = Unit
        })
    }

    @Test
    fun `log lines reach the app's logger with personal data masked`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        val lines = ConcurrentLinkedQueue<Pair<LogLevel, String>>()
        setLogger(object : PlatformLogger {
            override fun log(level: LogLevel, target: String, message: String) {
                lines.add(level to "$target: $message")
            }
        }, LogLevel.DEBUG)
        try {
            openClient("logged").use { client ->
                client.enrolAs(elder)
            }
        } finally {
            setLogger(null, LogLevel.ERROR)
        }
        assertTrue(lines.any { it.second.startsWith("ecard_core") }, "the core's lines arrive: $lines")
        val idNumber = elder["id_number"] as String
        assertTrue(lines.none { idNumber in it.second || "13900139000" in it.second }, lines.toString())
        assertTrue(lines.none { Regex("\\d{17}[\\dXx]").containsMatchIn(it.second) }, lines.toString())
        assertEquals("电话 [phone]，证件 [id]", maskPersonalData("电话 13900139000，证件 $idNumber"))
    }
}
