// The conformance scenarios (bindings/conformance/scenarios.json) run
// through UniFFI. The Node suite runs the same list through the HarmonyOS
// binding (harmony/test/conformance.test.mjs), so a behaviour the two
// bindings do not share fails one of them.
package cn.ecard.test

import cn.ecard.ffi.ApplicationAction
import cn.ecard.ffi.CodeView
import cn.ecard.ffi.EcardClient
import cn.ecard.ffi.EcardEvent
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.ErrorCategory
import cn.ecard.ffi.EventListener
import cn.ecard.ffi.FieldCipherSuite
import cn.ecard.ffi.FlowStep
import cn.ecard.ffi.HolderRole
import cn.ecard.ffi.KeyStoreFailure
import cn.ecard.ffi.Language
import cn.ecard.ffi.LogLevel
import cn.ecard.ffi.PlatformKeyStore
import cn.ecard.ffi.PlatformLogger
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Suite
import cn.ecard.ffi.codeCountdown
import cn.ecard.ffi.countdownNeedsRefresh
import cn.ecard.ffi.countdownSecondsLeft
import cn.ecard.ffi.countdownText
import cn.ecard.ffi.debugError
import cn.ecard.ffi.debugLaggedSubscription
import cn.ecard.ffi.debugLog
import cn.ecard.ffi.debugPanic
import cn.ecard.ffi.debugPanicAsync
import cn.ecard.ffi.debugPlanAction
import cn.ecard.ffi.defaultConfig
import cn.ecard.ffi.errorAction
import cn.ecard.ffi.errorActionLabel
import cn.ecard.ffi.maskPersonalData
import cn.ecard.ffi.purposeLabel
import cn.ecard.ffi.setLogger
import cn.ecard.ffi.stepLabel
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.io.File
import java.util.concurrent.ConcurrentLinkedQueue
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.test.fail

class ConformanceTest {
    private val scenarios: List<Map<String, Any?>> = run {
        val path = System.getProperty("ecard.conformance") ?: "bindings/conformance/scenarios.json"
        @Suppress("UNCHECKED_CAST")
        (Json.parse(File(path).readText()) as Map<String, Any?>)["scenarios"] as List<Map<String, Any?>>
    }

    @TestFactory
    fun `every conformance scenario holds through UniFFI`(): List<DynamicTest> = scenarios.map { scenario ->
        DynamicTest.dynamicTest("conformance: ${scenario["name"]}") { runBlocking { run(scenario) } }
    }

    private suspend fun run(scenario: Map<String, Any?>) {
        when (val kind = scenario["kind"]) {
            "panic" -> panic(scenario)
            "error" -> error(scenario)
            "lagged" -> lagged(scenario)
            "mask" -> assertEquals(scenario["expect"], maskPersonalData(scenario["text"] as String))
            "log" -> log(scenario)
            "key_store_timeout" -> keyStoreTimeout(scenario)
            "flow_action" -> flowAction(scenario)
            "config_defaults" -> {
                val config = defaultConfig("/data/ecard", "https://ecard.example.cn")
                val expect = scenario.obj("expect")
                assertEquals(language(expect["locale"]), config.language)
                assertEquals(expect["deviceName"], config.deviceName)
                assertEquals(expect["defaultRegion"], config.defaultRegion)
                assertEquals(
                    expect["deviceSuite"],
                    when (config.deviceSuite) {
                        Suite.ED25519 -> "ed25519"
                        Suite.ECDSA_P256 -> "p256"
                        Suite.SM2 -> "sm2"
                    },
                )
                assertEquals((expect["requestTimeoutSeconds"] as Number).toLong(), config.requestTimeoutSeconds.toLong())
                assertEquals(expect["storageLimitBytes"], config.storageLimitBytes)
                assertEquals((expect["keyStoreTimeoutSeconds"] as Number).toDouble(), config.keyStoreTimeoutSeconds)
                assertEquals(
                    expect["fieldCipher"],
                    if (config.fieldCipher == FieldCipherSuite.SM4_GCM) "sm4-gcm" else "aes-256-gcm",
                )
            }
            "purpose_label" -> assertEquals(
                scenario["expect"],
                purposeLabel(Purpose.valueOf((scenario["purpose"] as String).uppercase()), language(scenario["locale"])),
            )
            "step_label" -> assertEquals(scenario["expect"], stepLabel(step(scenario.obj("step")), language(scenario["locale"])))
            "error_action" -> {
                val action = errorAction(ErrorCategory.valueOf((scenario["category"] as String).uppercase()), scenario["code"] as String)
                assertEquals(
                    scenario.obj("expect"),
                    mapOf("action" to action.name.lowercase(), "label" to errorActionLabel(action, language(scenario["locale"]))),
                )
            }
            "countdown" -> {
                val code = scenario.obj("code")
                fun seconds(value: Any?) = (value as Number).toLong().toULong()
                val view = CodeView(
                    cardId = "c", purpose = Purpose.TRANSPORT, text = "EC1:X", qrVersion = 10u,
                    issuedAt = seconds(code["issuedAt"]), expiresAt = seconds(code["expiresAt"]),
                    secondsLeft = seconds(code["secondsLeft"]), onBehalf = HolderRole.HOLDER, counter = 1u,
                    credentialNotAfter = 9_999uL,
                )
                val countdown = codeCountdown(view, seconds(scenario["receivedAt"]))
                val at = seconds(scenario["at"])
                val left = countdownSecondsLeft(countdown, at)
                val expect = scenario.obj("expect")
                assertEquals((expect["secondsLeft"] as Number).toLong().toULong(), left)
                assertEquals(expect["needsRefresh"], countdownNeedsRefresh(countdown, at))
                assertEquals(expect["text"], countdownText(left))
            }
            else -> fail("the Kotlin suite does not know the scenario kind $kind")
        }
    }

