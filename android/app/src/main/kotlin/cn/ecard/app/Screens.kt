// The screens. Each reads a plain-Kotlin model from the ecard library and
// lays it out; what is allowed, what a step is called and what an error
// says all come from the core.
package cn.ecard.app

import android.content.Intent
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import cn.ecard.ffi.ApplicationAction
import cn.ecard.ffi.CardView
import cn.ecard.ffi.DelegationKind
import cn.ecard.ffi.Delivery
import cn.ecard.ffi.DelegationStatus
import cn.ecard.ffi.HolderRole
import cn.ecard.ffi.Location
import cn.ecard.ffi.LossKind
import cn.ecard.ffi.OutletService
import cn.ecard.ffi.PersonIdentity
import cn.ecard.ffi.Purpose
import cn.ecard.ffi.Relationship
import cn.ecard.ffi.Scope
import cn.ecard.ffi.applicationKindLabel
import cn.ecard.ffi.qrMatrix
import cn.ecard.models.AppScreen
import cn.ecard.models.ApplicationsModel
import cn.ecard.models.CatalogueModel
import cn.ecard.models.CatalogueRow
import cn.ecard.models.CodeScreenModel
import cn.ecard.models.DistanceUnits
import cn.ecard.models.Format
import cn.ecard.models.Notice
import cn.ecard.models.NoticeKind
import cn.ecard.models.OutletRow
import cn.ecard.models.OutletsModel
import cn.ecard.models.RELATIONSHIPS
import cn.ecard.models.appScreen
import kotlinx.coroutines.launch
import java.text.DateFormat
import java.util.Date

/** A full-width button at least as tall as the mode's touch target. */
@Composable
fun BigButton(text: String, onClick: () -> Unit) {
    Button(onClick = onClick, modifier = Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
        Text(text, style = MaterialTheme.typography.titleMedium)
    }
}

/** The words for a distance's units, in the app's language. */
@Composable
fun distanceUnits(): DistanceUnits = DistanceUnits(stringResource(R.string.unit_metre), stringResource(R.string.unit_kilometre))

/** What a declared relationship is called. */
fun relationshipName(relationship: Relationship): Int = when (relationship) {
    Relationship.CHILD -> R.string.relationship_child
    Relationship.SPOUSE -> R.string.relationship_spouse
    Relationship.PARENT -> R.string.relationship_parent
    Relationship.GRANDCHILD -> R.string.relationship_grandchild
    Relationship.SIBLING -> R.string.relationship_sibling
    Relationship.OTHER_RELATIVE -> R.string.relationship_other_relative
}

/** The day of a platform time (seconds since the epoch), in the phone's locale. */
fun day(seconds: ULong): String = DateFormat.getDateInstance(DateFormat.LONG).format(Date(seconds.toLong() * 1000))

/** A message in place, never a dialog. */
@Composable
fun NoticeLine(notice: Notice?) {
    if (notice == null) return
    val color = if (notice.kind == NoticeKind.INFO) Color(0xFF1B4F72) else Color(0xFFB00020)
    Text(
        notice.text,
        color = color,
        style = MaterialTheme.typography.bodyLarge,
        modifier = Modifier.fillMaxWidth().background(color.copy(alpha = 0.08f)).padding(16.dp),
    )
}

/** A QR symbol drawn from the core's module matrix (crisp at any size). */
@Composable
fun QrCode(text: String, modifier: Modifier = Modifier) {
    val matrix = remember(text) { runCatching { qrMatrix(text) }.getOrNull() } ?: return
    val description = stringResource(R.string.code_qr_description)
    Canvas(modifier.background(Color.White).semantics { contentDescription = description }) {
        val width = matrix.width.toInt()
        val module = size.minDimension / (width + 8)
        matrix.dark.forEachIndexed { index, dark ->
            if (dark.toInt() == 1) {
                drawRect(Color.Black, Offset((index % width + 4) * module, (index / width + 4) * module), Size(module, module))
            }
        }
    }
}

