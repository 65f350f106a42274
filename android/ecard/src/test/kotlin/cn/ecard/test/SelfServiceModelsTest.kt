// The pure parts of the self-service screen models: yuan from fen, days left
// to a due date, the freshness words (离线, 可能不是最新), the eligibility
// states' words in zh-CN and en (read from the app's string resources), the
// 为家人认证 mandates, and the rows of the record, certificates and payments.
// No platform needed.
package cn.ecard.test

import cn.ecard.ffi.BankFunctionState
import cn.ecard.ffi.Bank
import cn.ecard.ffi.Certificate
import cn.ecard.ffi.CertificateKind
import cn.ecard.ffi.CertificateView
import cn.ecard.ffi.Certification
import cn.ecard.ffi.CertificationMethod
import cn.ecard.ffi.Delegation
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.DelegationStatus
import cn.ecard.ffi.EligibilityState
import cn.ecard.ffi.EligibilityStatus
import cn.ecard.ffi.EligibilityView
import cn.ecard.ffi.FinancialAccount
import cn.ecard.ffi.FinancialAccountView
import cn.ecard.ffi.Freshness
import cn.ecard.ffi.Insurance
import cn.ecard.ffi.Payment
import cn.ecard.ffi.PaymentSource
import cn.ecard.ffi.RecordYear
import cn.ecard.ffi.RequestedBy
import cn.ecard.ffi.Scope
import cn.ecard.ffi.YearTotal
import cn.ecard.models.EligibilityLabel
import cn.ecard.models.FreshnessLabel
import cn.ecard.models.InsuranceLabel
import cn.ecard.models.Money
import cn.ecard.models.PaymentSourceLabel
import cn.ecard.models.accountRow
import cn.ecard.models.certificateRow
import cn.ecard.models.chinaDay
import cn.ecard.models.daysLeft
import cn.ecard.models.eligibilityCard
import cn.ecard.models.eligibilityLabel
import cn.ecard.models.eligibilityMandates
import cn.ecard.models.freshnessLabels
import cn.ecard.models.paymentRow
import cn.ecard.models.yearRow
import org.junit.jupiter.api.Test
import java.io.File
import java.time.LocalDate
import javax.xml.parsers.DocumentBuilderFactory
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