    /** A flow step as the scenarios write it (`{ kind, amountFen | reason }`). */
    private fun step(step: Map<String, Any?>): FlowStep = when (val kind = step["kind"]) {
        "waiting_to_send" -> FlowStep.WaitingToSend
        "pay" -> FlowStep.Pay((step["amountFen"] as Number).toInt().toUInt())
        "in_production" -> FlowStep.InProduction
        "in_transit" -> FlowStep.InTransit
        "collect_at_outlet" -> FlowStep.CollectAtOutlet
        "activate" -> FlowStep.Activate
        "resubmit_photo" -> FlowStep.ResubmitPhoto(step["reason"] as String)
        "done" -> FlowStep.Done
        "cancelled" -> FlowStep.Cancelled
        else -> fail("unknown step $kind")
    }

    @Suppress("UNCHECKED_CAST")
    private fun Map<String, Any?>.obj(key: String): Map<String, Any?> = this[key] as Map<String, Any?>

    private fun language(tag: Any?): Language = if ((tag as String).startsWith("en")) Language.EN else Language.ZH_CN

    private fun category(error: EcardException): String = when (error) {
        is EcardException.Network -> "network"
        is EcardException.NotFound -> "not_found"
        is EcardException.InvalidInput -> "invalid_input"
        is EcardException.NotAllowed -> "not_allowed"
        is EcardException.Revoked -> "revoked"
        is EcardException.Internal -> "internal"
    }

    private fun message(error: EcardException): String = when (error) {
        is EcardException.Network -> error.userMessage
        is EcardException.NotFound -> error.userMessage
        is EcardException.InvalidInput -> error.userMessage
        is EcardException.NotAllowed -> error.userMessage
        is EcardException.Revoked -> error.userMessage
        is EcardException.Internal -> error.userMessage
    }

    private fun field(error: EcardException): String? =
        (error as? EcardException.InvalidInput)?.fieldName?.ifEmpty { null }

    private fun assertCategoryAndCode(expect: Map<String, Any?>, error: EcardException) {
        assertEquals(expect["category"], category(error))
        assertEquals(expect["code"], error.code())
    }

    private suspend fun panic(scenario: Map<String, Any?>) {
        val error = try {
            if (scenario["async"] == true) debugPanicAsync() else debugPanic(true)
            fail("expected a panic to be reported")
        } catch (error: EcardException) {
            error
        }
        assertCategoryAndCode(scenario.obj("expect"), error)
    }

    private fun error(scenario: Map<String, Any?>) {
        val expect = scenario.obj("expect")
        val error = try {
            debugError(scenario["error"] as String, language(scenario["locale"]))
            fail("expected an error")
        } catch (error: EcardException) {
            error
        }
        assertCategoryAndCode(expect, error)
        assertEquals(expect["message"], message(error))
        assertEquals(expect["field"], field(error))
    }

