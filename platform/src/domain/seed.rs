//! First-start content: the regional rules, catalogue, outlets and search
//! vocabulary of the sample data, and a few demo personas in the population register.
//!
//! The personas are the people of the demo and of examples in the docs: a
//! resident without a card (张伟), his minor daughter and newborn son, his
//! 16-year-old technical-school son with a card and a phone of his own
//! (enrolled at a seeded school, so his codes carry the student class), and
//! an elderly relative with a card (刘桂兰); and the birth medical
//! certificate of his daughter born three days before, not yet registered. Their ID numbers carry valid
//! GB 11643 check digits; the newborn's birth date is twenty days before
//! the first start.

use crate::store::sql::{Transaction, params};
use ecard_api::catalogue::{CatalogueItem, Outlet, VocabularyEntry};
use ecard_api::rules::RegionalRules;
use ecard_documents::Date;

use crate::domain::register::{NewPerson, insert_card, insert_person, persona, resident_id};
use crate::error::{ApiError, ApiResult};

/// A seeded persona's role key.
pub const RESIDENT: &str = "resident";

/// The resident's minor daughter.
pub const MINOR: &str = "minor";

/// The resident's newborn son.
pub const NEWBORN: &str = "newborn";

/// The resident's son of 16, a technical-school student with a card and a
/// phone: what he may do alone is the region's minor rules.
pub const STUDENT: &str = "student";

/// The student's school, registered first (affiliation 1): 鹰潭市高级技工学校
/// is one of the report's seven schools with a campus 一卡通.
pub const SEEDED_SCHOOL: &str = "鹰潭市高级技工学校";

/// The birth medical certificate of the resident's daughter, born three
/// days before the first start and not yet registered (出生一件事).
pub const SEEDED_BIRTH_CERTIFICATE: &str = "P360100003";

/// The resident's elderly relative, who has a card.
pub const ELDER: &str = "elder";

fn date(year: u16, month: u8, day: u8) -> ApiResult<Date> {
    Date::new(year, month, day).ok_or_else(|| {
        ApiError::new(
            ecard_api::problem::ProblemCode::Internal,
            "bad persona date",
        )
    })
}

/// The rules, catalogue and outlets a platform starts with: the checked-in
/// output of the sample-data generator (`ecard-sample-data`), compiled into
/// the binary so a platform starts without the generator.
struct DefaultDeployment {
    catalogue: Vec<CatalogueItem>,
    outlets: Vec<Outlet>,
    rules: Vec<RegionalRules>,
    vocabulary: Vec<VocabularyEntry>,
}

impl DefaultDeployment {
    fn embedded() -> Result<DefaultDeployment, serde_json::Error> {
        Ok(DefaultDeployment {
            catalogue: serde_json::from_str(include_str!("../../data/catalogue.json"))?,
            outlets: serde_json::from_str(include_str!("../../data/outlets.json"))?,
            rules: serde_json::from_str(include_str!("../../data/rules.json"))?,
            vocabulary: serde_json::from_str(include_str!("../../data/vocabulary.json"))?,
        })
    }
}

/// Seeds rules, catalogue, outlets, search vocabulary and personas into an
/// empty database. The vocabulary is seeded on its own condition, so a
/// database from before it existed gets the sample vocabulary too.
pub fn seed(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let rules_count: i64 = tx.query_row("SELECT COUNT(*) FROM rules", [], |row| row.get(0))?;
    let vocabulary_seeded = crate::domain::vocabulary::is_seeded(tx)?;
    if rules_count == 0 || !vocabulary_seeded {
        let data = DefaultDeployment::embedded().map_err(|_| {
            ApiError::new(
                ecard_api::problem::ProblemCode::Internal,
                "embedded sample data unreadable",
            )
        })?;
        if !vocabulary_seeded {
            crate::domain::vocabulary::seed(tx, &data.vocabulary)?;
        }
        if rules_count == 0 {
            seed_feeds(tx, &data)?;
        }
    }
    if persona(tx, RESIDENT)?.is_some() {
        return Ok(());
    }
    seed_personas(tx, now)
}

