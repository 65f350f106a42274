// The resident journeys through the generated Kotlin bindings, against the
// reference platform the script started: the elder with a card, the
// resident who applies for one, a guardian with a newborn, a family proxy.
package cn.ecard.test

import cn.ecard.ffi.ApplicationAction
import cn.ecard.ffi.ApplicationKind
import cn.ecard.ffi.ApplicationState
import cn.ecard.ffi.CardStatus
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.DelegationStatus
import cn.ecard.ffi.Delivery
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.Evidence
import cn.ecard.ffi.FlowStep
import cn.ecard.ffi.HolderRole
import cn.ecard.ffi.LossKind
import cn.ecard.ffi.MatchKind
import cn.ecard.ffi.NewCardForm
import cn.ecard.ffi.OutboxState
import cn.ecard.ffi.OutletQuery
import cn.ecard.ffi.OutletService
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Relationship
import cn.ecard.ffi.Scope
import cn.ecard.ffi.SearchQuery
import cn.ecard.ffi.applicationKindLabel
import cn.ecard.ffi.Language
import cn.ecard.ffi.qrMatrix
import cn.ecard.ffi.qrSvg
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** Nanchang's centre (WGS-84). */
const val LATITUDE = 28.6829
const val LONGITUDE = 115.8579

class JourneyTest {
    private val admin = Admin(Env.platformUrl)