    private fun lagged(scenario: Map<String, Any?>) {
        val events = ConcurrentLinkedQueue<EcardEvent>()
        val subscription = debugLaggedSubscription(object : EventListener {
            override fun onEvent(event: EcardEvent) {
                events.add(event)
            }
        }, (scenario["emitted"] as Number).toInt().toUInt(), (scenario["capacity"] as Number).toInt().toUInt())
        val expect = scenario.obj("expect")
        @Suppress("UNCHECKED_CAST")
        val pending = (expect["thenOutboxPending"] as List<Number>).map { it.toLong().toULong() }
        assertTrue(eventually { events.size >= 1 + pending.size }, events.toString())
        subscription.cancel()
        // Freed now, so the live-object counts other tests assert are back to their baseline.
        subscription.close()
        val wanted = listOf(EcardEvent.Missed((expect["missed"] as Number).toLong().toULong())) +
            pending.map { EcardEvent.OutboxChanged(it) }
        assertEquals(wanted, events.toList())
    }

    private fun log(scenario: Map<String, Any?>) {
        val lines = ConcurrentLinkedQueue<Pair<String, String>>()
        setLogger(object : PlatformLogger {
            override fun log(level: LogLevel, target: String, message: String) {
                if (message.startsWith("conformance")) lines.add(level.name.lowercase() to message)
            }
        }, LogLevel.valueOf((scenario["maxLevel"] as String).uppercase()))
        try {
            debugLog(LogLevel.valueOf((scenario["level"] as String).uppercase()), scenario["message"] as String)
        } finally {
            setLogger(null, LogLevel.ERROR)
        }
        @Suppress("UNCHECKED_CAST")
        val expect = scenario["expect"] as Map<String, Any?>?
        assertEquals(expect?.let { listOf(it["level"] to it["message"]) } ?: emptyList(), lines.toList())
    }

    /** A key store whose every call blocks far longer than any timeout. */
    private class SilentKeyStore : PlatformKeyStore {
        private fun never(): Nothing {
            Thread.sleep(60_000)
            throw KeyStoreFailure.Backend("woke up")
        }
        override fun generateKey(alias: String, suite: Suite): ByteArray = never()
        override fun publicKey(alias: String): ByteArray = never()
        override fun sign(alias: String, message: ByteArray): ByteArray = never()
        override fun deleteKey(alias: String) = never()
        override fun wrap(alias: String, secret: ByteArray): ByteArray = never()
        override fun unwrap(alias: String, wrapped: ByteArray): ByteArray = never()
    }

    private suspend fun keyStoreTimeout(scenario: Map<String, Any?>) {
        val config = defaultConfig(Env.dataDir("silent"), Env.platformUrl)
            .copy(keyStoreTimeoutSeconds = (scenario["timeoutSeconds"] as Number).toDouble())
        val started = System.nanoTime()
        val error = try {
            EcardClient.open(config, SilentKeyStore()).close()
            fail("expected the open to fail")
        } catch (error: EcardException) {
            error
        }
        val seconds = (System.nanoTime() - started) / 1e9
        assertTrue(seconds < (scenario["withinSeconds"] as Number).toDouble(), "took $seconds s")
        assertCategoryAndCode(scenario.obj("expect"), error)
    }

    private fun flowAction(scenario: Map<String, Any?>) {
        val action = ApplicationAction.valueOf((scenario["action"] as String).uppercase())
        val plan = {
            debugPlanAction(
                (scenario["stepAmountFen"] as Number?)?.toInt()?.toUInt(),
                (scenario["feeFen"] as Number).toInt().toUInt(),
                scenario["cardId"] as String?,
                action,
            )
        }
        @Suppress("UNCHECKED_CAST")
        val expectError = scenario["expectError"] as Map<String, Any?>?
        if (expectError != null) {
            val error = try {
                plan()
                fail("expected an error")
            } catch (error: EcardException) {
                error
            }
            assertCategoryAndCode(expectError, error)
            return
        }
        val expect = scenario.obj("expect")
        val call = plan()
        assertNotNull(call)
        assertEquals(expect["name"], call.name)
        assertEquals((expect["amountFen"] as Number?)?.toInt()?.toUInt(), call.amountFen)
        assertEquals(expect["cardId"], call.cardId)
    }
}
