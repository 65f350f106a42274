// The pure-Kotlin screen models of the Android library, run on the JVM
// against a real client, and the FFI call overhead measured from Kotlin.
package cn.ecard.test

import cn.ecard.ffi.AccountNotice
import cn.ecard.ffi.AccountNoticeKind
import cn.ecard.ffi.Language
import cn.ecard.ffi.OutletService
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.libraryVersion
import cn.ecard.models.CatalogueModel
import cn.ecard.models.CodeScreenModel
import cn.ecard.models.DevicesModel
import cn.ecard.models.DisplayMode
import cn.ecard.models.DistanceUnits
import cn.ecard.models.EnrolmentModel
import cn.ecard.models.Format
import cn.ecard.models.NoticeKind
import cn.ecard.models.OutletsModel
import cn.ecard.models.PinPad
import cn.ecard.models.RELATIONSHIPS
import cn.ecard.models.noticeText
import cn.ecard.models.toNotice
import cn.ecard.ffi.EcardException
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class ModelsTest {
    private val admin = Admin(Env.platformUrl)

    @Test
    fun `formats and elder mode sizes`() {
        assertEquals("0:45", Format.countdown(45))
        assertEquals("1:00", Format.countdown(60))
        assertEquals("850 m", Format.distance(850.4))
        assertEquals("1.2 km", Format.distance(1_234.0))
        assertEquals("1.2 公里", Format.distance(1_234.0, DistanceUnits("米", "公里")))
        assertEquals("¥10.00", Format.fen(1000u))
        val elder = DisplayMode(elder = true)
        assertTrue(elder.bodySp >= 18 && elder.touchTargetDp >= 60 && elder.shortLabels, "ModelsTest.kt:36")
        assertTrue(DisplayMode().bodySp < elder.bodySp, "ModelsTest.kt:37")
        val notice = EcardException.InvalidInput("bad_check_digit", "证件号码有误", "id_number").toNotice()
        assertEquals(NoticeKind.FIX_INPUT, notice.kind)
        assertEquals("id_number", notice.field)
    }

    @Test
    fun `the PIN pad takes six digits, hands them over once and has elder-size keys`() {
        val pad = PinPad()
        "12345".forEach(pad::press)
        assertNull(pad.take(), "five digits are not a PIN")
        pad.delete()
        "5x6789".forEach(pad::press)
        assertEquals(PinPad.State(entered = 6, complete = true), pad.state.value)
        pad.press('0')
        assertEquals("123456", pad.take())
        assertEquals(0, pad.state.value.entered, "taking the PIN empties the pad")
        assertEquals(12, PinPad.KEYS.size)
        val notice = AccountNotice(noticeId = 1uL, kind = AccountNoticeKind.DEVICE_ENROLLED, deviceName = "Pixel", at = 0uL)
        val label = { kind: AccountNoticeKind -> if (kind == AccountNoticeKind.PIN_LOCKED) "Your e-card PIN is locked" else kind.name }
        assertEquals("DEVICE_ENROLLED: Pixel", noticeText(notice, label))
        assertEquals("DEVICE_ENROLLED：Pixel", noticeText(notice, label) { text, device -> "$text：$device" })
        assertEquals("Your e-card PIN is locked", noticeText(notice.copy(kind = AccountNoticeKind.PIN_LOCKED, deviceName = null), label))
        assertEquals(6, RELATIONSHIPS.size)
        assertTrue(DisplayMode(elder = true).pinKeyDp >= 60 && DisplayMode().pinKeyDp >= 60, "ModelsTest.kt:55")
        assertTrue(DisplayMode(elder = true).bodySp >= 18, "ModelsTest.kt:56")
    }

    @Test
    fun `the enrolment and device screens walk a new person through`(): Unit = runBlocking {
        val person = admin.newPerson("冯九")
        openClient("enrolment-screen").use { client ->
            val enrolment = EnrolmentModel(client)
            val badNumber = person.identity().let { it.copy(idNumber = it.idNumber.dropLast(1) + if (it.idNumber.endsWith("0")) "1" else "0") }
            enrolment.begin(badNumber)
            assertEquals(EnrolmentModel.Step.IDENTITY, enrolment.state.value.step)
            assertEquals("id_number", enrolment.state.value.notice?.field)
            enrolment.begin(person.identity())
            assertEquals(EnrolmentModel.Step.FACE_CHECK, enrolment.state.value.step)
            enrolment.checkFace(SimulatedFace(admin, FaceBehaviour.CANCELLED))
            assertEquals(EnrolmentModel.Step.FACE_CHECK, enrolment.state.value.step, "a cancelled capture may be retried")
            assertEquals(NoticeKind.NOT_ALLOWED, enrolment.state.value.notice?.kind)
            enrolment.checkFace(SimulatedFace(admin))
            val state = enrolment.state.value
            assertEquals(EnrolmentModel.Step.CODE_AND_PIN, state.step)
            assertTrue(state.progress?.pinRequired == true, "ModelsTest.kt:76")
            val pad = PinPad()
            TEST_PIN.forEach(pad::press)
            enrolment.complete(admin.latestCode(person["phone"] as String), pad.take())
            assertEquals(EnrolmentModel.Step.DONE, enrolment.state.value.step, "${enrolment.state.value.notice}")
            assertNotNull(enrolment.state.value.session)

            val devices = DevicesModel(client)
            devices.reload()
            val mine = devices.state.value.devices.single()
            assertTrue(mine.current, "ModelsTest.kt:86")
            assertFalse(devices.unlink(mine.deviceId, "246813"), "a wrong PIN unlinks nothing")
            assertEquals("pin_wrong", devices.state.value.notice?.code)
            assertEquals(1, devices.state.value.devices.size)
        }
    }

    @Test
    fun `the code screen counts down, refreshes and shows errors inline`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        openClient("code-screen").use { client ->
            val screen = CodeScreenModel(client, this)
            screen.refreshNow()
            assertEquals(NoticeKind.NOT_ALLOWED, screen.state.value.notice?.kind, "not enrolled yet")
            assertTrue(screen.state.value.notice!!.text.hasChinese(), "ModelsTest.kt:50")
            assertNull(screen.state.value.code)

            client.enrolAs(elder)
            client.syncCatalogue()
            screen.select(Purpose.MEDICAL).join()
            val state = screen.state.value
            val code = assertNotNull(state.code)
            assertNull(state.notice)
            assertEquals(Purpose.MEDICAL, code.purpose)
            assertTrue(state.secondsLeft in 1L..60L, "ModelsTest.kt:60")
            screen.tick()
            assertTrue(screen.state.value.secondsLeft <= state.secondsLeft, "ModelsTest.kt:62")
            screen.refresh().join()
            assertTrue(screen.state.value.code!!.counter > code.counter, "the big button makes a new code")

            val rows = CatalogueModel(client, DisplayMode(elder = true)).search("社保卡").getOrThrow()
            assertTrue(rows.isNotEmpty() && rows.all { it.title.length <= 6 }, rows.toString())
            val outlets = OutletsModel(client, DistanceUnits("米", "公里")).near(LATITUDE, LONGITUDE, OutletService.APPLY, 5).getOrThrow()
            assertEquals(5, outlets.size)
            assertTrue(outlets.all { it.distance.endsWith("米") || it.distance.endsWith("公里") }, outlets.toString())
        }
    }

    @Test
    fun `the overhead of a trivial call from Kotlin`(): Unit = runBlocking {
        openClient("overhead", language = Language.EN).use { client ->
            fun medianNanos(calls: Int, batches: Int, call: () -> Unit): Double {
                repeat(20_000) { call() } // warm up the JIT and JNA
                val perCall = DoubleArray(batches) {
                    val start = System.nanoTime()
                    repeat(calls / batches) { call() }
                    (System.nanoTime() - start).toDouble() / (calls / batches)
                }
                perCall.sort()
                return perCall[batches / 2]
            }
            val now = medianNanos(100_000, 100) { client.trustedNow() }
            val version = medianNanos(100_000, 100) { libraryVersion() }
            val line = "FFI call overhead from Kotlin (JNA), median of 100 batches of 1,000 calls: " +
                "trusted_now() %.0f ns, library_version() %.0f ns".format(now, version)
            println(line)
            System.getProperty("ecard.benchOut")?.let { File(it).writeText(line + "\n") }
            assertTrue(now < 1_000_000.0, "a trivial call takes well under a millisecond")
        }
    }
}
