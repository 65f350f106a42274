// The thin Compose app: enrolment on a new phone, then five tabs over the
// shared core, in normal or elder mode (适老化). Elder mode: body text of at least 18 sp, touch targets of
// at least 60 dp, and no dialogs — every message is shown inline.
package cn.ecard.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.Typography
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import cn.ecard.models.AppScreen
import cn.ecard.models.DisplayMode

/** The display mode every screen reads. */
val LocalDisplay = staticCompositionLocalOf { DisplayMode() }

class MainActivity : ComponentActivity() {
    private val model: EcardViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent {
            val display by model.display.collectAsStateWithLifecycle()
            EcardTheme(display) { App(model) }
        }
    }
}

@Composable
fun EcardTheme(display: DisplayMode, content: @Composable () -> Unit) {
    val body = TextStyle(fontSize = display.bodySp.sp, lineHeight = (display.bodySp * 1.4).sp)
    val title = TextStyle(fontSize = display.titleSp.sp, lineHeight = (display.titleSp * 1.3).sp)
    val typography = Typography(bodyLarge = body, bodyMedium = body, titleLarge = title, titleMedium = title, labelLarge = body)
    CompositionLocalProvider(LocalDisplay provides display) {
        MaterialTheme(typography = typography, content = content)
    }
}

private val tabs = listOf(R.string.tab_code, R.string.tab_services, R.string.tab_outlets, R.string.tab_card, R.string.tab_family)

@Composable
fun App(model: EcardViewModel) {
    val display = LocalDisplay.current
    val screens by model.screens.collectAsStateWithLifecycle()
    val notice by model.notice.collectAsStateWithLifecycle()
    val snapshot by model.snapshot.collectAsStateWithLifecycle()
    var tab by rememberSaveable { mutableIntStateOf(0) }
    var scanning by rememberSaveable { mutableStateOf(false) }
    Scaffold(
        topBar = {
            Row(Modifier.padding(16.dp).heightIn(min = display.touchTargetDp.dp), verticalAlignment = Alignment.CenterVertically) {
                Text(stringResource(R.string.elder_mode), Modifier.weight(1f), style = MaterialTheme.typography.bodyLarge)
                Switch(checked = display.elder, onCheckedChange = model::setElderMode)
            }
        },
        bottomBar = {
            NavigationBar {
                tabs.forEachIndexed { index, name ->
                    NavigationBarItem(
                        selected = tab == index,
                        onClick = { tab = index },
                        icon = {},
                        label = { Text(stringResource(name), style = MaterialTheme.typography.bodyMedium) },
                        modifier = Modifier.heightIn(min = display.touchTargetDp.dp),
                    )
                }
            }
        },
    ) { padding ->
        Column(Modifier.padding(padding).fillMaxSize()) {
            NoticeLine(notice)
            val ready = screens ?: return@Column
            // Not enrolled on this phone yet: enrolment first.
            if (snapshot?.enrolled == false) {
                EnrolmentScreen(model, ready.enrolment)
                return@Column
            }
            if (scanning) {
                ScanScreen(ready, model.scanner) { scanning = false }
                return@Column
            }
            when (tab) {
                0 -> {
                    // 扫一扫: a relying party's login QR code.
                    BigButton(stringResource(R.string.scan_open)) { scanning = true }
                    CodeScreen(ready.code, cardId = null)
                }
                // No location permission asked yet: the help lists outlets once the app knows where the phone is.
                1 -> CatalogueScreen(ready.catalogue(display, distanceUnits()), location = null) { screen ->
                    tab = when (screen) {
                        AppScreen.CODE -> 0
                        AppScreen.OUTLETS -> 2
                        AppScreen.CARD_SERVICES -> 3
                        AppScreen.FAMILY -> 4
                        AppScreen.DETAILS -> 1
                    }
                }
                2 -> OutletsScreen(ready.outlets(distanceUnits()))
                3 -> CardServicesScreen(model, ready)
                else -> FamilyScreen(model, ready)
            }
        }
    }
}
