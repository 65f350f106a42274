// 扫一扫 (scan), the login consent screen (扫码登录), 我的授权 and 谁查看了我的
//信息. Each lays out a plain-Kotlin model of the library (LoginModel,
// AuthorisationsModel, AccessRecordsModel); what a scan is, who asks and what
// is allowed come from the core. One action per screen, large text and
// targets in elder mode, every message inline.
package cn.ecard.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import cn.ecard.ffi.AccessRecord
import cn.ecard.ffi.AccessReportReason
import cn.ecard.ffi.Authorisation
import cn.ecard.ffi.DisclosedField
import cn.ecard.ffi.RelyingPartyKind
import cn.ecard.ffi.ServicePointKind
import cn.ecard.models.AccessRecordsModel
import cn.ecard.models.AuthorisationsModel
import cn.ecard.models.ClaimLabel
import cn.ecard.models.Format
import cn.ecard.models.LoginModel
import cn.ecard.models.ScanRoute
import cn.ecard.models.routeScan
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import java.text.DateFormat
import java.util.Date

/**
 * The platform scanner as this build has it (HMS Scan Kit or ML Kit's code scanner): `scan` opens
 * the camera and answers the text read, or null when the person closed it. A build without one
 * says so on the scan screen.
 */
class PlatformScanner(val scan: (suspend () -> String?)? = null)

/** What a relying party's kind is called. */
fun relyingPartyKindName(kind: RelyingPartyKind): Int = when (kind) {
    RelyingPartyKind.WEBSITE -> R.string.login_kind_website
    RelyingPartyKind.COUNTER_PC -> R.string.login_kind_counter_pc
    RelyingPartyKind.SELF_SERVICE -> R.string.login_kind_self_service
}

/** A claim in plain words. */
fun claimName(claim: ClaimLabel): Int = when (claim) {
    ClaimLabel.NAME -> R.string.login_claim_name
    ClaimLabel.ID_NUMBER -> R.string.login_claim_id_number
    ClaimLabel.SOCIAL_SECURITY_CARD -> R.string.login_claim_social_security
    ClaimLabel.ONLY_WHO_YOU_ARE -> R.string.login_claim_only_who
}

/** What kind of organisation looked. */
fun servicePointKindName(kind: ServicePointKind): Int = when (kind) {
    ServicePointKind.HOSPITAL -> R.string.access_kind_hospital
    ServicePointKind.PHARMACY -> R.string.access_kind_pharmacy
    ServicePointKind.GOVERNMENT_COUNTER -> R.string.access_kind_government_counter
    ServicePointKind.HOTEL -> R.string.access_kind_hotel
    ServicePointKind.BANK -> R.string.access_kind_bank
    ServicePointKind.SCHOOL -> R.string.access_kind_school
    ServicePointKind.LIBRARY -> R.string.access_kind_library
    ServicePointKind.TRANSIT -> R.string.access_kind_transit
    ServicePointKind.VENUE -> R.string.access_kind_venue
}

/** A field an organisation learnt. */
fun disclosedFieldName(field: DisclosedField): Int = when (field) {
    DisclosedField.PSEUDONYM -> R.string.access_field_pseudonym
    DisclosedField.NAME -> R.string.access_field_name
    DisclosedField.CARD_NUMBER -> R.string.access_field_card_number
    DisclosedField.INSURANCE_REGION -> R.string.access_field_insurance_region
    DisclosedField.CARD_STATE -> R.string.access_field_card_state
    DisclosedField.DOCUMENT_NUMBER -> R.string.access_field_document_number
    DisclosedField.CONCESSION -> R.string.access_field_concession
}

/** A date and time of a platform time (seconds since the epoch), in the phone's locale. */
fun moment(seconds: ULong): String =
    DateFormat.getDateTimeInstance(DateFormat.LONG, DateFormat.SHORT).format(Date(seconds.toLong() * 1000))

/**
 * 扫一扫: opens the platform scanner and routes what it read — a login QR code to the consent
 * screen, an e-card code to a plain notice, anything else to a plain error.
 */
@Composable
fun ScanScreen(screens: Screens, scanner: PlatformScanner, onBack: () -> Unit) {
    val scope = rememberCoroutineScope()
    var route by remember { mutableStateOf<ScanRoute?>(null) }
    (route as? ScanRoute.Login)?.let { login ->
        LoginConsentScreen(screens, login.requestId) {
            route = null
            onBack()
        }
        return
    }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(16.dp)) {
        Text(stringResource(R.string.scan_title), style = MaterialTheme.typography.titleLarge)
        when {
            scanner.scan == null -> Text(stringResource(R.string.scan_unavailable), style = MaterialTheme.typography.bodyLarge)
            route == ScanRoute.ECardCode -> Text(stringResource(R.string.scan_e_card_code), style = MaterialTheme.typography.bodyLarge)
            route == ScanRoute.NotRecognised -> Text(stringResource(R.string.scan_not_recognised), style = MaterialTheme.typography.bodyLarge)
            else -> Text(stringResource(R.string.scan_hint), style = MaterialTheme.typography.bodyLarge)
        }
        scanner.scan?.let { scan ->
            BigButton(stringResource(if (route == null) R.string.scan_start else R.string.scan_again)) {
                scope.launch {
                    // Closing the camera without a scan leaves the screen as it was.
                    scan()?.let { text -> route = routeScan(text) }
                }
            }
        }
        BigButton(stringResource(R.string.back)) { onBack() }
    }
}

