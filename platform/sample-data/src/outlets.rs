//! Invented service outlets across Jiangxi's 100 county-level divisions.
//!
//! Each county gets outlets in proportion to its population: its human
//! resources bureau window and government service centre (and, in urban
//! districts and county-level cities, a 24-hour self-service point), one
//! human resources office per market town or urban street, then bank
//! branches of the co-branded banks and community service points. Towns
//! have a fixed invented name and position, so a town's outlets cluster
//! together the way real ones do. Everything is drawn from one seeded
//! [`SplitMix64`], so the same seed gives the same outlets byte for byte;
//! coordinates use only IEEE basic arithmetic (no `sin`/`cos` from the
//! platform's libm), which is exactly reproducible on every target.

use std::collections::HashSet;

use ecard_api::catalogue::{OpeningPeriod, Outlet, OutletKind, OutletService};

use super::prng::SplitMix64;
use super::regions::{
    BANKS, BOUNDS, COUNTIES, COUNTY_ROADS, City, County, NAME_HEADS, STREET_TAILS,
    TOWN_BANK_WEIGHTS, TOWN_STREETS, TOWN_TAILS, city_of,
};

/// Version of every generated outlet.
pub(crate) const OUTLET_VERSION: u64 = 1;

const WEEKDAYS: &[u8] = &[1, 2, 3, 4, 5];
const MON_SAT: &[u8] = &[1, 2, 3, 4, 5, 6];
const WEEKEND: &[u8] = &[6, 7];
const EVERY_DAY: &[u8] = &[1, 2, 3, 4, 5, 6, 7];

/// Minutes after midnight.
const fn hm(hours: u16, minutes: u16) -> u16 {
    hours * 60 + minutes
}

fn period(days: &[u8], opens: u16, closes: u16) -> OpeningPeriod {
    OpeningPeriod {
        weekdays: days.to_vec(),
        opens,
        closes,
    }
}

/// Government office hours: weekdays with a long lunch break.
fn office_hours() -> Vec<OpeningPeriod> {
    vec![
        period(WEEKDAYS, hm(8, 30), hm(12, 0)),
        period(WEEKDAYS, hm(14, 30), hm(17, 30)),
    ]
}

/// Government service centre hours: no lunch break, Saturday mornings.
fn service_centre_hours() -> Vec<OpeningPeriod> {
    vec![
        period(WEEKDAYS, hm(9, 0), hm(17, 0)),
        period(&[6], hm(9, 0), hm(12, 0)),
    ]
}

fn round_the_clock() -> Vec<OpeningPeriod> {
    vec![period(EVERY_DAY, 0, hm(24, 0))]
}

fn bank_hours(rng: &mut SplitMix64) -> Vec<OpeningPeriod> {
    match rng.below(10) {
        0..=3 => vec![period(WEEKDAYS, hm(9, 0), hm(17, 0))],
        4..=5 => vec![period(EVERY_DAY, hm(9, 0), hm(17, 0))],
        6..=8 => vec![
            period(WEEKDAYS, hm(8, 30), hm(17, 0)),
            period(&[6], hm(9, 0), hm(16, 0)),
        ],
        _ => vec![
            period(WEEKDAYS, hm(9, 0), hm(17, 0)),
            period(WEEKEND, hm(9, 30), hm(16, 30)),
        ],
    }
}

fn community_hours(rng: &mut SplitMix64) -> Vec<OpeningPeriod> {
    if rng.chance(0.7) {
        vec![
            period(WEEKDAYS, hm(8, 30), hm(12, 0)),
            period(WEEKDAYS, hm(14, 0), hm(17, 30)),
        ]
    } else {
        vec![period(MON_SAT, hm(8, 30), hm(17, 0))]
    }
}

use OutletService::*;