@Composable
fun CodeScreen(model: CodeScreenModel, cardId: String?) {
    val state by model.state.collectAsStateWithLifecycle()
    DisposableEffect(model, cardId) {
        model.select(state.purpose, cardId)
        val ticking = model.start()
        onDispose { ticking.cancel() }
    }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(16.dp)) {
        // The eight purposes (校园码, 借阅码, 教育考试码, 人事考试码 since format version 2), two rows of four.
        listOf(
            Purpose.TRANSPORT, Purpose.MEDICAL, Purpose.IDENTITY, Purpose.CULTURE_TOURISM,
            Purpose.CAMPUS_ENTRY, Purpose.LIBRARY, Purpose.EDUCATION_EXAM, Purpose.PERSONNEL_EXAM,
        ).chunked(4).forEach { row ->
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                row.forEach { purpose ->
                    val label = model.purposeName(purpose)
                    Button(onClick = { model.select(purpose, cardId) }, modifier = Modifier.heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
                        Text(if (purpose == state.purpose) "● $label" else label)
                    }
                }
            }
        }
        state.code?.let { code ->
            QrCode(code.text, Modifier.size(280.dp))
            if (code.onBehalf != HolderRole.HOLDER) Text(stringResource(R.string.code_on_behalf), style = MaterialTheme.typography.bodyLarge)
            Text(stringResource(R.string.code_refreshes_in, Format.countdown(state.secondsLeft)), style = MaterialTheme.typography.titleLarge)
        }
        NoticeLine(state.notice)
        BigButton(stringResource(if (state.busy) R.string.code_refreshing else R.string.code_refresh)) { model.refresh() }
    }
}

/** A tappable catalogue row: the item, its national twin link and its action button. */
@Composable
fun CatalogueRowView(row: CatalogueRow, onOpen: (CatalogueRow) -> Unit, onTwin: (String) -> Unit, onAction: (CatalogueRow) -> Unit) {
    Column(
        Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp).clickable { onOpen(row) }.padding(vertical = 8.dp),
    ) {
        Text(row.title, style = MaterialTheme.typography.titleMedium)
        Text(row.subtitle, style = MaterialTheme.typography.bodyMedium)
        row.twin?.let { twin ->
            TextButton(onClick = { onTwin(twin) }, modifier = Modifier.heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
                Text(stringResource(R.string.search_national_item), style = MaterialTheme.typography.bodyMedium)
            }
        }
        if (row.action != null) BigButton(stringResource(R.string.search_start)) { onAction(row) }
    }
}

/**
 * Search, and when nothing matches the help instead of an empty screen: the
 * closest items, the nearest outlets that handle them ([location] when the
 * app knows where the phone is) and a call button for the hotline. A hit's
 * action button opens the app's screen for it ([onOpen]); without one, the
 * item's details.
 */
