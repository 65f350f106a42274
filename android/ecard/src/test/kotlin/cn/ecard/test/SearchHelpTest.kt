// Search as residents type it, through the generated Kotlin bindings against
// the platform the script started: a colloquial query finds the loss report
// with the app's action, a query about nothing in the catalogue gets the
// closest items, the nearest outlets and the hotline instead of an empty
// screen, and a hit's national twin opens by id. The screen model on top of
// the same calls is checked too.
package cn.ecard.test

import cn.ecard.ffi.AppAction
import cn.ecard.ffi.Location
import cn.ecard.ffi.SearchQuery
import cn.ecard.models.AppScreen
import cn.ecard.models.CatalogueModel
import cn.ecard.models.DisplayMode
import cn.ecard.models.appScreen
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class SearchHelpTest {
    private val admin = Admin(Env.platformUrl)

    /** Nanchang's Donghu district, where the elder lives. */
    private val region = "360102"
    private val nanchang = Location(LATITUDE, LONGITUDE)

    @Test
    fun `colloquial queries find the app's action, nothing-matches gets help, twins open by id`(): Unit = runBlocking {
        val elder = admin.persona("elder")
        openClient("search-help").use { client ->
            client.enrolAs(elder)
            client.syncCatalogue()

            // 社保卡丢了: the resident's words, not the catalogue's (挂失).
            val lost = client.search(SearchQuery(text = "社保卡丢了", region = region, limit = 10u))
            assertTrue(lost.isNotEmpty(), "a colloquial query finds its items")
            val loss = lost.firstOrNull { it.item.appAction == AppAction.REPORT_LOSS }
            assertNotNull(loss, lost.map { "${it.item.id} ${it.item.name} ${it.item.appAction}" }.toString())
            assertTrue("挂失" in loss.item.name, loss.item.name)
            assertEquals(AppScreen.CARD_SERVICES, appScreen(loss.item.appAction))

            // A provincial hit carries its national twin; the twin opens by id.
            val withTwin = lost.firstOrNull { it.twins.isNotEmpty() }
                ?: client.search(SearchQuery(text = "挂失", region = region, limit = 20u)).firstOrNull { it.twins.isNotEmpty() }
            assertNotNull(withTwin, "some hit folds a national twin")
            for (twin in withTwin.twins) {
                val item = assertNotNull(client.catalogueItem(twin), twin)
                assertEquals(twin, item.id)
                assertEquals("national", item.list)
                assertEquals(item.id, withTwin.item.nationalItem ?: item.id)
            }
            assertEquals(withTwin.item, client.catalogueItem(withTwin.item.id))
            assertNull(client.catalogueItem("N-999999"), "an unknown id is none")

            // Nothing in the catalogue is about the weather: never an empty screen.
            val weather = SearchQuery(text = "天气预报", region = region, limit = 5u)
            assertTrue(client.search(weather).isEmpty(), "nothing matches")
            val help = client.searchHelp(weather, nanchang)
            assertTrue(help.closest.isNotEmpty(), "the closest items")
            assertEquals("12333", help.hotline)
            assertEquals(3, help.outlets.size)
            assertTrue(help.outlets.zipWithNext().all { (a, b) -> a.distanceMetres <= b.distanceMetres }, "nearest first")
            val noLocation = client.searchHelp(weather, null)
            assertTrue(noLocation.outlets.isEmpty(), "no location, no outlets")
            assertEquals(help.closest, noLocation.closest)
            assertEquals("12333", noLocation.hotline)

            // The screen model: help rows, an action per row, twins through item().
            val model = CatalogueModel(client, DisplayMode(elder = true), region = region)
            model.search("天气预报").getOrThrow().let { assertTrue(it.isEmpty(), it.toString()) }
            val view = model.help("天气预报", nanchang).getOrThrow()
            assertTrue(view.closest.isNotEmpty(), "SearchHelpTest.kt:79")
            assertTrue(view.closest.all { it.title.length <= 6 }, "elder mode shows the short labels")
            assertEquals(3, view.outlets.size)
            assertEquals("12333", view.hotline)
            val rows = model.search("社保卡丢了").getOrThrow()
            assertTrue(rows.any { it.action == AppAction.REPORT_LOSS }, rows.toString())
            val twinRow = model.search("挂失").getOrThrow().firstOrNull { it.twin != null }
            if (twinRow != null) {
                val opened = assertNotNull(model.item(twinRow.twin!!).getOrThrow())
                assertEquals(twinRow.twin, opened.id)
            }
            assertNull(model.item("N-999999").getOrThrow())
        }
    }

    @Test
    fun `every app action leads to a screen of the app or to the item's details`() {
        assertEquals(AppScreen.CODE, appScreen(AppAction.SHOW_CODE))
        assertEquals(AppScreen.CARD_SERVICES, appScreen(AppAction.APPLY_FOR_CARD))
        assertEquals(AppScreen.CARD_SERVICES, appScreen(AppAction.REPLACE_CARD))
        assertEquals(AppScreen.FAMILY, appScreen(AppAction.ACT_FOR_FAMILY))
        assertEquals(AppScreen.OUTLETS, appScreen(AppAction.FIND_OUTLET))
        assertEquals(AppScreen.DETAILS, appScreen(AppAction.CHANGE_PIN))
        assertEquals(AppScreen.DETAILS, appScreen(null))
    }
}