/// A county bureau: everything, including cards printed while you wait.
const BUREAU_SERVICES: &[OutletService] = &[
    Apply,
    InstantIssue,
    Replace,
    ReportLoss,
    ReleaseLoss,
    ActivateSocialFunction,
    ActivateBankFunction,
    PinReset,
    CardPickup,
];
/// A government service centre window: all card services but the bank's.
const CENTRE_SERVICES: &[OutletService] = &[
    Apply,
    InstantIssue,
    Replace,
    ReportLoss,
    ReleaseLoss,
    ActivateSocialFunction,
    PinReset,
    CardPickup,
];
/// A town or street office: the card services without on-site printing.
const TOWN_OFFICE_SERVICES: &[OutletService] = &[
    Apply,
    Replace,
    ReportLoss,
    ReleaseLoss,
    ActivateSocialFunction,
    PinReset,
    CardPickup,
];
/// A community point.
const COMMUNITY_SERVICES: &[OutletService] = &[ReportLoss, ActivateSocialFunction, CardPickup];
/// A self-service terminal.
const TERMINAL_SERVICES: &[OutletService] = &[ReportLoss, ActivateSocialFunction];

/// A bank branch: always the bank's own functions and pickup; many also
/// take applications, replacements and loss reports, and some print cards.
fn bank_services(rng: &mut SplitMix64) -> Vec<OutletService> {
    let full = rng.chance(0.65);
    let instant = full && rng.chance(0.4);
    let mut services = Vec::with_capacity(7);
    if full {
        services.push(Apply);
    }
    if instant {
        services.push(InstantIssue);
    }
    if full {
        services.extend([Replace, ReportLoss]);
    }
    services.extend([ActivateBankFunction, PinReset, CardPickup]);
    services
}