@Composable
fun CatalogueScreen(model: CatalogueModel, location: Location? = null, onOpen: (AppScreen) -> Unit = {}) {
    var text by remember { mutableStateOf("") }
    var details by remember { mutableStateOf<CatalogueRow?>(null) }
    val context = LocalContext.current
    val result = remember(text) { model.search(text) }
    val rows = result.getOrDefault(emptyList())
    val help = remember(text, location, rows.isEmpty()) {
        if (result.isSuccess && rows.isEmpty() && text.isNotBlank()) model.help(text, location).getOrNull() else null
    }
    val open: (CatalogueRow) -> Unit = { row -> details = row }
    val twin: (String) -> Unit = { id -> model.item(id).getOrNull()?.let { found -> details = found } }
    val act: (CatalogueRow) -> Unit = { row ->
        val screen = appScreen(row.action)
        if (screen == AppScreen.DETAILS) {
            details = row
        } else {
            onOpen(screen)
        }
    }
    details?.let { row ->
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            BigButton(stringResource(R.string.back)) { details = null }
            Text(row.title, style = MaterialTheme.typography.titleLarge)
            Text(stringResource(R.string.item_department, row.subtitle), style = MaterialTheme.typography.bodyLarge)
            row.twin?.let { id -> TextButton(onClick = { twin(id) }) { Text(stringResource(R.string.search_national_item)) } }
            if (row.action != null && appScreen(row.action) != AppScreen.DETAILS) BigButton(stringResource(R.string.search_start)) { act(row) }
        }
        return
    }
    Column(Modifier.padding(16.dp)) {
        OutlinedTextField(text, { text = it }, label = { Text(stringResource(R.string.search_hint)) }, modifier = Modifier.fillMaxWidth())
        result.exceptionOrNull()?.let { NoticeLine(Notice(it.message ?: "", NoticeKind.FAULT)) }
        LazyColumn {
            items(rows, key = CatalogueRow::id) { row -> CatalogueRowView(row, open, twin, act) }
            if (help != null) {
                item { Text(stringResource(R.string.search_no_exact_match), style = MaterialTheme.typography.titleLarge, modifier = Modifier.padding(vertical = 8.dp)) }
                if (help.closest.isNotEmpty()) item { Text(stringResource(R.string.search_closest), style = MaterialTheme.typography.bodyLarge) }
                items(help.closest, key = { "closest-${it.id}" }) { row -> CatalogueRowView(row, open, twin, act) }
                if (help.outlets.isNotEmpty()) item { Text(stringResource(R.string.search_outlets_nearby), style = MaterialTheme.typography.bodyLarge) }
                items(help.outlets, key = { "outlet-${it.id}" }) { outlet ->
                    Column(Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp).padding(vertical = 8.dp)) {
                        Text(outlet.name, style = MaterialTheme.typography.titleMedium)
                        Text("${outlet.distance} · ${stringResource(if (outlet.openNow) R.string.outlet_open else R.string.outlet_closed)}", style = MaterialTheme.typography.bodyMedium)
                    }
                }
                item {
                    // ACTION_DIAL opens the dialler with the number: no permission, the resident presses call.
                    BigButton(stringResource(R.string.search_call_hotline, help.hotline)) {
                        context.startActivity(Intent(Intent.ACTION_DIAL, Uri.parse("tel:${help.hotline}")))
                    }
                }
            }
        }
    }
}

@Composable
fun OutletsScreen(model: OutletsModel) {
    var service by remember { mutableStateOf<OutletService?>(null) }
    // Nanchang's centre until the app asks for the location permission.
    val result = remember(service) { model.near(28.6829, 115.8579, service) }
    Column(Modifier.padding(16.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            listOf(
                null to R.string.outlets_all,
                OutletService.APPLY to R.string.outlets_apply,
                OutletService.INSTANT_ISSUE to R.string.outlets_instant_issue,
                OutletService.CARD_PICKUP to R.string.outlets_card_pickup,
                OutletService.RELEASE_LOSS to R.string.outlets_release_loss,
            )
                .forEach { (choice, label) ->
                    Button(onClick = { service = choice }, modifier = Modifier.heightIn(min = LocalDisplay.current.touchTargetDp.dp)) { Text(stringResource(label)) }
                }
        }
        LazyColumn {
            items(result.getOrDefault(emptyList()), key = OutletRow::id) { row ->
                Column(Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp).padding(vertical = 8.dp)) {
                    Text(row.name, style = MaterialTheme.typography.titleMedium)
                    Text("${row.distance} · ${stringResource(if (row.openNow) R.string.outlet_open else R.string.outlet_closed)}", style = MaterialTheme.typography.bodyMedium)
                    Text(row.address, style = MaterialTheme.typography.bodyMedium)
                }
            }
        }
    }
}