/// The rules, catalogue and outlets of the sample data.
fn seed_feeds(tx: &Transaction<'_>, data: &DefaultDeployment) -> ApiResult<()> {
    for rules in &data.rules {
        crate::domain::rules::store(tx, rules)?;
    }
    let items: Vec<_> = data
        .catalogue
        .iter()
        .map(|item| (item.id.clone(), item.clone()))
        .collect();
    crate::domain::feeds::seed(tx, "catalogue_items", "catalogue_version", &items)?;
    let outlets: Vec<_> = data
        .outlets
        .iter()
        .map(|outlet| (outlet.id.clone(), outlet.clone()))
        .collect();
    crate::domain::feeds::seed(tx, "outlets", "outlets_version", &outlets)?;
    Ok(())
}

/// The sample money of the seeded population (sample data,
/// `docs/sample-data.md`): the elder's pension for the past six months and
/// her last eligibility certification at a counter 330 days ago (so the
/// next is due in about a month), a 惠民惠农 subsidy for her and a
/// technical-school grant for the student, and a migrant worker of a
/// building project (not a persona) paid his wages into his card.
fn seed_money(tx: &Transaction<'_>, elder: &str, student: &str, now: u64) -> ApiResult<()> {
    use crate::domain::money::{SampleStream, seed_sample};
    use ecard_api::money::PaymentSource;
    let card_of = |person: &str| -> ApiResult<String> {
        crate::domain::cards::current_card_of(tx, person)?
            .ok_or_else(|| ApiError::new(ecard_api::problem::ProblemCode::Internal, "no card"))
    };
    let elder_card = card_of(elder)?;
    seed_sample(
        tx,
        elder,
        &elder_card,
        &SampleStream {
            source: PaymentSource::Subsidy,
            programme: "耕地地力保护补贴",
            payer: "南昌市东湖区财政局",
            amount_fen: 41_360,
            every_months: 12,
            day: 20,
        },
        12,
        now,
    )?;
    // After the year-old subsidy: payments are listed in the order they
    // were recorded, which must be the order they were paid.
    crate::domain::eligibility::seed_sample(tx, elder, 330, 6, now)?;
    let student_card = card_of(student)?;
    seed_sample(
        tx,
        student,
        &student_card,
        &SampleStream {
            source: PaymentSource::Subsidy,
            programme: "中等职业教育国家助学金",
            payer: "鹰潭市财政局",
            amount_fen: 100_000,
            every_months: 6,
            day: 25,
        },
        12,
        now,
    )?;
    let worker = insert_person(
        tx,
        &NewPerson {
            id_type: "resident_id".to_owned(),
            id_number: resident_id("360121", date(1976, 8, 15)?, "071")?,
            name: "王建国".to_owned(),
            birth_date: None,
            region: "360121".to_owned(),
            household_register: None,
            birth_certificate: None,
            guardians: vec![],
            phone: None,
            self_supporting: false,
        },
        now,
    )?;
    let worker_card = insert_card(tx, &worker, "abc", now)?;
    seed_sample(
        tx,
        &worker,
        &worker_card,
        &SampleStream {
            source: PaymentSource::Wages,
            programme: "农民工工资（南昌县安置房建设项目）",
            payer: "南昌某建设工程有限公司农民工工资专用账户",
            amount_fen: 560_000,
            every_months: 1,
            day: 10,
        },
        6,
        now,
    )
}

