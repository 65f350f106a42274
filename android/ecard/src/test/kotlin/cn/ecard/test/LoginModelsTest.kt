// The pure parts of the scan, login, authorisation and access-record screen
// models: routing a scan, the claims in plain words, the countdown, the
// 为家人登录 mandates, and the order of the lists. No platform needed.
package cn.ecard.test

import cn.ecard.ffi.AccessRecord
import cn.ecard.ffi.Authorisation
import cn.ecard.ffi.ClaimScope
import cn.ecard.ffi.Delegation
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.DelegationStatus
import cn.ecard.ffi.DisclosedField
import cn.ecard.ffi.HolderRole
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.RelyingPartyKind
import cn.ecard.ffi.RelyingPartyView
import cn.ecard.ffi.ScanKind
import cn.ecard.ffi.ScanResult
import cn.ecard.ffi.Scope
import cn.ecard.ffi.ServicePointKind
import cn.ecard.models.ClaimLabel
import cn.ecard.models.ScanRoute
import cn.ecard.models.accessRecordDays
import cn.ecard.models.authorisationList
import cn.ecard.models.claimLabels
import cn.ecard.models.loginMandates
import cn.ecard.models.routeScan
import cn.ecard.models.scanRoute
import cn.ecard.models.secondsUntil
import org.junit.jupiter.api.Test
import java.time.LocalDate
import kotlin.test.assertEquals

class LoginModelsTest {
    @Test
    fun `a scan routes to the consent screen, the e-card notice or a plain error`() {
        assertEquals(ScanRoute.Login("lr-abc"), routeScan("ECLOGIN1:lr-abc\r\n"))
        assertEquals(ScanRoute.ECardCode, routeScan("EC1:6BFOXN*TS0BI\$ZD"))
        assertEquals(ScanRoute.NotRecognised, routeScan("ECLOGIN1:../me"))
        assertEquals(ScanRoute.NotRecognised, routeScan("https://example.com"))
        assertEquals(ScanRoute.NotRecognised, scanRoute(ScanResult(ScanKind.LOGIN, null)))
    }

    @Test
    fun `scopes become plain words in a fixed order`() {
        assertEquals(
            listOf(ClaimLabel.NAME, ClaimLabel.ID_NUMBER, ClaimLabel.SOCIAL_SECURITY_CARD),
            claimLabels(listOf(ClaimScope.SOCIAL_SECURITY, ClaimScope.OPENID, ClaimScope.ID_NUMBER, ClaimScope.PROFILE, ClaimScope.PROFILE)),
        )
        assertEquals(listOf(ClaimLabel.ONLY_WHO_YOU_ARE), claimLabels(listOf(ClaimScope.OPENID)))
        assertEquals(listOf(ClaimLabel.ONLY_WHO_YOU_ARE), claimLabels(emptyList()))
    }

    @Test
    fun `the countdown never goes below zero`() {
        assertEquals(120, secondsUntil(1_120uL, 1_000uL))
        assertEquals(0, secondsUntil(1_000uL, 1_000uL))
        assertEquals(0, secondsUntil(1_000uL, 5_000uL))
    }

    private fun mandate(id: String, agent: String, status: DelegationStatus, scopes: List<Scope>) = Delegation(
        delegationId = id, kind = DelegationKind.FAMILY_PROXY, agentAccountId = agent, principalPersonId = "p-$id",
        principalNameMasked = "*桂兰", scopes = scopes, status = status, createdAt = 0u, consentedAt = null,
        expiresAt = 0u, revokedAt = null, wardECardSince = null,
    )

    @Test
    fun `only active mandates of this account with the login scope are offered for a relative`() {
        val mandates = listOf(
            mandate("a", "me", DelegationStatus.ACTIVE, listOf(Scope.SHOW_CODE, Scope.LOGIN)),
            mandate("b", "me", DelegationStatus.ACTIVE, listOf(Scope.SHOW_CODE)),
            mandate("c", "me", DelegationStatus.PENDING_CONSENT, listOf(Scope.LOGIN)),
            mandate("d", "someone-else", DelegationStatus.ACTIVE, listOf(Scope.LOGIN)),
        )
        assertEquals(listOf("a"), loginMandates(mandates, "me").map { it.delegationId })
    }

    private val party = RelyingPartyView("rp-1", "江西人社网上办事大厅", RelyingPartyKind.WEBSITE)

    private fun authorisation(id: String, at: ULong, revokedAt: ULong?) =
        Authorisation(id, party, listOf(ClaimScope.OPENID), at, null, true, revokedAt)

    @Test
    fun `authorisations in force come first, newest first`() {
        val list = authorisationList(
            listOf(authorisation("old", 10u, null), authorisation("gone", 30u, 40u), authorisation("new", 20u, null)),
        )
        assertEquals(listOf("new", "old"), list.active.map { it.authorisationId })
        assertEquals(listOf("gone"), list.revoked.map { it.authorisationId })
    }

    private fun record(id: String, at: ULong) = AccessRecord(
        recordId = id, personId = "p", operatorName = "南昌大学第一附属医院", operatorKind = ServicePointKind.HOSPITAL,
        location = null, terminalId = "t1", purpose = Purpose.MEDICAL, presentedBy = HolderRole.HOLDER,
        disclosed = listOf(DisclosedField.PSEUDONYM), at = at, report = null,
    )

    @Test
    fun `access records are grouped by their China day, newest first`() {
        // 2026-03-01 23:30 and 2026-03-02 00:30 China time are different days; UTC would say one.
        val late = 1_772_379_000uL
        val early = late + 3_600uL
        val days = accessRecordDays(listOf(record("a", late), record("b", early), record("c", early - 60uL)))
        assertEquals(listOf(LocalDate.of(2026, 3, 2), LocalDate.of(2026, 3, 1)), days.map { it.date })
        assertEquals(listOf("b", "c"), days[0].records.map { it.recordId })
        assertEquals(listOf("a"), days[1].records.map { it.recordId })
    }
}
