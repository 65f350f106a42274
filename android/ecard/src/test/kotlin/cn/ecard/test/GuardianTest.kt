// A guardian's journeys through the generated Kotlin bindings and the screen
// models, against a platform of their own (the seeded birth certificate is
// registered once per platform): 出生一件事 in one form with its one progress
// line, and a 16-year-old's card — what he may not do alone is refused with
// the core's guardian_required message, while his guardian allows the
// e-card on his own phone and sets his PIN.
package cn.ecard.test

import cn.ecard.ffi.BirthForm
import cn.ecard.ffi.BirthStep
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.DelegationStatus
import cn.ecard.ffi.Delivery
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.Evidence
import cn.ecard.ffi.HolderRole
import cn.ecard.ffi.LossKind
import cn.ecard.ffi.OutletQuery
import cn.ecard.ffi.OutletService
import cn.ecard.ffi.PinAction
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Scope
import cn.ecard.ffi.Sex
import cn.ecard.models.BirthsModel
import cn.ecard.models.FamilyModel
import cn.ecard.models.LossModel
import cn.ecard.models.NoticeKind
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.time.Instant
import java.time.ZoneId
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The hospital's report of the resident's daughter 张小禾 (platform/src/domain/seed.rs). */
const val SEEDED_BIRTH_CERTIFICATE = "P360100003"

/** The core's zh-CN message for `guardian_required` (core/src/error.rs). */
const val GUARDIAN_REQUIRED_MESSAGE = "未满18周岁的持卡人办理此业务需由法定监护人代办。请让监护人在他们的手机上为您办理。"

class GuardianTest {
    @Test
    fun `a parent registers the newborn in one form and follows one progress line`(): Unit = runBlocking {
        PrivatePlatform().use { platform ->
            val admin = platform.admin
            val resident = admin.persona("resident")
            openClient("birth", platformUrl = platform.url).use { client ->
                client.enrolAs(resident, admin)
                client.syncCatalogue()
                val rules = assertNotNull(client.rules())
                val births = BirthsModel(client)
                assertTrue(births.oneSubmission(), "Jiangxi takes the birth and the card in one submission")
                assertTrue(births.photoExemptUnderAge() > 0u, "and needs no photo of a newborn")

                // Born three days before the platform's first start, China date.
                val now = admin.advanceSeconds(0)
                val born = Instant.ofEpochSecond(now).atZone(ZoneId.of("Asia/Shanghai")).toLocalDate().minusDays(3).toString()
                val outlet = client.nearestOutlets(OutletQuery(LATITUDE, LONGITUDE, 1u, OutletService.CARD_PICKUP, false)).first().outlet
                fun form(certificate: String) = BirthForm(
                    birthCertificate = certificate,
                    childName = "张小禾",
                    sex = Sex.FEMALE,
                    birthDate = born,
                    otherParent = null,
                    householdRegion = "360102",
                    householdAddress = "江西省南昌市东湖区八一大道188号3栋2单元501室",
                    bank = rules.banks.first().code,
                    phone = "13800138000",
                    delivery = Delivery.Pickup(outlet.id),
                    photoJpeg = null,
                )

                // A certificate no hospital reported: refused, nothing kept.
                val unknown = assertFailsWith<EcardException> { client.registerBirth(form("P360100999")) }
                assertEquals("identity_not_verified", unknown.code())
                assertTrue(client.births().isEmpty(), "GuardianTest.kt: nothing kept")

                assertTrue(births.register(form(SEEDED_BIRTH_CERTIFICATE)), births.state.value.notice.toString())
                var flow = births.state.value.births.single()
                assertEquals(
                    listOf(BirthStep.SUBMITTED, BirthStep.HOUSEHOLD_REGISTERED, BirthStep.CARD_IN_PRODUCTION, BirthStep.CARD_ON_ITS_WAY, BirthStep.CARD_RECEIVED),
                    flow.stages.map { it.step },
                    "one progress line of five stages",
                )
                assertEquals(1, flow.stages.count { it.at != null }, flow.stages.toString())
                assertEquals("户口已登记", flow.stages[1].label)
                assertTrue(flow.stages.all { it.label.hasChinese() }, flow.stages.toString())
                assertEquals(born, flow.birth.birthDate)

                // The household registration (a day), then production within the hour.
                admin.advanceDays(1)
                admin.advanceSeconds(7_200)
                births.reload()
                flow = births.state.value.births.single()
                assertEquals(3, flow.stages.count { it.at != null }, flow.stages.toString())
                assertTrue(flow.stages.takeWhile { it.at != null }.size == 3, "reached stages come first")
                val mandateId = assertNotNull(flow.birth.mandateId)
                val applicationId = assertNotNull(flow.birth.applicationId)
                val mandate = client.mandates().first { it.delegationId == mandateId }
                assertEquals(DelegationKind.GUARDIAN, mandate.kind)
                assertEquals(DelegationStatus.ACTIVE, mandate.status)
                val application = client.application(applicationId).application
                assertEquals(mandateId, application.mandateId)
                assertEquals(flow.birth.personId, application.personId)

                // The child's first code on the parent's phone (Jiangxi: from production on).
                client.refreshProfile()
                client.refreshAllCredentials()
                val code = client.currentCode(assertNotNull(application.cardId), Purpose.MEDICAL)
                assertEquals(HolderRole.GUARDIAN, code.onBehalf)
            }
        }
    }

