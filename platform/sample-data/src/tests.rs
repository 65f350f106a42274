//! Tests of the sample data: the checked-in files are current, and the data
//! has the shape the brief and the domain documents describe.

use std::collections::{HashMap, HashSet};

use ecard_api::catalogue::{CatalogueItem, Cluster, Domain, OutletKind, OutletService};
use ecard_api::resident::ECardState;
use ecard_api::rules::Purpose;

use super::catalogue::{JIANGXI, NATIONAL};
use super::regions::{BANKS, BOUNDS, CITIES, COUNTIES};
use super::*;

const ALL_DOMAINS: [Domain; 13] = [
    Domain::GovernmentServices,
    Domain::HumanResourcesSocialSecurity,
    Domain::MedicalHealth,
    Domain::Transport,
    Domain::Tourism,
    Domain::Culture,
    Domain::Education,
    Domain::FundDisbursement,
    Domain::FinancePayment,
    Domain::SmartLiving,
    Domain::RuralRevitalization,
    Domain::NationalDefence,
    Domain::CreditServices,
];

const ALL_CLUSTERS: [Cluster; 4] = [Cluster::Handle, Cluster::Travel, Cluster::Pay, Cluster::Use];

fn list<'a>(data: &'a SampleData, name: &str) -> Vec<&'a CatalogueItem> {
    data.catalogue.iter().filter(|i| i.list == name).collect()
}

#[test]
fn checked_in_files_are_the_generators_output() {
    let data = generate();
    let [(_, catalogue), (_, outlets), (_, rules), (_, vocabulary)] = data.files().unwrap();
    let hint = "platform/data is stale: run \
        `cargo run -p ecard-sample-data --bin generate-sample-data -- platform/data`";
    assert!(
        catalogue == include_str!("../../data/catalogue.json"),
        "{hint}"
    );
    assert!(outlets == include_str!("../../data/outlets.json"), "{hint}");
    assert!(rules == include_str!("../../data/rules.json"), "{hint}");
    assert!(
        vocabulary == include_str!("../../data/vocabulary.json"),
        "{hint}"
    );
    assert!(embedded().unwrap() == data, "{hint}");
}

#[test]
fn generation_is_deterministic() {
    let a = generate();
    let b = generate();
    assert_eq!(a, b);
    assert_eq!(a.files().unwrap(), b.files().unwrap());
}

#[test]
fn national_list_has_160_items_95_of_them_social_security() {
    let data = generate();
    let national = list(&data, "national");
    assert_eq!(national.len(), 160);
    let hr = national
        .iter()
        .filter(|i| i.domain == Domain::HumanResourcesSocialSecurity)
        .count();
    assert_eq!(hr, 95);
    for (n, item) in national.iter().enumerate() {
        assert_eq!(item.id, format!("N-{:03}", n + 1));
        assert_eq!(item.regions, ["100000"]);
    }
    let domains: HashSet<_> = national.iter().map(|i| i.domain).collect();
    assert_eq!(domains.len(), 13, "the national list touches every domain");
}

#[test]
fn jiangxi_list_has_163_items_over_all_domains_and_clusters() {
    let data = generate();
    let jiangxi = list(&data, "360000");
    assert_eq!(jiangxi.len(), 163);
    for (n, item) in jiangxi.iter().enumerate() {
        assert_eq!(item.id, format!("P360000-{:03}", n + 1));
    }
    let domains: HashSet<_> = jiangxi.iter().map(|i| i.domain).collect();
    for domain in ALL_DOMAINS {
        assert!(domains.contains(&domain), "{domain:?} missing");
    }
    let clusters: HashSet<_> = jiangxi.iter().map(|i| i.cluster).collect();
    for cluster in ALL_CLUSTERS {
        assert!(clusters.contains(&cluster), "{cluster:?} missing");
    }
    let codes: HashSet<&str> = std::iter::once("360000")
        .chain(CITIES.iter().map(|c| c.code))
        .collect();
    for item in &jiangxi {
        assert!(!item.regions.is_empty());
        for region in &item.regions {
            assert!(
                codes.contains(region.as_str()),
                "{}: region {region}",
                item.name
            );
        }
    }
}

