// An Android POS terminal: the TerminalVerifier export provisions a
// terminal from the platform's trust list, installs its status list,
// accepts a code the client made, and still refuses that code as a replay
// after a restart (close, open). Refusals are verdicts; failed operations
// are typed exceptions. A school gate learns the school a student's campus
// code (校园码) names, and nothing that identifies the student.
package cn.ecard.test

import cn.ecard.ffi.HolderRole
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.TerminalVerdict
import cn.ecard.ffi.TerminalVerifier
import cn.ecard.ffi.TerminalVerifierException
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class TerminalVerifierTest {
    private val admin = Admin(Env.platformUrl)
    private val http = HttpClient.newHttpClient()

    /** A feed of the platform, as a terminal fetches it (an operator's call with `token`). */
    private fun feed(path: String, token: String? = null): ByteArray {
        val request = HttpRequest.newBuilder(URI.create(Env.platformUrl + path))
        if (token != null) request.header("Authorization", "Bearer $token")
        val response = http.send(
            request.build(),
            HttpResponse.BodyHandlers.ofByteArray(),
        )
        check(response.statusCode() == 200) { "GET $path: ${response.statusCode()}" }
        return response.body()
    }

    private fun refusal(verdict: TerminalVerdict): String = assertIs<TerminalVerdict.Refused>(verdict).code

    @Test
    fun `a terminal accepts a client's code once and refuses its replay after a restart`(): Unit = runBlocking {
        val person = admin.newPerson("陈立新")
        openClient("terminal").use { client ->
            client.enrolAs(person)
            val code = client.currentCode(null, Purpose.TRANSPORT)
            val now = client.trustedNow()
            val state = Files.createTempDirectory(Env.workDir.toPath(), "terminal-").resolve("terminal.json").toString()
            val trustList = String(feed("/v1/trust-list"), Charsets.UTF_8)
            val authorityKeys = String(feed("/admin/trust/authority-keys", Env.adminToken), Charsets.UTF_8)

            // Not provisioned: every code is refused, nothing is written.
            val missing = TerminalVerifier.open(state, now)
            assertFalse(missing.isProvisioned())
            assertEquals("not_provisioned", refusal(missing.verify(code.text, now)))
            assertFailsWith<TerminalVerifierException.NotProvisioned> { missing.installStatusList(byteArrayOf(1), now) }
            missing.close(now)
            missing.destroy()

            // Provisioned now: a status list is required by default.
            val terminal = TerminalVerifier.provision(state, trustList, authorityKeys, listOf(Purpose.TRANSPORT), 86_400uL, now)
            assertTrue(terminal.isProvisioned())
            assertEquals("status_unavailable", refusal(terminal.verify(code.text, now)))
            val sequence = terminal.installStatusList(feed("/v1/status-lists/0"), now)
            val accepted = assertIs<TerminalVerdict.Accepted>(terminal.verify(code.text, now)).verified
            assertEquals(Purpose.TRANSPORT, accepted.purpose)
            assertEquals(HolderRole.HOLDER, accepted.onBehalf)
            assertEquals(code.counter, accepted.counter)
            assertEquals(sequence, accepted.statusSequence)
            assertNotNull(accepted.concession, "a transport code discloses the fare class")
            assertNull(accepted.handle, "and not the handle")
            assertNull(accepted.affiliation, "nor a school")
            assertEquals("replayed", refusal(terminal.verify(code.text, now)))
            terminal.save(now)
            terminal.close(now + 1uL)
            val closed = assertFailsWith<TerminalVerifierException.Internal> { terminal.verify(code.text, now + 1uL) }
            assertEquals("closed", closed.code)
            terminal.destroy()

            // Restarted: the accept survived, so the same code is a replay.
            val reopened = TerminalVerifier.open(state, now + 2uL)
            assertTrue(reopened.isProvisioned())
            val replay = assertIs<TerminalVerdict.Refused>(reopened.verify(code.text, now + 2uL))
            assertEquals("replayed", replay.code)
            assertTrue(replay.messageZh.hasChinese(), replay.messageZh)
            assertTrue(replay.messageEn.startsWith("This code has already been used"), replay.messageEn)
            val garbage = assertFailsWith<TerminalVerifierException.StatusListRefused> {
                reopened.installStatusList(byteArrayOf(1, 2, 3), now + 2uL)
            }
            assertTrue(garbage.code.isNotEmpty(), "a stable code")
            reopened.close(now + 3uL)
            reopened.close(now + 3uL) // a second close does nothing
            reopened.destroy()

            val invalid = assertFailsWith<TerminalVerifierException.InvalidInput> {
                TerminalVerifier.provision(state, "{}", authorityKeys, listOf(Purpose.TRANSPORT), null, now)
            }
            assertEquals("malformed_trust_list", invalid.code)
        }
    }

    @Test
    fun `a school gate learns the school a campus code names`(): Unit = runBlocking {
        val student = admin.newPerson("黄思远", birth = "20050301")
        val school = admin.post("/admin/schools", "{\"name\":\"南昌工程学院\",\"region\":\"360102\"}") as Map<*, *>
        val affiliation = (school["affiliation"] as Number).toInt()
        val now = admin.advanceSeconds(0)
        val year = java.time.Instant.ofEpochSecond(now).atZone(java.time.ZoneId.of("Asia/Shanghai")).year
        admin.post(
            "/admin/school-enrolments",
            "{\"school_id\":${Json.quote(school["school_id"].toString())},\"id_number\":${Json.quote(student["id_number"] as String)}," +
                "\"name\":${Json.quote(student["name"] as String)},\"from\":\"${year - 1}-09-01\",\"until\":\"${year + 3}-06-30\"}",
        )
        openClient("campus").use { client ->
            client.enrolAs(student)
            client.refreshAllCredentials()
            val code = client.currentCode(null, Purpose.CAMPUS_ENTRY)
            val at = client.trustedNow()
            val state = Files.createTempDirectory(Env.workDir.toPath(), "gate-").resolve("terminal.json").toString()
            val terminal = TerminalVerifier.provision(
                state,
                String(feed("/v1/trust-list"), Charsets.UTF_8),
                String(feed("/admin/trust/authority-keys", Env.adminToken), Charsets.UTF_8),
                listOf(Purpose.CAMPUS_ENTRY),
                86_400uL,
                at,
            )
            terminal.installStatusList(feed("/v1/status-lists/0"), at)
            val accepted = assertIs<TerminalVerdict.Accepted>(terminal.verify(code.text, at)).verified
            assertEquals(Purpose.CAMPUS_ENTRY, accepted.purpose)
            assertEquals(affiliation.toUInt(), accepted.affiliation, "the gate compares the school with its own")
            assertNull(accepted.handle, "and learns nothing that identifies the student")
            terminal.close(at)
            terminal.destroy()
        }
    }
}