    @Test
    fun `a 16-year-old is refused alone and his guardian allows his e-card and sets his PIN`(): Unit = runBlocking {
        PrivatePlatform().use { platform ->
            val admin = platform.admin
            val student = admin.persona("student")
            val resident = admin.persona("resident")
            openClient("student", platformUrl = platform.url).use { own ->
                own.enrolAs(student, admin)
                own.syncCatalogue()
                val cardId = own.snapshot().cards.first { it.role == HolderRole.HOLDER }.cardId

                // Reporting his own card lost alone: the core's guardian_required message.
                val refused = assertFailsWith<EcardException.NotAllowed> { own.reportLoss(cardId, LossKind.TEMPORARY) }
                assertEquals("guardian_required", refused.code)
                assertEquals(GUARDIAN_REQUIRED_MESSAGE, refused.userMessage)
                val loss = LossModel(own)
                loss.report(cardId, LossKind.TEMPORARY)
                val notice = assertNotNull(loss.state.value.notice)
                assertEquals(NoticeKind.NOT_ALLOWED, notice.kind)
                assertEquals("guardian_required", notice.code)
                assertEquals(GUARDIAN_REQUIRED_MESSAGE, notice.text)
                val pin = assertFailsWith<EcardException.NotAllowed> { own.changePin(TEST_PIN, "602718") }
                assertEquals("guardian_required", pin.code)

                openClient("guardian-of-student", platformUrl = platform.url).use { guardian ->
                    guardian.enrolAs(resident, admin)
                    guardian.syncCatalogue()
                    val submission = guardian.requestMandate(
                        DelegationKind.GUARDIAN,
                        student.identity(),
                        Evidence(kind = "household_register", number = student["household_register"] as String),
                        listOf(Scope.APPLY, Scope.REPLACE, Scope.REPORT_LOSS, Scope.ACTIVATE, Scope.SHOW_CODE, Scope.TRACK),
                        null,
                        null,
                        TEST_PIN,
                    )
                    val delegationId = assertNotNull(submission.delegationId)
                    val family = FamilyModel(guardian)
                    family.reload()
                    assertNull(family.state.value.mandates.first { it.delegationId == delegationId }.wardECardSince, "not allowed yet")

                    // The switch: allowed on his own phone, with the guardian's PIN.
                    assertTrue(family.setWardECard(delegationId, true, TEST_PIN), family.state.value.notice.toString())
                    val since = assertNotNull(family.state.value.mandates.first { it.delegationId == delegationId }.wardECardSince)
                    assertTrue(since > 0uL, "GuardianTest.kt: since")
                    own.refreshProfile()
                    own.refreshAllCredentials()
                    val code = own.currentCode(cardId, Purpose.TRANSPORT)
                    assertTrue(code.text.startsWith("EC1:"), code.text)

                    // The child's PIN, set by the guardian; he confirms acts with it.
                    assertTrue(family.setWardPin(delegationId, "602718", TEST_PIN), family.state.value.notice.toString())
                    assertTrue(own.pinGrant("602718", PinAction.CONSENT_MANDATE).isNotEmpty(), "GuardianTest.kt: grant")

                    // Withdrawn: the switch is off again.
                    assertTrue(family.setWardECard(delegationId, false, TEST_PIN), family.state.value.notice.toString())
                    assertNull(family.state.value.mandates.first { it.delegationId == delegationId }.wardECardSince)
                    // A guardian's own wrong PIN: the ward's PIN is not changed.
                    assertTrue(!family.setWardPin(delegationId, "246810", "000000"), "a wrong PIN is refused")
                    assertNotNull(family.state.value.notice)
                }
            }
        }
    }
}
