// Social-insurance self-service through the generated Kotlin bindings and the
// screen models, each against a platform of its own (they move its clock, stop
// it, and report a card's bank function lost): 待遇资格认证 for a mother on her
// daughter's phone (为家人认证), with the reminder delivered to a Kotlin event
// listener; 权益记录 by year offline with its freshness; a 参保证明 shared as
// a file and checked by code and by file; 我的收入 and 金融功能挂失 with the
// bank's hotline.
package cn.ecard.test

import cn.ecard.ffi.BankFunctionState
import cn.ecard.ffi.CertificateKind
import cn.ecard.ffi.CertificateState
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.EcardEvent
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.EligibilityState
import cn.ecard.ffi.EventListener
import cn.ecard.ffi.Insurance
import cn.ecard.ffi.OutboxState
import cn.ecard.ffi.PaymentSource
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Relationship
import cn.ecard.ffi.Scope
import cn.ecard.models.CertificatesModel
import cn.ecard.models.EligibilityLabel
import cn.ecard.models.EligibilityModel
import cn.ecard.models.FreshnessLabel
import cn.ecard.models.InsuranceLabel
import cn.ecard.models.Money
import cn.ecard.models.MoneyModel
import cn.ecard.models.PaymentSourceLabel
import cn.ecard.models.RecordsModel
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import java.util.concurrent.ConcurrentLinkedQueue
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class SelfServiceTest {
    @Test
    fun `eligibility - a daughter certifies her mother with her mother's face once due, her own face refused, the reminder heard`(): Unit = runBlocking {
        PrivatePlatform().use { platform ->
            val admin = platform.admin
            val mother = admin.persona("elder")
            val daughter = admin.persona("resident")
            openClient("eligibility", platformUrl = platform.url).use { client ->
                client.enrolAs(daughter, admin)
                // The region's rules (the relatives one may act for) come with the catalogue.
                client.syncCatalogue()
                val events = ConcurrentLinkedQueue<EcardEvent>()
                val subscription = client.subscribe(object : EventListener {
                    override fun onEvent(event: EcardEvent) {
                        events.add(event)
                    }
                })
                val delegationId = assertNotNull(
                    client.requestMandate(
                        DelegationKind.FAMILY_PROXY, mother.identity(), null, listOf(Scope.ELIGIBILITY, Scope.RECORDS), null, Relationship.CHILD, TEST_PIN,
                    ).delegationId,
                )
                client.consentMandateByFace(delegationId, mother.identity(), SimulatedFace(admin))
                val motherId = client.mandates().single { it.delegationId == delegationId }.principalPersonId
                assertEquals(mother["person_id"], motherId)

                // The daughter draws no pension; her mother is certified for about a month more.
                val model = EligibilityModel(client)
                model.reload()
                var state = model.state.value
                val own = assertNotNull(state.own)
                assertEquals(EligibilityState.NOT_REQUIRED, own.state)
                assertEquals(EligibilityLabel.NOT_REQUIRED, own.label)
                assertFalse(own.actionNeeded)
                assertTrue(state.familyPath, "the mandate with the eligibility scope opens 为家人认证")
                var mum = state.family.single()
                assertEquals(motherId, mum.personId)
                assertTrue(mum.nameMasked!!.startsWith("刘"), mum.nameMasked)
                assertEquals(EligibilityState.CERTIFIED, mum.state)
                val certifiedDaysLeft = assertNotNull(mum.daysLeft)
                assertTrue(certifiedDaysLeft > 30, "certified: more than the reminder period left ($certifiedDaysLeft)")
                assertTrue(events.none { it is EcardEvent.EligibilityReminder }, events.toString())

                // Six days on: within 30 days of the due date, due, and the reminder told to the listener.
                admin.advanceDays(6)
                model.reload()
                mum = model.state.value.family.single()
                assertEquals(EligibilityState.DUE, mum.state)
                assertEquals(EligibilityLabel.DUE, mum.label)
                assertTrue(mum.actionNeeded)
                assertEquals(certifiedDaysLeft - 6, mum.daysLeft)
                assertTrue(mum.daysLeft!! in 1..30, "${mum.daysLeft}")
                assertTrue(
                    eventually {
                        events.any { it is EcardEvent.EligibilityReminder && it.personId == motherId && it.daysBefore == 30u && !it.suspended }
                    },
                    events.toString(),
                )
                val reminder = events.filterIsInstance<EcardEvent.EligibilityReminder>().single()
                assertEquals(mum.dueBy.toString(), reminder.dueBy)
                // Told once.
                assertEquals(0u, client.remindEligibility())

                // The daughter's own face: refused, nothing certified.
                assertFalse(model.certify(motherId, daughter.identity(), SimulatedFace(admin)))
                assertEquals("identity_not_verified", model.state.value.notice?.code)
                assertNull(model.state.value.certified)
                assertEquals(EligibilityState.DUE, client.eligibility(motherId).status.state)

                // Her mother's face on the daughter's phone: certified, the daughter named as the helper.
                assertTrue(model.certify(motherId, mother.identity(), SimulatedFace(admin)), model.state.value.notice.toString())
                state = model.state.value
                assertEquals(motherId, state.certified)
                mum = state.family.single()
                assertEquals(EligibilityState.CERTIFIED, mum.state)
                assertEquals(EligibilityLabel.CERTIFIED, mum.label)
                assertFalse(mum.actionNeeded)
                assertTrue(mum.certifiedByHelper)
                assertTrue(mum.daysLeft!! > 300, "the next cycle is a year away: ${mum.daysLeft}")
                val last = assertNotNull(client.eligibility(motherId).status.lastCertification)
                assertEquals(client.session()?.accountId, last.helperAccountId)
                assertNotNull(last.deviceId)
                assertEquals(EligibilityState.CERTIFIED, client.eligibilityCached(motherId)?.status?.state)
                subscription.close()
            }
        }
    }

    @Test
    fun `the insurance record shows by year and month, offline, with its freshness`(): Unit = runBlocking {
        PrivatePlatform().use { platform ->
            val admin = platform.admin
            openClient("records", platformUrl = platform.url).use { client ->
                client.enrolAs(admin.persona("elder"), admin)
                assertNull(client.insuranceRecordsCached(null))
                val model = RecordsModel(client)
                model.reload()
                val online = model.state.value
                assertNull(online.notice)
                assertEquals(emptyList(), online.freshness, "just fetched: no freshness words")
                // 刘桂兰: pension months from 1969 and a pension since 2003.
                assertTrue(online.years.size > 30, "${online.years.size}")
                assertEquals(online.years.map { it.year }.sortedDescending(), online.years.map { it.year })
                assertEquals(1969, online.years.last().year)
                assertTrue(assertNotNull(online.pensionMonthly).matches(Regex("¥[0-9,]+\\.[0-9]{2}")), online.pensionMonthly)
                val pension1969 = online.years.last().insurances.single { it.insurance == Insurance.PENSION }
                assertEquals(InsuranceLabel.PENSION, pension1969.label)

                // Tap 1969, then pension: its months, oldest first, summing to the year's line.
                model.open(1969, Insurance.PENSION)
                val months = model.state.value.months
                assertEquals(1969, model.state.value.openYear)
                assertTrue(months.isNotEmpty() && months.size <= 12, "${months.size}")
                assertTrue(months.all { it.month.startsWith("1969-") && it.insurance == InsuranceLabel.PENSION })
                assertEquals(months.map { it.month }.sorted(), months.map { it.month })
                val lines = client.insuranceRecordMonths(null, 1969u, Insurance.PENSION)
                assertEquals(pension1969.personal, Money.yuan(lines.sumOf { it.personal }))
                assertEquals(pension1969.months, lines.size)

                // Two days on, the copy on the phone is no longer fresh: 可能不是最新.
                admin.advanceDays(2)
                client.checkNotices()
                val stale = assertNotNull(client.insuranceRecordsCached(null))
                assertTrue(stale.freshness.stale && stale.freshness.ageSeconds >= 2u * 86_400u, stale.freshness.toString())

                // Offline: the record kept, by year, marked 离线 and not fresh; its months still open.
                platform.stop()
                model.reload()
                val offline = model.state.value
                assertNull(offline.notice, "offline is not an error when the record is kept")
                assertEquals(listOf(FreshnessLabel.OFFLINE, FreshnessLabel.STALE), offline.freshness)
                assertEquals(online.years, offline.years)
                model.open(1969, null)
                assertTrue(model.state.value.months.size >= months.size)
                model.open(null)
                assertNull(model.state.value.openYear)
            }
        }
    }

    @Test
    fun `a certificate is requested, shared as a PDF file, checked by code, and a changed file refused`(): Unit = runBlocking {
        PrivatePlatform().use { platform ->
            val admin = platform.admin
            openClient("certificates", platformUrl = platform.url).use { client ->
                client.enrolAs(admin.persona("elder"), admin)
                val model = CertificatesModel(client)
                val row = assertNotNull(model.request(CertificateKind.PARTICIPATION), model.state.value.notice.toString())
                assertTrue(row.saved && !row.expired)
                assertTrue(row.code.matches(Regex("[0-9A-Z]{4}(-[0-9A-Z]{4}){3}")), row.code)
                assertTrue(row.validUntil.isAfter(row.issuedOn))
                assertEquals(listOf(row.certificateId), model.state.value.certificates.map { it.certificateId })
                assertNull(model.state.value.notice, "the platform lists them")

                // The path for the share sheet: a PDF, named for what it is.
                val path = assertNotNull(model.file(row.certificateId))
                val file = File(path)
                assertTrue(file.exists(), path)
                val pdf = file.readBytes()
                assertEquals("%PDF", String(pdf.copyOfRange(0, 4), Charsets.US_ASCII))
                assertTrue(file.name.startsWith("参保证明-") && file.name.endsWith(".pdf"), file.name)
                assertContentEquals(pdf, client.certificatePdf(row.certificateId))

                // Anyone checks it by its code, as typed (lower case, hyphens) …
                val check = assertNotNull(model.check(row.code.lowercase()))
                assertEquals(CertificateState.VALID, check.state)
                assertEquals(CertificateKind.PARTICIPATION, check.kind)
                assertTrue(check.nameMasked!!.startsWith("刘") && check.nameMasked!!.contains("*"), check.nameMasked)
                // … and by its file; a changed file is refused.
                assertEquals(CertificateState.VALID, model.checkFile(pdf)?.state)
                val tampered = pdf.copyOf()
                tampered[tampered.size / 2] = (tampered[tampered.size / 2].toInt() xor 1).toByte()
                assertNull(model.checkFile(tampered))
                assertEquals("certificate_invalid", model.state.value.notice?.code)
                val refused = assertFailsWith<EcardException> { client.checkCertificateFile(tampered) }
                assertEquals("certificate_invalid", refused.code())
                assertFailsWith<EcardException.InvalidInput> { client.checkCertificate("not-a-code") }

                // A second one: the earlier shared copy is gone (one plain copy at a time).
                val second = assertNotNull(model.request(CertificateKind.CONTRIBUTION_RECORD, Insurance.PENSION, 1990, 2000))
                val secondPath = assertNotNull(model.file(second.certificateId))
                assertFalse(file.exists(), "the earlier copy is removed")
                assertTrue(File(secondPath).name.startsWith("缴费证明-"), secondPath)
                val listed = model.state.value.certificates
                assertEquals(setOf(second.certificateId, row.certificateId), listed.map { it.certificateId }.toSet())
                val contributions = listed.single { it.certificateId == second.certificateId }
                assertEquals(CertificateKind.CONTRIBUTION_RECORD, contributions.kind)
                assertEquals(InsuranceLabel.PENSION, contributions.insurance)
                assertEquals(1990, contributions.fromYear)
                assertEquals(2000, contributions.toYear)
                assertTrue(listed.all { it.saved }, "both PDFs are kept on the phone")
            }
        }
    }

    @Test
    fun `payments show in yuan and the financial loss report is queued offline, then done, with the bank's hotline`(): Unit = runBlocking {
        PrivatePlatform().use { platform ->
            val admin = platform.admin
            openClient("money", platformUrl = platform.url).use { client ->
                client.enrolAs(admin.persona("elder"), admin)
                val model = MoneyModel(client)
                model.reload()
                var state = model.state.value
                assertNull(state.notice)
                // Her pension among the payments, newest first, in yuan.
                assertTrue(state.payments.any { it.source == PaymentSourceLabel.PENSION }, state.payments.toString())
                assertEquals(state.payments.map { it.paidOn }.sortedDescending(), state.payments.map { it.paidOn })
                val first = client.paymentsCached(null).first()
                assertEquals(Money.yuan(first.amountFen), state.payments.first().amount)
                assertTrue(state.payments.all { it.amount.matches(Regex("¥[0-9,]+\\.[0-9]{2}")) })
                assertTrue(client.paymentsCached(null).any { it.source == PaymentSource.PENSION })

                val account = state.accounts.single()
                assertEquals(BankFunctionState.ACTIVE, account.state)
                assertTrue(account.canReportLoss && !account.callBank)
                assertTrue(account.accountMasked.contains("****"), account.accountMasked)
                val hotline = assertNotNull(account.hotline)
                assertTrue(hotline.any { it.isDigit() }, hotline)

                // Offline: the report waits in the outbox; the hotline is there to call.
                platform.stop()
                val queued = assertNotNull(model.reportLoss(account.cardId), model.state.value.notice.toString())
                assertEquals(OutboxState.PENDING, queued.state)
                assertTrue(model.state.value.lossQueued)
                assertEquals(hotline, model.hotline(account.cardId))

                // Back online: sent, the bank function reported lost, the bank still to be called.
                platform.restart()
                val sent = assertNotNull(model.retryLossReport(), model.state.value.notice.toString())
                assertEquals(OutboxState.DONE, sent.state)
                state = model.state.value
                assertFalse(state.lossQueued)
                val reported = state.accounts.single()
                assertEquals(BankFunctionState.LOSS_REPORTED, reported.state)
                assertTrue(reported.callBank && !reported.canReportLoss)
                assertEquals(hotline, reported.hotline)
                val view = client.financialAccount(account.cardId)
                assertEquals(BankFunctionState.LOSS_REPORTED, view.account.state)
                assertNotNull(view.account.lossReportedAt)

                // Only the bank function: her medical code still works.
                assertTrue(client.currentCode(null, Purpose.MEDICAL).text.startsWith("EC1:"))
            }
        }
    }
}
