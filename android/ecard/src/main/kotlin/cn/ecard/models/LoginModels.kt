// Screen models of 扫一扫 (scan), 扫码登录 (the login consent screen), 我的授权
// (authorisations) and 谁查看了我的信息 (access records), in plain Kotlin. As
// the other models they hold no rule of their own: the core classifies a scan,
// answers the relying party's registered name and decides every approval;
// these keep screen state, count down to the request's expiry on the
// platform's clock and sort lists for display. Words come from the app's
// string resources, keyed by the enums below.
package cn.ecard.models

import cn.ecard.ffi.AccessRecord
import cn.ecard.ffi.AccessReportReason
import cn.ecard.ffi.Authorisation
import cn.ecard.ffi.ClaimScope
import cn.ecard.ffi.Delegation
import cn.ecard.ffi.DelegationStatus
import cn.ecard.ffi.EcardClientInterface
import cn.ecard.ffi.LoginRequestStatus
import cn.ecard.ffi.LoginRequestView
import cn.ecard.ffi.ScanKind
import cn.ecard.ffi.ScanResult
import cn.ecard.ffi.Scope
import cn.ecard.ffi.classifyScan
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId

/** Where a scan leads. */
sealed interface ScanRoute {
    /** A login QR code: open the consent screen for [requestId]. */
    data class Login(val requestId: String) : ScanRoute

    /** Someone's e-card code: a notice that it is shown to staff, not scanned by a phone. */
    data object ECardCode : ScanRoute

    /** Not something this app can use (or a damaged login code): a plain error. */
    data object NotRecognised : ScanRoute
}

/** The route for a classified scan (the core's [classifyScan]). */
fun scanRoute(result: ScanResult): ScanRoute = when (result.kind) {
    ScanKind.LOGIN -> result.loginRequestId?.let { ScanRoute.Login(it) } ?: ScanRoute.NotRecognised
    ScanKind.E_CARD_CODE -> ScanRoute.ECardCode
    ScanKind.MALFORMED_LOGIN, ScanKind.UNKNOWN -> ScanRoute.NotRecognised
}

/** The route for the text the platform scanner read. Pure: safe on the main thread. */
fun routeScan(text: String): ScanRoute = scanRoute(classifyScan(text))

/**
 * What the consent screen lists a relying party asks for, in plain words (string resources
 * `login_claim_*`: 姓名, 身份证号, 社保卡状态, and 只确认是您本人 when it asks for nothing more).
 */
enum class ClaimLabel { NAME, ID_NUMBER, SOCIAL_SECURITY_CARD, ONLY_WHO_YOU_ARE }

/** The plain-word claims of [scopes], in a fixed order, without repeats. */
fun claimLabels(scopes: List<ClaimScope>): List<ClaimLabel> {
    val labels = scopes.mapNotNull { scope ->
        when (scope) {
            ClaimScope.OPENID -> null
            ClaimScope.PROFILE -> ClaimLabel.NAME
            ClaimScope.ID_NUMBER -> ClaimLabel.ID_NUMBER
            ClaimScope.SOCIAL_SECURITY -> ClaimLabel.SOCIAL_SECURITY_CARD
        }
    }.distinct().sortedBy { it.ordinal }
    return labels.ifEmpty { listOf(ClaimLabel.ONLY_WHO_YOU_ARE) }
}

/** Whole seconds until [expiresAt] at the platform's time [now] (never negative). */
fun secondsUntil(expiresAt: ULong, now: ULong): Long =
    if (expiresAt > now) (expiresAt - now).toLong() else 0L

/**
 * The mandates this account may log in under for a relative (为家人登录): active, carrying the
 * `login` scope, and held by this account (not ones where this person is the principal).
 */
fun loginMandates(mandates: List<Delegation>, accountId: String?): List<Delegation> =
    mandates.filter { mandate ->
        mandate.status == DelegationStatus.ACTIVE &&
            Scope.LOGIN in mandate.scopes &&
            (accountId == null || mandate.agentAccountId == accountId)
    }

/**
 * The login consent screen: the relying party's **registered** name and kind (from the platform,
 * never from the QR code), the claims in plain words, a countdown to the request's expiry, the
 * optional 为家人登录 choice, and approve (with the e-card PIN) or deny — one action per screen.
 */
class LoginModel(private val client: EcardClientInterface) {
    /** How the request ended on this screen. */
    enum class Outcome { APPROVED, DENIED, EXPIRED }

