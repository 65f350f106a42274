// Screen models of the thin apps, in plain Kotlin (coroutines + StateFlow,
// no Android classes): the Compose app wraps each in an androidx ViewModel,
// and the JVM tests run them against a real client. They hold no business
// rules — the core decides what is allowed, what a step is called and what
// an error says; these only keep screen state and turn errors into inline
// notices (elder mode has no pop-ups, so nothing here opens a dialog).
package cn.ecard.models

import cn.ecard.ffi.ApplicationAction
import cn.ecard.ffi.ApplicationFlow
import cn.ecard.ffi.CodeView
import cn.ecard.ffi.Delegation
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.Delivery
import cn.ecard.ffi.EcardClientInterface
import cn.ecard.ffi.EcardException
import cn.ecard.ffi.Evidence
import cn.ecard.ffi.FlowStep
import cn.ecard.ffi.LossFlow
import cn.ecard.ffi.LossKind
import cn.ecard.ffi.NewCardForm
import cn.ecard.ffi.OutletQuery
import cn.ecard.ffi.OutletService
import cn.ecard.ffi.PersonIdentity
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Scope
import cn.ecard.ffi.SearchQuery
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
}

/** What the UI can do about a notice. */
enum class NoticeKind { INFO, RETRY, FIX_INPUT, NOT_ALLOWED, STOPPED, FAULT }

/** A message shown inline on the screen (never a dialog). */
data class Notice(val text: String, val kind: NoticeKind, val field: String? = null, val code: String? = null)

/** The notice for a library error: the text is already in the client's language. */
fun EcardException.toNotice(): Notice = when (this) {
    is EcardException.Network -> Notice(userMessage, NoticeKind.RETRY, code = code)
    is EcardException.NotFound -> Notice(userMessage, NoticeKind.INFO, code = code)
    is EcardException.InvalidInput -> Notice(userMessage, NoticeKind.FIX_INPUT, fieldName.ifEmpty { null }, code)
    is EcardException.NotAllowed -> Notice(userMessage, NoticeKind.NOT_ALLOWED, code = code)
    is EcardException.Revoked -> Notice(userMessage, NoticeKind.STOPPED, code = code)
    is EcardException.Internal -> Notice(userMessage, NoticeKind.FAULT, code = code)
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
    /** `0:45` for a countdown. */
    fun countdown(seconds: Long): String = String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60)

    /** `850 米` / `1.2 公里`, or `850 m` / `1.2 km`. */
    fun distance(metres: Double, chinese: Boolean = true): String = when {
        metres < 1_000 -> String.format(Locale.ROOT, "%d %s", metres.toInt(), if (chinese) "米" else "m")
        else -> String.format(Locale.ROOT, "%.1f %s", metres / 1_000, if (chinese) "公里" else "km")
    }

    /** `¥10.00` from fen. */
    fun fen(amount: UInt): String = String.format(Locale.ROOT, "¥%d.%02d", (amount / 100u).toInt(), (amount % 100u).toInt())
}

/**
 * The code screen: the current code of a card and purpose, a countdown of
 * its seconds left by the trusted clock, a large refresh button, and an
 * automatic refresh when the countdown reaches zero.
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
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

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
                mutable.update { it.copy(code = code, secondsLeft = code.secondsLeft.toLong(), busy = false, notice = null) }
            }
            .onFailure { error ->
                // A stopped card shows no stale code.
                mutable.update { it.copy(code = null, secondsLeft = 0, busy = false, notice = error.notice) }
            }
    }

    /** Recounts the seconds left; refreshes when the code has expired. */
    suspend fun tick() {
        val code = mutable.value.code ?: return
        val left = (code.expiresAt.toLong() - client.trustedNow().toLong()).coerceAtLeast(0)
        mutable.update { it.copy(secondsLeft = left) }
        if (left == 0L && !mutable.value.busy) refreshNow()
    }

    /** Ticks every second while the screen is visible; cancel the job to stop. */
    fun start(): Job = scope.launch {
        if (mutable.value.code == null) refreshNow()
        while (isActive) {
            delay(1_000)
            tick()
        }
    }
}

/** One row of the catalogue list. */
data class CatalogueRow(val id: String, val title: String, val subtitle: String)

/** Catalogue search, offline, in characters or pinyin. */
class CatalogueModel(private val client: EcardClientInterface, private val display: DisplayMode = DisplayMode()) {
    fun search(text: String, limit: Int = 30): Result<List<CatalogueRow>> = try {
        Result.success(
            client.search(SearchQuery(text = text, limit = limit.toUInt())).map { hit ->
                val item = hit.item
                val title = if (display.shortLabels) item.shortLabel else item.name
                CatalogueRow(item.id, title, item.department)
            },
        )
    } catch (error: EcardException) {
        Result.failure(NoticeException(error.toNotice()))
    }
}

/** One row of the outlet list. */
data class OutletRow(val id: String, val name: String, val address: String, val distance: String, val openNow: Boolean)

/** The nearest outlets, offline. */
class OutletsModel(private val client: EcardClientInterface, private val chinese: Boolean = true) {
    fun near(latitude: Double, longitude: Double, service: OutletService? = null, limit: Int = 20): Result<List<OutletRow>> = try {
        Result.success(
            client.nearestOutlets(OutletQuery(latitude, longitude, limit.toUInt(), service, false)).map { hit ->
                OutletRow(hit.outlet.id, hit.outlet.name, hit.outlet.address, Format.distance(hit.distanceMetres, chinese), hit.openNow)
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

    /** Submits a first-card application; on success the list is reloaded. */
    suspend fun applyForCard(personId: String?, photo: ByteArray, bank: String, phone: String, delivery: Delivery): String? {
        val submission = run { client.submitApplication(NewCardForm(personId, photo, bank, phone, delivery), null) } ?: return null
        reload()
        return submission.applicationId
    }

    /** Does what a flow's button offers. */
    suspend fun act(flow: ApplicationFlow, action: ApplicationAction) {
        val id = flow.application.applicationId
        run {
            when (action) {
                ApplicationAction.PAY -> client.pay(id, flow.application.feeFen)
                ApplicationAction.CANCEL -> client.cancelApplication(id)
                ApplicationAction.CONFIRM_RECEIPT -> client.confirmReceipt(id)
                ApplicationAction.ACTIVATE -> client.activateCard(flow.application.cardId ?: return@run null)
                ApplicationAction.RESUBMIT_PHOTO -> null
            }
        }
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

    suspend fun release(cardId: String) {
        val result = attempt { client.releaseLoss(cardId) }
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

    /** A guardian mandate for a child, with the birth certificate or household register. */
    suspend fun requestGuardian(child: PersonIdentity, evidenceKind: String, evidenceNumber: String): String? =
        request(DelegationKind.GUARDIAN, child, Evidence(evidenceKind, evidenceNumber), listOf(Scope.APPLY, Scope.TRACK, Scope.SHOW_CODE, Scope.REPORT_LOSS))

    /** A family-proxy mandate for a relative, who then consents. */
    suspend fun requestProxy(relative: PersonIdentity): String? =
        request(DelegationKind.FAMILY_PROXY, relative, null, listOf(Scope.SHOW_CODE, Scope.TRACK, Scope.REPORT_LOSS))

    private suspend fun request(kind: DelegationKind, person: PersonIdentity, evidence: Evidence?, scopes: List<Scope>): String? {
        val result = attempt { client.requestMandate(kind, person, evidence, scopes, null) }
        reload()
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
        return result.getOrNull()?.delegationId
    }
}