#[test]
fn every_provincial_reference_names_a_national_row() {
    let national: HashSet<&str> = NATIONAL
        .iter()
        .flat_map(|s| s.entries.iter().map(|r| r.name))
        .collect();
    let mut entries = 0;
    for section in JIANGXI {
        for entry in section.entries {
            entries += 1;
            if let catalogue::Entry::Same(name) = entry {
                assert!(national.contains(name), "no national row named {name}");
                let row = catalogue::national_rows()
                    .find(|r| r.row.name == *name)
                    .unwrap();
                assert_eq!(row.domain, section.domain, "{name} changes domain");
            }
        }
    }
    assert_eq!(entries, 163);
}

#[test]
fn items_are_well_formed() {
    let data = generate();
    let mut ids = HashSet::new();
    let mut names: HashMap<&str, HashSet<&str>> = HashMap::new();
    for item in &data.catalogue {
        assert!(ids.insert(item.id.as_str()), "duplicate id {}", item.id);
        assert!(
            names
                .entry(item.list.as_str())
                .or_default()
                .insert(item.name.as_str()),
            "duplicate name {} in {}",
            item.name,
            item.list
        );
        let label = item.short_label.chars().count();
        assert!(
            (1..=6).contains(&label),
            "{}: label {}",
            item.name,
            item.short_label
        );
        assert!(item.description.ends_with('。'), "{}", item.name);
        assert!(item.description.chars().count() >= 8, "{}", item.name);
        assert!(!item.description.contains('\n'));
        assert_eq!(item.cluster, catalogue::cluster_of(item.domain));
        assert!(!item.usage_modes.is_empty());
        assert!(!item.card_forms.is_empty());
        assert!(!item.channels.is_empty());
        assert!(!item.department.is_empty());
        assert_eq!(item.version, 1);
    }
}

#[test]
fn residents_find_what_they_search_for() {
    let data = generate();
    let terms = [
        "社会保障卡申领",
        "社会保障卡补换",
        "挂失",
        "解挂",
        "启用",
        "社保",
        "养老",
        "医保",
        "就医",
        "公交",
        "地铁",
        "景区",
        "博物馆",
        "图书馆",
        "公积金",
        "失业",
        "工伤",
        "生育",
        "补贴",
        "就业",
        "培训",
        "惠民惠农",
    ];
    for name in ["national", "360000"] {
        let items = list(&data, name);
        for term in terms {
            assert!(
                items.iter().any(|i| i.name.contains(term)),
                "no item of {name} mentions {term}"
            );
        }
    }
}

fn in_bounds(lat: f64, lon: f64) -> bool {
    let (south, north, west, east) = BOUNDS;
    (south..=north).contains(&lat) && (west..=east).contains(&lon)
}

#[test]
fn outlets_cover_jiangxi() {
    let data = generate();
    assert!(data.outlets.len() >= 3_000);
    assert_eq!(data.outlets.len(), OUTLET_COUNT);
    let counties: HashMap<&str, &regions::County> = COUNTIES.iter().map(|c| (c.code, c)).collect();
    let mut names = HashSet::new();
    let mut seen_counties = HashSet::new();
    let mut seen_cities = HashSet::new();
    for (n, outlet) in data.outlets.iter().enumerate() {
        assert_eq!(outlet.id, format!("O-{:05}", n + 1));
        assert!(
            names.insert(outlet.name.as_str()),
            "duplicate name {}",
            outlet.name
        );
        assert!(
            in_bounds(outlet.latitude, outlet.longitude),
            "{} outside Jiangxi",
            outlet.name
        );
        let county = counties.get(outlet.region.as_str()).unwrap();
        let city = regions::city_of(county);
        assert_eq!(outlet.city, city.name);
        assert!(
            outlet
                .address
                .starts_with(&format!("江西省{}{}", city.name, county.name))
        );
        let (code, number) = outlet.phone.split_once('-').unwrap();
        assert_eq!(code, city.area_code, "{}", outlet.name);
        assert!(number.len() == 8 && number.bytes().all(|b| b.is_ascii_digit()));
        // Within about 30 km of the seat.
        assert!(
            (outlet.latitude - county.lat).abs() < 0.3,
            "{}",
            outlet.name
        );
        assert!(
            (outlet.longitude - county.lon).abs() < 0.35,
            "{}",
            outlet.name
        );
        assert_eq!(outlet.version, 1);
        seen_counties.insert(county.code);
        seen_cities.insert(city.code);
    }
    assert_eq!(seen_counties.len(), 100);
    assert_eq!(seen_cities.len(), 11);
}