    data class State(
        val request: LoginRequestView? = null,
        val claims: List<ClaimLabel> = emptyList(),
        /** Mandates the person may log in under for a relative; empty hides the choice. */
        val mandates: List<Delegation> = emptyList(),
        /** The chosen mandate, or null to log in as oneself. */
        val onBehalfOf: String? = null,
        val secondsLeft: Long = 0,
        val busy: Boolean = false,
        val outcome: Outcome? = null,
        val notice: Notice? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    /** Loads the request a scan named, and the mandates to offer; returns whether it can be decided. */
    suspend fun open(requestId: String): Boolean {
        mutable.value = State(busy = true)
        val loaded = attempt { client.loginRequest(requestId) }
        val request = loaded.getOrElse { error ->
            mutable.value = State(notice = error.notice)
            return false
        }
        val mandates = attempt { client.mandates() }.getOrDefault(emptyList())
        val accountId = runCatching { client.session()?.accountId }.getOrNull()
        val outcome = when (request.status) {
            LoginRequestStatus.PENDING -> null
            LoginRequestStatus.APPROVED, LoginRequestStatus.COMPLETED -> Outcome.APPROVED
            LoginRequestStatus.DENIED -> Outcome.DENIED
            LoginRequestStatus.EXPIRED -> Outcome.EXPIRED
        }
        mutable.value = State(
            request = request,
            claims = claimLabels(request.scopes),
            mandates = loginMandates(mandates, accountId),
            secondsLeft = secondsUntil(request.expiresAt, client.trustedNow()),
            outcome = outcome,
        )
        tick()
        return outcome == null && mutable.value.outcome == null
    }

    /** Updates the countdown from the platform's clock; an expired request cannot be approved. */
    fun tick() {
        val request = mutable.value.request ?: return
        val left = secondsUntil(request.expiresAt, client.trustedNow())
        mutable.update {
            it.copy(secondsLeft = left, outcome = it.outcome ?: if (left == 0L) Outcome.EXPIRED else null)
        }
    }

    /** Logs in for the relative of [delegationId] (null: as oneself). */
    fun chooseOnBehalfOf(delegationId: String?) {
        mutable.update { state ->
            state.copy(onBehalfOf = delegationId?.takeIf { id -> state.mandates.any { it.delegationId == id } })
        }
    }

    /** Approves with the e-card PIN. Returns whether it was approved. */
    suspend fun approve(pin: String): Boolean = decide { request ->
        client.approveLogin(request.requestId, pin, mutable.value.onBehalfOf)
        Outcome.APPROVED
    }

    /** Denies the request. */
    suspend fun deny(): Boolean = decide { request ->
        client.denyLogin(request.requestId)
        Outcome.DENIED
    }

    private suspend fun decide(call: suspend (LoginRequestView) -> Outcome): Boolean {
        val request = mutable.value.request ?: return false
        if (mutable.value.outcome != null) return false
        mutable.update { it.copy(busy = true, notice = null) }
        val result = attempt { call(request) }
        mutable.update { it.copy(busy = false, outcome = result.getOrNull(), notice = result.exceptionOrNull()?.notice) }
        return result.isSuccess
    }
}

/** 我的授权 as the screen lists it: the ones in force first, newest first; revoked ones after. */
data class AuthorisationList(val active: List<Authorisation>, val revoked: List<Authorisation>)

/** Sorts authorisations for the list. */
fun authorisationList(authorisations: List<Authorisation>): AuthorisationList {
    val (revoked, active) = authorisations
        .sortedWith(compareByDescending<Authorisation> { it.authorisedAt }.thenBy { it.authorisationId })
        .partition { it.revokedAt != null }
    return AuthorisationList(active, revoked)
}

/** 我的授权: the logins approved with this e-card, with revoking. */
class AuthorisationsModel(private val client: EcardClientInterface) {
    data class State(val list: AuthorisationList = AuthorisationList(emptyList(), emptyList()), val notice: Notice? = null)

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    /** Re-reads the list. */
    suspend fun reload() {
        attempt { client.authorisations() }
            .onSuccess { list -> mutable.value = State(authorisationList(list)) }
            .onFailure { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /** Revokes one: the relying party's tokens stop at once. */
    suspend fun revoke(authorisationId: String): Boolean {
        val result = attempt { client.revokeAuthorisation(authorisationId) }
        reload()
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
        return result.isSuccess
    }
}

/** One day of access records, newest first. */
data class AccessRecordDay(val date: LocalDate, val records: List<AccessRecord>)

/** Access records grouped by their day in [zone] (China time by default), newest day first. */
fun accessRecordDays(records: List<AccessRecord>, zone: ZoneId = ZoneId.of("Asia/Shanghai")): List<AccessRecordDay> =
    records
        .sortedWith(compareByDescending<AccessRecord> { it.at }.thenByDescending { it.recordId })
        .groupBy { Instant.ofEpochSecond(it.at.toLong()).atZone(zone).toLocalDate() }
        .map { (date, day) -> AccessRecordDay(date, day) }

/**
 * 谁查看了我的信息: who looked up the person's code, of what kind, where, when, for what and
 * which fields they learnt, page by page (shown from the cache when offline), with the
 * 这不是我 report (a reason and an optional note, sent through the outbox).
 */
class AccessRecordsModel(private val client: EcardClientInterface, private val personId: String? = null) {
    data class State(
        val records: List<AccessRecord> = emptyList(),
        val days: List<AccessRecordDay> = emptyList(),
        val nextBefore: ULong? = null,
        val notice: Notice? = null,
    ) {
        /** Whether there are older records to load. */
        val hasMore: Boolean get() = nextBefore != null
    }

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    /** Re-reads the newest page. */
    suspend fun reload() {
        attempt { client.accessRecords(personId, null) }
            .onSuccess { page -> mutable.value = show(page.records, page.nextBefore) }
            .onFailure { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /** Appends the next older page. */
    suspend fun loadMore() {
        val before = mutable.value.nextBefore ?: return
        attempt { client.accessRecords(personId, before) }
            .onSuccess { page -> mutable.update { show(it.records + page.records, page.nextBefore) } }
            .onFailure { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /** 这不是我: reports [recordId] with [reason] and an optional [note]. Returns whether it was accepted. */
    suspend fun report(recordId: String, reason: AccessReportReason, note: String?): Boolean {
        val result = attempt {
            client.reportAccessRecord(recordId, reason, note?.trim()?.ifEmpty { null })
            client.processOutbox()
        }
        if (result.isSuccess) reload()
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
        return result.isSuccess
    }

    private fun show(records: List<AccessRecord>, nextBefore: ULong?): State {
        val unique = records.distinctBy { it.recordId }
        return State(unique, accessRecordDays(unique), nextBefore)
    }
}
