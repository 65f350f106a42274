// Enrolment and account security through the generated Kotlin bindings,
// with the face check implemented in Kotlin (SimulatedFace) and the
// one-time codes read from the platform's SMS outbox: a first enrolment,
// a second device approved by the first, a takeover with a name and an ID
// number only, unlinking, the PIN lockout and reset, a phone change and a
// relative's consent by face. Each test enrols people of its own.
package cn.ecard.test

import cn.ecard.ffi.AccountNoticeKind
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.DelegationStatus
import cn.ecard.ffi.EcardEvent
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.EventListener
import cn.ecard.ffi.FacePurpose
import cn.ecard.ffi.PinAction
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Relationship
import cn.ecard.ffi.Scope
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.util.concurrent.ConcurrentLinkedQueue
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class IdentityTest {
    private val admin = Admin(Env.platformUrl)

    /** `137****1234` as the platform shows a phone. */
    private fun masked(phone: String) = phone.take(3) + "****" + phone.takeLast(4)

    @Test
    fun `a first enrolment takes a face check, the texted code and a new PIN`(): Unit = runBlocking {
        val person = admin.newPerson("赵一")
        openClient("first-enrolment").use { client ->
            val events = ConcurrentLinkedQueue<EcardEvent>()
            val subscription = client.subscribe(object : EventListener {
                override fun onEvent(event: EcardEvent) {
                    events.add(event)
                }
            })
            val started = client.beginEnrolment(person.identity())
            assertNull(started.codeSentTo, "nothing is texted before the face check")
            assertFalse(started.pinRequired)
            assertTrue(admin.texts(person["phone"] as String).isEmpty(), "IdentityTest.kt:50")

            val face = SimulatedFace(admin)
            val present = client.confirmPresence(face)
            assertEquals(started.enrolmentId, present.enrolmentId)
            assertEquals(masked(person["phone"] as String), present.codeSentTo)
            assertTrue(present.pinRequired, "a new account sets its PIN")
            assertFalse(present.approvalPossible, "no device can approve yet")
            val request = face.requests.single()
            assertEquals(FacePurpose.ENROLMENT, request.purpose)
            assertEquals(person["id_number"], request.idNumber)
            assertEquals("赵*", request.nameMasked)
            val testThread = Thread.currentThread().name
            assertTrue(face.threads.none { it == testThread }, "the face check runs on a library thread: ${face.threads}")

            val code = assertNotNull(admin.latestCode(person["phone"] as String))
            val weak = assertFailsWith<EcardException.InvalidInput> { client.completeEnrolment(code, "123456") }
            assertEquals("pin_too_simple", weak.code)
            assertTrue(weak.userMessage.hasChinese(), weak.userMessage)
            val session = client.completeEnrolment(code, TEST_PIN)
            assertEquals("赵*", session.nameMasked)
            assertTrue(client.snapshot().enrolled, "IdentityTest.kt:70")
            assertTrue(client.currentCode(null, Purpose.TRANSPORT).text.startsWith("EC1:"), "IdentityTest.kt:71")

            val devices = client.devices()
            assertEquals(1, devices.size)
            assertTrue(devices[0].current, "IdentityTest.kt:75")
            assertEquals(session.deviceId, devices[0].deviceId)
            val notices = client.checkNotices()
            assertTrue(notices.any { it.kind == AccountNoticeKind.DEVICE_ENROLLED }, notices.toString())
            assertTrue(
                eventually { events.any { it is EcardEvent.AccountNotice && it.notice.kind == AccountNoticeKind.DEVICE_ENROLLED } },
                events.toString(),
            )
            subscription.close()
        }
    }

    @Test
    fun `a second device is approved on the first with the PIN and completes without a code`(): Unit = runBlocking {
        val person = admin.newPerson("钱二")
        openClient("approving").use { first ->
            first.enrolAs(person)
            openClient("approved").use { second ->
                second.beginEnrolment(person.identity())
                val present = second.confirmPresence(SimulatedFace(admin))
                assertTrue(present.approvalPossible, "IdentityTest.kt:95")
                assertFalse(present.pinRequired, "the account has its PIN")
                val waiting = assertFailsWith<EcardException.NotAllowed> { second.completeEnrolment(null, null) }
                assertEquals("approval_pending", waiting.code)

                // The first device hears of it, sees the request and approves with the PIN.
                assertTrue(first.checkNotices().any { it.kind == AccountNoticeKind.ENROLMENT_REQUESTED }, "IdentityTest.kt:101")
                val request = first.enrolmentRequests().single()
                assertEquals(present.enrolmentId, request.enrolmentId)
                assertEquals("jvm test approved", request.deviceName)
                val wrongPin = assertFailsWith<EcardException.InvalidInput> { first.approveEnrolment(request.enrolmentId, "246813") }
                assertEquals("pin_wrong", wrongPin.code)
                first.approveEnrolment(request.enrolmentId, TEST_PIN)

                val session = second.completeEnrolment(null, null)
                assertTrue(second.snapshot().enrolled, "IdentityTest.kt:110")
                val devices = first.devices()
                assertEquals(2, devices.size)
                assertTrue(devices.any { it.deviceId == session.deviceId && !it.current }, devices.toString())
                assertTrue(first.checkNotices().any { it.kind == AccountNoticeKind.DEVICE_ENROLLED }, "IdentityTest.kt:114")
            }
        }
    }

    @Test
    fun `a takeover with the name and ID number only is refused and leaves the victim's devices alone`(): Unit = runBlocking {
        val victim = admin.newPerson("孙三")
        val phone = victim["phone"] as String
        openClient("victim").use { owner ->
            owner.enrolAs(victim)
            val devicesBefore = owner.devices().map { it.deviceId }
            val textsBefore = admin.texts(phone).size
            openClient("attacker").use { attacker ->
                attacker.beginEnrolment(victim.identity())
                val refused = assertFailsWith<EcardException.InvalidInput> { attacker.confirmPresence(SimulatedFace(admin, FaceBehaviour.IMPOSTOR)) }
                assertEquals("identity_not_verified", refused.code)
                assertTrue(refused.userMessage.hasChinese(), refused.userMessage)
                val finished = assertFailsWith<EcardException> { attacker.completeEnrolment("000000", TEST_PIN) }
                assertEquals("invalid_state", finished.code())
                assertNull(attacker.session())
                assertFalse(attacker.snapshot().enrolled)
                assertEquals("not_enrolled", assertFailsWith<EcardException.NotAllowed> { attacker.currentCode(null, Purpose.TRANSPORT) }.code)
                assertEquals("not_enrolled", assertFailsWith<EcardException.NotAllowed> { attacker.devices() }.code)

                // A cancelled capture never reaches the platform.
                attacker.beginEnrolment(victim.identity())
                val cancelled = assertFailsWith<EcardException.NotAllowed> { attacker.confirmPresence(SimulatedFace(admin, FaceBehaviour.CANCELLED)) }
                assertEquals("face_check_cancelled", cancelled.code)
                assertNull(attacker.session())
            }
            assertEquals(textsBefore, admin.texts(phone).size, "no code went to the victim's phone")
            assertEquals(devicesBefore, owner.devices().map { it.deviceId })
            assertTrue(owner.refreshProfile().person.personId == victim["person_id"], "the victim keeps working")
        }
    }

    @Test
    fun `an unlinked device's next signed call is refused`(): Unit = runBlocking {
        val person = admin.newPerson("李四")
        openClient("keeper").use { keeper ->
            keeper.enrolAs(person)
            openClient("unlinked").use { other ->
                val session = other.enrolAs(person)
                other.refreshProfile()
                val unlinked = keeper.unlinkDevice(session.deviceId, TEST_PIN)
                assertEquals(session.deviceId, unlinked.deviceId)
                assertTrue(unlinked.credentialsRevoked >= 1u, "$unlinked")
                val refused = assertFailsWith<EcardException.NotAllowed> { other.refreshProfile() }
                assertEquals("unauthenticated", refused.code)
                val devices = keeper.devices()
                assertEquals(listOf(true), devices.map { it.current })
            }
        }
    }

    @Test
    fun `the PIN locks after wrong tries and a face check resets it`(): Unit = runBlocking {
        val person = admin.newPerson("周五")
        openClient("pin-lock").use { client ->
            client.enrolAs(person)
            client.syncCatalogue()
            val tries = assertNotNull(client.rules()).accountSecurity.pinTries.toInt()
            val codes = (1..tries + 1).map {
                assertFailsWith<EcardException> { client.pinGrant("246813", PinAction.UNLINK_DEVICE) }.code()
            }
            assertEquals(List(tries - 1) { "pin_wrong" } + listOf("pin_locked", "pin_locked"), codes)
            val locked = assertFailsWith<EcardException.NotAllowed> { client.pinGrant(TEST_PIN, PinAction.UNLINK_DEVICE) }
            assertEquals("pin_locked", locked.code)
            assertTrue(locked.userMessage.hasChinese(), locked.userMessage)
            assertTrue(client.checkNotices().any { it.kind == AccountNoticeKind.PIN_LOCKED }, "IdentityTest.kt:182")

            val face = SimulatedFace(admin)
            client.resetPin(face, "246813")
            assertEquals(FacePurpose.PIN_RESET, face.requests.single().purpose)
            assertTrue(client.pinGrant("246813", PinAction.UNLINK_DEVICE).isNotEmpty(), "IdentityTest.kt:187")
            client.changePin("246813", TEST_PIN)
            assertTrue(client.pinGrant(TEST_PIN, PinAction.UNLINK_DEVICE).isNotEmpty(), "IdentityTest.kt:189")
            assertTrue(client.checkNotices().any { it.kind == AccountNoticeKind.PIN_CHANGED }, "IdentityTest.kt:190")
        }
    }

    @Test
    fun `the phone on record changes with the PIN, a face check and the old phone's code`(): Unit = runBlocking {
        val person = admin.newPerson("吴六")
        val oldPhone = person["phone"] as String
        val newPhone = "136" + oldPhone.drop(3)
        openClient("phone-change").use { client ->
            client.enrolAs(person)
            val started = client.changePhone(newPhone, SimulatedFace(admin), TEST_PIN)
            assertEquals(masked(oldPhone), started.codeSentTo)
            client.confirmPhoneChange(started.changeId, assertNotNull(admin.latestCode(oldPhone)))
            openClient("after-phone-change").use { next ->
                next.beginEnrolment(person.identity())
                assertEquals(masked(newPhone), next.confirmPresence(SimulatedFace(admin)).codeSentTo)
            }
        }
    }

    @Test
    fun `a relative consents by face on the helper's phone`(): Unit = runBlocking {
        val helper = admin.newPerson("郑七", card = false)
        val relative = admin.newPerson("王八", birth = "19480301")
        openClient("helper").use { client ->
            client.enrolAs(helper)
            client.syncCatalogue()
            val undeclared = assertFailsWith<EcardException.InvalidInput> {
                client.requestMandate(DelegationKind.FAMILY_PROXY, relative.identity(), null, listOf(Scope.SHOW_CODE), null, null, TEST_PIN)
            }
            assertEquals("relationship", undeclared.fieldName)
            val request = client.requestMandate(
                DelegationKind.FAMILY_PROXY, relative.identity(), null, listOf(Scope.SHOW_CODE, Scope.TRACK), null, Relationship.CHILD, TEST_PIN,
            )
            val delegationId = assertNotNull(request.delegationId)
            val impostor = assertFailsWith<EcardException.InvalidInput> {
                client.consentMandateByFace(delegationId, relative.identity(), SimulatedFace(admin, FaceBehaviour.IMPOSTOR))
            }
            assertEquals("identity_not_verified", impostor.code)
            val face = SimulatedFace(admin)
            val mandate = client.consentMandateByFace(delegationId, relative.identity(), face)
            assertEquals(DelegationStatus.ACTIVE, mandate.status)
            assertEquals(FacePurpose.MANDATE_CONSENT, face.requests.single().purpose)
            assertEquals(relative["id_number"], face.requests.single().idNumber)
            val card = client.snapshot().cards.first { it.personId == relative["person_id"] }
            assertTrue(client.currentCode(card.cardId, Purpose.MEDICAL).text.startsWith("EC1:"), "IdentityTest.kt:236")
        }
    }
}