#[test]
fn outlets_have_hours_and_services_that_fit_their_kind() {
    let data = generate();
    let bank_codes: HashSet<&str> = BANKS.iter().map(|(code, _)| *code).collect();
    let mut kinds = HashMap::new();
    let (mut round_the_clock, mut closed_sunday, mut open_saturday) = (0, 0, 0);
    for outlet in &data.outlets {
        *kinds.entry(outlet.kind).or_insert(0) += 1;
        assert!(!outlet.hours.is_empty(), "{} has no hours", outlet.name);
        for period in &outlet.hours {
            assert!(!period.weekdays.is_empty());
            assert!(period.weekdays.iter().all(|d| (1..=7).contains(d)));
            assert!(period.opens < period.closes && period.closes <= 24 * 60);
        }
        let days: HashSet<u8> = outlet
            .hours
            .iter()
            .flat_map(|p| p.weekdays.clone())
            .collect();
        if outlet
            .hours
            .iter()
            .any(|p| p.opens == 0 && p.closes == 1440 && p.weekdays.len() == 7)
        {
            round_the_clock += 1;
        }
        if !days.contains(&7) {
            closed_sunday += 1;
        }
        if days.contains(&6) {
            open_saturday += 1;
        }
        let services: HashSet<OutletService> = outlet.services.iter().copied().collect();
        assert_eq!(
            services.len(),
            outlet.services.len(),
            "{}: repeated service",
            outlet.name
        );
        use OutletService::*;
        match outlet.kind {
            OutletKind::HumanResourcesOffice => {
                assert!(outlet.bank.is_none());
                for s in [
                    Apply,
                    Replace,
                    ReportLoss,
                    ReleaseLoss,
                    ActivateSocialFunction,
                ] {
                    assert!(services.contains(&s), "{} lacks {s:?}", outlet.name);
                }
            }
            OutletKind::BankBranch => {
                let bank = outlet.bank.as_deref().unwrap();
                assert!(bank_codes.contains(bank));
                let bank_name = BANKS.iter().find(|(c, _)| *c == bank).unwrap().1;
                assert!(outlet.name.starts_with(bank_name), "{}", outlet.name);
                for s in [ActivateBankFunction, PinReset, CardPickup] {
                    assert!(services.contains(&s), "{} lacks {s:?}", outlet.name);
                }
                assert!(!services.contains(&ActivateSocialFunction));
                assert!(!services.contains(&ReleaseLoss));
                if services.contains(&InstantIssue) {
                    assert!(services.contains(&Apply));
                }
            }
            OutletKind::CommunityServicePoint => {
                assert!(outlet.bank.is_none());
                assert!(services.contains(&ReportLoss));
                let allowed = [ReportLoss, CardPickup, ActivateSocialFunction];
                assert!(
                    services.iter().all(|s| allowed.contains(s)),
                    "{}",
                    outlet.name
                );
            }
        }
    }
    assert_eq!(kinds.len(), 3);
    assert!(kinds[&OutletKind::BankBranch] > kinds[&OutletKind::HumanResourcesOffice]);
    assert!(round_the_clock > 10);
    assert!(closed_sunday > 100);
    assert!(open_saturday > 100);
    let banks: HashSet<_> = data
        .outlets
        .iter()
        .filter_map(|o| o.bank.as_deref())
        .collect();
    assert_eq!(
        banks.len(),
        BANKS.len(),
        "every co-branded bank has branches"
    );
}

#[test]
fn outlets_file_stays_small() {
    let outlets = generate().outlets_json().unwrap();
    assert!(outlets.len() < 2 * 1024 * 1024, "{} bytes", outlets.len());
}