/**
 * The consent screen: who asks (the registered name and kind), what they will learn, how long is
 * left, for whom (oneself or a relative under a login mandate), then the PIN to approve or deny.
 */
@Composable
fun LoginConsentScreen(screens: Screens, requestId: String, onDone: () -> Unit) {
    val model = remember(requestId) { LoginModel(screens.client) }
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    var askingPin by remember { mutableStateOf(false) }
    LaunchedEffect(requestId) {
        model.open(requestId)
        while (true) {
            delay(1_000)
            model.tick()
        }
    }
    if (askingPin && state.outcome == null) {
        PinPrompt(stringResource(R.string.login_pin_title), onCancel = { askingPin = false }) { pin ->
            askingPin = false
            scope.launch { model.approve(pin) }
        }
        return
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { NoticeLine(state.notice) }
        val request = state.request
        if (request != null) {
            item {
                Text(stringResource(R.string.login_asks, request.relyingParty.name), style = MaterialTheme.typography.titleLarge)
                Text(stringResource(relyingPartyKindName(request.relyingParty.kind)), style = MaterialTheme.typography.bodyLarge)
            }
            item {
                Text(stringResource(R.string.login_will_learn), style = MaterialTheme.typography.titleMedium)
                state.claims.forEach { claim -> Text("• " + stringResource(claimName(claim)), style = MaterialTheme.typography.bodyLarge) }
            }
        }
        when (state.outcome) {
            LoginModel.Outcome.APPROVED -> item { Text(stringResource(R.string.login_approved), style = MaterialTheme.typography.titleLarge) }
            LoginModel.Outcome.DENIED -> item { Text(stringResource(R.string.login_denied), style = MaterialTheme.typography.titleLarge) }
            LoginModel.Outcome.EXPIRED -> item { Text(stringResource(R.string.login_expired), style = MaterialTheme.typography.titleLarge) }
            null -> if (request != null) {
                item {
                    Text(stringResource(R.string.login_seconds_left, Format.countdown(state.secondsLeft)), style = MaterialTheme.typography.titleMedium)
                }
                if (state.mandates.isNotEmpty()) {
                    // 为家人登录: oneself, or a relative under a mandate with the login scope.
                    item {
                        Text(stringResource(R.string.login_for_whom), style = MaterialTheme.typography.titleMedium)
                        val me = stringResource(R.string.login_for_me)
                        Button(onClick = { model.chooseOnBehalfOf(null) }, modifier = Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
                            Text(if (state.onBehalfOf == null) "● $me" else me)
                        }
                        state.mandates.forEach { mandate ->
                            val label = stringResource(R.string.login_for_relative, mandate.principalNameMasked)
                            Button(
                                onClick = { model.chooseOnBehalfOf(mandate.delegationId) },
                                modifier = Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp),
                            ) {
                                Text(if (state.onBehalfOf == mandate.delegationId) "● $label" else label)
                            }
                        }
                    }
                }
                item { BigButton(stringResource(R.string.login_approve)) { askingPin = true } }
                item { BigButton(stringResource(R.string.login_deny)) { scope.launch { model.deny() } } }
            }
        }
        item { BigButton(stringResource(R.string.back)) { onDone() } }
    }
}

/** 我的授权: the logins approved with this e-card, the ones in force first, each with 取消授权. */
@Composable
fun AuthorisationsScreen(screens: Screens, onBack: () -> Unit) {
    val model = remember { AuthorisationsModel(screens.client) }
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { model.reload() }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { BigButton(stringResource(R.string.back)) { onBack() } }
        item { Text(stringResource(R.string.authorisations_title), style = MaterialTheme.typography.titleLarge) }
        item { NoticeLine(state.notice) }
        if (state.list.active.isEmpty() && state.list.revoked.isEmpty()) {
            item { Text(stringResource(R.string.authorisations_none), style = MaterialTheme.typography.bodyLarge) }
        }
        items(state.list.active, key = Authorisation::authorisationId) { authorisation ->
            AuthorisationRow(authorisation)
            BigButton(stringResource(R.string.authorisations_revoke)) { scope.launch { model.revoke(authorisation.authorisationId) } }
        }
        items(state.list.revoked, key = Authorisation::authorisationId) { authorisation ->
            AuthorisationRow(authorisation)
            Text(stringResource(R.string.authorisations_revoked, moment(authorisation.revokedAt ?: 0u)), style = MaterialTheme.typography.bodyLarge)
        }
    }
}

