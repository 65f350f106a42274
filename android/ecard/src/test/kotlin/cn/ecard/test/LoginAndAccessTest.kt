// 扫一扫, 扫码登录, 我的授权 and 谁查看了我的信息 through the generated Kotlin
// bindings and the screen models, against the platform the script started: a
// relying party registered by the admin shows a login QR code; the scan routes
// to the consent screen, which shows the registered name (not text from the QR
// code) and the claims in plain words, and approves with the PIN; the
// authorisation is listed and revoked. A family member holding a mandate with
// the login scope logs in for the relative (为家人登录). A hospital registered as a service
// point resolves the person's medical code online; the look-up is listed with
// who, where and which fields, and reported as "这不是我".
package cn.ecard.test

import cn.ecard.ffi.AccessReportReason
import cn.ecard.ffi.ClaimScope
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.DisclosedField
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Relationship
import cn.ecard.ffi.RelyingPartyKind
import cn.ecard.ffi.Scope
import cn.ecard.ffi.ServicePointKind
import cn.ecard.models.AccessRecordsModel
import cn.ecard.models.AuthorisationsModel
import cn.ecard.models.ClaimLabel
import cn.ecard.models.LoginModel
import cn.ecard.models.ScanRoute
import cn.ecard.models.routeScan
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

private const val REDIRECT = "https://rp.example/callback"

/** RFC 7636 appendix B: an S256 challenge. */
private const val CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

class LoginAndAccessTest {
    private val admin = Admin(Env.platformUrl)

    /** Registers a relying party; returns its client id. */
    private fun registerRelyingParty(name: String): String {
        val body = "{\"name\":${Json.quote(name)},\"kind\":\"website\",\"redirect_uris\":[\"$REDIRECT\"]," +
            "\"scopes\":[\"openid\",\"profile\",\"id_number\",\"social_security\"]}"
        return (admin.post("/admin/relying-parties", body) as Map<*, *>)["client_id"] as String
    }