    @Test
    fun `the elder enrols, syncs, searches in characters and pinyin, finds outlets and shows codes`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        openClient("elder").use { client ->
            val session = client.enrolAs(elder)
            assertEquals("刘**", session.nameMasked)
            assertEquals(elder.identity().idNumber, client.revealIdNumber(), "the 小眼睛 toggle shows the full number on purpose")
            assertFalse(session.idNumberMasked.contains("19480602"), session.idNumberMasked)
            val snapshot = client.snapshot()
            assertTrue(snapshot.enrolled, "JourneyTest.kt:54")
            assertEquals(1, snapshot.cards.size)
            assertEquals(HolderRole.HOLDER, snapshot.cards[0].role)
            assertNotNull(snapshot.cards[0].credentialNotAfter)

            val report = client.syncCatalogue()
            assertFalse(report.unchanged)
            assertTrue(report.itemsChanged >= 300u, "$report")
            assertTrue(report.outletsChanged >= 1_000u, "$report")
            val state = client.snapshot().catalogue
            assertNotNull(state.asOf)
            assertEquals(report.itemsChanged, state.itemCount)
            assertTrue(client.syncCatalogue().unchanged, "a second sync is one 304")

            val byCharacters = client.search(SearchQuery(text = "社保卡", limit = 10u))
            assertTrue(byCharacters.isNotEmpty(), "JourneyTest.kt:69")
            assertTrue(byCharacters.any { "社保卡" in it.item.name || "社会保障卡" in it.item.name }, byCharacters.map { it.item.name }.toString())
            val byPinyin = client.search(SearchQuery(text = "shebaoka", limit = 10u))
            assertTrue(byPinyin.isNotEmpty(), "JourneyTest.kt:72")
            assertTrue(byPinyin.any { it.matched == MatchKind.PINYIN }, "JourneyTest.kt:73")
            assertTrue(byPinyin.any { "社保卡" in it.item.name || "社会保障卡" in it.item.name }, byPinyin.map { it.item.name }.toString())
            val byInitials = client.search(SearchQuery(text = "sbk", limit = 10u))
            assertTrue(byInitials.any { "社保卡" in it.item.name || "社会保障卡" in it.item.name }, byInitials.map { it.item.name }.toString())
            assertTrue(byCharacters.all { it.item.shortLabel.length <= 6 }, "JourneyTest.kt:77")

            val outlets = client.nearestOutlets(OutletQuery(LATITUDE, LONGITUDE, 20u))
            assertEquals(20, outlets.size)
            assertTrue(outlets.zipWithNext().all { (a, b) -> a.distanceMetres <= b.distanceMetres }, "JourneyTest.kt:81")
            assertTrue(outlets[0].distanceMetres < 20_000.0, "JourneyTest.kt:82")
            val pickup = client.nearestOutlets(OutletQuery(LATITUDE, LONGITUDE, 5u, OutletService.CARD_PICKUP))
            assertTrue(pickup.all { OutletService.CARD_PICKUP in it.outlet.services }, "JourneyTest.kt:84")

            val code = client.currentCode(null, Purpose.TRANSPORT)
            assertTrue(code.text.startsWith("EC1:"), code.text)
            assertTrue(code.secondsLeft > 0u, "JourneyTest.kt:88")
            assertTrue(client.secondsLeft(code) in 1uL..60uL, "JourneyTest.kt:89")
            assertEquals(HolderRole.HOLDER, code.onBehalf)
            val matrix = qrMatrix(code.text)
            assertEquals(code.qrVersion, matrix.version)
            assertEquals(17 + 4 * matrix.version.toInt(), matrix.width.toInt())
            assertEquals(matrix.width.toInt() * matrix.width.toInt(), matrix.dark.size)
            assertTrue(qrSvg(code.text, 4u).contains("<svg"), "JourneyTest.kt:97")
            val next = client.currentCode(null, Purpose.TRANSPORT)
            assertTrue(next.counter > code.counter, "JourneyTest.kt:99")
            assertEquals(Purpose.MEDICAL, client.currentCode(null, Purpose.MEDICAL).purpose)

            // PIPL: the person's own data, then erased here and at the platform.
            val exported = client.exportPersonalData()
            assertTrue(exported.contains(elder.identity().idNumber), "the export holds her own number")
            client.deletePersonalData(TEST_PIN)
            assertFalse(client.snapshot().enrolled, "signed out after deletion")
        }
    }

    @Test
    fun `the resident applies for a card, tracks it, activates it, reports it lost and releases it`(): Unit = runBlocking {
        val resident = admin.persona("resident")
        openClient("resident").use { client ->
            client.enrolAs(resident)
            assertTrue(client.snapshot().cards.none { it.personId == resident["person_id"] }, "JourneyTest.kt:109")
            client.syncCatalogue()
            val rules = assertNotNull(client.rules())
            val noCard = assertFailsWith<EcardException.Revoked> { client.currentCode(null, Purpose.TRANSPORT) }
            assertTrue(noCard.userMessage.hasChinese(), "JourneyTest.kt:113")

            val outlet = client.nearestOutlets(OutletQuery(LATITUDE, LONGITUDE, 3u, OutletService.CARD_PICKUP)).first().outlet
            val photo = testPhoto()
            assertTrue(photo.size in 9 * 1024..20 * 1024, "JourneyTest.kt:117")
            val submission = client.submitApplication(
                NewCardForm(personId = null, photoJpeg = photo, bank = "icbc", phone = "13800138000", delivery = Delivery.Pickup(outlet.id)),
                null,
            )
            assertEquals(OutboxState.DONE, submission.state)
            val applicationId = assertNotNull(submission.applicationId)
            var flow = client.application(applicationId)
            assertEquals(ApplicationKind.NewCard, flow.application.kind)
            assertEquals("申领社保卡", applicationKindLabel(flow.application.kind, Language.ZH_CN))
            assertEquals(FlowStep.InProduction, flow.step, "pickup costs nothing, so production is next")
            assertTrue(flow.cannotCancelOnceSubmitted, "JourneyTest.kt:128")
            assertEquals("数据录入", flow.progress.first().label)
            val cancel = assertFailsWith<EcardException.NotAllowed> { client.cancelApplication(applicationId) }
            assertTrue(cancel.userMessage.hasChinese(), "JourneyTest.kt:131")
            assertTrue(client.applications().any { it.application.applicationId == applicationId }, "JourneyTest.kt:132")

            // Track: the card bureau makes the card and the outlet signs for it.
            admin.advanceDays(rules.productionDays.toLong() + 1)
            flow = client.application(applicationId)
            assertEquals(ApplicationState.AT_OUTLET, flow.application.state)
            assertEquals(FlowStep.CollectAtOutlet, flow.step)
            assertTrue(ApplicationAction.CONFIRM_RECEIPT in flow.actions, "JourneyTest.kt:139")
            assertTrue(flow.progress.map { it.label }.containsAll(listOf("数据录入", "已缴费", "制卡中", "银行网点签收")), flow.progress.toString())

            client.confirmReceipt(applicationId)
            flow = client.application(applicationId)
            assertEquals(FlowStep.Activate, flow.step)
            val cardId = assertNotNull(flow.application.cardId)
            client.activateCard(cardId)
            flow = client.application(applicationId)
            assertEquals(FlowStep.Done, flow.step)
            assertEquals(ApplicationState.ACTIVATED, flow.application.state)

            val code = client.currentCode(null, Purpose.TRANSPORT)
            assertTrue(code.text.startsWith("EC1:"), "JourneyTest.kt:152")
            assertEquals(cardId, code.cardId)
            assertTrue(client.snapshot().cards.any { it.cardId == cardId && it.status == CardStatus.ACTIVE }, "JourneyTest.kt:154")

            // Lost: codes stop at once; released online: codes again.
            assertTrue(client.lossFlow(cardId).canReportTemporary, "JourneyTest.kt:157")
            client.reportLoss(cardId, LossKind.TEMPORARY)
            val stopped = assertFailsWith<EcardException.Revoked> { client.currentCode(cardId, Purpose.TRANSPORT) }
            assertEquals("card_suspended", stopped.code)
            assertTrue(stopped.userMessage.hasChinese(), "JourneyTest.kt:161")
            val loss = client.lossFlow(cardId)
            assertEquals(CardStatus.TEMPORARILY_LOST, loss.card.status)
            assertTrue(loss.canReleaseOnline, "JourneyTest.kt:164")
            assertNotNull(loss.lapsesAt)
            client.releaseLoss(cardId, TEST_PIN)
            assertEquals(CardStatus.ACTIVE, client.lossFlow(cardId).card.status)
            val again = client.currentCode(cardId, Purpose.TRANSPORT)
            assertTrue(again.text.startsWith("EC1:"), "JourneyTest.kt:169")
            assertTrue(client.auditTrail().any { it.action.startsWith("application.submit") && it.objectId == applicationId }, "JourneyTest.kt:170")
            assertEquals(0uL, client.snapshot().outboxPending)
        }
    }

    @Test
    fun `a guardian applies for the newborn's card with the birth certificate`(): Unit = runBlocking {
        val resident = admin.persona("resident")
        val newborn = admin.persona("newborn")
        openClient("guardian").use { client ->
            client.enrolAs(resident)
            client.syncCatalogue()
            val rules = assertNotNull(client.rules())
            val evidence = Evidence(kind = "birth_certificate", number = newborn["birth_certificate"] as String)
            val mandate = client.requestMandate(DelegationKind.GUARDIAN, newborn.identity(), evidence, listOf(Scope.APPLY, Scope.TRACK, Scope.SHOW_CODE), null, null, TEST_PIN)
            val delegationId = assertNotNull(mandate.delegationId)
            val held = client.mandates().first { it.delegationId == delegationId }
            assertEquals(DelegationStatus.ACTIVE, held.status)
            assertEquals(DelegationKind.GUARDIAN, held.kind)
            assertTrue(client.refreshProfile().principals.any { it.personId == newborn["person_id"] }, "JourneyTest.kt:189")

            val submission = client.submitApplication(
                NewCardForm(
                    personId = newborn["person_id"] as String,
                    photoJpeg = testPhoto(),
                    bank = "icbc",
                    phone = "13800138000",
                    delivery = Delivery.Mail(address = "江西省南昌市东湖区八一大道357号", phone = "13800138000"),
                ),
                null,
            )
            val applicationId = assertNotNull(submission.applicationId)
            var flow = client.application(applicationId)
            assertEquals(newborn["person_id"], flow.application.personId)
            assertEquals(delegationId, flow.application.mandateId)
            assertEquals(FlowStep.Pay(rules.postageFen), flow.step, "mailing costs postage")
            assertTrue(ApplicationAction.PAY in flow.actions, "JourneyTest.kt:206")
            client.pay(applicationId, rules.postageFen)
            flow = client.application(applicationId)
            assertTrue(flow.step == FlowStep.InProduction, "${flow.step}")
            assertTrue(client.auditTrail().any { it.mandateId == delegationId && it.objectId == applicationId }, "JourneyTest.kt:210")
        }
    }

    @Test
    fun `a family proxy shows the elder's medical code after her consent`(): Unit = runBlocking {
        val resident = admin.persona("resident")
        val elder = admin.persona("elder")
        openClient("proxy").use { client ->
            client.enrolAs(resident)
            client.syncCatalogue()
            val request = client.requestMandate(DelegationKind.FAMILY_PROXY, elder.identity(), null, listOf(Scope.SHOW_CODE, Scope.TRACK), null, Relationship.CHILD, TEST_PIN)
            val delegationId = assertNotNull(request.delegationId)
            assertEquals(DelegationStatus.PENDING_CONSENT, client.mandates().first { it.delegationId == delegationId }.status)
            admin.consent(delegationId)
            assertEquals(DelegationStatus.ACTIVE, client.mandates().first { it.delegationId == delegationId }.status)
            client.refreshProfile()
            val card = client.snapshot().cards.first { it.personId == elder["person_id"] }
            assertEquals("刘**", card.holderNameMasked)
            val code = client.currentCode(card.cardId, Purpose.MEDICAL)
            assertEquals(HolderRole.PROXY, code.onBehalf)
            assertTrue(code.text.startsWith("EC1:"), "JourneyTest.kt:231")
            assertTrue(client.auditTrail().any { it.mandateId == delegationId }, "JourneyTest.kt:232")
        }
    }
}