@Composable
private fun AuthorisationRow(authorisation: Authorisation) {
    Column(Modifier.fillMaxWidth()) {
        Text(authorisation.relyingParty.name, style = MaterialTheme.typography.titleMedium)
        Text(stringResource(relyingPartyKindName(authorisation.relyingParty.kind)), style = MaterialTheme.typography.bodyLarge)
        Text(stringResource(R.string.authorisations_since, moment(authorisation.authorisedAt)), style = MaterialTheme.typography.bodyLarge)
        if (!authorisation.forSelf) Text(stringResource(R.string.authorisations_for_family), style = MaterialTheme.typography.bodyLarge)
    }
}

/**
 * 谁查看了我的信息: who looked up the person's code (name, kind, where, when, for what, the fields
 * learnt), by day; "这不是我" opens the report (a reason, an optional note).
 */
@Composable
fun AccessRecordsScreen(screens: Screens, onBack: () -> Unit) {
    val model = remember { AccessRecordsModel(screens.client) }
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    var reporting by remember { mutableStateOf<AccessRecord?>(null) }
    LaunchedEffect(Unit) { model.reload() }
    reporting?.let { record ->
        AccessReportScreen(record, onCancel = { reporting = null }) { reason, note ->
            scope.launch { if (model.report(record.recordId, reason, note)) reporting = null }
        }
        return
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { BigButton(stringResource(R.string.back)) { onBack() } }
        item { Text(stringResource(R.string.access_title), style = MaterialTheme.typography.titleLarge) }
        item { NoticeLine(state.notice) }
        if (state.records.isEmpty()) item { Text(stringResource(R.string.access_none), style = MaterialTheme.typography.bodyLarge) }
        state.days.forEach { group ->
            item { Text(day(group.records.first().at), style = MaterialTheme.typography.titleMedium) }
            items(group.records, key = AccessRecord::recordId) { record ->
                Column(Modifier.fillMaxWidth()) {
                    Text(record.operatorName, style = MaterialTheme.typography.titleMedium)
                    Text(stringResource(servicePointKindName(record.operatorKind)), style = MaterialTheme.typography.bodyLarge)
                    record.location?.let { Text(stringResource(R.string.access_where, it), style = MaterialTheme.typography.bodyLarge) }
                    Text(stringResource(R.string.access_when, moment(record.at)), style = MaterialTheme.typography.bodyLarge)
                    Text(stringResource(R.string.access_purpose, screens.code.purposeName(record.purpose)), style = MaterialTheme.typography.bodyLarge)
                    val fields = record.disclosed.map { stringResource(disclosedFieldName(it)) }
                    Text(stringResource(R.string.access_fields, fields.joinToString(stringResource(R.string.list_separator))), style = MaterialTheme.typography.bodyLarge)
                    if (record.report != null) {
                        Text(stringResource(R.string.access_reported), style = MaterialTheme.typography.bodyLarge)
                    } else {
                        BigButton(stringResource(R.string.access_not_me)) { reporting = record }
                    }
                }
            }
        }
        if (state.hasMore) item { BigButton(stringResource(R.string.access_more)) { scope.launch { model.loadMore() } } }
    }
}

/** The report of one record: why (two plain choices) and an optional note, then send. */
@Composable
fun AccessReportScreen(record: AccessRecord, onCancel: () -> Unit, onSend: (AccessReportReason, String?) -> Unit) {
    var reason by remember { mutableStateOf(AccessReportReason.NOT_ME) }
    var note by remember { mutableStateOf("") }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.access_report_title, record.operatorName), style = MaterialTheme.typography.titleLarge)
        listOf(
            AccessReportReason.NOT_ME to R.string.access_reason_not_me,
            AccessReportReason.UNEXPECTED to R.string.access_reason_unexpected,
        ).forEach { (choice, label) ->
            val text = stringResource(label)
            Row(Modifier.fillMaxWidth()) {
                Button(onClick = { reason = choice }, modifier = Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
                    Text(if (reason == choice) "● $text" else text)
                }
            }
        }
        OutlinedTextField(note, { note = it.take(500) }, label = { Text(stringResource(R.string.access_note)) }, modifier = Modifier.fillMaxWidth())
        BigButton(stringResource(R.string.access_send)) { onSend(reason, note.ifBlank { null }) }
        BigButton(stringResource(R.string.cancel)) { onCancel() }
    }
}
