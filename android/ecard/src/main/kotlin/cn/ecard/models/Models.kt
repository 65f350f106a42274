// Screen models of the thin apps, in plain Kotlin (coroutines + StateFlow,
// no Android classes): the Compose app wraps each in an androidx ViewModel,
// and the JVM tests run them against a real client. They hold no business
// rules — the core decides what is allowed, what a step is called and what
// an error says; these only keep screen state and turn errors into inline
// notices (elder mode has no pop-ups, so nothing here opens a dialog).
package cn.ecard.models

import cn.ecard.ffi.AccountNotice
import cn.ecard.ffi.AccountNoticeKind
import cn.ecard.ffi.AppAction
import cn.ecard.ffi.ApplicationAction
import cn.ecard.ffi.ApplicationFlow
import cn.ecard.ffi.ApplicationState
import cn.ecard.ffi.BirthFlow
import cn.ecard.ffi.BirthForm
import cn.ecard.ffi.CatalogueItem
import cn.ecard.ffi.CodeCountdown
import cn.ecard.ffi.CodeView
import cn.ecard.ffi.Delegation
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.Delivery
import cn.ecard.ffi.DeviceView
import cn.ecard.ffi.EcardClientInterface
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.EnrolmentProgress
import cn.ecard.ffi.EnrolmentRequestView
import cn.ecard.ffi.ErrorAction
import cn.ecard.ffi.Evidence
import cn.ecard.ffi.FaceCheck
import cn.ecard.ffi.FlowStep
import cn.ecard.ffi.Language
import cn.ecard.ffi.LossFlow
import cn.ecard.ffi.Location
import cn.ecard.ffi.LossKind
import cn.ecard.ffi.NewCardForm
import cn.ecard.ffi.OutletQuery
import cn.ecard.ffi.OutletService
import cn.ecard.ffi.PersonIdentity
import cn.ecard.ffi.RegionalRules
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Relationship
import cn.ecard.ffi.Scope
import cn.ecard.ffi.SearchHit
import cn.ecard.ffi.SearchQuery
import cn.ecard.ffi.Session
import cn.ecard.ffi.codeCountdown
import cn.ecard.ffi.countdownNeedsRefresh
import cn.ecard.ffi.countdownSecondsLeft
import cn.ecard.ffi.countdownText
import cn.ecard.ffi.errorAction
import cn.ecard.ffi.errorCategory
import cn.ecard.ffi.formatFen
import cn.ecard.ffi.purposeLabel
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import java.util.Locale

/** Sizes the screens read; elder mode (适老化) follows the MIIT rules. */
data class DisplayMode(val elder: Boolean = false) {
    /** Body text size in sp (elder mode: at least 18). */
    val bodySp: Int get() = if (elder) 20 else 16
    /** Title text size in sp. */
    val titleSp: Int get() = if (elder) 26 else 20
    /** Smallest touch target in dp (elder mode: at least 60). */
    val touchTargetDp: Int get() = if (elder) 64 else 48
    /** Whether lists show the catalogue's short elder-mode labels. */
    val shortLabels: Boolean get() = elder
    /** Side of a PIN-pad key in dp (at least 60 in either mode: the pad is used by everyone). */
    val pinKeyDp: Int get() = if (elder) 72 else 60
    /** Size of a PIN-pad digit in sp. */
    val pinDigitSp: Int get() = if (elder) 32 else 26
}

/** What the UI can do about a notice. */
enum class NoticeKind { INFO, RETRY, FIX_INPUT, NOT_ALLOWED, STOPPED, FAULT }

/**
 * A message shown inline on the screen (never a dialog), with the way forward the core chose for
 * its error ([action]; caption: `errorActionLabel(action, language)`).
 */
data class Notice(
    val text: String,
    val kind: NoticeKind,
    val field: String? = null,
    val code: String? = null,
    val action: ErrorAction = ErrorAction.NONE,
)

