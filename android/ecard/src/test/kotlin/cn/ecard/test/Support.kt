// Test support: the platform the script started, its operator endpoints
// (the SMS outbox, the simulated face platform, new people), a small JSON
// reader, a face check in Kotlin, test photos, and opening and enrolling
// clients.
package cn.ecard.test

import cn.ecard.ffi.ClientConfig
import cn.ecard.ffi.EcardClient
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.FaceCheck
import cn.ecard.ffi.FaceCheckFailure
import cn.ecard.ffi.FaceCheckRequest
import cn.ecard.ffi.Language
import cn.ecard.ffi.PersonIdentity
import cn.ecard.ffi.PlatformKeyStore
import cn.ecard.ffi.Session
import cn.ecard.ffi.defaultConfig
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.TimeUnit
import kotlin.random.Random

/** The e-card PIN every test enrolment sets (as tests/support/lib.rs). */
const val TEST_PIN = "135790"

/** Settings passed by scripts/test-kotlin.sh as system properties. */
object Env {
    /** Base URL of the platform the script started. */
    val platformUrl: String = property("ecard.platform")
    /** Its admin token. */
    val adminToken: String = property("ecard.adminToken")
    /** The `ecard` CLI, to start private platforms. */
    val cli: String = property("ecard.cli")
    /** Where tests may write (client data directories). */
    val workDir: File = File(property("ecard.workDir")).also { it.mkdirs() }

    private fun property(name: String): String =
        System.getProperty(name) ?: error("system property $name is not set: run scripts/test-kotlin.sh")

    /** A fresh data directory for one client. */
    fun dataDir(name: String): String =
        Files.createTempDirectory(workDir.toPath(), "$name-").toString()
}

/** The operator endpoints (`/admin/...`) of a platform, over java.net.http. */
class Admin(private val base: String, private val token: String = Env.adminToken) {
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    private fun send(method: String, path: String, body: String?): Any? {
        val request = HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer $token")
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(20))
            .method(method, body?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody())
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() < 300) { "admin $method $path: ${response.statusCode()} ${response.body()}" }
        return if (response.body().isBlank()) null else Json.parse(response.body())
    }

    fun get(path: String): Any? = send("GET", path, null)
    fun post(path: String, body: String = "{}"): Any? = send("POST", path, body)

    /** A seeded persona: `resident` 张伟, `minor`, `newborn` 张小满, `elder` 刘桂兰. */
    @Suppress("UNCHECKED_CAST")
    fun persona(role: String): Map<String, Any?> =
        (get("/admin/personas") as List<Map<String, Any?>>).first { it["persona"] == role }

    /** Moves the platform clock forward; returns the platform's new time. */
    fun advanceSeconds(seconds: Long): Long {
        val answer = post("/admin/clock/advance", """{"seconds": $seconds}""") as Map<*, *>
        return (answer["now"] as Number).toLong()
    }

    fun advanceDays(days: Long): Long = advanceSeconds(days * 86_400)

    /** Consent given at a counter for a family-proxy mandate. */
    fun consent(delegationId: String) {
        post("/admin/delegations/$delegationId/consent")
    }

    /** Texts the reference SMS gateway sent to `phone`, newest first. */
    @Suppress("UNCHECKED_CAST")
    fun texts(phone: String): List<Map<String, Any?>> =
        get("/admin/sms?phone=$phone") as List<Map<String, Any?>>

    /** The newest one-time code texted to `phone`, as the person reads it off their phone. */
    fun latestCode(phone: String): String? = texts(phone).firstNotNullOfOrNull { message ->
        Regex("验证码 (\\d{6})").find(message["body"] as String)?.groupValues?.get(1)
    }

    /** A signed result of the simulated face platform, as the face SDK would hand it back. */
    fun faceResult(request: FaceCheckRequest, live: Boolean, matched: Boolean): String {
        val body = "{" + listOf(
            "\"id_type\":${Json.quote(request.idType)}",
            "\"id_number\":${Json.quote(request.idNumber)}",
            "\"challenge\":${Json.quote(request.challenge)}",
            "\"device_binding\":${Json.quote(request.deviceBinding)}",
            "\"live\":$live",
            "\"matched\":$matched",
        ).joinToString(",") + "}"
        return (post("/admin/face-platform/results", body) as Map<*, *>)["face_result"] as String
    }

    /**
     * A new person in the register (Nanchang, born `birth` as `YYYYMMDD`), with
     * a phone on record and, with `card`, an active card; returns them as
     * `/admin/personas` describes a persona.
     */
    fun newPerson(name: String, birth: String = "19800101", card: Boolean = true): Map<String, Any?> {
        repeat(20) {
            val idNumber = residentId("360102", birth, Random.nextInt(100, 1000).toString())
            val phone = "137" + Random.nextInt(10_000_000, 100_000_000)
            val body = "{\"id_type\":\"resident_id\",\"id_number\":\"$idNumber\",\"name\":${Json.quote(name)}," +
                "\"region\":\"360102\",\"phone\":\"$phone\"}"
            val answer = runCatching { post("/admin/people", body) as Map<*, *> }.getOrNull() ?: return@repeat
            val personId = answer["person_id"] as String
            if (card) post("/admin/people/$personId/cards", "{\"bank\":\"icbc\"}")
            return mapOf("person_id" to personId, "id_type" to "resident_id", "id_number" to idNumber, "name" to name, "phone" to phone)
        }
        error("could not add a person")
    }
}