    /** Starts a login as a browser does; returns the text of the page's QR code. */
    private fun loginCode(clientId: String, scope: String): String {
        val query = listOf(
            "response_type" to "code", "client_id" to clientId, "redirect_uri" to REDIRECT, "scope" to scope,
            "state" to "state-1", "nonce" to "nonce-1", "code_challenge" to CHALLENGE, "code_challenge_method" to "S256",
        ).joinToString("&") { (name, value) -> "$name=" + URLEncoder.encode(value, Charsets.UTF_8).replace("+", "%20") }
        val response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("${Env.platformUrl}/oauth/authorize?$query")).GET().build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        assertEquals(200, response.statusCode(), response.body())
        return assertNotNull(Regex("ECLOGIN1:[A-Za-z0-9_-]+").find(response.body())).value
    }

    @Test
    fun `a scanned login shows the registered name, is approved with the PIN, listed and revoked`(): Unit = runBlocking {
        openClient("login").use { client ->
            client.enrolAs(admin.newPerson("赵登录"), admin)
            val clientId = registerRelyingParty("江西人社网上办事大厅")

            val route = assertIs<ScanRoute.Login>(routeScan(loginCode(clientId, "openid profile id_number")))
            val login = LoginModel(client)
            assertTrue(login.open(route.requestId))
            val shown = login.state.value
            val request = assertNotNull(shown.request)
            assertEquals("江西人社网上办事大厅", request.relyingParty.name)
            assertEquals(RelyingPartyKind.WEBSITE, request.relyingParty.kind)
            assertEquals(listOf(ClaimScope.OPENID, ClaimScope.PROFILE, ClaimScope.ID_NUMBER), request.scopes)
            assertEquals(listOf(ClaimLabel.NAME, ClaimLabel.ID_NUMBER), shown.claims)
            assertTrue(shown.secondsLeft in 1..120, "counts down from the platform's expiry: ${shown.secondsLeft}")
            assertTrue(shown.mandates.isEmpty(), "no login mandate: the 为家人登录 choice is hidden")

            // A wrong PIN is an inline notice; the right one approves.
            assertTrue(!login.approve("000000"))
            assertNotNull(login.state.value.notice)
            assertNull(login.state.value.outcome)
            assertTrue(login.approve(TEST_PIN))
            assertEquals(LoginModel.Outcome.APPROVED, login.state.value.outcome)

            val authorisations = AuthorisationsModel(client)
            authorisations.reload()
            val active = authorisations.state.value.list.active
            assertEquals(1, active.size)
            assertEquals("江西人社网上办事大厅", active[0].relyingParty.name)
            assertTrue(active[0].forSelf)
            assertTrue(authorisations.revoke(active[0].authorisationId))
            assertTrue(authorisations.state.value.list.active.isEmpty())
            assertEquals(1, authorisations.state.value.list.revoked.size)

            // A second request, denied; a damaged id never reaches a request path.
            val second = assertIs<ScanRoute.Login>(routeScan(loginCode(clientId, "openid")))
            val deny = LoginModel(client)
            assertTrue(deny.open(second.requestId))
            assertEquals(listOf(ClaimLabel.ONLY_WHO_YOU_ARE), deny.state.value.claims)
            assertTrue(deny.deny())
            assertEquals(LoginModel.Outcome.DENIED, deny.state.value.outcome)
            assertFailsWith<EcardException.InvalidInput> { client.loginRequest("../me") }
        }
    }

    @Test
    fun `a family member logs in for a relative under a mandate with the login scope`(): Unit = runBlocking {
        val relative = admin.newPerson("周桂英", birth = "19480101")
        openClient("login-family").use { client ->
            client.enrolAs(admin.newPerson("周明"), admin)
            client.syncCatalogue()
            val login = assertNotNull(
                client.requestMandate(DelegationKind.FAMILY_PROXY, relative.identity(), null, listOf(Scope.TRACK, Scope.LOGIN), null, Relationship.CHILD, TEST_PIN)
                    .delegationId,
            )
            admin.consent(login)
            val clientId = registerRelyingParty("江西省人社厅网上办事大厅")

            val route = assertIs<ScanRoute.Login>(routeScan(loginCode(clientId, "openid profile")))
            val model = LoginModel(client)
            assertTrue(model.open(route.requestId))
            // The mandate with the login scope is offered (为家人登录).
            assertEquals(listOf(login), model.state.value.mandates.map { it.delegationId })
            model.chooseOnBehalfOf("not-offered")
            assertNull(model.state.value.onBehalfOf, "a mandate that was not offered cannot be chosen")
            model.chooseOnBehalfOf(login)
            assertEquals(login, model.state.value.onBehalfOf)
            assertTrue(model.approve(TEST_PIN))

            val authorisations = AuthorisationsModel(client)
            authorisations.reload()
            val entry = authorisations.state.value.list.active.single { it.onBehalfOf == login }
            assertTrue(!entry.forSelf, "logged in for the relative, not for oneself")
        }
    }

    @Test
    fun `a hospital look-up is listed with who, where and what, and reported as not me`(): Unit = runBlocking {
        openClient("access").use { client ->
            val person = admin.newPerson("钱查看")
            client.enrolAs(person, admin)
            val operator = admin.post(
                "/admin/operators",
                "{\"name\":\"南昌大学第一附属医院\",\"kind\":\"hospital\",\"purposes\":[\"medical\"],\"location\":\"象山北路17号门诊大厅\"}",
            ) as Map<*, *>
            val code = client.currentCode(null, Purpose.MEDICAL)
            val resolution = Admin(Env.platformUrl, operator["token"] as String)
                .post("/v1/service-point/resolutions", "{\"terminal_id\":\"t1\",\"code\":${Json.quote(code.text)}}") as Map<*, *>

            val records = AccessRecordsModel(client)
            records.reload()
            val state = records.state.value
            assertEquals(1, state.records.size)
            assertTrue(!state.hasMore)
            assertEquals(1, state.days.size)
            val record = state.records[0]
            assertEquals(resolution["record_id"], record.recordId)
            assertEquals(person["person_id"], record.personId)
            assertEquals("南昌大学第一附属医院", record.operatorName)
            assertEquals(ServicePointKind.HOSPITAL, record.operatorKind)
            assertEquals("象山北路17号门诊大厅", record.location)
            assertEquals(Purpose.MEDICAL, record.purpose)
            assertTrue(DisclosedField.PSEUDONYM in record.disclosed)
            assertNull(record.report)
            assertEquals(state.records, client.accessRecordsCached(null))

            assertFailsWith<EcardException.InvalidInput> {
                client.reportAccessRecord(record.recordId, AccessReportReason.NOT_ME, "长".repeat(501))
            }
            assertTrue(records.report(record.recordId, AccessReportReason.NOT_ME, "  我那天不在南昌 "))
            val report = assertNotNull(records.state.value.records[0].report)
            assertEquals(AccessReportReason.NOT_ME, report.reason)
            assertEquals("我那天不在南昌", report.note)
        }
    }
}