/** The notice for a library error: the text is already in the client's language, the action the core's. */
fun EcardException.toNotice(): Notice {
    val notice = when (this) {
        is EcardException.Network -> Notice(userMessage, NoticeKind.RETRY, code = code)
        is EcardException.NotFound -> Notice(userMessage, NoticeKind.INFO, code = code)
        is EcardException.InvalidInput -> Notice(userMessage, NoticeKind.FIX_INPUT, fieldName.ifEmpty { null }, code)
        is EcardException.NotAllowed -> Notice(userMessage, NoticeKind.NOT_ALLOWED, code = code)
        is EcardException.Revoked -> Notice(userMessage, NoticeKind.STOPPED, code = code)
        is EcardException.Internal -> Notice(userMessage, NoticeKind.FAULT, code = code)
    }
    return notice.copy(action = errorAction(errorCategory(this), notice.code ?: ""))
}

/** Runs a library call, returning its value or the notice of its error. */
internal suspend fun <T> attempt(call: suspend () -> T): Result<T> = try {
    Result.success(call())
} catch (error: EcardException) {
    Result.failure(NoticeException(error.toNotice()))
}

/** Carries a notice through `Result`. */
class NoticeException(val notice: Notice) : Exception(notice.text)

internal val Throwable.notice: Notice
    get() = (this as? NoticeException)?.notice ?: Notice(message ?: "", NoticeKind.FAULT)

/** Texts the screens format from numbers. */
object Format {
    /** `0:45` for a countdown (the core's format). */
    fun countdown(seconds: Long): String = countdownText(seconds.coerceAtLeast(0).toULong())

    /** `850 m` / `1.2 km`, with the app's words for the units (its string resources: 米 / 公里 in zh-CN). */
    fun distance(metres: Double, units: DistanceUnits = DistanceUnits.SYMBOLS): String = when {
        metres < 1_000 -> String.format(Locale.ROOT, "%d %s", metres.toInt(), units.metre)
        else -> String.format(Locale.ROOT, "%.1f %s", metres / 1_000, units.kilometre)
    }

    /** `¥10.00` from fen (the core's format). */
    fun fen(amount: UInt): String = formatFen(amount)
}

/**
 * The code screen: the current code of a card and purpose, a countdown of
 * its seconds left by the platform's clock (the core's [CodeCountdown]), a
 * large refresh button, and an automatic refresh a few seconds before the
 * code expires, as on every platform.
 */
