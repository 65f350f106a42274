// The app's one ViewModel: opens the client with the Android Keystore,
// keeps the snapshot current from the core's events (account notices are
// shown inline), runs the foreground background work, and hands the
// plain-Kotlin screen models of the library to the screens. Closing it
// closes every library object it holds.
package cn.ecard.app

import android.app.Application
import android.content.Context
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import cn.ecard.android.AndroidHardwareKeyStore
import cn.ecard.android.LogcatLogger
import cn.ecard.ffi.BackgroundSync
import cn.ecard.ffi.EcardClient
import cn.ecard.ffi.EcardEvent
import cn.ecard.ffi.AccountNotice
import cn.ecard.ffi.AccountNoticeKind
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.EventListener
import cn.ecard.ffi.EventSubscription
import cn.ecard.ffi.Language
import cn.ecard.ffi.Snapshot
import cn.ecard.ffi.defaultConfig
import cn.ecard.models.ApplicationsModel
import cn.ecard.models.BirthsModel
import cn.ecard.models.CatalogueModel
import cn.ecard.models.CodeScreenModel
import cn.ecard.models.DevicesModel
import cn.ecard.models.DisplayMode
import cn.ecard.models.DistanceUnits
import cn.ecard.models.EnrolmentModel
import cn.ecard.models.FamilyModel
import cn.ecard.models.LossModel
import cn.ecard.models.Notice
import cn.ecard.models.NoticeKind
import cn.ecard.models.OutletsModel
import cn.ecard.models.noticeText
import cn.ecard.models.toNotice
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import java.io.File
import java.util.Locale

/** The screen models, once the client is open. */
class Screens(
    val client: EcardClient,
    val code: CodeScreenModel,
    val applications: ApplicationsModel,
    val loss: LossModel,
    val family: FamilyModel,
    val enrolment: EnrolmentModel,
    val devices: DevicesModel,
    val births: BirthsModel,
) {
    fun catalogue(display: DisplayMode, units: DistanceUnits = DistanceUnits.SYMBOLS) = CatalogueModel(client, display, units)
    fun outlets(units: DistanceUnits = DistanceUnits.SYMBOLS) = OutletsModel(client, units)
}

class EcardViewModel(application: Application) : AndroidViewModel(application) {
    private val preferences = application.getSharedPreferences("ecard", Context.MODE_PRIVATE)
    private val mutableScreens = MutableStateFlow<Screens?>(null)
    private val mutableSnapshot = MutableStateFlow<Snapshot?>(null)
    private val mutableNotice = MutableStateFlow<Notice?>(null)
    private val mutableDisplay = MutableStateFlow(DisplayMode(elder = preferences.getBoolean("elder", false)))

    val screens: StateFlow<Screens?> = mutableScreens.asStateFlow()
    val snapshot: StateFlow<Snapshot?> = mutableSnapshot.asStateFlow()
    val notice: StateFlow<Notice?> = mutableNotice.asStateFlow()
    val display: StateFlow<DisplayMode> = mutableDisplay.asStateFlow()
    val chinese: Boolean = Locale.getDefault().language != "en"

    /** The face check of this build (the face platform's SDK), for enrolment, PIN reset and consent by face. */
    val faceCheck: FacePlatformCheck = FacePlatformCheck()

    /** The platform scanner of this build (扫一扫), for login QR codes. */
    val scanner: PlatformScanner = PlatformScanner()

    private var subscription: EventSubscription? = null
    private var background: BackgroundSync? = null

    init {
        viewModelScope.launch { open() }
    }

    fun setElderMode(elder: Boolean) {
        preferences.edit().putBoolean("elder", elder).apply()
        mutableDisplay.value = DisplayMode(elder)
    }

    private suspend fun open() {
        LogcatLogger.install()
        val app = getApplication<Application>()
        val config = defaultConfig(File(app.filesDir, "ecard").path, BuildConfig.PLATFORM_URL)
            .copy(language = if (chinese) Language.ZH_CN else Language.EN)
        try {
            val client = EcardClient.open(config, AndroidHardwareKeyStore(app))
            subscription = client.subscribe(object : EventListener {
                // Called on a library thread: only post the work.
                override fun onEvent(event: EcardEvent) {
                    viewModelScope.launch {
                        if (event is EcardEvent.AccountNotice) mutableNotice.value = Notice(noticeWords(event.notice), NoticeKind.INFO)
                        reload()
                    }
                }
            })
            background = client.startBackground(60u)
            mutableScreens.value = Screens(
                client,
                CodeScreenModel(client, viewModelScope),
                ApplicationsModel(client, viewModelScope),
                LossModel(client),
                FamilyModel(client),
                EnrolmentModel(client),
                DevicesModel(client),
                BirthsModel(client),
            )
            reload()
            client.syncCatalogue()
        } catch (error: EcardException) {
            mutableNotice.value = error.toNotice()
        }
    }

    /** An account notice in the app's words, with the device's name when there is one. */
    private fun noticeWords(notice: AccountNotice): String {
        val app = getApplication<Application>()
        val label = { kind: AccountNoticeKind ->
            app.getString(
                when (kind) {
                    AccountNoticeKind.ENROLMENT_REQUESTED -> R.string.notice_enrolment_requested
                    AccountNoticeKind.DEVICE_ENROLLED -> R.string.notice_device_enrolled
                    AccountNoticeKind.DEVICE_UNLINKED -> R.string.notice_device_unlinked
                    AccountNoticeKind.PIN_CHANGED -> R.string.notice_pin_changed
                    AccountNoticeKind.PIN_LOCKED -> R.string.notice_pin_locked
                    AccountNoticeKind.PHONE_CHANGED -> R.string.notice_phone_changed
                },
            )
        }
        return noticeText(notice, label) { text, device -> app.getString(R.string.notice_with_device, text, device) }
    }

    fun reload() {
        val client = mutableScreens.value?.client ?: return
        try {
            mutableSnapshot.value = client.snapshot()
        } catch (error: EcardException) {
            mutableNotice.value = error.toNotice()
        }
    }

    override fun onCleared() {
        subscription?.close()
        background?.close()
        mutableScreens.value?.client?.close()
    }
}