/// `cos` of an angle in degrees between 24° and 31°, by its Taylor series
/// (error below 1e-6 there), so that no libm call makes output differ
/// between platforms.
fn cos_deg(degrees: f64) -> f64 {
    let x = degrees * (std::f64::consts::PI / 180.0);
    let x2 = x * x;
    1.0 - x2 / 2.0 + x2 * x2 / 24.0 - x2 * x2 * x2 / 720.0 + x2 * x2 * x2 * x2 / 40_320.0
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn inside_jiangxi(lat: f64, lon: f64) -> bool {
    let (south, north, west, east) = BOUNDS;
    // A margin of about a kilometre keeps points off the box's edge.
    lat > south + 0.01 && lat < north - 0.01 && lon > west + 0.01 && lon < east - 0.01
}

/// A point between `inner` and `outer` degrees (of latitude) from
/// `(lat, lon)`, uniform over the annulus, inside Jiangxi's box. Falls back
/// to the centre itself when 64 draws all miss (never for the real table).
fn scatter(rng: &mut SplitMix64, lat: f64, lon: f64, inner: f64, outer: f64) -> (f64, f64) {
    let lon_scale = 1.0 / cos_deg(lat);
    for _ in 0..64 {
        let dx = rng.unit() * 2.0 - 1.0;
        let dy = rng.unit() * 2.0 - 1.0;
        let d2 = dx * dx + dy * dy;
        let hole = inner / outer;
        if d2 > 1.0 || d2 < hole * hole {
            continue;
        }
        let p_lat = round6(lat + dy * outer);
        let p_lon = round6(lon + dx * outer * lon_scale);
        if inside_jiangxi(p_lat, p_lon) {
            return (p_lat, p_lon);
        }
    }
    (round6(lat), round6(lon))
}

/// An invented market town or urban street (街道), with its position.
struct Town {
    /// e.g. `龙埠镇`, `三溪乡`, `滨江街道`.
    name: String,
    lat: f64,
    lon: f64,
}

fn invent_towns(rng: &mut SplitMix64, county: &County, count: usize) -> Vec<Town> {
    let district = county.is_district();
    let mut towns: Vec<Town> = Vec::with_capacity(count);
    let mut names = HashSet::new();
    let mut attempts = 0;
    while towns.len() < count && attempts < count * 50 {
        attempts += 1;
        let head = rng.pick(NAME_HEADS).copied().unwrap_or("新");
        let name = if district {
            let tail = rng.pick(STREET_TAILS).copied().unwrap_or("江");
            format!("{head}{tail}街道")
        } else {
            let tail = rng.pick(TOWN_TAILS).copied().unwrap_or("田");
            let suffix = if rng.chance(0.7) { "镇" } else { "乡" };
            format!("{head}{tail}{suffix}")
        };
        if county.name.starts_with(head) || !names.insert(name.clone()) {
            continue;
        }
        let (inner, outer) = if district { (0.01, 0.06) } else { (0.05, 0.2) };
        let (lat, lon) = scatter(rng, county.lat, county.lon, inner, outer);
        towns.push(Town { name, lat, lon });
    }
    towns
}

/// Splits `total` over the counties in proportion to population + 20 万
/// (so small counties still get a fair network), largest remainder first.
fn apportion(total: usize) -> Vec<usize> {
    let weights: Vec<u64> = COUNTIES
        .iter()
        .map(|c| u64::from(c.population) + 20)
        .collect();
    let sum: u64 = weights.iter().sum();
    let total64 = total as u64;
    let mut shares: Vec<usize> = weights
        .iter()
        .map(|w| (w * total64 / sum) as usize)
        .collect();
    let assigned: usize = shares.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder, ties by table order: fully deterministic.
    order.sort_by_key(|&i| (std::cmp::Reverse(weights[i] * total64 % sum), i));
    for &i in order.iter().take(total.saturating_sub(assigned)) {
        shares[i] += 1;
    }
    shares
}

/// Builds outlets and keeps their names unique.
struct Builder {
    rng: SplitMix64,
    outlets: Vec<Outlet>,
    names: HashSet<String>,
}

/// What differs between outlets; the rest is filled in by [`Builder::push`].
struct Draft {
    name: String,
    kind: OutletKind,
    bank: Option<&'static str>,
    address: String,
    lat: f64,
    lon: f64,
    hours: Vec<OpeningPeriod>,
    services: Vec<OutletService>,
}

impl Builder {
    /// Whether `name` is still free (and reserves it if so).
    fn claim(&mut self, name: &str) -> bool {
        if self.names.contains(name) {
            return false;
        }
        self.names.insert(name.to_owned());
        true
    }

    /// A free name: the first of `candidates` not taken, or the last with a
    /// number appended.
    fn unique_name(&mut self, candidates: impl IntoIterator<Item = String>) -> String {
        let mut last = String::new();
        for candidate in candidates {
            if self.claim(&candidate) {
                return candidate;
            }
            last = candidate;
        }
        for n in 2.. {
            let numbered = format!("{last}（{n}）");
            if self.claim(&numbered) {
                return numbered;
            }
        }
        last
    }

    fn phone(&mut self, city: &City) -> String {
        format!("{}-8{:07}", city.area_code, self.rng.below(10_000_000))
    }

    fn house_number(&mut self) -> u32 {
        // Most numbers are low; a few run into the hundreds.
        if self.rng.chance(0.8) {
            self.rng.between(1, 199)
        } else {
            self.rng.between(200, 999)
        }
    }

    fn push(&mut self, county: &County, draft: Draft) {
        let city = city_of(county);
        let phone = self.phone(city);
        self.outlets.push(Outlet {
            id: format!("O-{:05}", self.outlets.len() + 1),
            name: draft.name,
            kind: draft.kind,
            bank: draft.bank.map(str::to_owned),
            region: county.code.to_owned(),
            city: city.name.to_owned(),
            address: draft.address,
            latitude: draft.lat,
            longitude: draft.lon,
            phone,
            hours: draft.hours,
            services: draft.services,
            version: OUTLET_VERSION,
        });
    }

    /// A road of the county seat (city roads for urban districts).
    fn seat_road(&mut self, county: &County) -> &'static str {
        let roads = if county.is_district() {
            city_of(county).roads
        } else {
            COUNTY_ROADS
        };
        self.rng.pick(roads).copied().unwrap_or("人民路")
    }

    fn seat_address(&mut self, county: &County, road: &str) -> String {
        let city = city_of(county);
        let number = self.house_number();
        format!("江西省{}{}{road}{number}号", city.name, county.name)
    }

    fn town_address(&mut self, county: &County, town: &Town) -> String {
        if county.is_district() {
            let road = self.seat_road(county);
            return self.seat_address(county, road);
        }
        let city = city_of(county);
        let street = self.rng.pick(TOWN_STREETS).copied().unwrap_or("新街");
        let number = self.house_number();
        format!(
            "江西省{}{}{}{street}{number}号",
            city.name, county.name, town.name
        )
    }

    fn near_seat(&mut self, county: &County) -> (f64, f64) {
        let radius = if county.is_district() { 0.035 } else { 0.02 };
        scatter(&mut self.rng, county.lat, county.lon, 0.0, radius)
    }

    fn near_town(&mut self, town: &Town) -> (f64, f64) {
        scatter(&mut self.rng, town.lat, town.lon, 0.0, 0.012)
    }

    /// The fixed outlets of a county: its bureau window, its government
    /// service centre, the city's card service centre in the city's first
    /// district, and a 24-hour point in districts and county-level cities.
    fn fixed(&mut self, county: &County, first_of_city: bool) -> usize {
        let city = city_of(county);
        let before = self.outlets.len();
        if first_of_city {
            let road = self.seat_road(county);
            let address = self.seat_address(county, road);
            let (lat, lon) = self.near_seat(county);
            let name = self.unique_name([format!("{}社会保障卡服务中心", city.name)]);
            let draft = Draft {
                name,
                kind: OutletKind::HumanResourcesOffice,
                bank: None,
                address,
                lat,
                lon,
                hours: service_centre_hours(),
                services: BUREAU_SERVICES.to_vec(),
            };
            self.push(county, draft);
        }
        let road = self.seat_road(county);
        let address = self.seat_address(county, road);
        let (lat, lon) = self.near_seat(county);
        let name = self.unique_name([format!(
            "{}{}人力资源和社会保障局社保卡服务窗口",
            city.name, county.name
        )]);
        let draft = Draft {
            name,
            kind: OutletKind::HumanResourcesOffice,
            bank: None,
            address,
            lat,
            lon,
            hours: office_hours(),
            services: BUREAU_SERVICES.to_vec(),
        };
        self.push(county, draft);

        let road = self.seat_road(county);
        let address = self.seat_address(county, road);
        let (lat, lon) = self.near_seat(county);
        let name = self.unique_name([format!("{}政务服务中心社保卡窗口", county.name)]);
        let draft = Draft {
            name,
            kind: OutletKind::HumanResourcesOffice,
            bank: None,
            address,
            lat,
            lon,
            hours: service_centre_hours(),
            services: CENTRE_SERVICES.to_vec(),
        };
        self.push(county, draft);

        if county.is_district() || county.is_county_city() {
            let road = self.seat_road(county);
            let address = self.seat_address(county, road);
            let (lat, lon) = self.near_seat(county);
            let name = self.unique_name([format!("{}{road}社保卡24小时自助服务点", county.name)]);
            let draft = Draft {
                name,
                kind: OutletKind::CommunityServicePoint,
                bank: None,
                address,
                lat,
                lon,
                hours: round_the_clock(),
                services: TERMINAL_SERVICES.to_vec(),
            };
            self.push(county, draft);
        }
        self.outlets.len() - before
    }

    /// The human resources office of a town or street.
    fn town_office(&mut self, county: &County, town: &Town) {
        let name = if county.is_district() {
            format!("{}{}劳动保障服务站", county.name, town.name)
        } else {
            format!("{}{}人力资源和社会保障服务所", county.name, town.name)
        };
        let name = self.unique_name([name]);
        let address = self.town_address(county, town);
        let (lat, lon) = self.near_town(town);
        let draft = Draft {
            name,
            kind: OutletKind::HumanResourcesOffice,
            bank: None,
            address,
            lat,
            lon,
            hours: office_hours(),
            services: TOWN_OFFICE_SERVICES.to_vec(),
        };
        self.push(county, draft);
    }

    /// A bank branch in the seat (or the city proper for districts).
    fn seat_branch(&mut self, county: &County) {
        let city = city_of(county);
        let bank = self
            .rng
            .weighted(&city.bank_weights)
            .and_then(|i| BANKS.get(i));
        let Some(&(code, bank_name)) = bank else {
            return;
        };
        let place = if county.is_district() {
            city.short
        } else {
            county.name
        };
        let mut chosen = None;
        for _ in 0..8 {
            let road = self.seat_road(county);
            let name = format!("{bank_name}{place}{road}支行");
            if self.claim(&name) {
                chosen = Some((name, road));
                break;
            }
        }
        let (name, road) = match chosen {
            Some(found) => found,
            None => {
                let road = self.seat_road(county);
                (
                    self.unique_name([format!("{bank_name}{place}{road}分理处")]),
                    road,
                )
            }
        };
        let address = self.seat_address(county, road);
        let (lat, lon) = self.near_seat(county);
        let hours = bank_hours(&mut self.rng);
        let services = bank_services(&mut self.rng);
        let draft = Draft {
            name,
            kind: OutletKind::BankBranch,
            bank: Some(code),
            address,
            lat,
            lon,
            hours,
            services,
        };
        self.push(county, draft);
    }

    /// A bank branch in a market town (rural networks only).
    fn town_branch(&mut self, county: &County, town: &Town) {
        let bank = self
            .rng
            .weighted(&TOWN_BANK_WEIGHTS)
            .and_then(|i| BANKS.get(i));
        let Some(&(code, bank_name)) = bank else {
            return;
        };
        let unit = if code == "psbc" {
            "营业所"
        } else {
            "支行"
        };
        let name = self.unique_name([
            format!("{bank_name}{}{}{unit}", county.name, town.name),
            format!("{bank_name}{}{}分理处", county.name, town.name),
        ]);
        let address = self.town_address(county, town);
        let (lat, lon) = self.near_town(town);
        let hours = bank_hours(&mut self.rng);
        let services = bank_services(&mut self.rng);
        let draft = Draft {
            name,
            kind: OutletKind::BankBranch,
            bank: Some(code),
            address,
            lat,
            lon,
            hours,
            services,
        };
        self.push(county, draft);
    }

    /// A community (urban) or village (rural) service point.
    fn community_point(&mut self, county: &County, town: &Town) {
        let city = city_of(county);
        let mut chosen = None;
        for _ in 0..6 {
            let head = self.rng.pick(NAME_HEADS).copied().unwrap_or("新");
            let tails = if county.is_district() {
                STREET_TAILS
            } else {
                TOWN_TAILS
            };
            let tail = self.rng.pick(tails).copied().unwrap_or("田");
            let name = if county.is_district() {
                format!("{}{}{head}{tail}社区便民服务站", county.name, town.name)
            } else {
                format!("{}{}{head}{tail}村便民服务点", county.name, town.name)
            };
            if self.claim(&name) {
                chosen = Some((name, format!("{head}{tail}")));
                break;
            }
        }
        let (name, place) = match chosen {
            Some(found) => found,
            None => {
                let name = format!("{}{}便民服务点", county.name, town.name);
                (self.unique_name([name]), String::new())
            }
        };
        // A village point sits in its village committee; an urban one on a
        // city street.
        let address = if county.is_district() || place.is_empty() {
            self.town_address(county, town)
        } else {
            format!(
                "江西省{}{}{}{place}村村委会",
                city.name, county.name, town.name
            )
        };
        let (lat, lon) = if county.is_district() {
            self.near_town(town)
        } else {
            // Villages lie a few kilometres out of the market town.
            scatter(&mut self.rng, town.lat, town.lon, 0.01, 0.05)
        };
        let hours = community_hours(&mut self.rng);
        let draft = Draft {
            name,
            kind: OutletKind::CommunityServicePoint,
            bank: None,
            address,
            lat,
            lon,
            hours,
            services: COMMUNITY_SERVICES.to_vec(),
        };
        self.push(county, draft);
    }
}