class SelfServiceModelsTest {
    /** The app's string resources of one locale (`values` is zh-CN, `values-en` English). */
    private fun strings(folder: String): Map<String, String> {
        val file = File("android/app/src/main/res/$folder/strings.xml")
        val nodes = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file).getElementsByTagName("string")
        return (0 until nodes.length).associate { index ->
            val node = nodes.item(index)
            node.attributes.getNamedItem("name").nodeValue to node.textContent
        }
    }

    private fun freshness(stale: Boolean = false, offline: Boolean = false) =
        Freshness(fetchedAt = 1_000u, ageSeconds = if (stale) 200_000u else 60u, stale = stale, offline = offline)

    @Test
    fun `amounts show in yuan from fen, grouped for reading`() {
        assertEquals("¥0.00", Money.yuan(0u))
        assertEquals("¥0.05", Money.yuan(5u))
        assertEquals("¥10.00", Money.yuan(1_000u))
        assertEquals("¥2,345.67", Money.yuan(234_567u))
        assertEquals("¥1,234,567.89", Money.yuan(123_456_789u))
    }

    @Test
    fun `days left count China calendar days to the due date`() {
        // 2026-11-29T15:59:59Z is still the 29th in China; a second later the 30th.
        assertEquals(LocalDate.parse("2026-11-29"), chinaDay(1_795_967_999u))
        assertEquals(LocalDate.parse("2026-11-30"), chinaDay(1_795_968_000u))
        val today = LocalDate.parse("2026-11-30")
        assertEquals(30L, daysLeft("2026-12-30", today))
        assertEquals(0L, daysLeft("2026-11-30", today))
        assertEquals(-3L, daysLeft("2026-11-27", today))
        assertNull(daysLeft(null, today))
        assertNull(daysLeft("soon", today))
    }

    @Test
    fun `freshness words - offline first, then may not be up to date`() {
        assertEquals(emptyList(), freshnessLabels(freshness()))
        assertEquals(listOf(FreshnessLabel.STALE), freshnessLabels(freshness(stale = true)))
        assertEquals(listOf(FreshnessLabel.OFFLINE, FreshnessLabel.STALE), freshnessLabels(freshness(stale = true, offline = true)))
        val zh = strings("values")
        val en = strings("values-en")
        assertEquals("可能不是最新", zh.getValue(FreshnessLabel.STALE.resource))
        assertTrue(zh.getValue(FreshnessLabel.OFFLINE.resource).startsWith("离线"))
        assertEquals("May not be up to date", en.getValue(FreshnessLabel.STALE.resource))
        assertTrue(en.getValue(FreshnessLabel.OFFLINE.resource).startsWith("Offline"))
    }

    @Test
    fun `every eligibility state has its words in zh-CN and en, and the family path is called 为家人认证`() {
        val zh = strings("values")
        val en = strings("values-en")
        val expected = mapOf(
            EligibilityState.NOT_REQUIRED to ("无需认证" to "Not required"),
            EligibilityState.CERTIFIED to ("已认证" to "Certified"),
            EligibilityState.DUE to ("待认证" to "Due"),
            EligibilityState.OVERDUE to ("已逾期" to "Overdue"),
            EligibilityState.SUSPENDED to ("已暂停发放" to "Payments suspended"),
        )
        assertEquals(EligibilityState.entries.toSet(), expected.keys)
        expected.forEach { (state, words) ->
            val label = eligibilityLabel(state)
            assertEquals(words.first, zh[label.resource], "$state in zh-CN")
            assertEquals(words.second, en[label.resource], "$state in en")
        }
        assertEquals(EligibilityLabel.entries.size, EligibilityState.entries.map(::eligibilityLabel).toSet().size)
        assertEquals("为家人认证", zh["eligibility_for_family"])
        assertEquals("Certify for a family member", en["eligibility_for_family"])
        // Every word the models name exists in both locales.
        val keys = FreshnessLabel.entries.map { it.resource } + EligibilityLabel.entries.map { it.resource } +
            InsuranceLabel.entries.map { it.resource } + PaymentSourceLabel.entries.map { it.resource }
        keys.forEach { key ->
            assertTrue(zh[key]?.isNotBlank() == true, "$key in zh-CN")
            assertTrue(en[key]?.isNotBlank() == true, "$key in en")
        }
        assertEquals(zh.keys, en.keys, "both locales hold the same names")
    }

    private fun status(state: EligibilityState, dueBy: String?, helper: String? = null, withheld: List<String> = emptyList()) = EligibilityStatus(
        personId = "p-mother", state = state, dueBy = dueBy, graceUntil = dueBy?.let { LocalDate.parse(it).plusDays(60).toString() },
        lastCertification = Certification(at = 1u, method = CertificationMethod.FACE, deviceId = "d", helperAccountId = helper, passiveUse = null),
        reminders = emptyList(), paymentsSuspended = state == EligibilityState.SUSPENDED, suspendedSince = null, withheldMonths = withheld,
    )

    @Test
    fun `an eligibility card shows the state, due date, days left and the helper`() {
        val today = LocalDate.parse("2026-11-30")
        val due = eligibilityCard(EligibilityView(status(EligibilityState.DUE, "2026-12-24"), true, freshness(offline = true)), today, "p-mother", "*桂兰")
        assertEquals(EligibilityLabel.DUE, due.label)
        assertEquals(LocalDate.parse("2026-12-24"), due.dueBy)
        assertEquals(24L, due.daysLeft)
        assertEquals(LocalDate.parse("2027-02-22"), due.graceUntil)
        assertTrue(due.actionNeeded)
        assertFalse(due.certifiedByHelper)
        assertEquals(listOf(FreshnessLabel.OFFLINE), due.freshness)
        assertEquals("*桂兰", due.nameMasked)

        val suspended = eligibilityCard(
            EligibilityView(status(EligibilityState.SUSPENDED, "2026-09-01", withheld = listOf("2026-11", "2026-12")), true, freshness()), today,
        )
        assertEquals(EligibilityLabel.SUSPENDED, suspended.label)
        assertEquals(-90L, suspended.daysLeft)
        assertTrue(suspended.paymentsSuspended)
        assertEquals(2, suspended.withheldMonths)
        assertNull(suspended.personId)

        val certified = eligibilityCard(EligibilityView(status(EligibilityState.CERTIFIED, "2027-11-30", helper = "acct-daughter"), false, freshness()), today)
        assertTrue(certified.certifiedByHelper)
        assertFalse(certified.actionNeeded)
        assertEquals(365L, certified.daysLeft)

        val none = eligibilityCard(EligibilityView(status(EligibilityState.NOT_REQUIRED, null), false, freshness()), today)
        assertNull(none.dueBy)
        assertNull(none.daysLeft)
    }

    private fun mandate(id: String, agent: String, status: DelegationStatus, scopes: List<Scope>) = Delegation(
        delegationId = id, kind = DelegationKind.FAMILY_PROXY, agentAccountId = agent, principalPersonId = "p-$id",
        principalNameMasked = "*桂兰", scopes = scopes, status = status, createdAt = 0u, consentedAt = null,
        expiresAt = 0u, revokedAt = null, wardECardSince = null,
    )

    @Test
    fun `only this account's active mandates with the eligibility scope open 为家人认证`() {
        val mandates = listOf(
            mandate("a", "me", DelegationStatus.ACTIVE, listOf(Scope.ELIGIBILITY, Scope.RECORDS)),
            mandate("b", "me", DelegationStatus.ACTIVE, listOf(Scope.SHOW_CODE)),
            mandate("c", "me", DelegationStatus.PENDING_CONSENT, listOf(Scope.ELIGIBILITY)),
            mandate("d", "someone", DelegationStatus.ACTIVE, listOf(Scope.ELIGIBILITY)),
            mandate("e", "me", DelegationStatus.REVOKED, listOf(Scope.ELIGIBILITY)),
        )
        assertEquals(listOf("a"), eligibilityMandates(mandates, "me").map { it.delegationId })
        assertEquals(listOf("a", "d"), eligibilityMandates(mandates, null).map { it.delegationId })
    }

    @Test
    fun `record years, certificates, payments and accounts become rows in yuan`() {
        val year = yearRow(
            RecordYear(
                year = 2002u,
                insurances = listOf(YearTotal(2002u, Insurance.PENSION, 12u, 2u, 96_000u, 240_000u)),
                personal = 96_000u, employer = 240_000u, monthsOwed = 2u,
            ),
        )
        assertEquals(2002, year.year)
        assertEquals("¥960.00", year.personal)
        assertEquals("¥2,400.00", year.employer)
        assertEquals(2, year.monthsOwed)
        assertEquals(InsuranceLabel.PENSION, year.insurances.single().label)
        assertEquals(12, year.insurances.single().months)

        val certificate = certificateRow(
            CertificateView(
                Certificate(
                    certificateId = "c1", personId = "p", kind = CertificateKind.CONTRIBUTION_RECORD, insurance = Insurance.MEDICAL,
                    fromYear = 1990u, toYear = 2000u, verificationCode = "ABCDEFGHJKMNPQRS", issuedAt = 1_795_968_000uL,
                    validUntil = 1_795_968_000uL + 90uL * 86_400uL, sha256 = "00", size = 10u, requestedBy = RequestedBy.PROXY,
                    requestedByName = "张*", checkUrl = "https://example/v1/certificate-checks/ABCDEFGHJKMNPQRS",
                ),
                saved = true, expired = false,
            ),
        )
        assertEquals("ABCD-EFGH-JKMN-PQRS", certificate.code)
        assertEquals(LocalDate.parse("2026-11-30"), certificate.issuedOn)
        assertEquals(LocalDate.parse("2027-02-28"), certificate.validUntil)
        assertEquals(InsuranceLabel.MEDICAL, certificate.insurance)
        assertEquals("张*", certificate.requestedBy)

        val payment = paymentRow(
            Payment("pay1", "p", "card1", PaymentSource.PENSION, "城镇职工基本养老金", 312_550u, "南昌市社会保险事业管理局", "2026-11-15", listOf("2026-10", "2026-11"), true),
        )
        assertEquals("¥3,125.50", payment.amount)
        assertEquals(PaymentSourceLabel.PENSION, payment.source)
        assertEquals(2, payment.months.size)

        val bank = Bank("icbc", "中国工商银行", "95588")
        val active = accountRow(FinancialAccountView(FinancialAccount("card1", bank, "6212 **** **** 1234", BankFunctionState.ACTIVE, null), freshness()))
        assertTrue(active.canReportLoss && !active.callBank)
        assertEquals("95588", active.hotline)
        val reported = accountRow(
            FinancialAccountView(FinancialAccount("card1", bank, "6212 **** **** 1234", BankFunctionState.LOSS_REPORTED, 5uL), freshness(stale = true, offline = true)),
        )
        assertTrue(reported.callBank && !reported.canReportLoss)
        assertEquals(listOf(FreshnessLabel.OFFLINE, FreshnessLabel.STALE), reported.freshness)
    }
}