/** A resident ID number with its check digit (GB 11643, ISO 7064 MOD 11-2). */
fun residentId(region: String, birth: String, sequence: String): String {
    val body = region + birth + sequence
    val weights = intArrayOf(7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    val sum = body.mapIndexed { index, digit -> (digit - '0') * weights[index] }.sum()
    return body + "10X98765432"[sum % 11]
}

/** How the person in front of the camera fares at the simulated face platform. */
enum class FaceBehaviour { GENUINE, IMPOSTOR, NO_LIVENESS, CANCELLED }

/**
 * The app's face check, in Kotlin, against the reference platform's simulated
 * face platform (what a face SDK does against the real one): the result is
 * minted for the request's challenge and device binding, and handed back
 * untouched. Records the threads and requests it was called with.
 */
class SimulatedFace(private val admin: Admin, private val behaviour: FaceBehaviour = FaceBehaviour.GENUINE) : FaceCheck {
    val requests = ConcurrentLinkedQueue<FaceCheckRequest>()
    val threads = ConcurrentLinkedQueue<String>()

    override fun check(request: FaceCheckRequest): String {
        requests.add(request)
        threads.add(Thread.currentThread().name)
        return when (behaviour) {
            FaceBehaviour.CANCELLED -> throw FaceCheckFailure.Cancelled()
            FaceBehaviour.GENUINE -> admin.faceResult(request, live = true, matched = true)
            FaceBehaviour.IMPOSTOR -> admin.faceResult(request, live = true, matched = false)
            FaceBehaviour.NO_LIVENESS -> admin.faceResult(request, live = false, matched = false)
        }
    }
}

/**
 * Enrols this client for `person` (a persona or [Admin.newPerson]) as the
 * person would: the identity, a genuine face check, the code texted to the
 * phone on record, and [TEST_PIN] when the account needs a PIN.
 */
suspend fun EcardClient.enrolAs(person: Map<String, Any?>, admin: Admin = Admin(Env.platformUrl)): Session {
    beginEnrolment(person.identity())
    val progress = confirmPresence(SimulatedFace(admin))
    val code = admin.latestCode(person["phone"] as String)
    return completeEnrolment(code, if (progress.pinRequired) TEST_PIN else null)
}

/** The identity of a persona, as an enrolment or a mandate names it. */
fun Map<String, Any?>.identity(): PersonIdentity =
    PersonIdentity(idType = this["id_type"] as String, idNumber = this["id_number"] as String, name = this["name"] as String)

/** A platform process of its own (for tests that stop it, and start it again). */
class PrivatePlatform : AutoCloseable {
    private val directory = Files.createTempDirectory(Env.workDir.toPath(), "platform-").toFile()
    private var process: Process
    val url: String

    init {
        val (started, found) = serve("127.0.0.1:0")
        process = started
        url = found
    }

    /** Starts `ecard platform serve` on [addr] over this platform's database; returns it and its URL. */
    private fun serve(addr: String): Pair<Process, String> {
        val started = ProcessBuilder(
            Env.cli, "platform", "serve",
            "--db", File(directory, "platform.db").path,
            "--addr", addr,
            "--rate-limit-per-source", "off",
        ).redirectErrorStream(true).apply { environment()["ECARD_ADMIN_TOKEN"] = Env.adminToken }.start()
        val reader = started.inputStream.bufferedReader()
        var found: String? = null
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (found == null && System.nanoTime() < deadline) {
            val line = reader.readLine() ?: break
            found = Regex("serving (http://\\S+)").find(line)?.groupValues?.get(1)
        }
        if (found == null) {
            started.destroyForcibly()
            error("private platform did not start")
        }
        // Keep draining its output so it never blocks on a full pipe.
        Thread { reader.useLines { lines -> lines.forEach { _ -> } } }.apply { isDaemon = true }.start()
        return started to found
    }

    /** Serves again after [stop], from the same database at the same address (back online). */
    fun restart() {
        val (started, found) = serve(url.removePrefix("http://"))
        process = started
        check(found == url) { "restarted at $found, not $url" }
    }

    val admin: Admin get() = Admin(url)

    /** Stops serving: connections are refused from now on. */
    fun stop() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    override fun close() = stop()
}

/** Opens a client on a fresh data directory with a software key store. */
suspend fun openClient(
    name: String,
    platformUrl: String = Env.platformUrl,
    keyStore: PlatformKeyStore = SoftwareKeyStore(),
    language: Language = Language.ZH_CN,
    dataDir: String = Env.dataDir(name),
): EcardClient {
    val config: ClientConfig = defaultConfig(dataDir, platformUrl).copy(language = language, deviceName = "jvm test $name")
    return EcardClient.open(config, keyStore)
}

/** A minimal JPEG of the given dimensions and size (as tests/support/lib.rs makes it). */
fun jpeg(width: Int, height: Int, size: Int): ByteArray {
    val bytes = ArrayList<Byte>()
    fun add(vararg values: Int) = values.forEach { bytes.add(it.toByte()) }
    add(0xFF, 0xD8)
    add(0xFF, 0xE0, 0x00, 0x10, 'J'.code, 'F'.code, 'I'.code, 'F'.code, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0)
    add(0xFF, 0xC0, 0x00, 0x11, 0x08)
    add(height shr 8, height and 0xFF, width shr 8, width and 0xFF)
    add(0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01)
    add(0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00)
    while (bytes.size < size - 2) add(0x55)
    add(0xFF, 0xD9)
    return bytes.toByteArray()
}

/** The card photo of the national rules: 358×441 pixels, about 12 KB. */
fun testPhoto(): ByteArray = jpeg(358, 441, 12_000)

/** The stable code of any library error, whatever its category. */
fun EcardException.code(): String = when (this) {
    is EcardException.Network -> code
    is EcardException.NotFound -> code
    is EcardException.InvalidInput -> code
    is EcardException.NotAllowed -> code
    is EcardException.Revoked -> code
    is EcardException.Internal -> code
}

/** Whether a text has Chinese characters (a zh-CN message). */
fun String.hasChinese(): Boolean = any { it in '\u4e00'..'\u9fff' }

/** A just-enough JSON reader for the operator endpoints' answers. */
object Json {
    /** A JSON string literal. */
    fun quote(text: String): String = buildString {
        append('"')
        text.forEach { c ->
            when {
                c == '"' || c == '\\' -> append('\\').append(c)
                c < ' ' -> append(String.format("\\u%04x", c.code))
                else -> append(c)
            }
        }
        append('"')
    }

    fun parse(text: String): Any? {
        val reader = Reader(text)
        val value = reader.value()
        reader.skipSpace()
        check(reader.at == text.length) { "trailing characters in JSON" }
        return value
    }

    private class Reader(val text: String) {
        var at = 0

        fun skipSpace() {
            while (at < text.length && text[at].isWhitespace()) at++
        }

        fun value(): Any? {
            skipSpace()
            return when (val c = text[at]) {
                '{' -> obj()
                '[' -> array()
                '"' -> string()
                't' -> literal("true", true)
                'f' -> literal("false", false)
                'n' -> literal("null", null)
                else -> if (c == '-' || c.isDigit()) number() else error("unexpected '$c' at $at")
            }
        }

        fun literal(word: String, value: Any?): Any? {
            check(text.startsWith(word, at)) { "bad literal at $at" }
            at += word.length
            return value
        }

        fun number(): Number {
            val start = at
            while (at < text.length && (text[at].isDigit() || text[at] in "+-.eE")) at++
            val token = text.substring(start, at)
            return token.toLongOrNull() ?: token.toDouble()
        }

        fun string(): String {
            val out = StringBuilder()
            at++
            while (text[at] != '"') {
                val c = text[at++]
                if (c != '\\') {
                    out.append(c)
                    continue
                }
                when (val escaped = text[at++]) {
                    'n' -> out.append('\n')
                    't' -> out.append('\t')
                    'r' -> out.append('\r')
                    'b' -> out.append('\b')
                    'f' -> out.append('\u000c')
                    'u' -> {
                        out.append(text.substring(at, at + 4).toInt(16).toChar())
                        at += 4
                    }
                    else -> out.append(escaped)
                }
            }
            at++
            return out.toString()
        }

        fun array(): List<Any?> {
            val out = ArrayList<Any?>()
            at++
            skipSpace()
            if (text[at] == ']') { at++; return out }
            while (true) {
                out.add(value())
                skipSpace()
                if (text[at++] == ']') return out
            }
        }

        fun obj(): Map<String, Any?> {
            val out = LinkedHashMap<String, Any?>()
            at++
            skipSpace()
            if (text[at] == '}') { at++; return out }
            while (true) {
                skipSpace()
                val key = string()
                skipSpace()
                check(text[at++] == ':') { "expected ':' at $at" }
                out[key] = value()
                skipSpace()
                if (text[at++] == '}') return out
            }
        }
    }
}

/** Polls `condition` until it holds or `seconds` pass. */
fun eventually(seconds: Long = 10, condition: () -> Boolean): Boolean {
    val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
    while (System.nanoTime() < deadline) {
        if (condition()) return true
        Thread.sleep(20)
    }
    return condition()
}