#[test]
fn provinces_have_different_rules() {
    let rules = generate().rules;
    let regions: Vec<&str> = rules.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(regions, ["360000", "330000", "440000", "510000"]);
    let lapses: HashSet<u32> = rules.iter().map(|r| r.temporary_loss_lapse_days).collect();
    assert_eq!(lapses.len(), 4, "lapse days differ between all four");
    assert!(lapses.iter().all(|d| [5, 7, 10, 15].contains(d)));
    let online: HashSet<bool> = rules.iter().map(|r| r.release_online).collect();
    assert_eq!(
        online.len(),
        2,
        "some release online, some at the counter only"
    );
    for flag in [
        |r: &RegionalRules| r.formal_loss_reversible,
        |r: &RegionalRules| r.e_card_timing.during_production == ECardState::Active,
        |r: &RegionalRules| r.e_card_timing.during_temporary_loss == ECardState::Active,
        |r: &RegionalRules| r.e_card_timing.during_replacement == ECardState::Active,
        |r: &RegionalRules| r.cancel_after_submit,
    ] {
        assert_eq!(rules.iter().map(flag).collect::<HashSet<_>>().len(), 2);
    }
    for r in &rules {
        assert!(r.replacement_fee_fen <= 2_000 && r.postage_fen <= 1_500);
        assert!((5..=10).contains(&r.relative_quota));
        assert!((24..=72).contains(&r.credential_lifetime_hours));
        assert_eq!(r.adult_age, 18);
        let p = r.photo;
        assert!(p.min_width <= 358 && 358 <= p.max_width);
        assert!(p.min_height <= 441 && 441 <= p.max_height);
        assert!(p.min_bytes < p.max_bytes && p.max_bytes <= 40 * 1024);
        assert!(!r.banks.is_empty());
        let codes: HashSet<_> = r.banks.iter().map(|b| b.code.as_str()).collect();
        assert_eq!(codes.len(), r.banks.len());
        assert!(r.production_days > 0 && r.delivery_days > 0);
        assert_eq!(r.version, 1);
        assert!(r.on_behalf.proxy.contains(&Purpose::Medical));
        assert!(!r.on_behalf.proxy.contains(&Purpose::Transport));
        assert!(!r.on_behalf.proxy.contains(&Purpose::Identity));
        assert_eq!(r.on_behalf.guardian, Purpose::ALL);
        assert!(!r.on_behalf.source.is_empty());
    }
    let culture = |r: &RegionalRules| r.on_behalf.proxy.contains(&Purpose::CultureTourism);
    assert!(
        !culture(&rules[0]),
        "by default a proxy's code is refused at culture/tourism gates"
    );
    assert_eq!(rules.iter().map(culture).collect::<HashSet<_>>().len(), 2);
    assert_eq!(rules[0].relative_quota, 8, "Jiangxi's quota of relatives");
    assert_eq!(
        rules[0].e_card_timing.during_production,
        ECardState::Active,
        "Jiangxi: 同步生成电子社会保障卡，持卡人可在电子社会保障卡渠道直接使用"
    );
    assert_eq!(
        rules[0].banks.len(),
        18,
        "Jiangxi: 社会保障卡合作银行增加至18家"
    );
    // Every act on a minor's card goes through the guardian; the exception
    // for a self-supporting 16-year-old is a region's choice.
    for r in &rules {
        assert!(r.minors.pin_through_guardian);
        assert!(
            r.minors
                .through_guardian
                .contains(&ecard_api::resident::Scope::ReportLoss)
        );
        assert!(!r.minors.source.is_empty() && !r.newborn.source.is_empty());
        assert!(
            r.instant_issue.offered,
            "各地普遍实现了社保卡申领、补换的“立等可取”"
        );
    }
    assert_eq!(rules[0].minors.self_supporting_from_age, None);
    assert_eq!(
        rules
            .iter()
            .map(|r| r.minors.self_supporting_from_age)
            .collect::<HashSet<_>>()
            .len(),
        2
    );
    assert!(
        rules[0].newborn.one_submission,
        "家长只需填写一张表格，提交一次申请"
    );
    assert!(rules[0].newborn.photo_exempt_under_age > 0);
}