@Composable
fun CardServicesScreen(app: EcardViewModel, screens: Screens) {
    val snapshot by app.snapshot.collectAsStateWithLifecycle()
    val applications by screens.applications.state.collectAsStateWithLifecycle()
    val loss by screens.loss.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    var phone by remember { mutableStateOf("") }
    var photo by remember { mutableStateOf<ByteArray?>(null) }
    var releasing by remember { mutableStateOf<String?>(null) }
    var showingDevices by remember { mutableStateOf(false) }
    var showingAuthorisations by remember { mutableStateOf(false) }
    var showingAccessRecords by remember { mutableStateOf(false) }
    // 权益记录, 参保证明, 待遇资格认证, 我的收入, 金融功能挂失.
    var selfService by remember { mutableStateOf<SelfService?>(null) }
    // 即时制卡: made on the spot at an outlet that offers it, where the rules do.
    var instantIssue by remember { mutableStateOf(false) }
    val instantOffered = remember(snapshot) { screens.applications.instantIssueOffered() }
    val pickPhoto = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        photo = uri?.let { context.contentResolver.openInputStream(it)?.use { stream -> stream.readBytes() } }
    }
    LaunchedEffect(Unit) { screens.applications.reload() }
    if (showingDevices) {
        DevicesScreen(screens) { showingDevices = false }
        return
    }
    if (showingAuthorisations) {
        AuthorisationsScreen(screens) { showingAuthorisations = false }
        return
    }
    if (showingAccessRecords) {
        AccessRecordsScreen(screens) { showingAccessRecords = false }
        return
    }
    selfService?.let { screen ->
        SelfServiceScreen(app, screens, screen) { selfService = null }
        return
    }
    releasing?.let { cardId ->
        // 解挂 needs the e-card PIN.
        PinPrompt(stringResource(R.string.loss_release_pin), onCancel = { releasing = null }) { pin ->
            releasing = null
            scope.launch { screens.loss.release(cardId, pin) }
        }
        return
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { NoticeLine(applications.notice ?: loss.notice) }
        items(snapshot?.cards.orEmpty(), key = CardView::cardId) { card ->
            Column {
                Text("${card.holderNameMasked} ${card.cardNumberMasked}", style = MaterialTheme.typography.titleMedium)
                // The loss flow is read from the cache (no I/O): what the rules allow now.
                val flow = remember(snapshot, loss) { runCatching { screens.client.lossFlow(card.cardId) }.getOrNull() }
                if (flow?.canReportTemporary == true) BigButton(stringResource(R.string.loss_temporary)) { scope.launch { screens.loss.report(card.cardId, LossKind.TEMPORARY) } }
                if (flow?.canReleaseOnline == true) BigButton(stringResource(R.string.loss_release)) { releasing = card.cardId }
            }
        }
        items(applications.flows, key = { it.application.applicationId }) { flow ->
            Column {
                Text(applicationKindLabel(flow.application.kind, screens.client.language()), style = MaterialTheme.typography.titleMedium)
                Text(flow.progress.joinToString(" → ") { it.label }, style = MaterialTheme.typography.bodyLarge)
                if (screens.applications.waitsAtOutlet(flow)) {
                    // No production days: the card is made at the outlet while the person waits.
                    Text(stringResource(R.string.apply_instant_wait), style = MaterialTheme.typography.titleMedium)
                }
                flow.actions.filter { it != ApplicationAction.RESUBMIT_PHOTO }.forEach { action ->
                    val label = when (action) {
                        ApplicationAction.PAY -> stringResource(R.string.action_pay, Format.fen(flow.application.feeFen))
                        ApplicationAction.CANCEL -> stringResource(R.string.action_cancel)
                        ApplicationAction.CONFIRM_RECEIPT -> stringResource(R.string.action_confirm_receipt)
                        ApplicationAction.ACTIVATE -> stringResource(R.string.action_activate)
                        ApplicationAction.RESUBMIT_PHOTO -> stringResource(R.string.action_resubmit_photo)
                    }
                    BigButton(label) { scope.launch { screens.applications.act(flow, action) } }
                }
            }
        }
        item {
            // 申领: a photo from the gallery (the core checks size and format),
            // the phone, and pickup at the nearest outlet that hands out cards.
            BigButton(stringResource(if (photo == null) R.string.apply_choose_photo else R.string.apply_photo_chosen)) {
                pickPhoto.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly))
            }
            OutlinedTextField(phone, { phone = it }, label = { Text(stringResource(R.string.phone)) }, modifier = Modifier.fillMaxWidth())
            // The pickup outlet: the nearest that hands out cards, or with 即时制卡 the nearest that makes them on the spot.
            val service = if (instantIssue) OutletService.INSTANT_ISSUE else OutletService.CARD_PICKUP
            val outlet = remember(service) { screens.outlets().near(28.6829, 115.8579, service, 1).getOrNull()?.firstOrNull() }
            outlet?.let { Text(stringResource(R.string.apply_outlet, it.name), style = MaterialTheme.typography.bodyLarge) }
            val instantOutlet = remember(instantOffered) {
                if (instantOffered) screens.outlets().near(28.6829, 115.8579, OutletService.INSTANT_ISSUE, 1).getOrNull()?.firstOrNull() else null
            }
            if (instantOutlet != null) {
                Row(
                    Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp).clickable { instantIssue = !instantIssue },
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    Checkbox(checked = instantIssue, onCheckedChange = { instantIssue = it })
                    Text(stringResource(R.string.apply_instant_issue), style = MaterialTheme.typography.bodyLarge)
                }
            }
            BigButton(stringResource(R.string.apply_pickup)) {
                scope.launch {
                    val instant = instantIssue && outlet?.instantIssue == true
                    screens.applications.applyForCard(null, photo ?: ByteArray(0), "icbc", phone, Delivery.Pickup(outlet?.id ?: ""), instant)
                }
            }
        }
        item { BigButton(stringResource(R.string.devices_open)) { showingDevices = true } }
        item { BigButton(stringResource(R.string.authorisations_open)) { showingAuthorisations = true } }
        item { BigButton(stringResource(R.string.access_open)) { showingAccessRecords = true } }
        item { SelfServiceButtons { selfService = it } }
    }
}