/// About `total` outlets (exactly `total` unless it is below the fixed
/// outlets every county has) from `seed`.
pub(crate) fn outlets(total: usize, seed: u64) -> Vec<Outlet> {
    let mut b = Builder {
        rng: SplitMix64::new(seed),
        outlets: Vec::with_capacity(total),
        names: HashSet::with_capacity(total),
    };
    let quotas = apportion(total);
    let mut seen_cities = HashSet::new();
    for (county, &quota) in COUNTIES.iter().zip(&quotas) {
        let first_of_city = seen_cities.insert(county.city);
        let fixed = b.fixed(county, first_of_city);
        let mut left = quota.saturating_sub(fixed);
        let town_count = (quota / 6).clamp(3, 40).min(left.max(1));
        let towns = invent_towns(&mut b.rng, county, town_count);
        for town in &towns {
            if left == 0 {
                break;
            }
            b.town_office(county, town);
            left -= 1;
        }
        let bank_share = if county.is_district() { 0.72 } else { 0.6 };
        let seat_share = if county.is_district() { 1.0 } else { 0.6 };
        for _ in 0..left {
            let Some(town) = b.rng.pick(&towns) else {
                b.seat_branch(county);
                continue;
            };
            if !b.rng.chance(bank_share) {
                b.community_point(county, town);
            } else if !b.rng.chance(seat_share) {
                b.town_branch(county, town);
            } else {
                b.seat_branch(county);
            }
        }
    }
    b.outlets
}