#[test]
fn synthetic_data_scales_with_unique_ids_and_names() {
    let data = synthetic(10_000, 10_000, 1);
    assert_eq!(data.catalogue.len(), 10_000);
    assert_eq!(data.outlets.len(), 10_000);
    let ids: HashSet<_> = data.catalogue.iter().map(|i| &i.id).collect();
    assert_eq!(ids.len(), 10_000);
    let names: HashSet<_> = data.catalogue.iter().map(|i| &i.name).collect();
    assert_eq!(names.len(), 10_000);
    let ids: HashSet<_> = data.outlets.iter().map(|o| &o.id).collect();
    assert_eq!(ids.len(), 10_000);
    let names: HashSet<_> = data.outlets.iter().map(|o| &o.name).collect();
    assert_eq!(names.len(), 10_000);
    assert!(
        data.catalogue
            .iter()
            .all(|i| i.short_label.chars().count() <= 6)
    );
    assert!(
        data.outlets
            .iter()
            .all(|o| in_bounds(o.latitude, o.longitude))
    );
    assert_eq!(
        data,
        synthetic(10_000, 10_000, 1),
        "deterministic in the seed"
    );
    assert_ne!(
        data.outlets,
        synthetic(10, 10_000, 2).outlets,
        "the seed matters"
    );
}

#[test]
fn synthetic_handles_small_and_empty_sizes() {
    let data = synthetic(0, 0, 3);
    assert!(data.catalogue.is_empty() && data.outlets.is_empty());
    let data = synthetic(5, 7, 3);
    assert_eq!((data.catalogue.len(), data.outlets.len()), (5, 7));
}

#[test]
fn every_row_has_one_usage_line_and_every_line_a_row() {
    let rows: HashSet<&str> = catalogue::all_rows().iter().map(|r| r.row.name).collect();
    let mut seen = HashSet::new();
    for (name, popularity, _) in usage::USAGE {
        assert!(seen.insert(*name), "two usage lines for {name}");
        assert!(rows.contains(name), "usage line for no row: {name}");
        assert!(*popularity <= 100, "{name}: popularity {popularity}");
    }
    for row in &rows {
        assert!(seen.contains(row), "no usage line for {row}");
    }
}

#[test]
fn items_carry_popularity_actions_and_twins() {
    use ecard_api::catalogue::AppAction;
    let data = generate();
    let by_id: HashMap<&str, &CatalogueItem> =
        data.catalogue.iter().map(|i| (i.id.as_str(), i)).collect();
    let by_name = |list: &str, name: &str| {
        data.catalogue
            .iter()
            .find(|i| i.list == list && i.name == name)
            .unwrap()
    };
    for item in &data.catalogue {
        assert!(
            item.popularity <= 100 && item.popularity > 0,
            "{}",
            item.name
        );
    }
    // The card itself outranks niche services.
    assert!(by_name("national", "社会保障卡申领").popularity >= 90);
    assert!(by_name("national", "民兵训练补贴发放").popularity < 20);
    let actions = [
        ("社会保障卡申领", AppAction::ApplyForCard),
        ("电子社会保障卡申领", AppAction::ApplyForElectronicCard),
        ("社会保障卡补换", AppAction::ReplaceCard),
        ("社会保障卡保号换卡", AppAction::ReplaceCard),
        ("社会保障卡临时挂失", AppAction::ReportLoss),
        ("社会保障卡正式挂失", AppAction::ReportLoss),
        ("社会保障卡解挂", AppAction::ReleaseLoss),
        ("社会保障卡社保功能启用", AppAction::ActivateSocialFunction),
        ("社会保障卡密码修改和重置", AppAction::ChangePin),
        ("社会保障卡制卡进度查询", AppAction::TrackProduction),
        ("就医购药结算", AppAction::ShowCode),
        ("公交乘车", AppAction::ShowCode),
        ("电子社保卡移动支付", AppAction::ShowCode),
    ];
    for (name, action) in actions {
        assert_eq!(by_name("national", name).app_action, Some(action), "{name}");
        assert_eq!(by_name("360000", name).app_action, Some(action), "{name}");
    }
    for (name, action) in [
        ("新生儿出生一件事社保卡申领", AppAction::ApplyForNewbornCard),
        ("社会保障卡变更联名银行", AppAction::ChangeBank),
        ("社会保障卡亲情代办", AppAction::ActForFamily),
        ("电子社保卡就医购药", AppAction::ShowCode),
    ] {
        assert_eq!(by_name("360000", name).app_action, Some(action), "{name}");
    }
    assert_eq!(by_name("national", "企业年金查询").app_action, None);
    // Twins: exactly the rows reused by name, each naming its namesake.
    let mut twins = 0;
    for item in list(&data, "360000") {
        let namesake = by_name_opt(&data, "national", &item.name);
        match (&item.national_item, namesake) {
            (Some(id), Some(national)) => {
                twins += 1;
                assert_eq!(id, &national.id);
                assert_eq!(by_id[id.as_str()].name, item.name);
            }
            (None, None) => {}
            other => panic!("{}: twin {:?}", item.name, other.0),
        }
    }
    assert_eq!(
        by_name("360000", "社会保障卡申领").national_item.as_deref(),
        Some("N-001")
    );
    assert!(twins > 80, "{twins} twins");
    for item in list(&data, "national") {
        assert_eq!(item.national_item, None);
    }
}