class CodeScreenModel(private val client: EcardClientInterface, private val scope: CoroutineScope) {
    /** What the screen shows. */
    data class State(
        val purpose: Purpose = Purpose.TRANSPORT,
        val cardId: String? = null,
        val code: CodeView? = null,
        val secondsLeft: Long = 0,
        val busy: Boolean = false,
        val notice: Notice? = null,
        /** The countdown of [code], from when it arrived. */
        val countdown: CodeCountdown? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    /** The language of labels (the client's). */
    val language: Language get() = client.language()

    /** What a purpose's code is called, from the core (乘车码, "Transport", …). */
    fun purposeName(purpose: Purpose): String = purposeLabel(purpose, language)

    /** Chooses the purpose and card (null: the holder's own card) and refreshes. */
    fun select(purpose: Purpose, cardId: String? = null): Job {
        mutable.update { it.copy(purpose = purpose, cardId = cardId, code = null, secondsLeft = 0) }
        return refresh()
    }

    /** The big refresh button. */
    fun refresh(): Job = scope.launch { refreshNow() }

    /** Makes a new code now. */
    suspend fun refreshNow() {
        val wanted = mutable.value
        mutable.update { it.copy(busy = true) }
        attempt { client.currentCode(wanted.cardId, wanted.purpose) }
            .onSuccess { code ->
                val countdown = codeCountdown(code, localNow())
                mutable.update {
                    it.copy(code = code, secondsLeft = code.secondsLeft.toLong(), busy = false, notice = null, countdown = countdown)
                }
            }
            .onFailure { error ->
                // A stopped card shows no stale code.
                mutable.update { it.copy(code = null, secondsLeft = 0, busy = false, notice = error.notice, countdown = null) }
            }
    }

    /** Recounts the seconds left; refreshes a few seconds before the code expires. */
    suspend fun tick() {
        val countdown = mutable.value.countdown ?: return
        val now = localNow()
        mutable.update { it.copy(secondsLeft = countdownSecondsLeft(countdown, now).toLong()) }
        if (countdownNeedsRefresh(countdown, now) && !mutable.value.busy) refreshNow()
    }

    private fun localNow(): ULong = (System.currentTimeMillis() / 1_000).toULong()

    /** Ticks every second while the screen is visible; cancel the job to stop. */
    fun start(): Job = scope.launch {
        if (mutable.value.code == null) refreshNow()
        while (isActive) {
            delay(1_000)
            tick()
        }
    }
}

/** One row of the catalogue list: a hit, its national twin (if folded into it) and what the app does for it. */
data class CatalogueRow(
    val id: String,
    val title: String,
    val subtitle: String,
    /** The national item folded into this provincial hit, opened with [CatalogueModel.item]. */
    val twin: String? = null,
    /** What the app does for the item (its action button), if anything. */
    val action: AppAction? = null,
)

/** What a search that found nothing offers instead of an empty screen. */
data class SearchHelpView(val closest: List<CatalogueRow>, val outlets: List<OutletRow>, val hotline: String)

/** The app's screens an item's action opens; [DETAILS] when the app has none for it. */
enum class AppScreen { CODE, CARD_SERVICES, OUTLETS, FAMILY, DETAILS }

/** Where an item's app action leads: the app's existing screen for that workflow, else the item's details. */
fun appScreen(action: AppAction?): AppScreen = when (action) {
    AppAction.SHOW_CODE -> AppScreen.CODE
    AppAction.APPLY_FOR_CARD, AppAction.REPLACE_CARD, AppAction.CHANGE_BANK, AppAction.REPORT_LOSS,
    AppAction.RELEASE_LOSS, AppAction.ACTIVATE_SOCIAL_FUNCTION, AppAction.TRACK_PRODUCTION,
    -> AppScreen.CARD_SERVICES
    AppAction.APPLY_FOR_NEWBORN_CARD, AppAction.ACT_FOR_FAMILY -> AppScreen.FAMILY
    AppAction.FIND_OUTLET -> AppScreen.OUTLETS
    // No PIN screen in the app yet; the e-card itself is what enrolment made.
    AppAction.CHANGE_PIN, AppAction.APPLY_FOR_ELECTRONIC_CARD, null -> AppScreen.DETAILS
}

/** Catalogue search, offline, in characters or pinyin; help when nothing matches. */
class CatalogueModel(
    private val client: EcardClientInterface,
    private val display: DisplayMode = DisplayMode(),
    private val units: DistanceUnits = DistanceUnits.SYMBOLS,
    /** The division to search in (the resident's district), or every list when null. */
    private val region: String? = null,
) {
    private fun row(item: CatalogueItem, twins: List<String> = emptyList()): CatalogueRow {
        val title = if (display.shortLabels) item.shortLabel else item.name
        return CatalogueRow(item.id, title, item.department, twins.firstOrNull(), item.appAction)
    }

    private fun row(hit: SearchHit): CatalogueRow = row(hit.item, hit.twins)

    fun search(text: String, limit: Int = 30): Result<List<CatalogueRow>> = try {
        Result.success(client.search(SearchQuery(text = text, region = region, limit = limit.toUInt())).map(::row))
    } catch (error: EcardException) {
        Result.failure(NoticeException(error.toNotice()))
    }

    /**
     * When [search] found nothing: the closest items, the nearest outlets that
     * handle them (only when the screen knows where the phone is) and the hotline.
     */
    fun help(text: String, near: Location? = null, limit: Int = 5): Result<SearchHelpView> = try {
        val help = client.searchHelp(SearchQuery(text = text, region = region, limit = limit.toUInt()), near)
        Result.success(
            SearchHelpView(
                help.closest.map(::row),
                help.outlets.map { hit ->
                    OutletRow(hit.outlet.id, hit.outlet.name, hit.outlet.address, Format.distance(hit.distanceMetres, units), hit.openNow)
                },
                help.hotline,
            ),
        )
    } catch (error: EcardException) {
        Result.failure(NoticeException(error.toNotice()))
    }

    /** One cached item by id (a hit's national twin), or null. */
    fun item(id: String): Result<CatalogueRow?> = try {
        Result.success(client.catalogueItem(id)?.let { row(it) })
    } catch (error: EcardException) {
        Result.failure(NoticeException(error.toNotice()))
    }
}

/** The words for a distance's units: the app passes its own (string resources); the symbols otherwise. */
data class DistanceUnits(val metre: String, val kilometre: String) {
    companion object {
        /** `m` and `km`, the same in every language. */
        val SYMBOLS = DistanceUnits("m", "km")
    }
}

/** One row of the outlet list ([instantIssue]: the outlet makes cards on the spot, 即时制卡). */
data class OutletRow(
    val id: String,
    val name: String,
    val address: String,
    val distance: String,
    val openNow: Boolean,
    val instantIssue: Boolean = false,
)

/** The nearest outlets, offline. */
class OutletsModel(private val client: EcardClientInterface, private val units: DistanceUnits = DistanceUnits.SYMBOLS) {
    fun near(latitude: Double, longitude: Double, service: OutletService? = null, limit: Int = 20): Result<List<OutletRow>> = try {
        Result.success(
            client.nearestOutlets(OutletQuery(latitude, longitude, limit.toUInt(), service, false)).map { hit ->
                OutletRow(
                    hit.outlet.id,
                    hit.outlet.name,
                    hit.outlet.address,
                    Format.distance(hit.distanceMetres, units),
                    hit.openNow,
                    OutletService.INSTANT_ISSUE in hit.outlet.services,
                )
            },
        )
    } catch (error: EcardException) {
        Result.failure(NoticeException(error.toNotice()))
    }
}

/** Applications (申领, 补换) and their progress (制卡进度). */
class ApplicationsModel(private val client: EcardClientInterface, private val scope: CoroutineScope) {
    data class State(val flows: List<ApplicationFlow> = emptyList(), val busy: Boolean = false, val notice: Notice? = null)

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    private suspend fun <T> run(call: suspend () -> T): T? {
        mutable.update { it.copy(busy = true, notice = null) }
        val result = attempt(call)
        mutable.update { it.copy(busy = false, notice = result.exceptionOrNull()?.notice) }
        return result.getOrNull()
    }