/// The demo personas.
fn seed_personas(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let region = "360102";
    let household = "360102088123";
    let today = Date::in_china_at(now).ok_or_else(|| {
        ApiError::new(
            ecard_api::problem::ProblemCode::Internal,
            "clock out of range",
        )
    })?;
    let newborn_birth = Date::in_china_at(now.saturating_sub(20 * 86_400)).unwrap_or(today);
    let person = |name: &str,
                  id_number: String,
                  household_register: Option<&str>,
                  birth_certificate: Option<&str>,
                  guardians: Vec<String>,
                  phone: Option<&str>| NewPerson {
        id_type: "resident_id".to_owned(),
        id_number,
        name: name.to_owned(),
        birth_date: None,
        region: region.to_owned(),
        household_register: household_register.map(str::to_owned),
        birth_certificate: birth_certificate.map(str::to_owned),
        guardians,
        phone: phone.map(str::to_owned),
        self_supporting: false,
    };
    let resident = insert_person(
        tx,
        &person(
            "张伟",
            resident_id(region, date(1988, 3, 15)?, "213")?,
            Some(household),
            None,
            vec![],
            Some("13800138000"),
        ),
        now,
    )?;
    let minor = insert_person(
        tx,
        &person(
            "张小雨",
            resident_id(region, date(2015, 9, 1)?, "024")?,
            Some(household),
            None,
            vec![resident.clone()],
            None,
        ),
        now,
    )?;
    let newborn = insert_person(
        tx,
        &person(
            "张小满",
            resident_id(region, newborn_birth, "035")?,
            Some(household),
            Some("O360123456"),
            vec![resident.clone()],
            None,
        ),
        now,
    )?;
    // Sixteen and a hundred days old at the first start.
    let student_birth = Date::new(today.year().saturating_sub(16), today.month(), 1)
        .and_then(|date| Date::from_unix_days(date.to_unix_days() - 100))
        .unwrap_or(today);
    let student = insert_person(
        tx,
        &person(
            "张子轩",
            resident_id(region, student_birth, "057")?,
            Some(household),
            None,
            vec![resident.clone()],
            Some("13700137000"),
        ),
        now,
    )?;
    insert_card(tx, &student, "ccb", now)?;
    // His school, one of the report's 校园“一卡通” schools, with his
    // enrolment from the last September for three school years.
    let school = crate::domain::concessions::register_school(
        tx,
        &ecard_api::concessions::NewSchool {
            name: SEEDED_SCHOOL.to_owned(),
            region: "360602".to_owned(),
        },
        now,
    )?;
    let school_year = if today.month() >= 9 {
        today.year()
    } else {
        today.year().saturating_sub(1)
    };
    crate::domain::concessions::enrol(
        tx,
        &ecard_api::concessions::NewEnrolment {
            school_id: school.school_id,
            id_number: resident_id(region, student_birth, "057")?,
            name: "张子轩".to_owned(),
            from: date(school_year, 9, 1)?.to_string(),
            until: date(school_year.saturating_add(3), 6, 30)?.to_string(),
        },
        now,
    )?;
    // 出生一件事: the resident's daughter, born three days before the first
    // start; the hospital has reported her birth, nobody has registered it.
    let daughter_birth = Date::in_china_at(now.saturating_sub(3 * 86_400)).unwrap_or(today);
    crate::domain::births::report_certificate(
        tx,
        &crate::domain::births::BirthCertificate {
            certificate_number: SEEDED_BIRTH_CERTIFICATE.to_owned(),
            child_name: "张小禾".to_owned(),
            sex: ecard_api::resident::Sex::Female,
            birth_date: daughter_birth.to_string(),
            mother_id_number: Some(resident_id(region, date(1990, 5, 20)?, "128")?),
            father_id_number: Some(resident_id(region, date(1988, 3, 15)?, "213")?),
            hospital: "江西省妇幼保健院".to_owned(),
        },
        now,
    )?;
    let elder = insert_person(
        tx,
        &person(
            "刘桂兰",
            resident_id(region, date(1948, 6, 2)?, "046")?,
            Some("360102077456"),
            None,
            vec![],
            Some("13900139000"),
        ),
        now,
    )?;
    insert_card(tx, &elder, "icbc", now)?;
    seed_money(tx, &elder, &student, now)?;
    for (key, person_id) in [
        (RESIDENT, resident),
        (MINOR, minor),
        (NEWBORN, newborn),
        (STUDENT, student),
        (ELDER, elder),
    ] {
        tx.execute(
            "INSERT INTO persona_map (key, person_id) VALUES (?1, ?2)",
            params![key, person_id],
        )?;
    }
    Ok(())
}