fn by_name_opt<'a>(data: &'a SampleData, list: &str, name: &str) -> Option<&'a CatalogueItem> {
    data.catalogue
        .iter()
        .find(|i| i.list == list && i.name == name)
}

#[test]
fn vocabulary_means_catalogue_words_with_short_unique_terms() {
    let data = generate();
    let lists: HashSet<&str> = data.vocabulary.iter().map(|e| e.list.as_str()).collect();
    assert_eq!(lists, HashSet::from(["national", "360000"]));
    let national = data
        .vocabulary
        .iter()
        .filter(|e| e.list == "national")
        .count();
    let jiangxi = data.vocabulary.len() - national;
    assert!(
        (200..=300).contains(&national),
        "{national} national entries"
    );
    assert!((20..=40).contains(&jiangxi), "{jiangxi} Jiangxi entries");
    // National entries come first.
    assert!(
        data.vocabulary[..national]
            .iter()
            .all(|e| e.list == "national")
    );
    let texts: Vec<String> = data
        .catalogue
        .iter()
        .map(|i| format!("{} {} {}", i.name, i.short_label, i.description))
        .collect();
    let mut terms: HashMap<&str, HashSet<&str>> = HashMap::new();
    for entry in &data.vocabulary {
        assert!(!entry.terms.is_empty(), "an entry without terms");
        for term in &entry.terms {
            let chars = term.chars().count();
            assert!((1..=12).contains(&chars), "term {term:?}");
            assert_eq!(term.trim(), term, "term {term:?}");
            assert!(
                terms.entry(entry.list.as_str()).or_default().insert(term),
                "{term} is in two entries of {}",
                entry.list
            );
        }
        for word in &entry.means {
            assert!(
                texts.iter().any(|t| t.contains(word.as_str())),
                "{word} (meant by {:?}) occurs in no item",
                entry.terms
            );
        }
    }
    // Filler and question words are there, with no meaning.
    let filler: HashSet<&str> = data
        .vocabulary
        .iter()
        .filter(|e| e.means.is_empty())
        .flat_map(|e| e.terms.iter().map(String::as_str))
        .collect();
    for word in [
        "怎么", "如何", "哪里", "在哪", "吗", "的", "我", "想", "可以", "多久",
    ] {
        assert!(filler.contains(word), "{word} is not a filler word");
    }
}