    /** Re-reads every application. */
    suspend fun reload() {
        run { client.applications() }?.let { flows -> mutable.update { it.copy(flows = flows) } }
    }

    /**
     * Submits a first-card application; on success the list is reloaded. [instantIssue] (即时制卡)
     * only with pickup at an outlet that makes cards on the spot, where [instantIssueOffered].
     */
    suspend fun applyForCard(
        personId: String?,
        photo: ByteArray,
        bank: String,
        phone: String,
        delivery: Delivery,
        instantIssue: Boolean = false,
    ): String? {
        val form = NewCardForm(personId, photo, bank, phone, delivery, instantIssue)
        val submission = run { client.submitApplication(form, null) } ?: return null
        reload()
        return submission.applicationId
    }

    /** Whether the region's rules offer instant issue at outlets (即时制卡). */
    fun instantIssueOffered(): Boolean = runCatching { client.rules()?.instantIssue?.offered }.getOrNull() ?: false

    /**
     * Whether an application waits at the outlet to be made on the spot (即时制卡): the screen says
     * "go to the outlet" instead of production days.
     */
    fun waitsAtOutlet(flow: ApplicationFlow): Boolean =
        flow.application.instantIssue && flow.application.state in setOf(ApplicationState.SUBMITTED, ApplicationState.PAID)