@Composable
fun FamilyScreen(app: EcardViewModel, screens: Screens) {
    val family by screens.family.state.collectAsStateWithLifecycle()
    val snapshot by app.snapshot.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    var name by remember { mutableStateOf("") }
    var idNumber by remember { mutableStateOf("") }
    var evidence by remember { mutableStateOf("") }
    var relationship by remember { mutableStateOf(RELATIONSHIPS.first()) }
    var showing by remember { mutableStateOf<String?>(null) }
    // The request waiting for the PIN: true for a guardian, false for a relative.
    var asking by remember { mutableStateOf<Boolean?>(null) }
    // A guardian's switch of the e-card on the ward's own phone, waiting for the PIN.
    var wardECard by remember { mutableStateOf<Pair<String, Boolean>?>(null) }
    // The ward whose new PIN is being set, then the guardian's PIN.
    var wardPin by remember { mutableStateOf<WardPin?>(null) }
    var showingBirths by remember { mutableStateOf(false) }
    // 为家人认证: the eligibility screen, whose family part lists the relatives with an eligibility mandate.
    var certifyingForFamily by remember { mutableStateOf(false) }
    // Whether the region lets a guardian allow the e-card on the child's own phone.
    val wardECardByConsent = remember { runCatching { screens.client.rules()?.minors?.eCardOnOwnPhoneWithConsent }.getOrNull() ?: false }
    LaunchedEffect(Unit) { screens.family.reload() }
    if (showingBirths) {
        BirthScreen(screens) { showingBirths = false }
        return
    }
    if (certifyingForFamily) {
        EligibilityScreen(app, screens) { certifyingForFamily = false }
        return
    }
    wardECard?.let { (delegationId, allowed) ->
        PinPrompt(stringResource(R.string.family_ward_confirm_pin), onCancel = { wardECard = null }) { pin ->
            wardECard = null
            scope.launch { screens.family.setWardECard(delegationId, allowed, pin) }
        }
        return
    }
    wardPin?.let { pending ->
        val newPin = pending.newPin
        if (newPin == null) {
            PinPrompt(stringResource(R.string.family_ward_new_pin, pending.name), onCancel = { wardPin = null }) { pin ->
                wardPin = pending.copy(newPin = pin)
            }
        } else {
            PinPrompt(stringResource(R.string.family_ward_own_pin), onCancel = { wardPin = null }) { pin ->
                wardPin = null
                scope.launch { screens.family.setWardPin(pending.delegationId, newPin, pin) }
            }
        }
        return
    }
    asking?.let { guardian ->
        PinPrompt(stringResource(R.string.family_submit_pin), onCancel = { asking = null }) { pin ->
            asking = null
            val person = PersonIdentity("resident_id", idNumber, name)
            scope.launch {
                if (guardian) screens.family.requestGuardian(person, "birth_certificate", evidence, pin)
                else screens.family.requestProxy(person, relationship, pin)
            }
        }
        return
    }
    showing?.let { cardId ->
        Column {
            BigButton(stringResource(R.string.back)) { showing = null }
            CodeScreen(screens.code, cardId)
        }
        return
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { NoticeLine(family.notice) }
        items(family.mandates, key = { it.delegationId }) { mandate ->
            val status = stringResource(
                when (mandate.status) {
                    DelegationStatus.PENDING_CONSENT -> R.string.mandate_pending_consent
                    DelegationStatus.ACTIVE -> R.string.mandate_active
                    DelegationStatus.REVOKED -> R.string.mandate_revoked
                    DelegationStatus.EXPIRED -> R.string.mandate_expired
                },
            )
            Text("${mandate.principalNameMasked} · $status", style = MaterialTheme.typography.titleMedium)
            if (mandate.status == DelegationStatus.PENDING_CONSENT && mandate.kind == DelegationKind.FAMILY_PROXY && idNumber.isNotBlank()) {
                // 足不出户: the relative, beside this phone, consents by a face check.
                BigButton(stringResource(R.string.family_consent_by_face)) {
                    scope.launch { screens.family.consentByFace(mandate.delegationId, PersonIdentity("resident_id", idNumber, name), app.faceCheck) }
                }
            }
            if (mandate.kind == DelegationKind.GUARDIAN && mandate.status == DelegationStatus.ACTIVE && wardECardByConsent) {
                // The child's e-card on the child's own phone: the guardian's consent, with the PIN.
                Row(
                    Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp),
                    verticalAlignment = Alignment.CenterVertically,
                    horizontalArrangement = Arrangement.spacedBy(12.dp),
                ) {
                    Text(stringResource(R.string.family_ward_e_card), style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
                    Switch(
                        checked = mandate.wardECardSince != null,
                        onCheckedChange = { allowed -> wardECard = mandate.delegationId to allowed },
                    )
                }
                mandate.wardECardSince?.let { since ->
                    Text(stringResource(R.string.family_ward_e_card_since, day(since)), style = MaterialTheme.typography.bodyLarge)
                }
            }
            if (mandate.kind == DelegationKind.GUARDIAN && mandate.status == DelegationStatus.ACTIVE) {
                BigButton(stringResource(R.string.family_ward_pin)) {
                    wardPin = WardPin(mandate.delegationId, mandate.principalNameMasked)
                }
            }
        }
        items(snapshot?.cards.orEmpty().filter { it.role != HolderRole.HOLDER }, key = CardView::cardId) { card ->
            BigButton(stringResource(R.string.family_show_card, card.holderNameMasked)) { showing = card.cardId }
        }
        item { BigButton(stringResource(R.string.birth_open)) { showingBirths = true } }
        if (family.mandates.any { it.status == DelegationStatus.ACTIVE && Scope.ELIGIBILITY in it.scopes }) {
            item { BigButton(stringResource(R.string.eligibility_for_family)) { certifyingForFamily = true } }
        }
        item {
            OutlinedTextField(name, { name = it }, label = { Text(stringResource(R.string.family_name)) }, modifier = Modifier.fillMaxWidth())
            OutlinedTextField(idNumber, { idNumber = it }, label = { Text(stringResource(R.string.id_number)) }, modifier = Modifier.fillMaxWidth())
            OutlinedTextField(evidence, { evidence = it }, label = { Text(stringResource(R.string.family_birth_certificate)) }, modifier = Modifier.fillMaxWidth())
            Text(stringResource(R.string.family_relationship_hint), style = MaterialTheme.typography.bodyLarge)
            RELATIONSHIPS.chunked(3).forEach { row ->
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    row.forEach { choice ->
                        val label = stringResource(relationshipName(choice))
                        Button(onClick = { relationship = choice }, modifier = Modifier.heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
                            Text(if (choice == relationship) "● $label" else label)
                        }
                    }
                }
            }
            BigButton(stringResource(R.string.family_act_for_elder)) { asking = false }
            BigButton(stringResource(R.string.family_guardian)) { asking = true }
        }
    }
}

/** A ward whose new e-card PIN the guardian is entering ([newPin] once entered). */
data class WardPin(val delegationId: String, val name: String, val newPin: String? = null)