/// The value a sources-table row states for `fact` of `r`, as the table
/// writes it.
fn stated_value(r: &RegionalRules, fact: &str) -> Option<String> {
    let minors = |m: &ecard_api::rules::MinorRules| {
        let mut text = if m.through_guardian.len() == 5 && m.pin_through_guardian {
            "all through the guardian".to_owned()
        } else {
            "through the guardian".to_owned()
        };
        if let Some(age) = m.self_supporting_from_age {
            text = format!("through the guardian; self-supporting from {age}");
        }
        if !m.e_card_on_own_phone_with_consent {
            text.push_str("; no e-card on the minor's phone");
        }
        text
    };
    Some(match fact {
        "banks" => r.banks.len().to_string(),
        "replacement_fee_fen" => r.replacement_fee_fen.to_string(),
        "postage_fen" => r.postage_fen.to_string(),
        "relative_quota" => r.relative_quota.to_string(),
        "production_days" => r.production_days.to_string(),
        "delivery_days" => r.delivery_days.to_string(),
        "adult_age" => r.adult_age.to_string(),
        "minors" => minors(&r.minors),
        "newborn" => match (r.newborn.one_submission, r.newborn.photo_exempt_under_age) {
            (false, _) => "not in one form".to_owned(),
            (true, 0) => "one form; always a photo".to_owned(),
            (true, age) => format!("one form; no photo under {age}"),
        },
        "instant_issue" => match r.instant_issue.offered {
            true => format!("offered; {} days", r.instant_issue.hold_days),
            false => "not offered".to_owned(),
        },
        "concessions" => r
            .concessions
            .classes
            .iter()
            .map(|rule| {
                let basis = match rule.basis {
                    ecard_api::rules::ConcessionBasis::Age { from, below } => match (from, below) {
                        (Some(from), None) => format!("from {from}"),
                        (None, Some(below)) => format!("under {below}"),
                        (Some(from), Some(below)) => format!("{from}–{}", below - 1),
                        (None, None) => "any age".to_owned(),
                    },
                    ecard_api::rules::ConcessionBasis::Document { document } => {
                        format!("by {}", document.name())
                    }
                    ecard_api::rules::ConcessionBasis::SchoolEnrolment => {
                        "by school enrolment".to_owned()
                    }
                };
                format!("{} {basis}", rule.class.name())
            })
            .collect::<Vec<_>>()
            .join("; "),
        "eligibility" => {
            let e = &r.eligibility;
            let passive = match &e.passive {
                Some(passive) => format!("passive within {} days", passive.within_days),
                None => "no passive".to_owned(),
            };
            format!(
                "every {} months; {} days' grace; {passive}; paid on the {}th",
                e.cycle_months, e.grace_days, e.pension_pay_day
            )
        }
        "e_card_timing.during_production" => {
            serde_json::to_value(r.e_card_timing.during_production)
                .ok()?
                .as_str()?
                .to_owned()
        }
        _ => return None,
    })
}

/// docs/sample-data.md gives every fact a source line (a domain-document
/// quote, a public rule, or "sample data"), with the value the generator
/// writes: the table and the data cannot drift apart.
#[test]
fn every_rule_fact_has_a_source_line_here() {
    let docs = include_str!("../../../docs/sample-data.md");
    let table = docs
        .split("### Sources of the rule values")
        .nth(1)
        .expect("the sources section");
    let mut seen = HashSet::new();
    for line in table.lines().filter(|line| {
        line.starts_with("| 3") || line.starts_with("| 4") || line.starts_with("| 5")
    }) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (region, fact, value, source) = (cells[1], cells[2], cells[3], cells[4]);
        let r = generate()
            .rules
            .into_iter()
            .find(|r| r.region == region)
            .unwrap_or_else(|| panic!("no rules for {region}"));
        assert_eq!(
            stated_value(&r, fact).as_deref(),
            Some(value),
            "{region} {fact}: the table says {value}"
        );
        assert!(
            source.contains(".txt")
                || source.contains("sample data")
                || source.contains("national age"),
            "{region} {fact}: a quote, a public rule or \"sample data\": {source}"
        );
        seen.insert((region.to_owned(), fact.to_owned()));
    }
    for r in generate().rules {
        for fact in [
            "banks",
            "replacement_fee_fen",
            "postage_fen",
            "relative_quota",
            "production_days",
            "delivery_days",
            "adult_age",
            "minors",
            "newborn",
            "instant_issue",
            "concessions",
            "eligibility",
        ] {
            assert!(
                seen.contains(&(r.region.clone(), fact.to_owned())),
                "{} {fact} has no source line",
                r.region
            );
        }
    }
}