    /** Does what a flow's button offers. */
    suspend fun act(flow: ApplicationFlow, action: ApplicationAction) {
        // The core decides what each action calls (the amount the step asks for, the card produced).
        if (action != ApplicationAction.RESUBMIT_PHOTO) run { client.act(flow, action, null) }
        reload()
    }

    /** The amount due when a flow waits for payment. */
    fun amountDue(flow: ApplicationFlow): UInt? = (flow.step as? FlowStep.Pay)?.amountFen

    fun launchReload(): Job = scope.launch { reload() }
}

/** Loss reports (挂失/解挂) of one card. */
class LossModel(private val client: EcardClientInterface) {
    data class State(val flow: LossFlow? = null, val notice: Notice? = null)

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    fun load(cardId: String) {
        try {
            mutable.value = State(flow = client.lossFlow(cardId))
        } catch (error: EcardException) {
            mutable.value = State(notice = error.toNotice())
        }
    }

    suspend fun report(cardId: String, kind: LossKind) {
        val result = attempt { client.reportLoss(cardId, kind) }
        load(cardId)
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /** Releases the report online (解挂) with the e-card PIN from the [PinPad]. */
    suspend fun release(cardId: String, pin: String) {
        val result = attempt { client.releaseLoss(cardId, pin) }
        load(cardId)
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
    }
}

/** Family: guardianship of a child, acting for an elderly relative. */
class FamilyModel(private val client: EcardClientInterface) {
    data class State(val mandates: List<Delegation> = emptyList(), val notice: Notice? = null)

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    suspend fun reload() {
        attempt { client.mandates() }
            .onSuccess { mandates -> mutable.value = State(mandates = mandates) }
            .onFailure { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /** A guardian mandate for a child, with the birth certificate or household register, and the e-card PIN. */
    suspend fun requestGuardian(child: PersonIdentity, evidenceKind: String, evidenceNumber: String, pin: String): String? =
        request(DelegationKind.GUARDIAN, child, Evidence(evidenceKind, evidenceNumber), null, listOf(Scope.APPLY, Scope.TRACK, Scope.SHOW_CODE, Scope.REPORT_LOSS), pin)

    /**
     * A family-proxy mandate for a relative, declaring how they are related, with the e-card PIN; the relative then
     * consents. It covers showing their code, following and reporting loss, and the self-service a helper does for an
     * elder: 为家人认证 (eligibility) and their records and certificates.
     */
    suspend fun requestProxy(relative: PersonIdentity, relationship: Relationship, pin: String): String? =
        request(
            DelegationKind.FAMILY_PROXY, relative, null, relationship,
            listOf(Scope.SHOW_CODE, Scope.TRACK, Scope.REPORT_LOSS, Scope.ELIGIBILITY, Scope.RECORDS), pin,
        )

    /** The relative, in front of this phone, consents by a face check (足不出户). */
    suspend fun consentByFace(delegationId: String, relative: PersonIdentity, face: FaceCheck) {
        val result = attempt { client.consentMandateByFace(delegationId, relative, face) }
        reload()
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /**
     * As a ward's guardian: allows (or withdraws) the e-card on the child's own phone, with the
     * guardian's e-card PIN; the mandate then shows it in `wardECardSince`.
     */
    suspend fun setWardECard(delegationId: String, allowed: Boolean, pin: String): Boolean {
        val result = attempt { client.setWardECard(delegationId, allowed, pin) }
        reload()
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
        return result.isSuccess
    }

    /** As a ward's guardian: sets the child's e-card PIN ([newPin]), confirmed with the guardian's own [pin]. */
    suspend fun setWardPin(delegationId: String, newPin: String, pin: String): Boolean {
        val result = attempt { client.setWardPin(delegationId, newPin, pin) }
        mutable.update { it.copy(notice = result.exceptionOrNull()?.notice) }
        return result.isSuccess
    }

    private suspend fun request(
        kind: DelegationKind,
        person: PersonIdentity,
        evidence: Evidence?,
        relationship: Relationship?,
        scopes: List<Scope>,
        pin: String,
    ): String? {
        val result = attempt { client.requestMandate(kind, person, evidence, scopes, null, relationship, pin) }
        reload()
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
        return result.getOrNull()?.delegationId
    }
}

/**
 * 出生一件事: the parent's one form (birth registration and the newborn's card) and the births
 * filed, each with one progress line whose labels come from the core. Where the region does not
 * take it in one submission ([oneSubmission] false) the screen explains instead: register the
 * birth first, then apply.
 */
class BirthsModel(private val client: EcardClientInterface) {
    data class State(val births: List<BirthFlow> = emptyList(), val busy: Boolean = false, val notice: Notice? = null)

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    private fun rules(): RegionalRules? = runCatching { client.rules() }.getOrNull()

    /** Whether the region takes the birth registration and the card in one submission. */
    fun oneSubmission(): Boolean = rules()?.newborn?.oneSubmission ?: false

    /** Children under this age (years) need no card photo; 0 when every child needs one. */
    fun photoExemptUnderAge(): UInt = rules()?.newborn?.photoExemptUnderAge ?: 0u

    /** Re-reads the births. */
    suspend fun reload() {
        attempt { client.births() }
            .onSuccess { births -> mutable.update { it.copy(births = births, notice = null) } }
            .onFailure { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /** Files the one form; on success the births are reloaded. Returns whether it was accepted. */
    suspend fun register(form: BirthForm): Boolean {
        mutable.update { it.copy(busy = true, notice = null) }
        val result = attempt { client.registerBirth(form) }
        mutable.update { it.copy(busy = false, notice = result.exceptionOrNull()?.notice) }
        if (result.isSuccess) reload()
        return result.isSuccess
    }
}

/**
 * What to tell the person about an account notice: [label] is the app's words for its kind (its
 * string resources, in the app's language) and [withDevice] adds the device's name when there is
 * one (e.g. `%1$s：%2$s` in zh-CN, `%1$s: %2$s` in English).
 */
fun noticeText(
    notice: AccountNotice,
    label: (AccountNoticeKind) -> String,
    withDevice: (text: String, device: String) -> String = { text, device -> "$text: $device" },
): String {
    val text = label(notice.kind)
    val device = notice.deviceName ?: return text
    return withDevice(text, device)
}

/** The relationships a family proxy may declare, in the order a picker shows them (the app labels them). */
val RELATIONSHIPS: List<Relationship> = listOf(
    Relationship.CHILD,
    Relationship.SPOUSE,
    Relationship.PARENT,
    Relationship.GRANDCHILD,
    Relationship.SIBLING,
    Relationship.OTHER_RELATIVE,
)

/**
 * The PIN pad (电子社保卡密码): six digits from large keys, shown as dots.
 * The digits stay in this object until [take] hands them to the one call
 * that needs them, and are cleared then; nothing stores the PIN.
 */
class PinPad(val length: Int = 6) {
    /** What the pad shows: how many dots, and whether the PIN is complete. */
    data class State(val entered: Int = 0, val complete: Boolean = false)

    private val digits = StringBuilder()
    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    /** Appends a digit (ignored once complete or for anything but 0–9). */
    fun press(digit: Char) {
        if (digit in '0'..'9' && digits.length < length) digits.append(digit)
        publish()
    }

    /** Removes the last digit. */
    fun delete() {
        if (digits.isNotEmpty()) digits.setLength(digits.length - 1)
        publish()
    }

    /** Empties the pad (after a wrong PIN, or when the screen goes). */
    fun clear() {
        digits.setLength(0)
        publish()
    }

    /** The PIN once complete, emptying the pad; null before. */
    fun take(): String? {
        if (digits.length < length) return null
        val pin = digits.toString()
        clear()
        return pin
    }

    private fun publish() {
        mutable.value = State(digits.length, digits.length == length)
    }

    companion object {
        /** The keys in reading order, three to a row; "" is an empty cell, "⌫" deletes. */
        val KEYS: List<String> = listOf("1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", "⌫")
    }
}

/**
 * Enrolment (开通电子社保卡): who the person is, the face check, then the
 * code texted to the phone on record (or another device's approval) and,
 * for a new account, the e-card PIN. The core and the platform decide;
 * this keeps the step and the notice.
 */
class EnrolmentModel(private val client: EcardClientInterface) {
    enum class Step { IDENTITY, FACE_CHECK, CODE_AND_PIN, DONE }

    data class State(
        val step: Step = Step.IDENTITY,
        val progress: EnrolmentProgress? = null,
        val session: Session? = null,
        val busy: Boolean = false,
        val notice: Notice? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    private suspend fun <T> run(call: suspend () -> T): Result<T> {
        mutable.update { it.copy(busy = true, notice = null) }
        val result = attempt(call)
        mutable.update { it.copy(busy = false, notice = result.exceptionOrNull()?.notice) }
        return result
    }

    /** Step 1: the name and document number (checked locally first). */
    suspend fun begin(identity: PersonIdentity) {
        run { client.beginEnrolment(identity) }.onSuccess { progress ->
            mutable.update { it.copy(step = Step.FACE_CHECK, progress = progress) }
        }
    }

    /** Step 2: the face check. A refused identity starts over; a cancelled capture may be retried. */
    suspend fun checkFace(face: FaceCheck) {
        run { client.confirmPresence(face) }
            .onSuccess { progress -> mutable.update { it.copy(step = Step.CODE_AND_PIN, progress = progress) } }
            .onFailure { error ->
                if (error.notice.kind == NoticeKind.FIX_INPUT) mutable.update { it.copy(step = Step.IDENTITY, progress = null) }
            }
    }

    /** Step 3: the texted code (null after another device approved) and, when asked for, the new PIN. */
    suspend fun complete(code: String?, pin: String?) {
        run { client.completeEnrolment(code?.trim()?.ifEmpty { null }, pin) }.onSuccess { session ->
            mutable.update { it.copy(step = Step.DONE, session = session) }
        }
    }

    /** Back to the first step. */
    fun restart() {
        mutable.value = State()
    }
}

/**
 * Devices where this e-card is signed in (设备管理), with unlinking, and new
 * devices waiting for this one's approval. Both acts take the e-card PIN.
 */
class DevicesModel(private val client: EcardClientInterface) {
    data class State(
        val devices: List<DeviceView> = emptyList(),
        val requests: List<EnrolmentRequestView> = emptyList(),
        val notice: Notice? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    /** Re-reads both lists. */
    suspend fun reload() {
        attempt { client.devices() to client.enrolmentRequests() }
            .onSuccess { (devices, requests) -> mutable.value = State(devices, requests) }
            .onFailure { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /** Unlinks a device (解除关联) with the PIN. */
    suspend fun unlink(deviceId: String, pin: String) = act { client.unlinkDevice(deviceId, pin) }

    /** Approves a new device with the PIN. */
    suspend fun approve(enrolmentId: String, pin: String) = act { client.approveEnrolment(enrolmentId, pin) }

    private suspend fun act(call: suspend () -> Unit): Boolean {
        val result = attempt(call)
        reload()
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
        return result.isSuccess
    }
}
